//! The measured phases: one desk alone (latency of checkout, renewal and
//! return), one reader with hundreds of open loans, and many desks at once
//! (throughput of the mix). Every request must succeed: a refusal or an
//! error is counted and printed, and the goal is zero.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use kitap_app::DbUrl;

use super::desk::{Answer, Desk};
use super::sqlcli::rows;
use crate::load::pct;

pub const OPS: [&str; 3] = ["checkout", "renewal", "return"];

#[derive(Default)]
pub struct OpStats {
    pub micros: Vec<u32>,
    pub errors: u64,
}

/// Latencies per operation (OPS order).
#[derive(Default)]
pub struct Stats {
    pub ops: [OpStats; 3],
}

impl Stats {
    /// Counts the answer; a non-2xx status is an error (its first few printed).
    fn record(&mut self, op: usize, answer: &anyhow::Result<Answer>, want: u16) -> bool {
        let s = &mut self.ops[op];
        match answer {
            Ok(a) if a.status == want => {
                s.micros.push(a.micros);
                true
            }
            other => {
                if s.errors < 3 {
                    let why = match other {
                        Ok(a) => a.error(),
                        Err(e) => e.to_string(),
                    };
                    eprintln!("{} failed: {why}", OPS[op]);
                }
                s.errors += 1;
                false
            }
        }
    }

    fn merge(&mut self, other: Stats) {
        for (mine, theirs) in self.ops.iter_mut().zip(other.ops) {
            mine.micros.extend(theirs.micros);
            mine.errors += theirs.errors;
        }
    }

    pub fn requests(&self) -> usize {
        self.ops.iter().map(|o| o.micros.len()).sum()
    }

    pub fn errors(&self) -> u64 {
        self.ops.iter().map(|o| o.errors).sum()
    }

    /// Markdown rows: per operation and over all.
    pub fn table(&mut self, title: &str, seconds: f64) {
        let mut all: Vec<u32> = Vec::new();
        println!(
            "\n{title}: {} requests in {seconds:.1} s = {:.0} operations/s, {} errors",
            self.requests(),
            self.requests() as f64 / seconds.max(1e-9),
            self.errors()
        );
        println!("| operation | requests | errors | p50 ms | p95 ms | p99 ms | max ms |");
        println!("|---|---:|---:|---:|---:|---:|---:|");
        for (name, op) in OPS.iter().zip(self.ops.iter_mut()) {
            op.micros.sort_unstable();
            all.extend(&op.micros);
            println!(
                "| {name} | {} | {} | {:.2} | {:.2} | {:.2} | {:.2} |",
                op.micros.len(),
                op.errors,
                pct(&op.micros, 0.5),
                pct(&op.micros, 0.95),
                pct(&op.micros, 0.99),
                pct(&op.micros, 1.0)
            );
        }
        all.sort_unstable();
        println!(
            "| **all** | {} | {} | **{:.2}** | {:.2} | **{:.2}** | {:.2} |",
            all.len(),
            self.errors(),
            pct(&all, 0.5),
            pct(&all, 0.95),
            pct(&all, 0.99),
            pct(&all, 1.0)
        );
    }
}

/// What the desks may use without meeting each other: available copies by
/// library code, and readers with no open loan.
pub struct Pools {
    pub copies: BTreeMap<String, Vec<String>>,
    pub readers: Vec<String>,
}

impl Pools {
    pub fn load(url: &DbUrl) -> anyhow::Result<Pools> {
        let mut copies: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in rows(
            url,
            "SELECT b.code, c.barcode FROM copies c JOIN branches b ON b.id = c.branch_id \
             WHERE c.status = 'available' ORDER BY c.barcode",
        )? {
            if let [code, barcode] = r.as_slice() {
                copies
                    .entry(code.clone())
                    .or_default()
                    .push(barcode.clone());
            }
        }
        let readers = rows(
            url,
            "SELECT card_number FROM readers r WHERE status = 'active' AND category <> 'disabled' \
             AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.reader_id = r.id AND l.returned_at IS NULL) \
             ORDER BY card_number",
        )?
        .into_iter()
        .filter_map(|r| r.into_iter().next())
        .collect();
        Ok(Pools { copies, readers })
    }

