//! A generated catalogue for duplicate detection: the benchmark catalogue's
//! records ([`crate::generator`]) with injected twins of known kinds and
//! traps that must not match.
//!
//! Twins are made the way they arrive in a real catalogue, as MARC: the
//! same record converted to the other dialect, its title and names written
//! in Kazakh Latin-2021 or informal Latin (by this crate's own
//! transliteration, not kitap-text's), typed on a Russian keyboard, with a
//! typo, with the ISBN-10 or without an ISBN. Traps are another edition of
//! the book and another volume of a set. Keys are then computed by
//! [`kitap_dedup::match_keys`] from the record's [`BibView`], so the
//! benchmark measures the whole path from MARC to clusters.

use kitap_catalog::{to_marc21, to_rusmarc, BibView};
use kitap_dedup::{match_keys, MatchKeys};
use kitap_marc::{Dialect, Field, Record, Subfield};

use crate::generator::{isbn10, record as marc_record, Rng, Spec};
use crate::translit::{latin, Latin};

/// How a generated record relates to the record it was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// The same record in the other MARC dialect (MARC 21 <-> RUSMARC).
    Dialect,
    /// Title, names and publisher in the 2021 Kazakh Latin alphabet.
    Latin2021,
    /// Title, names and publisher in informal Latin ("zh", "q", "gh").
    InformalLatin,
    /// Kazakh letters typed on a Russian keyboard (қ as к, ә as а, ...).
    RussianKeyboard,
    /// One letter of the title dropped, and no ISBN.
    Typo,
    /// The ISBN written as ISBN-10.
    Isbn10,
    /// No ISBN at all.
    NoIsbn,
    /// Trap: the second edition, two to five years later, its own ISBN.
    OtherEdition,
    /// Trap: volume 2 of a set whose volume 1 is the original (the set's
    /// ISBN on both).
    OtherVolume,
}

impl Kind {
    pub const ALL: [Kind; 9] = [
        Kind::Dialect,
        Kind::Latin2021,
        Kind::InformalLatin,
        Kind::RussianKeyboard,
        Kind::Typo,
        Kind::Isbn10,
        Kind::NoIsbn,
        Kind::OtherEdition,
        Kind::OtherVolume,
    ];

    /// Whether a record of this kind is a duplicate of its original.
    pub fn is_duplicate(self) -> bool {
        !matches!(self, Kind::OtherEdition | Kind::OtherVolume)
    }

    pub fn name(self) -> &'static str {
        match self {
            Kind::Dialect => "dialect",
            Kind::Latin2021 => "latin2021",
            Kind::InformalLatin => "informal-latin",
            Kind::RussianKeyboard => "russian-keyboard",
            Kind::Typo => "typo",
            Kind::Isbn10 => "isbn10",
            Kind::NoIsbn => "no-isbn",
            Kind::OtherEdition => "other-edition (trap)",
            Kind::OtherVolume => "other-volume (trap)",
        }
    }

    /// Script changes only make sense for Kazakh records.
    fn kazakh_only(self) -> bool {
        matches!(
            self,
            Kind::Latin2021 | Kind::InformalLatin | Kind::RussianKeyboard
        )
    }
}

/// A generated record derived from `original`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Derived {
    pub original: u32,
    pub id: u32,
    pub kind: Kind,
}

/// The catalogue: `records` (ids 0.. for originals, then the derived ones)
/// and which record was made from which.
pub struct Catalogue {
    pub records: Vec<(u32, MatchKeys)>,
    pub derived: Vec<Derived>,
}

