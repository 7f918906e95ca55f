//! Kitap's configuration: a TOML file plus `KITAP_*` environment overrides.
//!
//! Every key has a default, documented in [`DEFAULTS_TOML`] (printed by
//! `kitap config defaults`); a test checks that the documented defaults are the
//! real ones. Unknown keys in the file and unknown `KITAP_*` variables are
//! refused: a misspelt database URL must not silently fall back to SQLite.

use std::path::{Path, PathBuf};

use serde::Deserialize;

mod statistics;

pub use statistics::{read_area_rules, StatisticsConfig};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {name}: {message}")]
    Env { name: String, message: String },
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub data_dir: PathBuf,
    pub server: ServerConfig,
    pub database: DatabaseConfig,
    pub auth: AuthConfig,
    pub catalog: CatalogConfig,
    pub search: SearchConfig,
    pub circulation: CirculationConfig,
    pub log: LogConfig,
    pub notices: crate::notices::NoticesConfig,
    pub dedup: DedupSection,
    pub exchange: ExchangeConfig,
    pub statistics: StatisticsConfig,
}

/// Inter-branch exchange (`[exchange]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExchangeConfig {
    /// Codes of libraries whose returned copies stay where they are
    /// returned (a floating collection) instead of travelling home.
    pub floating_libraries: Vec<String>,
    /// Material types (copy `material_type`) that float wherever returned.
    pub floating_material_types: Vec<String>,
    /// A copy travelling longer than this many days is an overdue transit.
    pub transit_overdue_days: u16,
    /// Days before a thematic selection is due back when the borrowing
    /// library is reminded.
    pub selection_reminder_days: u16,
}

impl Default for ExchangeConfig {
    fn default() -> Self {
        ExchangeConfig {
            floating_libraries: Vec::new(),
            floating_material_types: Vec::new(),
            transit_overdue_days: 3,
            selection_reminder_days: 7,
        }
    }
}

/// Duplicate detection (`[dedup]`): kitap-dedup's weights and thresholds,
/// and the merge undo window. Kept as its own struct so unknown keys are
/// refused like everywhere else (serde cannot flatten and refuse both).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DedupSection {
    /// From this score a record is reported as a possible duplicate.
    pub warn_threshold: f64,
    /// From this score saving needs `confirm_duplicate`, and imports
    /// skip or attach (on_duplicate).
    pub block_threshold: f64,
    /// Years further apart than this rule a duplicate out.
    pub max_year_gap: i32,
    /// Blocks (shared ISBN, title+author...) of more records are not used.
    pub max_block: usize,
    pub weights: kitap_dedup::Weights,
    /// Hours within which a merge can be undone; 0 turns undo off.
    pub merge_undo_hours: u32,
}

impl Default for DedupSection {
    fn default() -> Self {
        let d = kitap_dedup::DedupConfig::default();
        DedupSection {
            warn_threshold: d.warn_threshold,
            block_threshold: d.block_threshold,
            max_year_gap: d.max_year_gap,
            max_block: d.max_block,
            weights: d.weights,
            merge_undo_hours: 72,
        }
    }
}

impl DedupSection {
    /// The settings kitap-dedup takes.
    pub fn matching(&self) -> kitap_dedup::DedupConfig {
        kitap_dedup::DedupConfig {
            warn_threshold: self.warn_threshold,
            block_threshold: self.block_threshold,
            max_year_gap: self.max_year_gap,
            max_block: self.max_block,
            weights: self.weights.clone(),
        }
    }
}

/// Circulation policies that are configuration.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CirculationConfig {
    /// Days the oldest overdue loan is late before the automatic block.
    pub auto_block_after_days: u32,
    /// Days a ready hold waits on the hold shelf.
    pub hold_shelf_days: u16,
    /// Whether overdue returns are charged the rule's fine per day; off,
    /// nothing is charged whatever the rules say (Kazakh libraries charge
    /// no money for lateness).
    pub fines_enabled: bool,
    /// Offline circulation lines older than this many days are refused.
    pub offline_max_age_days: u32,
}

