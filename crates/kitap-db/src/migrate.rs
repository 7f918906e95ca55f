use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sqlite::Sqlite;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::{Db, DbConnection, DbError};

/// Both trees are compiled into the binary, so `kitap serve` needs no files
/// beside it. They must stay mirrored: same migration names, same schema
/// (`tests/schema.rs` checks both against `schema.rs`).
const POSTGRES: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");
const SQLITE: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");

/// The migration folders relative to the workspace root, for tests.
pub const MIGRATION_DIRS: [&str; 2] = ["migrations/postgres", "migrations/sqlite"];

/// Any constant shared by every Kitap node: they serialise start-up migrations
/// on PostgreSQL so two servers starting together do not race.
const PG_MIGRATION_LOCK: i64 = 0x4b49_5441_5000;

type HarnessResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

impl Db {
    /// Applies every pending migration; returns the names applied.
    pub fn migrate(&self) -> Result<Vec<String>, DbError> {
        let mut conn = self.raw_connection()?;
        let applied = match &mut conn {
            DbConnection::Postgres(pg) => {
                pg.batch_execute(&format!("SELECT pg_advisory_lock({PG_MIGRATION_LOCK})"))?;
                let result = pg.run_pending_migrations(POSTGRES).map(names);
                pg.batch_execute(&format!("SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})"))?;
                result
            }
            DbConnection::Sqlite(lite) => {
                // WAL persists in the file: readers never block the writer.
                // Foreign keys are off while tables are rebuilt, then checked.
                lite.batch_execute("PRAGMA journal_mode = WAL; PRAGMA foreign_keys = OFF;")?;
                let result = lite.run_pending_migrations(SQLITE).map(names);
                lite.batch_execute("PRAGMA foreign_keys = ON;")?;
                result
            }
        };
        applied.map_err(|err| DbError::Migration(err.to_string()))
    }

    /// How many migrations the database still lacks; `/ready` wants zero.
    pub fn pending_migrations(&self) -> Result<usize, DbError> {
        self.read(|conn| {
            let pending: HarnessResult<usize> = match conn {
                DbConnection::Postgres(pg) => {
                    MigrationHarness::<Pg>::pending_migrations(pg, POSTGRES).map(|m| m.len())
                }
                DbConnection::Sqlite(lite) => {
                    MigrationHarness::<Sqlite>::pending_migrations(lite, SQLITE).map(|m| m.len())
                }
            };
            pending.map_err(|err| DbError::Migration(err.to_string()))
        })
    }

    /// Runs every `down.sql`, newest first. Only for tests and for operators
    /// who really mean it.
    pub fn revert_all_migrations(&self) -> Result<usize, DbError> {
        let mut conn = self.raw_connection()?;
        let reverted: HarnessResult<usize> = match &mut conn {
            DbConnection::Postgres(pg) => pg.revert_all_migrations(POSTGRES).map(|m| m.len()),
            DbConnection::Sqlite(lite) => {
                lite.batch_execute("PRAGMA foreign_keys = OFF;")?;
                lite.revert_all_migrations(SQLITE).map(|m| m.len())
            }
        };
        reverted.map_err(|err| DbError::Migration(err.to_string()))
    }

    /// The names of the migrations compiled into this binary for this backend.
    pub fn known_migrations(&self) -> Result<Vec<String>, DbError> {
        let listed = match self.backend() {
            crate::Backend::Postgres => MigrationSource::<Pg>::migrations(&POSTGRES)
                .map(|all| all.iter().map(|m| m.name().to_string()).collect()),
            crate::Backend::Sqlite => MigrationSource::<Sqlite>::migrations(&SQLITE)
                .map(|all| all.iter().map(|m| m.name().to_string()).collect()),
        };
        listed.map_err(|err| DbError::Migration(err.to_string()))
    }
}

fn names<V: std::fmt::Display>(versions: Vec<V>) -> Vec<String> {
    versions.iter().map(ToString::to_string).collect()
}