/// One in `1 / rate` originals gets a derived record; the kind cycles
/// through [`Kind::ALL`] pseudo-randomly.
pub fn catalogue(originals: u32, derived_share: f64) -> Catalogue {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = originals.div_ceil(threads as u32).max(1);
    let parts: Vec<Range> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..originals)
            .step_by(chunk as usize)
            .map(|start| {
                let end = (start + chunk).min(originals);
                s.spawn(move || generate_range(start, end, derived_share))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut records = Vec::with_capacity(originals as usize * 11 / 10);
    let mut extra = Vec::new();
    for (orig, der) in parts {
        records.extend(orig);
        extra.extend(der);
    }
    let mut derived = Vec::with_capacity(extra.len());
    for (id, (original, kind, keys)) in (originals..).zip(extra) {
        records.push((id, keys));
        derived.push(Derived { original, id, kind });
    }
    Catalogue { records, derived }
}

type Range = (Vec<(u32, MatchKeys)>, Vec<(u32, Kind, MatchKeys)>);

fn generate_range(start: u32, end: u32, derived_share: f64) -> Range {
    let mut originals = Vec::with_capacity((end - start) as usize);
    let mut derived = Vec::new();
    for n in start..end {
        let spec = Spec::generate(u64::from(n));
        let mut rng = Rng::new(u64::from(n) ^ 0xDED0_0000_0000);
        let mut original = marc_record(&spec);
        set_pages(&mut original, 48 + rng.below(800));
        let kind = rng
            .chance(derived_share)
            .then(|| *rng.pick(&Kind::ALL))
            .filter(|k| !k.kazakh_only() || spec.lang == "kaz");
        if let Some(kind) = kind {
            if kind == Kind::OtherVolume {
                set_part(&mut original, "1-том");
            }
            let twin = variant(&original, kind, u64::from(n), &mut rng);
            derived.push((n, kind, keys_of(&twin)));
        }
        originals.push((n, keys_of(&original)));
    }
    (originals, derived)
}

fn keys_of(record: &Record) -> MatchKeys {
    match_keys(&BibView::from_record(record))
}

/// The record of `kind` made from `original` (record number `n`).
pub fn variant(original: &Record, kind: Kind, n: u64, rng: &mut Rng) -> Record {
    let mut r = original.clone();
    set_control_number(&mut r, n);
    match kind {
        Kind::Dialect => {
            let converted = match r.dialect {
                Dialect::Unimarc => to_marc21(&r).record,
                _ => to_rusmarc(&r).record,
            };
            r = converted;
        }
        Kind::Latin2021 => map_text(&mut r, |t| latin(t, Latin::Official2021)),
        Kind::InformalLatin => {
            let style = if rng.chance(0.5) {
                Latin::InformalZh
            } else {
                Latin::InformalJ
            };
            map_text(&mut r, |t| latin(t, style));
        }
        Kind::RussianKeyboard => map_text(&mut r, russian_keyboard),
        Kind::Typo => {
            typo(&mut r, rng);
            remove_isbn(&mut r);
        }
        Kind::Isbn10 => set_isbn(&mut r, &isbn10(n)),
        Kind::NoIsbn => remove_isbn(&mut r),
        Kind::OtherEdition => {
            set_edition(&mut r, "2-е изд., испр. и доп.");
            shift_year(&mut r, 2 + rng.below(4) as i32);
            set_isbn(&mut r, &edition_isbn(n));
        }
        Kind::OtherVolume => set_part(&mut r, "2-том"),
    }
    r
}

/// A valid ISBN-13 no original uses (978-965 instead of 978-601).
fn edition_isbn(n: u64) -> String {
    let body = format!("978965{:06}", n % 1_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn russian_keyboard(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'ә' => 'а',
            'Ә' => 'А',
            'ғ' => 'г',
            'Ғ' => 'Г',
            'қ' => 'к',
            'Қ' => 'К',
            'ң' => 'н',
            'Ң' => 'Н',
            'ө' => 'о',
            'Ө' => 'О',
            'ұ' | 'ү' => 'у',
            'Ұ' | 'Ү' => 'У',
            'һ' => 'х',
            'Һ' => 'Х',
            'і' => 'и',
            'І' => 'И',
            c => c,
        })
        .collect()
}

/// Title, names, responsibility and publisher: what a cataloger types.
fn is_text(tag: &str, code: char) -> bool {
    matches!(
        (tag, code),
        ("245", 'a' | 'b' | 'c')
            | ("100" | "700", 'a')
            | ("260", 'b')
            | ("200", 'a' | 'e' | 'f')
            | ("700" | "701", 'b' | 'g')
            | ("210", 'c')
    )
}

fn map_text(r: &mut Record, f: impl Fn(&str) -> String) {
    for field in &mut r.fields {
        if let Field::Data { tag, subfields, .. } = field {
            for s in subfields.iter_mut() {
                if is_text(tag, s.code) {
                    s.value = f(&s.value);
                }
            }
        }
    }
}

/// Drops one letter from the longest title word (of six letters or more).
fn typo(r: &mut Record, rng: &mut Rng) {
    let title_tag = if r.dialect == Dialect::Unimarc {
        "200"
    } else {
        "245"
    };
    for field in &mut r.fields {
        let Field::Data { tag, subfields, .. } = field else {
            continue;
        };
        if tag != title_tag {
            continue;
        }
        let Some(s) = subfields.iter_mut().find(|s| s.code == 'a') else {
            return;
        };
        let words: Vec<&str> = s.value.split(' ').collect();
        let Some((i, word)) = words
            .iter()
            .enumerate()
            .max_by_key(|(_, w)| w.chars().count())
        else {
            return;
        };
        let len = word.chars().count();
        if len < 6 {
            return;
        }
        let drop = 1 + rng.below(len - 2);
        let changed: String = word
            .chars()
            .enumerate()
            .filter(|(k, _)| *k != drop)
            .map(|(_, c)| c)
            .collect();
        let mut out: Vec<String> = words.iter().map(|w| (*w).to_string()).collect();
        out[i] = changed;
        s.value = out.join(" ");
        return;
    }
}

pub(crate) fn isbn_tag(r: &Record) -> &'static str {
    if r.dialect == Dialect::Unimarc {
        "010"
    } else {
        "020"
    }
}

