//! From facts to tables. Every table has a row per library of the scope,
//! in the scope's order, then a "Total" row over those libraries; facts
//! outside the period or the libraries are ignored.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use kitap_domain::{AgeBand, BranchId, LoanKind, ReaderCategory, ReaderId};

use crate::{AttendanceFact, Cell, CirculationFact, Definitions, ReaderFact, Scope, Table};

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

/// The facts of the scope: in the period, at one of its libraries.
fn in_scope<'a>(
    facts: &'a [CirculationFact],
    scope: &'a Scope,
) -> impl Iterator<Item = &'a CirculationFact> + 'a {
    facts
        .iter()
        .filter(|f| scope.contains_day(f.day) && scope.covers(f.library))
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

pub(crate) fn mine(key: Option<BranchId>, library: BranchId) -> bool {
    key.is_none_or(|k| k == library)
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

pub(crate) fn columns(names: &[&str]) -> Vec<String> {
    names.iter().map(|c| (*c).to_owned()).collect()
}

/// Loans (документовыдача) under `defs`: a summary, by knowledge group ×
/// language, by material type, by reader category and age band.
pub fn loans(facts: &[CirculationFact], scope: &Scope, defs: &Definitions) -> Vec<Table> {
    let keys = row_keys(scope);
    let counted: Vec<&CirculationFact> =
        in_scope(facts, scope).filter(|f| f.is_loan(defs)).collect();

    let mut summary = Table::new(
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
    for (key, label) in &keys {
        let mut lang = LangCounts::default();
        counted
            .iter()
            .filter(|f| mine(*key, f.library))
            .for_each(|f| lang.add(f));
        let (mut home, mut room, mut renewals) = (0, 0, 0);
        for f in in_scope(facts, scope).filter(|f| mine(*key, f.library)) {
            match f.kind {
                kitap_domain::CirculationEventKind::Checkout
                    if f.loan_kind == Some(LoanKind::ReadingRoom) =>
                {
                    room += 1
                }
                kitap_domain::CirculationEventKind::Checkout => home += 1,
                kitap_domain::CirculationEventKind::Renewal => renewals += 1,
                _ => {}
            }
        }
        let mut row = vec![Cell::text(label)];
        row.extend(lang.cells());
        row.extend([Cell::Int(home), Cell::Int(room), Cell::Int(renewals)]);
        summary.rows.push(row);
    }

    let mut by_area = Table::new(
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
    for (key, label) in &keys {
        let mut per: BTreeMap<&str, LangCounts> = BTreeMap::new();
        let mut all = LangCounts::default();
        for f in counted.iter().filter(|f| mine(*key, f.library)) {
            per.entry(area_of(f)).or_default().add(f);
            all.add(f);
        }
        for (code, name) in AREAS {
            let mut row = vec![Cell::text(label), Cell::text(code), Cell::text(name)];
            row.extend(per.get(code).copied().unwrap_or_default().cells());
            by_area.rows.push(row);
        }
        let mut row = vec![Cell::text(label), Cell::text("all"), Cell::text("Барлығы")];
        row.extend(all.cells());
        by_area.rows.push(row);
    }

    let materials: BTreeSet<&str> = counted.iter().map(|f| f.material_type.as_str()).collect();
    let mut cols = vec!["Library".to_owned()];
    cols.extend(materials.iter().map(|m| (*m).to_owned()));
    cols.push("Total".to_owned());
    let mut by_material = Table::new("loans_by_material", "Loans by material type", cols);
    for (key, label) in &keys {
        let mine_facts: Vec<&&CirculationFact> =
            counted.iter().filter(|f| mine(*key, f.library)).collect();
        let mut row = vec![Cell::text(label)];
        for m in &materials {
            let n = mine_facts.iter().filter(|f| f.material_type == *m).count();
            row.push(Cell::Int(n as u64));
        }
        row.push(Cell::Int(mine_facts.len() as u64));
        by_material.rows.push(row);
    }

    let mut cols = vec!["Library".to_owned()];
    cols.extend(ReaderCategory::ALL.iter().map(|c| format!("category {c}")));
    cols.extend(AgeBand::ALL.iter().map(|b| format!("age {b}")));
    cols.push("Total".to_owned());
    let mut by_reader = Table::new(
        "loans_by_reader",
        "Loans by reader category and age band (as at each loan)",
        cols,
    );
    for (key, label) in &keys {
        let mine_facts: Vec<&&CirculationFact> =
            counted.iter().filter(|f| mine(*key, f.library)).collect();
        let mut row = vec![Cell::text(label)];
        for c in ReaderCategory::ALL {
            let n = mine_facts
                .iter()
                .filter(|f| f.reader_category == *c)
                .count();
            row.push(Cell::Int(n as u64));
        }
        for b in AgeBand::ALL {
            let n = mine_facts.iter().filter(|f| f.age_band == *b).count();
            row.push(Cell::Int(n as u64));
        }
        row.push(Cell::Int(mine_facts.len() as u64));
        by_reader.rows.push(row);
    }

    vec![summary, by_area, by_material, by_reader]
}

/// The visits of the scope: a visit is a distinct (reader, library, day)
/// with any circulation event, so two events the same day are one visit
/// and a reader at two libraries the same day makes two.
fn visit_set(facts: &[CirculationFact], scope: &Scope) -> HashSet<(ReaderId, BranchId, NaiveDate)> {
    in_scope(facts, scope)
        .map(|f| (f.reader, f.library, f.day))
        .collect()
}

fn attendance_of(attendance: &[AttendanceFact], scope: &Scope, key: Option<BranchId>) -> u64 {
    attendance
        .iter()
        .filter(|a| scope.contains_day(a.day) && scope.covers(a.library) && mine(key, a.library))
        .map(|a| a.attendees)
        .sum()
}

/// Visits (посещения): circulation visits plus event attendance entered
/// by staff.
pub fn visits(facts: &[CirculationFact], attendance: &[AttendanceFact], scope: &Scope) -> Table {
    let set = visit_set(facts, scope);
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
    for (key, label) in row_keys(scope) {
        let desk = set.iter().filter(|(_, lib, _)| mine(key, *lib)).count() as u64;
        let events = attendance_of(attendance, scope, key);
        let readers: HashSet<ReaderId> = set
            .iter()
            .filter(|(_, lib, _)| mine(key, *lib))
            .map(|(r, _, _)| *r)
            .collect();
        table.rows.push(vec![
            Cell::text(label),
            Cell::Int(desk + events),
            Cell::Int(desk),
            Cell::Int(events),
            Cell::Int(readers.len() as u64),
        ]);
    }
    table
}

/// Readers (пользователи). Registered: a registration that covers a day of
/// the period, counted at the reader's home library; new: registered on a
/// day of the period; active: with any circulation event in the period at
/// the library (the total counts each reader once). Categories and age
/// bands are of the registered readers; the ratios divide the library's
/// loans (under `defs`) and visits by its registered readers.
pub fn readers(
    readers: &[ReaderFact],
    facts: &[CirculationFact],
    attendance: &[AttendanceFact],
    scope: &Scope,
    defs: &Definitions,
) -> Table {
    let mut cols = columns(&["Library", "Registered", "New", "Active"]);
    cols.extend(ReaderCategory::ALL.iter().map(|c| format!("category {c}")));
    cols.extend(AgeBand::ALL.iter().map(|b| format!("age {b}")));
    cols.extend(columns(&[
        "Loans",
        "Visits",
        "Loans per reader",
        "Visits per reader",
    ]));
    let mut table = Table::new("readers", "Readers, and loans and visits per reader", cols);
    let set = visit_set(facts, scope);
    for (key, label) in row_keys(scope) {
        let registered: Vec<&ReaderFact> = readers
            .iter()
            .filter(|r| scope.covers(r.library) && mine(key, r.library))
            .filter(|r| r.registered_on <= scope.to && r.registered_until >= scope.from)
            .collect();
        let new = registered
            .iter()
            .filter(|r| scope.contains_day(r.registered_on))
            .count() as u64;
        let active: HashSet<ReaderId> = in_scope(facts, scope)
            .filter(|f| mine(key, f.library))
            .map(|f| f.reader)
            .collect();
        let loans = in_scope(facts, scope)
            .filter(|f| mine(key, f.library) && f.is_loan(defs))
            .count() as u64;
        let visits = set.iter().filter(|(_, lib, _)| mine(key, *lib)).count() as u64
            + attendance_of(attendance, scope, key);
        let n = registered.len() as u64;
        let mut row = vec![
            Cell::text(label),
            Cell::Int(n),
            Cell::Int(new),
            Cell::Int(active.len() as u64),
        ];
        for c in ReaderCategory::ALL {
            row.push(Cell::Int(
                registered.iter().filter(|r| r.category == *c).count() as u64,
            ));
        }
        for b in AgeBand::ALL {
            row.push(Cell::Int(
                registered.iter().filter(|r| r.age_band == *b).count() as u64,
            ));
        }
        row.extend([
            Cell::Int(loans),
            Cell::Int(visits),
            Cell::ratio(loans, n),
            Cell::ratio(visits, n),
        ]);
        table.rows.push(row);
    }
    table
}
