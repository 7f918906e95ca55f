//! A generated year of library activity for the statistics bench (issue
//! #8): the seeded libraries' fund (records, copies with accession acts),
//! readers, a year of loans with their circulation events, write-off acts
//! and exchange movements, written in bulk beside each other so that the
//! annual report can be produced from them and its totals compared with
//! the counts the generator knows ([`KnownCounts`]).
//!
//! Everything is planned in memory first (`plan`), then written with
//! multi-row INSERTs through `Db::execute_script` (`write`), the same SQL on
//! both backends, like the circulation bench's history: the use cases would
//! take hours for a year of a 21-library system. The rows are what the use
//! cases write: records go through the app's own `prepare` (derived
//! columns under the built-in knowledge-area rules, canonical ISO 2709),
//! and every circulation event carries the reader's category and age band
//! (of the spec's bands) on the event's day, the copy's material
//! type and the record's language, Kazakh flag and knowledge area, as
//! `kitap-app`'s `circulation::events::write` stores them.
//!
//! Times: every event falls between 04:00 and 13:00 UTC (09:00–18:00 in
//! Karaganda, UTC+5), so an event's day is the same in UTC and local time.

mod check;
mod counts;
mod plan;
mod write;

use std::time::Instant;

use anyhow::{bail, Context};
use chrono::NaiveDate;
use kitap_app::Db;

pub use check::{check_bundle, mismatch_table, Check};
pub use counts::{KnownCounts, LibraryCounts};

use crate::circ::sqlcli::rows;

/// How much a year holds. `karaganda()` is the 2023 report's scale.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct YearSpec {
    /// The calendar year generated.
    pub year: i32,
    /// Copies in the fund at the start of the year.
    pub copies: usize,
    /// Bibliographic records those copies belong to.
    pub records: usize,
    /// Copies received in the year (accession acts of the year).
    pub received: usize,
    /// Copies written off in the year.
    pub written_off: usize,
    /// Readers registered (or re-registered) in the year.
    pub readers: usize,
    /// Share of those readers who are new (first registered in the year).
    pub new_share: f64,
    /// Readers registered only in earlier years (not counted in the year).
    pub lapsed_readers: usize,
    /// Home checkouts planned over the year (renewals come on top).
    pub checkouts: usize,
    /// Reading-room issues planned.
    pub reading_room: usize,
    /// The chance that a home loan is renewed once.
    pub renewal_rate: f64,
    /// The chance that a home loan is never returned (a debtor).
    pub unreturned_rate: f64,
    /// Exchange transfers planned (hold trips and their returns home,
    /// selections and their returns, redistribution).
    pub transfers: usize,
    /// The age bands (`[statistics] child_max_age`, `youth_max_age`) the
    /// events are banded by, as the app configured alike would band them.
    pub child_max_age: u32,
    pub youth_max_age: u32,
}

impl YearSpec {
    /// The Karaganda system in 2023: 21 libraries, ~413k copies, ~39k
    /// readers, ~760k checkouts + renewals + reading-room issues, ~6k
    /// acquisitions, ~57k write-offs, ~12k exchange transfers.
    pub fn karaganda() -> YearSpec {
        YearSpec {
            year: 2023,
            copies: 413_000,
            records: 100_000,
            received: 6_000,
            written_off: 57_000,
            readers: 39_000,
            new_share: 0.3,
            lapsed_readers: 6_000,
            checkouts: 480_000,
            reading_room: 190_000,
            renewal_rate: 0.19,
            unreturned_rate: 0.02,
            transfers: 12_000,
            child_max_age: 14,
            youth_max_age: 30,
        }
    }

    /// The Karaganda year scaled by `factor` (every count, at least one).
    pub fn scaled(factor: f64) -> YearSpec {
        let full = YearSpec::karaganda();
        let s = |n: usize| ((n as f64 * factor).round() as usize).max(1);
        YearSpec {
            copies: s(full.copies),
            records: s(full.records),
            received: s(full.received),
            written_off: s(full.written_off),
            readers: s(full.readers),
            lapsed_readers: s(full.lapsed_readers),
            checkouts: s(full.checkouts),
            reading_room: s(full.reading_room),
            transfers: s(full.transfers),
            ..full
        }
    }

    pub(crate) fn first_day(&self) -> anyhow::Result<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, 1, 1).context("year out of range")
    }

    pub(crate) fn last_day(&self) -> anyhow::Result<NaiveDate> {
        NaiveDate::from_ymd_opt(self.year, 12, 31).context("year out of range")
    }

    pub(crate) fn age_bands(&self) -> anyhow::Result<kitap_circulation::AgeBands> {
        kitap_circulation::AgeBands::new(self.child_max_age, self.youth_max_age)
            .map_err(|e| anyhow::anyhow!("age bands: {e}"))
    }
}

/// A library as seeded: its id and code.
#[derive(Debug, Clone)]
pub(crate) struct Library {
    pub id: String,
    pub code: String,
}

/// Writes a year of activity into `db` (migrated, the libraries seeded,
/// no earlier generated year in it) and returns what it wrote.
pub fn generate_year(db: &Db, spec: &YearSpec, seed: u64) -> anyhow::Result<KnownCounts> {
    let libraries: Vec<Library> = rows(db.url(), "SELECT id, code FROM branches ORDER BY code")?
        .into_iter()
        .filter_map(|r| match r.as_slice() {
            [id, code] => Some(Library {
                id: id.clone(),
                code: code.clone(),
            }),
            _ => None,
        })
        .collect();
    if libraries.len() < 2 {
        bail!("the libraries are not seeded (found {})", libraries.len());
    }
    let t = Instant::now();
    let world = plan::plan(spec, seed, &libraries)?;
    let planned = t.elapsed().as_secs_f64();
    let counts = counts::count(spec, &world)?;
    let t = Instant::now();
    write::write(db, &world, &spec.age_bands()?)?;
    db.execute_script("ANALYZE").context("ANALYZE")?;
    if std::env::var_os("KITAP_YEAR_VERBOSE").is_some() {
        eprintln!(
            "year planned in {planned:.1} s, written in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    Ok(counts)
}
