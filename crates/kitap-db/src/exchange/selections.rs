//! Thematic selections (іріктеу): copies lent as a unit to another library
//! until a due date, their copies and the reminders to the borrowing library.
//! The partial unique index `selection_copies_open` keeps a copy in at most
//! one open (included or lent) selection on both backends.

use chrono::NaiveDate;
use diesel::prelude::*;
use kitap_domain::{
    BranchId, CopyId, LibraryRequestId, SelectionId, SelectionStatus, StaffId, Timestamp,
    ValueError,
};

use crate::conn::per_backend;
use crate::counters;
use crate::schema::{selection_copies, selection_reminders, selections};
use crate::{DbConnection, DbError};

/// Adding a copy that is already in another open selection fails with
/// `DbError::UniqueViolation(OPEN_SELECTION_COPY_INDEX)` on both backends.
pub const OPEN_SELECTION_COPY_INDEX: &str = "selection_copies_open";

/// The document series of selection numbers, one per year
/// ("selection/2026"), kept by [`crate::counters`].
pub const NUMBER_SERIES: &str = "selection";

/// Statuses after which a selection is over: its copies are home or missing.
const FINISHED: [&str; 2] = ["closed", "cancelled"];

/// Rows per multi-row INSERT: far below SQLite's 32,766 bound parameters.
const CHUNK: usize = 2000;

/// The next number of [`NUMBER_SERIES`] in `year`; the caller formats it.
/// Call it inside the transaction that inserts the selection, so a rolled
/// back selection gives its number back.
pub fn next_number(conn: &mut DbConnection, year: i32) -> Result<i32, DbError> {
    counters::next(conn, &format!("{NUMBER_SERIES}/{year}"))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSelection {
    pub id: SelectionId,
    pub number: String,
    pub name: String,
    /// The lending library (the copies' home).
    pub from_branch_id: BranchId,
    /// The borrowing library.
    pub to_branch_id: BranchId,
    /// The library request this selection answers, if any.
    pub request_id: Option<LibraryRequestId>,
    pub due_on: NaiveDate,
    pub status: SelectionStatus,
    pub note: Option<String>,
    pub created_by: Option<StaffId>,
    pub created_at: Timestamp,
    pub dispatched_at: Option<Timestamp>,
    pub received_at: Option<Timestamp>,
    pub returned_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    pub version: i64,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = selections)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    number: String,
    name: String,
    from_branch_id: String,
    to_branch_id: String,
    request_id: Option<String>,
    due_on: NaiveDate,
    status: String,
    note: Option<String>,
    created_by: Option<String>,
    created_at: chrono::NaiveDateTime,
    dispatched_at: Option<chrono::NaiveDateTime>,
    received_at: Option<chrono::NaiveDateTime>,
    returned_at: Option<chrono::NaiveDateTime>,
    closed_at: Option<chrono::NaiveDateTime>,
    version: i64,
}

fn opt<T: std::str::FromStr<Err = ValueError>>(raw: Option<&str>) -> Result<Option<T>, ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredSelection {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt = |err: ValueError| DbError::Corrupt(format!("selection {}: {err}", row.id));
        Ok(StoredSelection {
            id: row.id.parse().map_err(corrupt)?,
            number: row.number,
            name: row.name,
            from_branch_id: row.from_branch_id.parse().map_err(corrupt)?,
            to_branch_id: row.to_branch_id.parse().map_err(corrupt)?,
            request_id: opt(row.request_id.as_deref()).map_err(corrupt)?,
            due_on: row.due_on,
            status: row.status.parse().map_err(corrupt)?,
            note: row.note,
            created_by: opt(row.created_by.as_deref()).map_err(corrupt)?,
            created_at: Timestamp::from_naive(row.created_at),
            dispatched_at: row.dispatched_at.map(Timestamp::from_naive),
            received_at: row.received_at.map(Timestamp::from_naive),
            returned_at: row.returned_at.map(Timestamp::from_naive),
            closed_at: row.closed_at.map(Timestamp::from_naive),
            version: row.version,
        })
    }
}

impl From<&StoredSelection> for Row {
    fn from(s: &StoredSelection) -> Self {
        Row {
            id: s.id.to_string(),
            number: s.number.clone(),
            name: s.name.clone(),
            from_branch_id: s.from_branch_id.to_string(),
            to_branch_id: s.to_branch_id.to_string(),
            request_id: s.request_id.map(|id| id.to_string()),
            due_on: s.due_on,
            status: s.status.as_str().to_owned(),
            note: s.note.clone(),
            created_by: s.created_by.map(|id| id.to_string()),
            created_at: s.created_at.naive(),
            dispatched_at: s.dispatched_at.map(Timestamp::naive),
            received_at: s.received_at.map(Timestamp::naive),
            returned_at: s.returned_at.map(Timestamp::naive),
            closed_at: s.closed_at.map(Timestamp::naive),
            version: s.version,
        }
    }
}

