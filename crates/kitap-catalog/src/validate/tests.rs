use kitap_marc::{Dialect, Field, Record, Subfield};

use super::*;
use crate::testutil::{field, record, MARC21_BOOK, UNIMARC_BOOK};

fn good_marc21() -> Record {
    record(
        Dialect::Marc21,
        MARC21_BOOK,
        &[
            ("001", "KZAM0001"),
            ("008", "240115s2019    kz            000 1 kaz d"),
            ("020", "  $a978-601-8946-65-3"),
            ("041", "0 $akaz"),
            ("100", "1 $aҚұнанбайұлы, Абай."),
            ("245", "10$aҚара сөздер /$cАбай Құнанбайұлы."),
            ("264", " 1$aАлматы :$bЖазушы,$c2019."),
        ],
    )
}

fn codes(issues: &[Issue]) -> Vec<&'static str> {
    issues.iter().map(|i| i.code).collect()
}

#[test]
fn a_clean_record_has_no_issues() {
    let issues = validate(&good_marc21());
    assert!(issues.is_empty(), "{issues:#?}");
    assert!(!has_errors(&issues));
}

#[test]
fn misprinted_isbn_is_a_warning_with_the_expected_digit() {
    let mut r = good_marc21();
    r.fields.push(field("020", "  $a5-02-013850-8 (в пер.)"));
    let issues = validate(&r);
    assert_eq!(codes(&issues), ["bad_isbn_check_digit"]);
    let i = &issues[0];
    assert_eq!(i.severity, Severity::Warning);
    assert_eq!(i.tag.as_deref(), Some("020"));
    assert_eq!(i.occurrence, Some(1));
    assert_eq!(i.subfield, Some('a'));
    assert_eq!(
        i.message,
        "020$a: ISBN 5-02-013850-8 has a wrong check digit (expected 9)"
    );
    assert!(!has_errors(&issues));
}

#[test]
fn isbn_shapes() {
    let mut r = good_marc21();
    r.fields.push(field(
        "020",
        "  $a12345$a978-601-8946-65-4$a9770317847001$c150 тг.$z5-02-013850-8",
    ));
    let issues = validate(&r);
    assert_eq!(
        codes(&issues),
        ["bad_isbn", "bad_isbn_check_digit", "bad_isbn"]
    );
    assert!(
        issues[1].message.contains("expected 3"),
        "{}",
        issues[1].message
    );
    assert!(
        issues[2].message.contains("978 or 979"),
        "{}",
        issues[2].message
    );
}

#[test]
fn unimarc_isbn_and_issn() {
    let r = record(
        Dialect::Unimarc,
        UNIMARC_BOOK,
        &[
            ("100", "  $a20240115d2019    k  y0kazy50      ca"),
            ("010", "  $a5-02-013850-8$d2500 тг."),
            ("011", "  $a0317-8472"),
            ("011", "  $aне номер"),
            ("200", "1 $aҚара сөздер"),
        ],
    );
    let issues = validate(&r);
    assert_eq!(
        codes(&issues),
        ["bad_isbn_check_digit", "bad_issn", "bad_issn"]
    );
    assert_eq!(
        issues[0].message,
        "010$a: ISBN 5-02-013850-8 has a wrong check digit (expected 9)"
    );
    assert_eq!(
        issues[1].message,
        "011$a: ISSN 0317-8472 has a wrong check digit (expected 1)"
    );
    assert_eq!(issues[2].occurrence, Some(1));
}

#[test]
fn missing_title_is_an_error() {
    let mut r = good_marc21();
    r.fields.retain(|f| f.tag() != "245");
    let issues = validate(&r);
    assert_eq!(codes(&issues), ["missing_title"]);
    assert_eq!(issues[0].severity, Severity::Error);
    assert!(has_errors(&issues));
    r.fields.push(field("245", "10$a  $cAuthor"));
    let issues = validate(&r);
    assert!(codes(&issues).contains(&"missing_title"));
    let u = record(Dialect::Unimarc, UNIMARC_BOOK, &[("700", " 1$aX")]);
    assert_eq!(
        validate(&u)[0].message,
        "the record has no title: 200$a is missing or empty"
    );
    let authority = record(
        Dialect::Marc21,
        "00000nz  a2200000n  4500",
        &[("100", "1 $aX")],
    );
    assert!(!codes(&validate(&authority)).contains(&"missing_title"));
}

