//! Reports as files: CSV (UTF-8 with a byte-order mark, so Excel reads the
//! Cyrillic right; the tables one after another, each under its title) and
//! XLSX (a sheet per table).

use std::str::FromStr;

use kitap_domain::ValueError;
use kitap_stats::{Cell, Table};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::Report;
use crate::AppError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFormat {
    Json,
    Csv,
    Xlsx,
}

impl FromStr for ReportFormat {
    type Err = ValueError;

    fn from_str(raw: &str) -> Result<Self, ValueError> {
        match raw.to_ascii_lowercase().as_str() {
            "json" => Ok(ReportFormat::Json),
            "csv" => Ok(ReportFormat::Csv),
            "xlsx" => Ok(ReportFormat::Xlsx),
            _ => Err(ValueError::new("format", "must be json, csv or xlsx")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ReportFile {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

impl Report {
    fn stem(&self) -> String {
        format!("{}-{}-{}", self.kind.as_str(), self.from, self.to)
    }

    /// The report as CSV or XLSX (JSON is the API's own).
    pub fn file(&self, format: ReportFormat) -> Result<ReportFile, AppError> {
        match format {
            ReportFormat::Xlsx => Ok(ReportFile {
                file_name: format!("{}.xlsx", self.stem()),
                content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                bytes: xlsx(&self.tables)
                    .map_err(|e| AppError::Internal(format!("report xlsx: {e}")))?,
            }),
            ReportFormat::Csv | ReportFormat::Json => Ok(ReportFile {
                file_name: format!("{}.csv", self.stem()),
                content_type: "text/csv; charset=utf-8",
                bytes: csv(&self.tables)
                    .map_err(|e| AppError::Internal(format!("report csv: {e}")))?,
            }),
        }
    }
}

fn csv(tables: &[Table]) -> Result<Vec<u8>, csv::Error> {
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for (i, t) in tables.iter().enumerate() {
        if i > 0 {
            out.write_record([""])?;
        }
        out.write_record([t.title.as_str()])?;
        out.write_record(&t.columns)?;
        for row in &t.rows {
            out.write_record(row.iter().map(ToString::to_string))?;
        }
    }
    bytes.extend(
        out.into_inner()
            .map_err(|e| csv::Error::from(e.into_error()))?,
    );
    Ok(bytes)
}

fn xlsx(tables: &[Table]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let ratio = Format::new().set_num_format("0.00");
    let money = Format::new().set_num_format("#,##0.00");
    for t in tables {
        let ws = book.add_worksheet();
        // Sheet names: at most 31 characters; table ids are short ASCII.
        let name: String = t.id.chars().take(31).collect();
        ws.set_name(&name)?;
        ws.write_string_with_format(0, 0, &t.title, &bold)?;
        for (col, name) in (0u16..).zip(&t.columns) {
            ws.write_string_with_format(1, col, name, &bold)?;
        }
        for (row, cells) in (2u32..).zip(&t.rows) {
            for (col, cell) in (0u16..).zip(cells) {
                match cell {
                    Cell::Text(s) => ws.write_string(row, col, s)?,
                    Cell::Int(n) => ws.write_number(row, col, *n as f64)?,
                    Cell::Ratio(Some(r)) => ws.write_number_with_format(row, col, *r, &ratio)?,
                    Cell::Ratio(None) => ws,
                    Cell::Money(m) => {
                        ws.write_number_with_format(row, col, *m as f64 / 100.0, &money)?
                    }
                };
            }
        }
    }
    book.save_to_buffer()
}
