use std::collections::BTreeSet;

use kitap_catalog::view::BibView;
use kitap_marc::{Dialect, RecordSplitter};

use super::*;

const COUNT: u64 = 600;

fn read_back(path: &Path) -> Vec<kitap_marc::Record> {
    let file = std::fs::File::open(path).unwrap();
    RecordSplitter::new(file)
        .map(|raw| kitap_marc::parse(&raw.unwrap(), None).unwrap())
        .collect()
}

#[test]
fn the_same_records_in_every_run() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.mrc"), dir.path().join("b.mrc"));
    let first = write_catalogue(&a, COUNT, Copies::With).unwrap();
    let second = write_catalogue(&b, COUNT, Copies::With).unwrap();
    assert_eq!(first, second);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    // Record n does not depend on how many come before it.
    assert_eq!(Spec::generate(417).title, Spec::generate(417).title);
    assert_ne!(Spec::generate(417).title, Spec::generate(418).title);
}

#[test]
fn records_parse_back_with_their_isbn_title_and_copies() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.mrc");
    let written = write_catalogue(&path, COUNT, Copies::With).unwrap();
    let records = read_back(&path);
    assert_eq!(records.len() as u64, COUNT);
    let mut copies = 0;
    for (n, record) in records.iter().enumerate() {
        let s = Spec::generate(n as u64);
        let view = BibView::from_record(record);
        assert_eq!(view.isbns, vec![isbn13(n as u64)], "record {n}");
        let title = view.title.unwrap_or_default();
        assert!(title.starts_with(&s.title), "{title:?} / {:?}", s.title);
        let dialect = if s.rusmarc {
            Dialect::Unimarc
        } else {
            Dialect::Marc21
        };
        assert_eq!(record.dialect, dialect, "record {n}");
        let errors: Vec<_> = kitap_catalog::validate(record)
            .into_iter()
            .filter(|i| i.severity == kitap_catalog::Severity::Error)
            .collect();
        assert!(errors.is_empty(), "record {n}: {errors:?}");
        copies += record.fields.iter().filter(|f| f.tag() == "910").count() as u64;
    }
    assert_eq!(copies, written.copies);
    assert!(written.copies > COUNT / 2, "{written:?}");
}

#[test]
fn without_copies_no_record_has_a_910() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.mrc");
    let written = write_catalogue(&path, 200, Copies::Without).unwrap();
    assert_eq!(written.copies, 0);
    let records = read_back(&path);
    assert!(records
        .iter()
        .all(|r| r.fields.iter().all(|f| f.tag() != "910")));
    assert_eq!(marc_record(7, Copies::Without).fields, records[7].fields);
}

#[test]
fn the_mix_of_languages_and_formats_is_as_documented() {
    let specs: Vec<Spec> = (0..2_000).map(Spec::generate).collect();
    let share = |f: &dyn Fn(&Spec) -> bool| {
        specs.iter().filter(|s| f(s)).count() as f64 / specs.len() as f64
    };
    let kaz = share(&|s| s.lang == "kaz");
    let rus = share(&|s| s.lang == "rus");
    let rusmarc = share(&|s| s.rusmarc);
    assert!((0.45..0.55).contains(&kaz), "kaz {kaz}");
    assert!((0.35..0.45).contains(&rus), "rus {rus}");
    assert!((0.67..0.77).contains(&rusmarc), "rusmarc {rusmarc}");
    let libraries: BTreeSet<&str> = specs.iter().flat_map(|s| s.libraries()).collect();
    assert_eq!(libraries.len(), vocab::LIBRARIES.len());
}
