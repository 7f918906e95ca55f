//! The year planned in memory: every row the writer will insert, as small
//! structs, with the copies' and loans' final state at the end of the year.

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use kitap_app::catalog::prepare::prepare;
use kitap_catalog::AreaRules;
use uuid::Uuid;

use super::{Library, YearSpec};
use crate::generator::{marc_record, Copies, Rng};

pub(crate) struct Record {
    pub id: Uuid,
    pub marc: Vec<u8>,
    pub derived_title: String,
    pub sort_title: String,
    pub main_author: Option<String>,
    pub dialect: String,
    pub record_type: String,
    pub year: Option<i32>,
    pub language: Option<String>,
    pub kazakh: bool,
    pub bbk: Option<String>,
    pub udc: Option<String>,
    pub knowledge_area: Option<String>,
    pub area_rules_version: String,
    pub warnings: i32,
    pub created: NaiveDateTime,
}

pub(crate) struct Copy {
    pub id: Uuid,
    pub record: usize,
    /// Its library at the end of the year (redistribution moves it; the
    /// accession act names the first).
    pub home: usize,
    pub material: &'static str,
    pub price: i64,
    pub acquired: NaiveDate,
    pub accession: usize,
    pub write_off: Option<usize>,
    /// Unavailable until this day (a loan of the copy runs until then).
    pub free_from: NaiveDate,
    /// In the exchange or written off: not lent at the desk.
    pub reserved: bool,
    pub on_loan_at_end: bool,
}

pub(crate) struct AccessionAct {
    pub id: Uuid,
    pub library: usize,
    pub date: NaiveDate,
    pub source: &'static str,
    pub copies: Vec<usize>,
}

pub(crate) struct WriteOffAct {
    pub id: Uuid,
    pub library: usize,
    pub date: NaiveDate,
    pub reason: &'static str,
    pub copies: Vec<usize>,
}

pub(crate) struct Reader {
    pub id: Uuid,
    pub birth: NaiveDate,
    pub category: &'static str,
    pub home: usize,
    pub registered_on: NaiveDate,
    pub created: NaiveDate,
}

pub(crate) struct Loan {
    pub id: Uuid,
    pub copy: usize,
    pub reader: usize,
    pub library: usize,
    pub reading_room: bool,
    pub issued: NaiveDateTime,
    /// Due date at issue.
    pub due: NaiveDate,
    /// The renewal's time and the due date it set.
    pub renewed: Option<(NaiveDateTime, NaiveDate)>,
    pub returned: Option<NaiveDateTime>,
}

impl Loan {
    pub fn due_now(&self) -> NaiveDate {
        self.renewed.map_or(self.due, |(_, d)| d)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reason {
    Hold,
    ReturnHome,
    Selection,
    SelectionReturn,
    Redistribution,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Hold => "hold",
            Reason::ReturnHome => "return_home",
            Reason::Selection => "selection",
            Reason::SelectionReturn => "selection_return",
            Reason::Redistribution => "redistribution",
        }
    }
}

/// A completed movement: requested and dispatched at `dispatched`, received
/// at `received`.
pub(crate) struct Transfer {
    pub id: Uuid,
    pub copy: usize,
    pub from: usize,
    pub to: usize,
    pub reason: Reason,
    pub hold: Option<usize>,
    pub selection: Option<usize>,
    pub act: Option<usize>,
    pub dispatched: NaiveDateTime,
    pub received: NaiveDateTime,
}

pub(crate) struct Hold {
    pub id: Uuid,
    pub reader: usize,
    pub copy: usize,
    pub pickup: usize,
    pub placed: NaiveDateTime,
    pub closed: NaiveDateTime,
}

pub(crate) struct Selection {
    pub id: Uuid,
    pub from: usize,
    pub to: usize,
    pub created: NaiveDateTime,
    pub received: NaiveDateTime,
    pub returned: NaiveDateTime,
    pub closed: NaiveDateTime,
    pub copies: Vec<usize>,
}

pub(crate) struct TransferAct {
    pub id: Uuid,
    pub from: usize,
    pub to: usize,
    pub date: NaiveDate,
    pub copies: Vec<usize>,
}

