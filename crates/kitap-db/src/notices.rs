//! Notices to readers. The `dedupe_key` is unique: a notice the policy
//! already produced (same loan, kind, level, channel...) is never stored or
//! sent twice, even when two schedulers run at once.

use diesel::prelude::*;
use kitap_domain::{
    HoldId, LoanId, NoticeChannel, NoticeId, NoticeKind, NoticeStatus, ReaderId, Timestamp,
};

use crate::conn::per_backend;
use crate::schema::notices;
use crate::{DbConnection, DbError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNotice {
    pub id: NoticeId,
    pub reader_id: ReaderId,
    pub loan_id: Option<LoanId>,
    pub hold_id: Option<HoldId>,
    pub kind: NoticeKind,
    pub level: i32,
    pub channel: NoticeChannel,
    pub dedupe_key: String,
    pub status: NoticeStatus,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = notices)]
#[diesel(treat_none_as_default_value = false)]
struct Row {
    id: String,
    reader_id: String,
    loan_id: Option<String>,
    hold_id: Option<String>,
    kind: String,
    level: i32,
    channel: String,
    dedupe_key: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created_at: chrono::NaiveDateTime,
    sent_at: Option<chrono::NaiveDateTime>,
}

fn opt<T: std::str::FromStr<Err = kitap_domain::ValueError>>(
    raw: Option<&str>,
) -> Result<Option<T>, kitap_domain::ValueError> {
    raw.map(str::parse).transpose()
}

impl TryFrom<Row> for StoredNotice {
    type Error = DbError;

    fn try_from(row: Row) -> Result<Self, DbError> {
        let corrupt =
            |err: kitap_domain::ValueError| DbError::Corrupt(format!("notice {}: {err}", row.id));
        Ok(StoredNotice {
            id: row.id.parse().map_err(corrupt)?,
            reader_id: row.reader_id.parse().map_err(corrupt)?,
            loan_id: opt(row.loan_id.as_deref()).map_err(corrupt)?,
            hold_id: opt(row.hold_id.as_deref()).map_err(corrupt)?,
            kind: row.kind.parse().map_err(corrupt)?,
            channel: row.channel.parse().map_err(corrupt)?,
            status: row.status.parse().map_err(corrupt)?,
            level: row.level,
            dedupe_key: row.dedupe_key,
            attempts: row.attempts,
            last_error: row.last_error,
            created_at: Timestamp::from_naive(row.created_at),
            sent_at: row.sent_at.map(Timestamp::from_naive),
        })
    }
}

impl From<&StoredNotice> for Row {
    fn from(n: &StoredNotice) -> Self {
        Row {
            id: n.id.to_string(),
            reader_id: n.reader_id.to_string(),
            loan_id: n.loan_id.map(|id| id.to_string()),
            hold_id: n.hold_id.map(|id| id.to_string()),
            kind: n.kind.as_str().to_owned(),
            level: n.level,
            channel: n.channel.as_str().to_owned(),
            dedupe_key: n.dedupe_key.clone(),
            status: n.status.as_str().to_owned(),
            attempts: n.attempts,
            last_error: n.last_error.clone(),
            created_at: n.created_at.naive(),
            sent_at: n.sent_at.map(Timestamp::naive),
        }
    }
}

/// Stores the notice unless its `dedupe_key` is already there: `true` when
/// it was inserted. One `INSERT ... ON CONFLICT (dedupe_key) DO NOTHING`, so
/// a duplicate neither fails nor aborts a PostgreSQL transaction.
pub fn insert_new(conn: &mut DbConnection, notice: &StoredNotice) -> Result<bool, DbError> {
    let row = Row::from(notice);
    let inserted = per_backend!(conn, |c| diesel::insert_into(notices::table)
        .values(&row)
        .on_conflict(notices::dedupe_key)
        .do_nothing()
        .execute(c)?);
    Ok(inserted == 1)
}

/// Pending notices, oldest first.
pub fn pending(conn: &mut DbConnection, limit: i64) -> Result<Vec<StoredNotice>, DbError> {
    notices::table
        .filter(notices::status.eq(NoticeStatus::Pending.as_str()))
        .order((notices::created_at.asc(), notices::id.asc()))
        .limit(limit)
        .select(Row::as_select())
        .load(conn)?
        .into_iter()
        .map(StoredNotice::try_from)
        .collect()
}