impl Default for CirculationConfig {
    fn default() -> Self {
        CirculationConfig {
            auto_block_after_days: kitap_circulation::DebtPolicy::default().auto_block_after_days,
            hold_shelf_days: kitap_circulation::NoticePolicy::default().hold_shelf_days,
            fines_enabled: false,
            offline_max_age_days: 30,
        }
    }
}

/// The OPAC index and the public search API.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SearchConfig {
    /// Index directory; empty means `<data_dir>/index`.
    pub dir: String,
    /// Public search requests per minute per client address; 0 turns the limit off.
    pub rate_limit_per_minute: u32,
    /// Requests a client may send at once above the steady rate.
    pub rate_limit_burst: u32,
    /// Writer memory for a full rebuild, in MiB.
    pub rebuild_memory_mb: u32,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            dir: String::new(),
            rate_limit_per_minute: 600,
            rate_limit_burst: 60,
            rebuild_memory_mb: 512,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    pub listen: String,
    pub workers: usize,
    pub max_body_bytes: usize,
    pub max_upload_bytes: u64,
    /// Peers (reverse proxies) whose `X-Forwarded-For` names the client;
    /// from anyone else the header is ignored and the TCP peer is the client.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    pub url: String,
    pub pool_size: u32,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    pub session_hours: u32,
    /// How long a reader's self-service login lasts.
    pub reader_session_hours: u32,
    /// Failed logins of one username from one client address that lock that pair.
    pub max_failed_logins: u32,
    /// How long a locked (username, address) pair stays locked.
    pub lockout_minutes: u32,
    /// Failures older than this (since a pair's last failure) are forgotten.
    pub failure_memory_minutes: u32,
    /// Failures from one address, over all usernames, after which each
    /// further attempt must wait; 0 turns the address throttle off.
    pub login_throttle_after: u32,
    /// The wait starts at 1 s and doubles with each further failure up to this.
    pub login_throttle_max_seconds: u32,
    pub argon2_memory_kib: u32,
    pub argon2_iterations: u32,
    pub argon2_parallelism: u32,
}

/// Numbering of copies and acts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CatalogConfig {
    /// Leading digits of generated EAN-13 barcodes; the rest is a serial.
    pub barcode_prefix: String,
    /// Accession act numbers read `<prefix>-<year>/<number>`.
    pub accession_act_prefix: String,
    /// Write-off act numbers read `<prefix>-<year>/<number>`.
    pub write_off_act_prefix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    pub format: LogFormat,
    pub level: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("kitap-data"),
            server: ServerConfig::default(),
            database: DatabaseConfig::default(),
            auth: AuthConfig::default(),
            catalog: CatalogConfig::default(),
            search: SearchConfig::default(),
            circulation: CirculationConfig::default(),
            log: LogConfig::default(),
            notices: Default::default(),
            dedup: DedupSection::default(),
            exchange: ExchangeConfig::default(),
            statistics: StatisticsConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".to_owned(),
            workers: 0,
            max_body_bytes: 1024 * 1024,
            max_upload_bytes: 2 * 1024 * 1024 * 1024,
            trusted_proxies: Vec::new(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: String::new(),
            pool_size: 8,
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        // argon2id at OWASP's first recommended setting (19 MiB, 2 passes, 1 lane).
        AuthConfig {
            session_hours: 12,
            reader_session_hours: 2,
            max_failed_logins: 5,
            lockout_minutes: 15,
            failure_memory_minutes: 60,
            login_throttle_after: 20,
            login_throttle_max_seconds: 300,
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
            argon2_parallelism: 1,
        }
    }
}

impl Default for CatalogConfig {
    fn default() -> Self {
        // 200-299 are GS1's in-house prefixes: never a product's (or a book's
        // 978/979) barcode, so scanning a publisher's EAN finds no copy.
        // Act prefixes are the Kazakh document names: Қабылдау актісі
        // (acceptance act) and Есептен шығару актісі (write-off act).
        CatalogConfig {
            barcode_prefix: "200".to_owned(),
            accession_act_prefix: "ҚА".to_owned(),
            write_off_act_prefix: "ЕШ".to_owned(),
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Text,
            level: "info".to_owned(),
        }
    }
}

/// The documented defaults, printed by `kitap config defaults`.
pub const DEFAULTS_TOML: &str = include_str!("defaults.toml");

