//! Reading a MARC 21 bibliographic record.

use kitap_marc::{Field, Record};

use super::common::{
    add_isbn, add_issn, add_languages, clean, clean_plain, empty_view, first, first_year, heading,
    is_bbk_source, joined, push_unique, says_electronic, value, values,
};
use super::{Author, AuthorKind, BibView, Publication, RecordType, Series};
use crate::punct::marked_nonfiling;

pub(super) fn view(record: &Record) -> BibView {
    let mut v = empty_view(
        record,
        record_type(record.leader_char(6), record.leader_char(7)),
    );
    title(record, &mut v);
    v.authors = authors(record);
    v.edition = first(record, "250", 'a');
    v.publication = publication(record);
    v.year = v
        .publication
        .iter()
        .find_map(|p| p.date.as_deref().and_then(first_year))
        .or_else(|| {
            record
                .control("008")
                .and_then(|f| f.get(7..11))
                .and_then(first_year)
        });
    v.extent = first(record, "300", 'a');
    v.series = series(record);
    identifiers(record, &mut v);
    if let Some(lang) = record.control("008").and_then(|f| f.get(35..38)) {
        add_languages(&mut v, lang);
    }
    for f in record.fields("041") {
        for s in f.subfields().iter().filter(|s| matches!(s.code, 'a' | 'd')) {
            add_languages(&mut v, &s.value);
        }
    }
    classification(record, &mut v);
    subjects(record, &mut v);
    v.annotation = first(record, "520", 'a');
    v.electronic = electronic(record);
    v.host_title = record.fields("773").find_map(|f| value(f, 't'));
    v
}

/// See [`BibView::electronic`]. 008/23 is the form of item only for books,
/// serials, music and mixed materials (leader/06 a, t, c, d, i, j, p).
fn electronic(record: &Record) -> bool {
    let printed_kind = matches!(
        record.leader_char(6),
        Some('a' | 't' | 'c' | 'd' | 'i' | 'j' | 'p')
    );
    let form = record.control("008").and_then(|f| f.chars().nth(23));
    if printed_kind && matches!(form, Some('o' | 'q' | 's')) {
        return true;
    }
    let carrier = |tag: &str, code: char| {
        record.fields(tag).any(|f| {
            f.subfields()
                .iter()
                .any(|s| s.code == code && says_electronic(&s.value))
        })
    };
    carrier("245", 'h') || carrier("300", 'a') || carrier("338", 'a') || carrier("533", 'a')
}

/// Leader/06-07 in MARC 21 terms.
pub(crate) fn record_type(kind: Option<char>, level: Option<char>) -> RecordType {
    match (kind.unwrap_or(' '), level.unwrap_or(' ')) {
        ('a', 'a' | 'b') => RecordType::Article,
        ('a', 'i' | 's') => RecordType::Serial,
        ('a', _) => RecordType::Book,
        ('t', _) => RecordType::Manuscript,
        ('c' | 'd' | 'j', _) => RecordType::Music,
        ('e' | 'f', _) => RecordType::Map,
        ('g' | 'i' | 'k', _) => RecordType::Audiovisual,
        ('m', _) => RecordType::Electronic,
        ('o' | 'p', _) => RecordType::Mixed,
        ('z', _) => RecordType::Authority,
        _ => RecordType::Other,
    }
}

fn title(record: &Record, v: &mut BibView) {
    if let Some(f) = record.fields("245").next() {
        let raw = f
            .subfield('a')
            .or_else(|| f.subfield('k'))
            .unwrap_or_default();
        v.title = clean(raw);
        let marked = marked_nonfiling(raw);
        v.title_nonfiling = match f {
            Field::Data { ind2, .. } if marked == 0 => ind2.to_digit(10).unwrap_or(0) as usize,
            _ => marked,
        };
        v.other_titles.extend(values(f, 'b'));
        v.responsibility = joined(f, &['c'], " ; ");
        v.part = joined(f, &['n', 'p'], ". ");
    }
    for f in record.fields("246") {
        if let Some(t) = value(f, 'a') {
            push_unique(&mut v.other_titles, t);
        }
    }
}

