//! The annual bundle as one XLSX workbook laid out like the annual report:
//! a contents sheet, then a sheet per table (a row per library, then the
//! total; bold headers, the header rows frozen, columns sized to their
//! text), and native Excel charts of loans by month and by group.

use std::collections::HashSet;

use kitap_stats::{Cell, Table, TOTAL};
use rust_xlsxwriter::{Chart, ChartType, Format, Url, Workbook, Worksheet, XlsxError};

use super::annual::AnnualReport;

/// Rows above a table's data: its title and its column headers.
const HEAD: u32 = 2;

struct Formats {
    bold: Format,
    title: Format,
    ratio: Format,
    money: Format,
}

pub(crate) fn annual(report: &AnnualReport) -> Result<Vec<u8>, XlsxError> {
    let f = Formats {
        bold: Format::new().set_bold(),
        title: Format::new().set_bold().set_font_size(14),
        ratio: Format::new().set_num_format("0.00"),
        money: Format::new().set_num_format("#,##0.00"),
    };
    let mut book = Workbook::new();
    let sheets = sheet_names(report);
    contents(book.add_worksheet(), report, &sheets, &f)?;
    for (table, name) in report.reports.iter().flat_map(|r| &r.tables).zip(&sheets) {
        let ws = book.add_worksheet();
        ws.set_name(name)?;
        write_table(ws, table, &f)?;
        match table.id.as_str() {
            "loans_by_month" => month_chart(ws, name, table, report.year)?,
            "loans_by_area" => area_chart(ws, name, table, report.year)?,
            _ => {}
        }
    }
    book.save_to_buffer()
}

/// A sheet name per table: the table id, at most 31 characters, made
/// unique with a number should two tables share one.
fn sheet_names(report: &AnnualReport) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::from(["contents".to_owned()]);
    let mut out = Vec::new();
    for t in report.reports.iter().flat_map(|r| &r.tables) {
        let base: String = t.id.chars().take(28).collect();
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        out.push(name);
    }
    out
}

fn contents(
    ws: &mut Worksheet,
    report: &AnnualReport,
    sheets: &[String],
    f: &Formats,
) -> Result<(), XlsxError> {
    ws.set_name("contents")?;
    ws.write_string_with_format(0, 0, format!("Annual report {}", report.year), &f.title)?;
    let facts = [
        ("Year", report.year.to_string()),
        ("Period", format!("{} – {}", report.from, report.to)),
        ("Libraries", report.libraries.join(", ")),
        ("Generated at", report.generated_at.to_string()),
    ];
    for (row, (label, value)) in (2u32..).zip(facts) {
        ws.write_string_with_format(row, 0, label, &f.bold)?;
        ws.write_string(row, 1, value)?;
    }
    let first = 8u32;
    for (col, name) in (0u16..).zip(["Sheet", "Report", "Title"]) {
        ws.write_string_with_format(first - 1, col, name, &f.bold)?;
    }
    let tables = report
        .reports
        .iter()
        .flat_map(|r| r.tables.iter().map(move |t| (r.kind, t)));
    for ((row, (kind, table)), sheet) in (first..).zip(tables).zip(sheets) {
        let link = Url::new(format!("internal:'{sheet}'!A1")).set_text(sheet);
        ws.write_url(row, 0, link)?;
        ws.write_string(row, 1, kind.as_str())?;
        ws.write_string(row, 2, &table.title)?;
    }
    ws.set_column_width(0, 18)?;
    ws.set_column_width(1, 24)?;
    ws.set_column_width(2, 90)?;
    Ok(())
}

fn is_total(row: &[Cell]) -> bool {
    matches!(row.first(), Some(Cell::Text(t)) if t == TOTAL)
}

fn write_table(ws: &mut Worksheet, t: &Table, f: &Formats) -> Result<(), XlsxError> {
    ws.write_string_with_format(0, 0, &t.title, &f.title)?;
    let mut widths: Vec<usize> = t.columns.iter().map(|c| c.chars().count()).collect();
    for (col, name) in (0u16..).zip(&t.columns) {
        ws.write_string_with_format(1, col, name, &f.bold)?;
    }
    for (row, cells) in (HEAD..).zip(&t.rows) {
        let total = is_total(cells);
        for ((col, cell), width) in (0u16..).zip(cells).zip(widths.iter_mut()) {
            *width = (*width).max(cell.to_string().chars().count());
            match cell {
                Cell::Text(s) if total => ws.write_string_with_format(row, col, s, &f.bold)?,
                Cell::Text(s) => ws.write_string(row, col, s)?,
                Cell::Int(n) if total => {
                    ws.write_number_with_format(row, col, *n as f64, &f.bold)?
                }
                Cell::Int(n) => ws.write_number(row, col, *n as f64)?,
                Cell::Ratio(Some(r)) => ws.write_number_with_format(row, col, *r, &f.ratio)?,
                Cell::Ratio(None) => ws,
                Cell::Money(m) => {
                    ws.write_number_with_format(row, col, *m as f64 / 100.0, &f.money)?
                }
            };
        }
    }
    ws.set_freeze_panes(HEAD, 0)?;
    for (col, width) in (0u16..).zip(widths) {
        ws.set_column_width(col, (width + 2).clamp(8, 60) as f64)?;
    }
    Ok(())
}

/// The sheet row of the table's first row whose first cell is the total.
fn first_total_row(t: &Table) -> Option<u32> {
    let i = t.rows.iter().position(|r| is_total(r))?;
    u32::try_from(i).ok().map(|i| i + HEAD)
}

/// Total loans per month, under the table.
fn month_chart(ws: &mut Worksheet, sheet: &str, t: &Table, year: i32) -> Result<(), XlsxError> {
    let (Some(total), Ok(months)) = (
        first_total_row(t),
        u16::try_from(t.columns.len().saturating_sub(2)),
    ) else {
        return Ok(());
    };
    if months == 0 {
        return Ok(());
    }
    let mut chart = Chart::new(ChartType::Column);
    chart.title().set_name(&format!("Loans by month, {year}"));
    chart
        .add_series()
        .set_name("Loans")
        .set_categories((sheet, 1, 1, 1, months))
        .set_values((sheet, total, 1, total, months));
    chart.legend().set_hidden();
    ws.insert_chart(total + 3, 0, &chart)?;
    Ok(())
}

/// Every group's total loans stacked by language, beside the table.
fn area_chart(ws: &mut Worksheet, sheet: &str, t: &Table, year: i32) -> Result<(), XlsxError> {
    let Some(first) = first_total_row(t) else {
        return Ok(());
    };
    // The total block: one row per group, then "all".
    let groups = t
        .rows
        .iter()
        .filter(|r| is_total(r) && !matches!(r.get(1), Some(Cell::Text(g)) if g == "all"))
        .count() as u32;
    if groups == 0 {
        return Ok(());
    }
    let last = first + groups - 1;
    let mut chart = Chart::new(ChartType::ColumnStacked);
    chart
        .title()
        .set_name(&format!("Loans by knowledge group and language, {year}"));
    for lang in ["Kazakh", "Russian", "Other language"] {
        let Some(col) = t.columns.iter().position(|c| c == lang) else {
            continue;
        };
        let col = col as u16;
        chart
            .add_series()
            .set_name((sheet, 1, col))
            .set_categories((sheet, first, 2, last, 2))
            .set_values((sheet, first, col, last, col));
    }
    let right = t.columns.len() as u16 + 1;
    ws.insert_chart(HEAD, right, &chart)?;
    Ok(())
}
