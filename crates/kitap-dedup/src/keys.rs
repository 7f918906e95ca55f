//! Match keys: what [`crate::compare`] needs from a record, computed once
//! when the record is saved so that comparing two records allocates
//! nothing but the explanation.

use kitap_catalog::{AuthorKind, BibView, RecordType};
use kitap_text::fold_text;
use serde::{Deserialize, Serialize};

use crate::parse::{
    edition_number, isbn13_loose, normalize_control_number, pages, part_designation,
    split_volume_from_title, volume_number,
};

/// Bumped whenever the computation of [`MatchKeys`] changes: stored keys of
/// an older version are recomputed ("rekey") before they are compared.
pub const KEYS_VERSION: i32 = 1;

/// The keys of one record (see the field comments); built by [`match_keys`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct MatchKeys {
    /// Valid ISBN-13s: a shared one is strong evidence.
    pub isbns: Vec<String>,
    /// ISBNs from 020$z/010$z and ones with a wrong check digit, reduced to
    /// 13 digits: they find candidates but count less.
    pub weak_isbns: Vec<String>,
    /// Valid ISSNs ("NNNN-NNNC").
    pub issns: Vec<String>,
    /// "agency:number" (001 with its 003, 035): the same record in another
    /// system. All OCLC spellings become "ocolc:<number>".
    pub control_numbers: Vec<String>,
    /// The title proper folded word by word ([`kitap_text::fold_key`]):
    /// Cyrillic, Kazakh Latin and informal Latin spellings give one key;
    /// leading articles, punctuation and a trailing volume marker removed.
    pub title_key: Option<String>,
    /// The folded surname of the first author, a space and the folded
    /// first initial when the forename is known ("auezov m").
    pub author_key: Option<String>,
    /// The publisher's name folded, without words like "publishing" or
    /// "баспасы".
    pub publisher_key: Option<String>,
    pub year: Option<i32>,
    /// Pages of the main sequence (see [`crate::pages`]).
    pub pages: Option<i32>,
    /// The edition number ("2"), or the folded statement when it has no
    /// number.
    pub edition: Option<String>,
    /// The volume or part number ("2"; roman numerals as arabic), or the
    /// folded part name when it has no number.
    pub volume: Option<String>,
    /// The primary language, an ISO 639-2/B code in lower case; `None` when
    /// unknown ("und", "mul", "zxx").
    pub language: Option<String>,
    /// The kind of material ([`kitap_catalog::RecordType::as_str`]):
    /// "book", "serial", "electronic", ...
    pub material: String,
}

/// Leading articles that one cataloger skips with the non-filing indicator
/// and another keeps.
const ARTICLES: &[&str] = &[
    "the", "a", "an", "le", "la", "les", "l", "der", "die", "das", "el", "los", "las", "il",
];

/// Publisher words that say nothing about which publisher it is, folded.
const PUBLISHER_NOISE: &[&str] = &[
    // Russian and Kazakh: "изд-во", "издательство", "баспасы", "типография".
    "izd",
    "vo",
    "dom",
    "basp",
    "baspasi",
    "baspa",
    "tip",
    "ooo",
    "oao",
    "zao",
    "too",
    "ao",
    // English, German, French, Italian.
    "publiwing",
    "publiwers",
    "publiwer",
    "pub",
    "publ",
    "press",
    "pres",
    "inc",
    "ltd",
    "llc",
    "co",
    "sompani",
    "verlag",
    "editions",
    "editore",
    "printed",
    "sold",
    // Prepositions and conjunctions ("printed by ... in ...", "при", "в").
    "and",
    "i",
    "et",
    "und",
    "the",
    "bi",
    "for",
    "at",
    "in",
    "of",
    "v",
    "na",
    "pri",
];

impl MatchKeys {
    /// Keys for a book known only by title, author and year (tests, the
    /// synthetic benchmark catalogue).
    pub fn from_parts(title: &str, author: Option<&str>, year: Option<i32>) -> MatchKeys {
        MatchKeys {
            title_key: title_key(title),
            author_key: author.and_then(author_key),
            year,
            material: "book".to_string(),
            ..MatchKeys::default()
        }
    }

    /// Candidate-retrieval keys, each a short prefixed string: "isbn:<13>"
    /// (strong and weak ISBNs alike), "issn:<issn>", "ctl:<agency:number>",
    /// "ta:<title_key>|<author surname or ->", for titles of four words or
    /// more also "t:<first four words>" (a record without a main entry
    /// meets its twin that has one, a spelling variant late in a long title
    /// still meets), and "ay:<author surname>|<year>|<first letter of the
    /// title key>" (a typo in the title after its first letter still
    /// meets). Sorted, no duplicates.
    pub fn block_keys(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for isbn in self.isbns.iter().chain(&self.weak_isbns) {
            out.push(format!("isbn:{isbn}"));
        }
        for issn in &self.issns {
            out.push(format!("issn:{issn}"));
        }
        for ctl in &self.control_numbers {
            out.push(format!("ctl:{ctl}"));
        }
        if let Some(t) = &self.title_key {
            let author = self.author_key.as_deref().map_or("-", surname_of);
            out.push(format!("ta:{t}|{author}"));
            if let Some(head) = title_head(t) {
                out.push(format!("t:{head}"));
            }
        }
        if let (Some(a), Some(y)) = (&self.author_key, self.year) {
            out.push(format!("ay:{}|{y}|{}", surname_of(a), title_initial(self)));
        }
        out.sort();
        out.dedup();
        out
    }
}