pub(crate) struct World<'a> {
    pub libraries: &'a [Library],
    pub seed: u64,
    pub records: Vec<Record>,
    pub copies: Vec<Copy>,
    pub accessions: Vec<AccessionAct>,
    pub write_offs: Vec<WriteOffAct>,
    pub readers: Vec<Reader>,
    pub loans: Vec<Loan>,
    pub holds: Vec<Hold>,
    pub selections: Vec<Selection>,
    pub transfer_acts: Vec<TransferAct>,
    pub transfers: Vec<Transfer>,
}

const SOURCES_OLD: [(&str, u32); 4] = [
    ("budget", 55),
    ("state_order", 20),
    ("gift", 20),
    ("replacement", 5),
];
const SOURCES_NEW: [(&str, u32); 5] = [
    ("budget", 40),
    ("state_order", 25),
    ("gift", 20),
    ("replacement", 5),
    ("exchange", 10),
];
const REASONS: [(&str, u32); 6] = [
    ("worn", 45),
    ("obsolete", 30),
    ("lost_by_reader", 8),
    ("stocktake_shortage", 7),
    ("transferred", 5),
    ("other", 5),
];
const MATERIALS: [(&str, u32); 3] = [("book", 93), ("periodical", 5), ("audiobook", 2)];

fn weighted<T: std::marker::Copy>(rng: &mut Rng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.below(total.max(1) as usize) as u32;
    for (item, w) in items {
        if x < *w {
            return *item;
        }
        x -= w;
    }
    items[0].0
}

fn at(day: NaiveDate, hour: u32, rng: &mut Rng) -> NaiveDateTime {
    day.and_hms_opt(hour, rng.below(60) as u32, rng.below(60) as u32)
        .unwrap_or_default()
}

/// A library index: the central library (index 0, C00) holds about a fifth
/// of everything, the branches share the rest.
fn library(rng: &mut Rng, n: usize) -> usize {
    if rng.chance(0.22) {
        0
    } else {
        1 + rng.below(n - 1)
    }
}

/// Weight of a day of the year: summer and the New Year are quieter.
fn day_weight(day: NaiveDate) -> f64 {
    match day.month() {
        6..=8 => 0.7,
        1 | 12 => 0.9,
        _ => 1.1,
    }
}

/// Splits `total` over the days by weight, exactly.
fn per_day(days: &[NaiveDate], total: usize) -> Vec<usize> {
    let weights: Vec<f64> = days.iter().map(|d| day_weight(*d)).collect();
    let sum: f64 = weights.iter().sum();
    let mut out = Vec::with_capacity(days.len());
    let mut acc = 0.0;
    let mut given = 0usize;
    for w in weights {
        acc += w / sum * total as f64;
        let upto = acc.round() as usize;
        out.push(upto.saturating_sub(given));
        given = upto.max(given);
    }
    out
}

fn category_for(age: i32, rng: &mut Rng) -> &'static str {
    match age {
        ..=6 => "child",
        7..=14 => {
            if rng.chance(0.7) {
                "pupil"
            } else {
                "child"
            }
        }
        15..=17 => "pupil",
        18..=23 => {
            if rng.chance(0.7) {
                "student"
            } else {
                "adult"
            }
        }
        63.. => "pensioner",
        _ => {
            if rng.chance(0.02) {
                "disabled"
            } else {
                "adult"
            }
        }
    }
}

