//! The zero-copy view against `parse` on every record of the corpus: same
//! errors, leader, detection and fields, and subfields that decode one by
//! one to what `parse` makes of them.

use std::fs::File;
use std::io::BufReader;

use kitap_marc::{parse, parse_with, Encoding, Field, ParseOptions, RawRecord, RecordSplitter};

use crate::common::data_dir;
use crate::counts::COUNTS;

fn raw_records(rel: &str) -> Vec<RawRecord> {
    let file = File::open(data_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    RecordSplitter::new(BufReader::new(file))
        .filter_map(Result::ok)
        .collect()
}

/// Subfields of a data field decoded one at a time differ from `parse`
/// only where [`kitap_marc::SubfieldView::decode`] says they may.
fn subfields_match(f: &kitap_marc::FieldView<'_>, field: &Field, enc: Encoding) -> bool {
    let ours: Vec<(char, String)> = f
        .subfields()
        .map(|s| (char::from(s.code()), s.decode(enc).into_owned()))
        .collect();
    let theirs: Vec<(char, String)> = field
        .subfields()
        .iter()
        .map(|s| (s.code, s.value.clone()))
        .collect();
    ours == theirs
}

#[test]
fn view_decodes_every_corpus_record_as_parse_does() {
    let (mut records, mut fields, mut subfield_fields) = (0usize, 0usize, 0usize);
    let mut differ = Vec::new();
    for &(rel, _) in COUNTS {
        for raw in raw_records(rel) {
            let parsed = parse_with(&raw, ParseOptions::default());
            let view = raw.view();
            let (parsed, view) = match (parsed, view) {
                (Ok(p), Ok(v)) => (p, v),
                (Err(a), Err(b)) => {
                    assert_eq!(a, b, "{rel}#{}", raw.index);
                    continue;
                }
                (p, v) => panic!(
                    "{rel}#{}: parse {:?} vs view {:?}",
                    raw.index,
                    p.err(),
                    v.err()
                ),
            };
            let at = format!("{rel}#{}", raw.index);
            let rec = &parsed.record;
            let (enc, dialect) = (rec.encoding, rec.dialect);
            assert_eq!(view.leader(), rec.leader, "{at}");
            assert_eq!(
                view.detect(ParseOptions::default()),
                parsed.detection,
                "{at}"
            );
            assert!(rec.warnings.starts_with(view.warnings()), "{at}");
            let decoded: Vec<Field> = view
                .fields()
                .iter()
                .filter_map(|f| f.to_field(enc, dialect))
                .collect();
            assert_eq!(decoded, rec.fields, "{at}");
            // Fields that parse keeps pair up with the view's in order.
            let kept = view
                .fields()
                .iter()
                .filter(|f| f.to_field(enc, dialect).is_some());
            for (f, field) in kept.zip(&rec.fields) {
                fields += 1;
                assert_eq!(f.tag_str(), field.tag(), "{at}");
                match field {
                    Field::Control { value, .. } => {
                        assert!(f.is_control(dialect), "{at}");
                        assert_eq!(f.decode(enc), value.as_str(), "{at} {}", field.tag());
                    }
                    Field::Data { .. } => {
                        subfield_fields += 1;
                        if !subfields_match(f, field, enc) {
                            differ.push((at.clone(), field.tag().to_string(), enc));
                        }
                    }
                }
            }
            assert_eq!(view.into_parsed(ParseOptions::default()), parsed, "{at}");
            records += 1;
        }
    }
    assert!(records > 53_000, "{records} records");
    // Decoding subfield by subfield differs from `parse` only where the
    // MARC-8 escape state spans subfields, or in the deliberately broken
    // files (invalid subfield codes and UTF-8): 16 of about 870,000 fields.
    let unexpected: Vec<_> = differ
        .iter()
        .filter(|(at, _, e)| *e != Encoding::Marc8 && !at.starts_with("malformed/"))
        .collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    assert!(
        differ.len() * 10_000 < subfield_fields,
        "{} of {subfield_fields} data fields ({fields} fields) differ: {differ:?}",
        differ.len()
    );
}

#[test]
fn forced_encodings_give_the_same_record_through_the_view() {
    for rel in [
        "marc21/pymarc__1251.dat",
        "marc8/marc-perl__charset_cyrillic.marc",
        "marc8/evergreen__hebrew.marc",
        "kazakh/rusmarc_kz1048.iso",
        "malformed/catmandu__bu_bibs.mrc",
    ] {
        let bytes = std::fs::read(data_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        for raw in RecordSplitter::new(bytes.as_slice()).filter_map(Result::ok) {
            for enc in Encoding::ALL {
                let view = raw.view().map(|v| v.into_record(Some(enc)));
                assert_eq!(view, parse(&raw, Some(enc)), "{rel}#{} {enc}", raw.index);
            }
        }
    }
}

#[test]
fn view_gives_fields_and_subfields_without_decoding() {
    let raw = &raw_records("marc21/file_marc__sandburg.mrc")[0];
    let view = raw.view().unwrap();
    assert_eq!(view.leader().len(), 24);
    let f245 = view.field(*b"245").unwrap();
    assert_eq!(f245.indicators(), Some(*b"10"));
    let codes: Vec<u8> = f245.subfields().map(|s| s.code()).collect();
    assert!(codes.starts_with(b"a"), "{codes:?}");
    let title = f245.subfields().next().unwrap();
    assert!(!title.value().is_empty());
    assert_eq!(
        title.decode(Encoding::Utf8),
        parse(raw, None)
            .unwrap()
            .first_subfield("245", 'a')
            .unwrap()
    );
    assert_eq!(view.fields_with(*b"245").count(), 1);
    assert!(view
        .field(*b"001")
        .unwrap()
        .is_control(kitap_marc::Dialect::Marc21));
}

#[test]
fn fields_with_many_subfields_and_odd_pieces() {
    // More subfields than parse remembers on the stack, an empty subfield
    // and text before the first delimiter.
    let mut content = b"10junk".to_vec();
    for i in 0..60u8 {
        content.push(0x1F);
        content.push(b'a' + i % 26);
        content.extend_from_slice(format!("value {i}").as_bytes());
    }
    content.push(0x1F);
    let mut rec = b"00000nam a2200000   4500".to_vec();
    rec.extend_from_slice(format!("245{:04}{:05}", content.len() + 1, 0).as_bytes());
    rec.push(0x1E);
    let base = rec.len();
    rec.extend_from_slice(&content);
    rec.extend_from_slice(b"\x1E\x1D");
    rec.splice(12..17, format!("{base:05}").into_bytes());
    rec.splice(0..5, format!("{:05}", rec.len()).into_bytes());
    let raw = RawRecord {
        index: 0,
        offset: 0,
        bytes: rec,
    };
    let record = parse(&raw, None).unwrap();
    let f245 = &record.fields[0];
    assert_eq!(f245.subfields().len(), 60);
    assert_eq!(f245.subfields()[59].value, "value 59");
    assert!(
        record.warnings.iter().any(|w| w.contains("\"junk\"")),
        "{:?}",
        record.warnings
    );
    assert!(
        record.warnings.iter().any(|w| w.contains("empty subfield")),
        "{:?}",
        record.warnings
    );
    let view = raw.view().unwrap();
    assert!(subfields_match(&view.fields()[0], f245, Encoding::Utf8));
}
