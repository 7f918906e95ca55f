//! Fixed ids and dates for the unit tests.

use chrono::NaiveDate;
use kitap_domain::{
    BranchId, CopyId, HoldId, LoanId, LoanRuleId, ReaderCategory, ReaderId, ReaderStatus, RecordId,
};

use crate::{LoanState, ReaderState};

/// A UUIDv7-shaped text with `n` as the last digits, so ids sort by `n`.
fn uuid_text(n: u32) -> String {
    format!("01900000-0000-7000-8000-{n:012}")
}

pub fn branch(n: u32) -> BranchId {
    uuid_text(n).parse().unwrap()
}
pub fn rule_id(n: u32) -> LoanRuleId {
    uuid_text(n).parse().unwrap()
}
pub fn reader_id(n: u32) -> ReaderId {
    uuid_text(n).parse().unwrap()
}
pub fn copy_id(n: u32) -> CopyId {
    uuid_text(n).parse().unwrap()
}
pub fn record_id(n: u32) -> RecordId {
    uuid_text(n).parse().unwrap()
}
pub fn hold_id(n: u32) -> HoldId {
    uuid_text(n).parse().unwrap()
}
pub fn loan_id(n: u32) -> LoanId {
    uuid_text(n).parse().unwrap()
}

pub fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// An active adult in good standing, registered until the end of 2025.
pub fn good_reader() -> ReaderState {
    ReaderState {
        id: reader_id(1),
        category: ReaderCategory::Adult,
        status: ReaderStatus::Active,
        registered_until: date(2025, 12, 31),
        blocks: Vec::new(),
        open_home_loans: 0,
        overdue_loans: 0,
        max_overdue_days: 0,
    }
}

/// A home loan of copy 10 to reader 1, due 2025-03-20.
pub fn home_loan() -> LoanState {
    LoanState {
        id: loan_id(100),
        copy: copy_id(10),
        reader: reader_id(1),
        kind: kitap_domain::LoanKind::Home,
        due_on: date(2025, 3, 20),
        renewals: 0,
        issued_on: date(2025, 3, 5),
    }
}