/// The first letter of the title key ("" without a title), as a string.
pub(crate) fn title_initial(k: &MatchKeys) -> &str {
    let t = k.title_key.as_deref().unwrap_or("");
    t.char_indices().nth(1).map_or(t, |(i, _)| &t[..i])
}

/// The first four words of a title key of four words or more: informative
/// enough to block on alone, and short enough that a spelling variant
/// further on ("произшествий" / "происшествий") still meets its twin.
pub(crate) fn title_head(title_key: &str) -> Option<&str> {
    let end = title_key
        .match_indices(' ')
        .nth(3)
        .map_or(title_key.len(), |(i, _)| i);
    (title_key.split(' ').count() >= 4).then(|| &title_key[..end])
}

/// The surname part of an author key: the title+author block must not
/// split a pair because one record has only the initial of the forename.
fn surname_of(author_key: &str) -> &str {
    author_key.split(' ').next().unwrap_or(author_key)
}

/// Computes the keys of a record from its bibliographic view.
pub fn match_keys(view: &BibView) -> MatchKeys {
    let mut keys = MatchKeys {
        isbns: view.isbns.clone(),
        material: material(view).to_string(),
        year: view.year,
        pages: view.extent.as_deref().and_then(pages),
        language: view
            .languages
            .iter()
            .find(|l| !matches!(l.as_str(), "und" | "mul" | "zxx" | "mis"))
            .cloned(),
        ..MatchKeys::default()
    };
    for raw in &view.invalid_isbns {
        if let Some(isbn) = isbn13_loose(raw) {
            if !keys.isbns.contains(&isbn) && !keys.weak_isbns.contains(&isbn) {
                keys.weak_isbns.push(isbn);
            }
        }
    }
    keys.issns = view.issns.clone();
    identifiers(view, &mut keys);

    let (title, volume) = title_and_volume(view);
    keys.title_key = title.as_deref().and_then(title_key);
    keys.volume = volume;
    // Only the main entry: added entries (translators, editors) are chosen
    // differently by each cataloger, so the first of them says little.
    keys.author_key = view.main_author().and_then(|a| match a.kind {
        AuthorKind::Personal => author_key(&a.name),
        AuthorKind::Corporate => folded(&a.name),
    });
    keys.publisher_key = view
        .publication
        .iter()
        .find_map(|p| p.publisher.as_deref())
        .and_then(publisher_key);
    keys.edition = view
        .edition
        .as_deref()
        .and_then(|e| edition_number(e).or_else(|| folded(e)));
    keys
}

/// The title to compare and the volume number. The volume comes from the
/// part statement, else from a marker at the end of the title ("Абай
/// жолы. 2-том"). A title that is nothing but a part designation ("Ч. 1",
/// as RSL and NLR catalogue the volumes of a set) is replaced by the title
/// of the set.
fn title_and_volume(view: &BibView) -> (Option<String>, Option<String>) {
    let title = view.sort_title();
    let from_part = view
        .part
        .as_deref()
        .and_then(|p| volume_number(p).or_else(|| folded(p)));
    if let Some(t) = title.as_deref() {
        if let Some(number) = part_designation(t) {
            let set = view.host_title.clone().or(title);
            return (set, from_part.or(Some(number)));
        }
        if from_part.is_none() {
            if let Some((head, number)) = split_volume_from_title(t) {
                return (Some(head), Some(number));
            }
        }
    }
    (title, from_part)
}

/// The record type, with e-books and e-journals apart from print: the
/// same title online is another manifestation.
fn material(view: &BibView) -> &'static str {
    match view.record_type {
        RecordType::Book if view.electronic => "electronic",
        RecordType::Serial if view.electronic => "electronic_serial",
        t => t.as_str(),
    }
}

fn identifiers(view: &BibView, keys: &mut MatchKeys) {
    let mut push = |k: String| {
        if !keys.control_numbers.contains(&k) {
            keys.control_numbers.push(k);
        }
    };
    if let Some(n) = view.control_number.as_deref() {
        if let Some(k) = normalize_control_number(n, view.control_source.as_deref()) {
            push(k);
        }
        // One record version exported twice (MARC 21 and RUSMARC from one
        // catalogue, one file imported twice): same 001, same 005 to the
        // tenth of a second, with or without an 003.
        if let Some(version) = view.record_version.as_deref() {
            push(format!(
                "rec:{}@{}",
                n.trim().to_lowercase(),
                version.trim()
            ));
        }
    }
    for n in &view.system_numbers {
        if let Some(k) = normalize_control_number(n, None) {
            push(k);
        }
    }
}

