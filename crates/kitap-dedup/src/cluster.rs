//! Catalog-wide clustering: candidate pairs from shared block keys, scored,
//! joined with union-find.
//!
//! Block keys are hashed to 64 bits and sorted rather than kept as strings
//! in a map: a million records give three million keys, and a sorted vector
//! of (hash, index) is a tenth of the memory of a map of strings. A hash
//! collision only adds a candidate pair, which the comparison then rejects.

use std::collections::HashSet;
use std::hash::Hash;

use serde::{Deserialize, Serialize};

use crate::config::DedupConfig;
use crate::keys::MatchKeys;
use crate::score::{compare, score, Level, Verdict};

/// Two records of a cluster that matched, `a < b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterPair<Id> {
    pub a: Id,
    pub b: Id,
    pub verdict: Verdict,
}

/// Records that matched directly or through each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cluster<Id> {
    /// Sorted ascending.
    pub members: Vec<Id>,
    /// The matching pairs, sorted by (a, b).
    pub pairs: Vec<ClusterPair<Id>>,
    pub best_score: f64,
}

/// Clusters `records`: pairs sharing a block key (blocks larger than
/// `cfg.max_block` are skipped) are compared, and those at
/// [`Level::Possible`] or above that are not in `rejected` (as
/// `(smaller id, larger id)`) are joined. Only clusters of two or more
/// records are returned, ordered by their smallest member; the output
/// depends only on the input, not on its order or on threads.
pub fn cluster<Id: Copy + Ord + Hash + Send + Sync>(
    records: &[(Id, MatchKeys)],
    cfg: &DedupConfig,
    rejected: &HashSet<(Id, Id)>,
) -> Vec<Cluster<Id>> {
    // The heavy work is in functions that are not generic, so they are
    // compiled (and optimised) once, here, whatever the caller's profile.
    let keys: Vec<&MatchKeys> = records.iter().map(|r| &r.1).collect();
    let candidates = candidate_pairs(&keys, cfg.max_block);
    let mut matched = matching_pairs(&keys, &candidates, cfg);
    if !rejected.is_empty() {
        matched.retain(|&(i, j)| {
            let (a, b) = (records[i as usize].0, records[j as usize].0);
            !rejected.contains(&if a <= b { (a, b) } else { (b, a) })
        });
    }

    let mut sets = UnionFind::new(records.len());
    for &(i, j) in &matched {
        sets.union(i as usize, j as usize);
    }
    let mut by_root: std::collections::HashMap<usize, Cluster<Id>> =
        std::collections::HashMap::new();
    for &(i, j) in &matched {
        let (ia, ib) = (&records[i as usize], &records[j as usize]);
        let verdict = compare(&ia.1, &ib.1, cfg);
        let (a, b) = if ia.0 <= ib.0 {
            (ia.0, ib.0)
        } else {
            (ib.0, ia.0)
        };
        let root = sets.find(i as usize);
        let c = by_root.entry(root).or_insert_with(|| Cluster {
            members: Vec::new(),
            pairs: Vec::new(),
            best_score: 0.0,
        });
        c.best_score = c.best_score.max(verdict.score);
        c.pairs.push(ClusterPair { a, b, verdict });
    }
    for (i, (id, _)) in records.iter().enumerate() {
        let root = sets.find(i);
        if let Some(c) = by_root.get_mut(&root) {
            c.members.push(*id);
        }
    }
    let mut clusters: Vec<Cluster<Id>> = by_root.into_values().collect();
    for c in &mut clusters {
        c.members.sort();
        c.members.dedup();
        c.pairs.sort_by_key(|x| (x.a, x.b));
        c.pairs.dedup_by(|x, y| (x.a, x.b) == (y.a, y.b));
    }
    clusters.retain(|c| c.members.len() > 1);
    clusters.sort_by(|x, y| x.members.first().cmp(&y.members.first()));
    clusters
}

/// FNV-1a: fast, deterministic across runs and platforms.
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The prefixes of [`MatchKeys::block_keys`].
const BLOCK_KINDS: [&str; 6] = ["isbn:", "issn:", "ctl:", "ta:", "t:", "ay:"];

