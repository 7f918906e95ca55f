//! MARC 21 <-> RUSMARC for the fields both catalogues share (the crosswalk
//! of kz-domain.md §1.2): identifiers, title, edition, imprint, extent,
//! series, notes, annotation, subjects, keywords, UDC/BBK and other
//! classification, names, and the fixed data (leader, 008 <-> 100/101/102).
//!
//! A field outside the crosswalk is dropped and its tag listed in
//! [`Conversion::dropped_tags`], so an import report can say what a
//! converted record lost. Subfields a target field has no place for are
//! dropped silently: listing them per field would drown the report.
//!
//! MARC 21 -> RUSMARC removes ISBD punctuation ([`crate::punct`]);
//! RUSMARC -> MARC 21 does not add it back and says so in leader/18 ('c',
//! "ISBD punctuation omitted"). Text stays UTF-8 (100$a/26-27 "50").

mod fixed;
mod names;
mod to_marc21;
mod to_unimarc;

use std::collections::BTreeSet;

use kitap_marc::{Dialect, Encoding, Field, Record, Subfield};

use crate::punct::trim_isbd;

/// A converted record and what could not be carried over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    pub record: Record,
    /// Tags of the source fields that were dropped, sorted, no duplicates.
    pub dropped_tags: Vec<String>,
}

/// MARC 21 to RUSMARC. A record already in UNIMARC comes back unchanged;
/// one of unknown dialect is read as MARC 21.
pub fn to_rusmarc(record: &Record) -> Conversion {
    if record.dialect == Dialect::Unimarc {
        return unchanged(record);
    }
    to_unimarc::convert(record)
}

/// RUSMARC (or IRBIS native) to MARC 21. A record already in MARC 21
/// comes back unchanged; one of unknown dialect is read as UNIMARC.
pub fn to_marc21(record: &Record) -> Conversion {
    if record.dialect == Dialect::Marc21 {
        return unchanged(record);
    }
    to_marc21::convert(record)
}

fn unchanged(record: &Record) -> Conversion {
    Conversion {
        record: record.clone(),
        dropped_tags: Vec::new(),
    }
}

/// The fields being built and the tags left behind.
#[derive(Default)]
struct Out {
    fields: Vec<Field>,
    dropped: BTreeSet<String>,
}

impl Out {
    fn push(&mut self, field: Option<Field>) {
        if let Some(f) = field {
            self.fields.push(f);
        }
    }

    fn drop_tag(&mut self, tag: &str) {
        self.dropped.insert(tag.to_string());
    }

    /// The finished record: fields in tag order (stable within a tag).
    fn finish(mut self, leader: String, dialect: Dialect) -> Conversion {
        self.fields.sort_by(|a, b| a.tag().cmp(b.tag()));
        Conversion {
            record: Record {
                leader,
                fields: self.fields,
                encoding: Encoding::Utf8,
                dialect,
                warnings: Vec::new(),
            },
            dropped_tags: self.dropped.into_iter().collect(),
        }
    }
}

/// A subfield, or nothing when the value is empty.
fn sub(code: char, value: &str) -> Option<Subfield> {
    let value = value.trim();
    (!value.is_empty()).then(|| Subfield {
        code,
        value: value.to_string(),
    })
}

/// A data field, or nothing when no subfield survived.
fn data(tag: &str, ind1: char, ind2: char, subfields: Vec<Subfield>) -> Option<Field> {
    (!subfields.is_empty()).then(|| Field::Data {
        tag: tag.to_string(),
        ind1,
        ind2,
        subfields,
    })
}

/// How a value is carried: descriptive text loses ISBD punctuation on the
/// way to UNIMARC; identifiers, codes and notes are only trimmed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Text {
    Isbd,
    Plain,
}

/// The subfields of `f` renamed by `pairs` (from, to), in field order.
fn rename(f: &Field, pairs: &[(char, char)], text: Text) -> Vec<Subfield> {
    f.subfields()
        .iter()
        .filter_map(|s| {
            let to = pairs.iter().find(|(from, _)| *from == s.code)?.1;
            let value = match text {
                Text::Isbd => trim_isbd(&s.value),
                Text::Plain => s.value.trim().to_string(),
            };
            sub(to, &value)
        })
        .collect()
}

/// A field converted by renaming subfields only.
struct Simple {
    from: &'static str,
    to: &'static str,
    ind: (char, char),
    pairs: &'static [(char, char)],
    text: Text,
}

const fn simple(
    from: &'static str,
    to: &'static str,
    ind: (char, char),
    pairs: &'static [(char, char)],
    text: Text,
) -> Simple {
    Simple {
        from,
        to,
        ind,
        pairs,
        text,
    }
}

fn apply(table: &[Simple], f: &Field) -> Option<Option<Field>> {
    let rule = table.iter().find(|r| r.from == f.tag())?;
    let subs = rename(f, rule.pairs, rule.text);
    Some(data(rule.to, rule.ind.0, rule.ind.1, subs))
}

/// The data-field indicators (blank for a control field).
fn indicators(f: &Field) -> (char, char) {
    match f {
        Field::Data { ind1, ind2, .. } => (*ind1, *ind2),
        Field::Control { .. } => (' ', ' '),
    }
}

/// A copy of a control field under the same tag.
fn control_copy(f: &Field) -> Option<Field> {
    match f {
        Field::Control { tag, value } => Some(Field::Control {
            tag: tag.clone(),
            value: value.clone(),
        }),
        Field::Data { .. } => None,
    }
}

#[cfg(test)]
mod tests;
