//! MARC 21 <-> RUSMARC conversion of a stored record, on request (exports to
//! partners on the other family; the canonical record is never converted).

use kitap_catalog::convert::{self, Conversion};
use kitap_domain::{RecordId, ValueError};
use kitap_marc::Dialect;

use super::records::{decode_stored, missing};
use crate::{App, AppError, Principal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// UNIMARC as RUSMARC/KazMARC fill it.
    Rusmarc,
    Marc21,
}

impl Target {
    pub fn parse(raw: &str) -> Result<Target, AppError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "rusmarc" | "unimarc" | "kazmarc" => Ok(Target::Rusmarc),
            "marc21" => Ok(Target::Marc21),
            _ => Err(ValueError::new("to", "must be rusmarc or marc21").into()),
        }
    }
}

/// Converts `record` to `target`; a record already there is returned as is.
pub fn convert_to(record: kitap_marc::Record, target: Target) -> Conversion {
    match (target, record.dialect) {
        (Target::Rusmarc, Dialect::Unimarc) | (Target::Marc21, Dialect::Marc21) => Conversion {
            record,
            dropped_tags: Vec::new(),
        },
        (Target::Rusmarc, _) => convert::to_rusmarc(&record),
        (Target::Marc21, _) => convert::to_marc21(&record),
    }
}

impl App {
    pub fn converted_record(
        &self,
        _who: &Principal,
        id: RecordId,
        target: Target,
    ) -> Result<Conversion, AppError> {
        let stored = self
            .db
            .read(|conn| kitap_db::records::find(conn, id))
            .map_err(missing)?;
        Ok(convert_to(decode_stored(&stored)?, target))
    }
}
