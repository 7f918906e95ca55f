//! Record use cases: create, read, update with a version check, delete or
//! withdraw, list. Each write stores the canonical MARC, its keys, an outbox
//! row for the search index and an audit row, in one transaction.

use kitap_catalog::validate::Issue;
use kitap_catalog::BibView;
use kitap_db::match_keys;
use kitap_db::outbox::{self, Change};
use kitap_db::records::{self, RecordFilter, StoredRecord};
use kitap_db::{DbConnection, DbError};
use kitap_domain::{RecordId, RecordStatus, Role, Timestamp};
use kitap_marc::{Encoding, Record};
use serde_json::{json, Value};

use super::prepare::{prepare, Prepared, Rejected};
use crate::audit::record as audit;
use crate::dedup::{self, Duplicate};
use crate::{Actor, App, AppError, Principal};

/// Who may change the catalog.
pub(crate) const CATALOGERS: &[Role] = &[Role::Admin, Role::Cataloger];

/// A record as the API shows it: stored row, decoded MARC and its view.
#[derive(Debug, Clone)]
pub struct RecordDetails {
    pub stored: StoredRecord,
    pub record: Record,
    pub view: BibView,
    pub warnings: Vec<Issue>,
    pub copies: i64,
}

/// A record just saved and its likely duplicates (best first).
#[derive(Debug, Clone)]
pub struct SavedRecord {
    pub details: RecordDetails,
    pub duplicates: Vec<Duplicate>,
}

/// What DELETE did: a record whose copies were all written off is kept,
/// withdrawn, so the copies' history still points somewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Removal {
    Deleted,
    Withdrawn,
}

impl App {
    /// Stores a new record with its keys. Its likely duplicates come back
    /// with it; a probable one refuses the save (`probable_duplicate`, nothing
    /// stored) unless the cataloger confirmed (`confirm_duplicate`), which is
    /// audited.
    pub fn create_record(
        &self,
        who: &Principal,
        actor: &Actor,
        record: Record,
        confirm_duplicate: bool,
    ) -> Result<SavedRecord, AppError> {
        who.require_role(CATALOGERS)?;
        let prepared = prepare(record, &self.area_rules).map_err(invalid)?;
        let now = Timestamp::now();
        let stored = StoredRecord {
            id: RecordId::new(),
            version: 1,
            status: RecordStatus::Active,
            marc: prepared.marc.clone(),
            original: None,
            source_encoding: Encoding::Utf8.name().to_owned(),
            derived: prepared.derived.clone(),
            import_id: None,
            created_by: actor.staff_id,
            updated_by: actor.staff_id,
            created_at: now,
            updated_at: now,
        };
        let keys = dedup::keys_row(stored.id, &prepared.match_keys)?;
        let duplicates = self.db.write(|conn| {
            let duplicates = dedup::find_duplicates(conn, &self.dedup, &prepared.match_keys, None)?;
            refuse_unconfirmed(&duplicates, confirm_duplicate)?;
            records::insert_many(conn, &[(stored.clone(), prepared.keys.clone())])?;
            match_keys::insert_many(conn, std::slice::from_ref(&keys))?;
            announce(conn, now, &stored.id, "upsert")?;
            audit(
                conn,
                actor,
                "create",
                ("record", &stored.id),
                None,
                Some(snapshot(&stored, &prepared)),
            )?;
            audit_confirmed(conn, actor, stored.id, &duplicates)?;
            Ok::<_, AppError>(duplicates)
        })?;
        Ok(SavedRecord {
            details: details(stored, prepared, 0),
            duplicates,
        })
    }

    /// Any staff member reads the catalog; the principal proves they are one.
    pub fn record(&self, _who: &Principal, id: RecordId) -> Result<RecordDetails, AppError> {
        let (stored, copies) = self.db.read(|conn| {
            let stored = records::find(conn, id).map_err(missing)?;
            let copies = records::count_copies(conn, id)?;
            Ok::<_, AppError>((stored, copies))
        })?;
        // Reading describes what is stored; it neither re-encodes the record
        // nor refuses it (rules may have tightened since it was saved), so
        // errors and warnings alike come back as issues.
        let record = decode_stored(&stored)?;
        let warnings = kitap_catalog::validate::validate(&record);
        let view = BibView::from_record(&record);
        Ok(RecordDetails {
            stored,
            record,
            view,
            warnings,
            copies,
        })
    }

