//! MARC 21 <-> RUSMARC on real records: what a library relies on survives
//! the round trip, and the output reads back through kitap-marc.

use kitap_catalog::{to_marc21, to_rusmarc, BibView};
use kitap_marc::{parse, write_iso2709, Dialect, Record, RecordSplitter};

use crate::common::{main_name, records, records_limited};

/// The facts a round trip must keep.
#[derive(Debug, PartialEq)]
struct Key {
    title: Option<String>,
    isbns: Vec<String>,
    year: Option<i32>,
    publisher: Option<String>,
    /// Sorted: a language missing from 041 is moved, not lost.
    languages: Vec<String>,
}

fn key(v: &BibView) -> Key {
    let mut languages = v.languages.clone();
    languages.sort();
    Key {
        title: v.title.clone(),
        isbns: v.isbns.clone(),
        year: v.year,
        publisher: v.publication.iter().find_map(|p| p.publisher.clone()),
        languages,
    }
}

fn surname(v: &BibView) -> String {
    main_name(v)
        .split(',')
        .next()
        .unwrap_or_default()
        .to_string()
}

fn round_trip_marc21(file: &str, limit: usize, exact_names: bool) -> usize {
    let mut checked = 0;
    for r in records_limited(file, limit) {
        let rusmarc = to_rusmarc(&r);
        assert_eq!(rusmarc.record.dialect, Dialect::Unimarc);
        let back = to_marc21(&rusmarc.record);
        let (a, b) = (BibView::from_record(&r), BibView::from_record(&back.record));
        let id = a.control_number.clone().unwrap_or_default();
        assert_eq!(key(&b), key(&a), "{file} {id}");
        assert_eq!(surname(&b), surname(&a), "{file} {id}");
        if exact_names {
            let names = |v: &BibView| v.authors.iter().map(|x| x.name.clone()).collect::<Vec<_>>();
            assert_eq!(names(&b), names(&a), "{file} {id}");
        }
        assert_eq!(b.bbk, a.bbk, "{file} {id}");
        assert_eq!(b.udc, a.udc, "{file} {id}");
        checked += 1;
    }
    checked
}

#[test]
fn marc21_rusmarc_marc21_keeps_the_essentials() {
    assert_eq!(
        round_trip_marc21("kazakh/marc21_utf8.mrc", usize::MAX, true),
        40
    );
    assert_eq!(
        round_trip_marc21("kazakh/marc21_latin2021.mrc", usize::MAX, true),
        10
    );
    assert_eq!(
        round_trip_marc21("kazakh/marc21_noisy.mrc", usize::MAX, true),
        13
    );
    let lc = "marc21/lc_booksall2016_part01_kazakhstan.mrc";
    assert_eq!(round_trip_marc21(lc, usize::MAX, false), 431);
    let lc = "marc21/lc_booksall2016_part01_first50k.mrc";
    assert_eq!(round_trip_marc21(lc, 500, false), 500);
}

#[test]
fn rusmarc_marc21_rusmarc_keeps_the_essentials() {
    for file in [
        "kazakh/rusmarc_utf8.iso",
        "kazakh/rusmarc_kz1048.iso",
        "kazakh/rusmarc_other_editions.iso",
        "unimarc/rusmarc__irbis_TEST1.ISO",
    ] {
        for r in records(file) {
            let marc21 = to_marc21(&r);
            assert_eq!(marc21.record.dialect, Dialect::Marc21);
            let back = to_rusmarc(&marc21.record);
            let (a, m, b) = (
                BibView::from_record(&r),
                BibView::from_record(&marc21.record),
                BibView::from_record(&back.record),
            );
            let id = a.control_number.clone().unwrap_or_default();
            for v in [&m, &b] {
                assert_eq!(key(v), key(&a), "{file} {id}");
                assert_eq!(main_name(v), main_name(&a), "{file} {id}");
                assert_eq!(v.bbk, a.bbk, "{file} {id}");
                assert_eq!(v.subjects, a.subjects, "{file} {id}");
            }
        }
    }
}

