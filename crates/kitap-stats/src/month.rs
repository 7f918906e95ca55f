//! Loans per calendar month: the annual report's monthly line and chart.

use chrono::{Datelike, NaiveDate};

use crate::aggregate::{add_vec, columns, labels, Slots};
use crate::{Cell, CirculationFact, Definitions, Scope, Table};

/// The calendar months the period touches, first to last, as
/// (year, month).
fn months_of(scope: &Scope) -> Vec<(i32, u32)> {
    let mut out = Vec::new();
    let (mut y, mut m) = (scope.from.year(), scope.from.month());
    let last = (scope.to.year(), scope.to.month());
    while (y, m) <= last {
        out.push((y, m));
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

fn month_index(months: &[(i32, u32)], day: NaiveDate) -> Option<usize> {
    let first = *months.first()?;
    let n = (day.year() - first.0) * 12 + day.month() as i32 - first.1 as i32;
    usize::try_from(n).ok().filter(|i| *i < months.len())
}

/// Loans under `defs` per library and calendar month of the period
/// (columns "YYYY-MM"; a month the period cuts counts only its days in the
/// period), then the library's total; the last row is the total.
pub fn loans_by_month(facts: &[CirculationFact], scope: &Scope, defs: &Definitions) -> Table {
    let months = months_of(scope);
    let slots = Slots::new(scope);
    let mut per = vec![vec![0u64; months.len()]; slots.len];
    for f in facts
        .iter()
        .filter(|f| scope.contains_day(f.day) && f.is_loan(defs))
    {
        if let (Some(slot), Some(m)) = (slots.of(f.library), month_index(&months, f.day)) {
            per[slot][m] += 1;
        }
    }
    let mut total = vec![0u64; months.len()];
    for row in &per {
        add_vec(&mut total, row);
    }
    per.push(total);
    let mut cols = columns(&["Library"]);
    cols.extend(months.iter().map(|(y, m)| format!("{y}-{m:02}")));
    cols.push("Total".to_owned());
    let mut table = Table::new("loans_by_month", "Loans by calendar month", cols);
    for (label, counts) in labels(scope).into_iter().zip(per) {
        let mut row = vec![Cell::text(label)];
        row.extend(counts.iter().map(|n| Cell::Int(*n)));
        row.push(Cell::Int(counts.iter().sum()));
        table.rows.push(row);
    }
    table
}
