//! The bundle's charts as SVG, drawn with plotters' SVG backend only (no
//! bitmap backend, no system fonts: text stays text, so Cyrillic group
//! labels reach the file as XML-escaped UTF-8 and the viewer's fonts draw
//! them).

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

use kitap_stats::{Cell, Table, TOTAL};

use super::annual::Chart;

/// Values to draw: a category axis and one or more stacked series.
pub(crate) struct Series {
    pub categories: Vec<String>,
    pub series: Vec<(String, Vec<u64>)>,
}

fn int(cell: Option<&Cell>) -> u64 {
    cell.and_then(Cell::as_int).unwrap_or(0)
}

fn text(cell: Option<&Cell>) -> &str {
    match cell {
        Some(Cell::Text(t)) => t,
        _ => "",
    }
}

/// The total row's loans per month of a `loans_by_month` table.
fn by_month(t: &Table) -> Series {
    let months = t.columns.len().saturating_sub(2);
    let categories = t.columns.iter().skip(1).take(months).cloned().collect();
    let total = t.row(&[TOTAL]).unwrap_or(&[]);
    let values = (1..=months).map(|i| int(total.get(i))).collect();
    Series {
        categories,
        series: vec![("Loans".to_owned(), values)],
    }
}

/// The total rows of a `loans_by_area` table: each group's loans split by
/// language.
fn by_area(t: &Table) -> Series {
    let at = |name: &str| t.columns.iter().position(|c| c == name);
    let langs = ["Kazakh", "Russian", "Other language"];
    let rows: Vec<&Vec<Cell>> = t
        .rows
        .iter()
        .filter(|r| text(r.first()) == TOTAL && text(r.get(1)) != "all")
        .collect();
    let categories = rows.iter().map(|r| text(r.get(2)).to_owned()).collect();
    let series = langs
        .iter()
        .map(|lang| {
            let values = rows
                .iter()
                .map(|r| at(lang).map_or(0, |i| int(r.get(i))))
                .collect();
            ((*lang).to_owned(), values)
        })
        .collect();
    Series { categories, series }
}

/// What `chart` shows of `table`.
pub(crate) fn series(chart: Chart, table: &Table) -> Series {
    match chart {
        Chart::LoansByMonth => by_month(table),
        Chart::LoansByArea => by_area(table),
    }
}

const COLOURS: [RGBColor; 3] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
];

pub(crate) fn svg(chart: Chart, table: &Table, year: i32) -> Result<String, String> {
    let title = match chart {
        Chart::LoansByMonth => format!("Loans by month, {year}"),
        Chart::LoansByArea => format!("Loans by knowledge group and language, {year}"),
    };
    columns(&title, &series(chart, table)).map_err(|e| e.to_string())
}

type DrawResult<T> = Result<T, DrawingAreaErrorKind<std::io::Error>>;

/// A column chart, the series stacked on each other.
fn columns(title: &str, data: &Series) -> DrawResult<String> {
    let n = data.categories.len().max(1);
    let height = |i: usize| -> u64 {
        data.series
            .iter()
            .map(|(_, v)| v.get(i).copied().unwrap_or(0))
            .sum()
    };
    let top = (0..n).map(height).max().unwrap_or(0);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (960, 540)).into_drawing_area();
        root.fill(&WHITE)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d((0..n).into_segmented(), 0u64..(top + top / 10 + 1))?;
        let label = |v: &SegmentValue<usize>| match v {
            SegmentValue::Exact(i) | SegmentValue::CenterOf(i) => {
                data.categories.get(*i).cloned().unwrap_or_default()
            }
            SegmentValue::Last => String::new(),
        };
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&label)
            .y_desc("Loans")
            .draw()?;
        let mut base = vec![0u64; n];
        for (k, (name, values)) in data.series.iter().enumerate() {
            let colour = COLOURS[k % COLOURS.len()];
            let mut bars = Vec::with_capacity(n);
            for (i, b) in base.iter_mut().enumerate() {
                let v = values.get(i).copied().unwrap_or(0);
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), *b),
                        (SegmentValue::Exact(i + 1), *b + v),
                    ],
                    colour.filled(),
                );
                bar.set_margin(0, 0, 6, 6);
                bars.push(bar);
                *b += v;
            }
            chart
                .draw_series(bars)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], colour.filled())
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE)
            .border_style(BLACK)
            .draw()?;
        root.present()?;
    }
    Ok(out)
}
