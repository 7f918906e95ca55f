//! The derived indicators of the annual report, per library and in total:
//! читаемость (loans per reader), посещаемость (visits per reader),
//! обращаемость (fund turnover: loans per copy held) and
//! книгообеспеченность (copies held per reader).

use std::collections::HashMap;

use kitap_domain::BranchId;

use crate::aggregate::{columns, row_keys};
use crate::{Cell, Scope, Table};

/// `readers` is the readers table (its Registered, Loans and Visits
/// columns); `held` the copies held at the period end per library and in
/// total (`None`), as [`crate::held_at_end`] gives.
pub fn ratios(readers: &Table, held: &HashMap<Option<BranchId>, u64>, scope: &Scope) -> Table {
    let mut table = Table::new(
        "ratios",
        "Derived indicators: loans and visits per reader, fund turnover, copies per reader",
        columns(&[
            "Library",
            "Registered readers",
            "Loans",
            "Visits",
            "Copies held",
            "Loans per reader",
            "Visits per reader",
            "Fund turnover",
            "Copies per reader",
        ]),
    );
    for (key, label) in row_keys(scope) {
        let of = |column: &str| {
            readers
                .cell(&[&label], column)
                .and_then(Cell::as_int)
                .unwrap_or(0)
        };
        let (registered, loans, visits) = (of("Registered"), of("Loans"), of("Visits"));
        let copies = held.get(&key).copied().unwrap_or(0);
        table.rows.push(vec![
            Cell::text(&label),
            Cell::Int(registered),
            Cell::Int(loans),
            Cell::Int(visits),
            Cell::Int(copies),
            Cell::ratio(loans, registered),
            Cell::ratio(visits, registered),
            Cell::ratio(loans, copies),
            Cell::ratio(copies, registered),
        ]);
    }
    table
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn turnover_and_copies_per_reader_divide_by_the_fund_and_the_readers() {
        let (a, b) = (BranchId::new(), BranchId::new());
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let scope = Scope::new(day, day, vec![(a, "A".into()), (b, "B".into())]).unwrap();
        let mut readers = Table::new(
            "readers",
            "",
            columns(&["Library", "Registered", "Loans", "Visits"]),
        );
        for (label, n) in [("A", [4, 10, 6]), ("B", [0, 0, 0]), ("Total", [4, 10, 6])] {
            let mut row = vec![Cell::text(label)];
            row.extend(n.map(Cell::Int));
            readers.rows.push(row);
        }
        let held = HashMap::from([(Some(a), 40), (Some(b), 8), (None, 48)]);
        let t = ratios(&readers, &held, &scope);
        assert_eq!(
            t.cell(&["A"], "Loans per reader"),
            Some(&Cell::Ratio(Some(2.5)))
        );
        assert_eq!(
            t.cell(&["A"], "Visits per reader"),
            Some(&Cell::Ratio(Some(1.5)))
        );
        assert_eq!(
            t.cell(&["A"], "Fund turnover"),
            Some(&Cell::Ratio(Some(0.25)))
        );
        assert_eq!(
            t.cell(&["A"], "Copies per reader"),
            Some(&Cell::Ratio(Some(10.0)))
        );
        assert_eq!(
            t.cell(&["B"], "Copies per reader"),
            Some(&Cell::Ratio(None))
        );
        assert_eq!(
            t.cell(&["Total"], "Fund turnover"),
            Some(&Cell::Ratio(Some(0.21)))
        );
    }
}
