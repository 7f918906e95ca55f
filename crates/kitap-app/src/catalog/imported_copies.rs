//! Copies that arrive inside imported records (IRBIS field 910: ^b inventory
//! number, ^h barcode, ^d place, ^e price, ^a status, ^c date). The importer
//! calls this inside its own batch transaction.

use chrono::NaiveDate;
use kitap_db::branches;
use kitap_db::copies::{self, StoredCopy};
use kitap_db::{DbConnection, DbError};
use kitap_domain::{
    Barcode, BranchId, CopyId, CopyStatus, InventoryNumber, Money, RecordId, Timestamp, ValueError,
};

use super::copy_batch::{announce, clean_text};
use super::copy_numbers::{self, Wanted};
use crate::{App, AppError};

/// One copy as an imported record describes it; missing numbers are generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImportedCopy {
    pub inventory_number: Option<String>,
    pub barcode: Option<String>,
    pub location: Option<String>,
    pub price_minor: Option<i64>,
    /// Anything but `withdrawn`: a written-off copy needs a write-off act,
    /// which an import does not have (skip such copies, or import them as
    /// `missing` and write them off with an act).
    pub status: CopyStatus,
    pub acquired_on: Option<NaiveDate>,
}

impl App {
    /// Creates the copies of one imported record in `branch`, with the
    /// record's Kazakh-language flag, and their outbox rows (the import job
    /// is audited as a whole, not per copy). Returns how many were created.
    ///
    /// A bad value (`Validation`) or a taken or repeated inventory number or
    /// barcode (`Conflict`: `inventory_number_taken`, `barcode_taken`) is
    /// found by reading only, before anything is written, so the caller's
    /// transaction stays usable and it can reject this record and go on.
    /// `Busy` means a concurrent writer won a race for a number: retry the batch.
    pub(crate) fn insert_imported_copies(
        &self,
        conn: &mut DbConnection,
        record: RecordId,
        branch: BranchId,
        kazakh: bool,
        specs: &[ImportedCopy],
    ) -> Result<usize, AppError> {
        if specs.is_empty() {
            return Ok(0);
        }
        let mut wanted = Vec::with_capacity(specs.len());
        let mut details = Vec::with_capacity(specs.len());
        for spec in specs {
            if spec.status == CopyStatus::Withdrawn {
                return Err(ValueError::new(
                    "status",
                    "a written-off copy cannot be imported: it needs a write-off act",
                )
                .into());
            }
            wanted.push(Wanted {
                inventory_number: given::<InventoryNumber>(spec.inventory_number.as_deref())?,
                barcode: given::<Barcode>(spec.barcode.as_deref())?,
            });
            let location = clean_text("location", spec.location.as_deref(), 200)?;
            let price = spec.price_minor.map(Money::try_from).transpose()?;
            details.push((location, price));
        }
        let branch = branches::find(conn, branch).map_err(|err| match err {
            DbError::NotFound => AppError::NotFound { entity: "library" },
            other => other.into(),
        })?;
        let numbers = copy_numbers::assign(conn, &self.catalog, &branch, &wanted)?;
        let now = Timestamp::now();
        let created: Vec<StoredCopy> = numbers
            .into_iter()
            .zip(specs.iter().zip(details))
            .map(
                |((inventory_number, barcode), (spec, (location, price)))| StoredCopy {
                    id: CopyId::new(),
                    record_id: record,
                    branch_id: branch.id,
                    inventory_number,
                    barcode,
                    location,
                    shelf: None,
                    material_type: "book".to_owned(),
                    status: spec.status,
                    price,
                    acquired_on: spec.acquired_on,
                    acquisition_source: None,
                    supplier: None,
                    accession_act_id: None,
                    write_off_act_id: None,
                    kazakh,
                    note: None,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
            )
            .collect();
        copies::insert_many(conn, &created).map_err(|err| match err {
            // Another transaction took a number between our check and this
            // INSERT. The failed statement has aborted the caller's
            // transaction (on PostgreSQL), so this is no per-record problem
            // the importer could skip: the whole batch must be tried again.
            DbError::UniqueViolation(_) => AppError::Busy,
            other => other.into(),
        })?;
        let ids: Vec<CopyId> = created.iter().map(|c| c.id).collect();
        announce(conn, now, &ids)?;
        Ok(created.len())
    }
}

/// Blank subfields count as absent.
fn given<T: std::str::FromStr<Err = ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, ValueError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(text) => text.parse().map(Some),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use kitap_db::copies::CopyFilter;
    use kitap_db::records::{self, Derived, StoredRecord};
    use kitap_db::{Db, DbUrl};
    use kitap_domain::{BranchCode, RecordStatus};

