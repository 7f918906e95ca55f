//! Unit tests for the MARC-8 decoder.

use unicode_normalization::UnicodeNormalization;

use super::{decode, tables_eacc, tables_single, MAX_WARNINGS};

const ESC: u8 = 0x1B;

fn nfc(bytes: &[u8]) -> (String, Vec<String>) {
    let (s, w) = decode(bytes);
    (s.nfc().collect(), w)
}

fn clean(bytes: &[u8]) -> String {
    let (s, w) = nfc(bytes);
    assert!(w.is_empty(), "unexpected warnings for {bytes:02X?}: {w:?}");
    s
}

#[test]
fn tables_are_sorted_and_unique() {
    let singles = [
        tables_single::BASIC_LATIN,
        tables_single::ANSEL,
        tables_single::BASIC_HEBREW,
        tables_single::BASIC_CYRILLIC,
        tables_single::EXTENDED_CYRILLIC,
        tables_single::BASIC_ARABIC,
        tables_single::EXTENDED_ARABIC,
        tables_single::BASIC_GREEK,
        tables_single::GREEK_SYMBOLS,
        tables_single::SUBSCRIPTS,
        tables_single::SUPERSCRIPTS,
    ];
    for t in singles {
        assert!(t.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)));
        assert!(t.iter().all(|e| (0x21..=0x7E).contains(&e.0)));
    }
    assert_eq!(tables_single::BASIC_LATIN.len(), 94);
    for t in [tables_eacc::EACC, tables_eacc::EACC_ODD] {
        assert!(t.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)));
    }
    assert!(tables_eacc::EACC.len() > 15_000);
    // Combining flags survived generation: ANSEL 0xE0-0xFE are combining.
    let combining = tables_single::ANSEL.iter().filter(|e| e.2).count();
    assert_eq!(combining, 29);
}

#[test]
fn ascii_passes_through() {
    assert_eq!(clean(b"Hello, world! 0123 ~{}|"), "Hello, world! 0123 ~{}|");
    assert_eq!(clean(b""), "");
}

