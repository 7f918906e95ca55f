//! Thematic selections (іріктеу, issue #7 point 4): copies lent as a unit
//! from one library to another until a due date. Created as a draft,
//! dispatched as a unit (every copy or none), received at the borrowing
//! library where readers borrow them like its own, returned as a unit
//! (copies on the shelf travel home at once, copies with a reader go home
//! on their return) and closed when none travels any more. Every copy move
//! is `kitap_exchange::apply` + [`position::write`]; the selection's status
//! follows its copies ([`settle`]).

use chrono::{Datelike, Duration, NaiveDate};
use kitap_db::copies::{self, StoredCopy};
use kitap_db::exchange::requests;
use kitap_db::exchange::selections::{
    self, SelectionCopyState, SelectionFilter, StoredReminder, StoredSelection,
    OPEN_SELECTION_COPY_INDEX,
};
use kitap_db::{branches, DbConnection, DbError};
use kitap_domain::{
    BranchId, CopyId, CopyStatus, LibraryRequestId, SelectionId, SelectionStatus, Timestamp,
    ValueError,
};
use kitap_exchange::{Op, Place, TransitReason};
use serde_json::json;

use super::moves::{dispatch_in, receive_in, MOVERS, WATCHERS};
use super::position::{self, refused, At};
use crate::circulation::today;
use crate::{Actor, App, AppError, Principal};

/// The prefix of selection numbers ("ІР-2026/0001").
const NUMBER_PREFIX: &str = "ІР";

/// Reminder kinds, as stored.
pub const DUE_SOON: &str = "due_soon";
pub const OVERDUE: &str = "overdue";

/// Copies named by id or by barcode.
#[derive(Debug, Clone, Default)]
pub struct CopyPick {
    pub ids: Vec<CopyId>,
    pub barcodes: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct NewSelection {
    pub name: String,
    pub to: BranchId,
    pub due_on: NaiveDate,
    pub note: Option<String>,
    pub copies: CopyPick,
    pub request_id: Option<LibraryRequestId>,
}

/// One copy of a selection with where it is now.
#[derive(Debug, Clone)]
pub struct SelectionCopyView {
    pub copy_id: CopyId,
    pub record_id: kitap_domain::RecordId,
    pub barcode: String,
    pub inventory_number: String,
    pub title: String,
    /// included, lent, returned or missing.
    pub state: String,
    pub returned_at: Option<Timestamp>,
    pub place: Place,
    /// The reader who has it (on loan or waiting on a hold shelf).
    pub reader_name: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SelectionView {
    pub selection: StoredSelection,
    pub copies: Vec<SelectionCopyView>,
}

/// The return of a selection: what came home, what travels, what readers
/// still have at the borrowing library, and what is nowhere it should be.
#[derive(Debug, Clone)]
pub struct SelectionReport {
    pub selection: StoredSelection,
    pub returned: Vec<SelectionCopyView>,
    pub travelling: Vec<SelectionCopyView>,
    pub on_loan: Vec<SelectionCopyView>,
    pub missing: Vec<SelectionCopyView>,
}

#[derive(Debug, Clone, Default)]
pub struct SelectionQuery {
    /// Either side.
    pub library: Option<BranchId>,
    pub status: Option<SelectionStatus>,
    pub open: bool,
    pub due_before: Option<NaiveDate>,
    pub limit: i64,
}

/// An open reminder with its selection.
#[derive(Debug, Clone)]
pub struct ReminderView {
    pub reminder: StoredReminder,
    pub selection: StoredSelection,
}

/// Reminders a run wrote (not those written before).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReminderRun {
    pub due_soon: usize,
    pub overdue: usize,
}

pub(crate) fn missing_selection(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound {
            entity: "selection",
        },
        other => other.into(),
    }
}

fn wrong_status(s: &StoredSelection, wanted: &str) -> AppError {
    AppError::conflict(
        "selection_wrong_status",
        format!("selection {} is {}; {wanted}", s.number, s.status),
    )
}

fn wrong_library(here: BranchId, side: &str) -> AppError {
    AppError::conflict(
        "wrong_library",
        format!("library {here} is not the {side} library of this selection"),
    )
}

fn year_of(now: Timestamp) -> i32 {
    crate::circulation::local_day(now.utc()).year()
}

