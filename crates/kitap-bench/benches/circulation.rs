//! Circulation at the desk (issue #5), end to end over HTTP, on SQLite and
//! PostgreSQL:
//!
//! 1. generate RECORDS records with copies in the 21 libraries and import
//!    them with the real import use case; add READERS readers and a history
//!    of LOANS returned loans (with their checkout and return events) plus
//!    two open loans for each of OPEN readers, in bulk; rebuild the index;
//! 2. the real `kitap serve` binary; a desk logged in as admin;
//! 3. one desk alone: CYCLES checkout → renewal → return cycles, each with
//!    another reader and copy, round the libraries: p50/p99 per operation;
//! 4. one reader builds up BIG open loans, then cycles at that level, then
//!    returns them all;
//! 5. CLIENTS desks at once for SECONDS, each at its own library with its
//!    own readers and copies: operations per second and latency; every
//!    answer must be a success (the goal is zero errors).
//!
//! ```text
//! cargo build --release -p kitap-cli
//! cargo bench -p kitap-bench --bench circulation -- [RECORDS=1000000] [readers=100000]
//!     [loans=2000000] [open=10000] [backend=both|sqlite|pg] [clients=8] [seconds=30]
//!     [cycles=1000] [big=400] [bin=target/release/kitap] [keep=DIR [reuse=on]]
//! ```
//!
//! PostgreSQL: `KITAP_BENCH_PG_URL` (default
//! postgres://postgres@127.0.0.1:5432/postgres), a scratch schema dropped at
//! the end.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use chrono::{FixedOffset, Utc};
use kitap_app::DbUrl;
use kitap_bench::circ::args::{Backends, CircArgs};
use kitap_bench::circ::desk::Desk;
use kitap_bench::circ::history::{analyze, insert_history, insert_readers, sizes, Catalog};
use kitap_bench::circ::phases::{big_reader, latency, throughput, Pools};
use kitap_bench::generator::{write_catalogue, Copies};
use kitap_bench::import::{import_file, open_app, pg_base_url, ScratchSchema};
use kitap_bench::procstat::{
    cores, cpu_seconds, loadavg, machine, memory_line, thread_cpu_of, Pid,
};
use kitap_bench::reindex::reindex;
use kitap_bench::server::start_server;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ADMIN_PASSWORD: &str = "search-bench-admin-password";

fn url_text(url: &DbUrl) -> String {
    match url {
        DbUrl::Sqlite(path) => format!("sqlite://{}", path.display()),
        DbUrl::Postgres(url) => url.clone(),
    }
}

