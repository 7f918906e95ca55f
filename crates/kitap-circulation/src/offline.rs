//! Offline circulation: what a branch whose link is down writes down at the
//! desk, read back line by line, put in time order, and checked against
//! what the server knows of the copy before the desk policies decide.
//!
//! The file is line-oriented so that a small offline tool or a spreadsheet
//! can write it: `timestamp, action, card number, item barcode`, separated
//! by tabs, semicolons (what Excel writes in a Russian or Kazakh locale) or
//! commas. Blank lines, `#` comments and a header line whose first field is
//! `timestamp` are skipped. Every other line is an action or a problem with
//! its line number; one bad line never hides the good ones.

use chrono::{DateTime, Duration, Utc};
use kitap_domain::{Barcode, CardNumber, ReaderId};

/// What the desk did while offline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OfflineAction {
    /// A home loan.
    Checkout,
    /// A reading-room issue (due the same day).
    ReadingRoom,
    Return,
    Renew,
}

impl OfflineAction {
    pub const ALL: [OfflineAction; 4] = [
        OfflineAction::Checkout,
        OfflineAction::ReadingRoom,
        OfflineAction::Return,
        OfflineAction::Renew,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OfflineAction::Checkout => "checkout",
            OfflineAction::ReadingRoom => "reading_room",
            OfflineAction::Return => "return",
            OfflineAction::Renew => "renew",
        }
    }

    /// Case-insensitive.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|a| a.as_str().eq_ignore_ascii_case(raw))
    }

    /// A loan needs to know whom it is for; a return or renewal names the
    /// copy, whose open loan says whose it is.
    pub fn needs_card(self) -> bool {
        matches!(self, OfflineAction::Checkout | OfflineAction::ReadingRoom)
    }
}

/// One readable action of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineEntry {
    /// 1-based line number (element number in a JSON array).
    pub line: u32,
    /// The line as written (cut to [`RAW_CHARS`]), for the report.
    pub raw: String,
    pub at: DateTime<Utc>,
    pub action: OfflineAction,
    pub card: Option<CardNumber>,
    pub barcode: Barcode,
}

/// A line that is not applied, and why (a stable code and a message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineProblem {
    pub line: u32,
    pub raw: String,
    pub code: &'static str,
    pub message: String,
}

/// How much of a line the report keeps.
pub const RAW_CHARS: usize = 300;

/// A desk PC's clock may run a little ahead of the server's.
pub const FUTURE_TOLERANCE_MINUTES: i64 = 10;

/// The line for the report: cut, and without control characters other
/// than tab (PostgreSQL text cannot hold a NUL; the report shows U+FFFD).
pub fn cut(raw: &str) -> String {
    raw.chars()
        .take(RAW_CHARS)
        .map(|c| {
            if c.is_control() && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn problem(line: u32, raw: &str, code: &'static str, message: impl Into<String>) -> LineProblem {
    LineProblem {
        line,
        raw: cut(raw),
        code,
        message: message.into(),
    }
}

/// Reads a whole file. A UTF-8 byte order mark and CR LF line ends are
/// fine.
pub fn parse_text(text: &str) -> Vec<Result<OfflineEntry, LineProblem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index + 1).unwrap_or(u32::MAX);
        if raw.trim().is_empty() || raw.trim_start().starts_with('#') {
            continue;
        }
        // Not `trim`: trailing tabs are empty fields (a return's empty
        // barcode must not look like a missing field).
        let fields = split(raw.trim_matches([' ', '\r']));
        if fields
            .first()
            .is_some_and(|f| f.eq_ignore_ascii_case("timestamp"))
        {
            continue;
        }
        out.push(parse_fields(line, raw, &fields));
    }
    out
}

/// Splits on tabs, else semicolons, else commas; trims each field and
/// drops the quotes a spreadsheet may put around it.
fn split(line: &str) -> Vec<String> {
    let separator = if line.contains('\t') {
        '\t'
    } else if line.contains(';') {
        ';'
    } else {
        ','
    };
    line.split(separator)
        .map(|f| {
            let f = f.trim();
            let f = f
                .strip_prefix('"')
                .and_then(|f| f.strip_suffix('"'))
                .unwrap_or(f);
            f.trim().to_owned()
        })
        .collect()
}

