//! Conversion to and from the [`marc`] crate's `Record`, so that Rust code
//! built on that crate can take the records Kitap decoded (MARC-8,
//! windows-1251, KZ-1048, UNIMARC...) and hand records back.
//!
//! A `marc::Record` is its ISO 2709 bytes plus a directory, so both
//! directions go through bytes: to `marc` with this crate's UTF-8 writer
//! (fields stay in record order, which `marc::RecordBuilder` would sort by
//! tag), from `marc` with this crate's reader (which validates the directory
//! and detects the encoding; `marc`'s own field accessors panic on a short
//! field or a directory entry past the data, and know only UTF-8).
//!
//! What the bytes cannot carry exactly is refused with a [`ToMarcError`]
//! instead of being repaired, because a silent repair would make the two
//! records differ.

use crate::iso2709::{parse_with, ParseOptions, Parsed, RawRecord, RecordError, FT, RT, SD};
use crate::record::{Field, Record};
use crate::write::iso2709::to_iso2709;

const LEADER_LEN: usize = 24;
const DIRECTORY_ENTRY: usize = 12;
/// ISO 2709's limits, which `marc` enforces as well: 4 digits of field
/// length and 5 of record length (terminators included).
const MAX_FIELD: usize = 9_999;
const MAX_RECORD: usize = 99_999;

/// Why a record cannot become a `marc::Record` unchanged.
#[derive(Debug, thiserror::Error)]
pub enum ToMarcError {
    #[error("leader {leader:?} is not 24 printable ASCII characters")]
    Leader { leader: String },
    #[error("tag {tag:?} is not three ASCII letters or digits")]
    Tag { tag: String },
    #[error("field {tag}: indicator {indicator:?} is not one printable ASCII character")]
    Indicator { tag: String, indicator: char },
    #[error("field {tag}: subfield code {code:?} is not one printable ASCII character")]
    SubfieldCode { tag: String, code: char },
    #[error("field {tag}: the data holds an ISO 2709 delimiter (0x1D, 0x1E or 0x1F)")]
    Delimiter { tag: String },
    #[error("field {tag} is {len} bytes, over ISO 2709's {MAX_FIELD}")]
    FieldTooLong { tag: String, len: usize },
    #[error("record is {len} bytes, over ISO 2709's {MAX_RECORD}")]
    RecordTooLong { len: usize },
    #[error("writing ISO 2709: {0}")]
    Write(#[from] std::io::Error),
    #[error("the marc crate refused the record: {0}")]
    Refused(marc::Error),
}

/// `rec` as a `marc::Record`: UTF-8 ISO 2709, fields in record order.
///
/// The leader is `rec`'s with the lengths and base address recomputed and,
/// for MARC 21, leader/09 set to "a" (the bytes are UTF-8). UNIMARC keeps its
/// leader; note that `marc` reads leader/09 the MARC 21 way, so its
/// `is_unicode()` answers `false` for a UNIMARC record whose text is UTF-8.
pub fn to_marc_crate(rec: &Record) -> Result<marc::Record<'static>, ToMarcError> {
    check_leader(&rec.leader)?;
    let mut total = LEADER_LEN + 1 + 1;
    for field in &rec.fields {
        total += DIRECTORY_ENTRY + checked_field_len(field)?;
    }
    if total > MAX_RECORD {
        return Err(ToMarcError::RecordTooLong { len: total });
    }
    // The checks above leave the writer nothing to repair but UNIMARC's
    // charset note, which is about the declaration, not the data.
    let (bytes, _) = to_iso2709(rec)?;
    let parsed_len = marc::Record::parse(&bytes)
        .map_err(ToMarcError::Refused)?
        .as_ref()
        .len();
    if parsed_len != bytes.len() {
        // `from_vec` asserts this; never reached, since the writer puts
        // the real length in the leader.
        return Err(ToMarcError::RecordTooLong { len: bytes.len() });
    }
    marc::Record::from_vec(bytes).map_err(ToMarcError::Refused)
}

/// A `marc::Record` decoded by this crate: encoding and dialect detected as
/// for any ISO 2709 record (MARC-8 when leader/09 is blank and the bytes
/// are not UTF-8, windows-1251, UNIMARC...) unless `opts` overrides them.
pub fn from_marc_crate(rec: &marc::Record<'_>, opts: ParseOptions) -> Result<Parsed, RecordError> {
    let raw = RawRecord {
        index: 0,
        offset: 0,
        bytes: rec.as_ref().to_vec(),
    };
    parse_with(&raw, opts)
}

