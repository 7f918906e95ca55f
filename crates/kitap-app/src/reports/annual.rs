//! The annual report bundle (issue #8, point 3): every report's tables for
//! one calendar year, computed in one read from one set of facts, as JSON,
//! one XLSX workbook laid out like the annual report, and SVG charts.

use std::ops::RangeInclusive;
use std::str::FromStr;

use chrono::NaiveDate;
use kitap_domain::{BranchId, Timestamp, ValueError};
use kitap_stats::Table;

use super::facts::Facts;
use super::{scope_of, tables_of, Report, ReportFile, ReportKind, READERS_OF_REPORTS};
use crate::{App, AppError, Principal};

/// The years a bundle may be asked for.
pub const YEARS: RangeInclusive<i32> = 1900..=2999;

/// Every report of a calendar year (Karaganda local days, 1 January to
/// 31 December), for a set of libraries.
#[derive(Debug, Clone)]
pub struct AnnualReport {
    pub year: i32,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The codes of the libraries covered, in row order.
    pub libraries: Vec<String>,
    pub generated_at: Timestamp,
    /// One per report kind, in `ReportKind::ALL` order.
    pub reports: Vec<Report>,
}

impl AnnualReport {
    /// The table `id` of any report in the bundle.
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.reports
            .iter()
            .flat_map(|r| &r.tables)
            .find(|t| t.id == id)
    }

    /// The bundle as one workbook: a contents sheet, a sheet per table,
    /// and native charts of loans by month and by group and language.
    pub fn xlsx(&self) -> Result<ReportFile, AppError> {
        Ok(ReportFile {
            file_name: format!("annual-{}.xlsx", self.year),
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes: super::workbook::annual(self)
                .map_err(|e| AppError::Internal(format!("annual xlsx: {e}")))?,
        })
    }

    /// One of the bundle's charts as an SVG document.
    pub fn chart_svg(&self, chart: Chart) -> Result<String, AppError> {
        let table = self
            .table(chart.table_id())
            .ok_or(AppError::NotFound { entity: "chart" })?;
        super::charts::svg(chart, table, self.year)
            .map_err(|e| AppError::Internal(format!("chart {}: {e}", chart.file_name())))
    }
}

/// The charts of the bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// Loans per calendar month, all libraries together.
    LoansByMonth,
    /// Loans by knowledge group, stacked by language.
    LoansByArea,
}

impl Chart {
    pub const ALL: [Chart; 2] = [Chart::LoansByMonth, Chart::LoansByArea];

    /// The table the chart draws.
    pub fn table_id(self) -> &'static str {
        match self {
            Chart::LoansByMonth => "loans_by_month",
            Chart::LoansByArea => "loans_by_area",
        }
    }

    pub fn file_name(self) -> &'static str {
        match self {
            Chart::LoansByMonth => "loans_by_month.svg",
            Chart::LoansByArea => "loans_by_area.svg",
        }
    }
}

impl FromStr for Chart {
    type Err = AppError;

    /// `loans_by_month.svg` or `loans_by_area.svg`; anything else is a
    /// chart nobody draws: 404 `chart_not_found`.
    fn from_str(raw: &str) -> Result<Chart, AppError> {
        Chart::ALL
            .into_iter()
            .find(|c| c.file_name() == raw)
            .ok_or(AppError::NotFound { entity: "chart" })
    }
}

/// 1 January to 31 December of `year`, refused outside [`YEARS`].
fn year_days(year: i32) -> Result<(NaiveDate, NaiveDate), AppError> {
    let bad = || ValueError::new("year", "must be a year from 1900 to 2999");
    if !YEARS.contains(&year) {
        return Err(bad().into());
    }
    let from = NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(bad)?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31).ok_or_else(bad)?;
    Ok((from, to))
}

impl App {
    /// Every report for the calendar `year` at `libraries` (every active
    /// library when empty). Managers and administrators.
    pub fn annual_report(
        &self,
        who: &Principal,
        year: i32,
        libraries: Vec<BranchId>,
    ) -> Result<AnnualReport, AppError> {
        who.require_role(READERS_OF_REPORTS)?;
        self.bundle(year, libraries, ReportKind::ALL)
    }

    /// The same without a logged-in manager: `kitap report annual`, run by
    /// whoever holds the database.
    pub fn annual_report_as_operator(
        &self,
        year: i32,
        libraries: Vec<BranchId>,
    ) -> Result<AnnualReport, AppError> {
        self.bundle(year, libraries, ReportKind::ALL)
    }

    /// One chart of the bundle, computing only the report it draws.
    pub fn annual_chart(
        &self,
        who: &Principal,
        year: i32,
        libraries: Vec<BranchId>,
        chart: Chart,
    ) -> Result<String, AppError> {
        who.require_role(READERS_OF_REPORTS)?;
        self.bundle(year, libraries, &[ReportKind::Loans])?
            .chart_svg(chart)
    }

    fn bundle(
        &self,
        year: i32,
        libraries: Vec<BranchId>,
        kinds: &[ReportKind],
    ) -> Result<AnnualReport, AppError> {
        let (from, to) = year_days(year)?;
        let defs = self.statistics;
        self.db.read(|conn| {
            let scope = scope_of(conn, from, to, &libraries)?;
            let codes: Vec<String> = scope.libraries.iter().map(|(_, c)| c.clone()).collect();
            let mut facts = Facts::new(conn, scope, self.age_bands);
            let mut reports = Vec::with_capacity(kinds.len());
            for kind in kinds {
                let started = std::time::Instant::now();
                let tables = tables_of(*kind, &mut facts, &defs)?;
                tracing::debug!(
                    kind = kind.as_str(),
                    seconds = started.elapsed().as_secs_f64(),
                    "annual report: report done (its facts loaded on first use)"
                );
                reports.push(Report {
                    kind: *kind,
                    from,
                    to,
                    libraries: codes.clone(),
                    tables,
                });
            }
            Ok(AnnualReport {
                year,
                from,
                to,
                libraries: codes,
                generated_at: Timestamp::now(),
                reports,
            })
        })
    }
}
