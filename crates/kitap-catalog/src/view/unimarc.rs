//! Reading a UNIMARC / RUSMARC record, including the IRBIS native
//! variants kz-domain.md §1.2 lists (200$v volume, 331 annotation, 621 BBK).

use kitap_marc::{Field, Record};

use super::common::{
    add_isbn, add_issn, add_languages, clean, clean_plain, empty_view, first, first_year, heading,
    is_bbk_source, joined, push_unique, says_electronic, value, values,
};
use super::{Author, AuthorKind, BibView, Publication, RecordType, Series};
use crate::embedded::embedded;
use crate::punct::marked_nonfiling;
use crate::relator;

pub(super) fn view(record: &Record) -> BibView {
    let mut v = empty_view(
        record,
        record_type(record.leader_char(6), record.leader_char(7)),
    );
    title(record, &mut v);
    v.authors = authors(record);
    v.edition = first(record, "205", 'a');
    v.publication = publication(record);
    v.year = v
        .publication
        .iter()
        .find_map(|p| p.date.as_deref().and_then(first_year))
        .or_else(|| {
            record
                .first_subfield("100", 'a')
                .and_then(|a| a.get(9..13))
                .and_then(first_year)
        });
    v.extent = first(record, "215", 'a');
    v.series = series(record);
    identifiers(record, &mut v);
    for f in record.fields("101") {
        match f {
            // IRBIS writes some fields without subfields; 101 is then the bare code.
            Field::Control { value, .. } => add_languages(&mut v, value),
            Field::Data { subfields, .. } => subfields
                .iter()
                .filter(|s| s.code == 'a')
                .for_each(|s| add_languages(&mut v, &s.value)),
        }
    }
    classification(record, &mut v);
    subjects(record, &mut v);
    v.annotation = first(record, "330", 'a').or_else(|| first(record, "331", 'a'));
    v.electronic = record.fields("135").next().is_some()
        || record.fields("230").next().is_some()
        || record.fields("200").any(|f| {
            f.subfields()
                .iter()
                .any(|s| s.code == 'b' && says_electronic(&s.value))
        });
    v.host_title = record
        .fields("461")
        .find_map(|f| linked_title(f).map(|(title, _)| title));
    v
}

/// Leader/06-07 in UNIMARC terms (which differ from MARC 21: 'b' is a
/// manuscript, 'l' electronic, 'm' multimedia, 'x'-'z' authority).
pub(crate) fn record_type(kind: Option<char>, level: Option<char>) -> RecordType {
    match (kind.unwrap_or(' '), level.unwrap_or(' ')) {
        ('a', 'a') => RecordType::Article,
        ('a', 'i' | 's') => RecordType::Serial,
        ('a', _) => RecordType::Book,
        ('b', _) => RecordType::Manuscript,
        ('c' | 'd' | 'j', _) => RecordType::Music,
        ('e' | 'f', _) => RecordType::Map,
        ('g' | 'i' | 'k', _) => RecordType::Audiovisual,
        ('l', _) => RecordType::Electronic,
        ('m', _) => RecordType::Mixed,
        ('x' | 'y' | 'z', _) => RecordType::Authority,
        _ => RecordType::Other,
    }
}

fn title(record: &Record, v: &mut BibView) {
    if let Some(f) = record.fields("200").next() {
        let raw = f.subfield('a').unwrap_or_default();
        v.title = clean(raw);
        v.title_nonfiling = marked_nonfiling(raw);
        v.other_titles.extend(values(f, 'e'));
        v.other_titles.extend(values(f, 'd'));
        let mut resp: Vec<String> = values(f, 'f').collect();
        resp.extend(values(f, 'g'));
        v.responsibility = (!resp.is_empty()).then(|| resp.join(" ; "));
        v.part = joined(f, &['h', 'i', 'v'], ". ");
    }
    for f in record
        .fields
        .iter()
        .filter(|f| matches!(f.tag(), "510" | "517"))
    {
        if let Some(t) = value(f, 'a') {
            push_unique(&mut v.other_titles, t);
        }
    }
}

fn authors(record: &Record) -> Vec<Author> {
    let mut out = Vec::new();
    for f in &record.fields {
        let (kind, main) = match f.tag() {
            "700" => (AuthorKind::Personal, true),
            "701" | "702" => (AuthorKind::Personal, false),
            "710" => (AuthorKind::Corporate, true),
            "711" | "712" => (AuthorKind::Corporate, false),
            _ => continue,
        };
        let name = match kind {
            AuthorKind::Personal => person_name(f),
            AuthorKind::Corporate => joined(f, &['a', 'b'], ". "),
        };
        let Some(name) = name else { continue };
        let role = joined(f, &['4'], ", ").map(|codes| {
            codes
                .split(", ")
                .map(|c| relator::marc21_from_unimarc(c).unwrap_or(c))
                .collect::<Vec<_>>()
                .join(", ")
        });
        out.push(Author {
            name,
            kind,
            role,
            dates: value(f, 'f'),
            main,
        });
    }
    out
}

