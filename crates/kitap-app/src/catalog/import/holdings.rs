//! Copies described inside imported records (IRBIS 910), turned into
//! Kitap copies of the library they belong to.
//!
//! Rules (what a union-catalog import of IRBIS data needs):
//! - copies are created only with a record that is new to the catalog; a
//!   skipped or overlaid record keeps the copies Kitap already manages;
//! - ^d names the library when it is one of our library codes ("F07"),
//!   otherwise it is the shelf/department and the copy goes to the import's
//!   library (or the central library);
//! - a written-off copy (^a 6) is not imported: it would need a write-off act;
//! - an unknown status code imports as available.

use chrono::NaiveDate;
use kitap_catalog::{copies_from_910, CopyStatusHint};
use kitap_db::branches::Branch;
use kitap_domain::{BranchId, CopyStatus};
use kitap_marc::Record;

use crate::catalog::imported_copies::ImportedCopy;

/// The copies of one record, grouped by library, and what could not be read.
#[derive(Debug, Default)]
pub struct RecordCopies {
    pub by_library: Vec<(BranchId, Vec<ImportedCopy>)>,
    pub problems: Vec<String>,
}

pub fn copies_of(record: &Record, libraries: &[Branch], default: BranchId) -> RecordCopies {
    let mut out = RecordCopies::default();
    for spec in copies_from_910(record) {
        let spec = match spec {
            Ok(spec) => spec,
            Err(err) => {
                out.problems.push(err.to_string());
                continue;
            }
        };
        let status = match spec.status {
            CopyStatusHint::Withdrawn => {
                out.problems.push(format!(
                    "910 copy {} is written off in the source; not imported",
                    spec.inventory_number.as_deref().unwrap_or("(no number)")
                ));
                continue;
            }
            hint => status_of(hint),
        };
        let place = spec
            .location
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        let library = place.and_then(|p| {
            libraries
                .iter()
                .find(|b| b.code.as_str().eq_ignore_ascii_case(p))
                .map(|b| b.id)
        });
        let copy = ImportedCopy {
            inventory_number: spec.inventory_number.clone(),
            barcode: spec.barcode.clone(),
            location: if library.is_some() {
                None
            } else {
                place.map(str::to_owned)
            },
            price_minor: spec.price_minor,
            status,
            acquired_on: spec.acquisition_date.and_then(|d| {
                NaiveDate::from_ymd_opt(d.year, u32::from(d.month), u32::from(d.day))
            }),
        };
        let library = library.unwrap_or(default);
        match out.by_library.iter_mut().find(|(id, _)| *id == library) {
            Some((_, list)) => list.push(copy),
            None => out.by_library.push((library, vec![copy])),
        }
    }
    out
}

fn status_of(hint: CopyStatusHint) -> CopyStatus {
    match hint {
        CopyStatusHint::OnLoan => CopyStatus::OnLoan,
        CopyStatusHint::Lost => CopyStatus::Lost,
        CopyStatusHint::InRepair => CopyStatus::InRepair,
        CopyStatusHint::Missing => CopyStatus::Missing,
        CopyStatusHint::ReadingRoomOnly => CopyStatus::ReadingRoomOnly,
        CopyStatusHint::InTransit => CopyStatus::InTransit,
        CopyStatusHint::Available | CopyStatusHint::Withdrawn | CopyStatusHint::Unknown => {
            CopyStatus::Available
        }
    }
}
