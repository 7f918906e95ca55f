//! The snapshots the policies decide on, loaded inside the write transaction.

use chrono::NaiveDate;
use kitap_circulation::{BlockState, CopyState, ReaderState};
use kitap_db::copies::{self, CopyFilter, StoredCopy};
use kitap_db::readers::{self, StoredReader};
use kitap_db::{blocks, holds, DbConnection, DbError};
use kitap_domain::{CopyStatus, HoldStatus, ReaderId};

use super::{reader_missing, ReaderRef};
use crate::AppError;

fn count(v: i64) -> u32 {
    u32::try_from(v.max(0)).unwrap_or(u32::MAX)
}

pub(crate) fn find_reader(
    conn: &mut DbConnection,
    reader: &ReaderRef,
) -> Result<StoredReader, AppError> {
    match reader {
        ReaderRef::Id(id) => readers::find(conn, *id),
        ReaderRef::Card(card) => readers::find_by_card(conn, card),
    }
    .map_err(reader_missing)
}

/// Blocks, open home loans, overdue loans and the oldest lateness.
pub(crate) fn reader_state(
    conn: &mut DbConnection,
    reader: &StoredReader,
    today: NaiveDate,
) -> Result<ReaderState, DbError> {
    let counts = readers::loan_counts(conn, reader.id, today)?;
    let open = kitap_db::loans::open_of_reader(conn, reader.id)?;
    let home = open
        .iter()
        .filter(|l| l.kind == kitap_domain::LoanKind::Home)
        .count();
    let blocks = blocks::active(conn, reader.id)?
        .into_iter()
        .map(|b| BlockState {
            kind: b.kind,
            reason: b.reason,
        })
        .collect();
    Ok(ReaderState {
        id: reader.id,
        category: reader.category,
        status: reader.status,
        registered_until: reader.registered_until,
        blocks,
        open_home_loans: u32::try_from(home).unwrap_or(u32::MAX),
        overdue_loans: count(counts.overdue),
        max_overdue_days: count(counts.max_overdue_days),
    })
}

/// The copy as checkout sees it. `queued_hold_for_others` is deliberately
/// simple: the waiting (untrapped) holds of other readers on the record
/// outnumber the record's copies on the shelf (available), so lending this
/// one would leave someone in the queue without a copy.
pub(crate) fn copy_state(
    conn: &mut DbConnection,
    copy: &StoredCopy,
    reader: ReaderId,
) -> Result<CopyState, DbError> {
    let trapped_for = holds::trapped_for_copy(conn, copy.id)?.map(|h| h.reader_id);
    let waiting_for_others = holds::queue(conn, copy.record_id)?
        .iter()
        .filter(|h| h.status == HoldStatus::Waiting && h.reader_id != reader)
        .count();
    let queued_hold_for_others = if waiting_for_others == 0 {
        false
    } else {
        let filter = CopyFilter {
            record_id: Some(copy.record_id),
            status: Some(CopyStatus::Available),
            limit: 500,
            ..CopyFilter::default()
        };
        waiting_for_others >= copies::list(conn, &filter)?.len()
    };
    Ok(CopyState {
        id: copy.id,
        status: copy.status,
        material_type: copy.material_type.clone(),
        branch: copy.branch_id,
        reading_room_only: false,
        trapped_for,
        queued_hold_for_others,
    })
}
