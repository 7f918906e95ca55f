//! MARCXML reading: every XML file of the corpus, and broken documents.

use std::fs::File;
use std::io::BufReader;

use kitap_marc::{Dialect, Encoding, MarcXmlReader, Record, XmlErrorKind, XmlRecordError};

use crate::common::data_dir;

pub fn read_xml(rel: &str) -> Vec<Result<Record, XmlRecordError>> {
    let file = File::open(data_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    MarcXmlReader::new(BufReader::new(file)).collect()
}

fn read_str(xml: &str) -> Vec<Result<Record, XmlRecordError>> {
    MarcXmlReader::new(xml.as_bytes()).collect()
}

/// (file, records read, records refused). Records = SOURCES.md's column,
/// except where noted.
const EXPECTED: &[(&str, usize, usize)] = &[
    ("authority/qa-catalogue__authority.sample.xml", 10, 0),
    ("duplicates/history_xviii/RGB_01002988236_marc21.xml", 1, 0),
    ("duplicates/princeton_alma_marc_records.xml", 122, 0),
    ("duplicates/princeton_alma_marc_records_short.xml", 11, 0),
    ("duplicates/scsb_hl_marc_records_short.xml", 13, 0),
    ("malformed/catmandu__broken.xml", 10, 0),
    // Several roots without <collection>: read them all (pymarc: "?").
    ("malformed/evergreen__serials_marc21.xml", 7, 0),
    // A datafield with tag "30-": refused (SOURCES: 1, pymarc's count).
    ("malformed/file_marc__bad_example.xml", 0, 1),
    ("malformed/file_marc__bad_leader.xml", 1, 0),
    // Empty <record/>: 0 MARC records, reported as one error.
    ("malformed/marc-perl__empty-record-2.xml", 0, 1),
    ("malformed/marc-perl__empty-record.xml", 0, 1),
    ("malformed/marc-perl__invalid.xml", 0, 0),
    ("malformed/marc4j__chabon-bad-subfields-element.xml", 1, 0),
    (
        "malformed/marc4j__chabon-missing-controlfield-tag.xml",
        0,
        1,
    ),
    ("malformed/marc4j__chabon-missing-datafield-tag.xml", 0, 1),
    ("malformed/marc4j__chabon-missing-subfield-code.xml", 0, 1),
    ("malformed/marc4j__chabon-record-type-bad.xml", 2, 0),
    (
        "malformed/marc4j__cruel-cruel-indicatorless-summerland.xml",
        1,
        0,
    ),
    ("malformed/neb-catalog__standburg.xml", 1, 0),
    ("malformed/pymarc__bad_tag.xml", 1, 0),
    ("malformed/qa-catalogue__wrong-marcxml.xml", 3, 0),
    ("malformed/recordmanager__bad.xml", 1, 0),
    ("malformed/recordmanager__marc-broken.xml", 1, 0),
    ("malformed/ruby-marc__messed_up_leader.xml", 1, 0),
    ("malformed/ruby-marc__no-leading-zero.xml", 1, 0),
    ("malformed/ruby-marc__non-numeric.xml", 1, 0),
    // The "bad" second record has a BEL as subfield code: repaired to '?'.
    ("malformed/ruby-marc__three-records-second-bad.xml", 3, 0),
    ("marcxml/catmandu__marc.xml", 1, 0),
    ("marcxml/evergreen__badisbns.xml", 10, 0),
    ("marcxml/evergreen__serials_mfhd.xml", 7, 0),
    ("marcxml/file_marc__bigarchive.xml", 1, 0),
    ("marcxml/file_marc__music.xml", 3, 0),
    ("marcxml/file_marc__namespace.xml", 2, 0),
    ("marcxml/file_marc__onerecord.xml", 1, 0),
    ("marcxml/file_marc__repeated_subfields.xml", 1, 0),
    ("marcxml/file_marc__sandburg.xml", 1, 0),
    ("marcxml/marc-perl__batch-ns.xml", 10, 0),
    ("marcxml/marc-perl__batch.xml", 10, 0),
    ("marcxml/marc-perl__namespace.xml", 1, 0),
    ("marcxml/marc-perl__subfield0.xml", 1, 0),
    ("marcxml/marc4j__KOHA_LFL_6_with_comment.xml", 1, 0),
    ("marcxml/marc4j__OCLC_814388508.xml", 1, 0),
    ("marcxml/marc4j__azdoud.xml", 1, 0),
    ("marcxml/marc4j__chabon-record-type.xml", 2, 0),
    ("marcxml/marc4j__chabon.xml", 2, 0),
    ("marcxml/marc4j__sample1a.xml", 9, 0),
    ("marcxml/marc4j__summerland-record.xml", 1, 0),
    ("marcxml/marc4j__summerlandwith710.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01003345174.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01003501478.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01003546177.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01003579789.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01003678236.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01003840614.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01003846027.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01003847011.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01003847846.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01004660132.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01005452708.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01005452724.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01006643618.xml", 1, 0),
    ("marcxml/neb-catalog_rsl/rsl01009845547.xml", 1, 0),
    ("marcxml/pymarc__batch.xml", 2, 0),
    ("marcxml/pymarc__utf8.xml", 1, 0),
    ("marcxml/qa-catalogue__gzip_test.xml", 10, 0),
    ("marcxml/qa-catalogue__marcxml.xml", 1, 0),
    ("marcxml/recordmanager__alma.xml", 1, 0),
    ("marcxml/recordmanager__genieplus.xml", 1, 0),
    ("marcxml/recordmanager__marc1.xml", 1, 0),
    ("marcxml/recordmanager__marc2.xml", 1, 0),
    ("marcxml/recordmanager__marc3.xml", 1, 0),
    ("marcxml/recordmanager__marc_alt_script.xml", 1, 0),
    ("marcxml/recordmanager__marc_analytical.xml", 1, 0),
    ("marcxml/recordmanager__marc_dewey.xml", 1, 0),
    ("marcxml/recordmanager__marc_geo.xml", 1, 0),
    ("marcxml/recordmanager__marc_links.xml", 1, 0),
    ("marcxml/solrmarc__jones_recs.xml", 2, 0),
    ("marcxml/solrmarc__specTestRecs.xml", 76, 0),
    ("marcxml/solrmarc__specTestRecs_withBOM.xml", 76, 0),
    ("marcxml/traject__test_data.utf8.marc.xml", 30, 0),
    ("marcxml/traject__tiny.xml", 3, 0),
    ("unimarc/marcjs__bib.xml", 6, 0),
    ("unimarc/neb-catalog__NLR005177748.xml", 1, 0),
    // BNCF UNIMARC-slim: 5 <rec> elements (SOURCES' 0 is pymarc's count).
    ("unimarc/unimarcxml__unimarctest.xml", 5, 0),
];

/// Every *.xml file in the folders the table covers, so that a new file
/// cannot be skipped silently.
fn corpus_xml_files() -> Vec<String> {
    let mut out = Vec::new();
    for top in ["marcxml", "unimarc", "authority", "malformed", "duplicates"] {
        let mut dirs = vec![data_dir().join(top)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "xml") {
                    let rel = path.strip_prefix(data_dir()).unwrap();
                    out.push(rel.to_string_lossy().into_owned());
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_xml_file_gives_the_expected_records() {
    let files = corpus_xml_files();
    let listed: Vec<&str> = EXPECTED.iter().map(|(f, _, _)| *f).collect();
    assert_eq!(files, listed, "corpus XML files and the table differ");
    for (file, good, bad) in EXPECTED {
        let results = read_xml(file);
        let ok: Vec<&Record> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        let errors: Vec<&XmlRecordError> =
            results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(
            (ok.len(), errors.len()),
            (*good, *bad),
            "{file}: {errors:?}"
        );
        for rec in ok {
            assert_eq!(rec.encoding, Encoding::Utf8, "{file}");
            assert_eq!(rec.leader.chars().count(), 24, "{file}");
        }
        for e in errors {
            assert!(!e.kind.is_fatal(), "{file}: {e}");
        }
    }
}

fn first(rel: &str) -> Record {
    read_xml(rel).into_iter().next().unwrap().unwrap()
}

#[test]
fn known_titles_and_dialects() {
    let summerland = first("marcxml/marc4j__summerland-record.xml");
    assert_eq!(summerland.first_subfield("245", 'a'), Some("Summerland /"));
    assert_eq!(summerland.dialect, Dialect::Marc21);
    let rsl = first("marcxml/neb-catalog_rsl/rsl01003501478.xml");
    assert_eq!(
        rsl.first_subfield("245", 'a'),
        Some("Александро-Невская лавра. 1713-1913 :")
    );
    let korean = first("marcxml/catmandu__marc.xml");
    assert_eq!(
        korean.first_subfield("245", 'a'),
        Some("TEEM (한국전기전자재료학회)")
    );
    let nlr = first("unimarc/neb-catalog__NLR005177748.xml");
    assert_eq!(nlr.dialect, Dialect::Unimarc);
    assert!(nlr
        .first_subfield("200", 'a')
        .unwrap()
        .starts_with("История XVIII столетия"));
    let bncf = first("unimarc/unimarcxml__unimarctest.xml");
    assert_eq!(bncf.dialect, Dialect::Unimarc);
    // U+0098/U+009C are the UNIMARC non-sorting markers around "Lo ".
    assert_eq!(
        bncf.first_subfield("200", 'a'),
        Some("\u{98}Lo \u{9c}Stato innovatore")
    );
    assert_eq!(bncf.control("001"), Some("CFI0893220"));
}

#[test]
fn unimarc_embedded_fields_become_dollar_1() {
    let bncf = first("unimarc/unimarcxml__unimarctest.xml");
    assert!(bncf.warnings.is_empty(), "{:?}", bncf.warnings);
    let f410 = bncf.fields("410").next().unwrap();
    let codes: String = f410.subfields().iter().map(|s| s.code).collect();
    assert_eq!(codes, "11av");
    assert_eq!(f410.subfields()[0].value, "001RAV1797816");
    assert_eq!(f410.subfields()[1].value, "2001 ");
}

#[test]
fn prefix_bom_and_namespace_variants_read_alike() {
    let plain: Vec<Record> = read_xml("marcxml/marc-perl__batch.xml")
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let prefixed: Vec<Record> = read_xml("marcxml/marc-perl__batch-ns.xml")
        .into_iter()
        .map(Result::unwrap)
        .collect();
    assert_eq!(plain.len(), 10);
    assert_eq!(plain, prefixed);
    let bom = read_xml("marcxml/solrmarc__specTestRecs_withBOM.xml");
    let no_bom = read_xml("marcxml/solrmarc__specTestRecs.xml");
    assert_eq!(bom, no_bom);
}

#[test]
fn repairs_are_warnings() {
    let short = first("malformed/neb-catalog__standburg.xml");
    assert!(short.warnings.iter().any(|w| w.contains("padded")));
    let long = first("malformed/file_marc__bad_leader.xml");
    assert_eq!(long.leader, "00711cam a2200229 45004500"[..24]);
    let bad_tag = first("malformed/pymarc__bad_tag.xml");
    assert_eq!(bad_tag.fields("042").count(), 1);
    let three = read_xml("malformed/ruby-marc__three-records-second-bad.xml");
    let second = three[1].as_ref().unwrap();
    assert!(second.fields("245").next().unwrap().subfield('?').is_some());
}

#[test]
fn a_bad_record_does_not_stop_the_next() {
    let xml = r#"<collection xmlns="http://www.loc.gov/MARC21/slim">
      <record><leader>00000nam a2200000   4500</leader><controlfield tag="001">one</controlfield></record>
      <record><leader>00000nam a2200000   4500</leader><datafield ind1=" " ind2=" "><subfield code="a">x</subfield></datafield></record>
      <record><leader>00000nam a2200000   4500</leader><controlfield tag="001">three</controlfield></record>
    </collection>"#;
    let rs = read_str(xml);
    assert_eq!(rs.len(), 3);
    assert_eq!(rs[0].as_ref().unwrap().control("001"), Some("one"));
    let err = rs[1].as_ref().unwrap_err();
    assert_eq!((err.kind, err.index), (XmlErrorKind::BadContent, 1));
    assert!(err.position > 0 && (err.position as usize) < xml.len());
    assert_eq!(rs[2].as_ref().unwrap().control("001"), Some("three"));
}

#[test]
fn broken_xml_keeps_the_records_before_it() {
    let path = data_dir().join("marcxml/marc-perl__batch.xml");
    let text = std::fs::read_to_string(path).unwrap();
    let cut = text.len() * 6 / 10;
    for broken in [
        text[..cut].to_string(),
        format!("{}<</collection>", &text[..cut]),
    ] {
        let rs = read_str(&broken);
        let (last, before) = rs.split_last().unwrap();
        assert!(
            before.len() >= 4,
            "{} records before the break",
            before.len()
        );
        assert!(before.iter().all(Result::is_ok));
        let err = last.as_ref().unwrap_err();
        assert_eq!(err.kind, XmlErrorKind::Syntax, "{err}");
        assert_eq!(err.index, before.len());
        assert!(err.position as usize <= broken.len());
    }
    let mismatched = "<collection><record><leader>x</leader></rec></collection>";
    let rs = read_str(mismatched);
    assert_eq!(rs.len(), 1);
    assert_eq!(rs[0].as_ref().unwrap_err().kind, XmlErrorKind::Syntax);
}

#[test]
fn foreign_wrappers_are_looked_into() {
    let oai = r#"<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>
      <record><header><identifier>x</identifier></header><metadata>
        <marc:record xmlns:marc="http://www.loc.gov/MARC21/slim">
          <marc:leader>00000nam a2200000   4500</marc:leader>
          <marc:datafield tag="245" ind1="0" ind2="0"><marc:subfield code="a">Абай жолы &amp; Ә</marc:subfield></marc:datafield>
        </marc:record></metadata></record></ListRecords></OAI-PMH>"#;
    let rs = read_str(oai);
    assert_eq!(rs.len(), 1);
    let rec = rs[0].as_ref().unwrap();
    assert_eq!(rec.first_subfield("245", 'a'), Some("Абай жолы & Ә"));
    assert_eq!(rec.dialect, Dialect::Marc21);
}

#[test]
fn text_is_nfc() {
    let xml = "<record><leader>00000nam a2200000   4500</leader>\
        <datafield tag=\"245\" ind1=\"0\" ind2=\"0\"><subfield code=\"a\">A\u{301}bai</subfield></datafield></record>";
    let rec = read_str(xml).remove(0).unwrap();
    assert_eq!(rec.first_subfield("245", 'a'), Some("\u{C1}bai"));
}

/// No input makes the reader panic or loop: every truncation point of a
/// few files (about 150 points each), and byte flips, just give records or
/// errors.
#[test]
fn truncated_and_flipped_xml_never_panics() {
    for rel in [
        "marcxml/marc-perl__batch-ns.xml",
        "unimarc/unimarcxml__unimarctest.xml",
        "unimarc/neb-catalog__NLR005177748.xml",
    ] {
        let bytes = std::fs::read(data_dir().join(rel)).unwrap();
        let whole = MarcXmlReader::new(bytes.as_slice()).count();
        for cut in (0..bytes.len()).step_by(bytes.len() / 150 + 1) {
            let n = MarcXmlReader::new(&bytes[..cut]).count();
            assert!(n <= whole + 1, "{rel} cut at {cut}: {n}");
        }
        let mut flipped = bytes.clone();
        for i in (0..flipped.len()).step_by(251) {
            flipped[i] ^= 0xA5;
        }
        let n = MarcXmlReader::new(flipped.as_slice()).count();
        assert!(n <= whole + 1, "{rel} flipped: {n}");
    }
}
