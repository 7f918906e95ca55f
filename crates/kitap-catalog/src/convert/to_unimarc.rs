//! MARC 21 -> RUSMARC.

use kitap_marc::{Dialect, Field, Record, Subfield};

use super::fixed::{self, leader_to_unimarc};
use super::names;
use super::{
    apply, control_copy, data, indicators, rename, simple, sub, Conversion, Out, Simple, Text,
};
use crate::embedded::header;
use crate::punct::trim_isbd;

const SIMPLE: &[Simple] = &[
    simple("017", "021", (' ', ' '), &[('a', 'b')], Text::Plain),
    simple(
        "022",
        "011",
        (' ', ' '),
        &[('a', 'a'), ('y', 'y'), ('z', 'z')],
        Text::Plain,
    ),
    simple(
        "035",
        "035",
        (' ', ' '),
        &[('a', 'a'), ('z', 'z')],
        Text::Plain,
    ),
    simple(
        "050",
        "680",
        (' ', ' '),
        &[('a', 'a'), ('b', 'b')],
        Text::Plain,
    ),
    simple(
        "080",
        "675",
        (' ', ' '),
        &[('a', 'a'), ('2', 'v')],
        Text::Plain,
    ),
    simple(
        "082",
        "676",
        (' ', ' '),
        &[('a', 'a'), ('2', 'v')],
        Text::Plain,
    ),
    simple(
        "084",
        "686",
        (' ', ' '),
        &[('a', 'a'), ('b', 'b'), ('2', '2')],
        Text::Plain,
    ),
    simple(
        "246",
        "517",
        ('1', ' '),
        &[('a', 'a'), ('b', 'e')],
        Text::Isbd,
    ),
    simple(
        "250",
        "205",
        (' ', ' '),
        &[('a', 'a'), ('b', 'f')],
        Text::Isbd,
    ),
    simple(
        "300",
        "215",
        (' ', ' '),
        &[('a', 'a'), ('b', 'c'), ('c', 'd'), ('e', 'e')],
        Text::Isbd,
    ),
    simple("500", "300", (' ', ' '), &[('a', 'a')], Text::Plain),
    simple("504", "320", (' ', ' '), &[('a', 'a')], Text::Plain),
    simple("520", "330", (' ', ' '), &[('a', 'a')], Text::Plain),
    simple("653", "610", ('0', ' '), &[('a', 'a')], Text::Isbd),
];

/// MARC 21 260/264 and UNIMARC 210/214 subfields.
const IMPRINT: &[(char, char)] = &[
    ('a', 'a'),
    ('b', 'c'),
    ('c', 'd'),
    ('e', 'e'),
    ('f', 'g'),
    ('g', 'h'),
];

/// MARC 21 041 -> UNIMARC 101 subfields.
const LANGUAGES: &[(char, char)] = &[
    ('a', 'a'),
    ('b', 'd'),
    ('d', 'a'),
    ('e', 'h'),
    ('f', 'e'),
    ('g', 'i'),
    ('h', 'c'),
    ('j', 'j'),
    ('k', 'b'),
];

/// Subject subdivisions: MARC 21 $y is chronological and $z geographic,
/// UNIMARC the other way round; form is $v in one and $j in the other.
const SUBDIVISIONS: &[(char, char)] = &[('v', 'j'), ('x', 'x'), ('y', 'z'), ('z', 'y')];

pub(super) fn convert(record: &Record) -> Conversion {
    let mut out = Out::default();
    for f in &record.fields {
        let tag = f.tag();
        if let Some(converted) = apply(SIMPLE, f) {
            out.push(converted);
            continue;
        }
        match tag {
            "001" | "005" => out.push(control_copy(f)),
            "008" => {}
            "020" => out.push(isbn(f)),
            "040" => out.fields.extend(agencies(f)),
            "041" => out.push(languages(f, record)),
            "100" | "700" => out.push(person(f, tag == "100")),
            "110" | "111" | "710" | "711" => out.push(corporate(f, tag.starts_with('1'))),
            "245" => out.push(title(f)),
            "260" | "264" => out.push(imprint(f)),
            "440" | "490" => out.push(series(f)),
            "830" => out.push(data(
                "410",
                ' ',
                '1',
                rename(f, &[('a', 't'), ('v', 'v'), ('x', 'x')], Text::Isbd),
            )),
            "600" | "610" | "611" | "630" | "650" | "651" | "655" => out.push(subject(f)),
            _ => out.drop_tag(tag),
        }
    }
    fixed_fields(record, &mut out);
    out.finish(leader_to_unimarc(&record.leader), Dialect::Unimarc)
}

