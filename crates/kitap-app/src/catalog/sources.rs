//! Reading the source versions kept beside a record (merged records' MARC,
//! imports' incoming MARC). Any staff member may read them, like the record.

use kitap_db::record_sources::{self, RecordSource, SourceSummary};
use kitap_db::{records, DbError};
use kitap_domain::{RecordId, RecordSourceId};

use super::records::missing;
use crate::{App, AppError, Principal};

impl App {
    /// The record's source versions, oldest first (404 when the record is gone).
    pub fn record_sources(
        &self,
        _who: &Principal,
        id: RecordId,
    ) -> Result<Vec<SourceSummary>, AppError> {
        self.db.read(|conn| {
            records::find(conn, id).map_err(missing)?;
            Ok(record_sources::list(conn, id)?)
        })
    }

    /// One source version of the record, with its bytes.
    pub fn record_source(
        &self,
        _who: &Principal,
        id: RecordId,
        source: RecordSourceId,
    ) -> Result<RecordSource, AppError> {
        self.db.read(|conn| {
            records::find(conn, id).map_err(missing)?;
            record_sources::get(conn, id, source).map_err(|err| match err {
                DbError::NotFound => AppError::NotFound {
                    entity: "record source",
                },
                other => other.into(),
            })
        })
    }
}

/// The shapes a source version can be read in besides its own bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceView {
    Json,
    MarcXml,
}

/// The source version decoded and written as `view`. ISO 2709 bytes are read
/// with encoding detection (an import's original may be CP1251 or MARC-8).
pub fn source_as(source: &RecordSource, view: SourceView) -> Result<Vec<u8>, AppError> {
    let record = decode_source(source)?;
    match view {
        SourceView::Json => serde_json::to_vec(&kitap_marc::json::record_to_json(&record))
            .map_err(|e| AppError::Internal(e.to_string())),
        SourceView::MarcXml => {
            let mut out = Vec::new();
            kitap_marc::write_marcxml(std::iter::once(&record), &mut out)
                .map_err(|e| AppError::Internal(e.to_string()))?;
            Ok(out)
        }
    }
}

fn decode_source(source: &RecordSource) -> Result<kitap_marc::Record, AppError> {
    let unreadable = |e: String| {
        AppError::conflict(
            "record_source_unreadable",
            format!("this source version cannot be decoded ({e}); read it as stored"),
        )
    };
    match source.format.as_str() {
        "iso2709" => kitap_marc::parse_view(&source.marc)
            .map(|view| view.into_record(None))
            .map_err(|e| unreadable(e.to_string())),
        "json" => {
            let value: serde_json::Value =
                serde_json::from_slice(&source.marc).map_err(|e| unreadable(e.to_string()))?;
            kitap_marc::json::record_from_json(&value).map_err(unreadable)
        }
        "marcxml" => kitap_marc::MarcXmlReader::new(source.marc.as_slice())
            .next()
            .ok_or_else(|| unreadable("no record in it".to_owned()))?
            .map_err(|e| unreadable(e.to_string())),
        other => Err(AppError::Internal(format!(
            "record source {} has format {other:?}",
            source.id
        ))),
    }
}
