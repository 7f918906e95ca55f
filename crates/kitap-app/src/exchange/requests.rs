//! Libraries' requests to the unified fund (issue #7 point 3): a library
//! asks for titles (with how many copies of each) or a topic; the fund
//! answers with a thematic selection of the copies it sends, dispatched as a
//! unit at once, and the answer lists the titles it could not cover.

use chrono::{Datelike, NaiveDate};
use kitap_db::exchange::requests::{self, RequestFilter, StoredLibraryRequest, StoredRequestTitle};
use kitap_db::{branches, DbConnection, DbError};
use kitap_domain::{
    BranchId, BranchKind, LibraryRequestId, LibraryRequestStatus, RecordId, Timestamp, ValueError,
};
use serde_json::json;

use super::moves::{MOVERS, WATCHERS};
use super::selections::{self as sel, CopyPick, NewSelection, SelectionView};
use crate::{Actor, App, AppError, Principal};

/// The prefix of request numbers ("КС-2026/0001").
const NUMBER_PREFIX: &str = "КС";

#[derive(Debug, Clone)]
pub struct NewLibraryRequest {
    /// The library asked; the central library when `None`.
    pub to: Option<BranchId>,
    pub topic: Option<String>,
    pub titles: Vec<StoredRequestTitle>,
    pub needed_by: Option<NaiveDate>,
    pub note: Option<String>,
}

/// A requested title with its record's title.
#[derive(Debug, Clone)]
pub struct RequestTitleView {
    pub record_id: RecordId,
    pub title: String,
    pub copies: u32,
}

#[derive(Debug, Clone)]
pub struct LibraryRequestView {
    pub request: StoredLibraryRequest,
    pub titles: Vec<RequestTitleView>,
}

/// A requested title the answer sent fewer copies of than asked.
#[derive(Debug, Clone)]
pub struct Uncovered {
    pub record_id: RecordId,
    pub title: String,
    pub requested: u32,
    pub sent: u32,
}

#[derive(Debug, Clone)]
pub struct RequestAnswer {
    pub request: LibraryRequestView,
    pub selection: SelectionView,
    pub uncovered: Vec<Uncovered>,
}

#[derive(Debug, Clone)]
pub struct AnswerRequest {
    pub copies: CopyPick,
    pub due_on: NaiveDate,
    /// The selection's name; the request's topic or number when `None`.
    pub name: Option<String>,
    pub note: Option<String>,
}

pub(crate) fn missing_request(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound {
            entity: "library request",
        },
        other => other.into(),
    }
}

fn not_open(r: &StoredLibraryRequest) -> AppError {
    AppError::conflict(
        "request_not_open",
        format!("library request {} is {}", r.number, r.status),
    )
}

fn view_in(
    conn: &mut DbConnection,
    request: StoredLibraryRequest,
) -> Result<LibraryRequestView, AppError> {
    let mut titles = Vec::new();
    for t in requests::titles(conn, request.id)? {
        let title = kitap_db::records::find(conn, t.record_id)?.derived.title;
        titles.push(RequestTitleView {
            record_id: t.record_id,
            title,
            copies: t.copies,
        });
    }
    Ok(LibraryRequestView { request, titles })
}

fn save(conn: &mut DbConnection, r: &mut StoredLibraryRequest) -> Result<(), AppError> {
    let expected = r.version;
    r.version += 1;
    if !requests::update(conn, r, expected).map_err(missing_request)? {
        return Err(AppError::VersionConflict { current: expected });
    }
    Ok(())
}

fn central(conn: &mut DbConnection) -> Result<BranchId, AppError> {
    branches::list(conn)?
        .into_iter()
        .find(|b| b.kind == BranchKind::Central)
        .map(|b| b.id)
        .ok_or(AppError::NotFound { entity: "library" })
}

