//! Merging a duplicate record into the one that survives, in one write
//! transaction:
//!
//! - copies move (their loans, open and returned, go with them: a loan names
//!   its copy), and so do their circulation events (an event names the
//!   record its copy belongs to), the merged record's holds and its kept
//!   source versions;
//! - a reader with an open hold on both records keeps one: the one further
//!   along (ready, then in transit, then waiting), else the earlier placed;
//!   the other is cancelled (audited as `merge_duplicate_hold`);
//! - the merged record's MARC is kept as a source version (kind `merged`) of
//!   the survivor, its id redirects to the survivor (chains flattened), and
//!   its row is deleted with its keys; the search index gets a delete for it
//!   and upserts for the survivor and the moved copies;
//! - the merge row keeps what undo needs (see `merge_undo.rs`).
//!
//! Locks (PostgreSQL): the merged record's copies first, then both records;
//! see `kitap_db::merges` for why that order cannot deadlock a checkout.

use kitap_db::merges::{self, HoldRef, StoredMerge};
use kitap_db::record_sources::{self, RecordSource, SourceKind};
use kitap_db::records::{self, StoredRecord};
use kitap_db::{holds, DbConnection};
use kitap_domain::{CopyId, HoldId, HoldStatus, MergeId, RecordId, RecordSourceId, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::records::{announce, summary, CATALOGERS};
use crate::audit::record as audit;
use crate::{Actor, App, AppError, Principal};

/// What a merge moved, as the API shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moved {
    pub copies: usize,
    /// Loans of the moved copies, open and returned.
    pub loans: i64,
    pub holds: usize,
    /// Duplicate holds cancelled (a reader held both records).
    pub holds_cancelled: usize,
    pub circulation_events: usize,
    pub sources: usize,
    /// Older redirects re-pointed at the survivor.
    pub redirects: usize,
}

/// A cancelled duplicate hold: enough to reopen it on undo.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct CancelledHold {
    pub id: HoldId,
    pub was: HoldStatus,
    pub closed_at: Timestamp,
}

/// The merged record's row without its MARC (kept as the source version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RecordRow {
    pub version: i64,
    pub status: String,
    /// Hex of the bytes as imported, when they differ from the MARC.
    pub original: Option<String>,
    pub source_encoding: String,
    pub import_id: Option<String>,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub title: String,
}

/// What undo restores and moves back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub record: RecordRow,
    pub copies: Vec<CopyId>,
    pub holds: Vec<HoldId>,
    pub cancelled_holds: Vec<CancelledHold>,
    pub sources: Vec<RecordSourceId>,
    pub redirects: Vec<RecordId>,
    /// Library request lines that named the merged record (absent from
    /// snapshots written before requests existed).
    #[serde(default)]
    pub request_lines: Vec<MovedRequestLine>,
}

/// A library request's line moved by a merge: re-pointed to the survivor,
/// or (`joined`) added to the line the request already had for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MovedRequestLine {
    pub request: kitap_domain::LibraryRequestId,
    pub copies: u32,
    pub joined: bool,
}

/// Moves the merged record's request lines to the survivor; a request that
/// names both keeps one line with the copies of both.
fn move_request_lines(
    conn: &mut DbConnection,
    merged: RecordId,
    survivor: RecordId,
) -> Result<Vec<MovedRequestLine>, AppError> {
    use kitap_db::exchange::requests;
    let mut moved = Vec::new();
    for (request, copies) in requests::lines_of_record(conn, merged)? {
        let joined = match requests::line_copies(conn, request, survivor)? {
            Some(has) => {
                requests::set_line(conn, request, survivor, has.saturating_add(copies))?;
                requests::set_line(conn, request, merged, 0)?;
                true
            }
            None => {
                requests::move_line(conn, request, merged, survivor)?;
                false
            }
        };
        moved.push(MovedRequestLine {
            request,
            copies,
            joined,
        });
    }
    Ok(moved)
}

/// Undoes [`move_request_lines`]: what moved goes back to the restored
/// record, what joined is taken off the survivor's line again.
pub(crate) fn move_request_lines_back(
    conn: &mut DbConnection,
    lines: &[MovedRequestLine],
    survivor: RecordId,
    merged: RecordId,
) -> Result<(), AppError> {
    use kitap_db::exchange::requests;
    for line in lines {
        if line.joined {
            if let Some(has) = requests::line_copies(conn, line.request, survivor)? {
                let left = has.saturating_sub(line.copies).max(1);
                requests::set_line(conn, line.request, survivor, left)?;
            }
            requests::set_line(conn, line.request, merged, line.copies)?;
        } else {
            requests::move_line(conn, line.request, survivor, merged)?;
        }
    }
    Ok(())
}

