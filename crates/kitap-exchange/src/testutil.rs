//! Fixed ids for the unit tests.

use kitap_domain::{BranchId, CopyId, HoldId, ReaderId, RecordId, SelectionId, TransferActId};

/// A UUIDv7-shaped text with `n` as the last digits, so ids sort by `n`.
fn uuid_text(n: u32) -> String {
    format!("01900000-0000-7000-8000-{n:012}")
}

pub fn branch(n: u32) -> BranchId {
    uuid_text(n).parse().unwrap()
}
pub fn copy(n: u32) -> CopyId {
    uuid_text(n).parse().unwrap()
}
pub fn hold(n: u32) -> HoldId {
    uuid_text(n).parse().unwrap()
}
pub fn reader(n: u32) -> ReaderId {
    uuid_text(n).parse().unwrap()
}
pub fn record(n: u32) -> RecordId {
    uuid_text(n).parse().unwrap()
}
pub fn selection(n: u32) -> SelectionId {
    uuid_text(n).parse().unwrap()
}
pub fn act(n: u32) -> TransferActId {
    uuid_text(n).parse().unwrap()
}
