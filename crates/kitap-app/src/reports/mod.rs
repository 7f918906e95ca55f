//! Statistics reports (issue #8): the facts of a period loaded from the
//! immutable logs in chunks, aggregated by kitap-stats under the configured
//! `[statistics]` definitions, rendered as JSON, CSV or XLSX; and the event
//! attendance staff enter for the visits report.

mod annual;
mod area_rules;
mod attendance;
mod charts;
mod facts;
mod fund;
mod remote;
mod render;
mod workbook;

use std::str::FromStr;

use chrono::{Duration, NaiveDate, NaiveTime};
use kitap_circulation::AgeBands;
use kitap_db::stats::{self, EventFact};
use kitap_db::{branches, DbConnection};
use kitap_domain::{BranchId, Role, Timestamp, ValueError};
use kitap_stats::{
    AttendanceFact, CirculationFact, Definitions, LoanFact, ReaderFact, RecordFact, Scope, Table,
};

use facts::Facts;

pub use annual::{AnnualReport, Chart, YEARS};
pub use area_rules::AreaRulesInfo;
pub use attendance::NewAttendance;
pub use kitap_db::stats::Attendance;
pub use kitap_stats::{Cell, Table as ReportTable};
pub use render::{ReportFile, ReportFormat};

use crate::{App, AppError, Principal};

/// Who reads reports.
pub(crate) const READERS_OF_REPORTS: &[Role] = &[Role::Manager, Role::Admin];

/// Rows loaded per query: a year of a city system is read in chunks.
pub(crate) const CHUNK: i64 = 5_000;

/// The reports there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Loans,
    Visits,
    Readers,
    Ecatalog,
    Debtors,
    Fund,
    Exchange,
    Ratios,
}

impl ReportKind {
    /// Every kind, in the order of the annual bundle.
    pub const ALL: &'static [ReportKind] = &[
        ReportKind::Loans,
        ReportKind::Visits,
        ReportKind::Readers,
        ReportKind::Ecatalog,
        ReportKind::Debtors,
        ReportKind::Fund,
        ReportKind::Exchange,
        ReportKind::Ratios,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Loans => "loans",
            ReportKind::Visits => "visits",
            ReportKind::Readers => "readers",
            ReportKind::Ecatalog => "ecatalog",
            ReportKind::Debtors => "debtors",
            ReportKind::Fund => "fund",
            ReportKind::Exchange => "exchange",
            ReportKind::Ratios => "ratios",
        }
    }
}

impl FromStr for ReportKind {
    type Err = AppError;

    /// An unknown kind is a report nobody has: 404 `report_not_found`.
    fn from_str(raw: &str) -> Result<Self, AppError> {
        match raw {
            "loans" => Ok(ReportKind::Loans),
            "visits" => Ok(ReportKind::Visits),
            "readers" => Ok(ReportKind::Readers),
            "ecatalog" => Ok(ReportKind::Ecatalog),
            "debtors" => Ok(ReportKind::Debtors),
            "fund" => Ok(ReportKind::Fund),
            "exchange" => Ok(ReportKind::Exchange),
            "ratios" => Ok(ReportKind::Ratios),
            _ => Err(AppError::NotFound { entity: "report" }),
        }
    }
}

/// A computed report.
#[derive(Debug, Clone)]
pub struct Report {
    pub kind: ReportKind,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The codes of the libraries covered, in row order.
    pub libraries: Vec<String>,
    pub tables: Vec<Table>,
}

/// The instant a Karaganda day starts: reports count local days, like
/// the desk's "today".
pub(crate) fn start_of(day: NaiveDate) -> Timestamp {
    let offset = Duration::seconds(i64::from(crate::circulation::LOCAL_OFFSET_SECONDS));
    Timestamp::from_utc(day.and_time(NaiveTime::MIN).and_utc() - offset)
}

