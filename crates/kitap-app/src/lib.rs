//! Kitap's use cases.
//!
//! Each public method of [`App`] is one use case: it opens one transaction
//! (writes use [`kitap_db::Db::write`]), loads what it needs, decides, writes
//! the change together with its audit row, and commits. Methods are
//! synchronous; the API layer runs them on actix's blocking thread pool.

mod actor;
mod audit;
mod auth;
mod branches;
pub mod catalog;
pub mod circulation;
pub mod config;
pub mod dedup;
mod error;
pub mod exchange;
mod login_guard;
#[path = "circulation/notices/mod.rs"]
pub mod notices;
pub mod passwords;
mod reader_auth;
pub mod reports;
pub mod search;
mod seed;
mod staff;
pub mod tokens;

pub use actor::{Actor, Principal};
pub use auth::{LoginAttempt, LoginOutcome};
pub use branches::{BranchPatch, NewBranch};
pub use config::Config;
pub use error::{AppError, Refused};
pub use kitap_db::audit::{AuditEntry, AuditFilter};
pub use kitap_db::branches::Branch;
pub use kitap_db::imports::{ImportJob, Progress as ImportProgress, Reject as ImportReject};
pub use kitap_db::records::{RecordFilter, StoredRecord};
pub use kitap_db::staff::Staff;
pub use kitap_db::{Backend, Db, DbUrl, PoolState};
pub use login_guard::LoginMonitor;
pub use reader_auth::{ReaderLoginAttempt, ReaderLoginOutcome, ReaderPrincipal};
pub use seed::{SeedReport, DEMO_PASSWORD};
pub use staff::{NewStaff, StaffPatch, StaffQuery};

use config::{AuthConfig, CatalogConfig, CirculationConfig};
use passwords::PasswordHashing;

/// The use-case layer: a database handle plus the policies that need config.
#[derive(Clone)]
pub struct App {
    db: Db,
    auth: AuthConfig,
    hashing: PasswordHashing,
    catalog: CatalogConfig,
    circulation: CirculationConfig,
    /// Hours within which a merge can be undone (`[dedup] merge_undo_hours`).
    merge_undo_hours: u32,
    login_monitor: Option<std::sync::Arc<dyn LoginMonitor>>,
    notices: std::sync::Arc<notices::NoticeRuntime>,
    dedup: std::sync::Arc<kitap_dedup::DedupConfig>,
    exchange: config::ExchangeConfig,
    /// What the statistics count (`[statistics]`).
    statistics: kitap_stats::Definitions,
    /// The age bands circulation events and the readers report use.
    age_bands: kitap_circulation::AgeBands,
    /// The knowledge-area rules records are classified by.
    area_rules: std::sync::Arc<kitap_catalog::AreaRules>,
}

impl App {
    pub fn new(db: Db, auth: &AuthConfig) -> Result<App, AppError> {
        Ok(App {
            hashing: PasswordHashing::new(auth)?,
            auth: auth.clone(),
            catalog: CatalogConfig::default(),
            circulation: CirculationConfig::default(),
            merge_undo_hours: config::DedupSection::default().merge_undo_hours,
            login_monitor: None,
            notices: Default::default(),
            dedup: Default::default(),
            exchange: Default::default(),
            statistics: Default::default(),
            age_bands: Default::default(),
            area_rules: std::sync::Arc::new(kitap_catalog::AreaRules::builtin().clone()),
            db,
        })
    }

    /// The same use cases with other duplicate-detection weights and thresholds.
    pub fn with_dedup(mut self, dedup: &config::DedupSection) -> App {
        self.dedup = std::sync::Arc::new(dedup.matching());
        self.merge_undo_hours = dedup.merge_undo_hours;
        self
    }

    /// The same use cases, reporting login lock and throttle events to `monitor`.
    pub fn with_login_monitor(mut self, monitor: std::sync::Arc<dyn LoginMonitor>) -> App {
        self.login_monitor = Some(monitor);
        self
    }

    /// The same use cases with other copy and act numbering.
    pub fn with_catalog(mut self, catalog: &CatalogConfig) -> App {
        self.catalog = catalog.clone();
        self
    }

    /// The same use cases with other exchange settings.
    pub fn with_exchange(mut self, exchange: &config::ExchangeConfig) -> App {
        self.exchange = exchange.clone();
        self
    }

    /// The same use cases with other statistics definitions, age bands and
    /// knowledge-area rules (the rules file is read here).
    pub fn with_statistics(
        mut self,
        statistics: &config::StatisticsConfig,
    ) -> Result<App, AppError> {
        let internal = |e: config::ConfigError| AppError::Internal(e.to_string());
        self.statistics = statistics.definitions();
        self.age_bands = statistics.age_bands().map_err(internal)?;
        self.area_rules = std::sync::Arc::new(statistics.load_area_rules().map_err(internal)?);
        Ok(self)
    }

    /// The same use cases with other circulation settings.
    pub fn with_circulation(mut self, circulation: &CirculationConfig) -> App {
        self.circulation = circulation.clone();
        self
    }

    /// Opens the database named by `config`, applies pending migrations and
    /// returns the use-case layer over it.
    pub fn open(config: &Config) -> Result<App, AppError> {
        let url = DbUrl::parse(&config.database_url())
            .map_err(|err| AppError::Internal(err.to_string()))?;
        let db = Db::connect(&url, config.database.pool_size)?;
        db.migrate()?;
        App::configured(db, config)
    }

    /// The use-case layer over `db` with every policy of `config`.
    pub fn configured(db: Db, config: &Config) -> Result<App, AppError> {
        App::new(db, &config.auth)?
            .with_catalog(&config.catalog)
            .with_circulation(&config.circulation)
            .with_dedup(&config.dedup)
            .with_exchange(&config.exchange)
            .with_statistics(&config.statistics)?
            .with_notices(&config.notices)
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Ready to serve: the database answers and no migration is pending.
    pub fn readiness(&self) -> Result<(), AppError> {
        match self.db.pending_migrations()? {
            0 => Ok(()),
            pending => Err(AppError::Internal(format!("{pending} migrations pending"))),
        }
    }
}
