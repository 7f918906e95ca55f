//! A borrowed, undecoded view of one record: what [`parse_view`] returns.
//!
//! The view holds slices of the record's bytes and decodes nothing until
//! asked, so code that needs only a few fields (deduplication keys, counts,
//! a control number) pays for those alone. [`RecordView::into_record`] gives
//! exactly what [`parse`] gives.
//!
//! [`parse_view`]: super::parse_view
//! [`parse`]: super::parse

use std::borrow::Cow;

use super::decode::{self, ParseOptions, Parsed};
use super::{bytes, SD};
use crate::detect::{self, Detection};
use crate::encoding::Encoding;
use crate::record::{Dialect, Field, Record};

/// Leader, fields and structural repairs of one record, borrowed from its
/// bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordView<'a> {
    leader: Cow<'a, str>,
    /// The data area: every field's bytes are a slice of it.
    area: &'a [u8],
    fields: Vec<FieldView<'a>>,
    warnings: Vec<String>,
}

impl<'a> RecordView<'a> {
    /// Every field in `fields` must be a slice of `area` at its offset.
    pub(crate) fn new(
        leader: Cow<'a, str>,
        area: &'a [u8],
        fields: Vec<FieldView<'a>>,
        warnings: Vec<String>,
    ) -> Self {
        RecordView {
            leader,
            area,
            fields,
            warnings,
        }
    }

    /// The leader as [`Record::leader`] has it: 24 characters, anything
    /// but printable ASCII replaced by a blank.
    pub fn leader(&self) -> &str {
        &self.leader
    }

    /// Fields in directory order, control and data fields alike.
    pub fn fields(&self) -> &[FieldView<'a>] {
        &self.fields
    }

    /// The first field with `tag`.
    pub fn field(&self, tag: [u8; 3]) -> Option<FieldView<'a>> {
        self.fields.iter().copied().find(|f| f.tag == tag)
    }

    /// All fields with `tag`, in record order.
    pub fn fields_with(&self, tag: [u8; 3]) -> impl Iterator<Item = FieldView<'a>> + '_ {
        self.fields.iter().copied().filter(move |f| f.tag == tag)
    }

    /// What the structural step repaired (never fatal); decoding may add
    /// more, see [`Record::warnings`].
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Dialect and encoding, detected as [`parse_with`](super::parse_with)
    /// does.
    pub fn detect(&self, opts: ParseOptions) -> Detection {
        detect::detect(self, &self.facts(), opts)
    }

    /// The decoded record and its detection, as `parse_with` returns them.
    pub fn into_parsed(self, opts: ParseOptions) -> Parsed {
        decode::build_parsed(self, opts)
    }

    /// The decoded record, as [`parse`](super::parse) returns it.
    pub fn into_record(self, encoding: Option<Encoding>) -> Record {
        let opts = ParseOptions {
            encoding,
            dialect: None,
        };
        decode::build_record(self, opts)
    }

    pub(crate) fn into_parts(self) -> (Cow<'a, str>, Vec<FieldView<'a>>, Vec<String>) {
        (self.leader, self.fields, self.warnings)
    }

    /// One pass over the data area instead of one per field and question.
    pub(crate) fn facts(&self) -> AreaFacts<'a> {
        let (ascii, escape) = bytes::ascii_and_escape(self.area);
        AreaFacts {
            text: std::str::from_utf8(self.area).ok(),
            ascii,
            escape,
        }
    }
}

/// What holds for the whole data area holds for every field in it.
pub(crate) struct AreaFacts<'a> {
    /// The data area as text, when it is valid UTF-8.
    text: Option<&'a str>,
    /// No byte of the data area is above 0x7F.
    pub ascii: bool,
    /// The data area holds an ESC (0x1B), which MARC-8 uses.
    pub escape: bool,
}

impl<'a> AreaFacts<'a> {
    /// The field's bytes after the first `skip` as text, when the data area
    /// is valid UTF-8 and the field starts and ends on character
    /// boundaries; then the bytes are valid UTF-8 on their own.
    pub fn text(&self, f: &FieldView<'a>, skip: usize) -> Option<&'a str> {
        let end = f.at.checked_add(f.data.len())?;
        let start = f.at.checked_add(skip).filter(|&s| s <= end)?;
        self.text?.get(start..end)
    }
}

/// One field's tag and bytes (without the field terminator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldView<'a> {
    tag: [u8; 3],
    data: &'a [u8],
    /// Where `data` starts in the record's data area.
    at: usize,
}

impl<'a> FieldView<'a> {
    /// The field of `len` bytes at `at` in the data area `area` (clamped
    /// to the area, so the data is always that slice of it).
    pub(crate) fn in_area(tag: [u8; 3], area: &'a [u8], at: usize, len: usize) -> Self {
        let at = at.min(area.len());
        let data = area.get(at..).unwrap_or_default();
        let data = data.get(..len).unwrap_or(data);
        FieldView { tag, data, at }
    }

