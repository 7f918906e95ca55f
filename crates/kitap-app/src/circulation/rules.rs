//! Loan rules (administrators write, all staff read) and the explanation of
//! which rule applies to a reader and a copy at a library.

use chrono::NaiveDate;
use kitap_circulation::{resolve, LoanRule, RuleKey, RuleValues};
use kitap_db::loan_rules::{self, StoredLoanRule, KEYS_INDEX};
use kitap_db::{copies, readers, DbConnection, DbError};
use kitap_domain::{Barcode, LoanRuleId, ReaderCategory, Role, Timestamp, ValueError};
use serde_json::{json, Value};

use super::calendar::calendar_for;
use super::{reader_missing, today, ReaderRef};
use crate::audit::record as audit;
use crate::catalog::{copy_missing, find_library};
use crate::{Actor, App, AppError, Principal};

/// A new rule: keys (absent = any) and values.
#[derive(Debug, Clone)]
pub struct LoanRuleInput {
    pub library: Option<String>,
    pub category: Option<String>,
    pub material_type: Option<String>,
    pub loan_days: i32,
    pub max_renewals: i32,
    pub renewal_days: i32,
    pub max_items: i32,
    pub reading_room_only: bool,
    pub holds_allowed: bool,
    pub fine_per_day_minor: i64,
}

/// A change of a rule's values (its keys never change: delete and add).
#[derive(Debug, Clone, Default)]
pub struct LoanRulePatch {
    pub loan_days: Option<i32>,
    pub max_renewals: Option<i32>,
    pub renewal_days: Option<i32>,
    pub max_items: Option<i32>,
    pub reading_room_only: Option<bool>,
    pub holds_allowed: Option<bool>,
    pub fine_per_day_minor: Option<i64>,
}

/// Which rule applies, and why.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub rule: StoredLoanRule,
    pub specificity: u8,
    pub explanation: Vec<String>,
    pub library: String,
    pub category: ReaderCategory,
    pub material_type: String,
    /// The due date of a home loan made today at this library.
    pub due_on: Option<NaiveDate>,
}

fn in_range(field: &'static str, v: i64, min: i64, max: i64) -> Result<(), ValueError> {
    if (min..=max).contains(&v) {
        Ok(())
    } else {
        Err(ValueError::new(field, format!("must be {min} to {max}")))
    }
}

fn check_values(r: &StoredLoanRule) -> Result<(), ValueError> {
    in_range("loan_days", r.loan_days.into(), 1, 365)?;
    in_range("max_renewals", r.max_renewals.into(), 0, 50)?;
    in_range("renewal_days", r.renewal_days.into(), 0, 365)?;
    in_range("max_items", r.max_items.into(), 0, 10_000)?;
    in_range("fine_per_day_minor", r.fine_per_day_minor, 0, 100_000_000)
}

fn u16_of(v: i32) -> u16 {
    u16::try_from(v.max(0)).unwrap_or(u16::MAX)
}

pub(crate) fn policy_rule(r: &StoredLoanRule) -> LoanRule {
    LoanRule {
        id: r.id,
        library: r.branch_id,
        category: r.category,
        material_type: r.material_type.clone(),
        values: RuleValues {
            loan_days: u16_of(r.loan_days),
            max_renewals: u16_of(r.max_renewals),
            renewal_days: u16_of(r.renewal_days),
            max_items: u16_of(r.max_items),
            reading_room_only: r.reading_room_only,
            holds_allowed: r.holds_allowed,
            fine_per_day_minor: r.fine_per_day_minor,
        },
    }
}

/// Every rule, for the resolver.
pub(crate) fn all_rules(conn: &mut DbConnection) -> Result<Vec<StoredLoanRule>, DbError> {
    loan_rules::list(conn)
}

fn is_default(r: &StoredLoanRule) -> bool {
    r.branch_id.is_none() && r.category.is_none() && r.material_type.is_none()
}

fn rule_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound {
            entity: "loan rule",
        },
        other => other.into(),
    }
}

fn rule_exists(err: DbError) -> AppError {
    match err {
        DbError::UniqueViolation(detail) if detail.contains(KEYS_INDEX) => AppError::conflict(
            "loan_rule_exists",
            "a loan rule with the same library, category and material type exists",
        ),
        other => other.into(),
    }
}

pub(crate) fn rule_snapshot(r: &StoredLoanRule) -> Value {
    json!({
        "branch_id": r.branch_id.map(|b| b.to_string()),
        "category": r.category.map(ReaderCategory::as_str),
        "material_type": r.material_type,
        "loan_days": r.loan_days,
        "max_renewals": r.max_renewals,
        "renewal_days": r.renewal_days,
        "max_items": r.max_items,
        "reading_room_only": r.reading_room_only,
        "holds_allowed": r.holds_allowed,
        "fine_per_day_minor": r.fine_per_day_minor,
        "version": r.version,
    })
}

impl App {
    pub fn loan_rules(&self, _who: &Principal) -> Result<Vec<StoredLoanRule>, AppError> {
        Ok(self.db.read(all_rules)?)
    }

    pub fn loan_rule(&self, _who: &Principal, id: LoanRuleId) -> Result<StoredLoanRule, AppError> {
        self.db
            .read(|conn| loan_rules::find(conn, id).map_err(rule_missing))
    }

