//! What the generated year holds, counted from the plan (not from the
//! database), for the bench and the tests to compare reports with.
//!
//! Definitions (the generator's; the reports must agree or say why not):
//! - checkouts: `checkout` events of home loans at the library; reading-room
//!   issues: `checkout` events of reading-room loans; renewals: `renewal`
//!   events. All at the library where the event happened.
//! - visits: distinct (reader, library, day) with any circulation event.
//! - loans by group: checkout events (home and reading room) by the record's
//!   knowledge area × language class; renewals by group: renewal events
//!   the same way (the reports count them as loans when configured so).
//! - loans by age band: checkout events (home and reading room) by the
//!   reader's age band (the spec's bands) on the issue day.
//! - language class: `kazakh` when the record is Kazakh, `russian` when its
//!   language is `rus`, `other` otherwise; a record without knowledge area
//!   counts as `unclassified`.
//! - readers registered: `registered_on` in the year, by home library; new:
//!   also created in the year; by age band: those registered, by their band
//!   on the year's last day.
//! - received: copies of the year's accession acts, by the act's library
//!   and source; written off: copies of the year's write-off acts, by the
//!   act's library and reason.
//! - held: copies not written off at the end of the year, by the library
//!   they belong to then (redistribution moves them).
//! - open loans: home loans not returned at the end of the year, by the
//!   lending library; debtors: distinct readers with a loan due before
//!   31 December still open (overdue on the year's last day) — in the total
//!   counted once however many libraries they owe.
//! - exchange: a movement is sent by its origin and received by its
//!   destination (one dispatched and one received event each).

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::plan::World;
use super::YearSpec;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryCounts {
    pub checkouts: u64,
    pub reading_room: u64,
    pub renewals: u64,
    pub returns: u64,
    pub visits: u64,
    pub loans_by_group: BTreeMap<String, u64>,
    pub loans_by_age_band: BTreeMap<String, u64>,
    pub renewals_by_group: BTreeMap<String, u64>,
    pub readers_registered: u64,
    pub new_readers: u64,
    pub readers_by_age_band: BTreeMap<String, u64>,
    pub received: u64,
    pub received_by_source: BTreeMap<String, u64>,
    pub written_off: u64,
    pub written_off_by_reason: BTreeMap<String, u64>,
    pub held: u64,
    pub held_by_group: BTreeMap<String, u64>,
    pub open_loans: u64,
    pub debtors: u64,
    pub debtor_copies: u64,
    pub sent: u64,
    pub sent_by_reason: BTreeMap<String, u64>,
    pub exchange_received: u64,
    pub exchange_received_by_reason: BTreeMap<String, u64>,
}

/// The year's exact totals, per library (by code) and over all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KnownCounts {
    pub year: i32,
    pub total: LibraryCounts,
    pub by_library: BTreeMap<String, LibraryCounts>,
    /// Catalogue records, and those created in the year.
    pub records: u64,
    pub records_created: u64,
    /// Rows written, for a quick look at the size.
    pub copies: u64,
    pub readers: u64,
    pub loans: u64,
    pub circulation_events: u64,
    pub transfers: u64,
}

fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    *map.entry(key.to_owned()).or_default() += 1;
}

/// `area/language` of a record, as the reports group loans and the fund.
pub(crate) fn group_of(w: &World<'_>, record: usize) -> String {
    let r = &w.records[record];
    let area = r.knowledge_area.as_deref().unwrap_or("unclassified");
    let lang = if r.kazakh {
        "kazakh"
    } else if r.language.as_deref() == Some("rus") {
        "russian"
    } else {
        "other"
    };
    format!("{area}/{lang}")
}