    use super::*;
    use crate::config::AuthConfig;

    fn app() -> (App, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = DbUrl::parse(&format!("sqlite://{}", dir.path().join("k.db").display())).unwrap();
        let db = Db::connect(&url, 2).unwrap();
        db.migrate().unwrap();
        let app = App::new(db, &AuthConfig::default()).unwrap();
        app.seed_branches().unwrap();
        (app, dir)
    }

    fn stored_record(app: &App) -> RecordId {
        let now = Timestamp::now();
        let record = StoredRecord {
            id: RecordId::new(),
            version: 1,
            status: RecordStatus::Active,
            marc: b"not decoded here".to_vec(),
            original: None,
            source_encoding: "utf-8".to_owned(),
            derived: Derived {
                dialect: "unimarc".to_owned(),
                record_type: "a".to_owned(),
                title: "Абай жолы".to_owned(),
                kazakh: true,
                ..Derived::default()
            },
            import_id: None,
            created_by: None,
            updated_by: None,
            created_at: now,
            updated_at: now,
        };
        app.db
            .write(|c| records::insert_many(c, &[(record.clone(), Vec::new())]))
            .unwrap();
        record.id
    }

    fn spec(inventory: Option<&str>, barcode: Option<&str>) -> ImportedCopy {
        ImportedCopy {
            inventory_number: inventory.map(str::to_owned),
            barcode: barcode.map(str::to_owned),
            location: Some(" ЧЗ ".to_owned()),
            price_minor: Some(50000),
            status: CopyStatus::Available,
            acquired_on: NaiveDate::from_ymd_opt(2019, 3, 1),
        }
    }

    #[test]
    fn imported_copies_are_created_with_what_is_missing_generated() {
        let (app, _dir) = app();
        let record = stored_record(&app);
        let f07 = app
            .db
            .read(|c| branches::find_by_code(c, &"F07".parse::<BranchCode>().unwrap()))
            .unwrap();
        let lost = ImportedCopy {
            status: CopyStatus::Lost,
            ..spec(Some(" "), None)
        };
        let specs = [spec(Some("1001"), Some("B-1")), lost];
        let made = app
            .db
            .write(|c| app.insert_imported_copies(c, record, f07.id, true, &specs))
            .unwrap();
        assert_eq!(made, 2);
        let filter = CopyFilter {
            record_id: Some(record),
            limit: 10,
            ..CopyFilter::default()
        };
        let stored = app.db.read(|c| copies::list(c, &filter)).unwrap();
        assert_eq!(stored[0].inventory_number.as_str(), "1001");
        assert_eq!(stored[0].location.as_deref(), Some("ЧЗ"));
        assert_eq!(stored[0].price.map(Money::minor), Some(50000));
        assert_eq!(stored[1].inventory_number.as_str(), "F07-000001");
        assert!(stored[1].barcode.is_valid_ean13());
        assert_eq!(stored[1].status, CopyStatus::Lost);
        assert!(stored.iter().all(|c| c.kazakh && c.branch_id == f07.id));
    }

    #[test]
    fn duplicates_are_refused_before_anything_is_written() {
        let (app, _dir) = app();
        let record = stored_record(&app);
        let branch = app
            .db
            .read(|c| branches::find_by_code(c, &"F01".parse::<BranchCode>().unwrap()))
            .unwrap();
        let first = [spec(Some("1001"), Some("B-1"))];
        app.db
            .write(|c| app.insert_imported_copies(c, record, branch.id, false, &first))
            .unwrap();
        app.db
            .write(|c| {
                let taken = app.insert_imported_copies(
                    c,
                    record,
                    branch.id,
                    false,
                    &[spec(Some("1001"), None)],
                );
                assert_eq!(taken.unwrap_err().code(), "inventory_number_taken");
                let twice = [spec(None, Some("B-9")), spec(None, Some("B-9"))];
                let repeated = app.insert_imported_copies(c, record, branch.id, false, &twice);
                assert_eq!(repeated.unwrap_err().code(), "barcode_taken");
                let gone = ImportedCopy {
                    status: CopyStatus::Withdrawn,
                    ..spec(None, None)
                };
                let refused = app.insert_imported_copies(c, record, branch.id, false, &[gone]);
                assert_eq!(refused.unwrap_err().code(), "validation_failed");
                // The transaction goes on: the importer rejects one record, not its batch.
                app.insert_imported_copies(c, record, branch.id, false, &[spec(Some("1002"), None)])
            })
            .unwrap();
        let filter = CopyFilter {
            record_id: Some(record),
            limit: 10,
            ..CopyFilter::default()
        };
        assert_eq!(app.db.read(|c| copies::list(c, &filter)).unwrap().len(), 2);
    }
}
