//! IRBIS64 exemplar fields (910, one per copy or copy group) to copy
//! specifications for import (kz-domain.md §1.5, `ExemplarInfo.cs`).
//!
//! Only the parsing happens here; whether a copy is created, merged or
//! refused is the import use case's decision. Each 910 gives its own
//! result, so one bad price does not lose the other copies of the record.

use kitap_marc::{Dialect, Field, Record};
use serde::{Deserialize, Serialize};

/// What an IRBIS status code (910^a) suggests for the copy's status in
/// Kitap. A hint, not a decision: several codes are uncertain (§6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CopyStatusHint {
    /// "0": free, on the shelf.
    Available,
    /// "1": lent to a reader.
    OnLoan,
    /// "4": lost.
    Lost,
    /// "6": written off.
    Withdrawn,
    /// "3": at the bindery.
    InRepair,
    /// Not produced by any IRBIS code; kept so the set matches Kitap's statuses.
    Missing,
    /// "5": temporarily not lent ("временно не выдаётся"): the copy is in the
    /// library but may not go home, which is what reading-room-only means.
    ReadingRoomOnly,
    /// "2" (ordered, not yet arrived) and "8" (arrived, not yet at its
    /// location): on the way.
    InTransit,
    /// "9" (reserved: the source does not say whether that is a reserve fund
    /// or a hold), the group-accounting codes "C" and "U" (not one copy),
    /// "P" (bound into another volume), "R", anything else, or no code.
    Unknown,
}

impl CopyStatusHint {
    /// The hint for a raw 910^a value.
    pub fn from_irbis(code: Option<&str>) -> CopyStatusHint {
        match code.map(str::trim) {
            Some("0") => CopyStatusHint::Available,
            Some("1") => CopyStatusHint::OnLoan,
            Some("2") | Some("8") => CopyStatusHint::InTransit,
            Some("3") => CopyStatusHint::InRepair,
            Some("4") => CopyStatusHint::Lost,
            Some("5") => CopyStatusHint::ReadingRoomOnly,
            Some("6") => CopyStatusHint::Withdrawn,
            _ => CopyStatusHint::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CopyStatusHint::Available => "available",
            CopyStatusHint::OnLoan => "on_loan",
            CopyStatusHint::Lost => "lost",
            CopyStatusHint::Withdrawn => "withdrawn",
            CopyStatusHint::InRepair => "in_repair",
            CopyStatusHint::Missing => "missing",
            CopyStatusHint::ReadingRoomOnly => "reading_room_only",
            CopyStatusHint::InTransit => "in_transit",
            CopyStatusHint::Unknown => "unknown",
        }
    }
}

/// A calendar date without a time zone (IRBIS writes YYYYMMDD).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SimpleDate {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

/// One copy (or copy group) as the 910 field describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopySpec {
    /// ^a as written.
    pub status_code: Option<String>,
    pub status: CopyStatusHint,
    /// ^b.
    pub inventory_number: Option<String>,
    /// ^h (barcode or RFID).
    pub barcode: Option<String>,
    /// ^d (место хранения: branch or department).
    pub location: Option<String>,
    /// ^e in tiyn (1/100 tenge).
    pub price_minor: Option<i64>,
    /// ^c.
    pub acquisition_date: Option<SimpleDate>,
    /// ^f (acquisition channel), as written.
    pub acquisition_channel: Option<String>,
    /// ^1: the number of copies when the field accounts for a group.
    pub group_count: Option<u32>,
    /// Every other subfield, in field order (^u KSU number, ^!, ^q, ...).
    pub other: Vec<(char, String)>,
}

/// A 910 field that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("910 #{occurrence}{}: {message}", subfield.map(|c| format!("^{c}")).unwrap_or_default())]
pub struct CopySpecError {
    /// 0-based among the record's 910 fields.
    pub occurrence: usize,
    pub subfield: Option<char>,
    pub message: String,
}

/// Reads every 910 of an IRBIS/RUSMARC-family record. MARC 21 records give
/// nothing: there 910 is a local field with other meanings (the Horizon
/// and UVa records in the corpus keep bib numbers and call numbers in it).
pub fn copies_from_910(record: &Record) -> Vec<Result<CopySpec, CopySpecError>> {
    if record.dialect == Dialect::Marc21 {
        return Vec::new();
    }
    record
        .fields("910")
        .enumerate()
        .map(|(occurrence, field)| copy(occurrence, field))
        .collect()
}

