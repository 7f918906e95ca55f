//! Making acts: one transaction checks the copies, numbers the act, writes
//! it with its lines, changes the copies, and records outbox and audit rows.
//! Numbers read `<prefix>-<year>/<nnnn>`, one series per kind and year of the
//! act date for the whole library system (it keeps one accession register).

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate, Utc};
use kitap_db::acts::{self, AccessionAct, ActHeader, WriteOffAct};
use kitap_db::branches::Branch;
use kitap_db::copies::{self, StoredCopy};
use kitap_db::{counters, DbConnection};
use kitap_domain::{
    AccessionActId, AcquisitionSource, CopyId, CopyStatus, Money, RecordId, Timestamp, ValueError,
    WriteOffActId, WriteOffBlock, WriteOffReason,
};
use serde_json::{json, Value};

use super::acts::{ActDetails, NewAccessionAct, NewWriteOffAct, MAX_COPIES_PER_ACT};
use super::copies::{copy_missing, library_for, on_loan, snapshot, withdrawn};
use super::copy_batch::{announce, clean_text, create, Batch};
use super::records::CATALOGERS;
use crate::audit::record as audit;
use crate::{Actor, App, AppError, Principal};

impl App {
    pub fn create_accession_act(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewAccessionAct,
    ) -> Result<ActDetails<AccessionAct>, AppError> {
        who.require_role(CATALOGERS)?;
        let prepared = PreparedAccession::parse(&new)?;
        self.db.write(|conn| {
            let branch = library_for(conn, who, new.library.as_deref())?;
            self.accession_in(conn, actor, branch, &prepared, Timestamp::now())
        })
    }

    /// Makes a checked accession act at `branch` inside the caller's
    /// transaction (the desk's replacement of a lost copy uses it too).
    pub(crate) fn accession_in(
        &self,
        conn: &mut DbConnection,
        actor: &Actor,
        branch: Branch,
        p: &PreparedAccession,
        now: Timestamp,
    ) -> Result<ActDetails<AccessionAct>, AppError> {
        let id = AccessionActId::new();
        let (date, source) = (p.date, p.source);
        let (supplier, note) = (&p.supplier, &p.note);
        let batches = &p.batches;
        let new_count: usize = batches.iter().map(|(_, b)| b.wanted.len()).sum();
        let existing = load_copies(conn, &p.copy_ids)?;
        for copy in &existing {
            may_accession(copy, &branch)?;
        }
        let prices = existing.iter().map(|c| c.price).chain(
            batches
                .iter()
                .flat_map(|(_, b)| b.wanted.iter().map(|_| b.template.price)),
        );
        let header = ActHeader {
            number: self.act_number(conn, "accession", date)?,
            branch_id: branch.id,
            act_date: date,
            note: note.clone(),
            copy_count: count_i32(existing.len() + new_count)?,
            total: total(prices)?,
            created_by: actor.staff_id,
            created_at: now,
        };
        let act = AccessionAct {
            id,
            header,
            source,
            supplier: supplier.clone(),
            document_ref: p.document_ref.clone(),
        };
        acts::insert_accession(conn, &act)?;
        let mut lines: Vec<(CopyId, Option<Money>)> = Vec::new();
        for (record, batch) in batches {
            for copy in create(
                conn,
                &self.catalog,
                (*record, &branch),
                batch,
                Some(id),
                now,
            )? {
                lines.push((copy.id, copy.price));
                audit(
                    conn,
                    actor,
                    "create",
                    ("copy", &copy.id),
                    None,
                    Some(snapshot(&copy)),
                )?;
            }
        }
        let ids: Vec<CopyId> = existing.iter().map(|c| c.id).collect();
        let facts = (date, source, supplier.as_deref());
        if acts::accession_copies(conn, &ids, branch.id, id, facts, now)? != ids.len() {
            return Err(changed_meanwhile());
        }
        announce(conn, now, &ids)?;
        for before in &existing {
            let after = StoredCopy {
                accession_act_id: Some(id),
                acquired_on: Some(date),
                acquisition_source: Some(source),
                supplier: supplier.clone(),
                version: before.version + 1,
                updated_at: now,
                ..before.clone()
            };
            lines.push((before.id, before.price));
            let (b, a) = (snapshot(before), snapshot(&after));
            audit(
                conn,
                actor,
                "accession",
                ("copy", &before.id),
                Some(b),
                Some(a),
            )?;
        }
        acts::insert_accession_lines(conn, id, &lines)?;
        let summary = accession_summary(&act, &branch);
        audit(
            conn,
            actor,
            "create",
            ("accession_act", &id),
            None,
            Some(summary),
        )?;
        let lines = acts::accession_lines(conn, id)?;
        Ok(ActDetails {
            act,
            library: branch,
            lines,
        })
    }

