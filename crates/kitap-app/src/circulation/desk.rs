//! The desk: checkout and renewal. Each is one write transaction: load the
//! reader, the copy, the rules and the calendar, ask kitap-circulation,
//! write the loan (the partial unique index `loans_open_copy` is the final
//! guard against a double loan), the copy's status, a circulation event, an
//! audit row and an outbox row for the search index.

use chrono::NaiveDate;
use kitap_circulation::{
    all_refusals, decide_checkout, decide_renewal, renewal_refusals, resolve, LoanRule, LoanState,
    Overrides, Refusal, RefusalCode, RenewalChannel, RuleKey, RuleValues,
};
use kitap_db::copies::{self, StoredCopy};
use kitap_db::loans::{self, StoredLoan, OPEN_COPY_INDEX};
use kitap_db::readers::StoredReader;
use kitap_db::{holds, DbConnection, DbError};
use kitap_domain::{
    Barcode, BranchId, CirculationEventKind, CopyStatus, HoldStatus, LoanId, LoanKind, LoanRuleId,
    Timestamp,
};
use serde_json::json;

use super::calendar::calendar_for;
use super::events::{self, EventFacts};
use super::rules::{all_rules, policy_rule};
use super::state::{copy_state, find_reader, reader_state};
use super::{parse_overrides, refused, today, ReaderRef, DESK, OVERRIDERS};
use crate::audit::record as audit;
use crate::catalog::{announce, copy_missing};
use crate::{Actor, App, AppError, Principal};

#[derive(Debug, Clone, Default)]
pub struct CheckoutRequest {
    /// Reader id or card number.
    pub reader: String,
    pub item_barcode: String,
    /// home (default) or reading_room.
    pub kind: Option<String>,
    /// Refusal codes to override (administrators and managers).
    pub overrides: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RenewRequest {
    pub loan: Option<LoanId>,
    pub item_barcode: Option<String>,
    pub overrides: Vec<String>,
}

/// A loan with what the desk shows beside it.
#[derive(Debug, Clone)]
pub struct LoanView {
    pub loan: StoredLoan,
    pub barcode: Barcode,
    pub record_id: kitap_domain::RecordId,
    pub title: String,
    pub card_number: String,
    /// Refusals overridden by this action.
    pub overridden: Vec<&'static str>,
}

/// Overrides are for administrators and managers only.
fn overrides_for(who: &Principal, raw: &[String]) -> Result<Overrides, AppError> {
    if raw.is_empty() {
        return Ok(Overrides::none());
    }
    if !OVERRIDERS.contains(&who.staff.role) {
        return Err(AppError::OverrideDenied);
    }
    Ok(Overrides::of(&parse_overrides(raw)?))
}

/// The rule for (library, category, material type).
pub(crate) fn rule_for(
    conn: &mut DbConnection,
    key: &RuleKey,
) -> Result<(LoanRuleId, RuleValues), AppError> {
    let rules: Vec<LoanRule> = all_rules(conn)?.iter().map(policy_rule).collect();
    let resolution = resolve(&rules, key).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((resolution.rule, resolution.values))
}

fn title_of(conn: &mut DbConnection, copy: &StoredCopy) -> Result<String, DbError> {
    Ok(kitap_db::records::find(conn, copy.record_id)?.derived.title)
}

pub(crate) fn copy_by_barcode(conn: &mut DbConnection, raw: &str) -> Result<StoredCopy, AppError> {
    let barcode: Barcode = raw.parse()?;
    copies::find_by_barcode_for_update(conn, &barcode).map_err(copy_missing)
}

fn not_available() -> AppError {
    let refusal = Refusal::new(RefusalCode::CopyNotAvailable, "the copy is already on loan");
    refused(&refusal, std::slice::from_ref(&refusal))
}

/// Audits each overridden refusal of an action on `loan`.
fn audit_overrides(
    conn: &mut DbConnection,
    actor: &Actor,
    loan: LoanId,
    action: &str,
    codes: &[RefusalCode],
) -> Result<(), DbError> {
    if codes.is_empty() {
        return Ok(());
    }
    let names: Vec<&str> = codes.iter().map(|c| c.as_str()).collect();
    let after = json!({"action": action, "overridden": names});
    audit(conn, actor, "override", ("loan", &loan), None, Some(after))
}

pub(crate) fn loan_state(l: &StoredLoan) -> LoanState {
    LoanState {
        id: l.id,
        copy: l.copy_id,
        reader: l.reader_id,
        kind: l.kind,
        due_on: l.due_on,
        renewals: u16::try_from(l.renewals.max(0)).unwrap_or(u16::MAX),
        issued_on: l.issued_at.utc().date_naive(),
    }
}

pub(crate) fn loan_snapshot(l: &StoredLoan) -> serde_json::Value {
    json!({
        "copy_id": l.copy_id.to_string(),
        "reader_id": l.reader_id.to_string(),
        "branch_id": l.branch_id.to_string(),
        "kind": l.kind.as_str(),
        "due_on": l.due_on,
        "renewals": l.renewals,
        "returned_at": l.returned_at.map(|t| t.to_string()),
        "version": l.version,
    })
}

/// A checkout to decide: `today` is the day it happens in Karaganda (the
/// desk's today; an offline action's own day), which due dates and overdue
/// counts are reckoned from.
pub(crate) struct Checkout<'a> {
    pub reader: &'a StoredReader,
    pub copy: &'a StoredCopy,
    pub branch: BranchId,
    pub kind: LoanKind,
    pub today: NaiveDate,
    pub staff: Option<kitap_domain::StaffId>,
    pub bands: kitap_circulation::AgeBands,
}

