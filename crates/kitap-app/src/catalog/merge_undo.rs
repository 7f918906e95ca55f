//! Undoing a merge within `[dedup] merge_undo_hours`, and listing merges.
//!
//! Undo restores the merged record from the merge's snapshot (its row) and
//! its kept source version (its MARC), under its old id, and moves back
//! exactly what the merge moved and is still on the survivor: the copies
//! (with their circulation events), the holds, the source versions and the
//! redirects it re-pointed; an open hold and the copy trapped for it since
//! stay together on the survivor when only one of them came with the merge.
//! Waiting holds it cancelled as duplicates are
//! reopened if nothing touched them since. A merge whose survivor has since
//! been merged away (or deleted) cannot be undone: undo the later merge first.

use kitap_catalog::BibView;
use kitap_db::merges::{self, StoredMerge};
use kitap_db::record_sources;
use kitap_db::records::{self, StoredRecord};
use kitap_db::{savepoint, DbConnection, DbError};
use kitap_domain::{CopyId, HoldId, HoldStatus, MergeId, RecordId, RecordStatus, Timestamp};
use serde_json::json;

use super::merge::{unhex, MergeView, Moved, Snapshot};
use super::records::{announce, decode_stored, CATALOGERS};
use crate::audit::record as audit;
use crate::{Actor, App, AppError, Principal};

/// Which merges to list: newest first, optionally those of one record.
#[derive(Debug, Clone, Default)]
pub struct MergeQuery {
    /// Merges where this record survived or was merged.
    pub record: Option<RecordId>,
    /// Cursor: merges older than this one.
    pub before: Option<MergeId>,
    pub limit: i64,
}

impl App {
    /// Undoes a merge (catalogers): the merge, now undone, and what moved back.
    pub fn undo_merge(
        &self,
        who: &Principal,
        actor: &Actor,
        id: MergeId,
    ) -> Result<(MergeView, Moved), AppError> {
        who.require_role(CATALOGERS)?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let merge = merges::find_for_update(conn, id).map_err(merge_missing)?;
            if merge.undone_at.is_some() {
                return Err(AppError::conflict(
                    "merge_already_undone",
                    "this merge was already undone",
                ));
            }
            let until = self.undo_until(merge.merged_at);
            if now >= until {
                return Err(AppError::conflict(
                    "merge_undo_expired",
                    format!(
                        "a merge can be undone for {} hours; this one's time ran out at {until}",
                        self.merge_undo_hours
                    ),
                ));
            }
            let (survivor, merged) = (merge.survivor_id, merge.merged_id);
            let on_survivor = merges::lock_copies_of(conn, survivor)?;
            if merges::lock_records(conn, &[survivor, merged])? != [survivor] {
                return Err(survivor_gone(conn, &merge)?);
            }
            let snapshot: Snapshot = serde_json::from_str(&merge.snapshot)
                .map_err(|e| AppError::Internal(format!("merge {id} snapshot: {e}")))?;
            restore_record(conn, (&merge, &snapshot), &self.area_rules, now)?;
            let (copies, holds) = going_back(conn, survivor, &snapshot, &on_survivor)?;
            let moved_back = move_back(conn, &merge, &snapshot, (&copies, &holds), now)?;
            if !merges::mark_undone(conn, id, now, actor.staff_id)? {
                return Err(AppError::conflict(
                    "merge_already_undone",
                    "this merge was already undone",
                ));
            }
            announce(conn, now, &merged, "upsert")?;
            announce(conn, now, &survivor, "upsert")?;
            super::announce(conn, now, &copies)?;
            audit(
                conn,
                actor,
                "undo_merge",
                ("record_merge", &id),
                Some(json!({"survivor_id": survivor.to_string(), "merged_id": merged.to_string()})),
                Some(json!({"moved_back": moved_back})),
            )?;
            let merge = merges::find(conn, id)?;
            Ok((view(self, merge)?, moved_back))
        })
    }

    /// One merge (any staff member).
    pub fn merge(&self, _who: &Principal, id: MergeId) -> Result<MergeView, AppError> {
        let merge = self
            .db
            .read(|conn| merges::find(conn, id))
            .map_err(merge_missing)?;
        view(self, merge)
    }

    /// Merges, newest first (any staff member).
    pub fn merges(&self, _who: &Principal, q: MergeQuery) -> Result<Vec<MergeView>, AppError> {
        let limit = q.limit.clamp(1, 500);
        let found = self
            .db
            .read(|conn| merges::list(conn, q.record, q.before, limit))?;
        found.into_iter().map(|m| view(self, m)).collect()
    }

    /// The live record an old (merged) record id now is.
    pub fn record_redirect(&self, id: RecordId) -> Result<Option<RecordId>, AppError> {
        Ok(self.db.read(|conn| merges::redirect(conn, id))?)
    }
}

fn view(app: &App, merge: StoredMerge) -> Result<MergeView, AppError> {
    let moved: Moved = serde_json::from_str(&merge.moved)
        .map_err(|e| AppError::Internal(format!("merge {} summary: {e}", merge.id)))?;
    let snapshot: Snapshot = serde_json::from_str(&merge.snapshot)
        .map_err(|e| AppError::Internal(format!("merge {} snapshot: {e}", merge.id)))?;
    Ok(MergeView {
        undo_until: app.undo_until(merge.merged_at),
        merged_title: snapshot.record.title,
        moved,
        merge,
    })
}

fn merge_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "merge" },
        other => other.into(),
    }
}