fn load(rows: Vec<Row>) -> Result<Vec<StoredSelection>, DbError> {
    rows.into_iter().map(StoredSelection::try_from).collect()
}

/// Where a copy of a selection is: `Included` until the borrowing library
/// receives it, `Lent` while there, then `Returned` (back home) or `Missing`
/// (not back when the selection was closed). Local to the storage layer: the
/// names are the CHECK constraint's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SelectionCopyState {
    Included,
    Lent,
    Returned,
    Missing,
}

impl SelectionCopyState {
    pub const ALL: &'static [SelectionCopyState] = &[
        SelectionCopyState::Included,
        SelectionCopyState::Lent,
        SelectionCopyState::Returned,
        SelectionCopyState::Missing,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SelectionCopyState::Included => "included",
            SelectionCopyState::Lent => "lent",
            SelectionCopyState::Returned => "returned",
            SelectionCopyState::Missing => "missing",
        }
    }

    /// Included or lent: the states the partial unique index covers.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            SelectionCopyState::Included | SelectionCopyState::Lent
        )
    }
}

impl std::fmt::Display for SelectionCopyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for SelectionCopyState {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, ValueError> {
        SelectionCopyState::ALL
            .iter()
            .copied()
            .find(|v| v.as_str() == s)
            .ok_or_else(|| {
                ValueError::new("state", "must be one of included, lent, returned, missing")
            })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSelectionCopy {
    pub selection_id: SelectionId,
    pub copy_id: CopyId,
    pub state: SelectionCopyState,
    /// When the copy came back home (state `Returned`).
    pub returned_at: Option<Timestamp>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = selection_copies)]
#[diesel(treat_none_as_default_value = false)]
struct CopyRow {
    selection_id: String,
    copy_id: String,
    state: String,
    returned_at: Option<chrono::NaiveDateTime>,
}

impl TryFrom<CopyRow> for StoredSelectionCopy {
    type Error = DbError;

    fn try_from(row: CopyRow) -> Result<Self, DbError> {
        let corrupt = |err: ValueError| {
            DbError::Corrupt(format!(
                "copy {} of selection {}: {err}",
                row.copy_id, row.selection_id
            ))
        };
        Ok(StoredSelectionCopy {
            selection_id: row.selection_id.parse().map_err(corrupt)?,
            copy_id: row.copy_id.parse().map_err(corrupt)?,
            state: row.state.parse().map_err(corrupt)?,
            returned_at: row.returned_at.map(Timestamp::from_naive),
        })
    }
}

/// A reminder to the borrowing library, written once per selection and kind
/// (`due_soon`, `overdue`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReminder {
    pub selection_id: SelectionId,
    pub kind: String,
    pub created_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    pub acknowledged_by: Option<StaffId>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = selection_reminders)]
#[diesel(treat_none_as_default_value = false)]
struct ReminderRow {
    selection_id: String,
    kind: String,
    created_at: chrono::NaiveDateTime,
    acknowledged_at: Option<chrono::NaiveDateTime>,
    acknowledged_by: Option<String>,
}

impl TryFrom<ReminderRow> for StoredReminder {
    type Error = DbError;

    fn try_from(row: ReminderRow) -> Result<Self, DbError> {
        let corrupt = |err: ValueError| {
            DbError::Corrupt(format!(
                "{} reminder of selection {}: {err}",
                row.kind, row.selection_id
            ))
        };
        Ok(StoredReminder {
            selection_id: row.selection_id.parse().map_err(corrupt)?,
            created_at: Timestamp::from_naive(row.created_at),
            acknowledged_at: row.acknowledged_at.map(Timestamp::from_naive),
            acknowledged_by: opt(row.acknowledged_by.as_deref()).map_err(corrupt)?,
            kind: row.kind,
        })
    }
}

/// PostgreSQL names the index; SQLite names its one column. The primary key
/// (selection_id, copy_id) is reported with both columns and is not this
/// index, so the SQLite text is matched whole after the colon.
fn classify(err: diesel::result::Error) -> DbError {
    match DbError::from(err) {
        DbError::UniqueViolation(detail)
            if detail.contains(OPEN_SELECTION_COPY_INDEX)
                || detail.ends_with(": selection_copies.copy_id") =>
        {
            DbError::UniqueViolation(OPEN_SELECTION_COPY_INDEX.to_owned())
        }
        other => other,
    }
}

