//! Content checks: title, identifiers, languages, defined indicator
//! values, fixed-field shape, years.

use kitap_marc::{Dialect, Field, Record};

use super::lang::{self, LangProblem};
use super::{ident, Issue, Place, ValidateOptions};
use crate::view::first_year;

/// Indicator values defined for a few fields every record has, where a
/// wrong value changes how the record files or displays:
/// (dialect, tag, indicator position, allowed values).
const DEFINED_INDICATORS: &[(Dialect, &str, u8, &str)] = &[
    (Dialect::Marc21, "245", 1, "01"),
    (Dialect::Marc21, "245", 2, "0123456789"),
    (Dialect::Marc21, "100", 1, "013"),
    (Dialect::Marc21, "110", 1, "012"),
    (Dialect::Marc21, "700", 1, "013"),
    (Dialect::Marc21, "700", 2, " 2"),
    (Dialect::Marc21, "020", 1, " "),
    (Dialect::Marc21, "020", 2, " "),
    (Dialect::Marc21, "041", 1, " 01"),
    (Dialect::Marc21, "264", 2, "01234"),
    (Dialect::Marc21, "490", 1, "01"),
    (Dialect::Marc21, "650", 2, "01234567"),
    (Dialect::Unimarc, "200", 1, "01"),
    (Dialect::Unimarc, "200", 2, " "),
    (Dialect::Unimarc, "700", 2, "01"),
    (Dialect::Unimarc, "701", 2, "01"),
    (Dialect::Unimarc, "702", 2, "01"),
    (Dialect::Unimarc, "101", 1, "012"),
    (Dialect::Unimarc, "010", 1, " "),
    (Dialect::Unimarc, "010", 2, " "),
];

pub(super) fn field(dialect: Dialect, place: &Place<'_>, options: &ValidateOptions) -> Vec<Issue> {
    let Field::Data {
        ind1,
        ind2,
        subfields,
        ..
    } = place.field
    else {
        return Vec::new();
    };
    let mut issues = indicators(dialect, place, *ind1, *ind2);
    let unimarc = dialect == Dialect::Unimarc;
    for s in subfields {
        let found = match (unimarc, place.tag, s.code) {
            (false, "020", 'a') | (true, "010", 'a') => ident::isbn(place, s.code, &s.value),
            (false, "022", 'a') | (true, "011", 'a') => ident::issn(place, s.code, &s.value),
            (false, "260", 'c') | (false, "264", 'c') | (true, "210", 'd') | (true, "214", 'd') => {
                year(place, s.code, first_year(&s.value), options)
            }
            _ => None,
        };
        issues.extend(found);
        let is_language = match (unimarc, place.tag) {
            (false, "041") => s.code.is_ascii_lowercase(),
            (true, "101") => s.code.is_ascii_lowercase(),
            _ => false,
        };
        if is_language {
            for code in lang::split(&s.value) {
                issues.extend(language(place, Some(s.code), code));
            }
        }
    }
    if unimarc && place.tag == "100" {
        issues.extend(general_processing_data(place, options));
    }
    issues
}

fn indicators(dialect: Dialect, place: &Place<'_>, ind1: char, ind2: char) -> Vec<Issue> {
    DEFINED_INDICATORS
        .iter()
        .filter(|(d, tag, _, _)| *d == dialect && *tag == place.tag)
        .filter_map(|&(_, tag, pos, allowed)| {
            let value = if pos == 1 { ind1 } else { ind2 };
            // Characters outside [0-9a-z ] are already an invalid_indicator error.
            let legal = value == ' ' || value.is_ascii_digit() || value.is_ascii_lowercase();
            (legal && !allowed.contains(value)).then(|| {
                let shown: Vec<String> = allowed.chars().map(|c| format!("{c:?}")).collect();
                Issue::warning(
                    "undefined_indicator",
                    format!(
                        "{tag}: indicator {pos} {value:?} is not defined (allowed: {})",
                        shown.join(", ")
                    ),
                )
                .at(place)
            })
        })
        .collect()
}