/// Environment variables that are not configuration keys but are still ours.
const OTHER_VARS: [&str; 3] = [
    "KITAP_CONFIG",
    "KITAP_ADMIN_PASSWORD",
    "KITAP_UPDATE_OPENAPI",
];

type Setter = fn(&mut Config, &str) -> Result<(), String>;

/// Each override: variable name and how it sets the config.
const ENV_OVERRIDES: [(&str, Setter); 26] = [
    ("KITAP_SEARCH_DIR", |c, v| {
        c.search.dir = v.to_owned();
        Ok(())
    }),
    ("KITAP_SEARCH_RATE_LIMIT", |c, v| {
        parse_into(&mut c.search.rate_limit_per_minute, v)
    }),
    ("KITAP_DATA_DIR", |c, v| {
        c.data_dir = PathBuf::from(v);
        Ok(())
    }),
    ("KITAP_DATABASE_URL", |c, v| {
        c.database.url = v.to_owned();
        Ok(())
    }),
    ("KITAP_POOL_SIZE", |c, v| {
        parse_into(&mut c.database.pool_size, v)
    }),
    ("KITAP_LISTEN", |c, v| {
        c.server.listen = v.to_owned();
        Ok(())
    }),
    ("KITAP_WORKERS", |c, v| parse_into(&mut c.server.workers, v)),
    ("KITAP_AUTO_BLOCK_AFTER_DAYS", |c, v| {
        parse_into(&mut c.circulation.auto_block_after_days, v)
    }),
    ("KITAP_HOLD_SHELF_DAYS", |c, v| {
        parse_into(&mut c.circulation.hold_shelf_days, v)
    }),
    ("KITAP_FINES_ENABLED", |c, v| {
        c.circulation.fines_enabled = parse_switch(v)?;
        Ok(())
    }),
    ("KITAP_OFFLINE_MAX_AGE_DAYS", |c, v| {
        parse_into(&mut c.circulation.offline_max_age_days, v)
    }),
    ("KITAP_MAX_BODY_BYTES", |c, v| {
        parse_into(&mut c.server.max_body_bytes, v)
    }),
    ("KITAP_MAX_UPLOAD_BYTES", |c, v| {
        parse_into(&mut c.server.max_upload_bytes, v)
    }),
    ("KITAP_SESSION_HOURS", |c, v| {
        parse_into(&mut c.auth.session_hours, v)
    }),
    ("KITAP_READER_SESSION_HOURS", |c, v| {
        parse_into(&mut c.auth.reader_session_hours, v)
    }),
    ("KITAP_MAX_FAILED_LOGINS", |c, v| {
        parse_into(&mut c.auth.max_failed_logins, v)
    }),
    ("KITAP_LOCKOUT_MINUTES", |c, v| {
        parse_into(&mut c.auth.lockout_minutes, v)
    }),
    ("KITAP_FAILURE_MEMORY_MINUTES", |c, v| {
        parse_into(&mut c.auth.failure_memory_minutes, v)
    }),
    ("KITAP_LOGIN_THROTTLE_AFTER", |c, v| {
        parse_into(&mut c.auth.login_throttle_after, v)
    }),
    ("KITAP_LOGIN_THROTTLE_MAX_SECONDS", |c, v| {
        parse_into(&mut c.auth.login_throttle_max_seconds, v)
    }),
    ("KITAP_TRUSTED_PROXIES", |c, v| {
        c.server.trusted_proxies = parse_addresses(v)?;
        Ok(())
    }),
    ("KITAP_LOG_FORMAT", |c, v| {
        c.log.format = match v {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => return Err("must be text or json".to_owned()),
        };
        Ok(())
    }),
    ("KITAP_LOG_LEVEL", |c, v| {
        c.log.level = v.to_owned();
        Ok(())
    }),
    ("KITAP_AREA_RULES", |c, v| {
        c.statistics.area_rules = v.to_owned();
        Ok(())
    }),
    ("KITAP_CHILD_MAX_AGE", |c, v| {
        parse_into(&mut c.statistics.child_max_age, v)
    }),
    ("KITAP_YOUTH_MAX_AGE", |c, v| {
        parse_into(&mut c.statistics.youth_max_age, v)
    }),
];