    /// Libraries by how many available copies they have, most first.
    pub fn libraries(&self) -> Vec<String> {
        let mut libs: Vec<(&String, usize)> =
            self.copies.iter().map(|(k, v)| (k, v.len())).collect();
        libs.sort_by_key(|l| std::cmp::Reverse(l.1));
        libs.into_iter().map(|(k, _)| k.clone()).collect()
    }
}

/// One checkout → renewal → return cycle; false when a step failed.
fn cycle(desk: &mut Desk, stats: &mut Stats, card: &str, barcode: &str) -> bool {
    let out = desk.checkout(card, barcode);
    if !stats.record(0, &out, 201) {
        return false;
    }
    let loan = out.ok().and_then(|a| a.loan_id()).unwrap_or_default();
    let renewed = desk.renew(&loan);
    stats.record(1, &renewed, 200);
    let back = desk.return_copy(barcode);
    stats.record(2, &back, 200)
}

/// One desk alone: `cycles` cycles, each with another reader and copy,
/// going round the libraries.
pub fn latency(desk: &Desk, pools: &Pools, cycles: usize) -> anyhow::Result<Stats> {
    let libs = pools.libraries();
    let mut desks: Vec<Desk> = libs.iter().map(|l| desk.at(l)).collect();
    let mut stats = Stats::default();
    let mut next: BTreeMap<usize, usize> = BTreeMap::new();
    for i in 0..cycles {
        let l = i % libs.len();
        let k = next.entry(l).or_default();
        let barcode = &pools.copies[&libs[l]][*k % pools.copies[&libs[l]].len()];
        *k += 1;
        let card = &pools.readers[i % pools.readers.len()];
        cycle(&mut desks[l], &mut stats, card, barcode);
    }
    Ok(stats)
}

/// One reader builds up `open` loans at the largest library, then does
/// `cycles` more cycles at that level, then returns everything. Returns the
/// build-up (checkouts from 0 to `open`), the cycles at `open`, and the
/// returns from `open` down to 0.
pub fn big_reader(
    desk: &Desk,
    pools: &Pools,
    card: &str,
    open: usize,
    cycles: usize,
) -> anyhow::Result<(Stats, Stats, Stats)> {
    let lib = pools.libraries().into_iter().next().context("no copies")?;
    let copies = &pools.copies[&lib];
    anyhow::ensure!(
        copies.len() > open + cycles,
        "{lib} has {} available copies, {} needed",
        copies.len(),
        open + cycles
    );
    // From the end of the list: the other phases start at the front.
    let mut own = copies.iter().rev();
    let mut desk = desk.at(&lib);
    let mut build = Stats::default();
    let mut held = Vec::with_capacity(open);
    for barcode in own.by_ref().take(open) {
        let out = desk.checkout(card, barcode);
        if build.record(0, &out, 201) {
            held.push(barcode.clone());
        }
    }
    let mut at_level = Stats::default();
    for barcode in own.take(cycles) {
        cycle(&mut desk, &mut at_level, card, barcode);
    }
    let mut down = Stats::default();
    for barcode in &held {
        let back = desk.return_copy(barcode);
        down.record(2, &back, 200);
    }
    Ok((build, at_level, down))
}

/// `clients` desks at once for `seconds`, each at its own library with its
/// own readers, going round checkout → renewal → return.
pub fn throughput(
    desk: &Desk,
    pools: &Pools,
    clients: usize,
    seconds: f64,
) -> anyhow::Result<(Stats, f64)> {
    let libs = pools.libraries();
    let per_client = pools.readers.len() / clients.max(1);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let results: Vec<Stats> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let lib = &libs[c % libs.len()];
                // Two clients at one library split its copies.
                let sharing = clients.div_ceil(libs.len()).max(1);
                let slot = c / libs.len();
                let copies: Vec<&String> = pools.copies[lib]
                    .iter()
                    .skip(slot)
                    .step_by(sharing)
                    .collect();
                let readers = &pools.readers[c * per_client..(c + 1) * per_client];
                let mut desk = desk.at(lib);
                s.spawn(move || {
                    let mut stats = Stats::default();
                    let mut i = 0usize;
                    while Instant::now() < deadline && !copies.is_empty() && !readers.is_empty() {
                        let copy = copies[i % copies.len()];
                        cycle(&mut desk, &mut stats, &readers[i % readers.len()], copy);
                        i += 1;
                    }
                    stats
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let took = start.elapsed().as_secs_f64();
    let mut all = Stats::default();
    for r in results {
        all.merge(r);
    }
    Ok((all, took))
}
