//! The scans of the exchange: dispatch (pulled from the shelf, sent),
//! receive (arrived), calling off a pick-list line, and what the desk sees:
//! the pick list, the transit board, a copy's position and movements.

use chrono::{Duration, NaiveDate};
use kitap_db::copies::{self, StoredCopy};
use kitap_db::exchange::events::{self, StoredEvent};
use kitap_db::exchange::transfers::{self, StoredTransfer, TransferFilter};
use kitap_db::holds::StoredHold;
use kitap_db::{holds, DbConnection};
use kitap_domain::{
    BranchId, CopyId, CopyStatus, ExchangeEventId, ExchangeEventKind, Role, Timestamp, TransferId,
    TransferReason, TransferStatus,
};
use kitap_exchange::{CopyPosition, Op, Place, TransitReason};

use super::position::{self, refused, At};
use super::routing;
use crate::circulation::{catch_for_hold, take_for_hold, Trapped};
use crate::circulation::{today, Returned};
use crate::{Actor, App, AppError, Principal};

/// Who scans copies in and out: the desk and the unified-fund department.
pub(crate) const MOVERS: &[Role] = &[Role::Librarian, Role::Exchange, Role::Admin];
/// Who may look at the pick lists and the transit board.
pub(crate) const WATCHERS: &[Role] = &[Role::Librarian, Role::Exchange, Role::Admin, Role::Manager];

/// A movement with what a screen shows beside it.
#[derive(Debug, Clone)]
pub struct TransferView {
    pub transfer: StoredTransfer,
    pub barcode: String,
    pub inventory_number: String,
    pub title: String,
    pub shelf: Option<String>,
    pub location: Option<String>,
    /// The reader a hold's movement serves.
    pub reader_name: Option<String>,
    /// Travelling longer than `[exchange] transit_overdue_days`.
    pub overdue: bool,
}

/// What receiving a copy did.
#[derive(Debug, Clone)]
pub struct ReceiveView {
    pub copy: StoredCopy,
    /// The movement that ended here (none for a copy imported "in transit").
    pub transfer: Option<StoredTransfer>,
    pub destination: Returned,
    pub hold: Option<StoredHold>,
}

/// A copy's position and history.
#[derive(Debug, Clone)]
pub struct PositionView {
    pub copy: StoredCopy,
    pub position: CopyPosition,
    pub movements: Vec<StoredTransfer>,
    pub events: Vec<StoredEvent>,
}

#[derive(Debug, Clone, Default)]
pub struct TransferQuery {
    pub status: Option<TransferStatus>,
    /// Only open movements (requested or travelling).
    pub open: bool,
    pub from: Option<BranchId>,
    pub to: Option<BranchId>,
    pub reason: Option<TransferReason>,
    /// Only travelling longer than the configured days.
    pub overdue: bool,
    pub limit: i64,
}

fn copy_by_barcode(conn: &mut DbConnection, raw: &str) -> Result<StoredCopy, AppError> {
    let barcode: kitap_domain::Barcode = raw.parse()?;
    copies::find_by_barcode_for_update(conn, &barcode).map_err(crate::catalog::copy_missing)
}

pub(crate) fn view(
    conn: &mut DbConnection,
    transfer: StoredTransfer,
    overdue_days: u16,
) -> Result<TransferView, AppError> {
    let copy = copies::find(conn, transfer.copy_id)?;
    let title = kitap_db::records::find(conn, copy.record_id)?.derived.title;
    let reader_name = match transfer.hold_id {
        Some(h) => {
            let hold = holds::find(conn, h)?;
            let reader = kitap_db::readers::find(conn, hold.reader_id)?;
            Some(crate::circulation::full_name(&reader))
        }
        None => None,
    };
    let overdue = transfer.status == TransferStatus::InTransit
        && transfer.dispatched_at.is_some_and(|d| {
            Timestamp::now().utc() - d.utc() > Duration::days(i64::from(overdue_days))
        });
    Ok(TransferView {
        barcode: copy.barcode.to_string(),
        inventory_number: copy.inventory_number.to_string(),
        title,
        shelf: copy.shelf.clone(),
        location: copy.location.clone(),
        reader_name,
        overdue,
        transfer,
    })
}

