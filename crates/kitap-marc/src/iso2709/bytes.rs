//! Byte searches over record data, eight bytes at a time.
//!
//! The separators 0x1D/0x1E/0x1F are searched in every byte of every record;
//! a byte-by-byte loop was a visible share of the profile, and the crate
//! takes no dependency (memchr) for three small loops.

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Bit 7 of every byte of the result is set where `word` has a zero byte.
/// Only bits above the first zero byte can be wrong, so the lowest set bit
/// is exact.
fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(LO) & !word & HI
}

fn word(chunk: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    buf.copy_from_slice(chunk);
    u64::from_le_bytes(buf)
}

/// Index of the first `needle` in `hay`.
pub(crate) fn find(hay: &[u8], needle: u8) -> Option<usize> {
    let pattern = LO.wrapping_mul(u64::from(needle));
    let mut chunks = hay.chunks_exact(8);
    let mut base = 0usize;
    for chunk in chunks.by_ref() {
        let hits = zero_bytes(word(chunk) ^ pattern);
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    // Most subfields are short: one more word, padded with bytes that are
    // not the needle, beats a byte loop.
    let rest = chunks.remainder();
    if rest.is_empty() {
        return None;
    }
    let mut buf = [!needle; 8];
    buf.get_mut(..rest.len())?.copy_from_slice(rest);
    let hits = zero_bytes(u64::from_le_bytes(buf) ^ pattern);
    (hits != 0).then(|| base + (hits.trailing_zeros() / 8) as usize)
}

/// Bit 7 of every byte of the result is set exactly where `word` has a
/// zero byte (no borrow between bytes, unlike [`zero_bytes`]).
fn exact_zero_bytes(word: u64) -> u64 {
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    !(((word & LOW7) + LOW7) | word | LOW7)
}

/// How many times `needle` occurs in `hay`.
pub(crate) fn count(hay: &[u8], needle: u8) -> usize {
    // The filter-count loop the compiler makes for the baseline x86-64
    // target handles 4 bytes per step; this handles 8.
    let pattern = LO.wrapping_mul(u64::from(needle));
    let mut chunks = hay.chunks_exact(8);
    let mut n = 0usize;
    for chunk in chunks.by_ref() {
        n += exact_zero_bytes(word(chunk) ^ pattern).count_ones() as usize;
    }
    n + chunks.remainder().iter().filter(|&&b| b == needle).count()
}

/// Whether `hay` is all ASCII, and whether it holds an ESC (0x1B), in
/// one pass.
pub(crate) fn ascii_and_escape(hay: &[u8]) -> (bool, bool) {
    let pattern = LO.wrapping_mul(0x1B);
    let (mut high, mut esc) = (0u64, 0u64);
    let mut chunks = hay.chunks_exact(8);
    for chunk in chunks.by_ref() {
        let w = word(chunk);
        high |= w;
        esc |= exact_zero_bytes(w ^ pattern);
    }
    let rest = chunks.remainder();
    let ascii = high & HI == 0 && rest.is_ascii();
    (ascii, esc != 0 || rest.contains(&0x1B))
}

/// Splits `hay` at every `sep`, like `hay.split(|&b| b == sep)`.
pub(crate) fn split(hay: &[u8], sep: u8) -> Split<'_> {
    Split {
        rest: Some(hay),
        sep,
    }
}

#[derive(Clone)]
pub(crate) struct Split<'a> {
    rest: Option<&'a [u8]>,
    sep: u8,
}

impl<'a> Iterator for Split<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let rest = self.rest?;
        match find(rest, self.sep) {
            Some(i) => {
                self.rest = rest.get(i + 1..);
                rest.get(..i)
            }
            None => {
                self.rest = None;
                Some(rest)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_agrees_with_position() {
        let hay: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
        for needle in [0u8, 1, 0x1D, 0x1E, 0x1F, 0x80, 0xFF, 250] {
            for start in 0..40 {
                let h = &hay[start..];
                assert_eq!(find(h, needle), h.iter().position(|&b| b == needle));
                assert_eq!(count(h, needle), h.iter().filter(|&&b| b == needle).count());
            }
        }
        // A byte one above the needle right after a match must not hide it.
        assert_eq!(find(&[0x1F, 0x1E, 0x20, 0, 0, 0, 0, 0], 0x1E), Some(1));
        assert_eq!(find(&[0x01, 0x00, 0x01, 0, 0, 0, 0, 0], 0x00), Some(1));
    }

    #[test]
    fn ascii_and_escape_agree_with_std() {
        for hay in [
            &b""[..],
            b"abc",
            b"abcdefgh\x1b",
            b"\x1babcdefghijk",
            b"abcdefghijklmnop\xc3\xa9",
            b"\xff",
            b"0123456789abcdef\x1a\x1c",
        ] {
            let expected = (hay.is_ascii(), hay.contains(&0x1B));
            assert_eq!(ascii_and_escape(hay), expected, "{hay:?}");
        }
    }

    #[test]
    fn split_agrees_with_slice_split() {
        for hay in [
            &b""[..],
            b"\x1f",
            b"a\x1fb",
            b"\x1f\x1f",
            b"abc\x1fdefghijkl\x1fmn\x1f",
        ] {
            let ours: Vec<&[u8]> = split(hay, 0x1F).collect();
            let std: Vec<&[u8]> = hay.split(|&b| b == 0x1F).collect();
            assert_eq!(ours, std);
        }
    }
}
