//! Debtors, the automatic overdue block and amnesty campaigns.
//!
//! Any overdue loan makes a debtor (a soft block on new loans, see
//! checkout). When the oldest overdue loan is `auto_block_after_days` late,
//! an `overdue` block is placed as well, so the reader shows as blocked in
//! lists and reports; it is lifted when nothing is that late any more.

use chrono::NaiveDate;
use kitap_domain::BlockKind;

use crate::{LoanState, ReaderState, ReturnDecision};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DebtPolicy {
    pub auto_block_after_days: u32,
}

impl Default for DebtPolicy {
    fn default() -> Self {
        Self {
            auto_block_after_days: 30,
        }
    }
}

/// Whether any of the reader's loans is past its due date.
pub fn is_debtor(loans: &[LoanState], today: NaiveDate) -> bool {
    loans.iter().any(|l| l.due_on < today)
}

/// Whether the oldest overdue loan is late enough for the automatic block.
pub fn auto_block_due(max_overdue_days: u32, policy: &DebtPolicy) -> bool {
    max_overdue_days > 0 && max_overdue_days >= policy.auto_block_after_days
}

/// What the nightly job does to the reader's automatic block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockChange {
    Place,
    Lift,
}

pub fn overdue_block_change(reader: &ReaderState, policy: &DebtPolicy) -> Option<BlockChange> {
    let has_block = reader.has_block(BlockKind::Overdue);
    let due = auto_block_due(reader.max_overdue_days, policy);
    match (has_block, due) {
        (false, true) => Some(BlockChange::Place),
        (true, false) => Some(BlockChange::Lift),
        _ => None,
    }
}

/// A period when late returns are forgiven ("амнистия должников").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AmnestyCampaign {
    pub starts_on: NaiveDate,
    /// Inclusive.
    pub ends_on: NaiveDate,
}

impl AmnestyCampaign {
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.starts_on <= date && date <= self.ends_on
    }
}

/// What a return during an amnesty clears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AmnestyClearance {
    /// This return's fine, not charged.
    pub waive_fine_minor: i64,
    /// Lift the overdue block: nothing else is overdue after this return.
    pub lift_overdue_block: bool,
}

/// The amnesty forgives lateness, not books still out: the block is lifted
/// only when this return was the reader's last overdue loan.
/// `other_overdue_loans` counts the reader's overdue loans besides this one.
pub fn amnesty_clearance(
    campaigns: &[AmnestyCampaign],
    today: NaiveDate,
    returned: &ReturnDecision,
    reader: &ReaderState,
    other_overdue_loans: u32,
) -> Option<AmnestyClearance> {
    if !campaigns.iter().any(|c| c.covers(today)) {
        return None;
    }
    Some(AmnestyClearance {
        waive_fine_minor: returned.fine_minor,
        lift_overdue_block: reader.has_block(BlockKind::Overdue) && other_overdue_loans == 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{branch, date, good_reader, home_loan};
    use crate::{decide_return, BlockState};

    #[test]
    fn debtors_have_a_loan_past_due() {
        let loan = home_loan();
        assert!(!is_debtor(std::slice::from_ref(&loan), date(2025, 3, 20)));
        assert!(is_debtor(&[loan], date(2025, 3, 21)));
        assert!(!is_debtor(&[], date(2025, 3, 21)));
    }

    #[test]
    fn the_block_comes_at_thirty_days_and_goes_with_the_debt() {
        let policy = DebtPolicy::default();
        assert!(!auto_block_due(29, &policy));
        assert!(auto_block_due(30, &policy));
        assert!(!auto_block_due(
            0,
            &DebtPolicy {
                auto_block_after_days: 0
            }
        ));
        let mut reader = good_reader();
        reader.max_overdue_days = 31;
        assert_eq!(
            overdue_block_change(&reader, &policy),
            Some(BlockChange::Place)
        );
        reader.blocks.push(BlockState {
            kind: BlockKind::Overdue,
            reason: "auto".into(),
        });
        assert_eq!(overdue_block_change(&reader, &policy), None);
        reader.max_overdue_days = 0;
        assert_eq!(
            overdue_block_change(&reader, &policy),
            Some(BlockChange::Lift)
        );
    }

    #[test]
    fn an_amnesty_return_clears_fine_and_block() {
        let june = AmnestyCampaign {
            starts_on: date(2025, 6, 1),
            ends_on: date(2025, 6, 30),
        };
        assert!(june.covers(date(2025, 6, 30)) && !june.covers(date(2025, 7, 1)));
        let mut reader = good_reader();
        reader.blocks.push(BlockState {
            kind: BlockKind::Overdue,
            reason: "auto".into(),
        });
        let today = date(2025, 6, 10);
        let returned = decide_return(&home_loan(), branch(1), branch(1), today, 10, true);
        let got = amnesty_clearance(&[june], today, &returned, &reader, 0).unwrap();
        assert_eq!(
            got,
            AmnestyClearance {
                waive_fine_minor: returned.fine_minor,
                lift_overdue_block: true
            }
        );
        assert!(got.waive_fine_minor > 0);
        let still_owing = amnesty_clearance(&[june], today, &returned, &reader, 1).unwrap();
        assert!(!still_owing.lift_overdue_block);
        assert_eq!(
            amnesty_clearance(&[june], date(2025, 7, 1), &returned, &reader, 0),
            None
        );
    }
}