pub(crate) fn count(spec: &YearSpec, w: &World<'_>) -> anyhow::Result<KnownCounts> {
    let first = spec.first_day()?;
    let last = spec.last_day()?;
    let in_year = |d: chrono::NaiveDate| d >= first && d <= last;
    let bands = spec.age_bands()?;
    let mut libs: Vec<LibraryCounts> = vec![LibraryCounts::default(); w.libraries.len()];
    let mut visits = HashSet::new();
    let mut debtors = vec![HashSet::new(); w.libraries.len()];
    let mut all_debtors = HashSet::new();
    let mut events = 0u64;
    for loan in &w.loans {
        let l = &mut libs[loan.library];
        if loan.reading_room {
            l.reading_room += 1;
        } else {
            l.checkouts += 1;
        }
        bump(
            &mut l.loans_by_group,
            &group_of(w, w.copies[loan.copy].record),
        );
        let birth = w.readers[loan.reader].birth;
        let band = bands.band_for(birth, loan.issued.date());
        bump(&mut l.loans_by_age_band, band.as_str());
        visits.insert((loan.reader, loan.library, loan.issued.date()));
        events += 1;
        if let Some((t, _)) = loan.renewed {
            l.renewals += 1;
            bump(
                &mut l.renewals_by_group,
                &group_of(w, w.copies[loan.copy].record),
            );
            visits.insert((loan.reader, loan.library, t.date()));
            events += 1;
        }
        match loan.returned {
            Some(t) => {
                l.returns += 1;
                visits.insert((loan.reader, loan.library, t.date()));
                events += 1;
            }
            None => {
                l.open_loans += 1;
                if loan.due_now() < last {
                    l.debtor_copies += 1;
                    debtors[loan.library].insert(loan.reader);
                    all_debtors.insert(loan.reader);
                }
            }
        }
    }
    for (reader, lib, _) in &visits {
        let _ = reader;
        libs[*lib].visits += 1;
    }
    for (l, d) in libs.iter_mut().zip(&debtors) {
        l.debtors = d.len() as u64;
    }
    for r in &w.readers {
        if in_year(r.registered_on) {
            libs[r.home].readers_registered += 1;
            let band = bands.band_for(r.birth, last);
            bump(&mut libs[r.home].readers_by_age_band, band.as_str());
            if in_year(r.created) {
                libs[r.home].new_readers += 1;
            }
        }
    }
    for act in &w.accessions {
        if in_year(act.date) {
            let l = &mut libs[act.library];
            l.received += act.copies.len() as u64;
            *l.received_by_source
                .entry(act.source.to_owned())
                .or_default() += act.copies.len() as u64;
        }
    }
    for act in &w.write_offs {
        let l = &mut libs[act.library];
        l.written_off += act.copies.len() as u64;
        *l.written_off_by_reason
            .entry(act.reason.to_owned())
            .or_default() += act.copies.len() as u64;
    }
    for c in &w.copies {
        if c.write_off.is_none() {
            let l = &mut libs[c.home];
            l.held += 1;
            bump(&mut l.held_by_group, &group_of(w, c.record));
        }
    }
    for t in &w.transfers {
        let from = &mut libs[t.from];
        from.sent += 1;
        bump(&mut from.sent_by_reason, t.reason.as_str());
        let to = &mut libs[t.to];
        to.exchange_received += 1;
        bump(&mut to.exchange_received_by_reason, t.reason.as_str());
    }
    let mut total = LibraryCounts::default();
    let mut by_library = BTreeMap::new();
    for (lib, l) in w.libraries.iter().zip(libs) {
        add(&mut total, &l);
        by_library.insert(lib.code.clone(), l);
    }
    total.debtors = all_debtors.len() as u64;
    Ok(KnownCounts {
        year: spec.year,
        total,
        by_library,
        records: w.records.len() as u64,
        records_created: w
            .records
            .iter()
            .filter(|r| in_year(r.created.date()))
            .count() as u64,
        copies: w.copies.len() as u64,
        readers: w.readers.len() as u64,
        loans: w.loans.len() as u64,
        circulation_events: events,
        transfers: w.transfers.len() as u64,
    })
}

fn add_map(into: &mut BTreeMap<String, u64>, from: &BTreeMap<String, u64>) {
    for (k, v) in from {
        *into.entry(k.clone()).or_default() += v;
    }
}

/// Sums a library into the total (debtors are recounted distinct after).
fn add(t: &mut LibraryCounts, l: &LibraryCounts) {
    t.checkouts += l.checkouts;
    t.reading_room += l.reading_room;
    t.renewals += l.renewals;
    t.returns += l.returns;
    t.visits += l.visits;
    add_map(&mut t.loans_by_group, &l.loans_by_group);
    add_map(&mut t.loans_by_age_band, &l.loans_by_age_band);
    add_map(&mut t.renewals_by_group, &l.renewals_by_group);
    t.readers_registered += l.readers_registered;
    t.new_readers += l.new_readers;
    add_map(&mut t.readers_by_age_band, &l.readers_by_age_band);
    t.received += l.received;
    add_map(&mut t.received_by_source, &l.received_by_source);
    t.written_off += l.written_off;
    add_map(&mut t.written_off_by_reason, &l.written_off_by_reason);
    t.held += l.held;
    add_map(&mut t.held_by_group, &l.held_by_group);
    t.open_loans += l.open_loans;
    t.debtor_copies += l.debtor_copies;
    t.sent += l.sent;
    add_map(&mut t.sent_by_reason, &l.sent_by_reason);
    t.exchange_received += l.exchange_received;
    add_map(
        &mut t.exchange_received_by_reason,
        &l.exchange_received_by_reason,
    );
}