impl TryFrom<&Record> for marc::Record<'static> {
    type Error = ToMarcError;

    fn try_from(rec: &Record) -> Result<Self, Self::Error> {
        to_marc_crate(rec)
    }
}

impl TryFrom<&marc::Record<'_>> for Record {
    type Error = RecordError;

    fn try_from(rec: &marc::Record<'_>) -> Result<Self, Self::Error> {
        from_marc_crate(rec, ParseOptions::default()).map(|parsed| parsed.record)
    }
}

fn check_leader(leader: &str) -> Result<(), ToMarcError> {
    if leader.len() == LEADER_LEN && leader.bytes().all(printable) {
        return Ok(());
    }
    Err(ToMarcError::Leader {
        leader: leader.to_owned(),
    })
}

/// The field's length in the record (its terminator included), after
/// checking that its bytes will say exactly what the field says.
fn checked_field_len(field: &Field) -> Result<usize, ToMarcError> {
    let tag = field.tag();
    if !(tag.len() == 3 && tag.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return Err(ToMarcError::Tag {
            tag: tag.to_owned(),
        });
    }
    let len = match field {
        Field::Control { value, .. } => {
            // LC records end 001 with a 0x1F; only the terminators would
            // cut a control field short.
            no_delimiter(tag, value, &[RT, FT])?;
            value.len() + 1
        }
        Field::Data {
            ind1,
            ind2,
            subfields,
            ..
        } => {
            for indicator in [*ind1, *ind2] {
                if !printable_char(indicator) {
                    return Err(ToMarcError::Indicator {
                        tag: tag.to_owned(),
                        indicator,
                    });
                }
            }
            let mut len = 2 + 1;
            for sf in subfields {
                if !printable_char(sf.code) {
                    return Err(ToMarcError::SubfieldCode {
                        tag: tag.to_owned(),
                        code: sf.code,
                    });
                }
                no_delimiter(tag, &sf.value, &[RT, FT, SD])?;
                len += 2 + sf.value.len();
            }
            len
        }
    };
    if len > MAX_FIELD {
        return Err(ToMarcError::FieldTooLong {
            tag: tag.to_owned(),
            len,
        });
    }
    Ok(len)
}

fn no_delimiter(tag: &str, text: &str, delimiters: &[u8]) -> Result<(), ToMarcError> {
    if text.bytes().any(|b| delimiters.contains(&b)) {
        return Err(ToMarcError::Delimiter {
            tag: tag.to_owned(),
        });
    }
    Ok(())
}

fn printable(b: u8) -> bool {
    b.is_ascii() && !b.is_ascii_control()
}

