//! Fund movement (движение фонда): copies received and written off in a
//! period, by source or reason and by knowledge group × language × material
//! type, and the fund held at the period's start and end, with the balance
//! that ties them together:
//!
//! held at start + received + added without an act − written off
//! + redistributed in − redistributed out = held at end.
//!
//! Received and written-off copies are classed as their act line recorded
//! them on the act's day; the fund held is a state, classed as its record
//! is classed now.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use kitap_domain::{BranchId, CopyId, RecordId};

use crate::aggregate::{area_code, columns, mine, row_keys, AREAS};
use crate::{language_group, Cell, LanguageGroup, Scope, Table};

/// How a copy is classed for the fund tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyClass {
    pub record: RecordId,
    pub material_type: String,
    pub kazakh: bool,
    pub language: Option<String>,
    pub knowledge_area: Option<String>,
    /// Its price in minor units (tiyn); `None` when unknown.
    pub value_minor: Option<i64>,
}

/// A line of an accession or write-off act.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActLineFact {
    pub day: NaiveDate,
    /// The act's library.
    pub library: BranchId,
    /// The acquisition source or the write-off reason code.
    pub key: String,
    pub copy: CopyId,
    pub class: CopyClass,
}

/// A copy of the fund as it is now, with what dates its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingFact {
    pub copy: CopyId,
    /// The owning library now.
    pub home: BranchId,
    /// The day it joined the fund (acquired, or registered when no
    /// acquisition date is known).
    pub since: NaiveDate,
    /// The day of its write-off act.
    pub written_off_on: Option<NaiveDate>,
    /// On an accession act (otherwise imported or registered without one).
    pub accessioned: bool,
    pub class: CopyClass,
}

/// A copy changing its owning library (redistribution).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HomeMoveFact {
    pub day: NaiveDate,
    pub copy: CopyId,
    pub from: BranchId,
    pub to: BranchId,
}

/// What the fund tables are computed from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FundFacts {
    /// Accession lines (key: acquisition source).
    pub received: Vec<ActLineFact>,
    /// Write-off lines (key: reason).
    pub written_off: Vec<ActLineFact>,
    /// Every copy that was not written off before the period.
    pub holdings: Vec<HoldingFact>,
    /// Home moves on or after the period's first day.
    pub moves: Vec<HomeMoveFact>,
}

/// The acquisition sources and write-off reasons, in the order the tables
/// list them.
pub const SOURCES: [&str; 6] = [
    "budget",
    "state_order",
    "gift",
    "replacement",
    "exchange",
    "other",
];
pub const REASONS: [&str; 7] = [
    "worn",
    "obsolete",
    "lost_by_reader",
    "stocktake_shortage",
    "transferred",
    "disaster",
    "other",
];

/// Copies, titles, value and the language split of a set of copies.
#[derive(Default, Clone)]
struct Tally {
    copies: u64,
    kazakh: u64,
    russian: u64,
    other: u64,
    titles: HashSet<RecordId>,
    value_minor: i64,
}

impl Tally {
    fn add(&mut self, c: &CopyClass) {
        self.copies += 1;
        match language_group(c.kazakh, c.language.as_deref()) {
            LanguageGroup::Kazakh => self.kazakh += 1,
            LanguageGroup::Russian => self.russian += 1,
            LanguageGroup::Other => self.other += 1,
        }
        self.titles.insert(c.record);
        self.value_minor = self.value_minor.saturating_add(c.value_minor.unwrap_or(0));
    }

    fn cells(&self) -> [Cell; 7] {
        [
            Cell::Int(self.copies),
            Cell::Int(self.kazakh),
            Cell::Int(self.russian),
            Cell::Int(self.other),
            Cell::ratio(self.kazakh, self.copies),
            Cell::Int(self.titles.len() as u64),
            Cell::Money(self.value_minor),
        ]
    }
}

const TALLY_COLUMNS: [&str; 7] = [
    "Copies",
    "Kazakh",
    "Russian",
    "Other language",
    "Kazakh share",
    "Titles",
    "Value",
];

/// The items of each library (`Some`) and of the scope's total (`None`):
/// one pass, so a table costs the same however many libraries it has.
fn per_library<T: Copy>(
    scope: &Scope,
    items: impl Iterator<Item = (BranchId, T)>,
) -> HashMap<Option<BranchId>, Vec<T>> {
    let mut out: HashMap<Option<BranchId>, Vec<T>> = HashMap::new();
    for (lib, item) in items.filter(|(lib, _)| scope.covers(*lib)) {
        out.entry(Some(lib)).or_default().push(item);
        out.entry(None).or_default().push(item);
    }
    out
}

