//! The decoding loop: bytes to characters, combining marks reordered.

use std::fmt::Write as _;

use unicode_normalization::char::is_combining_mark;

use super::ncr::{parse_ncr, Ncr};
use super::sets::{lookup_eacc, lookup_single, lookup_wide_c1, Set};
use super::{ESC, MAX_WARNINGS};

/// Which half of the code table a graphic byte came from.
#[derive(Clone, Copy)]
enum Half {
    /// GL, 0x21-0x7E: G0.
    Left,
    /// GR, 0xA1-0xFE: G1.
    Right,
}

pub(super) struct Decoder {
    pub(super) g0: Set,
    pub(super) g1: Set,
    out: String,
    /// Combining marks read but whose base character has not come yet.
    pending: Vec<char>,
    warnings: Vec<String>,
    suppressed: usize,
}

impl Decoder {
    pub(super) fn new(len: usize) -> Self {
        Decoder {
            g0: Set::BasicLatin,
            g1: Set::Ansel,
            out: String::with_capacity(len.saturating_add(len / 2)),
            pending: Vec::new(),
            warnings: Vec::new(),
            suppressed: 0,
        }
    }

    pub(super) fn warn(&mut self, offset: usize, msg: std::fmt::Arguments<'_>) {
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

    pub(super) fn finish(self) -> (String, Vec<String>) {
        (self.out, self.warnings)
    }

    pub(super) fn run(&mut self, bytes: &[u8]) {
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
}
