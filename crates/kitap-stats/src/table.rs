//! A report table: what JSON, CSV and XLSX are rendered from.

use serde::{Serialize, Serializer};

/// One cell: a label, a count, a ratio (two decimals; `None` when the
/// denominator is zero) or an amount of money in minor units (tiyn),
/// shown in tenge.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(u64),
    Ratio(Option<f64>),
    Money(i64),
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    /// `num / den` rounded to two decimals.
    pub fn ratio(num: u64, den: u64) -> Cell {
        if den == 0 {
            return Cell::Ratio(None);
        }
        let value = num as f64 / den as f64;
        Cell::Ratio(Some((value * 100.0).round() / 100.0))
    }

    pub fn as_int(&self) -> Option<u64> {
        match self {
            Cell::Int(n) => Some(*n),
            _ => None,
        }
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Text(t) => s.serialize_str(t),
            Cell::Int(n) => s.serialize_u64(*n),
            Cell::Ratio(Some(r)) => s.serialize_f64(*r),
            Cell::Ratio(None) => s.serialize_none(),
            // Tenge with two decimals: exact in f64 far beyond any fund.
            Cell::Money(m) => s.serialize_f64(*m as f64 / 100.0),
        }
    }
}

impl std::fmt::Display for Cell {
    /// As in a CSV file: ratios with two decimals, an empty cell for none.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cell::Text(t) => f.write_str(t),
            Cell::Int(n) => write!(f, "{n}"),
            Cell::Ratio(Some(r)) => write!(f, "{r:.2}"),
            Cell::Ratio(None) => Ok(()),
            Cell::Money(m) => {
                let sign = if *m < 0 { "-" } else { "" };
                let m = m.unsigned_abs();
                write!(f, "{sign}{}.{:02}", m / 100, m % 100)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Stable identifier ("loans_by_area"), the sheet name in XLSX.
    pub id: String,
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(id: &str, title: &str, columns: Vec<String>) -> Table {
        Table {
            id: id.to_owned(),
            title: title.to_owned(),
            columns,
            rows: Vec::new(),
        }
    }

    /// The first row whose leading cells are the texts `keys`.
    pub fn row(&self, keys: &[&str]) -> Option<&[Cell]> {
        self.rows
            .iter()
            .find(|r| {
                keys.iter()
                    .enumerate()
                    .all(|(i, k)| matches!(r.get(i), Some(Cell::Text(t)) if t == k))
            })
            .map(Vec::as_slice)
    }

    /// The cell of column `column` in the row `keys` names.
    pub fn cell(&self, keys: &[&str], column: &str) -> Option<&Cell> {
        let at = self.columns.iter().position(|c| c == column)?;
        self.row(keys)?.get(at)
    }
}
