use kitap_marc::Dialect;

use super::*;
use crate::testutil::{record, MARC21_BOOK, UNIMARC_BOOK};

fn abai_marc21() -> Record {
    record(
        Dialect::Marc21,
        MARC21_BOOK,
        &[
            ("001", "KZAM0002"),
            ("003", "KZ-KrCLS"),
            ("008", "240115s2017    kz            000 1 kaz d"),
            ("020", "  $a978-601-2745-80-1"),
            ("020", "  $a5-02-013850-8$z5-02-013850-9"),
            ("022", "  $a0317-8471$a0317-8472"),
            ("035", "  $a(OCoLC)12345"),
            ("041", "0 $akazrus$beng"),
            ("080", "  $a821.512.122-31"),
            ("084", "  $a84(5Каз)-44$2rubbk"),
            ("084", "  $a17.82$2rugasnti"),
            ("100", "1 $aӘуезов, Мұхтар,$d1897-1961.$eавт."),
            (
                "245",
                "10$aАбай жолы :$bроман-эпопея /$cМұхтар Әуезов.$n1-том",
            ),
            ("250", "  $a2-е изд."),
            ("264", " 1$aАлматы :$bЖазушы,$c2017."),
            ("264", " 4$c©2016"),
            ("300", "  $a480 p. ;$c21 cm."),
            ("490", "0 $aҚазақ прозасы ;$v5"),
            ("830", " 0$aҚазақ прозасы ;$v5."),
            ("520", "  $aРоман туралы."),
            ("650", " 4$aҚазақ әдебиеті$vРомандар."),
            ("651", " 0$aKazakhstan$xHistory$y19th century."),
            ("653", "  $aАбай$aдала"),
            ("700", "1 $aКим, Г. Н.$eред."),
            ("710", "2 $aЖазушы.$bРедакция."),
        ],
    )
}

#[test]
fn marc21_book_view() {
    let v = BibView::from_record(&abai_marc21());
    assert_eq!(v.record_type, RecordType::Book);
    assert_eq!(v.bibliographic_level, 'm');
    assert_eq!(v.title.as_deref(), Some("Абай жолы"));
    assert_eq!(v.other_titles, ["роман-эпопея"]);
    assert_eq!(v.responsibility.as_deref(), Some("Мұхтар Әуезов"));
    assert_eq!(v.part.as_deref(), Some("1-том"));
    assert_eq!(v.edition.as_deref(), Some("2-е изд."));
    assert_eq!(v.extent.as_deref(), Some("480 p."));
    assert_eq!(v.year, Some(2017));
    assert_eq!(
        v.publication,
        [Publication {
            place: Some("Алматы".into()),
            publisher: Some("Жазушы".into()),
            date: Some("2017".into()),
        }]
    );
    assert_eq!(v.isbns, ["9786012745801"]);
    assert_eq!(v.invalid_isbns, ["5-02-013850-8", "5-02-013850-9"]);
    assert_eq!(v.issns, ["0317-8471"]);
    assert_eq!(v.invalid_issns, ["0317-8472"]);
    assert_eq!(v.languages, ["kaz", "rus"]);
    assert!(v.is_kazakh());
    assert_eq!(v.udc, ["821.512.122-31"]);
    assert_eq!(v.bbk, ["84(5Каз)-44"]);
    assert_eq!(v.series.len(), 1);
    assert_eq!(v.series[0].title, "Қазақ прозасы");
    assert_eq!(v.series[0].number.as_deref(), Some("5"));
    assert_eq!(
        v.subjects,
        [
            "Қазақ әдебиеті -- Романдар",
            "Kazakhstan -- History -- 19th century"
        ]
    );
    assert_eq!(v.keywords, ["Абай", "дала"]);
    assert_eq!(v.annotation.as_deref(), Some("Роман туралы"));
    assert_eq!(v.control_number.as_deref(), Some("KZAM0002"));
    assert_eq!(v.control_source.as_deref(), Some("KZ-KrCLS"));
    assert_eq!(v.system_numbers, ["(OCoLC)12345"]);
}

#[test]
fn marc21_authors() {
    let v = BibView::from_record(&abai_marc21());
    let main = v.main_author().unwrap();
    assert_eq!(main.name, "Әуезов, Мұхтар");
    assert_eq!(main.kind, AuthorKind::Personal);
    assert_eq!(main.dates.as_deref(), Some("1897-1961"));
    assert_eq!(main.role.as_deref(), Some("авт."));
    assert_eq!(v.authors[1].name, "Ким, Г. Н.");
    assert!(!v.authors[1].main);
    assert_eq!(v.authors[2].name, "Жазушы. Редакция");
    assert_eq!(v.authors[2].kind, AuthorKind::Corporate);
}

