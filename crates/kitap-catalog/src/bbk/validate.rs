//! What a rules table read from a library's file must satisfy before it
//! classifies anything. Every rule must be able to match (a range beyond
//! 99, a letter prefix in Latin, a UDC prefix with a dot never would), and
//! no index may match two rules, because which one wins would depend on
//! the order of lines in the file.

use super::{AreaRules, PrefixRule};

/// Why a rules table is refused; the text names the offending entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AreaRulesError {
    #[error("version must be 1 to 64 letters, digits, '.', '-' or '_', not {0:?}")]
    Version(String),
    #[error("bbk_public: the range {from}..{to} must lie within 0..99 with from <= to")]
    Range { from: u8, to: u8 },
    #[error("bbk_public: the ranges {0} and {1} overlap")]
    Overlap(String, String),
    #[error("bbk_scientific: the prefix {0:?} must start with a capital Cyrillic letter (А to Я)")]
    LetterPrefix(String),
    #[error("udc: the prefix {0:?} must be 1 to 4 digits")]
    UdcPrefix(String),
    #[error("{table}: the prefix {prefix:?} is listed twice")]
    Duplicate { table: &'static str, prefix: String },
}

impl AreaRules {
    /// Checks a table loaded from outside (the built-in one passes).
    pub fn validate(&self) -> Result<(), AreaRulesError> {
        check_version(&self.version)?;
        let mut ranges: Vec<(u8, u8)> = Vec::with_capacity(self.bbk_public.len());
        for r in &self.bbk_public {
            if r.from > r.to || r.to > 99 {
                return Err(AreaRulesError::Range {
                    from: r.from,
                    to: r.to,
                });
            }
            ranges.push((r.from, r.to));
        }
        ranges.sort_unstable();
        if let Some(w) = ranges.windows(2).find(|w| w[1].0 <= w[0].1) {
            let show = |(a, b): (u8, u8)| format!("{a}..{b}");
            return Err(AreaRulesError::Overlap(show(w[0]), show(w[1])));
        }
        for r in &self.bbk_scientific {
            if !r
                .prefix
                .chars()
                .next()
                .is_some_and(|c| ('А'..='Я').contains(&c))
            {
                return Err(AreaRulesError::LetterPrefix(r.prefix.clone()));
            }
        }
        for r in &self.udc {
            let digits = r.prefix.bytes().all(|b| b.is_ascii_digit());
            if !digits || !(1..=4).contains(&r.prefix.len()) {
                return Err(AreaRulesError::UdcPrefix(r.prefix.clone()));
            }
        }
        unique("bbk_scientific", &self.bbk_scientific)?;
        unique("udc", &self.udc)
    }
}

fn check_version(version: &str) -> Result<(), AreaRulesError> {
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '.' | '-' | '_');
    let length = version.chars().count();
    if (1..=64).contains(&length) && version.chars().all(allowed) {
        return Ok(());
    }
    Err(AreaRulesError::Version(version.to_owned()))
}

fn unique(table: &'static str, rules: &[PrefixRule]) -> Result<(), AreaRulesError> {
    let mut seen = std::collections::HashSet::new();
    match rules.iter().find(|r| !seen.insert(r.prefix.as_str())) {
        Some(twice) => Err(AreaRulesError::Duplicate {
            table,
            prefix: twice.prefix.clone(),
        }),
        None => Ok(()),
    }
}