/// Resolves a pick of copies (ids and barcodes), locked, without repeats.
pub(crate) fn picked(
    conn: &mut DbConnection,
    pick: &CopyPick,
) -> Result<Vec<StoredCopy>, AppError> {
    let mut out: Vec<StoredCopy> = Vec::new();
    for id in &pick.ids {
        let c = copies::find_for_update(conn, *id).map_err(crate::catalog::copy_missing)?;
        if !out.iter().any(|o| o.id == c.id) {
            out.push(c);
        }
    }
    for raw in &pick.barcodes {
        let barcode: kitap_domain::Barcode = raw.parse()?;
        let c = copies::find_by_barcode_for_update(conn, &barcode)
            .map_err(crate::catalog::copy_missing)?;
        if !out.iter().any(|o| o.id == c.id) {
            out.push(c);
        }
    }
    Ok(out)
}

/// Refuses a copy that is not free on the open shelf of `from`: not lent,
/// on no pick list, not on loan, not travelling, not missing.
fn require_on_shelf(
    conn: &mut DbConnection,
    copy: &StoredCopy,
    from: BranchId,
) -> Result<position::Loaded, AppError> {
    let loaded = position::load(conn, copy.clone())?;
    let p = &loaded.pos;
    let why = if loaded.unrouted_transit || copy.status != CopyStatus::Available {
        Some(format!("its status is {}", copy.status))
    } else if p.place != (Place::Shelf { at: from }) {
        Some(format!("it is {}", p.place.code()))
    } else if let Some(pending) = p.pending {
        Some(format!("it is on the pick list to {}", pending.to))
    } else {
        p.lent
            .map(|l| format!("it is lent in selection {}", l.selection))
    };
    match why {
        Some(why) => Err(AppError::conflict(
            "copy_not_on_shelf",
            format!(
                "copy {} is not free on the shelf of this library: {why}",
                copy.inventory_number
            ),
        )),
        None => Ok(loaded),
    }
}

/// Adds checked copies to a draft, one by one so a copy already in another
/// open selection is named.
fn add_checked(
    conn: &mut DbConnection,
    s: &StoredSelection,
    list: &[StoredCopy],
) -> Result<(), AppError> {
    for copy in list {
        require_on_shelf(conn, copy, s.from_branch_id)?;
        selections::add_copies(conn, s.id, &[copy.id]).map_err(|e| match e {
            DbError::UniqueViolation(ix) if ix == OPEN_SELECTION_COPY_INDEX => AppError::conflict(
                "copy_in_selection",
                format!(
                    "copy {} is already in another open selection",
                    copy.inventory_number
                ),
            ),
            DbError::UniqueViolation(_) => AppError::conflict(
                "copy_in_selection",
                format!(
                    "copy {} is already in this selection",
                    copy.inventory_number
                ),
            ),
            other => other.into(),
        })?;
    }
    Ok(())
}

fn save(conn: &mut DbConnection, s: &mut StoredSelection) -> Result<(), AppError> {
    let expected = s.version;
    s.version += 1;
    if !selections::update(conn, s, expected).map_err(missing_selection)? {
        return Err(AppError::VersionConflict { current: expected });
    }
    Ok(())
}

fn summary(s: &StoredSelection) -> serde_json::Value {
    json!({
        "number": s.number,
        "status": s.status.as_str(),
        "from": s.from_branch_id.to_string(),
        "to": s.to_branch_id.to_string(),
        "due_on": s.due_on.to_string(),
    })
}

