//! Loan rules and which one applies.
//!
//! A rule may name a library, a reader category and a material type; an
//! unset key matches anything. Among the rules that match, the most specific
//! wins: library counts 4, category 2, material type 1, so a library's own
//! rule beats any system-wide category rule, which beats a material-type
//! rule. Two rules with the same keys are forbidden (a unique index in the
//! database); if given anyway the lower id wins, so the answer never depends
//! on the order rules were loaded in.

use std::cmp::Reverse;

use kitap_domain::{BranchId, LoanRuleId, ReaderCategory};
use serde::{Deserialize, Serialize};

/// What a rule grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleValues {
    pub loan_days: u16,
    pub max_renewals: u16,
    pub renewal_days: u16,
    /// Home loans a reader may have open at once.
    pub max_items: u16,
    /// Reading room only: no home loans under this rule.
    pub reading_room_only: bool,
    pub holds_allowed: bool,
    /// Fine per overdue day in tiyn; 0 (the default) means no fines, which is
    /// Kazakh public-library practice.
    pub fine_per_day_minor: i64,
}

impl RuleValues {
    /// The seed rule: 5 books for 15 days (Kazakh public-library rules),
    /// 2 renewals of 15 days (Russian practice), holds, no fines.
    pub fn default_seed() -> Self {
        Self {
            loan_days: 15,
            max_renewals: 2,
            renewal_days: 15,
            max_items: 5,
            reading_room_only: false,
            holds_allowed: true,
            fine_per_day_minor: 0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoanRule {
    pub id: LoanRuleId,
    pub library: Option<BranchId>,
    pub category: Option<ReaderCategory>,
    pub material_type: Option<String>,
    pub values: RuleValues,
}

/// What a rule is looked up by: where, who, what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleKey {
    pub library: BranchId,
    pub category: ReaderCategory,
    pub material_type: String,
}

/// The rule that applies, and an English account of the choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Resolution {
    pub rule: LoanRuleId,
    pub values: RuleValues,
    /// 0..=7: library 4 + category 2 + material type 1.
    pub specificity: u8,
    pub explanation: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "no loan rule applies to library {}, category {}, material type {:?}",
    key.library, key.category, key.material_type
)]
pub struct NoRuleApplies {
    pub key: RuleKey,
}

impl LoanRule {
    pub fn specificity(&self) -> u8 {
        4 * u8::from(self.library.is_some())
            + 2 * u8::from(self.category.is_some())
            + u8::from(self.material_type.is_some())
    }

    /// The keys this rule sets that differ from `key`: empty when it matches.
    pub fn mismatches(&self, key: &RuleKey) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(library) = self.library.filter(|l| *l != key.library) {
            out.push(format!("library {library} is not {}", key.library));
        }
        if let Some(category) = self.category.filter(|c| *c != key.category) {
            out.push(format!("category {category} is not {}", key.category));
        }
        if let Some(material) = self.material_type.as_ref() {
            if *material != key.material_type {
                out.push(format!(
                    "material type {material:?} is not {:?}",
                    key.material_type
                ));
            }
        }
        out
    }

    pub fn matches(&self, key: &RuleKey) -> bool {
        self.mismatches(key).is_empty()
    }

    /// "library X, category adult" or "any library, category and material".
    fn describe_keys(&self) -> String {
        let mut parts = Vec::new();
        if let Some(library) = self.library {
            parts.push(format!("library {library}"));
        }
        if let Some(category) = self.category {
            parts.push(format!("category {category}"));
        }
        if let Some(material) = &self.material_type {
            parts.push(format!("material type {material:?}"));
        }
        if parts.is_empty() {
            return "any library, category and material type".to_owned();
        }
        parts.join(", ")
    }
}

/// The most specific matching rule (ties: lower id), with its explanation.
pub fn resolve(rules: &[LoanRule], key: &RuleKey) -> Result<Resolution, NoRuleApplies> {
    // Best first: specificity descending, then id ascending.
    let mut candidates: Vec<&LoanRule> = rules.iter().filter(|r| r.matches(key)).collect();
    candidates.sort_by_key(|r| (Reverse(r.specificity()), r.id));
    let Some((winner, beaten)) = candidates.split_first() else {
        return Err(NoRuleApplies { key: key.clone() });
    };
    let mut explanation = vec![format!(
        "rule {} applies: it matches on {} (specificity {})",
        winner.id,
        winner.describe_keys(),
        winner.specificity()
    )];
    explanation.extend(beaten.iter().map(|loser| explain_beaten(winner, loser)));
    let mut skipped: Vec<&LoanRule> = rules.iter().filter(|r| !r.matches(key)).collect();
    skipped.sort_by_key(|r| r.id);
    explanation.extend(
        skipped
            .iter()
            .map(|r| format!("rule {} skipped: {}", r.id, r.mismatches(key).join("; "))),
    );
    Ok(Resolution {
        rule: winner.id,
        values: winner.values.clone(),
        specificity: winner.specificity(),
        explanation,
    })
}

fn explain_beaten(winner: &LoanRule, loser: &LoanRule) -> String {
    if loser.specificity() == winner.specificity() {
        return format!(
            "rule {} also matches with the same keys (a duplicate); the lower id wins",
            loser.id
        );
    }
    format!(
        "rule {} also matches on {} but is more general (specificity {})",
        loser.id,
        loser.describe_keys(),
        loser.specificity()
    )
}

#[cfg(test)]
mod tests;
