//! ISBN and ISSN checks with messages that say what is wrong and, for a
//! wrong check digit, which digit was expected: the cataloguer has the book
//! in hand and can tell a misprint from a keying error.

use kitap_domain::Issn;

use super::{Issue, Place};

/// The leading run of ISBN-ish characters ("5-02-013850-8 (в пер.)" gives
/// "5-02-013850-8"), as `Isbn::from_catalogue` reads it.
fn leading_number(raw: &str) -> &str {
    let trimmed = raw.trim_start();
    let end = trimmed
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_digit() || matches!(c, '-' | ' ' | 'x' | 'X')))
        .map_or(trimmed.len(), |(i, _)| i);
    trimmed.get(..end).unwrap_or_default().trim()
}

fn compact(number: &str) -> String {
    number
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// Checks one ISBN subfield ($a of 020 or 010; $z is invalid by definition).
pub(super) fn isbn(place: &Place<'_>, code: char, raw: &str) -> Option<Issue> {
    let number = leading_number(raw);
    let digits = compact(number);
    let at = |issue: Issue| Some(issue.at(place).in_subfield(code));
    let tag = place.tag;
    let shape_ok = |len: usize| {
        digits.len() == len
            && digits
                .chars()
                .enumerate()
                .all(|(i, c)| c.is_ascii_digit() || (c == 'X' && i == len - 1))
    };
    let (check, expected) = if shape_ok(10) {
        let (body, check) = digits.split_at(9);
        (check, kitap_domain::Isbn::check_digit(body))
    } else if shape_ok(13) && !digits.ends_with('X') {
        let (body, check) = digits.split_at(12);
        if !(body.starts_with("978") || body.starts_with("979")) {
            return at(Issue::warning(
                "bad_isbn",
                format!(
                    "{tag}${code}: {number:?} is not an ISBN (an ISBN-13 starts with 978 or 979)"
                ),
            ));
        }
        (check, kitap_domain::Isbn::check_digit(body))
    } else {
        let shown = if number.is_empty() {
            raw.trim()
        } else {
            number
        };
        return at(Issue::warning(
            "bad_isbn",
            format!("{tag}${code}: {shown:?} is not an ISBN (an ISBN has 10 or 13 digits)"),
        ));
    };
    match expected {
        Some(e) if check == e.to_string() => None,
        Some(e) => at(Issue::warning(
            "bad_isbn_check_digit",
            format!("{tag}${code}: ISBN {number} has a wrong check digit (expected {e})"),
        )),
        None => None,
    }
}

/// Checks one ISSN subfield ($a of 022 or 011).
pub(super) fn issn(place: &Place<'_>, code: char, raw: &str) -> Option<Issue> {
    if Issn::from_catalogue(raw).is_ok() {
        return None;
    }
    let tag = place.tag;
    let number =
        leading_number(raw.trim_start_matches(|c: char| c.is_alphabetic() || c == ' ' || c == ':'));
    let digits = compact(number);
    let message = match digits
        .get(..7)
        .filter(|_| digits.len() == 8)
        .and_then(Issn::check_digit)
    {
        Some(expected) => {
            format!("{tag}${code}: ISSN {number} has a wrong check digit (expected {expected})")
        }
        None => format!("{tag}${code}: {:?} is not an ISSN (NNNN-NNNC)", raw.trim()),
    };
    Some(
        Issue::warning("bad_issn", message)
            .at(place)
            .in_subfield(code),
    )
}
