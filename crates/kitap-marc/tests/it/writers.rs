//! Writer behaviour on purpose-built records, and MARC-in-JSON input shapes.

use std::io::ErrorKind;

use kitap_marc::json::read_json;
use kitap_marc::write::iso2709::to_iso2709;
use kitap_marc::{
    parse, write_json, write_marcxml, Dialect, Encoding, Field, MarcXmlReader, RawRecord, Record,
    Subfield,
};

fn record(dialect: Dialect, fields: Vec<Field>) -> Record {
    Record {
        leader: "00000nam  2200000   4500".into(),
        fields,
        encoding: Encoding::Utf8,
        dialect,
        warnings: vec![],
    }
}

fn data(tag: &str, subfields: &[(char, &str)]) -> Field {
    Field::Data {
        tag: tag.into(),
        ind1: '1',
        ind2: ' ',
        subfields: subfields
            .iter()
            .map(|(code, value)| Subfield {
                code: *code,
                value: (*value).into(),
            })
            .collect(),
    }
}

fn reparse(bytes: Vec<u8>) -> Record {
    parse(
        &RawRecord {
            index: 0,
            offset: 0,
            bytes,
        },
        None,
    )
    .unwrap()
}

#[test]
fn iso2709_sets_lengths_and_marc21_charset() {
    let rec = record(
        Dialect::Marc21,
        vec![data("245", &[('a', "Қазақ әдебиеті")])],
    );
    let (bytes, warnings) = to_iso2709(&rec).unwrap();
    assert!(warnings.is_empty());
    assert_eq!(&bytes[..5], format!("{:05}", bytes.len()).as_bytes());
    assert_eq!(bytes[9], b'a', "leader/09 says UTF-8");
    assert_eq!(&bytes[12..17], b"00037");
    let back = reparse(bytes);
    assert_eq!(back.fields, rec.fields);
    assert!(back.warnings.is_empty(), "{:?}", back.warnings);
}

#[test]
fn unimarc_keeps_leader_09_and_warns_about_100a() {
    let hundred = data("100", &[('a', "20240115d2024    k  y0rusy8901    ca")]);
    let rec = record(
        Dialect::Unimarc,
        vec![hundred, data("200", &[('a', "Абай")])],
    );
    let (bytes, warnings) = to_iso2709(&rec).unwrap();
    assert_eq!(bytes[9], b' ');
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("\"89\""));
}

#[test]
fn unwritable_records_are_refused_not_mangled() {
    let bad_tag = record(Dialect::Marc21, vec![data("24", &[('a', "x")])]);
    assert_eq!(
        to_iso2709(&bad_tag).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let long = "x".repeat(9_000);
    let fields = (0..12)
        .map(|_| data("500", &[('a', long.as_str())]))
        .collect();
    let huge = record(Dialect::Marc21, fields);
    assert_eq!(
        to_iso2709(&huge).unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
}

#[test]
fn delimiters_inside_subfields_are_removed_with_a_warning() {
    let rec = record(
        Dialect::Marc21,
        vec![data("245", &[('a', "a\u{1F}b\u{1E}c")])],
    );
    let (bytes, warnings) = to_iso2709(&rec).unwrap();
    assert_eq!(warnings.len(), 1);
    assert_eq!(reparse(bytes).first_subfield("245", 'a'), Some("abc"));
}

#[test]
fn marcxml_escapes_and_replaces_control_characters() {
    let rec = record(
        Dialect::Marc21,
        vec![
            data("245", &[('a', "<Tom & \"Jerry\">\r\n"), ('b', "bell\u{7}")]),
            Field::Control {
                tag: "001".into(),
                value: "id\u{1F}".into(),
            },
        ],
    );
    let mut xml = Vec::new();
    let warnings = write_marcxml([&rec], &mut xml).unwrap();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    let back = MarcXmlReader::new(xml.as_slice()).next().unwrap().unwrap();
    assert_eq!(
        back.first_subfield("245", 'a'),
        Some("<Tom & \"Jerry\">\r\n")
    );
    assert_eq!(back.first_subfield("245", 'b'), Some("bell\u{FFFD}"));
    assert_eq!(back.control("001"), Some("id\u{FFFD}"));
}

#[test]
fn json_reads_an_object_an_array_and_json_lines() {
    let rec = record(Dialect::Marc21, vec![data("245", &[('a', "Абай жолы")])]);
    let mut one = Vec::new();
    write_json(&rec, &mut one).unwrap();
    let one = String::from_utf8(one).unwrap();
    assert!(
        one.contains(r#"{"245":{"ind1":"1","ind2":" ","subfields":[{"a":"Абай жолы"}]}}"#),
        "{one}"
    );
    let array = format!("[{one},{one}]");
    let lines = format!("{one}\n{one}\n{one}\n");
    for (input, n) in [(one.clone(), 1), (array, 2), (lines, 3)] {
        let recs = read_json(input.as_bytes());
        assert_eq!(recs.len(), n);
        for r in recs {
            assert_eq!(r.unwrap().fields, rec.fields);
        }
    }
}

#[test]
fn json_bad_records_are_reported_one_by_one() {
    let input = r#"{"leader":"00000nam a2200000   4500","fields":[{"001":"one"}]}
{"leader":"00000nam a2200000   4500","fields":[{"245":{"subfields":[{"a":5}]}}]}
{"leader":"short","fields":[{"001":"three"}]}
{"fields": [ broken"#;
    let recs = read_json(input.as_bytes());
    assert_eq!(recs.len(), 4);
    assert_eq!(recs[0].as_ref().unwrap().control("001"), Some("one"));
    assert!(!recs[1].as_ref().unwrap_err().fatal);
    let third = recs[2].as_ref().unwrap();
    assert_eq!(third.leader.len(), 24);
    assert!(!third.warnings.is_empty());
    let broken = recs[3].as_ref().unwrap_err();
    assert!(broken.fatal && broken.index == 3, "{broken:?}");
}
