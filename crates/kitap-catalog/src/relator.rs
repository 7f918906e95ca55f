//! Relator codes: UNIMARC writes them as numbers (Appendix C), MARC 21 as
//! three letters; RUSMARC records from RSL/NLR carry 070, 220, 340, 570.
//! MARC 21 records from Kazakh and Russian catalogues often have only a
//! term in $e ("сост."), so a few common terms are recognised too.

/// (UNIMARC code, MARC 21 code). From UNIMARC Appendix C, which was built to
/// mirror the MARC Code List for Relators.
const CODES: &[(&str, &str)] = &[
    ("010", "adp"),
    ("020", "ann"),
    ("070", "aut"),
    ("072", "aqt"),
    ("075", "aft"),
    ("080", "aui"),
    ("100", "ant"),
    ("205", "ctb"),
    ("212", "cmm"),
    ("220", "com"),
    ("230", "cmp"),
    ("245", "ccp"),
    ("255", "csl"),
    ("260", "cph"),
    ("295", "dgg"),
    ("300", "drt"),
    ("340", "edt"),
    ("370", "flm"),
    ("395", "fnd"),
    ("440", "ill"),
    ("460", "ive"),
    ("470", "ivr"),
    ("480", "lbt"),
    ("520", "lyr"),
    ("550", "nrt"),
    ("557", "orm"),
    ("570", "oth"),
    ("590", "prf"),
    ("600", "pht"),
    ("610", "prt"),
    ("650", "pbl"),
    ("651", "pbd"),
    ("675", "rev"),
    ("710", "red"),
    ("720", "sgn"),
    ("727", "ths"),
    ("730", "trl"),
    ("750", "tyd"),
];

/// Relator terms (lower case, without the final period) and their MARC code.
const TERMS: &[(&str, &str)] = &[
    ("author", "aut"),
    ("compiler", "com"),
    ("editor", "edt"),
    ("illustrator", "ill"),
    ("translator", "trl"),
    ("авт", "aut"),
    ("автор", "aut"),
    ("ил", "ill"),
    ("пер", "trl"),
    ("переводчик", "trl"),
    ("ред", "edt"),
    ("редактор", "edt"),
    ("сост", "com"),
    ("составитель", "com"),
    ("худож", "ill"),
    ("құраст", "com"),
    ("құрастырушы", "com"),
    ("аударған", "trl"),
];

/// The MARC 21 code for a UNIMARC numeric relator code.
pub fn marc21_from_unimarc(code: &str) -> Option<&'static str> {
    let code = code.trim();
    CODES.iter().find(|(u, _)| *u == code).map(|(_, m)| *m)
}

/// The UNIMARC numeric code for a MARC 21 relator code.
pub fn unimarc_from_marc21(code: &str) -> Option<&'static str> {
    let code = code.trim().to_ascii_lowercase();
    CODES.iter().find(|(_, m)| *m == code).map(|(u, _)| *u)
}

/// The MARC 21 code for a relator term such as "сост." or "editor".
pub fn marc21_from_term(term: &str) -> Option<&'static str> {
    let term = term.trim().trim_end_matches(['.', ',']).to_lowercase();
    TERMS.iter().find(|(t, _)| *t == term).map(|(_, m)| *m)
}

/// Whether a MARC 21 relator code means authorship (not a secondary role).
pub fn is_author(code: &str) -> bool {
    matches!(code, "aut" | "cre")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_both_ways() {
        for (u, m) in CODES {
            assert_eq!(marc21_from_unimarc(u), Some(*m));
            assert_eq!(unimarc_from_marc21(m), Some(*u));
        }
        assert_eq!(marc21_from_unimarc("999"), None);
    }

    #[test]
    fn terms_are_recognised() {
        assert_eq!(marc21_from_term("сост."), Some("com"));
        assert_eq!(marc21_from_term("Editor,"), Some("edt"));
        assert_eq!(marc21_from_term("кто-то"), None);
    }
}