pub(crate) fn remove_isbn(r: &mut Record) {
    let tag = isbn_tag(r);
    r.fields.retain(|f| f.tag() != tag);
}

pub(crate) fn set_isbn(r: &mut Record, isbn: &str) {
    remove_isbn(r);
    let tag = isbn_tag(r);
    r.fields.push(data(tag, vec![sub('a', isbn)]));
    r.fields.sort_by(|a, b| a.tag().cmp(b.tag()));
}

fn set_control_number(r: &mut Record, n: u64) {
    for field in &mut r.fields {
        if let Field::Control { tag, value } = field {
            if tag == "001" {
                *value = format!("dup{n:08}");
            }
        }
    }
}

fn set_pages(r: &mut Record, pages: usize) {
    let (tag, unit) = if r.dialect == Dialect::Unimarc {
        ("215", "с.")
    } else {
        ("300", "p.")
    };
    r.fields.retain(|f| f.tag() != tag);
    r.fields
        .push(data(tag, vec![sub('a', &format!("{pages} {unit}"))]));
    r.fields.sort_by(|a, b| a.tag().cmp(b.tag()));
}

pub(crate) fn set_edition(r: &mut Record, statement: &str) {
    let tag = if r.dialect == Dialect::Unimarc {
        "205"
    } else {
        "250"
    };
    r.fields.push(data(tag, vec![sub('a', statement)]));
    r.fields.sort_by(|a, b| a.tag().cmp(b.tag()));
}

/// Puts the volume in the title field ($n in MARC 21, $h in UNIMARC).
fn set_part(r: &mut Record, part: &str) {
    let (tag, code) = if r.dialect == Dialect::Unimarc {
        ("200", 'h')
    } else {
        ("245", 'n')
    };
    for field in &mut r.fields {
        if let Field::Data {
            tag: t, subfields, ..
        } = field
        {
            if t == tag {
                subfields.retain(|s| s.code != code);
                subfields.push(sub(code, part));
            }
        }
    }
}

fn shift_year(r: &mut Record, years: i32) {
    for field in &mut r.fields {
        if let Field::Data { tag, subfields, .. } = field {
            let code = match tag.as_str() {
                "260" => 'c',
                "210" => 'd',
                _ => continue,
            };
            for s in subfields.iter_mut().filter(|s| s.code == code) {
                if let Ok(y) = s.value.trim().parse::<i32>() {
                    s.value = (y + years).to_string();
                }
            }
        }
    }
}

pub(crate) fn sub(code: char, value: &str) -> Subfield {
    Subfield {
        code,
        value: value.to_string(),
    }
}

pub(crate) fn data(tag: &str, subfields: Vec<Subfield>) -> Field {
    Field::Data {
        tag: tag.to_string(),
        ind1: ' ',
        ind2: ' ',
        subfields,
    }
}

/// Precision and recall of clusters against the generated truth.
#[derive(Debug, Default, Clone)]
pub struct Score {
    /// Per kind: derived records, and how many ended in their original's
    /// cluster.
    pub per_kind: Vec<(Kind, usize, usize)>,
    /// Pairs inside clusters that are duplicates / that are not.
    pub true_pairs: usize,
    pub false_pairs: usize,
}

impl Score {
    pub fn precision(&self) -> f64 {
        let all = self.true_pairs + self.false_pairs;
        if all == 0 {
            1.0
        } else {
            self.true_pairs as f64 / all as f64
        }
    }

