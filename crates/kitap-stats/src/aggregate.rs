//! From facts to tables. Every table has a row per library of the scope,
//! in the scope's order, then a "Total" row over those libraries; facts
//! outside the period or the libraries are ignored.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDate;
use kitap_domain::{AgeBand, BranchId, CirculationEventKind, LoanKind, ReaderCategory, ReaderId};

use crate::{
    AttendanceFact, Cell, CirculationFact, Definitions, ReaderFact, Scope, SelfServiceFact, Table,
};

/// The label of the total row.
pub const TOTAL: &str = "Total";

/// The knowledge-area report groups (kz-domain.md §5.2), code and the
/// label of the Karaganda report, in the report's order. A fact with no
/// group or an unknown one counts as "other".
pub const AREAS: [(&str, &str); 8] = [
    ("socio_political", "ҚСӘ"),
    ("natural_sciences", "ЖТҒ"),
    ("technology", "Техника"),
    ("agriculture", "а/ш"),
    ("sport_arts", "75/85"),
    ("linguistics_literary", "81/83"),
    ("fiction", "84"),
    ("other", "Прочие"),
];

/// The language split of every KZ report line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LanguageGroup {
    Kazakh,
    Russian,
    Other,
}

/// Kazakh when the record is flagged Kazakh or its language is `kaz`,
/// Russian when `rus`, otherwise other.
pub fn language_group(kazakh: bool, language: Option<&str>) -> LanguageGroup {
    match language.map(str::trim) {
        _ if kazakh => LanguageGroup::Kazakh,
        Some(code) if code.eq_ignore_ascii_case("kaz") => LanguageGroup::Kazakh,
        Some(code) if code.eq_ignore_ascii_case("rus") => LanguageGroup::Russian,
        _ => LanguageGroup::Other,
    }
}

fn area_of(f: &CirculationFact) -> &'static str {
    area_code(f.knowledge_area.as_deref())
}

/// The report group of a stored group code: unknown or missing is "other".
pub(crate) fn area_code(code: Option<&str>) -> &'static str {
    let code = code.unwrap_or("other");
    AREAS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("other", |(c, _)| c)
}

/// Where a library's counts go: its index among the scope's libraries.
/// Tables are built in one pass over the facts, a row slot per library,
/// because a year of a city system is over a million events and looking
/// the library up in the scope's list for each row made it quadratic.
pub(crate) struct Slots {
    index: HashMap<BranchId, usize>,
    pub(crate) len: usize,
}

impl Slots {
    pub(crate) fn new(scope: &Scope) -> Slots {
        let mut index = HashMap::with_capacity(scope.libraries.len());
        for (i, (id, _)) in scope.libraries.iter().enumerate() {
            index.entry(*id).or_insert(i);
        }
        Slots {
            index,
            len: scope.libraries.len(),
        }
    }

    /// The slot of `library`, `None` when the scope leaves it out.
    pub(crate) fn of(&self, library: BranchId) -> Option<usize> {
        self.index.get(&library).copied()
    }
}

