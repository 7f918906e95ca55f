//! Circulation use cases (issue #5): readers, loan rules and the calendar,
//! the desk (checkout, renewal, return), holds, debtors and blocks, lost
//! copies and their replacement, optional fines, amnesty campaigns. Each write is one `Db::write`
//! transaction that loads the state, asks kitap-circulation for the
//! decision, and writes the change, its circulation event and its audit row.

mod amnesty;
mod blocks;
mod calendar;
mod debtors;
mod desk;
mod events;
mod fines;
mod holds;
mod lost;
mod masking;
mod offline;
mod reader_patch;
mod readers;
mod returns;
mod rules;
mod self_service;
mod state;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use kitap_circulation::{Refusal, RefusalCode};
use kitap_db::DbError;
use kitap_domain::{CardNumber, ReaderId, Role};

use crate::{AppError, Refused};

pub use amnesty::{campaign_csv, AmnestyApplied, CampaignReport, NewCampaign, ReportRow};
pub use calendar::NewClosedDay;
pub use debtors::{debtors_file, BlockRefresh, Debtor, DebtorCopy};
pub use desk::{CheckoutRequest, LoanView, RenewRequest};
pub use holds::{HoldExpiry, HoldPlacer, HoldQuery, HoldView, PlaceHoldRequest};
pub use kitap_db::amnesty::StoredCampaign;
pub use kitap_db::blocks::StoredBlock;
pub use kitap_db::calendar::{ClosedOn, StoredClosedDay};
pub use kitap_db::fines::FineWaiver;
pub use kitap_db::holds::StoredHold;
pub use kitap_db::loan_rules::StoredLoanRule;
pub use kitap_db::loans::LoanWithCopy;
pub use kitap_db::loans::StoredLoan;
pub use kitap_db::offline::{Line as OfflineLine, Upload as OfflineUpload};
pub use lost::{LostView, ReplacementRequest, ReplacementView};
pub use masking::ReaderView;
pub use offline::{OfflineFile, OfflineReport, OfflineSummary, Outcome, OutcomeCounts};
pub use readers::{NewReader, ReaderLoan, ReaderPatch, ReaderQuery};
pub use returns::{ReturnView, Returned};
pub use rules::{Explanation, LoanRuleInput, LoanRulePatch};
pub use self_service::{block_text, reader_text, ReaderText, SelfHold, SelfLoan, SelfProfile};

pub(crate) use holds::release as release_hold_copy;
pub(crate) use holds::{catch_for_hold, full_name, offer_copy, take_for_hold, Trapped};
pub(crate) use readers::pin as reader_pin;

/// Who registers and edits readers.
pub(crate) const READER_WRITERS: &[Role] = &[Role::Librarian, Role::Admin];
/// Who works the desk.
pub(crate) const DESK: &[Role] = &[Role::Librarian, Role::Admin];
/// Who may pass an overridable refusal.
pub(crate) const OVERRIDERS: &[Role] = &[Role::Admin, Role::Manager];

/// Karaganda keeps UTC+5 all year (Kazakhstan's single zone since March
/// 2024): due dates and "today" are dates there, not in UTC.
pub(crate) const LOCAL_OFFSET_SECONDS: i32 = 5 * 3600;

/// Today in Karaganda.
pub fn today() -> NaiveDate {
    local_day(Utc::now())
}

/// The day an instant falls on in Karaganda.
pub(crate) fn local_day(at: DateTime<Utc>) -> NaiveDate {
    match FixedOffset::east_opt(LOCAL_OFFSET_SECONDS) {
        Some(offset) => at.with_timezone(&offset).date_naive(),
        None => at.date_naive(),
    }
}

/// How the desk names a reader: the id, or the card number as scanned.
#[derive(Debug, Clone)]
pub enum ReaderRef {
    Id(ReaderId),
    Card(CardNumber),
}

impl std::str::FromStr for ReaderRef {
    type Err = kitap_domain::ValueError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if let Ok(id) = raw.trim().parse::<ReaderId>() {
            return Ok(ReaderRef::Id(id));
        }
        raw.parse::<CardNumber>().map(ReaderRef::Card).map_err(|_| {
            kitap_domain::ValueError::new("reader", "must be a reader id or a card number")
        })
    }
}

pub(crate) fn reader_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "reader" },
        other => other.into(),
    }
}

/// The refusal the policy gave, with every failing check beside it.
pub(crate) fn refused(first: &Refusal, all: &[Refusal]) -> AppError {
    let code: RefusalCode = first.code;
    let mut refusals: Vec<(&'static str, String, bool)> = all
        .iter()
        .map(|r| (r.code.as_str(), r.detail.clone(), r.code.overridable()))
        .collect();
    if !refusals.iter().any(|(c, _, _)| *c == code.as_str()) {
        refusals.insert(0, (code.as_str(), first.detail.clone(), code.overridable()));
    }
    AppError::Refused(Box::new(Refused {
        code: code.as_str(),
        message: code.message().to_owned(),
        overridable: code.overridable(),
        message_ru: code.message_ru(),
        message_kk: code.message_kk(),
        refusals,
    }))
}

/// Parses the refusal codes staff want to override.
pub(crate) fn parse_overrides(codes: &[String]) -> Result<Vec<RefusalCode>, AppError> {
    codes
        .iter()
        .map(|c| {
            c.parse::<RefusalCode>().map_err(|_| {
                kitap_domain::ValueError::new("override", format!("{c:?} is not a refusal code"))
                    .into()
            })
        })
        .collect()
}