#[test]
fn combining_marks_move_after_their_base() {
    // ANSEL 0xE2 = combining acute, precedes its base in MARC-8.
    let (raw, w) = decode(&[0xE2, b'e']);
    assert!(w.is_empty());
    assert_eq!(raw, "e\u{301}");
    assert_eq!(clean(&[b'c', b'a', b'f', 0xE2, b'e']), "caf\u{e9}");
    // Two marks on one base keep their order: acute then dot below.
    let (raw, _) = decode(&[0xE2, 0xF2, b'a', b'b']);
    assert_eq!(raw, "a\u{301}\u{323}b");
    // NFC composes a + dot below + acute (canonical order: below first).
    assert_eq!(clean(&[0xE2, 0xF2, b'a']), "\u{1EA1}\u{301}");
    // Cedilla, umlaut, hacek; Polish l-stroke is a spacing letter (0xB1).
    let v = cat(&[
        b"Gar",
        &[0xF0],
        b"con ",
        &[0xE8],
        b"uber ",
        &[0xB1],
        b"od",
        &[0xE9],
        b"z",
    ]);
    assert_eq!(clean(&v), "Gar\u{e7}on \u{fc}ber \u{142}od\u{17e}");
    // Double diacritic halves: ligature over "ts".
    let (raw, _) = decode(&[0xEB, b't', 0xEC, b's']);
    assert_eq!(raw, "t\u{FE20}s\u{FE21}");
    // Spacing use: diacritic before a space.
    assert_eq!(decode(&[0xE3, b' ']).0, " \u{302}");
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn cyrillic_g0_and_g1() {
    // ESC ( N: Basic Cyrillic into G0.
    let mut v = vec![
        ESC, b'(', b'N', 0x6D, 0x4F, 0x53, 0x4B, 0x57, 0x41, ESC, b'(', b'B',
    ];
    v.extend_from_slice(b" 2001");
    assert_eq!(clean(&v), "\u{41c}\u{43e}\u{441}\u{43a}\u{432}\u{430} 2001");
    // ESC ) N: the same set into G1, addressed with the high bit set; ASCII
    // stays usable in G0 meanwhile.
    let v = [ESC, b')', b'N', 0xED, 0xCF, b'-', 0xD3];
    assert_eq!(clean(&v), "\u{41c}\u{43e}-\u{441}");
    // Extended Cyrillic (ESC ) Q) in G1 and in G0.
    assert_eq!(clean(&[ESC, b')', b'Q', 0xE4, 0xE1]), "\u{401}\u{402}");
    assert_eq!(clean(&[ESC, b'(', b'Q', 0x64, 0x61]), "\u{401}\u{402}");
    // ESC , N is the alternative G0 designation.
    assert_eq!(clean(&[ESC, b',', b'N', 0x41]), "\u{430}");
}

#[test]
fn hebrew_points_follow_letters() {
    // Qamats (0x41) precedes shin (0x79) in MARC-8.
    let (raw, w) = decode(&[
        ESC, b'(', b'2', 0x41, 0x79, 0x6C, 0x65, 0x6D, ESC, b'(', b'B',
    ]);
    assert!(w.is_empty());
    assert_eq!(raw, "\u{5e9}\u{5b8}\u{5dc}\u{5d5}\u{5dd}");
}

#[test]
fn arabic_and_greek() {
    assert_eq!(
        clean(&[ESC, b'(', b'3', 0x47, 0x48, 0x4A]),
        "\u{627}\u{628}\u{62a}"
    );
    // Basic Greek with a combining acute (0x22) before alpha.
    assert_eq!(
        clean(&[ESC, b'(', b'S', 0x22, 0x61, 0x62]),
        "\u{3ac}\u{3b2}"
    );
    // A mark pending across an escape attaches to the next base.
    assert_eq!(decode(&[0xE8, ESC, b'(', b'S', 0x61]).0, "\u{3b1}\u{308}");
}

#[test]
fn locking_single_character_sets() {
    // ESC g Greek symbols, ESC b subscripts, ESC p superscripts, ESC s back.
    assert_eq!(clean(&[ESC, b'g', b'a', ESC, b's', b'a']), "\u{3b1}a");
    assert_eq!(
        clean(&[b'H', ESC, b'b', b'2', ESC, b's', b'O']),
        "H\u{2082}O"
    );
    assert_eq!(clean(&[b'm', ESC, b'p', b'2', ESC, b's']), "m\u{b2}");
}

#[test]
fn ansel_designations() {
    // ESC ) ! E restores ANSEL into G1 after Cyrillic.
    let v = [ESC, b')', b'N', 0xC1, ESC, b')', b'!', b'E', 0xE2, b'e'];
    assert_eq!(clean(&v), "\u{430}\u{e9}");
    // ANSEL in G0: 0x62 = 0xE2 - 0x80 is the acute.
    assert_eq!(
        clean(&[ESC, b'(', b'!', b'E', 0x62, ESC, b'(', b'B', b'e']),
        "\u{e9}"
    );
}

#[test]
fn eacc() {
    let v = [
        ESC, b'$', b'1', 0x21, 0x30, 0x34, 0x21, 0x42, 0x58, ESC, b'(', b'B', b'!',
    ];
    assert_eq!(clean(&v), "\u{4e2d}\u{6587}!");
    // ESC $ , 1 and the G1 form ESC $ ) 1 with high bits set.
    assert_eq!(
        clean(&[ESC, b'$', b',', b'1', 0x21, 0x30, 0x34]),
        "\u{4e2d}"
    );
    assert_eq!(
        clean(&[ESC, b'$', b')', b'1', 0xA1, 0xB0, 0xB4]),
        "\u{4e2d}"
    );
    // Ideographic space 0x212320 contains a 0x20 byte; a lone 0x20 is a space.
    assert_eq!(
        clean(&[ESC, b'$', b'1', 0x21, 0x23, 0x20, b' ', 0x21, 0x30, 0x34]),
        "\u{3000} \u{4e2d}"
    );
}

#[test]
fn character_references() {
    assert_eq!(clean(b"caf&#x00E9; &#X263a;"), "caf\u{e9} \u{263a}");
    // A combining mark given as a reference is already in Unicode order.
    assert_eq!(decode(b"e&#x301;x").0, "e\u{301}x");
    // Not references: kept literally, no warning.
    assert_eq!(
        clean(b"AT&T &#x; &#xZZ; &#1234; &#x1234567;"),
        "AT&T &#x; &#xZZ; &#1234; &#x1234567;"
    );
    // A surrogate is not a character: kept literally with a warning.
    let (s, w) = decode(b"&#xD800;");
    assert_eq!(s, "&#xD800;");
    assert_eq!(w.len(), 1);
    // Outside ASCII G0 the bytes mean something else.
    let (s, _) = decode(&[ESC, b'(', b'N', b'&', b'#', b'x', b'4', b'1', b';']);
    assert!(!s.contains('A'));
}

#[test]
fn broken_escapes() {
    let (s, w) = decode(&[b'a', ESC]);
    assert_eq!(s, "a");
    assert!(
        w.len() == 1 && w.iter().all(|w| w.contains("incomplete escape")),
        "{w:?}"
    );
    let (s, w) = decode(&[b'a', ESC, b'(']);
    assert_eq!(s, "a");
    assert_eq!(w.len(), 1);
    let (s, w) = decode(&[ESC, b'$', b')']);
    assert_eq!(s, "");
    assert_eq!(w.len(), 1);
    // Unknown final byte: the sequence is skipped, state unchanged.
    let (s, w) = decode(&[ESC, b'(', b'Z', b'a', 0xE2, b'e']);
    assert_eq!(s, "ae\u{301}");
    assert!(
        w.len() == 1 && w.iter().all(|w| w.contains("unknown escape")),
        "{w:?}"
    );
    // ESC followed by a byte that cannot continue a sequence.
    let (s, w) = decode(&[ESC, 0xE2, b'e']);
    assert_eq!(s, "e\u{301}");
    assert_eq!(w.len(), 1);
    // ESC N (no intermediate): nonstandard but understood.
    let (s, w) = decode(&[ESC, b'N', 0x41]);
    assert_eq!(s, "\u{430}");
    assert_eq!(w.len(), 1);
    // Multibyte form for a single-byte set: accepted with a warning.
    let (s, w) = decode(&[ESC, b'$', b'N', 0x41]);
    assert_eq!(s, "\u{430}");
    assert_eq!(w.len(), 1);
}

#[test]
fn broken_characters() {
    // Unmapped ANSEL byte.
    let (s, w) = decode(&[b'x', 0xAF, b'y']);
    assert_eq!(s, "x\u{FFFD}y");
    assert_eq!(w.len(), 1);
    // 0x7F, 0xA0 and 0xFF are never graphic characters.
    assert_eq!(decode(&[0x7F, 0xA0, 0xFF]).0, "\u{FFFD}\u{FFFD}\u{FFFD}");
    // Dangling combining mark: kept after a space, with a warning.
    let (s, w) = decode(&[b'a', 0xE2]);
    assert_eq!(s, "a \u{301}");
    assert_eq!(w.len(), 1);
    // ... also before a subfield delimiter, which passes through.
    let (s, w) = decode(&[b'a', 0xE2, 0x1F, b'b', b'c']);
    assert_eq!(s, "a \u{301}\u{1f}bc");
    assert_eq!(w.len(), 1);
    // Incomplete EACC character at the end and interrupted by an escape.
    let (s, w) = decode(&[ESC, b'$', b'1', 0x21, 0x30]);
    assert_eq!(s, "\u{FFFD}");
    assert_eq!(w.len(), 1);
    let (s, w) = decode(&[ESC, b'$', b'1', 0x21, ESC, b'(', b'B', b'a']);
    assert_eq!(s, "\u{FFFD}a");
    assert_eq!(w.len(), 1);
    // Unmapped EACC code.
    let (s, w) = decode(&[ESC, b'$', b'1', 0x7E, 0x7E, 0x7E]);
    assert_eq!(s, "\u{FFFD}");
    assert_eq!(w.len(), 1);
    // Stray C0 controls are dropped with a warning; C1 NSB/NSE are kept.
    let (s, w) = decode(&[b'a', 0x07, 0x88, b'T', 0x89]);
    assert_eq!(s, "a\u{98}T\u{9c}");
    assert_eq!(w.len(), 1);
    // Warnings are capped.
    let (_, w) = decode(&[0xAF; 1000]);
    assert_eq!(w.len(), MAX_WARNINGS + 1);
    assert!(w.last().is_some_and(|w| w.contains("900 further")));
}

#[test]
fn escape_state_persists_across_subfield_delimiters() {
    let (s, _) = decode(&[ESC, b'(', b'N', 0x41, 0x1F, b'b', 0x41]);
    // 0x62 is not a subfield code here: it is Cyrillic "Б".
    assert_eq!(s, "\u{430}\u{1f}\u{411}\u{430}");
    // ... but each call starts afresh in ASCII/ANSEL.
    assert_eq!(decode(&[0x41]).0, "A");
}

#[test]
fn no_panic_on_pseudo_random_input() {
    // Deterministic xorshift; bias towards interesting bytes.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let interesting = [
        ESC, b'(', b')', b'$', b',', b'-', b'!', b'1', b'N', b'E', b'B', b's', b'g', b'&', b'#',
        b'x', b';', 0x1F, 0x20, 0x21, 0xA1, 0xE2, 0xFE, 0x7E,
    ];
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = usize::try_from(x % 24).unwrap_or(0);
        let mut v = Vec::with_capacity(len);
        let mut y = x;
        for _ in 0..len {
            y ^= y << 13;
            y ^= y >> 7;
            y ^= y << 17;
            let b = if y.is_multiple_of(3) {
                interesting
                    .get(usize::try_from((y >> 8) % 24).unwrap_or(0))
                    .copied()
                    .unwrap_or(0)
            } else {
                u8::try_from((y >> 16) & 0xFF).unwrap_or(0)
            };
            v.push(b);
        }
        let (s, _) = decode(&v);
        // Decoding is total: output is never empty for nonempty input unless
        // every byte was an escape or a dropped control.
        let _ = s.nfc().count();
    }
}
