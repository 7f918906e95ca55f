//! `kitap reindex` and `kitap index ...`: the OPAC index from the command line.

use std::time::Instant;

use anyhow::Context;
use clap::Subcommand;
use kitap_app::search::{rebuild, SearchIndex};
use kitap_app::{App, Config};

#[derive(Debug, Subcommand)]
pub enum IndexCommand {
    /// Compare the index with the database; exit status 1 when they differ.
    Verify,
    /// Where the index is, which generation is served, and its checkpoint.
    Status,
}

fn open_index(config: &Config) -> anyhow::Result<SearchIndex> {
    let dir = config.search_dir();
    let (index, _) = SearchIndex::open(&dir)
        .map_err(anyhow::Error::msg)
        .with_context(|| format!("opening the index in {}", dir.display()))?;
    Ok(index)
}

/// Rebuilds into a new generation while the old one keeps serving, then
/// switches; a running server picks the new one up within a tick.
pub fn reindex(app: &App, config: &Config) -> anyhow::Result<()> {
    let index = open_index(config)?;
    let started = Instant::now();
    let settings = config.search_settings();
    // The old generation belongs to a server that may be running: it removes it.
    let seq =
        rebuild(app.db(), &index, settings.rebuild_memory, false).map_err(anyhow::Error::msg)?;
    let generation = index.current();
    println!(
        "Rebuilt the index in {:.1} s: {} records, current to outbox id {seq}, generation {} in {}.",
        started.elapsed().as_secs_f64(),
        generation.num_docs(),
        generation.name,
        config.search_dir().display()
    );
    Ok(())
}

pub fn run(app: &App, config: &Config, command: IndexCommand) -> anyhow::Result<()> {
    let index = open_index(config)?;
    match command {
        IndexCommand::Status => {
            let generation = index.current();
            let checkpoint = generation.checkpoint().map_err(anyhow::Error::msg)?;
            println!(
                "{}\ngeneration {}, {} records, checkpoint {}",
                config.search_dir().display(),
                generation.name,
                generation.num_docs(),
                checkpoint.map_or("none (never committed)".to_string(), |c| c.seq.to_string())
            );
            Ok(())
        }
        IndexCommand::Verify => {
            let check = app.verify_index(&index).map_err(anyhow::Error::msg)?;
            println!("{}", serde_json::to_string_pretty(&check)?);
            if check.is_consistent() {
                Ok(())
            } else {
                anyhow::bail!("the index differs from the database")
            }
        }
    }
}