/// The facts of the scope with their library's slot: in the period, at one
/// of its libraries.
fn in_scope<'a>(
    facts: &'a [CirculationFact],
    scope: &'a Scope,
    slots: &'a Slots,
) -> impl Iterator<Item = (usize, &'a CirculationFact)> + 'a {
    facts
        .iter()
        .filter(|f| scope.contains_day(f.day))
        .filter_map(|f| slots.of(f.library).map(|s| (s, f)))
}

/// The row keys: each library, then the total (`None`).
pub(crate) fn row_keys(scope: &Scope) -> Vec<(Option<BranchId>, String)> {
    scope
        .libraries
        .iter()
        .map(|(id, code)| (Some(*id), code.clone()))
        .chain(std::iter::once((None, TOTAL.to_owned())))
        .collect()
}

/// Whether a fact of `library` counts in the row `key` (a library, or the
/// total for `None`).
pub(crate) fn mine(key: Option<BranchId>, library: BranchId) -> bool {
    key.is_none_or(|k| k == library)
}

/// The row labels: each library's code, then the total.
pub(crate) fn labels(scope: &Scope) -> Vec<String> {
    row_keys(scope)
        .into_iter()
        .map(|(_, label)| label)
        .collect()
}

/// Per-library values and their sum as the last element: the rows of a
/// table whose total is the sum of its libraries.
pub(crate) fn with_total<T: Clone + std::ops::AddAssign<T>>(mut per: Vec<T>, zero: T) -> Vec<T> {
    let mut total = zero;
    for v in &per {
        total += v.clone();
    }
    per.push(total);
    per
}

#[derive(Default, Clone, Copy)]
struct LangCounts {
    total: u64,
    kazakh: u64,
    russian: u64,
    other: u64,
}

impl LangCounts {
    fn add(&mut self, f: &CirculationFact) {
        self.total += 1;
        match language_group(f.kazakh, f.language.as_deref()) {
            LanguageGroup::Kazakh => self.kazakh += 1,
            LanguageGroup::Russian => self.russian += 1,
            LanguageGroup::Other => self.other += 1,
        }
    }

    fn cells(&self) -> [Cell; 5] {
        [
            Cell::Int(self.total),
            Cell::Int(self.kazakh),
            Cell::Int(self.russian),
            Cell::Int(self.other),
            Cell::ratio(self.kazakh, self.total),
        ]
    }
}

impl std::ops::AddAssign for LangCounts {
    fn add_assign(&mut self, o: LangCounts) {
        self.total += o.total;
        self.kazakh += o.kazakh;
        self.russian += o.russian;
        self.other += o.other;
    }
}

pub(crate) fn columns(names: &[&str]) -> Vec<String> {
    names.iter().map(|c| (*c).to_owned()).collect()
}

/// A library's loans, counted in one pass.
#[derive(Default, Clone)]
struct LoanCounts {
    lang: LangCounts,
    home: u64,
    room: u64,
    renewals: u64,
    areas: [LangCounts; AREAS.len()],
    categories: Vec<u64>,
    bands: Vec<u64>,
}

impl std::ops::AddAssign for LoanCounts {
    fn add_assign(&mut self, o: LoanCounts) {
        self.lang += o.lang;
        self.home += o.home;
        self.room += o.room;
        self.renewals += o.renewals;
        for (a, b) in self.areas.iter_mut().zip(o.areas) {
            *a += b;
        }
        add_vec(&mut self.categories, &o.categories);
        add_vec(&mut self.bands, &o.bands);
    }
}

pub(crate) fn add_vec(into: &mut Vec<u64>, from: &[u64]) {
    if into.len() < from.len() {
        into.resize(from.len(), 0);
    }
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

fn position<T: PartialEq>(all: &[T], value: &T) -> usize {
    all.iter().position(|v| v == value).unwrap_or(0)
}

/// Loans (документовыдача) under `defs`: a summary, by knowledge group ×
/// language, by material type, by reader category and age band.
pub fn loans(facts: &[CirculationFact], scope: &Scope, defs: &Definitions) -> Vec<Table> {
    let slots = Slots::new(scope);
    let empty = LoanCounts {
        categories: vec![0; ReaderCategory::ALL.len()],
        bands: vec![0; AgeBand::ALL.len()],
        ..LoanCounts::default()
    };
    let mut per = vec![empty.clone(); slots.len];
    let mut materials: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (slot, f) in in_scope(facts, scope, &slots) {
        let c = &mut per[slot];
        match f.kind {
            CirculationEventKind::Checkout if f.loan_kind == Some(LoanKind::ReadingRoom) => {
                c.room += 1
            }
            CirculationEventKind::Checkout => c.home += 1,
            CirculationEventKind::Renewal => c.renewals += 1,
            _ => {}
        }
        if !f.is_loan(defs) {
            continue;
        }
        c.lang.add(f);
        let area = AREAS.iter().position(|(code, _)| *code == area_of(f));
        c.areas[area.unwrap_or(AREAS.len() - 1)].add(f);
        c.categories[position(ReaderCategory::ALL, &f.reader_category)] += 1;
        c.bands[position(AgeBand::ALL, &f.age_band)] += 1;
        materials
            .entry(f.material_type.as_str())
            .or_insert_with(|| vec![0; slots.len])[slot] += 1;
    }
    let rows = with_total(per, empty);
    let labels = labels(scope);
    vec![
        loans_summary(&labels, &rows),
        loans_by_area(&labels, &rows),
        loans_by_material(&labels, &rows, materials),
        loans_by_reader(&labels, &rows, defs),
    ]
}

fn loans_summary(labels: &[String], rows: &[LoanCounts]) -> Table {
    let mut t = Table::new(
        "loans",
        "Loans: checkouts and, as configured, renewals and reading-room issues",
        columns(&[
            "Library",
            "Loans",
            "Kazakh",
            "Russian",
            "Other language",
            "Kazakh share",
            "Home checkouts",
            "Reading-room issues",
            "Renewals",
        ]),
    );
    for (label, c) in labels.iter().zip(rows) {
        let mut row = vec![Cell::text(label.as_str())];
        row.extend(c.lang.cells());
        row.extend([Cell::Int(c.home), Cell::Int(c.room), Cell::Int(c.renewals)]);
        t.rows.push(row);
    }
    t
}

fn loans_by_area(labels: &[String], rows: &[LoanCounts]) -> Table {
    let mut t = Table::new(
        "loans_by_area",
        "Loans by knowledge group and language",
        columns(&[
            "Library",
            "Group",
            "Label",
            "Loans",
            "Kazakh",
            "Russian",
            "Other language",
            "Kazakh share",
        ]),
    );
    for (label, c) in labels.iter().zip(rows) {
        for ((code, name), counts) in AREAS.iter().zip(&c.areas) {
            let mut row = vec![
                Cell::text(label.as_str()),
                Cell::text(*code),
                Cell::text(*name),
            ];
            row.extend(counts.cells());
            t.rows.push(row);
        }
        let mut row = vec![
            Cell::text(label.as_str()),
            Cell::text("all"),
            Cell::text("Барлығы"),
        ];
        row.extend(c.lang.cells());
        t.rows.push(row);
    }
    t
}

fn loans_by_material(
    labels: &[String],
    rows: &[LoanCounts],
    materials: BTreeMap<&str, Vec<u64>>,
) -> Table {
    let mut cols = vec!["Library".to_owned()];
    cols.extend(materials.keys().map(|m| (*m).to_owned()));
    cols.push("Total".to_owned());
    let mut t = Table::new("loans_by_material", "Loans by material type", cols);
    let per: Vec<Vec<u64>> = materials.into_values().map(|v| with_total(v, 0)).collect();
    for (i, (label, c)) in labels.iter().zip(rows).enumerate() {
        let mut row = vec![Cell::text(label.as_str())];
        row.extend(per.iter().map(|counts| Cell::Int(counts[i])));
        row.push(Cell::Int(c.lang.total));
        t.rows.push(row);
    }
    t
}

fn loans_by_reader(labels: &[String], rows: &[LoanCounts], defs: &Definitions) -> Table {
    let mut cols = vec!["Library".to_owned()];
    cols.extend(ReaderCategory::ALL.iter().map(|c| format!("category {c}")));
    cols.extend(AgeBand::ALL.iter().map(|b| defs.age_limits.label(*b)));
    cols.push("Total".to_owned());
    let mut t = Table::new(
        "loans_by_reader",
        "Loans by reader category and age band (as at each loan)",
        cols,
    );
    for (label, c) in labels.iter().zip(rows) {
        let mut row = vec![Cell::text(label.as_str())];
        row.extend(c.categories.iter().map(|n| Cell::Int(*n)));
        row.extend(c.bands.iter().map(|n| Cell::Int(*n)));
        row.push(Cell::Int(c.lang.total));
        t.rows.push(row);
    }
    t
}

/// The circulation visits of the scope per library: a visit is a distinct
/// (reader, library, day) with any circulation event, so two events the
/// same day are one visit and a reader at two libraries the same day makes
/// two. Also the distinct readers behind them, per library and in all.
struct VisitCounts {
    /// Per slot, then the total.
    visits: Vec<u64>,
    /// Distinct readers per slot, then distinct over all libraries.
    readers: Vec<u64>,
}

fn visit_counts(facts: &[CirculationFact], scope: &Scope, slots: &Slots) -> VisitCounts {
    // Sorted and deduplicated rather than hashed: a year is over a million
    // events, and sorting them is several times faster than hashing.
    let mut days: Vec<(usize, ReaderId, NaiveDate)> = in_scope(facts, scope, slots)
        .map(|(slot, f)| (slot, f.reader, f.day))
        .collect();
    days.sort_unstable();
    days.dedup();
    let mut visits = vec![0u64; slots.len];
    for (slot, _, _) in &days {
        visits[*slot] += 1;
    }
    let mut people: Vec<(usize, ReaderId)> = days.iter().map(|(s, r, _)| (*s, *r)).collect();
    people.dedup();
    let mut readers = vec![0u64; slots.len];
    for (slot, _) in &people {
        readers[*slot] += 1;
    }
    let mut everyone: Vec<ReaderId> = people.into_iter().map(|(_, r)| r).collect();
    everyone.sort_unstable();
    everyone.dedup();
    readers.push(everyone.len() as u64);
    VisitCounts {
        visits: with_total(visits, 0),
        readers,
    }
}

/// Event attendance per slot, then the total.
fn attendance_counts(attendance: &[AttendanceFact], scope: &Scope, slots: &Slots) -> Vec<u64> {
    let mut per = vec![0u64; slots.len];
    for a in attendance.iter().filter(|a| scope.contains_day(a.day)) {
        if let Some(slot) = slots.of(a.library) {
            per[slot] += a.attendees;
        }
    }
    with_total(per, 0)
}

/// Visits (посещения): circulation visits plus event attendance entered
/// by staff.
pub fn visits(facts: &[CirculationFact], attendance: &[AttendanceFact], scope: &Scope) -> Table {
    let slots = Slots::new(scope);
    let desk = visit_counts(facts, scope, &slots);
    let events = attendance_counts(attendance, scope, &slots);
    let mut table = Table::new(
        "visits",
        "Visits: days with a circulation event per reader per library, plus event attendance",
        columns(&[
            "Library",
            "Visits",
            "Circulation visits",
            "Event attendance",
            "Readers visiting",
        ]),
    );
    for (i, label) in labels(scope).into_iter().enumerate() {
        table.rows.push(vec![
            Cell::text(label),
            Cell::Int(desk.visits[i] + events[i]),
            Cell::Int(desk.visits[i]),
            Cell::Int(events[i]),
            Cell::Int(desk.readers[i]),
        ]);
    }
    table
}

/// Registered readers of a library, counted in one pass.
#[derive(Default, Clone)]
struct RegisteredCounts {
    registered: u64,
    new: u64,
    reregistered: u64,
    categories: Vec<u64>,
    bands: Vec<u64>,
}

impl std::ops::AddAssign for RegisteredCounts {
    fn add_assign(&mut self, o: RegisteredCounts) {
        self.registered += o.registered;
        self.new += o.new;
        self.reregistered += o.reregistered;
        add_vec(&mut self.categories, &o.categories);
        add_vec(&mut self.bands, &o.bands);
    }
}

/// Whether a registration covers a day of the scope's period.
pub(crate) fn registered_in(r: &ReaderFact, scope: &Scope) -> bool {
    r.registered_on <= scope.to && r.registered_until >= scope.from
}

/// Distinct readers with a self-service action in the period whose home
/// library then was the slot's, then distinct over all libraries.
fn remote_users(remote: &[SelfServiceFact], scope: &Scope, slots: &Slots) -> Vec<u64> {
    let mut people: HashSet<(usize, ReaderId)> = HashSet::new();
    let mut everyone: HashSet<ReaderId> = HashSet::new();
    for f in remote.iter().filter(|f| scope.contains_day(f.day)) {
        if let Some(slot) = slots.of(f.library) {
            people.insert((slot, f.reader));
            everyone.insert(f.reader);
        }
    }
    let mut per = vec![0u64; slots.len];
    for (slot, _) in &people {
        per[*slot] += 1;
    }
    per.push(everyone.len() as u64);
    per
}

/// Readers (пользователи). Registered: a registration that covers a day of
/// the period, counted at the reader's home library; new: first registered
/// on a day of the period; re-registered: registered again in the period,
/// first registered before it; active: with any circulation event in the period at
/// the library (the total counts each reader once); remote users: readers
/// with a self-service action (OPAC login, online renewal, a hold placed or
/// cancelled themselves) in the period, at their home library then (the
/// total counts each reader once). Categories and age
/// bands are of the registered readers; the ratios divide the library's
/// loans (under `defs`) and visits by its registered readers.
pub fn readers(
    readers: &[ReaderFact],
    facts: &[CirculationFact],
    attendance: &[AttendanceFact],
    remote: &[SelfServiceFact],
    scope: &Scope,
    defs: &Definitions,
) -> Table {
    let mut cols = columns(&[
        "Library",
        "Registered",
        "New",
        "Re-registered",
        "Active",
        "Remote users",
    ]);
    cols.extend(ReaderCategory::ALL.iter().map(|c| format!("category {c}")));
    cols.extend(AgeBand::ALL.iter().map(|b| defs.age_limits.label(*b)));
    cols.extend(columns(&[
        "Loans",
        "Visits",
        "Loans per reader",
        "Visits per reader",
    ]));
    let mut table = Table::new("readers", "Readers, and loans and visits per reader", cols);
    let slots = Slots::new(scope);
    let empty = RegisteredCounts {
        categories: vec![0; ReaderCategory::ALL.len()],
        bands: vec![0; AgeBand::ALL.len()],
        ..RegisteredCounts::default()
    };
    let mut per = vec![empty.clone(); slots.len];
    for r in readers.iter().filter(|r| registered_in(r, scope)) {
        let Some(slot) = slots.of(r.library) else {
            continue;
        };
        let c = &mut per[slot];
        c.registered += 1;
        let first = scope.contains_day(r.first_registered_on);
        c.new += u64::from(first);
        c.reregistered += u64::from(!first && scope.contains_day(r.registered_on));
        c.categories[position(ReaderCategory::ALL, &r.category)] += 1;
        c.bands[position(AgeBand::ALL, &r.age_band)] += 1;
    }
    let registered = with_total(per, empty);
    let mut loans = vec![0u64; slots.len];
    for (slot, _) in in_scope(facts, scope, &slots).filter(|(_, f)| f.is_loan(defs)) {
        loans[slot] += 1;
    }
    let loans = with_total(loans, 0);
    let desk = visit_counts(facts, scope, &slots);
    let events = attendance_counts(attendance, scope, &slots);
    let remote = remote_users(remote, scope, &slots);
    for (i, label) in labels(scope).into_iter().enumerate() {
        let c = &registered[i];
        let visits = desk.visits[i] + events[i];
        let mut row = vec![
            Cell::text(label),
            Cell::Int(c.registered),
            Cell::Int(c.new),
            Cell::Int(c.reregistered),
            Cell::Int(desk.readers[i]),
            Cell::Int(remote[i]),
        ];
        row.extend(c.categories.iter().map(|n| Cell::Int(*n)));
        row.extend(c.bands.iter().map(|n| Cell::Int(*n)));
        row.extend([
            Cell::Int(loans[i]),
            Cell::Int(visits),
            Cell::ratio(loans[i], c.registered),
            Cell::ratio(visits, c.registered),
        ]);
        table.rows.push(row);
    }
    table
}
