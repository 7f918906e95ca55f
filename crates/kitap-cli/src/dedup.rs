//! `kitap dedup`: the duplicate scan and rekeying, run in this process
//! (the same use cases as the API's scan job).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use kitap_app::dedup::ReportFormat;
use kitap_app::{Actor, App};

#[derive(Debug, Subcommand)]
pub enum DedupCommand {
    /// Cluster the whole catalog into groups of likely duplicates and write
    /// the report (the same as GET /api/v1/dedup/scans/{id}/report).
    Scan(ScanArgs),
    /// Compute the match keys of records that have none or keys of an older
    /// version (`kitap serve` does this at start too).
    Rekey,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// json (clusters with members, pairs, scores and explanations) or csv
    /// (one line per pair).
    #[arg(long, default_value = "json")]
    pub format: String,
    /// Output file (default: standard output).
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

pub fn run(app: &App, command: DedupCommand) -> anyhow::Result<()> {
    match command {
        DedupCommand::Rekey => {
            let started = std::time::Instant::now();
            let n = app.rekey(&mut |done| {
                if done % 10_000 == 0 {
                    eprintln!("{done} records keyed");
                }
            })?;
            eprintln!(
                "{n} records keyed in {:.1} s",
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        DedupCommand::Scan(args) => scan(app, &args),
    }
}

fn scan(app: &App, args: &ScanArgs) -> anyhow::Result<()> {
    let format = ReportFormat::parse(&args.format).context("--format must be json or csv")?;
    let actor = Actor::system("kitap dedup scan");
    let started = std::time::Instant::now();
    let queued = app.queue_scan(None, &actor)?;
    let scan = app.run_scan(queued.id, &actor)?;
    eprintln!(
        "{} records, {} clusters, {} pairs in {:.1} s (scan {})",
        scan.counts.records,
        scan.counts.clusters,
        scan.counts.pairs,
        started.elapsed().as_secs_f64(),
        scan.id
    );
    match &args.out {
        Some(path) => {
            // Written beside the target and renamed: a failed report leaves
            // no file that looks complete.
            let mut partial = path.as_os_str().to_owned();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            let file = File::create(&partial).with_context(|| format!("{}", partial.display()))?;
            let mut out = BufWriter::new(file);
            let written = app
                .write_scan_report(scan.id, format, &mut out)
                .map_err(anyhow::Error::from)
                .and_then(|()| out.flush().map_err(anyhow::Error::from));
            if let Err(err) = written {
                let _ = std::fs::remove_file(&partial);
                return Err(err.context(format!("writing {}", path.display())));
            }
            std::fs::rename(&partial, path).with_context(|| format!("{}", path.display()))?;
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            app.write_scan_report(scan.id, format, &mut out)?;
            out.flush()?;
        }
    }
    Ok(())
}
