use kitap_marc::{Dialect, Record};

use super::*;
use crate::testutil::{record, MARC21_BOOK, UNIMARC_BOOK};
use crate::view::BibView;

/// The fields of `r` with `tag` as "ind1ind2$a...$b..." strings.
fn show(r: &Record, tag: &str) -> Vec<String> {
    r.fields(tag)
        .map(|f| match f {
            Field::Control { value, .. } => value.clone(),
            Field::Data {
                ind1,
                ind2,
                subfields,
                ..
            } => {
                let subs: String = subfields
                    .iter()
                    .map(|s| format!("${}{}", s.code, s.value))
                    .collect();
                format!("{ind1}{ind2}{subs}")
            }
        })
        .collect()
}

fn marc21() -> Record {
    record(
        Dialect::Marc21,
        MARC21_BOOK,
        &[
            ("001", "KZAM0002"),
            ("003", "KZ-KrCLS"),
            ("008", "240115s2017    kz            000 1 kaz d"),
            ("020", "  $a5-02-013850-9 (в пер.) :$c150 тг."),
            ("040", "  $aKZ-KrCLS$brus$cKZ-KrCLS"),
            ("041", "1 $akaz$hrus"),
            ("080", "  $a821.512.122-31"),
            ("084", "  $a84(5Каз)-44$2rubbk"),
            ("100", "1 $aӘуезов, Мұхтар,$d1897-1961."),
            (
                "245",
                "14$aThe Абай жолы :$bроман-эпопея /$cМұхтар Әуезов ; аударған А. Б.$n1-том",
            ),
            ("264", " 1$aАлматы :$bЖазушы,$c2017."),
            ("264", " 4$c©2016"),
            ("300", "  $a480 p. ;$c21 cm."),
            ("490", "1 $aҚазақ прозасы ;$v5"),
            ("520", "  $aРоман туралы."),
            ("650", " 7$aҚазақ әдебиеті$vРомандар$y20 ғ.$2rubbk"),
            ("651", " 0$aKazakhstan$xHistory."),
            ("653", "  $aдала"),
            ("700", "1 $aКим, Г. Н.$q(Герман Николаевич)$eред."),
            ("710", "2 $aЖазушы баспасы."),
            ("880", "  $6245-01$aX"),
            ("948", "  $aлокальное"),
        ],
    )
}

#[test]
fn marc21_to_rusmarc_fields() {
    let c = to_rusmarc(&marc21());
    let r = &c.record;
    assert_eq!(r.dialect, Dialect::Unimarc);
    assert_eq!(r.leader, "00000nam  2200000   450 ");
    assert_eq!(c.dropped_tags, ["003", "880", "948"]);
    assert_eq!(show(r, "001"), ["KZAM0002"]);
    assert_eq!(show(r, "010"), ["  $a5-02-013850-9$bв пер.$d150 тг."]);
    assert_eq!(show(r, "100"), ["  $a20240115d2017    u  |0rusy50      ca"]);
    assert_eq!(show(r, "101"), ["1 $akaz$crus"]);
    assert_eq!(show(r, "102"), ["  $aKZ"]);
    assert_eq!(
        show(r, "200"),
        ["1 $a\u{88}The \u{89}Абай жолы$eроман-эпопея$fМұхтар Әуезов$gаударған А. Б.$h1-том"]
    );
    assert_eq!(show(r, "210"), ["  $aАлматы$cЖазушы$d2017"]);
    assert_eq!(show(r, "214"), [" 4$d©2016"]);
    assert_eq!(show(r, "215"), ["  $a480 p.$d21 cm."]);
    assert_eq!(show(r, "225"), ["0 $aҚазақ прозасы$v5"]);
    assert_eq!(show(r, "330"), ["  $aРоман туралы."]);
    assert_eq!(
        show(r, "606"),
        ["  $aҚазақ әдебиеті$jРомандар$z20 ғ.$2rubbk"]
    );
    assert_eq!(show(r, "607"), ["  $aKazakhstan$xHistory$2lcsh"]);
    assert_eq!(show(r, "610"), ["0 $aдала"]);
    assert_eq!(show(r, "675"), ["  $a821.512.122-31"]);
    assert_eq!(show(r, "686"), ["  $a84(5Каз)-44$2rubbk"]);
    assert_eq!(show(r, "700"), [" 1$aӘуезов$bМ.$gМұхтар$f1897-1961"]);
    assert_eq!(show(r, "702"), [" 1$aКим$bГ. Н.$gГерман Николаевич$4340"]);
    assert_eq!(show(r, "711"), ["02$aЖазушы баспасы"]);
    assert_eq!(show(r, "801"), [" 0$bKZ-KrCLS", " 1$bKZ-KrCLS"]);
    let tags: Vec<&str> = r.fields.iter().map(Field::tag).collect();
    let mut sorted = tags.clone();
    sorted.sort();
    assert_eq!(tags, sorted, "fields come out in tag order");
}