fn circulation_fact(e: EventFact) -> CirculationFact {
    CirculationFact {
        day: crate::circulation::local_day(e.at.utc()),
        library: e.branch_id,
        reader: e.reader_id,
        kind: e.kind,
        loan_kind: e.loan_kind,
        reader_category: e.reader_category,
        age_band: e.age_band,
        material_type: e.material_type,
        kazakh: e.kazakh,
        language: e.language,
        knowledge_area: e.knowledge_area,
    }
}

/// Days of circulation read per query: a week of a city system is tens of
/// thousands of events, a year of them never one result set.
const WINDOW_DAYS: i64 = 7;

/// The circulation facts of `scope`, week by week.
pub(crate) fn load_circulation(
    conn: &mut DbConnection,
    scope: &Scope,
) -> Result<Vec<CirculationFact>, AppError> {
    let ids: Vec<BranchId> = scope.libraries.iter().map(|(id, _)| *id).collect();
    let end = next_day(scope.to)?;
    let mut out = Vec::new();
    let mut start = scope.from;
    while start < end {
        let until = start
            .checked_add_signed(Duration::days(WINDOW_DAYS))
            .map_or(end, |d| d.min(end));
        let window = stats::event_facts(conn, start_of(start), start_of(until), &ids)?;
        out.extend(window.into_iter().map(circulation_fact));
        start = until;
    }
    Ok(out)
}

fn load_attendance(
    conn: &mut DbConnection,
    scope: &Scope,
) -> Result<Vec<AttendanceFact>, AppError> {
    let ids: Vec<BranchId> = scope.libraries.iter().map(|(id, _)| *id).collect();
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let chunk = stats::attendance(conn, scope.from, scope.to, &ids, after, CHUNK)?;
        let full = chunk.len() as i64 == CHUNK;
        after = chunk.last().map(|a| a.id);
        out.extend(chunk.into_iter().map(|a| AttendanceFact {
            day: a.held_on,
            library: a.branch_id,
            attendees: u64::from(a.attendees),
        }));
        if !full {
            return Ok(out);
        }
    }
}

/// Registered readers, with the category they have now and the age band
/// (of the configured `bands`) of the period's last day.
fn load_readers(
    conn: &mut DbConnection,
    scope: &Scope,
    bands: &AgeBands,
) -> Result<Vec<ReaderFact>, AppError> {
    let ids: Vec<BranchId> = scope.libraries.iter().map(|(id, _)| *id).collect();
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let chunk = stats::registrations(conn, scope.from, scope.to, &ids, after, CHUNK)?;
        let full = chunk.len() as i64 == CHUNK;
        after = chunk.last().map(|r| r.reader_id);
        out.extend(chunk.into_iter().map(|r| ReaderFact {
            reader: r.reader_id,
            library: r.home_branch_id,
            registered_on: r.registered_on,
            registered_until: r.registered_until,
            first_registered_on: crate::circulation::local_day(r.created_at.utc()),
            category: r.category,
            age_band: bands.band_for(r.birth_date, scope.to),
        }));
        if !full {
            return Ok(out);
        }
    }
}

/// The day after `day`: the exclusive end of a period.
pub(crate) fn next_day(day: NaiveDate) -> Result<NaiveDate, AppError> {
    day.succ_opt()
        .ok_or_else(|| ValueError::new("to", "is too far in the future").into())
}

/// The loans overdue at the end of the period or of the same period a
/// year earlier (each loan once), with local days.
fn load_loans(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<LoanFact>, AppError> {
    let ids: Vec<BranchId> = scope.libraries.iter().map(|(id, _)| *id).collect();
    let earlier = kitap_stats::year_earlier(scope);
    let day = |t: Timestamp| crate::circulation::local_day(t.utc());
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for end in [scope.to, earlier.to] {
        for l in stats::overdue_at(conn, end, start_of(next_day(end)?), &ids)? {
            if !seen.insert(l.id) {
                continue;
            }
            let closed = match (l.returned_at, l.lost_at) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            out.push(LoanFact {
                reader: l.reader_id,
                library: l.branch_id,
                issued_on: day(l.issued_at),
                due_on: l.due_on,
                closed_on: closed.map(day),
            });
        }
    }
    Ok(out)
}

/// The active records of the catalogue created by the period end.
fn load_records(conn: &mut DbConnection, scope: &Scope) -> Result<Vec<RecordFact>, AppError> {
    let until = start_of(next_day(scope.to)?);
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let chunk = stats::catalogue_records(conn, until, after, CHUNK)?;
        let full = chunk.len() as i64 == CHUNK;
        after = chunk.last().map(|r| r.id);
        out.extend(chunk.into_iter().map(|r| RecordFact {
            created_on: crate::circulation::local_day(r.created_at.utc()),
            record_type: r.record_type,
            kazakh: r.kazakh,
            language: r.language,
        }));
        if !full {
            return Ok(out);
        }
    }
}

