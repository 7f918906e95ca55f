//! Holds ("order a book"): placing, listing, cancelling, the hold shelf,
//! trapping a copy that became free, and expiring holds nobody picked up.
//!
//! Trapping runs inside the return (or check-in) transaction: the copy is
//! offered to the record's queue (`kitap_circulation::trap`). At the pickup
//! library the hold becomes `ready` (the copy waits on the hold shelf until
//! `expires_on`); elsewhere the hold becomes `in_transit` with the copy, and
//! the hold row (trapped copy + pickup library) is the transfer request until
//! the inter-branch exchange (#7) takes it over. Receiving the copy at the
//! pickup library makes the hold `ready`.
//!
//! Placing a hold refuses through `decide_place_hold`, with the refusals
//! `RefusalCode::ReaderNotActive`, `RefusalCode::ReaderBlocked`,
//! `RefusalCode::HoldsNotAllowed` and `RefusalCode::AlreadyHolding`.

use chrono::{Duration, NaiveDate};
use kitap_circulation::{
    decide_place_hold, hold_shelf_expires, resolve, trap, HoldState, LoanRule, Refusal,
    RefusalCode, RuleKey, TransferReason, TrapDecision, TrappableCopy,
};
use kitap_db::branches;
use kitap_db::copies::{self, CopyFilter, StoredCopy};
use kitap_db::holds::{self, StoredHold, OPEN_HOLD_INDEX, TRAPPED_COPY_INDEX};
use kitap_db::readers::StoredReader;
use kitap_db::{DbConnection, DbError};
use kitap_domain::{
    Barcode, BranchCode, BranchId, CopyId, CopyStatus, HoldId, HoldStatus, ReaderId, RecordId,
    Role, Timestamp,
};
use kitap_exchange::{CopyPosition, Op, Place};
use serde_json::json;

use super::calendar::calendar_for;
use super::rules::{all_rules, policy_rule};
use super::state::{find_reader, reader_state};
use super::{refused, today, ReaderRef, DESK};
use crate::audit::record as audit;
use crate::exchange::position;
use crate::{Actor, App, AppError, Principal};

/// Who may see every hold and the hold shelf.
const HOLD_READERS: &[Role] = &[Role::Librarian, Role::Admin, Role::Manager];
/// Who runs the expiry job by hand.
const JOB_RUNNERS: &[Role] = &[Role::Admin];

/// Who places the hold: staff at the desk for a named reader, or (later,
/// through self-service) the reader for themself.
#[derive(Debug, Clone, Copy)]
pub enum HoldPlacer<'a> {
    Staff(&'a Principal),
    Reader(ReaderId),
}

#[derive(Debug, Clone)]
pub struct PlaceHoldRequest {
    /// Reader id or card number; ignored for a reader placing their own.
    pub reader: String,
    pub record_id: RecordId,
    /// A copy-level hold names its copy.
    pub copy_id: Option<CopyId>,
    /// Code of the pickup library.
    pub pickup_library: String,
}

/// A hold with what the desk shows beside it.
#[derive(Debug, Clone)]
pub struct HoldView {
    pub hold: StoredHold,
    pub card_number: String,
    pub reader_name: String,
    pub title: String,
    pub trapped_barcode: Option<Barcode>,
    /// Placed while a copy stands on the shelf at the pickup library.
    pub pull_from_shelf: bool,
    /// The hold's open movement: a copy on another library's pick list
    /// for it, or travelling to the pickup library.
    pub transfer: Option<kitap_db::exchange::transfers::StoredTransfer>,
}

#[derive(Debug, Clone, Default)]
pub struct HoldQuery {
    pub record: Option<RecordId>,
    /// Reader id or card number.
    pub reader: Option<String>,
    /// Pickup library code.
    pub library: Option<String>,
    pub status: Option<HoldStatus>,
    pub limit: i64,
}

/// What the expiry job did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HoldExpiry {
    pub expired: u32,
    /// Copies trapped again for the next hold.
    pub retrapped: u32,
    /// Copies back on the shelf or on their way home.
    pub released: u32,
}

