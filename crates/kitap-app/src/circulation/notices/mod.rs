//! Reader notices (#5, point 6): a courtesy reminder before the due date,
//! overdue notices at configured levels, sent by email or SMS or listed for
//! the desk to phone or visit.
//!
//! One run ("tick") schedules, then delivers:
//! - [`App::notice_tick`] first marks notices left `sending` by a process
//!   that died as `failed` ("interrupted; not resent"): they may have gone
//!   out, and a notice is sent at most once. Delivery failures are retried
//!   ([`MAX_ATTEMPTS`] attempts in all, one per tick); interrupted ones never.
//! - schedule: open loans due within the courtesy window or overdue, and
//!   holds waiting on the hold shelf (`hold_ready`), in batches of one
//!   transaction each; each notice is stored once (its dedupe key is unique,
//!   the insert is `ON CONFLICT DO NOTHING`).
//! - refresh the automatic `overdue` blocks (the same work as
//!   `POST /debtors/refresh`), under the same locks.
//! - deliver: pending email and SMS notices are claimed one at a time by an
//!   UPDATE from `pending` to `sending` only one worker can win, sent, and
//!   marked `sent` (or `failed`).
//!
//! A tick holds an in-process lock and, on PostgreSQL, an advisory lock on
//! its own connection: one node runs it at a time, the others skip.

mod config;
mod job;
mod schedule;
mod text;
mod transport;

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use kitap_circulation::NoticePolicy;
use kitap_db::notices::{self, NoticeContext, NoticeFilter, StoredNotice};
use kitap_db::{branches, DbConnection, DbError};
use kitap_domain::{
    BranchCode, NoticeChannel, NoticeId, NoticeKind, NoticeStatus, Role, Timestamp,
};
use serde_json::json;

pub(crate) use config::NOTICE_ENV_OVERRIDES;
pub use config::{NoticesConfig, SmsConfig, SmtpConfig};
pub use job::NoticeJob;
pub use kitap_db::notices::StoredNotice as Notice;
pub use transport::{HttpSmsTransport, SmtpTransport, Transport, TransportError};

use crate::audit::record as audit;
use crate::{Actor, App, AppError, Principal};

/// Delivery attempts per notice, the first included.
pub const MAX_ATTEMPTS: i32 = 3;
/// The error kept on a notice found `sending` at the start of a run.
pub const INTERRUPTED: &str = "interrupted; not resent to avoid a duplicate";
/// The PostgreSQL advisory lock key of the notice job (any constant all
/// Kitap nodes share; "KITAPN").
pub const NOTICE_LOCK: i64 = 0x4b49_5441_504e;
/// Loans per scheduling transaction.
pub(crate) const BATCH: i64 = 500;

const STAFF: [Role; 2] = [Role::Librarian, Role::Admin];

// The desk's calendar date: notices count days as the desk does.
pub use crate::circulation::today;

/// What the notice job works with: policy, channel order and transports.
pub struct NoticeRuntime {
    pub(crate) config: NoticesConfig,
    policy: NoticePolicy,
    preference: Vec<NoticeChannel>,
    email: Option<Box<dyn Transport>>,
    sms: Option<Box<dyn Transport>>,
    /// One tick at a time in this process (the job thread and `run`).
    tick: Mutex<()>,
}

impl Default for NoticeRuntime {
    fn default() -> Self {
        NoticeRuntime::new(NoticesConfig::default(), None, None)
    }
}

impl NoticeRuntime {
    fn new(
        config: NoticesConfig,
        email: Option<Box<dyn Transport>>,
        sms: Option<Box<dyn Transport>>,
    ) -> Self {
        NoticeRuntime {
            policy: NoticePolicy {
                courtesy_days_before: config.courtesy_days_before,
                overdue_levels: config.overdue_levels.clone(),
                ..NoticePolicy::default()
            },
            preference: config.preference().unwrap_or_default(),
            email,
            sms,
            config,
            tick: Mutex::new(()),
        }
    }
}

/// What one run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct TickReport {
    /// Another node holds the lock: nothing was done.
    pub skipped: bool,
    /// Notices found `sending` and marked failed, not resent.
    pub interrupted: usize,
    /// Failed notices put back for another attempt.
    pub retried: usize,
    /// Notices stored.
    pub scheduled: usize,
    pub sent: usize,
    pub failed: usize,
    /// Automatic overdue blocks placed and lifted by this run.
    pub blocks_placed: u32,
    pub blocks_lifted: u32,
}

/// Filters of the staff list.
#[derive(Debug, Clone, Default)]
pub struct NoticeQuery {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub library: Option<String>,
    pub after: Option<NoticeId>,
    pub limit: i64,
}

