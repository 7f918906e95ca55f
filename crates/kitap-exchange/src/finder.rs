//! Redistribution candidates: titles one library has more copies of than it
//! needs while other libraries of the system have none.
//!
//! The finder only proposes; a person drafts the transfer act. Libraries
//! whose readers asked for the title come first in the proposal, because a
//! copy given there is read at once.

use std::collections::{BTreeMap, BTreeSet};

use kitap_domain::{BranchId, RecordId};
use serde::Serialize;

/// Copies of one title at one library (the application counts them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holding {
    pub record: RecordId,
    pub library: BranchId,
    pub copies: u32,
}

/// Requests (holds, library requests) for one title from one library's readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demand {
    pub record: RecordId,
    pub library: BranchId,
    pub requests: u32,
}

/// One proposal: `from` holds `copies` of `record`; the `lacking` libraries
/// have none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Surplus {
    pub record: RecordId,
    pub from: BranchId,
    pub copies: u32,
    /// Libraries of the system without a copy, by id.
    pub lacking: Vec<BranchId>,
    /// The lacking libraries whose readers requested the title, most
    /// requests first (ties by library id).
    pub requested_by: Vec<(BranchId, u32)>,
}

/// Titles with more than `min_copies` copies in one library and none in
/// another library of `libraries`, ordered by (record, from). Repeated rows
/// of `holdings` or `demand` for the same title and library add up.
pub fn surplus(
    holdings: &[Holding],
    demand: &[Demand],
    libraries: &[BranchId],
    min_copies: u32,
) -> Vec<Surplus> {
    let mut held: BTreeMap<RecordId, BTreeMap<BranchId, u32>> = BTreeMap::new();
    for h in holdings {
        let copies = held
            .entry(h.record)
            .or_default()
            .entry(h.library)
            .or_default();
        *copies = copies.saturating_add(h.copies);
    }
    let mut wanted: BTreeMap<(RecordId, BranchId), u32> = BTreeMap::new();
    for d in demand {
        let requests = wanted.entry((d.record, d.library)).or_default();
        *requests = requests.saturating_add(d.requests);
    }
    let system: BTreeSet<BranchId> = libraries.iter().copied().collect();

    let mut found = Vec::new();
    for (record, by_library) in &held {
        let lacking: Vec<BranchId> = system
            .iter()
            .copied()
            .filter(|library| by_library.get(library).copied().unwrap_or(0) == 0)
            .collect();
        if lacking.is_empty() {
            continue;
        }
        let mut requested_by: Vec<(BranchId, u32)> = lacking
            .iter()
            .filter_map(|library| {
                let requests = wanted.get(&(*record, *library)).copied().unwrap_or(0);
                (requests > 0).then_some((*library, requests))
            })
            .collect();
        requested_by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (from, copies) in by_library {
            if *copies > min_copies {
                found.push(Surplus {
                    record: *record,
                    from: *from,
                    copies: *copies,
                    lacking: lacking.clone(),
                    requested_by: requested_by.clone(),
                });
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{branch, record};

    fn holding(r: u32, library: u32, copies: u32) -> Holding {
        Holding {
            record: record(r),
            library: branch(library),
            copies,
        }
    }

    fn wants(r: u32, library: u32, requests: u32) -> Demand {
        Demand {
            record: record(r),
            library: branch(library),
            requests,
        }
    }

    fn system() -> Vec<BranchId> {
        vec![branch(1), branch(2), branch(3), branch(4)]
    }

    #[test]
    fn a_title_piled_up_in_one_library_and_missing_in_others_is_proposed() {
        let holdings = [holding(1, 1, 5), holding(1, 2, 1)];
        let demand = [wants(1, 3, 2), wants(1, 4, 6), wants(1, 2, 9)];
        let found = surplus(&holdings, &demand, &system(), 3);
        assert_eq!(
            found,
            [Surplus {
                record: record(1),
                from: branch(1),
                copies: 5,
                lacking: vec![branch(3), branch(4)],
                requested_by: vec![(branch(4), 6), (branch(3), 2)],
            }]
        );
    }

    #[test]
    fn no_proposal_at_or_below_the_minimum_or_when_every_library_has_one() {
        let everywhere = [
            holding(1, 1, 9),
            holding(1, 2, 1),
            holding(1, 3, 1),
            holding(1, 4, 1),
        ];
        assert!(surplus(&everywhere, &[], &system(), 2).is_empty());
        let few = [holding(1, 1, 2)];
        assert!(surplus(&few, &[], &system(), 2).is_empty());
        assert_eq!(surplus(&few, &[], &system(), 1).len(), 1);
    }

    #[test]
    fn zero_copies_count_as_none_and_repeated_rows_add_up() {
        let holdings = [
            holding(1, 1, 2),
            holding(1, 1, 2),
            holding(1, 2, 0),
            holding(1, 3, 1),
            holding(1, 4, 1),
        ];
        let found = surplus(&holdings, &[wants(1, 2, 1), wants(1, 2, 1)], &system(), 3);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].copies, 4);
        assert_eq!(found[0].lacking, [branch(2)]);
        assert_eq!(found[0].requested_by, [(branch(2), 2)]);
    }

    #[test]
    fn the_order_is_by_record_then_library_whatever_the_input_order() {
        let holdings = [holding(2, 3, 4), holding(1, 2, 4), holding(2, 1, 4)];
        let found = surplus(&holdings, &[], &system(), 1);
        let keys: Vec<_> = found.iter().map(|s| (s.record, s.from)).collect();
        assert_eq!(
            keys,
            [
                (record(1), branch(2)),
                (record(2), branch(1)),
                (record(2), branch(3))
            ]
        );
        let mut reversed = holdings;
        reversed.reverse();
        assert_eq!(surplus(&reversed, &[], &system(), 1), found);
    }

    #[test]
    fn demand_from_libraries_that_hold_the_title_is_not_listed() {
        let holdings = [holding(1, 1, 4), holding(1, 2, 1)];
        let found = surplus(&holdings, &[wants(1, 2, 5)], &system(), 1);
        assert_eq!(found[0].requested_by, []);
    }
}
