//! Copy use cases: add one or many copies of a record to a library, read,
//! list, change. Every write stores an outbox row per copy (the search index
//! shows availability) and an audit row, in the same transaction.

use chrono::NaiveDate;
use kitap_db::branches::{self, Branch};
use kitap_db::copies::{self, CopyFilter, StoredCopy};
use kitap_db::{DbConnection, DbError};
use kitap_domain::{
    AcquisitionSource, Barcode, BranchCode, CopyId, CopyStatus, Money, RecordId, Timestamp,
};
use serde_json::{json, Value};

use super::copy_batch::{announce, clean_text, create, material_type, settable_status, Batch};
use super::records::CATALOGERS;
use crate::audit::record as audit;
use crate::{Actor, App, AppError, Principal};

/// The most copies one request adds.
pub const MAX_COPIES_PER_REQUEST: u32 = 1000;

/// Copies to add to a record. Lists of numbers, when given, name one number
/// per copy; whatever is not given is generated.
#[derive(Debug, Clone, Default)]
pub struct NewCopies {
    /// Library code; the acting library when absent.
    pub library: Option<String>,
    /// How many (default: as many as numbers given, else 1).
    pub count: Option<u32>,
    pub inventory_numbers: Vec<String>,
    pub barcodes: Vec<String>,
    pub location: Option<String>,
    pub shelf: Option<String>,
    pub material_type: Option<String>,
    pub status: Option<String>,
    pub price_minor: Option<i64>,
    pub acquired_on: Option<NaiveDate>,
    pub source: Option<String>,
    pub supplier: Option<String>,
    pub note: Option<String>,
}

/// A partial change: `None` leaves a field as it is; an empty text clears it.
#[derive(Debug, Clone, Default)]
pub struct CopyPatch {
    pub location: Option<String>,
    pub shelf: Option<String>,
    pub material_type: Option<String>,
    pub status: Option<String>,
    pub price_minor: Option<i64>,
    pub note: Option<String>,
}

/// Which copies to list (all filters optional), in creation order.
#[derive(Debug, Clone, Default)]
pub struct CopyQuery {
    pub library: Option<String>,
    pub record_id: Option<RecordId>,
    pub status: Option<String>,
    pub inventory_number: Option<String>,
    pub barcode: Option<String>,
    pub after: Option<CopyId>,
    pub limit: u32,
}