/// One action from its four fields (trailing empty fields, which
/// spreadsheets add, are ignored).
pub fn parse_fields(line: u32, raw: &str, fields: &[String]) -> Result<OfflineEntry, LineProblem> {
    let mut fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    while fields.len() > 4 && fields.last().is_some_and(|f| f.is_empty()) {
        fields.pop();
    }
    let [at, action, card, barcode] = fields[..] else {
        return Err(problem(
            line,
            raw,
            "wrong_field_count",
            format!(
                "a line has 4 fields (timestamp, action, card number, item barcode), this one {}",
                fields.len()
            ),
        ));
    };
    parse_record(line, raw, at, action, card, barcode)
}

/// One action from named parts (a line's fields or a JSON object's).
pub fn parse_record(
    line: u32,
    raw: &str,
    at: &str,
    action: &str,
    card: &str,
    barcode: &str,
) -> Result<OfflineEntry, LineProblem> {
    let at = parse_timestamp(at).ok_or_else(|| {
        problem(
            line,
            raw,
            "bad_timestamp",
            format!(
                "{at:?} is not an ISO 8601 time with an offset, like 2026-12-01T10:15:00+05:00"
            ),
        )
    })?;
    let action = OfflineAction::parse(action).ok_or_else(|| {
        problem(
            line,
            raw,
            "bad_action",
            format!("{action:?} is not checkout, reading_room, return or renew"),
        )
    })?;
    let card = match card.trim() {
        "" if action.needs_card() => {
            return Err(problem(
                line,
                raw,
                "card_required",
                format!("a {} names the reader's card number", action.as_str()),
            ))
        }
        "" => None,
        c => Some(
            c.parse::<CardNumber>()
                .map_err(|e| problem(line, raw, "bad_card_number", format!("card number: {e}")))?,
        ),
    };
    let barcode = barcode
        .trim()
        .parse::<Barcode>()
        .map_err(|e| problem(line, raw, "bad_barcode", format!("item barcode: {e}")))?;
    Ok(OfflineEntry {
        line,
        raw: cut(raw),
        at,
        action,
        card,
        barcode,
    })
}

/// RFC 3339, also with a space for the `T` (as spreadsheets write it). The
/// offset is required: a time without one could be any of Kazakhstan's
/// past zones or UTC.
fn parse_timestamp(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%:z"))
        .or_else(|_| DateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S%.f%:z"))
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Refuses an action recorded in the future (beyond a clock's drift) or
/// longer ago than `max_age_days`: a file that old is more likely a
/// mistake than a branch that was offline for weeks.
pub fn check_window(
    entry: &OfflineEntry,
    now: DateTime<Utc>,
    max_age_days: u32,
) -> Result<(), LineProblem> {
    if entry.at > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
        return Err(problem(
            entry.line,
            &entry.raw,
            "timestamp_in_future",
            format!("{} is in the future", entry.at.to_rfc3339()),
        ));
    }
    if entry.at < now - Duration::days(i64::from(max_age_days)) {
        return Err(problem(
            entry.line,
            &entry.raw,
            "timestamp_too_old",
            format!(
                "{} is more than {max_age_days} days ago; do it at the desk",
                entry.at.to_rfc3339()
            ),
        ));
    }
    Ok(())
}

/// Time order; actions at the same instant keep their order in the file.
pub fn time_order(entries: &mut [OfflineEntry]) {
    entries.sort_by_key(|e| (e.at, e.line));
}

/// A loan of the copy as the server has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoanFacts {
    pub reader: ReaderId,
    pub issued_at: DateTime<Utc>,
    pub returned_at: Option<DateTime<Utc>>,
}

/// The copy's open loan and its latest returned one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CopyLoans {
    pub open: Option<LoanFacts>,
    pub last_returned: Option<LoanFacts>,
}