/// A merge as the API shows it.
#[derive(Debug, Clone)]
pub struct MergeView {
    pub merge: StoredMerge,
    pub moved: Moved,
    pub merged_title: String,
    /// Undo is possible until then (unless undone already).
    pub undo_until: Timestamp,
}

impl App {
    /// Merges `merged` into `survivor` (catalogers).
    pub fn merge_records(
        &self,
        who: &Principal,
        actor: &Actor,
        survivor: RecordId,
        merged: RecordId,
        note: Option<String>,
    ) -> Result<MergeView, AppError> {
        who.require_role(CATALOGERS)?;
        if survivor == merged {
            return Err(AppError::conflict(
                "merge_same_record",
                "a record cannot be merged into itself",
            ));
        }
        let now = Timestamp::now();
        let view = self.db.write(|conn| {
            let copies = merges::lock_copies_of(conn, merged)?;
            let found = merges::lock_records(conn, &[survivor, merged])?;
            for id in [survivor, merged] {
                if !found.contains(&id) {
                    return Err(gone(conn, id, id == merged)?);
                }
            }
            let old = records::find(conn, merged)?;
            let ctx = MergeCtx {
                actor,
                now,
                survivor,
                merged,
            };
            let (moved, snapshot) = move_everything(self, conn, &ctx, &old, copies)?;
            let merge = StoredMerge {
                id: MergeId::new(),
                survivor_id: survivor,
                merged_id: merged,
                moved: json_text(&moved)?,
                snapshot: json_text(&snapshot)?,
                note: note.filter(|n| !n.trim().is_empty()),
                merged_by: actor.staff_id,
                merged_at: now,
                undone_at: None,
                undone_by: None,
            };
            merges::insert(conn, &merge)?;
            record_sources::insert(
                conn,
                &RecordSource {
                    merge_id: Some(merge.id),
                    created_at: now,
                    ..RecordSource::new(
                        survivor,
                        SourceKind::Merged,
                        format!("merge of record {merged}: {}", old.derived.title),
                        old.marc.clone(),
                        "iso2709",
                        actor.staff_id,
                    )
                },
            )?;
            merges::add_redirect(conn, merged, survivor, merge.id)?;
            records::delete(conn, merged)?;
            announce(conn, now, &merged, "delete")?;
            announce(conn, now, &survivor, "upsert")?;
            super::announce(conn, now, &snapshot.copies)?;
            audit(
                conn,
                actor,
                "merge",
                ("record_merge", &merge.id),
                Some(json!({"survivor": survivor.to_string(), "merged": summary(&old)})),
                Some(json!({"merged_id": merged.to_string(), "moved": moved})),
            )?;
            Ok::<_, AppError>(MergeView {
                undo_until: self.undo_until(now),
                merged_title: old.derived.title.clone(),
                merge,
                moved,
            })
        })?;
        Ok(view)
    }

    pub(crate) fn undo_until(&self, merged_at: Timestamp) -> Timestamp {
        let hours = i64::from(self.merge_undo_hours);
        Timestamp::from_utc(merged_at.utc() + chrono::Duration::hours(hours))
    }
}

struct MergeCtx<'a> {
    actor: &'a Actor,
    now: Timestamp,
    survivor: RecordId,
    merged: RecordId,
}

/// Why a record to merge is not there: merged away already, or unknown.
fn gone(conn: &mut DbConnection, id: RecordId, is_merged: bool) -> Result<AppError, AppError> {
    Ok(match merges::redirect(conn, id)? {
        Some(now_is) if is_merged => AppError::conflict(
            "record_already_merged",
            format!("record {id} was already merged into {now_is}"),
        ),
        Some(now_is) => AppError::conflict(
            "record_already_merged",
            format!("record {id} was merged into {now_is}; merge into that one"),
        ),
        None => AppError::NotFound { entity: "record" },
    })
}