/// Lends a copy inside the caller's transaction: the loan issued at `at`
/// (now at the desk, the recorded time offline), the copy's status, the
/// event (dated `at`, with `note` as its detail), the audit and the search
/// index's outbox row.
pub(crate) fn checkout_in(
    conn: &mut DbConnection,
    actor: &Actor,
    checkout: &Checkout<'_>,
    overrides: &Overrides,
    at: Timestamp,
    note: Option<String>,
) -> Result<(StoredLoan, Vec<RefusalCode>), AppError> {
    let now = Timestamp::now();
    let (loan, overridden) = lend(conn, checkout, overrides, at)?;
    let copy = checkout.copy;
    // An offline loan already happened: a pick-list line for this copy is
    // called off (a hold's routed to another copy).
    crate::exchange::routing::copy_lent(conn, actor, copy, checkout.branch, now)?;
    copies::set_status(conn, copy.id, CopyStatus::OnLoan, now)?;
    let facts = EventFacts {
        kind: CirculationEventKind::Checkout,
        loan: Some(loan.id),
        loan_kind: Some(checkout.kind),
        branch: checkout.branch,
        due_on: Some(loan.due_on),
        overridden: &overridden,
        detail: note,
        bands: checkout.bands,
    };
    let day = checkout.today;
    events::write(conn, actor, (checkout.reader, copy), facts, at, day)?;
    audit_overrides(conn, actor, loan.id, "checkout", &overridden)?;
    audit(
        conn,
        actor,
        "checkout",
        ("loan", &loan.id),
        None,
        Some(loan_snapshot(&loan)),
    )?;
    announce(conn, now, &[copy.id])?;
    Ok((loan, overridden))
}

impl App {
    /// Lends a copy to a reader at the acting library.
    pub fn checkout(
        &self,
        who: &Principal,
        actor: &Actor,
        req: CheckoutRequest,
    ) -> Result<LoanView, AppError> {
        who.require_role(DESK)?;
        let overrides = overrides_for(who, &req.overrides)?;
        let reader_ref: ReaderRef = req.reader.parse()?;
        let kind: LoanKind = req.kind.as_deref().unwrap_or("home").parse()?;
        let today = today();
        let now = Timestamp::now();
        let hold_clock = (today, self.circulation.hold_shelf_days);
        self.db.write(|conn| {
            let reader = find_reader(conn, &reader_ref)?;
            let copy = copy_by_barcode(conn, &req.item_barcode)?;
            let copy = ready_for_desk(conn, actor, copy, who.acting_branch.id, hold_clock, now)?;
            let at = Checkout {
                reader: &reader,
                copy: &copy,
                branch: who.acting_branch.id,
                kind,
                today,
                staff: actor.staff_id,
                bands: self.age_bands,
            };
            let (loan, overridden) = checkout_in(conn, actor, &at, &overrides, now, None)?;
            Ok(LoanView {
                title: title_of(conn, &copy)?,
                barcode: copy.barcode.clone(),
                record_id: copy.record_id,
                card_number: reader.card_number.to_string(),
                overridden: overridden.iter().map(|c| c.as_str()).collect(),
                loan,
            })
        })
    }

