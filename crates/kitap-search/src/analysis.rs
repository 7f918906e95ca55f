//! Positional analysis for the index and for queries, built on kitap-text.
//! kitap-text's `analyze` deduplicates terms; phrases need every term at its
//! word position, so this walks the tokens itself with the same primitives.

use kitap_text::{fold_key, stem_kazakh, stem_key, stem_russian, tokens, Lang};

/// The terms of one word: what it is, its stems, its folding keys.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordTerms {
    pub position: usize,
    /// The normalized word (lower case, NFC, homoglyphs repaired).
    pub exact: String,
    /// Stems that differ from `exact`, for the languages analysed.
    pub stems: Vec<String>,
    /// The folding key, then the keys of the stems (distinct).
    pub keys: Vec<String>,
}

fn push_unique(list: &mut Vec<String>, term: String) {
    if !term.is_empty() && !list.contains(&term) {
        list.push(term);
    }
}

/// A capitalised word after the first, not all capitals: kitap-text's
/// proper-noun guard (only case endings are stripped from it).
fn proper_noun(original: &str, position: usize) -> bool {
    let mut letters = original.chars().filter(|c| c.is_alphabetic());
    let first_upper = letters.next().is_some_and(char::is_uppercase);
    let all_upper = original
        .chars()
        .filter(|c| c.is_alphabetic())
        .all(char::is_uppercase);
    position > 0 && first_upper && !all_upper
}

/// Analyses `text` in `lang` (`None`: unknown, both Kazakh and Russian).
pub fn words(text: &str, lang: Option<Lang>) -> Vec<WordTerms> {
    let kazakh = matches!(lang, None | Some(Lang::Kazakh));
    let russian = matches!(lang, None | Some(Lang::Russian));
    tokens(text)
        .into_iter()
        .map(|token| {
            let word = token.normalized;
            let proper = proper_noun(&token.original, token.position);
            let key = fold_key(&word);
            let mut stems = Vec::new();
            let mut keys = vec![key.clone()];
            if kazakh {
                let stem = stem_kazakh(&word, proper);
                if stem != word {
                    push_unique(&mut keys, fold_key(&stem));
                    push_unique(&mut stems, stem);
                }
                push_unique(&mut keys, stem_key(&key, proper));
            }
            if russian {
                let stem = stem_russian(&word);
                if stem != word {
                    push_unique(&mut keys, fold_key(&stem));
                    push_unique(&mut stems, stem);
                }
            }
            keys.retain(|k| !k.is_empty());
            WordTerms {
                position: token.position,
                exact: word,
                stems,
                keys,
            }
        })
        .collect()
}

/// The record's analysis language from its language codes: the first of
/// Kazakh or Russian, else `Other` when a code is known, else unknown.
pub fn record_lang(codes: &[String]) -> Option<Lang> {
    let langs: Vec<Option<Lang>> = codes.iter().map(|c| Lang::from_marc_code(c)).collect();
    if langs.contains(&Some(Lang::Kazakh)) && langs.contains(&Some(Lang::Russian)) {
        return None;
    }
    langs
        .iter()
        .flatten()
        .find(|l| matches!(l, Lang::Kazakh | Lang::Russian))
        .copied()
        .or_else(|| langs.iter().flatten().next().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_terms() {
        let w = words("Абайдың кітаптары", Some(Lang::Kazakh));
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].exact, "абайдың");
        assert!(w[0].stems.contains(&"абай".to_string()));
        assert!(w[0].keys.contains(&"abai".to_string()), "{w:?}");
        assert_eq!(w[1].position, 1);
    }

    #[test]
    fn other_languages_are_not_stemmed() {
        let w = words("Histories", Some(Lang::Other));
        assert!(w[0].stems.is_empty());
    }

    #[test]
    fn record_language() {
        let codes = |c: &[&str]| c.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(record_lang(&codes(&["kaz"])), Some(Lang::Kazakh));
        assert_eq!(record_lang(&codes(&["eng", "rus"])), Some(Lang::Russian));
        assert_eq!(record_lang(&codes(&["kaz", "rus"])), None);
        assert_eq!(record_lang(&codes(&["eng"])), Some(Lang::Other));
        assert_eq!(record_lang(&[]), None);
    }
}
