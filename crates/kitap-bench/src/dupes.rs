//! The generated catalogue with injected duplicates of known kinds, as MARC:
//! what the end-to-end duplicate bench imports and scans. Record n of the
//! catalogue is `generator::marc_record(n)`; every `EVERY`th record (offset
//! 7) gets a second record: a true duplicate (the same edition in the other
//! MARC dialect, in Kazakh Latin-2021 script, with its ISBN-10, without an
//! ISBN) or a trap (another edition, another volume sharing the set's ISBN)
//! that must not be proposed.

use kitap_marc::{Dialect, Field, Record};

use crate::dedup_gen::{remove_isbn, set_edition, set_isbn, sub as sf};
use crate::generator::{isbn10, marc_record, Copies};

pub const EVERY: u64 = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Dialect,
    Latin,
    Isbn10,
    NoIsbn,
    OtherEdition,
    OtherVolume,
}

pub const KINDS: [Kind; 6] = [
    Kind::Dialect,
    Kind::Latin,
    Kind::Isbn10,
    Kind::NoIsbn,
    Kind::OtherEdition,
    Kind::OtherVolume,
];

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Dialect => "other-dialect",
            Kind::Latin => "latin2021-script",
            Kind::Isbn10 => "isbn10",
            Kind::NoIsbn => "no-isbn",
            Kind::OtherEdition => "other-edition (not)",
            Kind::OtherVolume => "other-volume (not)",
        }
    }

    /// A true duplicate (must be found) rather than a trap (must not be).
    pub fn is_duplicate(self) -> bool {
        !matches!(self, Kind::OtherEdition | Kind::OtherVolume)
    }
}

/// The kind of record injected beside record n, if any.
pub fn injected(n: u64) -> Option<Kind> {
    (n % EVERY == 7).then(|| KINDS[((n / EVERY) % KINDS.len() as u64) as usize])
}

/// Record n as imported: the generated record, plus volume 1 when its
/// injected twin is volume 2 of the same set.
pub fn base(n: u64) -> Record {
    let mut r = marc_record(n, Copies::Without);
    if injected(n) == Some(Kind::OtherVolume) {
        add_part(&mut r, "1");
    }
    r
}

/// The record injected beside record n, of `kind`, with its own 001.
pub fn variant(n: u64, kind: Kind) -> Record {
    let mut r = base(n);
    match kind {
        Kind::Dialect => {
            r = match r.dialect {
                Dialect::Unimarc => kitap_catalog::to_marc21(&r).record,
                _ => kitap_catalog::to_rusmarc(&r).record,
            }
        }
        Kind::Latin => transliterate(&mut r),
        Kind::Isbn10 => set_isbn(&mut r, &isbn10(n)),
        Kind::NoIsbn => remove_isbn(&mut r),
        Kind::OtherEdition => {
            set_isbn(&mut r, &other_isbn(n));
            let statement = if r.dialect == Dialect::Unimarc {
                "2-е изд., перераб. и доп."
            } else {
                "2nd ed."
            };
            set_edition(&mut r, statement);
            shift_year(&mut r, 3);
        }
        Kind::OtherVolume => {
            strip_part(&mut r);
            add_part(&mut r, "2");
        }
    }
    mark_variant(&mut r);
    r
}

/// Whether a record's 001 says it is an injected variant, and its n.
pub fn identify(control_number: &str) -> Option<(u64, bool)> {
    let tail = control_number.rsplit("sb").next()?;
    let (digits, variant) = match tail.strip_suffix('v') {
        Some(d) => (d, true),
        None => (tail, false),
    };
    digits.parse().ok().map(|n| (n, variant))
}

/// A valid ISBN-13 in the 978-5 group, never one of the catalogue's.
fn other_isbn(n: u64) -> String {
    let body = format!("9785{:08}", n % 100_000_000);
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn title_tag(r: &Record) -> (&'static str, char) {
    if r.dialect == Dialect::Unimarc {
        ("200", 'h')
    } else {
        ("245", 'n')
    }
}

fn add_part(r: &mut Record, number: &str) {
    let (tag, code) = title_tag(r);
    let text = if r.dialect == Dialect::Unimarc {
        format!("Т. {number}")
    } else {
        format!("Vol. {number}")
    };
    for f in &mut r.fields {
        if let Field::Data {
            tag: t, subfields, ..
        } = f
        {
            if t == tag {
                // After the title proper and other title information.
                let at = subfields
                    .iter()
                    .position(|s| s.code == 'f' || s.code == 'c')
                    .unwrap_or(subfields.len());
                subfields.insert(at, sf(code, &text));
            }
        }
    }
}

fn strip_part(r: &mut Record) {
    let (tag, code) = title_tag(r);
    for f in &mut r.fields {
        if let Field::Data {
            tag: t, subfields, ..
        } = f
        {
            if t == tag {
                subfields.retain(|s| s.code != code);
            }
        }
    }
}

/// Moves the year in the fixed fields and the imprint `by` years on.
fn shift_year(r: &mut Record, by: i32) {
    let Some(year) = year_of(r) else { return };
    let old = year.to_string();
    let new = (year + by).to_string();
    for f in &mut r.fields {
        match f {
            Field::Control { tag, value } if tag == "008" => *value = value.replacen(&old, &new, 1),
            Field::Data { tag, subfields, .. } if matches!(tag.as_str(), "100" | "210" | "260") => {
                for s in subfields.iter_mut() {
                    if matches!(s.code, 'a' | 'c' | 'd') && s.value.contains(&old) {
                        s.value = s.value.replacen(&old, &new, 1);
                    }
                }
            }
            _ => {}
        }
    }
}

fn year_of(r: &Record) -> Option<i32> {
    kitap_catalog::BibView::from_record(r).year
}

/// Every descriptive field in Kazakh Latin-2021 (identifiers, codes and
/// the fixed fields stay as they are).
fn transliterate(r: &mut Record) {
    let coded: &[&str] = if r.dialect == Dialect::Unimarc {
        &["010", "100", "101", "686", "910"]
    } else {
        &["020", "084"]
    };
    for f in &mut r.fields {
        if let Field::Data { tag, subfields, .. } = f {
            if !coded.contains(&tag.as_str()) {
                for s in subfields.iter_mut() {
                    s.value = kitap_text::to_latin_2021(&s.value);
                }
            }
        }
    }
}

fn mark_variant(r: &mut Record) {
    for f in &mut r.fields {
        if let Field::Control { tag, value } = f {
            if tag == "001" {
                value.push('v');
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_changes_the_record_and_keeps_it_identifiable() {
        for n in (0..2000).filter(|n| injected(*n).is_some()).take(12) {
            let kind = injected(n).unwrap();
            let v = variant(n, kind);
            assert_ne!(v, base(n), "{kind:?}");
            let ctl = kitap_catalog::BibView::from_record(&v)
                .control_number
                .unwrap();
            assert_eq!(identify(&ctl), Some((n, true)), "{ctl}");
        }
        assert_eq!(identify("RU\\KrCBS\\sb00000012"), Some((12, false)));
    }
}
