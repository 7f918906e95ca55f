//! Turning text read from MARCXML or MARC-in-JSON into a [`Record`]: the
//! same repairs as for ISO 2709 (leader length, indicators, subfield codes),
//! one place for both formats so that they agree.

use unicode_normalization::UnicodeNormalization;

use crate::encoding::Encoding;
use crate::record::{Field, Record, Subfield};
use crate::write::iso2709::detect_dialect;

const LEADER_LEN: usize = 24;
/// Used when a record has no leader at all: lengths zero (they are computed
/// on export), Unicode, the fixed ISO 2709 structure values.
const DEFAULT_LEADER: &str = "00000     a2200000   4500";

/// A record being collected; `errors` make it unusable, `warnings` do not.
#[derive(Debug, Default)]
pub(crate) struct RecordBuilder {
    pub leader: Option<String>,
    pub fields: Vec<Field>,
    pub warnings: Vec<String>,
    pub errors: Vec<String>,
}

impl RecordBuilder {
    /// The record, or every reason it could not be built.
    pub fn finish(self) -> Result<Record, Vec<String>> {
        let mut errors = self.errors;
        if self.leader.is_none() && self.fields.is_empty() && errors.is_empty() {
            errors.push("empty record: no leader and no fields".to_string());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut warnings = self.warnings;
        let leader = fix_leader(self.leader.as_deref(), &mut warnings);
        let dialect = detect_dialect(&leader, &self.fields);
        Ok(Record {
            leader,
            fields: self.fields,
            encoding: Encoding::Utf8,
            dialect,
            warnings,
        })
    }

    /// Adds a control field, or records why it could not be.
    pub fn control(&mut self, tag: Option<&str>, value: &str) {
        match fix_tag(tag, &mut self.warnings) {
            Ok(tag) => self.fields.push(Field::Control {
                tag,
                value: nfc(value),
            }),
            Err(e) => self.errors.push(format!("control field: {e}")),
        }
    }
}

/// NFC, so that text from every format compares like with like.
pub(crate) fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// Pads or cuts the leader to 24 ASCII characters. Line breaks and tabs
/// around it come from pretty-printing, not from the record.
pub(crate) fn fix_leader(raw: Option<&str>, warnings: &mut Vec<String>) -> String {
    let Some(raw) = raw else {
        warnings.push("no leader: a default leader was used".to_string());
        return DEFAULT_LEADER.to_string();
    };
    let trimmed = raw.trim_matches(['\n', '\r', '\t']);
    let mut leader: String = trimmed
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c
            } else {
                ' '
            }
        })
        .collect();
    if leader != trimmed {
        warnings.push("leader: non-ASCII or control characters replaced by blanks".into());
    }
    let len = leader.chars().count();
    if len < LEADER_LEN {
        warnings.push(format!(
            "leader has {len} characters; padded with blanks to 24"
        ));
        leader.push_str(&" ".repeat(LEADER_LEN - len));
    } else if len > LEADER_LEN {
        warnings.push(format!(
            "leader has {len} characters; cut to 24: {leader:?}"
        ));
        leader.truncate(LEADER_LEN);
    }
    leader
}

/// Tags are three ASCII letters or digits; a numeric tag that lost its
/// leading zeros ("42") is padded back, anything else is refused.
pub(crate) fn fix_tag(tag: Option<&str>, warnings: &mut Vec<String>) -> Result<String, String> {
    let Some(tag) = tag else {
        return Err("no tag attribute".to_string());
    };
    let t = tag.trim();
    if t.len() == 3 && t.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(t.to_string());
    }
    if (1..3).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_digit()) {
        warnings.push(format!("tag {t:?} padded to {t:0>3}"));
        return Ok(format!("{t:0>3}"));
    }
    Err(format!("bad tag {tag:?}"))
}

/// One indicator character; missing or unusable ones become blank, the
/// "undefined" indicator, as in the ISO 2709 reader.
pub(crate) fn fix_indicator(
    tag: &str,
    which: &str,
    raw: Option<&str>,
    warnings: &mut Vec<String>,
) -> char {
    let Some(raw) = raw else {
        warnings.push(format!("field {tag}: no {which}; blank used"));
        return ' ';
    };
    let mut chars = raw.chars();
    let first = chars.next();
    if chars.next().is_some() {
        warnings.push(format!(
            "field {tag}: {which} {raw:?} is longer than one character"
        ));
    }
    match first {
        Some(c) if c.is_ascii_graphic() || c == ' ' => c,
        None => {
            warnings.push(format!("field {tag}: empty {which}; blank used"));
            ' '
        }
        Some(c) => {
            warnings.push(format!("field {tag}: {which} {c:?} replaced by a blank"));
            ' '
        }
    }
}

/// A subfield code: ASCII letters and digits are normal; other printable
/// ASCII is kept with a warning; anything else becomes '?' (as in ISO 2709).
pub(crate) fn fix_code(
    tag: &str,
    raw: Option<&str>,
    warnings: &mut Vec<String>,
) -> Result<char, String> {
    let Some(raw) = raw else {
        return Err(format!("field {tag}: subfield without a code attribute"));
    };
    let mut chars = raw.chars();
    let Some(code) = chars.next() else {
        return Err(format!("field {tag}: subfield with an empty code"));
    };
    if chars.next().is_some() {
        warnings.push(format!(
            "field {tag}: subfield code {raw:?} cut to {code:?}"
        ));
    }
    if code.is_ascii_alphanumeric() {
        return Ok(code);
    }
    if code.is_ascii_graphic() {
        warnings.push(format!(
            "field {tag}: non-alphanumeric subfield code {code:?}"
        ));
        return Ok(code);
    }
    warnings.push(format!(
        "field {tag}: invalid subfield code {code:?} replaced by '?'"
    ));
    Ok('?')
}

/// A data field under construction.
#[derive(Debug)]
pub(crate) struct DataField {
    pub tag: String,
    pub ind1: char,
    pub ind2: char,
    pub subfields: Vec<Subfield>,
}

impl DataField {
    pub fn into_field(self) -> Field {
        Field::Data {
            tag: self.tag,
            ind1: self.ind1,
            ind2: self.ind2,
            subfields: self.subfields,
        }
    }
}