    /// Duplicates found over duplicates made (traps excluded).
    pub fn recall(&self) -> f64 {
        let (made, found) = self
            .per_kind
            .iter()
            .filter(|(k, _, _)| k.is_duplicate())
            .fold((0, 0), |(m, f), (_, made, found)| (m + made, f + found));
        if made == 0 {
            1.0
        } else {
            found as f64 / made as f64
        }
    }
}

/// Scores `clusters` (member ids) against the catalogue's truth. Records
/// generated independently that look alike count as false pairs: the
/// generator does not know they are "the same book".
pub fn score(catalogue: &Catalogue, clusters: &[Vec<u32>]) -> Score {
    let n = catalogue.records.len();
    let mut cluster_of = vec![u32::MAX; n];
    for (c, members) in clusters.iter().enumerate() {
        for &m in members {
            if let Some(slot) = cluster_of.get_mut(m as usize) {
                *slot = c as u32;
            }
        }
    }
    // The truth group of each record: its original's id for duplicates,
    // its own id otherwise (traps are their own group).
    let mut group: Vec<u32> = (0..n as u32).collect();
    for d in &catalogue.derived {
        if d.kind.is_duplicate() {
            group[d.id as usize] = d.original;
        }
    }
    let mut score = Score::default();
    for kind in Kind::ALL {
        let of_kind = catalogue.derived.iter().filter(|d| d.kind == kind);
        let (mut made, mut together) = (0, 0);
        for d in of_kind {
            made += 1;
            let c = cluster_of[d.id as usize];
            if c != u32::MAX && c == cluster_of[d.original as usize] {
                together += 1;
            }
        }
        score.per_kind.push((kind, made, together));
    }
    for members in clusters {
        for (i, &a) in members.iter().enumerate() {
            for &b in &members[i + 1..] {
                if group[a as usize] == group[b as usize] {
                    score.true_pairs += 1;
                } else {
                    score.false_pairs += 1;
                }
            }
        }
    }
    score
}

#[cfg(test)]
mod tests {
    use super::*;
    use kitap_dedup::{cluster, compare, DedupConfig, Level};
    use std::collections::HashSet;

    #[test]
    fn every_kind_relates_to_its_original_as_intended() {
        let cfg = DedupConfig::default();
        // Records 0..60 in both dialects and three languages; every kind
        // on each. A typo may change a folded word beyond recognition
        // ("Казхстана" folds like "Кажстана"): most, not all, must match.
        let mut checked = 0;
        let (mut typos, mut typos_found) = (0, 0);
        for n in 0..60u64 {
            let spec = Spec::generate(n);
            let mut original = marc_record(&spec);
            set_pages(&mut original, 300);
            for kind in Kind::ALL {
                if kind.kazakh_only() && spec.lang != "kaz" {
                    continue;
                }
                let mut base = original.clone();
                if kind == Kind::OtherVolume {
                    set_part(&mut base, "1-том");
                }
                let twin = variant(&base, kind, n, &mut Rng::new(n));
                let v = compare(&keys_of(&base), &keys_of(&twin), &cfg);
                checked += 1;
                if kind == Kind::Typo {
                    typos += 1;
                    typos_found += usize::from(v.level >= Level::Possible);
                } else if kind.is_duplicate() {
                    assert!(v.level >= Level::Possible, "{n} {kind:?}: {v:?}");
                } else {
                    assert_eq!(v.level, Level::None, "{n} {kind:?}: {v:?}");
                }
            }
        }
        assert!(checked > 350, "{checked}");
        assert!(typos_found * 10 >= typos * 9, "{typos_found} of {typos}");
    }

    #[test]
    fn a_small_catalogue_scores_high() {
        let cat = catalogue(3_000, 0.2);
        assert!(cat.derived.len() > 300);
        let clusters: Vec<Vec<u32>> =
            cluster(&cat.records, &DedupConfig::default(), &HashSet::new())
                .into_iter()
                .map(|c| c.members)
                .collect();
        let s = score(&cat, &clusters);
        assert!(s.recall() >= 0.95, "{s:?}");
        assert!(s.precision() >= 0.9, "{s:?}");
        for (kind, _, together) in &s.per_kind {
            if !kind.is_duplicate() {
                assert_eq!(*together, 0, "{kind:?}");
            }
        }
    }
}
