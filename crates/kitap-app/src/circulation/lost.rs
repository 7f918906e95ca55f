//! Lost copies (#5, point 5): the desk marks an open loan's copy lost (the
//! loan stays open: the reader owes a book, and a `lost_copy` block names
//! the copy); the reader brings the same or an equivalent book, which in one
//! transaction is accessioned as a `replacement` linked to the lost copy,
//! while the lost copy is written off `lost_by_reader` and the loan closed.
//! A lost copy found after all is simply returned (see `returns`).

use kitap_db::blocks::{self, StoredBlock};
use kitap_db::copies::{self, StoredCopy};
use kitap_db::loans::{self, StoredLoan};
use kitap_db::replacements::{self, Replacement};
use kitap_db::{branches, DbConnection, DbError};
use kitap_domain::{
    BlockId, BlockKind, CirculationEventKind, CopyStatus, LoanId, ReaderId, RecordId, StaffId,
    Timestamp, WriteOffReason,
};
use serde_json::json;

use super::desk::loan_snapshot;
use super::events::{self, EventFacts};
use super::{today, DESK};
use crate::audit::record as audit;
use crate::catalog::{
    announce, ActNewCopies, NewAccessionAct, NewCopies, PreparedAccession, PreparedWriteOff,
};
use crate::{Actor, App, AppError, Principal};

/// What the reader brought instead of the lost copy.
#[derive(Debug, Clone, Default)]
pub struct ReplacementRequest {
    /// The barcode the new copy gets (the desk labels it).
    pub barcode: String,
    /// An equivalent edition's record; the lost copy's record when absent.
    pub record_id: Option<RecordId>,
    /// Generated when absent.
    pub inventory_number: Option<String>,
    pub price_minor: Option<i64>,
    /// The lost copy's when absent.
    pub shelf: Option<String>,
    pub location: Option<String>,
    pub material_type: Option<String>,
    pub note: Option<String>,
}

/// A loan marked lost.
#[derive(Debug, Clone)]
pub struct LostView {
    pub loan: StoredLoan,
    pub copy: StoredCopy,
    pub block: StoredBlock,
}

/// A loss resolved by a replacement.
#[derive(Debug, Clone)]
pub struct ReplacementView {
    pub loan: StoredLoan,
    pub lost_copy: StoredCopy,
    pub new_copy: StoredCopy,
    pub accession_act: String,
    pub write_off_act: String,
    /// `lost_copy` blocks lifted (none while other lost loans remain).
    pub blocks_lifted: u32,
}

pub(crate) fn loan_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "loan" },
        other => other.into(),
    }
}

pub(crate) fn not_open() -> AppError {
    AppError::conflict("loan_not_open", "this loan is already closed")
}

pub(crate) fn already_lost() -> AppError {
    AppError::conflict("loan_already_lost", "the copy of this loan is marked lost")
}

fn not_lost() -> AppError {
    AppError::conflict(
        "loan_not_lost",
        "the copy of this loan is not marked lost; return it instead",
    )
}

/// Lifts the reader's `lost_copy` blocks when no open loan of theirs is
/// marked lost any more; returns how many were lifted.
pub(crate) fn lift_lost_blocks(
    conn: &mut DbConnection,
    actor: &Actor,
    reader: ReaderId,
    now: Timestamp,
    why: &str,
) -> Result<u32, AppError> {
    let still_lost = loans::open_of_reader(conn, reader)?
        .iter()
        .any(|l| l.lost_at.is_some());
    if still_lost {
        return Ok(0);
    }
    lift_kind(conn, actor, reader, BlockKind::LostCopy, now, why)
}

/// Lifts every active block of `kind` of the reader, each audited.
pub(crate) fn lift_kind(
    conn: &mut DbConnection,
    actor: &Actor,
    reader: ReaderId,
    kind: BlockKind,
    now: Timestamp,
    why: &str,
) -> Result<u32, AppError> {
    let mut lifted = 0;
    for b in blocks::active(conn, reader)?
        .into_iter()
        .filter(|b| b.kind == kind)
    {
        if blocks::lift(conn, b.id, now, actor.staff_id, Some(why))? {
            let after =
                json!({"reader_id": reader.to_string(), "kind": kind.as_str(), "lift_reason": why});
            audit(
                conn,
                actor,
                "lift_block",
                ("reader_block", &b.id),
                None,
                Some(after),
            )?;
            lifted += 1;
        }
    }
    Ok(lifted)
}

