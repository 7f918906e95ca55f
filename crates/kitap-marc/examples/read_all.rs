//! Reads every record of an ISO 2709 file and prints counts: a whole
//! process, file reading included, to time against `yaz-marcdump -n` with
//! hyperfine (see scripts/bench-peers.sh and BENCHMARKS.md).
//!
//! `cargo run --release --example read_all -- view|parse FILE`
//! - `view`: `parse_view` of every record, all fields and subfields
//!   visited, nothing decoded (what `yaz-marcdump -n` does).
//! - `parse`: `parse` of every record into an owned, decoded `Record`.

use std::fs::File;
use std::io::BufReader;
use std::process::ExitCode;

use kitap_marc::{parse, parse_view, Dialect, RecordSplitter};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(mode), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: read_all view|parse FILE");
        return ExitCode::from(2);
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let (mut records, mut errors, mut fields, mut subfields) = (0u64, 0u64, 0u64, 0u64);
    for raw in RecordSplitter::new(BufReader::new(file)) {
        let Ok(raw) = raw else {
            errors += 1;
            continue;
        };
        match mode.as_str() {
            "view" => match parse_view(&raw.bytes) {
                Ok(view) => {
                    records += 1;
                    for f in view.fields() {
                        fields += 1;
                        if !f.is_control(Dialect::Marc21) {
                            subfields += f.subfields().count() as u64;
                        }
                    }
                }
                Err(_) => errors += 1,
            },
            _ => match parse(&raw, None) {
                Ok(rec) => {
                    records += 1;
                    fields += rec.fields.len() as u64;
                    subfields += rec
                        .fields
                        .iter()
                        .map(|f| f.subfields().len() as u64)
                        .sum::<u64>();
                }
                Err(_) => errors += 1,
            },
        }
    }
    println!("{records} records, {errors} errors, {fields} fields, {subfields} subfields");
    ExitCode::SUCCESS
}
