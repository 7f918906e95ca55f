//! Copies to create: what one request gives them, validated, and how they
//! are stored (numbers, Kazakh flag from the record, outbox rows).

use chrono::NaiveDate;
use kitap_db::branches::Branch;
use kitap_db::copies::{self, StoredCopy};
use kitap_db::outbox::{self, Change};
use kitap_db::{DbConnection, DbError};
use kitap_domain::{
    AccessionActId, AcquisitionSource, Barcode, CopyId, CopyStatus, InventoryNumber, Money,
    RecordId, RecordStatus, Timestamp, ValueError,
};

use super::copies::{NewCopies, MAX_COPIES_PER_REQUEST};
use super::copy_numbers::{self, Wanted};
use crate::config::CatalogConfig;
use crate::AppError;

/// What every copy of one request shares, validated.
#[derive(Debug, Clone)]
pub(crate) struct Template {
    pub location: Option<String>,
    pub shelf: Option<String>,
    pub material_type: String,
    pub status: CopyStatus,
    pub price: Option<Money>,
    pub acquired_on: Option<NaiveDate>,
    pub source: Option<AcquisitionSource>,
    pub supplier: Option<String>,
    pub note: Option<String>,
}

/// Copies to create: the shared template and what each one was given.
#[derive(Debug, Clone)]
pub(crate) struct Batch {
    pub template: Template,
    pub wanted: Vec<Wanted>,
}

impl Batch {
    pub(crate) fn parse(new: &NewCopies) -> Result<Batch, AppError> {
        let given = new.inventory_numbers.len().max(new.barcodes.len());
        let count = match new.count {
            Some(n) => n as usize,
            None => given.max(1),
        };
        if count == 0 || count > MAX_COPIES_PER_REQUEST as usize {
            let message = format!("must be 1 to {MAX_COPIES_PER_REQUEST}");
            return Err(ValueError::new("count", message).into());
        }
        for (field, len) in [
            ("inventory_numbers", new.inventory_numbers.len()),
            ("barcodes", new.barcodes.len()),
        ] {
            if len != 0 && len != count {
                let message = format!("lists one value per copy: {len} given for {count} copies");
                return Err(ValueError::new(field, message).into());
            }
        }
        let mut wanted = vec![Wanted::default(); count];
        for (w, raw) in wanted.iter_mut().zip(&new.inventory_numbers) {
            w.inventory_number = Some(raw.parse::<InventoryNumber>()?);
        }
        for (w, raw) in wanted.iter_mut().zip(&new.barcodes) {
            w.barcode = Some(raw.parse::<Barcode>()?);
        }
        let template = Template {
            location: clean_text("location", new.location.as_deref(), 200)?,
            shelf: clean_text("shelf", new.shelf.as_deref(), 100)?,
            material_type: material_type(new.material_type.as_deref())?,
            status: settable_status(new.status.as_deref().unwrap_or("available"))?,
            price: new.price_minor.map(Money::try_from).transpose()?,
            acquired_on: new.acquired_on,
            source: new.source.as_deref().map(str::parse).transpose()?,
            supplier: clean_text("supplier", new.supplier.as_deref(), 200)?,
            note: clean_text("note", new.note.as_deref(), 2000)?,
        };
        Ok(Batch { template, wanted })
    }
}

/// Creates the copies of `batch` for a record in a library (optionally on an
/// accession act): numbers, Kazakh flag from the record, outbox rows. No audit.
pub(crate) fn create(
    conn: &mut DbConnection,
    config: &CatalogConfig,
    (record, branch): (RecordId, &Branch),
    batch: &Batch,
    accession: Option<AccessionActId>,
    now: Timestamp,
) -> Result<Vec<StoredCopy>, AppError> {
    let (kazakh, status) = copies::record_facts(conn, record).map_err(|err| match err {
        DbError::NotFound => AppError::NotFound { entity: "record" },
        other => other.into(),
    })?;
    if status == RecordStatus::Withdrawn {
        return Err(AppError::conflict(
            "record_withdrawn",
            "the record is withdrawn; new copies need an active record",
        ));
    }
    let numbers = copy_numbers::assign(conn, config, branch, &batch.wanted)?;
    let t = &batch.template;
    let created: Vec<StoredCopy> = numbers
        .into_iter()
        .map(|(inventory_number, barcode)| StoredCopy {
            id: CopyId::new(),
            record_id: record,
            branch_id: branch.id,
            inventory_number,
            barcode,
            location: t.location.clone(),
            shelf: t.shelf.clone(),
            material_type: t.material_type.clone(),
            status: t.status,
            price: t.price,
            acquired_on: t.acquired_on,
            acquisition_source: t.source,
            supplier: t.supplier.clone(),
            accession_act_id: accession,
            write_off_act_id: None,
            kazakh,
            note: t.note.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        })
        .collect();
    copies::insert_many(conn, &created).map_err(duplicate)?;
    let ids: Vec<CopyId> = created.iter().map(|c| c.id).collect();
    announce(conn, now, &ids)?;
    Ok(created)
}

/// A concurrent request took a number between our check and our insert.
pub(crate) fn duplicate(err: DbError) -> AppError {
    if err.violates("inventory_number") {
        return AppError::conflict(
            "inventory_number_taken",
            "one of the inventory numbers was just given to another copy",
        );
    }
    if err.violates("barcode") {
        return AppError::conflict(
            "barcode_taken",
            "one of the barcodes was just given to another copy",
        );
    }
    err.into()
}

pub(crate) fn announce(
    conn: &mut DbConnection,
    at: Timestamp,
    ids: &[CopyId],
) -> Result<(), DbError> {
    let texts: Vec<String> = ids.iter().map(ToString::to_string).collect();
    let changes: Vec<Change> = texts
        .iter()
        .map(|id| Change {
            entity_type: "copy",
            entity_id: id,
            op: "upsert",
        })
        .collect();
    outbox::push_many(conn, at, &changes)
}

/// Loans set `on_loan` and write-off acts set `withdrawn`; nothing else may.
pub(crate) fn settable_status(raw: &str) -> Result<CopyStatus, ValueError> {
    let status: CopyStatus = raw.parse()?;
    if status.set_by_hand() {
        return Ok(status);
    }
    Err(ValueError::new(
        "status",
        "on_loan is set by loans, in_transit by dispatching a copy (POST /transfers/dispatch) and withdrawn by write-off acts",
    ))
}

pub(crate) fn material_type(raw: Option<&str>) -> Result<String, ValueError> {
    let kind = raw.unwrap_or("book").trim();
    if kind.is_empty() || kind.chars().count() > 40 || kind.chars().any(char::is_control) {
        return Err(ValueError::new(
            "material_type",
            "must be 1 to 40 characters",
        ));
    }
    Ok(kind.to_owned())
}

/// Trimmed; empty means none. Notes may have line breaks, nothing else may.
pub(crate) fn clean_text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, ValueError> {
    let text = raw.unwrap_or_default().trim();
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(ValueError::new(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    let allowed = |c: char| !c.is_control() || (field == "note" && (c == '\n' || c == '\r'));
    if !text.chars().all(allowed) {
        return Err(ValueError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(Some(text.to_owned()))
}