/// Creates a draft selection from `from` inside the caller's transaction.
pub(crate) fn create_in(
    conn: &mut DbConnection,
    actor: &Actor,
    from: BranchId,
    new: &NewSelection,
    now: Timestamp,
) -> Result<StoredSelection, AppError> {
    let name = new.name.trim();
    if name.is_empty() {
        return Err(ValueError::new("name", "must not be empty").into());
    }
    if new.to == from {
        return Err(AppError::conflict(
            "same_library",
            "a selection goes to another library than the one lending it",
        ));
    }
    if new.due_on <= today() {
        return Err(ValueError::new("due_on", "must be after today").into());
    }
    branches::find(conn, new.to).map_err(|e| match e {
        DbError::NotFound => AppError::NotFound { entity: "library" },
        other => other.into(),
    })?;
    if let Some(r) = new.request_id {
        requests::find(conn, r).map_err(super::requests::missing_request)?;
    }
    let year = year_of(now);
    let n = selections::next_number(conn, year)?;
    let s = StoredSelection {
        id: SelectionId::new(),
        number: format!("{NUMBER_PREFIX}-{year}/{n:04}"),
        name: name.to_owned(),
        from_branch_id: from,
        to_branch_id: new.to,
        request_id: new.request_id,
        due_on: new.due_on,
        status: SelectionStatus::Draft,
        note: new.note.clone().filter(|n| !n.trim().is_empty()),
        created_by: actor.staff_id,
        created_at: now,
        dispatched_at: None,
        received_at: None,
        returned_at: None,
        closed_at: None,
        version: 1,
    };
    selections::insert(conn, &s)?;
    let list = picked(conn, &new.copies)?;
    add_checked(conn, &s, &list)?;
    crate::audit::record(
        conn,
        actor,
        "create",
        ("selection", &s.id),
        None,
        Some(json!({"selection": summary(&s), "copies": list.len()})),
    )?;
    Ok(s)
}

/// Dispatches a draft as a unit inside the caller's transaction: every
/// copy is requested for the selection and sent, or (one not on the shelf
/// any more) nothing is.
pub(crate) fn dispatch_unit(
    conn: &mut DbConnection,
    actor: &Actor,
    mut s: StoredSelection,
    here: BranchId,
    now: Timestamp,
) -> Result<StoredSelection, AppError> {
    if here != s.from_branch_id {
        return Err(wrong_library(here, "lending"));
    }
    if s.status != SelectionStatus::Draft {
        return Err(wrong_status(&s, "only a draft is dispatched"));
    }
    let rows = selections::copies(conn, s.id)?;
    if rows.is_empty() {
        return Err(AppError::conflict(
            "selection_empty",
            format!("selection {} has no copies", s.number),
        ));
    }
    let at = At {
        actor,
        here,
        now,
        note: None,
    };
    for row in &rows {
        let copy = copies::find_for_update(conn, row.copy_id)?;
        let loaded = require_on_shelf(conn, &copy, s.from_branch_id)?;
        let op = Op::Request {
            to: s.to_branch_id,
            reason: TransitReason::Selection(s.id),
        };
        let after = kitap_exchange::apply(&loaded.pos, &op).map_err(refused)?;
        position::write(conn, &loaded, &after, &at)?;
        dispatch_in(conn, actor, &copy, here, now)?;
    }
    let before = summary(&s);
    s.status = SelectionStatus::Dispatched;
    s.dispatched_at = Some(now);
    save(conn, &mut s)?;
    crate::audit::record(
        conn,
        actor,
        "dispatch",
        ("selection", &s.id),
        Some(before),
        Some(summary(&s)),
    )?;
    Ok(s)
}