    /// Replaces the record's MARC if nobody changed it since `version`. The
    /// duplicate check is the one of [`App::create_record`] (the record
    /// itself and pairs rejected with it left out).
    pub fn update_record(
        &self,
        who: &Principal,
        actor: &Actor,
        id: RecordId,
        version: i64,
        record: Record,
        confirm_duplicate: bool,
    ) -> Result<SavedRecord, AppError> {
        who.require_role(CATALOGERS)?;
        let prepared = prepare(record, &self.area_rules).map_err(invalid)?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let before = records::find(conn, id).map_err(missing)?;
            if before.version != version {
                return Err(version_conflict(before.version));
            }
            let duplicates =
                dedup::find_duplicates(conn, &self.dedup, &prepared.match_keys, Some(id))?;
            refuse_unconfirmed(&duplicates, confirm_duplicate)?;
            let after = StoredRecord {
                version: before.version + 1,
                marc: prepared.marc.clone(),
                // The imported bytes no longer describe this record.
                original: None,
                source_encoding: Encoding::Utf8.name().to_owned(),
                derived: prepared.derived.clone(),
                updated_by: actor.staff_id,
                updated_at: now,
                ..before.clone()
            };
            if !records::update(conn, &after, version, &prepared.keys)? {
                let current = records::find(conn, id)?;
                return Err(version_conflict(current.version));
            }
            match_keys::replace_many(conn, &[dedup::keys_row(id, &prepared.match_keys)?])?;
            // A record's language can change; its copies carry the flag.
            kitap_db::copies::set_kazakh_for_record(conn, id, after.derived.kazakh)?;
            announce(conn, now, &id, "upsert")?;
            audit(
                conn,
                actor,
                "update",
                ("record", &id),
                Some(summary(&before)),
                Some(snapshot(&after, &prepared)),
            )?;
            audit_confirmed(conn, actor, id, &duplicates)?;
            let copies = records::count_copies(conn, id)?;
            Ok(SavedRecord {
                details: details(after, prepared, copies),
                duplicates,
            })
        })
    }

    /// Deletes a record without copies; withdraws one whose copies are all
    /// written off; refuses one that still has copies in the fund.
    pub fn delete_record(
        &self,
        who: &Principal,
        actor: &Actor,
        id: RecordId,
        version: Option<i64>,
    ) -> Result<Removal, AppError> {
        who.require_role(CATALOGERS)?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let before = records::find(conn, id).map_err(missing)?;
            if version.is_some_and(|v| v != before.version) {
                return Err(version_conflict(before.version));
            }
            let held = kitap_db::copies::count_in_fund(conn, id)?;
            if held > 0 {
                return Err(AppError::conflict(
                    "record_has_copies",
                    format!(
                        "the record has {held} copies in the fund; write them off before deleting it"
                    ),
                ));
            }
            let removal = if records::count_copies(conn, id)? > 0 {
                records::set_status(conn, id, RecordStatus::Withdrawn, actor.staff_id, now)?;
                announce(conn, now, &id, "upsert")?;
                Removal::Withdrawn
            } else {
                records::delete(conn, id)?;
                announce(conn, now, &id, "delete")?;
                Removal::Deleted
            };
            let action = match removal {
                Removal::Deleted => "delete",
                Removal::Withdrawn => "withdraw",
            };
            audit(
                conn,
                actor,
                action,
                ("record", &id),
                Some(summary(&before)),
                None,
            )?;
            Ok(removal)
        })
    }

    /// A page of records in creation order (no MARC decoding).
    pub fn list_records(
        &self,
        _who: &Principal,
        mut filter: RecordFilter,
    ) -> Result<Vec<StoredRecord>, AppError> {
        filter.limit = filter.limit.clamp(1, 500);
        Ok(self.db.read(|conn| records::list(conn, &filter))?)
    }
}

/// Stored MARC is UTF-8 ISO 2709 written by us; failing to read it back is
/// corruption, not a client error.
pub(crate) fn decode_stored(stored: &StoredRecord) -> Result<Record, AppError> {
    kitap_marc::parse_view(&stored.marc)
        .map(|view| view.into_record(Some(Encoding::Utf8)))
        .map_err(|e| AppError::Internal(format!("stored record {} unreadable: {e}", stored.id)))
}

pub(crate) fn announce(
    conn: &mut DbConnection,
    at: Timestamp,
    id: &RecordId,
    op: &'static str,
) -> Result<(), DbError> {
    let id = id.to_string();
    outbox::push_many(
        conn,
        at,
        &[Change {
            entity_type: "record",
            entity_id: &id,
            op,
        }],
    )
}

fn details(stored: StoredRecord, prepared: Prepared, copies: i64) -> RecordDetails {
    RecordDetails {
        stored,
        record: prepared.record,
        view: prepared.view,
        warnings: prepared.warnings,
        copies,
    }
}

pub(crate) fn summary(r: &StoredRecord) -> Value {
    json!({
        "version": r.version,
        "status": r.status.as_str(),
        "title": r.derived.title,
        "main_author": r.derived.main_author,
        "year": r.derived.year,
    })
}

fn snapshot(r: &StoredRecord, p: &Prepared) -> Value {
    let mut v = summary(r);
    v["marc"] = kitap_marc::json::record_to_json(&p.record);
    v
}

/// A probable duplicate needs the cataloger's confirmation.
fn refuse_unconfirmed(duplicates: &[Duplicate], confirmed: bool) -> Result<(), AppError> {
    if confirmed || !duplicates.iter().any(Duplicate::is_probable) {
        return Ok(());
    }
    Err(AppError::ProbableDuplicate {
        candidates: dedup::probable(duplicates),
    })
}

/// Saving over a probable duplicate is the cataloger's decision: audited
/// with the candidates as they were scored.
fn audit_confirmed(
    conn: &mut DbConnection,
    actor: &Actor,
    id: RecordId,
    duplicates: &[Duplicate],
) -> Result<(), AppError> {
    let confirmed = dedup::probable(duplicates);
    if confirmed.is_empty() {
        return Ok(());
    }
    audit(
        conn,
        actor,
        "confirm_duplicate",
        ("record", &id),
        None,
        Some(json!({ "probable_duplicates": confirmed })),
    )?;
    Ok(())
}

pub(crate) fn invalid(rejected: Rejected) -> AppError {
    AppError::InvalidRecord {
        code: "record_invalid",
        message: format!("the record has errors: {}", rejected.summary()),
        issues: rejected.issues,
    }
}

fn version_conflict(current: i64) -> AppError {
    AppError::VersionConflict { current }
}

pub(crate) fn missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "record" },
        other => other.into(),
    }
}