/// The hashes of [`MatchKeys::block_keys`] with the index of their prefix
/// in [`BLOCK_KINDS`], without building the strings.
fn block_hashes(k: &MatchKeys, out: &mut Vec<(u8, u64)>) {
    let mut one = |prefix: &[u8], parts: &[&str]| {
        let kind = BLOCK_KINDS
            .iter()
            .position(|p| p.as_bytes() == prefix)
            .unwrap_or(0) as u8;
        let mut h = Fnv::new();
        h.write(prefix);
        for (n, p) in parts.iter().enumerate() {
            if n > 0 {
                h.write(b"|");
            }
            h.write(p.as_bytes());
        }
        out.push((kind, h.0));
    };
    for isbn in k.isbns.iter().chain(&k.weak_isbns) {
        one(b"isbn:", &[isbn]);
    }
    for issn in &k.issns {
        one(b"issn:", &[issn]);
    }
    for ctl in &k.control_numbers {
        one(b"ctl:", &[ctl]);
    }
    if let Some(t) = &k.title_key {
        let author = k
            .author_key
            .as_deref()
            .map_or("-", |a| a.split(' ').next().unwrap_or(a));
        one(b"ta:", &[t, author]);
        if let Some(head) = crate::keys::title_head(t) {
            one(b"t:", &[head]);
        }
    }
    if let (Some(a), Some(y)) = (&k.author_key, k.year) {
        let year = y.to_string();
        let initial = crate::keys::title_initial(k);
        one(b"ay:", &[a.split(' ').next().unwrap_or(a), &year, initial]);
    }
}

/// Index pairs (i < j) sharing a block of at most `max_block` records,
/// sorted and unique.
fn candidate_pairs(records: &[&MatchKeys], max_block: usize) -> Vec<(u32, u32)> {
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(records.len() * 4);
    let mut hashes = Vec::new();
    for (i, keys) in records.iter().enumerate() {
        hashes.clear();
        block_hashes(keys, &mut hashes);
        hashes.sort_unstable();
        hashes.dedup();
        let Ok(i) = u32::try_from(i) else { break };
        entries.extend(hashes.iter().map(|&(_, h)| (h, i)));
    }
    entries.sort_unstable();
    let mut pairs = Vec::new();
    let mut start = 0;
    while start < entries.len() {
        let hash = entries[start].0;
        let end = start + entries[start..].partition_point(|e| e.0 == hash);
        let block = &entries[start..end];
        if block.len() >= 2 && block.len() <= max_block {
            for (n, &(_, i)) in block.iter().enumerate() {
                pairs.extend(block[n + 1..].iter().map(|&(_, j)| (i, j)));
            }
        }
        start = end;
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// How one kind of block key splits a catalogue (see [`block_stats`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockStats {
    /// The key prefix: "isbn:", "issn:", "ctl:", "ta:", "t:", "ay:".
    pub kind: &'static str,
    /// Blocks of two records or more, and the largest.
    pub blocks: usize,
    pub largest: usize,
    /// Blocks over `max_block`, skipped, and the records in them.
    pub skipped_blocks: usize,
    pub skipped_records: usize,
    /// Pairs the blocks of this kind make (before removing pairs that
    /// another kind also makes).
    pub pairs: u64,
}

/// Per kind of block key: how many blocks, how large, what is skipped and
/// how many pairs [`cluster`] will compare. For reports and benchmarks.
pub fn block_stats<Id>(records: &[(Id, MatchKeys)], max_block: usize) -> Vec<BlockStats> {
    let mut per_kind: Vec<Vec<u64>> = vec![Vec::new(); BLOCK_KINDS.len()];
    let mut hashes = Vec::new();
    for (_, keys) in records {
        hashes.clear();
        block_hashes(keys, &mut hashes);
        hashes.sort_unstable();
        hashes.dedup();
        for &(kind, h) in &hashes {
            if let Some(list) = per_kind.get_mut(kind as usize) {
                list.push(h);
            }
        }
    }
    BLOCK_KINDS
        .iter()
        .zip(per_kind)
        .map(|(kind, mut list)| {
            list.sort_unstable();
            let mut st = BlockStats {
                kind,
                blocks: 0,
                largest: 0,
                skipped_blocks: 0,
                skipped_records: 0,
                pairs: 0,
            };
            for run in list.chunk_by(|a, b| a == b).filter(|r| r.len() > 1) {
                st.blocks += 1;
                st.largest = st.largest.max(run.len());
                if run.len() > max_block {
                    st.skipped_blocks += 1;
                    st.skipped_records += run.len();
                } else {
                    let n = run.len() as u64;
                    st.pairs += n * (n - 1) / 2;
                }
            }
            st
        })
        .collect()
}

/// The candidate pairs that match, scored on all cores; sorted like the
/// candidates.
fn matching_pairs(
    records: &[&MatchKeys],
    candidates: &[(u32, u32)],
    cfg: &DedupConfig,
) -> Vec<(u32, u32)> {
    let keep = |&(i, j): &(u32, u32)| {
        score(records[i as usize], records[j as usize], cfg).1 >= Level::Possible
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads < 2 || candidates.len() < 10_000 {
        return candidates.iter().copied().filter(keep).collect();
    }
    let chunk = candidates.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = candidates
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().copied().filter(keep).collect::<Vec<_>>()))
            .collect();
        // A panicking worker is a bug in scoring; its part is then scored here.
        handles
            .into_iter()
            .zip(candidates.chunks(chunk))
            .flat_map(|(h, part)| {
                h.join()
                    .unwrap_or_else(|_| part.iter().copied().filter(keep).collect())
            })
            .collect()
    })
}

