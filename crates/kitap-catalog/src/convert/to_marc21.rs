//! RUSMARC (and the IRBIS native variants: 200$v, 331, 621) -> MARC 21.

use kitap_marc::{Dialect, Field, Record, Subfield};

use super::fixed::{self, leader_to_marc21};
use super::names;
use super::{
    apply, control_copy, data, indicators, rename, simple, sub, Conversion, Out, Simple, Text,
};
use crate::embedded::embedded;
use crate::punct::strip_sort_markers;

const SIMPLE: &[Simple] = &[
    simple(
        "010",
        "020",
        (' ', ' '),
        &[('a', 'a'), ('b', 'q'), ('d', 'c'), ('z', 'z')],
        Text::Plain,
    ),
    simple(
        "011",
        "022",
        (' ', ' '),
        &[('a', 'a'), ('y', 'y'), ('z', 'z')],
        Text::Plain,
    ),
    simple("021", "017", (' ', ' '), &[('b', 'a')], Text::Plain),
    simple(
        "035",
        "035",
        (' ', ' '),
        &[('a', 'a'), ('z', 'z')],
        Text::Plain,
    ),
    simple(
        "205",
        "250",
        (' ', ' '),
        &[('a', 'a'), ('f', 'b')],
        Text::Plain,
    ),
    simple(
        "215",
        "300",
        (' ', ' '),
        &[('a', 'a'), ('c', 'b'), ('d', 'c'), ('e', 'e')],
        Text::Plain,
    ),
    simple(
        "225",
        "490",
        ('0', ' '),
        &[('a', 'a'), ('v', 'v'), ('x', 'x')],
        Text::Plain,
    ),
    simple("300", "500", (' ', ' '), &[('a', 'a')], Text::Plain),
    simple("320", "504", (' ', ' '), &[('a', 'a')], Text::Plain),
    simple("330", "520", (' ', ' '), &[('a', 'a')], Text::Plain),
    simple("331", "520", (' ', ' '), &[('a', 'a')], Text::Plain),
    simple("510", "246", ('1', '1'), &[('a', 'a')], Text::Plain),
    simple(
        "517",
        "246",
        ('1', ' '),
        &[('a', 'a'), ('e', 'b')],
        Text::Plain,
    ),
    simple("610", "653", (' ', ' '), &[('a', 'a')], Text::Plain),
    simple(
        "675",
        "080",
        (' ', ' '),
        &[('a', 'a'), ('v', '2')],
        Text::Plain,
    ),
    simple(
        "676",
        "082",
        (' ', ' '),
        &[('a', 'a'), ('v', '2')],
        Text::Plain,
    ),
    simple(
        "680",
        "050",
        (' ', ' '),
        &[('a', 'a'), ('b', 'b')],
        Text::Plain,
    ),
    simple(
        "686",
        "084",
        (' ', ' '),
        &[('a', 'a'), ('b', 'b'), ('2', '2')],
        Text::Plain,
    ),
];

const IMPRINT: &[(char, char)] = &[
    ('a', 'a'),
    ('c', 'b'),
    ('d', 'c'),
    ('e', 'e'),
    ('g', 'f'),
    ('h', 'g'),
];

const LANGUAGES: &[(char, char)] = &[
    ('a', 'a'),
    ('b', 'k'),
    ('c', 'h'),
    ('d', 'b'),
    ('e', 'f'),
    ('h', 'e'),
    ('i', 'g'),
    ('j', 'j'),
];

const SUBDIVISIONS: &[(char, char)] = &[('j', 'v'), ('x', 'x'), ('y', 'z'), ('z', 'y')];

