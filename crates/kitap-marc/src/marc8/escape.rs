//! Escape sequences: which set goes into G0 or G1.

use std::fmt::Write as _;

use super::decoder::Decoder;
use super::sets::Set;
use super::ESC;

impl Decoder {
    /// An escape sequence starting at `i` (`bytes[i] == ESC`); returns the
    /// index of the next unread byte.
    pub(super) fn escape(&mut self, bytes: &[u8], i: usize) -> usize {
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
