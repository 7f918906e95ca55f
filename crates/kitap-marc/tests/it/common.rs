//! Reading corpus files through the public API.

use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;

use kitap_marc::{parse_with, ParseOptions, Parsed, Record, RecordError, RecordSplitter};

/// The shared corpus: `MARC_TEST_DATA`, else /work/shared/data/marc seen
/// from this crate (crates/kitap-marc -> ../../../shared/data/marc).
pub fn data_dir() -> PathBuf {
    match std::env::var_os("MARC_TEST_DATA") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/marc"),
    }
}

/// Splits and parses every record of a corpus file.
pub fn read_file(rel: &str) -> Vec<Result<Parsed, RecordError>> {
    let file = File::open(data_dir().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    RecordSplitter::new(BufReader::new(file))
        .map(|raw| raw.and_then(|raw| parse_with(&raw, ParseOptions::default())))
        .collect()
}

/// All records of a file that must parse completely.
pub fn read_ok(rel: &str) -> Vec<Parsed> {
    read_file(rel)
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|e| panic!("{rel} record {i}: {e}")))
        .collect()
}

/// Concatenated values of every field with `tag` (for "contains" checks).
pub fn text_of(rec: &Record, tag: &str) -> String {
    rec.fields(tag)
        .map(|f| match f {
            kitap_marc::Field::Control { value, .. } => value.clone(),
            kitap_marc::Field::Data { subfields, .. } => subfields
                .iter()
                .map(|s| s.value.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect::<Vec<_>>()
        .join(" | ")
}