fn copy(occurrence: usize, field: &Field) -> Result<CopySpec, CopySpecError> {
    let fail = |code: char, message: String| CopySpecError {
        occurrence,
        subfield: Some(code),
        message,
    };
    if let Field::Control { .. } = field {
        return Err(CopySpecError {
            occurrence,
            subfield: None,
            message: "the field has no subfields".into(),
        });
    }
    let mut spec = CopySpec {
        status_code: None,
        status: CopyStatusHint::Unknown,
        inventory_number: None,
        barcode: None,
        location: None,
        price_minor: None,
        acquisition_date: None,
        acquisition_channel: None,
        group_count: None,
        other: Vec::new(),
    };
    for s in field.subfields() {
        let value = s.value.trim();
        if value.is_empty() {
            continue;
        }
        let text = Some(value.to_string());
        // IRBIS text exports write subfield codes in upper case (^A, ^B).
        match s.code.to_ascii_lowercase() {
            'a' if spec.status_code.is_none() => spec.status_code = text,
            'b' if spec.inventory_number.is_none() => spec.inventory_number = text,
            'h' if spec.barcode.is_none() => spec.barcode = text,
            'd' if spec.location.is_none() => spec.location = text,
            'f' if spec.acquisition_channel.is_none() => spec.acquisition_channel = text,
            'e' if spec.price_minor.is_none() => {
                spec.price_minor = Some(parse_price(value).map_err(|m| fail(s.code, m))?);
            }
            'c' if spec.acquisition_date.is_none() => {
                spec.acquisition_date = Some(parse_date(value).map_err(|m| fail(s.code, m))?);
            }
            '1' if spec.group_count.is_none() => {
                let n = value
                    .parse()
                    .map_err(|_| fail(s.code, format!("copy count {value:?} is not a number")))?;
                spec.group_count = Some(n);
            }
            _ => spec.other.push((s.code, value.to_string())),
        }
    }
    spec.status = CopyStatusHint::from_irbis(spec.status_code.as_deref());
    Ok(spec)
}

/// Currency words that may follow a price; they are all tenge here.
const CURRENCY: &[&str] = &["тг.", "тг", "тенге", "теңге", "₸", "kzt", "tg"];

/// "1200" -> 120000, "12,50" and "12.50" -> 1250, "1 200 тг." -> 120000.
pub fn parse_price(raw: &str) -> Result<i64, String> {
    let wrong = || format!("price {raw:?} is not a number of tenge");
    let mut s = raw.trim();
    for word in CURRENCY {
        let cut = s.len().saturating_sub(word.len());
        let tail_matches = s
            .get(cut..)
            .is_some_and(|tail| tail.to_lowercase() == *word);
        if tail_matches && cut > 0 {
            s = s.get(..cut).unwrap_or_default().trim_end();
            break;
        }
    }
    // Thousands are grouped with spaces (including no-break ones) in KZ.
    let digits: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '\u{a0}' | '\u{202f}'))
        .collect();
    let (whole, fraction) = match digits.split_once([',', '.']) {
        Some((w, f)) => (w, f),
        None => (digits.as_str(), ""),
    };
    let all_digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !all_digits(whole) || !all_digits(fraction) || fraction.len() > 2 {
        return Err(wrong());
    }
    let tenge: i64 = whole.parse().map_err(|_| wrong())?;
    let tiyn: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().map_err(|_| wrong())? * 10,
        _ => fraction.parse().map_err(|_| wrong())?,
    };
    tenge
        .checked_mul(100)
        .and_then(|t| t.checked_add(tiyn))
        .ok_or_else(|| format!("price {raw:?} is too large"))
}

/// YYYYMMDD, a real calendar date.
pub fn parse_date(raw: &str) -> Result<SimpleDate, String> {
    let wrong = || format!("date {raw:?} is not a date in YYYYMMDD form");
    if raw.len() != 8 || !raw.chars().all(|c| c.is_ascii_digit()) {
        return Err(wrong());
    }
    let num = |range: std::ops::Range<usize>| raw.get(range).and_then(|p| p.parse::<u16>().ok());
    let (Some(year), Some(month), Some(day)) = (num(0..4), num(4..6), num(6..8)) else {
        return Err(wrong());
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return Err(wrong()),
    };
    if day == 0 || day > days || year == 0 {
        return Err(wrong());
    }
    Ok(SimpleDate {
        year: i32::from(year),
        month: month as u8,
        day: day as u8,
    })
}

#[cfg(test)]
mod tests;
