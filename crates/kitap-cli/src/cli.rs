use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use kitap_app::config::{Config, DEFAULTS_TOML};
use kitap_app::{App, Db, DbUrl};

use crate::{catalog, logging, serve, user};

#[derive(Debug, Parser)]
#[command(
    name = "kitap",
    version,
    about = "Kitap: library cataloguing and circulation"
)]
pub struct Cli {
    /// Configuration file (TOML); see `kitap config defaults`.
    #[arg(long, global = true, env = "KITAP_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data folder (SQLite database, index, uploads); wins over `data_dir`
    /// and KITAP_DATA_DIR. `serve --demo` uses ./kitap-demo unless this is set.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, seed the libraries and the first administrator, and serve the API.
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Import MARC files into the catalog (resumable; see --resume).
    Import(catalog::ImportArgs),
    /// Export records as ISO 2709, MARCXML or MARC-in-JSON.
    Export(catalog::ExportArgs),
    /// Duplicate records: scan the catalog, compute match keys.
    #[command(subcommand)]
    Dedup(crate::dedup::DedupCommand),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Show configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the OpenAPI document.
    Openapi,
    /// Rebuild the search index from the database (the old index serves until done).
    Reindex,
    /// Inspect the search index.
    #[command(subcommand)]
    Index(crate::index::IndexCommand),
    /// Recompute the knowledge group of records classified under other
    /// knowledge-area rules than `[statistics] area_rules` (after changing
    /// them); past loans keep their group.
    Reclassify,
    /// Statistics reports written to files.
    #[command(subcommand)]
    Report(crate::report::ReportCommand),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Try Kitap out: a separate database in ./kitap-demo/ with demo staff for each role.
    #[arg(long)]
    pub demo: bool,
    /// Override the listen address (host:port).
    #[arg(long)]
    pub listen: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Every key with its default and its environment variable.
    Defaults,
    /// The configuration in effect (file plus environment), database password hidden.
    Show,
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    if let Command::Config(ConfigCommand::Defaults) = cli.command {
        print!("{DEFAULTS_TOML}");
        return Ok(());
    }
    if let Command::Openapi = cli.command {
        print!("{}", kitap_api::openapi_json(&kitap_api::openapi()));
        return Ok(());
    }
    let mut config = Config::load(cli.config.as_deref(), std::env::vars())?;
    logging::init(&config.log)?;
    let data_dir_given = cli.data_dir.is_some();
    if let Some(dir) = cli.data_dir {
        config.data_dir = dir;
    }
    match cli.command {
        Command::Serve(args) => {
            if args.demo && !data_dir_given && config.data_dir == Config::default().data_dir {
                config.data_dir = PathBuf::from(DEMO_DATA_DIR);
            }
            if let Some(listen) = args.listen {
                config.server.listen = listen;
            }
            let again = serve::Again::new(cli.config.as_deref(), &config);
            serve::run(&config, args.demo, &again)
        }
        Command::Migrate => {
            let app = open(&config)?;
            println!("database {} is up to date", app.db().url().redacted());
            Ok(())
        }
        Command::User(command) => user::run(&open_existing(&config)?, command),
        Command::Import(args) => catalog::import(&open_existing(&config)?, args),
        Command::Export(args) => catalog::export(&open_existing(&config)?, args),
        Command::Dedup(command) => crate::dedup::run(&open_existing(&config)?, command),
        Command::Reindex => crate::index::reindex(&open_existing(&config)?, &config),
        Command::Index(command) => crate::index::run(&open_existing(&config)?, &config, command),
        Command::Reclassify => reclassify(&open_existing(&config)?),
        Command::Report(command) => crate::report::run(&open_existing(&config)?, command),
        Command::Config(ConfigCommand::Show) => {
            println!("{config:#?}");
            println!("effective database url: {}", redacted_url(&config));
            Ok(())
        }
        Command::Config(ConfigCommand::Defaults) | Command::Openapi => Ok(()),
    }
}

/// Where `serve --demo` keeps its database when no data folder is configured.
pub const DEMO_DATA_DIR: &str = "kitap-demo";

/// Opens the database, creating and migrating it: only `serve` and `migrate`.
pub fn open(config: &Config) -> anyhow::Result<App> {
    App::open(config).with_context(|| format!("opening the database {}", redacted_url(config)))
}

/// Opens a database that `serve` or `migrate` made. Every other command
/// refuses a missing or unmigrated one: silently creating an empty database
/// in the wrong folder made `user passwd` answer "staff account not found".
pub fn open_existing(config: &Config) -> anyhow::Result<App> {
    let url = DbUrl::parse(&config.database_url())?;
    if let DbUrl::Sqlite(path) = &url {
        if !path.is_file() {
            anyhow::bail!(
                "no database at {}; run `kitap migrate` or `kitap serve` first{}",
                path.display(),
                demo_hint(config)
            );
        }
    }
    let db = Db::connect(&url, config.database.pool_size)
        .with_context(|| format!("opening the database {}", url.redacted()))?;
    let pending = db.pending_migrations()?;
    if pending > 0 {
        anyhow::bail!(
            "the database {} lacks {pending} of this version's migrations; run `kitap migrate` first",
            url.redacted()
        );
    }
    // Every policy of the configuration: an import from here must classify
    // records by the configured knowledge-area rules, like the server.
    Ok(App::configured(db, config)?)
}

fn reclassify(app: &App) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let actor = kitap_app::Actor::system("kitap reclassify");
    let done = app.reclassify_all(&actor, &mut |r| {
        eprintln!("{} changed, {} unchanged so far", r.changed, r.unchanged);
    })?;
    println!(
        "rules {}: {} records changed group, {} unchanged, {} skipped, in {:.1} s",
        done.version,
        done.changed,
        done.unchanged,
        done.skipped,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Points at the demo database when that is probably what was meant.
fn demo_hint(config: &Config) -> String {
    let demo = Path::new(DEMO_DATA_DIR);
    if config.data_dir != demo && demo.join("kitap.db").is_file() {
        format!(" (the demo database is in ./{DEMO_DATA_DIR}: add `--data-dir {DEMO_DATA_DIR}`)")
    } else {
        String::new()
    }
}

fn redacted_url(config: &Config) -> String {
    kitap_app::DbUrl::parse(&config.database_url())
        .map(|url| url.redacted())
        .unwrap_or_else(|err| err.to_string())
}
