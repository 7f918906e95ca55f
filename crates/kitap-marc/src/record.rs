//! The decoded record model, shared by MARC 21 and UNIMARC/RUSMARC.
//!
//! Text here is always Unicode NFC, whatever the source bytes were, so that
//! search and deduplication compare like with like.

use crate::encoding::Encoding;

/// Which family of MARC the record's tags follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// MARC 21 (245 title, 008 fixed data, 100 main entry).
    Marc21,
    /// UNIMARC and its national variants (RUSMARC, KAZMARC?): 200 title, 100$a.
    Unimarc,
    /// Neither family's markers were found (e.g. an almost empty record).
    Unknown,
}

impl Dialect {
    /// A stable lower-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Marc21 => "marc21",
            Dialect::Unimarc => "unimarc",
            Dialect::Unknown => "unknown",
        }
    }
}

/// One subfield of a data field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subfield {
    pub code: char,
    pub value: String,
}

/// A variable field: a control field (no indicators, no subfields) or a data field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Control {
        tag: String,
        value: String,
    },
    Data {
        tag: String,
        ind1: char,
        ind2: char,
        subfields: Vec<Subfield>,
    },
}

impl Field {
    pub fn tag(&self) -> &str {
        match self {
            Field::Control { tag, .. } | Field::Data { tag, .. } => tag,
        }
    }

    /// The subfields of a data field; empty for a control field.
    pub fn subfields(&self) -> &[Subfield] {
        match self {
            Field::Control { .. } => &[],
            Field::Data { subfields, .. } => subfields,
        }
    }

    /// The first subfield with `code`, if any.
    pub fn subfield(&self, code: char) -> Option<&str> {
        self.subfields()
            .iter()
            .find(|s| s.code == code)
            .map(|s| s.value.as_str())
    }
}

/// A parsed and decoded bibliographic or authority record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The 24-character leader (non-ASCII bytes replaced, see warnings).
    pub leader: String,
    /// Fields in directory order.
    pub fields: Vec<Field>,
    /// The encoding the field data was decoded from.
    pub encoding: Encoding,
    pub dialect: Dialect,
    /// Everything that was repaired or guessed while reading; never fatal.
    pub warnings: Vec<String>,
}

impl Record {
    /// The value of the first control field with `tag`.
    pub fn control(&self, tag: &str) -> Option<&str> {
        self.fields.iter().find_map(|f| match f {
            Field::Control { tag: t, value } if t == tag => Some(value.as_str()),
            _ => None,
        })
    }

    /// All fields with `tag`, in record order.
    pub fn fields<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
        self.fields.iter().filter(move |f| f.tag() == tag)
    }

    /// The first `code` subfield of the first `tag` field that has one.
    pub fn first_subfield(&self, tag: &str, code: char) -> Option<&str> {
        self.fields
            .iter()
            .filter(|f| f.tag() == tag)
            .find_map(|f| f.subfield(code))
    }

    /// Leader position `pos` (0-based), if the leader is long enough.
    pub fn leader_char(&self, pos: usize) -> Option<char> {
        self.leader.chars().nth(pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Record {
        Record {
            leader: "00000nam  2200000   4500".into(),
            fields: vec![
                Field::Control {
                    tag: "001".into(),
                    value: "id1".into(),
                },
                Field::Data {
                    tag: "245".into(),
                    ind1: '1',
                    ind2: '0',
                    subfields: vec![
                        Subfield {
                            code: 'a',
                            value: "Title".into(),
                        },
                        Subfield {
                            code: 'c',
                            value: "Author".into(),
                        },
                    ],
                },
            ],
            encoding: Encoding::Utf8,
            dialect: Dialect::Marc21,
            warnings: vec![],
        }
    }

    #[test]
    fn helpers_find_fields() {
        let r = sample();
        assert_eq!(r.control("001"), Some("id1"));
        assert_eq!(r.control("245"), None);
        assert_eq!(r.first_subfield("245", 'c'), Some("Author"));
        assert_eq!(r.first_subfield("245", 'z'), None);
        assert_eq!(r.fields("245").count(), 1);
        assert_eq!(r.leader_char(6), Some('a'));
    }
}