fn authors(record: &Record) -> Vec<Author> {
    let mut out = Vec::new();
    for (tags, main) in [
        (["100", "110", "111"], true),
        (["700", "710", "711"], false),
    ] {
        for f in record.fields.iter().filter(|f| tags.contains(&f.tag())) {
            if let Some(a) = author(f, main) {
                out.push(a);
            }
        }
    }
    out
}

fn author(f: &Field, main: bool) -> Option<Author> {
    let personal = f.tag().ends_with("00");
    let meeting = f.tag().ends_with("11");
    let name = if personal {
        joined(f, &['a', 'b'], " ")?
    } else if meeting {
        value(f, 'a')?
    } else {
        joined(f, &['a', 'b'], ". ")?
    };
    // 111/711 put the relator term in $j, because $e is the subordinate unit there.
    let term_code = if meeting { 'j' } else { 'e' };
    let role = joined(f, &[term_code], ", ").or_else(|| joined(f, &['4'], ", "));
    Some(Author {
        name,
        kind: if personal {
            AuthorKind::Personal
        } else {
            AuthorKind::Corporate
        },
        role,
        dates: value(f, 'd'),
        main,
    })
}

fn publication(record: &Record) -> Vec<Publication> {
    record
        .fields
        .iter()
        .filter(|f| match f {
            Field::Data { tag, ind2, .. } => tag == "260" || (tag == "264" && *ind2 == '1'),
            Field::Control { .. } => false,
        })
        .map(|f| Publication {
            place: value(f, 'a'),
            publisher: value(f, 'b'),
            date: value(f, 'c'),
        })
        .filter(|p| p.place.is_some() || p.publisher.is_some() || p.date.is_some())
        .collect()
}

fn series(record: &Record) -> Vec<Series> {
    let mut out: Vec<Series> = Vec::new();
    for f in record
        .fields
        .iter()
        .filter(|f| matches!(f.tag(), "490" | "440" | "830"))
    {
        let Some(title) = value(f, 'a') else { continue };
        // 490 and its traced 830 usually name the same series twice.
        if out.iter().any(|s| s.title == title) {
            continue;
        }
        out.push(Series {
            title,
            number: value(f, 'v'),
        });
    }
    out
}

fn identifiers(record: &Record, v: &mut BibView) {
    for f in record.fields("020") {
        for s in f.subfields() {
            match s.code {
                'a' => add_isbn(v, &s.value, false),
                'z' => add_isbn(v, &s.value, true),
                _ => {}
            }
        }
    }
    for f in record.fields("022") {
        for s in f.subfields().iter().filter(|s| s.code == 'a') {
            add_issn(v, &s.value);
        }
    }
    v.control_source = record.control("003").and_then(clean_plain);
    for f in record.fields("035") {
        for s in f.subfields().iter().filter(|s| s.code == 'a') {
            if let Some(n) = clean_plain(&s.value) {
                push_unique(&mut v.system_numbers, n);
            }
        }
    }
}

fn classification(record: &Record, v: &mut BibView) {
    for f in record.fields("080") {
        v.udc.extend(
            f.subfields()
                .iter()
                .filter(|s| s.code == 'a')
                .filter_map(|s| clean_plain(&s.value)),
        );
    }
    for f in record.fields("084") {
        if f.subfield('2').is_some_and(is_bbk_source) {
            v.bbk.extend(
                f.subfields()
                    .iter()
                    .filter(|s| s.code == 'a')
                    .filter_map(|s| clean_plain(&s.value)),
            );
        }
    }
}

fn subjects(record: &Record, v: &mut BibView) {
    for f in record
        .fields
        .iter()
        .filter(|f| matches!(f.tag(), "600" | "610" | "611" | "630" | "650" | "651"))
    {
        if let Some(h) = heading(f, None, &['v', 'x', 'y', 'z']) {
            push_unique(&mut v.subjects, h);
        }
    }
    for f in record.fields("653") {
        for k in values(f, 'a') {
            push_unique(&mut v.keywords, k);
        }
    }
}
