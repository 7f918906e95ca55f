//! A library's open days, and due dates that fall on them.
//!
//! One calendar per library: the application merges the system-wide
//! holidays (Nauryz, Independence Day...) with the library's own closed
//! weekdays and days (sanitary day, repairs) before asking.

use std::collections::{BTreeSet, HashSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// How far ahead an open day is looked for. A library closed for a whole
/// year is a configuration error, not a reason to loop forever.
const SEARCH_DAYS: u64 = 366;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    pub closed_weekdays: HashSet<Weekday>,
    pub closed_dates: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("no open day within {SEARCH_DAYS} days from {from}")]
    NoOpenDay { from: NaiveDate },
    #[error("date out of range: {start} plus {days} days")]
    OutOfRange { start: NaiveDate, days: u64 },
}

impl Calendar {
    /// Open every day.
    pub fn always_open() -> Self {
        Self::default()
    }

    pub fn new(
        closed_weekdays: impl IntoIterator<Item = Weekday>,
        closed_dates: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        Self {
            closed_weekdays: closed_weekdays.into_iter().collect(),
            closed_dates: closed_dates.into_iter().collect(),
        }
    }

    pub fn is_open(&self, date: NaiveDate) -> bool {
        !self.closed_weekdays.contains(&date.weekday()) && !self.closed_dates.contains(&date)
    }

    /// `date` itself when open, else the first open day after it.
    pub fn next_open_on_or_after(&self, date: NaiveDate) -> Result<NaiveDate, CalendarError> {
        (0..SEARCH_DAYS)
            .map_while(|offset| date.checked_add_days(Days::new(offset)))
            .find(|day| self.is_open(*day))
            .ok_or(CalendarError::NoOpenDay { from: date })
    }

    /// `start + days`, moved forward to the next open day: a book is never
    /// due on a day the reader cannot bring it back.
    pub fn due_date(&self, start: NaiveDate, days: u16) -> Result<NaiveDate, CalendarError> {
        let days = u64::from(days);
        let nominal = start
            .checked_add_days(Days::new(days))
            .ok_or(CalendarError::OutOfRange { start, days })?;
        self.next_open_on_or_after(nominal)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::testutil::date;

    /// Closed on Sundays and for Nauryz (21–23 March).
    fn karaganda_2025() -> Calendar {
        Calendar::new(
            [Weekday::Sun],
            [date(2025, 3, 21), date(2025, 3, 22), date(2025, 3, 23)],
        )
    }

    #[test]
    fn a_due_date_on_sunday_moves_to_monday() {
        let cal = karaganda_2025();
        // 2025-06-01 is a Sunday.
        assert_eq!(
            cal.due_date(date(2025, 5, 17), 15).unwrap(),
            date(2025, 6, 2)
        );
        assert!(!cal.is_open(date(2025, 6, 1)));
        assert!(cal.is_open(date(2025, 6, 2)));
    }

    #[test]
    fn nauryz_pushes_the_due_date_past_the_holiday() {
        let cal = karaganda_2025();
        // 6 March + 15 = Friday 21 March; 21–23 closed (23rd also a Sunday).
        assert_eq!(
            cal.due_date(date(2025, 3, 6), 15).unwrap(),
            date(2025, 3, 24)
        );
        assert_eq!(
            cal.due_date(date(2025, 3, 5), 15).unwrap(),
            date(2025, 3, 20)
        );
    }

    #[test]
    fn zero_days_is_today_when_open() {
        let cal = karaganda_2025();
        assert_eq!(
            cal.due_date(date(2025, 3, 20), 0).unwrap(),
            date(2025, 3, 20)
        );
        assert_eq!(
            cal.next_open_on_or_after(date(2025, 3, 22)).unwrap(),
            date(2025, 3, 24)
        );
    }

    #[test]
    fn a_calendar_closed_every_day_is_an_error() {
        let cal = Calendar::new(
            [
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
                Weekday::Sat,
                Weekday::Sun,
            ],
            [],
        );
        let err = cal.due_date(date(2025, 1, 1), 15).unwrap_err();
        assert_eq!(
            err,
            CalendarError::NoOpenDay {
                from: date(2025, 1, 16)
            }
        );
        assert!(Calendar::always_open().due_date(NaiveDate::MAX, 1).is_err());
    }

    fn arb_calendar() -> impl Strategy<Value = Calendar> {
        let weekdays = proptest::collection::vec(0u8..7, 0..7);
        let closed = proptest::collection::vec(0u64..120, 0..60);
        (weekdays, closed).prop_map(|(w, c)| {
            let base = date(2025, 1, 1);
            Calendar::new(
                w.into_iter().filter_map(|d| Weekday::try_from(d).ok()),
                c.into_iter()
                    .filter_map(|d| base.checked_add_days(Days::new(d))),
            )
        })
    }

    proptest! {
        #[test]
        fn due_dates_are_open_and_every_day_skipped_is_closed(
            cal in arb_calendar(),
            start_offset in 0u64..90,
            days in 0u16..60,
        ) {
            let start = date(2025, 1, 1) + Days::new(start_offset);
            let nominal = start + Days::new(u64::from(days));
            match cal.due_date(start, days) {
                Ok(due) => {
                    prop_assert!(cal.is_open(due));
                    prop_assert!(due >= nominal);
                    prop_assert!(nominal.iter_days().take_while(|d| *d < due).all(|d| !cal.is_open(d)));
                }
                // Only a calendar closed on every weekday has no open day.
                Err(_) => prop_assert_eq!(cal.closed_weekdays.len(), 7),
            }
        }
    }
}
