//! From a [`RecordView`] to a decoded [`Record`]: dialect and encoding
//! detection, control vs data fields, indicators and subfields.

use std::borrow::Cow;

use super::view::{AreaFacts, FieldView, RecordView};
use super::{bytes, parse_view, RawRecord, RecordError, SD};
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
    Ok(raw.view()?.into_record(encoding))
}

/// Parses one raw record with overrides, returning what was detected.
pub fn parse_with(raw: &RawRecord, opts: ParseOptions) -> Result<Parsed, RecordError> {
    Ok(raw.view()?.into_parsed(opts))
}

impl RawRecord {
    /// The record's structure without decoding: [`parse_view`] of its
    /// bytes, with errors carrying the record's index.
    pub fn view(&self) -> Result<RecordView<'_>, RecordError> {
        parse_view(&self.bytes).map_err(|e| e.at(self.index))
    }
}

pub(crate) fn build_parsed(view: RecordView<'_>, opts: ParseOptions) -> Parsed {
    let facts = view.facts();
    let detection = detect::detect(&view, &facts, opts);
    let record = build(view, &facts, detection.encoding, detection.dialect);
    Parsed { record, detection }
}

pub(crate) fn build_record(view: RecordView<'_>, opts: ParseOptions) -> Record {
    let facts = view.facts();
    let (dialect, encoding) = detect::decide(&view, &facts, opts);
    build(view, &facts, encoding, dialect)
}

/// Per-record tallies, turned into one warning each instead of one per field.
#[derive(Default)]
struct Tally {
    undecodable: Vec<[u8; 3]>,
    double_encoded: Vec<[u8; 3]>,
}

impl Tally {
    fn note(&mut self, tag: [u8; 3], text: &Text<'_>) {
        if text.undecodable && !self.undecodable.contains(&tag) {
            self.undecodable.push(tag);
        }
        if text.repaired && !self.double_encoded.contains(&tag) {
            self.double_encoded.push(tag);
        }
    }
}

fn tag_list(tags: &[[u8; 3]]) -> String {
    let names: Vec<&str> = tags
        .iter()
        .map(|t| std::str::from_utf8(t).unwrap_or("???"))
        .collect();
    names.join(", ")
}

fn build<'a>(
    view: RecordView<'a>,
    facts: &AreaFacts<'a>,
    encoding: Encoding,
    dialect: Dialect,
) -> Record {
    let (leader, raw_fields, mut warnings) = view.into_parts();
    let mut tally = Tally::default();
    let mut fields = Vec::with_capacity(raw_fields.len());
    let cx = Context {
        encoding,
        dialect,
        facts: Some(facts),
    };
    for f in raw_fields {
        fields.extend(decode_field(f, &cx, &mut tally, &mut warnings));
    }
    if !tally.undecodable.is_empty() {
        warnings.push(format!(
            "undecodable bytes as {encoding} (replaced by U+FFFD) in field(s) {}",
            tag_list(&tally.undecodable)
        ));
    }
    if !tally.double_encoded.is_empty() {
        warnings.push(format!(
            "double-encoded UTF-8 repaired in field(s) {}",
            tag_list(&tally.double_encoded)
        ));
    }
    Record {
        leader: leader.into_owned(),
        fields,
        encoding,
        dialect,
        warnings,
    }
}

/// Decoded text and what happened on the way.
pub(crate) struct Text<'a> {
    pub text: Cow<'a, str>,
    /// Some bytes were invalid or unmapped (now U+FFFD).
    pub undecodable: bool,
    /// Double-encoded UTF-8 was undone.
    pub repaired: bool,
}

/// Text in NFC; borrowed from `bytes` when they are valid UTF-8 that needs
/// no repair or normalisation (the common case), so the only copies made
/// are the record's own values.
pub(crate) fn decode_text(bytes: &[u8], encoding: Encoding) -> Text<'_> {
    // Every encoding but MARC-8 (escapes, NCRs, dropped controls) maps ASCII
    // to itself, and ASCII needs neither repair nor normalisation.
    if encoding != Encoding::Marc8 && bytes.is_ascii() {
        if let Ok(text) = std::str::from_utf8(bytes) {
            return Text::borrowed(text);
        }
    }
    let (text, undecodable) = encoding.decode_raw(bytes);
    if encoding == Encoding::Utf8 {
        return repair_utf8(text, undecodable);
    }
    Text {
        text: to_nfc(text),
        undecodable,
        repaired: false,
    }
}

impl<'a> Text<'a> {
    fn borrowed(text: &'a str) -> Self {
        Text {
            text: Cow::Borrowed(text),
            undecodable: false,
            repaired: false,
        }
    }
}

