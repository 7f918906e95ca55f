//! Reading corpus files through kitap-marc's public API.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use kitap_catalog::BibView;
use kitap_marc::{parse, Record, RecordSplitter};

/// The shared corpus: `MARC_TEST_DATA`, else /work/shared/data/marc seen
/// from this crate (crates/kitap-catalog -> ../../../shared/data/marc).
pub fn data_dir() -> PathBuf {
    match std::env::var_os("MARC_TEST_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/marc"),
    }
}

/// The first `limit` records of a corpus file, all of which must parse.
pub fn records_limited(rel: &str, limit: usize) -> Vec<Record> {
    let file = File::open(data_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    RecordSplitter::new(BufReader::new(file))
        .take(limit)
        .enumerate()
        .map(|(i, raw)| {
            raw.and_then(|raw| parse(&raw, None))
                .unwrap_or_else(|e| panic!("{rel} record {i}: {e}"))
        })
        .collect()
}

/// Every record of a corpus file.
pub fn records(rel: &str) -> Vec<Record> {
    records_limited(rel, usize::MAX)
}

/// The record whose 001 is `id`.
pub fn by_id<'a>(records: &'a [Record], id: &str) -> &'a Record {
    records
        .iter()
        .find(|r| r.control("001").map(str::trim) == Some(id))
        .unwrap_or_else(|| panic!("no record {id}"))
}

pub fn view_of(rel: &str, id: &str) -> BibView {
    BibView::from_record(by_id(&records(rel), id))
}

/// The main author's name, or "" when the record has none.
pub fn main_name(v: &BibView) -> &str {
    v.main_author().map_or("", |a| a.name.as_str())
}