pub(super) fn convert(record: &Record) -> Conversion {
    let mut out = Out::default();
    // MARC 21 has one main entry: the first 700 or 710 becomes 100/110/111.
    let main_tag = record
        .fields
        .iter()
        .map(Field::tag)
        .find(|t| matches!(*t, "700" | "710"));
    let mut main_used = false;
    for f in &record.fields {
        let tag = f.tag();
        if let Some(converted) = apply(SIMPLE, f) {
            out.push(converted);
            continue;
        }
        match tag {
            "001" | "005" => out.push(control_copy(f)),
            "100" | "102" => {}
            "101" => out.push(languages(f)),
            "200" => out.push(title(f, main_tag.is_some())),
            "210" | "214" => out.push(imprint(f)),
            "410" => out.push(linked_series(f)),
            "600" | "601" | "604" | "605" | "606" | "607" | "608" => out.push(subject(f)),
            "621" => {
                let mut subs = rename(f, &[('a', 'a')], Text::Plain);
                subs.extend(sub('2', "rubbk"));
                out.push(data("084", ' ', ' ', subs));
            }
            "700" | "701" | "702" | "710" | "711" | "712" => {
                let main = !main_used && Some(tag) == main_tag;
                main_used |= main;
                out.push(if tag.starts_with("70") {
                    person(f, main)
                } else {
                    corporate(f, main)
                });
            }
            "801" => {}
            _ => out.drop_tag(tag),
        }
    }
    out.push(agencies(record));
    out.push(fixed_field(record));
    out.finish(leader_to_marc21(&record.leader), Dialect::Marc21)
}

fn fixed_field(record: &Record) -> Option<Field> {
    let general = record.first_subfield("100", 'a').unwrap_or_default();
    let language = record.fields("101").find_map(|f| match f {
        Field::Control { value, .. } => Some(value.as_str()),
        Field::Data { .. } => f.subfield('a'),
    });
    let country = record.first_subfield("102", 'a');
    Some(Field::Control {
        tag: "008".into(),
        value: fixed::to_008(general, language, country),
    })
}

/// 801 -> one 040: $a original, $c transcribing, $d modifying agencies;
/// $b the cataloguing language from 100$a/22-24.
fn agencies(record: &Record) -> Option<Field> {
    let mut subs = Vec::new();
    for function in ['0', '1', '2'] {
        let code = match function {
            '0' => 'a',
            '1' => 'c',
            _ => 'd',
        };
        for f in record.fields("801").filter(|f| indicators(f).1 == function) {
            subs.extend(f.subfield('b').and_then(|b| sub(code, b)));
        }
    }
    if subs.is_empty() {
        return None;
    }
    let lang = record
        .first_subfield("100", 'a')
        .and_then(|a| a.get(22..25))
        .filter(|l| l.chars().all(|c| c.is_ascii_lowercase()));
    if let Some(l) = lang {
        subs.extend(sub('b', l));
    }
    subs.sort_by_key(|s| s.code);
    data("040", ' ', ' ', subs)
}

fn languages(f: &Field) -> Option<Field> {
    let subs = match f {
        // IRBIS: a bare code without subfields.
        Field::Control { value, .. } => sub('a', value).into_iter().collect(),
        Field::Data { .. } => rename(f, LANGUAGES, Text::Plain),
    };
    let ind1 = if matches!(indicators(f).0, '1' | '2') {
        '1'
    } else {
        '0'
    };
    data("041", ind1, ' ', subs)
}

/// 200 -> 245. NSB/NSE markers become the non-filing indicator; other
/// title information and parallel titles share $b, responsibility $c.
fn title(f: &Field, has_main_entry: bool) -> Option<Field> {
    let mut subs: Vec<Subfield> = Vec::new();
    let mut nonfiling = 0;
    let mut other: Vec<String> = Vec::new();
    let mut parallel: Vec<String> = Vec::new();
    let mut responsibility: Vec<String> = Vec::new();
    for s in f.subfields() {
        let value = strip_sort_markers(&s.value);
        match s.code {
            'a' if subs.iter().all(|x| x.code != 'a') => {
                nonfiling = crate::punct::marked_nonfiling(&s.value).min(9);
                subs.extend(sub('a', &value));
            }
            'e' => other.push(value),
            'd' => parallel.push(value),
            'f' | 'g' => responsibility.push(value),
            'b' => subs.extend(sub('h', &value)),
            _ => {}
        }
    }
    let mut b = other.join(" : ");
    if !parallel.is_empty() {
        let joined = parallel.join(" = ");
        b = if b.is_empty() {
            joined
        } else {
            format!("{b} = {joined}")
        };
    }
    subs.extend(sub('b', &b));
    subs.extend(sub('c', &responsibility.join(" ; ")));
    subs.extend(rename(
        f,
        &[('h', 'n'), ('v', 'n'), ('i', 'p')],
        Text::Plain,
    ));
    let ind1 = if has_main_entry { '1' } else { '0' };
    let ind2 = char::from_digit(nonfiling as u32, 10).unwrap_or('0');
    data("245", ind1, ind2, subs)
}