    /// Renews an open loan (staff channel), named by id or by the copy's barcode.
    pub fn renew(
        &self,
        who: &Principal,
        actor: &Actor,
        req: RenewRequest,
    ) -> Result<LoanView, AppError> {
        who.require_role(DESK)?;
        let overrides = overrides_for(who, &req.overrides)?;
        let today = today();
        let now = Timestamp::now();
        self.db.write(|conn| {
            let loan = match (req.loan, req.item_barcode.as_deref()) {
                (Some(id), _) => loans::find(conn, id).map_err(|e| match e {
                    DbError::NotFound => AppError::NotFound { entity: "loan" },
                    other => other.into(),
                })?,
                (None, Some(barcode)) => {
                    let copy = copy_by_barcode(conn, barcode)?;
                    loans::open_for_copy(conn, copy.id)?.ok_or_else(not_on_loan)?
                }
                (None, None) => {
                    return Err(kitap_domain::ValueError::new("item_barcode", "is required").into())
                }
            };
            let by = RenewBy {
                channel: RenewalChannel::Staff,
                overrides: &overrides,
                branch: who.acting_branch.id,
                note: None,
                bands: self.age_bands,
            };
            renew_loan(conn, actor, &loan, &by, (today, now))
        })
    }
}

/// Who renews, through which channel, at which library.
pub(crate) struct RenewBy<'a> {
    pub channel: RenewalChannel,
    pub overrides: &'a Overrides,
    /// The desk's library; for a reader renewing online, the loan's own.
    pub branch: BranchId,
    /// The event's detail (an offline upload's line); online renewals
    /// are marked `reader_online` whatever it says.
    pub note: Option<String>,
    pub bands: kitap_circulation::AgeBands,
}

/// Renews an open loan by the desk's policy: the same checks for staff and
/// for a reader online (who cannot override). The renewal event records the
/// channel: `staff_id` is the staff member's (none online) and an online
/// renewal has the detail `reader_online`, which statistics count as a
/// remote use.
pub(crate) fn renew_loan(
    conn: &mut DbConnection,
    actor: &Actor,
    loan: &StoredLoan,
    by: &RenewBy<'_>,
    (today, now): (NaiveDate, Timestamp),
) -> Result<LoanView, AppError> {
    if loan.returned_at.is_some() {
        return Err(not_on_loan());
    }
    if loan.lost_at.is_some() {
        return Err(super::lost::already_lost());
    }
    let reader = kitap_db::readers::find(conn, loan.reader_id)?;
    let copy = copies::find_for_update(conn, loan.copy_id)?;
    let state = reader_state(conn, &reader, today)?;
    let key = RuleKey {
        library: loan.branch_id,
        category: reader.category,
        material_type: copy.material_type.clone(),
    };
    let (_, values) = rule_for(conn, &key)?;
    let waiting = others_waiting(conn, copy.record_id, reader.id)?;
    let calendar = calendar_for(conn, loan.branch_id)?;
    let current = loan_state(loan);
    let decision = decide_renewal(
        &current,
        &state,
        &values,
        waiting,
        &calendar,
        today,
        by.channel,
        by.overrides,
    )
    .map_err(|first| {
        refused(
            &first,
            &renewal_refusals(&current, &state, &values, waiting, today),
        )
    })?;
    let renewals = i32::from(decision.renewals);
    if !loans::renew(conn, loan.id, loan.version, decision.new_due_on, renewals)? {
        return Err(AppError::VersionConflict {
            current: loan.version,
        });
    }
    let mut after = loan.clone();
    after.due_on = decision.new_due_on;
    after.renewals = renewals;
    after.version += 1;
    let facts = EventFacts {
        kind: CirculationEventKind::Renewal,
        loan: Some(loan.id),
        loan_kind: Some(loan.kind),
        branch: by.branch,
        due_on: Some(after.due_on),
        overridden: &decision.overridden,
        detail: if by.channel == RenewalChannel::ReaderOnline {
            Some(by.channel.as_str().to_owned())
        } else {
            by.note.clone()
        },
        bands: by.bands,
    };
    events::write(conn, actor, (&reader, &copy), facts, now, today)?;
    audit_overrides(conn, actor, loan.id, "renewal", &decision.overridden)?;
    let (b, a) = (loan_snapshot(loan), loan_snapshot(&after));
    audit(conn, actor, "renew", ("loan", &loan.id), Some(b), Some(a))?;
    Ok(LoanView {
        title: title_of(conn, &copy)?,
        barcode: copy.barcode.clone(),
        record_id: copy.record_id,
        card_number: reader.card_number.to_string(),
        overridden: decision.overridden.iter().map(|c| c.as_str()).collect(),
        loan: after,
    })
}

