use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use kitap_app::config::{Config, DEFAULTS_TOML};
use kitap_app::App;

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
    match cli.command {
        Command::Serve(args) => {
            if args.demo && config.data_dir == Config::default().data_dir {
                config.data_dir = PathBuf::from("kitap-demo");
            }
            if let Some(listen) = args.listen {
                config.server.listen = listen;
            }
            serve::run(&config, args.demo)
        }
        Command::Migrate => {
            let app = open(&config)?;
            println!("database {} is up to date", app.db().url().redacted());
            Ok(())
        }
        Command::User(command) => user::run(&open(&config)?, command),
        Command::Import(args) => catalog::import(&open(&config)?, args),
        Command::Export(args) => catalog::export(&open(&config)?, args),
        Command::Reindex => crate::index::reindex(&open(&config)?, &config),
        Command::Index(command) => crate::index::run(&open(&config)?, &config, command),
        Command::Config(ConfigCommand::Show) => {
            println!("{config:#?}");
            println!("effective database url: {}", redacted_url(&config));
            Ok(())
        }
        Command::Config(ConfigCommand::Defaults) | Command::Openapi => Ok(()),
    }
}

pub fn open(config: &Config) -> anyhow::Result<App> {
    App::open(config).with_context(|| format!("opening the database {}", redacted_url(config)))
}

fn redacted_url(config: &Config) -> String {
    kitap_app::DbUrl::parse(&config.database_url())
        .map(|url| url.redacted())
        .unwrap_or_else(|err| err.to_string())
}