    pub fn create_write_off_act(
        &self,
        who: &Principal,
        actor: &Actor,
        new: NewWriteOffAct,
    ) -> Result<ActDetails<WriteOffAct>, AppError> {
        who.require_role(CATALOGERS)?;
        let prepared = PreparedWriteOff::parse(&new)?;
        self.db.write(|conn| {
            let branch = library_for(conn, who, new.library.as_deref())?;
            self.write_off_in(conn, actor, branch, &prepared, Timestamp::now())
        })
    }

    /// Makes a checked write-off act at `branch` inside the caller's
    /// transaction (the desk's replacement of a lost copy uses it too).
    pub(crate) fn write_off_in(
        &self,
        conn: &mut DbConnection,
        actor: &Actor,
        branch: Branch,
        p: &PreparedWriteOff,
        now: Timestamp,
    ) -> Result<ActDetails<WriteOffAct>, AppError> {
        let id = WriteOffActId::new();
        let (date, reason, note) = (p.date, p.reason, &p.note);
        let leaving = load_copies(conn, &p.copy_ids)?;
        for copy in &leaving {
            may_write_off(copy, &branch)?;
        }
        let header = ActHeader {
            number: self.act_number(conn, "write_off", date)?,
            branch_id: branch.id,
            act_date: date,
            note: note.clone(),
            copy_count: count_i32(leaving.len())?,
            total: total(leaving.iter().map(|c| c.price))?,
            created_by: actor.staff_id,
            created_at: now,
        };
        let act = WriteOffAct { id, header, reason };
        acts::insert_write_off(conn, &act)?;
        let ids: Vec<CopyId> = leaving.iter().map(|c| c.id).collect();
        if acts::withdraw_copies(conn, &ids, branch.id, id, now)? != ids.len() {
            return Err(changed_meanwhile());
        }
        let lines: Vec<(CopyId, Option<Money>)> = leaving.iter().map(|c| (c.id, c.price)).collect();
        acts::insert_write_off_lines(conn, id, &lines)?;
        announce(conn, now, &ids)?;
        for before in &leaving {
            let after = StoredCopy {
                status: CopyStatus::Withdrawn,
                write_off_act_id: Some(id),
                version: before.version + 1,
                updated_at: now,
                ..before.clone()
            };
            let (b, a) = (snapshot(before), snapshot(&after));
            audit(
                conn,
                actor,
                "write_off",
                ("copy", &before.id),
                Some(b),
                Some(a),
            )?;
        }
        let summary = json!({
            "number": act.header.number, "library": branch.code.as_str(),
            "act_date": date, "reason": reason.as_str(),
            "copy_count": act.header.copy_count, "total_minor": act.header.total.minor(),
        });
        audit(
            conn,
            actor,
            "create",
            ("write_off_act", &id),
            None,
            Some(summary),
        )?;
        let lines = acts::write_off_lines(conn, id)?;
        Ok(ActDetails {
            act,
            library: branch,
            lines,
        })
    }

    /// The next number of `kind` for the act date's year. Taken before the
    /// new copies' numbers: every transaction locks the counters in the
    /// same order (act, inventory, barcode), so concurrent ones never deadlock.
    fn act_number(
        &self,
        conn: &mut DbConnection,
        kind: &str,
        date: NaiveDate,
    ) -> Result<String, AppError> {
        let year = date.year();
        let n = counters::next(conn, &format!("{kind}/{year}"))?;
        let prefix = match kind {
            "accession" => &self.catalog.accession_act_prefix,
            _ => &self.catalog.write_off_act_prefix,
        };
        Ok(format!("{prefix}-{year}/{n:04}"))
    }
}

/// An accession act checked before its transaction.
#[derive(Debug, Clone)]
pub(crate) struct PreparedAccession {
    pub date: NaiveDate,
    pub source: AcquisitionSource,
    pub supplier: Option<String>,
    pub document_ref: Option<String>,
    pub note: Option<String>,
    pub copy_ids: Vec<CopyId>,
    pub batches: Vec<(RecordId, Batch)>,
}

impl PreparedAccession {
    pub(crate) fn parse(new: &NewAccessionAct) -> Result<Self, AppError> {
        let date = act_date(new.date)?;
        let source: AcquisitionSource = new.source.parse()?;
        let supplier = clean_text("supplier", new.supplier.as_deref(), 200)?;
        let document_ref = clean_text("document_ref", new.document_ref.as_deref(), 200)?;
        let note = clean_text("note", new.note.as_deref(), 2000)?;
        let mut batches = Vec::with_capacity(new.new_copies.len());
        for group in &new.new_copies {
            let mut batch = Batch::parse(&group.copies)?;
            batch.template.acquired_on = Some(date);
            batch.template.source = Some(source);
            batch.template.supplier = supplier.clone();
            batches.push((group.record_id, batch));
        }
        let new_count: usize = batches.iter().map(|(_, b)| b.wanted.len()).sum();
        check_copy_list(&new.copy_ids, new_count)?;
        Ok(PreparedAccession {
            date,
            source,
            supplier,
            document_ref,
            note,
            copy_ids: new.copy_ids.clone(),
            batches,
        })
    }
}

