//! What both readings share: cleaning values, identifiers, years,
//! languages, subject headings.

use kitap_domain::{Isbn, Issn};
use kitap_marc::{Field, Record};

use super::{BibView, RecordType};
use crate::punct::{strip_sort_markers, trim_isbd};

/// An empty view for `record` with its leader-derived parts filled in.
pub(super) fn empty_view(record: &Record, record_type: RecordType) -> BibView {
    BibView {
        record_type,
        bibliographic_level: record.leader_char(7).unwrap_or(' '),
        title: None,
        title_nonfiling: 0,
        other_titles: Vec::new(),
        responsibility: None,
        part: None,
        authors: Vec::new(),
        edition: None,
        publication: Vec::new(),
        year: None,
        extent: None,
        series: Vec::new(),
        isbns: Vec::new(),
        invalid_isbns: Vec::new(),
        issns: Vec::new(),
        invalid_issns: Vec::new(),
        languages: Vec::new(),
        udc: Vec::new(),
        bbk: Vec::new(),
        subjects: Vec::new(),
        keywords: Vec::new(),
        annotation: None,
        control_number: record.control("001").and_then(clean_plain),
        control_source: None,
        system_numbers: Vec::new(),
        electronic: false,
        host_title: None,
        record_version: record.control("005").and_then(clean_plain),
    }
}

/// Whether a general material designation or carrier term names an
/// electronic resource ("[electronic resource]", "[Электронный ресурс]",
/// "online resource").
pub(super) fn says_electronic(text: &str) -> bool {
    let t = text.to_lowercase();
    t.contains("electronic resource")
        || t.contains("электронный ресурс")
        || t.contains("электрондық ресурс")
        || t.contains("online resource")
        || t.contains("электронное издание")
        || t.contains("electronic reproduction")
}

/// A value without ISBD punctuation and sort markers; `None` if nothing is left.
pub(super) fn clean(value: &str) -> Option<String> {
    let v = trim_isbd(&strip_sort_markers(value));
    (!v.is_empty()).then_some(v)
}

/// A value only trimmed (identifiers, codes: their punctuation is data).
pub(super) fn clean_plain(value: &str) -> Option<String> {
    let v = value.trim();
    (!v.is_empty()).then(|| v.to_string())
}

pub(super) fn push_unique(list: &mut Vec<String>, value: String) {
    if !list.contains(&value) {
        list.push(value);
    }
}

/// Cleaned values of the `code` subfields of `field`.
pub(super) fn values(field: &Field, code: char) -> impl Iterator<Item = String> + '_ {
    field
        .subfields()
        .iter()
        .filter(move |s| s.code == code)
        .filter_map(|s| clean(&s.value))
}

/// The first cleaned `code` value of `field`.
pub(super) fn value(field: &Field, code: char) -> Option<String> {
    values(field, code).next()
}

/// The first cleaned `code` value among the `tag` fields of `record`.
pub(super) fn first(record: &Record, tag: &str, code: char) -> Option<String> {
    record.fields(tag).find_map(|f| value(f, code))
}

/// Cleaned values of `codes` (in field order) joined by `sep`.
pub(super) fn joined(field: &Field, codes: &[char], sep: &str) -> Option<String> {
    let parts: Vec<String> = field
        .subfields()
        .iter()
        .filter(|s| codes.contains(&s.code))
        .filter_map(|s| clean(&s.value))
        .collect();
    (!parts.is_empty()).then(|| parts.join(sep))
}

/// Files an ISBN subfield: valid ones as ISBN-13, the rest raw.
/// `cancelled` is for $z, which is invalid by definition.
pub(super) fn add_isbn(view: &mut BibView, raw: &str, cancelled: bool) {
    let Some(raw) = clean_plain(raw) else { return };
    match Isbn::from_catalogue(&raw) {
        Ok(isbn) if !cancelled => push_unique(&mut view.isbns, isbn.as_str().to_string()),
        _ => push_unique(&mut view.invalid_isbns, raw),
    }
}

pub(super) fn add_issn(view: &mut BibView, raw: &str) {
    let Some(raw) = clean_plain(raw) else { return };
    match Issn::from_catalogue(&raw) {
        Ok(issn) => push_unique(&mut view.issns, issn.as_str().to_string()),
        Err(_) => push_unique(&mut view.invalid_issns, raw),
    }
}

/// Adds language codes from one subfield. Before 2001 MARC 21 strung
/// several codes together in one 041 subfield ("engkaz"); those are split.
/// Blanks, fill characters and anything not three letters are skipped:
/// the validator reports them, the view only keeps what can be used.
pub(super) fn add_languages(view: &mut BibView, raw: &str) {
    let raw = raw.trim();
    if raw.is_empty() || !raw.len().is_multiple_of(3) || !raw.is_ascii() {
        return;
    }
    for chunk in raw.as_bytes().chunks(3) {
        if chunk.iter().all(u8::is_ascii_alphabetic) {
            let code = String::from_utf8_lossy(chunk).to_ascii_lowercase();
            push_unique(&mut view.languages, code);
        }
    }
}

/// The first run of exactly four digits in `text`, as a year.
pub(crate) fn first_year(text: &str) -> Option<i32> {
    let mut run = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() {
            run.push(c);
            continue;
        }
        if run.len() == 4 {
            return run.parse().ok();
        }
        run.clear();
    }
    None
}

/// A subject heading: main subfields joined by " ", subdivisions by " -- ".
/// `main` is `None` when the caller has built the main part itself.
pub(super) fn heading(
    field: &Field,
    main: Option<String>,
    subdivisions: &[char],
) -> Option<String> {
    let main = main.or_else(|| {
        let parts: Vec<String> = field
            .subfields()
            .iter()
            .filter(|s| s.code.is_ascii_lowercase() && !subdivisions.contains(&s.code))
            .filter(|s| s.code != 'e')
            .filter_map(|s| clean(&s.value))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })?;
    let subs = field
        .subfields()
        .iter()
        .filter(|s| subdivisions.contains(&s.code))
        .filter_map(|s| clean(&s.value));
    Some(
        std::iter::once(main)
            .chain(subs)
            .collect::<Vec<_>>()
            .join(" -- "),
    )
}

/// Whether a classification source code names a BBK table ("rubbk",
/// "rubbkm", "rubbks", ... or "bbk").
pub(super) fn is_bbk_source(source: &str) -> bool {
    let s = source.trim().to_ascii_lowercase();
    s.starts_with("rubbk") || s.starts_with("bbk")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_are_four_digit_runs() {
        assert_eq!(first_year("c1999."), Some(1999));
        assert_eq!(first_year("[2019?]"), Some(2019));
        assert_eq!(first_year("1999-<2006>"), Some(1999));
        assert_eq!(first_year("12345 2001"), Some(2001));
        assert_eq!(first_year("199u"), None);
        assert_eq!(first_year(""), None);
    }

    #[test]
    fn bbk_sources() {
        assert!(is_bbk_source("rubbk"));
        assert!(is_bbk_source("rubbkm"));
        assert!(is_bbk_source("BBK"));
        assert!(!is_bbk_source("rugasnti"));
        assert!(!is_bbk_source("bcl"));
    }
}
