//! Optional fines (off by default: `[circulation] fines_enabled`). An
//! overdue return is charged the loan rule's `fine_per_day_minor` per
//! calendar day late; the fine is recorded on the loan. Staff (or an amnesty
//! campaign) may waive it; Kitap processes no payments.

use kitap_db::fines::{self, FineWaiver};
use kitap_db::loans::StoredLoan;
use kitap_db::{loan_rules, loans, DbConnection, DbError};
use kitap_domain::{LoanId, Role, Timestamp};
use serde_json::json;

use super::lost::loan_missing;
use super::readers::text;
use crate::audit::record as audit;
use crate::{Actor, App, AppError, Principal};

/// Who may waive a fine.
const WAIVERS: &[Role] = &[Role::Admin, Role::Manager];

/// The fine per day of the loan's rule, 0 when fines are off or the rule
/// is gone.
pub(crate) fn fine_per_day(
    conn: &mut DbConnection,
    enabled: bool,
    loan: &StoredLoan,
) -> Result<i64, DbError> {
    let Some(rule) = loan.rule_id.filter(|_| enabled) else {
        return Ok(0);
    };
    match loan_rules::find(conn, rule) {
        Ok(rule) => Ok(rule.fine_per_day_minor.max(0)),
        Err(DbError::NotFound) => Ok(0),
        Err(other) => Err(other),
    }
}

impl App {
    /// Waives the fine recorded on a returned loan (administrators and
    /// managers), with a reason; audited. Once per loan.
    pub fn waive_fine(
        &self,
        who: &Principal,
        actor: &Actor,
        id: LoanId,
        reason: &str,
    ) -> Result<FineWaiver, AppError> {
        who.require_role(WAIVERS)?;
        let reason = text("reason", Some(reason), 500)?
            .ok_or_else(|| kitap_domain::ValueError::new("reason", "must not be empty"))?;
        let now = Timestamp::now();
        self.db.write(|conn| {
            let loan = loans::find(conn, id).map_err(loan_missing)?;
            if loan.fine_minor == 0 {
                return Err(AppError::conflict(
                    "no_fine",
                    "this loan has no fine to waive",
                ));
            }
            let waiver = FineWaiver {
                loan_id: id,
                amount_minor: loan.fine_minor,
                waived_at: now,
                waived_by: Some(who.staff.id),
                campaign_id: None,
                reason,
            };
            match fines::insert(conn, &waiver) {
                Ok(()) => {}
                Err(DbError::UniqueViolation(_)) => return Err(already_waived()),
                Err(other) => return Err(other.into()),
            }
            let after = json!({"amount_minor": waiver.amount_minor, "reason": waiver.reason});
            audit(conn, actor, "waive_fine", ("loan", &id), None, Some(after))?;
            Ok(waiver)
        })
    }
}

fn already_waived() -> AppError {
    AppError::conflict("fine_already_waived", "this loan's fine is already waived")
}

/// Waives a fine by an amnesty campaign, inside the return's transaction.
pub(crate) fn waive_by_campaign(
    conn: &mut DbConnection,
    actor: &Actor,
    loan: LoanId,
    amount_minor: i64,
    campaign: kitap_domain::AmnestyCampaignId,
    now: Timestamp,
) -> Result<(), AppError> {
    if amount_minor <= 0 {
        return Ok(());
    }
    let waiver = FineWaiver {
        loan_id: loan,
        amount_minor,
        waived_at: now,
        waived_by: actor.staff_id,
        campaign_id: Some(campaign),
        reason: "amnesty campaign".to_owned(),
    };
    fines::insert(conn, &waiver)?;
    let after = json!({"amount_minor": amount_minor, "campaign_id": campaign.to_string()});
    audit(
        conn,
        actor,
        "waive_fine",
        ("loan", &loan),
        None,
        Some(after),
    )?;
    Ok(())
}