    pub fn add_loan_rule(
        &self,
        who: &Principal,
        actor: &Actor,
        new: LoanRuleInput,
    ) -> Result<StoredLoanRule, AppError> {
        who.require_role(&[Role::Admin])?;
        let category = new
            .category
            .as_deref()
            .map(str::parse::<ReaderCategory>)
            .transpose()?;
        let material_type =
            super::readers::text("material_type", new.material_type.as_deref(), 50)?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let branch_id = match &new.library {
                Some(code) => Some(find_library(conn, code)?.id),
                None => None,
            };
            let rule = StoredLoanRule {
                id: LoanRuleId::new(),
                branch_id,
                category,
                material_type,
                loan_days: new.loan_days,
                max_renewals: new.max_renewals,
                renewal_days: new.renewal_days,
                max_items: new.max_items,
                reading_room_only: new.reading_room_only,
                holds_allowed: new.holds_allowed,
                fine_per_day_minor: new.fine_per_day_minor,
                version: 1,
                created_at: now,
                updated_at: now,
            };
            check_values(&rule)?;
            let same_keys = all_rules(conn)?.into_iter().any(|r| {
                (r.branch_id, r.category, &r.material_type)
                    == (rule.branch_id, rule.category, &rule.material_type)
            });
            if same_keys {
                return Err(rule_exists(DbError::UniqueViolation(KEYS_INDEX.to_owned())));
            }
            loan_rules::insert(conn, &rule).map_err(rule_exists)?;
            audit(
                conn,
                actor,
                "create",
                ("loan_rule", &rule.id),
                None,
                Some(rule_snapshot(&rule)),
            )?;
            Ok(rule)
        })
    }

    pub fn update_loan_rule(
        &self,
        who: &Principal,
        actor: &Actor,
        id: LoanRuleId,
        version: i64,
        patch: LoanRulePatch,
    ) -> Result<StoredLoanRule, AppError> {
        who.require_role(&[Role::Admin])?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let before = loan_rules::find(conn, id).map_err(rule_missing)?;
            if before.version != version {
                return Err(AppError::VersionConflict {
                    current: before.version,
                });
            }
            let mut after = before.clone();
            after.loan_days = patch.loan_days.unwrap_or(after.loan_days);
            after.max_renewals = patch.max_renewals.unwrap_or(after.max_renewals);
            after.renewal_days = patch.renewal_days.unwrap_or(after.renewal_days);
            after.max_items = patch.max_items.unwrap_or(after.max_items);
            after.reading_room_only = patch.reading_room_only.unwrap_or(after.reading_room_only);
            after.holds_allowed = patch.holds_allowed.unwrap_or(after.holds_allowed);
            after.fine_per_day_minor = patch.fine_per_day_minor.unwrap_or(after.fine_per_day_minor);
            check_values(&after)?;
            after.version = before.version + 1;
            after.updated_at = now;
            if !loan_rules::update(conn, &after, version).map_err(rule_exists)? {
                let current = loan_rules::find(conn, id)?;
                return Err(AppError::VersionConflict {
                    current: current.version,
                });
            }
            let (b, a) = (rule_snapshot(&before), rule_snapshot(&after));
            audit(conn, actor, "update", ("loan_rule", &id), Some(b), Some(a))?;
            Ok(after)
        })
    }

    /// Deletes a rule; the default rule (every key "any") stays.
    pub fn remove_loan_rule(
        &self,
        who: &Principal,
        actor: &Actor,
        id: LoanRuleId,
    ) -> Result<(), AppError> {
        who.require_role(&[Role::Admin])?;
        self.db.write(|conn| {
            let before = loan_rules::find(conn, id).map_err(rule_missing)?;
            if is_default(&before) {
                return Err(AppError::conflict(
                    "default_rule_required",
                    "the default rule (any library, category and material type) cannot be deleted; change its values instead",
                ));
            }
            loan_rules::delete(conn, id).map_err(rule_missing)?;
            audit(conn, actor, "delete", ("loan_rule", &id), Some(rule_snapshot(&before)), None)?;
            Ok(())
        })
    }

    /// Which rule applies to this reader and copy at `library` (default:
    /// the acting library), with the resolver's explanation.
    pub fn explain_rule(
        &self,
        who: &Principal,
        reader: &str,
        item: &str,
        library: Option<&str>,
    ) -> Result<Explanation, AppError> {
        let reader: ReaderRef = reader.parse()?;
        let barcode: Barcode = item.parse()?;
        let today = today();
        self.db.read(|conn| {
            let branch = match library {
                Some(code) => find_library(conn, code)?,
                None => who.acting_branch.clone(),
            };
            let reader = match &reader {
                ReaderRef::Id(id) => readers::find(conn, *id),
                ReaderRef::Card(card) => readers::find_by_card(conn, card),
            }
            .map_err(reader_missing)?;
            let copy = copies::find_by_barcode(conn, &barcode).map_err(copy_missing)?;
            let stored = all_rules(conn)?;
            let rules: Vec<LoanRule> = stored.iter().map(policy_rule).collect();
            let key = RuleKey {
                library: branch.id,
                category: reader.category,
                material_type: copy.material_type.clone(),
            };
            let resolution =
                resolve(&rules, &key).map_err(|e| AppError::Internal(e.to_string()))?;
            let rule = stored
                .into_iter()
                .find(|r| r.id == resolution.rule)
                .ok_or_else(|| AppError::Internal("the resolved rule vanished".into()))?;
            let calendar = calendar_for(conn, branch.id)?;
            let due_on = calendar.due_date(today, resolution.values.loan_days).ok();
            Ok(Explanation {
                rule,
                specificity: resolution.specificity,
                explanation: resolution.explanation,
                library: branch.code.to_string(),
                category: reader.category,
                material_type: copy.material_type,
                due_on,
            })
        })
    }
}