struct UnionFind {
    parent: Vec<usize>,
    rank: Vec<u8>,
}

impl UnionFind {
    fn new(n: usize) -> UnionFind {
        UnionFind {
            parent: (0..n).collect(),
            rank: vec![0; n],
        }
    }

    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        match self.rank[ra].cmp(&self.rank[rb]) {
            std::cmp::Ordering::Less => self.parent[ra] = rb,
            std::cmp::Ordering::Greater => self.parent[rb] = ra,
            std::cmp::Ordering::Equal => {
                self.parent[rb] = ra;
                self.rank[ra] = self.rank[ra].saturating_add(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(title: &str, author: &str, year: i32) -> MatchKeys {
        let mut k = MatchKeys::from_parts(title, Some(author), Some(year));
        k.pages = Some(200);
        k
    }

    fn catalog() -> Vec<(u32, MatchKeys)> {
        let mut vol2 = book("Абай жолы", "Әуезов, Мұхтар", 1997);
        vol2.volume = Some("2".into());
        let mut vol1 = vol2.clone();
        vol1.volume = Some("1".into());
        let mut vol1_latin = book("Abai joly", "Äuezov, M.", 1997);
        vol1_latin.volume = Some("I".into());
        vol1_latin.volume = Some("1".into());
        vec![
            (7, vol1),
            (3, book("Қан мен тер", "Нұрпейісов, Әбдіжәміл", 1980)),
            (5, vol2),
            (1, vol1_latin),
            (9, book("Kan men ter", "Nurpeisov, A.", 1980)),
            (4, book("Война и мир", "Толстой, Лев", 1980)),
        ]
    }

    #[test]
    fn clusters_are_found_and_ordered() {
        let cfg = DedupConfig::default();
        let clusters = cluster(&catalog(), &cfg, &HashSet::new());
        let members: Vec<Vec<u32>> = clusters.iter().map(|c| c.members.clone()).collect();
        assert_eq!(members, vec![vec![1, 7], vec![3, 9]]);
        assert_eq!((clusters[0].pairs[0].a, clusters[0].pairs[0].b), (1, 7));
        assert!(clusters.iter().all(|c| c.best_score >= cfg.warn_threshold));
    }

    #[test]
    fn rejected_pairs_are_not_joined() {
        let cfg = DedupConfig::default();
        let rejected: HashSet<(u32, u32)> = [(3, 9)].into_iter().collect();
        let clusters = cluster(&catalog(), &cfg, &rejected);
        assert_eq!(clusters.len(), 1);
        assert_eq!(clusters[0].members, vec![1, 7]);
    }

    #[test]
    fn order_of_input_does_not_matter() {
        let cfg = DedupConfig::default();
        let mut reversed = catalog();
        reversed.reverse();
        assert_eq!(
            cluster(&catalog(), &cfg, &HashSet::new()),
            cluster(&reversed, &cfg, &HashSet::new())
        );
    }

    #[test]
    fn large_blocks_are_skipped() {
        let cfg = DedupConfig {
            max_block: 2,
            ..DedupConfig::default()
        };
        let mut records = catalog();
        records.push((11, book("Kan men ter", "Nurpeisov, A.", 1980)));
        let clusters = cluster(&records, &cfg, &HashSet::new());
        assert!(clusters.iter().all(|c| !c.members.contains(&11)));
    }

    #[test]
    fn block_stats_count_pairs_and_skips() {
        let stats = block_stats(&catalog(), 2);
        let ta = stats.iter().find(|s| s.kind == "ta:");
        // "Абай жолы|auezov" holds 3 records (over 2: skipped), the
        // Nurpeisov pair 2 (one pair).
        assert_eq!(
            ta.map(|s| (s.blocks, s.largest, s.skipped_blocks, s.pairs)),
            Some((2, 3, 1, 1))
        );
    }

    #[test]
    fn block_hashes_follow_block_keys() {
        // The hashes are those of the block key strings, byte for byte.
        let mut records = catalog();
        records[0].1.isbns = vec!["9785000000000".into()];
        records[0].1.control_numbers = vec!["ocolc:1".into()];
        records[1].1.title_key = Some("a b c d e".into());
        for (_, k) in records {
            let mut tagged = Vec::new();
            block_hashes(&k, &mut tagged);
            let mut hashes: Vec<u64> = tagged.iter().map(|t| t.1).collect();
            hashes.sort_unstable();
            let mut want: Vec<u64> = k
                .block_keys()
                .iter()
                .map(|key| {
                    let mut h = Fnv::new();
                    h.write(key.as_bytes());
                    h.0
                })
                .collect();
            want.sort_unstable();
            assert_eq!(hashes, want, "{:?}", k.block_keys());
        }
    }
}
