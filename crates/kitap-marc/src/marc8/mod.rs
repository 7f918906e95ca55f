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

mod decoder;
mod escape;
mod ncr;
mod sets;
mod tables_eacc;
mod tables_single;

#[cfg(test)]
mod real_files;

use decoder::Decoder;

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

#[cfg(test)]
mod tests;
