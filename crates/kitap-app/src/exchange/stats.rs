//! Exchange statistics for the statistics issue: per library and in total,
//! copies sent and received (by reason), readers served by the exchange,
//! selections sent and received, and transits overdue now.
//!
//! Everything but the overdue count comes from the exchange event log,
//! which is never updated: the same period gives the same numbers whenever
//! it is asked, and each number can be recounted from the copies' events
//! (`GET /copies/{id}/position`).

use std::collections::{BTreeMap, HashSet};

use chrono::{Duration, NaiveDate};
use kitap_db::exchange::events::{self, StoredEvent};
use kitap_db::exchange::transfers::{self, TransferFilter};
use kitap_db::{branches, DbConnection};
use kitap_domain::{
    BranchId, ExchangeEventKind, ReaderId, SelectionId, Timestamp, TransferReason, TransferStatus,
    ValueError,
};

use super::redistribution::PLANNERS;
use crate::{App, AppError, Principal};

/// The movement reasons, in the order the statistics list them.
pub const REASONS: [TransferReason; 6] = [
    TransferReason::Hold,
    TransferReason::ReturnHome,
    TransferReason::Selection,
    TransferReason::SelectionReturn,
    TransferReason::Redistribution,
    TransferReason::HoldCancelled,
];

/// The exchange of one library (or of all, for the total) in a period.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExchangeCounts {
    /// Copies dispatched from the library (one per dispatch).
    pub sent: u64,
    /// Copies received at the library (one per receipt).
    pub received: u64,
    /// `sent` by movement reason code; every reason present, zeros too.
    pub sent_by_reason: BTreeMap<&'static str, u64>,
    pub received_by_reason: BTreeMap<&'static str, u64>,
    /// Distinct readers whose hold's copy was received at their pickup
    /// library.
    pub readers_served: u64,
    /// Distinct selections that left (or arrived at) the library.
    pub selections_sent: u64,
    pub selections_received: u64,
    /// Open transits from (to) the library travelling longer than
    /// `[exchange] transit_overdue_days`, now.
    pub overdue_outgoing: u64,
    pub overdue_incoming: u64,
}

#[derive(Debug, Clone)]
pub struct ExchangeStats {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub libraries: Vec<(BranchId, ExchangeCounts)>,
    /// Over the libraries listed (distinct counts are distinct overall).
    pub total: ExchangeCounts,
}

/// What one set of libraries did in the events given.
#[derive(Default)]
struct Tally {
    counts: ExchangeCounts,
    readers: HashSet<ReaderId>,
    sent_selections: HashSet<SelectionId>,
    received_selections: HashSet<SelectionId>,
}

impl Tally {
    fn new() -> Self {
        let zeros: BTreeMap<&'static str, u64> = REASONS.iter().map(|r| (r.as_str(), 0)).collect();
        Tally {
            counts: ExchangeCounts {
                sent_by_reason: zeros.clone(),
                received_by_reason: zeros,
                ..ExchangeCounts::default()
            },
            ..Tally::default()
        }
    }

    /// Counts `e` for the libraries `mine` says belong to this tally.
    fn add(&mut self, e: &StoredEvent, mine: impl Fn(BranchId) -> bool) {
        let reason = e.reason.as_deref().unwrap_or("");
        let bump = |map: &mut BTreeMap<&'static str, u64>| {
            if let Some(n) = map.iter_mut().find(|(k, _)| **k == reason).map(|(_, n)| n) {
                *n += 1;
            }
        };
        match e.kind {
            ExchangeEventKind::Dispatched if e.from_branch_id.is_some_and(&mine) => {
                self.counts.sent += 1;
                bump(&mut self.counts.sent_by_reason);
                if reason == TransferReason::Selection.as_str() {
                    self.sent_selections.extend(e.selection_id);
                }
            }
            ExchangeEventKind::Received if e.to_branch_id.is_some_and(&mine) => {
                self.counts.received += 1;
                bump(&mut self.counts.received_by_reason);
                if reason == TransferReason::Selection.as_str() {
                    self.received_selections.extend(e.selection_id);
                }
                if reason == TransferReason::Hold.as_str() {
                    self.readers.extend(e.reader_id);
                }
            }
            _ => {}
        }
    }

    fn finish(mut self) -> ExchangeCounts {
        self.counts.readers_served = self.readers.len() as u64;
        self.counts.selections_sent = self.sent_selections.len() as u64;
        self.counts.selections_received = self.received_selections.len() as u64;
        self.counts
    }
}

fn start_of(day: NaiveDate) -> Timestamp {
    Timestamp::from_utc(day.and_time(chrono::NaiveTime::MIN).and_utc())
}

impl App {
    /// The exchange of `libraries` (all active ones when empty) in the days
    /// `from..=to`.
    pub fn exchange_stats(
        &self,
        who: &Principal,
        from: NaiveDate,
        to: NaiveDate,
        libraries: Vec<BranchId>,
    ) -> Result<ExchangeStats, AppError> {
        who.require_role(PLANNERS)?;
        if to < from {
            return Err(ValueError::new("to", "must not be before from").into());
        }
        let end = to
            .succ_opt()
            .ok_or_else(|| ValueError::new("to", "is too far in the future"))?;
        let days = self.exchange.transit_overdue_days;
        self.db.read(|conn| {
            let libraries = match libraries.is_empty() {
                true => active(conn)?,
                false => libraries,
            };
            let log = events::between(conn, start_of(from), start_of(end))?;
            let since = Timestamp::now().utc() - Duration::days(i64::from(days));
            let overdue = transfers::list(
                conn,
                &TransferFilter {
                    status: Some(TransferStatus::InTransit),
                    dispatched_before: Some(Timestamp::from_utc(since)),
                    limit: 1_000_000,
                    ..TransferFilter::default()
                },
            )?;
            let mut rows = Vec::with_capacity(libraries.len());
            let mut total = Tally::new();
            for lib in &libraries {
                let mut tally = Tally::new();
                for e in &log {
                    tally.add(e, |b| b == *lib);
                }
                let mut counts = tally.finish();
                counts.overdue_outgoing =
                    overdue.iter().filter(|t| t.from_branch_id == *lib).count() as u64;
                counts.overdue_incoming =
                    overdue.iter().filter(|t| t.to_branch_id == *lib).count() as u64;
                rows.push((*lib, counts));
            }
            for e in &log {
                total.add(e, |b| libraries.contains(&b));
            }
            let mut total = total.finish();
            total.overdue_outgoing = overdue
                .iter()
                .filter(|t| libraries.contains(&t.from_branch_id))
                .count() as u64;
            total.overdue_incoming = overdue
                .iter()
                .filter(|t| libraries.contains(&t.to_branch_id))
                .count() as u64;
            Ok(ExchangeStats {
                from,
                to,
                libraries: rows,
                total,
            })
        })
    }
}

fn active(conn: &mut DbConnection) -> Result<Vec<BranchId>, AppError> {
    Ok(branches::list(conn)?
        .into_iter()
        .filter(|b| b.active)
        .map(|b| b.id)
        .collect())
}