fn lost_block(loan: &StoredLoan, copy: &StoredCopy, by: StaffId, now: Timestamp) -> StoredBlock {
    StoredBlock {
        id: BlockId::new(),
        reader_id: loan.reader_id,
        kind: BlockKind::LostCopy,
        reason: format!(
            "lost copy {} (inventory {})",
            copy.barcode, copy.inventory_number
        ),
        created_at: now,
        created_by: Some(by),
        lifted_at: None,
        lifted_by: None,
        lift_reason: None,
    }
}

impl App {
    /// Marks the copy of an open loan lost: the loan stays open as a debt,
    /// the copy is `lost`, the reader gets a `lost_copy` block naming it.
    pub fn mark_lost(
        &self,
        who: &Principal,
        actor: &Actor,
        id: LoanId,
    ) -> Result<LostView, AppError> {
        who.require_role(DESK)?;
        let (today, now) = (today(), Timestamp::now());
        let here = who.acting_branch.id;
        self.db.write(|conn| {
            let loan = loans::find(conn, id).map_err(loan_missing)?;
            if loan.returned_at.is_some() {
                return Err(not_open());
            }
            if loan.lost_at.is_some() || !loans::mark_lost(conn, id, now)? {
                return Err(already_lost());
            }
            let mut lost = loan.clone();
            lost.lost_at = Some(now);
            lost.version += 1;
            let copy = copies::find(conn, loan.copy_id)?;
            copies::set_status(conn, copy.id, CopyStatus::Lost, now)?;
            let block = lost_block(&loan, &copy, who.staff.id, now);
            blocks::insert(conn, &block)?;
            let reader = kitap_db::readers::find(conn, loan.reader_id)?;
            let facts = EventFacts {
                kind: CirculationEventKind::MarkLost,
                loan: Some(loan.id),
                loan_kind: Some(loan.kind),
                branch: here,
                due_on: Some(loan.due_on),
                overridden: &[],
                detail: Some(format!("copy {} marked lost", copy.barcode)),
                bands: self.age_bands,
            };
            events::write(conn, actor, (&reader, &copy), facts, now, today)?;
            let (mut b, mut a) = (loan_snapshot(&loan), loan_snapshot(&lost));
            b["lost_at"] = json!(null);
            a["lost_at"] = json!(now.to_string());
            audit(conn, actor, "mark_lost", ("loan", &id), Some(b), Some(a))?;
            let after = json!({"reader_id": loan.reader_id.to_string(), "kind": "lost_copy", "reason": block.reason});
            audit(
                conn,
                actor,
                "block",
                ("reader_block", &block.id),
                None,
                Some(after),
            )?;
            announce(conn, now, &[copy.id])?;
            let copy = copies::find(conn, copy.id)?;
            Ok(LostView {
                loan: lost,
                copy,
                block,
            })
        })
    }

