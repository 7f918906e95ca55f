use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValueError;

/// What a staff member does in the library system. One role per account:
/// a person with two jobs gets two accounts, which keeps the audit trail honest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the system: libraries, accounts, audit.
    Admin,
    /// Enters and imports bibliographic records and copies.
    Cataloger,
    /// Works the circulation desk: readers, loans, returns.
    Librarian,
    /// The unified-fund department: moves copies between libraries.
    Exchange,
    /// Reads statistics and reports.
    Manager,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Cataloger,
        Role::Librarian,
        Role::Exchange,
        Role::Manager,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Cataloger => "cataloger",
            Role::Librarian => "librarian",
            Role::Exchange => "exchange",
            Role::Manager => "manager",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Role {
    type Err = ValueError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == s)
            .ok_or_else(|| {
                ValueError::new(
                    "role",
                    "must be one of admin, cataloger, librarian, exchange, manager",
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_parses_from_its_own_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>().unwrap(), role);
        }
        assert!("root".parse::<Role>().is_err());
        assert!("Admin".parse::<Role>().is_err());
    }
}

#[cfg(test)]
mod display_tests {
    use super::Role;

    #[test]
    fn display_honours_width_for_tables() {
        assert_eq!(format!("[{:<10}]", Role::Admin), "[admin     ]");
    }
}