/// Receives a copy at `here` inside the caller's transaction: a hold's copy
/// goes on the hold shelf, a selection's stays lent here, a redistributed
/// one becomes this library's, anything else is offered to the hold queue
/// and otherwise shelved (or, a cancelled hold's copy, sent on home).
pub(crate) fn receive_in(
    conn: &mut DbConnection,
    actor: &Actor,
    copy: &StoredCopy,
    here: BranchId,
    clock: (NaiveDate, u16),
    now: Timestamp,
) -> Result<ReceiveView, AppError> {
    let loaded = position::load(conn, copy.clone())?;
    let at = At {
        actor,
        here,
        now,
        note: None,
    };
    if loaded.unrouted_transit {
        return receive_unrouted(conn, actor, &loaded, here, clock, now);
    }
    let travelling_for = match loaded.pos.place {
        Place::InTransit {
            reason: TransitReason::Hold(h),
            ..
        } => Some(holds::find(conn, h)?),
        _ => None,
    };
    let op = Op::Receive {
        at: here,
        for_reader: travelling_for.as_ref().map(|h| h.reader_id),
    };
    let arrived = kitap_exchange::apply(&loaded.pos, &op).map_err(refused)?;
    let closing = loaded.open.clone();
    let (after, hold) = match (arrived.place, travelling_for) {
        (Place::HoldShelf { .. }, Some(h)) => (arrived, Some(h)),
        _ => match catch_for_hold(conn, actor, copy, &arrived, here, now)? {
            Some((p, h)) => (p, Some(h)),
            None => (arrived, None),
        },
    };
    position::write(conn, &loaded, &after, &at)?;
    let taken = match &hold {
        Some(h) => take_for_hold(conn, actor, h, copy.id, &after.place, clock)?,
        None => Trapped::None,
    };
    if let Some(t) = &closing {
        if t.reason == TransferReason::SelectionReturn {
            if let Some(s) = t.selection_id {
                kitap_db::exchange::selections::set_copy_state(
                    conn,
                    s,
                    copy.id,
                    kitap_db::exchange::selections::SelectionCopyState::Returned,
                    Some(now),
                )?;
            }
        }
    }
    // A selection's copy arriving may end its trip out or home.
    if let Some(s) = closing.as_ref().and_then(|t| t.selection_id) {
        super::selections::settle(conn, actor, s, now)?;
    }
    let transfer = match closing {
        Some(t) => Some(transfers::find(conn, t.id)?),
        None => None,
    };
    Ok(ReceiveView {
        copy: copies::find(conn, copy.id)?,
        transfer,
        destination: destination_of(&after.place),
        hold: trapped_hold(taken),
    })
}

fn trapped_hold(t: Trapped) -> Option<StoredHold> {
    match t {
        Trapped::None => None,
        Trapped::Shelf(h) | Trapped::Transit(h) => Some(h),
    }
}

fn destination_of(place: &Place) -> Returned {
    match *place {
        Place::HoldShelf { .. } => Returned::HoldShelf,
        Place::InTransit { to, .. } => Returned::InTransit { to },
        _ => Returned::Shelf,
    }
}

/// A copy marked in transit with no movement (an import's IRBIS status 8):
/// received at its own library.
fn receive_unrouted(
    conn: &mut DbConnection,
    actor: &Actor,
    loaded: &position::Loaded,
    here: BranchId,
    clock: (NaiveDate, u16),
    now: Timestamp,
) -> Result<ReceiveView, AppError> {
    if here != loaded.pos.base {
        return Err(AppError::conflict(
            "wrong_destination",
            format!(
                "this copy belongs to library {}; receive it there",
                loaded.pos.base
            ),
        ));
    }
    copies::set_status(conn, loaded.copy.id, CopyStatus::Available, now)?;
    events::insert(
        conn,
        &StoredEvent {
            id: ExchangeEventId::new(),
            at: now,
            kind: ExchangeEventKind::Received,
            copy_id: loaded.copy.id,
            record_id: loaded.copy.record_id,
            transfer_id: None,
            from_branch_id: None,
            to_branch_id: Some(here),
            branch_id: here,
            reason: None,
            hold_id: None,
            reader_id: None,
            selection_id: None,
            act_id: None,
            staff_id: actor.staff_id,
            detail: Some("marked in transit without a movement".to_owned()),
        },
    )?;
    crate::catalog::announce(conn, now, &[loaded.copy.id])?;
    let copy = copies::find(conn, loaded.copy.id)?;
    let taken = crate::circulation::offer_copy(conn, actor, &copy, here, clock, now)?;
    let destination = match &taken {
        Trapped::None => Returned::Shelf,
        Trapped::Shelf(_) => Returned::HoldShelf,
        Trapped::Transit(h) => Returned::InTransit {
            to: h.pickup_branch_id,
        },
    };
    Ok(ReceiveView {
        copy: copies::find(conn, copy.id)?,
        transfer: None,
        destination,
        hold: trapped_hold(taken),
    })
}

