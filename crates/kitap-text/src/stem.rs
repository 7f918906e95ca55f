//! Stemming: Snowball Russian (`rust-stemmers`) and a light Kazakh suffix stripper.
//!
//! Snowball has no Kazakh (kz-domain.md §2.5), so Kazakh uses an in-house,
//! rule-based stripper in the phase-1 style the guide recommends. A Kazakh word
//! form is `stem + plural + possessive + case + predicate`; we strip at most one
//! suffix per layer from the outside in (predicate, case, possessive, plural),
//! longest suffix first, and only while at least [`MIN_STEM`] letters remain.
//! After a vowel-initial suffix the consonant mutation is reversed
//! (кітабы → кітаб → кітап, жүрегі → жүрек, табағы → табақ).
//!
//! Proper-noun guard: for proper nouns only the case layer is stripped
//! («Абайдың» → «абай», «Алматының» → «алматы», but «Алматы» keeps its final ы,
//! which would otherwise look like a possessive). The caller decides what a proper
//! noun is; [`crate::analyze`] treats a capitalised word that is not the first word
//! of the field (and not written in all capitals) as one.
//!
//! Scripts: [`stem_kazakh`] works on Cyrillic only and returns other words merely
//! normalized. For every script use [`stem_key`] on a [`crate::fold_key`]: the same
//! rules expressed in the key alphabet, so «кітаптар», "kitaptar" and "Kitaptar"
//! all stem to the key `kitap`.

use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use crate::fold::fold_key;
use crate::normalize::{normalize_word, script_of, Script};

/// The shortest stem left by the Kazakh stripper, in letters.
pub const MIN_STEM: usize = 3;

#[derive(Clone, Copy, PartialEq, Eq)]
enum After {
    Any,
    /// After ы/і (the third-person possessive): dative -на/-не, locative -нда/-нде.
    PossessiveVowel,
    /// After a consonant: the vowel-initial possessives -ы/-і/-ым/-ың...
    Consonant,
    /// After a vowel: the third-person possessive -сы/-сі (бала-сы; after a
    /// consonant it is -ы/-і: соғыс-ы, so соғысы keeps its с).
    Vowel,
    /// After a voiceless consonant: the т-, қ-, к-, п- variants of case and plural.
    Voiceless,
    /// After a vowel or voiced consonant: the д-, ғ-, г-, б- variants.
    NotVoiceless,
}

/// Kazakh suffixes assimilate to the stem's last sound (кітап-тар, қала-лар,
/// Абай-дың, Алматы-ны): a т-/қ-/к-/п- variant only follows a voiceless consonant
/// and a д-/ғ-/г-/б- variant never does. This keeps «Алматы» from losing -ты.
fn sandhi(suffix: &Suffix) -> After {
    match (suffix.after, suffix.text.chars().next()) {
        (After::Any, Some('т' | 'қ' | 'к' | 'п')) => After::Voiceless,
        (After::Any, Some('д' | 'ғ' | 'г' | 'б')) => After::NotVoiceless,
        (after, _) => after,
    }
}

struct Suffix {
    text: &'static str,
    after: After,
}

const fn any(text: &'static str) -> Suffix {
    Suffix {
        text,
        after: After::Any,
    }
}
const fn poss_vowel(text: &'static str) -> Suffix {
    Suffix {
        text,
        after: After::PossessiveVowel,
    }
}
const fn consonant(text: &'static str) -> Suffix {
    Suffix {
        text,
        after: After::Consonant,
    }
}
const fn vowel(text: &'static str) -> Suffix {
    Suffix {
        text,
        after: After::Vowel,
    }
}

/// Personal (predicate) endings: 1sg, 1pl, 2sg, 2pl. The privative -сыз/-сіз is
/// not stripped (it changes the meaning), so the polite 2sg -сыз/-сіз is kept too.
const PREDICATE: &[Suffix] = &[
    any("мын"),
    any("мін"),
    any("бын"),
    any("бін"),
    any("пын"),
    any("пін"),
    any("мыз"),
    any("міз"),
    any("быз"),
    any("біз"),
    any("пыз"),
    any("піз"),
    any("сың"),
    any("сің"),
    any("сыңдар"),
    any("сіңдер"),
    any("сыздар"),
    any("сіздер"),
];

