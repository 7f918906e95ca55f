//! Unicode normalisation, homoglyph repair, lower-casing and tokenisation.
//!
//! Pipeline for one word (see kz-domain.md §2.4, "recommended analysis chain"):
//! 1. NFC, then drop invisible characters (soft hyphen, zero-width joiners, BOM) and
//!    the combining accents that NFC cannot compose (Russian stress marks `е́`, the
//!    stray dot of `i̇` produced by naive lower-casing of `İ`).
//! 2. Homoglyph repair: a word mixing Cyrillic and Latin letters is converted to its
//!    majority script (ties go to Cyrillic, the catalogue's main script); only letters
//!    with a look-alike are converted, so `Kітап` (Latin K) becomes `кітап`.
//! 3. Look-alike letters from other blocks: Latin schwa Ə/ə (U+018F/0259) becomes
//!    Kazakh ә in Cyrillic words and `ä` in Latin ones; Ɵ/ɵ likewise ө / `ö`;
//!    ӊ/Ӊ (U+04CA/04C9) and ҥ/Ҥ become ң.
//! 4. Lower-casing with the Turkic i handled. Kazakh Latin-2021 uses İ/i for И/Й and
//!    I/ı for І, while every other Latin spelling (2018, informal, English) uses I/i.
//!    We decide per word: `İ` always lowers to `i` (never `i̇`); `I` lowers to `ı` only
//!    when the word carries a Kazakh-Latin marker (ı İ ä ö ü ū ğ ş ñ q, any case),
//!    otherwise to `i`. `ı` is kept. The folding key merges all i's anyway, so this
//!    choice only matters for the exact (normalized) term.
//! 5. ё → е (Russian texts write е for ё; Kazakh uses ё only in loans; Snowball
//!    Russian needs it folded).

use unicode_normalization::UnicodeNormalization;

/// Latin → Cyrillic look-alikes (applied inside Cyrillic-majority words).
fn latin_to_cyrillic(c: char) -> Option<char> {
    Some(match c {
        'a' => 'а',
        'A' => 'А',
        'B' => 'В',
        'c' => 'с',
        'C' => 'С',
        'e' => 'е',
        'E' => 'Е',
        'ë' => 'ё',
        'Ë' => 'Ё',
        'h' => 'һ',
        'H' => 'Н',
        'i' => 'і',
        'I' => 'І',
        'k' => 'к',
        'K' => 'К',
        'M' => 'М',
        'o' => 'о',
        'O' => 'О',
        'p' => 'р',
        'P' => 'Р',
        'T' => 'Т',
        'x' => 'х',
        'X' => 'Х',
        'y' => 'у',
        'Y' => 'У',
        'ə' => 'ә',
        'Ə' => 'Ә',
        'ɵ' => 'ө',
        'Ɵ' => 'Ө',
        _ => return None,
    })
}

/// Cyrillic → Latin look-alikes (applied inside Latin-majority words).
fn cyrillic_to_latin(c: char) -> Option<char> {
    Some(match c {
        'а' => 'a',
        'А' => 'A',
        'В' => 'B',
        'с' => 'c',
        'С' => 'C',
        'е' => 'e',
        'Е' => 'E',
        'һ' => 'h',
        'Н' => 'H',
        'і' => 'i',
        'І' => 'I',
        'к' => 'k',
        'К' => 'K',
        'М' => 'M',
        'о' => 'o',
        'О' => 'O',
        'р' => 'p',
        'Р' => 'P',
        'Т' => 'T',
        'х' => 'x',
        'Х' => 'X',
        'у' => 'y',
        'У' => 'Y',
        'ә' | 'ə' => 'ä',
        'Ә' | 'Ə' => 'Ä',
        'ө' | 'ɵ' => 'ö',
        'Ө' | 'Ɵ' => 'Ö',
        _ => return None,
    })
}