/// One line of the list for phone calls and home visits.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CallLine {
    pub notice_id: NoticeId,
    pub kind: NoticeKind,
    pub level: i32,
    pub channel: NoticeChannel,
    pub reader_name: String,
    pub card_number: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub title: Option<String>,
    pub barcode: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub days_overdue: i64,
    pub library: Option<String>,
    pub created_at: Timestamp,
}

impl CallLine {
    fn new(c: NoticeContext, today: NaiveDate) -> Self {
        let mut name = format!("{} {}", c.surname, c.first_name);
        if let Some(p) = c.patronymic.as_deref().filter(|p| !p.is_empty()) {
            name.push(' ');
            name.push_str(p);
        }
        CallLine {
            notice_id: c.notice.id,
            kind: c.notice.kind,
            level: c.notice.level,
            channel: c.notice.channel,
            reader_name: name,
            card_number: c.card_number.to_string(),
            phone: c.phone,
            address: c.address,
            title: c.title,
            barcode: c.barcode,
            due_on: c.due_on,
            days_overdue: c.due_on.map(|d| (today - d).num_days().max(0)).unwrap_or(0),
            library: c.library_code,
            created_at: c.notice.created_at,
        }
    }
}

impl App {
    /// The same use cases with notices configured as `config` says:
    /// transports built for the channels that are set up.
    pub fn with_notices(mut self, config: &NoticesConfig) -> Result<App, AppError> {
        let email: Option<Box<dyn Transport>> = match &config.smtp {
            Some(smtp) => Some(Box::new(
                SmtpTransport::new(smtp).map_err(|e| AppError::Internal(e.to_string()))?,
            )),
            None => None,
        };
        let sms: Option<Box<dyn Transport>> = config
            .sms
            .as_ref()
            .map(|sms| Box::new(HttpSmsTransport::new(sms)) as Box<dyn Transport>);
        self.notices = Arc::new(NoticeRuntime::new(config.clone(), email, sms));
        Ok(self)
    }

    /// The notice settings in force.
    pub fn notices_config(&self) -> &NoticesConfig {
        &self.notices.config
    }

    /// One run now (administrators), as the job would.
    pub fn run_notices(&self, who: &Principal) -> Result<TickReport, AppError> {
        who.require_role(&[Role::Admin])?;
        self.notice_tick(today())
    }

    /// One run: interrupted sends, retries, schedule, deliver. Skipped when
    /// another node holds the lock.
    pub fn notice_tick(&self, today: NaiveDate) -> Result<TickReport, AppError> {
        let _in_process = self
            .notices
            .tick
            .lock()
            .map_err(|_| AppError::Internal("notice job lock poisoned".to_owned()))?;
        let Some(_node) = self.db.try_job_lock(NOTICE_LOCK)? else {
            return Ok(TickReport {
                skipped: true,
                ..TickReport::default()
            });
        };
        // Holding both locks, no one else is sending: whatever is `sending`
        // was left by a process that stopped in the middle.
        let interrupted = self
            .db
            .write(|conn| notices::fail_interrupted(conn, INTERRUPTED))?;
        if interrupted > 0 {
            tracing::warn!(
                count = interrupted,
                "notices interrupted while sending were marked failed and not resent"
            );
        }
        let channels = self.sendable_channels();
        let retried = self
            .db
            .write(|conn| notices::requeue_failed(conn, &channels, MAX_ATTEMPTS, INTERRUPTED))?;
        let scheduled = self.schedule(today)? + self.schedule_holds(today)?;
        let (sent, failed) = self.deliver(today)?;
        let blocks = self.refresh_overdue_blocks_on(&crate::Actor::system("notice job"), today)?;
        let report = TickReport {
            skipped: false,
            interrupted,
            retried,
            scheduled,
            sent,
            failed,
            blocks_placed: blocks.placed,
            blocks_lifted: blocks.lifted,
        };
        Ok(report)
    }

    /// The channels a transport is configured for.
    fn sendable_channels(&self) -> Vec<NoticeChannel> {
        let mut out = Vec::new();
        if self.notices.email.is_some() {
            out.push(NoticeChannel::Email);
        }
        if self.notices.sms.is_some() {
            out.push(NoticeChannel::Sms);
        }
        out
    }

    /// Sends pending email and SMS notices, each claimed first; returns
    /// (sent, failed).
    pub(crate) fn deliver(&self, today: NaiveDate) -> Result<(usize, usize), AppError> {
        let channels = self.sendable_channels();
        if channels.is_empty() {
            return Ok((0, 0));
        }
        let (mut sent, mut failed) = (0, 0);
        let mut lost: Vec<NoticeId> = Vec::new();
        loop {
            let next = self
                .db
                .read(|conn| notices::next_pending(conn, &channels, &lost))?;
            let Some(notice) = next else { break };
            let id = notice.id;
            if !self.db.write(|conn| notices::claim(conn, id))? {
                lost.push(id);
                continue;
            }
            let context = self.db.read(|conn| notices::context(conn, notice))?;
            match self.send(&context, today) {
                Ok(()) => {
                    self.db
                        .write(|conn| notices::mark_sent(conn, id, Timestamp::now()))?;
                    sent += 1;
                }
                Err(err) => {
                    tracing::warn!(notice = %id, error = %err, "a notice could not be sent");
                    self.db
                        .write(|conn| notices::fail_attempt(conn, id, &err.0))?;
                    failed += 1;
                }
            }
        }
        Ok((sent, failed))
    }

