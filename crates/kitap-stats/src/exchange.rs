//! The exchange between libraries (межбиблиотечный обмен внутри системы):
//! copies sent and received by movement reason, readers served by a copy
//! brought to their library, and thematic selections sent and received.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use kitap_domain::{BranchId, ReaderId, SelectionId};

use crate::aggregate::{columns, row_keys};
use crate::{Cell, Scope, Table};

/// One dispatch or receipt scan of a movement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExchangeFact {
    pub day: NaiveDate,
    /// `true` for a receipt, `false` for a dispatch.
    pub received: bool,
    pub from: BranchId,
    pub to: BranchId,
    /// The movement reason code ("hold", "selection", ...).
    pub reason: String,
    /// The reader of the hold the movement serves.
    pub reader: Option<ReaderId>,
    pub selection: Option<SelectionId>,
}

/// Movement reasons in the order the table lists them.
pub const MOVEMENT_REASONS: [&str; 6] = [
    "hold",
    "return_home",
    "selection",
    "selection_return",
    "redistribution",
    "hold_cancelled",
];

#[derive(Default)]
struct Tally {
    sent: u64,
    received: u64,
    sent_by: HashMap<String, u64>,
    received_by: HashMap<String, u64>,
    readers: HashSet<ReaderId>,
    selections_sent: HashSet<SelectionId>,
    selections_received: HashSet<SelectionId>,
}

/// Sent counts at the origin, received at the destination; the total
/// counts the scope's libraries together, so a movement between two of
/// them is one sent and one received there too.
pub fn exchange(facts: &[ExchangeFact], scope: &Scope) -> Table {
    let mut tallies: HashMap<Option<BranchId>, Tally> = HashMap::new();
    for f in facts.iter().filter(|f| scope.contains_day(f.day)) {
        let here = if f.received { f.to } else { f.from };
        if !scope.covers(here) {
            continue;
        }
        for key in [Some(here), None] {
            let t = tallies.entry(key).or_default();
            if f.received {
                t.received += 1;
                *t.received_by.entry(f.reason.clone()).or_default() += 1;
                if f.reason == "hold" {
                    t.readers.extend(f.reader);
                }
                if f.reason == "selection" {
                    t.selections_received.extend(f.selection);
                }
            } else {
                t.sent += 1;
                *t.sent_by.entry(f.reason.clone()).or_default() += 1;
                if f.reason == "selection" {
                    t.selections_sent.extend(f.selection);
                }
            }
        }
    }
    let mut cols = columns(&["Library", "Sent", "Received"]);
    cols.extend(MOVEMENT_REASONS.iter().map(|r| format!("sent: {r}")));
    cols.extend(MOVEMENT_REASONS.iter().map(|r| format!("received: {r}")));
    cols.extend(columns(&[
        "Readers served",
        "Selections sent",
        "Selections received",
    ]));
    let mut table = Table::new(
        "exchange",
        "Exchange: copies sent and received, readers served, selections",
        cols,
    );
    let empty = Tally::default();
    for (key, label) in row_keys(scope) {
        let t = tallies.get(&key).unwrap_or(&empty);
        let mut row = vec![Cell::text(label), Cell::Int(t.sent), Cell::Int(t.received)];
        let of = |m: &HashMap<String, u64>, r: &str| Cell::Int(m.get(r).copied().unwrap_or(0));
        row.extend(MOVEMENT_REASONS.iter().map(|r| of(&t.sent_by, r)));
        row.extend(MOVEMENT_REASONS.iter().map(|r| of(&t.received_by, r)));
        row.extend([
            Cell::Int(t.readers.len() as u64),
            Cell::Int(t.selections_sent.len() as u64),
            Cell::Int(t.selections_received.len() as u64),
        ]);
        table.rows.push(row);
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    #[test]
    fn sent_at_the_origin_received_at_the_destination_readers_once() {
        let (a, b, c) = (BranchId::new(), BranchId::new(), BranchId::new());
        let scope = Scope::new(day(1), day(31), vec![(a, "A".into()), (b, "B".into())]).unwrap();
        let reader = ReaderId::new();
        let selection = SelectionId::new();
        let scan = |d, received, from, to, reason: &str| ExchangeFact {
            day: day(d),
            received,
            from,
            to,
            reason: reason.into(),
            reader: (reason == "hold").then_some(reader),
            selection: (reason == "selection").then_some(selection),
        };
        let facts = vec![
            // Two hold copies for the same reader A→B; one arrives in April.
            scan(2, false, a, b, "hold"),
            scan(3, true, a, b, "hold"),
            scan(4, false, a, b, "hold"),
            scan(5, true, a, b, "hold"),
            // A selection of two copies B→A.
            scan(6, false, b, a, "selection"),
            scan(6, false, b, a, "selection"),
            scan(7, true, b, a, "selection"),
            scan(7, true, b, a, "selection"),
            // From C (outside the scope) to A: A's receipt only.
            scan(8, false, c, a, "return_home"),
            scan(9, true, c, a, "return_home"),
        ];
        let t = exchange(&facts, &scope);
        let int = |row: &str, col: &str| t.cell(&[row], col).and_then(Cell::as_int).unwrap();
        assert_eq!((int("A", "Sent"), int("A", "Received")), (2, 3));
        assert_eq!((int("B", "Sent"), int("B", "Received")), (2, 2));
        assert_eq!(int("B", "Readers served"), 1);
        assert_eq!(int("A", "received: return_home"), 1);
        assert_eq!(
            (int("B", "Selections sent"), int("A", "Selections received")),
            (1, 1)
        );
        assert_eq!((int("Total", "Sent"), int("Total", "Received")), (4, 5));
    }
}
