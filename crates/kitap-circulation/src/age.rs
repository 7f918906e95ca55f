//! Age in full years, age bands for statistics and the guarantor rule.

use chrono::{Datelike, NaiveDate};
use kitap_domain::ValueError;

/// Readers under this age register on a guarantee (поручительство) from a
/// parent or guardian.
pub const GUARANTOR_UNDER: u32 = 16;

/// The age groups reports count readers in (stored with every circulation
/// event, so the name set lives in kitap-domain).
pub use kitap_domain::AgeBand;

/// Upper bounds (inclusive) of the child and youth bands; older is adult.
/// Default: child up to 14, youth 15–30, adult 31 and over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgeBands {
    child_max: u32,
    youth_max: u32,
}

impl Default for AgeBands {
    fn default() -> Self {
        Self {
            child_max: 14,
            youth_max: 30,
        }
    }
}

impl AgeBands {
    pub fn new(child_max: u32, youth_max: u32) -> Result<Self, ValueError> {
        if youth_max < child_max {
            return Err(ValueError::new(
                "age_bands",
                "the youth band must not end before the child band",
            ));
        }
        Ok(Self {
            child_max,
            youth_max,
        })
    }

    pub fn band_for(&self, birth: NaiveDate, date: NaiveDate) -> AgeBand {
        let age = age_on(birth, date);
        if age <= self.child_max {
            AgeBand::Child
        } else if age <= self.youth_max {
            AgeBand::Youth
        } else {
            AgeBand::Adult
        }
    }
}

/// Full years on `date`; 0 before the birth date. Someone born on 29
/// February has a birthday on 1 March in common years: their age grows the
/// day after 28 February, never before the anniversary has fully passed.
pub fn age_on(birth: NaiveDate, date: NaiveDate) -> u32 {
    if date < birth {
        return 0;
    }
    let years = date.year() - birth.year();
    let before_birthday = (date.month(), date.day()) < (birth.month(), birth.day());
    let full = years - i32::from(before_birthday);
    u32::try_from(full).unwrap_or(0)
}

pub fn needs_guarantor(birth: NaiveDate, today: NaiveDate) -> bool {
    age_on(birth, today) < GUARANTOR_UNDER
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::date;

    #[test]
    fn age_counts_full_years() {
        assert_eq!(age_on(date(2010, 5, 10), date(2025, 5, 9)), 14);
        assert_eq!(age_on(date(2010, 5, 10), date(2025, 5, 10)), 15);
        assert_eq!(age_on(date(2025, 5, 10), date(2024, 1, 1)), 0);
    }

    #[test]
    fn leap_day_birthdays_come_on_the_first_of_march() {
        let birth = date(2008, 2, 29);
        assert_eq!(age_on(birth, date(2025, 2, 28)), 16);
        assert_eq!(age_on(birth, date(2025, 3, 1)), 17);
        assert_eq!(age_on(birth, date(2028, 2, 29)), 20);
        assert_eq!(age_on(birth, date(2028, 2, 28)), 19);
    }

    #[test]
    fn default_bands() {
        let bands = AgeBands::default();
        let today = date(2025, 9, 1);
        assert_eq!(bands.band_for(date(2011, 9, 1), today), AgeBand::Child);
        assert_eq!(bands.band_for(date(2010, 9, 1), today), AgeBand::Youth);
        assert_eq!(bands.band_for(date(1995, 9, 1), today), AgeBand::Youth);
        assert_eq!(bands.band_for(date(1994, 9, 1), today), AgeBand::Adult);
    }

    #[test]
    fn bands_are_configurable_but_ordered() {
        let bands = AgeBands::new(13, 21).unwrap();
        assert_eq!(
            bands.band_for(date(2004, 1, 1), date(2025, 6, 1)),
            AgeBand::Youth
        );
        assert_eq!(
            bands.band_for(date(2003, 1, 1), date(2025, 6, 1)),
            AgeBand::Adult
        );
        assert!(AgeBands::new(14, 10).is_err());
    }

    #[test]
    fn under_sixteen_needs_a_guarantor() {
        let birth = date(2009, 6, 15);
        assert!(needs_guarantor(birth, date(2025, 6, 14)));
        assert!(!needs_guarantor(birth, date(2025, 6, 15)));
    }
}