/// Sends a copy on its pick-list line from `here`: in transit; a hold's
/// copy makes the hold `in_transit`.
pub(crate) fn dispatch_in(
    conn: &mut DbConnection,
    actor: &Actor,
    copy: &StoredCopy,
    here: BranchId,
    now: Timestamp,
) -> Result<StoredTransfer, AppError> {
    let loaded = position::load(conn, copy.clone())?;
    let after = kitap_exchange::apply(&loaded.pos, &Op::Dispatch { at: here }).map_err(refused)?;
    let at = At {
        actor,
        here,
        now,
        note: None,
    };
    let sent = position::write(conn, &loaded, &after, &at)?
        .ok_or_else(|| AppError::Internal("a dispatch left no movement".to_owned()))?;
    if let Place::InTransit {
        reason: TransitReason::Hold(h),
        ..
    } = after.place
    {
        let hold = holds::find(conn, h)?;
        let clock = (today(), 0);
        take_for_hold(conn, actor, &hold, copy.id, &after.place, clock)?;
    }
    Ok(sent)
}

impl App {
    /// Scans a copy out at the acting library: it leaves on its pick-list line.
    pub fn dispatch(
        &self,
        who: &Principal,
        actor: &Actor,
        barcode: &str,
    ) -> Result<TransferView, AppError> {
        who.require_role(MOVERS)?;
        let now = Timestamp::now();
        let here = who.acting_branch.id;
        let days = self.exchange.transit_overdue_days;
        self.db.write(|conn| {
            let copy = copy_by_barcode(conn, barcode)?;
            let sent = dispatch_in(conn, actor, &copy, here, now)?;
            view(conn, sent, days)
        })
    }

    /// Scans a copy in at the acting library.
    pub fn receive(
        &self,
        who: &Principal,
        actor: &Actor,
        barcode: &str,
    ) -> Result<ReceiveView, AppError> {
        who.require_role(MOVERS)?;
        let now = Timestamp::now();
        let here = who.acting_branch.id;
        let clock = (today(), self.circulation.hold_shelf_days);
        self.db.write(|conn| {
            let copy = copy_by_barcode(conn, barcode)?;
            receive_in(conn, actor, &copy, here, clock, now)
        })
    }

    /// Calls off a pick-list line (the copy is not on the shelf, or the
    /// library keeps it). With `missing`, the copy is marked missing. A
    /// hold's line is routed to the next best copy.
    pub fn cancel_transfer(
        &self,
        who: &Principal,
        actor: &Actor,
        id: TransferId,
        note: Option<String>,
        missing: bool,
    ) -> Result<(TransferView, Option<TransferView>), AppError> {
        who.require_role(MOVERS)?;
        let now = Timestamp::now();
        let here = who.acting_branch.id;
        let days = self.exchange.transit_overdue_days;
        self.db.write(|conn| {
            let t = transfers::find(conn, id).map_err(|e| match e {
                kitap_db::DbError::NotFound => AppError::NotFound { entity: "transfer" },
                other => other.into(),
            })?;
            if t.status != TransferStatus::Requested {
                return Err(AppError::conflict(
                    "transfer_not_requested",
                    "only a pick-list line can be called off; a copy in transit is received where it arrives",
                ));
            }
            let copy = copies::find_for_update(conn, t.copy_id)?;
            let loaded = position::load(conn, copy.clone())?;
            let after =
                kitap_exchange::apply(&loaded.pos, &Op::CancelRequest).map_err(refused)?;
            let at = At {
                actor,
                here,
                now,
                note: note.as_deref(),
            };
            position::write(conn, &loaded, &after, &at)?;
            if missing {
                copies::set_status(conn, copy.id, CopyStatus::Missing, now)?;
                crate::catalog::announce(conn, now, &[copy.id])?;
            }
            let rerouted = match t.hold_id {
                Some(h) if t.reason == TransferReason::Hold => {
                    let hold = holds::find(conn, h)?;
                    match hold.status {
                        kitap_domain::HoldStatus::Waiting => {
                            routing::route_hold(conn, actor, &hold, &[copy.id], now)?
                        }
                        _ => None,
                    }
                }
                _ => None,
            };
            let closed = transfers::find(conn, id)?;
            let closed = view(conn, closed, days)?;
            let next = match rerouted {
                Some(r) => Some(view(conn, r, days)?),
                None => None,
            };
            Ok((closed, next))
        })
    }