#[test]
fn structural_errors() {
    let mut r = good_marc21();
    r.leader = "00000nam".into();
    r.fields.push(Field::Data {
        tag: "2$5".into(),
        ind1: ' ',
        ind2: ' ',
        subfields: vec![Subfield {
            code: 'a',
            value: "x".into(),
        }],
    });
    r.fields.push(field("650", "#0$aX"));
    r.fields.push(Field::Control {
        tag: "007".into(),
        value: "ta\u{1f}b".into(),
    });
    r.fields.push(field("009", "  $ax"));
    let issues = validate(&r);
    assert_eq!(
        codes(&issues),
        [
            "bad_leader",
            "invalid_tag",
            "invalid_indicator",
            "control_field_has_subfields",
            "control_field_has_subfields"
        ]
    );
    assert!(issues.iter().all(|i| i.severity == Severity::Error));
    assert_eq!(
        issues[2].message,
        "650: indicator 1 is '#'; only 0-9, a-z and blank are allowed"
    );
    r.leader = String::new();
    assert_eq!(validate(&r)[0].code, "missing_leader");
}

#[test]
fn warnings_for_indicators_subfields_languages_years() {
    let mut r = good_marc21();
    r.fields.retain(|f| f.tag() != "245");
    r.fields.push(field("245", "35$aTitle$b"));
    r.fields.push(field("041", "0 $afra$bengkzk$hscr"));
    r.fields.push(field("260", "  $c2919"));
    r.fields.push(field("500", "  "));
    r.fields.push(field("500", "  $AX"));
    r.fields[1] = field("008", "240115s1299    kz            000 1 kzz d");
    let issues = validate(&r);
    assert!(!has_errors(&issues), "{issues:#?}");
    assert_eq!(
        codes(&issues),
        [
            "empty_subfield",
            "undefined_indicator",
            "unknown_language_code",
            "unknown_language_code",
            "obsolete_language_code",
            "year_out_of_range",
            "field_without_subfields",
            "invalid_subfield_code",
            "year_out_of_range",
            "unknown_language_code",
        ]
    );
    assert_eq!(issues[0].message, "245$b is empty");
    assert_eq!(
        issues[1].message,
        "245: indicator 1 '3' is not defined (allowed: '0', '1')"
    );
    assert!(issues[2].message.contains("\"fre\""));
    assert_eq!(
        issues[3].message,
        "041$b: \"kzk\" is not an ISO 639-2/B language code"
    );
    assert_eq!(
        issues[9].message,
        "008/35-37: \"kzz\" is not an ISO 639-2/B language code"
    );
    assert_eq!(issues[9].tag.as_deref(), Some("008"));
}

#[test]
fn options_set_the_year_range() {
    let r = good_marc21();
    let strict = ValidateOptions {
        min_year: 2020,
        max_year: 2026,
    };
    let issues = validate_with(&r, &strict);
    assert_eq!(codes(&issues), ["year_out_of_range", "year_out_of_range"]);
}

#[test]
fn unimarc_fixed_data_and_indicators() {
    let r = record(
        Dialect::Unimarc,
        UNIMARC_BOOK,
        &[
            ("100", "  $a20240115d2019"),
            ("101", "3 $akaz"),
            ("200", "2 $aX"),
            ("700", " 5$aY"),
        ],
    );
    assert_eq!(
        codes(&validate(&r)),
        [
            "bad_fixed_field",
            "undefined_indicator",
            "undefined_indicator",
            "undefined_indicator"
        ]
    );
}

#[test]
fn issues_serialise_with_stable_names() {
    let mut r = good_marc21();
    r.fields.retain(|f| f.tag() != "245");
    let json = serde_json::to_value(validate(&r)).unwrap();
    assert_eq!(json[0]["severity"], "error");
    assert_eq!(json[0]["code"], "missing_title");
}

#[test]
fn nothing_panics_on_odd_records() {
    let odd = [
        record(Dialect::Unknown, "", &[]),
        record(Dialect::Marc21, "ü", &[("008", "")]),
        record(
            Dialect::Unimarc,
            UNIMARC_BOOK,
            &[("100", "  "), ("101", "  $a")],
        ),
        record(
            Dialect::Marc21,
            MARC21_BOOK,
            &[("008", "x".repeat(100).as_str())],
        ),
    ];
    for r in &odd {
        let _ = validate(r);
    }
}