// The script blocks include the extension blocks, so that a letter and its
// lower-case form (Ⱥ U+023A → ⱥ U+2C65) always count for the same script and
// normalisation stays idempotent.
fn is_cyrillic(c: char) -> bool {
    matches!(
        c,
        '\u{0400}'..='\u{052F}' | '\u{1C80}'..='\u{1C8F}' | '\u{2DE0}'..='\u{2DFF}' | '\u{A640}'..='\u{A69F}'
    )
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic()
        || (matches!(
            c,
            '\u{00C0}'..='\u{024F}'
                | '\u{1D00}'..='\u{1DBF}'
                | '\u{1E00}'..='\u{1EFF}'
                | '\u{2C60}'..='\u{2C7F}'
                | '\u{A720}'..='\u{A7FF}'
                | '\u{AB30}'..='\u{AB6F}'
                | '\u{FF21}'..='\u{FF3A}'
                | '\u{FF41}'..='\u{FF5A}'
        ) && c != '×'
            && c != '÷')
}

/// Characters removed before anything else: invisible formatting characters and
/// combining accents left over after NFC.
fn is_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{200B}'
            ..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{0300}' | '\u{0301}' | '\u{0307}'
    )
}

/// Kazakh-Latin-2021 markers: presence makes a capital `I` mean І (lower `ı`).
fn is_kazakh_latin_marker(c: char) -> bool {
    matches!(
        c,
        'ı' | 'İ'
            | 'ä'
            | 'Ä'
            | 'ö'
            | 'Ö'
            | 'ü'
            | 'Ü'
            | 'ū'
            | 'Ū'
            | 'ğ'
            | 'Ğ'
            | 'ş'
            | 'Ş'
            | 'ñ'
            | 'Ñ'
            | 'q'
            | 'Q'
    )
}

/// Which script a word is written in, by majority of its letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Majority Cyrillic (ties included).
    Cyrillic,
    /// Majority Latin.
    Latin,
    /// No Cyrillic or Latin letters (digits, other scripts).
    Other,
}

/// The majority script of a word; schwa and barred o count for neither side.
pub fn script_of(word: &str) -> Script {
    let (mut cyr, mut lat) = (0usize, 0usize);
    for c in word.chars() {
        if matches!(c, 'ə' | 'Ə' | 'ɵ' | 'Ɵ') {
            continue;
        }
        if is_cyrillic(c) {
            cyr += 1;
        } else if is_latin(c) {
            lat += 1;
        }
    }
    match (cyr, lat) {
        (0, 0) => Script::Other,
        (c, l) if c >= l => Script::Cyrillic,
        _ => Script::Latin,
    }
}

/// Normalises one word (no separators expected, but any input is accepted):
/// NFC, homoglyph repair, look-alike letters, Turkic-aware lower-casing, ё → е.
pub fn normalize_word(word: &str) -> String {
    let nfc: String = word.nfc().filter(|c| !is_ignorable(*c)).collect();
    let script = script_of(&nfc);
    let repaired = nfc.chars().map(|c| match (script, c) {
        (_, 'ӊ' | 'ҥ') => 'ң',
        (_, 'Ӊ' | 'Ҥ') => 'Ң',
        (Script::Latin, c) => cyrillic_to_latin(c).unwrap_or(c),
        (_, c) => latin_to_cyrillic(c).unwrap_or(c),
    });
    let repaired: String = repaired.collect();
    let kazakh_latin = repaired.chars().any(is_kazakh_latin_marker);
    let mut out = String::with_capacity(repaired.len());
    for c in repaired.chars() {
        match c {
            'İ' => out.push('i'),
            'I' if kazakh_latin => out.push('ı'),
            'ё' | 'Ё' => out.push('е'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Normalises a whole text word by word, keeping the separators as they are.
pub fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (is_word, piece) in split_runs(text) {
        if is_word {
            out.push_str(&normalize_word(piece));
        } else {
            out.push_str(piece);
        }
    }
    out
}

/// A character that belongs to a word: letters, digits and combining marks.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_ignorable(c) || ('\u{0300}'..='\u{036F}').contains(&c)
}

/// Apostrophes kept inside words: the 2017 Latin alphabet writes `G'`, `S'`...
fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | 'ʻ' | '`')
}

/// Splits text into alternating runs of word and non-word characters. An apostrophe
/// directly after a word character stays in the word (2017 Latin: `Qarag'andy`,
/// `S'`-final words); hyphens always separate.
fn split_runs(text: &str) -> Vec<(bool, &str)> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    let mut prev_word = false;
    for (i, c) in text.char_indices() {
        let word = is_word_char(c) || (is_apostrophe(c) && prev_word);
        if current != Some(word) {
            if let Some(kind) = current {
                runs.push((kind, &text[start..i]));
            }
            start = i;
            current = Some(word);
        }
        prev_word = is_word_char(c);
    }
    if let Some(kind) = current {
        runs.push((kind, &text[start..]));
    }
    runs
}