/// Case endings. The bare accusative -н and dative -а/-е are not stripped: they
/// would eat the ends of too many stems (ақын, ана).
const CASE: &[Suffix] = &[
    // genitive
    any("ның"),
    any("нің"),
    any("дың"),
    any("дің"),
    any("тың"),
    any("тің"),
    // dative
    any("ға"),
    any("ге"),
    any("қа"),
    any("ке"),
    poss_vowel("на"),
    poss_vowel("не"),
    // locative
    any("да"),
    any("де"),
    any("та"),
    any("те"),
    poss_vowel("нда"),
    poss_vowel("нде"),
    // ablative
    any("дан"),
    any("ден"),
    any("тан"),
    any("тен"),
    any("нан"),
    any("нен"),
    // instrumental
    any("мен"),
    any("бен"),
    any("пен"),
    // accusative
    any("ны"),
    any("ні"),
    any("ды"),
    any("ді"),
    any("ты"),
    any("ті"),
];

const POSSESSIVE: &[Suffix] = &[
    consonant("ымыз"),
    consonant("іміз"),
    consonant("ыңыз"),
    consonant("іңіз"),
    any("мыз"),
    any("міз"),
    any("ңыз"),
    any("ңіз"),
    consonant("ым"),
    consonant("ім"),
    consonant("ың"),
    consonant("ің"),
    vowel("сы"),
    vowel("сі"),
    consonant("ы"),
    consonant("і"),
];

const PLURAL: &[Suffix] = &[
    any("лар"),
    any("лер"),
    any("дар"),
    any("дер"),
    any("тар"),
    any("тер"),
];

/// Two-letter roots the stripper may reach (ел-дер, үй-де, ән-дер): below
/// [`MIN_STEM`] only these are stems, so a short word is not cut to a
/// fragment (ақы is not ақ).
const SHORT_ROOTS: &[&str] = &[
    "ай", "ас", "ат", "ел", "ер", "ет", "ой", "от", "үй", "ұл", "ән", "іс", "өз",
];

/// Roots whose narrow last vowel drops before a vowel-initial suffix
/// (халық → халқы, орын → орны): the reduced stem the stripper leaves, and
/// the root it stands for.
const VOWEL_LOSS: &[(&str, &str)] = &[
    ("халқ", "халық"),
    ("орн", "орын"),
    ("ерн", "ерін"),
    ("мұрн", "мұрын"),
    ("ауз", "ауыз"),
    ("қойн", "қойын"),
    ("мойн", "мойын"),
    ("көңл", "көңіл"),
    ("құлқ", "құлық"),
    ("ерк", "ерік"),
    ("бөрк", "бөрік"),
    ("әрп", "әріп"),
    ("қарн", "қарын"),
];

/// Roots ending in a vowel and с (соғыс, жұмыс): their possessive is
/// -ы (соғыс-ы), which reads just as well as -сы after a vowel (соғы-сы).
/// For these the с stays with the root.
const S_ROOTS: &[&str] = &[
    "ағыс",
    "барыс",
    "батыс",
    "дыбыс",
    "әдіс",
    "жарыс",
    "жеміс",
    "жұмыс",
    "жүріс",
    "келіс",
    "кеңес",
    "кіріс",
    "күміс",
    "күрес",
    "қоныс",
    "орыс",
    "өріс",
    "соғыс",
    "табыс",
    "туыс",
    "тыныс",
    "ұрыс",
    "шабыс",
    "шығыс",
    "ырыс",
];

const CYRILLIC_VOWELS: &str = "аәеёиоөуұүыіэюя";
const KEY_VOWELS: &str = "aeiou";

/// Suffix layers, outermost first, with the letters of one alphabet.
struct Rules {
    layers: [Vec<(String, After)>; 4],
    vowels: &'static str,
    voiceless: &'static str,
    poss_vowels: &'static [char],
    mutations: &'static [(char, char)],
    short_roots: Vec<Vec<char>>,
    vowel_loss: Vec<(Vec<char>, Vec<char>)>,
    s_roots: Vec<Vec<char>>,
}

