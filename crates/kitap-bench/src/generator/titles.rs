//! Titles: Kazakh nouns in their forms with adjectives and generated names,
//! Russian nouns with gender-agreeing adjectives, English patterns, and a few
//! famous titles.

use super::rng::Rng;
use super::vocab::*;

/// A title and the noun in it: index in KZ_NOUNS / RU_NOUNS and the form used.
pub type Title = (String, Option<(usize, usize)>);

pub fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A generated Kazakh name root ("Жан" + "ке" + "бек").
pub fn kz_root(r: &mut Rng) -> String {
    format!(
        "{}{}{}",
        r.pick(KZ_ROOT_A),
        r.pick(KZ_ROOT_C),
        r.pick(KZ_ROOT_B)
    )
}

/// Two different skewed noun indexes.
fn two_nouns(r: &mut Rng, len: usize) -> (usize, usize) {
    let a = r.skewed(len);
    let mut b = r.skewed(len);
    if b == a {
        b = (a + 1) % len;
    }
    (a, b)
}

pub fn kz_title(r: &mut Rng) -> Title {
    let (a, b) = two_nouns(r, KZ_NOUNS.len());
    let (text, noun) = match r.below(100) {
        0..=24 => (
            format!("{} {}", KZ_NOUNS[a][0], KZ_NOUNS[b][1]),
            Some((b, 1)),
        ),
        25..=44 => (
            format!("{} {}", r.pick(KZ_ADJ), KZ_NOUNS[a][0]),
            Some((a, 0)),
        ),
        45..=64 => (
            format!("{} {} {}", r.pick(KZ_ADJ), KZ_NOUNS[a][0], KZ_NOUNS[b][1]),
            Some((b, 1)),
        ),
        65..=74 => (KZ_NOUNS[a][2].to_string(), Some((a, 2))),
        75..=84 => (
            format!("{} {}", KZ_NOUNS[a][4], KZ_NOUNS[b][0]),
            Some((a, 4)),
        ),
        85..=96 => (format!("{} {}", kz_root(r), KZ_NOUNS[b][1]), Some((b, 1))),
        _ => (r.pick(KZ_FAMOUS).to_string(), None),
    };
    (capitalize(&text), noun)
}

fn ru_gender(noun: usize) -> usize {
    match RU_NOUNS[noun][4] {
        "m" => 0,
        "f" => 1,
        _ => 2,
    }
}

pub fn ru_title(r: &mut Rng) -> Title {
    let (a, b) = two_nouns(r, RU_NOUNS.len());
    let (text, noun) = match r.below(100) {
        0..=24 => (
            format!("{} {}", r.pick(RU_ADJ)[ru_gender(a)], RU_NOUNS[a][0]),
            Some((a, 0)),
        ),
        25..=49 => (
            format!("{} {}", RU_NOUNS[a][0], RU_NOUNS[b][1]),
            Some((b, 1)),
        ),
        50..=64 => (
            format!("{} и {}", RU_NOUNS[a][0], RU_NOUNS[b][0]),
            Some((a, 0)),
        ),
        65..=79 => (
            format!("{} в {}", RU_NOUNS[a][0], RU_NOUNS[b][2]),
            Some((b, 2)),
        ),
        80..=89 => (format!("{} Казахстана", RU_NOUNS[a][0]), Some((a, 0))),
        90..=96 => (format!("Основы {}", RU_NOUNS[a][1]), Some((a, 1))),
        _ => (r.pick(RU_FAMOUS).to_string(), None),
    };
    (capitalize(&text), noun)
}

pub fn en_title(r: &mut Rng) -> String {
    let a = r.skewed(EN_NOUNS.len());
    let b = r.skewed(EN_NOUNS.len());
    let text = match r.below(5) {
        0 => format!("The {} {}", r.pick(EN_ADJ), EN_NOUNS[a]),
        1 => format!("The {} of the {}", EN_NOUNS[a], EN_NOUNS[b]),
        2 => format!("{} and {}", EN_NOUNS[a], EN_NOUNS[b]),
        3 => format!("A {} of Kazakhstan", EN_NOUNS[a]),
        _ => format!("{} {}", r.pick(EN_ADJ), EN_NOUNS[a]),
    };
    capitalize(&text)
}