fn fixed_fields(record: &Record, out: &mut Out) {
    let title = record.first_subfield("245", 'a').unwrap_or_default();
    let f008 = record.control("008").unwrap_or_default();
    let fixed = fixed::from_008(
        f008,
        fixed::script_of(title),
        record.first_subfield("040", 'b'),
    );
    out.push(data(
        "100",
        ' ',
        ' ',
        sub('a', &fixed.general).into_iter().collect(),
    ));
    if record.fields("041").next().is_none() {
        if let Some(lang) = &fixed.language {
            out.push(data("101", '0', ' ', sub('a', lang).into_iter().collect()));
        }
    }
    if let Some(country) = &fixed.country {
        out.push(data(
            "102",
            ' ',
            ' ',
            sub('a', country).into_iter().collect(),
        ));
    }
}

/// 020 -> 010. Older records keep the qualifier in $a ("5-02-013850-8
/// (в пер.)"); UNIMARC has $b for it.
fn isbn(f: &Field) -> Option<Field> {
    let mut subs = Vec::new();
    for s in f.subfields() {
        match s.code {
            'a' => {
                let value = s.value.trim();
                let split = value
                    .find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | 'x' | 'X')))
                    .unwrap_or(value.len());
                let (number, rest) = value.split_at(split);
                subs.extend(sub('a', number));
                subs.extend(sub(
                    'b',
                    rest.trim_matches(|c: char| matches!(c, '(' | ')' | ':' | ';' | ' ')),
                ));
            }
            'q' => subs.extend(sub('b', s.value.trim_matches(['(', ')', ' ']))),
            'c' => subs.extend(sub('d', &trim_isbd(&s.value))),
            'z' => subs.extend(sub('z', &s.value)),
            _ => {}
        }
    }
    data("010", ' ', ' ', subs)
}

/// 040 -> 801: original ($a), transcribing ($c) and modifying ($d) agencies.
fn agencies(f: &Field) -> Vec<Field> {
    f.subfields()
        .iter()
        .filter_map(|s| {
            let function = match s.code {
                'a' => '0',
                'c' => '1',
                'd' => '2',
                _ => return None,
            };
            data(
                "801",
                ' ',
                function,
                sub('b', &s.value).into_iter().collect(),
            )
        })
        .collect()
}

/// 041 -> 101, splitting pre-2001 strings of codes ("engkaz"); the 008
/// language goes first if 041 forgot it.
fn languages(f: &Field, record: &Record) -> Option<Field> {
    let mut subs: Vec<Subfield> = Vec::new();
    for s in f.subfields() {
        let Some(to) = LANGUAGES
            .iter()
            .find(|(from, _)| *from == s.code)
            .map(|p| p.1)
        else {
            continue;
        };
        let value = s.value.trim();
        let codes: Vec<&str> = if value.len().is_multiple_of(3) && value.is_ascii() {
            (0..value.len() / 3)
                .filter_map(|i| value.get(i * 3..i * 3 + 3))
                .collect()
        } else {
            vec![value]
        };
        subs.extend(codes.into_iter().filter_map(|c| sub(to, c)));
    }
    // 008/35-37 is the predominant language, which UNIMARC puts first.
    let fixed_lang = record.control("008").and_then(|v| v.get(35..38));
    if let Some(lang) = fixed_lang.filter(|l| l.chars().all(|c| c.is_ascii_lowercase())) {
        subs.retain(|s| !(s.code == 'a' && s.value == lang));
        subs.splice(0..0, sub('a', lang));
    }
    let ind1 = if indicators(f).0 == '1' { '1' } else { '0' };
    data("101", ind1, ' ', subs)
}

fn person(f: &Field, main: bool) -> Option<Field> {
    let (form, subs) = names::person_to_unimarc(f);
    let tag = match (main, names::is_secondary(f)) {
        (true, _) => "700",
        (false, false) => "701",
        (false, true) => "702",
    };
    data(tag, ' ', form, subs)
}

fn corporate(f: &Field, main: bool) -> Option<Field> {
    let meeting = f.tag().ends_with("11");
    let tag = match (main, names::is_secondary(f)) {
        (true, _) => "710",
        (false, false) => "711",
        (false, true) => "712",
    };
    data(
        tag,
        if meeting { '1' } else { '0' },
        '2',
        names::corporate(f, true),
    )
}