fn move_everything(
    app: &App,
    conn: &mut DbConnection,
    ctx: &MergeCtx<'_>,
    old: &StoredRecord,
    copies: Vec<CopyId>,
) -> Result<(Moved, Snapshot), AppError> {
    let (survivor, merged) = (ctx.survivor, ctx.merged);
    let cancelled = settle_duplicate_holds(app, conn, ctx)?;
    let hold_ids: Vec<HoldId> = merges::holds_of(conn, merged)?
        .iter()
        .map(|h| h.id)
        .collect();
    let holds_moved = merges::move_holds(conn, &hold_ids, survivor)?;
    let copies_moved = merges::move_copies(conn, &copies, survivor, ctx.now)?;
    let loans = merges::count_loans_of_copies(conn, &copies)?;
    let events = merges::move_events_of_record(conn, merged, survivor)?;
    let sources = record_sources::move_all(conn, merged, survivor)?;
    let redirects = merges::repoint_redirects(conn, merged, survivor)?;
    let request_lines = move_request_lines(conn, merged, survivor)?;
    let moved = Moved {
        copies: copies_moved,
        loans,
        holds: holds_moved,
        holds_cancelled: cancelled.len(),
        circulation_events: events,
        sources: sources.len(),
        redirects: redirects.len(),
    };
    let snapshot = Snapshot {
        record: RecordRow {
            version: old.version,
            status: old.status.as_str().to_owned(),
            original: old.original.as_deref().map(hex),
            source_encoding: old.source_encoding.clone(),
            import_id: old.import_id.map(|i| i.to_string()),
            created_by: old.created_by.map(|s| s.to_string()),
            updated_by: old.updated_by.map(|s| s.to_string()),
            created_at: old.created_at,
            updated_at: old.updated_at,
            title: old.derived.title.clone(),
        },
        copies,
        holds: hold_ids,
        cancelled_holds: cancelled,
        sources,
        redirects,
        request_lines,
    };
    Ok((moved, snapshot))
}

/// How far along a hold is: the one a reader keeps is the furthest along.
fn stage(status: HoldStatus) -> u8 {
    match status {
        HoldStatus::Ready => 3,
        HoldStatus::InTransit => 2,
        _ => 1,
    }
}

/// A reader may hold a title once: where they hold both records, one open
/// hold is kept and the other cancelled before the holds move.
fn settle_duplicate_holds(
    app: &App,
    conn: &mut DbConnection,
    ctx: &MergeCtx<'_>,
) -> Result<Vec<CancelledHold>, AppError> {
    let open = |h: &HoldRef| h.status.is_open();
    let on_merged: Vec<HoldRef> = merges::holds_of(conn, ctx.merged)?
        .into_iter()
        .filter(open)
        .collect();
    if on_merged.is_empty() {
        return Ok(Vec::new());
    }
    let on_survivor: Vec<HoldRef> = merges::holds_of(conn, ctx.survivor)?
        .into_iter()
        .filter(open)
        .collect();
    let mut cancelled = Vec::new();
    for mine in &on_merged {
        let Some(theirs) = on_survivor.iter().find(|h| h.reader_id == mine.reader_id) else {
            continue;
        };
        let keep_mine = (stage(mine.status), std::cmp::Reverse(mine.placed_at))
            > (stage(theirs.status), std::cmp::Reverse(theirs.placed_at));
        let drop = if keep_mine { theirs } else { mine };
        cancelled.push(cancel_duplicate(app, conn, ctx, drop)?);
    }
    Ok(cancelled)
}

fn cancel_duplicate(
    app: &App,
    conn: &mut DbConnection,
    ctx: &MergeCtx<'_>,
    hold: &HoldRef,
) -> Result<CancelledHold, AppError> {
    let before = holds::find(conn, hold.id)?;
    holds::cancel(conn, hold.id, ctx.now)?;
    audit(
        conn,
        ctx.actor,
        "merge_duplicate_hold",
        ("hold", &hold.id),
        Some(json!({"status": before.status.as_str(), "record_id": before.record_id.to_string()})),
        Some(json!({
            "status": "cancelled",
            "reason": "the reader held both records of a merge; the hold further along (else the earlier) is kept",
            "survivor_id": ctx.survivor.to_string(),
            "merged_id": ctx.merged.to_string(),
        })),
    )?;
    match before.status {
        HoldStatus::Ready | HoldStatus::InTransit => {
            let shelf = (crate::circulation::today(), app.circulation.hold_shelf_days);
            crate::circulation::release_hold_copy(conn, ctx.actor, &before, shelf, ctx.now)?;
        }
        _ => {
            let here = ctx.actor.branch_id.unwrap_or(before.pickup_branch_id);
            crate::exchange::routing::call_off_request(
                conn, ctx.actor, hold.id, None, here, ctx.now,
            )?;
        }
    }
    Ok(CancelledHold {
        id: hold.id,
        was: before.status,
        closed_at: ctx.now,
    })
}

pub(crate) fn json_text<T: Serialize>(value: &T) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| AppError::Internal(e.to_string()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(text: &str) -> Result<Vec<u8>, AppError> {
    let bad = || AppError::Internal("merge snapshot: original is not hex".to_owned());
    if !text.len().is_multiple_of(2) {
        return Err(bad());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(bad)
        })
        .collect()
}
