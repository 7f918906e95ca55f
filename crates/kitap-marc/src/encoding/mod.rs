//! Character encodings met in MARC files from Kazakh and Russian libraries.
//!
//! Every decoder is total: undecodable bytes become U+FFFD and are reported
//! through the `had_errors` flag, never through a panic or an `Err`, because
//! one bad byte must not cost a librarian the whole record.

pub mod mojibake;
mod nfc;
mod tables;

use std::borrow::Cow;
use std::fmt;

pub(crate) use nfc::to_nfc;

/// A character encoding of field data (the leader and directory are ASCII).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// UTF-8 (MARC 21 leader/09 `a`; UNIMARC 100$a/26-27 `50`).
    Utf8,
    /// MARC-8 (MARC 21 leader/09 blank), with ESC-switched script sets.
    Marc8,
    /// windows-1251 (UNIMARC code `89`; IRBIS "ANSI").
    Windows1251,
    /// KZ-1048 (STRK 1048-2002): windows-1251 with 16 bytes moved to Kazakh letters.
    Kz1048,
    /// PT154 / CP154 (Paratype Asian Cyrillic).
    Pt154,
    /// IBM866 / CP866, DOS Cyrillic (UNIMARC code `79`).
    Cp866,
    /// KOI8-R (UNIMARC code `99`).
    Koi8R,
}

impl Encoding {
    /// Every encoding, for callers that offer a choice (import overrides).
    pub const ALL: [Encoding; 7] = [
        Encoding::Utf8,
        Encoding::Marc8,
        Encoding::Windows1251,
        Encoding::Kz1048,
        Encoding::Pt154,
        Encoding::Cp866,
        Encoding::Koi8R,
    ];

    /// A stable lower-case name (used in import reports and configuration).
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Marc8 => "marc-8",
            Encoding::Windows1251 => "windows-1251",
            Encoding::Kz1048 => "kz-1048",
            Encoding::Pt154 => "pt154",
            Encoding::Cp866 => "cp866",
            Encoding::Koi8R => "koi8-r",
        }
    }

    /// Parses the names returned by [`Encoding::name`] plus common aliases.
    pub fn from_name(name: &str) -> Option<Encoding> {
        let n = name.trim().to_ascii_lowercase().replace('_', "-");
        let enc = match n.as_str() {
            "utf-8" | "utf8" => Encoding::Utf8,
            "marc-8" | "marc8" => Encoding::Marc8,
            "windows-1251" | "cp1251" | "1251" => Encoding::Windows1251,
            "kz-1048" | "kz1048" | "strk1048" => Encoding::Kz1048,
            "pt154" | "ptcp154" | "cp154" => Encoding::Pt154,
            "cp866" | "ibm866" | "866" => Encoding::Cp866,
            "koi8-r" | "koi8r" | "koi8" => Encoding::Koi8R,
            _ => return None,
        };
        Some(enc)
    }

    /// Decodes `bytes` to NFC text; the flag is true when some bytes were
    /// invalid or unmapped (they became U+FFFD).
    pub fn decode(self, bytes: &[u8]) -> (String, bool) {
        let (text, had_errors) = self.decode_raw(bytes);
        (to_nfc(text).into_owned(), had_errors)
    }

    /// Decoding without normalisation; detection scores raw text with it.
    /// Valid UTF-8 is borrowed from `bytes`, not copied.
    pub(crate) fn decode_raw(self, bytes: &[u8]) -> (Cow<'_, str>, bool) {
        match self {
            Encoding::Utf8 => whatwg(encoding_rs::UTF_8, bytes),
            Encoding::Windows1251 => whatwg(encoding_rs::WINDOWS_1251, bytes),
            Encoding::Cp866 => whatwg(encoding_rs::IBM866, bytes),
            Encoding::Koi8R => whatwg(encoding_rs::KOI8_R, bytes),
            Encoding::Kz1048 => own(with_table(&tables::KZ1048_HIGH, bytes)),
            Encoding::Pt154 => own(with_table(&tables::PT154_HIGH, bytes)),
            Encoding::Marc8 => {
                let (text, warnings) = crate::marc8::decode(bytes);
                (Cow::Owned(text), !warnings.is_empty())
            }
        }
    }
}

