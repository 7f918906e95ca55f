//! The bibliographic view: what search, display, deduplication and
//! statistics need from a record, the same for MARC 21 and UNIMARC/RUSMARC.
//!
//! Values are the record's text with ISBD punctuation removed
//! ([`crate::punct::trim_isbd`]) and non-sorting markers dropped; nothing is
//! invented. A field the record lacks stays empty.

mod common;
mod marc21;
mod unimarc;

pub(crate) use common::first_year;

use kitap_marc::{Dialect, Record};
use serde::{Deserialize, Serialize};

use crate::bbk::{AreaRules, KnowledgeArea};

/// What kind of material a record describes, from leader/06-07.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordType {
    Book,
    Serial,
    /// A component part (an article, a chapter) of a book or serial.
    Article,
    /// Printed or manuscript music and musical sound recordings.
    Music,
    Map,
    /// Video, non-musical sound, pictures.
    Audiovisual,
    Electronic,
    /// Manuscript text.
    Manuscript,
    /// Kits, mixed materials, UNIMARC multimedia.
    Mixed,
    Authority,
    Other,
}

impl RecordType {
    /// The stable snake_case name (the same as in JSON).
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::Book => "book",
            RecordType::Serial => "serial",
            RecordType::Article => "article",
            RecordType::Music => "music",
            RecordType::Map => "map",
            RecordType::Audiovisual => "audiovisual",
            RecordType::Electronic => "electronic",
            RecordType::Manuscript => "manuscript",
            RecordType::Mixed => "mixed",
            RecordType::Authority => "authority",
            RecordType::Other => "other",
        }
    }
}

/// A person or a corporate body (including meetings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    Personal,
    Corporate,
}

/// A name responsible for the work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Author {
    /// "Surname, Forename" for persons, "Body. Subdivision" for bodies.
    pub name: String,
    pub kind: AuthorKind,
    /// The relator term or MARC relator code ("сост.", "edt"); UNIMARC
    /// numeric codes are given as their MARC code when known.
    pub role: Option<String>,
    /// Dates as written ("1845-1904").
    pub dates: Option<String>,
    /// From the main entry (MARC 21 1XX, UNIMARC 700/710), not an added entry.
    pub main: bool,
}

/// One publication statement.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Publication {
    pub place: Option<String>,
    pub publisher: Option<String>,
    pub date: Option<String>,
}

/// A series the item belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Series {
    pub title: String,
    /// The item's number in the series ("вып. 3").
    pub number: Option<String>,
}

/// The bibliographic view of one record (see the module comment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BibView {
    pub record_type: RecordType,
    /// Leader/07 as is ('m' monograph, 's' serial, ...); blank if absent.
    pub bibliographic_level: char,
    pub title: Option<String>,
    /// How many leading characters of `title` do not sort ("The ").
    pub title_nonfiling: usize,
    /// Other title information and parallel/variant titles.
    pub other_titles: Vec<String>,
    pub responsibility: Option<String>,
    /// Number and name of a part or volume ("1-том").
    pub part: Option<String>,
    pub authors: Vec<Author>,
    pub edition: Option<String>,
    pub publication: Vec<Publication>,
    pub year: Option<i32>,
    pub extent: Option<String>,
    pub series: Vec<Series>,
    /// Valid ISBNs as 13 digits without hyphens, no duplicates.
    pub isbns: Vec<String>,
    /// ISBNs as written that are not valid (wrong check digit, marked
    /// cancelled in $z, not an ISBN at all).
    pub invalid_isbns: Vec<String>,
    /// Valid ISSNs as "NNNN-NNNC".
    pub issns: Vec<String>,
    /// ISSNs as written that are not valid.
    pub invalid_issns: Vec<String>,
    /// ISO 639-2/B codes, lower case, no duplicates, record order.
    pub languages: Vec<String>,
    pub udc: Vec<String>,
    pub bbk: Vec<String>,
    /// Subject headings with subdivisions joined by " -- ".
    pub subjects: Vec<String>,
    /// Uncontrolled keywords.
    pub keywords: Vec<String>,
    pub annotation: Option<String>,
    pub control_number: Option<String>,
    /// MARC 21 003; UNIMARC has no equivalent (its 003 is a URI).
    pub control_source: Option<String>,
    /// 035$a: numbers of the same record in other systems.
    pub system_numbers: Vec<String>,
    /// An electronic resource whatever leader/06 says: an e-book or a
    /// digitised book is `Book` with this set (MARC 21 008/23 "o", "q",
    /// "s", a 338 "online resource", 245$h "[electronic resource]", 533
    /// "Electronic reproduction"; UNIMARC 135, 230, 200$b). Duplicate
    /// detection must not merge a print book with its e-book.
    #[serde(default)]
    pub electronic: bool,
    /// The title of the whole work this record is a part of (MARC 21 773$t,
    /// UNIMARC 461): a volume catalogued as "Ч. 1" is known by its set.
    #[serde(default)]
    pub host_title: Option<String>,
    /// 005 as written: when the record was last changed. The same 001 with
    /// the same 005 is one record version, whatever format carries it.
    #[serde(default)]
    pub record_version: Option<String>,
}