/// What to do with one offline action before the desk policies see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Precheck {
    /// Hand it to the desk policy, at the recorded time.
    Apply,
    /// The server already shows the outcome: nothing to write.
    AlreadyDone { code: &'static str, message: String },
    /// It cannot be applied; staff look at it at the desk.
    Conflict { code: &'static str, message: String },
}

fn conflict(code: &'static str, message: &str) -> Precheck {
    Precheck::Conflict {
        code,
        message: message.to_owned(),
    }
}

/// A checkout (or reading-room issue) of a copy to `reader` at `at`. On
/// loan to the same reader: it was recorded twice (offline and online), so
/// it is done. On loan to someone else: a conflict, never an automatic
/// return of the other reader's loan (Koha returns and reissues when the
/// online loan is older; Kitap lets staff look, since closing a loan wrongly
/// clears a debtor). A copy whose last loan ended after `at` was not on the
/// shelf then.
pub fn precheck_checkout(reader: ReaderId, at: DateTime<Utc>, loans: &CopyLoans) -> Precheck {
    if let Some(open) = loans.open {
        if open.reader == reader {
            return Precheck::AlreadyDone {
                code: "already_on_loan",
                message: "the server already shows this copy on loan to this reader".to_owned(),
            };
        }
        return conflict(
            "copy_not_available",
            "the copy is on loan to another reader",
        );
    }
    if let Some(returned) = loans.last_returned.and_then(|l| l.returned_at) {
        if returned > at {
            return conflict(
                "copy_not_available",
                "the copy was on loan at that time (its loan was returned later)",
            );
        }
    }
    Precheck::Apply
}

/// A return at `at`: the copy is back in the library's hands, so it closes
/// the copy's open loan whoever holds it (a return always wins) — unless
/// that loan began after `at`, when the copy has gone out again since. No
/// open loan but a returned one: already returned.
pub fn precheck_return(at: DateTime<Utc>, loans: &CopyLoans) -> Precheck {
    match (loans.open, loans.last_returned) {
        (Some(open), _) if open.issued_at > at => conflict(
            "loan_started_later",
            "the copy's open loan began after this return: it has gone out again since",
        ),
        (Some(_), _) => Precheck::Apply,
        (None, Some(_)) => Precheck::AlreadyDone {
            code: "already_returned",
            message: "the copy is not on loan: it was already returned".to_owned(),
        },
        (None, None) => conflict("not_on_loan", "this copy is not on loan"),
    }
}

/// A renewal at `at` of the copy's open loan (of `reader`, when the line
/// names one).
pub fn precheck_renewal(
    reader: Option<ReaderId>,
    at: DateTime<Utc>,
    loans: &CopyLoans,
) -> Precheck {
    let Some(open) = loans.open else {
        return conflict("not_on_loan", "this copy is not on loan");
    };
    if reader.is_some_and(|r| r != open.reader) {
        return conflict(
            "copy_on_loan_to_other_reader",
            "the copy is on loan to another reader than the card names",
        );
    }
    if open.issued_at > at {
        return conflict(
            "loan_started_later",
            "the copy's open loan began after this renewal",
        );
    }
    Precheck::Apply
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).unwrap()
    }

    #[test]
    fn reads_tabs_semicolons_commas_comments_headers_and_a_bom() {
        let text = "\u{feff}timestamp\taction\tcard\tbarcode\r\n\
                    # written by the desk tool\r\n\
                    \r\n\
                    2026-12-01T10:15:00+05:00\tcheckout\tF01-000001\t2000000000015\r\n\
                    \"2026-12-01 10:20:00+05:00\";\"RETURN\";;\"2000000000015\";;\r\n\
                    2026-12-01T05:30:00Z,renew,,2000000000015\r\n";
        let lines = parse_text(text);
        assert_eq!(lines.len(), 3, "{lines:?}");
        let first = lines[0].as_ref().unwrap();
        assert_eq!(first.line, 4);
        assert_eq!(first.action, OfflineAction::Checkout);
        assert_eq!(first.at, utc(5) + Duration::minutes(15));
        assert_eq!(first.card.as_ref().unwrap().to_string(), "F01-000001");
        let second = lines[1].as_ref().unwrap();
        assert_eq!(second.action, OfflineAction::Return);
        assert_eq!(second.card, None);
        assert_eq!(lines[2].as_ref().unwrap().action, OfflineAction::Renew);
    }

    #[test]
    fn every_bad_line_has_its_number_and_code() {
        let text = "2026-12-01T10:15:00\tcheckout\tF01-000001\t2000000000015\n\
                    2026-12-01T10:15:00+05:00\tlend\tF01-000001\t2000000000015\n\
                    2026-12-01T10:15:00+05:00\tcheckout\t\t2000000000015\n\
                    2026-12-01T10:15:00+05:00\tcheckout\tF01-000001\n\
                    2026-12-01T10:15:00+05:00\treturn\t\t\n\
                    2026-12-01T10:15:00+05:00\treturn\t\t2000000000015\textra\n";
        let codes: Vec<(u32, &str)> = parse_text(text)
            .into_iter()
            .map(|r| {
                let p = r.unwrap_err();
                (p.line, p.code)
            })
            .collect();
        assert_eq!(
            codes,
            vec![
                (1, "bad_timestamp"),
                (2, "bad_action"),
                (3, "card_required"),
                (4, "wrong_field_count"),
                (5, "bad_barcode"),
                (6, "wrong_field_count"),
            ]
        );
    }

    #[test]
    fn the_window_refuses_the_future_and_the_too_old() {
        let now = utc(12);
        let entry = |at| OfflineEntry {
            line: 1,
            raw: String::new(),
            at,
            action: OfflineAction::Return,
            card: None,
            barcode: "2000000000015".parse().unwrap(),
        };
        assert!(check_window(&entry(utc(11)), now, 30).is_ok());
        assert!(check_window(&entry(now + Duration::minutes(5)), now, 30).is_ok());
        let future = check_window(&entry(utc(13)), now, 30).unwrap_err();
        assert_eq!(future.code, "timestamp_in_future");
        let old = check_window(&entry(now - Duration::days(31)), now, 30).unwrap_err();
        assert_eq!(old.code, "timestamp_too_old");
    }

    #[test]
    fn time_order_is_stable_for_ties() {
        let mut entries: Vec<OfflineEntry> = [(1, 9), (2, 8), (3, 9), (4, 8)]
            .into_iter()
            .map(|(line, h)| OfflineEntry {
                line,
                raw: String::new(),
                at: utc(h),
                action: OfflineAction::Return,
                card: None,
                barcode: "2000000000015".parse().unwrap(),
            })
            .collect();
        time_order(&mut entries);
        let order: Vec<u32> = entries.iter().map(|e| e.line).collect();
        assert_eq!(order, vec![2, 4, 1, 3]);
    }

    fn loan(reader: ReaderId, issued: u32, returned: Option<u32>) -> LoanFacts {
        LoanFacts {
            reader,
            issued_at: utc(issued),
            returned_at: returned.map(utc),
        }
    }

    #[test]
    fn checkout_conflicts_and_repeats() {
        let (me, other) = (ReaderId::new(), ReaderId::new());
        let free = CopyLoans::default();
        assert_eq!(precheck_checkout(me, utc(10), &free), Precheck::Apply);
        let mine = CopyLoans {
            open: Some(loan(me, 9, None)),
            last_returned: None,
        };
        assert!(matches!(
            precheck_checkout(me, utc(10), &mine),
            Precheck::AlreadyDone {
                code: "already_on_loan",
                ..
            }
        ));
        assert!(matches!(
            precheck_checkout(other, utc(10), &mine),
            Precheck::Conflict {
                code: "copy_not_available",
                ..
            }
        ));
        let back_later = CopyLoans {
            open: None,
            last_returned: Some(loan(other, 8, Some(11))),
        };
        assert!(matches!(
            precheck_checkout(me, utc(10), &back_later),
            Precheck::Conflict { .. }
        ));
        assert_eq!(precheck_checkout(me, utc(12), &back_later), Precheck::Apply);
    }

    #[test]
    fn a_return_wins_unless_the_loan_is_newer() {
        let reader = ReaderId::new();
        let open = CopyLoans {
            open: Some(loan(reader, 9, None)),
            last_returned: None,
        };
        assert_eq!(precheck_return(utc(10), &open), Precheck::Apply);
        assert!(matches!(
            precheck_return(utc(8), &open),
            Precheck::Conflict {
                code: "loan_started_later",
                ..
            }
        ));
        let returned = CopyLoans {
            open: None,
            last_returned: Some(loan(reader, 7, Some(9))),
        };
        assert!(matches!(
            precheck_return(utc(10), &returned),
            Precheck::AlreadyDone {
                code: "already_returned",
                ..
            }
        ));
        assert!(matches!(
            precheck_return(utc(10), &CopyLoans::default()),
            Precheck::Conflict {
                code: "not_on_loan",
                ..
            }
        ));
    }

    #[test]
    fn a_renewal_needs_the_readers_open_loan() {
        let (me, other) = (ReaderId::new(), ReaderId::new());
        let open = CopyLoans {
            open: Some(loan(me, 9, None)),
            last_returned: None,
        };
        assert_eq!(precheck_renewal(Some(me), utc(10), &open), Precheck::Apply);
        assert_eq!(precheck_renewal(None, utc(10), &open), Precheck::Apply);
        assert!(matches!(
            precheck_renewal(Some(other), utc(10), &open),
            Precheck::Conflict {
                code: "copy_on_loan_to_other_reader",
                ..
            }
        ));
        assert!(matches!(
            precheck_renewal(None, utc(10), &CopyLoans::default()),
            Precheck::Conflict {
                code: "not_on_loan",
                ..
            }
        ));
    }
}