/// What trapping did with a free copy.
#[derive(Debug, Clone)]
pub(crate) enum Trapped {
    None,
    Shelf(StoredHold),
    Transit(StoredHold),
}

fn hold_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "hold" },
        other => other.into(),
    }
}

/// The partial unique indexes answer 409, never 500.
fn index_conflict(err: DbError) -> AppError {
    match err {
        DbError::UniqueViolation(index) if index == OPEN_HOLD_INDEX => {
            let refusal = Refusal::from(RefusalCode::AlreadyHolding);
            refused(&refusal, std::slice::from_ref(&refusal))
        }
        DbError::UniqueViolation(index) if index == TRAPPED_COPY_INDEX => AppError::conflict(
            "copy_already_trapped",
            "this copy is already trapped for another hold",
        ),
        other => other.into(),
    }
}

fn state_of(h: &StoredHold) -> HoldState {
    HoldState {
        id: h.id,
        reader: h.reader_id,
        record: h.record_id,
        copy: h.copy_id,
        pickup: h.pickup_branch_id,
        status: h.status,
        placed_at: h.placed_at,
    }
}

fn snapshot(h: &StoredHold) -> serde_json::Value {
    json!({
        "reader_id": h.reader_id.to_string(),
        "record_id": h.record_id.to_string(),
        "copy_id": h.copy_id.map(|c| c.to_string()),
        "pickup_branch_id": h.pickup_branch_id.to_string(),
        "status": h.status.as_str(),
        "trapped_copy_id": h.trapped_copy_id.map(|c| c.to_string()),
        "ready_on": h.ready_on,
        "expires_on": h.expires_on,
        "version": h.version,
    })
}

/// Writes a changed hold (optimistic: someone else's change first answers
/// `version_conflict`) with its audit row.
fn save(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    before: &StoredHold,
    mut after: StoredHold,
) -> Result<StoredHold, AppError> {
    after.version = before.version + 1;
    if !holds::update(conn, &after, before.version).map_err(index_conflict)? {
        return Err(AppError::VersionConflict {
            current: before.version,
        });
    }
    audit(
        conn,
        actor,
        action,
        ("hold", &after.id),
        Some(snapshot(before)),
        Some(snapshot(&after)),
    )?;
    Ok(after)
}

/// The last pickup day of a hold ready `today` at `pickup`.
fn expiry(
    conn: &mut DbConnection,
    pickup: BranchId,
    today: NaiveDate,
    days: u16,
) -> Result<NaiveDate, DbError> {
    let calendar = calendar_for(conn, pickup)?;
    Ok(hold_shelf_expires(today, days, &calendar)
        .unwrap_or_else(|_| today + Duration::days(i64::from(days))))
}

/// Makes `hold` ready on the pickup shelf with `copy`.
fn make_ready(
    conn: &mut DbConnection,
    actor: &Actor,
    hold: &StoredHold,
    copy: CopyId,
    (today, days): (NaiveDate, u16),
) -> Result<StoredHold, AppError> {
    let mut after = hold.clone();
    after.status = HoldStatus::Ready;
    after.trapped_copy_id = Some(copy);
    after.ready_on = Some(today);
    after.expires_on = Some(expiry(conn, hold.pickup_branch_id, today, days)?);
    save(conn, actor, "hold_ready", hold, after)
}

/// The waiting hold first in line for `copy` standing free at `at`.
pub(crate) fn first_in_line(
    conn: &mut DbConnection,
    copy: &StoredCopy,
    at: BranchId,
) -> Result<Option<StoredHold>, AppError> {
    let queue = holds::queue(conn, copy.record_id)?;
    let states: Vec<HoldState> = queue.iter().map(state_of).collect();
    let free = TrappableCopy {
        id: copy.id,
        record: copy.record_id,
        at_library: at,
    };
    let id = match trap(&free, &states) {
        TrapDecision::None => return Ok(None),
        TrapDecision::HoldShelf { hold } => hold,
        TrapDecision::Transfer(request) => match request.reason {
            TransferReason::Hold(id) => id,
            TransferReason::ReturnHome => return Ok(None),
        },
    };
    Ok(queue.into_iter().find(|h| h.id == id))
}