/// Whether another reader's open hold waits for the title (renewal refuses).
pub(crate) fn others_waiting(
    conn: &mut DbConnection,
    record: kitap_domain::RecordId,
    reader: kitap_domain::ReaderId,
) -> Result<bool, DbError> {
    Ok(holds::queue(conn, record)?
        .iter()
        .any(|h| h.reader_id != reader && h.status.is_open()))
}

pub(crate) fn not_on_loan() -> AppError {
    AppError::conflict("not_on_loan", "this copy is not on loan")
}

/// Decides and inserts the loan; the unique index answers a race.
fn lend(
    conn: &mut DbConnection,
    at: &Checkout<'_>,
    overrides: &Overrides,
    now: Timestamp,
) -> Result<(StoredLoan, Vec<RefusalCode>), AppError> {
    let state = reader_state(conn, at.reader, at.today)?;
    let copy = copy_state(conn, at.copy, at.reader.id)?;
    let key = RuleKey {
        library: at.branch,
        category: at.reader.category,
        material_type: at.copy.material_type.clone(),
    };
    let (rule_id, values) = rule_for(conn, &key)?;
    let calendar = calendar_for(conn, at.branch)?;
    let decision = decide_checkout(
        &state, &copy, &values, &calendar, at.today, at.kind, overrides,
    )
    .map_err(|first| {
        refused(
            &first,
            &all_refusals(&state, &copy, &values, at.today, at.kind),
        )
    })?;
    let loan = StoredLoan {
        id: LoanId::new(),
        copy_id: at.copy.id,
        reader_id: at.reader.id,
        branch_id: at.branch,
        kind: at.kind,
        rule_id: Some(rule_id),
        issued_at: now,
        due_on: decision.due_on,
        renewals: 0,
        returned_at: None,
        return_branch_id: None,
        lost_at: None,
        issued_by: at.staff,
        fine_minor: 0,
        version: 1,
    };
    match loans::insert(conn, &loan) {
        Ok(()) => {}
        Err(DbError::UniqueViolation(index)) if index == OPEN_COPY_INDEX => {
            return Err(not_available())
        }
        Err(other) => return Err(other.into()),
    }
    if let Some(mut hold) = holds::trapped_for_copy(conn, at.copy.id)? {
        let version = hold.version;
        if decision.fulfils_hold {
            hold.status = HoldStatus::Fulfilled;
            hold.closed_at = Some(now);
        } else {
            // Lent to someone else by override: the hold waits again
            // rather than point at a copy a reader has (Koha's "on loan
            // and on hold" state cannot arise).
            hold.status = HoldStatus::Waiting;
            hold.trapped_copy_id = None;
            hold.ready_on = None;
            hold.expires_on = None;
        }
        hold.version += 1;
        holds::update(conn, &hold, version)?;
    }
    Ok((loan, decision.overridden))
}

/// The copy as the desk may lend it: a copy travelling to this library is
/// received first (the scan is its arrival); a copy on another library's
/// pick list or travelling elsewhere is refused.
fn ready_for_desk(
    conn: &mut DbConnection,
    actor: &Actor,
    copy: StoredCopy,
    here: BranchId,
    hold_clock: (NaiveDate, u16),
    now: Timestamp,
) -> Result<StoredCopy, AppError> {
    match kitap_db::exchange::transfers::open_for_copy(conn, copy.id)? {
        Some(t) if t.status == kitap_domain::TransferStatus::Requested => Err(AppError::conflict(
            "copy_requested_for_transfer",
            "this copy is on the pick list to be sent to another library; call off the pick-list line first",
        )),
        Some(t) if t.status == kitap_domain::TransferStatus::InTransit && t.to_branch_id == here => {
            crate::exchange::moves::receive_in(conn, actor, &copy, here, hold_clock, now)?;
            Ok(copies::find(conn, copy.id)?)
        }
        _ => Ok(copy),
    }
}
