//! `kitap report annual`: the annual report bundle written to files, run
//! in this process as the operator (whoever holds the database reads its
//! statistics, as `kitap user add` creates accounts without a login).

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, Subcommand};
use kitap_app::reports::Chart;
use kitap_app::App;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Every report for a calendar year: annual-YEAR.xlsx (a contents
    /// sheet, a sheet per table, charts) and the charts as SVG.
    Annual(AnnualArgs),
}

#[derive(Debug, Args)]
pub struct AnnualArgs {
    /// The calendar year (Karaganda local days).
    #[arg(long)]
    pub year: i32,
    /// Library code (repeatable; default: every active library).
    #[arg(long = "library")]
    pub libraries: Vec<String>,
    /// Folder to write into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(app: &App, command: ReportCommand) -> anyhow::Result<()> {
    match command {
        ReportCommand::Annual(args) => annual(app, &args),
    }
}

fn annual(app: &App, args: &AnnualArgs) -> anyhow::Result<()> {
    let ids = args
        .libraries
        .iter()
        .map(|code| {
            app.library_id(code)
                .with_context(|| format!("library {code}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let started = std::time::Instant::now();
    let bundle = app.annual_report_as_operator(args.year, ids)?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("{}", args.out.display()))?;
    let book = bundle.xlsx()?;
    let mut written = vec![write(&args.out, &book.file_name, &book.bytes)?];
    for chart in Chart::ALL {
        let name = format!("annual-{}-{}", args.year, chart.file_name());
        let svg = bundle.chart_svg(chart)?;
        written.push(write(&args.out, &name, svg.as_bytes())?);
    }
    eprintln!(
        "annual report {} for {} libraries in {:.1} s",
        args.year,
        bundle.libraries.len(),
        started.elapsed().as_secs_f64()
    );
    for path in written {
        println!("{}", path.display());
    }
    Ok(())
}

/// Written beside the target and renamed: a failed run leaves no file that
/// looks complete.
fn write(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let path = dir.join(name);
    let partial = dir.join(format!("{name}.partial"));
    std::fs::write(&partial, bytes).with_context(|| format!("{}", partial.display()))?;
    std::fs::rename(&partial, &path).with_context(|| format!("{}", path.display()))?;
    Ok(path)
}
