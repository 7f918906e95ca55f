//! Personal and corporate names between the two layouts.
//!
//! MARC 21 writes a person as one string, "Surname, Forenames" in $a, with
//! dates in $d and a fuller form in $q. UNIMARC splits it: $a entry element,
//! $b the other part as initials, $g the initials written out, $f dates.
//! The forenames go to $g when they are written out (with $b derived from
//! them, as Russian and Kazakh catalogues do: "$bА.$gАбай") and to $b when
//! they are initials only; a MARC $q then supplies $g. Going back, $g wins
//! over $b, so "Kim, G. N. $q(German Nikolaevich)" comes back as
//! "Kim, German Nikolaevich": the fuller form becomes the name.

use kitap_marc::{Field, Subfield};

use super::sub;
use crate::punct::trim_isbd;
use crate::relator;

/// MARC 21 100/700 to UNIMARC 700/701/702 subfields (indicators are the
/// caller's: they depend on the target tag).
pub(super) fn person_to_unimarc(f: &Field) -> (char, Vec<Subfield>) {
    let mut out = Vec::new();
    let name = f.subfield('a').map(trim_isbd).unwrap_or_default();
    let (entry, forenames) = match name.split_once(',') {
        Some((e, rest)) => (e.trim().to_string(), trim_isbd(rest)),
        None => (name.clone(), String::new()),
    };
    // ind2 0: entered under forename (a single name, "Абай").
    let form = if forenames.is_empty() && !name.contains(',') {
        '0'
    } else {
        '1'
    };
    out.extend(sub('a', &entry));
    let fuller = f
        .subfield('q')
        .map(|q| trim_isbd(q).trim_matches(['(', ')']).to_string());
    if is_initials(&forenames) {
        out.extend(sub('b', &forenames));
        out.extend(fuller.as_deref().and_then(|q| sub('g', q)));
    } else if !forenames.is_empty() {
        out.extend(sub('b', &initials(&forenames)));
        out.extend(sub('g', &forenames));
    }
    for (from, to) in [('c', 'c'), ('b', 'd'), ('d', 'f')] {
        for s in f.subfields().iter().filter(|s| s.code == from) {
            out.extend(sub(to, &trim_isbd(&s.value)));
        }
    }
    out.extend(relators_to_unimarc(f));
    (form, out)
}

/// UNIMARC 700/701/702 to MARC 21 100/700 subfields and ind1.
pub(super) fn person_to_marc21(f: &Field) -> (char, Vec<Subfield>) {
    let entry = f.subfield('a').map(str::trim).unwrap_or_default();
    let rest = f.subfield('g').or_else(|| f.subfield('b')).map(str::trim);
    let mut out = Vec::new();
    let (ind1, name) = match rest.filter(|r| !r.is_empty()) {
        Some(r) => ('1', format!("{entry}, {r}")),
        None => ('0', entry.to_string()),
    };
    out.extend(sub('a', &name));
    for (from, to) in [('d', 'b'), ('c', 'c'), ('f', 'd')] {
        for s in f.subfields().iter().filter(|s| s.code == from) {
            out.extend(sub(to, &s.value));
        }
    }
    out.extend(relators_to_marc21(f));
    (ind1, out)
}

/// Corporate names keep $a and $b in both formats; relators are converted.
pub(super) fn corporate(f: &Field, to_unimarc: bool) -> Vec<Subfield> {
    let mut out: Vec<Subfield> = f
        .subfields()
        .iter()
        .filter(|s| matches!(s.code, 'a' | 'b'))
        .filter_map(|s| {
            let v = if to_unimarc {
                trim_isbd(&s.value)
            } else {
                s.value.trim().to_string()
            };
            sub(s.code, &v)
        })
        .collect();
    out.extend(if to_unimarc {
        relators_to_unimarc(f)
    } else {
        relators_to_marc21(f)
    });
    out
}

/// Whether a MARC 21 name's role is secondary (editor, compiler, ...):
/// such added entries go to UNIMARC 702/712 rather than 701/711.
pub(super) fn is_secondary(f: &Field) -> bool {
    let codes = marc21_relator_codes(f);
    !codes.is_empty() && !codes.iter().any(|c| relator::is_author(c))
}

fn marc21_relator_codes(f: &Field) -> Vec<String> {
    let mut codes: Vec<String> = f
        .subfields()
        .iter()
        .filter(|s| s.code == '4')
        .map(|s| s.value.trim().to_ascii_lowercase())
        .collect();
    codes.extend(
        f.subfields()
            .iter()
            .filter(|s| s.code == 'e')
            .filter_map(|s| relator::marc21_from_term(&s.value))
            .map(str::to_string),
    );
    codes
}

fn relators_to_unimarc(f: &Field) -> Vec<Subfield> {
    let mut seen = Vec::new();
    for code in marc21_relator_codes(f) {
        if let Some(u) = relator::unimarc_from_marc21(&code) {
            if !seen.contains(&u) {
                seen.push(u);
            }
        }
    }
    seen.into_iter().filter_map(|u| sub('4', u)).collect()
}

fn relators_to_marc21(f: &Field) -> Vec<Subfield> {
    f.subfields()
        .iter()
        .filter(|s| s.code == '4')
        .filter_map(|s| relator::marc21_from_unimarc(&s.value))
        .filter_map(|m| sub('4', m))
        .collect()
}

/// "G. N.", "А.", "Ә. Б." — every word one letter and a period.
fn is_initials(forenames: &str) -> bool {
    !forenames.is_empty() && forenames.split_whitespace().all(|w| {
        let mut cs = w.chars();
        matches!((cs.next(), cs.next(), cs.next()), (Some(c), Some('.'), None) if c.is_alphabetic())
    })
}

/// "Мұхтар Омарханұлы" -> "М. О."; hyphenated names keep their hyphen
/// ("Жан-Поль" -> "Ж.-П.").
pub(super) fn initials(forenames: &str) -> String {
    forenames
        .split_whitespace()
        .map(|word| {
            word.split('-')
                .filter_map(|part| part.chars().next())
                .map(|c| format!("{c}."))
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_are_derived() {
        assert_eq!(initials("Мұхтар Омарханұлы"), "М. О.");
        assert_eq!(initials("Жан-Поль"), "Ж.-П.");
        assert_eq!(initials(""), "");
        assert!(is_initials("G. N."));
        assert!(is_initials("Ә."));
        assert!(!is_initials("Абай"));
        assert!(!is_initials(""));
    }
}