pub(crate) fn plan<'a>(
    spec: &YearSpec,
    seed: u64,
    libraries: &'a [Library],
) -> anyhow::Result<World<'a>> {
    let mut rng = Rng::new(seed ^ 0x5EED_7EA2);
    let first = spec.first_day()?;
    let last = spec.last_day()?;
    let days: Vec<NaiveDate> = first.iter_days().take_while(|d| *d <= last).collect();
    let nlib = libraries.len();
    let mut w = World {
        libraries,
        seed,
        records: Vec::new(),
        copies: Vec::new(),
        accessions: Vec::new(),
        write_offs: Vec::new(),
        readers: Vec::new(),
        loans: Vec::new(),
        holds: Vec::new(),
        selections: Vec::new(),
        transfer_acts: Vec::new(),
        transfers: Vec::new(),
    };

    // Records: the catalogue generator's, prepared as the app stores them;
    // a share created in the year (for the year's acquisitions).
    let new_records = (spec.received / 2).min(spec.records / 2);
    let old_records = spec.records.max(1) - new_records;
    for n in 0..spec.records.max(1) {
        let prepared = prepare(marc_record(n as u64, Copies::Without), AreaRules::builtin())
            .map_err(|r| anyhow::anyhow!("generated record {n} rejected: {}", r.summary()))?;
        let d = prepared.derived;
        let created = if n < old_records {
            at(
                NaiveDate::from_ymd_opt(spec.year - 1 - rng.below(10) as i32, 3, 1)
                    .context("date")?,
                6,
                &mut rng,
            )
        } else {
            at(days[rng.below(days.len() - 20)], 5, &mut rng)
        };
        w.records.push(Record {
            id: Uuid::now_v7(),
            marc: prepared.marc,
            derived_title: d.title,
            sort_title: d.sort_title,
            main_author: d.main_author,
            dialect: d.dialect,
            record_type: d.record_type,
            year: d.year,
            language: d.language,
            kazakh: d.kazakh,
            bbk: d.bbk,
            udc: d.udc,
            knowledge_area: d.knowledge_area,
            area_rules_version: d.area_rules_version,
            warnings: d.warnings,
            created,
        });
    }

    // The fund at the start of the year: accession acts per library, year
    // and source.
    let mut old_acts = std::collections::HashMap::new();
    for _ in 0..spec.copies {
        let home = library(&mut rng, nlib);
        let year = spec.year - 1 - rng.below(25) as i32;
        let source = weighted(&mut rng, &SOURCES_OLD);
        let act = *old_acts.entry((home, year, source)).or_insert_with(|| {
            w.accessions.push(AccessionAct {
                id: Uuid::now_v7(),
                library: home,
                date: NaiveDate::from_ymd_opt(year, 4, 15).unwrap_or_default(),
                source,
                copies: Vec::new(),
            });
            w.accessions.len() - 1
        });
        let copy = w.copies.len();
        w.accessions[act].copies.push(copy);
        w.copies.push(Copy {
            id: Uuid::now_v7(),
            record: rng.below(old_records),
            home,
            material: weighted(&mut rng, &MATERIALS),
            price: 500 + 100 * rng.below(40) as i64,
            acquired: w.accessions[act].date,
            accession: act,
            write_off: None,
            free_from: first,
            reserved: false,
            on_loan_at_end: false,
        });
    }
    let initial = w.copies.len();

    // The year's acquisitions: acts per library, month and source.
    let mut new_acts = std::collections::HashMap::new();
    for _ in 0..spec.received {
        let home = library(&mut rng, nlib);
        let month = 1 + rng.below(11) as u32;
        let source = weighted(&mut rng, &SOURCES_NEW);
        let act = *new_acts.entry((home, month, source)).or_insert_with(|| {
            w.accessions.push(AccessionAct {
                id: Uuid::now_v7(),
                library: home,
                date: NaiveDate::from_ymd_opt(spec.year, month, 10).unwrap_or_default(),
                source,
                copies: Vec::new(),
            });
            w.accessions.len() - 1
        });
        let copy = w.copies.len();
        let date = w.accessions[act].date;
        w.accessions[act].copies.push(copy);
        let record = if new_records > 0 && rng.chance(0.5) {
            old_records + rng.below(new_records)
        } else {
            rng.below(old_records)
        };
        w.copies.push(Copy {
            id: Uuid::now_v7(),
            record,
            home,
            material: weighted(&mut rng, &MATERIALS),
            price: 1500 + 100 * rng.below(40) as i64,
            acquired: date,
            accession: act,
            write_off: None,
            free_from: date + Duration::days(1),
            reserved: false,
            on_loan_at_end: false,
        });
    }

    // Write-offs from the starting fund: acts per library, reason and month.
    let mut order: Vec<usize> = (0..initial).collect();
    rng.shuffle(&mut order);
    let mut picks = order.into_iter();
    let mut off_acts = std::collections::HashMap::new();
    for _ in 0..spec.written_off.min(initial / 2) {
        let Some(c) = picks.next() else { break };
        let lib = w.copies[c].home;
        let month = 1 + rng.below(12) as u32;
        let reason = weighted(&mut rng, &REASONS);
        let act = *off_acts.entry((lib, month, reason)).or_insert_with(|| {
            w.write_offs.push(WriteOffAct {
                id: Uuid::now_v7(),
                library: lib,
                date: NaiveDate::from_ymd_opt(spec.year, month, 20).unwrap_or_default(),
                reason,
                copies: Vec::new(),
            });
            w.write_offs.len() - 1
        });
        w.write_offs[act].copies.push(c);
        w.copies[c].write_off = Some(act);
        w.copies[c].reserved = true;
    }
    // The exchange's copies: at most one trip each, never lent at the desk
    // otherwise (one copy, one place at a time, without a position machine).
    let mut exchange_pool: Vec<usize> = Vec::new();
    let pool_size = (spec.transfers as f64 / 1.6).round() as usize;
    for c in picks.by_ref().take(pool_size) {
        w.copies[c].reserved = true;
        exchange_pool.push(c);
    }

    // Readers: registered in the year (a share of them new), and lapsed ones.
    let total_readers = spec.readers + spec.lapsed_readers;
    for n in 0..total_readers {
        let lapsed = n >= spec.readers;
        let age = match rng.below(100) {
            0..=34 => 3 + rng.below(12) as i32,
            35..=59 => 15 + rng.below(16) as i32,
            _ => 31 + rng.below(50) as i32,
        };
        let birth = NaiveDate::from_ymd_opt(
            spec.year - age,
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        )
        .context("birth date")?;
        let category = category_for(age, &mut rng);
        let home = library(&mut rng, nlib);
        // Re-registration mostly early in the year.
        let registered_on = if lapsed {
            NaiveDate::from_ymd_opt(spec.year - 1, 1 + rng.below(12) as u32, 5).context("date")?
        } else if rng.chance(0.5) {
            days[rng.below(60)]
        } else {
            days[rng.below(days.len() - 10)]
        };
        let created = if !lapsed && rng.chance(spec.new_share) {
            registered_on
        } else {
            NaiveDate::from_ymd_opt(spec.year - 1 - rng.below(8) as i32, 9, 1).context("date")?
        };
        w.readers.push(Reader {
            id: Uuid::now_v7(),
            birth,
            category,
            home,
            registered_on,
            created,
        });
    }
    let active: Vec<usize> = (0..spec.readers).collect();
    // Copies each library lends at the desk.
    let mut pools: Vec<Vec<usize>> = vec![Vec::new(); nlib];
    for (i, c) in w.copies.iter().enumerate() {
        if !c.reserved {
            pools[c.home].push(i);
        }
    }

    // Loans, day by day.
    let home_per_day = per_day(&days, spec.checkouts);
    let room_per_day = per_day(&days, spec.reading_room);
    for (di, day) in days.iter().enumerate() {
        let day = *day;
        for k in 0..home_per_day[di] + room_per_day[di] {
            let reading_room = k >= home_per_day[di];
            let Some(reader) = pick_reader(&mut rng, &active, &w.readers, day) else {
                continue;
            };
            let lib = if rng.chance(0.9) {
                w.readers[reader].home
            } else {
                rng.below(nlib)
            };
            let Some(copy) = pick_copy(&mut rng, &pools[lib], &w.copies, day) else {
                continue;
            };
            let loan = if reading_room {
                // Issued 07:00–08:59, back 09:00–10:59 the same day.
                Loan {
                    id: Uuid::now_v7(),
                    copy,
                    reader,
                    library: lib,
                    reading_room: true,
                    issued: at(day, 7 + rng.below(2) as u32, &mut rng),
                    due: day,
                    renewed: None,
                    returned: Some(at(day, 9 + rng.below(2) as u32, &mut rng)),
                }
            } else {
                // Issued 11:00–12:59; returned 04:00–06:59 on a later day.
                let issued = at(day, 11 + rng.below(2) as u32, &mut rng);
                let due = day + Duration::days(15);
                let keep = 1 + rng.below(24) as i64;
                let renew = rng.chance(spec.renewal_rate);
                let mut back = day + Duration::days(keep + if renew { 15 } else { 0 });
                let mut renewed = None;
                if renew {
                    let on = due - Duration::days(rng.below(3) as i64);
                    if on <= last && on > day {
                        renewed = Some((at(on, 10, &mut rng), on + Duration::days(15)));
                    } else {
                        back = day + Duration::days(keep);
                    }
                }
                let returned = if rng.chance(spec.unreturned_rate) || back > last {
                    None
                } else {
                    Some(at(back, 4 + rng.below(3) as u32, &mut rng))
                };
                Loan {
                    id: Uuid::now_v7(),
                    copy,
                    reader,
                    library: lib,
                    reading_room: false,
                    issued,
                    due,
                    renewed,
                    returned,
                }
            };
            let c = &mut w.copies[copy];
            if !loan.reading_room {
                match loan.returned {
                    Some(t) => c.free_from = t.date() + Duration::days(1),
                    None => {
                        c.free_from = NaiveDate::MAX;
                        c.on_loan_at_end = true;
                    }
                }
            }
            w.loans.push(loan);
        }
    }

    exchange(spec, &mut rng, &mut w, &days, exchange_pool)?;
    Ok(w)
}