fn language(place: &Place<'_>, code: Option<char>, value: &str) -> Option<Issue> {
    let tag = place.tag;
    let loc = match code {
        Some(c) => format!("{tag}${c}"),
        None => format!("{tag}/35-37"),
    };
    let issue = match lang::check(value)? {
        LangProblem::Unknown(why) => {
            Issue::warning("unknown_language_code", format!("{loc}: {why}"))
        }
        LangProblem::TerminologyForm(b) => Issue::warning(
            "unknown_language_code",
            format!(
                "{loc}: {value:?} is the ISO 639-2/T form; MARC uses the bibliographic code {b:?}"
            ),
        ),
        LangProblem::Obsolete(new) => Issue::warning(
            "obsolete_language_code",
            format!("{loc}: {value:?} is a discontinued MARC language code; use {new:?}"),
        ),
    };
    let issue = issue.at(place);
    Some(match code {
        Some(c) => issue.in_subfield(c),
        None => issue,
    })
}

fn year(
    place: &Place<'_>,
    code: char,
    year: Option<i32>,
    options: &ValidateOptions,
) -> Option<Issue> {
    let year = year?;
    if (options.min_year..=options.max_year).contains(&year) {
        return None;
    }
    let issue = Issue::warning(
        "year_out_of_range",
        format!(
            "{}: year {year} is outside {}-{}",
            place.tag, options.min_year, options.max_year
        ),
    )
    .at(place);
    Some(if code == ' ' {
        issue
    } else {
        issue.in_subfield(code)
    })
}

/// UNIMARC 100$a: 36 characters, the date of publication at 9-12.
fn general_processing_data(place: &Place<'_>, options: &ValidateOptions) -> Vec<Issue> {
    let Some(a) = place.field.subfield('a') else {
        return vec![
            Issue::warning("bad_fixed_field", "100: general processing data has no $a").at(place),
        ];
    };
    let len = a.chars().count();
    if len != 36 {
        return vec![Issue::warning(
            "bad_fixed_field",
            format!("100$a: general processing data is {len} characters long, not 36"),
        )
        .at(place)
        .in_subfield('a')];
    }
    let date = a.get(9..13).and_then(first_year);
    year(place, 'a', date, options).into_iter().collect()
}

/// Record-level checks: the title, and MARC 21 008.
pub(super) fn record(record: &Record, options: &ValidateOptions) -> Vec<Issue> {
    let mut issues: Vec<Issue> = missing_title(record).into_iter().collect();
    if record.dialect == Dialect::Unimarc {
        return issues;
    }
    let Some((occurrence, field)) = record
        .fields
        .iter()
        .filter(|f| f.tag() == "008")
        .enumerate()
        .next()
    else {
        return issues;
    };
    let place = Place {
        field,
        tag: "008",
        occurrence,
    };
    let Field::Control { value, .. } = field else {
        return issues;
    };
    let len = value.chars().count();
    if len != 40 {
        issues.push(
            Issue::warning(
                "bad_fixed_field",
                format!("008 is {len} characters long, not 40"),
            )
            .at(&place),
        );
    }
    issues.extend(year(
        &place,
        ' ',
        value.get(7..11).and_then(first_year),
        options,
    ));
    if let Some(code) = value.get(35..38).filter(|c| !lang::is_unset(c)) {
        issues.extend(language(&place, None, code));
    }
    issues
}

/// Authority records have headings, not titles, so they are not asked for one.
fn missing_title(record: &Record) -> Option<Issue> {
    let kind = record.leader_char(6).unwrap_or(' ');
    let authority = match record.dialect {
        Dialect::Unimarc => matches!(kind, 'x' | 'y' | 'z'),
        _ => kind == 'z',
    };
    if authority {
        return None;
    }
    let has = |tag: &str, codes: &[char]| {
        record.fields(tag).any(|f| {
            f.subfields()
                .iter()
                .any(|s| codes.contains(&s.code) && !s.value.trim().is_empty())
        })
    };
    let (found, wanted) = match record.dialect {
        Dialect::Marc21 => (has("245", &['a', 'k']), "245$a"),
        Dialect::Unimarc => (has("200", &['a']), "200$a"),
        Dialect::Unknown => (
            has("245", &['a', 'k']) || has("200", &['a']),
            "245$a or 200$a",
        ),
    };
    (!found).then(|| {
        Issue::error(
            "missing_title",
            format!("the record has no title: {wanted} is missing or empty"),
        )
    })
}
