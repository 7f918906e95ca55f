//! Statistics (issue #8): a generated year of the Karaganda system's
//! activity (`kitap_bench::year`) written into a fresh database, then the
//! annual report bundle produced from it and its totals compared with the
//! generator's known counts.
//!
//! ```text
//! cargo bench -p kitap-bench --bench stats -- [scale=1.0] [seed=1]
//!     [url=sqlite:///path/new.db | url=postgres://...] [json=FILE] [goal=10]
//! ```
//!
//! Without `url`, a SQLite file in a scratch directory. A PostgreSQL URL
//! gets a scratch schema in that database, dropped at the end. Prints the
//! generation time, the bundle's time, and the known counts as JSON (to
//! `json` if given). Fails when a number of the bundle differs from the
//! known counts (the mismatches printed as a table) or when the bundle
//! takes longer than `goal` seconds. To time the bundle again on a year
//! generated before: `url=sqlite:///path/year.db counts=FILE`, or for
//! PostgreSQL generate with `keep=true` and then
//! `url=postgres://... schema=NAME counts=FILE`.

use std::time::Instant;

use anyhow::{bail, Context};
use kitap_app::reports::Chart;
use kitap_app::{Actor, App, DbUrl, LoginAttempt, NewStaff, Principal};
use kitap_bench::import::{open_app, ScratchSchema};
use kitap_bench::procstat::machine;
use kitap_bench::year::{check_bundle, generate_year, mismatch_table, KnownCounts, YearSpec};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    scale: f64,
    seed: u64,
    url: Option<String>,
    json: Option<String>,
    /// Seconds the whole bundle may take.
    goal: f64,
    /// Known counts of a year generated before (its `json` file): time the
    /// bundle on `url` as it is, without generating.
    counts: Option<String>,
    /// PostgreSQL: keep the scratch schema (its name is printed), or with
    /// `schema=NAME` use that one.
    keep: bool,
    schema: Option<String>,
}

fn parse() -> anyhow::Result<Args> {
    let mut args = Args {
        scale: 1.0,
        seed: 1,
        url: None,
        json: None,
        goal: 10.0,
        counts: None,
        keep: false,
        schema: None,
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
            "goal" => args.goal = value.parse().context("goal")?,
            "counts" => args.counts = Some(value.to_owned()),
            "keep" => args.keep = value.parse().context("keep")?,
            "schema" => args.schema = Some(value.to_owned()),
            _ => bail!("unknown argument {key:?}"),
        }
    }
    Ok(args)
}

fn run(url: &DbUrl, args: &Args) -> anyhow::Result<KnownCounts> {
    let app = open_app(url)?;
    if let Some(file) = &args.counts {
        let counts: KnownCounts = serde_json::from_str(&std::fs::read_to_string(file)?)?;
        bundle(&app, &counts, args)?;
        return Ok(counts);
    }
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
    // Written before the bundle runs, so a failed run can be timed again.
    if let Some(file) = &args.json {
        std::fs::write(file, serde_json::to_string_pretty(&counts)?)?;
        println!("known counts written to {file}");
    }

    bundle(&app, &counts, args)?;
    Ok(counts)
}

/// An administrator's principal, as a request would carry it.
fn admin(app: &App) -> anyhow::Result<Principal> {
    let password = "bench-Admin-password-1".to_owned();
    // One account per run: a database may be timed again.
    let username = format!("bench.admin.{}", std::process::id());
    app.create_staff_as_operator(
        &Actor::system("stats bench"),
        NewStaff {
            username: username.clone(),
            display_name: "Bench administrator".to_owned(),
            role: "admin".to_owned(),
            home_library: "C00".to_owned(),
            libraries: Vec::new(),
            all_libraries: true,
            password: Some(password.clone()),
        },
    )?;
    let login = app.login(LoginAttempt {
        username,
        password,
        client_addr: None,
        user_agent: None,
        request_id: None,
    })?;
    Ok(app.authenticate(&login.token, None)?)
}

/// The annual bundle of the generated year over every library, timed
/// (computed, then the workbook and the charts rendered) and compared
/// number by number with the known counts.
fn bundle(app: &App, counts: &KnownCounts, args: &Args) -> anyhow::Result<()> {
    let who = admin(app)?;
    let t = Instant::now();
    let bundle = app.annual_report(&who, counts.year, Vec::new())?;
    let computed = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let book = bundle.xlsx()?;
    let mut svg = 0;
    for chart in Chart::ALL {
        svg += bundle.chart_svg(chart)?.len();
    }
    let rendered = t.elapsed().as_secs_f64();
    let total = computed + rendered;
    let tables: usize = bundle.reports.iter().map(|r| r.tables.len()).sum();
    println!(
        "annual bundle {}: {} libraries, {tables} tables; computed in {computed:.2} s, \
         workbook ({} bytes) and charts ({svg} bytes) in {rendered:.2} s; total {total:.2} s \
         (goal {} s)",
        counts.year,
        bundle.libraries.len(),
        book.bytes.len(),
        args.goal
    );
    let checks = check_bundle(&bundle, counts);
    let bad = checks.iter().filter(|c| !c.ok()).count();
    println!(
        "{} numbers compared with the known counts, {bad} mismatches",
        checks.len()
    );
    if bad > 0 {
        print!("{}", mismatch_table(&checks));
        bail!("{bad} numbers of the bundle differ from the known counts");
    }
    if total > args.goal {
        bail!(
            "the bundle took {total:.2} s, over the goal of {} s",
            args.goal
        );
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = parse()?;
    // RUST_LOG=kitap_app::reports=debug shows each fact family's load time.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    println!(
        "machine: {}; scale {}, seed {}",
        machine(),
        args.scale,
        args.seed
    );
    let temp = tempfile::tempdir()?;
    let counts = match args.url.as_deref() {
        Some(base) if base.starts_with("postgres") => match &args.schema {
            Some(name) => {
                let sep = if base.contains('?') { '&' } else { '?' };
                let url = format!("{base}{sep}options=-csearch_path%3D{name}");
                run(&DbUrl::parse(&url)?, &args)?
            }
            None => {
                let schema = ScratchSchema::create(base, "kitap_stats_bench")?;
                let counts = run(&schema.url, &args);
                if args.keep {
                    println!("kept the schema {}", schema.name());
                    std::mem::forget(schema);
                }
                counts?
            }
        },
        Some(url) => run(&DbUrl::parse(url)?, &args)?,
        None => {
            let path = temp.path().join("stats-bench.db");
            run(
                &DbUrl::parse(&format!("sqlite://{}", path.display()))?,
                &args,
            )?
        }
    };
    if args.json.is_none() {
        println!("{}", serde_json::to_string_pretty(&counts)?);
    }
    Ok(())
}