fn repair_utf8(mut text: Cow<'_, str>, undecodable: bool) -> Text<'_> {
    // Some records went through the mis-decoding twice (bu_bibs.mrc has
    // "Ã\u{8c}Â\u{81}" for a combining acute), so undo it up to 3 times.
    let mut rounds = 0;
    while let Some(fixed) = mojibake::undo_double_utf8(&text).filter(|_| rounds < 3) {
        text = Cow::Owned(fixed);
        rounds += 1;
    }
    Text {
        text: to_nfc(text),
        undecodable,
        repaired: rounds > 0,
    }
}

/// What decoding a field depends on besides its bytes.
struct Context<'c, 'a> {
    encoding: Encoding,
    dialect: Dialect,
    /// Known when a whole record is decoded, not for one field alone.
    facts: Option<&'c AreaFacts<'a>>,
}

/// [`decode_text`] of the field's bytes after the first `skip`, skipping
/// the UTF-8 validation when the whole data area has been validated.
fn field_text<'a>(f: &FieldView<'a>, skip: usize, cx: &Context<'_, 'a>) -> Text<'a> {
    let bytes = f.data().get(skip..).unwrap_or_default();
    let facts = match cx.facts {
        Some(facts) if cx.encoding != Encoding::Marc8 => facts,
        _ => return decode_text(bytes, cx.encoding),
    };
    match facts.text(f, skip) {
        Some(text) if facts.ascii || text.is_ascii() => Text::borrowed(text),
        Some(text) if cx.encoding == Encoding::Utf8 => repair_utf8(Cow::Borrowed(text), false),
        _ => decode_text(bytes, cx.encoding),
    }
}

/// A tag for warnings, turned into text only when one is written.
struct Tag([u8; 3]);

impl std::fmt::Display for Tag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(std::str::from_utf8(&self.0).unwrap_or("???"))
    }
}

/// Directory tags are ASCII letters and digits, so they need no UTF-8
/// check on the way to a `String` (one per field adds up).
fn tag_string(tag: [u8; 3]) -> String {
    let mut s = String::with_capacity(3);
    for b in tag {
        s.push(char::from(b));
    }
    s
}

pub(crate) fn to_field(f: FieldView<'_>, encoding: Encoding, dialect: Dialect) -> Option<Field> {
    let cx = Context {
        encoding,
        dialect,
        facts: None,
    };
    decode_field(f, &cx, &mut Tally::default(), &mut Vec::new())
}

fn decode_field<'a>(
    f: FieldView<'a>,
    cx: &Context<'_, 'a>,
    tally: &mut Tally,
    warnings: &mut Vec<String>,
) -> Option<Field> {
    let data = f.data();
    if f.is_control(cx.dialect) {
        let text = field_text(&f, 0, cx);
        tally.note(f.tag(), &text);
        return Some(Field::Control {
            tag: tag_string(f.tag()),
            value: text.text.into_owned(),
        });
    }
    let tag = Tag(f.tag());
    if data.len() < 2 {
        warnings.push(format!(
            "field {tag} is shorter than its indicators; dropped"
        ));
        return None;
    }
    let ind1 = indicator(&tag, data.first(), warnings);
    let ind2 = indicator(&tag, data.get(1), warnings);
    let text = field_text(&f, 2, cx);
    tally.note(f.tag(), &text);
    let subfields = subfields(&tag, &text.text, warnings);
    Some(Field::Data {
        tag: tag_string(f.tag()),
        ind1,
        ind2,
        subfields,
    })
}

/// Indicators are one ASCII character each; anything else (a UTF-8 byte, a
/// control character) becomes a blank, the "undefined" indicator.
fn indicator(tag: &Tag, byte: Option<&u8>, warnings: &mut Vec<String>) -> char {
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

/// Delimiter positions remembered on the stack; fields with more
/// subfields than this are split a second time.
const CUTS: usize = 48;

fn subfields(tag: &Tag, text: &str, warnings: &mut Vec<String>) -> Vec<Subfield> {
    // One scan for the delimiters both sizes the vector and cuts the values
    // (an ASCII byte is always a character boundary).
    let bytes = text.as_bytes();
    let mut cuts = [0usize; CUTS];
    let mut n = 0;
    let mut from = 0;
    while let Some(i) = bytes.get(from..).and_then(|b| bytes::find(b, SD)) {
        if let Some(cut) = cuts.get_mut(n) {
            *cut = from + i;
        }
        n += 1;
        from += i + 1;
    }
    let before = text.get(
        ..cuts
            .first()
            .copied()
            .filter(|_| n > 0)
            .unwrap_or(text.len()),
    );
    let before = before.unwrap_or_default();
    if !before.is_empty() && !before.trim().is_empty() {
        warnings.push(format!(
            "field {tag}: text before the first subfield delimiter dropped: {before:?}"
        ));
    }
    let mut out = Vec::with_capacity(n);
    if n > CUTS {
        let pieces = bytes::split(bytes, SD).skip(1);
        let mut start = before.len() + 1;
        for piece in pieces {
            let part = text.get(start..start + piece.len()).unwrap_or_default();
            start += piece.len() + 1;
            push_subfield(&mut out, tag, part, warnings);
        }
        return out;
    }
    let starts = cuts.iter().take(n).map(|&c| c + 1);
    let ends = cuts.iter().take(n).skip(1).copied().chain([text.len()]);
    for (start, end) in starts.zip(ends) {
        let part = text.get(start..end).unwrap_or_default();
        push_subfield(&mut out, tag, part, warnings);
    }
    out
}

/// `part` is one subfield after its delimiter: the code, then the value.
fn push_subfield(out: &mut Vec<Subfield>, tag: &Tag, part: &str, warnings: &mut Vec<String>) {
    let mut chars = part.chars();
    let Some(code) = chars.next() else {
        warnings.push(format!("field {tag}: empty subfield (no code) dropped"));
        return;
    };
    out.push(Subfield {
        code: subfield_code(tag, code, warnings),
        value: chars.as_str().to_string(),
    });
}

/// Codes are ASCII letters or digits; other printable ASCII is kept with a
/// warning (some systems use '!' or '$'), anything else becomes '?'.
fn subfield_code(tag: &Tag, code: char, warnings: &mut Vec<String>) -> char {
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
