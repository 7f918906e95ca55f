//! Library statistics (issue #8): the indicator definitions of the annual
//! report (6-НК / 1-библиотека style, kz-domain.md §4) and the aggregation
//! of small fact rows into report tables.
//!
//! Everything here is a pure function of the facts it is given: the app
//! loads the facts of a period from the immutable event logs, and the same
//! facts always give the same tables, on either backend. Each fact carries
//! what was true at the moment of the event (reader category, age band,
//! material type, language, knowledge area), so re-classing a record or a
//! reader later never rewrites a past report.

mod aggregate;
mod debt;
mod exchange;
mod fund;
mod month;
mod ratios;
mod table;

use chrono::NaiveDate;
use kitap_domain::{AgeBand, BranchId, CirculationEventKind, LoanKind, ReaderCategory, ReaderId};
use serde::{Deserialize, Serialize};

pub use aggregate::{language_group, loans, readers, visits, LanguageGroup, AREAS, TOTAL};
pub use debt::{debtors, ecatalog, year_earlier, LoanFact, RecordFact};
pub use exchange::{exchange, ExchangeFact, MOVEMENT_REASONS};
pub use fund::{
    fund, held_at_end, ActLineFact, CopyClass, FundFacts, HoldingFact, HomeMoveFact, REASONS,
    SOURCES,
};
pub use month::loans_by_month;
pub use ratios::ratios;
pub use table::{Cell, Table};

/// What counts as what: the switches a statistics department argues about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Definitions {
    /// A renewal is one more loan (Soviet practice, kept in KZ forms).
    pub renewals_count_as_loans: bool,
    /// A reading-room issue is a loan (документовыдача counts it).
    pub reading_room_counts_as_loan: bool,
    /// The age bands the facts were banded by, for the column labels.
    pub age_limits: AgeLimits,
}

impl Default for Definitions {
    fn default() -> Self {
        Definitions {
            renewals_count_as_loans: true,
            reading_room_counts_as_loan: true,
            age_limits: AgeLimits::default(),
        }
    }
}

/// The upper bounds (inclusive) of the child and youth bands, older being
/// adult. The app bands ages (kitap_circulation::AgeBands, validated from
/// the configuration) and stores the band with each fact; the tables only
/// say in their column labels which ages a band held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgeLimits {
    pub child_max: u32,
    pub youth_max: u32,
}

impl Default for AgeLimits {
    /// Children up to 14, youth 15 to 30 (kz-domain.md §4).
    fn default() -> Self {
        AgeLimits {
            child_max: 14,
            youth_max: 30,
        }
    }
}

impl AgeLimits {
    /// The column label of `band`: "age ≤14", "age 15–30", "age 31+".
    pub fn label(&self, band: AgeBand) -> String {
        let (child, youth) = (self.child_max, self.youth_max);
        match band {
            AgeBand::Child => format!("age ≤{child}"),
            AgeBand::Youth if youth <= child => "age youth (none)".to_owned(),
            AgeBand::Youth if youth == child + 1 => format!("age {youth}"),
            AgeBand::Youth => format!("age {}–{youth}", child + 1),
            AgeBand::Adult => format!("age {}+", youth.saturating_add(1)),
        }
    }
}

/// One circulation event as the statistics see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CirculationFact {
    pub day: NaiveDate,
    /// The library where it happened.
    pub library: BranchId,
    pub reader: ReaderId,
    pub kind: CirculationEventKind,
    pub loan_kind: Option<LoanKind>,
    pub reader_category: ReaderCategory,
    pub age_band: AgeBand,
    pub material_type: String,
    pub kazakh: bool,
    /// MARC language code of the record ("kaz", "rus", ...).
    pub language: Option<String>,
    /// Report group code (kitap_catalog::bbk::KnowledgeArea::as_str).
    pub knowledge_area: Option<String>,
}

impl CirculationFact {
    /// Whether this event is a loan under `defs`.
    pub fn is_loan(&self, defs: &Definitions) -> bool {
        let room_ok =
            self.loan_kind != Some(LoanKind::ReadingRoom) || defs.reading_room_counts_as_loan;
        match self.kind {
            CirculationEventKind::Checkout => room_ok,
            CirculationEventKind::Renewal => defs.renewals_count_as_loans && room_ok,
            _ => false,
        }
    }
}

/// A reader's registration, with the category and age band of the
/// period's last day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderFact {
    pub reader: ReaderId,
    /// The home library, where the reader is registered.
    pub library: BranchId,
    /// The day of the latest registration (or re-registration).
    pub registered_on: NaiveDate,
    pub registered_until: NaiveDate,
    /// The day the reader was first registered (the reader was created).
    pub first_registered_on: NaiveDate,
    pub category: ReaderCategory,
    pub age_band: AgeBand,
}

/// One self-service action of a reader (an OPAC login, an online renewal,
/// a hold placed or cancelled by the reader), at the reader's home library
/// of that moment: what makes a remote user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfServiceFact {
    pub day: NaiveDate,
    /// The reader's home library when acting.
    pub library: BranchId,
    pub reader: ReaderId,
}

/// Attendance of a library event (a reading, a meeting), entered by staff.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceFact {
    pub day: NaiveDate,
    pub library: BranchId,
    pub attendees: u64,
}

/// The period (both days included) and the libraries a report covers,
/// each with the code its rows are labelled by, in display order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub libraries: Vec<(BranchId, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error("the period ends ({to}) before it starts ({from})")]
    Reversed { from: NaiveDate, to: NaiveDate },
}

impl Scope {
    pub fn new(
        from: NaiveDate,
        to: NaiveDate,
        libraries: Vec<(BranchId, String)>,
    ) -> Result<Scope, ScopeError> {
        if to < from {
            return Err(ScopeError::Reversed { from, to });
        }
        Ok(Scope {
            from,
            to,
            libraries,
        })
    }

    pub fn contains_day(&self, day: NaiveDate) -> bool {
        self.from <= day && day <= self.to
    }

    pub fn covers(&self, library: BranchId) -> bool {
        self.libraries.iter().any(|(id, _)| *id == library)
    }
}

#[cfg(test)]
mod tests;