fn parse_into<T: std::str::FromStr>(slot: &mut T, value: &str) -> Result<(), String> {
    *slot = value
        .trim()
        .parse()
        .map_err(|_| format!("{value:?} is not a valid number"))?;
    Ok(())
}

/// true/false (also 1/0, yes/no, on/off).
fn parse_switch(value: &str) -> Result<bool, String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("{value:?} is not true or false")),
    }
}

/// A comma-separated list of IP addresses (empty: none).
fn parse_addresses(value: &str) -> Result<Vec<std::net::IpAddr>, String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            item.parse()
                .map_err(|_| format!("{item:?} is not an IP address"))
        })
        .collect()
}

impl Config {
    /// Reads `file` if given (a missing file given explicitly is an error),
    /// then applies the environment.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some(path) => Config::from_file(path)?,
            None => Config::default(),
        };
        config.apply_env(env)?;
        config.validate()?;
        Ok(config)
    }

    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|err| ConfigError::Parse {
            path: path.to_owned(),
            message: err.to_string(),
        })
    }

    pub fn apply_env(
        &mut self,
        env: impl IntoIterator<Item = (String, String)>,
    ) -> Result<(), ConfigError> {
        for (name, value) in env {
            if !name.starts_with("KITAP_") || OTHER_VARS.contains(&name.as_str()) {
                continue;
            }
            let Some((_, set)) = ENV_OVERRIDES
                .iter()
                .chain(crate::notices::NOTICE_ENV_OVERRIDES.iter())
                .find(|(known, _)| *known == name)
            else {
                return Err(ConfigError::Env {
                    name,
                    message: format!("unknown variable; known are {}", known_vars()),
                });
            };
            set(self, &value).map_err(|message| ConfigError::Env { name, message })?;
        }
        Ok(())
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let fail = |name: &str, message: &str| ConfigError::Env {
            name: name.to_owned(),
            message: message.to_owned(),
        };
        if self.database.pool_size == 0 {
            return Err(fail("database.pool_size", "must be at least 1"));
        }
        if self.auth.session_hours == 0 {
            return Err(fail("auth.session_hours", "must be at least 1"));
        }
        if self.auth.reader_session_hours == 0 {
            return Err(fail("auth.reader_session_hours", "must be at least 1"));
        }
        if self.auth.max_failed_logins == 0 {
            return Err(fail("auth.max_failed_logins", "must be at least 1"));
        }
        if self.auth.failure_memory_minutes == 0 {
            return Err(fail("auth.failure_memory_minutes", "must be at least 1"));
        }
        if self.auth.login_throttle_max_seconds == 0 {
            return Err(fail(
                "auth.login_throttle_max_seconds",
                "must be at least 1",
            ));
        }
        if self.server.max_body_bytes < 1024 {
            return Err(fail("server.max_body_bytes", "must be at least 1024"));
        }
        if let Err((name, message)) = self.notices.validate() {
            return Err(fail(name, &message));
        }
        if let Err(message) = self.dedup.matching().validate() {
            return Err(fail("dedup", &message));
        }
        self.statistics.age_bands()?;
        // Read here so that a bad rules file stops the start, not a report.
        self.statistics.load_area_rules()?;
        let prefix = &self.catalog.barcode_prefix;
        if prefix.is_empty() || prefix.len() > 6 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
            return Err(fail("catalog.barcode_prefix", "must be 1 to 6 digits"));
        }
        for (name, value) in [
            (
                "catalog.accession_act_prefix",
                &self.catalog.accession_act_prefix,
            ),
            (
                "catalog.write_off_act_prefix",
                &self.catalog.write_off_act_prefix,
            ),
        ] {
            let ok = (1..=10).contains(&value.chars().count())
                && value.chars().all(char::is_alphanumeric);
            if !ok {
                return Err(fail(name, "must be 1 to 10 letters or digits"));
            }
        }
        Ok(())
    }

    /// Where uploaded import files wait for the import worker.
    pub fn upload_dir(&self) -> PathBuf {
        self.data_dir.join("imports")
    }

    /// Where the search index lives.
    pub fn search_dir(&self) -> PathBuf {
        if self.search.dir.trim().is_empty() {
            self.data_dir.join("index")
        } else {
            PathBuf::from(&self.search.dir)
        }
    }

    /// The search service settings.
    pub fn search_settings(&self) -> crate::search::SearchSettings {
        crate::search::SearchSettings {
            dir: self.search_dir(),
            rebuild_memory: (self.search.rebuild_memory_mb.max(32) as usize) << 20,
        }
    }

    /// The database URL: the configured one, or an SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        if self.database.url.trim().is_empty() {
            format!("sqlite://{}", self.data_dir.join("kitap.db").display())
        } else {
            self.database.url.clone()
        }
    }
}

