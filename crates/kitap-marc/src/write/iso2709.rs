//! ISO 2709 in UTF-8: leader, directory, fields, record terminator.
//!
//! The leader is copied from the record except what the writer itself
//! decides: the record length (00-04), the base address (12-16), the fixed
//! structure values (10-11 "22", 20-22 "450") and, for MARC 21, leader/09
//! "a" (UCS/UTF-8), because the bytes written are UTF-8 whatever the source
//! was. UNIMARC keeps its charset in 100$a/26-27; fields are never rewritten
//! here, so a record that does not say "50" there gets a warning instead.

use std::borrow::Cow;
use std::io::{self, Write};

use super::invalid;
use crate::encoding::Encoding;
use crate::iso2709::{parse_with, FieldView, ParseOptions, RawRecord, RecordView, FT, RT, SD};
use crate::record::{Dialect, Field, Record};

const LEADER_LEN: usize = 24;
const MAX_RECORD: usize = 99_999;
const MAX_FIELD: usize = 9_999;

/// Writes one record as UTF-8 ISO 2709; returns the repairs made.
pub fn write_iso2709<W: Write>(rec: &Record, mut w: W) -> io::Result<Vec<String>> {
    let (bytes, warnings) = to_iso2709(rec)?;
    w.write_all(&bytes)?;
    Ok(warnings)
}

/// Writes `original` unchanged when it is a clean UTF-8 record that still
/// reads back as `rec`; otherwise serialises `rec`.
///
/// Why: the reader normalises text to NFC, so a valid record stored with
/// decomposed diacritics (as LC distributes them) cannot be re-created byte
/// for byte from the decoded record. Keeping the imported bytes is the only
/// way "import then export of a valid UTF-8 record gives the same bytes".
pub fn write_iso2709_preserving<W: Write>(
    rec: &Record,
    original: &RawRecord,
    mut w: W,
) -> io::Result<Vec<String>> {
    if original_still_valid(rec, original) {
        w.write_all(&original.bytes)?;
        return Ok(Vec::new());
    }
    write_iso2709(rec, w)
}

fn original_still_valid(rec: &Record, original: &RawRecord) -> bool {
    let Ok(parsed) = parse_with(original, ParseOptions::default()) else {
        return false;
    };
    let old = parsed.record;
    let declares_utf8 = old.dialect != Dialect::Marc21 || old.leader_char(9) == Some('a');
    old.encoding == Encoding::Utf8
        && old.warnings.is_empty()
        && declares_utf8
        && old.leader == rec.leader
        && old.fields == rec.fields
        && original.bytes.last() == Some(&RT)
}

/// Serialises one record; returns the bytes and the repairs made.
pub fn to_iso2709(rec: &Record) -> io::Result<(Vec<u8>, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut data = Vec::new();
    let mut directory = Vec::with_capacity(rec.fields.len() * 12 + 1);
    for field in &rec.fields {
        let tag = checked_tag(field.tag())?;
        let start = data.len();
        data.extend(field_data(field, &mut warnings));
        data.push(FT);
        let len = data.len() - start;
        if len > MAX_FIELD || start > MAX_RECORD {
            let msg =
                format!("field {tag} is {len} bytes at offset {start}: too long for ISO 2709");
            return Err(invalid(msg));
        }
        directory.extend(format!("{tag}{len:04}{start:05}").bytes());
    }
    directory.push(FT);
    let base = LEADER_LEN + directory.len();
    let total = base + data.len() + 1;
    if total > MAX_RECORD {
        return Err(invalid(format!(
            "record is {total} bytes, over ISO 2709's 99999"
        )));
    }
    let mut out = leader_bytes(rec, base, total, &mut warnings);
    out.extend(directory);
    out.extend(data);
    out.push(RT);
    Ok((out, warnings))
}

/// Tags are exactly three ASCII letters or digits: the directory has room
/// for nothing else.
fn checked_tag(tag: &str) -> io::Result<&str> {
    if tag.len() == 3 && tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(tag)
    } else {
        Err(invalid(format!(
            "tag {tag:?} is not three ASCII letters or digits"
        )))
    }
}

/// A field's bytes as ISO 2709 stores them, without the field terminator.
pub(crate) fn field_data(field: &Field, warnings: &mut Vec<String>) -> Vec<u8> {
    match field {
        Field::Control { tag, value } => clean(tag, value, false, warnings).into_bytes(),
        Field::Data {
            tag,
            ind1,
            ind2,
            subfields,
        } => {
            let mut out = Vec::new();
            out.push(indicator(tag, *ind1, warnings));
            out.push(indicator(tag, *ind2, warnings));
            for sf in subfields {
                out.push(SD);
                let code = if sf.code.is_ascii() { sf.code } else { '?' };
                if code != sf.code {
                    warnings.push(format!(
                        "field {tag}: subfield code {:?} written as '?'",
                        sf.code
                    ));
                }
                out.push(code as u8);
                out.extend(clean(tag, &sf.value, true, warnings).bytes());
            }
            out
        }
    }
}