/// "Entry element, forenames": $g (the full forenames) when present, else
/// $b (initials); $d (roman numerals) follows.
pub(crate) fn person_name(f: &Field) -> Option<String> {
    let entry = value(f, 'a')?;
    let rest = value(f, 'g').or_else(|| value(f, 'b'));
    let mut name = match rest {
        Some(r) => format!("{entry}, {r}"),
        None => entry,
    };
    if let Some(numeration) = value(f, 'd') {
        name = format!("{name} {numeration}");
    }
    Some(name)
}

fn publication(record: &Record) -> Vec<Publication> {
    record
        .fields
        .iter()
        .filter(|f| matches!(f.tag(), "210" | "214"))
        .map(|f| Publication {
            place: value(f, 'a'),
            publisher: value(f, 'c'),
            date: value(f, 'd'),
        })
        .filter(|p| p.place.is_some() || p.publisher.is_some() || p.date.is_some())
        .collect()
}

fn series(record: &Record) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for f in record
        .fields
        .iter()
        .filter(|f| matches!(f.tag(), "225" | "410"))
    {
        let found = if f.tag() == "225" {
            value(f, 'a').map(|t| (t, value(f, 'v')))
        } else {
            linked_title(f)
        };
        let Some((title, number)) = found else {
            continue;
        };
        if !out.iter().any(|s| s.title == title) {
            out.push(Series { title, number });
        }
    }
    out
}

/// A 4XX link: standard subfields ($t title, $v volume) or the older
/// embedded-field form ("$1" "2001 " then the 200's own $a).
fn linked_title(f: &Field) -> Option<(String, Option<String>)> {
    if let Some(t) = value(f, 't') {
        return Some((t, value(f, 'v')));
    }
    let parts = embedded(f);
    let title_field = parts.iter().find(|p| p.tag() == "200")?;
    let title = value(title_field, 'a')?;
    let number = parts.iter().find_map(|p| value(p, 'v'));
    Some((title, number))
}

/// A 604 name/title subject: the embedded name and title, read in order.
fn name_title(f: &Field) -> Option<String> {
    let pieces: Vec<String> = embedded(f)
        .iter()
        .filter_map(|part| match part.tag().get(..2) {
            Some("70") | Some("72") => person_heading(part),
            Some("71") => joined(part, &['a', 'b'], " "),
            Some(t) if t.starts_with('5') => value(part, 'a'),
            _ => None,
        })
        .collect();
    (!pieces.is_empty()).then(|| pieces.join(" "))
}

/// Name, additions ($c) and dates, as a MARC 21 600 reads in order.
fn person_heading(f: &Field) -> Option<String> {
    person_name(f).map(|n| {
        let extra = values(f, 'c').chain(values(f, 'f'));
        std::iter::once(n)
            .chain(extra)
            .collect::<Vec<_>>()
            .join(" ")
    })
}

fn identifiers(record: &Record, v: &mut BibView) {
    for f in record.fields("010") {
        for s in f.subfields() {
            match s.code {
                'a' => add_isbn(v, &s.value, false),
                'z' => add_isbn(v, &s.value, true),
                _ => {}
            }
        }
    }
    for f in record.fields("011") {
        for s in f.subfields().iter().filter(|s| s.code == 'a') {
            add_issn(v, &s.value);
        }
    }
    for f in record.fields("035") {
        for s in f.subfields().iter().filter(|s| s.code == 'a') {
            if let Some(n) = clean_plain(&s.value) {
                push_unique(&mut v.system_numbers, n);
            }
        }
    }
}

fn classification(record: &Record, v: &mut BibView) {
    let a_values = |f: &Field| -> Vec<String> {
        f.subfields()
            .iter()
            .filter(|s| s.code == 'a')
            .filter_map(|s| clean_plain(&s.value))
            .collect()
    };
    for f in record.fields("675") {
        v.udc.extend(a_values(f));
    }
    for f in &record.fields {
        let is_bbk = match f.tag() {
            "686" => f.subfield('2').is_some_and(is_bbk_source),
            // IRBIS native keeps BBK in 621 (marc_irb.fst: 686$2rubbk -> 621).
            // 689, which the guide also names, is RUSMARC *authority*
            // format, so bibliographic records are not read for it.
            "621" => true,
            _ => false,
        };
        if is_bbk {
            for b in a_values(f) {
                push_unique(&mut v.bbk, b);
            }
        }
    }
}

fn subjects(record: &Record, v: &mut BibView) {
    const SUBDIVISIONS: &[char] = &['j', 'x', 'y', 'z'];
    for f in record.fields.iter().filter(|f| {
        let t = f.tag();
        t.len() == 3
            && t.starts_with("60")
            && t.as_bytes()
                .get(2)
                .is_some_and(|b| (b'0'..=b'8').contains(b))
    }) {
        let main = match f.tag() {
            "600" => person_heading(f),
            "604" => name_title(f),
            _ => None,
        };
        if let Some(h) = heading(f, main, SUBDIVISIONS) {
            push_unique(&mut v.subjects, h);
        }
    }
    for f in record.fields("610") {
        for k in values(f, 'a') {
            push_unique(&mut v.keywords, k);
        }
    }
}