/// `position` is where the copy will be (in hand at `at`: on the shelf, or
/// just sent on from there). If a waiting hold wants it, the position after
/// the hold takes it and the hold; the hold's own request elsewhere (a pick
/// list line) is called off.
pub(crate) fn catch_for_hold(
    conn: &mut DbConnection,
    actor: &Actor,
    copy: &StoredCopy,
    position: &CopyPosition,
    at: BranchId,
    now: Timestamp,
) -> Result<Option<(CopyPosition, StoredHold)>, AppError> {
    let Some(hold) = first_in_line(conn, copy, at)? else {
        return Ok(None);
    };
    let op = Op::Trap {
        at,
        hold: hold.id,
        reader: hold.reader_id,
        pickup: hold.pickup_branch_id,
    };
    let Ok(after) = kitap_exchange::apply(position, &op) else {
        return Ok(None);
    };
    crate::exchange::routing::call_off_request(conn, actor, hold.id, Some(copy.id), at, now)?;
    Ok(Some((after, hold)))
}

/// The hold takes the copy as `place` says: ready on the hold shelf, or in
/// transit to its pickup library.
pub(crate) fn take_for_hold(
    conn: &mut DbConnection,
    actor: &Actor,
    hold: &StoredHold,
    copy: CopyId,
    place: &Place,
    (today, days): (NaiveDate, u16),
) -> Result<Trapped, AppError> {
    match place {
        Place::HoldShelf { .. } => Ok(Trapped::Shelf(make_ready(
            conn,
            actor,
            hold,
            copy,
            (today, days),
        )?)),
        _ => {
            let mut after = hold.clone();
            after.status = HoldStatus::InTransit;
            after.trapped_copy_id = Some(copy);
            Ok(Trapped::Transit(save(
                conn,
                actor,
                "hold_in_transit",
                hold,
                after,
            )?))
        }
    }
}

/// Offers a free copy standing at `at` to its record's queue: onto the hold
/// shelf, or in transit to the pickup library (written through the exchange
/// position writer).
pub(crate) fn offer_copy(
    conn: &mut DbConnection,
    actor: &Actor,
    copy: &StoredCopy,
    at: BranchId,
    clock: (NaiveDate, u16),
    now: Timestamp,
) -> Result<Trapped, AppError> {
    let loaded = position::load(conn, copy.clone())?;
    let Some((after, hold)) = catch_for_hold(conn, actor, copy, &loaded.pos, at, now)? else {
        return Ok(Trapped::None);
    };
    let here = position::At {
        actor,
        here: at,
        now,
        note: None,
    };
    position::write(conn, &loaded, &after, &here)?;
    take_for_hold(conn, actor, &hold, copy.id, &after.place, clock)
}

/// The copy of a hold that closed (cancelled, expired, merged away), which
/// stood on the hold shelf at `at` or travelled for it: to the next hold,
/// else back to its shelf or on its way there. Returns whether another hold
/// took it.
pub(crate) fn release(
    conn: &mut DbConnection,
    actor: &Actor,
    closed: &StoredHold,
    clock: (NaiveDate, u16),
    now: Timestamp,
) -> Result<bool, AppError> {
    let Some(copy_id) = closed.trapped_copy_id else {
        return Ok(false);
    };
    let copy = copies::find(conn, copy_id)?;
    let mut loaded = position::load(conn, copy.clone())?;
    let at = closed.pickup_branch_id;
    // The hold row is closed already: the copy stood where the hold put it.
    if closed.status == HoldStatus::Ready {
        loaded.pos.place = Place::HoldShelf {
            at,
            hold: closed.id,
            reader: closed.reader_id,
        };
    }
    let here = position::At {
        actor,
        here: at,
        now,
        note: Some("the hold it served closed"),
    };
    let Ok(freed) = kitap_exchange::apply(&loaded.pos, &Op::CancelHold { hold: closed.id }) else {
        return Ok(false);
    };
    if closed.status != HoldStatus::Ready {
        // Travelling: it keeps going and is offered to the queue on arrival.
        position::write(conn, &loaded, &freed, &here)?;
        return Ok(false);
    }
    match catch_for_hold(conn, actor, &copy, &freed, at, now)? {
        Some((after, hold)) => {
            position::write(conn, &loaded, &after, &here)?;
            take_for_hold(conn, actor, &hold, copy.id, &after.place, clock)?;
            Ok(true)
        }
        None => {
            position::write(conn, &loaded, &freed, &here)?;
            Ok(false)
        }
    }
}