impl App {
    /// Adds copies of a record to a library the staff member may act for.
    pub fn add_copies(
        &self,
        who: &Principal,
        actor: &Actor,
        record: RecordId,
        new: NewCopies,
    ) -> Result<Vec<StoredCopy>, AppError> {
        who.require_role(CATALOGERS)?;
        let batch = Batch::parse(&new)?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let branch = library_for(conn, who, new.library.as_deref())?;
            let created = create(conn, &self.catalog, (record, &branch), &batch, None, now)?;
            for copy in &created {
                audit(
                    conn,
                    actor,
                    "create",
                    ("copy", &copy.id),
                    None,
                    Some(snapshot(copy)),
                )?;
            }
            Ok(created)
        })
    }

    pub fn copy(&self, _who: &Principal, id: CopyId) -> Result<StoredCopy, AppError> {
        self.db
            .read(|conn| copies::find(conn, id).map_err(copy_missing))
    }

    pub fn copy_by_barcode(&self, _who: &Principal, barcode: &str) -> Result<StoredCopy, AppError> {
        let barcode: Barcode = barcode.parse()?;
        self.db
            .read(|conn| copies::find_by_barcode(conn, &barcode).map_err(copy_missing))
    }

    /// A page of copies in creation order.
    pub fn list_copies(
        &self,
        _who: &Principal,
        query: CopyQuery,
    ) -> Result<Vec<StoredCopy>, AppError> {
        let status = query
            .status
            .as_deref()
            .map(str::parse::<CopyStatus>)
            .transpose()?;
        self.db.read(|conn| {
            let branch_id = match &query.library {
                Some(code) => Some(find_library(conn, code)?.id),
                None => None,
            };
            let filter = CopyFilter {
                record_id: query.record_id,
                branch_id,
                status,
                inventory_number: query.inventory_number.clone(),
                barcode: query.barcode.clone(),
                after: query.after,
                limit: i64::from(query.limit.clamp(1, 500)),
                ..CopyFilter::default()
            };
            Ok(copies::list(conn, &filter)?)
        })
    }

    /// Changes where a copy stands, its status, price or note, if nobody
    /// changed it since `version`.
    pub fn update_copy(
        &self,
        who: &Principal,
        actor: &Actor,
        id: CopyId,
        version: i64,
        patch: CopyPatch,
    ) -> Result<StoredCopy, AppError> {
        who.require_role(CATALOGERS)?;
        let status = patch.status.as_deref().map(settable_status).transpose()?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let before = copies::find(conn, id).map_err(copy_missing)?;
            let branch = branches::find(conn, before.branch_id)?;
            who.require_branch(&branch)?;
            if before.version != version {
                return Err(AppError::VersionConflict {
                    current: before.version,
                });
            }
            if before.status == CopyStatus::Withdrawn {
                return Err(withdrawn(&before));
            }
            if status.is_some_and(|s| s != before.status) && before.status == CopyStatus::OnLoan {
                return Err(on_loan(&before));
            }
            if status.is_some_and(|s| s != before.status) && before.status == CopyStatus::InTransit {
                return Err(AppError::conflict(
                    "copy_in_transit",
                    format!(
                        "copy {} is travelling between libraries; receive it where it arrives first",
                        before.inventory_number
                    ),
                ));
            }
            let mut after = before.clone();
            if let Some(location) = &patch.location {
                after.location = clean_text("location", Some(location), 200)?;
            }
            if let Some(shelf) = &patch.shelf {
                after.shelf = clean_text("shelf", Some(shelf), 100)?;
            }
            if let Some(kind) = &patch.material_type {
                after.material_type = material_type(Some(kind))?;
            }
            if let Some(status) = status {
                after.status = status;
            }
            if let Some(price) = patch.price_minor {
                after.price = Some(Money::try_from(price)?);
            }
            if let Some(note) = &patch.note {
                after.note = clean_text("note", Some(note), 2000)?;
            }
            after.version = before.version + 1;
            after.updated_at = now;
            if !copies::update(conn, &after, version)? {
                let current = copies::find(conn, id)?;
                return Err(AppError::VersionConflict {
                    current: current.version,
                });
            }
            announce(conn, now, &[id])?;
            let (b, a) = (snapshot(&before), snapshot(&after));
            audit(conn, actor, "update", ("copy", &id), Some(b), Some(a))?;
            Ok(after)
        })
    }
}

/// The library named by `code`, or the acting one, if the staff member may
/// act for it and it is open.
pub(crate) fn library_for(
    conn: &mut DbConnection,
    who: &Principal,
    code: Option<&str>,
) -> Result<Branch, AppError> {
    let branch = match code {
        Some(code) => find_library(conn, code)?,
        None => who.acting_branch.clone(),
    };
    who.require_branch(&branch)?;
    if !branch.active {
        return Err(AppError::conflict(
            "library_inactive",
            format!("library {} is deactivated", branch.code),
        ));
    }
    Ok(branch)
}

pub(crate) fn find_library(conn: &mut DbConnection, code: &str) -> Result<Branch, AppError> {
    let code: BranchCode = code.parse()?;
    branches::find_by_code(conn, &code).map_err(|err| match err {
        DbError::NotFound => AppError::NotFound { entity: "library" },
        other => other.into(),
    })
}

pub(crate) fn copy_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "copy" },
        other => other.into(),
    }
}

pub(crate) fn on_loan(copy: &StoredCopy) -> AppError {
    AppError::conflict(
        "copy_on_loan",
        format!(
            "copy {} is on loan; it must be returned first",
            copy.inventory_number
        ),
    )
}

pub(crate) fn withdrawn(copy: &StoredCopy) -> AppError {
    AppError::conflict(
        "copy_withdrawn",
        format!(
            "copy {} is written off; its record stays as history",
            copy.inventory_number
        ),
    )
}

pub(crate) fn snapshot(c: &StoredCopy) -> Value {
    json!({
        "record_id": c.record_id.to_string(),
        "branch_id": c.branch_id.to_string(),
        "inventory_number": c.inventory_number.as_str(),
        "barcode": c.barcode.as_str(),
        "location": c.location,
        "shelf": c.shelf,
        "material_type": c.material_type,
        "status": c.status.as_str(),
        "price_minor": c.price.map(Money::minor),
        "acquired_on": c.acquired_on,
        "acquisition_source": c.acquisition_source.map(AcquisitionSource::as_str),
        "supplier": c.supplier,
        "accession_act_id": c.accession_act_id.map(|id| id.to_string()),
        "write_off_act_id": c.write_off_act_id.map(|id| id.to_string()),
        "kazakh": c.kazakh,
        "note": c.note,
        "version": c.version,
    })
}