/// Catalogue, readers, history, index.
fn build(args: &CircArgs, work: &Path, url: &DbUrl, index_dir: &Path) -> anyhow::Result<()> {
    let today = Utc::now()
        .with_timezone(&FixedOffset::east_opt(5 * 3600).context("offset")?)
        .date_naive();
    let file = work.join("circ-bench.mrc");
    let written = write_catalogue(&file, args.records, Copies::With)?;
    let app = open_app(url)?;
    let secs = import_file(&app, &file, args.records, &mut |_| {})?;
    std::fs::remove_file(&file).ok();
    println!(
        "imported {} records with {} copies in {secs:.1} s",
        written.records, written.copies
    );
    let t = Instant::now();
    let catalog = Catalog::load(url)?;
    let readers = insert_readers(app.db(), &catalog, args.readers, today)?;
    println!(
        "{} readers in {:.1} s",
        readers.len(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let history = insert_history(
        app.db(),
        &catalog,
        readers,
        args.loans,
        args.open_readers,
        today,
    )?;
    analyze(app.db())?;
    println!(
        "history: {} loans, {} events in {:.1} s",
        history.loans,
        history.events,
        t.elapsed().as_secs_f64()
    );
    reindex(&app, index_dir, None)
}

fn run_backend(args: &CircArgs, work: &Path, url: &DbUrl) -> anyhow::Result<()> {
    let index_dir = work.join("index");
    let db_file = work.join("circ-bench.db");
    let reuse = args.reuse && matches!(url, DbUrl::Sqlite(_)) && db_file.exists();
    if reuse {
        println!("reusing {}", work.display());
    } else {
        std::fs::remove_file(&db_file).ok();
        std::fs::remove_dir_all(&index_dir).ok();
        build(args, work, url, &index_dir)?;
    }
    println!("{}", sizes(url)?);
    let pools = Pools::load(url)?;
    let big = pools.readers.last().context("no readers")?.clone();
    // The big reader's own rule: a home-service reader with many books.
    let app = open_app(url)?;
    app.db().execute_script(&format!(
        "UPDATE readers SET category = 'disabled' WHERE card_number = '{big}'"
    ))?;
    drop(app);
    let pools = Pools {
        readers: pools.readers[..pools.readers.len() - 1].to_vec(),
        ..pools
    };
    let server = start_server(&args.bin, work, &url_text(url), &index_dir)?;
    let pid = server.pid();
    let mut admin = Desk::login(&server.addr, "admin", ADMIN_PASSWORD, "C00")?;
    admin.add_rule(&serde_json::json!({
        "category": "disabled", "loan_days": 30, "max_renewals": 5, "renewal_days": 30,
        "max_items": 1000, "reading_room_only": false, "holds_allowed": true,
        "fine_per_day_minor": 0
    }))?;
    let measured = |title: &str,
                    run: &mut dyn FnMut() -> anyhow::Result<
        Vec<(String, kitap_bench::circ::phases::Stats, f64)>,
    >|
     -> anyhow::Result<()> {
        let load0 = loadavg();
        let cpu0 = cpu_seconds(Pid::Other(pid));
        let threads0 = thread_cpu_of(pid);
        let results = run()?;
        let cpu = cpu_seconds(Pid::Other(pid)) - cpu0;
        let mut by_name: BTreeMap<String, f64> = BTreeMap::new();
        for (tid, (name, secs)) in thread_cpu_of(pid) {
            let before = threads0.get(&tid).map_or(0.0, |t| t.1);
            *by_name.entry(name).or_default() += secs - before;
        }
        let mut requests = 0;
        for (name, mut stats, secs) in results {
            requests += stats.requests();
            stats.table(&format!("{title}: {name}"), secs);
        }
        println!(
            "server CPU {:.2} ms per request ({} cores); load average before {load0}, after {}; server {}",
            1000.0 * cpu / requests.max(1) as f64,
            cores(),
            loadavg(),
            memory_line(Pid::Other(pid))
        );
        let threads: Vec<String> = by_name
            .iter()
            .filter(|(_, s)| **s >= 0.05)
            .map(|(n, s)| format!("{n} {s:.1} s"))
            .collect();
        println!("server CPU by thread: {}", threads.join(", "));
        Ok(())
    };
    measured("one desk", &mut || {
        let t = Instant::now();
        let s = latency(&admin, &pools, args.cycles)?;
        Ok(vec![(
            "checkout, renewal, return".into(),
            s,
            t.elapsed().as_secs_f64(),
        )])
    })?;
    measured("one reader with many loans", &mut || {
        let t = Instant::now();
        let (up, level, down) = big_reader(&admin, &pools, &big, args.big, args.cycles / 4)?;
        let secs = t.elapsed().as_secs_f64();
        Ok(vec![
            (format!("checkouts from 0 to {} open", args.big), up, secs),
            (format!("cycles at {} open", args.big), level, secs),
            (format!("returns from {} open to 0", args.big), down, secs),
        ])
    })?;
    measured(&format!("{} desks at once", args.clients), &mut || {
        let (s, secs) = throughput(&admin, &pools, args.clients, args.seconds)?;
        Ok(vec![("mix".into(), s, secs)])
    })?;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = CircArgs::parse(std::env::args().skip(1))?;
    let temp = tempfile::tempdir()?;
    let work = args
        .keep
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    println!(
        "machine: {}; records {}, readers {}, history loans {}, clients {}, {} s",
        machine(),
        args.records,
        args.readers,
        args.loans,
        args.clients,
        args.seconds
    );
    if matches!(args.backends, Backends::Sqlite | Backends::Both) {
        println!("\n# SQLite");
        let dir = work.join("sqlite");
        std::fs::create_dir_all(&dir)?;
        let url = DbUrl::parse(&format!("sqlite://{}", dir.join("circ-bench.db").display()))?;
        run_backend(&args, &dir, &url)?;
    }
    if matches!(args.backends, Backends::Postgres | Backends::Both) {
        println!("\n# PostgreSQL");
        let dir = work.join("postgres");
        std::fs::create_dir_all(&dir)?;
        let schema = ScratchSchema::create(&pg_base_url(), "kitap_circ_bench")?;
        run_backend(&args, &dir, &schema.url)?;
    }
    Ok(())
}