pub(crate) fn view(
    conn: &mut DbConnection,
    hold: StoredHold,
    pull: bool,
) -> Result<HoldView, AppError> {
    let reader = kitap_db::readers::find(conn, hold.reader_id)?;
    let title = kitap_db::records::find(conn, hold.record_id)?.derived.title;
    let trapped_barcode = match hold.trapped_copy_id {
        Some(id) => Some(copies::find(conn, id)?.barcode),
        None => None,
    };
    let transfer = kitap_db::exchange::transfers::open_for_hold(conn, hold.id)?;
    Ok(HoldView {
        transfer,
        card_number: reader.card_number.to_string(),
        reader_name: full_name(&reader),
        title,
        trapped_barcode,
        pull_from_shelf: pull,
        hold,
    })
}

pub(crate) fn full_name(r: &StoredReader) -> String {
    match &r.patronymic {
        Some(p) => format!("{} {} {}", r.surname, r.first_name, p),
        None => format!("{} {}", r.surname, r.first_name),
    }
}

fn branch_by_code(conn: &mut DbConnection, raw: &str) -> Result<BranchId, AppError> {
    let code: BranchCode = raw.parse()?;
    branches::find_by_code(conn, &code)
        .map(|b| b.id)
        .map_err(|e| match e {
            DbError::NotFound => AppError::NotFound { entity: "library" },
            other => other.into(),
        })
}

fn library_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "library" },
        other => other.into(),
    }
}

