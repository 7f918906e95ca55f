//! Acts as files to print or file away: CSV (RFC 4180, UTF-8, for programs)
//! and XLSX (for Excel, where a CSV's separator and encoding depend on the
//! desktop's locale). Both have the same rows: header lines, one line per
//! copy, totals.

use std::str::FromStr;

use kitap_db::acts::{AccessionAct, ActHeader, ActLine, WriteOffAct};
use kitap_domain::{AccessionActId, Money, ValueError, WriteOffActId};
use rust_xlsxwriter::{Format, Workbook, XlsxError};

use super::acts::ActDetails;
use crate::{App, AppError, Principal};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl FromStr for ExportFormat {
    type Err = ValueError;

    fn from_str(raw: &str) -> Result<Self, ValueError> {
        match raw.to_ascii_lowercase().as_str() {
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            _ => Err(ValueError::new("format", "must be csv or xlsx")),
        }
    }
}

/// A rendered act.
#[derive(Debug, Clone)]
pub struct ActFile {
    /// ASCII-safe apart from the act number ("ҚА-2026-0001.xlsx").
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

const COLUMNS: [&str; 7] = [
    "No",
    "Inventory number",
    "Barcode",
    "Title",
    "Author",
    "Year",
    "Price",
];

/// What a printed act shows, whichever kind it is.
pub(crate) struct Printed<'a> {
    pub title: &'static str,
    pub header: &'a ActHeader,
    pub facts: Vec<(&'static str, String)>,
    pub lines: &'a [ActLine],
}

impl App {
    pub fn export_accession_act(
        &self,
        who: &Principal,
        id: AccessionActId,
        format: ExportFormat,
    ) -> Result<ActFile, AppError> {
        let d: ActDetails<AccessionAct> = self.accession_act(who, id)?;
        let mut facts = library_facts(&d.library);
        facts.push(("Source", d.act.source.as_str().to_owned()));
        facts.push(("Supplier", d.act.supplier.clone().unwrap_or_default()));
        facts.push(("Document", d.act.document_ref.clone().unwrap_or_default()));
        render(
            &Printed {
                title: "Accession act",
                header: &d.act.header,
                facts,
                lines: &d.lines,
            },
            format,
        )
    }

    pub fn export_write_off_act(
        &self,
        who: &Principal,
        id: WriteOffActId,
        format: ExportFormat,
    ) -> Result<ActFile, AppError> {
        let d: ActDetails<WriteOffAct> = self.write_off_act(who, id)?;
        let mut facts = library_facts(&d.library);
        facts.push(("Reason", d.act.reason.as_str().to_owned()));
        render(
            &Printed {
                title: "Write-off act",
                header: &d.act.header,
                facts,
                lines: &d.lines,
            },
            format,
        )
    }
}

fn library_facts(library: &kitap_db::branches::Branch) -> Vec<(&'static str, String)> {
    vec![("Library", format!("{} {}", library.code, library.name_kk))]
}

pub(crate) fn render(act: &Printed, format: ExportFormat) -> Result<ActFile, AppError> {
    let stem = act.header.number.replace(['/', '\\'], "-");
    match format {
        ExportFormat::Csv => Ok(ActFile {
            file_name: format!("{stem}.csv"),
            content_type: "text/csv; charset=utf-8",
            bytes: csv_bytes(act).map_err(|e| AppError::Internal(format!("act csv: {e}")))?,
        }),
        ExportFormat::Xlsx => Ok(ActFile {
            file_name: format!("{stem}.xlsx"),
            content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bytes: xlsx_bytes(act, &stem)
                .map_err(|e| AppError::Internal(format!("act xlsx: {e}")))?,
        }),
    }
}

/// The rows both formats share; `None` cells are empty.
fn header_rows(act: &Printed) -> Vec<(&'static str, String)> {
    let mut rows = vec![
        (act.title, act.header.number.clone()),
        ("Date", act.header.act_date.to_string()),
    ];
    rows.extend(act.facts.iter().cloned());
    if let Some(note) = &act.header.note {
        rows.push(("Note", note.clone()));
    }
    rows
}

fn line_cells(n: usize, line: &ActLine) -> [String; 7] {
    [
        n.to_string(),
        line.copy.inventory_number.to_string(),
        line.copy.barcode.to_string(),
        line.title.clone(),
        line.author.clone().unwrap_or_default(),
        line.year.map(|y| y.to_string()).unwrap_or_default(),
        line.price.map(|p| p.to_string()).unwrap_or_default(),
    ]
}

fn total_cells(act: &Printed) -> [String; 7] {
    let copies = format!("{} copies", act.header.copy_count);
    let empty = String::new;
    [
        "Total".to_owned(),
        copies,
        empty(),
        empty(),
        empty(),
        empty(),
        act.header.total.to_string(),
    ]
}

fn csv_bytes(act: &Printed) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    for (label, value) in header_rows(act) {
        out.write_record([label, value.as_str()])?;
    }
    out.write_record(COLUMNS)?;
    for (i, line) in act.lines.iter().enumerate() {
        out.write_record(line_cells(i + 1, line))?;
    }
    out.write_record(total_cells(act))?;
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

fn xlsx_bytes(act: &Printed, sheet: &str) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    let sheet_name: String = sheet
        .chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect();
    let ws = book.add_worksheet();
    ws.set_name(&sheet_name)?;
    let mut row = 0u32;
    for (label, value) in header_rows(act) {
        ws.write_string_with_format(row, 0, label, &bold)?;
        ws.write_string(row, 1, &value)?;
        row += 1;
    }
    row += 1;
    for (col, name) in (0u16..).zip(COLUMNS) {
        ws.write_string_with_format(row, col, name, &bold)?;
    }
    for (i, line) in act.lines.iter().enumerate() {
        row += 1;
        let cells = line_cells(i + 1, line);
        ws.write_number(row, 0, (i + 1) as f64)?;
        for (col, text) in (1u16..).zip(&cells[1..5]) {
            ws.write_string(row, col, text)?;
        }
        if let Some(year) = line.year {
            ws.write_number(row, 5, f64::from(year))?;
        }
        if let Some(price) = line.price {
            ws.write_number_with_format(row, 6, amount(price), &money)?;
        }
    }
    row += 1;
    ws.write_string_with_format(row, 0, "Total", &bold)?;
    ws.write_string_with_format(row, 1, format!("{} copies", act.header.copy_count), &bold)?;
    ws.write_number_with_format(row, 6, amount(act.header.total), &money.clone().set_bold())?;
    for (col, width) in (0u16..).zip([8.0, 18.0, 16.0, 48.0, 28.0, 8.0, 14.0]) {
        ws.set_column_width(col, width)?;
    }
    book.save_to_buffer()
}

/// Tenge for a spreadsheet cell; display rounds to the tiyn again.
fn amount(money: Money) -> f64 {
    money.minor() as f64 / 100.0
}