    fn send(&self, c: &NoticeContext, today: NaiveDate) -> Result<(), TransportError> {
        let missing = || TransportError("no contact on file".to_owned());
        match c.notice.channel {
            NoticeChannel::Email => {
                let transport = self.notices.email.as_ref().ok_or_else(missing)?;
                let to = c.email.as_deref().ok_or_else(missing)?;
                let rendered = text::email(c, today);
                transport.send(to, &rendered.subject, &rendered.text)
            }
            NoticeChannel::Sms => {
                let transport = self.notices.sms.as_ref().ok_or_else(missing)?;
                let to = c.phone.as_deref().ok_or_else(missing)?;
                transport.send(to, "", &text::sms(c))
            }
            NoticeChannel::Phone | NoticeChannel::Visit => Err(TransportError(
                "phone and visit notices are done by staff".to_owned(),
            )),
        }
    }

    /// A page of notices (librarians, administrators).
    pub fn list_notices(
        &self,
        who: &Principal,
        query: NoticeQuery,
    ) -> Result<Vec<StoredNotice>, AppError> {
        who.require_role(&STAFF)?;
        let status = query
            .status
            .as_deref()
            .map(str::parse::<NoticeStatus>)
            .transpose()?;
        let kind = query
            .kind
            .as_deref()
            .map(str::parse::<NoticeKind>)
            .transpose()?;
        self.db.read(|conn| {
            let branch = match &query.library {
                Some(code) => Some(find_library(conn, code)?.id),
                None => None,
            };
            let filter = NoticeFilter {
                status,
                kind,
                channels: Vec::new(),
                branch,
                after: query.after,
                limit: query.limit,
            };
            Ok(notices::list(conn, &filter)?)
        })
    }

    /// The pending phone and visit notices, for the desk to call or visit:
    /// the reader's name, card, phone and address, the title and how late.
    pub fn notice_calls(
        &self,
        who: &Principal,
        library: Option<String>,
    ) -> Result<Vec<CallLine>, AppError> {
        who.require_role(&STAFF)?;
        let today = today();
        self.db.read(|conn| {
            let branch = match &library {
                Some(code) => Some(find_library(conn, code)?.id),
                None => None,
            };
            let mut out = Vec::new();
            let mut after = None;
            loop {
                let filter = NoticeFilter {
                    status: Some(NoticeStatus::Pending),
                    kind: None,
                    channels: vec![NoticeChannel::Phone, NoticeChannel::Visit],
                    branch,
                    after,
                    limit: 1000,
                };
                let page = notices::list(conn, &filter)?;
                let full = page.len() == 1000;
                after = page.last().map(|n| n.id);
                for notice in page {
                    out.push(CallLine::new(notices::context(conn, notice)?, today));
                }
                if !full {
                    break;
                }
            }
            out.sort_by(|a, b| {
                (&a.library, &a.reader_name, a.due_on).cmp(&(&b.library, &b.reader_name, b.due_on))
            });
            Ok(out)
        })
    }

    /// Staff called or visited the reader: the phone notice is done
    /// (`printed`), with an audit row naming who.
    pub fn notice_done(
        &self,
        who: &Principal,
        actor: &Actor,
        id: NoticeId,
    ) -> Result<StoredNotice, AppError> {
        who.require_role(&STAFF)?;
        self.db.write(|conn| {
            let notice = notices::find(conn, id).map_err(notice_missing)?;
            let callable = matches!(notice.channel, NoticeChannel::Phone | NoticeChannel::Visit);
            if !callable || !notices::mark_done(conn, id, Timestamp::now())? {
                return Err(AppError::conflict(
                    "notice_not_pending",
                    "only a pending phone or visit notice can be marked done",
                ));
            }
            let done = notices::find(conn, id)?;
            audit(
                conn,
                actor,
                "notice.done",
                ("notice", &id),
                Some(json!({"status": notice.status.as_str()})),
                Some(json!({"status": done.status.as_str(), "channel": done.channel.as_str()})),
            )?;
            Ok(done)
        })
    }
}

fn notice_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "notice" },
        other => other.into(),
    }
}

fn find_library(conn: &mut DbConnection, code: &str) -> Result<branches::Branch, AppError> {
    let code: BranchCode = code.parse()?;
    branches::find_by_code(conn, &code).map_err(|err| match err {
        DbError::NotFound => AppError::NotFound { entity: "library" },
        other => other.into(),
    })
}
