use kitap_db::branches::Branch;
use kitap_db::staff::Staff;
use kitap_domain::{BranchId, Role, SessionId, StaffId};

use crate::AppError;

/// Who performs a write, for the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub staff_id: Option<StaffId>,
    pub name: String,
    pub branch_id: Option<BranchId>,
    pub request_id: Option<String>,
}

impl Actor {
    /// A write made by Kitap itself or by an operator at the command line.
    pub fn system(name: &str) -> Actor {
        Actor {
            staff_id: None,
            name: name.to_owned(),
            branch_id: None,
            request_id: None,
        }
    }
}

/// An authenticated staff member acting for one library in this request.
#[derive(Debug, Clone)]
pub struct Principal {
    pub session_id: SessionId,
    pub staff: Staff,
    pub acting_branch: Branch,
}

impl Principal {
    pub fn require_role(&self, allowed: &[Role]) -> Result<(), AppError> {
        if allowed.contains(&self.staff.role) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|role| role.as_str()).collect();
        Err(AppError::RoleDenied {
            required: names.join(", "),
        })
    }

    pub fn require_branch(&self, branch: &Branch) -> Result<(), AppError> {
        if may_act_for(&self.staff, branch.id) {
            return Ok(());
        }
        Err(AppError::LibraryDenied {
            library: branch.code.to_string(),
        })
    }

    pub fn actor(&self, request_id: Option<String>) -> Actor {
        Actor {
            staff_id: Some(self.staff.id),
            name: self.staff.username.to_string(),
            branch_id: Some(self.acting_branch.id),
            request_id,
        }
    }
}

pub(crate) fn may_act_for(staff: &Staff, branch: BranchId) -> bool {
    staff.all_branches || staff.home_branch_id == branch || staff.extra_branch_ids.contains(&branch)
}
