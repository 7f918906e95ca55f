//! OPAC search (issue #4) on the generated catalogue, end to end:
//!
//! 1. generate RECORDS records (Kazakh, Russian and English; MARC 21 and
//!    RUSMARC with IRBIS 910 copies in the 21 libraries) and import them into
//!    SQLite with the real import use case;
//! 2. full reindex in this process (`kitap_app::search::rebuild`, the code
//!    `kitap reindex` runs): wall time, index size on disk, peak RSS;
//! 3. the real `kitap serve` binary on 127.0.0.1, driven over HTTP/1.1
//!    keep-alive by CLIENTS client threads for SECONDS with a query mix of six
//!    kinds in equal shares (one word, two words, author, ISBN, facet-filtered,
//!    Latin-script transliterations of Kazakh titles): latency percentiles,
//!    requests/s, server RSS; plus a recall pass over queries that have one
//!    intended record (ISBN forms, Latin spellings, a typo, inflected forms);
//! 4. the same records in PostgreSQL full-text search and the same query mix
//!    over CLIENTS connections; the same recall pass through `psql`.
//!
//! ```text
//! cargo build --release -p kitap-cli
//! cargo bench -p kitap-bench --bench search -- [RECORDS] [seconds=30] [clients=8]
//!     [pg=on|off] [http=on|off] [bin=target/release/kitap] [queries=500] [extra=&facets=false] [keep=DIR [reuse=on [reindex=on]]] [memory=MiB]
//! ```
//!
//! PostgreSQL: `KITAP_BENCH_PG_URL` (default
//! postgres://postgres@127.0.0.1:5432/postgres); the run uses a fresh schema and
//! drops it afterwards; `psql` must be on the PATH. All traffic goes to
//! 127.0.0.1, every load loop stops after SECONDS.

use std::path::Path;
use std::time::Instant;

use kitap_app::DbUrl;
use kitap_bench::args::SearchArgs;
use kitap_bench::generator::{write_catalogue, Copies};
use kitap_bench::import::{import_file, open_app, pg_base_url};
use kitap_bench::opac::{http_phase, HttpLoad};
use kitap_bench::pg_fts::{pg_phase, PgRun};
use kitap_bench::procstat::machine;
use kitap_bench::queries::{mix_queries, Query};
use kitap_bench::recall::recall_queries;
use kitap_bench::reindex::reindex;
use kitap_bench::server::start_server;

// As in the `kitap` binary (and so as in `kitap reindex`).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Generate, import into SQLite, reindex.
fn build(args: &SearchArgs, work: &Path, db_url: &DbUrl, index_dir: &Path) -> anyhow::Result<()> {
    let file = work.join("search-bench.mrc");
    let t = Instant::now();
    let written = write_catalogue(&file, args.count, Copies::With)?;
    println!(
        "generated {} records with {} copies, {:.0} MB, in {:.1} s",
        written.records,
        written.copies,
        written.bytes as f64 / 1e6,
        t.elapsed().as_secs_f64()
    );
    let app = open_app(db_url)?;
    let secs = import_file(&app, &file, args.count, &mut |_| {})?;
    println!(
        "imported {} records into SQLite in {secs:.1} s ({:.0} records/s)",
        args.count,
        args.count as f64 / secs
    );
    std::fs::remove_file(&file).ok();
    reindex(&app, index_dir, args.memory)
}

/// Builds the catalogue and index, or reuses the kept ones.
fn prepare(args: &SearchArgs, work: &Path, db_url: &DbUrl, index_dir: &Path) -> anyhow::Result<()> {
    let db_path = work.join("search-bench.db");
    if args.reuse && db_path.exists() && index_dir.join("CURRENT").exists() {
        println!("reusing the database and index in {}", work.display());
        if args.reindex {
            std::fs::remove_dir_all(index_dir).ok();
            reindex(&open_app(db_url)?, index_dir, args.memory)?;
        }
        return Ok(());
    }
    std::fs::remove_file(&db_path).ok();
    std::fs::remove_dir_all(index_dir).ok();
    build(args, work, db_url, index_dir)
}

fn queries(args: &SearchArgs) -> (Vec<Query>, Vec<Query>) {
    let mut mix = mix_queries(args.count, args.per_kind);
    let mut recall = recall_queries(args.count, 200);
    for q in mix.iter_mut().chain(recall.iter_mut()) {
        q.params.push_str(&args.extra);
    }
    println!(
        "query mix: {} queries; recall set: {} queries",
        mix.len(),
        recall.len()
    );
    for q in mix.iter().step_by(args.per_kind.max(1) / 2 + 1).take(12) {
        println!("  e.g. [{}] {}", q.label, q.path());
    }
    (mix, recall)
}

fn main() -> anyhow::Result<()> {
    let args = SearchArgs::parse(std::env::args().skip(1))?;
    anyhow::ensure!(args.count > 0, "RECORDS must be at least 1");
    let temp = tempfile::tempdir()?;
    let work = args
        .keep
        .clone()
        .unwrap_or_else(|| temp.path().to_path_buf());
    std::fs::create_dir_all(&work)?;
    println!(
        "machine: {}; records {}, clients {}, {} s per run, {} queries per kind",
        machine(),
        args.count,
        args.clients,
        args.seconds,
        args.per_kind
    );
    let db_url_text = format!("sqlite://{}", work.join("search-bench.db").display());
    let db_url = DbUrl::parse(&db_url_text)?;
    let index_dir = work.join("index");
    prepare(&args, &work, &db_url, &index_dir)?;
    let (mix, recall) = queries(&args);
    if args.http {
        let server = start_server(&args.bin, &work, &db_url_text, &index_dir)?;
        let how = HttpLoad {
            clients: args.clients,
            seconds: args.seconds,
            extra: args.extra.clone(),
        };
        http_phase(&how, &server, &mix, &recall)?;
    }
    if args.pg {
        let base = pg_base_url();
        let run = PgRun {
            base: &base,
            schema: format!("kitap_search_bench_{}", std::process::id()),
            count: args.count,
            clients: args.clients,
            seconds: args.seconds,
        };
        pg_phase(&run, &work, &mix, &recall)?;
    }
    Ok(())
}
