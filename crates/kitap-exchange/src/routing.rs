//! Which copy serves a hold at another library: the nearest one.
//!
//! Near is cheap (one courier run) and fast for the reader. Among equally
//! near copies the unified fund's goes first, because lending its copies is
//! what the fund is for, then the least worn (fewest loans), then the copy
//! id, so the choice never depends on the order rows came from the database.

use std::collections::{HashMap, HashSet};

use kitap_domain::{BranchId, CopyId};

/// Courier distances between libraries (km, minutes: any unit, one unit).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distances {
    by_pair: HashMap<(BranchId, BranchId), u32>,
}

impl Distances {
    /// Distances are symmetric; when a pair is given twice the shorter one
    /// counts, whatever the order.
    pub fn new(pairs: impl IntoIterator<Item = (BranchId, BranchId, u32)>) -> Self {
        let mut by_pair = HashMap::new();
        for (a, b, distance) in pairs {
            by_pair
                .entry(Self::key(a, b))
                .and_modify(|known: &mut u32| *known = (*known).min(distance))
                .or_insert(distance);
        }
        Self { by_pair }
    }

    /// `Some(0)` from a library to itself; `None` when nobody said.
    pub fn get(&self, a: BranchId, b: BranchId) -> Option<u32> {
        if a == b {
            return Some(0);
        }
        self.by_pair.get(&Self::key(a, b)).copied()
    }

    fn key(a: BranchId, b: BranchId) -> (BranchId, BranchId) {
        if a <= b {
            (a, b)
        } else {
            (b, a)
        }
    }
}

/// An available copy that could serve the hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceCandidate {
    pub copy: CopyId,
    pub library: BranchId,
    /// Loans so far: spreads the wear over the copies.
    pub loans: u32,
}

/// The best copy to send to `pickup`, if any. `fund` is the unified fund's
/// library, whose copies win ties on distance.
pub fn choose_source(
    pickup: BranchId,
    candidates: &[SourceCandidate],
    distances: &Distances,
    fund: Option<BranchId>,
) -> Option<CopyId> {
    rank_sources(pickup, candidates, distances, fund)
        .first()
        .copied()
}