impl App {
    /// Places a hold on a title (or one copy) for pickup at a library.
    pub fn place_hold(
        &self,
        by: HoldPlacer<'_>,
        actor: &Actor,
        req: PlaceHoldRequest,
    ) -> Result<HoldView, AppError> {
        let reader_ref = match by {
            HoldPlacer::Staff(who) => {
                who.require_role(DESK)?;
                req.reader.parse::<ReaderRef>()?
            }
            HoldPlacer::Reader(id) => ReaderRef::Id(id),
        };
        let today = today();
        let now = Timestamp::now();
        self.db.write(|conn| {
            let reader = find_reader(conn, &reader_ref)?;
            let pickup = branch_by_code(conn, &req.pickup_library)?;
            let branch = branches::find(conn, pickup).map_err(library_missing)?;
            if !branch.active {
                return Err(AppError::conflict(
                    "library_inactive",
                    "the pickup library is not active",
                ));
            }
            // An old id of a record merged into another holds the survivor,
            // so OPAC bookmarks keep working.
            let record_id = match kitap_db::records::find(conn, req.record_id) {
                Ok(found) => found.id,
                Err(DbError::NotFound) => kitap_db::merges::redirect(conn, req.record_id)?
                    .ok_or(AppError::NotFound { entity: "record" })?,
                Err(other) => return Err(other.into()),
            };
            let filter = CopyFilter {
                record_id: Some(record_id),
                limit: 500,
                ..CopyFilter::default()
            };
            let record_copies = copies::list(conn, &filter)?;
            let material_type = match req.copy_id {
                Some(id) => {
                    let Some(copy) = record_copies.iter().find(|c| c.id == id) else {
                        return Err(AppError::NotFound { entity: "copy" });
                    };
                    copy.material_type.clone()
                }
                None => record_copies
                    .first()
                    .map_or_else(|| "book".to_owned(), |c| c.material_type.clone()),
            };
            let available_at_pickup = record_copies
                .iter()
                .filter(|c| c.branch_id == pickup && c.status == CopyStatus::Available)
                .filter(|c| req.copy_id.is_none_or(|id| id == c.id))
                .count();
            let state = reader_state(conn, &reader, today)?;
            let rules: Vec<LoanRule> = all_rules(conn)?.iter().map(policy_rule).collect();
            let key = RuleKey {
                library: pickup,
                category: reader.category,
                material_type,
            };
            let values = resolve(&rules, &key)
                .map_err(|e| AppError::Internal(e.to_string()))?
                .values;
            let existing: Vec<HoldState> = holds::of_reader(conn, reader.id, true)?
                .iter()
                .filter(|h| h.record_id == record_id)
                .map(state_of)
                .collect();
            let decision = decide_place_hold(
                &state,
                &values,
                &existing,
                u32::try_from(available_at_pickup).unwrap_or(u32::MAX),
            )
            .map_err(|first| refused(&first, std::slice::from_ref(&first)))?;
            let hold = StoredHold {
                id: HoldId::new(),
                reader_id: reader.id,
                record_id,
                copy_id: req.copy_id,
                pickup_branch_id: pickup,
                status: decision.status,
                placed_at: now,
                trapped_copy_id: None,
                ready_on: None,
                expires_on: None,
                closed_at: None,
                version: 1,
            };
            holds::insert(conn, &hold).map_err(|err| match err {
                // PostgreSQL: the record was merged away or deleted after it
                // was read here; the merge's row lock made this insert wait.
                DbError::ForeignKeyViolation(_) => AppError::NotFound { entity: "record" },
                other => index_conflict(other),
            })?;
            audit(
                conn,
                actor,
                "place_hold",
                ("hold", &hold.id),
                None,
                Some(snapshot(&hold)),
            )?;
            if let HoldPlacer::Reader(_) = by {
                let kind = kitap_db::reader_activity::ActivityKind::HoldPlaced;
                super::self_service::log_activity(conn, reader.id, kind, now)?;
            }
            if !decision.pull_from_shelf {
                crate::exchange::routing::route_hold(conn, actor, &hold, &[], now)?;
            }
            view(conn, hold, decision.pull_from_shelf)
        })
    }

    /// Holds by title (queue order), by reader, or by pickup library.
    pub fn holds(&self, who: &Principal, q: HoldQuery) -> Result<Vec<HoldView>, AppError> {
        who.require_role(HOLD_READERS)?;
        let reader_ref = q
            .reader
            .as_deref()
            .map(str::parse::<ReaderRef>)
            .transpose()?;
        self.db.read(|conn| {
            let mut found = match (&reader_ref, q.record, &q.library) {
                (Some(r), _, _) => {
                    let reader = find_reader(conn, r)?;
                    let mut all = holds::of_reader(conn, reader.id, q.status.is_none())?;
                    all.sort_by_key(|h| (h.placed_at, h.id));
                    all
                }
                (None, Some(record), _) => holds::queue(conn, record)?,
                (None, None, Some(code)) => {
                    let branch = branch_by_code(conn, code)?;
                    holds::at_pickup(conn, branch, q.status, q.limit)?
                }
                (None, None, None) => {
                    return Err(kitap_domain::ValueError::new(
                        "record_id",
                        "give record_id, reader or library",
                    )
                    .into())
                }
            };
            if let Some(status) = q.status {
                found.retain(|h| h.status == status);
            }
            if let Some(record) = q.record {
                found.retain(|h| h.record_id == record);
            }
            if let Some(code) = &q.library {
                let branch = branch_by_code(conn, code)?;
                found.retain(|h| h.pickup_branch_id == branch);
            }
            found.truncate(usize::try_from(q.limit.max(1)).unwrap_or(usize::MAX));
            found.into_iter().map(|h| view(conn, h, false)).collect()
        })
    }

