//! Offline circulation (issue #5, point 8): a branch whose link was down
//! uploads the checkouts, returns and renewals its desk wrote down. Every
//! line is read first (bad ones get a code and stay in the report), the
//! actions are applied in time order with the desk's own policies as of
//! their recorded time, each in its own savepoint (in transactions of up to
//! 50 lines) so that one conflict never rolls back the others, and every
//! line keeps its outcome.
//!
//! What the server cannot reconstruct it takes as it is now: blocks, the
//! copy's status and the holds are today's; due dates, overdue counts and
//! the reader's registration are reckoned to the action's own day. A
//! conflict stays a conflict (no automatic overrides): staff redo it at the
//! desk.

use kitap_circulation::offline::{
    check_window, parse_record, parse_text, precheck_checkout, precheck_renewal, precheck_return,
    time_order, CopyLoans, LineProblem, LoanFacts, OfflineAction, OfflineEntry, Precheck,
};
use kitap_circulation::{Overrides, RenewalChannel};
use kitap_db::loans::{self, StoredLoan};
use kitap_db::offline::{self, Line, Upload, ONCE_INDEX};
use kitap_db::{copies, readers, savepoint, DbConnection, DbError};
use kitap_domain::{BranchId, CopyId, LoanId, LoanKind, OfflineUploadId, Role, Timestamp};
use serde_json::{json, Value};

use super::desk::{checkout_in, renew_loan, Checkout, RenewBy};
use super::returns::{close_in, CloseAt};
use super::{local_day, reader_missing, today, DESK};
use crate::audit::record as audit;
use crate::catalog::copy_missing;
use crate::{Actor, App, AppError, Principal};

/// Who reads upload reports: the desk and managers.
const READERS: &[Role] = &[Role::Librarian, Role::Admin, Role::Manager];

/// What became of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Written: a loan, a return or a renewal at the recorded time.
    Applied,
    /// The server already showed it (the copy on loan to that reader,
    /// already returned): nothing written.
    AlreadyDone,
    /// Not applied; `code` says why. Staff redo it at the desk.
    Conflict,
    /// The line could not be read, or its time is outside the window.
    Invalid,
    /// This library acted on the same line before (an earlier upload, or
    /// earlier in this file).
    Duplicate,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Applied,
        Outcome::AlreadyDone,
        Outcome::Conflict,
        Outcome::Invalid,
        Outcome::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Applied => "applied",
            Outcome::AlreadyDone => "already_done",
            Outcome::Conflict => "conflict",
            Outcome::Invalid => "invalid",
            Outcome::Duplicate => "duplicate",
        }
    }

    pub fn parse(raw: &str) -> Result<Outcome, AppError> {
        Self::ALL
            .into_iter()
            .find(|o| o.as_str() == raw)
            .ok_or_else(|| {
                kitap_domain::ValueError::new(
                    "outcome",
                    "must be applied, already_done, conflict, invalid or duplicate",
                )
                .into()
            })
    }
}

/// An uploaded file as it came: a line-oriented text or a JSON array.
#[derive(Debug, Clone)]
pub struct OfflineFile {
    pub file_name: String,
    pub json: bool,
    pub body: Vec<u8>,
}

/// Lines per outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutcomeCounts {
    pub applied: i64,
    pub already_done: i64,
    pub conflict: i64,
    pub invalid: i64,
    pub duplicate: i64,
}

impl OutcomeCounts {
    fn from_map(map: Option<&std::collections::HashMap<String, i64>>) -> Self {
        let n = |o: Outcome| map.and_then(|m| m.get(o.as_str()).copied()).unwrap_or(0);
        OutcomeCounts {
            applied: n(Outcome::Applied),
            already_done: n(Outcome::AlreadyDone),
            conflict: n(Outcome::Conflict),
            invalid: n(Outcome::Invalid),
            duplicate: n(Outcome::Duplicate),
        }
    }
}

