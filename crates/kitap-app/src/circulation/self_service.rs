//! Reader self-service (#5, point 7): a reader logged in with card and PIN
//! sees their profile, loans, holds and (if they chose to keep it) their
//! reading history, renews and places or cancels holds — by the same
//! policies as the desk, without overrides.
//!
//! Everything is the reader's own: lists are of the reader in the token, and
//! an id that names another reader's loan or hold answers "not found", never
//! "forbidden", so ids of others reveal nothing.

use kitap_circulation::{
    renewal_refusals, resolve, LoanRule, Overrides, RefusalCode, RenewalChannel, RuleKey,
};
use kitap_db::blocks::{self, StoredBlock};
use kitap_db::holds::{self, StoredHold};
use kitap_db::loans::{self, LoanWithCopy, StoredLoan};
use kitap_db::reader_activity::{self, ActivityKind};
use kitap_db::readers::StoredReader;
use kitap_db::{copies, DbConnection, DbError};
use kitap_domain::{
    Barcode, BlockKind, CopyId, HoldId, HoldStatus, LoanId, ReaderId, RecordId, Timestamp,
};

use super::desk::{loan_state, others_waiting, renew_loan, LoanView, RenewBy};
use super::holds::{HoldPlacer, PlaceHoldRequest};
use super::rules::{all_rules, policy_rule};
use super::state::reader_state;
use super::today;
use crate::{Actor, App, AppError, ReaderPrincipal};

/// A refusal or block as the reader reads it: the stable code and the
/// reader's text in Russian and Kazakh (never the staff detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReaderText {
    pub code: &'static str,
    pub message_ru: &'static str,
    pub message_kk: &'static str,
}

impl From<RefusalCode> for ReaderText {
    fn from(code: RefusalCode) -> Self {
        ReaderText {
            code: code.as_str(),
            message_ru: code.message_ru(),
            message_kk: code.message_kk(),
        }
    }
}

/// Logs a self-service action of `reader` (statistics: remote users) in the
/// caller's transaction, at the home library the reader has now.
pub(crate) fn log_activity(
    conn: &mut DbConnection,
    reader: ReaderId,
    kind: ActivityKind,
    at: Timestamp,
) -> Result<(), DbError> {
    let home = kitap_db::readers::find(conn, reader)?.home_branch_id;
    reader_activity::log(conn, reader, home, kind, at)
}

/// The reader's texts of a refusal code, for the API's reader-facing errors.
pub fn reader_text(code: &str) -> Option<ReaderText> {
    code.parse::<RefusalCode>().ok().map(ReaderText::from)
}

/// What a block means for the reader: the automatic overdue block is the
/// debtor rule (`reader_has_overdue`); manual and lost-copy blocks stop
/// renewals and holds (`reader_blocked`).
pub fn block_text(kind: BlockKind) -> ReaderText {
    match kind {
        BlockKind::Overdue => RefusalCode::ReaderHasOverdue.into(),
        BlockKind::Manual | BlockKind::LostCopy => RefusalCode::ReaderBlocked.into(),
    }
}

/// The reader's own card.
#[derive(Debug, Clone)]
pub struct SelfProfile {
    pub reader: StoredReader,
    pub blocks: Vec<StoredBlock>,
    /// The annual re-registration ran out (renewals still work; new loans
    /// at the desk need re-registration).
    pub registration_expired: bool,
}

/// An open loan with what the reader needs to decide on renewing.
#[derive(Debug, Clone)]
pub struct SelfLoan {
    pub loan: StoredLoan,
    pub barcode: Barcode,
    pub record_id: RecordId,
    pub title: String,
    pub overdue_days: u32,
    pub renewals_left: u16,
    /// Why renewing now would be refused (the first failing check); `None`
    /// when it may be renewed.
    pub renewal_refusal: Option<ReaderText>,
}

/// A hold of the reader's, with the place in the title's queue.
#[derive(Debug, Clone)]
pub struct SelfHold {
    pub hold: StoredHold,
    pub title: String,
    /// 1 for the next in line; only for holds still waiting for a copy.
    pub queue_position: Option<u32>,
}

fn loan_missing(err: DbError) -> AppError {
    match err {
        DbError::NotFound => AppError::NotFound { entity: "loan" },
        other => other.into(),
    }
}

fn self_hold(conn: &mut DbConnection, hold: StoredHold) -> Result<SelfHold, AppError> {
    let title = kitap_db::records::find(conn, hold.record_id)?.derived.title;
    let queue_position = if hold.status == HoldStatus::Waiting {
        let waiting: Vec<HoldId> = holds::queue(conn, hold.record_id)?
            .iter()
            .filter(|h| h.status == HoldStatus::Waiting)
            .map(|h| h.id)
            .collect();
        waiting
            .iter()
            .position(|id| *id == hold.id)
            .and_then(|i| u32::try_from(i + 1).ok())
    } else {
        None
    };
    Ok(SelfHold {
        hold,
        title,
        queue_position,
    })
}

