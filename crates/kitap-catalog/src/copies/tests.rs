use kitap_marc::Dialect;

use super::*;
use crate::testutil::{record, MARC21_BOOK, UNIMARC_BOOK};

fn irbis(fields: &[(&str, &str)]) -> Record {
    let mut all = vec![("200", "1 $aҚара сөздер")];
    all.extend_from_slice(fields);
    record(Dialect::Unimarc, UNIMARC_BOOK, &all)
}

#[test]
fn a_full_910_is_read() {
    let r = irbis(&[(
        "910",
        "  $a0$b12345$c20240115$dАБ$e1200$fбюджет$hKZ0001234$u2024/15$!ЧЗ",
    )]);
    let copies = copies_from_910(&r);
    assert_eq!(copies.len(), 1);
    let c = copies[0].as_ref().unwrap();
    assert_eq!(c.status_code.as_deref(), Some("0"));
    assert_eq!(c.status, CopyStatusHint::Available);
    assert_eq!(c.inventory_number.as_deref(), Some("12345"));
    assert_eq!(c.barcode.as_deref(), Some("KZ0001234"));
    assert_eq!(c.location.as_deref(), Some("АБ"));
    assert_eq!(c.price_minor, Some(120_000));
    assert_eq!(
        c.acquisition_date,
        Some(SimpleDate {
            year: 2024,
            month: 1,
            day: 15
        })
    );
    assert_eq!(c.acquisition_channel.as_deref(), Some("бюджет"));
    assert_eq!(
        c.other,
        [('u', "2024/15".to_string()), ('!', "ЧЗ".to_string())]
    );
}

#[test]
fn each_910_is_its_own_result() {
    let r = irbis(&[
        ("910", "  $a1$b1$e12,50"),
        ("910", "  $a4$b2$eбесплатно"),
        ("910", "  $a6$b3$c20230230"),
        ("910", "  $aC$b4-10$15$e150.5"),
    ]);
    let copies = copies_from_910(&r);
    assert_eq!(copies.len(), 4);
    let first = copies[0].as_ref().unwrap();
    assert_eq!(first.status, CopyStatusHint::OnLoan);
    assert_eq!(first.price_minor, Some(1250));
    let err = copies[1].as_ref().unwrap_err();
    assert_eq!(err.occurrence, 1);
    assert_eq!(err.subfield, Some('e'));
    assert_eq!(
        err.to_string(),
        "910 #1^e: price \"бесплатно\" is not a number of tenge"
    );
    let err = copies[2].as_ref().unwrap_err();
    assert_eq!(
        err.message,
        "date \"20230230\" is not a date in YYYYMMDD form"
    );
    let group = copies[3].as_ref().unwrap();
    assert_eq!(group.status, CopyStatusHint::Unknown);
    assert_eq!(group.group_count, Some(5));
    assert_eq!(group.price_minor, Some(15050));
}

#[test]
fn status_hints() {
    for (code, hint) in [
        ("0", CopyStatusHint::Available),
        ("1", CopyStatusHint::OnLoan),
        ("2", CopyStatusHint::InTransit),
        ("3", CopyStatusHint::InRepair),
        ("4", CopyStatusHint::Lost),
        ("5", CopyStatusHint::ReadingRoomOnly),
        ("6", CopyStatusHint::Withdrawn),
        ("8", CopyStatusHint::InTransit),
        ("9", CopyStatusHint::Unknown),
        ("P", CopyStatusHint::Unknown),
        ("U", CopyStatusHint::Unknown),
        (" 0 ", CopyStatusHint::Available),
    ] {
        assert_eq!(CopyStatusHint::from_irbis(Some(code)), hint, "{code:?}");
    }
    assert_eq!(CopyStatusHint::from_irbis(None), CopyStatusHint::Unknown);
    assert_eq!(
        serde_json::to_string(&CopyStatusHint::ReadingRoomOnly).unwrap(),
        "\"reading_room_only\""
    );
    assert_eq!(CopyStatusHint::InTransit.as_str(), "in_transit");
}

#[test]
fn prices() {
    for (raw, minor) in [
        ("1200", 120_000),
        ("12,50", 1250),
        ("12.50", 1250),
        ("12,5", 1250),
        ("0", 0),
        ("1 200", 120_000),
        ("1\u{a0}200,00 тг.", 120_000),
        ("2500 тг.", 250_000),
        ("300₸", 30_000),
        ("300 KZT", 30_000),
    ] {
        assert_eq!(parse_price(raw), Ok(minor), "{raw:?}");
    }
    for bad in [
        "",
        "тг.",
        "12.345",
        "-5",
        "1,2,3",
        "abc",
        ",50",
        "99999999999999999999",
    ] {
        assert!(parse_price(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn dates() {
    assert_eq!(
        parse_date("20240229"),
        Ok(SimpleDate {
            year: 2024,
            month: 2,
            day: 29
        })
    );
    for bad in [
        "20230229",
        "19001301",
        "20240100",
        "2024011",
        "2024-01-15",
        "00000101",
        "2024011５",
    ] {
        assert!(parse_date(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn marc21_910_is_not_irbis() {
    let r = record(
        Dialect::Marc21,
        MARC21_BOOK,
        &[("910", "  $a360944$bHorizon bib#")],
    );
    assert!(copies_from_910(&r).is_empty());
}

#[test]
fn empty_and_odd_910s() {
    let r = irbis(&[("910", "  "), ("910", "  $a$b"), ("910", "  $A0$B77")]);
    let copies = copies_from_910(&r);
    let empty = copies[0].as_ref().unwrap();
    assert_eq!(empty.status, CopyStatusHint::Unknown);
    assert!(empty.other.is_empty());
    assert_eq!(copies[1].as_ref().unwrap().status_code, None);
    let upper = copies[2].as_ref().unwrap();
    assert_eq!(upper.status, CopyStatusHint::Available);
    assert_eq!(upper.inventory_number.as_deref(), Some("77"));
    let mut r = irbis(&[]);
    r.fields.push(kitap_marc::Field::Control {
        tag: "910".into(),
        value: "0".into(),
    });
    assert!(copies_from_910(&r)[0].is_err());
}
