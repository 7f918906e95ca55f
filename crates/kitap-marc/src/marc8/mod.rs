//! MARC-8 to Unicode decoding.
//!
//! MARC-8 is the legacy MARC 21 character encoding (leader/09 blank): ASCII in
//! G0 and ANSEL (Extended Latin) in G1 by default, with ISO 2022-style escape
//! sequences that designate other graphic sets (Hebrew, Cyrillic, Arabic,
//! Greek, subscripts, superscripts, Greek symbols, and the 3-byte East Asian
//! EACC set). See LC's *MARC 21 Specifications for Record Structure, Character
//! Sets, and Exchange Media*, "Character Sets: MARC-8".
//!
//! What [`decode`] does:
//!
//! - Escape sequences: `ESC ( F`, `ESC , F`, `ESC $ F`, `ESC $ , F` (G0),
//!   `ESC ) F`, `ESC - F`, `ESC $ ) F`, `ESC $ - F` (G1), each with an optional
//!   `!` intermediate (`ESC ) ! E` for ANSEL), and the locking technique
//!   `ESC g` / `ESC b` / `ESC p` (Greek symbols, subscripts, superscripts into
//!   G0) and `ESC s` (back to ASCII). Single-byte sets are looked up by their
//!   7-bit code, so any set works in G0 (bytes 0x21-0x7E) or G1 (0xA1-0xFE).
//! - Combining marks, which in MARC-8 *precede* the character they modify, are
//!   moved *after* it, in their original order (the caller does NFC).
//! - LC's lossless convention: numeric character references `&#xXXXX;` (while
//!   G0 is ASCII) become the character they name.
//! - The C1 control functions NSB/NSE (0x88/0x89 -> U+0098/U+009C) and
//!   ZWJ/ZWNJ (0x8D/0x8E -> U+200D/U+200C) follow LC's mapping.
//! - 0x1D, 0x1E and 0x1F (record, field and subfield separators) pass through
//!   unchanged and do *not* reset the designated sets, so a caller that wants
//!   the escape state to last for a whole field may decode the field's data in
//!   one call and split the result on U+001F. Every call starts in the
//!   default state (G0 = ASCII, G1 = ANSEL).
//!
//! Nothing panics: every problem (unknown or incomplete escape sequence,
//! unmapped code, incomplete EACC character, stray control character, dangling
//! combining mark) yields a warning, and unmapped codes become U+FFFD.

mod tables_eacc;
mod tables_single;

#[cfg(test)]
mod real_files;

use std::fmt::Write as _;

use unicode_normalization::char::is_combining_mark;

/// At most this many warnings are kept per call; the rest are counted.
const MAX_WARNINGS: usize = 100;

const ESC: u8 = 0x1B;

/// Decode one MARC-8 value (a field's or subfield's data) to Unicode.
///
/// Returns the text, in Unicode order (combining marks after their base,
/// not yet normalised), and a warning for every problem found.
pub fn decode(bytes: &[u8]) -> (String, Vec<String>) {
    let mut decoder = Decoder::new(bytes.len());
    decoder.run(bytes);
    decoder.finish()
}

