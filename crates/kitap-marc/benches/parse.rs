//! Parse-only throughput of the ISO 2709 reader (issue #3).
//!
//! `cargo bench -p kitap-marc --bench parse [-- FILE [RUNS]]`
//! (or `MARC_BENCH_FILE` / `MARC_BENCH_RUNS`). Default file: the 50,000 LC
//! records in the shared corpus; default 7 runs. Each mode runs once to warm
//! up (page cache, allocator), then `RUNS` times; the median run is printed.
//! `MARC_BENCH_MODE=view` runs only the modes whose name contains "view"
//! (for profiling one mode).
//!
//! Modes:
//! - `split (buffer)`: `RecordSplitter` over the file already in memory.
//! - `split+view (buffer)`: the same, and `parse_view` of every record,
//!   iterating all fields and subfields without decoding (value bytes are
//!   counted): the structural parse that `yaz-marcdump -n` does.
//! - `split+view (stream)`: the same, reading the file through a `BufReader`.
//! - `split+parse (buffer)`: `RecordSplitter` and `parse` of every record
//!   (detection, decoding to NFC, owned `Record`).
//! - `split+parse (stream)`: opening the file and reading it through a
//!   `BufReader` while parsing, as an import does.
//!
//! Records, fields, subfields and decoded characters (value bytes for the
//! view modes) are counted and printed so that no work can be optimised
//! away, and so runs can be compared.

use std::fs::File;
use std::hint::black_box;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use kitap_marc::{parse, parse_view, Dialect, Field, RecordSplitter};

const DEFAULT_FILE: &str = "marc21/lc_booksall2016_part01_first50k.mrc";
const DEFAULT_RUNS: usize = 7;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Counts {
    records: u64,
    errors: u64,
    fields: u64,
    subfields: u64,
    chars: u64,
}

fn split_only<R: Read>(reader: R) -> Counts {
    let mut c = Counts::default();
    for raw in RecordSplitter::new(reader) {
        match raw {
            Ok(raw) => {
                c.records += 1;
                c.chars += raw.bytes.len() as u64;
            }
            Err(_) => c.errors += 1,
        }
    }
    c
}

fn split_view<R: Read>(reader: R) -> Counts {
    let mut c = Counts::default();
    for raw in RecordSplitter::new(reader) {
        let Ok(raw) = raw else {
            c.errors += 1;
            continue;
        };
        let Ok(view) = parse_view(&raw.bytes) else {
            c.errors += 1;
            continue;
        };
        c.records += 1;
        for f in view.fields() {
            c.fields += 1;
            if f.is_control(Dialect::Marc21) {
                c.chars += f.data().len() as u64;
                continue;
            }
            for s in f.subfields() {
                c.subfields += 1;
                c.chars += s.value().len() as u64;
            }
        }
        black_box(&view);
    }
    c
}

fn split_parse<R: Read>(reader: R) -> Counts {
    let mut c = Counts::default();
    for raw in RecordSplitter::new(reader) {
        let rec = match raw.and_then(|raw| parse(&raw, None)) {
            Ok(rec) => rec,
            Err(_) => {
                c.errors += 1;
                continue;
            }
        };
        c.records += 1;
        for f in &rec.fields {
            c.fields += 1;
            match f {
                Field::Control { value, .. } => c.chars += value.chars().count() as u64,
                Field::Data { subfields, .. } => {
                    for s in subfields {
                        c.subfields += 1;
                        c.chars += s.value.chars().count() as u64;
                    }
                }
            }
        }
        black_box(&rec);
    }
    c
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

fn run(name: &str, runs: usize, bytes: usize, mut f: impl FnMut() -> Counts) {
    if std::env::var("MARC_BENCH_MODE").is_ok_and(|m| !name.contains(m.as_str())) {
        return;
    }
    let expected = f(); // warm-up
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let c = black_box(f());
        times.push(start.elapsed());
        if c != expected {
            eprintln!("{name}: counts differ between runs: {c:?} vs {expected:?}");
            std::process::exit(1);
        }
    }
    let (min, max) = (
        times.iter().min().copied().unwrap_or_default(),
        times.iter().max().copied().unwrap_or_default(),
    );
    let med = median(times).as_secs_f64();
    let (recs, mb) = if med > 0.0 {
        (
            expected.records as f64 / med,
            bytes as f64 / 1_000_000.0 / med,
        )
    } else {
        (0.0, 0.0)
    };
    println!(
        "{name:<22} median {:>8.3} s (min {:.3}, max {:.3})  {:>10.0} records/s  {:>7.1} MB/s",
        med,
        min.as_secs_f64(),
        max.as_secs_f64(),
        recs,
        mb
    );
    println!(
        "{:<22} records {} errors {} fields {} subfields {} chars {}",
        "", expected.records, expected.errors, expected.fields, expected.subfields, expected.chars
    );
}

fn default_file() -> PathBuf {
    let dir = match std::env::var_os("MARC_TEST_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/marc"),
    };
    dir.join(DEFAULT_FILE)
}

fn open(path: &Path) -> BufReader<File> {
    match File::open(path) {
        Ok(file) => BufReader::new(file),
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            std::process::exit(2);
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; everything starting with '-' is ignored.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let path = args
        .first()
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("MARC_BENCH_FILE").map(PathBuf::from))
        .unwrap_or_else(default_file);
    let runs = args
        .get(1)
        .cloned()
        .or_else(|| std::env::var("MARC_BENCH_RUNS").ok())
        .and_then(|s| s.parse::<usize>().ok())
        .unwrap_or(DEFAULT_RUNS)
        .max(1);
    let data = match std::fs::read(&path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            std::process::exit(2);
        }
    };
    println!(
        "file {} ({} bytes, {:.1} MB), {runs} runs after one warm-up",
        path.display(),
        data.len(),
        data.len() as f64 / 1_000_000.0
    );
    let n = data.len();
    run("split (buffer)", runs, n, || split_only(data.as_slice()));
    run("split+view (buffer)", runs, n, || {
        split_view(data.as_slice())
    });
    let p: &Path = &path;
    run("split+view (stream)", runs, n, || split_view(open(p)));
    run("split+parse (buffer)", runs, n, || {
        split_parse(data.as_slice())
    });
    run("split+parse (stream)", runs, n, || split_parse(open(p)));
}