/// An upload with its counts.
#[derive(Debug, Clone)]
pub struct OfflineSummary {
    pub upload: Upload,
    pub counts: OutcomeCounts,
}

/// An upload with its counts and (some of) its lines, in file order.
#[derive(Debug, Clone)]
pub struct OfflineReport {
    pub summary: OfflineSummary,
    pub lines: Vec<Line>,
}

/// One line's result before it is stored.
enum Step {
    Applied(Option<LoanId>),
    Skipped(Outcome, String, String),
}

/// A line's write failed because the same line was stored meanwhile (a
/// concurrent upload of the same file), or for a real reason.
enum LineFailure {
    Once,
    App(AppError),
}

impl From<DbError> for LineFailure {
    fn from(err: DbError) -> Self {
        match err {
            DbError::UniqueViolation(index) if index == ONCE_INDEX => LineFailure::Once,
            other => LineFailure::App(other.into()),
        }
    }
}

impl From<AppError> for LineFailure {
    fn from(err: AppError) -> Self {
        LineFailure::App(err)
    }
}

/// The refusals and lookups that make a line a conflict; anything else
/// (the database failing) stops the upload.
fn as_conflict(err: &AppError) -> Option<(String, String)> {
    match err {
        AppError::Refused(r) => Some((r.code.to_owned(), r.message.clone())),
        AppError::NotFound { entity: "reader" } => Some((
            err.code().to_owned(),
            "no reader has this card number".to_owned(),
        )),
        AppError::NotFound { entity: "copy" } => {
            Some((err.code().to_owned(), "no copy has this barcode".to_owned()))
        }
        AppError::NotFound { .. }
        | AppError::Conflict { .. }
        | AppError::VersionConflict { .. }
        | AppError::Validation(_) => Some((err.code().to_owned(), err.to_string())),
        _ => None,
    }
}

/// Reads the file into actions and problems, in file order.
fn read_file(file: &OfflineFile) -> Result<Vec<Result<OfflineEntry, LineProblem>>, AppError> {
    if !file.json {
        return Ok(parse_text(&String::from_utf8_lossy(&file.body)));
    }
    let items: Vec<Value> = serde_json::from_slice(&file.body).map_err(|e| {
        kitap_domain::ValueError::new(
            "body",
            format!(
                "must be a JSON array of {{timestamp, action, card_number, item_barcode}}: {e}"
            ),
        )
    })?;
    Ok(items
        .iter()
        .enumerate()
        .map(|(i, item)| json_entry(u32::try_from(i + 1).unwrap_or(u32::MAX), item))
        .collect())
}

/// One element of the JSON form: an object with the line's four fields
/// (`card_number` may be absent or null for a return or renewal).
fn json_entry(line: u32, item: &Value) -> Result<OfflineEntry, LineProblem> {
    let raw = item.to_string();
    let bad = |code: &'static str, message: String| LineProblem {
        line,
        raw: kitap_circulation::offline::cut(&raw),
        code,
        message,
    };
    let Some(object) = item.as_object() else {
        return Err(bad("not_an_object", "each element is an object".to_owned()));
    };
    const FIELDS: [&str; 4] = ["timestamp", "action", "card_number", "item_barcode"];
    if let Some(key) = object.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(bad("unknown_field", format!("unknown field {key:?}")));
    }
    let mut text = [""; 4];
    for (slot, name) in text.iter_mut().zip(FIELDS) {
        match object.get(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => *slot = s.as_str(),
            Some(_) => return Err(bad("not_a_string", format!("{name} must be a string"))),
        }
    }
    let [at, action, card, barcode] = text;
    parse_record(line, &raw, at, action, card, barcode)
}

