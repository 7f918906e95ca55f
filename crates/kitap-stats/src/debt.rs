//! The debtors and electronic-catalogue reports: loans overdue at the end
//! of a period (and a year earlier, as the annual report compares), and the
//! bibliographic records of the catalogue.

use std::collections::{BTreeMap, HashSet};

use chrono::{Months, NaiveDate};
use kitap_domain::{BranchId, ReaderId};

use crate::aggregate::{columns, labels, registered_in, with_total, Slots};
use crate::{language_group, Cell, LanguageGroup, ReaderFact, Scope, Table, TOTAL};

/// A loan as the debtors report sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanFact {
    pub reader: ReaderId,
    /// The issuing library: the debt is that library's.
    pub library: BranchId,
    pub issued_on: NaiveDate,
    pub due_on: NaiveDate,
    /// The day it was returned or declared lost; `None` while open.
    pub closed_on: Option<NaiveDate>,
}

impl LoanFact {
    /// Open at the end of `day` and due before it.
    pub fn overdue_at(&self, day: NaiveDate) -> bool {
        self.issued_on <= day && self.closed_on.is_none_or(|c| c > day) && self.due_on < day
    }
}

/// A bibliographic record of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFact {
    pub created_on: NaiveDate,
    /// The record type derived from the leader ("book", "serial", ...).
    pub record_type: String,
    pub kazakh: bool,
    pub language: Option<String>,
}

/// The same period one year earlier (29 February falls back to the 28th).
pub fn year_earlier(scope: &Scope) -> Scope {
    let back = |d: NaiveDate| d.checked_sub_months(Months::new(12)).unwrap_or(d);
    Scope {
        from: back(scope.from),
        to: back(scope.to),
        libraries: scope.libraries.clone(),
    }
}

/// The debt at the end of `s`, per library slot and then in total.
struct Debts {
    debtors: Vec<u64>,
    copies: Vec<u64>,
    registered: Vec<u64>,
}

fn debts(loans: &[LoanFact], readers: &[ReaderFact], s: &Scope, slots: &Slots) -> Debts {
    let mut copies = vec![0u64; slots.len];
    let mut people: HashSet<(usize, ReaderId)> = HashSet::new();
    let mut everyone: HashSet<ReaderId> = HashSet::new();
    for l in loans.iter().filter(|l| l.overdue_at(s.to)) {
        if let Some(slot) = slots.of(l.library) {
            copies[slot] += 1;
            people.insert((slot, l.reader));
            everyone.insert(l.reader);
        }
    }
    let mut debtors = vec![0u64; slots.len];
    for (slot, _) in &people {
        debtors[*slot] += 1;
    }
    debtors.push(everyone.len() as u64);
    let mut registered = vec![0u64; slots.len];
    for r in readers.iter().filter(|r| registered_in(r, s)) {
        if let Some(slot) = slots.of(r.library) {
            registered[slot] += 1;
        }
    }
    Debts {
        debtors,
        copies: with_total(copies, 0),
        registered: with_total(registered, 0),
    }
}

/// Debtors (задолжники) per issuing library: readers with a loan overdue
/// at the end of the period, the copies they hold overdue, their share of
/// the library's registered readers (registration covering a day of the
/// period, at the home library), and the same for the period a year
/// earlier. The total counts a reader in debt at two libraries once.
pub fn debtors(loans: &[LoanFact], readers: &[ReaderFact], scope: &Scope) -> Table {
    let before = year_earlier(scope);
    let mut table = Table::new(
        "debtors",
        "Debtors: readers with a loan overdue at the period end, and a year earlier",
        columns(&[
            "Library",
            "Debtors",
            "Overdue copies",
            "Registered readers",
            "Debtors share",
            "Debtors a year earlier",
            "Overdue copies a year earlier",
            "Registered readers a year earlier",
            "Debtors share a year earlier",
        ]),
    );
    let slots = Slots::new(scope);
    let now = debts(loans, readers, scope, &slots);
    let then = debts(loans, readers, &before, &slots);
    for (i, label) in labels(scope).into_iter().enumerate() {
        let (d, c, r) = (now.debtors[i], now.copies[i], now.registered[i]);
        let (d0, c0, r0) = (then.debtors[i], then.copies[i], then.registered[i]);
        table.rows.push(vec![
            Cell::text(label),
            Cell::Int(d),
            Cell::Int(c),
            Cell::Int(r),
            Cell::ratio(d, r),
            Cell::Int(d0),
            Cell::Int(c0),
            Cell::Int(r0),
            Cell::ratio(d0, r0),
        ]);
    }
    table
}

#[derive(Default, Clone, Copy)]
struct Counts {
    total: u64,
    kazakh: u64,
    russian: u64,
    other: u64,
    created: u64,
}

/// The electronic catalogue (электронный каталог): the records existing at
/// the period end and those created in it, by record type, each split by
/// language. The catalogue is shared by every library, so the rows are
/// record types, then the total.
pub fn ecatalog(records: &[RecordFact], scope: &Scope) -> Table {
    let mut table = Table::new(
        "ecatalog",
        "Electronic catalogue: records at the period end and created in it, by record type",
        columns(&[
            "Record type",
            "Records",
            "Kazakh",
            "Russian",
            "Other language",
            "Created in period",
        ]),
    );
    let mut per: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut all = Counts::default();
    for r in records.iter().filter(|r| r.created_on <= scope.to) {
        for c in [per.entry(r.record_type.as_str()).or_default(), &mut all] {
            c.total += 1;
            match language_group(r.kazakh, r.language.as_deref()) {
                LanguageGroup::Kazakh => c.kazakh += 1,
                LanguageGroup::Russian => c.russian += 1,
                LanguageGroup::Other => c.other += 1,
            }
            if scope.contains_day(r.created_on) {
                c.created += 1;
            }
        }
    }
    let rows = per
        .into_iter()
        .map(|(t, c)| (t.to_owned(), c))
        .chain(std::iter::once((TOTAL.to_owned(), all)));
    for (label, c) in rows {
        table.rows.push(vec![
            Cell::text(label),
            Cell::Int(c.total),
            Cell::Int(c.kazakh),
            Cell::Int(c.russian),
            Cell::Int(c.other),
            Cell::Int(c.created),
        ]);
    }
    table
}
