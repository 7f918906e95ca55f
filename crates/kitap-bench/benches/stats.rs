//! Statistics (issue #8): a generated year of the Karaganda system's
//! activity (`kitap_bench::year`) written into a fresh database, then the
//! annual report bundle produced from it and its totals compared with the
//! generator's known counts.
//!
//! ```text
//! cargo bench -p kitap-bench --bench stats -- [scale=1.0] [seed=1]
//!     [url=sqlite:///path/new.db | url=postgres://...] [json=FILE]
//! ```
//!
//! Without `url`, a SQLite file in a scratch directory. A PostgreSQL URL
//! gets a scratch schema in that database, dropped at the end. Prints the
//! generation time and the known counts as JSON (to `json` if given).

use std::time::Instant;

use anyhow::{bail, Context};
use kitap_app::DbUrl;
use kitap_bench::import::{open_app, ScratchSchema};
use kitap_bench::procstat::machine;
use kitap_bench::year::{generate_year, KnownCounts, YearSpec};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    scale: f64,
    seed: u64,
    url: Option<String>,
    json: Option<String>,
}

fn parse() -> anyhow::Result<Args> {
    let mut args = Args {
        scale: 1.0,
        seed: 1,
        url: None,
        json: None,
    };
    for arg in std::env::args().skip(1) {
        // `cargo bench` passes --bench to harness-less targets.
        if arg.starts_with("--") {
            continue;
        }
        let Some((key, value)) = arg.split_once('=') else {
            bail!("expected key=value, got {arg:?}");
        };
        match key {
            "scale" => args.scale = value.parse().context("scale")?,
            "seed" => args.seed = value.parse().context("seed")?,
            "url" => args.url = Some(value.to_owned()),
            "json" => args.json = Some(value.to_owned()),
            _ => bail!("unknown argument {key:?}"),
        }
    }
    Ok(args)
}

fn run(url: &DbUrl, args: &Args) -> anyhow::Result<KnownCounts> {
    let app = open_app(url)?;
    let spec = if (args.scale - 1.0).abs() < f64::EPSILON {
        YearSpec::karaganda()
    } else {
        YearSpec::scaled(args.scale)
    };
    println!("spec: {}", serde_json::to_string(&spec)?);
    let t = Instant::now();
    let counts = generate_year(app.db(), &spec, args.seed)?;
    println!(
        "generated the year in {:.1} s: {} records, {} copies, {} readers, {} loans, {} circulation events, {} transfers",
        t.elapsed().as_secs_f64(),
        counts.records,
        counts.copies,
        counts.readers,
        counts.loans,
        counts.circulation_events,
        counts.transfers
    );

    // ---- THE REPORT BUNDLE GOES HERE (issue #8) ----------------------------
    // Once the reports exist (kitap-stats + GET /reports/...), time the whole
    // annual bundle for `counts.year` over all libraries here — the app's
    // annual-bundle use case on `app`, or GET /reports/annual?year=… against
    // `kitap serve` on this database — require ≤ 10 s, and compare every
    // total and per-library number of the bundle with `counts` (checkouts,
    // reading_room, renewals, visits, loans_by_group, readers_registered,
    // new_readers, received_by_source, written_off_by_reason, held_by_group,
    // debtors, sent/exchange_received), failing on any difference.
    // ------------------------------------------------------------------------
    Ok(counts)
}

fn main() -> anyhow::Result<()> {
    let args = parse()?;
    println!(
        "machine: {}; scale {}, seed {}",
        machine(),
        args.scale,
        args.seed
    );
    let temp = tempfile::tempdir()?;
    let counts = match args.url.as_deref() {
        Some(base) if base.starts_with("postgres") => {
            let schema = ScratchSchema::create(base, "kitap_stats_bench")?;
            run(&schema.url, &args)?
        }
        Some(url) => run(&DbUrl::parse(url)?, &args)?,
        None => {
            let path = temp.path().join("stats-bench.db");
            run(
                &DbUrl::parse(&format!("sqlite://{}", path.display()))?,
                &args,
            )?
        }
    };
    let json = serde_json::to_string_pretty(&counts)?;
    match &args.json {
        Some(file) => {
            std::fs::write(file, &json)?;
            println!("known counts written to {file}");
        }
        None => println!("{json}"),
    }
    Ok(())
}