fn printable_char(c: char) -> bool {
    c.is_ascii() && !c.is_ascii_control()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::encoding::Encoding;
    use crate::record::{Dialect, Subfield};

    fn data(tag: &str, ind: (char, char), subfields: &[(char, &str)]) -> Field {
        Field::Data {
            tag: tag.into(),
            ind1: ind.0,
            ind2: ind.1,
            subfields: subfields
                .iter()
                .map(|(code, value)| Subfield {
                    code: *code,
                    value: (*value).into(),
                })
                .collect(),
        }
    }

    fn record(fields: Vec<Field>) -> Record {
        Record {
            leader: "00000nam a2200000 i 4500".into(),
            fields,
            encoding: Encoding::Utf8,
            dialect: Dialect::Marc21,
            warnings: vec![],
        }
    }

    fn sample() -> Record {
        record(vec![
            Field::Control {
                tag: "001".into(),
                value: "kz-1".into(),
            },
            data("245", ('1', '0'), &[('a', "Абай жолы"), ('c', "Әуезов")]),
            data("100", ('1', ' '), &[('a', "Әуезов, Мұхтар")]),
        ])
    }

    #[test]
    fn the_marc_crate_sees_the_fields_in_record_order() {
        let converted = to_marc_crate(&sample()).unwrap();
        let tags: Vec<String> = converted
            .fields()
            .map(|f| String::from_utf8_lossy(f.get_tag().as_ref()).into_owned())
            .collect();
        // 245 before 100, as in the record: not sorted by tag.
        assert_eq!(tags, ["001", "245", "100"]);
        let title = converted.field(b"245");
        let a = title[0].subfield(b'a');
        assert_eq!(a[0].get_data::<[u8]>(), "Абай жолы".as_bytes());
        assert_eq!(title[0].get_indicator(), *b"10");
        assert!(converted.is_unicode().unwrap());
    }

    #[test]
    fn a_record_comes_back_with_the_same_fields() {
        let rec = sample();
        let converted = marc::Record::try_from(&rec).unwrap();
        let back = Record::try_from(&converted).unwrap();
        assert_eq!(back.fields, rec.fields);
        assert_eq!(back.dialect, Dialect::Marc21);
        assert_eq!(back.encoding, Encoding::Utf8);
        assert!(back.warnings.is_empty(), "{:?}", back.warnings);
    }

    fn refused(rec: Record) -> ToMarcError {
        match to_marc_crate(&rec) {
            Ok(_) => panic!("converted: {rec:?}"),
            Err(err) => err,
        }
    }

    #[test]
    fn what_the_bytes_cannot_say_is_refused() {
        let mut short_leader = sample();
        short_leader.leader = "00000nam".into();
        assert!(matches!(refused(short_leader), ToMarcError::Leader { .. }));
        let mut cyrillic_leader = sample();
        cyrillic_leader.leader = "00000nам a2200000 i 450".into();
        assert!(matches!(
            refused(cyrillic_leader),
            ToMarcError::Leader { .. }
        ));

        let tag = refused(record(vec![data("24", (' ', ' '), &[('a', "x")])]));
        assert!(matches!(tag, ToMarcError::Tag { tag } if tag == "24"));
        let ind = refused(record(vec![data("245", ('ә', ' '), &[('a', "x")])]));
        assert!(matches!(
            ind,
            ToMarcError::Indicator {
                indicator: 'ә', ..
            }
        ));
        let code = refused(record(vec![data("245", (' ', ' '), &[('\u{1f}', "x")])]));
        assert!(matches!(code, ToMarcError::SubfieldCode { .. }));
        let delim = refused(record(vec![data("245", (' ', ' '), &[('a', "a\u{1f}b")])]));
        assert!(matches!(delim, ToMarcError::Delimiter { tag } if tag == "245"));
        let control = refused(record(vec![Field::Control {
            tag: "001".into(),
            value: "a\u{1e}b".into(),
        }]));
        assert!(matches!(control, ToMarcError::Delimiter { .. }));
    }

    #[test]
    fn a_control_field_may_end_with_a_subfield_delimiter() {
        let rec = record(vec![Field::Control {
            tag: "001".into(),
            value: "   00001234 \u{1f}".into(),
        }]);
        let back = Record::try_from(&to_marc_crate(&rec).unwrap()).unwrap();
        assert_eq!(back.fields, rec.fields);
    }

    #[test]
    fn iso_2709_limits_are_refused_not_cut() {
        // 9,996 bytes of text + indicators + "$a" + terminator = 10,001.
        let long = "x".repeat(9_996);
        let field = refused(record(vec![data("500", (' ', ' '), &[('a', &long)])]));
        assert!(matches!(
            field,
            ToMarcError::FieldTooLong { len: 10_001, .. }
        ));
        // Exactly at the limit is fine: 9,994 + 5 = 9,999.
        let at_limit = "x".repeat(9_994);
        to_marc_crate(&record(vec![data("500", (' ', ' '), &[('a', &at_limit)])])).unwrap();

        let chunk = "ы".repeat(4_000); // 8,000 bytes
        let fields = (0..13)
            .map(|_| data("505", (' ', ' '), &[('a', &chunk)]))
            .collect();
        let err = refused(record(fields));
        assert!(matches!(err, ToMarcError::RecordTooLong { len } if len > 99_999));
    }

    #[test]
    fn a_wrong_directory_is_read_by_the_terminators_not_a_panic() {
        // A directory entry that points past the data: `marc` parses it,
        // but its field accessors would slice out of bounds.
        let bytes = b"00044nam a2200037 i 4500245009900000\x1e10\x1fax\x1e\x1d".to_vec();
        let rec = marc::Record::parse(&bytes).unwrap();
        let back = Record::try_from(&rec).unwrap();
        assert_eq!(back.first_subfield("245", 'a'), Some("x"));
    }
}
