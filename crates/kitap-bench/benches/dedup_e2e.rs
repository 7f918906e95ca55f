//! Duplicate detection end to end (issue #6): the generated catalogue with
//! injected duplicates and traps (`kitap_bench::dupes`) is imported through
//! the real import (match keys written with the records), then
//!  1. the check on save: `App::create_record` of a twin of a stored record
//!     in the other dialect or script (refused as a probable duplicate, or
//!     saved with its warning), timed per call, p50/p99;
//!  2. `record_duplicates` of stored records, p50/p99;
//!  3. the catalog-wide scan (`queue_scan` + `run_scan`: load every
//!     record's keys, cluster, store the report), timed, peak RSS, and the
//!     precision and recall of its clusters per injected kind.
//!
//! `cargo bench -p kitap-bench --bench dedup_e2e -- [RECORDS] [sqlite|postgres] [checks=N]`

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use anyhow::{bail, Context};
use kitap_app::{Actor, DbUrl, LoginAttempt, Principal, RecordFilter};
use kitap_bench::dupes::{base, identify, injected, variant, Kind, KINDS};
use kitap_bench::import::{import_file, open_app, pg_base_url, ScratchSchema};
use kitap_bench::procstat::{reset_peak_rss, rss_mib, Pid};
use kitap_domain::RecordId;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

struct Args {
    count: u64,
    postgres: bool,
    checks: usize,
}

fn args() -> anyhow::Result<Args> {
    let mut a = Args {
        count: 1_000_000,
        postgres: false,
        checks: 2000,
    };
    for arg in std::env::args().skip(1).filter(|a| !a.starts_with("--")) {
        match arg.as_str() {
            "sqlite" => a.postgres = false,
            "postgres" => a.postgres = true,
            other => {
                if let Some(n) = other.strip_prefix("checks=") {
                    a.checks = n.parse().context("checks=N")?;
                } else {
                    a.count = other
                        .parse()
                        .with_context(|| format!("{other}: not RECORDS"))?;
                }
            }
        }
    }
    if a.count < 1000 {
        bail!("RECORDS must be at least 1000");
    }
    Ok(a)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(f64::NAN)
}

fn timing_line(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{label}: {} calls, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(f64::NAN)
    );
}

fn principal(app: &kitap_app::App) -> anyhow::Result<Principal> {
    app.seed_demo_staff()?;
    let login = app.login(LoginAttempt {
        username: "cataloger".into(),
        password: kitap_app::DEMO_PASSWORD.into(),
        client_addr: None,
        user_agent: None,
        request_id: None,
    })?;
    Ok(app.authenticate(&login.token, None)?)
}

/// The numbers n of records that have no injected twin, spread over the catalogue.
fn plain_sample(count: u64, size: usize) -> Vec<u64> {
    let step = (count / size as u64).max(1);
    (0..count)
        .step_by(step as usize)
        .map(|n| if injected(n).is_some() { n + 1 } else { n })
        .filter(|n| *n < count && injected(*n).is_none())
        .take(size)
        .collect()
}

fn run(url: &DbUrl, count: u64, checks: usize) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("dupes.mrc");
    let mut injected_count = 0u64;
    {
        let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(&file)?);
        for n in 0..count {
            kitap_marc::write_iso2709(&base(n), &mut out)?;
            if let Some(kind) = injected(n) {
                kitap_marc::write_iso2709(&variant(n, kind), &mut out)?;
                injected_count += 1;
            }
        }
        std::io::Write::flush(&mut out)?;
    }
    let app = open_app(url)?;
    let total = count + injected_count;
    let secs = import_file(&app, &file, total, &mut |_| {})?;
    println!(
        "imported {total} records ({count} + {injected_count} injected) in {secs:.1} s = {:.0} records/s",
        total as f64 / secs
    );
    let who = principal(&app)?;
    let actor = Actor::system("bench");

    // 1. The check on save: twins of records that have none yet.
    let mut save_ms = Vec::new();
    let (mut refused, mut saved) = (0, 0);
    for (i, n) in plain_sample(count, checks).into_iter().enumerate() {
        let kind = if i % 2 == 0 {
            Kind::Dialect
        } else {
            Kind::Latin
        };
        let twin = variant(n, kind);
        let t = Instant::now();
        let outcome = app.create_record(&who, &actor, twin, false);
        save_ms.push(t.elapsed().as_secs_f64() * 1e3);
        match outcome {
            Ok(_) => saved += 1,
            Err(err) if err.code() == "probable_duplicate" => refused += 1,
            Err(err) => return Err(err).context("create_record"),
        }
    }
    timing_line("check on save (create_record of a twin)", save_ms);
    println!("  refused as probable duplicates: {refused}, saved: {saved}");

    // 2. The duplicates of stored records.
    let sample = stored_sample(&app, &who, checks)?;
    let mut dup_ms = Vec::new();
    for id in &sample {
        let t = Instant::now();
        app.record_duplicates(&who, *id)?;
        dup_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    timing_line("record_duplicates of stored records", dup_ms);

    // 3. The scan.
    reset_peak_rss();
    let rss_before = rss_mib(Pid::Me).0;
    let t = Instant::now();
    let scan = app.queue_scan(None, &actor)?;
    let done = app.run_scan(scan.id, &actor)?;
    let scan_secs = t.elapsed().as_secs_f64();
    println!(
        "scan: {} records, {} clusters, {} pairs in {scan_secs:.1} s; RSS before {rss_before:.0} MiB, peak {:.0} MiB",
        done.counts.records,
        done.counts.clusters,
        done.counts.pairs,
        rss_mib(Pid::Me).1
    );
    evaluate(&app, &who, scan.id, count)
}

