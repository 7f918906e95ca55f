//! End-to-end import throughput (parse, validate, view, store, keys,
//! outbox, progress) of the generated catalogue without copies, on SQLite
//! and PostgreSQL, with the process's resident memory sampled after every
//! batch.
//!
//! `cargo bench -p kitap-bench --bench import -- [RECORDS] [sqlite|postgres|both] [copies=on]`
//!
//! PostgreSQL: `KITAP_BENCH_PG_URL` (default postgres://postgres@127.0.0.1:5432/postgres);
//! the run uses a fresh schema and drops it afterwards. Durability settings
//! are the server's own (no synchronous_commit=off).

use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context};
use kitap_app::DbUrl;
use kitap_bench::generator::{write_catalogue, Copies};
use kitap_bench::import::{import_file, open_app, pg_base_url, ScratchSchema};
use kitap_bench::procstat::{rss_mib, Pid};

// As in the `kitap` binary: import allocates many small strings on two
// threads, where glibc's allocator spends a fifth of the time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    count: u64,
    sqlite: bool,
    postgres: bool,
    copies: Copies,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        count: 1_000_000,
        sqlite: true,
        postgres: true,
        copies: Copies::Without,
    };
    for arg in std::env::args().skip(1).filter(|a| !a.starts_with("--")) {
        match arg.as_str() {
            "sqlite" => (a.sqlite, a.postgres) = (true, false),
            "postgres" => (a.sqlite, a.postgres) = (false, true),
            "both" => (a.sqlite, a.postgres) = (true, true),
            "copies=on" => a.copies = Copies::With,
            "copies=off" => a.copies = Copies::Without,
            n => a.count = n.parse().with_context(|| format!("{n}: not RECORDS"))?,
        }
    }
    Ok(a)
}

/// RSS after the batch that reached `frac` of the records.
fn rss_at(samples: &[(i64, f64)], count: u64, frac: f64) -> f64 {
    let want = (count as f64 * frac) as i64;
    samples
        .iter()
        .find(|(n, _)| *n >= want)
        .map_or(0.0, |s| s.1)
}

fn run(label: &str, url: &DbUrl, file: &Path, count: u64) -> anyhow::Result<()> {
    let app = open_app(url)?;
    let mut samples: Vec<(i64, f64)> = Vec::new();
    let secs = import_file(&app, file, count, &mut |job| {
        samples.push((job.progress.next_index, rss_mib(Pid::Me).0));
    })?;
    println!(
        "{label}: {count} records in {secs:.1} s = {:.0} records/s; RSS at 10% {:.0} MiB, 50% {:.0} MiB, 100% {:.0} MiB; peak {:.0} MiB",
        count as f64 / secs,
        rss_at(&samples, count, 0.1),
        rss_at(&samples, count, 0.5),
        rss_at(&samples, count, 1.0),
        rss_mib(Pid::Me).1
    );
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = args()?;
    if args.count == 0 {
        bail!("RECORDS must be at least 1");
    }
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("bench.mrc");
    let t = Instant::now();
    let written = write_catalogue(&file, args.count, args.copies)?;
    println!(
        "generated {} records with {} copies, {:.0} MB, in {:.1} s",
        written.records,
        written.copies,
        written.bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    if args.sqlite {
        let url = DbUrl::parse(&format!(
            "sqlite://{}",
            dir.path().join("bench.db").display()
        ))?;
        run("sqlite", &url, &file, args.count)?;
    }
    if args.postgres {
        let schema = ScratchSchema::create(&pg_base_url(), "kitap_bench")?;
        run("postgres", &schema.url, &file, args.count)?;
    }
    Ok(())
}
