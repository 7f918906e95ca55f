//! The knowledge-area rules in force, for managers checking what the
//! reports group by.

use kitap_catalog::AreaRules;
use kitap_db::classification;

use super::READERS_OF_REPORTS;
use crate::{App, AppError, Principal};

/// The rules and how many records still carry a group of other rules.
#[derive(Debug, Clone)]
pub struct AreaRulesInfo {
    pub rules: AreaRules,
    /// Records classified under another version: `kitap reclassify` (or
    /// POST /admin/reclassify) brings them to these rules.
    pub records_to_reclassify: i64,
}

impl App {
    /// The configured knowledge-area rules (managers, administrators).
    pub fn area_rules(&self, who: &Principal) -> Result<AreaRulesInfo, AppError> {
        who.require_role(READERS_OF_REPORTS)?;
        Ok(AreaRulesInfo {
            rules: (*self.area_rules).clone(),
            records_to_reclassify: self.records_to_reclassify()?,
        })
    }

    /// How many records were classified under other rules than these
    /// (told at start, so a changed rules file is not forgotten).
    pub fn records_to_reclassify(&self) -> Result<i64, AppError> {
        let version = &self.area_rules.version;
        Ok(self
            .db
            .read(|conn| classification::count_other_version(conn, version))?)
    }

    /// The version of the knowledge-area rules in force.
    pub fn area_rules_version(&self) -> &str {
        &self.area_rules.version
    }
}