/// Stored records spread over the catalogue: a few of every year's.
fn stored_sample(
    app: &kitap_app::App,
    who: &Principal,
    size: usize,
) -> anyhow::Result<Vec<RecordId>> {
    let per_year = (size / 96).max(1) as i64;
    let mut ids = Vec::new();
    for year in 1930..=2025 {
        let filter = RecordFilter {
            year_from: Some(year),
            year_to: Some(year),
            limit: per_year,
            ..RecordFilter::default()
        };
        ids.extend(app.list_records(who, filter)?.into_iter().map(|r| r.id));
    }
    Ok(ids)
}

/// Precision and recall of the scan's clusters against the injected kinds.
fn evaluate(
    app: &kitap_app::App,
    who: &Principal,
    scan: kitap_domain::DedupScanId,
    count: u64,
) -> anyhow::Result<()> {
    let mut label: HashMap<RecordId, (u64, bool)> = HashMap::new();
    let mut co_clustered: Vec<[(u64, bool); 2]> = Vec::new();
    // Every scored pair with its level: precision where the API acts.
    let mut scored: Vec<(String, [(u64, bool); 2])> = Vec::new();
    let mut from = 1;
    loop {
        let page = app.scan_clusters(scan, from, 1000)?;
        let Some(last) = page.last() else { break };
        from = last.seq + 1;
        for c in &page {
            let value: serde_json::Value = serde_json::from_str(&c.cluster)?;
            let mut members = Vec::new();
            for m in value["members"].as_array().into_iter().flatten() {
                let id: RecordId = serde_json::from_value(m["record_id"].clone())?;
                let l = match label.get(&id) {
                    Some(l) => *l,
                    None => {
                        let details = app.record(who, id)?;
                        let ctl = details.view.control_number.unwrap_or_default();
                        let l = identify(&ctl).unwrap_or((u64::MAX, false));
                        label.insert(id, l);
                        l
                    }
                };
                members.push(l);
            }
            for p in value["pairs"].as_array().into_iter().flatten() {
                let side = |k: &str| -> anyhow::Result<(u64, bool)> {
                    let id: RecordId = serde_json::from_value(p[k].clone())?;
                    Ok(label.get(&id).copied().unwrap_or((u64::MAX, false)))
                };
                let level = p["level"].as_str().unwrap_or("?").to_owned();
                scored.push((level, [side("a")?, side("b")?]));
            }
            for (i, a) in members.iter().enumerate() {
                for b in &members[i + 1..] {
                    co_clustered.push([*a, *b]);
                }
            }
        }
    }
    let is_true = |[a, b]: [(u64, bool); 2]| {
        a.0 == b.0 && a.1 != b.1 && a.0 < count && injected(a.0).is_some_and(Kind::is_duplicate)
    };
    let true_pairs = co_clustered.iter().filter(|p| is_true(**p)).count();
    // What the false pairs are: (n, injected?) of both sides, a few of them.
    let false_pairs: Vec<_> = co_clustered
        .iter()
        .filter(|p| !is_true(**p))
        .take(8)
        .collect();
    println!("some false pairs ((n, injected), (n, injected)): {false_pairs:?}");
    let mut found: BTreeMap<Kind, usize> = BTreeMap::new();
    for p in &co_clustered {
        let [a, b] = *p;
        if a.0 == b.0 && a.1 != b.1 {
            if let Some(kind) = injected(a.0) {
                *found.entry(kind).or_default() += 1;
            }
        }
    }
    let precision = true_pairs as f64 / co_clustered.len().max(1) as f64;
    for level in ["probable", "possible"] {
        let at: Vec<_> = scored.iter().filter(|(l, _)| l == level).collect();
        let right = at.iter().filter(|(_, p)| is_true(*p)).count();
        println!(
            "scored pairs at level {level}: {}, true {right}, precision {:.4}",
            at.len(),
            right as f64 / at.len().max(1) as f64
        );
    }
    let expected: usize = (0..count)
        .filter(|n| injected(*n).is_some_and(Kind::is_duplicate))
        .count();
    println!(
        "pairs in clusters: {}, true: {true_pairs}; precision {precision:.4}, recall {:.4}",
        co_clustered.len(),
        true_pairs as f64 / expected.max(1) as f64
    );
    for kind in KINDS {
        let injected_of_kind = (0..count).filter(|n| injected(*n) == Some(kind)).count();
        let got = found.get(&kind).copied().unwrap_or(0);
        if kind.is_duplicate() {
            println!(
                "  {:<22} recall {:.4} ({got}/{injected_of_kind})",
                kind.name(),
                got as f64 / injected_of_kind.max(1) as f64
            );
        } else {
            println!(
                "  {:<22} proposed {got} of {injected_of_kind} (must be 0)",
                kind.name()
            );
        }
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let args = args()?;
    println!("machine: {}", kitap_bench::procstat::machine());
    if args.postgres {
        let schema = ScratchSchema::create(&pg_base_url(), "kitap_dedup_bench")?;
        run(&schema.url, args.count, args.checks)
    } else {
        let dir = tempfile::tempdir()?;
        let url = DbUrl::parse(&format!(
            "sqlite://{}",
            dir.path().join("bench.db").display()
        ))?;
        run(&url, args.count, args.checks)
    }
}
