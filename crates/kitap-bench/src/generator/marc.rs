//! A generated record as MARC: MARC 21 (001/003, 008, ISBN, BBK, author,
//! title, publication, extent, annotation, subjects) or RUSMARC (the same in
//! UNIMARC fields, plus IRBIS 910 copies).

use kitap_marc::{Dialect, Encoding, Field, Record, Subfield};

use super::isbn::isbn13;
use super::spec::Spec;
use super::vocab::TOPICS;

fn sf(code: char, value: impl Into<String>) -> Subfield {
    Subfield {
        code,
        value: value.into(),
    }
}

fn data(tag: &str, ind1: char, ind2: char, subfields: Vec<Subfield>) -> Field {
    Field::Data {
        tag: tag.to_owned(),
        ind1,
        ind2,
        subfields,
    }
}

fn control(tag: &str, value: String) -> Field {
    Field::Control {
        tag: tag.into(),
        value,
    }
}

/// The record, with the copies of `s` (there are none in MARC 21 records).
pub fn record(s: &Spec) -> Record {
    if s.rusmarc {
        rusmarc(s)
    } else {
        marc21(s)
    }
}

fn marc21_title(s: &Spec) -> Field {
    let mut title = vec![sf('a', format!("{} /", s.title))];
    if let Some(other) = &s.other_title {
        title = vec![
            sf('a', format!("{} :", s.title)),
            sf('b', format!("{other} /")),
        ];
    }
    title.push(sf('c', s.responsibility()));
    data("245", '1', '0', title)
}

fn marc21(s: &Spec) -> Record {
    let n = s.n;
    let year = s.year.to_string();
    let mut fields = vec![
        control("001", format!("sb{n:08}")),
        control("003", "KZ-KrCBS".into()),
        control(
            "008",
            format!("240101s{year}    kz            000 1 {} d", s.lang),
        ),
        data("020", ' ', ' ', vec![sf('a', isbn13(n))]),
        data(
            "084",
            ' ',
            ' ',
            vec![sf('a', TOPICS[s.topics[0]].3), sf('2', "rubbk")],
        ),
        data("100", '1', ' ', vec![sf('a', s.author())]),
        marc21_title(s),
        data(
            "260",
            ' ',
            ' ',
            vec![
                sf('a', format!("{} :", s.place)),
                sf('b', format!("{},", s.publisher)),
                sf('c', year),
            ],
        ),
        data("300", ' ', ' ', vec![sf('a', "320 p.")]),
    ];
    if let Some(a) = &s.annotation {
        fields.push(data("520", ' ', ' ', vec![sf('a', a.clone())]));
    }
    for &t in &s.topics {
        fields.push(data("650", ' ', '4', vec![sf('a', s.subject(t))]));
    }
    Record {
        leader: "00000nam a2200000 i 4500".to_owned(),
        fields,
        encoding: Encoding::Utf8,
        dialect: Dialect::Marc21,
        warnings: vec![],
    }
}

fn rusmarc_title(s: &Spec) -> Field {
    let mut title = vec![sf('a', s.title.clone())];
    if let Some(other) = &s.other_title {
        title.push(sf('e', other.clone()));
    }
    title.push(sf('f', s.responsibility()));
    data("200", '1', ' ', title)
}

/// IRBIS 910: status, inventory number, date, library, price, barcode.
fn copy_fields(s: &Spec) -> impl Iterator<Item = Field> + '_ {
    let n = s.n;
    s.copies
        .iter()
        .enumerate()
        .map(move |(k, (library, status))| {
            data(
                "910",
                ' ',
                ' ',
                vec![
                    sf('a', *status),
                    sf('b', format!("{n:07}-{k}")),
                    sf('c', "20240115"),
                    sf('d', *library),
                    sf('e', "1500"),
                    sf('h', format!("S{n:08}{k}")),
                ],
            )
        })
}

fn rusmarc(s: &Spec) -> Record {
    let n = s.n;
    let year = s.year.to_string();
    let coded = format!("20240101d{year}    k  y0{}y50      ca", s.lang);
    let mut fields = vec![
        control("001", format!("RU\\KrCBS\\sb{n:08}")),
        data("010", ' ', ' ', vec![sf('a', isbn13(n))]),
        data("100", ' ', ' ', vec![sf('a', coded)]),
        data("101", '0', ' ', vec![sf('a', s.lang)]),
        rusmarc_title(s),
        data(
            "210",
            ' ',
            ' ',
            vec![sf('a', s.place), sf('c', s.publisher), sf('d', year)],
        ),
        data("215", ' ', ' ', vec![sf('a', "256 с.")]),
    ];
    if let Some(a) = &s.annotation {
        fields.push(data("330", ' ', ' ', vec![sf('a', a.clone())]));
    }
    for &t in &s.topics {
        fields.push(data("606", '1', ' ', vec![sf('a', s.subject(t))]));
    }
    fields.push(data(
        "686",
        ' ',
        ' ',
        vec![sf('a', TOPICS[s.topics[0]].3), sf('2', "rubbk")],
    ));
    fields.push(data(
        "700",
        ' ',
        '1',
        vec![sf('a', s.surname.clone()), sf('g', s.forename.clone())],
    ));
    fields.extend(copy_fields(s));
    Record {
        leader: "00000nam0 2200000   450 ".to_owned(),
        fields,
        encoding: Encoding::Utf8,
        dialect: Dialect::Unimarc,
        warnings: vec![],
    }
}
