//! A closed-loop load generator: client threads, each going round the query
//! list from its own offset until a deadline, recording latency by kind.

use std::time::{Duration, Instant};

use crate::generator::Rng;
use crate::queries::{Query, MIX};

#[derive(Default)]
pub struct KindStats {
    /// Latencies of the successful requests, sorted once the run is over.
    pub micros: Vec<u32>,
    pub errors: u64,
    /// Sum of the reported total hits, over `counted` requests.
    pub totals: u64,
    pub counted: u64,
}

impl KindStats {
    fn record(&mut self, took: u32, outcome: Result<Option<u64>, String>, q: &Query) {
        match outcome {
            Ok(total) => {
                self.micros.push(took);
                if let Some(t) = total {
                    self.totals += t;
                    self.counted += 1;
                }
            }
            Err(err) => {
                if self.errors < 3 {
                    eprintln!("request failed ({}): {err}", q.text);
                }
                self.errors += 1;
            }
        }
    }

    fn merge(&mut self, other: KindStats) {
        self.micros.extend(other.micros);
        self.errors += other.errors;
        self.totals += other.totals;
        self.counted += other.counted;
    }
}

pub struct LoadResult {
    /// One entry per kind of MIX.
    pub kinds: Vec<KindStats>,
    pub seconds: f64,
}

impl LoadResult {
    pub fn requests(&self) -> usize {
        self.kinds.iter().map(|k| k.micros.len()).sum()
    }
}

fn per_kind() -> Vec<KindStats> {
    (0..MIX.len()).map(|_| KindStats::default()).collect()
}

/// The `q` quantile of sorted latencies, in ms.
pub fn pct(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len()) - 1;
    f64::from(sorted[i]) / 1000.0
}

fn client_loop<C>(
    client: &mut C,
    queries: &[Query],
    order: &[usize],
    start_at: usize,
    deadline: Instant,
    run: &(impl Fn(&mut C, &Query) -> Result<Option<u64>, String> + Sync),
) -> Vec<KindStats> {
    let mut stats = per_kind();
    // Bounded in time and in count.
    for i in start_at..start_at + 10_000_000 {
        if Instant::now() >= deadline {
            break;
        }
        let q = &queries[order[i % order.len()]];
        let began = Instant::now();
        let outcome = run(client, q);
        let took = began.elapsed().as_micros().min(u128::from(u32::MAX)) as u32;
        stats[q.kind].record(took, outcome, q);
    }
    stats
}

/// Runs `clients` threads for `seconds`, each going round `queries` (in one
/// shuffled order) from its own offset; `run` answers Ok(total hits if
/// known) or Err on failure. Every query's kind must be an index in MIX.
pub fn load<C>(
    clients: usize,
    seconds: f64,
    queries: &[Query],
    connect: impl Fn() -> C + Sync,
    run: impl Fn(&mut C, &Query) -> Result<Option<u64>, String> + Sync,
) -> LoadResult {
    let mut order: Vec<usize> = (0..queries.len()).collect();
    Rng::new(7).shuffle(&mut order);
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(seconds);
    let mut kinds = per_kind();
    if queries.is_empty() {
        return LoadResult {
            kinds,
            seconds: 0.0,
        };
    }
    let per_thread: Vec<std::thread::Result<Vec<KindStats>>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..clients)
            .map(|t| {
                let (order, connect, run) = (&order, &connect, &run);
                scope.spawn(move || {
                    let offset = t * order.len() / clients;
                    client_loop(&mut connect(), queries, order, offset, deadline, run)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    let seconds = start.elapsed().as_secs_f64();
    for thread in per_thread {
        match thread {
            Ok(stats) => kinds.iter_mut().zip(stats).for_each(|(k, s)| k.merge(s)),
            Err(_) => eprintln!("a client thread panicked; its requests are not counted"),
        }
    }
    for k in &mut kinds {
        k.micros.sort_unstable();
    }
    LoadResult { kinds, seconds }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_go_round_the_queries_until_the_deadline() {
        let queries: Vec<Query> = (0..MIX.len())
            .map(|k| Query::words(k, MIX[k], format!("q{k}")))
            .collect();
        let result = load(
            2,
            0.05,
            &queries,
            || 0u64,
            |calls, q| {
                *calls += 1;
                if q.kind == 1 {
                    Err("refused".into())
                } else {
                    Ok(Some(10))
                }
            },
        );
        assert!(result.requests() > 0);
        assert!(result.kinds[1].micros.is_empty() && result.kinds[1].errors > 0);
        let one = &result.kinds[0];
        assert_eq!(one.totals, 10 * one.counted);
        assert!(one.micros.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(pct(&[1000, 2000, 3000, 4000], 0.5), 2.0);
    }
}