    /// The hold shelf of a library: its ready holds, first to expire first.
    pub fn hold_shelf(&self, who: &Principal, library: &str) -> Result<Vec<HoldView>, AppError> {
        who.require_role(HOLD_READERS)?;
        self.db.read(|conn| {
            let branch = branch_by_code(conn, library)?;
            let mut ready = holds::at_pickup(conn, branch, Some(HoldStatus::Ready), 10_000)?;
            ready.sort_by_key(|h| (h.expires_on, h.placed_at, h.id));
            ready.into_iter().map(|h| view(conn, h, false)).collect()
        })
    }

    /// Cancels an open hold; a ready hold's copy goes to the next hold or
    /// back to the shelf. A copy in transit for the hold keeps travelling
    /// and is received home.
    pub fn cancel_hold(
        &self,
        who: &Principal,
        actor: &Actor,
        id: HoldId,
    ) -> Result<HoldView, AppError> {
        who.require_role(DESK)?;
        self.cancel_hold_of(None, actor, id)
    }

    /// Cancels a hold; with an `owner`, only that reader's own (another
    /// reader's hold is "not found", so its existence is not revealed).
    pub(crate) fn cancel_hold_of(
        &self,
        owner: Option<ReaderId>,
        actor: &Actor,
        id: HoldId,
    ) -> Result<HoldView, AppError> {
        let today = today();
        let days = self.circulation.hold_shelf_days;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let hold = holds::find(conn, id).map_err(hold_missing)?;
            if owner.is_some_and(|reader| reader != hold.reader_id) {
                return Err(AppError::NotFound { entity: "hold" });
            }
            if !hold.status.is_open() {
                return Err(AppError::conflict(
                    "hold_closed",
                    "this hold is no longer open",
                ));
            }
            if !holds::cancel(conn, id, now)? {
                return Err(AppError::conflict(
                    "hold_closed",
                    "this hold is no longer open",
                ));
            }
            let mut after = hold.clone();
            after.status = HoldStatus::Cancelled;
            after.closed_at = Some(now);
            after.version += 1;
            audit(
                conn,
                actor,
                "cancel_hold",
                ("hold", &id),
                Some(snapshot(&hold)),
                Some(snapshot(&after)),
            )?;
            if let Some(reader) = owner {
                let kind = kitap_db::reader_activity::ActivityKind::HoldCancelled;
                super::self_service::log_activity(conn, reader, kind, now)?;
            }
            match hold.status {
                HoldStatus::Ready | HoldStatus::InTransit => {
                    release(conn, actor, &hold, (today, days), now)?;
                }
                _ => {
                    let here = actor.branch_id.unwrap_or(hold.pickup_branch_id);
                    crate::exchange::routing::call_off_request(conn, actor, id, None, here, now)?;
                }
            }
            view(conn, after, false)
        })
    }

    /// Expires ready holds past their last pickup day and traps their
    /// copies again (administrators; the server's hourly tick runs it too).
    pub fn expire_holds(&self, who: &Principal, actor: &Actor) -> Result<HoldExpiry, AppError> {
        who.require_role(JOB_RUNNERS)?;
        self.expire_holds_job(actor)
    }

    /// The expiry job without a principal, for the periodic tick.
    pub fn expire_holds_job(&self, actor: &Actor) -> Result<HoldExpiry, AppError> {
        let today = today();
        let days = self.circulation.hold_shelf_days;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let mut out = HoldExpiry::default();
            for hold in holds::expired_ready(conn, today, 1_000)? {
                let mut after = hold.clone();
                after.status = HoldStatus::Expired;
                after.closed_at = Some(now);
                save(conn, actor, "expire_hold", &hold, after)?;
                out.expired += 1;
                if hold.trapped_copy_id.is_some() {
                    if release(conn, actor, &hold, (today, days), now)? {
                        out.retrapped += 1;
                    } else {
                        out.released += 1;
                    }
                }
            }
            Ok(out)
        })
    }
}
