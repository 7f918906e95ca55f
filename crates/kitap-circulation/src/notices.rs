//! Which notices are due today, and through which channels.
//!
//! Every notice carries a dedupe key; the database holds a UNIQUE index on
//! it, so the daily job may run twice (or crash halfway) and still never
//! sends the same notice twice. The key includes the due date: after a
//! renewal the reader gets a fresh courtesy notice for the new date.

use chrono::{Days, NaiveDate};
use kitap_domain::{LoanKind, NoticeChannel, NoticeKind};

use crate::returns::overdue_days;
use crate::{HoldState, LoanState};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticePolicy {
    /// Days before the due date the courtesy reminder goes; 0 turns it off.
    pub courtesy_days_before: u16,
    /// Days overdue at which an overdue notice goes, one per level.
    pub overdue_levels: Vec<u16>,
    /// Days a ready hold waits on the hold shelf (see
    /// [`crate::hold_shelf_expires`]).
    pub hold_shelf_days: u16,
}

impl Default for NoticePolicy {
    fn default() -> Self {
        Self {
            courtesy_days_before: 2,
            overdue_levels: vec![3, 10, 30],
            hold_shelf_days: 5,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeDue {
    pub kind: NoticeKind,
    /// Courtesy: 1; overdue: the level in days; hold ready: 1.
    pub level: u16,
    /// `{id}:{kind}:{level}:{due date}`, unique per notice ever sent.
    pub dedupe_key: String,
}

impl NoticeDue {
    fn new(id: impl std::fmt::Display, kind: NoticeKind, level: u16, on: NaiveDate) -> Self {
        Self {
            kind,
            level,
            dedupe_key: format!("{id}:{kind}:{level}:{on}"),
        }
    }
}

/// The loan's notices due today. Every overdue level reached is listed (the
/// unique key drops the ones already sent), so a job that missed days
/// catches up. Reading-room loans get none: the desk sees them the same day.
pub fn notices_due(loan: &LoanState, today: NaiveDate, policy: &NoticePolicy) -> Vec<NoticeDue> {
    if loan.kind == LoanKind::ReadingRoom {
        return Vec::new();
    }
    let mut out = Vec::new();
    if courtesy_due(loan.due_on, today, policy.courtesy_days_before) {
        out.push(NoticeDue::new(
            loan.id,
            NoticeKind::Courtesy,
            1,
            loan.due_on,
        ));
    }
    let late = overdue_days(loan.due_on, today);
    let mut levels = policy.overdue_levels.clone();
    levels.sort_unstable();
    levels.dedup();
    out.extend(
        levels
            .into_iter()
            .filter(|level| *level > 0 && u32::from(*level) <= late)
            .map(|level| NoticeDue::new(loan.id, NoticeKind::Overdue, level, loan.due_on)),
    );
    out
}

/// In the window `[due - days, due]`.
fn courtesy_due(due_on: NaiveDate, today: NaiveDate, days_before: u16) -> bool {
    if days_before == 0 || today > due_on {
        return false;
    }
    let window_opens = due_on
        .checked_sub_days(Days::new(u64::from(days_before)))
        .unwrap_or(NaiveDate::MIN);
    today >= window_opens
}

/// The notice for a hold that reached the hold shelf on `ready_on`.
pub fn hold_ready_notice(hold: &HoldState, ready_on: NaiveDate) -> NoticeDue {
    NoticeDue::new(hold.id, NoticeKind::HoldReady, 1, ready_on)
}

/// The channels to try, in the library's preferred order, among those the
/// reader consented to. Empty: the notice is printed for the desk.
pub fn channels_for(consents: &[NoticeChannel], preferred: &[NoticeChannel]) -> Vec<NoticeChannel> {
    let mut out: Vec<NoticeChannel> = Vec::new();
    for channel in preferred {
        if consents.contains(channel) && !out.contains(channel) {
            out.push(*channel);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{date, home_loan, loan_id};

    fn kinds(due: &[NoticeDue]) -> Vec<(NoticeKind, u16)> {
        due.iter().map(|n| (n.kind, n.level)).collect()
    }

    #[test]
    fn courtesy_two_days_before() {
        let policy = NoticePolicy::default();
        let loan = home_loan(); // due 2025-03-20
        assert!(notices_due(&loan, date(2025, 3, 17), &policy).is_empty());
        let due = notices_due(&loan, date(2025, 3, 18), &policy);
        assert_eq!(kinds(&due), [(NoticeKind::Courtesy, 1)]);
        assert_eq!(
            due[0].dedupe_key,
            format!("{}:courtesy:1:2025-03-20", loan_id(100))
        );
        assert_eq!(
            kinds(&notices_due(&loan, date(2025, 3, 20), &policy)),
            [(NoticeKind::Courtesy, 1)]
        );
        assert!(notices_due(&loan, date(2025, 3, 21), &policy).is_empty());
        let off = NoticePolicy {
            courtesy_days_before: 0,
            ..policy
        };
        assert!(notices_due(&loan, date(2025, 3, 19), &off).is_empty());
    }

    #[test]
    fn every_overdue_level_reached_is_due() {
        let policy = NoticePolicy::default();
        let loan = home_loan();
        assert!(notices_due(&loan, date(2025, 3, 22), &policy).is_empty());
        assert_eq!(
            kinds(&notices_due(&loan, date(2025, 3, 23), &policy)),
            [(NoticeKind::Overdue, 3)]
        );
        let late = notices_due(&loan, date(2025, 4, 25), &policy);
        assert_eq!(
            kinds(&late),
            [
                (NoticeKind::Overdue, 3),
                (NoticeKind::Overdue, 10),
                (NoticeKind::Overdue, 30)
            ]
        );
        assert!(late[2].dedupe_key.ends_with(":overdue:30:2025-03-20"));
    }

    #[test]
    fn reading_room_loans_get_no_notices() {
        let loan = LoanState {
            kind: LoanKind::ReadingRoom,
            ..home_loan()
        };
        assert!(notices_due(&loan, date(2025, 4, 25), &NoticePolicy::default()).is_empty());
    }

    #[test]
    fn a_renewal_gets_a_new_courtesy_key() {
        let policy = NoticePolicy::default();
        let before = notices_due(&home_loan(), date(2025, 3, 19), &policy);
        let renewed = LoanState {
            due_on: date(2025, 4, 2),
            renewals: 1,
            ..home_loan()
        };
        let after = notices_due(&renewed, date(2025, 4, 1), &policy);
        assert_ne!(before[0].dedupe_key, after[0].dedupe_key);
    }

    #[test]
    fn channels_follow_preference_and_consent() {
        use NoticeChannel::*;
        assert_eq!(
            channels_for(&[Sms, Email], &[Email, Sms, Phone]),
            [Email, Sms]
        );
        assert_eq!(
            channels_for(&[Visit], &[Email, Sms, Phone, Visit, Visit]),
            [Visit]
        );
        assert!(channels_for(&[], &[Email]).is_empty());
    }
}