/// A write-off act checked before its transaction.
#[derive(Debug, Clone)]
pub(crate) struct PreparedWriteOff {
    pub date: NaiveDate,
    pub reason: WriteOffReason,
    pub note: Option<String>,
    pub copy_ids: Vec<CopyId>,
}

impl PreparedWriteOff {
    pub(crate) fn parse(new: &NewWriteOffAct) -> Result<Self, AppError> {
        let date = act_date(new.date)?;
        let reason: WriteOffReason = new.reason.parse()?;
        let note = clean_text("note", new.note.as_deref(), 2000)?;
        check_copy_list(&new.copy_ids, 0)?;
        Ok(PreparedWriteOff {
            date,
            reason,
            note,
            copy_ids: new.copy_ids.clone(),
        })
    }
}

/// Acts are dated by hand; a date far off is a typo, not a plan.
fn act_date(date: NaiveDate) -> Result<NaiveDate, ValueError> {
    let tomorrow = Utc::now().date_naive().succ_opt().unwrap_or(NaiveDate::MAX);
    if date.year() < 1900 || date > tomorrow {
        return Err(ValueError::new(
            "date",
            "must be between 1900-01-01 and today",
        ));
    }
    Ok(date)
}

fn check_copy_list(ids: &[CopyId], new_count: usize) -> Result<(), ValueError> {
    let total = ids.len() + new_count;
    if total == 0 {
        return Err(ValueError::new(
            "copy_ids",
            "an act lists at least one copy",
        ));
    }
    if total > MAX_COPIES_PER_ACT {
        let message = format!("an act lists at most {MAX_COPIES_PER_ACT} copies");
        return Err(ValueError::new("copy_ids", message));
    }
    let mut seen = HashSet::new();
    if let Some(twice) = ids.iter().find(|id| !seen.insert(**id)) {
        return Err(ValueError::new(
            "copy_ids",
            format!("copy {twice} is listed twice"),
        ));
    }
    Ok(())
}

/// The copies named, in the order given; a missing one is `copy_not_found`.
fn load_copies(conn: &mut DbConnection, ids: &[CopyId]) -> Result<Vec<StoredCopy>, AppError> {
    let mut found = copies::find_many(conn, ids)?;
    let mut ordered = Vec::with_capacity(ids.len());
    for id in ids {
        let at = found
            .iter()
            .position(|c| c.id == *id)
            .ok_or_else(|| copy_missing(kitap_db::DbError::NotFound))?;
        ordered.push(found.swap_remove(at));
    }
    Ok(ordered)
}

fn elsewhere(copy: &StoredCopy, branch: &Branch) -> AppError {
    AppError::conflict(
        "copy_in_other_library",
        format!(
            "copy {} belongs to another library than {}",
            copy.inventory_number, branch.code
        ),
    )
}

fn may_accession(copy: &StoredCopy, branch: &Branch) -> Result<(), AppError> {
    if copy.branch_id != branch.id {
        return Err(elsewhere(copy, branch));
    }
    if copy.status == CopyStatus::Withdrawn {
        return Err(withdrawn(copy));
    }
    if copy.accession_act_id.is_some() {
        return Err(AppError::conflict(
            "copy_already_accessioned",
            format!(
                "copy {} is already on an accession act",
                copy.inventory_number
            ),
        ));
    }
    Ok(())
}

fn may_write_off(copy: &StoredCopy, branch: &Branch) -> Result<(), AppError> {
    if copy.branch_id != branch.id {
        return Err(elsewhere(copy, branch));
    }
    match copy.status.write_off_block() {
        None => Ok(()),
        Some(WriteOffBlock::OnLoan) => Err(on_loan(copy)),
        Some(WriteOffBlock::AlreadyWithdrawn) => Err(withdrawn(copy)),
        Some(WriteOffBlock::InTransit) => Err(AppError::conflict(
            "copy_in_transit",
            format!(
                "copy {} is in transit; write it off where it arrives",
                copy.inventory_number
            ),
        )),
    }
}

/// The UPDATE's own condition refused a copy that passed our checks: another
/// transaction lent, moved or wrote it off in between.
fn changed_meanwhile() -> AppError {
    AppError::conflict(
        "copy_changed",
        "a copy of the act was changed meanwhile; reload and try again",
    )
}

fn total(prices: impl Iterator<Item = Option<Money>>) -> Result<Money, AppError> {
    prices.flatten().try_fold(Money::ZERO, |sum, p| {
        sum.checked_add(p)
            .ok_or_else(|| ValueError::new("price_minor", "the act total is too large").into())
    })
}

fn count_i32(n: usize) -> Result<i32, AppError> {
    i32::try_from(n).map_err(|_| ValueError::new("copy_ids", "too many copies").into())
}

fn accession_summary(act: &AccessionAct, branch: &Branch) -> Value {
    json!({
        "number": act.header.number, "library": branch.code.as_str(),
        "act_date": act.header.act_date, "source": act.source.as_str(),
        "supplier": act.supplier, "document_ref": act.document_ref,
        "copy_count": act.header.copy_count, "total_minor": act.header.total.minor(),
    })
}