pub fn insert(conn: &mut DbConnection, s: &StoredSelection) -> Result<(), DbError> {
    diesel::insert_into(selections::table)
        .values(Row::from(s))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: SelectionId) -> Result<StoredSelection, DbError> {
    selections::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

#[derive(Debug, Clone, Default)]
pub struct SelectionFilter {
    /// The borrowing library.
    pub to: Option<BranchId>,
    /// The lending library.
    pub from: Option<BranchId>,
    pub status: Option<SelectionStatus>,
    /// Only selections not closed or cancelled.
    pub open_only: bool,
    /// Due strictly before this day (overdue or soon due, with `open_only`).
    pub due_before: Option<NaiveDate>,
    pub limit: i64,
}

/// Selections by the filter, newest first.
pub fn list(conn: &mut DbConnection, f: &SelectionFilter) -> Result<Vec<StoredSelection>, DbError> {
    let mut q = selections::table.select(Row::as_select()).into_boxed();
    if let Some(b) = f.to {
        q = q.filter(selections::to_branch_id.eq(b.to_string()));
    }
    if let Some(b) = f.from {
        q = q.filter(selections::from_branch_id.eq(b.to_string()));
    }
    if let Some(s) = f.status {
        q = q.filter(selections::status.eq(s.as_str()));
    }
    if f.open_only {
        q = q.filter(selections::status.ne_all(FINISHED));
    }
    if let Some(d) = f.due_before {
        q = q.filter(selections::due_on.lt(d));
    }
    load(
        q.order((selections::created_at.desc(), selections::id.desc()))
            .limit(f.limit.max(1))
            .load(conn)?,
    )
}

/// Writes status, name, note, due date, the dispatch/receipt/return/close
/// stamps and the version of `s` if it is still at `expected_version`:
/// `Ok(false)` when someone else changed it first, `Err(NotFound)` when it is
/// gone. The caller sets `s.version` to the new version.
pub fn update(
    conn: &mut DbConnection,
    s: &StoredSelection,
    expected_version: i64,
) -> Result<bool, DbError> {
    let row = Row::from(s);
    let changed = diesel::update(
        selections::table
            .filter(selections::id.eq(&row.id))
            .filter(selections::version.eq(expected_version)),
    )
    .set((
        selections::version.eq(row.version),
        selections::status.eq(&row.status),
        selections::name.eq(&row.name),
        selections::note.eq(&row.note),
        selections::due_on.eq(row.due_on),
        selections::dispatched_at.eq(row.dispatched_at),
        selections::received_at.eq(row.received_at),
        selections::returned_at.eq(row.returned_at),
        selections::closed_at.eq(row.closed_at),
    ))
    .execute(conn)?;
    if changed == 0 {
        find(conn, s.id)?;
        return Ok(false);
    }
    Ok(true)
}

/// Adds copies to a selection in state `included`. A copy already in another
/// open selection fails the whole call with
/// `UniqueViolation(OPEN_SELECTION_COPY_INDEX)`; run it in a transaction.
pub fn add_copies(
    conn: &mut DbConnection,
    selection: SelectionId,
    copies: &[CopyId],
) -> Result<(), DbError> {
    let selection = selection.to_string();
    for chunk in copies.chunks(CHUNK) {
        let rows: Vec<CopyRow> = chunk
            .iter()
            .map(|copy| CopyRow {
                selection_id: selection.clone(),
                copy_id: copy.to_string(),
                state: SelectionCopyState::Included.as_str().to_owned(),
                returned_at: None,
            })
            .collect();
        per_backend!(conn, |c| diesel::insert_into(selection_copies::table)
            .values(&rows)
            .execute(c)
            .map_err(classify)?);
    }
    Ok(())
}

/// Takes a copy out of a selection: `Ok(false)` when it was not in it.
pub fn remove_copy(
    conn: &mut DbConnection,
    selection: SelectionId,
    copy: CopyId,
) -> Result<bool, DbError> {
    let deleted = diesel::delete(
        selection_copies::table
            .filter(selection_copies::selection_id.eq(selection.to_string()))
            .filter(selection_copies::copy_id.eq(copy.to_string())),
    )
    .execute(conn)?;
    Ok(deleted > 0)
}

/// The copies of a selection, by copy id.
pub fn copies(
    conn: &mut DbConnection,
    selection: SelectionId,
) -> Result<Vec<StoredSelectionCopy>, DbError> {
    selection_copies::table
        .filter(selection_copies::selection_id.eq(selection.to_string()))
        .order(selection_copies::copy_id.asc())
        .select(CopyRow::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredSelectionCopy::try_from)
        .collect()
}

/// Sets the state of one copy of a selection and when it came back:
/// `Ok(false)` when the copy is not in the selection. Reopening a copy that
/// meanwhile joined another open selection fails with
/// `UniqueViolation(OPEN_SELECTION_COPY_INDEX)`.
pub fn set_copy_state(
    conn: &mut DbConnection,
    selection: SelectionId,
    copy: CopyId,
    state: SelectionCopyState,
    returned_at: Option<Timestamp>,
) -> Result<bool, DbError> {
    let changed = diesel::update(
        selection_copies::table
            .filter(selection_copies::selection_id.eq(selection.to_string()))
            .filter(selection_copies::copy_id.eq(copy.to_string())),
    )
    .set((
        selection_copies::state.eq(state.as_str()),
        selection_copies::returned_at.eq(returned_at.map(Timestamp::naive)),
    ))
    .execute(conn)
    .map_err(classify)?;
    Ok(changed > 0)
}

/// The selection a copy is lent in now and the borrowing library it belongs
/// on there, if any: its one `lent` row (the partial unique index allows no
/// second open one).
pub fn open_lending_of_copy(
    conn: &mut DbConnection,
    copy: CopyId,
) -> Result<Option<(SelectionId, BranchId)>, DbError> {
    let found: Option<(String, String)> = selection_copies::table
        .inner_join(selections::table)
        .filter(selection_copies::copy_id.eq(copy.to_string()))
        .filter(selection_copies::state.eq(SelectionCopyState::Lent.as_str()))
        .select((selections::id, selections::to_branch_id))
        .first(conn)
        .optional()?;
    found
        .map(|(selection, to)| {
            let corrupt =
                |err: ValueError| DbError::Corrupt(format!("selection {selection}: {err}"));
            Ok((
                selection.parse().map_err(corrupt)?,
                to.parse().map_err(corrupt)?,
            ))
        })
        .transpose()
}

/// Writes a reminder of `kind` unless the selection already has one:
/// `Ok(false)` then, so a job run twice reminds once. Upsert is one of the
/// statements the multi-backend connection cannot express, hence
/// `per_backend!`.
pub fn insert_reminder(
    conn: &mut DbConnection,
    selection: SelectionId,
    kind: &str,
    at: Timestamp,
) -> Result<bool, DbError> {
    let row = ReminderRow {
        selection_id: selection.to_string(),
        kind: kind.to_owned(),
        created_at: at.naive(),
        acknowledged_at: None,
        acknowledged_by: None,
    };
    let inserted = per_backend!(conn, |c| diesel::insert_into(selection_reminders::table)
        .values(&row)
        .on_conflict_do_nothing()
        .execute(c)?);
    Ok(inserted > 0)
}

/// The reminders nobody acknowledged yet, of the selections lent to `to`
/// (all libraries when `None`), oldest first.
pub fn open_reminders(
    conn: &mut DbConnection,
    to: Option<BranchId>,
) -> Result<Vec<StoredReminder>, DbError> {
    let mut q = selection_reminders::table
        .inner_join(selections::table.on(selections::id.eq(selection_reminders::selection_id)))
        .filter(selection_reminders::acknowledged_at.is_null())
        .select(ReminderRow::as_select())
        .into_boxed();
    if let Some(b) = to {
        q = q.filter(selections::to_branch_id.eq(b.to_string()));
    }
    q.order((
        selection_reminders::created_at.asc(),
        selection_reminders::selection_id.asc(),
        selection_reminders::kind.asc(),
    ))
    .load(conn)?
    .into_iter()
    .map(StoredReminder::try_from)
    .collect()
}

/// Marks a reminder read: `Ok(false)` when it was acknowledged already,
/// `Err(NotFound)` when there is no such reminder.
pub fn acknowledge_reminder(
    conn: &mut DbConnection,
    selection: SelectionId,
    kind: &str,
    by: Option<StaffId>,
    at: Timestamp,
) -> Result<bool, DbError> {
    let selection = selection.to_string();
    let changed = diesel::update(
        selection_reminders::table
            .filter(selection_reminders::selection_id.eq(&selection))
            .filter(selection_reminders::kind.eq(kind))
            .filter(selection_reminders::acknowledged_at.is_null()),
    )
    .set((
        selection_reminders::acknowledged_at.eq(Some(at.naive())),
        selection_reminders::acknowledged_by.eq(by.map(|id| id.to_string())),
    ))
    .execute(conn)?;
    if changed == 0 {
        selection_reminders::table
            .find((selection, kind.to_owned()))
            .select(selection_reminders::kind)
            .first::<String>(conn)?;
        return Ok(false);
    }
    Ok(true)
}
