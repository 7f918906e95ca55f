//! Property tests: every Kazakh word folds to the same key in every spelling a
//! reader may type, and no input makes any function panic.

use kitap_text::{
    analyze, fold_key, normalize, stem_kazakh, stem_key, stem_russian, to_informal_latin,
    to_latin_2021, to_russian_keyboard, tokenize, InformalStyle, Lang,
};
use proptest::prelude::*;

const WORDS: &str = include_str!("kazakh_words.txt");

fn words() -> Vec<&'static str> {
    let mut out: Vec<&str> = WORDS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Russian keyboard, with і typed as the Latin i (which looks the same).
fn latin_i_keyboard(word: &str) -> String {
    to_russian_keyboard(&word.replace('і', "i").replace('І', "I"))
}

/// 2018 Latin (acute accents, sh/ch digraphs): Ә Á, Ғ Ǵ, Ң Ń, Ө Ó, Ұ U, Ү Ú,
/// У Ý, Ы Y, І I, И/Й I, Ш Sh, Ч Ch, Қ Q, Ж J.
fn latin_2018(word: &str) -> String {
    word.to_lowercase()
        .chars()
        .map(|c| match c {
            'ә' => "á".to_string(),
            'ғ' => "ǵ".to_string(),
            'ң' => "ń".to_string(),
            'ө' => "ó".to_string(),
            'ұ' => "u".to_string(),
            'ү' => "ú".to_string(),
            'у' => "ý".to_string(),
            'ы' => "y".to_string(),
            'і' | 'и' | 'й' => "ı".to_string(),
            'ш' => "sh".to_string(),
            'ч' => "ch".to_string(),
            'қ' => "q".to_string(),
            'ж' => "j".to_string(),
            c => to_latin_2021(&c.to_string()),
        })
        .collect()
}

/// 2017 Latin (apostrophes): Ә A', Ғ G', Ң N', Ө O', Ү U', Ұ U, Ш S', Ч C', І I,
/// И/Й I', У Y', Ы Y, Ж J, Қ Q.
fn latin_2017(word: &str) -> String {
    word.to_lowercase()
        .chars()
        .map(|c| match c {
            'ә' => "a'".to_string(),
            'ғ' => "g'".to_string(),
            'ң' => "n'".to_string(),
            'ө' => "o'".to_string(),
            'ү' => "u'".to_string(),
            'ұ' => "u".to_string(),
            'ш' => "s'".to_string(),
            'ч' => "c'".to_string(),
            'і' => "i".to_string(),
            'и' | 'й' => "i'".to_string(),
            'у' => "y'".to_string(),
            'ы' => "y".to_string(),
            'ж' => "j".to_string(),
            'қ' => "q".to_string(),
            c => to_latin_2021(&c.to_string()),
        })
        .collect()
}

#[test]
fn word_list_is_large_enough() {
    assert!(words().len() >= 200, "{}", words().len());
}

#[test]
fn every_spelling_of_every_word_has_the_same_key() {
    let mut failures = Vec::new();
    for word in words() {
        let key = fold_key(word);
        assert!(!key.is_empty(), "{word}");
        let variants = [
            ("latin-2021", to_latin_2021(word)),
            ("latin-2021-upper", to_latin_2021(&word.to_uppercase())),
            ("latin-2018", latin_2018(word)),
            ("latin-2017", latin_2017(word)),
            ("informal-bgn", to_informal_latin(word, InformalStyle::Bgn)),
            (
                "informal-simple",
                to_informal_latin(word, InformalStyle::Simple),
            ),
            ("russian-keyboard", to_russian_keyboard(word)),
            ("latin-i-keyboard", latin_i_keyboard(word)),
            ("upper", word.to_uppercase()),
        ];
        for (kind, variant) in variants {
            if fold_key(&variant) != key {
                failures.push(format!(
                    "{word} {kind} {variant}: {} != {key}",
                    fold_key(&variant)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn stemmed_keys_agree_across_scripts() {
    for word in words() {
        for suffix in ["тар", "дың", "ға", "да", "дан", "мен"] {
            let form = format!("{word}{suffix}");
            let key = stem_key(&fold_key(&form), false);
            for variant in [to_latin_2021(&form), to_russian_keyboard(&form)] {
                assert_eq!(
                    stem_key(&fold_key(&variant), false),
                    key,
                    "{form} / {variant}"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC{0,40}") {
        let _ = fold_key(&s);
        let _ = normalize(&s);
        let _ = tokenize(&s);
        let _ = stem_kazakh(&s, true);
        let _ = stem_kazakh(&s, false);
        let _ = stem_key(&s, false);
        let _ = stem_russian(&s);
        let _ = to_latin_2021(&s);
        let _ = analyze(&s, None);
        let _ = analyze(&s, Some(Lang::Other));
    }

    #[test]
    fn kazakh_alphabet_strings_fold_consistently(
        s in "[аәбвгғдежзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя]{1,12}"
    ) {
        let key = fold_key(&s);
        prop_assert_eq!(fold_key(&to_latin_2021(&s)), key.clone());
        prop_assert_eq!(fold_key(&to_russian_keyboard(&s)), key.clone());
        prop_assert_eq!(fold_key(&s.to_uppercase()), key);
    }

    #[test]
    fn normalization_is_idempotent(s in "\\PC{0,30}") {
        let once = normalize(&s);
        prop_assert_eq!(normalize(&once), once.clone());
        // Folding a normalized token is the same as folding the raw one.
        for w in tokenize(&s) {
            prop_assert_eq!(fold_key(&w), fold_key(&normalize(&w)));
        }
    }
}
