//! Import jobs' life cycle.

use crate::name_enum;

name_enum!(
    /// queued -> running -> done | failed | cancelled; a failed or
    /// interrupted job can be queued again and resumes after its last batch.
    ImportStatus, "status", {
        Queued => "queued",
        Running => "running",
        Done => "done",
        Failed => "failed",
        Cancelled => "cancelled",
    }
);

impl ImportStatus {
    /// Done or cancelled: nothing will run again.
    pub fn is_final(self) -> bool {
        matches!(self, ImportStatus::Done | ImportStatus::Cancelled)
    }

    /// Queued or running: a worker should (re)start it.
    pub fn is_unfinished(self) -> bool {
        matches!(self, ImportStatus::Queued | ImportStatus::Running)
    }
}