#[test]
fn marc21_nonfiling_and_sort_title() {
    let r = record(
        Dialect::Marc21,
        MARC21_BOOK,
        &[("245", "14$aThe Hobbit, or, There and back again /")],
    );
    let v = BibView::from_record(&r);
    assert_eq!(
        v.title.as_deref(),
        Some("The Hobbit, or, There and back again")
    );
    assert_eq!(
        v.sort_title().as_deref(),
        Some("Hobbit, or, There and back again")
    );
    let r = record(Dialect::Marc21, MARC21_BOOK, &[("245", "00$a«Абай жолы»")]);
    let v = BibView::from_record(&r);
    assert_eq!(v.sort_title().as_deref(), Some("Абай жолы»"));
    let r = record(Dialect::Marc21, MARC21_BOOK, &[("245", "09$a...")]);
    assert_eq!(
        BibView::from_record(&r).sort_title().as_deref(),
        Some("...")
    );
}

#[test]
fn year_falls_back_to_008() {
    let r = record(
        Dialect::Marc21,
        MARC21_BOOK,
        &[
            ("008", "991029s1998    kz a          000 0 kazod"),
            ("245", "10$aX"),
            ("260", "  $aAlmaty :$bSanat,$c[199-]"),
        ],
    );
    assert_eq!(BibView::from_record(&r).year, Some(1998));
}

#[test]
fn unimarc_view() {
    let r = record(
        Dialect::Unimarc,
        UNIMARC_BOOK,
        &[
            ("001", "KZAR0002"),
            ("010", "  $a978-601-2745-80-1$d2500 тг."),
            ("011", "  $a03178471"),
            ("100", "  $a20240115d2017    k  y0kaza50    ca"),
            ("101", "0 $akaz$arus"),
            (
                "200",
                "1 $a\u{88}The \u{89}Абай жолы$eроман-эпопея$fМұхтар Әуезов$gаударған А. Б.$v1-том",
            ),
            ("205", "  $a2-е изд."),
            ("210", "  $aАлматы$cЖазушы$d2017"),
            ("215", "  $a480 б."),
            ("225", "1 $aҚазақ прозасы$vвып. 3"),
            ("410", " 0$12001 $aҚазақ прозасы$vвып. 3"),
            ("330", "  $aРоман."),
            ("600", " 0$aАбай$f1845-1904$xШығармашылығы"),
            ("606", "1 $aҚазақ әдебиеті$jРомандар"),
            ("610", "0 $aдала"),
            ("675", "  $a821.512.122-31"),
            ("686", "  $a84(5Каз)-44$2rubbk"),
            ("686", "  $a17.82$2rugasnti"),
            ("621", "  $a84(5Каз)-44"),
            ("700", " 1$aӘуезов$bМ.$gМұхтар$f1897-1961$4070"),
            ("702", " 1$aКалинин$bС. Ю.$4220"),
            ("712", "02$aРоссийская книжная палата$4570"),
        ],
    );
    let v = BibView::from_record(&r);
    assert_eq!(v.title.as_deref(), Some("The Абай жолы"));
    assert_eq!(v.title_nonfiling, 4);
    assert_eq!(v.sort_title().as_deref(), Some("Абай жолы"));
    assert_eq!(
        v.responsibility.as_deref(),
        Some("Мұхтар Әуезов ; аударған А. Б.")
    );
    assert_eq!(v.part.as_deref(), Some("1-том"));
    assert_eq!(v.isbns, ["9786012745801"]);
    assert_eq!(v.issns, ["0317-8471"]);
    assert_eq!(v.languages, ["kaz", "rus"]);
    assert_eq!(v.year, Some(2017));
    assert_eq!(v.publication[0].publisher.as_deref(), Some("Жазушы"));
    assert_eq!(v.series.len(), 1);
    assert_eq!(v.bbk, ["84(5Каз)-44"]);
    assert_eq!(v.udc, ["821.512.122-31"]);
    assert_eq!(
        v.subjects,
        [
            "Абай 1845-1904 -- Шығармашылығы",
            "Қазақ әдебиеті -- Романдар"
        ]
    );
    assert_eq!(v.keywords, ["дала"]);
    assert_eq!(v.annotation.as_deref(), Some("Роман"));
    let main = v.main_author().unwrap();
    assert_eq!(main.name, "Әуезов, Мұхтар");
    assert_eq!(main.role.as_deref(), Some("aut"));
    assert_eq!(main.dates.as_deref(), Some("1897-1961"));
    assert_eq!(v.authors[1].name, "Калинин, С. Ю.");
    assert_eq!(v.authors[1].role.as_deref(), Some("com"));
    assert_eq!(v.authors[2].kind, AuthorKind::Corporate);
    assert_eq!(v.authors[2].role.as_deref(), Some("oth"));
}

