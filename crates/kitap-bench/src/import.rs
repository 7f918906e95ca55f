//! The real import use case on a generated file (`App::queue_import` +
//! `App::run_import`, what `kitap import` and the server's worker run), and
//! a scratch PostgreSQL schema to run it in.

use std::path::Path;
use std::time::Instant;

use anyhow::{ensure, Context};
use kitap_app::catalog::{ImportRequest, OnMatch};
use kitap_app::config::AuthConfig;
use kitap_app::{Actor, App, Db, DbUrl, ImportJob};

/// A migrated, seeded application on `url`.
pub fn open_app(url: &DbUrl) -> anyhow::Result<App> {
    let db = Db::connect(url, 4).context("connect")?;
    db.migrate().context("migrate")?;
    let app = App::new(db, &AuthConfig::default()).context("app")?;
    app.seed_branches().context("seed the libraries")?;
    Ok(app)
}

/// Imports `file` (expected to hold `count` new records) into `app`;
/// `on_batch` sees the job after every committed batch. Returns the seconds
/// the import took.
pub fn import_file(
    app: &App,
    file: &Path,
    count: u64,
    on_batch: &mut dyn FnMut(&ImportJob),
) -> anyhow::Result<f64> {
    let actor = Actor::system("bench");
    let request = ImportRequest {
        file_name: file
            .file_name()
            .map_or_else(|| "bench.mrc".into(), |n| n.to_string_lossy().into_owned()),
        file_path: file.to_path_buf(),
        format: None,
        encoding: None,
        on_match: OnMatch::Skip,
        // The benchmark measures the import with duplicate detection on.
        on_duplicate: kitap_app::catalog::OnDuplicate::Add,
        library: None,
    };
    let job = app
        .queue_import(None, &actor, request)
        .context("queue the import")?;
    let start = Instant::now();
    let done = app
        .run_import(job.id, &actor, on_batch)
        .context("run the import")?;
    let seconds = start.elapsed().as_secs_f64();
    let p = &done.progress;
    ensure!(
        u64::try_from(p.created).ok() == Some(count),
        "{count} records expected to be created: {p:?}"
    );
    Ok(seconds)
}

/// A fresh PostgreSQL schema for one run, dropped at the end of it.
pub struct ScratchSchema {
    admin: Db,
    name: String,
    /// The base URL with the schema as the only search path.
    pub url: DbUrl,
}

/// `KITAP_BENCH_PG_URL`, or the local server.
pub fn pg_base_url() -> String {
    std::env::var("KITAP_BENCH_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

impl ScratchSchema {
    pub fn create(base: &str, prefix: &str) -> anyhow::Result<ScratchSchema> {
        let name = format!("{prefix}_{}", std::process::id());
        let admin = Db::connect(&DbUrl::parse(base)?, 1).context("connect to PostgreSQL")?;
        admin.execute_script(&format!("CREATE SCHEMA {name}"))?;
        let sep = if base.contains('?') { '&' } else { '?' };
        let url = DbUrl::parse(&format!("{base}{sep}options=-csearch_path%3D{name}"))?;
        Ok(ScratchSchema { admin, name, url })
    }
}

impl ScratchSchema {
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ScratchSchema {
    fn drop(&mut self) {
        let dropped = self
            .admin
            .execute_script(&format!("DROP SCHEMA {} CASCADE", self.name));
        if let Err(err) = dropped {
            eprintln!("could not drop schema {}: {err}", self.name);
        }
    }
}