/// A token with the original spelling (needed for the proper-noun guard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// The text as written (NFC not applied).
    pub original: String,
    /// [`normalize_word`] of the original.
    pub normalized: String,
    /// Position among the tokens of the text, from 0.
    pub position: usize,
}

/// Splits text into normalized word tokens. Words are runs of letters and digits;
/// hyphenated compounds (`Атау-кере`, `Өмір-дастан`) give one token per part, so a
/// query for either part matches; punctuation and dashes are dropped.
pub fn tokens(text: &str) -> Vec<Token> {
    split_runs(text)
        .into_iter()
        .filter(|(is_word, _)| *is_word)
        .filter_map(|(_, piece)| {
            let trimmed = piece.trim_end_matches(is_apostrophe);
            let normalized = normalize_word(trimmed);
            (!normalized.is_empty()).then(|| (trimmed.to_string(), normalized))
        })
        .enumerate()
        .map(|(position, (original, normalized))| Token {
            original,
            normalized,
            position,
        })
        .collect()
}

/// The normalized words of a text (see [`tokens`]).
pub fn tokenize(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(|t| t.normalized).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yo_becomes_ye() {
        assert_eq!(normalize_word("Ёлка"), "елка");
        assert_eq!(normalize_word("КОСТЫЛЁМ"), "костылем");
    }

    #[test]
    fn latin_homoglyph_in_cyrillic_word() {
        assert_eq!(normalize_word("Kітап"), "кітап");
        assert_eq!(normalize_word("кiтап"), "кітап"); // Latin i for і
        assert_eq!(normalize_word("КАРAГAНДЫ"), "караганды");
        assert_eq!(normalize_word("Əнші"), "әнші");
    }

    #[test]
    fn cyrillic_homoglyph_in_latin_word() {
        assert_eq!(normalize_word("Аbai"), "abai"); // Cyrillic А
        assert_eq!(normalize_word("Kоshpendiler"), "koshpendiler");
        assert_eq!(normalize_word("Əbdıraman"), "äbdıraman");
    }

    #[test]
    fn lookalike_eng() {
        assert_eq!(normalize_word("таӊ"), "таң");
        assert_eq!(normalize_word("ТАӉ"), "таң");
    }

    #[test]
    fn turkic_i() {
        // Latin-2021: İ = И/Й, I = І.
        assert_eq!(normalize_word("İSKER"), "isker");
        assert_eq!(normalize_word("İrI"), "irı");
        assert_eq!(normalize_word("BIR"), "bir"); // no marker: plain English-style I
        assert_eq!(normalize_word("QIZ"), "qız"); // q marks Kazakh Latin
        assert_eq!(normalize_word("bır"), "bır");
        // Never the i + combining dot of naive lower-casing.
        assert!(!normalize_word("İ").contains('\u{307}'));
    }

    #[test]
    fn nfc_and_invisible() {
        assert_eq!(normalize_word("A\u{308}uezov"), "äuezov");
        assert_eq!(normalize_word("кни\u{00AD}га"), "книга");
        assert_eq!(normalize_word("ле\u{301}с"), "лес");
    }

    #[test]
    fn tokenizer_splits_hyphens_keeps_apostrophes() {
        assert_eq!(tokenize("Атау-кере"), vec!["атау", "кере"]);
        assert_eq!(
            tokenize("Менің өмірім — театр!"),
            vec!["менің", "өмірім", "театр"]
        );
        assert_eq!(tokenize("Qarag'andy, 2020"), vec!["qarag'andy", "2020"]);
        assert_eq!(tokenize("'quoted'"), vec!["quoted"]);
        assert!(tokenize(" — ,").is_empty());
        assert_eq!(normalize("Kітап — ЁЛКА"), "кітап — елка");
    }

    #[test]
    fn token_positions() {
        let t = tokens("Абай жолы");
        assert_eq!(t[1].position, 1);
        assert_eq!(t[0].original, "Абай");
    }
}