/// Whether any copy of the selection travels for it (out or home).
fn travelling(conn: &mut DbConnection, s: &StoredSelection) -> Result<bool, AppError> {
    for row in selections::copies(conn, s.id)? {
        let copy = copies::find(conn, row.copy_id)?;
        let loaded = position::load(conn, copy)?;
        if let Place::InTransit {
            reason: TransitReason::Selection(id) | TransitReason::SelectionReturn(id),
            ..
        } = loaded.pos.place
        {
            if id == s.id {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Moves the selection on when its copies have: `dispatched` becomes `lent`
/// when none travels out any more, `returning` becomes `closed` when none
/// travels home. Called after every receipt of one of its copies.
pub(crate) fn settle(
    conn: &mut DbConnection,
    actor: &Actor,
    id: SelectionId,
    now: Timestamp,
) -> Result<(), AppError> {
    let mut s = selections::find(conn, id).map_err(missing_selection)?;
    let next = match s.status {
        SelectionStatus::Dispatched => SelectionStatus::Lent,
        SelectionStatus::Returning => SelectionStatus::Closed,
        _ => return Ok(()),
    };
    if travelling(conn, &s)? {
        return Ok(());
    }
    let before = summary(&s);
    s.status = next;
    match next {
        SelectionStatus::Lent => s.received_at = Some(now),
        _ => s.closed_at = Some(now),
    }
    save(conn, &mut s)?;
    crate::audit::record(
        conn,
        actor,
        if next == SelectionStatus::Lent {
            "receive"
        } else {
            "close"
        },
        ("selection", &s.id),
        Some(before),
        Some(summary(&s)),
    )?;
    Ok(())
}

/// Receives at `here` every copy travelling to it for the selection, out
/// (`Selection`) or home (`SelectionReturn`).
fn receive_all(
    conn: &mut DbConnection,
    actor: &Actor,
    s: &StoredSelection,
    here: BranchId,
    clock: (NaiveDate, u16),
    now: Timestamp,
) -> Result<usize, AppError> {
    let mut received = 0;
    for row in selections::copies(conn, s.id)? {
        let copy = copies::find_for_update(conn, row.copy_id)?;
        let loaded = position::load(conn, copy.clone())?;
        if let Place::InTransit {
            to,
            reason: TransitReason::Selection(id) | TransitReason::SelectionReturn(id),
            ..
        } = loaded.pos.place
        {
            if id == s.id && to == here {
                receive_in(conn, actor, &copy, here, clock, now)?;
                received += 1;
            }
        }
    }
    settle(conn, actor, s.id, now)?;
    Ok(received)
}

fn reader_of(conn: &mut DbConnection, place: &Place) -> Result<Option<String>, AppError> {
    let reader = match *place {
        Place::OnLoan { reader, .. } | Place::HoldShelf { reader, .. } => reader,
        _ => return Ok(None),
    };
    let r = kitap_db::readers::find(conn, reader)?;
    Ok(Some(crate::circulation::full_name(&r)))
}

fn copy_views(
    conn: &mut DbConnection,
    s: &StoredSelection,
) -> Result<Vec<(SelectionCopyView, position::Loaded)>, AppError> {
    let mut out = Vec::new();
    for row in selections::copies(conn, s.id)? {
        let copy = copies::find(conn, row.copy_id)?;
        let title = kitap_db::records::find(conn, copy.record_id)?.derived.title;
        let loaded = position::load(conn, copy.clone())?;
        let reader_name = reader_of(conn, &loaded.pos.place)?;
        out.push((
            SelectionCopyView {
                copy_id: copy.id,
                record_id: copy.record_id,
                barcode: copy.barcode.to_string(),
                inventory_number: copy.inventory_number.to_string(),
                title,
                state: row.state.as_str().to_owned(),
                returned_at: row.returned_at,
                place: loaded.pos.place,
                reader_name,
            },
            loaded,
        ));
    }
    Ok(out)
}

pub(crate) fn view_in(
    conn: &mut DbConnection,
    s: StoredSelection,
) -> Result<SelectionView, AppError> {
    let copies = copy_views(conn, &s)?.into_iter().map(|(v, _)| v).collect();
    Ok(SelectionView {
        selection: s,
        copies,
    })
}

fn find_for(conn: &mut DbConnection, id: SelectionId) -> Result<StoredSelection, AppError> {
    selections::find(conn, id).map_err(missing_selection)
}

/// The side of a selection a library acts on.
#[derive(Debug, Clone, Copy)]
enum Side {
    Lending,
    Borrowing,
}

/// The selection, if `here` is its `side` library and it is in `status`;
/// otherwise `wrong_library` or `selection_wrong_status` (saying `why`).
fn checked(
    conn: &mut DbConnection,
    id: SelectionId,
    here: BranchId,
    (side, status, why): (Side, SelectionStatus, &str),
) -> Result<StoredSelection, AppError> {
    let s = find_for(conn, id)?;
    let (library, name) = match side {
        Side::Lending => (s.from_branch_id, "lending"),
        Side::Borrowing => (s.to_branch_id, "borrowing"),
    };
    if here != library {
        return Err(wrong_library(here, name));
    }
    if s.status != status {
        return Err(wrong_status(&s, why));
    }
    Ok(s)
}

impl App {
    /// Creates a draft selection lent by the acting library.
    pub fn create_selection(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewSelection,
    ) -> Result<SelectionView, AppError> {
        who.require_role(MOVERS)?;
        let now = Timestamp::now();
        let from = who.acting_branch.id;
        self.db.write(|conn| {
            let s = create_in(conn, actor, from, &new, now)?;
            view_in(conn, s)
        })
    }

    /// Adds copies to a draft (at the lending library).
    pub fn add_selection_copies(
        &self,
        who: &Principal,
        actor: &Actor,
        id: SelectionId,
        pick: CopyPick,
    ) -> Result<SelectionView, AppError> {
        who.require_role(MOVERS)?;
        let here = who.acting_branch.id;
        self.db.write(|conn| {
            let s = checked(
                conn,
                id,
                here,
                (
                    Side::Lending,
                    SelectionStatus::Draft,
                    "copies are added to a draft only",
                ),
            )?;
            let list = picked(conn, &pick)?;
            add_checked(conn, &s, &list)?;
            let ids: Vec<String> = list.iter().map(|c| c.id.to_string()).collect();
            crate::audit::record(
                conn,
                actor,
                "add_copies",
                ("selection", &s.id),
                None,
                Some(json!({"copies": ids})),
            )?;
            view_in(conn, s)
        })
    }

    /// Takes a copy out of a draft.
    pub fn remove_selection_copy(
        &self,
        who: &Principal,
        actor: &Actor,
        id: SelectionId,
        copy: CopyId,
    ) -> Result<SelectionView, AppError> {
        who.require_role(MOVERS)?;
        let here = who.acting_branch.id;
        self.db.write(|conn| {
            let s = checked(
                conn,
                id,
                here,
                (
                    Side::Lending,
                    SelectionStatus::Draft,
                    "copies are taken out of a draft only",
                ),
            )?;
            if !selections::remove_copy(conn, s.id, copy)? {
                return Err(AppError::NotFound { entity: "copy" });
            }
            crate::audit::record(
                conn,
                actor,
                "remove_copy",
                ("selection", &s.id),
                Some(json!({"copy": copy.to_string()})),
                None,
            )?;
            view_in(conn, s)
        })
    }

    /// Cancels a draft at the lending library: its copies are free for
    /// another selection. A dispatched selection comes back by its return.
    pub fn cancel_selection(
        &self,
        who: &Principal,
        actor: &Actor,
        id: SelectionId,
    ) -> Result<SelectionView, AppError> {
        who.require_role(MOVERS)?;
        let now = Timestamp::now();
        let here = who.acting_branch.id;
        self.db.write(|conn| {
            let mut s = checked(
                conn,
                id,
                here,
                (
                    Side::Lending,
                    SelectionStatus::Draft,
                    "only a draft is cancelled; a dispatched selection is returned as a unit",
                ),
            )?;
            let before = summary(&s);
            for c in selections::copies(conn, s.id)? {
                selections::remove_copy(conn, s.id, c.copy_id)?;
            }
            s.status = SelectionStatus::Cancelled;
            s.closed_at = Some(now);
            save(conn, &mut s)?;
            crate::audit::record(
                conn,
                actor,
                "cancel_selection",
                ("selection", &s.id),
                Some(before),
                Some(summary(&s)),
            )?;
            view_in(conn, s)
        })
    }

    /// Sends a draft as a unit from the lending library.
    pub fn dispatch_selection(
        &self,
        who: &Principal,
        actor: &Actor,
        id: SelectionId,
    ) -> Result<SelectionView, AppError> {
        who.require_role(MOVERS)?;
        let now = Timestamp::now();
        let here = who.acting_branch.id;
        self.db.write(|conn| {
            let s = find_for(conn, id)?;
            let s = dispatch_unit(conn, actor, s, here, now)?;
            view_in(conn, s)
        })
    }

    /// Receives at the borrowing library every copy still travelling to it.
    pub fn receive_selection(
        &self,
        who: &Principal,
        actor: &Actor,
        id: SelectionId,
    ) -> Result<SelectionView, AppError> {
        who.require_role(MOVERS)?;
        let now = Timestamp::now();
        let here = who.acting_branch.id;
        let clock = (today(), self.circulation.hold_shelf_days);
        self.db.write(|conn| {
            let s = checked(
                conn,
                id,
                here,
                (
                    Side::Borrowing,
                    SelectionStatus::Dispatched,
                    "only a dispatched selection is received",
                ),
            )?;
            receive_all(conn, actor, &s, here, clock, now)?;
            let s = find_for(conn, id)?;
            view_in(conn, s)
        })
    }

    /// Returns a lent selection as a unit from the borrowing library: copies
    /// on its shelf travel home now, copies with readers go home on their
    /// return, copies marked missing or lost there stay reported missing.
    pub fn return_selection(
        &self,
        who: &Principal,
        actor: &Actor,
        id: SelectionId,
    ) -> Result<SelectionView, AppError> {
        who.require_role(MOVERS)?;
        let now = Timestamp::now();
        let here = who.acting_branch.id;
        self.db.write(|conn| {
            let mut s = checked(
                conn,
                id,
                here,
                (
                    Side::Borrowing,
                    SelectionStatus::Lent,
                    "only a lent selection is returned",
                ),
            )?;
            let at = At {
                actor,
                here,
                now,
                note: None,
            };
            for row in selections::copies(conn, s.id)? {
                if row.state != SelectionCopyState::Lent {
                    continue;
                }
                let copy = copies::find_for_update(conn, row.copy_id)?;
                let loaded = position::load(conn, copy.clone())?;
                let gone = matches!(copy.status, CopyStatus::Missing | CopyStatus::Lost)
                    && matches!(loaded.pos.place, Place::Shelf { .. });
                if gone {
                    selections::set_copy_state(
                        conn,
                        s.id,
                        copy.id,
                        SelectionCopyState::Missing,
                        None,
                    )?;
                    continue;
                }
                let op = Op::ReturnSelection { selection: s.id };
                let after = kitap_exchange::apply(&loaded.pos, &op).map_err(|r| {
                    let mut e = refused(r);
                    if let AppError::Conflict { message, .. } = &mut e {
                        *message = format!("copy {}: {message}", copy.inventory_number);
                    }
                    e
                })?;
                position::write(conn, &loaded, &after, &at)?;
            }
            let before = summary(&s);
            s.status = SelectionStatus::Returning;
            s.returned_at = Some(now);
            save(conn, &mut s)?;
            crate::audit::record(
                conn,
                actor,
                "return",
                ("selection", &s.id),
                Some(before),
                Some(summary(&s)),
            )?;
            settle(conn, actor, s.id, now)?;
            let s = find_for(conn, id)?;
            view_in(conn, s)
        })
    }

    /// Receives at the lending library every copy travelling home for the
    /// selection.
    pub fn receive_selection_home(
        &self,
        who: &Principal,
        actor: &Actor,
        id: SelectionId,
    ) -> Result<SelectionView, AppError> {
        who.require_role(MOVERS)?;
        let now = Timestamp::now();
        let here = who.acting_branch.id;
        let clock = (today(), self.circulation.hold_shelf_days);
        self.db.write(|conn| {
            let s = checked(
                conn,
                id,
                here,
                (
                    Side::Lending,
                    SelectionStatus::Returning,
                    "only a returning selection is received home",
                ),
            )?;
            receive_all(conn, actor, &s, here, clock, now)?;
            let s = find_for(conn, id)?;
            view_in(conn, s)
        })
    }

    /// Selections by library (either side), status, open, due date; newest first.
    pub fn selections(
        &self,
        who: &Principal,
        q: SelectionQuery,
    ) -> Result<Vec<StoredSelection>, AppError> {
        who.require_role(WATCHERS)?;
        let limit = q.limit.clamp(1, 10_000);
        self.db.read(|conn| {
            let base = SelectionFilter {
                status: q.status,
                open_only: q.open,
                due_before: q.due_before,
                limit,
                ..SelectionFilter::default()
            };
            let mut found = match q.library {
                None => selections::list(conn, &base)?,
                Some(b) => {
                    let mut out = selections::list(
                        conn,
                        &SelectionFilter {
                            from: Some(b),
                            ..base.clone()
                        },
                    )?;
                    out.extend(selections::list(
                        conn,
                        &SelectionFilter {
                            to: Some(b),
                            ..base
                        },
                    )?);
                    out
                }
            };
            found.sort_by_key(|s| std::cmp::Reverse((s.created_at, s.id)));
            found.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
            Ok(found)
        })
    }

    /// One selection with its copies and where each is now.
    pub fn selection(&self, who: &Principal, id: SelectionId) -> Result<SelectionView, AppError> {
        who.require_role(WATCHERS)?;
        self.db.read(|conn| {
            let s = find_for(conn, id)?;
            view_in(conn, s)
        })
    }

    /// The return report: returned (home on its shelf), travelling, still
    /// with a reader (or on a hold shelf) at the borrowing library, missing.
    pub fn selection_report(
        &self,
        who: &Principal,
        id: SelectionId,
    ) -> Result<SelectionReport, AppError> {
        who.require_role(WATCHERS)?;
        self.db.read(|conn| {
            let s = find_for(conn, id)?;
            let mut report = SelectionReport {
                selection: s.clone(),
                returned: Vec::new(),
                travelling: Vec::new(),
                on_loan: Vec::new(),
                missing: Vec::new(),
            };
            for (v, loaded) in copy_views(conn, &s)? {
                let pos = loaded.pos;
                let lost = matches!(loaded.copy.status, CopyStatus::Missing | CopyStatus::Lost);
                match pos.place {
                    Place::InTransit { .. } => report.travelling.push(v),
                    Place::OnLoan { .. } | Place::HoldShelf { .. } => report.on_loan.push(v),
                    Place::Shelf { at }
                        if !lost
                            && pos.lent.is_none()
                            && at == pos.home
                            && v.state != "missing" =>
                    {
                        report.returned.push(v)
                    }
                    Place::Shelf { .. } => report.missing.push(v),
                }
            }
            Ok(report)
        })
    }

    /// Writes the reminders due now: `due_soon` for lent selections due
    /// within `[exchange] selection_reminder_days`, `overdue` after their
    /// due date. Each is written once, so the job may run any number of times.
    pub fn selection_reminders_job(&self, actor: &Actor) -> Result<ReminderRun, AppError> {
        let days = i64::from(self.exchange.selection_reminder_days);
        let now = Timestamp::now();
        let today = today();
        self.db.write(|conn| {
            let filter = SelectionFilter {
                status: Some(SelectionStatus::Lent),
                limit: 100_000,
                ..SelectionFilter::default()
            };
            let mut run = ReminderRun::default();
            for s in selections::list(conn, &filter)? {
                if s.due_on < today {
                    if selections::insert_reminder(conn, s.id, OVERDUE, now)? {
                        run.overdue += 1;
                    }
                } else if s.due_on <= today + Duration::days(days)
                    && selections::insert_reminder(conn, s.id, DUE_SOON, now)?
                {
                    run.due_soon += 1;
                }
            }
            if run != ReminderRun::default() {
                crate::audit::record(
                    conn,
                    actor,
                    "remind",
                    ("selection_reminders", &"job"),
                    None,
                    Some(json!({"due_soon": run.due_soon, "overdue": run.overdue})),
                )?;
            }
            Ok(run)
        })
    }

    /// Runs the reminder job now (administrators).
    pub fn run_selection_reminders(
        &self,
        who: &Principal,
        actor: &Actor,
    ) -> Result<ReminderRun, AppError> {
        who.require_role(&[kitap_domain::Role::Admin])?;
        self.selection_reminders_job(actor)
    }

    /// Open reminders of the selections lent to `library` (all when `None`).
    pub fn selection_reminders(
        &self,
        who: &Principal,
        library: Option<BranchId>,
    ) -> Result<Vec<ReminderView>, AppError> {
        who.require_role(WATCHERS)?;
        self.db.read(|conn| {
            let mut out = Vec::new();
            for r in selections::open_reminders(conn, library)? {
                let selection = find_for(conn, r.selection_id)?;
                out.push(ReminderView {
                    reminder: r,
                    selection,
                });
            }
            Ok(out)
        })
    }

    /// Marks a reminder read.
    pub fn acknowledge_selection_reminder(
        &self,
        who: &Principal,
        actor: &Actor,
        id: SelectionId,
        kind: &str,
    ) -> Result<(), AppError> {
        who.require_role(MOVERS)?;
        if kind != DUE_SOON && kind != OVERDUE {
            return Err(ValueError::new("kind", "must be one of due_soon, overdue").into());
        }
        let now = Timestamp::now();
        self.db.write(|conn| {
            find_for(conn, id)?;
            let done = selections::acknowledge_reminder(conn, id, kind, actor.staff_id, now)
                .map_err(|e| match e {
                    DbError::NotFound => AppError::NotFound {
                        entity: "selection reminder",
                    },
                    other => other.into(),
                })?;
            if done {
                crate::audit::record(
                    conn,
                    actor,
                    "acknowledge",
                    ("selection", &id),
                    None,
                    Some(json!({"reminder": kind})),
                )?;
            }
            Ok(())
        })
    }
}