fn invalid_line(upload: &Upload, p: &LineProblem, now: Timestamp) -> Line {
    Line {
        upload_id: upload.id,
        line_no: i32::try_from(p.line).unwrap_or(i32::MAX),
        branch_id: upload.branch_id,
        raw: p.raw.clone(),
        at: None,
        action: None,
        card_number: None,
        item_barcode: None,
        outcome: Outcome::Invalid.as_str().to_owned(),
        code: Some(p.code.to_owned()),
        message: Some(p.message.clone()),
        loan_id: None,
        processed_at: now,
    }
}

fn entry_line(upload: &Upload, e: &OfflineEntry, step: &Step) -> Line {
    let (outcome, code, message, loan) = match step {
        Step::Applied(loan) => (Outcome::Applied, None, None, *loan),
        Step::Skipped(outcome, code, message) => {
            (*outcome, Some(code.clone()), Some(message.clone()), None)
        }
    };
    Line {
        upload_id: upload.id,
        line_no: i32::try_from(e.line).unwrap_or(i32::MAX),
        branch_id: upload.branch_id,
        raw: e.raw.clone(),
        at: Some(Timestamp::from_utc(e.at)),
        action: Some(e.action.as_str().to_owned()),
        card_number: e.card.as_ref().map(|c| c.to_string()),
        item_barcode: Some(e.barcode.to_string()),
        outcome: outcome.as_str().to_owned(),
        code,
        message,
        loan_id: loan,
        processed_at: Timestamp::now(),
    }
}

fn duplicate() -> Step {
    Step::Skipped(
        Outcome::Duplicate,
        "duplicate".to_owned(),
        "this library uploaded this action before".to_owned(),
    )
}

/// The copy's open loan and latest returned one.
fn copy_loans(conn: &mut DbConnection, copy: CopyId) -> Result<CopyLoans, DbError> {
    let facts = |l: StoredLoan| LoanFacts {
        reader: l.reader_id,
        issued_at: l.issued_at.utc(),
        returned_at: l.returned_at.map(Timestamp::utc),
    };
    Ok(CopyLoans {
        open: loans::open_for_copy(conn, copy)?.map(facts),
        last_returned: loans::last_returned_for_copy(conn, copy)?.map(facts),
    })
}

/// Lines share a transaction, each in its own savepoint: a commit per line
/// would make a 5,000-line file wait on 5,000 disk flushes, and a batch this
/// small holds SQLite's write lock for a fraction of a second.
const LINES_PER_TRANSACTION: usize = 50;

/// One line in its own savepoint: a duplicate when this library acted on
/// it before, else applied in an inner savepoint (a conflict undoes only its
/// own writes), and its outcome stored beside it.
fn apply_line(conn: &mut DbConnection, desk: &Desk<'_>, e: &OfflineEntry) -> Result<(), AppError> {
    let (branch, at) = (desk.upload.branch_id, Timestamp::from_utc(e.at));
    let (action, barcode) = (e.action.as_str(), e.barcode.to_string());
    let done = savepoint(conn, |conn| {
        let step = if offline::acted_on(conn, branch, at, action, &barcode)? {
            duplicate()
        } else {
            match savepoint(conn, |c| apply(c, desk, e)) {
                Ok(step) => step,
                Err(err) => match as_conflict(&err) {
                    Some((code, message)) => Step::Skipped(Outcome::Conflict, code, message),
                    None => return Err(LineFailure::App(err)),
                },
            }
        };
        offline::insert_line(conn, &entry_line(desk.upload, e, &step))?;
        Ok(())
    });
    match done {
        Ok(()) => Ok(()),
        Err(LineFailure::App(err)) => Err(err),
        // A concurrent upload stored the same line first: this line's
        // writes (its loan included) were undone; it is a duplicate.
        Err(LineFailure::Once) => {
            offline::insert_line(conn, &entry_line(desk.upload, e, &duplicate()))?;
            Ok(())
        }
    }
}

/// Where an offline line is applied and by whom.
struct Desk<'a> {
    actor: &'a Actor,
    upload: &'a Upload,
    hold_shelf_days: u16,
    fines: bool,
    exchange: &'a crate::config::ExchangeConfig,
    bands: kitap_circulation::AgeBands,
}

