//! Which records of the deliberately broken files fail, and that their
//! neighbours still parse.

use kitap_marc::iso2709::ErrorKind;
use kitap_marc::Encoding;

use crate::common::read_file;

/// The error kinds per record index (`None` = parsed).
fn outcome(rel: &str) -> Vec<Option<ErrorKind>> {
    read_file(rel)
        .into_iter()
        .map(|r| r.err().map(|e| e.kind))
        .collect()
}

#[test]
fn only_the_documented_records_fail_in_the_whole_corpus() {
    let mut failures = Vec::new();
    for &(rel, _) in crate::counts::COUNTS {
        for (i, r) in read_file(rel).iter().enumerate() {
            if let Err(e) = r {
                failures.push(format!("{rel}#{i}:{}", e.kind));
            }
        }
    }
    let expected = [
        "malformed/file_marc__bad_example.mrc#0:bad_directory",
        "malformed/marc-perl__baddir.usmarc#0:bad_directory",
        "malformed/marc-perl__badldr.usmarc#2:empty",
        "malformed/marc4j__bad_hathi_records.mrc#3:oversized",
        "malformed/pymarc__bad_indicator.dat#0:bad_directory",
        "malformed/pymarc__bad_records.mrc#5:bad_base_address",
        "malformed/yaz__marc4.marc#0:bad_base_address",
    ];
    assert_eq!(failures, expected);
}

#[test]
fn bad_records_fail_alone() {
    use ErrorKind::*;
    let bad = outcome("malformed/pymarc__bad_records.mrc");
    let mut expected = vec![None; 9];
    expected[5] = Some(BadBaseAddress);
    assert_eq!(bad, expected);
    // Two terminators in a row: an empty record between good ones.
    let ldr = outcome("malformed/marc-perl__badldr.usmarc");
    assert_eq!(ldr, [None, None, Some(Empty), None, None, None, None]);
    // A 1.1 MB record over the 1 MiB cap; the one after it is read.
    let hathi = outcome("malformed/marc4j__bad_hathi_records.mrc");
    assert_eq!(hathi, [None, None, None, Some(Oversized), None]);
}

#[test]
fn repairs_are_reported_as_warnings() {
    let recs = read_file("malformed/pymarc__bad_records.mrc");
    let last = recs[8].as_ref().unwrap();
    assert!(last
        .record
        .warnings
        .iter()
        .any(|w| w.contains("no terminator")));
    let dnb = read_file("malformed/dnb__invalid.mrc");
    let w = &dnb[0].as_ref().unwrap().record.warnings;
    assert!(
        w.iter()
            .any(|w| w.contains("leader says 1686 bytes, record has 1687")),
        "{w:?}"
    );
}

#[test]
fn bad_indicators_become_blanks() {
    for (rel, tag) in [
        ("malformed/marc4j__185258.mrc", "082"),
        ("malformed/yaz__marc0.marc", "092"),
    ] {
        let recs = read_file(rel);
        let rec = &recs[0].as_ref().unwrap().record;
        let field = rec.fields(tag).next().unwrap();
        assert!(
            matches!(field, kitap_marc::Field::Data { ind1: ' ', .. }),
            "{rel}: {field:?}"
        );
        assert!(
            rec.warnings.iter().any(|w| w.contains("indicator byte")),
            "{rel}"
        );
    }
}

#[test]
fn truncated_last_record_is_counted_and_its_neighbours_parse() {
    let recs = read_file("malformed/marc4j__008008027.mrc");
    assert_eq!(recs.len(), 19);
    assert!(recs[..18].iter().all(Result::is_ok));
    let last = recs[18].as_ref().unwrap();
    assert!(last
        .record
        .warnings
        .iter()
        .any(|w| w.contains("no terminator")));
}

#[test]
fn junk_between_records_is_skipped() {
    for (rel, n) in [
        ("malformed/marc-perl__filler.usmarc", 3),
        ("malformed/marc-perl__cameleof.usmarc", 10),
        ("malformed/marc-perl__sample1eof.usmarc", 1),
        ("malformed/qa-catalogue__000-line-seperated.mrc", 20),
    ] {
        let recs = read_file(rel);
        assert_eq!(recs.len(), n, "{rel}");
        assert!(recs.iter().all(Result::is_ok), "{rel}");
    }
}

#[test]
fn marc8_with_a_lying_leader_is_still_marc8() {
    let recs = read_file("malformed/ruby-marc__marc8_accented_chars.marc");
    let p = recs[0].as_ref().unwrap();
    assert_eq!(
        p.record.encoding,
        Encoding::Marc8,
        "{}",
        p.detection.encoding_reason
    );
}