const CASE_LAYER: usize = 1;
const POSSESSIVE_LAYER: usize = 2;

fn roots(list: &[&str], map: impl Fn(&str) -> String) -> Vec<Vec<char>> {
    list.iter().map(|r| map(r).chars().collect()).collect()
}

fn vowel_loss(map: impl Fn(&str) -> String) -> Vec<(Vec<char>, Vec<char>)> {
    VOWEL_LOSS
        .iter()
        .map(|(reduced, full)| (map(reduced).chars().collect(), map(full).chars().collect()))
        .collect()
}

fn sorted(layer: &[Suffix], map: impl Fn(&str) -> String) -> Vec<(String, After)> {
    let mut v: Vec<(String, After)> = layer.iter().map(|s| (map(s.text), sandhi(s))).collect();
    v.sort_by_key(|(s, _)| std::cmp::Reverse(s.chars().count()));
    v.dedup_by(|a, b| a.0 == b.0);
    v
}

fn rules(map: impl Fn(&str) -> String + Copy) -> [Vec<(String, After)>; 4] {
    [
        sorted(PREDICATE, map),
        sorted(CASE, map),
        sorted(POSSESSIVE, map),
        sorted(PLURAL, map),
    ]
}

fn cyrillic_rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        layers: rules(|s| s.to_string()),
        vowels: CYRILLIC_VOWELS,
        voiceless: "кқпстфхцчшщһ",
        poss_vowels: &['ы', 'і'],
        mutations: &[('б', 'п'), ('г', 'к'), ('ғ', 'қ')],
        short_roots: roots(SHORT_ROOTS, |s| s.to_string()),
        vowel_loss: vowel_loss(|s| s.to_string()),
        s_roots: roots(S_ROOTS, |s| s.to_string()),
    })
}

fn key_rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        layers: rules(fold_key),
        vowels: KEY_VOWELS,
        voiceless: "kpstfhw",
        poss_vowels: &['i'],
        mutations: &[('b', 'p'), ('g', 'k')],
        short_roots: roots(SHORT_ROOTS, fold_key),
        vowel_loss: vowel_loss(fold_key),
        s_roots: roots(S_ROOTS, fold_key),
    })
}

fn strip(word: &str, rules: &Rules, proper_noun: bool) -> String {
    let mut stem: Vec<char> = word.chars().collect();
    let mut vowel_initial = false;
    let mut inner = false;
    for (index, layer) in rules.layers.iter().enumerate() {
        if proper_noun && index != CASE_LAYER {
            continue;
        }
        for (suffix, after) in layer {
            let len = suffix.chars().count();
            if stem.len() < len + 2 {
                continue;
            }
            let cut = stem.len() - len;
            if !stem[cut..].iter().copied().eq(suffix.chars()) {
                continue;
            }
            if cut < MIN_STEM && !rules.short_roots.iter().any(|r| r[..] == stem[..cut]) {
                continue;
            }
            let before = stem[cut - 1];
            if *after == After::Vowel && rules.s_roots.iter().any(|r| r[..] == stem[..=cut]) {
                continue;
            }
            let ok = match after {
                After::Any => true,
                After::PossessiveVowel => rules.poss_vowels.contains(&before),
                After::Consonant => !rules.vowels.contains(before),
                After::Vowel => rules.vowels.contains(before),
                After::Voiceless => rules.voiceless.contains(before),
                After::NotVoiceless => !rules.voiceless.contains(before),
            };
            if ok {
                stem.truncate(cut);
                vowel_initial = suffix
                    .chars()
                    .next()
                    .is_some_and(|c| rules.vowels.contains(c));
                inner |= index >= POSSESSIVE_LAYER;
                break;
            }
        }
    }
    if proper_noun {
        return stem.into_iter().collect();
    }
    // Under a plural or a possessive the stem still ends as the bare word
    // does: the bare word loses a final -ы/-і after a consonant (көшпенді →
    // көшпенд, оқушы → оқуш), so көшпенділер and оқушысы must too.
    if inner && stem.len() > MIN_STEM {
        let (last, before) = (stem[stem.len() - 1], stem[stem.len() - 2]);
        if rules.poss_vowels.contains(&last) && !rules.vowels.contains(before) {
            stem.pop();
            vowel_initial = true;
        }
    }
    if vowel_initial {
        if let Some(last) = stem.last_mut() {
            if let Some((_, to)) = rules.mutations.iter().find(|(from, _)| from == last) {
                *last = *to;
            }
        }
    }
    if let Some((_, full)) = rules
        .vowel_loss
        .iter()
        .find(|(reduced, _)| *reduced == stem)
    {
        return full.iter().collect();
    }
    stem.into_iter().collect()
}

