//! Loading the fund and exchange facts of a period (issue #8): act lines
//! of the period, the copies of the fund with the dates of their life, the
//! changes of owning library since the period began, and the exchange
//! scans of the period.

use kitap_db::exchange::events;
use kitap_db::stats_fund::{self, ActLineRow, CopyClassRow};
use kitap_db::DbConnection;
use kitap_domain::{BranchId, ExchangeEventKind};
use kitap_stats::{
    ActLineFact, CopyClass, ExchangeFact, FundFacts, HoldingFact, HomeMoveFact, Scope,
};

use super::{next_day, start_of};
use crate::circulation::local_day;
use crate::AppError;

fn class(c: CopyClassRow) -> CopyClass {
    CopyClass {
        record: c.record_id,
        material_type: c.material_type,
        kazakh: c.kazakh,
        language: c.language,
        knowledge_area: c.knowledge_area,
        value_minor: c.price_minor,
    }
}

fn line(l: ActLineRow) -> ActLineFact {
    ActLineFact {
        day: l.act_date,
        library: l.branch_id,
        key: l.key,
        copy: l.copy_id,
        class: class(l.class),
    }
}

type LineLoader = fn(
    &mut DbConnection,
    chrono::NaiveDate,
    chrono::NaiveDate,
    &[BranchId],
) -> Result<Vec<ActLineRow>, kitap_db::DbError>;

/// Every line `load` gives for the scope's period and libraries.
fn lines(
    conn: &mut DbConnection,
    scope: &Scope,
    load: LineLoader,
) -> Result<Vec<ActLineFact>, AppError> {
    let ids: Vec<BranchId> = scope.libraries.iter().map(|(id, _)| *id).collect();
    Ok(load(conn, scope.from, scope.to, &ids)?
        .into_iter()
        .map(line)
        .collect())
}

/// The fund facts of `scope`: what the fund tables and the ratios need.
pub(crate) fn load_fund(conn: &mut DbConnection, scope: &Scope) -> Result<FundFacts, AppError> {
    let received = lines(conn, scope, stats_fund::accession_lines_between)?;
    let written_off = lines(conn, scope, stats_fund::write_off_lines_between)?;
    // The fund on the day before the period is its start. Every library's
    // copies: redistribution may have moved a copy out of the scope's
    // libraries since.
    let before = scope.from.pred_opt().unwrap_or(scope.from);
    let holdings = stats_fund::holdings(conn, before)?
        .into_iter()
        .map(|h| HoldingFact {
            copy: h.copy_id,
            home: h.branch_id,
            since: h
                .acquired_on
                .unwrap_or_else(|| local_day(h.created_at.utc())),
            written_off_on: h.written_off_on,
            accessioned: h.accessioned,
            class: class(h.class),
        })
        .collect();
    let moves =
        events::of_kind_since(conn, ExchangeEventKind::Redistributed, start_of(scope.from))?
            .into_iter()
            .filter_map(|e| {
                Some(HomeMoveFact {
                    day: local_day(e.at.utc()),
                    copy: e.copy_id,
                    from: e.from_branch_id?,
                    to: e.to_branch_id.unwrap_or(e.branch_id),
                })
            })
            .collect();
    Ok(FundFacts {
        received,
        written_off,
        holdings,
        moves,
    })
}

/// The dispatch and receipt scans of the period.
pub(crate) fn load_exchange(
    conn: &mut DbConnection,
    scope: &Scope,
) -> Result<Vec<ExchangeFact>, AppError> {
    let until = start_of(next_day(scope.to)?);
    Ok(events::between(conn, start_of(scope.from), until)?
        .into_iter()
        .filter_map(|e| {
            let received = match e.kind {
                ExchangeEventKind::Dispatched => false,
                ExchangeEventKind::Received => true,
                _ => return None,
            };
            Some(ExchangeFact {
                day: local_day(e.at.utc()),
                received,
                from: e.from_branch_id?,
                to: e.to_branch_id?,
                reason: e.reason?,
                reader: e.reader_id,
                selection: e.selection_id,
            })
        })
        .collect())
}
