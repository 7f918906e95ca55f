//! Building records in unit tests from a compact notation.

use kitap_marc::{Dialect, Encoding, Field, Record, Subfield};

/// `fields` are (tag, body). A body without '$' on a 00X tag is a control
/// field; otherwise the first two characters are the indicators and the
/// rest is "$a...$b..." ('$' cannot appear inside values here).
pub fn record(dialect: Dialect, leader: &str, fields: &[(&str, &str)]) -> Record {
    Record {
        leader: leader.to_string(),
        fields: fields.iter().map(|(tag, body)| field(tag, body)).collect(),
        encoding: Encoding::Utf8,
        dialect,
        warnings: Vec::new(),
    }
}

pub fn field(tag: &str, body: &str) -> Field {
    if tag.starts_with("00") && !body.contains('$') {
        return Field::Control {
            tag: tag.to_string(),
            value: body.to_string(),
        };
    }
    let mut chars = body.chars();
    let ind1 = chars.next().unwrap_or(' ');
    let ind2 = chars.next().unwrap_or(' ');
    let subfields = chars
        .as_str()
        .split('$')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            let code = cs.next().unwrap_or('?');
            Subfield {
                code,
                value: cs.as_str().to_string(),
            }
        })
        .collect();
    Field::Data {
        tag: tag.to_string(),
        ind1,
        ind2,
        subfields,
    }
}

pub const MARC21_BOOK: &str = "00000nam a2200000 i 4500";
pub const UNIMARC_BOOK: &str = "00000nam0 2200000   450 ";