pub fn find(conn: &mut DbConnection, id: NoticeId) -> Result<StoredNotice, DbError> {
    notices::table
        .find(id.to_string())
        .select(Row::as_select())
        .first(conn)?
        .try_into()
}

fn finish(
    conn: &mut DbConnection,
    id: NoticeId,
    status: NoticeStatus,
    at: Timestamp,
) -> Result<(), DbError> {
    let changed = diesel::update(notices::table.find(id.to_string()))
        .set((
            notices::status.eq(status.as_str()),
            notices::sent_at.eq(Some(at.naive())),
            notices::attempts.eq(notices::attempts + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// The notice went out.
pub fn mark_sent(conn: &mut DbConnection, id: NoticeId, at: Timestamp) -> Result<(), DbError> {
    finish(conn, id, NoticeStatus::Sent, at)
}

/// The notice was printed for staff to post or hand over.
pub fn mark_printed(conn: &mut DbConnection, id: NoticeId, at: Timestamp) -> Result<(), DbError> {
    finish(conn, id, NoticeStatus::Printed, at)
}

/// A delivery attempt failed: counts the attempt and keeps the error; the
/// notice stays pending for another try when `retry`, else it is `failed`.
/// Returns the attempts so far.
pub fn mark_failed(
    conn: &mut DbConnection,
    id: NoticeId,
    error: &str,
    retry: bool,
) -> Result<i32, DbError> {
    let status = if retry {
        NoticeStatus::Pending
    } else {
        NoticeStatus::Failed
    };
    let changed = diesel::update(notices::table.find(id.to_string()))
        .set((
            notices::status.eq(status.as_str()),
            notices::last_error.eq(Some(error)),
            notices::attempts.eq(notices::attempts + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(find(conn, id)?.attempts)
}

// ---------------------------------------------------------------------------
// The notice job: what to schedule, claiming, the desk's call list.

use chrono::NaiveDate;
use kitap_domain::{BranchId, CardNumber, LoanKind};

use crate::schema::{branches, copies, loans, readers, records};

/// An open loan the scheduler looks at, with its reader's consents and
/// whether each contact is there (never the contact itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanToNotify {
    pub loan_id: LoanId,
    pub copy_id: kitap_domain::CopyId,
    pub reader_id: ReaderId,
    pub branch_id: BranchId,
    pub kind: LoanKind,
    pub due_on: NaiveDate,
    pub renewals: i32,
    pub issued_at: Timestamp,
    pub consent_email: bool,
    pub consent_sms: bool,
    pub consent_phone: bool,
    pub has_email: bool,
    pub has_phone: bool,
}

type NotifyRow = (
    (
        String,
        String,
        String,
        String,
        String,
        NaiveDate,
        i32,
        chrono::NaiveDateTime,
    ),
    (bool, bool, bool, Option<String>, Option<String>),
);

/// Open loans (not lost) due on or before `until`, in loan id order after
/// `after`: the scheduler's batches.
pub fn loans_to_notify(
    conn: &mut DbConnection,
    until: NaiveDate,
    after: Option<LoanId>,
    limit: i64,
) -> Result<Vec<LoanToNotify>, DbError> {
    let mut q = loans::table
        .inner_join(readers::table)
        .filter(loans::returned_at.is_null())
        .filter(loans::lost_at.is_null())
        .filter(loans::due_on.le(until))
        .select((
            (
                loans::id,
                loans::copy_id,
                loans::reader_id,
                loans::branch_id,
                loans::kind,
                loans::due_on,
                loans::renewals,
                loans::issued_at,
            ),
            (
                readers::consent_email,
                readers::consent_sms,
                readers::consent_phone,
                readers::email,
                readers::phone,
            ),
        ))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(loans::id.gt(after.to_string()));
    }
    let rows: Vec<NotifyRow> = q.order(loans::id.asc()).limit(limit).load(conn)?;
    rows.into_iter()
        .map(
            |((id, copy, reader, branch, kind, due_on, renewals, issued_at), consents)| {
                let corrupt =
                    |e: kitap_domain::ValueError| DbError::Corrupt(format!("loan {id}: {e}"));
                let (consent_email, consent_sms, consent_phone, email, phone) = consents;
                let present =
                    |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
                Ok(LoanToNotify {
                    loan_id: id.parse().map_err(corrupt)?,
                    copy_id: copy.parse().map_err(corrupt)?,
                    reader_id: reader.parse().map_err(corrupt)?,
                    branch_id: branch.parse().map_err(corrupt)?,
                    kind: kind.parse().map_err(corrupt)?,
                    due_on,
                    renewals,
                    issued_at: Timestamp::from_naive(issued_at),
                    consent_email,
                    consent_sms,
                    consent_phone,
                    has_email: present(&email),
                    has_phone: present(&phone),
                })
            },
        )
        .collect()
}

/// Whether a notice with this dedupe key, on any channel (keys read
/// `<key>:<channel>`), was ever stored.
pub fn exists_for_key(conn: &mut DbConnection, key: &str) -> Result<bool, DbError> {
    let prefix = format!("{key}:%");
    let count: i64 = notices::table
        .filter(notices::dedupe_key.like(prefix))
        .count()
        .get_result(conn)?;
    Ok(count > 0)
}

/// Notices some process claimed but never finished (it crashed while
/// sending): marked failed with `error` and never tried again, since they may
/// have gone out. Returns how many.
pub fn fail_interrupted(conn: &mut DbConnection, error: &str) -> Result<usize, DbError> {
    Ok(
        diesel::update(notices::table.filter(notices::status.eq(NoticeStatus::Sending.as_str())))
            .set((
                notices::status.eq(NoticeStatus::Failed.as_str()),
                notices::last_error.eq(Some(error)),
            ))
            .execute(conn)?,
    )
}

/// Failed notices of `channels` with fewer than `max_attempts` attempts go
/// back to pending, except those whose error is `never_retry`.
pub fn requeue_failed(
    conn: &mut DbConnection,
    channels: &[NoticeChannel],
    max_attempts: i32,
    never_retry: &str,
) -> Result<usize, DbError> {
    let names: Vec<&str> = channels.iter().map(|c| c.as_str()).collect();
    Ok(diesel::update(
        notices::table
            .filter(notices::status.eq(NoticeStatus::Failed.as_str()))
            .filter(notices::channel.eq_any(names))
            .filter(notices::attempts.lt(max_attempts))
            .filter(
                notices::last_error
                    .is_null()
                    .or(notices::last_error.ne(never_retry)),
            ),
    )
    .set(notices::status.eq(NoticeStatus::Pending.as_str()))
    .execute(conn)?)
}

/// The oldest pending notice of `channels` not in `skip`.
pub fn next_pending(
    conn: &mut DbConnection,
    channels: &[NoticeChannel],
    skip: &[NoticeId],
) -> Result<Option<StoredNotice>, DbError> {
    let names: Vec<&str> = channels.iter().map(|c| c.as_str()).collect();
    let skip: Vec<String> = skip.iter().map(ToString::to_string).collect();
    notices::table
        .filter(notices::status.eq(NoticeStatus::Pending.as_str()))
        .filter(notices::channel.eq_any(names))
        .filter(notices::id.ne_all(skip))
        .order((notices::created_at.asc(), notices::id.asc()))
        .select(Row::as_select())
        .first(conn)
        .optional()?
        .map(StoredNotice::try_from)
        .transpose()
}

/// Claims a pending notice for sending: one UPDATE from `pending` to
/// `sending` that only one worker can win. `false`: someone else has it.
pub fn claim(conn: &mut DbConnection, id: NoticeId) -> Result<bool, DbError> {
    let changed = diesel::update(
        notices::table
            .find(id.to_string())
            .filter(notices::status.eq(NoticeStatus::Pending.as_str())),
    )
    .set(notices::status.eq(NoticeStatus::Sending.as_str()))
    .execute(conn)?;
    Ok(changed == 1)
}

/// A claimed notice could not be sent: `failed`, the error kept, one attempt more.
pub fn fail_attempt(conn: &mut DbConnection, id: NoticeId, error: &str) -> Result<(), DbError> {
    let changed = diesel::update(notices::table.find(id.to_string()))
        .set((
            notices::status.eq(NoticeStatus::Failed.as_str()),
            notices::last_error.eq(Some(error)),
            notices::attempts.eq(notices::attempts + 1),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Err(DbError::NotFound);
    }
    Ok(())
}

/// What a notice's text says and where it goes. Contacts are for sending
/// only: never log them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeContext {
    pub notice: StoredNotice,
    pub card_number: CardNumber,
    pub surname: String,
    pub first_name: String,
    pub patronymic: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub title: Option<String>,
    pub barcode: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub branch_id: Option<BranchId>,
    pub library_code: Option<String>,
    pub library_kk: Option<String>,
    pub library_ru: Option<String>,
}

type ReaderContact = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The notice with its reader, loan, title and library.
pub fn context(conn: &mut DbConnection, notice: StoredNotice) -> Result<NoticeContext, DbError> {
    let (card, surname, first_name, patronymic, email, phone, address): ReaderContact =
        readers::table
            .find(notice.reader_id.to_string())
            .select((
                readers::card_number,
                readers::surname,
                readers::first_name,
                readers::patronymic,
                readers::email,
                readers::phone,
                readers::address,
            ))
            .first(conn)?;
    let notice_id = notice.id;
    let corrupt =
        move |e: kitap_domain::ValueError| DbError::Corrupt(format!("notice {notice_id}: {e}"));
    let mut out = NoticeContext {
        card_number: card.parse().map_err(corrupt)?,
        surname,
        first_name,
        patronymic,
        email,
        phone,
        address,
        title: None,
        barcode: None,
        due_on: None,
        branch_id: None,
        library_code: None,
        library_kk: None,
        library_ru: None,
        notice,
    };
    let mut branch: Option<String> = None;
    if let Some(loan) = out.notice.loan_id {
        let found: Option<(NaiveDate, String, String, String)> = loans::table
            .inner_join(copies::table.inner_join(records::table))
            .filter(loans::id.eq(loan.to_string()))
            .select((
                loans::due_on,
                loans::branch_id,
                copies::barcode,
                records::title,
            ))
            .first(conn)
            .optional()?;
        if let Some((due_on, branch_id, barcode, title)) = found {
            out.due_on = Some(due_on);
            out.barcode = Some(barcode);
            out.title = Some(title);
            branch = Some(branch_id);
        }
    } else if let Some(hold) = out.notice.hold_id {
        let found: Option<(String, Option<NaiveDate>, String)> = holds_table::table
            .inner_join(records::table)
            .filter(holds_table::id.eq(hold.to_string()))
            .select((
                holds_table::pickup_branch_id,
                holds_table::expires_on,
                records::title,
            ))
            .first(conn)
            .optional()?;
        if let Some((branch_id, expires_on, title)) = found {
            out.due_on = expires_on;
            out.title = Some(title);
            branch = Some(branch_id);
        }
    }
    if let Some(branch) = branch {
        let found: Option<(String, String, String)> = branches::table
            .find(&branch)
            .select((branches::code, branches::name_kk, branches::name_ru))
            .first(conn)
            .optional()?;
        out.branch_id = Some(branch.parse().map_err(corrupt)?);
        if let Some((code, kk, ru)) = found {
            out.library_code = Some(code);
            out.library_kk = Some(kk);
            out.library_ru = Some(ru);
        }
    }
    Ok(out)
}

use crate::schema::holds as holds_table;

/// A page of notices for the staff list.
#[derive(Debug, Clone, Default)]
pub struct NoticeFilter {
    pub status: Option<NoticeStatus>,
    pub kind: Option<NoticeKind>,
    pub channels: Vec<NoticeChannel>,
    /// Notices of loans issued by, or holds picked up at, this library.
    pub branch: Option<BranchId>,
    pub after: Option<NoticeId>,
    pub limit: i64,
}

/// Notices in id order (ids are UUIDv7: creation order).
pub fn list(conn: &mut DbConnection, f: &NoticeFilter) -> Result<Vec<StoredNotice>, DbError> {
    let mut q = notices::table.select(Row::as_select()).into_boxed();
    if let Some(status) = f.status {
        q = q.filter(notices::status.eq(status.as_str()));
    }
    if let Some(kind) = f.kind {
        q = q.filter(notices::kind.eq(kind.as_str()));
    }
    if !f.channels.is_empty() {
        let names: Vec<&str> = f.channels.iter().map(|c| c.as_str()).collect();
        q = q.filter(notices::channel.eq_any(names));
    }
    if let Some(branch) = f.branch {
        let branch = branch.to_string();
        q = q.filter(
            notices::loan_id
                .eq_any(
                    loans::table
                        .filter(loans::branch_id.eq(branch.clone()))
                        .select(loans::id.nullable()),
                )
                .or(notices::hold_id.eq_any(
                    holds_table::table
                        .filter(holds_table::pickup_branch_id.eq(branch))
                        .select(holds_table::id.nullable()),
                )),
        );
    }
    if let Some(after) = f.after {
        q = q.filter(notices::id.gt(after.to_string()));
    }
    q.order(notices::id.asc())
        .limit(f.limit)
        .load(conn)?
        .into_iter()
        .map(StoredNotice::try_from)
        .collect()
}

/// A phone or visit notice was done by staff: `printed`, once. `false` when
/// it was not pending any more.
pub fn mark_done(conn: &mut DbConnection, id: NoticeId, at: Timestamp) -> Result<bool, DbError> {
    let changed = diesel::update(
        notices::table
            .find(id.to_string())
            .filter(notices::status.eq(NoticeStatus::Pending.as_str())),
    )
    .set((
        notices::status.eq(NoticeStatus::Printed.as_str()),
        notices::sent_at.eq(Some(at.naive())),
        notices::attempts.eq(notices::attempts + 1),
    ))
    .execute(conn)?;
    Ok(changed == 1)
}

/// A hold waiting on the hold shelf, with its reader's consents and whether
/// each contact is there (never the contact itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldToNotify {
    pub hold_id: HoldId,
    pub reader_id: ReaderId,
    pub record_id: kitap_domain::RecordId,
    pub copy_id: Option<kitap_domain::CopyId>,
    pub pickup_branch_id: BranchId,
    pub placed_at: Timestamp,
    pub ready_on: NaiveDate,
    pub consent_email: bool,
    pub consent_sms: bool,
    pub has_email: bool,
    pub has_phone: bool,
}

type HoldNotifyRow = (
    (
        String,
        String,
        String,
        Option<String>,
        String,
        chrono::NaiveDateTime,
        Option<NaiveDate>,
    ),
    (bool, bool, Option<String>, Option<String>),
);

/// Ready holds still on the shelf on `today` (not past `expires_on`), in
/// hold id order after `after`: the scheduler's batches of hold-ready notices.
pub fn holds_to_notify(
    conn: &mut DbConnection,
    today: NaiveDate,
    after: Option<HoldId>,
    limit: i64,
) -> Result<Vec<HoldToNotify>, DbError> {
    let mut q = holds_table::table
        .inner_join(readers::table)
        .filter(holds_table::status.eq(kitap_domain::HoldStatus::Ready.as_str()))
        .filter(holds_table::ready_on.is_not_null())
        .filter(
            holds_table::expires_on
                .is_null()
                .or(holds_table::expires_on.ge(today)),
        )
        .select((
            (
                holds_table::id,
                holds_table::reader_id,
                holds_table::record_id,
                holds_table::copy_id,
                holds_table::pickup_branch_id,
                holds_table::placed_at,
                holds_table::ready_on,
            ),
            (
                readers::consent_email,
                readers::consent_sms,
                readers::email,
                readers::phone,
            ),
        ))
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(holds_table::id.gt(after.to_string()));
    }
    let rows: Vec<HoldNotifyRow> = q.order(holds_table::id.asc()).limit(limit).load(conn)?;
    rows.into_iter()
        .filter_map(
            |((id, reader, record, copy, pickup, placed_at, ready_on), c)| {
                ready_on.map(|on| ((id, reader, record, copy, pickup, placed_at, on), c))
            },
        )
        .map(
            |((id, reader, record, copy, pickup, placed_at, ready_on), c)| {
                let corrupt =
                    |e: kitap_domain::ValueError| DbError::Corrupt(format!("hold {id}: {e}"));
                let (consent_email, consent_sms, email, phone) = c;
                let present =
                    |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
                Ok(HoldToNotify {
                    hold_id: id.parse().map_err(corrupt)?,
                    reader_id: reader.parse().map_err(corrupt)?,
                    record_id: record.parse().map_err(corrupt)?,
                    copy_id: copy
                        .as_deref()
                        .map(str::parse)
                        .transpose()
                        .map_err(corrupt)?,
                    pickup_branch_id: pickup.parse().map_err(corrupt)?,
                    placed_at: Timestamp::from_naive(placed_at),
                    ready_on,
                    consent_email,
                    consent_sms,
                    has_email: present(&email),
                    has_phone: present(&phone),
                })
            },
        )
        .collect()
}
