//! Exporting a selection of records as ISO 2709 (UTF-8), MARCXML or
//! MARC-in-JSON, streamed page by page so a whole catalog never sits in memory.

use std::io::Write;

use kitap_db::records::{self, RecordFilter, StoredRecord};
use kitap_marc::write::MarcXmlWriter;
use kitap_marc::RawRecord;

use super::convert::{convert_to, Target};
use super::records::decode_stored;
use super::Format;
use crate::{App, AppError};

/// Records read per query while exporting.
const PAGE: i64 = 500;

#[derive(Debug, Clone)]
pub struct ExportRequest {
    pub filter: RecordFilter,
    pub format: Format,
    /// Convert every record to this MARC family on the way out.
    pub convert: Option<Target>,
}

enum Sink<W: Write> {
    Iso(W),
    Xml(MarcXmlWriter<W>),
    Json { out: W, first: bool },
}

impl App {
    /// Writes the selected records to `out`; returns how many were written.
    /// `filter.limit` is ignored (everything selected is exported).
    pub fn export<W: Write>(&self, req: &ExportRequest, out: W) -> Result<u64, AppError> {
        let mut sink = match req.format {
            Format::Iso2709 => Sink::Iso(out),
            Format::MarcXml => Sink::Xml(MarcXmlWriter::new(out).map_err(io)?),
            Format::Json => {
                let mut out = out;
                out.write_all(b"[").map_err(io)?;
                Sink::Json { out, first: true }
            }
        };
        let mut filter = req.filter.clone();
        filter.limit = PAGE;
        let mut written = 0u64;
        loop {
            let page = self.db.read(|conn| records::list(conn, &filter))?;
            for stored in &page {
                write_one(&mut sink, stored, req.convert)?;
                written += 1;
            }
            match page.last() {
                Some(last) if page.len() as i64 == PAGE => filter.after = Some(last.id),
                _ => break,
            }
        }
        finish(sink)?;
        Ok(written)
    }
}

fn finish<W: Write>(sink: Sink<W>) -> Result<(), AppError> {
    match sink {
        Sink::Iso(mut w) => w.flush().map_err(io),
        Sink::Xml(x) => x.finish().map_err(io)?.flush().map_err(io),
        Sink::Json { mut out, .. } => {
            out.write_all(b"]\n").map_err(io)?;
            out.flush().map_err(io)
        }
    }
}

fn write_one<W: Write>(
    sink: &mut Sink<W>,
    stored: &StoredRecord,
    convert: Option<Target>,
) -> Result<(), AppError> {
    let mut record = decode_stored(stored)?;
    if let Some(target) = convert {
        record = convert_to(record, target).record;
    }
    match sink {
        // The imported bytes go out unchanged when they are clean UTF-8 and
        // still say what the record says: import then export of a valid
        // UTF-8 record gives the same bytes.
        Sink::Iso(w) => match (&stored.original, convert) {
            (_, Some(_)) => {
                kitap_marc::write_iso2709(&record, &mut *w).map_err(io)?;
            }
            (Some(bytes), None) => {
                let raw = RawRecord {
                    index: 0,
                    offset: 0,
                    bytes: bytes.clone(),
                };
                kitap_marc::write::write_iso2709_preserving(&record, &raw, &mut *w).map_err(io)?;
            }
            (None, None) => w.write_all(&stored.marc).map_err(io)?,
        },
        Sink::Xml(x) => {
            x.write_record(&record).map_err(io)?;
        }
        Sink::Json { out, first } => {
            if !*first {
                out.write_all(b",\n").map_err(io)?;
            }
            *first = false;
            kitap_marc::write_json(&record, &mut *out).map_err(io)?;
        }
    }
    Ok(())
}

fn io(err: std::io::Error) -> AppError {
    AppError::Internal(format!("export: {err}"))
}
