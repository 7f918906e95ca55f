//! Everything generated record n says, shared by the MARC file, the
//! PostgreSQL table and the queries: 50% Kazakh, 40% Russian, 10% English;
//! RUSMARC with IRBIS 910 copies for 80% of the Kazakh and Russian records,
//! MARC 21 without copies for the rest.

use super::rng::Rng;
use super::titles::{en_title, kz_root, kz_title, ru_title};
use super::vocab::*;

pub struct Spec {
    pub n: u64,
    /// MARC language code: kaz, rus or eng.
    pub lang: &'static str,
    pub title: String,
    pub other_title: Option<String>,
    pub surname: String,
    pub forename: String,
    /// A generated surname (rare), not one of the famous authors (frequent).
    pub synthetic: bool,
    pub year: u32,
    /// Indexes in TOPICS, one or two.
    pub topics: Vec<usize>,
    pub place: &'static str,
    pub publisher: &'static str,
    pub annotation: Option<String>,
    pub rusmarc: bool,
    /// (library code, IRBIS status code) per copy.
    pub copies: Vec<(&'static str, &'static str)>,
    /// A noun of the title: index in KZ_NOUNS / RU_NOUNS and the form used.
    pub noun: Option<(usize, usize)>,
}

/// The language-dependent part of a record.
struct Voice {
    title: String,
    noun: Option<(usize, usize)>,
    other_title: Option<String>,
    surname: String,
    forename: String,
    synthetic: bool,
    publishers: &'static [(&'static str, &'static str)],
    annotation: Option<String>,
}

fn kz_surname(r: &mut Rng, female: bool) -> String {
    let root = kz_root(r);
    if r.chance(0.25) {
        format!("{root}{}", if female { "қызы" } else { "ұлы" })
    } else if let Some(stem) = root.strip_suffix('й') {
        format!("{stem}{}", if female { "ева" } else { "ев" })
    } else if root.ends_with(['а', 'е', 'і', 'ы', 'ә']) {
        format!("{root}{}", if female { "ева" } else { "ев" })
    } else {
        format!("{root}{}", if female { "ова" } else { "ов" })
    }
}

fn kz_annotation(r: &mut Rng) -> String {
    let a = r.skewed(KZ_NOUNS.len());
    let b = r.skewed(KZ_NOUNS.len());
    match r.below(3) {
        0 => format!(
            "Кітапта {} {} туралы баяндалады.",
            KZ_NOUNS[a][3], KZ_NOUNS[b][1]
        ),
        1 => format!("{} {} тарихы туралы роман.", kz_root(r), KZ_NOUNS[a][3]),
        _ => format!("Жинаққа {} {} енді.", r.pick(KZ_ADJ), KZ_NOUNS[a][2]),
    }
}

fn kazakh(r: &mut Rng, female: bool) -> Voice {
    let (title, noun) = kz_title(r);
    let other_title = r.chance(0.35).then(|| r.pick(KZ_GENRES).to_string());
    let (surname, forename, synthetic) = if r.chance(0.1) {
        let (s, f) = *r.pick(KZ_FAMOUS_AUTHORS);
        (s.to_string(), f.to_string(), false)
    } else {
        let surname = kz_surname(r, female);
        let forename = r.pick(if female { KZ_FEMALE } else { KZ_MALE });
        (surname, forename.to_string(), true)
    };
    let annotation = r.chance(0.6).then(|| kz_annotation(r));
    Voice {
        title,
        noun,
        other_title,
        surname,
        forename,
        synthetic,
        publishers: KZ_PUBLISHERS,
        annotation,
    }
}

fn ru_annotation(r: &mut Rng) -> String {
    let a = r.skewed(RU_NOUNS.len());
    match r.below(3) {
        0 => format!("В книге рассказывается о {}.", RU_NOUNS[a][2]),
        1 => format!("Очерки о {} и людях.", RU_NOUNS[a][2]),
        _ => "Издание адресовано широкому кругу читателей.".to_string(),
    }
}