/// Applies one action inside a savepoint; a precheck's verdict writes
/// nothing.
fn apply(conn: &mut DbConnection, desk: &Desk<'_>, e: &OfflineEntry) -> Result<Step, AppError> {
    let copy = copies::find_by_barcode(conn, &e.barcode).map_err(copy_missing)?;
    let loans = copy_loans(conn, copy.id)?;
    let (at, day) = (Timestamp::from_utc(e.at), local_day(e.at));
    let note = Some(format!("offline upload {} line {}", desk.upload.id, e.line));
    let branch: BranchId = desk.upload.branch_id;
    let reader = match &e.card {
        Some(card) => Some(readers::find_by_card(conn, card).map_err(reader_missing)?),
        None => None,
    };
    let verdict = match (e.action, &reader) {
        (OfflineAction::Checkout | OfflineAction::ReadingRoom, Some(r)) => {
            precheck_checkout(r.id, e.at, &loans)
        }
        (OfflineAction::Checkout | OfflineAction::ReadingRoom, None) => {
            return Err(kitap_domain::ValueError::new("card_number", "is required").into())
        }
        (OfflineAction::Return, _) => precheck_return(e.at, &loans),
        (OfflineAction::Renew, r) => precheck_renewal(r.as_ref().map(|r| r.id), e.at, &loans),
    };
    match verdict {
        Precheck::Apply => {}
        Precheck::AlreadyDone { code, message } => {
            return Ok(Step::Skipped(
                Outcome::AlreadyDone,
                code.to_owned(),
                message,
            ))
        }
        Precheck::Conflict { code, message } => {
            return Ok(Step::Skipped(Outcome::Conflict, code.to_owned(), message))
        }
    }
    match (e.action, reader) {
        (OfflineAction::Checkout | OfflineAction::ReadingRoom, Some(reader)) => {
            let kind = if e.action == OfflineAction::ReadingRoom {
                LoanKind::ReadingRoom
            } else {
                LoanKind::Home
            };
            let checkout = Checkout {
                reader: &reader,
                copy: &copy,
                branch,
                kind,
                today: day,
                staff: desk.actor.staff_id,
                bands: desk.bands,
            };
            let (loan, _) = checkout_in(conn, desk.actor, &checkout, &Overrides::none(), at, note)?;
            Ok(Step::Applied(Some(loan.id)))
        }
        (OfflineAction::Return, _) => {
            let loan = loans::open_for_copy(conn, copy.id)?.ok_or_else(super::desk::not_on_loan)?;
            let close = CloseAt {
                here: branch,
                now: at,
                day,
                hold_clock: (today(), desk.hold_shelf_days),
                note,
                fines: desk.fines,
                floating: crate::exchange::settings::floating(conn, desk.exchange)?,
                bands: desk.bands,
            };
            close_in(conn, desk.actor, (&copy, &loan), close)?;
            Ok(Step::Applied(Some(loan.id)))
        }
        (OfflineAction::Renew, _) => {
            let loan = loans::open_for_copy(conn, copy.id)?.ok_or_else(super::desk::not_on_loan)?;
            let by = RenewBy {
                channel: RenewalChannel::Staff,
                overrides: &Overrides::none(),
                branch,
                note,
                bands: desk.bands,
            };
            renew_loan(conn, desk.actor, &loan, &by, (day, at))?;
            Ok(Step::Applied(Some(loan.id)))
        }
        (_, None) => Err(kitap_domain::ValueError::new("card_number", "is required").into()),
    }
}