fn known_vars() -> String {
    let names: Vec<&str> = ENV_OVERRIDES
        .iter()
        .chain(crate::notices::NOTICE_ENV_OVERRIDES.iter())
        .map(|(name, _)| *name)
        .chain(OTHER_VARS)
        .collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn documented_defaults_are_the_real_defaults() {
        let documented: Config = toml::from_str(DEFAULTS_TOML).unwrap();
        assert_eq!(documented, Config::default());
    }

    #[test]
    fn every_override_is_documented() {
        for (name, _) in ENV_OVERRIDES {
            assert!(
                DEFAULTS_TOML.contains(name),
                "{name} is not in defaults.toml"
            );
        }
    }

    #[test]
    fn fines_are_off_unless_switched_on() {
        assert!(!Config::default().circulation.fines_enabled);
        let on = Config::load(None, env(&[("KITAP_FINES_ENABLED", "true")])).unwrap();
        assert!(on.circulation.fines_enabled);
        let off = Config::load(None, env(&[("KITAP_FINES_ENABLED", "0")])).unwrap();
        assert!(!off.circulation.fines_enabled);
        assert!(Config::load(None, env(&[("KITAP_FINES_ENABLED", "maybe")])).is_err());
    }

    #[test]
    fn catalog_numbering_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kitap.toml");
        std::fs::write(&path, "[catalog]\nbarcode_prefix = \"20a\"\n").unwrap();
        let err = Config::load(Some(&path), env(&[])).unwrap_err();
        assert!(err.to_string().contains("catalog.barcode_prefix"), "{err}");
        std::fs::write(&path, "[catalog]\nwrite_off_act_prefix = \"W/O\"\n").unwrap();
        assert!(Config::load(Some(&path), env(&[])).is_err());
        std::fs::write(&path, "[catalog]\nbarcode_prefix = \"2901\"\n").unwrap();
        let config = Config::load(Some(&path), env(&[])).unwrap();
        assert_eq!(config.catalog.barcode_prefix, "2901");
        assert_eq!(config.catalog.accession_act_prefix, "ҚА");
    }

    #[test]
    fn bad_statistics_settings_stop_the_start() {
        let err = Config::load(
            None,
            env(&[("KITAP_CHILD_MAX_AGE", "16"), ("KITAP_YOUTH_MAX_AGE", "15")]),
        )
        .unwrap_err();
        assert!(err.to_string().contains("youth_max_age"), "{err}");
        let config = Config::load(None, env(&[("KITAP_CHILD_MAX_AGE", "13")])).unwrap();
        assert_eq!(
            config.statistics.age_bands().unwrap(),
            kitap_circulation::AgeBands::new(13, 30).unwrap()
        );
        let dir = tempfile::tempdir().unwrap();
        let rules = dir.path().join("rules.toml");
        std::fs::write(&rules, "version = \"x\"\nbbk_public = []\n").unwrap();
        let err =
            Config::load(None, env(&[("KITAP_AREA_RULES", rules.to_str().unwrap())])).unwrap_err();
        assert!(
            err.to_string().contains("missing field `bbk_scientific`"),
            "{err}"
        );
        std::fs::write(
            &rules,
            "version = \"x\"\nbbk_public = []\nbbk_scientific = []\nudc = []\n",
        )
        .unwrap();
        let config =
            Config::load(None, env(&[("KITAP_AREA_RULES", rules.to_str().unwrap())])).unwrap();
        assert_eq!(config.statistics.load_area_rules().unwrap().version, "x");
        let err =
            Config::load(None, env(&[("KITAP_AREA_RULES", "/nonexistent.toml")])).unwrap_err();
        assert!(err.to_string().contains("/nonexistent.toml"), "{err}");
    }

    #[test]
    fn no_configuration_means_sqlite_in_the_data_folder() {
        let config = Config::load(None, env(&[])).unwrap();
        assert_eq!(config.database_url(), "sqlite://kitap-data/kitap.db");
        assert_eq!(config.server.listen, "127.0.0.1:8080");
    }

    #[test]
    fn environment_overrides_the_file() {
        let config = Config::load(
            None,
            env(&[
                ("KITAP_DATABASE_URL", "postgres://kitap@db/kitap"),
                ("KITAP_LISTEN", "0.0.0.0:9000"),
                ("KITAP_LOCKOUT_MINUTES", "30"),
                ("KITAP_ADMIN_PASSWORD", "not a config key"),
                ("PATH", "/usr/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(config.database_url(), "postgres://kitap@db/kitap");
        assert_eq!(config.server.listen, "0.0.0.0:9000");
        assert_eq!(config.auth.lockout_minutes, 30);
    }

    #[test]
    fn trusted_proxies_are_addresses() {
        let config =
            Config::load(None, env(&[("KITAP_TRUSTED_PROXIES", "10.0.0.2, ::1")])).unwrap();
        assert_eq!(
            config.server.trusted_proxies,
            vec![
                "10.0.0.2".parse::<std::net::IpAddr>().unwrap(),
                "::1".parse().unwrap()
            ]
        );
        let err = Config::load(None, env(&[("KITAP_TRUSTED_PROXIES", "10.0.0.0/8")])).unwrap_err();
        assert!(err.to_string().contains("not an IP address"), "{err}");
        let parsed: Config =
            toml::from_str("[server]\ntrusted_proxies = [\"127.0.0.1\"]\n").unwrap();
        assert_eq!(parsed.server.trusted_proxies.len(), 1);
    }

    #[test]
    fn unknown_keys_and_variables_are_refused() {
        let err = toml::from_str::<Config>("[database]\nurll = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
        let err = Config::load(None, env(&[("KITAP_DATABSE_URL", "x")])).unwrap_err();
        assert!(err.to_string().contains("KITAP_DATABSE_URL"), "{err}");
        let err = Config::load(None, env(&[("KITAP_POOL_SIZE", "many")])).unwrap_err();
        assert!(err.to_string().contains("not a valid number"), "{err}");
    }

    #[test]
    fn bad_dedup_settings_stop_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kitap.toml");
        std::fs::write(
            &path,
            "[dedup]\nwarn_threshold = 0.9\nblock_threshold = 0.6\n",
        )
        .unwrap();
        let err = Config::load(Some(&path), env(&[])).unwrap_err();
        assert!(err.to_string().contains("block_threshold"), "{err}");
        std::fs::write(
            &path,
            "[dedup]\nblock_threshold = 0.9\n[dedup.weights]\ntitel = 0.3\n",
        )
        .unwrap();
        let err = Config::load(Some(&path), env(&[])).unwrap_err();
        assert!(err.to_string().contains("titel"), "{err}");
        std::fs::write(&path, "[dedup]\nblock_threshold = 0.9\nmax_year_gap = 2\n").unwrap();
        let config = Config::load(Some(&path), env(&[])).unwrap();
        assert_eq!(config.dedup.matching().max_year_gap, 2);
        assert_eq!(config.dedup.matching().block_threshold, 0.9);
    }

    #[test]
    fn a_config_file_is_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kitap.toml");
        std::fs::write(
            &path,
            "data_dir = \"/srv/kitap\"\n[auth]\nsession_hours = 8\n",
        )
        .unwrap();
        let config = Config::load(Some(&path), env(&[])).unwrap();
        assert_eq!(config.auth.session_hours, 8);
        assert_eq!(config.database_url(), "sqlite:///srv/kitap/kitap.db");
        assert!(Config::load(Some(&dir.path().join("missing.toml")), env(&[])).is_err());
    }
}
