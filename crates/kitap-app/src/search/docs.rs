//! Database rows to index documents: the bibliographic view of the stored
//! MARC plus what the copies contribute.

use std::collections::HashMap;

use kitap_catalog::BibView;
use kitap_db::search_feed::{FeedCopy, FeedRecord};
use kitap_domain::CopyStatus;
use kitap_marc::Encoding;
use kitap_search::IndexDoc;

/// A copy in this state is not part of the catalogue any more.
fn gone(copy: &FeedCopy) -> bool {
    copy.status == CopyStatus::Withdrawn
}

/// FNV-1a over the copies' library, status and numbers: index and database
/// agree on a record's copies exactly when their digests agree.
pub fn copies_digest(copies: &[&FeedCopy]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |s: &str| {
        for b in s.bytes().chain(std::iter::once(0x1f)) {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    for c in copies {
        eat(&c.branch_code);
        eat(c.status.as_str());
        eat(&c.material_type);
        eat(&c.inventory_number);
        eat(&c.barcode);
    }
    h
}

/// Decodes a stored record's MARC; `None` when it cannot be read (logged by
/// the caller; the record is then left out of the index rather than stopping it).
pub fn view_of(record: &FeedRecord) -> Option<BibView> {
    let view = kitap_marc::parse_view(&record.marc).ok()?;
    Some(BibView::from_record(
        &view.into_record(Some(Encoding::Utf8)),
    ))
}

fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

/// The index document of an active record with its copies (sorted by record).
pub fn index_doc(record: &FeedRecord, view: &BibView, copies: &[&FeedCopy]) -> IndexDoc {
    let mut titles: Vec<String> = view.title.iter().cloned().collect();
    titles.extend(view.other_titles.iter().cloned());
    titles.extend(view.part.iter().cloned());
    let mut authors: Vec<String> = view.authors.iter().map(|a| a.name.clone()).collect();
    authors.extend(view.responsibility.iter().cloned());
    let mut material_types = vec![record.record_type.clone()];
    let mut libraries = Vec::new();
    let live: Vec<&FeedCopy> = copies.iter().copied().filter(|c| !gone(c)).collect();
    for c in &live {
        push_unique(&mut material_types, c.material_type.clone());
        push_unique(&mut libraries, c.branch_code.to_uppercase());
    }
    IndexDoc {
        id: record.id.clone(),
        version: record.version,
        copies_digest: copies_digest(copies),
        languages: view.languages.clone(),
        titles,
        authors,
        subjects: view.subjects.clone(),
        series: view.series.iter().map(|s| s.title.clone()).collect(),
        publishers: view
            .publication
            .iter()
            .filter_map(|p| p.publisher.clone())
            .collect(),
        keywords: view.keywords.clone(),
        annotation: view.annotation.clone(),
        isbns: view.isbns.clone(),
        issns: view.issns.clone(),
        inventory_numbers: live.iter().map(|c| c.inventory_number.clone()).collect(),
        barcodes: live.iter().map(|c| c.barcode.clone()).collect(),
        udc: view.udc.clone(),
        bbk: view.bbk.clone(),
        year: view.year,
        material_types,
        bbk_group: record.knowledge_area.clone(),
        libraries,
        sort_title: view.sort_title().unwrap_or_default(),
        sort_author: view
            .main_author()
            .map(|a| a.name.clone())
            .unwrap_or_default(),
    }
}

/// Copies by record id (order inside a record kept as loaded).
pub fn group_copies(copies: &[FeedCopy]) -> HashMap<&str, Vec<&FeedCopy>> {
    let mut map: HashMap<&str, Vec<&FeedCopy>> = HashMap::new();
    for c in copies {
        map.entry(c.record_id.as_str()).or_default().push(c);
    }
    map
}
