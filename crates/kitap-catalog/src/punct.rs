//! ISBD punctuation at the ends of MARC 21 subfields.
//!
//! MARC 21 keeps the punctuation that separates ISBD areas inside the data
//! ("Абай жолы :" $b "роман-эпопея /" $c "Мұхтар Әуезов."), UNIMARC does
//! not. The view and the converter both want the bare value, so one rule
//! removes it, applied to the end of each value only:
//!
//! 1. trailing separators ` /`, ` :`, ` ;`, ` =`, ` +`, `,` go, repeatedly;
//! 2. a final `.` goes unless the word before it is an abbreviation: a
//!    single letter (the initial in "Kim, G. N."), a word with another period
//!    inside ("т.е.", "U.S."), or a word in [`ABBREVIATIONS`] ("216 p." keeps
//!    it as a single letter, "и др.", "ред.", "Jr.", "тг." from the list).
//!    "2019.", "Абай." and "The old man and the sea." lose it. A list rather
//!    than "any short word" because titles end in short words ("sea", "war")
//!    far more often than in unlisted abbreviations;
//! 3. an ellipsis ("...") and `?`, `!`, `)`, `]` are kept;
//! 4. ".." (a doubled period, a common keying slip) becomes ".", and then
//!    rule 2 applies.
//!
//! Values never grow and never become empty unless they were only
//! punctuation.

/// Abbreviations (compared case-insensitively, without the period) that
/// keep their period at the end of a value: the ones ISBD and the Russian and
/// Kazakh cataloguing rules use at the ends of areas and names.
pub const ABBREVIATIONS: &[&str] = &[
    // English (AACR2/RDA transcriptions, LC records)
    "al",
    "bros",
    "ch",
    "cm",
    "co",
    "col",
    "corp",
    "dr",
    "ed",
    "eds",
    "etc",
    "facs",
    "ill",
    "illus",
    "inc",
    "jr",
    "ltd",
    "mm",
    "mr",
    "mrs",
    "no",
    "port",
    "ports",
    "pp",
    "pt",
    "rev",
    "sr",
    "st",
    "tr",
    "vol",
    "izd",
    // Russian (GOST 7.12 abbreviations common in descriptions)
    "авт",
    "акад",
    "вв",
    "вступ",
    "вып",
    "гг",
    "доп",
    "др",
    "изд",
    "ил",
    "им",
    "испр",
    "карт",
    "кн",
    "коммент",
    "метод",
    "обл",
    "отв",
    "пер",
    "перераб",
    "портр",
    "предисл",
    "прил",
    "примеч",
    "ред",
    "рис",
    "руб",
    "сб",
    "см",
    "сост",
    "стер",
    "стр",
    "табл",
    "тыс",
    "уч",
    "учеб",
    "фот",
    "факс",
    "худож",
    "экз",
    // Kazakh
    "ауд",
    "құраст",
    "тг",
];

/// Separators MARC 21 puts at the end of a subfield before the next one.
const SEPARATORS: &[char] = &['/', ':', ';', '=', '+', ','];

/// The value without trailing ISBD punctuation (see the module comment).
pub fn trim_isbd(value: &str) -> String {
    let mut s = value.trim();
    loop {
        let before = s;
        if let Some(rest) = s.strip_suffix(SEPARATORS) {
            s = rest.trim_end();
        }
        if s.ends_with("..") && !s.ends_with("...") {
            s = s.strip_suffix('.').unwrap_or(s);
        }
        if let Some(rest) = s.strip_suffix('.') {
            if !s.ends_with("...") && !ends_with_abbreviation(s) {
                s = rest.trim_end();
            }
        }
        if s == before {
            return s.to_string();
        }
    }
}

/// Whether the word before the final '.' of `s` is an abbreviation.
fn ends_with_abbreviation(s: &str) -> bool {
    let body = s.strip_suffix('.').unwrap_or(s);
    let word = body
        .rsplit(|c: char| c.is_whitespace() || matches!(c, '(' | '[' | '-' | ',' | '"' | '«'))
        .next()
        .unwrap_or_default();
    if word.is_empty() {
        return false;
    }
    if word.contains('.') {
        return true;
    }
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters != word.chars().count() {
        // Digits ("2019.") or mixed tokens are never abbreviations here.
        return false;
    }
    if letters == 1 {
        return true;
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

/// Drops the non-sorting markers some systems put around "The " etc.:
/// UNIMARC NSB/NSE (U+0088/U+0089) and MARC-8's SOS/ST (U+0098/U+009C).
pub fn strip_sort_markers(value: &str) -> String {
    value
        .chars()
        .filter(|c| !matches!(c, '\u{88}' | '\u{89}' | '\u{98}' | '\u{9C}'))
        .collect()
}

/// How many characters the non-sorting markers cover at the start of
/// `value` (0 when there are none), counted without the markers.
pub fn marked_nonfiling(value: &str) -> usize {
    let mut chars = value.chars();
    match chars.next() {
        Some('\u{88}') | Some('\u{98}') => chars
            .take_while(|c| !matches!(c, '\u{89}' | '\u{9C}'))
            .count(),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separators_and_final_periods_go() {
        assert_eq!(trim_isbd("Абай жолы :"), "Абай жолы");
        assert_eq!(trim_isbd("роман-эпопея /"), "роман-эпопея");
        assert_eq!(trim_isbd("Мұхтар Әуезов."), "Мұхтар Әуезов");
        assert_eq!(trim_isbd("Жазушы,"), "Жазушы");
        assert_eq!(trim_isbd("2019."), "2019");
        assert_eq!(trim_isbd("Құнанбайұлы, Абай."), "Құнанбайұлы, Абай");
        assert_eq!(trim_isbd("Title = "), "Title");
        assert_eq!(trim_isbd("Aqiqatyn aĭtqanda-- :"), "Aqiqatyn aĭtqanda--");
    }

    #[test]
    fn initials_and_abbreviations_keep_their_period() {
        assert_eq!(trim_isbd("Kim, G. N."), "Kim, G. N.");
        assert_eq!(trim_isbd("Нұрпейісов, Ә.."), "Нұрпейісов, Ә.");
        assert_eq!(trim_isbd("262 p. :"), "262 p.");
        assert_eq!(
            trim_isbd("сост. С. Ю. Калинин и др."),
            "сост. С. Ю. Калинин и др."
        );
        assert_eq!(trim_isbd("Smith, John, Jr."), "Smith, John, Jr.");
        assert_eq!(trim_isbd("U.S.A."), "U.S.A.");
        assert_eq!(trim_isbd("And then..."), "And then...");
        assert_eq!(trim_isbd("What?"), "What?");
        assert_eq!(trim_isbd("2-е изд."), "2-е изд.");
        assert_eq!(
            trim_isbd("The old man and the sea."),
            "The old man and the sea"
        );
    }

    #[test]
    fn degenerate_values_do_not_panic() {
        for v in ["", ".", "..", " / ", ":", "...", "ә.", ". :", "\u{88}"] {
            let out = trim_isbd(v);
            assert!(out.len() <= v.len());
        }
        assert_eq!(trim_isbd(" / "), "");
    }

    #[test]
    fn sort_markers() {
        let v = "\u{88}The \u{89}Hobbit";
        assert_eq!(marked_nonfiling(v), 4);
        assert_eq!(strip_sort_markers(v), "The Hobbit");
        assert_eq!(marked_nonfiling("Hobbit"), 0);
    }
}