fn pick_reader(
    rng: &mut Rng,
    active: &[usize],
    readers: &[Reader],
    day: NaiveDate,
) -> Option<usize> {
    for _ in 0..20 {
        // Skewed: some readers come often, most now and then.
        let r = active[rng.skewed(active.len())];
        if readers[r].registered_on <= day {
            return Some(r);
        }
    }
    None
}

fn pick_copy(rng: &mut Rng, pool: &[usize], copies: &[Copy], day: NaiveDate) -> Option<usize> {
    if pool.is_empty() {
        return None;
    }
    for _ in 0..10 {
        let c = pool[rng.below(pool.len())];
        if copies[c].free_from <= day {
            return Some(c);
        }
    }
    None
}

/// Hold trips (there and home again, with the loan at the pickup library
/// between), selections (lent and returned) and redistribution acts, all
/// completed within the year.
fn exchange(
    spec: &YearSpec,
    rng: &mut Rng,
    w: &mut World<'_>,
    days: &[NaiveDate],
    pool: Vec<usize>,
) -> anyhow::Result<()> {
    let nlib = w.libraries.len();
    let total = pool.len();
    // Each hold copy travels twice (there and home), each selection copy
    // twice, each redistributed copy once: with these shares the pool of
    // `transfers / 1.6` copies makes about `transfers` movements.
    let holds = total * 45 / 100;
    let selections = total * 15 / 100;
    // The pool by library: a selection or an act moves copies of one library.
    let mut by_lib: Vec<Vec<usize>> = vec![Vec::new(); nlib];
    for c in pool {
        by_lib[w.copies[c].home].push(c);
    }
    let active: Vec<usize> = (0..spec.readers).collect();
    // Trips start by the end of October, so everything is back by December.
    let latest = days.len().saturating_sub(62).max(1);
    let mut taken = 0;
    let mut misses = 0;
    while taken < holds && misses < 1000 {
        let start = days[rng.below(latest)];
        let Some(reader) = pick_reader(rng, &active, &w.readers, start) else {
            misses += 1;
            continue;
        };
        let pickup = w.readers[reader].home;
        let home = rng.below(nlib);
        if pickup == home {
            continue;
        }
        let Some(copy) = by_lib[home].pop() else {
            misses += 1;
            continue;
        };
        taken += 1;
        let placed = at(start, 4, rng);
        let arrived = at(start + Duration::days(1), 5, rng);
        let issued = at(start + Duration::days(2), 11, rng);
        let back = start + Duration::days(2 + 5 + rng.below(16) as i64);
        let returned = at(back, 4, rng);
        let hold = w.holds.len();
        w.holds.push(Hold {
            id: Uuid::now_v7(),
            reader,
            copy,
            pickup,
            placed,
            closed: issued,
        });
        w.transfers.push(Transfer {
            id: Uuid::now_v7(),
            copy,
            from: home,
            to: pickup,
            reason: Reason::Hold,
            hold: Some(hold),
            selection: None,
            act: None,
            dispatched: placed + Duration::minutes(70),
            received: arrived,
        });
        w.loans.push(Loan {
            id: Uuid::now_v7(),
            copy,
            reader,
            library: pickup,
            reading_room: false,
            issued,
            due: issued.date() + Duration::days(15),
            renewed: None,
            returned: Some(returned),
        });
        w.transfers.push(Transfer {
            id: Uuid::now_v7(),
            copy,
            from: pickup,
            to: home,
            reason: Reason::ReturnHome,
            hold: None,
            selection: None,
            act: None,
            dispatched: returned + Duration::hours(2),
            received: at(back + Duration::days(1), 6, rng),
        });
    }
    // Selections of up to 20 copies of one library lent to another.
    let mut left = selections;
    while left > 0 {
        let offset = rng.below(nlib);
        let Some(from) = (0..nlib)
            .map(|k| (k + offset) % nlib)
            .find(|l| !by_lib[*l].is_empty())
        else {
            break;
        };
        let to = (from + 1 + rng.below(nlib - 1)) % nlib;
        let start = days[rng.below(latest)];
        let n = left.min(20).min(by_lib[from].len());
        let keep = by_lib[from].len() - n;
        let copies: Vec<usize> = by_lib[from].split_off(keep);
        left -= copies.len();
        let s = Selection {
            id: Uuid::now_v7(),
            from,
            to,
            created: at(start, 4, rng),
            received: at(start + Duration::days(1), 6, rng),
            returned: at(start + Duration::days(30), 6, rng),
            closed: at(start + Duration::days(31), 7, rng),
            copies,
        };
        for &c in &s.copies {
            w.transfers.push(Transfer {
                id: Uuid::now_v7(),
                copy: c,
                from,
                to,
                reason: Reason::Selection,
                hold: None,
                selection: Some(w.selections.len()),
                act: None,
                dispatched: s.created + Duration::hours(1),
                received: s.received,
            });
            w.transfers.push(Transfer {
                id: Uuid::now_v7(),
                copy: c,
                from: to,
                to: from,
                reason: Reason::SelectionReturn,
                hold: None,
                selection: Some(w.selections.len()),
                act: None,
                dispatched: s.returned,
                received: s.closed,
            });
        }
        w.selections.push(s);
    }
    // Redistribution: whatever is left of the pool, in acts of up to 25
    // copies; the copies change library for good.
    for (from, copies) in by_lib.into_iter().enumerate() {
        for act in copies.chunks(25) {
            redistribute(rng, w, days, latest, from, act.to_vec());
        }
    }
    Ok(())
}

fn redistribute(
    rng: &mut Rng,
    w: &mut World<'_>,
    days: &[NaiveDate],
    latest: usize,
    from: usize,
    copies: Vec<usize>,
) {
    let nlib = w.libraries.len();
    let to = (from + 1 + rng.below(nlib - 1)) % nlib;
    let date = days[rng.below(latest)];
    let act = w.transfer_acts.len();
    for &c in &copies {
        w.copies[c].home = to;
        w.transfers.push(Transfer {
            id: Uuid::now_v7(),
            copy: c,
            from,
            to,
            reason: Reason::Redistribution,
            hold: None,
            selection: None,
            act: Some(act),
            dispatched: at(date, 5, rng),
            received: at(date + Duration::days(2), 6, rng),
        });
    }
    w.transfer_acts.push(TransferAct {
        id: Uuid::now_v7(),
        from,
        to,
        date,
        copies,
    });
}