impl BibView {
    /// Builds the view, choosing the reading by `record.dialect`. For
    /// `Unknown`, both readings are tried and the one that finds more wins
    /// (a record with a 200 but an 008 is still better read as UNIMARC if
    /// that is where its title is).
    pub fn from_record(record: &Record) -> BibView {
        match record.dialect {
            Dialect::Marc21 => marc21::view(record),
            Dialect::Unimarc => unimarc::view(record),
            Dialect::Unknown => {
                let as_marc21 = marc21::view(record);
                let as_unimarc = unimarc::view(record);
                if as_unimarc.richness() > as_marc21.richness() {
                    as_unimarc
                } else {
                    as_marc21
                }
            }
        }
    }

    /// Whether any language of the item is Kazakh.
    pub fn is_kazakh(&self) -> bool {
        self.languages.iter().any(|l| l == "kaz")
    }

    /// The title without its non-filing characters and leading punctuation
    /// ("The Hobbit" with 4 non-filing characters and "«Абай жолы»" both
    /// start at the first letter or digit). Case is kept: folding is the
    /// search layer's business.
    pub fn sort_title(&self) -> Option<String> {
        let title = self.title.as_deref()?;
        let skipped: String = title.chars().skip(self.title_nonfiling).collect();
        let rest = skipped.trim_start_matches(|c: char| !c.is_alphanumeric());
        if rest.is_empty() {
            // Non-filing count wrong or a title of only punctuation: keep it sortable.
            let whole = title.trim_start_matches(|c: char| !c.is_alphanumeric());
            return Some(if whole.is_empty() { title } else { whole }.to_string());
        }
        Some(rest.to_string())
    }

    /// The main entry author, if the record has one.
    pub fn main_author(&self) -> Option<&Author> {
        self.authors.iter().find(|a| a.main)
    }

    /// The report group under the built-in rules.
    pub fn knowledge_area(&self) -> Option<KnowledgeArea> {
        self.knowledge_area_under(AreaRules::builtin())
    }

    /// The report group under `rules`: from the first BBK index that
    /// classifies, else from the first UDC number (kz-domain.md §5.2-5.3
    /// prefer BBK).
    pub fn knowledge_area_under(&self, rules: &AreaRules) -> Option<KnowledgeArea> {
        self.bbk
            .iter()
            .find_map(|b| rules.classify_bbk(b).map(|c| c.area))
            .or_else(|| self.udc.iter().find_map(|u| rules.classify_udc(u)))
    }

    /// How much of the view is filled; used to pick a reading for
    /// records of unknown dialect.
    fn richness(&self) -> usize {
        let singles = [
            &self.title,
            &self.responsibility,
            &self.edition,
            &self.extent,
            &self.annotation,
        ];
        let lists = [
            self.authors.len(),
            self.publication.len(),
            self.isbns.len(),
            self.languages.len(),
            self.subjects.len(),
        ];
        // The title matters most: a reading that finds one beats one that does not.
        let title_weight = if self.title.is_some() { 10 } else { 0 };
        title_weight + singles.iter().filter(|s| s.is_some()).count() + lists.iter().sum::<usize>()
    }
}

#[cfg(test)]
mod tests;