/// The owning library of every copy at the end of `day`: its home now,
/// with the moves after `day` undone, latest first.
fn homes_on<'a>(facts: &'a FundFacts, day: NaiveDate) -> HashMap<CopyId, BranchId> {
    let mut later: Vec<&'a HomeMoveFact> = facts.moves.iter().filter(|m| m.day > day).collect();
    later.sort_by_key(|m| std::cmp::Reverse(m.day));
    let mut homes: HashMap<CopyId, BranchId> = HashMap::new();
    for m in later {
        homes.insert(m.copy, m.from);
    }
    homes
}

/// The copies held at the end of `day`, each with its library then.
fn held_on(facts: &FundFacts, day: NaiveDate) -> Vec<(BranchId, &HoldingFact)> {
    let undone = homes_on(facts, day);
    facts
        .holdings
        .iter()
        .filter(|h| h.since <= day && h.written_off_on.is_none_or(|w| w > day))
        .map(|h| (undone.get(&h.copy).copied().unwrap_or(h.home), h))
        .collect()
}

/// A table of rows per library (and total) × knowledge group with the
/// language split, titles and value.
fn by_area<'a>(
    id: &str,
    title: &str,
    scope: &Scope,
    items: impl Iterator<Item = (BranchId, &'a CopyClass)>,
) -> Table {
    let mut cols = columns(&["Library", "Group", "Label"]);
    cols.extend(columns(&TALLY_COLUMNS));
    let mut table = Table::new(id, title, cols);
    let groups = per_library(scope, items);
    for (key, label) in row_keys(scope) {
        let mut per: BTreeMap<&str, Tally> = BTreeMap::new();
        let mut all = Tally::default();
        for c in groups.get(&key).into_iter().flatten() {
            per.entry(area_code(c.knowledge_area.as_deref()))
                .or_default()
                .add(c);
            all.add(c);
        }
        for (code, name) in AREAS {
            let mut row = vec![Cell::text(&label), Cell::text(code), Cell::text(name)];
            row.extend(per.get(code).cloned().unwrap_or_default().cells());
            table.rows.push(row);
        }
        let mut row = vec![Cell::text(&label), Cell::text("all"), Cell::text("Барлығы")];
        row.extend(all.cells());
        table.rows.push(row);
    }
    table
}

/// Rows per library (and total): the tally, then copies per key.
fn by_key(id: &str, title: &str, scope: &Scope, keys: &[&str], lines: &[&ActLineFact]) -> Table {
    let mut cols = columns(&["Library"]);
    cols.extend(columns(&TALLY_COLUMNS));
    cols.extend(columns(keys));
    let mut table = Table::new(id, title, cols);
    let groups = per_library(scope, lines.iter().map(|l| (l.library, *l)));
    for (key, label) in row_keys(scope) {
        let mine_lines = groups.get(&key).map_or(&[][..], Vec::as_slice);
        let mut all = Tally::default();
        mine_lines.iter().for_each(|l| all.add(&l.class));
        let mut row = vec![Cell::text(&label)];
        row.extend(all.cells());
        for k in keys {
            let n = mine_lines.iter().filter(|l| l.key == *k).count();
            row.push(Cell::Int(n as u64));
        }
        table.rows.push(row);
    }
    table
}

fn in_period<'a>(lines: &'a [ActLineFact], scope: &'a Scope) -> Vec<&'a ActLineFact> {
    lines
        .iter()
        .filter(|l| scope.contains_day(l.day) && scope.covers(l.library))
        .collect()
}

fn count_of<T>(groups: &HashMap<Option<BranchId>, Vec<T>>, key: Option<BranchId>) -> u64 {
    groups.get(&key).map_or(0, Vec::len) as u64
}