/// Indicators are one byte each; a non-ASCII one would shift the data.
fn indicator(tag: &str, ind: char, warnings: &mut Vec<String>) -> u8 {
    if ind.is_ascii() && !ind.is_ascii_control() {
        return ind as u8;
    }
    warnings.push(format!("field {tag}: indicator {ind:?} written as a blank"));
    b' '
}

/// The terminators must not occur inside data: they would cut the field or
/// record short when it is read again. A subfield delimiter is harmless in
/// a control field (LC records have one at the end of 001) and is kept
/// there, but would start a new subfield inside a subfield value.
fn clean(tag: &str, text: &str, in_subfield: bool, warnings: &mut Vec<String>) -> String {
    let structural = |c: char| matches!(c as u32, 0x1D | 0x1E) || (in_subfield && c == '\u{1F}');
    if !text.contains(structural) {
        return text.to_string();
    }
    warnings.push(format!(
        "field {tag}: ISO 2709 delimiter characters in the data removed"
    ));
    text.replace(structural, "")
}

fn leader_bytes(rec: &Record, base: usize, total: usize, warnings: &mut Vec<String>) -> Vec<u8> {
    let mut leader: Vec<u8> = rec
        .leader
        .chars()
        .map(|c| {
            if c.is_ascii() && !c.is_ascii_control() {
                c as u8
            } else {
                b' '
            }
        })
        .collect();
    if leader.len() != LEADER_LEN || !rec.leader.is_ascii() {
        warnings.push(format!(
            "leader {:?} repaired to 24 ASCII characters",
            rec.leader
        ));
        leader.resize(LEADER_LEN, b' ');
    }
    put(&mut leader, 0, &format!("{total:05}"));
    put(&mut leader, 10, "22");
    put(&mut leader, 12, &format!("{base:05}"));
    // 20-22 describe the directory entries written; 23 is "0" in MARC 21
    // but blank in UNIMARC ("450 "), so it is kept when it is either.
    put(&mut leader, 20, "450");
    if !matches!(leader.get(23), Some(b'0' | b' ')) {
        put(&mut leader, 23, "0");
    }
    match rec.dialect {
        Dialect::Marc21 => put(&mut leader, 9, "a"),
        Dialect::Unimarc => check_unimarc_charset(rec, warnings),
        Dialect::Unknown => {}
    }
    leader
}

fn put(leader: &mut [u8], at: usize, text: &str) {
    if let Some(slot) = leader.get_mut(at..at + text.len()) {
        slot.copy_from_slice(text.as_bytes());
    }
}

/// UNIMARC declares the character set in 100$a/26-27; "50" is Unicode.
fn check_unimarc_charset(rec: &Record, warnings: &mut Vec<String>) {
    let declared = rec
        .first_subfield("100", 'a')
        .and_then(|a| a.get(26..28))
        .map(str::to_string);
    if declared.as_deref() != Some("50") {
        warnings.push(format!(
            "UNIMARC 100$a/26-27 is {declared:?} but the record is written in UTF-8 (\"50\")"
        ));
    }
}

/// The dialect of a record built from text (MARCXML, JSON), decided by the
/// same rules as for ISO 2709 by showing the detector the bytes the record
/// would have.
pub(crate) fn detect_dialect(leader: &str, fields: &[Field]) -> Dialect {
    let mut scratch = Vec::new();
    let mut area = Vec::new();
    let mut spans = Vec::with_capacity(fields.len());
    for f in fields {
        // Detection compares tags with 245, 008, 200 and 100 only; any tag
        // that is not three bytes can match none of them.
        let tag = <[u8; 3]>::try_from(f.tag().as_bytes()).unwrap_or([0; 3]);
        let data = field_data(f, &mut scratch);
        spans.push((tag, area.len(), data.len()));
        area.extend_from_slice(&data);
        area.push(FT);
    }
    let views = spans
        .into_iter()
        .map(|(tag, at, len)| FieldView::in_area(tag, &area, at, len))
        .collect();
    let view = RecordView::new(Cow::Borrowed(leader), &area, views, Vec::new());
    let opts = ParseOptions {
        encoding: Some(Encoding::Utf8),
        dialect: None,
    };
    crate::detect::decide(&view, &view.facts(), opts).0
}
