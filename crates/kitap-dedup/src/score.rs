//! Scoring a pair of records: weighted agreements and disagreements, hard
//! vetoes, and the explanation a cataloger reads.
//!
//! The same walk over the keys serves [`compare`] (with the explanation)
//! and [`score`] (without): clustering a million records compares millions
//! of pairs, and building English sentences for pairs that turn out to be
//! different books would cost more than the comparison.

use serde::{Deserialize, Serialize};

use crate::config::DedupConfig;
use crate::keys::MatchKeys;

/// How likely two records describe the same edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Below the warning threshold, or vetoed.
    None,
    /// At or above the warning threshold: shown to the cataloger.
    Possible,
    /// At or above the block threshold: near-certain; saving needs a
    /// confirmation.
    Probable,
}

/// One reason in a verdict: a stable snake_case `code`, the points it
/// added (negative for a disagreement, zero for a veto) and English text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub code: String,
    pub points: f64,
    pub detail: String,
}

/// The result of comparing two records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// 0.0..=1.0; below the warning threshold whenever there is a veto.
    pub score: f64,
    pub level: Level,
    /// Agreements and disagreements, in a fixed order.
    pub evidence: Vec<Evidence>,
    /// Why the pair cannot be the same edition (codes `volume_differs`,
    /// `edition_differs`, `year_gap`, `language_differs`,
    /// `material_differs`).
    pub vetoes: Vec<Evidence>,
}

/// Collects points, and the explanation only when asked to.
struct Tally {
    points: f64,
    vetoed: bool,
    explain: bool,
    evidence: Vec<Evidence>,
    vetoes: Vec<Evidence>,
}

impl Tally {
    fn add(&mut self, code: &'static str, points: f64, detail: impl FnOnce() -> String) {
        self.points += points;
        if self.explain {
            self.evidence.push(Evidence {
                code: code.to_string(),
                points,
                detail: detail(),
            });
        }
    }

    fn veto(&mut self, code: &'static str, detail: impl FnOnce() -> String) {
        self.vetoed = true;
        if self.explain {
            self.vetoes.push(Evidence {
                code: code.to_string(),
                points: 0.0,
                detail: detail(),
            });
        }
    }
}

/// Compares two records and explains the result. Any veto gives
/// [`Level::None`] and a score below the warning threshold.
pub fn compare(a: &MatchKeys, b: &MatchKeys, cfg: &DedupConfig) -> Verdict {
    let mut t = Tally {
        points: 0.0,
        vetoed: false,
        explain: true,
        evidence: Vec::new(),
        vetoes: Vec::new(),
    };
    walk(a, b, cfg, &mut t);
    let (score, level) = finish(&t, cfg);
    Verdict {
        score,
        level,
        evidence: t.evidence,
        vetoes: t.vetoes,
    }
}

/// The score and level of [`compare`] without the explanation; allocates
/// nothing.
pub fn score(a: &MatchKeys, b: &MatchKeys, cfg: &DedupConfig) -> (f64, Level) {
    let mut t = Tally {
        points: 0.0,
        vetoed: false,
        explain: false,
        evidence: Vec::new(),
        vetoes: Vec::new(),
    };
    walk(a, b, cfg, &mut t);
    finish(&t, cfg)
}

fn finish(t: &Tally, cfg: &DedupConfig) -> (f64, Level) {
    let mut score = t.points.clamp(0.0, 1.0);
    if t.vetoed {
        // Below the warning threshold, so no caller can mistake it for a match.
        score = score.min((cfg.warn_threshold - 0.01).max(0.0));
        return (round(score), Level::None);
    }
    let score = round(score);
    let level = if score >= cfg.block_threshold {
        Level::Probable
    } else if score >= cfg.warn_threshold {
        Level::Possible
    } else {
        Level::None
    };
    (score, level)
}