    /// `data` must be the slice at `at` of the record's data area.
    pub(crate) fn at(tag: [u8; 3], data: &'a [u8], at: usize) -> Self {
        FieldView { tag, data, at }
    }

    /// The tag: three ASCII letters or digits.
    pub fn tag(&self) -> [u8; 3] {
        self.tag
    }

    /// The tag as text.
    pub fn tag_str(&self) -> &str {
        std::str::from_utf8(&self.tag).unwrap_or("???")
    }

    /// The field's bytes: indicators, delimiters and all, undecoded.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Whether [`parse`](super::parse) makes this a control field in
    /// `dialect`: 001-009 (MARC 21) or 001-005 (UNIMARC), or any field
    /// of more than two bytes without a subfield delimiter.
    pub fn is_control(&self, dialect: Dialect) -> bool {
        let numeric = match self.tag {
            [b'0', b'0', d] if d.is_ascii_digit() => Some(d - b'0'),
            _ => None,
        };
        let by_dialect = match (numeric, dialect) {
            (Some(n), Dialect::Unimarc) => (1..=5).contains(&n),
            (Some(n), _) => (1..=9).contains(&n),
            (None, _) => false,
        };
        by_dialect || (self.data.len() > 2 && bytes::find(self.data, SD).is_none())
    }

    /// The two indicator bytes of a data field, if the field has two bytes.
    pub fn indicators(&self) -> Option<[u8; 2]> {
        match self.data {
            [a, b, ..] => Some([*a, *b]),
            _ => None,
        }
    }

    /// The subfields of a data field, after the indicators. As in
    /// [`parse`](super::parse), text before the first delimiter and empty
    /// subfields (a delimiter without a code) are skipped.
    pub fn subfields(&self) -> Subfields<'a> {
        let content = self.data.get(2..).unwrap_or_default();
        let mut parts = bytes::split(content, SD);
        // The part before the first delimiter is not a subfield.
        parts.next();
        Subfields { parts }
    }

    /// The whole field decoded from `encoding` to NFC text, with the same
    /// repairs as [`parse`](super::parse) (undecodable bytes become U+FFFD,
    /// double-encoded UTF-8 is undone). Borrowed when the bytes are valid
    /// UTF-8 that needs nothing. For a data field the text starts with the
    /// indicators and keeps the delimiters as U+001F; [`FieldView::to_field`]
    /// splits it as `parse` does.
    pub fn decode(&self, encoding: Encoding) -> Cow<'a, str> {
        decode::decode_text(self.data, encoding).text
    }

    /// The [`Field`] that [`parse`](super::parse) makes of this one for a
    /// record in `encoding` and `dialect`; `None` when `parse` drops it
    /// (a data field shorter than its indicators).
    pub fn to_field(&self, encoding: Encoding, dialect: Dialect) -> Option<Field> {
        decode::to_field(*self, encoding, dialect)
    }
}

/// One subfield of a [`FieldView`]: its code byte and undecoded value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubfieldView<'a> {
    code: u8,
    value: &'a [u8],
}

impl<'a> SubfieldView<'a> {
    /// The code byte; [`parse`](super::parse) turns anything but printable
    /// ASCII into '?'.
    pub fn code(&self) -> u8 {
        self.code
    }

    /// The value's bytes, undecoded.
    pub fn value(&self) -> &'a [u8] {
        self.value
    }

    /// The value decoded from `encoding` to NFC text, borrowed when it is
    /// valid UTF-8 that needs nothing.
    ///
    /// This decodes the value on its own. For UTF-8 and the single-byte
    /// encodings that is what [`FieldView::to_field`] gives (on the shared
    /// corpus: every field outside the deliberately broken files), but a
    /// MARC-8 escape sequence in an earlier subfield, double-encoded UTF-8
    /// recognised only across subfields, a combining mark at the start of a
    /// value or a code byte that is not ASCII are handled only by decoding
    /// the whole field.
    pub fn decode(&self, encoding: Encoding) -> Cow<'a, str> {
        decode::decode_text(self.value, encoding).text
    }
}

/// Iterator over the subfields of a [`FieldView`].
#[derive(Clone)]
pub struct Subfields<'a> {
    parts: bytes::Split<'a>,
}

impl<'a> Iterator for Subfields<'a> {
    type Item = SubfieldView<'a>;

    fn next(&mut self) -> Option<SubfieldView<'a>> {
        for part in self.parts.by_ref() {
            if let Some((&code, value)) = part.split_first() {
                return Some(SubfieldView { code, value });
            }
        }
        None
    }
}