#[test]
fn rusmarc_to_marc21_fields() {
    let r = record(
        Dialect::Unimarc,
        UNIMARC_BOOK,
        &[
            ("001", "KZAR0002"),
            ("005", "20240115103000.0"),
            ("010", "  $a978-601-2745-80-1$d2500 тг."),
            ("100", "  $a20240115d2017    k  y0kaza50    ca"),
            ("101", "0 $akaz$arus"),
            ("102", "  $aKZ"),
            ("105", "  $ay   z   000yy"),
            ("200", "1 $aАбай жолы$eроман-эпопея$fМұхтар Әуезов$v1-том"),
            ("210", "  $aАлматы$cЖазушы$d2017"),
            ("215", "  $a480 б."),
            ("331", "  $aАннотация."),
            ("410", " 0$12001 $aҚазақ прозасы$vвып. 3"),
            ("606", "1 $aҚазақ әдебиеті$jРомандар"),
            ("621", "  $a84(5Каз)-44"),
            ("700", " 1$aӘуезов$bМ.$gМұхтар$4070"),
            ("712", "02$aЖазушы$4650"),
            ("801", " 0$aKZ$bKZ-KrCLS"),
            ("910", "  $a0$b123"),
        ],
    );
    let c = to_marc21(&r);
    let m = &c.record;
    assert_eq!(m.dialect, Dialect::Marc21);
    assert_eq!(m.leader, "00000nam a2200000 c 4500");
    assert_eq!(c.dropped_tags, ["105", "910"]);
    assert_eq!(show(m, "008"), ["240115s2017    kz ||||e||||||||| ||kaz d"]);
    assert_eq!(show(m, "020"), ["  $a978-601-2745-80-1$c2500 тг."]);
    assert_eq!(show(m, "040"), ["  $aKZ-KrCLS$bkaz"]);
    assert_eq!(show(m, "041"), ["0 $akaz$arus"]);
    assert_eq!(show(m, "084"), ["  $a84(5Каз)-44$2rubbk"]);
    assert_eq!(show(m, "100"), ["1 $aӘуезов, Мұхтар$4aut"]);
    assert_eq!(
        show(m, "245"),
        ["10$aАбай жолы$bроман-эпопея$cМұхтар Әуезов$n1-том"]
    );
    assert_eq!(show(m, "260"), ["  $aАлматы$bЖазушы$c2017"]);
    assert_eq!(show(m, "520"), ["  $aАннотация."]);
    assert_eq!(show(m, "650"), [" 4$aҚазақ әдебиеті$vРомандар"]);
    assert_eq!(show(m, "710"), ["2 $aЖазушы$4pbl"]);
    assert_eq!(show(m, "830"), [" 0$aҚазақ прозасы$vвып. 3"]);
}

#[test]
fn round_trip_keeps_the_view() {
    let original = marc21();
    let there = to_rusmarc(&original);
    let back = to_marc21(&there.record);
    let a = BibView::from_record(&original);
    let b = BibView::from_record(&back.record);
    assert_eq!(b.title, a.title);
    assert_eq!(b.sort_title(), a.sort_title());
    assert_eq!(b.isbns, a.isbns);
    assert_eq!(b.year, a.year);
    assert_eq!(b.languages, a.languages);
    assert_eq!(b.publication[0].publisher, a.publication[0].publisher);
    assert_eq!(b.udc, a.udc);
    assert_eq!(b.bbk, a.bbk);
    assert_eq!(
        b.main_author().map(|x| &x.name),
        a.main_author().map(|x| &x.name)
    );
    assert_eq!(
        b.authors[1].name, "Ким, Герман Николаевич",
        "$q becomes the forename"
    );
    assert_eq!(b.subjects, a.subjects);
    assert_eq!(b.responsibility, a.responsibility);
}

#[test]
fn same_dialect_is_unchanged_and_odd_input_is_safe() {
    let m = marc21();
    assert_eq!(to_marc21(&m).record, m);
    let u = record(Dialect::Unimarc, UNIMARC_BOOK, &[("200", "1 $aX")]);
    assert_eq!(to_rusmarc(&u).record, u);
    for r in [
        record(Dialect::Unknown, "", &[]),
        record(
            Dialect::Marc21,
            "x",
            &[("245", "19$a"), ("020", "  $a"), ("041", "  $aқаз")],
        ),
        record(
            Dialect::Unimarc,
            "",
            &[("200", "  $a\u{88}"), ("101", "kaz"), ("100", "  $a")],
        ),
    ] {
        let _ = to_rusmarc(&r);
        let _ = to_marc21(&r);
    }
}

#[test]
fn name_title_subjects_become_604_and_back() {
    let m = record(
        Dialect::Marc21,
        MARC21_BOOK,
        &[
            ("245", "10$aX"),
            (
                "600",
                "10$aPushkin, Aleksandr,$d1799-1837.$tEvgeniĭ Onegin.$xCriticism.",
            ),
        ],
    );
    let u = to_rusmarc(&m).record;
    assert_eq!(
        show(&u, "604"),
        ["  $1700 1$aPushkin$bA.$gAleksandr$f1799-1837$150010$aEvgeniĭ Onegin$xCriticism$2lcsh"]
    );
    let back = to_marc21(&u).record;
    assert_eq!(
        show(&back, "600"),
        ["10$aPushkin, Aleksandr$d1799-1837$tEvgeniĭ Onegin$xCriticism"]
    );
    let (a, b) = (BibView::from_record(&m), BibView::from_record(&back));
    assert_eq!(
        a.subjects,
        ["Pushkin, Aleksandr 1799-1837 Evgeniĭ Onegin -- Criticism"]
    );
    assert_eq!(BibView::from_record(&u).subjects, a.subjects);
    assert_eq!(b.subjects, a.subjects);
}
