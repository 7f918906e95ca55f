//! The graphic character sets MARC-8 escape sequences designate, and
//! lookups in their tables.

use super::{tables_eacc, tables_single};

/// A MARC-8 graphic character set, named by its ISO 2022 final byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Set {
    BasicLatin,
    Ansel,
    BasicHebrew,
    BasicCyrillic,
    ExtendedCyrillic,
    BasicArabic,
    ExtendedArabic,
    BasicGreek,
    GreekSymbols,
    Subscripts,
    Superscripts,
    Eacc,
}

impl Set {
    pub(super) fn from_final(f: u8) -> Option<Set> {
        Some(match f {
            0x42 => Set::BasicLatin,
            0x45 => Set::Ansel,
            0x32 => Set::BasicHebrew,
            0x4E => Set::BasicCyrillic,
            0x51 => Set::ExtendedCyrillic,
            0x33 => Set::BasicArabic,
            0x34 => Set::ExtendedArabic,
            0x53 => Set::BasicGreek,
            0x67 => Set::GreekSymbols,
            0x62 => Set::Subscripts,
            0x70 => Set::Superscripts,
            0x31 => Set::Eacc,
            _ => return None,
        })
    }

    /// The single-byte table, or `None` for the multibyte EACC set.
    pub(super) fn table(self) -> Option<&'static [(u8, char, bool)]> {
        use tables_single as t;
        Some(match self {
            Set::BasicLatin => t::BASIC_LATIN,
            Set::Ansel => t::ANSEL,
            Set::BasicHebrew => t::BASIC_HEBREW,
            Set::BasicCyrillic => t::BASIC_CYRILLIC,
            Set::ExtendedCyrillic => t::EXTENDED_CYRILLIC,
            Set::BasicArabic => t::BASIC_ARABIC,
            Set::ExtendedArabic => t::EXTENDED_ARABIC,
            Set::BasicGreek => t::BASIC_GREEK,
            Set::GreekSymbols => t::GREEK_SYMBOLS,
            Set::Subscripts => t::SUBSCRIPTS,
            Set::Superscripts => t::SUPERSCRIPTS,
            Set::Eacc => return None,
        })
    }

    pub(super) fn is_multibyte(self) -> bool {
        self == Set::Eacc
    }

    pub(super) fn name(self) -> &'static str {
        match self {
            Set::BasicLatin => "Basic Latin",
            Set::Ansel => "Extended Latin (ANSEL)",
            Set::BasicHebrew => "Basic Hebrew",
            Set::BasicCyrillic => "Basic Cyrillic",
            Set::ExtendedCyrillic => "Extended Cyrillic",
            Set::BasicArabic => "Basic Arabic",
            Set::ExtendedArabic => "Extended Arabic",
            Set::BasicGreek => "Basic Greek",
            Set::GreekSymbols => "Greek symbols",
            Set::Subscripts => "Subscripts",
            Set::Superscripts => "Superscripts",
            Set::Eacc => "EACC",
        }
    }
}

pub(super) fn lookup_single(table: &[(u8, char, bool)], code: u8) -> Option<(char, bool)> {
    let idx = table.binary_search_by_key(&code, |&(k, _, _)| k).ok()?;
    table.get(idx).map(|&(_, c, comb)| (c, comb))
}

fn lookup_wide(table: &[(u32, char)], code: u32) -> Option<char> {
    let idx = table.binary_search_by_key(&code, |&(k, _)| k).ok()?;
    table.get(idx).map(|&(_, c)| c)
}

pub(super) fn lookup_eacc(code: u32) -> Option<char> {
    lookup_wide(tables_eacc::EACC, code).or_else(|| lookup_wide(tables_eacc::EACC_ODD, code))
}

pub(super) fn lookup_wide_c1(b: u8) -> Option<char> {
    let t = tables_single::C1_CONTROLS;
    let idx = t.binary_search_by_key(&b, |&(k, _)| k).ok()?;
    t.get(idx).map(|&(_, c)| c)
}
