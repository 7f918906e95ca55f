//! Weights and thresholds: the `[dedup]` section of the configuration, one
//! per library system. Every field has a default, so a partial section (or
//! none) works.

use serde::{Deserialize, Serialize};

/// Points each agreement adds and each disagreement takes away. A score is
/// the sum, clamped to 0..=1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// A shared valid ISBN.
    pub isbn: f64,
    /// A shared ISBN where one side is cancelled or malformed.
    pub weak_isbn: f64,
    /// Both have valid ISBNs and none is shared (subtracted).
    pub isbn_conflict: f64,
    pub issn: f64,
    /// A shared control number (the same record in another system).
    pub control_number: f64,
    /// Equal title keys; near-equal ones (typos) get a share.
    pub title: f64,
    /// Added to `title` when the agreeing title has six words or more: a
    /// long title shared by chance is rare.
    pub long_title: f64,
    /// Both have titles and they differ (subtracted).
    pub title_conflict: f64,
    /// Equal author keys; the same surname alone gets half.
    pub author: f64,
    /// Both have authors and the surnames differ (subtracted).
    pub author_conflict: f64,
    /// The same year.
    pub year: f64,
    /// Page counts within 2% (or 3 pages).
    pub pages: f64,
    /// Page counts more than 10% apart (subtracted).
    pub pages_conflict: f64,
    pub publisher: f64,
    /// The same edition number or statement.
    pub edition: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            isbn: 0.45,
            weak_isbn: 0.25,
            isbn_conflict: 0.2,
            issn: 0.15,
            control_number: 0.5,
            title: 0.3,
            long_title: 0.15,
            title_conflict: 0.35,
            author: 0.15,
            author_conflict: 0.2,
            year: 0.1,
            pages: 0.1,
            pages_conflict: 0.1,
            publisher: 0.05,
            edition: 0.05,
        }
    }
}

/// Thresholds and weights of duplicate detection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DedupConfig {
    /// From this score a record is reported as a possible duplicate.
    pub warn_threshold: f64,
    /// From this score a duplicate is near-certain: saving it needs the
    /// cataloger's confirmation.
    pub block_threshold: f64,
    /// Years further apart than this veto a match (reprints a year later
    /// are still the same edition for the catalogue).
    pub max_year_gap: i32,
    /// Blocks with more records than this are skipped by [`crate::cluster`]:
    /// a title like "Сборник" by no author says nothing, and comparing all
    /// its pairs would cost the square of its size.
    pub max_block: usize,
    pub weights: Weights,
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            warn_threshold: 0.5,
            block_threshold: 0.85,
            max_year_gap: 1,
            max_block: 200,
            weights: Weights::default(),
        }
    }
}

/// What is wrong with a configuration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[dedup] {0}")]
pub struct ConfigError(pub String);

impl DedupConfig {
    /// Checks the thresholds are ordered and within 0..=1 and the weights
    /// are finite and not negative; the message names the bad setting.
    pub fn validate(&self) -> Result<(), String> {
        self.check().map_err(|e| e.to_string())
    }

    fn check(&self) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError(m));
        for (name, v) in [
            ("warn_threshold", self.warn_threshold),
            ("block_threshold", self.block_threshold),
        ] {
            if !(v.is_finite() && v > 0.0 && v <= 1.0) {
                return bad(format!("{name} must be in (0, 1], got {v}"));
            }
        }
        if self.block_threshold < self.warn_threshold {
            return bad(format!(
                "block_threshold ({}) must not be below warn_threshold ({})",
                self.block_threshold, self.warn_threshold
            ));
        }
        if self.max_year_gap < 0 {
            return bad(format!(
                "max_year_gap must not be negative, got {}",
                self.max_year_gap
            ));
        }
        if self.max_block < 2 {
            return bad(format!(
                "max_block must be at least 2, got {}",
                self.max_block
            ));
        }
        let w = &self.weights;
        for (name, v) in [
            ("isbn", w.isbn),
            ("weak_isbn", w.weak_isbn),
            ("isbn_conflict", w.isbn_conflict),
            ("issn", w.issn),
            ("control_number", w.control_number),
            ("title", w.title),
            ("long_title", w.long_title),
            ("title_conflict", w.title_conflict),
            ("author", w.author),
            ("author_conflict", w.author_conflict),
            ("year", w.year),
            ("pages", w.pages),
            ("pages_conflict", w.pages_conflict),
            ("publisher", w.publisher),
            ("edition", w.edition),
        ] {
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return bad(format!("weights.{name} must be in [0, 1], got {v}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_is_valid() {
        assert_eq!(DedupConfig::default().validate(), Ok(()));
    }

    #[test]
    fn bad_settings_are_named() {
        let c = DedupConfig {
            warn_threshold: 0.9,
            block_threshold: 0.8,
            ..DedupConfig::default()
        };
        assert!(c.validate().is_err_and(|e| e.contains("block_threshold")));
        let mut c = DedupConfig::default();
        c.weights.title = f64::NAN;
        assert!(c.validate().is_err_and(|e| e.contains("weights.title")));
        let c = DedupConfig {
            max_year_gap: -1,
            ..DedupConfig::default()
        };
        assert!(c.validate().is_err_and(|e| e.contains("max_year_gap")));
    }
}