fn imprint(f: &Field) -> Option<Field> {
    let subs = rename(f, IMPRINT, Text::Plain);
    if f.tag() == "214" {
        return data("264", ' ', indicators(f).1, subs);
    }
    data("260", ' ', ' ', subs)
}

/// 410 -> 830, from standard subfields ($t) or the embedded 200$a.
fn linked_series(f: &Field) -> Option<Field> {
    let mut subs = rename(f, &[('t', 'a')], Text::Plain);
    let parts = embedded(f);
    if subs.is_empty() {
        let title = parts
            .iter()
            .find(|p| p.tag() == "200")
            .and_then(|p| p.subfield('a'));
        subs.extend(title.and_then(|t| sub('a', t)));
    }
    if subs.is_empty() {
        return None;
    }
    subs.extend(rename(f, &[('v', 'v'), ('x', 'x')], Text::Plain));
    data("830", ' ', '0', subs)
}

/// 604 (embedded name + title) -> 600/610 with $t.
fn name_title(f: &Field) -> Option<(&'static str, char, Vec<Subfield>)> {
    let parts = embedded(f);
    let name = parts.iter().find(|p| p.tag().starts_with('7'))?;
    let (tag, ind1, mut subs) = if name.tag().starts_with("71") {
        ("610", '2', names::corporate(name, false))
    } else {
        let (ind1, subs) = names::person_to_marc21(name);
        ("600", ind1, subs)
    };
    subs.retain(|s| s.code != '4');
    let title = parts
        .iter()
        .find(|p| p.tag().starts_with('5'))
        .and_then(|p| p.subfield('a'));
    subs.extend(title.and_then(|t| sub('t', t)));
    Some((tag, ind1, subs))
}

fn person(f: &Field, main: bool) -> Option<Field> {
    let (ind1, subs) = names::person_to_marc21(f);
    data(if main { "100" } else { "700" }, ind1, ' ', subs)
}

fn corporate(f: &Field, main: bool) -> Option<Field> {
    let meeting = indicators(f).0 == '1';
    let tag = match (main, meeting) {
        (true, true) => "111",
        (true, false) => "110",
        (false, true) => "711",
        (false, false) => "710",
    };
    data(tag, '2', ' ', names::corporate(f, false))
}

fn subject(f: &Field) -> Option<Field> {
    let (to, ind1, mut subs) = match f.tag() {
        "600" => {
            let (ind1, mut subs) = names::person_to_marc21(f);
            subs.retain(|s| s.code != '4');
            ("600", ind1, subs)
        }
        "601" => {
            let meeting = indicators(f).0 == '1';
            (
                if meeting { "611" } else { "610" },
                '2',
                names::corporate(f, false),
            )
        }
        "604" => name_title(f)?,
        "605" => ("630", '0', rename(f, &[('a', 'a')], Text::Plain)),
        "607" => ("651", ' ', rename(f, &[('a', 'a')], Text::Plain)),
        "608" => ("655", ' ', rename(f, &[('a', 'a')], Text::Plain)),
        _ => ("650", ' ', rename(f, &[('a', 'a')], Text::Plain)),
    };
    subs.extend(rename(f, SUBDIVISIONS, Text::Plain));
    let ind2 = match f.subfield('2').map(str::trim) {
        Some("lcsh") => '0',
        Some(source) => {
            subs.extend(sub('2', source));
            '7'
        }
        None => '4',
    };
    data(to, ind1, ind2, subs)
}