    /// Resolves a lost loan with the book the reader brought, in one
    /// transaction: accession act (source `replacement`) for the new copy at
    /// the acting library, linked to the lost copy; write-off act
    /// (`lost_by_reader`) for the lost copy at its library; the loan closed;
    /// the `lost_copy` blocks lifted when nothing else is lost.
    pub fn replace_lost(
        &self,
        who: &Principal,
        actor: &Actor,
        id: LoanId,
        req: ReplacementRequest,
    ) -> Result<ReplacementView, AppError> {
        who.require_role(DESK)?;
        let (today, now) = (today(), Timestamp::now());
        let here = who.acting_branch.clone();
        self.db.write(|conn| {
            let loan = loans::find(conn, id).map_err(loan_missing)?;
            if loan.returned_at.is_some() {
                return Err(not_open());
            }
            if loan.lost_at.is_none() {
                return Err(not_lost());
            }
            let lost = copies::find(conn, loan.copy_id)?;
            let reader = kitap_db::readers::find(conn, loan.reader_id)?;
            let accession =
                PreparedAccession::parse(&accession_of(&req, &lost, &loan, (here.id, today)))?;
            let act_in = self.accession_in(conn, actor, here.clone(), &accession, now)?;
            let new_copy = act_in
                .lines
                .first()
                .map(|l| l.copy.clone())
                .ok_or_else(|| AppError::Internal("replacement act without a copy".into()))?;
            if !loans::close(conn, id, now, here.id, loan.fine_minor)? {
                return Err(not_open());
            }
            let write_off = PreparedWriteOff::parse(&crate::catalog::NewWriteOffAct {
                library: None,
                date: today,
                reason: WriteOffReason::LostByReader.as_str().to_owned(),
                note: Some(format!(
                    "lost by reader {}; replaced by copy {}",
                    reader.card_number, new_copy.inventory_number
                )),
                copy_ids: vec![lost.id],
            })?;
            let home = branches::find(conn, lost.branch_id)?;
            let act_out = self.write_off_in(conn, actor, home, &write_off, now)?;
            replacements::insert(
                conn,
                &Replacement {
                    copy_id: new_copy.id,
                    replaces_copy_id: lost.id,
                    loan_id: id,
                    created_at: now,
                },
            )?;
            let blocks_lifted =
                lift_lost_blocks(conn, actor, loan.reader_id, now, "lost copy replaced")?;
            let facts = EventFacts {
                kind: CirculationEventKind::Return,
                loan: Some(id),
                loan_kind: Some(loan.kind),
                branch: here.id,
                due_on: Some(loan.due_on),
                overridden: &[],
                detail: Some(format!(
                    "resolved by replacement: copy {} replaces lost copy {}",
                    new_copy.barcode, lost.barcode
                )),
                bands: self.age_bands,
            };
            events::write(conn, actor, (&reader, &lost), facts, now, today)?;
            let closed = loans::find(conn, id)?;
            let mut after = loan_snapshot(&closed);
            after["resolved_by"] = json!("replacement");
            after["replacement_copy_id"] = json!(new_copy.id.to_string());
            after["accession_act"] = json!(act_in.act.header.number);
            after["write_off_act"] = json!(act_out.act.header.number);
            let before = loan_snapshot(&loan);
            audit(
                conn,
                actor,
                "replace_lost",
                ("loan", &id),
                Some(before),
                Some(after),
            )?;
            Ok(ReplacementView {
                loan: closed,
                lost_copy: copies::find(conn, lost.id)?,
                new_copy,
                accession_act: act_in.act.header.number,
                write_off_act: act_out.act.header.number,
                blocks_lifted,
            })
        })
    }
}

/// The accession act of the replacement: one new copy of the lost copy's
/// record (or the equivalent one named), dated today. Shelf and location
/// follow the lost copy's when it belonged to this library.
fn accession_of(
    req: &ReplacementRequest,
    lost: &StoredCopy,
    loan: &StoredLoan,
    (here, today): (kitap_domain::BranchId, chrono::NaiveDate),
) -> NewAccessionAct {
    let same = |v: &Option<String>| v.clone().filter(|_| lost.branch_id == here);
    let copies = NewCopies {
        library: None,
        count: Some(1),
        inventory_numbers: req.inventory_number.iter().cloned().collect(),
        barcodes: vec![req.barcode.clone()],
        location: req.location.clone().or_else(|| same(&lost.location)),
        shelf: req.shelf.clone().or_else(|| same(&lost.shelf)),
        material_type: req
            .material_type
            .clone()
            .or_else(|| Some(lost.material_type.clone())),
        status: None,
        price_minor: req.price_minor,
        acquired_on: None,
        source: None,
        supplier: None,
        note: req.note.clone(),
    };
    NewAccessionAct {
        library: None,
        date: today,
        source: kitap_domain::AcquisitionSource::Replacement
            .as_str()
            .to_owned(),
        supplier: None,
        document_ref: None,
        note: Some(format!(
            "replacement for lost copy {} (loan {})",
            lost.inventory_number, loan.id
        )),
        copy_ids: Vec::new(),
        new_copies: vec![ActNewCopies {
            record_id: req.record_id.unwrap_or(lost.record_id),
            copies,
        }],
    }
}
