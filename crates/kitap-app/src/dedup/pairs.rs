//! A cataloger's verdict on a pair of records. A rejected pair is never
//! proposed again, by the check on save, a record's duplicates or a scan.

use kitap_db::dedup::{self, Decision, PairDecision};
use kitap_db::{records, DbError};
use kitap_domain::{RecordId, Timestamp, ValueError};
use serde_json::json;

use crate::catalog::record_missing;
use crate::{Actor, App, AppError, Principal};

/// `(min, max)`: a pair is stored once, smaller id first.
pub fn ordered(a: RecordId, b: RecordId) -> Result<(RecordId, RecordId), AppError> {
    if a == b {
        return Err(ValueError::new("record_b", "a record is not a pair with itself").into());
    }
    Ok(if a < b { (a, b) } else { (b, a) })
}

impl App {
    /// Records (or replaces) the decision on the pair `a`, `b` in either order.
    pub fn decide_pair(
        &self,
        who: &Principal,
        actor: &Actor,
        (a, b): (RecordId, RecordId),
        decision: Decision,
        note: Option<String>,
    ) -> Result<PairDecision, AppError> {
        who.require_role(crate::catalog::CATALOGER_ROLES)?;
        let (a, b) = ordered(a, b)?;
        let note = note.map(|n| n.trim().to_owned()).filter(|n| !n.is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            return Err(ValueError::new("note", "must be at most 2000 characters").into());
        }
        let decided = PairDecision {
            a,
            b,
            decision,
            decided_by: actor.staff_id,
            decided_at: Timestamp::now(),
            note,
        };
        self.db.write(|conn| {
            records::find(conn, a).map_err(record_missing)?;
            records::find(conn, b).map_err(record_missing)?;
            let before = match dedup::find_decision(conn, a, b) {
                Ok(old) => Some(json!({ "decision": old.decision.as_str(), "note": old.note })),
                Err(DbError::NotFound) => None,
                Err(other) => return Err(other.into()),
            };
            dedup::decide(conn, &decided)?;
            crate::audit::record(
                conn,
                actor,
                "decide",
                ("dedup_pair", &format!("{a}/{b}")),
                before,
                Some(json!({ "decision": decision.as_str(), "note": decided.note })),
            )?;
            Ok::<_, AppError>(())
        })?;
        Ok(decided)
    }

    pub fn pair_decision(&self, a: RecordId, b: RecordId) -> Result<PairDecision, AppError> {
        let (a, b) = ordered(a, b)?;
        self.db
            .read(|conn| dedup::find_decision(conn, a, b))
            .map_err(|e| match e {
                DbError::NotFound => AppError::NotFound {
                    entity: "pair decision",
                },
                other => other.into(),
            })
    }

    /// Decisions in pair order after `after`, optionally of one kind.
    pub fn pair_decisions(
        &self,
        decision: Option<Decision>,
        after: Option<(RecordId, RecordId)>,
        limit: i64,
    ) -> Result<Vec<PairDecision>, AppError> {
        Ok(self
            .db
            .read(|conn| dedup::list_decisions(conn, decision, after, limit.clamp(1, 500)))?)
    }
}

/// `confirmed` or `rejected`.
pub fn parse_decision(raw: &str) -> Result<Decision, AppError> {
    Decision::parse(raw.trim())
        .ok_or_else(|| ValueError::new("decision", "must be confirmed or rejected").into())
}
