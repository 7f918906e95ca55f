//! Which catalog records a record duplicates: candidates from the shared
//! blocks, scored by kitap-dedup, minus pairs a cataloger rejected.

use std::collections::HashSet;

use kitap_db::{dedup, match_keys, records, DbConnection};
use kitap_dedup::{compare, DedupConfig, Evidence, Level, MatchKeys, Verdict};
use kitap_domain::RecordId;
use serde::Serialize;

use super::keys::parse_keys;
use crate::AppError;

/// A likely duplicate of a record, with why.
#[derive(Debug, Clone, Serialize)]
pub struct Duplicate {
    pub record_id: RecordId,
    pub title: String,
    /// 0 to 1.
    pub score: f64,
    /// `possible` (from the warning threshold) or `probable` (from the
    /// blocking threshold).
    pub level: Level,
    /// Each agreement and disagreement with the points it gave.
    pub evidence: Vec<Evidence>,
    /// What rules a duplicate out (empty for a reported duplicate).
    pub vetoes: Vec<Evidence>,
}

impl Duplicate {
    pub fn is_probable(&self) -> bool {
        self.level == Level::Probable
    }
}

/// The catalog's likely duplicates of a record with `keys` (level possible
/// or probable), best first. `except` is the record itself when stored:
/// it is not its own duplicate, and pairs rejected with it are left out.
pub(crate) fn find(
    conn: &mut DbConnection,
    cfg: &DedupConfig,
    keys: &MatchKeys,
    except: Option<RecordId>,
) -> Result<Vec<Duplicate>, AppError> {
    let stored = match_keys::candidates(conn, &keys.block_keys(), except, cfg.max_block)?;
    if stored.is_empty() {
        return Ok(Vec::new());
    }
    let rejected: HashSet<RecordId> = match except {
        Some(id) => dedup::rejected_touching(conn, &[id])?
            .into_iter()
            .map(|(a, b)| if a == id { b } else { a })
            .collect(),
        None => HashSet::new(),
    };
    let mut found = Vec::new();
    for candidate in stored {
        if rejected.contains(&candidate.record_id) {
            continue;
        }
        let other = parse_keys(&candidate)?;
        let verdict = compare(keys, &other, cfg);
        if verdict.level != Level::None {
            found.push((candidate.record_id, verdict));
        }
    }
    titled(conn, found)
}

/// The duplicates with their records' titles, best first (ties in id order).
/// A candidate deleted meanwhile is left out.
pub(crate) fn titled(
    conn: &mut DbConnection,
    found: Vec<(RecordId, Verdict)>,
) -> Result<Vec<Duplicate>, AppError> {
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<RecordId> = found.iter().map(|(id, _)| *id).collect();
    let stored = records::summaries(conn, &ids)?;
    let mut out: Vec<Duplicate> = found
        .into_iter()
        .filter_map(|(id, verdict)| {
            let i = stored.binary_search_by_key(&id, |s| s.id).ok()?;
            Some(Duplicate {
                record_id: id,
                title: stored.get(i)?.title.clone(),
                score: verdict.score,
                level: verdict.level,
                evidence: verdict.evidence,
                vetoes: verdict.vetoes,
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then_with(|| a.record_id.cmp(&b.record_id))
    });
    Ok(out)
}

/// The probable duplicates among `found`, as the 409's details list them.
pub(crate) fn probable(found: &[Duplicate]) -> Vec<serde_json::Value> {
    found
        .iter()
        .filter(|d| d.is_probable())
        .filter_map(|d| serde_json::to_value(d).ok())
        .collect()
}

impl crate::App {
    /// The likely duplicates of a stored record (itself, and pairs rejected
    /// with it, left out), best first. Keys not yet recomputed for this
    /// version are computed from the MARC on the spot.
    pub fn record_duplicates(
        &self,
        _who: &crate::Principal,
        id: RecordId,
    ) -> Result<Vec<Duplicate>, AppError> {
        self.db.read(|conn| {
            let stored = records::find(conn, id).map_err(crate::catalog::record_missing)?;
            let keys = match match_keys::keys_of(conn, &[id])?.first() {
                Some(k) if k.version == kitap_dedup::KEYS_VERSION => parse_keys(k)?,
                _ => keys_of_stored(&stored)?,
            };
            find(conn, &self.dedup, &keys, Some(id))
        })
    }
}

/// Keys computed from a stored record's MARC.
pub(crate) fn keys_of_stored(stored: &records::StoredRecord) -> Result<MatchKeys, AppError> {
    let record = crate::catalog::decode_record(stored)?;
    Ok(kitap_dedup::match_keys(
        &kitap_catalog::BibView::from_record(&record),
    ))
}