/// Stems a Kazakh word written in Cyrillic (normalized first). Words in other
/// scripts are returned normalized but unstemmed; use [`stem_key`] for them.
pub fn stem_kazakh(word: &str, proper_noun: bool) -> String {
    let normalized = normalize_word(word);
    if script_of(&normalized) != Script::Cyrillic {
        return normalized;
    }
    strip(&normalized, cyrillic_rules(), proper_noun)
}

/// Applies the Kazakh suffix rules to a folding key (see [`crate::fold_key`]), which
/// makes stemming independent of the script the word was typed in.
pub fn stem_key(key: &str, proper_noun: bool) -> String {
    strip(key, key_rules(), proper_noun)
}

/// Snowball Russian stem of a word (normalized first, so lower-cased with ё → е).
/// Non-Cyrillic words are returned normalized.
pub fn stem_russian(word: &str) -> String {
    let normalized = normalize_word(word);
    if script_of(&normalized) != Script::Cyrillic {
        return normalized;
    }
    let stem = Stemmer::create(Algorithm::Russian).stem(&normalized);
    match russian_root(&stem) {
        Some(root) => root.to_owned(),
        None => stem.into_owned(),
    }
}

/// The stem of the nominative for the oblique stems Snowball leaves apart:
/// fleeting vowels (ветер/ветра, отец/отца, день/дня), the -мя nouns
/// (время/времени) and любовь/любви. Only stems no other common word has:
/// мать/матери stays out (матер is материя's stem too).
fn russian_root(stem: &str) -> Option<&'static str> {
    Some(match stem {
        "любв" => "любов",
        "времен" => "врем",
        "имен" => "им",
        "знамен" => "знам",
        "пламен" => "плам",
        "племен" => "плем",
        "бремен" => "брем",
        "ветр" => "ветер",
        "дня" | "дни" | "дне" => "ден",
        "сна" | "снов" => "сон",
        "отц" => "отец",
        "льва" => "лев",
        "рта" => "рот",
        "лба" => "лоб",
        "пса" => "пес",
        "угл" => "угол",
        "огн" => "огон",
        "орл" => "орел",
        "ковр" => "ковер",
        "конц" => "конец",
        "церкв" => "церков",
        "дочер" => "доч",
        "ребенк" => "ребенок",
        "куск" => "кусок",
        "песк" => "песок",
        "платк" => "платок",
        "замк" => "замок",
        "звонк" => "звонок",
        "потолк" => "потолок",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_examples() {
        assert_eq!(stem_kazakh("Абайдың", true), "абай");
        assert_eq!(stem_kazakh("Абайдың", false), "абай");
        assert_eq!(stem_kazakh("кітаптар", false), "кітап");
        assert_eq!(stem_kazakh("кітабы", false), "кітап");
        assert_eq!(stem_kazakh("кітаптарымызда", false), "кітап");
        assert_eq!(stem_kazakh("Көшпенділер", false), "көшпенд");
        assert_eq!(stem_kazakh("жолы", false), "жол");
        assert_eq!(stem_kazakh("қалада", false), "қала");
        assert_eq!(stem_kazakh("мектептен", false), "мектеп");
        assert_eq!(stem_kazakh("жүрегі", false), "жүрек");
        // The agentive -шы looks like a possessive; every form agrees on the stem.
        assert_eq!(stem_kazakh("оқушымын", false), "оқуш");
        assert_eq!(stem_kazakh("оқушы", false), "оқуш");
        assert_eq!(stem_kazakh("балалармен", false), "бала");
    }

    #[test]
    fn minimum_stem_and_guards() {
        assert_eq!(stem_kazakh("үйде", false), "үй"); // a two-letter root
        assert_eq!(stem_kazakh("ақы", false), "ақы"); // ақ is no root of it
        assert_eq!(stem_kazakh("оны", false), "оны"); // one letter is no stem
        assert_eq!(stem_kazakh("ақын", false), "ақын"); // no bare accusative -н
        assert_eq!(stem_kazakh("Абай", false), "абай"); // vowel before й-less end
        assert_eq!(stem_kazakh("Алматы", true), "алматы");
        assert_eq!(stem_kazakh("Алматының", true), "алматы");
        assert_eq!(stem_kazakh("Астана", false), "астана"); // -на only after ы/і
    }

    /// Each group's forms meet on one stem (issue #17's relevance misses).
    #[test]
    fn inflected_forms_meet_their_bare_word() {
        let groups: &[&[&str]] = &[
            // -сы is the possessive after a vowel only.
            &["соғыс", "соғысы", "соғыстың", "соғыста", "соғыстар"],
            &["бала", "баласы", "балалар"],
            // vowel loss before a vowel-initial suffix
            &["халық", "халқы", "халықтың", "халқымыз"],
            &["орын", "орны", "орындар"],
            // two-letter roots
            &["ел", "елдер", "елде", "елдің"],
            &["ән", "әндер", "әні"],
            // a stem ending like a possessive loses it under a plural too
            // (the bare көшпенді reads as the accusative of көшпен)
            &["көшпенділер", "көшпенділердің", "көшпенділерге"],
            &["оқушы", "оқушылар", "оқушымын", "оқушысы"],
            &["жұмыс", "жұмысы", "жұмыстың"],
        ];
        for group in groups {
            let want = stem_kazakh(group[0], false);
            for w in *group {
                assert_eq!(stem_kazakh(w, false), want, "{w} against {}", group[0]);
                let key = stem_key(&fold_key(w), false);
                assert_eq!(key, stem_key(&fold_key(group[0]), false), "key of {w}");
            }
        }
        assert_eq!(stem_kazakh("соғысы", false), "соғыс");
        assert_eq!(stem_kazakh("халқы", false), "халық");
        assert_eq!(stem_kazakh("елдер", false), "ел");
        assert_eq!(stem_kazakh("көшпенділер", false), "көшпенд");
    }

    #[test]
    fn latin_goes_through_keys() {
        assert_eq!(stem_kazakh("kitaptar", false), "kitaptar");
        for w in ["кітаптар", "kitaptar", "Kitaptar", "китаптар", "kıtaptar"] {
            assert_eq!(stem_key(&fold_key(w), false), "kitap", "{w}");
        }
        for w in ["Абайдың", "Abaidyñ", "Abaydyng", "абайдын"] {
            assert_eq!(stem_key(&fold_key(w), true), "abai", "{w}");
        }
    }

    #[test]
    fn russian_snowball() {
        assert_eq!(stem_russian("книгами"), stem_russian("книга"));
        assert_eq!(stem_russian("КОСТЫЛЁМ"), stem_russian("костылем"));
        assert_eq!(stem_russian("истории"), "истор");
        assert_eq!(stem_russian("abc"), "abc");
    }

    #[test]
    fn russian_oblique_stems_meet_the_nominative() {
        for group in [
            &["любовь", "любви", "любовью"][..],
            &["время", "времени", "временем"],
            &["ветер", "ветра", "ветром"],
            &["отец", "отца", "отцы"],
            &["день", "дня", "дней"],
            &["имя", "имени"],
            &["церковь", "церкви"],
        ] {
            let want = stem_russian(group[0]);
            for w in group {
                assert_eq!(stem_russian(w), want, "{w}");
            }
        }
    }
}