fn own((text, had_errors): (String, bool)) -> (Cow<'static, str>, bool) {
    (Cow::Owned(text), had_errors)
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

fn whatwg<'a>(enc: &'static encoding_rs::Encoding, bytes: &'a [u8]) -> (Cow<'a, str>, bool) {
    // Without BOM handling: a MARC field never starts with a BOM on purpose,
    // and sniffing one would silently switch encodings mid-record.
    enc.decode_without_bom_handling(bytes)
}

fn with_table(high: &[char; 128], bytes: &[u8]) -> (String, bool) {
    let mut out = String::with_capacity(bytes.len() * 2);
    let mut had_errors = false;
    for &b in bytes {
        let c = if b < 0x80 {
            char::from(b)
        } else {
            high.get(usize::from(b - 0x80))
                .copied()
                .unwrap_or('\u{FFFD}')
        };
        had_errors |= c == '\u{FFFD}';
        out.push(c);
    }
    (out, had_errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(enc: Encoding, b: u8) -> String {
        enc.decode(&[b]).0
    }

    #[test]
    fn kz1048_kazakh_letters() {
        assert_eq!(one(Encoding::Kz1048, 0xA3), "Ә");
        assert_eq!(one(Encoding::Kz1048, 0x8D), "Қ");
        assert_eq!(one(Encoding::Kz1048, 0xBC), "ә");
        assert_eq!(one(Encoding::Kz1048, 0x9D), "қ");
        assert_eq!(one(Encoding::Kz1048, 0xBE), "ң");
        assert_eq!(one(Encoding::Kz1048, 0xAF), "Ү");
        // Outside the 16 differing bytes it is windows-1251.
        assert_eq!(one(Encoding::Kz1048, 0xC0), "А");
        assert_eq!(one(Encoding::Kz1048, 0xB3), "і");
    }

    #[test]
    fn kz1048_differs_from_cp1251_in_exactly_16_bytes() {
        // 0x98 is unassigned in both (WHATWG maps it to U+0098, Python to
        // U+FFFD), so it is left out of the comparison.
        let diff = (0x80u8..=0xFF)
            .filter(|&b| b != 0x98)
            .filter(|&b| one(Encoding::Kz1048, b) != one(Encoding::Windows1251, b))
            .collect::<Vec<_>>();
        let expected = [
            0x8D, 0x8E, 0x9D, 0x9E, 0xA1, 0xA2, 0xA3, 0xA5, 0xAA, 0xAF, 0xB4, 0xBA, 0xBC, 0xBD,
            0xBE, 0xBF,
        ];
        assert_eq!(diff, expected);
    }

    #[test]
    fn pt154_kazakh_letters() {
        assert_eq!(one(Encoding::Pt154, 0x8D), "Қ");
        assert_eq!(one(Encoding::Pt154, 0x81), "Ғ");
        assert_eq!(one(Encoding::Pt154, 0xC0), "А");
    }

    #[test]
    fn whatwg_encodings() {
        assert_eq!(
            Encoding::Windows1251.decode(b"\xca\xed\xe8\xe3\xe0").0,
            "Книга"
        );
        assert_eq!(Encoding::Cp866.decode(b"\x8a\xad\xa8\xa3\xa0").0, "Книга");
        assert_eq!(Encoding::Koi8R.decode(b"\xeb\xce\xc9\xc7\xc1").0, "Книга");
        let (text, bad) = Encoding::Utf8.decode(b"a\xffb");
        assert_eq!(text, "a\u{FFFD}b");
        assert!(bad);
    }

    #[test]
    fn decode_is_nfc() {
        assert_eq!(Encoding::Utf8.decode("e\u{301}".as_bytes()).0, "\u{e9}");
        // Reordering of combining marks is normalisation too.
        assert_eq!(
            Encoding::Utf8.decode("a\u{301}\u{323}".as_bytes()).0,
            "\u{1EA1}\u{301}"
        );
        for s in ["plain", "Қарағанды", "Café", "\u{1EA1}\u{301}"] {
            assert_eq!(Encoding::Utf8.decode(s.as_bytes()).0, s);
        }
    }

    #[test]
    fn names_round_trip() {
        for enc in Encoding::ALL {
            assert_eq!(Encoding::from_name(enc.name()), Some(enc));
        }
    }
}