/// 245 -> 200. The non-filing count becomes UNIMARC's NSB/NSE markers.
fn title(f: &Field) -> Option<Field> {
    let (ind1, ind2) = indicators(f);
    let skip = ind2.to_digit(10).unwrap_or(0) as usize;
    let mut subs = Vec::new();
    for s in f.subfields() {
        let value = trim_isbd(&s.value);
        match s.code {
            'a' if skip > 0 && !value.starts_with('\u{88}') && value.chars().count() > skip => {
                let head: String = value.chars().take(skip).collect();
                let tail: String = value.chars().skip(skip).collect();
                subs.extend(sub('a', &format!("\u{88}{head}\u{89}{tail}")));
            }
            'a' => subs.extend(sub('a', &value)),
            'b' => subs.extend(sub('e', &value)),
            'c' => {
                let mut parts = value.split(" ; ").map(trim_isbd);
                subs.extend(parts.next().and_then(|p| sub('f', &p)));
                subs.extend(parts.filter_map(|p| sub('g', &p)));
            }
            'h' => subs.extend(sub('b', value.trim_matches(['[', ']']))),
            'n' => subs.extend(sub('h', &value)),
            'p' => subs.extend(sub('i', &value)),
            _ => {}
        }
    }
    data("200", if ind1 == '0' { '0' } else { '1' }, ' ', subs)
}

/// 260 and 264 _1 -> 210; other 264s (production, copyright...) -> 214,
/// which UNIMARC modelled on 264 with the same second indicator.
fn imprint(f: &Field) -> Option<Field> {
    let (_, ind2) = indicators(f);
    let subs = rename(f, IMPRINT, Text::Isbd);
    if f.tag() == "264" && ind2 != '1' {
        return data("214", ' ', ind2, subs);
    }
    data("210", ' ', ' ', subs)
}

/// 490/440 -> 225; the first indicator says whether the form is the
/// authorised one (490 1: traced differently; 440: traced as is).
fn series(f: &Field) -> Option<Field> {
    let ind1 = match (f.tag(), indicators(f).0) {
        ("440", _) => '2',
        (_, '1') => '0',
        _ => '1',
    };
    data(
        "225",
        ind1,
        ' ',
        rename(f, &[('a', 'a'), ('v', 'v'), ('x', 'x')], Text::Isbd),
    )
}

fn subject(f: &Field) -> Option<Field> {
    let (_, thesaurus) = indicators(f);
    let (to, ind1, ind2, mut subs) = match f.tag() {
        "600" => {
            let (form, mut subs) = names::person_to_unimarc(f);
            subs.retain(|s| s.code != '4');
            ("600", ' ', form, subs)
        }
        "610" | "611" => {
            let ind1 = if f.tag() == "611" { '1' } else { '0' };
            ("601", ind1, '2', names::corporate(f, true))
        }
        "630" => ("605", ' ', ' ', rename(f, &[('a', 'a')], Text::Isbd)),
        "651" => ("607", ' ', ' ', rename(f, &[('a', 'a')], Text::Isbd)),
        "655" => ("608", ' ', ' ', rename(f, &[('a', 'a')], Text::Isbd)),
        _ => ("606", ' ', ' ', rename(f, &[('a', 'a')], Text::Isbd)),
    };
    if f.subfield('t').is_some() && matches!(to, "600" | "601") {
        // A name/title subject is UNIMARC 604: the name and a title, each
        // embedded as a field of its own.
        let name_tag = if to == "600" { "700" } else { "710" };
        let mut embedded_subs = vec![header(name_tag, ind1, ind2)];
        embedded_subs.append(&mut subs);
        embedded_subs.push(header("500", '1', '0'));
        embedded_subs.extend(rename(f, &[('t', 'a')], Text::Isbd));
        return subject_tail(f, thesaurus, "604", (' ', ' '), embedded_subs);
    }
    subject_tail(f, thesaurus, to, (ind1, ind2), subs)
}

/// Subdivisions and the thesaurus, shared by every subject field.
fn subject_tail(
    f: &Field,
    thesaurus: char,
    to: &str,
    ind: (char, char),
    mut subs: Vec<Subfield>,
) -> Option<Field> {
    subs.extend(rename(f, SUBDIVISIONS, Text::Isbd));
    match thesaurus {
        '0' => subs.extend(sub('2', "lcsh")),
        '7' => subs.extend(f.subfield('2').and_then(|s| sub('2', s))),
        _ => {}
    }
    data(to, ind.0, ind.1, subs)
}
