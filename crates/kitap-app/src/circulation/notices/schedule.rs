//! Scheduling: which notices are due, stored once each. Loans: courtesy
//! and overdue notices (`kitap_circulation::notices_due`); holds waiting on
//! the hold shelf: one `hold_ready` notice each
//! (`kitap_circulation::hold_ready_notice`, keyed by hold and ready day).
//! The channel is the first the reader consented to that can be sent, else
//! the desk's phone list.

use chrono::NaiveDate;
use kitap_circulation::{
    channels_for, hold_ready_notice, notices_due, HoldState, LoanState, NoticeDue,
};
use kitap_db::notices::{self, HoldToNotify, LoanToNotify, StoredNotice};
use kitap_db::DbConnection;
use kitap_domain::{
    HoldId, HoldStatus, LoanId, NoticeChannel, NoticeId, NoticeStatus, ReaderId, Timestamp,
};

use super::BATCH;
use crate::{App, AppError};

impl App {
    /// Stores the notices due `today`; returns how many were new.
    pub(crate) fn schedule(&self, today: NaiveDate) -> Result<usize, AppError> {
        let policy = &self.notices.policy;
        let until = today
            .checked_add_days(chrono::Days::new(u64::from(policy.courtesy_days_before)))
            .unwrap_or(today);
        let mut after = None;
        let mut stored = 0;
        loop {
            let (count, last, added) = self.db.write(|conn| {
                let loans = notices::loans_to_notify(conn, until, after, BATCH)?;
                let mut added = 0;
                for loan in &loans {
                    added += self.schedule_loan(conn, loan, today)?;
                }
                Ok::<_, AppError>((loans.len(), loans.last().map(|l| l.loan_id), added))
            })?;
            stored += added;
            if (count as i64) < BATCH {
                break;
            }
            after = last;
        }
        Ok(stored)
    }

    fn schedule_loan(
        &self,
        conn: &mut DbConnection,
        loan: &LoanToNotify,
        today: NaiveDate,
    ) -> Result<usize, AppError> {
        let state = LoanState {
            id: loan.loan_id,
            copy: loan.copy_id,
            reader: loan.reader_id,
            kind: loan.kind,
            due_on: loan.due_on,
            renewals: u16::try_from(loan.renewals).unwrap_or(u16::MAX),
            issued_on: loan.issued_at.naive().date(),
        };
        let due = notices_due(&state, today, &self.notices.policy);
        if due.is_empty() {
            return Ok(0);
        }
        let channel = self.channel_for(
            loan.consent_email && loan.has_email,
            loan.consent_sms && loan.has_phone,
        );
        let mut added = 0;
        for notice in due {
            let target = Target {
                reader: loan.reader_id,
                loan: Some(loan.loan_id),
                hold: None,
            };
            added += usize::from(store_once(conn, &notice, target, channel)?);
        }
        Ok(added)
    }

    /// Stores the hold-ready notices of holds waiting on the hold shelf;
    /// returns how many were new. Its key names the hold and the day it
    /// became ready: one notice per hold on the shelf, ever.
    pub(crate) fn schedule_holds(&self, today: NaiveDate) -> Result<usize, AppError> {
        let mut after: Option<HoldId> = None;
        let mut stored = 0;
        loop {
            let (count, last, added) = self.db.write(|conn| {
                let holds = notices::holds_to_notify(conn, today, after, BATCH)?;
                let mut added = 0;
                for hold in &holds {
                    let channel = self.channel_for(
                        hold.consent_email && hold.has_email,
                        hold.consent_sms && hold.has_phone,
                    );
                    let target = Target {
                        reader: hold.reader_id,
                        loan: None,
                        hold: Some(hold.hold_id),
                    };
                    let due = hold_ready_notice(&hold_state(hold), hold.ready_on);
                    added += usize::from(store_once(conn, &due, target, channel)?);
                }
                Ok::<_, AppError>((holds.len(), holds.last().map(|h| h.hold_id), added))
            })?;
            stored += added;
            if (count as i64) < BATCH {
                break;
            }
            after = last;
        }
        Ok(stored)
    }

    /// The first channel in the configured order that the reader consented
    /// to and that can be sent (transport configured, contact on file);
    /// otherwise `phone`: the desk's list of calls and home visits.
    /// `email` and `sms`: the reader consented and the contact is on file.
    fn channel_for(&self, email: bool, sms: bool) -> NoticeChannel {
        let mut consents = Vec::new();
        if email && self.notices.email.is_some() {
            consents.push(NoticeChannel::Email);
        }
        if sms && self.notices.sms.is_some() {
            consents.push(NoticeChannel::Sms);
        }
        match channels_for(&consents, &self.notices.preference).first() {
            Some(channel) => *channel,
            None => NoticeChannel::Phone,
        }
    }
}

/// Whose notice it is and what it is about.
#[derive(Debug, Clone, Copy)]
struct Target {
    reader: ReaderId,
    loan: Option<LoanId>,
    hold: Option<HoldId>,
}

/// Stores a due notice on `channel` unless one with its key was ever stored
/// on any channel (keys read `<key>:<channel>`; the reader's consent may
/// have changed since): `true` when it is new.
fn store_once(
    conn: &mut DbConnection,
    notice: &NoticeDue,
    target: Target,
    channel: NoticeChannel,
) -> Result<bool, AppError> {
    if notices::exists_for_key(conn, &notice.dedupe_key)? {
        return Ok(false);
    }
    let row = StoredNotice {
        id: NoticeId::new(),
        reader_id: target.reader,
        loan_id: target.loan,
        hold_id: target.hold,
        kind: notice.kind,
        level: i32::from(notice.level),
        channel,
        dedupe_key: format!("{}:{channel}", notice.dedupe_key),
        status: NoticeStatus::Pending,
        attempts: 0,
        last_error: None,
        created_at: Timestamp::now(),
        sent_at: None,
    };
    Ok(notices::insert_new(conn, &row)?)
}

fn hold_state(h: &HoldToNotify) -> HoldState {
    HoldState {
        id: h.hold_id,
        reader: h.reader_id,
        record: h.record_id,
        copy: h.copy_id,
        pickup: h.pickup_branch_id,
        status: HoldStatus::Ready,
        placed_at: h.placed_at,
    }
}
