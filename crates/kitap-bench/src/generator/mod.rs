//! The synthetic catalogue every benchmark uses: record n is a function of n
//! alone (see `Spec::generate`), so a run can be repeated, the same records
//! can be put in another database, and queries can be drawn from them.

mod isbn;
mod marc;
mod rng;
mod spec;
mod titles;
pub mod vocab;

use std::io::{BufWriter, Write};
use std::path::Path;

pub use isbn::{isbn10, isbn13, isbn_hyphenated};
pub use marc::record;
pub use rng::Rng;
pub use spec::Spec;

/// Whether RUSMARC records carry their IRBIS 910 copy fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Copies {
    With,
    /// The records alone: what an import of a bibliographic file measures.
    Without,
}

/// What `write_catalogue` wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Written {
    pub records: u64,
    pub copies: u64,
    pub bytes: u64,
}

/// Record n as MARC, with or without its copies.
pub fn marc_record(n: u64, copies: Copies) -> kitap_marc::Record {
    let mut s = Spec::generate(n);
    if copies == Copies::Without {
        s.copies.clear();
    }
    record(&s)
}

/// Writes records 0..count as UTF-8 ISO 2709 to `path`.
pub fn write_catalogue(path: &Path, count: u64, copies: Copies) -> std::io::Result<Written> {
    let mut out = BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    let mut written = Written {
        records: count,
        copies: 0,
        bytes: 0,
    };
    for n in 0..count {
        let mut s = Spec::generate(n);
        if copies == Copies::Without {
            s.copies.clear();
        }
        written.copies += s.copies.len() as u64;
        kitap_marc::write_iso2709(&record(&s), &mut out)?;
    }
    out.flush()?;
    written.bytes = std::fs::metadata(path)?.len();
    Ok(written)
}

#[cfg(test)]
mod tests;
