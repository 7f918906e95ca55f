//! Catalogue-wide duplicate detection on a generated catalogue with
//! injected twins and traps of known kinds (`kitap_bench::dedup_gen`):
//! the time and peak memory of `kitap_dedup::cluster`, its precision and
//! recall per kind, and the cost of comparing one new record with its
//! candidates (the check on save).
//!
//! `cargo bench -p kitap-bench --bench dedup -- [RECORDS] [SHARE]`
//!
//! RECORDS originals (default 100000); SHARE of them get a derived record
//! (default 0.1, half of the kinds are traps only in name: see `Kind`).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use anyhow::Context;
use kitap_bench::dedup_gen::{catalogue, score, Kind};
use kitap_bench::procstat::{reset_peak_rss, rss_mib, Pid};
use kitap_dedup::{block_stats, cluster, compare, DedupConfig};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let mut records: u32 = 100_000;
    let mut share = 0.1;
    for arg in std::env::args().skip(1).filter(|a| !a.starts_with("--")) {
        if arg.contains('.') {
            share = arg.parse().with_context(|| format!("{arg}: not a SHARE"))?;
        } else {
            records = arg.parse().with_context(|| format!("{arg}: not RECORDS"))?;
        }
    }
    let cfg = DedupConfig::default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("duplicate detection: {records} originals, {share} derived, {threads} threads");

    let started = Instant::now();
    let cat = catalogue(records, share);
    let generated = started.elapsed();
    let (rss_keys, _) = rss_mib(Pid::Me);
    println!(
        "generated {} records ({} derived) as MARC, keys from the view, in {:.1?}; RSS {rss_keys:.0} MiB",
        cat.records.len(),
        cat.derived.len(),
        generated
    );

    println!(
        "| block key | blocks | largest | skipped (> {}) | records in skipped | pairs |",
        cfg.max_block
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for b in block_stats(&cat.records, cfg.max_block) {
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            b.kind, b.blocks, b.largest, b.skipped_blocks, b.skipped_records, b.pairs
        );
    }

    reset_peak_rss();
    let started = Instant::now();
    let clusters = cluster(&cat.records, &cfg, &HashSet::new());
    let scan = started.elapsed();
    let (_, peak) = rss_mib(Pid::Me);
    let pairs: usize = clusters.iter().map(|c| c.pairs.len()).sum();
    println!(
        "scan: {:.2?} ({:.1} µs/record), {} clusters, {pairs} matching pairs, peak RSS {peak:.0} MiB (keys {rss_keys:.0} MiB before)",
        scan,
        scan.as_secs_f64() * 1e6 / cat.records.len() as f64,
        clusters.len()
    );

    let members: Vec<Vec<u32>> = clusters.iter().map(|c| c.members.clone()).collect();
    let s = score(&cat, &members);
    println!();
    println!("| kind | derived records | in their original's cluster | recall |");
    println!("|---|---:|---:|---:|");
    for (kind, made, together) in &s.per_kind {
        let rate = if *made == 0 {
            1.0
        } else {
            *together as f64 / *made as f64
        };
        let label = if kind.is_duplicate() {
            format!("{rate:.4}")
        } else {
            format!("{together} merged (must be 0)")
        };
        println!("| {} | {made} | {together} | {label} |", kind.name());
    }
    println!("| **all duplicates** | | | {:.4} |", s.recall());
    println!(
        "pairs in clusters: {} true, {} false: precision {:.4}",
        s.true_pairs,
        s.false_pairs,
        s.precision()
    );

    check_on_save(&cat, &cfg);
    let traps_merged: usize = s
        .per_kind
        .iter()
        .filter(|(k, _, _)| !k.is_duplicate())
        .map(|(_, _, t)| t)
        .sum();
    anyhow::ensure!(traps_merged == 0, "{traps_merged} traps merged");
    let _ = Kind::ALL;
    Ok(())
}

/// The check on save: a new record's candidates are the records sharing a
/// block key (what the index table returns), each compared with the
/// explanation. Times every derived record against the whole catalogue.
fn check_on_save(cat: &kitap_bench::dedup_gen::Catalogue, cfg: &DedupConfig) {
    let mut blocks: HashMap<String, Vec<u32>> = HashMap::new();
    for (id, keys) in &cat.records {
        for b in keys.block_keys() {
            blocks.entry(b).or_default().push(*id);
        }
    }
    let by_id: HashMap<u32, &kitap_dedup::MatchKeys> =
        cat.records.iter().map(|(id, k)| (*id, k)).collect();
    let mut times: Vec<Duration> = Vec::with_capacity(cat.derived.len());
    let mut compared = 0usize;
    for d in &cat.derived {
        let Some(new) = by_id.get(&d.id) else {
            continue;
        };
        let started = Instant::now();
        let mut seen: HashSet<u32> = HashSet::new();
        for b in new.block_keys() {
            for &other in blocks.get(&b).map_or(&[][..], |v| v.as_slice()) {
                if other != d.id && seen.insert(other) {
                    if let Some(k) = by_id.get(&other) {
                        std::hint::black_box(compare(new, k, cfg));
                        compared += 1;
                    }
                }
            }
        }
        times.push(started.elapsed());
    }
    times.sort();
    let at = |q: f64| {
        times
            .get(((times.len() as f64 * q) as usize).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "check on save (keys, candidate lookup in memory, compare with explanation): {} records, {:.1} candidates each, p50 {:.1?}, p99 {:.1?}, max {:.1?}",
        times.len(),
        compared as f64 / times.len().max(1) as f64,
        at(0.5),
        at(0.99),
        times.last().copied().unwrap_or_default()
    );
}
