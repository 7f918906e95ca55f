//! Queries with one intended record (its ISBN), in labelled sets: the three
//! ISBN forms, a Kazakh surname with title words in Cyrillic and the three
//! Latin spellings, with a typo, with the title noun inflected otherwise,
//! and a Russian surname with an inflected title noun.

use crate::generator::vocab::{KZ_NOUNS, RU_NOUNS};
use crate::generator::{isbn10, isbn13, isbn_hyphenated, Rng, Spec};
use crate::queries::Query;
use crate::translit::{latin, Latin};

struct Sets {
    out: Vec<Query>,
    kaz: usize,
    rus: usize,
    isbn: usize,
}

impl Sets {
    fn push(&mut self, label: &str, text: String, n: u64) {
        let mut q = Query::words(usize::MAX, label, text);
        q.target = Some(isbn13(n));
        self.out.push(q);
    }

    fn isbn(&mut self, n: u64) {
        self.isbn += 1;
        self.push("ISBN-13 as stored", isbn13(n), n);
        self.push("ISBN-13 hyphenated", isbn_hyphenated(n), n);
        self.push("ISBN-10", isbn10(n), n);
    }

    fn kazakh(&mut self, s: &Spec, words: &[String]) {
        let Some((noun, used)) = s.noun else { return };
        let n = s.n;
        self.kaz += 1;
        let surname = s.surname.to_lowercase();
        let title2 = format!("{} {}", words[0], words[1]);
        let control = format!("{surname} {title2}");
        self.push(
            "kaz: surname + 2 title words (Cyrillic)",
            control.clone(),
            n,
        );
        self.push(
            "kaz: same, informal Latin (zh, q, gh)",
            latin(&control, Latin::InformalZh),
            n,
        );
        self.push(
            "kaz: same, informal Latin (j, k, g)",
            latin(&control, Latin::InformalJ),
            n,
        );
        self.push(
            "kaz: same, Latin 2021 (ä ğ q ñ ö ū ü ı ş)",
            latin(&control, Latin::Official2021),
            n,
        );
        self.push(
            "kaz: surname with a typo + 2 title words",
            format!("{} {title2}", drop_middle_letter(&surname)),
            n,
        );
        // The title noun in another case or number.
        let other = [2, 3, 4, 1, 3][used];
        self.push(
            "kaz: surname + title noun inflected otherwise",
            format!("{surname} {}", KZ_NOUNS[noun][other]),
            n,
        );
    }

    fn russian(&mut self, s: &Spec) {
        let Some((noun, used)) = s.noun else { return };
        let form = if used == 0 { 1 } else { 0 };
        if RU_NOUNS[noun][form] == RU_NOUNS[noun][used] {
            return;
        }
        self.rus += 1;
        self.push(
            "rus: surname forename + title noun inflected otherwise",
            format!(
                "{} {} {}",
                s.surname.to_lowercase(),
                s.forename.to_lowercase(),
                RU_NOUNS[noun][form]
            ),
            s.n,
        );
    }
}

fn drop_middle_letter(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    let mid = chars.len() / 2;
    chars
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != mid)
        .map(|(_, c)| c)
        .collect()
}

/// About `per_set` queries per Kazakh set, half that per ISBN and Russian set.
pub fn recall_queries(count: u64, per_set: usize) -> Vec<Query> {
    let mut r = Rng::new(0xACC);
    let mut sets = Sets {
        out: Vec::new(),
        kaz: 0,
        rus: 0,
        isbn: 0,
    };
    let mut tries = 0;
    while (sets.kaz < per_set || sets.rus < per_set / 2 || sets.isbn < per_set / 2)
        && tries < per_set * 1000
    {
        tries += 1;
        let n = r.next() % count;
        let s = Spec::generate(n);
        let words = s.title_words();
        if sets.isbn < per_set / 2 {
            sets.isbn(n);
        }
        if s.lang == "kaz" && s.synthetic && words.len() >= 2 && sets.kaz < per_set {
            sets.kazakh(&s, &words);
        }
        if s.lang == "rus" && s.synthetic && sets.rus < per_set / 2 {
            sets.russian(&s);
        }
    }
    sets.out
}