/// Three decimals: scores are shown and stored; float noise is not.
fn round(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn walk(a: &MatchKeys, b: &MatchKeys, cfg: &DedupConfig, t: &mut Tally) {
    let w = &cfg.weights;
    identifiers(a, b, cfg, t);

    if let (Some(x), Some(y)) = (&a.title_key, &b.title_key) {
        let sim = title_similarity(x, y);
        if sim >= 0.95 {
            t.add("title", w.title, || format!("same title ({x})"));
            if x.split(' ').count() >= 6 {
                t.add("long_title", w.long_title, || {
                    "a title of six words or more".to_string()
                });
            }
        } else if sim >= 0.75 {
            t.add("title", w.title * sim, || {
                format!("nearly the same title ({x} / {y})")
            });
        } else if sim < 0.5 {
            t.add("title", -w.title_conflict, || {
                format!("different titles ({x} / {y})")
            });
        }
    }

    if let (Some(x), Some(y)) = (&a.author_key, &b.author_key) {
        match author_agreement(x, y) {
            Agreement::Full => t.add("author", w.author, || format!("same author ({x})")),
            Agreement::Partial => t.add("author", w.author / 2.0, || {
                format!("same author surname ({x} / {y})")
            }),
            Agreement::None => {}
            Agreement::Conflict => t.add("author", -w.author_conflict, || {
                format!("different authors ({x} / {y})")
            }),
        }
    }

    if let (Some(x), Some(y)) = (a.year, b.year) {
        let gap = (x - y).abs();
        if gap == 0 {
            t.add("year", w.year, || format!("same year ({x})"));
        } else if gap <= cfg.max_year_gap {
            t.add("year", w.year / 2.0, || format!("years {x} and {y}"));
        } else {
            t.veto("year_gap", || {
                format!(
                    "published {gap} years apart ({x} / {y}; at most {} allowed)",
                    cfg.max_year_gap
                )
            });
        }
    }

    if let (Some(x), Some(y)) = (a.pages, b.pages) {
        let diff = (x - y).abs();
        let larger = x.max(y);
        if diff <= 3.max(larger / 50) {
            t.add("pages", w.pages, || {
                format!("same extent ({x} / {y} pages)")
            });
        } else if diff * 10 > larger {
            t.add("pages", -w.pages_conflict, || {
                format!("different extent ({x} / {y} pages)")
            });
        }
    }

    if let (Some(x), Some(y)) = (&a.publisher_key, &b.publisher_key) {
        if x == y || word_dice(x, y) >= 0.5 {
            t.add("publisher", w.publisher, || format!("same publisher ({x})"));
        }
    }

    edition(a, b, w.edition, t);
    vetoes(a, b, t);
}

fn identifiers(a: &MatchKeys, b: &MatchKeys, cfg: &DedupConfig, t: &mut Tally) {
    let w = &cfg.weights;
    if let Some(isbn) = a.isbns.iter().find(|i| b.isbns.contains(i)) {
        t.add("isbn", w.isbn, || format!("same ISBN ({isbn})"));
    } else if let Some(isbn) = a
        .isbns
        .iter()
        .chain(&a.weak_isbns)
        .find(|i| b.isbns.contains(i) || b.weak_isbns.contains(i))
    {
        t.add("weak_isbn", w.weak_isbn, || {
            format!("same ISBN ({isbn}), cancelled or mistyped on one record")
        });
    } else if !a.isbns.is_empty() && !b.isbns.is_empty() {
        t.add("isbn", -w.isbn_conflict, || {
            format!(
                "different ISBNs ({} / {})",
                a.isbns.join(", "),
                b.isbns.join(", ")
            )
        });
    }
    if let Some(issn) = a.issns.iter().find(|i| b.issns.contains(i)) {
        t.add("issn", w.issn, || format!("same ISSN ({issn})"));
    }
    if let Some(ctl) = a
        .control_numbers
        .iter()
        .find(|c| b.control_numbers.contains(c))
    {
        t.add("control_number", w.control_number, || {
            format!("same control number ({ctl})")
        });
    }
}

fn edition(a: &MatchKeys, b: &MatchKeys, weight: f64, t: &mut Tally) {
    let numbered = |e: &str| e.bytes().all(|c| c.is_ascii_digit());
    match (a.edition.as_deref(), b.edition.as_deref()) {
        (Some(x), Some(y)) if x == y => {
            t.add("edition", weight, || format!("same edition ({x})"));
        }
        (Some(x), Some(y)) if numbered(x) && numbered(y) => {
            t.veto("edition_differs", || format!("editions {x} and {y}"));
        }
        // A first edition seldom says so; a later one always does.
        (Some(x), None) | (None, Some(x)) if numbered(x) && x != "1" => {
            t.veto("edition_differs", || {
                format!("edition {x} and a record without an edition statement")
            });
        }
        _ => {}
    }
}

fn vetoes(a: &MatchKeys, b: &MatchKeys, t: &mut Tally) {
    match (a.volume.as_deref(), b.volume.as_deref()) {
        (Some(x), Some(y)) if x != y => {
            t.veto("volume_differs", || format!("volumes {x} and {y}"));
        }
        (Some(x), None) | (None, Some(x)) => {
            t.veto("volume_differs", || {
                format!("volume {x} and a record of the whole work")
            });
        }
        _ => {}
    }
    if let (Some(x), Some(y)) = (&a.language, &b.language) {
        if x != y {
            t.veto("language_differs", || format!("languages {x} and {y}"));
        }
    }
    if a.material != b.material && !a.material.is_empty() && !b.material.is_empty() {
        t.veto("material_differs", || {
            format!("materials {} and {}", a.material, b.material)
        });
    }
}

enum Agreement {
    Full,
    Partial,
    None,
    Conflict,
}

/// Author keys are "surname initial" or a corporate name; the surname may
/// carry a typo, the initial may be missing on one side.
fn author_agreement(x: &str, y: &str) -> Agreement {
    if x == y {
        return Agreement::Full;
    }
    let (sx, ix) = x.split_once(' ').unwrap_or((x, ""));
    let (sy, iy) = y.split_once(' ').unwrap_or((y, ""));
    let same_surname = sx == sy || near(sx, sy);
    if !same_surname {
        // Corporate names are several words: judge them by shared words.
        if x.contains(' ') && y.contains(' ') && word_dice(x, y) >= 0.5 {
            return Agreement::Partial;
        }
        return Agreement::Conflict;
    }
    match (ix.is_empty(), iy.is_empty()) {
        (false, false) if ix == iy => Agreement::Full,
        (false, false) if ix.len() == 1 && iy.len() == 1 => Agreement::None,
        _ => Agreement::Partial,
    }
}

/// Dice similarity of two space-separated keys, counting near-equal words
/// (one typo) as shared. Equal keys give 1.
pub(crate) fn title_similarity(x: &str, y: &str) -> f64 {
    if x == y {
        return 1.0;
    }
    word_dice(x, y)
}

fn word_dice(x: &str, y: &str) -> f64 {
    let nx = x.split(' ').count();
    let ny = y.split(' ').count();
    if nx + ny == 0 {
        return 0.0;
    }
    // Counted from both sides and the smaller taken, so that the score does
    // not depend on the order of the records.
    let shared = shared_words(x, y).min(shared_words(y, x));
    2.0 * shared / (nx + ny) as f64
}

/// Words of `x` found in `y`; a word with a typo counts three quarters, so
/// a typo never looks like an exact match.
fn shared_words(x: &str, y: &str) -> f64 {
    x.split(' ')
        .map(|wx| {
            if y.split(' ').any(|wy| wx == wy) {
                1.0
            } else if y.split(' ').any(|wy| near(wx, wy)) {
                0.75
            } else {
                0.0
            }
        })
        .sum()
}

/// Whether two words differ by one edit (two for long words): a typo, not
/// another word. Short words must be equal.
fn near(x: &str, y: &str) -> bool {
    let (x, y) = (x.as_bytes(), y.as_bytes());
    let shorter = x.len().min(y.len());
    if shorter < 5 {
        return false;
    }
    let allowed = if shorter >= 7 { 2 } else { 1 };
    x.len().abs_diff(y.len()) <= allowed && levenshtein(x, y, allowed) <= allowed
}

/// Edit distance over bytes, stopping at `limit + 1`; words longer than 63
/// bytes only count as equal or not (a stack row, no allocation).
fn levenshtein(x: &[u8], y: &[u8], limit: usize) -> usize {
    const MAX: usize = 63;
    if x.len() > MAX || y.len() > MAX {
        return if x == y { 0 } else { limit + 1 };
    }
    let mut row = [0usize; MAX + 1];
    for (j, cell) in row.iter_mut().enumerate().take(y.len() + 1) {
        *cell = j;
    }
    for (i, &cx) in x.iter().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        let mut best = row[0];
        for (j, &cy) in y.iter().enumerate() {
            let above = row[j + 1];
            let cost = usize::from(cx != cy);
            row[j + 1] = (diag + cost).min(above + 1).min(row[j] + 1);
            diag = above;
            best = best.min(row[j + 1]);
        }
        if best > limit {
            return limit + 1;
        }
    }
    row[y.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(title: &str, author: &str, year: i32) -> MatchKeys {
        let mut k = MatchKeys::from_parts(title, Some(author), Some(year));
        k.pages = Some(320);
        k.language = Some("kaz".into());
        k
    }

    #[test]
    fn same_book_in_two_scripts_is_possible() {
        let cfg = DedupConfig::default();
        let a = book("Абай жолы", "Әуезов, Мұхтар", 1997);
        let b = book("Abai joly", "Äuezov, Mūhtar", 1997);
        let v = compare(&a, &b, &cfg);
        assert_eq!(v.level, Level::Possible, "{v:?}");
        assert!(v.vetoes.is_empty());
        let codes: Vec<&str> = v.evidence.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["title", "author", "year", "pages"]);
        assert_eq!(score(&a, &b, &cfg), (v.score, v.level));
    }

    #[test]
    fn shared_isbn_makes_it_probable() {
        let cfg = DedupConfig::default();
        let mut a = book("Абай жолы", "Әуезов, Мұхтар", 1997);
        let mut b = book("Abai joly", "Äuezov, M.", 1997);
        a.isbns = vec!["9785000000000".into()];
        b.isbns = a.isbns.clone();
        assert_eq!(compare(&a, &b, &cfg).level, Level::Probable);
        // A cancelled ISBN counts, but less.
        b.isbns.clear();
        b.weak_isbns = a.isbns.clone();
        let v = compare(&a, &b, &cfg);
        assert!(v.evidence.iter().any(|e| e.code == "weak_isbn"), "{v:?}");
    }

    #[test]
    fn vetoes_cap_below_warn() {
        let cfg = DedupConfig::default();
        let mut a = book("Абай жолы", "Әуезов, Мұхтар", 1997);
        a.isbns = vec!["9785000000000".into()];
        type Change = fn(&mut MatchKeys);
        let cases: [(&str, Change); 6] = [
            ("volume_differs", |k| k.volume = Some("2".into())),
            ("edition_differs", |k| k.edition = Some("2".into())),
            ("year_gap", |k| k.year = Some(2005)),
            ("language_differs", |k| k.language = Some("rus".into())),
            ("material_differs", |k| k.material = "electronic".into()),
            ("volume_differs", |k| k.volume = Some("ii".into())),
        ];
        for (code, change) in cases {
            let mut b = a.clone();
            change(&mut b);
            let v = compare(&a, &b, &cfg);
            assert_eq!(v.level, Level::None, "{code}: {v:?}");
            assert!(v.score < cfg.warn_threshold, "{code}: {v:?}");
            assert_eq!(v.vetoes.len(), 1, "{code}: {v:?}");
            assert_eq!(v.vetoes[0].code, code);
        }
    }

    #[test]
    fn edition_one_and_none_agree() {
        let cfg = DedupConfig::default();
        let a = book("Абай жолы", "Әуезов, Мұхтар", 1997);
        let mut b = a.clone();
        b.edition = Some("1".into());
        assert!(compare(&a, &b, &cfg).vetoes.is_empty());
    }

    #[test]
    fn different_books_score_low() {
        let cfg = DedupConfig::default();
        let a = book("Абай жолы", "Әуезов, Мұхтар", 1997);
        let b = book("Қан мен тер", "Нұрпейісов, Әбдіжәміл", 1997);
        let v = compare(&a, &b, &cfg);
        assert_eq!(v.level, Level::None, "{v:?}");
        assert_eq!(v.score, 0.0);
    }

    #[test]
    fn typos_are_near() {
        assert!(near("shigarmalar", "shigarmlar"));
        assert!(near("nurpeisov", "nurpeisof"));
        assert!(!near("abai", "abay"));
        assert!(!near("tolstoi", "dostoevskii"));
        assert!(title_similarity("kara sozder", "kara sozdr") < 1.0);
        assert_eq!(levenshtein(b"kitten", b"sitting", 5), 3);
        assert_eq!(levenshtein(b"kitten", b"sitting", 1), 2);
    }

    #[test]
    fn compare_is_symmetric() {
        let cfg = DedupConfig::default();
        let mut a = book("Абай жолы абай", "Әуезов, Мұхтар", 1997);
        a.isbns = vec!["9785000000000".into()];
        a.publisher_key = Some("jazuwi baspasi".into());
        let mut b = book("Abai joly roman", "Äuezov", 1998);
        b.weak_isbns = a.isbns.clone();
        b.pages = Some(500);
        b.publisher_key = Some("jazuwi".into());
        let (ab, ba) = (compare(&a, &b, &cfg), compare(&b, &a, &cfg));
        assert_eq!((ab.score, ab.level), (ba.score, ba.level));
        assert_eq!(ab.evidence.len(), ba.evidence.len());
    }

    #[test]
    fn level_serializes_snake_case() {
        assert_eq!(
            serde_json::to_string(&Level::Probable).ok().as_deref(),
            Some("\"probable\"")
        );
    }
}
