//! The result tables, as Markdown rows for BENCHMARKS.md.

use std::collections::BTreeMap;

use crate::load::{pct, LoadResult};
use crate::procstat::{cores, cpu_seconds, loadavg, Pid};
use crate::queries::{Query, MIX};

/// Latency by kind and over all requests.
pub fn report(title: &str, result: &LoadResult) {
    let mut all: Vec<u32> = result
        .kinds
        .iter()
        .flat_map(|k| k.micros.iter().copied())
        .collect();
    all.sort_unstable();
    let errors: u64 = result.kinds.iter().map(|k| k.errors).sum();
    println!(
        "\n{title}: {} requests in {:.1} s = {:.0} requests/s, {errors} errors",
        all.len(),
        result.seconds,
        all.len() as f64 / result.seconds
    );
    println!("| query kind | requests | mean total hits | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (k, s) in result.kinds.iter().enumerate() {
        let mean = if s.counted > 0 {
            format!("{:.0}", s.totals as f64 / s.counted as f64)
        } else {
            "—".to_string()
        };
        println!(
            "| {} | {} | {mean} | {:.1} | {:.1} | {:.1} | {:.1} |",
            MIX[k],
            s.micros.len(),
            pct(&s.micros, 0.5),
            pct(&s.micros, 0.95),
            pct(&s.micros, 0.99),
            pct(&s.micros, 1.0)
        );
    }
    println!(
        "| **all** | {} | | **{:.1}** | {:.1} | **{:.1}** | {:.1} |",
        all.len(),
        pct(&all, 0.5),
        pct(&all, 0.95),
        pct(&all, 0.99),
        pct(&all, 1.0)
    );
}

/// Runs `run` and reports it with the CPU the server processes (`pids`) and
/// this process (the load generator) used per request, and the load average
/// (the machine is shared: other work shows there).
pub fn measured(title: &str, pids: &[u32], run: impl FnOnce() -> LoadResult) {
    let server_cpu = || -> f64 { pids.iter().map(|&p| cpu_seconds(Pid::Other(p))).sum() };
    let before_load = loadavg();
    let server0 = server_cpu();
    let client0 = cpu_seconds(Pid::Me);
    let result = run();
    let server = server_cpu() - server0;
    let client = cpu_seconds(Pid::Me) - client0;
    report(title, &result);
    let n = result.requests().max(1) as f64;
    println!(
        "CPU per request: server {:.2} ms, load generator {:.2} ms; server busy {:.2} of {} cores; \
         load average before {before_load}, after {}",
        1000.0 * server / n,
        1000.0 * client / n,
        server / result.seconds,
        cores(),
        loadavg()
    );
}

/// Per recall set: how many queries found their record in the top 20.
pub fn report_recall(title: &str, queries: &[Query], found: &[bool]) {
    let mut sets: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut order: Vec<&str> = Vec::new();
    for (q, f) in queries.iter().zip(found) {
        if !sets.contains_key(q.label.as_str()) {
            order.push(&q.label);
        }
        let e = sets.entry(&q.label).or_default();
        e.0 += 1;
        e.1 += usize::from(*f);
    }
    println!("\n{title}: intended record in the top 20");
    for label in order {
        let (n, f) = sets[label];
        println!(
            "| {label} | {f}/{n} ({:.0}%) |",
            100.0 * f as f64 / n as f64
        );
    }
}

/// A few misses of each set, to look into.
pub fn report_misses(queries: &[Query], found: &[bool]) {
    let labels: Vec<&str> = {
        let mut l: Vec<&str> = queries.iter().map(|q| q.label.as_str()).collect();
        l.sort_unstable();
        l.dedup();
        l
    };
    for label in labels {
        let missed: Vec<&str> = queries
            .iter()
            .zip(found)
            .filter(|(q, f)| q.label == label && !**f)
            .take(6)
            .map(|(q, _)| q.text.as_str())
            .collect();
        if !missed.is_empty() {
            println!("  missed ({label}): {}", missed.join(" | "));
        }
    }
}