/// The libraries a report covers: those asked for, or every active one,
/// in code order.
fn scope_of(
    conn: &mut DbConnection,
    from: NaiveDate,
    to: NaiveDate,
    libraries: &[BranchId],
) -> Result<Scope, AppError> {
    let mut all = branches::list(conn)?;
    all.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    let chosen = all
        .into_iter()
        .filter(|b| match libraries.is_empty() {
            true => b.active,
            false => libraries.contains(&b.id),
        })
        .map(|b| (b.id, b.code.to_string()))
        .collect();
    Scope::new(from, to, chosen).map_err(|e| ValueError::new("to", e.to_string()).into())
}

/// The tables of report `kind` from the request's facts.
fn tables_of(
    kind: ReportKind,
    facts: &mut Facts<'_>,
    defs: &Definitions,
) -> Result<Vec<Table>, AppError> {
    let scope = facts.scope.clone();
    Ok(match kind {
        ReportKind::Loans => {
            let events = facts.circulation()?;
            let mut tables = kitap_stats::loans(&events, &scope, defs);
            tables.push(kitap_stats::loans_by_month(&events, &scope, defs));
            tables
        }
        ReportKind::Visits => vec![kitap_stats::visits(
            &facts.circulation()?,
            &facts.attendance()?,
            &scope,
        )],
        ReportKind::Readers => vec![kitap_stats::readers(
            &facts.readers()?,
            &facts.circulation()?,
            &facts.attendance()?,
            &facts.self_service()?,
            &scope,
            defs,
        )],
        ReportKind::Ecatalog => vec![kitap_stats::ecatalog(&facts.records()?, &scope)],
        ReportKind::Debtors => vec![kitap_stats::debtors(
            &facts.loans()?,
            &facts.readers()?,
            &scope,
        )],
        ReportKind::Fund => kitap_stats::fund(&*facts.fund()?, &scope),
        ReportKind::Exchange => vec![kitap_stats::exchange(&facts.exchange()?, &scope)],
        ReportKind::Ratios => {
            // The ratios divide by registered readers: remote use is not read.
            let readers = kitap_stats::readers(
                &facts.readers()?,
                &facts.circulation()?,
                &facts.attendance()?,
                &[],
                &scope,
                defs,
            );
            let held = kitap_stats::held_at_end(&*facts.fund()?, &scope);
            vec![kitap_stats::ratios(&readers, &held, &scope)]
        }
    })
}

impl App {
    /// Report `kind` for the days `from..=to` and `libraries` (every active
    /// library when empty). Managers and administrators.
    pub fn report(
        &self,
        who: &Principal,
        kind: ReportKind,
        from: NaiveDate,
        to: NaiveDate,
        libraries: Vec<BranchId>,
    ) -> Result<Report, AppError> {
        who.require_role(READERS_OF_REPORTS)?;
        if to < from {
            return Err(ValueError::new("to", "must not be before from").into());
        }
        let defs = self.statistics;
        self.db.read(|conn| {
            let scope = scope_of(conn, from, to, &libraries)?;
            let mut facts = Facts::new(conn, scope.clone(), self.age_bands);
            let tables = tables_of(kind, &mut facts, &defs)?;
            Ok(Report {
                kind,
                from,
                to,
                libraries: scope.libraries.into_iter().map(|(_, code)| code).collect(),
                tables,
            })
        })
    }
}
