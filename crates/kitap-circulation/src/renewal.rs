//! May this loan be renewed, and until when?
//!
//! Checks, in order: `loan_is_reading_room` (hard), `reader_not_active`
//! (hard), `reader_blocked`, `reader_has_overdue` (other loans overdue: the
//! Russian-practice rule "renew when there is no debt"; this loan being late
//! is not itself a reason to refuse), `renewal_limit_reached`,
//! `title_on_hold` (someone waits for the title). The reader's annual
//! re-registration is not checked: renewing by phone must not need a visit.
//!
//! The new period counts from the day of renewal, as Russian and Kazakh
//! libraries count it (a reader renewing early does not gain the days left),
//! but the due date never moves earlier than it already is.

use chrono::NaiveDate;
use kitap_domain::{name_enum, LoanKind, ReaderStatus};

use crate::checkout::{blocked, debtor};
use crate::refusal::apply_overrides;
use crate::{Calendar, LoanState, Overrides, ReaderState, Refusal, RefusalCode, RuleValues};

name_enum!(
    /// Who asks: staff may override, a reader renewing online may not.
    RenewalChannel, "channel", {
        Staff => "staff",
        ReaderOnline => "reader_online",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewalDecision {
    pub new_due_on: NaiveDate,
    /// The loan's renewal count after this renewal.
    pub renewals: u16,
    pub overridden: Vec<RefusalCode>,
}

#[allow(clippy::too_many_arguments)] // one snapshot per argument, as every policy
pub fn decide_renewal(
    loan: &LoanState,
    reader: &ReaderState,
    values: &RuleValues,
    holds_waiting_for_title: bool,
    calendar: &Calendar,
    today: NaiveDate,
    by: RenewalChannel,
    overrides: &Overrides,
) -> Result<RenewalDecision, Refusal> {
    let refusals = renewal_refusals(loan, reader, values, holds_waiting_for_title, today);
    let none = Overrides::none();
    let usable = match by {
        RenewalChannel::Staff => overrides,
        RenewalChannel::ReaderOnline => &none,
    };
    let overridden = apply_overrides(refusals, usable)?;
    let from_today = calendar
        .due_date(today, values.renewal_days)
        .map_err(|e| Refusal::new(RefusalCode::NoOpenDay, e.to_string()))?;
    Ok(RenewalDecision {
        new_due_on: from_today.max(loan.due_on),
        renewals: loan.renewals.saturating_add(1),
        overridden,
    })
}

/// Every failing renewal check, in check order.
pub fn renewal_refusals(
    loan: &LoanState,
    reader: &ReaderState,
    values: &RuleValues,
    holds_waiting_for_title: bool,
    today: NaiveDate,
) -> Vec<Refusal> {
    let mut out = Vec::new();
    if loan.kind == LoanKind::ReadingRoom {
        out.push(RefusalCode::LoanIsReadingRoom.into());
    }
    if reader.status != ReaderStatus::Active {
        out.push(RefusalCode::ReaderNotActive.into());
    }
    out.extend(blocked(reader));
    let this_one_late = u32::from(loan.due_on < today);
    if reader.overdue_loans.saturating_sub(this_one_late) > 0 {
        out.push(debtor(reader));
    }
    if loan.renewals >= values.max_renewals {
        let detail = format!("renewed {} of {} times", loan.renewals, values.max_renewals);
        out.push(Refusal::new(RefusalCode::RenewalLimitReached, detail));
    }
    if holds_waiting_for_title {
        out.push(RefusalCode::TitleOnHold.into());
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::Weekday;
    use kitap_domain::BlockKind;

    use super::*;
    use crate::testutil::{date, good_reader, home_loan};
    use crate::BlockState;

    fn renew(
        loan: &LoanState,
        reader: &ReaderState,
        holds: bool,
        today: NaiveDate,
        by: RenewalChannel,
        overrides: &Overrides,
    ) -> Result<RenewalDecision, Refusal> {
        let cal = Calendar::new([Weekday::Sun], [date(2025, 3, 21), date(2025, 3, 22)]);
        let values = RuleValues::default_seed();
        decide_renewal(loan, reader, &values, holds, &cal, today, by, overrides)
    }

    #[test]
    fn the_period_counts_from_the_day_of_renewal() {
        // Due 20 March, renewed 18 March: 18 + 15 = 2 April (Wednesday).
        let got = renew(
            &home_loan(),
            &good_reader(),
            false,
            date(2025, 3, 18),
            RenewalChannel::ReaderOnline,
            &Overrides::none(),
        )
        .unwrap();
        assert_eq!((got.new_due_on, got.renewals), (date(2025, 4, 2), 1));
    }

    #[test]
    fn the_due_date_never_moves_earlier() {
        let values = RuleValues {
            renewal_days: 1,
            ..RuleValues::default_seed()
        };
        let got = decide_renewal(
            &home_loan(),
            &good_reader(),
            &values,
            false,
            &Calendar::always_open(),
            date(2025, 3, 6),
            RenewalChannel::Staff,
            &Overrides::none(),
        )
        .unwrap();
        assert_eq!(got.new_due_on, date(2025, 3, 20));
    }

    #[test]
    fn a_late_loan_may_be_renewed_but_other_debts_refuse() {
        let mut reader = good_reader();
        reader.overdue_loans = 1;
        let today = date(2025, 3, 25);
        assert!(renew(
            &home_loan(),
            &reader,
            false,
            today,
            RenewalChannel::Staff,
            &Overrides::none()
        )
        .is_ok());
        reader.overdue_loans = 2;
        let err = renew(
            &home_loan(),
            &reader,
            false,
            today,
            RenewalChannel::Staff,
            &Overrides::none(),
        )
        .unwrap_err();
        assert_eq!(err.code, RefusalCode::ReaderHasOverdue);
    }

    #[test]
    fn limits_and_holds_refuse_and_only_staff_override() {
        let loan = LoanState {
            renewals: 2,
            ..home_loan()
        };
        let today = date(2025, 3, 18);
        let over = Overrides::of(&[RefusalCode::RenewalLimitReached, RefusalCode::TitleOnHold]);
        let err = renew(
            &loan,
            &good_reader(),
            true,
            today,
            RenewalChannel::ReaderOnline,
            &over,
        )
        .unwrap_err();
        assert_eq!(err.code, RefusalCode::RenewalLimitReached);
        let err = renew(
            &home_loan(),
            &good_reader(),
            true,
            today,
            RenewalChannel::ReaderOnline,
            &over,
        )
        .unwrap_err();
        assert_eq!(err.code, RefusalCode::TitleOnHold);
        let got = renew(
            &loan,
            &good_reader(),
            true,
            today,
            RenewalChannel::Staff,
            &over,
        )
        .unwrap();
        assert_eq!(
            got.overridden,
            [RefusalCode::RenewalLimitReached, RefusalCode::TitleOnHold]
        );
        assert_eq!(got.renewals, 3);
    }

    #[test]
    fn reading_room_loans_and_blocks() {
        let loan = LoanState {
            kind: LoanKind::ReadingRoom,
            ..home_loan()
        };
        let every = Overrides::of(RefusalCode::ALL);
        let today = date(2025, 3, 18);
        let err = renew(
            &loan,
            &good_reader(),
            false,
            today,
            RenewalChannel::Staff,
            &every,
        )
        .unwrap_err();
        assert_eq!(err.code, RefusalCode::LoanIsReadingRoom);
        let mut reader = good_reader();
        reader.blocks.push(BlockState {
            kind: BlockKind::Manual,
            reason: "rude".into(),
        });
        let err = renew(
            &home_loan(),
            &reader,
            false,
            today,
            RenewalChannel::ReaderOnline,
            &Overrides::none(),
        )
        .unwrap_err();
        assert_eq!(err.code, RefusalCode::ReaderBlocked);
    }
}