/// Every candidate, best first, each copy once: when a request is cancelled
/// the next one is asked without ranking again.
pub fn rank_sources(
    pickup: BranchId,
    candidates: &[SourceCandidate],
    distances: &Distances,
    fund: Option<BranchId>,
) -> Vec<CopyId> {
    let mut ranked: Vec<&SourceCandidate> = candidates.iter().collect();
    ranked.sort_by_key(|c| {
        // An unknown distance is farther than any known one.
        let distance = match distances.get(pickup, c.library) {
            Some(d) => (false, d),
            None => (true, 0),
        };
        let not_fund = fund != Some(c.library);
        (distance, not_fund, c.loans, c.copy, c.library)
    });
    let mut seen = HashSet::new();
    ranked
        .into_iter()
        .map(|c| c.copy)
        .filter(|copy| seen.insert(*copy))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{branch, copy};
    use proptest::prelude::*;

    fn candidate(n: u32, library: u32, loans: u32) -> SourceCandidate {
        SourceCandidate {
            copy: copy(n),
            library: branch(library),
            loans,
        }
    }

    fn city() -> Distances {
        Distances::new([
            (branch(1), branch(2), 5),
            (branch(3), branch(1), 9),
            (branch(1), branch(4), 5),
            (branch(2), branch(3), 4),
        ])
    }

    #[test]
    fn distances_are_symmetric_and_zero_to_itself() {
        let d = city();
        assert_eq!(d.get(branch(1), branch(3)), Some(9));
        assert_eq!(d.get(branch(3), branch(1)), Some(9));
        assert_eq!(d.get(branch(7), branch(7)), Some(0));
        assert_eq!(d.get(branch(3), branch(4)), None);
        let twice = Distances::new([(branch(1), branch(2), 8), (branch(2), branch(1), 3)]);
        assert_eq!(twice.get(branch(1), branch(2)), Some(3));
    }

    #[test]
    fn the_nearest_copy_wins() {
        let candidates = [candidate(10, 3, 0), candidate(11, 2, 50)];
        assert_eq!(
            choose_source(branch(1), &candidates, &city(), None),
            Some(copy(11))
        );
    }

    #[test]
    fn a_copy_at_the_pickup_library_is_nearest() {
        let candidates = [candidate(10, 2, 0), candidate(11, 1, 99)];
        assert_eq!(
            choose_source(branch(1), &candidates, &city(), None),
            Some(copy(11))
        );
    }

    #[test]
    fn an_unknown_distance_is_farther_than_any_known() {
        let candidates = [candidate(10, 8, 0), candidate(11, 3, 0)];
        assert_eq!(
            choose_source(branch(1), &candidates, &city(), None),
            Some(copy(11))
        );
        // Unknown distance is still better than nothing.
        assert_eq!(
            choose_source(branch(1), &candidates[..1], &city(), None),
            Some(copy(10))
        );
    }

    #[test]
    fn ties_go_to_the_fund_then_the_least_worn_then_the_copy_id() {
        let candidates = [
            candidate(13, 2, 3),
            candidate(12, 4, 7),
            candidate(11, 2, 3),
            candidate(10, 4, 1),
        ];
        assert_eq!(
            rank_sources(branch(1), &candidates, &city(), Some(branch(4))),
            [copy(10), copy(12), copy(11), copy(13)]
        );
        assert_eq!(
            rank_sources(branch(1), &candidates, &city(), None),
            [copy(10), copy(11), copy(13), copy(12)]
        );
    }

    #[test]
    fn no_candidates_no_source() {
        assert_eq!(choose_source(branch(1), &[], &city(), None), None);
        assert!(rank_sources(branch(1), &[], &city(), None).is_empty());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        #[test]
        fn the_choice_does_not_depend_on_input_order(
            raw in prop::collection::vec((0u32..12, 1u32..6, 0u32..4), 0..10),
            pairs in prop::collection::vec((1u32..6, 1u32..6, 0u32..6), 0..12),
            pickup in 1u32..6,
            fund in prop::option::of(1u32..6),
            seed in any::<u64>(),
        ) {
            // Distinct copies: the same copy cannot stand in two libraries.
            let mut seen = HashSet::new();
            let candidates: Vec<SourceCandidate> = raw
                .into_iter()
                .filter(|(n, _, _)| seen.insert(*n))
                .map(|(n, library, loans)| candidate(n, library, loans))
                .collect();
            let distances = Distances::new(pairs.iter().map(|&(a, b, d)| (branch(a), branch(b), d)));
            let reversed_distances =
                Distances::new(pairs.iter().rev().map(|&(a, b, d)| (branch(b), branch(a), d)));
            let fund = fund.map(branch);
            let mut shuffled = candidates.clone();
            shuffle(&mut shuffled, seed);

            let ranked = rank_sources(branch(pickup), &candidates, &distances, fund);
            prop_assert_eq!(
                &ranked,
                &rank_sources(branch(pickup), &shuffled, &reversed_distances, fund)
            );
            prop_assert_eq!(ranked.len(), candidates.len());
            let chosen = choose_source(branch(pickup), &shuffled, &distances, fund);
            prop_assert_eq!(chosen, ranked.first().copied());
            // Nothing beats the choice on distance.
            if let Some(best) = chosen.and_then(|c| candidates.iter().find(|x| x.copy == c)) {
                let best_distance = distances.get(branch(pickup), best.library);
                for other in &candidates {
                    let d = distances.get(branch(pickup), other.library);
                    match (best_distance, d) {
                        (Some(b), Some(o)) => prop_assert!(b <= o),
                        (None, Some(_)) => prop_assert!(false, "a known distance lost"),
                        _ => {}
                    }
                }
            }
        }
    }

    /// A deterministic Fisher-Yates shuffle driven by a proptest seed.
    fn shuffle<T>(items: &mut [T], mut seed: u64) {
        for i in (1..items.len()).rev() {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            let j = usize::try_from((seed >> 33) % (i as u64 + 1)).unwrap();
            items.swap(i, j);
        }
    }
}