/// A MARC-8 graphic character set, named by its ISO 2022 final byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Set {
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
    fn from_final(f: u8) -> Option<Set> {
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
    fn table(self) -> Option<&'static [(u8, char, bool)]> {
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

    fn is_multibyte(self) -> bool {
        self == Set::Eacc
    }

    fn name(self) -> &'static str {
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

fn lookup_single(table: &[(u8, char, bool)], code: u8) -> Option<(char, bool)> {
    let idx = table.binary_search_by_key(&code, |&(k, _, _)| k).ok()?;
    table.get(idx).map(|&(_, c, comb)| (c, comb))
}

fn lookup_wide(table: &[(u32, char)], code: u32) -> Option<char> {
    let idx = table.binary_search_by_key(&code, |&(k, _)| k).ok()?;
    table.get(idx).map(|&(_, c)| c)
}

fn lookup_eacc(code: u32) -> Option<char> {
    lookup_wide(tables_eacc::EACC, code).or_else(|| lookup_wide(tables_eacc::EACC_ODD, code))
}

/// Which half of the code table a graphic byte came from.
#[derive(Clone, Copy)]
enum Half {
    /// GL, 0x21-0x7E: G0.
    Left,
    /// GR, 0xA1-0xFE: G1.
    Right,
}

struct Decoder {
    g0: Set,
    g1: Set,
    out: String,
    /// Combining marks read but whose base character has not come yet.
    pending: Vec<char>,
    warnings: Vec<String>,
    suppressed: usize,
}

impl Decoder {
    fn new(len: usize) -> Self {
        Decoder {
            g0: Set::BasicLatin,
            g1: Set::Ansel,
            out: String::with_capacity(len.saturating_add(len / 2)),
            pending: Vec::new(),
            warnings: Vec::new(),
            suppressed: 0,
        }
    }

    fn warn(&mut self, offset: usize, msg: std::fmt::Arguments<'_>) {
        if self.warnings.len() < MAX_WARNINGS {
            let mut s = String::from("MARC-8: ");
            let _ = s.write_fmt(msg);
            let _ = write!(s, " (byte {offset})");
            self.warnings.push(s);
        } else {
            self.suppressed = self.suppressed.saturating_add(1);
        }
    }

    /// Emit a base (spacing) character, followed by any pending combining marks.
    fn base(&mut self, c: char) {
        self.out.push(c);
        self.out.extend(self.pending.drain(..));
    }

    fn combining(&mut self, c: char) {
        self.pending.push(c);
    }

    /// Combining marks with no base left: keep them after a space.
    fn flush_dangling(&mut self, offset: usize) {
        if !self.pending.is_empty() {
            let n = self.pending.len();
            self.warn(
                offset,
                format_args!(
                    "{n} combining mark(s) with no following base character; kept after a space"
                ),
            );
            self.base(' ');
        }
    }

    fn finish(self) -> (String, Vec<String>) {
        (self.out, self.warnings)
    }

    fn run(&mut self, bytes: &[u8]) {
        let mut i = 0usize;
        while let Some(&b) = bytes.get(i) {
            i = match b {
                ESC => self.escape(bytes, i),
                0x1D..=0x1F => {
                    self.flush_dangling(i);
                    self.out.push(char::from(b));
                    i.saturating_add(1)
                }
                0x00..=0x1A | 0x1C => {
                    self.warn(i, format_args!("control character 0x{b:02X} dropped"));
                    i.saturating_add(1)
                }
                0x20 => {
                    self.base(' ');
                    i.saturating_add(1)
                }
                b'&' if self.g0 == Set::BasicLatin => match parse_ncr(bytes, i) {
                    Ncr::Char(c, next) => {
                        if is_combining_mark(c) {
                            // Already in Unicode order: it follows its base.
                            self.out.push(c);
                        } else {
                            self.base(c);
                        }
                        next
                    }
                    Ncr::Invalid(cp, next) => {
                        self.warn(
                            i,
                            format_args!(
                                "character reference &#x{cp:X}; is not a Unicode scalar value; kept as text"
                            ),
                        );
                        for &t in bytes.get(i..next).unwrap_or_default() {
                            self.base(char::from(t));
                        }
                        next
                    }
                    Ncr::NotOne => {
                        self.base('&');
                        i.saturating_add(1)
                    }
                },
                0x21..=0x7E => self.graphic(bytes, i, Half::Left),
                0x80..=0x9F => {
                    match lookup_wide_c1(b) {
                        // Format/control characters: they belong where they are
                        // and neither take nor release pending marks.
                        Some(c) => self.out.push(c),
                        None => {
                            self.warn(i, format_args!("C1 control character 0x{b:02X} dropped"))
                        }
                    }
                    i.saturating_add(1)
                }
                0xA1..=0xFE => self.graphic(bytes, i, Half::Right),
                0x7F | 0xA0 | 0xFF => {
                    self.warn(
                        i,
                        format_args!("byte 0x{b:02X} is not a MARC-8 graphic character"),
                    );
                    self.base('\u{FFFD}');
                    i.saturating_add(1)
                }
            };
        }
        self.flush_dangling(bytes.len());
        if self.suppressed > 0 {
            let n = self.suppressed;
            self.warnings
                .push(format!("MARC-8: {n} further warning(s) suppressed"));
        }
    }

    /// A graphic byte at `i`; returns the index of the next unread byte.
    fn graphic(&mut self, bytes: &[u8], i: usize, half: Half) -> usize {
        let set = match half {
            Half::Left => self.g0,
            Half::Right => self.g1,
        };
        let Some(&b) = bytes.get(i) else {
            return bytes.len();
        };
        let Some(table) = set.table() else {
            return self.eacc(bytes, i, half);
        };
        match lookup_single(table, b & 0x7F) {
            Some((c, true)) => self.combining(c),
            Some((c, false)) => self.base(c),
            None => {
                self.warn(
                    i,
                    format_args!("byte 0x{b:02X} unmapped in {}; U+FFFD", set.name()),
                );
                self.base('\u{FFFD}');
            }
        }
        i.saturating_add(1)
    }

    /// A 3-byte EACC character starting at `i`.
    fn eacc(&mut self, bytes: &[u8], i: usize, half: Half) -> usize {
        let in_range = |b: u8| match half {
            Half::Left => (0x20..=0x7E).contains(&b),
            Half::Right => (0xA0..=0xFE).contains(&b),
        };
        let mut code: u32 = 0;
        let mut taken = 0usize;
        for k in 0..3usize {
            match i.checked_add(k).and_then(|j| bytes.get(j)) {
                Some(&b) if in_range(b) && (k > 0 || b & 0x7F != 0x20) => {
                    code = (code << 8) | u32::from(b & 0x7F);
                    taken = k.saturating_add(1);
                }
                _ => break,
            }
        }
        let next = i.saturating_add(taken.max(1));
        if taken < 3 {
            let why = if next >= bytes.len() {
                "truncated at end of data"
            } else {
                "interrupted"
            };
            self.warn(
                i,
                format_args!(
                    "incomplete 3-byte EACC character ({taken} of 3 bytes, {why}); U+FFFD"
                ),
            );
            self.base('\u{FFFD}');
            return next;
        }
        match lookup_eacc(code) {
            Some(c) => self.base(c),
            None => {
                self.warn(i, format_args!("EACC code 0x{code:06X} unmapped; U+FFFD"));
                self.base('\u{FFFD}');
            }
        }
        next
    }

    /// An escape sequence starting at `i` (`bytes[i] == ESC`); returns the
    /// index of the next unread byte.
    fn escape(&mut self, bytes: &[u8], i: usize) -> usize {
        let start = i.saturating_add(1);
        let rest = bytes.get(start..).unwrap_or_default();
        let n_inter = rest
            .iter()
            .take_while(|b| (0x20..=0x2F).contains(*b))
            .count();
        let inter = rest.get(..n_inter).unwrap_or_default();
        let Some(&f) = rest.get(n_inter) else {
            self.warn(
                i,
                format_args!(
                    "incomplete escape sequence at end of data: {}",
                    show(bytes.get(i..).unwrap_or_default())
                ),
            );
            return bytes.len();
        };
        let after = start.saturating_add(n_inter);
        if !(0x30..=0x7E).contains(&f) {
            self.warn(
                i,
                format_args!(
                    "malformed escape sequence {}; ignored",
                    show(bytes.get(i..after.saturating_add(1)).unwrap_or_default())
                ),
            );
            // Resume at the byte that cannot end an escape sequence.
            return after;
        }
        let next = after.saturating_add(1);
        let seq = bytes.get(i..next).unwrap_or_default();
        let set = Set::from_final(f);
        // (target is G1, multibyte form used)
        let target = match inter {
            [] => match f {
                0x73 => Some((false, false, Some(Set::BasicLatin))),
                0x67 | 0x62 | 0x70 => Some((false, false, set)),
                _ => None,
            },
            [b'(' | b','] | [b'(' | b',', b'!'] => Some((false, false, set)),
            [b')' | b'-'] | [b')' | b'-', b'!'] => Some((true, false, set)),
            [b'$'] | [b'$', b'(' | b','] => Some((false, true, set)),
            [b'$', b')' | b'-'] => Some((true, true, set)),
            _ => None,
        };
        match target {
            Some((g1, multibyte_form, Some(set))) => {
                if multibyte_form != set.is_multibyte() {
                    self.warn(
                        i,
                        format_args!(
                            "nonstandard escape sequence {} for {}; accepted",
                            show(seq),
                            set.name()
                        ),
                    );
                }
                if g1 {
                    self.g1 = set;
                } else {
                    self.g0 = set;
                }
            }
            _ => {
                // Lenient: `ESC F` with a known single-byte set designates G0.
                match set {
                    Some(s) if inter.is_empty() && !s.is_multibyte() => {
                        self.warn(
                            i,
                            format_args!(
                                "nonstandard escape sequence {} taken as {} into G0",
                                show(seq),
                                s.name()
                            ),
                        );
                        self.g0 = s;
                    }
                    _ => self.warn(
                        i,
                        format_args!("unknown escape sequence {}; ignored", show(seq)),
                    ),
                }
            }
        }
        next
    }
}

fn lookup_wide_c1(b: u8) -> Option<char> {
    let t = tables_single::C1_CONTROLS;
    let idx = t.binary_search_by_key(&b, |&(k, _)| k).ok()?;
    t.get(idx).map(|&(_, c)| c)
}

/// Render bytes for a warning: `ESC ( N` style.
fn show(bytes: &[u8]) -> String {
    let mut s = String::new();
    for (n, &b) in bytes.iter().enumerate() {
        if n > 0 {
            s.push(' ');
        }
        if b == ESC {
            s.push_str("ESC");
        } else if (0x21..=0x7E).contains(&b) {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "0x{b:02X}");
        }
    }
    s
}