impl App {
    /// The reader's card: name, card number, home library, registration,
    /// active blocks and consents.
    pub fn my_profile(&self, me: &ReaderPrincipal) -> Result<SelfProfile, AppError> {
        let blocks = self.db.read(|conn| blocks::active(conn, me.reader.id))?;
        Ok(SelfProfile {
            registration_expired: me.reader.registered_until < today(),
            reader: me.reader.clone(),
            blocks,
        })
    }

    /// The reader's open loans, earliest due first, each with the renewals
    /// left and whether the desk's renewal policy would renew it now.
    pub fn my_loans(&self, me: &ReaderPrincipal) -> Result<Vec<SelfLoan>, AppError> {
        let today = today();
        let reader = &me.reader;
        self.db.read(|conn| {
            let state = reader_state(conn, reader, today)?;
            let rules: Vec<LoanRule> = all_rules(conn)?.iter().map(policy_rule).collect();
            let open = loans::open_for_reader(conn, reader.id)?;
            let mut out = Vec::with_capacity(open.len());
            for l in open {
                let copy = copies::find(conn, l.loan.copy_id)?;
                let key = RuleKey {
                    library: l.loan.branch_id,
                    category: reader.category,
                    material_type: copy.material_type,
                };
                let values = resolve(&rules, &key)
                    .map_err(|e| AppError::Internal(e.to_string()))?
                    .values;
                let waiting = others_waiting(conn, l.record_id, reader.id)?;
                let current = loan_state(&l.loan);
                let refusals = renewal_refusals(&current, &state, &values, waiting, today);
                out.push(SelfLoan {
                    overdue_days: kitap_circulation::overdue_days(l.loan.due_on, today),
                    renewals_left: values.max_renewals.saturating_sub(current.renewals),
                    renewal_refusal: refusals.first().map(|r| r.code.into()),
                    loan: l.loan,
                    barcode: l.barcode,
                    record_id: l.record_id,
                    title: l.title,
                });
            }
            Ok(out)
        })
    }

    /// The reader renews their own loan online: the desk's policy without
    /// overrides; recorded with no staff member and the detail `reader_online`.
    pub fn renew_my_loan(
        &self,
        me: &ReaderPrincipal,
        actor: &Actor,
        id: LoanId,
    ) -> Result<LoanView, AppError> {
        let today = today();
        let now = Timestamp::now();
        self.db.write(|conn| {
            let loan = loans::find(conn, id).map_err(loan_missing)?;
            if loan.reader_id != me.reader.id {
                return Err(AppError::NotFound { entity: "loan" });
            }
            let none = Overrides::none();
            let by = RenewBy {
                channel: RenewalChannel::ReaderOnline,
                overrides: &none,
                branch: loan.branch_id,
                note: None,
                bands: self.age_bands,
            };
            let renewed = renew_loan(conn, actor, &loan, &by, (today, now))?;
            log_activity(conn, me.reader.id, ActivityKind::Renewal, now)?;
            Ok(renewed)
        })
    }

    /// The reader's returned loans, newest first, only when the reader chose
    /// to keep a reading history (`keep_history`); otherwise
    /// `history_not_kept`. The loans themselves are kept either way (the
    /// desk and statistics need them); the choice governs showing them.
    pub fn my_history(
        &self,
        me: &ReaderPrincipal,
        before: Option<LoanId>,
        limit: i64,
    ) -> Result<Vec<LoanWithCopy>, AppError> {
        if !me.reader.keep_history {
            return Err(AppError::HistoryNotKept);
        }
        Ok(self
            .db
            .read(|conn| loans::history(conn, me.reader.id, before, limit))?)
    }

    /// The reader's open holds, newest first.
    pub fn my_holds(&self, me: &ReaderPrincipal) -> Result<Vec<SelfHold>, AppError> {
        self.db.read(|conn| {
            holds::of_reader(conn, me.reader.id, true)?
                .into_iter()
                .map(|h| self_hold(conn, h))
                .collect()
        })
    }

    /// The reader places a hold on a title (or one copy) for pickup at a
    /// library, by the desk's hold policy.
    pub fn place_my_hold(
        &self,
        me: &ReaderPrincipal,
        actor: &Actor,
        record_id: RecordId,
        copy_id: Option<CopyId>,
        pickup_library: String,
    ) -> Result<SelfHold, AppError> {
        let req = PlaceHoldRequest {
            reader: String::new(),
            record_id,
            copy_id,
            pickup_library,
        };
        let placed = self.place_hold(HoldPlacer::Reader(me.reader.id), actor, req)?;
        self.db.read(|conn| self_hold(conn, placed.hold))
    }

    /// The reader cancels their own open hold.
    pub fn cancel_my_hold(
        &self,
        me: &ReaderPrincipal,
        actor: &Actor,
        id: HoldId,
    ) -> Result<SelfHold, AppError> {
        let cancelled = self.cancel_hold_of(Some(me.reader.id), actor, id)?;
        self.db.read(|conn| self_hold(conn, cancelled.hold))
    }
}