#[test]
fn unimarc_year_from_100_and_record_types() {
    let r = record(
        Dialect::Unimarc,
        "00000cas0 2200000   450 ",
        &[
            ("100", "  $a19981005g19  9999u  y0rusy0189    ca"),
            ("200", "1 $aЖурнал"),
        ],
    );
    let v = BibView::from_record(&r);
    assert_eq!(v.record_type, RecordType::Serial);
    assert_eq!(v.year, None, "19   is not a year");
    let r = record(
        Dialect::Unimarc,
        "00000nlm0 2200000   450 ",
        &[("100", "  $a20240115d2019    k  y0kaza50    ca")],
    );
    let v = BibView::from_record(&r);
    assert_eq!(v.record_type, RecordType::Electronic);
    assert_eq!(v.year, Some(2019));
}

#[test]
fn unknown_dialect_picks_the_reading_that_finds_a_title() {
    let r = record(
        Dialect::Unknown,
        "00000nam  2200000   450 ",
        &[
            ("200", "1 $aҚара сөздер$fАбай"),
            ("700", " 1$aҚұнанбайұлы$gАбай"),
        ],
    );
    let v = BibView::from_record(&r);
    assert_eq!(v.title.as_deref(), Some("Қара сөздер"));
    assert_eq!(v.main_author().unwrap().name, "Құнанбайұлы, Абай");
    let r = record(Dialect::Unknown, "", &[("245", "10$aTitle.")]);
    let v = BibView::from_record(&r);
    assert_eq!(v.title.as_deref(), Some("Title"));
    assert_eq!(v.bibliographic_level, ' ');
}

#[test]
fn record_types_from_the_leader() {
    use super::marc21::record_type as m;
    use super::unimarc::record_type as u;
    assert_eq!(m(Some('a'), Some('s')), RecordType::Serial);
    assert_eq!(m(Some('a'), Some('b')), RecordType::Article);
    assert_eq!(m(Some('e'), Some('m')), RecordType::Map);
    assert_eq!(m(Some('m'), Some('m')), RecordType::Electronic);
    assert_eq!(m(Some('z'), Some(' ')), RecordType::Authority);
    assert_eq!(m(None, None), RecordType::Other);
    assert_eq!(u(Some('b'), Some('m')), RecordType::Manuscript);
    assert_eq!(u(Some('m'), Some('m')), RecordType::Mixed);
    assert_eq!(u(Some('l'), Some('m')), RecordType::Electronic);
    assert_eq!(u(Some('x'), Some(' ')), RecordType::Authority);
}

#[test]
fn serde_names_are_stable() {
    let json = serde_json::to_string(&RecordType::Audiovisual).unwrap();
    assert_eq!(json, "\"audiovisual\"");
    let json = serde_json::to_string(&AuthorKind::Corporate).unwrap();
    assert_eq!(json, "\"corporate\"");
    let v = BibView::from_record(&abai_marc21());
    let back: BibView = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
    assert_eq!(back, v);
    assert_eq!(RecordType::Book.as_str(), "book");
}

#[test]
fn unimarc_name_title_subject() {
    let r = record(
        Dialect::Unimarc,
        UNIMARC_BOOK,
        &[
            ("200", "1 $aШахматы"),
            (
                "604",
                "  $1700 1$aНейман$bМ. Б.$gМоисей Борисович$f1889 - 1967$15011 $aШахматные партии$2nlr-sh",
            ),
            ("604", "  $171001$aРоссийская Федерация$150011$aВоенные уставы"),
        ],
    );
    assert_eq!(
        BibView::from_record(&r).subjects,
        [
            "Нейман, Моисей Борисович 1889 - 1967 Шахматные партии",
            "Российская Федерация Военные уставы"
        ]
    );
}

#[test]
fn electronic_host_title_and_version() {
    let print = BibView::from_record(&abai_marc21());
    assert!(!print.electronic);
    assert_eq!(print.host_title, None);
    let online = BibView::from_record(&record(
        Dialect::Marc21,
        MARC21_BOOK,
        &[
            ("001", "KZAM0002"),
            ("005", "20240115103000.0"),
            ("008", "240115s2017    kz      o     000 1 kaz d"),
            ("245", "10$aЧ. 1"),
            ("773", "18$gЧ. 1$tОбзор главнейших происшествий в России"),
        ],
    ));
    assert!(online.electronic);
    assert_eq!(
        online.host_title.as_deref(),
        Some("Обзор главнейших происшествий в России")
    );
    assert_eq!(online.record_version.as_deref(), Some("20240115103000.0"));
    let scanned = BibView::from_record(&record(
        Dialect::Marc21,
        MARC21_BOOK,
        &[("245", "10$aScience$h[electronic resource] :$ba poem")],
    ));
    assert!(scanned.electronic);
    let part = BibView::from_record(&record(
        Dialect::Unimarc,
        UNIMARC_BOOK,
        &[
            ("135", "  $adrnn"),
            ("200", "1 $aЧ. 2"),
            ("461", " 0$12001 $aАбай жолы$vЧ. 2"),
        ],
    ));
    assert!(part.electronic);
    assert_eq!(part.host_title.as_deref(), Some("Абай жолы"));
}
