//! From record structure to decoded [`Record`]: dialect and encoding
//! detection, control vs data fields, indicators and subfields.

use std::borrow::Cow;

use super::{structure, RawField, RawRecord, RecordError, Structure};
use crate::detect::{self, Detection};
use crate::encoding::{mojibake, to_nfc, Encoding};
use crate::record::{Dialect, Field, Record, Subfield};

/// Caller overrides; `None` means "detect from the bytes".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParseOptions {
    pub encoding: Option<Encoding>,
    pub dialect: Option<Dialect>,
}

/// A record with the detection that produced it (for import reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub record: Record,
    pub detection: Detection,
}

/// Parses one raw record; `encoding` overrides detection when given.
pub fn parse(raw: &RawRecord, encoding: Option<Encoding>) -> Result<Record, RecordError> {
    let opts = ParseOptions {
        encoding,
        dialect: None,
    };
    parse_with(raw, opts).map(|p| p.record)
}

/// Parses one raw record with overrides, returning what was detected.
pub fn parse_with(raw: &RawRecord, opts: ParseOptions) -> Result<Parsed, RecordError> {
    let st = structure(&raw.bytes).map_err(|e| e.at(raw.index))?;
    let detection = detect::detect(&st, opts);
    Ok(Parsed {
        record: build(st, &detection),
        detection,
    })
}

/// Per-record tallies, turned into one warning each instead of one per field.
#[derive(Default)]
struct Tally {
    undecodable: Vec<String>,
    double_encoded: Vec<String>,
}

fn build(st: Structure<'_>, det: &Detection) -> Record {
    let Structure {
        leader,
        fields: raw_fields,
        mut warnings,
    } = st;
    let mut tally = Tally::default();
    let mut fields = Vec::with_capacity(raw_fields.len());
    for f in raw_fields {
        fields.extend(decode_field(f, det, &mut tally, &mut warnings));
    }
    if !tally.undecodable.is_empty() {
        warnings.push(format!(
            "undecodable bytes as {} (replaced by U+FFFD) in field(s) {}",
            det.encoding,
            tally.undecodable.join(", ")
        ));
    }
    if !tally.double_encoded.is_empty() {
        warnings.push(format!(
            "double-encoded UTF-8 repaired in field(s) {}",
            tally.double_encoded.join(", ")
        ));
    }
    Record {
        leader,
        fields,
        encoding: det.encoding,
        dialect: det.dialect,
        warnings,
    }
}

/// MARC 21 control fields are 001-009, UNIMARC ones 001-005. A field with
/// no subfield delimiter at all (some IRBIS/DOS exports write every field
/// that way) is kept whole as a value rather than cut into fake indicators.
fn is_control(tag: &str, dialect: Dialect, data: &[u8]) -> bool {
    let numeric = tag.strip_prefix("00").and_then(|d| d.parse::<u8>().ok());
    let by_dialect = match (numeric, dialect) {
        (Some(n), Dialect::Unimarc) => (1..=5).contains(&n),
        (Some(n), _) => (1..=9).contains(&n),
        (None, _) => false,
    };
    by_dialect || (data.len() > 2 && !data.contains(&super::SD))
}

/// Field text in NFC; borrowed from `bytes` when they are valid UTF-8 that
/// needs no repair or normalisation (the common case), so the only copies
/// made are the record's own values.
fn decode_text<'a>(tag: &str, bytes: &'a [u8], det: &Detection, tally: &mut Tally) -> Cow<'a, str> {
    let (mut text, bad) = det.encoding.decode_raw(bytes);
    if bad && !tally.undecodable.iter().any(|t| t == tag) {
        tally.undecodable.push(tag.to_string());
    }
    if det.encoding == Encoding::Utf8 {
        // Some records went through the mis-decoding twice (bu_bibs.mrc has
        // "Ã\u{8c}Â\u{81}" for a combining acute), so undo it up to 3 times.
        let mut rounds = 0;
        while let Some(fixed) = mojibake::undo_double_utf8(&text).filter(|_| rounds < 3) {
            text = Cow::Owned(fixed);
            rounds += 1;
        }
        if rounds > 0 && !tally.double_encoded.iter().any(|t| t == tag) {
            tally.double_encoded.push(tag.to_string());
        }
    }
    to_nfc(text)
}

fn decode_field(
    f: RawField<'_>,
    det: &Detection,
    tally: &mut Tally,
    warnings: &mut Vec<String>,
) -> Option<Field> {
    if is_control(&f.tag, det.dialect, f.data) {
        let value = decode_text(&f.tag, f.data, det, tally).into_owned();
        return Some(Field::Control { tag: f.tag, value });
    }
    if f.data.len() < 2 {
        warnings.push(format!(
            "field {} is shorter than its indicators; dropped",
            f.tag
        ));
        return None;
    }
    let ind1 = indicator(&f.tag, f.data.first(), warnings);
    let ind2 = indicator(&f.tag, f.data.get(1), warnings);
    let text = decode_text(&f.tag, f.data.get(2..).unwrap_or_default(), det, tally);
    let subfields = subfields(&f.tag, &text, warnings);
    Some(Field::Data {
        tag: f.tag,
        ind1,
        ind2,
        subfields,
    })
}

/// Indicators are one ASCII character each; anything else (a UTF-8 byte, a
/// control character) becomes a blank, the "undefined" indicator.
fn indicator(tag: &str, byte: Option<&u8>, warnings: &mut Vec<String>) -> char {
    match byte {
        Some(&b) if b.is_ascii_graphic() || b == b' ' => char::from(b),
        Some(&b) => {
            warnings.push(format!(
                "field {tag}: indicator byte 0x{b:02X} replaced by a blank"
            ));
            ' '
        }
        None => ' ',
    }
}

fn subfields(tag: &str, text: &str, warnings: &mut Vec<String>) -> Vec<Subfield> {
    // Split on the byte (an ASCII byte is always a character boundary):
    // measurably cheaper than `str::split` for the many short values.
    let mut start = 0;
    let mut parts = text.as_bytes().split(|&b| b == super::SD).map(|piece| {
        let part = text.get(start..start + piece.len()).unwrap_or_default();
        start += piece.len() + 1;
        part
    });
    let before = parts.next().unwrap_or_default();
    if !before.trim().is_empty() {
        warnings.push(format!(
            "field {tag}: text before the first subfield delimiter dropped: {before:?}"
        ));
    }
    let mut out = Vec::with_capacity(text.bytes().filter(|&b| b == super::SD).count());
    for part in parts {
        let mut chars = part.chars();
        let Some(code) = chars.next() else {
            warnings.push(format!("field {tag}: empty subfield (no code) dropped"));
            continue;
        };
        out.push(Subfield {
            code: subfield_code(tag, code, warnings),
            value: chars.as_str().to_string(),
        });
    }
    out
}

/// Codes are ASCII letters or digits; other printable ASCII is kept with a
/// warning (some systems use '!' or '$'), anything else becomes '?'.
fn subfield_code(tag: &str, code: char, warnings: &mut Vec<String>) -> char {
    if code.is_ascii_alphanumeric() {
        return code;
    }
    if code.is_ascii_graphic() {
        warnings.push(format!(
            "field {tag}: non-alphanumeric subfield code {code:?}"
        ));
        return code;
    }
    warnings.push(format!(
        "field {tag}: invalid subfield code {code:?} replaced by '?'"
    ));
    '?'
}