#[test]
fn kazakh_record_in_detail() {
    let r = &records("kazakh/marc21_utf8.mrc")[1];
    let c = to_rusmarc(r);
    assert_eq!(c.dropped_tags, ["003"], "UNIMARC has no agency code field");
    let v = BibView::from_record(&c.record);
    assert_eq!(v.title.as_deref(), Some("Абай жолы"));
    assert_eq!(v.part.as_deref(), Some("1-том"));
    assert_eq!(main_name(&v), "Әуезов, Мұхтар");
    assert_eq!(v.isbns, ["9786012745801"]);
    assert_eq!(v.year, Some(2017));
    assert_eq!(v.languages, ["kaz"]);
    assert_eq!(v.bbk, ["84(5Каз)-44"]);
    let author = c.record.fields("700").next().unwrap();
    assert_eq!(author.subfield('a'), Some("Әуезов"));
    assert_eq!(author.subfield('b'), Some("М."));
    assert_eq!(author.subfield('g'), Some("Мұхтар"));
}

#[test]
fn lc_record_lists_what_was_dropped() {
    let lc = records("marc21/lc_booksall2016_part01_kazakhstan.mrc");
    let c = to_rusmarc(&lc[0]);
    assert_eq!(c.dropped_tags, ["003", "010", "042", "043"]);
    let v = BibView::from_record(&c.record);
    assert_eq!(v.title.as_deref(), Some("Aqiqatyn aĭtqanda--"));
    assert_eq!(v.series[0].title, "Kazakhstan--nash obshchiĭ dom");
    assert_eq!(v.subjects.len(), 3);
}

/// RSL exported one record both ways; converting its MARC 21 gives what
/// its own RUSMARC says.
#[test]
fn rsl_marc21_converts_to_what_rsl_wrote_in_rusmarc() {
    let dir = "duplicates/isbn_978-5-901202-50-0";
    let marc21 = &records(&format!("{dir}/RSL_01003120729_marc21.mrc"))[0];
    let theirs = BibView::from_record(&records(&format!("{dir}/RSL_01003120729_rusmarc.iso"))[0]);
    let ours = BibView::from_record(&to_rusmarc(marc21).record);
    assert_eq!(ours.title, theirs.title);
    assert_eq!(ours.other_titles, theirs.other_titles);
    assert_eq!(ours.isbns, theirs.isbns);
    assert_eq!(ours.year, theirs.year);
    assert_eq!(ours.publication, theirs.publication);
    assert_eq!(ours.languages, theirs.languages);
    assert_eq!(ours.udc, theirs.udc);
    assert_eq!(ours.bbk, theirs.bbk);
    assert_eq!(ours.keywords, theirs.keywords);
    assert_eq!(ours.subjects, theirs.subjects);
    let names = |v: &BibView| {
        v.authors
            .iter()
            .map(|a| (a.name.clone(), a.role.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&ours), names(&theirs));
}

/// Converted records serialise and read back as their new dialect.
#[test]
fn converted_records_write_and_read_back() {
    let check = |converted: &Record, dialect: Dialect| {
        let mut bytes = Vec::new();
        write_iso2709(converted, &mut bytes).unwrap();
        let raw = RecordSplitter::new(bytes.as_slice())
            .next()
            .unwrap()
            .unwrap();
        let read = parse(&raw, None).unwrap();
        assert_eq!(read.dialect, dialect);
        assert_eq!(BibView::from_record(&read), BibView::from_record(converted));
    };
    for r in records("kazakh/marc21_utf8.mrc") {
        check(&to_rusmarc(&r).record, Dialect::Unimarc);
    }
    for r in records("kazakh/rusmarc_utf8.iso") {
        check(&to_marc21(&r).record, Dialect::Marc21);
    }
}
