//! The annual bundle's numbers against the generator's known counts: every
//! library's row and the total, indicator by indicator, under the default
//! `[statistics]` definitions (renewals and reading-room issues are loans).

use std::collections::BTreeMap;

use kitap_app::reports::{AnnualReport, Cell};
use kitap_stats::{AREAS, MOVEMENT_REASONS, REASONS, SOURCES, TOTAL};

use super::{KnownCounts, LibraryCounts};

/// One number of the bundle and what the generator wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub table: &'static str,
    /// The row: a library code or "Total", with the group for group rows.
    pub row: String,
    pub column: String,
    pub expected: u64,
    /// `None` when the bundle has no such cell.
    pub actual: Option<u64>,
}

impl Check {
    pub fn ok(&self) -> bool {
        self.actual == Some(self.expected)
    }
}

struct Checker<'a> {
    bundle: &'a AnnualReport,
    out: Vec<Check>,
}

impl Checker<'_> {
    fn cell(&mut self, table: &'static str, keys: &[&str], column: &str, expected: u64) {
        let actual = self
            .bundle
            .table(table)
            .and_then(|t| t.cell(keys, column))
            .and_then(Cell::as_int);
        self.out.push(Check {
            table,
            row: keys.join(" / "),
            column: column.to_owned(),
            expected,
            actual,
        });
    }
}

fn get(map: &BTreeMap<String, u64>, key: &str) -> u64 {
    map.get(key).copied().unwrap_or(0)
}

/// Loans of a report group in one language: the generator's checkouts
/// (home and reading room) and renewals of that group; records without a
/// group count as "other", as the reports do.
fn group_loans(l: &LibraryCounts, area: &str, lang: &str) -> u64 {
    let mut n = get(&l.loans_by_group, &format!("{area}/{lang}"))
        + get(&l.renewals_by_group, &format!("{area}/{lang}"));
    if area == "other" {
        n += get(&l.loans_by_group, &format!("unclassified/{lang}"))
            + get(&l.renewals_by_group, &format!("unclassified/{lang}"));
    }
    n
}

fn held(l: &LibraryCounts, area: &str, lang: &str) -> u64 {
    let mut n = get(&l.held_by_group, &format!("{area}/{lang}"));
    if area == "other" {
        n += get(&l.held_by_group, &format!("unclassified/{lang}"));
    }
    n
}

const LANGS: [(&str, &str); 3] = [
    ("kazakh", "Kazakh"),
    ("russian", "Russian"),
    ("other", "Other language"),
];

fn library(c: &mut Checker<'_>, label: &str, l: &LibraryCounts) {
    c.cell("loans", &[label], "Home checkouts", l.checkouts);
    c.cell("loans", &[label], "Reading-room issues", l.reading_room);
    c.cell("loans", &[label], "Renewals", l.renewals);
    c.cell("visits", &[label], "Circulation visits", l.visits);
    for (area, _) in AREAS {
        for (lang, column) in LANGS {
            c.cell(
                "loans_by_area",
                &[label, area],
                column,
                group_loans(l, area, lang),
            );
            c.cell(
                "fund_held_by_area",
                &[label, area],
                column,
                held(l, area, lang),
            );
        }
    }
    let registered_in_year = l.readers_registered;
    c.cell("readers", &[label], "New", l.new_readers);
    c.cell(
        "readers",
        &[label],
        "Re-registered",
        registered_in_year.saturating_sub(l.new_readers),
    );
    c.cell("debtors", &[label], "Debtors", l.debtors);
    c.cell("debtors", &[label], "Overdue copies", l.debtor_copies);
    c.cell("fund_movement", &[label], "Received", l.received);
    c.cell("fund_movement", &[label], "Written off", l.written_off);
    c.cell("fund_movement", &[label], "Held at end", l.held);
    for source in SOURCES {
        c.cell(
            "fund_received",
            &[label],
            source,
            get(&l.received_by_source, source),
        );
    }
    for reason in REASONS {
        let n = get(&l.written_off_by_reason, reason);
        c.cell("fund_written_off", &[label], reason, n);
    }
    c.cell("exchange", &[label], "Sent", l.sent);
    c.cell("exchange", &[label], "Received", l.exchange_received);
    for reason in MOVEMENT_REASONS {
        let sent = get(&l.sent_by_reason, reason);
        c.cell("exchange", &[label], &format!("sent: {reason}"), sent);
        let received = get(&l.exchange_received_by_reason, reason);
        c.cell(
            "exchange",
            &[label],
            &format!("received: {reason}"),
            received,
        );
    }
}

/// Every compared number, each library's and the total's.
pub fn check_bundle(bundle: &AnnualReport, counts: &KnownCounts) -> Vec<Check> {
    let mut c = Checker {
        bundle,
        out: Vec::new(),
    };
    for (code, l) in &counts.by_library {
        library(&mut c, code, l);
    }
    library(&mut c, TOTAL, &counts.total);
    // Every generated reader's registration covers a day of the year (the
    // lapsed ones' ran into it).
    c.cell("readers", &[TOTAL], "Registered", counts.readers);
    c.cell("ecatalog", &[TOTAL], "Records", counts.records);
    c.cell(
        "ecatalog",
        &[TOTAL],
        "Created in period",
        counts.records_created,
    );
    c.out
}

/// The mismatches as a table for the terminal.
pub fn mismatch_table(checks: &[Check]) -> String {
    let mut out = format!(
        "{:<26} {:<28} {:<26} {:>10} {:>10}\n",
        "table", "row", "column", "expected", "bundle"
    );
    for m in checks.iter().filter(|c| !c.ok()) {
        let actual = m.actual.map_or("missing".to_owned(), |a| a.to_string());
        out.push_str(&format!(
            "{:<26} {:<28} {:<26} {:>10} {:>10}\n",
            m.table, m.row, m.column, m.expected, actual
        ));
    }
    out
}
