//! Record counts of every ISO 2709 file, from the "Records" column of
//! /work/shared/data/marc/SOURCES.md (splits on 0x1D; an unterminated tail
//! that can hold a leader counts as a record, a shorter one is junk).

use crate::common::{data_dir, read_file};

/// (path under the data dir, records per SOURCES.md)
pub const COUNTS: &[(&str, usize)] = &[
    ("marc21/catmandu__oschrift_me.mrc", 1),
    ("marc21/catmandu__utf8.mrc", 1),
    ("marc21/evergreen__FSL.marc", 52),
    ("marc21/evergreen__RDA_records.mrc", 10),
    ("marc21/evergreen__map_data.mrc", 3),
    ("marc21/evergreen__nepali.marc", 96),
    ("marc21/evergreen__sample_acq_order.mrc", 10),
    ("marc21/file_marc__sandburg.mrc", 1),
    ("marc21/lc_booksall2016_part01_cyrillic.mrc", 49),
    ("marc21/lc_booksall2016_part01_first50k.mrc", 50000),
    ("marc21/lc_booksall2016_part01_kazakhstan.mrc", 431),
    ("marc21/marc-perl__camel.usmarc", 10),
    ("marc21/marc-perl__mij_test.mrc", 9),
    ("marc21/marc-perl__title_proper.usmarc", 5),
    ("marc21/marc4j__065001035.mrc", 40),
    ("marc21/marc4j__54-56-008008027.mrc", 5),
    ("marc21/marc4j__brkrtest_UTF8.mrc", 8),
    ("marc21/marc4j__chabon-loc.mrc", 2),
    ("marc21/marc4j__chabon.mrc", 2),
    ("marc21/marc4j__dp_004015001.mrc", 3),
    ("marc21/marc4j__field700_4_test.mrc", 2),
    ("marc21/marc4j__getty_test_1.mrc", 1),
    ("marc21/marc4j__kan1222221.mrc", 1),
    ("marc21/marc4j__loongboonmee.mrc", 2),
    (
        "marc21/marc4j__oclc_63111280_export_as_UTF8_from_connexion.mrc",
        1,
    ),
    ("marc21/marc4j__pride-and-prejudice-fixed.mrc", 383),
    ("marc21/marc4j__rec1.mrc", 1),
    ("marc21/marc4j__summerland.mrc", 1),
    ("marc21/pymarc__1251.dat", 6),
    ("marc21/pymarc__alphatag.dat", 1),
    ("marc21/pymarc__diacritic.dat", 1),
    ("marc21/pymarc__marc.dat", 20),
    ("marc21/pymarc__marc8-to-unicode.dat", 1),
    ("marc21/pymarc__multi_isbn.dat", 1),
    ("marc21/pymarc__regression45.dat", 12),
    ("marc21/pymarc__utf8_with_leader_flag.dat", 1),
    ("marc21/pymarc__utf8_without_leader_flag.dat", 1),
    ("marc21/qa-catalogue__0001-01.mrc", 5),
    ("marc21/qa-catalogue__BooksAll.2014.part01-0001.mrc", 100),
    ("marc21/qa-catalogue__short.firenze.1977.mrc", 10),
    ("marc21/rust-marc__3records.mrc", 3),
    ("marc21/solrmarc__datos-20161010-ajob.mrc", 1),
    ("marc21/solrmarc__fields_700_4_samp.mrc", 10),
    ("marc21/solrmarc__greek_non-filing_tests.mrc", 1),
    ("marc21/solrmarc__hathi_000031056.mrc", 1),
    ("marc21/solrmarc__record_100696348.mrc", 1),
    ("marc21/solrmarc__u6909669.mrc", 1),
    ("marc21/solrmarc__u8738.mrc", 1),
    ("marc21/traject__880_with_no_6.utf8.marc", 1),
    ("marc21/traject__hebrew880s.marc", 1),
    ("marc21/traject__index_bench_batch.dat", 31),
    ("marc21/traject__iso639-3_lang.marc", 1),
    ("marc21/traject__manuscript_online_thesis.marc", 1),
    ("marc21/traject__musical_cage.marc", 1),
    ("marc21/traject__nature.marc", 1),
    ("marc21/traject__packed_041a_lang.marc", 1),
    ("marc21/traject__test_data.utf8.mrc", 30),
    ("marc21/yaz__marccol1.u8.marc", 19),
    ("marc21/yaz__marccol2.u8.marc", 1),
    ("marc21/yaz__marccol3.u8.marc", 1),
    ("marc21/yaz__marccol4.u8.marc", 1),
    ("marc21/yaz__marccol5.u8.marc", 11),
    ("marc21/neb-catalog_rsl/003629471_marc21.mrc", 2),
    ("marc21/neb-catalog_rsl/004095450_marc21.mrc", 1),
    ("marc21/neb-catalog_rsl/005491281_marc21.mrc", 1),
    ("marc21/neb-catalog_rsl/009913303_marc21.mrc", 1),
    ("marc21/neb-catalog_rsl/1_marc21.mrc", 1),
    ("marc21/neb-catalog_rsl/2_marc21.mrc", 1),
    ("marc21/neb-catalog_rsl/3_marc21.mrc", 1),
    ("marc21/neb-catalog_rsl/4_marc21.mrc", 1),
    ("marc21/neb-catalog_rsl/6_marc21.mrc", 1),
    ("marc21/neb-catalog_rsl/nokey.mrc", 1),
    ("marc21/neb-catalog_rsl/test.mrc", 1),
    ("unimarc/catmandu__dollar_subfields.mrc", 2),
    ("unimarc/marcjs__bib-one.mrc", 1),
    ("unimarc/marcjs__bib.mrc", 6),
    ("unimarc/neb-catalog__7_rusmarc.mrc", 1),
    (
        "unimarc/neb-catalog__RuSpRNB-009670326-rusmarc-language.mrc",
        1,
    ),
    ("unimarc/neb-catalog__rusmarc2marc-rusmarc.mrc", 1),
    ("unimarc/pymarc__testunimarc.dat", 1),
    ("unimarc/qa-catalogue__serial.bnr.1993.mrc", 11),
    ("unimarc/qa-catalogue__short.bnr.1993.mrc", 10),
    ("unimarc/repox__bibliopac_records.iso", 100),
    ("unimarc/ruby-marc__cp866_multirecord.marc", 2),
    ("unimarc/ruby-marc__cp866_unimarc.marc", 1),
    ("unimarc/rusmarc__irbis_TEST1.ISO", 81),
    ("unimarc/rusmarc__irbis_TEST1_nonsequential.ISO", 81),
    ("unimarc/rusmarc__irbis_TEST2.ISO", 1),
    ("unimarc/rusmarc__ur.iso", 1),
    ("unimarc/unimarcxml__bncf_data.mrc", 5),
    ("kazakh/marc21_latin2021.mrc", 10),
    ("kazakh/marc21_noisy.mrc", 13),
    ("kazakh/marc21_utf8.mrc", 40),
    ("kazakh/rusmarc_cp1251_ru_keyboard.iso", 10),
    ("kazakh/rusmarc_kz1048.iso", 13),
    ("kazakh/rusmarc_other_editions.iso", 8),
    ("kazakh/rusmarc_utf8.iso", 40),
    ("authority/dnb__DUMP.mrc", 8),
    ("authority/dnb__ada.mrc", 1),
    ("authority/dnb__minna.mrc", 1),
    ("authority/evergreen__auth-1066.mrc", 1066),
    ("authority/evergreen__auth-subset100.mrc", 17),
    ("authority/evergreen__authority-record.mrc", 1),
    ("malformed/catmandu__bu_bibs.mrc", 100),
    ("malformed/dnb__invalid.mrc", 1),
    ("malformed/file_marc__bad_example.mrc", 1),
    ("malformed/file_marc__bad_example2.mrc", 1),
    ("malformed/file_marc__wronglen.mrc", 1),
    ("malformed/file_marc__xmlescape.mrc", 1),
    ("malformed/marc-perl__baddir.usmarc", 1),
    ("malformed/marc-perl__badind.usmarc", 1),
    ("malformed/marc-perl__badldr.usmarc", 7),
    ("malformed/marc-perl__cameleof.usmarc", 10),
    ("malformed/marc-perl__filler.usmarc", 3),
    ("malformed/marc-perl__sample1eof.usmarc", 1),
    ("malformed/marc4j__008008027.mrc", 19),
    ("malformed/marc4j__185258.mrc", 1),
    ("malformed/marc4j__bad-characters-in-various-fields.mrc", 1),
    ("malformed/marc4j__bad_hathi_records.mrc", 5),
    ("malformed/marc4j__bad_leaders_10_11.mrc", 1),
    ("malformed/marc4j__bad_oversize_field_bad_directory.mrc", 5),
    ("malformed/marc4j__bad_too_long_plus_2.mrc", 3),
    ("malformed/marc4j__chinese_mangled_multibyte.mrc", 4),
    ("malformed/marc4j__datos-20161010-slice.mrc", 1),
    ("malformed/marc4j__error.mrc", 1),
    ("malformed/marc4j__greekmissingcharsetchange.mrc", 3),
    ("malformed/marc4j__incomplete_esc_seq.mrc", 1),
    ("malformed/marc4j__not_unimarc_errors_3.mrc", 3),
    (
        "malformed/marc4j__pride-and-prejudice-with-many-errors.mrc",
        383,
    ),
    ("malformed/marc4j__sample1.mrc", 8),
    ("malformed/marc4j__unordered-directory-entries.mrc", 1),
    ("malformed/neb-catalog__1251-split.mrc", 6),
    ("malformed/neb-catalog__rsl_10_broken.mrc", 1),
    ("malformed/pymarc__bad_eacc_encoding.dat", 1),
    ("malformed/pymarc__bad_indicator.dat", 1),
    ("malformed/pymarc__bad_marc8_escape.dat", 1),
    ("malformed/pymarc__bad_records.mrc", 9),
    ("malformed/pymarc__bad_subfield_code.dat", 1),
    ("malformed/pymarc__utf8_errors.dat", 1),
    ("malformed/pymarc__utf8_invalid.mrc", 1),
    ("malformed/qa-catalogue__000-line-seperated.mrc", 20),
    ("malformed/ruby-marc__marc8_accented_chars.marc", 1),
    ("malformed/ruby-marc__marc_with_bad_utf8.utf8.marc", 1),
    ("malformed/ruby-marc__non-numeric.dat", 1),
    ("malformed/ruby-marc__random_tag_order.dat", 1),
    ("malformed/ruby-marc__random_tag_order2.dat", 1),
    ("malformed/ruby-marc__utf8_with_bad_bytes.marc", 1),
    ("malformed/solrmarc__errorRecs.mrc", 5),
    ("malformed/traject__bad_subfield_code.marc", 1),
    ("malformed/traject__bad_utf_byte.utf8.marc", 1),
    ("malformed/traject__emptyish_record.marc", 1),
    ("malformed/yaz__marc0.marc", 1),
    ("malformed/yaz__marc4.marc", 1),
    ("malformed/yaz__marc5.marc", 1),
];

#[test]
fn every_iso2709_file_has_the_documented_record_count() {
    let mut wrong = Vec::new();
    for &(path, expected) in COUNTS {
        let results = read_file(path);
        if results.len() != expected {
            wrong.push(format!(
                "{path}: {} records, SOURCES.md says {expected}",
                results.len()
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

#[test]
fn the_count_table_lists_every_iso2709_file() {
    let exts = ["mrc", "iso", "ISO", "marc", "dat", "usmarc"];
    let mut missing = Vec::new();
    for dir in ["marc21", "unimarc", "kazakh", "authority", "malformed"] {
        let mut stack = vec![data_dir().join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let p = entry.unwrap().path();
                if p.is_dir() {
                    stack.push(p);
                    continue;
                }
                let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
                let rel = p
                    .strip_prefix(data_dir())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if exts.contains(&ext) && !COUNTS.iter().any(|(c, _)| *c == rel) {
                    missing.push(rel);
                }
            }
        }
    }
    assert!(missing.is_empty(), "not in COUNTS: {missing:?}");
}