impl App {
    /// Uploads an offline file for the acting library and applies it;
    /// answers the report. An internal error stops it halfway: what was
    /// applied stays, and uploading the same file again applies the rest
    /// (the applied lines answer `duplicate`).
    pub fn upload_offline(
        &self,
        who: &Principal,
        actor: &Actor,
        file: OfflineFile,
    ) -> Result<OfflineReport, AppError> {
        who.require_role(DESK)?;
        let read = read_file(&file)?;
        if read.is_empty() {
            let why = "holds no action (only blank lines, comments or a header)";
            return Err(kitap_domain::ValueError::new("body", why).into());
        }
        let now = Timestamp::now();
        let max_age = self.circulation.offline_max_age_days;
        let mut problems = Vec::new();
        let mut entries = Vec::new();
        for item in read {
            match item.and_then(|e| check_window(&e, now.utc(), max_age).map(|()| e)) {
                Ok(entry) => entries.push(entry),
                Err(problem) => problems.push(problem),
            }
        }
        time_order(&mut entries);
        let upload = Upload {
            id: OfflineUploadId::new(),
            branch_id: who.acting_branch.id,
            file_name: file.file_name.chars().take(200).collect(),
            format: if file.json { "json" } else { "lines" }.to_owned(),
            line_count: i32::try_from(problems.len() + entries.len()).unwrap_or(i32::MAX),
            uploaded_by: actor.staff_id,
            created_at: now,
            finished_at: None,
        };
        self.db.write(|conn| {
            offline::insert_upload(conn, &upload)?;
            for p in &problems {
                offline::insert_line(conn, &invalid_line(&upload, p, now))?;
            }
            let after = json!({
                "library": upload.branch_id.to_string(),
                "file_name": upload.file_name,
                "lines": upload.line_count,
            });
            audit(
                conn,
                actor,
                "offline_upload",
                ("offline_upload", &upload.id),
                None,
                Some(after),
            )?;
            Ok::<_, AppError>(())
        })?;
        let desk = Desk {
            actor,
            upload: &upload,
            hold_shelf_days: self.circulation.hold_shelf_days,
            fines: self.circulation.fines_enabled,
            exchange: &self.exchange,
            bands: self.age_bands,
        };
        for batch in entries.chunks(LINES_PER_TRANSACTION) {
            self.db.write(|conn| {
                for entry in batch {
                    apply_line(conn, &desk, entry)?;
                }
                Ok::<_, AppError>(())
            })?;
        }
        self.db
            .write(|conn| offline::finish_upload(conn, upload.id, Timestamp::now()))?;
        self.offline_upload(who, upload.id, None)
    }

    /// An upload's summary and lines (optionally only those of one outcome).
    pub fn offline_upload(
        &self,
        who: &Principal,
        id: OfflineUploadId,
        outcome: Option<Outcome>,
    ) -> Result<OfflineReport, AppError> {
        who.require_role(READERS)?;
        self.db.read(|conn| {
            let upload = offline::find_upload(conn, id).map_err(|e| match e {
                DbError::NotFound => AppError::NotFound {
                    entity: "offline upload",
                },
                other => other.into(),
            })?;
            let counts = offline::outcome_counts(conn, &[id])?;
            let lines = offline::lines(conn, id, outcome.map(Outcome::as_str))?;
            Ok(OfflineReport {
                summary: OfflineSummary {
                    counts: OutcomeCounts::from_map(counts.get(&id)),
                    upload,
                },
                lines,
            })
        })
    }

    /// The acting library's uploads, newest first.
    pub fn offline_uploads(
        &self,
        who: &Principal,
        before: Option<OfflineUploadId>,
        limit: i64,
    ) -> Result<Vec<OfflineSummary>, AppError> {
        who.require_role(READERS)?;
        let branch = who.acting_branch.id;
        self.db.read(|conn| {
            let uploads = offline::list_uploads(conn, branch, before, limit)?;
            let ids: Vec<OfflineUploadId> = uploads.iter().map(|u| u.id).collect();
            let counts = offline::outcome_counts(conn, &ids)?;
            Ok(uploads
                .into_iter()
                .map(|upload| OfflineSummary {
                    counts: OutcomeCounts::from_map(counts.get(&upload.id)),
                    upload,
                })
                .collect())
        })
    }
}
