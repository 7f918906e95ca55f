//! No input makes the reader panic: every corpus file truncated at many
//! offsets and with deterministic random byte flips goes through split+parse.

use std::io::Cursor;

use kitap_marc::{parse, RecordSplitter};

use crate::common::data_dir;
use crate::counts::COUNTS;

/// xorshift64: deterministic, no dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % (n.max(1) as u64)) as usize
    }
}

/// Split and parse everything; the small cap also exercises the oversize path.
fn read_all(bytes: &[u8], max_record: usize) -> usize {
    RecordSplitter::with_max_record(Cursor::new(bytes), max_record)
        .filter_map(Result::ok)
        .filter(|raw| parse(raw, None).is_ok())
        .count()
}

/// Files small enough to mutate many times in a debug build.
fn small_files() -> Vec<(&'static str, Vec<u8>)> {
    COUNTS
        .iter()
        .filter_map(|&(rel, _)| {
            let bytes = std::fs::read(data_dir().join(rel)).ok()?;
            (bytes.len() <= 300_000).then_some((rel, bytes))
        })
        .collect()
}

#[test]
fn truncation_at_many_offsets_never_panics() {
    for (_rel, bytes) in small_files() {
        let step = (bytes.len() / 40).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            read_all(bytes.get(..cut).unwrap_or_default(), 1 << 20);
        }
    }
}

#[test]
fn random_byte_flips_never_panic() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for (_rel, bytes) in small_files() {
        let sample = &bytes[..bytes.len().min(20_000)];
        for _ in 0..20 {
            let mut m = sample.to_vec();
            for _ in 0..1 + rng.below(8) {
                let i = rng.below(m.len());
                if let Some(b) = m.get_mut(i) {
                    // Favour the structural bytes: they drive the parser.
                    *b = match rng.below(4) {
                        0 => 0x1E,
                        1 => 0x1F,
                        2 => b'0' + (rng.below(10) as u8),
                        _ => rng.next() as u8,
                    };
                }
            }
            read_all(&m, 4096);
        }
    }
}

#[test]
fn pure_noise_never_panics() {
    let mut rng = XorShift(42);
    for len in [0, 1, 23, 24, 25, 36, 100, 1000, 10_000] {
        for _ in 0..50 {
            let noise: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
            read_all(&noise, 512);
            let mut with_rt = noise.clone();
            with_rt.push(0x1D);
            read_all(&with_rt, 512);
        }
    }
}
