//! What happens when a copy comes back: how late it is, any fine, and where
//! it goes next.
//!
//! The application first offers the returned copy to the hold queue
//! ([`crate::trap`], with the return library as where the copy is); only
//! when no hold takes it does [`ReturnDecision::goes`] apply.

use chrono::NaiveDate;
use kitap_domain::{BranchId, CopyId};

use crate::{LoanState, TransferReason, TransferRequest};

/// Where the copy goes when no hold wants it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// Returned at its home library: back on the shelf.
    Shelf,
    /// Returned elsewhere: in transit home. (Floating collections, where a
    /// copy stays where it was returned, are the exchange issue's to add.)
    Home { from: BranchId, to: BranchId },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnDecision {
    pub copy: CopyId,
    pub overdue_days: u32,
    /// In tiyn; 0 when fines are off (the Kazakh default).
    pub fine_minor: i64,
    pub goes: Destination,
}

impl ReturnDecision {
    /// The transfer the exchange department must carry, if any.
    pub fn transfer_request(&self) -> Option<TransferRequest> {
        match self.goes {
            Destination::Shelf => None,
            Destination::Home { from, to } => Some(TransferRequest {
                copy: self.copy,
                from,
                to,
                reason: TransferReason::ReturnHome,
            }),
        }
    }
}

/// Calendar days late: closed days count too, since the reader had the
/// book on them. 0 when returned on or before the due date.
pub fn overdue_days(due_on: NaiveDate, today: NaiveDate) -> u32 {
    let late = (today - due_on).num_days();
    u32::try_from(late.max(0)).unwrap_or(u32::MAX)
}

pub fn decide_return(
    loan: &LoanState,
    returned_at: BranchId,
    copy_home: BranchId,
    today: NaiveDate,
    fine_per_day_minor: i64,
    fines_enabled: bool,
) -> ReturnDecision {
    let late = overdue_days(loan.due_on, today);
    let fine_minor = if fines_enabled {
        fine_per_day_minor.max(0).saturating_mul(i64::from(late))
    } else {
        0
    };
    let goes = if returned_at == copy_home {
        Destination::Shelf
    } else {
        Destination::Home {
            from: returned_at,
            to: copy_home,
        }
    };
    ReturnDecision {
        copy: loan.copy,
        overdue_days: late,
        fine_minor,
        goes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{branch, date, home_loan};

    #[test]
    fn lateness_counts_calendar_days() {
        assert_eq!(overdue_days(date(2025, 3, 20), date(2025, 3, 19)), 0);
        assert_eq!(overdue_days(date(2025, 3, 20), date(2025, 3, 20)), 0);
        assert_eq!(overdue_days(date(2025, 3, 20), date(2025, 3, 24)), 4);
        assert_eq!(overdue_days(date(2024, 2, 28), date(2024, 3, 1)), 2);
    }

    #[test]
    fn fines_only_when_enabled() {
        let loan = home_loan();
        let on = decide_return(&loan, branch(1), branch(1), date(2025, 3, 30), 50, true);
        assert_eq!((on.overdue_days, on.fine_minor), (10, 500));
        let off = decide_return(&loan, branch(1), branch(1), date(2025, 3, 30), 50, false);
        assert_eq!(off.fine_minor, 0);
        let early = decide_return(&loan, branch(1), branch(1), date(2025, 3, 10), 50, true);
        assert_eq!(early.fine_minor, 0);
    }

    #[test]
    fn a_copy_returned_elsewhere_goes_home() {
        let here = decide_return(
            &home_loan(),
            branch(1),
            branch(1),
            date(2025, 3, 10),
            0,
            false,
        );
        assert_eq!(here.goes, Destination::Shelf);
        assert_eq!(here.transfer_request(), None);
        let away = decide_return(
            &home_loan(),
            branch(2),
            branch(1),
            date(2025, 3, 10),
            0,
            false,
        );
        assert_eq!(
            away.goes,
            Destination::Home {
                from: branch(2),
                to: branch(1)
            }
        );
        let request = away.transfer_request().unwrap();
        assert_eq!(
            (request.from, request.to, request.reason),
            (branch(2), branch(1), TransferReason::ReturnHome)
        );
    }
}