    /// What a library must pull from its shelves and send: its requested
    /// movements, oldest first, with shelf marks.
    pub fn pick_list(
        &self,
        who: &Principal,
        library: BranchId,
    ) -> Result<Vec<TransferView>, AppError> {
        who.require_role(WATCHERS)?;
        let days = self.exchange.transit_overdue_days;
        self.db.read(|conn| {
            let filter = TransferFilter {
                status: Some(TransferStatus::Requested),
                from: Some(library),
                limit: 5_000,
                ..TransferFilter::default()
            };
            let mut lines = Vec::new();
            for t in transfers::list(conn, &filter)? {
                lines.push(view(conn, t, days)?);
            }
            lines.sort_by(|a, b| {
                (
                    a.location.as_deref(),
                    a.shelf.as_deref(),
                    a.transfer.requested_at,
                )
                    .cmp(&(
                        b.location.as_deref(),
                        b.shelf.as_deref(),
                        b.transfer.requested_at,
                    ))
            });
            Ok(lines)
        })
    }

    /// The transit board: movements by status, library and reason; with
    /// `overdue`, those travelling longer than the configured days.
    pub fn transfers(
        &self,
        who: &Principal,
        q: TransferQuery,
    ) -> Result<Vec<TransferView>, AppError> {
        who.require_role(WATCHERS)?;
        let days = self.exchange.transit_overdue_days;
        self.db.read(|conn| {
            let mut filter = TransferFilter {
                status: q.status,
                open: q.open,
                from: q.from,
                to: q.to,
                reason: q.reason,
                limit: q.limit.clamp(1, 10_000),
                ..TransferFilter::default()
            };
            if q.overdue {
                filter.status = Some(TransferStatus::InTransit);
                let since = Timestamp::now().utc() - Duration::days(i64::from(days));
                filter.dispatched_before = Some(Timestamp::from_utc(since));
            }
            let mut out = Vec::new();
            for t in transfers::list(conn, &filter)? {
                out.push(view(conn, t, days)?);
            }
            Ok(out)
        })
    }

    /// One movement.
    pub fn transfer(&self, who: &Principal, id: TransferId) -> Result<TransferView, AppError> {
        who.require_role(WATCHERS)?;
        let days = self.exchange.transit_overdue_days;
        self.db.read(|conn| {
            let t = transfers::find(conn, id).map_err(|e| match e {
                kitap_db::DbError::NotFound => AppError::NotFound { entity: "transfer" },
                other => other.into(),
            })?;
            view(conn, t, days)
        })
    }

    /// Where a copy is, unambiguously, with its movements and exchange events.
    pub fn copy_position(&self, who: &Principal, copy: CopyId) -> Result<PositionView, AppError> {
        who.require_role(WATCHERS)?;
        self.db.read(|conn| {
            let stored = copies::find(conn, copy).map_err(crate::catalog::copy_missing)?;
            let loaded = position::load(conn, stored.clone())?;
            Ok(PositionView {
                movements: transfers::of_copy(conn, copy)?,
                events: events::of_copy(conn, copy)?,
                position: loaded.pos,
                copy: stored,
            })
        })
    }
}
