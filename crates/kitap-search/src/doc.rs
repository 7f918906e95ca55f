//! What the index holds of one record, and how it becomes a tantivy document.

use kitap_text::collate::sort_words;
use kitap_text::Lang;
use serde::Serialize;
use tantivy::tokenizer::{PreTokenizedString, Token};
use tantivy::TantivyDocument;

use crate::analysis::{record_lang, words, WordTerms};
use crate::schema::Fields;

/// Position gap between two values of one field, so a phrase never spans them.
const VALUE_GAP: usize = 64;

/// One record as the index sees it: the searchable text of its bibliographic
/// view plus what its copies add (inventory numbers, barcodes, libraries).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct IndexDoc {
    pub id: String,
    /// The record's version: lets a consistency check compare index and database.
    pub version: i64,
    /// A digest of the copies' library, status and numbers (same purpose).
    pub copies_digest: u64,
    /// ISO 639-2/B codes; choose the analysis language.
    pub languages: Vec<String>,
    /// Title proper, other titles, part titles.
    pub titles: Vec<String>,
    /// Names (personal and corporate) and the statement of responsibility.
    pub authors: Vec<String>,
    pub subjects: Vec<String>,
    pub series: Vec<String>,
    pub publishers: Vec<String>,
    pub keywords: Vec<String>,
    pub annotation: Option<String>,
    /// Valid ISBNs as 13 digits.
    pub isbns: Vec<String>,
    pub issns: Vec<String>,
    pub inventory_numbers: Vec<String>,
    pub barcodes: Vec<String>,
    pub udc: Vec<String>,
    pub bbk: Vec<String>,
    pub year: Option<i32>,
    /// The record type and the copies' material types.
    pub material_types: Vec<String>,
    pub bbk_group: Option<String>,
    /// Codes of the libraries holding a copy that is not withdrawn.
    pub libraries: Vec<String>,
    pub sort_title: String,
    pub sort_author: String,
}

