//! NFC for catalogue text, which is mostly ASCII with a few accented or
//! non-Latin letters.
//!
//! An ASCII character is a normalisation boundary (combining class 0, NFC
//! quick check "yes", never the second of a composition pair), so NFC of a
//! text is the NFC of its pieces cut before each ASCII character. Only the
//! pieces with non-ASCII characters need looking at, and only those that
//! fail the quick check need normalising: that is several times faster
//! than normalising a whole field that has one decomposed "é" in it.

use std::borrow::Cow;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// `text` in NFC, borrowed when it is NFC already.
pub(crate) fn to_nfc(text: Cow<'_, str>) -> Cow<'_, str> {
    if text.is_ascii() || is_nfc_quick(text.chars()) == IsNormalized::Yes {
        text
    } else {
        Cow::Owned(by_pieces(&text))
    }
}

fn by_pieces(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while let Some(off) = bytes
        .get(i..)
        .and_then(|b| b.iter().position(|c| !c.is_ascii()))
    {
        let run = i + off;
        let end = bytes
            .get(run..)
            .and_then(|b| b.iter().position(u8::is_ascii))
            .map_or(bytes.len(), |n| run + n);
        // The ASCII character before the run may compose with it ("e" and
        // a combining acute), so the piece starts there.
        let start = run.saturating_sub(1).max(copied);
        out.push_str(text.get(copied..start).unwrap_or_default());
        let piece = text.get(start..end).unwrap_or_default();
        if is_nfc_quick(piece.chars()) == IsNormalized::Yes {
            out.push_str(piece);
        } else {
            out.extend(piece.nfc());
        }
        copied = end;
        i = end;
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_whole_text_normalisation() {
        let samples = [
            "Pe\u{301}tain",
            "e\u{301}",
            "\u{301}e",
            "a\u{301}\u{323} b\u{308}c",
            "Qazaq\u{306} e\u{301}li\u{301}",
            "Ка\u{306}рағанды \u{415}\u{308}",
            "\u{1100}\u{1161}\u{11A8} x",
            "\u{0B47}\u{0B3E}ab",
            "abc",
            "é\u{301}x",
            "\u{1F}ae\u{301}\u{1F}b\u{301}",
            "x\u{301}\u{301}\u{327}y\u{300}",
            "\u{212B}ngstro\u{308}m",
        ];
        for s in samples {
            let expected: String = s.nfc().collect();
            assert_eq!(to_nfc(Cow::Borrowed(s)), expected, "{s:?}");
        }
    }
}