/// The fund tables: the balance, received by source and by group,
/// written off by reason and by group, held at the end by group, and all
/// three by material type.
pub fn fund(facts: &FundFacts, scope: &Scope) -> Vec<Table> {
    let received = in_period(&facts.received, scope);
    let written_off = in_period(&facts.written_off, scope);
    let before = scope.from.pred_opt().unwrap_or(scope.from);
    let start = held_on(facts, before);
    let end = held_on(facts, scope.to);

    let start_by = per_library(scope, start.iter().map(|(lib, h)| (*lib, *h)));
    let end_by = per_library(scope, end.iter().map(|(lib, h)| (*lib, *h)));
    let received_by = per_library(scope, received.iter().map(|l| (l.library, ())));
    let written_off_by = per_library(scope, written_off.iter().map(|l| (l.library, ())));
    // Joined in the period without an accession line: imported or
    // registered copies.
    let added_by = per_library(
        scope,
        end.iter()
            .filter(|(_, h)| scope.contains_day(h.since) && !h.accessioned)
            .map(|(lib, _)| (*lib, ())),
    );
    let moves: Vec<&HomeMoveFact> = facts
        .moves
        .iter()
        .filter(|m| scope.contains_day(m.day))
        .collect();

    let mut balance = Table::new(
        "fund_movement",
        "Fund movement: held at the start, received, written off, redistributed, held at the end",
        columns(&[
            "Library",
            "Held at start",
            "Received",
            "Added without an act",
            "Written off",
            "Redistributed in",
            "Redistributed out",
            "Held at end",
            "Titles held",
            "Value held",
        ]),
    );
    for (key, label) in row_keys(scope) {
        let mut end_tally = Tally::default();
        for h in end_by.get(&key).into_iter().flatten() {
            end_tally.add(&h.class);
        }
        // A move between two libraries of the row is no movement of its
        // fund: the total sees only moves across the scope's edge.
        let inside = |lib: BranchId| scope.covers(lib) && mine(key, lib);
        let moved_in = moves.iter().filter(|m| inside(m.to) && !inside(m.from));
        let moved_out = moves.iter().filter(|m| inside(m.from) && !inside(m.to));
        let mut row = vec![Cell::text(&label)];
        row.extend([
            Cell::Int(count_of(&start_by, key)),
            Cell::Int(count_of(&received_by, key)),
            Cell::Int(count_of(&added_by, key)),
            Cell::Int(count_of(&written_off_by, key)),
            Cell::Int(moved_in.count() as u64),
            Cell::Int(moved_out.count() as u64),
            Cell::Int(end_tally.copies),
            Cell::Int(end_tally.titles.len() as u64),
            Cell::Money(end_tally.value_minor),
        ]);
        balance.rows.push(row);
    }

    let held_items = end.iter().map(|(lib, h)| (*lib, &h.class));
    vec![
        balance,
        by_key(
            "fund_received",
            "Fund received, by source",
            scope,
            &SOURCES,
            &received,
        ),
        by_area(
            "fund_received_by_area",
            "Fund received, by knowledge group and language",
            scope,
            received.iter().map(|l| (l.library, &l.class)),
        ),
        by_key(
            "fund_written_off",
            "Fund written off, by reason",
            scope,
            &REASONS,
            &written_off,
        ),
        by_area(
            "fund_written_off_by_area",
            "Fund written off, by knowledge group and language",
            scope,
            written_off.iter().map(|l| (l.library, &l.class)),
        ),
        by_area(
            "fund_held_by_area",
            "Fund held at the period end, by knowledge group and language",
            scope,
            held_items.clone(),
        ),
        by_material(scope, &received, &written_off, held_items),
    ]
}

fn by_material<'a>(
    scope: &Scope,
    received: &[&ActLineFact],
    written_off: &[&ActLineFact],
    held: impl Iterator<Item = (BranchId, &'a CopyClass)>,
) -> Table {
    // (library or total, material) → [received, written off, held]
    let mut counts: HashMap<(Option<BranchId>, &str), [u64; 3]> = HashMap::new();
    let mut materials: BTreeSet<&str> = BTreeSet::new();
    let lines = received
        .iter()
        .map(|l| (0, l.library, &l.class))
        .chain(written_off.iter().map(|l| (1, l.library, &l.class)));
    for (col, lib, class) in lines.chain(held.map(|(lib, c)| (2, lib, c))) {
        if !scope.covers(lib) {
            continue;
        }
        let m = class.material_type.as_str();
        materials.insert(m);
        counts.entry((Some(lib), m)).or_default()[col] += 1;
        counts.entry((None, m)).or_default()[col] += 1;
    }
    let mut table = Table::new(
        "fund_by_material",
        "Fund received, written off and held at the end, by material type",
        columns(&[
            "Library",
            "Material",
            "Received",
            "Written off",
            "Held at end",
        ]),
    );
    for (key, label) in row_keys(scope) {
        for m in &materials {
            let [r, w, h] = counts.get(&(key, *m)).copied().unwrap_or_default();
            table.rows.push(vec![
                Cell::text(&label),
                Cell::text(*m),
                Cell::Int(r),
                Cell::Int(w),
                Cell::Int(h),
            ]);
        }
    }
    table
}

/// The copies held at the end of the period per library of the scope (and
/// the total, under `None`), for the ratios.
pub fn held_at_end(facts: &FundFacts, scope: &Scope) -> HashMap<Option<BranchId>, u64> {
    let mut out: HashMap<Option<BranchId>, u64> = HashMap::new();
    for (lib, _) in held_on(facts, scope.to) {
        if scope.covers(lib) {
            *out.entry(Some(lib)).or_default() += 1;
            *out.entry(None).or_default() += 1;
        }
    }
    out
}

#[cfg(test)]
#[path = "fund_tests.rs"]
mod tests;