enum Ncr {
    /// A valid reference: the character and the index after the `;`.
    Char(char, usize),
    /// Well-formed but not a scalar value (surrogate or too large).
    Invalid(u32, usize),
    /// Not a hexadecimal character reference: `&` is just `&`.
    NotOne,
}

/// Parse `&#xHHHH;` (1 to 6 hex digits, `x` or `X`) at `i`.
fn parse_ncr(bytes: &[u8], i: usize) -> Ncr {
    let Some(rest) = bytes.get(i..) else {
        return Ncr::NotOne;
    };
    let Some(tail) = rest
        .strip_prefix(b"&#x")
        .or_else(|| rest.strip_prefix(b"&#X"))
    else {
        return Ncr::NotOne;
    };
    let digits = tail.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    if digits == 0 || digits > 6 || tail.get(digits) != Some(&b';') {
        return Ncr::NotOne;
    }
    let mut cp: u32 = 0;
    for &d in tail.get(..digits).unwrap_or_default() {
        let v = char::from(d).to_digit(16).unwrap_or(0);
        cp = (cp << 4) | v;
    }
    // "&#x" + digits + ";"
    let next = i.saturating_add(digits).saturating_add(4);
    match char::from_u32(cp) {
        Some(c) => Ncr::Char(c, next),
        None => Ncr::Invalid(cp, next),
    }
}

#[cfg(test)]
mod tests;