/// Folded words of a text joined by spaces; `None` when nothing is left.
fn folded(text: &str) -> Option<String> {
    let words = fold_text(text);
    (!words.is_empty()).then(|| words.join(" "))
}

/// The title key of a title proper (see [`MatchKeys::title_key`]).
pub(crate) fn title_key(title: &str) -> Option<String> {
    let words = fold_text(title);
    let skip = usize::from(words.len() > 1 && ARTICLES.contains(&words[0].as_str()));
    let rest = &words[skip..];
    (!rest.is_empty()).then(|| rest.join(" "))
}

/// "Surname, Forename" (or "Surname F.", "Forename Surname" without a
/// comma is taken as written: surname first, as both MARC dialects file
/// personal names) to "surname f".
pub(crate) fn author_key(name: &str) -> Option<String> {
    let (surname, rest) = match name.split_once(',') {
        Some((s, r)) => (s, r),
        None => match name.trim().split_once(' ') {
            Some((s, r)) => (s, r),
            None => (name, ""),
        },
    };
    let surname = fold_text(surname).join("");
    if surname.is_empty() {
        return None;
    }
    match fold_text(rest).first().and_then(|f| f.chars().next()) {
        Some(initial) => Some(format!("{surname} {initial}")),
        None => Some(surname),
    }
}

fn publisher_key(name: &str) -> Option<String> {
    let words: Vec<String> = fold_text(name)
        .into_iter()
        .filter(|w| {
            w.chars().count() > 1
                && !PUBLISHER_NOISE.contains(&w.as_str())
                && !w.starts_with("tipograf")
                && !w.starts_with("izdatel")
        })
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_keys_ignore_script() {
        // Cyrillic, Kazakh Latin-2021, informal Latin, Russian keyboard.
        let k = title_key("Абай жолы");
        assert_eq!(title_key("Abai joly"), k);
        assert_eq!(title_key("Abay zholy"), k);
        assert_eq!(title_key("Абай жолы:"), k);
        let k = title_key("Қара сөздер");
        assert_eq!(title_key("Qara sözder"), k);
        assert_eq!(title_key("Кара создер"), k);
        let k = title_key("Тар жол, тайғақ кешу");
        assert_eq!(title_key("Tar jol, taiǵaq keshu"), k);
        assert_eq!(title_key("Тар жол, тайгак кешу"), k);
        assert_ne!(title_key("Абай жолы"), title_key("Абай"));
    }

    #[test]
    fn articles_are_dropped() {
        assert_eq!(title_key("The Hobbit"), title_key("Hobbit"));
        assert_eq!(title_key("A"), Some("a".into()));
    }

    #[test]
    fn author_keys() {
        assert_eq!(author_key("Әуезов, Мұхтар"), Some("auezov m".into()));
        assert_eq!(author_key("Äuezov, Mūhtar"), Some("auezov m".into()));
        assert_eq!(author_key("Ауэзов, М. О."), Some("auezov m".into()));
        assert_eq!(
            author_key("Жансүгіров, Ілияс"),
            author_key("Jansügırov, İlias")
        );
        assert_eq!(author_key("Толстой"), Some("tolstoi".into()));
        assert_eq!(author_key(", "), None);
    }

    #[test]
    fn publisher_keys() {
        assert_eq!(
            publisher_key("Издательство «Жазушы»"),
            Some("jazuwi".into())
        );
        assert_eq!(publisher_key("Жазушы баспасы"), Some("jazuwi".into()));
        assert_eq!(publisher_key("Jazushy"), Some("jazuwi".into()));
        assert_eq!(
            publisher_key("В типографии С. Селивановскаго"),
            Some("selivanovskago".into())
        );
        assert_eq!(
            publisher_key("Printed by William Dunlap, in Market-Street"),
            Some("viliam dunlap market stret".into())
        );
    }

    #[test]
    fn title_heads() {
        assert_eq!(title_head("a b c d e f"), Some("a b c d"));
        assert_eq!(title_head("a b c d"), Some("a b c d"));
        assert_eq!(title_head("a b c"), None);
    }

    #[test]
    fn block_keys_are_prefixed_sorted_unique() {
        let mut k = MatchKeys::from_parts("Абай жолы", Some("Әуезов, Мұхтар"), Some(1997));
        k.isbns = vec!["9786010000000".into()];
        k.weak_isbns = vec!["9786010000000".into()];
        k.control_numbers = vec!["ocolc:1".into()];
        assert_eq!(
            k.block_keys(),
            vec![
                "ay:auezov|1997|a".to_string(),
                "ctl:ocolc:1".to_string(),
                "isbn:9786010000000".to_string(),
                "ta:abai joli|auezov".to_string()
            ]
        );
    }
}
