//! May this reader take this copy, and until when?
//!
//! The checks run in a fixed order and the first one failing (and not
//! overridden) is the refusal:
//!
//! 1. `reader_not_active`: the reader is archived;
//! 2. `registration_expired`: the annual re-registration is past;
//! 3. `reader_blocked`: a manual or lost-copy block;
//! 4. `reader_has_overdue`: a debtor (home loans only: a debtor may still
//!    read in the reading room, the copy does not leave the building);
//! 5. `copy_not_available`: the copy is not on the shelf (hard);
//! 6. `copy_on_hold_for_other`: it waits on the hold shelf for someone else,
//!    or (home loans) others queue for it; a reading-room issue of a queued
//!    copy is fine, it comes back the same day and is trapped then;
//! 7. `copy_reading_room_only`: a reading-room copy asked for home;
//! 8. `rule_forbids_home_loan`: the rule lends this material in the reading
//!    room only;
//! 9. `loan_limit_reached`: the reader has `max_items` home loans.
//!
//! Reader first, then copy, then rule: the desk fixes reader problems
//! (re-registration) before fetching another copy. [`all_refusals`] lists
//! every failing check so the screen can show them at once.

use chrono::NaiveDate;
use kitap_domain::{LoanKind, ReaderStatus};

use crate::refusal::apply_overrides;
use crate::{Calendar, CopyState, Overrides, ReaderState, Refusal, RefusalCode, RuleValues};

/// A loan may be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutDecision {
    pub kind: LoanKind,
    pub due_on: NaiveDate,
    /// Refusals staff overrode: the application writes an `override` event
    /// for each.
    pub overridden: Vec<RefusalCode>,
    /// The copy was on the hold shelf for this reader: the hold is fulfilled.
    pub fulfils_hold: bool,
}

pub fn decide_checkout(
    reader: &ReaderState,
    copy: &CopyState,
    values: &RuleValues,
    calendar: &Calendar,
    today: NaiveDate,
    kind: LoanKind,
    overrides: &Overrides,
) -> Result<CheckoutDecision, Refusal> {
    let refusals = all_refusals(reader, copy, values, today, kind);
    let overridden = apply_overrides(refusals, overrides)?;
    let due_on = due_on(values, calendar, today, kind)?;
    Ok(CheckoutDecision {
        kind,
        due_on,
        overridden,
        fulfils_hold: copy.trapped_for == Some(reader.id),
    })
}

/// Reading room: back the same day. Home: the rule's period, moved to an
/// open day.
fn due_on(
    values: &RuleValues,
    calendar: &Calendar,
    today: NaiveDate,
    kind: LoanKind,
) -> Result<NaiveDate, Refusal> {
    match kind {
        LoanKind::ReadingRoom => Ok(today),
        LoanKind::Home => calendar
            .due_date(today, values.loan_days)
            .map_err(|e| Refusal::new(RefusalCode::NoOpenDay, e.to_string())),
    }
}

/// Every failing check, in check order (see the module documentation).
pub fn all_refusals(
    reader: &ReaderState,
    copy: &CopyState,
    values: &RuleValues,
    today: NaiveDate,
    kind: LoanKind,
) -> Vec<Refusal> {
    let home = kind == LoanKind::Home;
    let mut out = reader_refusals(reader, today, home);
    out.extend(copy_refusals(reader, copy, home));
    if home && values.reading_room_only {
        out.push(RefusalCode::RuleForbidsHomeLoan.into());
    }
    if home && reader.open_home_loans >= u32::from(values.max_items) {
        let detail = format!(
            "{} home loans open, the rule allows {}",
            reader.open_home_loans, values.max_items
        );
        out.push(Refusal::new(RefusalCode::LoanLimitReached, detail));
    }
    out
}

/// Checks 1–4; shared with renewal and holds.
pub(crate) fn reader_refusals(reader: &ReaderState, today: NaiveDate, home: bool) -> Vec<Refusal> {
    let mut out = Vec::new();
    if reader.status != ReaderStatus::Active {
        out.push(RefusalCode::ReaderNotActive.into());
    }
    if reader.registration_expired(today) {
        let detail = format!("registered until {}", reader.registered_until);
        out.push(Refusal::new(RefusalCode::RegistrationExpired, detail));
    }
    if let Some(refusal) = blocked(reader) {
        out.push(refusal);
    }
    if home && reader.is_debtor() {
        out.push(debtor(reader));
    }
    out
}

pub(crate) fn blocked(reader: &ReaderState) -> Option<Refusal> {
    let reasons: Vec<String> = reader
        .hard_blocks()
        .map(|b| format!("{}: {}", b.kind, b.reason))
        .collect();
    (!reasons.is_empty()).then(|| Refusal::new(RefusalCode::ReaderBlocked, reasons.join("; ")))
}

pub(crate) fn debtor(reader: &ReaderState) -> Refusal {
    let detail = format!(
        "{} overdue loans, the oldest {} days",
        reader.overdue_loans, reader.max_overdue_days
    );
    Refusal::new(RefusalCode::ReaderHasOverdue, detail)
}

/// Checks 5–7.
fn copy_refusals(reader: &ReaderState, copy: &CopyState, home: bool) -> Vec<Refusal> {
    let mut out = Vec::new();
    if !copy.is_on_shelf() {
        let detail = format!("the copy is {}", copy.status);
        out.push(Refusal::new(RefusalCode::CopyNotAvailable, detail));
    }
    let trapped_for_other = copy.trapped_for.is_some_and(|r| r != reader.id);
    let queued_for_other = home && copy.queued_hold_for_others && copy.trapped_for.is_none();
    if trapped_for_other || queued_for_other {
        out.push(RefusalCode::CopyOnHoldForOther.into());
    }
    if home && copy.is_reading_room_only() {
        out.push(RefusalCode::CopyReadingRoomOnly.into());
    }
    out
}

#[cfg(test)]
mod tests;