impl App {
    /// A request of the acting library to the fund (the central library
    /// unless another library is named).
    pub fn create_library_request(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewLibraryRequest,
    ) -> Result<LibraryRequestView, AppError> {
        who.require_role(MOVERS)?;
        let topic = new
            .topic
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty());
        if topic.is_none() && new.titles.is_empty() {
            return Err(ValueError::new("titles", "name titles or a topic").into());
        }
        if new.titles.iter().any(|t| t.copies == 0) {
            return Err(ValueError::new("titles", "copies must be at least 1").into());
        }
        let from = who.acting_branch.id;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let to = match new.to {
                Some(to) => to,
                None => central(conn)?,
            };
            if to == from {
                return Err(AppError::conflict(
                    "same_library",
                    "a library does not request from itself",
                ));
            }
            let mut titles: Vec<StoredRequestTitle> = Vec::new();
            for t in &new.titles {
                kitap_db::records::find(conn, t.record_id).map_err(|e| match e {
                    DbError::NotFound => AppError::NotFound { entity: "record" },
                    other => other.into(),
                })?;
                match titles.iter_mut().find(|x| x.record_id == t.record_id) {
                    Some(x) => x.copies = x.copies.saturating_add(t.copies),
                    None => titles.push(*t),
                }
            }
            let year = crate::circulation::local_day(now.utc()).year();
            let n = requests::next_number(conn, year)?;
            let r = StoredLibraryRequest {
                id: LibraryRequestId::new(),
                number: format!("{NUMBER_PREFIX}-{year}/{n:04}"),
                from_branch_id: from,
                to_branch_id: to,
                topic: topic.clone(),
                needed_by: new.needed_by,
                status: LibraryRequestStatus::Open,
                note: new.note.clone().filter(|n| !n.trim().is_empty()),
                answer_note: None,
                created_by: actor.staff_id,
                created_at: now,
                answered_at: None,
                version: 1,
            };
            requests::insert(conn, &r, &titles)?;
            crate::audit::record(
                conn,
                actor,
                "create",
                ("library_request", &r.id),
                None,
                Some(json!({"number": r.number, "to": to.to_string(), "titles": titles.len()})),
            )?;
            view_in(conn, r)
        })
    }

    /// Requests by requesting library, library asked and status; newest first.
    pub fn library_requests(
        &self,
        who: &Principal,
        filter: RequestFilter,
    ) -> Result<Vec<StoredLibraryRequest>, AppError> {
        who.require_role(WATCHERS)?;
        let filter = RequestFilter {
            limit: filter.limit.clamp(1, 10_000),
            ..filter
        };
        self.db.read(|conn| Ok(requests::list(conn, &filter)?))
    }

    pub fn library_request(
        &self,
        who: &Principal,
        id: LibraryRequestId,
    ) -> Result<LibraryRequestView, AppError> {
        who.require_role(WATCHERS)?;
        self.db.read(|conn| {
            let r = requests::find(conn, id).map_err(missing_request)?;
            view_in(conn, r)
        })
    }

    /// Answers an open request at the library asked: a selection of the
    /// copies sent to the requesting library, dispatched as a unit, in the
    /// same transaction; the titles not covered are listed.
    pub fn answer_library_request(
        &self,
        who: &Principal,
        actor: &Actor,
        id: LibraryRequestId,
        answer: AnswerRequest,
    ) -> Result<RequestAnswer, AppError> {
        who.require_role(MOVERS)?;
        let here = who.acting_branch.id;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let mut r = requests::find(conn, id).map_err(missing_request)?;
            if r.status != LibraryRequestStatus::Open {
                return Err(not_open(&r));
            }
            if here != r.to_branch_id {
                return Err(AppError::conflict(
                    "wrong_library",
                    format!(
                        "library request {} is answered by the library asked",
                        r.number
                    ),
                ));
            }
            let name = answer
                .name
                .clone()
                .filter(|n| !n.trim().is_empty())
                .or_else(|| r.topic.clone())
                .unwrap_or_else(|| format!("request {}", r.number));
            let new = NewSelection {
                name,
                to: r.from_branch_id,
                due_on: answer.due_on,
                note: answer.note.clone(),
                copies: answer.copies.clone(),
                request_id: Some(r.id),
            };
            let s = sel::create_in(conn, actor, here, &new, now)?;
            let s = sel::dispatch_unit(conn, actor, s, here, now)?;
            let selection = sel::view_in(conn, s)?;
            let before = json!({"status": r.status.as_str()});
            r.status = LibraryRequestStatus::Answered;
            r.answered_at = Some(now);
            r.answer_note = answer
                .note
                .clone()
                .filter(|n| !n.trim().is_empty())
                .or_else(|| Some(format!("selection {}", selection.selection.number)));
            save(conn, &mut r)?;
            crate::audit::record(
                conn,
                actor,
                "answer",
                ("library_request", &r.id),
                Some(before),
                Some(json!({"status": r.status.as_str(), "selection": selection.selection.number})),
            )?;
            let request = view_in(conn, r)?;
            let uncovered = request
                .titles
                .iter()
                .filter_map(|t| {
                    let sent = selection
                        .copies
                        .iter()
                        .filter(|c| c.record_id == t.record_id)
                        .count();
                    let sent = u32::try_from(sent).unwrap_or(u32::MAX);
                    (sent < t.copies).then(|| Uncovered {
                        record_id: t.record_id,
                        title: t.title.clone(),
                        requested: t.copies,
                        sent,
                    })
                })
                .collect();
            Ok(RequestAnswer {
                request,
                selection,
                uncovered,
            })
        })
    }

    /// Calls an open request off (either side).
    pub fn cancel_library_request(
        &self,
        who: &Principal,
        actor: &Actor,
        id: LibraryRequestId,
        note: Option<String>,
    ) -> Result<LibraryRequestView, AppError> {
        who.require_role(MOVERS)?;
        self.db.write(|conn| {
            let mut r = requests::find(conn, id).map_err(missing_request)?;
            if r.status != LibraryRequestStatus::Open {
                return Err(not_open(&r));
            }
            r.status = LibraryRequestStatus::Cancelled;
            if let Some(n) = note.filter(|n| !n.trim().is_empty()) {
                r.answer_note = Some(n);
            }
            save(conn, &mut r)?;
            crate::audit::record(
                conn,
                actor,
                "cancel",
                ("library_request", &r.id),
                Some(json!({"status": "open"})),
                Some(json!({"status": "cancelled"})),
            )?;
            view_in(conn, r)
        })
    }
}