fn russian(r: &mut Rng, female: bool) -> Voice {
    let (title, noun) = ru_title(r);
    let other_title = r.chance(0.35).then(|| r.pick(RU_GENRES).to_string());
    let (surname, forename, synthetic) = if r.chance(0.1) {
        let (s, f) = *r.pick(RU_FAMOUS_AUTHORS);
        (s.to_string(), f.to_string(), false)
    } else {
        let root = format!("{}{}", r.pick(RU_ROOT_A), r.pick(RU_ROOT_B));
        let end = *r.pick(&[("ов", "ова"), ("ин", "ина"), ("ский", "ская")]);
        let surname = format!("{root}{}", if female { end.1 } else { end.0 });
        let forename = r.pick(if female { RU_FEMALE } else { RU_MALE });
        (surname, forename.to_string(), true)
    };
    let annotation = r.chance(0.6).then(|| ru_annotation(r));
    Voice {
        title,
        noun,
        other_title,
        surname,
        forename,
        synthetic,
        publishers: RU_PUBLISHERS,
        annotation,
    }
}

fn english(r: &mut Rng) -> Voice {
    let title = en_title(r);
    let other_title = r.chance(0.35).then(|| r.pick(EN_GENRES).to_string());
    let surname = r.pick(EN_SURNAMES).to_string();
    let forename = r.pick(EN_FIRST).to_string();
    let annotation = r
        .chance(0.6)
        .then(|| format!("A study of the {} of the Kazakh steppe.", r.pick(EN_NOUNS)));
    Voice {
        title,
        noun: None,
        other_title,
        surname,
        forename,
        synthetic: false,
        publishers: EN_PUBLISHERS,
        annotation,
    }
}

fn topics(r: &mut Rng) -> Vec<usize> {
    let mut topics = vec![r.skewed(TOPICS.len())];
    if r.chance(0.4) {
        let t = r.skewed(TOPICS.len());
        if t != topics[0] {
            topics.push(t);
        }
    }
    topics
}

/// 1-4 copies in different libraries; the central library holds about a third.
fn copies(r: &mut Rng) -> Vec<(&'static str, &'static str)> {
    let count = match r.below(100) {
        0..=44 => 1,
        45..=74 => 2,
        75..=89 => 3,
        _ => 4,
    };
    let mut libraries: Vec<&'static str> = Vec::new();
    while libraries.len() < count {
        let lib = if libraries.is_empty() && r.chance(0.35) {
            LIBRARIES[0]
        } else {
            LIBRARIES[1 + r.skewed(LIBRARIES.len() - 1)]
        };
        if !libraries.contains(&lib) {
            libraries.push(lib);
        }
    }
    let status = |r: &mut Rng| match r.below(100) {
        0..=79 => "0",
        80..=91 => "1",
        92..=96 => "5",
        _ => "4",
    };
    libraries.into_iter().map(|lib| (lib, status(r))).collect()
}

impl Spec {
    /// Record n: the same in every run.
    pub fn generate(n: u64) -> Spec {
        let mut r = Rng::new(n);
        let lang = match r.below(10) {
            0..=4 => "kaz",
            5..=8 => "rus",
            _ => "eng",
        };
        let female = r.chance(0.4);
        let voice = match lang {
            "kaz" => kazakh(&mut r, female),
            "rus" => russian(&mut r, female),
            _ => english(&mut r),
        };
        let (place, publisher) = *r.pick(voice.publishers);
        let year = (1930.0 + 95.0 * r.unit().sqrt()) as u32;
        let topics = topics(&mut r);
        // IRBIS libraries catalog in RUSMARC; English and some newer records come as MARC 21.
        let rusmarc = lang != "eng" && r.chance(0.8);
        let copies = if rusmarc { copies(&mut r) } else { Vec::new() };
        Spec {
            n,
            lang,
            title: voice.title,
            other_title: voice.other_title,
            surname: voice.surname,
            forename: voice.forename,
            synthetic: voice.synthetic,
            year: year.min(2025),
            topics,
            place,
            publisher,
            annotation: voice.annotation,
            rusmarc,
            copies,
            noun: voice.noun,
        }
    }

    /// The subject heading of topic `t` in the record's language.
    pub fn subject(&self, t: usize) -> &'static str {
        match self.lang {
            "kaz" => TOPICS[t].0,
            "rus" => TOPICS[t].1,
            _ => TOPICS[t].2,
        }
    }

    /// "Surname, Forename", as in the main entry.
    pub fn author(&self) -> String {
        format!("{}, {}", self.surname, self.forename)
    }

    /// "Forename Surname", as in the statement of responsibility.
    pub fn responsibility(&self) -> String {
        format!("{} {}", self.forename, self.surname)
    }

    pub fn libraries(&self) -> Vec<&'static str> {
        self.copies.iter().map(|c| c.0).collect()
    }

    /// The title's words, lower case, punctuation trimmed.
    pub fn title_words(&self) -> Vec<String> {
        self.title
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| w.chars().count() >= 2)
            .collect()
    }
}
