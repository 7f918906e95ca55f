//! Kazakh alphabetical order for sorting titles and names.
//!
//! Code-point order puts Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ, І after Я; a Kazakh catalogue
//! files them after А, Г, К, Н, О, У, У, Х, Ы. Cyrillic sorts before Latin (as in
//! printed Kazakh and Russian catalogues), Latin follows the 2021 Kazakh Latin
//! alphabet with the other ISO letters in their usual places, digits come first.

use crate::normalize::normalize;

/// The Kazakh Cyrillic alphabet (42 letters) in dictionary order.
const CYRILLIC: &str = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя";
/// The 2021 Latin alphabet with c, ç, w, x placed as in ISO order.
const LATIN: &str = "aäbcçdefgğhıijklmnñoöpqrsştuūüvwxyz";

/// Weight of one lower-case character: 1 for a space, 2..=11 for digits, then
/// Cyrillic, then Latin, then everything else (by code point, after all letters).
fn weight(c: char) -> u32 {
    if c == ' ' {
        return 1;
    }
    if let Some(d) = c.to_digit(10) {
        return 2 + d;
    }
    if let Some(i) = CYRILLIC.chars().position(|x| x == c) {
        return 12 + i as u32;
    }
    if let Some(i) = LATIN.chars().position(|x| x == c) {
        return 12 + CYRILLIC.chars().count() as u32 + i as u32;
    }
    // Letters of other scripts after all known ones; only the order among
    // them is approximate (by code point, folded into the last weight).
    SYMBOLS - 1
}

/// Number of distinct weights (plus 0 for "end of text"); each weight takes 7 bits.
const SYMBOLS: u32 = 128;
const BITS: u32 = 7;
/// Characters per `u64` sort word.
pub const CHARS_PER_WORD: usize = 9;

/// The filing form of a text: normalized (lower case, ё→е, homoglyphs fixed),
/// punctuation dropped, runs of spaces collapsed.
fn filing_chars(text: &str) -> Vec<char> {
    let normalized = normalize(text);
    let mut out = Vec::new();
    for c in normalized.chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if out.last().is_some_and(|l| *l != ' ') {
            out.push(' ');
        }
    }
    while out.last() == Some(&' ') {
        out.pop();
    }
    out
}

/// Sort words for `text`: `words` u64 values that compare (as a tuple) in Kazakh
/// alphabetical order of the first `words * 9` filing characters. A shorter text
/// sorts before a longer one that starts with it.
pub fn sort_words(text: &str, words: usize) -> Vec<u64> {
    let chars = filing_chars(text);
    (0..words)
        .map(|w| {
            let mut value = 0u64;
            for i in 0..CHARS_PER_WORD {
                let c = chars.get(w * CHARS_PER_WORD + i).copied();
                let wt = c.map_or(0, weight);
                value = (value << BITS) | u64::from(wt);
            }
            value
        })
        .collect()
}

/// Compares two texts in Kazakh alphabetical order (whole texts, not only the
/// indexed prefix).
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    let wa: Vec<u32> = filing_chars(a).into_iter().map(weight).collect();
    let wb: Vec<u32> = filing_chars(b).into_iter().map(weight).collect();
    wa.cmp(&wb)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<&str>) -> Vec<&str> {
        v.sort_by(|a, b| compare(a, b));
        v
    }

    #[test]
    fn kazakh_letters_file_after_their_base_letters() {
        assert_eq!(
            sorted(vec!["Ястреб", "Қазақ", "Кітап", "Әуезов", "Абай", "Бала"]),
            vec!["Абай", "Әуезов", "Бала", "Кітап", "Қазақ", "Ястреб"]
        );
        assert_eq!(
            sorted(vec!["Іле", "Ыбырай", "Ьы"]),
            vec!["Ыбырай", "Іле", "Ьы"]
        );
        assert_eq!(
            sorted(vec!["Үміт", "Ұлы", "Ура"]),
            vec!["Ура", "Ұлы", "Үміт"]
        );
    }

    #[test]
    fn digits_then_cyrillic_then_latin() {
        assert_eq!(
            sorted(vec!["Zebra", "Абай", "1984", "Ägin", "Aba"]),
            vec!["1984", "Абай", "Aba", "Ägin", "Zebra"]
        );
    }

    #[test]
    fn prefix_and_case_and_punctuation() {
        assert_eq!(
            sorted(vec!["Абайдың", "«Абай жолы»", "абай"]),
            vec!["абай", "«Абай жолы»", "Абайдың"]
        );
    }

    #[test]
    fn words_agree_with_compare() {
        let titles = [
            "Қара сөздер",
            "Кара",
            "Абай жолы. 2-том",
            "Абай жолы. 1-том",
            "Zhol",
            "Ёлка",
            "Елена",
        ];
        for a in titles {
            for b in titles {
                let by_words = sort_words(a, 2).cmp(&sort_words(b, 2));
                assert_eq!(by_words, compare(a, b), "{a} vs {b}");
            }
        }
    }
}
