//! Language codes: ISO 639-2/B, as MARC 21 (008/35-37, 041) and UNIMARC
//! (101) use them.

use super::lang_codes::{ISO_639_2B, T_TO_B};

/// Codes the MARC Code List for Languages has discontinued, with their
/// replacements. Older MARC 21 records (LC's among them) still carry them,
/// so they get their own warning rather than "unknown". From the list's
/// "discontinued codes" section [K: from knowledge of the LC list, not a
/// stored copy].
const OBSOLETE: &[(&str, &str)] = &[
    ("ajm", "rup"),
    ("cam", "khm"),
    ("esk", "iku"),
    ("esp", "epo"),
    ("eth", "gez"),
    ("far", "fao"),
    ("fri", "fry"),
    ("gag", "glg"),
    ("gua", "grn"),
    ("int", "ina"),
    ("iri", "gle"),
    ("kus", "kos"),
    ("lan", "oci"),
    ("lap", "smi"),
    ("max", "glv"),
    ("mla", "mlg"),
    ("mol", "rum"),
    ("sao", "smo"),
    ("scc", "srp"),
    ("scr", "hrv"),
    ("sho", "sna"),
    ("snh", "sin"),
    ("sso", "sot"),
    ("swz", "ssw"),
    ("tag", "tgl"),
    ("taj", "tgk"),
    ("tar", "tat"),
    ("tru", "chk"),
    ("tsw", "tsn"),
];

/// What is wrong with a language code, if anything.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum LangProblem {
    /// Not a code at all, or not in the list.
    Unknown(String),
    /// A discontinued MARC code; the replacement is given.
    Obsolete(&'static str),
    /// The terminology form of a code MARC writes in its bibliographic form.
    TerminologyForm(&'static str),
}

/// Checks one three-letter code (already split out of a longer subfield).
pub(super) fn check(code: &str) -> Option<LangProblem> {
    let lower = code.to_ascii_lowercase();
    if lower.len() != 3 || !lower.chars().all(|c| c.is_ascii_lowercase()) {
        return Some(LangProblem::Unknown(format!(
            "{code:?} is not a three-letter language code"
        )));
    }
    if ISO_639_2B.binary_search(&lower.as_str()).is_ok() || is_local_use(&lower) {
        return None;
    }
    if let Some((_, b)) = T_TO_B.iter().find(|(t, _)| *t == lower) {
        return Some(LangProblem::TerminologyForm(b));
    }
    if let Some((_, new)) = OBSOLETE.iter().find(|(old, _)| *old == lower) {
        return Some(LangProblem::Obsolete(new));
    }
    Some(LangProblem::Unknown(format!(
        "{code:?} is not an ISO 639-2/B language code"
    )))
}

/// qaa-qtz is reserved for local use and valid.
fn is_local_use(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 3 && b[0] == b'q' && (b'a'..=b't').contains(&b[1])
}

/// Splits a language subfield into codes; pre-2001 MARC 21 strung several
/// together ("engkaz"). A value that is not a multiple of three characters
/// is returned whole so that it is reported.
pub(super) fn split(value: &str) -> Vec<&str> {
    let value = value.trim();
    if value.is_empty() {
        return Vec::new();
    }
    if !value.len().is_multiple_of(3) || !value.is_ascii() {
        return vec![value];
    }
    (0..value.len() / 3)
        .filter_map(|i| value.get(i * 3..i * 3 + 3))
        .collect()
}

/// "No attempt to code" and blank: the fixed field has no language.
pub(super) fn is_unset(code: &str) -> bool {
    code.chars().all(|c| c == ' ' || c == '|' || c == '#')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sorted_and_has_the_codes_we_need() {
        assert!(ISO_639_2B.windows(2).all(|w| w[0] < w[1]));
        for code in [
            "kaz", "rus", "eng", "ger", "fre", "chi", "mul", "und", "zxx", "chu", "uig",
        ] {
            assert_eq!(check(code), None, "{code}");
        }
        assert_eq!(check("KAZ"), None);
        assert_eq!(check("qab"), None);
    }

    #[test]
    fn problems_are_told_apart() {
        assert_eq!(check("fra"), Some(LangProblem::TerminologyForm("fre")));
        assert_eq!(check("scr"), Some(LangProblem::Obsolete("hrv")));
        assert!(matches!(check("kzk"), Some(LangProblem::Unknown(_))));
        assert!(matches!(check("k1z"), Some(LangProblem::Unknown(_))));
        assert!(matches!(check("қаз"), Some(LangProblem::Unknown(_))));
    }

    #[test]
    fn splitting() {
        assert_eq!(split("engkaz"), ["eng", "kaz"]);
        assert_eq!(split(" rus "), ["rus"]);
        assert_eq!(split("ru"), ["ru"]);
        assert_eq!(split("қаз"), ["қаз"]);
        assert!(split("  ").is_empty());
        assert!(is_unset("   ") && is_unset("|||") && !is_unset("kaz"));
    }
}
