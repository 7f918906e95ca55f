//! Reclassification after the knowledge-area rules change: every record
//! classified under another rules version gets its group recomputed from
//! its MARC under the rules in force. A record whose group changes is
//! edited like any record (new version, outbox row for the search index,
//! audit row); one whose group stays only notes the new version. Past
//! circulation events keep the group they stored, so last year's report
//! does not move.

use kitap_catalog::BibView;
use kitap_db::classification::{self, Reclassified};
use kitap_db::records::{self, StoredRecord};
use kitap_db::DbConnection;
use kitap_domain::{RecordId, Role, Timestamp};
use serde_json::json;

use super::records::{announce, decode_stored};
use crate::audit::record as audit;
use crate::{Actor, App, AppError, Principal};

/// Records per transaction.
const BATCH: i64 = 500;

/// What a reclassification did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reclassification {
    /// The rules version every examined record now carries.
    pub version: String,
    /// Records whose group changed (a new record version each).
    pub changed: u64,
    /// Records whose group is the same under these rules.
    pub unchanged: u64,
    /// Records left as they were: edited meanwhile (an edit classifies
    /// under the rules in force itself) or with unreadable MARC.
    pub skipped: u64,
}

/// A record and its group under the rules in force (`None`: no rule
/// classifies it), or `Err` when its stored MARC cannot be read.
type Computed = (StoredRecord, Result<Option<&'static str>, AppError>);

impl App {
    /// Reclassifies through the API (administrators).
    pub fn reclassify(&self, who: &Principal, actor: &Actor) -> Result<Reclassification, AppError> {
        who.require_role(&[Role::Admin])?;
        self.reclassify_all(actor, &mut |_| {})
    }

    /// Reclassifies every record of another rules version, batch by batch
    /// (the MARC decoding outside the transaction); `tick` sees the running
    /// result.
    pub fn reclassify_all(
        &self,
        actor: &Actor,
        tick: &mut dyn FnMut(&Reclassification),
    ) -> Result<Reclassification, AppError> {
        let version = self.area_rules.version.clone();
        let mut done = Reclassification {
            version: version.clone(),
            ..Reclassification::default()
        };
        let mut after = None;
        loop {
            let ids = self
                .db
                .read(|c| classification::other_version(c, &version, after, BATCH))?;
            let Some(last) = ids.last().copied() else {
                return Ok(done);
            };
            after = Some(last);
            let computed = self.compute_areas(&ids)?;
            let now = Timestamp::now();
            self.db.write(|conn| {
                for (record, area) in &computed {
                    match area {
                        Ok(area) => store(conn, actor, (record, *area), &version, now, &mut done)?,
                        Err(_) => done.skipped += 1,
                    }
                }
                Ok::<_, AppError>(())
            })?;
            tick(&done);
        }
    }

    fn compute_areas(&self, ids: &[RecordId]) -> Result<Vec<Computed>, AppError> {
        let stored = self.db.read(|c| records::find_many(c, ids))?;
        Ok(stored
            .into_iter()
            .map(|record| {
                let area = decode_stored(&record).map(|marc| {
                    BibView::from_record(&marc)
                        .knowledge_area_under(&self.area_rules)
                        .map(|a| a.as_str())
                });
                if let Err(err) = &area {
                    tracing::warn!(record = %record.id, error = %err, "cannot reclassify");
                }
                (record, area)
            })
            .collect())
    }
}

/// Writes one record's new group (`None`: no rule classifies it).
fn store(
    conn: &mut DbConnection,
    actor: &Actor,
    (record, area): (&StoredRecord, Option<&str>),
    version: &str,
    now: Timestamp,
    done: &mut Reclassification,
) -> Result<(), AppError> {
    let before = record.derived.knowledge_area.as_deref();
    if area == before {
        match classification::confirm_area(conn, record.id, record.version, version)? {
            true => done.unchanged += 1,
            false => done.skipped += 1,
        }
        return Ok(());
    }
    let change = Reclassified {
        id: record.id,
        expected_version: record.version,
        knowledge_area: area,
        rules_version: version,
        by: actor.staff_id,
        at: now,
    };
    if !classification::set_area(conn, &change)? {
        done.skipped += 1;
        return Ok(());
    }
    announce(conn, now, &record.id, "upsert")?;
    audit(
        conn,
        actor,
        "reclassify",
        ("record", &record.id),
        Some(json!({
            "knowledge_area": before,
            "area_rules_version": record.derived.area_rules_version,
        })),
        Some(json!({ "knowledge_area": area, "area_rules_version": version })),
    )?;
    done.changed += 1;
    Ok(())
}
