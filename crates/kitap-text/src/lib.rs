//! Pure text analysis for Kitap search and duplicate detection: Unicode
//! normalisation with homoglyph repair and the Turkic i ([`normalize`]),
//! script-independent Kazakh folding keys ([`fold`]), Latin transliteration
//! ([`translit`]), Russian Snowball and Kazakh suffix stemming ([`stem`]), and
//! [`analyze`], which turns a field into index terms for the record's language.
//!
//! No I/O, no database, no search engine: the search crate wraps this in its
//! tantivy analyzers.
//!
//! ```
//! use kitap_text::{analyze, fold_key, Lang};
//!
//! // One key for every spelling a reader may type.
//! assert_eq!(fold_key("Қарағанды"), fold_key("Qaraghandy"));
//! assert_eq!(fold_key("сөздер"), fold_key("sozder"));
//! // Index terms: exact, stems, then `~`-prefixed folding keys.
//! let terms = analyze("Абайдың кітаптары", Some(Lang::Kazakh));
//! assert!(terms.contains(&"абай".to_string()));
//! assert!(terms.contains(&"~kitap".to_string()));
//! ```

pub mod collate;
pub mod fold;
pub mod normalize;
pub mod stem;
pub mod translit;

pub use fold::{fold_key, fold_text};
pub use normalize::{normalize, normalize_word, tokenize, tokens, Token};
pub use stem::{stem_kazakh, stem_key, stem_russian};
pub use translit::{to_informal_latin, to_latin_2021, to_russian_keyboard, InformalStyle};

/// The analysis language of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Kazakh,
    Russian,
    Other,
}

impl Lang {
    /// The language from a MARC 21 (008/35-37, 041) or UNIMARC/RUSMARC (101) code,
    /// case-insensitive; ISO 639-1 `kk`/`ru` are accepted too. Returns `None` when
    /// the language is unknown (empty, `und`, `mul`, `zxx`, `   `, `|||`): the
    /// caller then indexes both analyses (see [`analyze`]).
    pub fn from_marc_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "kaz" | "kk" => Some(Lang::Kazakh),
            "rus" | "ru" => Some(Lang::Russian),
            "" | "und" | "mul" | "zxx" | "|||" | "###" => None,
            _ => Some(Lang::Other),
        }
    }
}

/// Prefix of folding-key terms in the flat output of [`analyze`], so that a key
/// (`~abai`) never collides with an exact Latin term (`abai`).
pub const FOLD_PREFIX: char = '~';

/// The index terms of one text, by kind (each list deduplicated, in text order).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Normalized tokens (exact-script matches; boost these).
    pub exact: Vec<String>,
    /// Kazakh and/or Russian stems of Cyrillic tokens, when different from the token.
    pub stems: Vec<String>,
    /// Folding keys of the tokens and of their stems (script-independent).
    pub folded: Vec<String>,
}

fn push_unique(list: &mut Vec<String>, term: String) {
    if !term.is_empty() && !list.contains(&term) {
        list.push(term);
    }
}

/// A capitalised word after the first one, not in all capitals: taken as a proper
/// noun by the Kazakh stemmer's guard.
fn is_proper_noun(token: &Token) -> bool {
    let mut letters = token.original.chars().filter(|c| c.is_alphabetic());
    let first_upper = letters.next().is_some_and(char::is_uppercase);
    let rest_upper = token
        .original
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    token.position > 0 && first_upper && !rest_upper
}

/// Analyzes a field. `lang` selects the stemmer: Kazakh rules for [`Lang::Kazakh`],
/// Snowball for [`Lang::Russian`], none for [`Lang::Other`], and both Kazakh and
/// Russian when `None` (language unknown). Folding keys are always produced; for
/// Kazakh and unknown fields the key is also stemmed with [`stem_key`], which covers
/// Latin-script and Russian-keyboard input.
pub fn analyze_fields(text: &str, lang: Option<Lang>) -> Analysis {
    let kazakh = matches!(lang, None | Some(Lang::Kazakh));
    let russian = matches!(lang, None | Some(Lang::Russian));
    let mut out = Analysis::default();
    for token in tokens(text) {
        let word = &token.normalized;
        let proper = is_proper_noun(&token);
        let key = fold_key(word);
        let mut stems = Vec::new();
        if kazakh {
            stems.push(stem_kazakh(word, proper));
            push_unique(&mut out.folded, key.clone());
            push_unique(&mut out.folded, stem_key(&key, proper));
        }
        if russian {
            stems.push(stem_russian(word));
        }
        push_unique(&mut out.folded, key);
        for stem in stems {
            if stem != *word {
                push_unique(&mut out.folded, fold_key(&stem));
                push_unique(&mut out.stems, stem);
            }
        }
        push_unique(&mut out.exact, token.normalized);
    }
    out
}

/// Flat index terms: exact tokens, stems, then folding keys prefixed with
/// [`FOLD_PREFIX`]; deduplicated.
pub fn analyze(text: &str, lang: Option<Lang>) -> Vec<String> {
    let a = analyze_fields(text, lang);
    let mut terms = Vec::with_capacity(a.exact.len() + a.stems.len() + a.folded.len());
    for t in a.exact.into_iter().chain(a.stems) {
        push_unique(&mut terms, t);
    }
    for k in a.folded {
        push_unique(&mut terms, format!("{FOLD_PREFIX}{k}"));
    }
    terms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marc_codes() {
        assert_eq!(Lang::from_marc_code("kaz"), Some(Lang::Kazakh));
        assert_eq!(Lang::from_marc_code("RUS "), Some(Lang::Russian));
        assert_eq!(Lang::from_marc_code("eng"), Some(Lang::Other));
        assert_eq!(Lang::from_marc_code("und"), None);
        assert_eq!(Lang::from_marc_code(""), None);
    }

    #[test]
    fn kazakh_field() {
        let terms = analyze("Абайдың кітаптары", Some(Lang::Kazakh));
        for t in ["абайдың", "кітаптары", "абай", "кітап", "~abai", "~kitap"]
        {
            assert!(terms.contains(&t.to_string()), "{t} missing from {terms:?}");
        }
    }

    #[test]
    fn query_in_latin_meets_cyrillic_record() {
        let record = analyze_fields("Абай жолы", Some(Lang::Kazakh));
        for query in ["Abai joly", "Abay zholy", "абай жолы", "ABAI JOLY"] {
            let keys = fold_text(query);
            assert!(
                keys.iter().all(|k| record.folded.contains(k)),
                "{query}: {keys:?} vs {:?}",
                record.folded
            );
            // Unknown query language: the Kazakh-stemmed keys are among the query's.
            let q = analyze_fields(query, None);
            assert!(q.folded.contains(&"jol".to_string()), "{q:?}");
        }
    }

    #[test]
    fn russian_and_unknown() {
        let ru = analyze_fields("Мифы древних тюрков", Some(Lang::Russian));
        assert!(ru.stems.contains(&stem_russian("тюрков")));
        let both = analyze_fields("Кітаптар книгами", None);
        assert!(both.stems.contains(&"кітап".to_string()));
        assert!(both.stems.contains(&stem_russian("книгами")));
        let other = analyze_fields("Books", Some(Lang::Other));
        assert!(other.stems.is_empty());
        assert_eq!(other.exact, vec!["books"]);
    }

    #[test]
    fn proper_noun_guard_in_fields() {
        // «Алматы» after the first word is a proper noun: its ы is not a possessive.
        let a = analyze_fields("Қала Алматы", Some(Lang::Kazakh));
        assert!(!a.stems.contains(&"алмат".to_string()), "{a:?}");
    }
}
