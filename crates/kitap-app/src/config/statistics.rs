//! `[statistics]`: what the reports count (kz-domain.md §4), the age bands
//! readers are counted in, and the knowledge-area rules records are
//! classified by (§5), a versioned table a library may replace by a file.

use std::path::{Path, PathBuf};

use kitap_catalog::AreaRules;
use kitap_circulation::AgeBands;
use serde::Deserialize;

use super::ConfigError;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StatisticsConfig {
    /// Whether a renewal is one more loan (Soviet and KZ practice: yes).
    pub renewals_count_as_loans: bool,
    /// Whether a reading-room issue is a loan (документовыдача: yes).
    pub reading_room_counts_as_loan: bool,
    /// A TOML file of knowledge-area rules (`version` and the three
    /// tables, as `data/area-rules/kz-domain-2024.toml`); empty means the
    /// built-in rules. A relative path is taken from the working directory.
    pub area_rules: String,
    /// The oldest age (in full years) counted as a child.
    pub child_max_age: u32,
    /// The oldest age counted as youth; older readers are adults.
    pub youth_max_age: u32,
}

impl Default for StatisticsConfig {
    fn default() -> Self {
        let d = kitap_stats::Definitions::default();
        StatisticsConfig {
            renewals_count_as_loans: d.renewals_count_as_loans,
            reading_room_counts_as_loan: d.reading_room_counts_as_loan,
            area_rules: String::new(),
            child_max_age: d.age_limits.child_max,
            youth_max_age: d.age_limits.youth_max,
        }
    }
}

impl StatisticsConfig {
    pub fn definitions(&self) -> kitap_stats::Definitions {
        kitap_stats::Definitions {
            renewals_count_as_loans: self.renewals_count_as_loans,
            reading_room_counts_as_loan: self.reading_room_counts_as_loan,
            age_limits: kitap_stats::AgeLimits {
                child_max: self.child_max_age,
                youth_max: self.youth_max_age,
            },
        }
    }

    /// The age bands, refused when the youth band ends before the child
    /// band.
    pub fn age_bands(&self) -> Result<AgeBands, ConfigError> {
        AgeBands::new(self.child_max_age, self.youth_max_age).map_err(|_| ConfigError::Env {
            name: "statistics.youth_max_age".to_owned(),
            message: format!(
                "must not be below statistics.child_max_age ({} < {})",
                self.youth_max_age, self.child_max_age
            ),
        })
    }

    /// The knowledge-area rules: the file's, checked, or the built-in ones.
    pub fn load_area_rules(&self) -> Result<AreaRules, ConfigError> {
        let path = self.area_rules.trim();
        if path.is_empty() {
            return Ok(AreaRules::builtin().clone());
        }
        read_area_rules(Path::new(path))
    }
}

/// Reads and checks a rules file; every problem names the file.
pub fn read_area_rules(path: &Path) -> Result<AreaRules, ConfigError> {
    let fail = |message: String| ConfigError::Parse {
        path: PathBuf::from(path),
        message: format!("statistics.area_rules: {message}"),
    };
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_owned(),
        source,
    })?;
    let rules: AreaRules = toml::from_str(&text).map_err(|e| fail(e.to_string()))?;
    rules.validate().map_err(|e| fail(e.to_string()))?;
    Ok(rules)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_file(rel: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(rel)
    }

    #[test]
    fn the_shipped_rules_file_is_the_builtin_rules() {
        let path = workspace_file("data/area-rules/kz-domain-2024.toml");
        let shipped = read_area_rules(&path).unwrap();
        assert_eq!(&shipped, AreaRules::builtin());
        assert_eq!(shipped.version, kitap_catalog::bbk::BUILTIN_VERSION);
    }

    fn with_rules(text: &str) -> (tempfile::TempDir, StatisticsConfig) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rules.toml");
        std::fs::write(&path, text).unwrap();
        let config = StatisticsConfig {
            area_rules: path.display().to_string(),
            ..StatisticsConfig::default()
        };
        (dir, config)
    }

    fn shipped_text() -> String {
        std::fs::read_to_string(workspace_file("data/area-rules/kz-domain-2024.toml")).unwrap()
    }

    #[test]
    fn a_rules_file_is_read_and_checked() {
        let text = shipped_text().replace(
            "version = \"kz-domain-2024\"",
            "version = \"karaganda-2025\"",
        );
        let (_dir, config) = with_rules(&text);
        let rules = config.load_area_rules().unwrap();
        assert_eq!(rules.version, "karaganda-2025");
        assert_eq!(rules.bbk_public, AreaRules::builtin().bbk_public);

        let refused = |text: String, expect: &str| {
            let (_dir, config) = with_rules(&text);
            let err = config.load_area_rules().unwrap_err().to_string();
            assert!(err.contains(expect), "{err}");
            assert!(err.contains("rules.toml"), "{err}");
        };
        refused(
            text.replace("\"fiction\"", "\"novels\""),
            "unknown variant `novels`",
        );
        refused(
            text.replace("version = \"karaganda-2025\"", "version = \"\""),
            "version must be",
        );
        refused(
            text.replace("version = \"karaganda-2025\"\n", ""),
            "missing field `version`",
        );
        refused(text.replace("to = 99", "to = 100"), "within 0..99");
        refused(
            text.replace("from = 20\nto = 29", "from = 29\nto = 20"),
            "from <= to",
        );
        refused(
            text.replace("from = 30\nto = 39", "from = 29\nto = 39"),
            "overlap",
        );
        refused(format!("{text}\ncomment = 1\n"), "unknown field `comment`");
        let missing = StatisticsConfig {
            area_rules: "/nonexistent/rules.toml".to_owned(),
            ..StatisticsConfig::default()
        };
        assert!(matches!(
            missing.load_area_rules(),
            Err(ConfigError::Read { .. })
        ));
        assert_eq!(
            StatisticsConfig::default().load_area_rules().unwrap(),
            AreaRules::default()
        );
    }

    #[test]
    fn age_bands_are_checked_and_label_the_columns() {
        let config = StatisticsConfig {
            child_max_age: 13,
            youth_max_age: 21,
            ..StatisticsConfig::default()
        };
        assert!(config.age_bands().is_ok());
        let labels = config.definitions().age_limits;
        assert_eq!(labels.label(kitap_domain::AgeBand::Youth), "age 14–21");
        let reversed = StatisticsConfig {
            child_max_age: 18,
            youth_max_age: 16,
            ..StatisticsConfig::default()
        };
        let err = reversed.age_bands().unwrap_err().to_string();
        assert!(err.contains("statistics.youth_max_age"), "{err}");
    }
}
