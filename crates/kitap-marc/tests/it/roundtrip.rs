//! Round trips: ISO 2709 -> writer -> same bytes; ISO -> MARCXML / JSON ->
//! reader -> equal record.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use kitap_marc::json::read_json;
use kitap_marc::write::iso2709::to_iso2709;
use kitap_marc::write::write_iso2709_preserving;
use kitap_marc::{
    parse_with, write_json, write_marcxml, Dialect, Encoding, MarcXmlReader, ParseOptions,
    RawRecord, Record, RecordSplitter,
};
use unicode_normalization::UnicodeNormalization;

use crate::common::data_dir;

/// Every ISO 2709 file under marc21/ (including sub-folders), relative.
fn marc21_files() -> Vec<String> {
    let mut out = Vec::new();
    let mut dirs = vec![data_dir().join("marc21")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else {
                out.push(rel(&path));
            }
        }
    }
    out.sort();
    out
}

fn rel(path: &Path) -> String {
    path.strip_prefix(data_dir())
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The raw records of a file that are valid UTF-8 MARC 21: read without a
/// warning, decoded as UTF-8, and declaring it (leader/09 'a').
fn valid_utf8_records(rel: &str) -> Vec<(RawRecord, Record)> {
    let file = File::open(data_dir().join(rel)).unwrap();
    RecordSplitter::new(BufReader::new(file))
        .filter_map(Result::ok)
        .filter_map(|raw| {
            let parsed = parse_with(&raw, ParseOptions::default()).ok()?;
            let rec = parsed.record;
            let valid = rec.warnings.is_empty()
                && rec.encoding == Encoding::Utf8
                && rec.dialect == Dialect::Marc21
                && rec.leader_char(9) == Some('a');
            valid.then_some((raw, rec))
        })
        .collect()
}

/// The valid records for the MARCXML and JSON round trips: all of them,
/// except every 10th of the 50,000-record benchmark file (quick-xml and
/// serde_json are not optimised in test builds, and 50,000 would take a
/// minute on a shared machine; the ISO 2709 test still reads them all).
fn text_round_trip_records(rel: &str) -> Vec<Record> {
    let all = valid_utf8_records(rel);
    let step = if all.len() > 5_000 { 10 } else { 1 };
    all.into_iter().step_by(step).map(|(_, r)| r).collect()
}

fn same_content(a: &Record, b: &Record) -> bool {
    a.leader == b.leader && a.fields == b.fields && a.dialect == b.dialect
}

fn is_nfc(raw: &RawRecord) -> bool {
    let text = String::from_utf8_lossy(&raw.bytes);
    text.nfc().collect::<String>() == text
}

/// The hard requirement: a valid UTF-8 record comes out as the same bytes.
/// From the decoded record alone that holds whenever the source text is
/// NFC; a source with decomposed diacritics (LC's distribution) can only be
/// given back by keeping its bytes, which `write_iso2709_preserving` does.
#[test]
fn iso2709_round_trip_gives_the_same_bytes() {
    let (mut total, mut exact, mut decomposed) = (0, 0, 0);
    let mut failures = Vec::new();
    for file in marc21_files() {
        for (raw, rec) in valid_utf8_records(&file) {
            total += 1;
            let (bytes, warnings) = to_iso2709(&rec).unwrap();
            assert!(warnings.is_empty(), "{file} #{}: {warnings:?}", raw.index);
            if bytes == raw.bytes {
                exact += 1;
            } else if is_nfc(&raw) {
                failures.push(format!("{file} #{}", raw.index));
            } else {
                decomposed += 1;
                let again = parse_with(
                    &RawRecord {
                        bytes,
                        ..raw.clone()
                    },
                    ParseOptions::default(),
                );
                // The leader's lengths change with the text, so fields only.
                assert_eq!(
                    again.unwrap().record.fields,
                    rec.fields,
                    "{file} #{}",
                    raw.index
                );
            }
            let mut kept = Vec::new();
            assert!(write_iso2709_preserving(&rec, &raw, &mut kept)
                .unwrap()
                .is_empty());
            assert!(
                kept == raw.bytes,
                "{file} #{}: original bytes not kept",
                raw.index
            );
        }
    }
    println!("ISO 2709: {total} valid UTF-8 records, {exact} byte-exact from the record, {decomposed} not NFC in the source (byte-exact only by keeping the original)");
    assert!(
        failures.is_empty(),
        "NFC records not byte-exact: {failures:?}"
    );
    assert!(total > 51_000 && exact > 47_000, "{total} {exact}");
}

#[test]
fn kazakh_utf8_files_round_trip_byte_exact() {
    for file in [
        "kazakh/marc21_utf8.mrc",
        "kazakh/rusmarc_utf8.iso",
        "kazakh/marc21_latin2021.mrc",
    ] {
        let f = File::open(data_dir().join(file)).unwrap();
        let mut n = 0;
        for raw in RecordSplitter::new(BufReader::new(f)) {
            let raw = raw.unwrap();
            let rec = parse_with(&raw, ParseOptions::default()).unwrap().record;
            assert!(
                rec.warnings.is_empty(),
                "{file} #{}: {:?}",
                raw.index,
                rec.warnings
            );
            let (bytes, warnings) = to_iso2709(&rec).unwrap();
            assert!(warnings.is_empty(), "{file} #{}: {warnings:?}", raw.index);
            assert!(bytes == raw.bytes, "{file} #{} differs", raw.index);
            n += 1;
        }
        assert!(n >= 10, "{file}: {n}");
    }
}

/// Every valid record of every marc21/ file, written as one MARCXML
/// collection per file and read back, gives the same leader and fields.
/// Records the writer had to repair (XML 1.0 cannot carry C0 controls) are
/// counted, and must be rare.
#[test]
fn marcxml_round_trip_gives_equal_records() {
    let mut repaired = 0;
    for file in marc21_files() {
        let recs = text_round_trip_records(&file);
        let mut xml = Vec::new();
        let warnings = write_marcxml(&recs, &mut xml).unwrap();
        repaired += warnings.len();
        let back: Vec<Record> = MarcXmlReader::new(xml.as_slice())
            .map(Result::unwrap)
            .collect();
        assert_eq!(back.len(), recs.len(), "{file}");
        let mut differ = 0;
        for (a, b) in recs.iter().zip(&back) {
            assert_eq!(b.encoding, Encoding::Utf8);
            if !same_content(a, b) {
                differ += 1;
            }
        }
        assert!(
            differ <= warnings.len(),
            "{file}: {differ} records differ, {warnings:?}"
        );
    }
    println!("MARCXML: {repaired} writer repairs");
    assert!(repaired <= 1, "{repaired}");
}

#[test]
fn json_round_trip_gives_equal_records() {
    for file in marc21_files() {
        let recs = text_round_trip_records(&file);
        let mut json = Vec::new();
        for rec in &recs {
            write_json(rec, &mut json).unwrap();
            json.push(b'\n');
        }
        let back: Vec<Record> = read_json(json.as_slice())
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(back.len(), recs.len(), "{file}");
        for (a, b) in recs.iter().zip(&back) {
            assert!(same_content(a, b), "{file}: {a:?} != {b:?}");
        }
    }
}

/// SOURCES.md lists parallel files: the ISO 2709 and MARCXML serialisations
/// of the same records must give the same fields.
#[test]
fn parallel_iso_and_xml_files_agree() {
    for (iso, xml) in [
        (
            "marc21/traject__test_data.utf8.mrc",
            "marcxml/traject__test_data.utf8.marc.xml",
        ),
        ("marc21/marc4j__chabon.mrc", "marcxml/marc4j__chabon.xml"),
        (
            "marc21/file_marc__sandburg.mrc",
            "marcxml/file_marc__sandburg.xml",
        ),
    ] {
        let from_iso: Vec<Record> = crate::common::read_ok(iso)
            .into_iter()
            .map(|p| p.record)
            .collect();
        let from_xml: Vec<Record> = crate::xml_read::read_xml(xml)
            .into_iter()
            .map(Result::unwrap)
            .collect();
        assert_eq!(from_iso.len(), from_xml.len(), "{iso}");
        for (a, b) in from_iso.iter().zip(&from_xml) {
            assert_eq!(a.fields, b.fields, "{iso} vs {xml}");
        }
    }
}