fn survivor_gone(conn: &mut DbConnection, merge: &StoredMerge) -> Result<AppError, AppError> {
    let survivor = merge.survivor_id;
    Ok(match merges::redirect(conn, survivor)? {
        Some(now_is) => AppError::conflict(
            "merge_survivor_merged",
            format!("record {survivor} has since been merged into {now_is}; undo that merge first"),
        ),
        None => AppError::conflict(
            "merge_survivor_gone",
            format!("record {survivor} has since been deleted; this merge cannot be undone"),
        ),
    })
}

/// Inserts the merged record again, under its id, from the snapshot and the
/// kept MARC; its keys are computed again from that MARC.
fn restore_record(
    conn: &mut DbConnection,
    (merge, snapshot): (&StoredMerge, &Snapshot),
    rules: &kitap_catalog::AreaRules,
    now: Timestamp,
) -> Result<(), AppError> {
    let source = record_sources::of_merge(conn, merge.id)?;
    let row = &snapshot.record;
    let corrupt = |e: kitap_domain::ValueError| {
        AppError::Internal(format!("merge {} snapshot: {e}", merge.id))
    };
    let mut stored = StoredRecord {
        id: merge.merged_id,
        version: row.version + 1,
        status: row.status.parse::<RecordStatus>().map_err(corrupt)?,
        marc: source.marc,
        original: row.original.as_deref().map(unhex).transpose()?,
        source_encoding: row.source_encoding.clone(),
        derived: Default::default(),
        import_id: row
            .import_id
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(corrupt)?,
        created_by: row
            .created_by
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(corrupt)?,
        updated_by: row
            .updated_by
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(corrupt)?,
        created_at: row.created_at,
        updated_at: now,
    };
    // The derived columns and keys come from the same code as on save; a
    // record that today's rules would refuse is still restored as it was.
    let record = decode_stored(&stored)?;
    let view = BibView::from_record(&record);
    let warnings = kitap_catalog::validate::validate(&record);
    stored.derived = super::prepare::derive(&record, &view, &warnings, rules);
    let keys = super::prepare::keys(&view);
    // Its match keys went with it (cascade): without them the restored
    // record would be invisible to the duplicate check until a rekey.
    let match_row = crate::dedup::keys_row(stored.id, &kitap_dedup::match_keys(&view))?;
    records::insert_many(conn, &[(stored, keys)])?;
    kitap_db::match_keys::insert_many(conn, std::slice::from_ref(&match_row))?;
    Ok(())
}

/// The copies and holds the merge moved that are still on the survivor,
/// less any open hold and the copy trapped for it when only one of the two
/// came with the merge: such a pair stays on the survivor together, or a
/// copy would stand on the hold shelf for a hold of another record.
fn going_back(
    conn: &mut DbConnection,
    survivor: RecordId,
    snapshot: &Snapshot,
    on_survivor: &[CopyId],
) -> Result<(Vec<CopyId>, Vec<HoldId>), AppError> {
    let holds_now = merges::holds_of(conn, survivor)?;
    let mut copies: Vec<CopyId> = snapshot
        .copies
        .iter()
        .copied()
        .filter(|c| on_survivor.contains(c))
        .collect();
    let mut holds: Vec<HoldId> = holds_now
        .iter()
        .map(|h| h.id)
        .filter(|id| snapshot.holds.contains(id))
        .collect();
    for hold in holds_now.iter().filter(|h| h.status.is_open()) {
        let Some(copy) = hold.trapped_copy_id else {
            continue;
        };
        if holds.contains(&hold.id) != copies.contains(&copy) {
            holds.retain(|id| *id != hold.id);
            copies.retain(|c| *c != copy);
        }
    }
    Ok((copies, holds))
}

/// Moves back what the merge moved and is still on the survivor.
fn move_back(
    conn: &mut DbConnection,
    merge: &StoredMerge,
    snapshot: &Snapshot,
    (copies, holds): (&[CopyId], &[HoldId]),
    now: Timestamp,
) -> Result<Moved, AppError> {
    let merged = merge.merged_id;
    let holds = merges::move_holds(conn, holds, merged)?;
    let mut reopened = 0;
    for hold in &snapshot.cancelled_holds {
        if hold.was != HoldStatus::Waiting {
            continue;
        }
        // The reader may have placed a new hold since: then the unique
        // index refuses the reopen and the cancelled one stays cancelled.
        let done = savepoint(conn, |c| merges::reopen_waiting(c, hold.id, hold.closed_at));
        match done {
            Ok(true) => reopened += 1,
            Ok(false) | Err(DbError::UniqueViolation(_)) => {}
            Err(other) => return Err(other.into()),
        }
    }
    let copies_moved = merges::move_copies(conn, copies, merged, now)?;
    let loans = merges::count_loans_of_copies(conn, copies)?;
    let events = merges::move_events_of_copies(conn, copies, merged)?;
    let sources = record_sources::move_to(conn, &snapshot.sources, merged)?;
    record_sources::delete_of_merge(conn, merge.id)?;
    merges::remove_redirect(conn, merged)?;
    merges::repoint_these(conn, &snapshot.redirects, merged)?;
    super::merge::move_request_lines_back(
        conn,
        &snapshot.request_lines,
        merge.survivor_id,
        merged,
    )?;
    Ok(Moved {
        copies: copies_moved,
        loans,
        holds,
        holds_cancelled: reopened,
        circulation_events: events,
        sources,
        redirects: snapshot.redirects.len(),
    })
}