/// A stable u64 from a record id, for ties in sorting and seek pagination.
/// UUIDv7's last 64 bits are random, so ties between records practically never
/// collide; any other id string is hashed (FNV-1a).
pub fn tiebreak(id: &str) -> u64 {
    let hex: String = id.chars().filter(|c| *c != '-').collect();
    if hex.len() == 32 {
        if let Ok(v) = u64::from_str_radix(&hex[16..], 16) {
            return v;
        }
    }
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Collects the tokens of several values into one pre-tokenized field.
#[derive(Default)]
struct FieldTokens {
    tokens: Vec<Token>,
    next_position: usize,
}

impl FieldTokens {
    fn push(&mut self, position: usize, text: &str) {
        if text.is_empty() {
            return;
        }
        self.tokens.push(Token {
            offset_from: 0,
            offset_to: 0,
            position: self.next_position + position,
            text: text.to_string(),
            position_length: 1,
        });
    }

    fn end_value(&mut self, words: &[WordTerms]) {
        let last = words.last().map_or(0, |w| w.position + 1);
        self.next_position += last + VALUE_GAP;
    }

    fn into_doc(self, doc: &mut TantivyDocument, field: tantivy::schema::Field) {
        if !self.tokens.is_empty() {
            doc.add_pre_tokenized_text(
                field,
                PreTokenizedString {
                    text: String::new(),
                    tokens: self.tokens,
                },
            );
        }
    }
}

/// The three analyses of one text field, plus their share of the all-text fields.
#[derive(Default)]
struct TextField {
    exact: FieldTokens,
    stems: FieldTokens,
    keys: FieldTokens,
}

impl TextField {
    fn add(&mut self, all: &mut TextField, text: &str, lang: Option<Lang>) {
        let ws = words(text, lang);
        for w in &ws {
            self.exact.push(w.position, &w.exact);
            all.exact.push(w.position, &w.exact);
            for s in &w.stems {
                self.stems.push(w.position, s);
                all.exact.push(w.position, s);
            }
            for k in &w.keys {
                self.keys.push(w.position, k);
                all.keys.push(w.position, k);
            }
        }
        self.exact.end_value(&ws);
        self.stems.end_value(&ws);
        self.keys.end_value(&ws);
        all.exact.end_value(&ws);
        all.keys.end_value(&ws);
    }
}

fn add_strings(doc: &mut TantivyDocument, field: tantivy::schema::Field, values: &[String]) {
    for v in values {
        if !v.is_empty() {
            doc.add_text(field, v);
        }
    }
}

/// A record converted for the index, ready for [`crate::Rebuild::add_document`].
/// Opaque, so that tantivy's types stay inside this crate; conversion is the
/// expensive part of a rebuild and runs on other threads than the writer.
pub struct PreparedDoc(pub(crate) TantivyDocument);

impl IndexDoc {
    /// Converts this record for the index.
    pub fn prepare(&self, f: &Fields) -> PreparedDoc {
        PreparedDoc(self.to_document(f))
    }

    /// The tantivy document for this record.
    pub(crate) fn to_document(&self, f: &Fields) -> TantivyDocument {
        let lang = record_lang(&self.languages);
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &self.id);
        doc.add_u64(f.tiebreak, tiebreak(&self.id));
        doc.add_i64(f.version, self.version);
        doc.add_u64(f.copies_digest, self.copies_digest);

        let mut all = TextField::default();
        let mut title = TextField::default();
        let mut author = TextField::default();
        let mut subject = TextField::default();
        let mut series = TextField::default();
        let mut publisher = TextField::default();
        let mut rest = TextField::default();
        for t in &self.titles {
            title.add(&mut all, t, lang);
        }
        // Names are not words of the record's language: analyse for both.
        for a in &self.authors {
            author.add(&mut all, a, None);
        }
        for s in &self.subjects {
            subject.add(&mut all, s, lang);
        }
        for s in &self.series {
            series.add(&mut all, s, lang);
        }
        for p in &self.publishers {
            publisher.add(&mut all, p, lang);
        }
        for k in self.keywords.iter().chain(self.annotation.iter()) {
            rest.add(&mut all, k, lang);
        }
        title.exact.into_doc(&mut doc, f.title);
        title.stems.into_doc(&mut doc, f.title_s);
        title.keys.into_doc(&mut doc, f.title_k);
        author.exact.into_doc(&mut doc, f.author);
        author.keys.into_doc(&mut doc, f.author_k);
        subject.exact.into_doc(&mut doc, f.subject);
        subject.keys.into_doc(&mut doc, f.subject_k);
        series.keys.into_doc(&mut doc, f.series_k);
        publisher.keys.into_doc(&mut doc, f.publisher_k);
        all.exact.into_doc(&mut doc, f.all);
        all.keys.into_doc(&mut doc, f.all_k);

        add_strings(&mut doc, f.isbn, &self.isbns);
        add_strings(&mut doc, f.issn, &self.issns);
        add_strings(&mut doc, f.inventory, &self.inventory_numbers);
        add_strings(&mut doc, f.barcode, &self.barcodes);
        let lower = |v: &[String]| {
            v.iter()
                .map(|s| s.trim().to_lowercase())
                .collect::<Vec<_>>()
        };
        add_strings(&mut doc, f.udc, &lower(&self.udc));
        add_strings(&mut doc, f.bbk, &lower(&self.bbk));
        add_strings(&mut doc, f.lang, &self.languages);
        if let Some(year) = self.year {
            doc.add_i64(f.year, i64::from(year));
        }
        add_strings(&mut doc, f.material_type, &self.material_types);
        if let Some(group) = &self.bbk_group {
            doc.add_text(f.bbk_group, group);
        }
        add_strings(&mut doc, f.library, &self.libraries);
        for (field, word) in f.sort_title.iter().zip(sort_words(&self.sort_title, 2)) {
            doc.add_u64(*field, word);
        }
        for (field, word) in f.sort_author.iter().zip(sort_words(&self.sort_author, 2)) {
            doc.add_u64(*field, word);
        }
        doc
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiebreak_of_uuid_and_other_ids() {
        assert_eq!(
            tiebreak("0192f3a0-0000-7000-8000-00000000002a"),
            0x8000_0000_0000_002a
        );
        assert_ne!(tiebreak("KZAR0001"), tiebreak("KZAR0002"));
    }
}
