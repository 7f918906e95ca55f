//! The duplicate screen of an import batch: each record the batch would
//! insert is compared with the catalog records sharing a block with it and
//! with the records inserted before it from the same file (a file may hold
//! the same book twice, in two scripts); `on_duplicate` decides what a
//! probable duplicate becomes. Candidates of the whole batch are read in a
//! few statements, so the screen costs the import little.

use std::collections::{HashMap, HashSet};

use kitap_db::imports::DuplicateOutcome;
use kitap_db::{match_keys, records, DbConnection};
use kitap_dedup::{compare, DedupConfig, Level, MatchKeys, Verdict};
use kitap_domain::RecordId;

use super::batch::Plan;
use super::OnDuplicate;
use crate::dedup::{parse_keys, Duplicate};
use crate::AppError;

/// Screens the batch's inserts, turning probable duplicates into skips or
/// attachments as the policy says; returns the report lines.
pub(super) fn screen(
    conn: &mut DbConnection,
    cfg: &DedupConfig,
    policy: OnDuplicate,
    plans: &mut [Plan],
) -> Result<Vec<DuplicateOutcome>, AppError> {
    let catalog = catalog_candidates(conn, cfg, plans)?;
    // Blocks of the records this batch inserts, as it goes.
    let mut in_batch: HashMap<String, Vec<usize>> = HashMap::new();
    let mut found: Vec<(usize, Vec<(RecordId, Verdict)>)> = Vec::new();
    for pos in 0..plans.len() {
        let Plan::Insert(_, p, _) = &plans[pos] else {
            continue;
        };
        let blocks = p.match_keys.block_keys();
        let mut verdicts = Vec::new();
        let mut seen = HashSet::new();
        for block in &blocks {
            for id in catalog.members.get(block).into_iter().flatten() {
                if let (true, Some(other)) = (seen.insert(*id), catalog.keys.get(id)) {
                    verdicts.push((*id, compare(&p.match_keys, other, cfg)));
                }
            }
            let earlier = in_batch.get(block).map_or(&[][..], Vec::as_slice);
            if earlier.len() > cfg.max_block {
                continue;
            }
            for &at in earlier {
                if let Plan::Insert(other_row, other, _) = &plans[at] {
                    if seen.insert(other_row.id) {
                        verdicts
                            .push((other_row.id, compare(&p.match_keys, &other.match_keys, cfg)));
                    }
                }
            }
        }
        verdicts.retain(|(_, v)| v.level != Level::None);
        verdicts.sort_by(|a, b| b.1.score.total_cmp(&a.1.score).then(a.0.cmp(&b.0)));
        let probable = verdicts
            .first()
            .filter(|(_, v)| v.level == Level::Probable)
            .map(|(id, _)| *id);
        match (probable, policy) {
            (Some(best), OnDuplicate::Skip | OnDuplicate::Attach) => {
                if let Plan::Insert(row, p, at) = std::mem::replace(&mut plans[pos], Plan::Skip) {
                    plans[pos] = match policy {
                        OnDuplicate::Attach => Plan::Attached(best, p, at, row.original),
                        _ => Plan::Skipped(at),
                    };
                }
            }
            _ => {
                for block in blocks {
                    in_batch.entry(block).or_default().push(pos);
                }
            }
        }
        if !verdicts.is_empty() {
            found.push((pos, verdicts));
        }
    }
    report(conn, plans, found)
}

/// The catalog records sharing a block with any insert of the batch.
struct Catalog {
    members: HashMap<String, Vec<RecordId>>,
    keys: HashMap<RecordId, MatchKeys>,
}

fn catalog_candidates(
    conn: &mut DbConnection,
    cfg: &DedupConfig,
    plans: &[Plan],
) -> Result<Catalog, AppError> {
    let mut blocks: Vec<String> = plans
        .iter()
        .filter_map(|plan| match plan {
            Plan::Insert(_, p, _) => Some(p.match_keys.block_keys()),
            _ => None,
        })
        .flatten()
        .collect();
    blocks.sort_unstable();
    blocks.dedup();
    let members = match_keys::block_members(conn, &blocks, cfg.max_block)?;
    let mut ids: Vec<RecordId> = members.values().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut keys = HashMap::with_capacity(ids.len());
    for stored in match_keys::keys_of(conn, &ids)? {
        keys.insert(stored.record_id, parse_keys(&stored)?);
    }
    Ok(Catalog { members, keys })
}

/// One report line per screened record that had a likely duplicate.
fn report(
    conn: &mut DbConnection,
    plans: &[Plan],
    found: Vec<(usize, Vec<(RecordId, Verdict)>)>,
) -> Result<Vec<DuplicateOutcome>, AppError> {
    let mut ids: Vec<RecordId> = found
        .iter()
        .flat_map(|(_, v)| v.iter().map(|(id, _)| *id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let mut titles: HashMap<RecordId, String> = records::summaries(conn, &ids)?
        .into_iter()
        .map(|s| (s.id, s.title))
        .collect();
    for plan in plans {
        if let Plan::Insert(row, p, _) = plan {
            titles.insert(row.id, p.derived.title.clone());
        }
    }
    let mut out = Vec::with_capacity(found.len());
    for (pos, verdicts) in found {
        let ((index, offset), action, record_id) = match &plans[pos] {
            Plan::Insert(row, _, at) => (*at, "added", Some(row.id)),
            Plan::Skipped(at) => (*at, "skipped", None),
            Plan::Attached(_, _, at, _) => (*at, "attached", None),
            _ => continue,
        };
        let Some((best, best_verdict)) = verdicts.first() else {
            continue;
        };
        let (best, score, level) = (*best, best_verdict.score, best_verdict.level);
        let candidates: Vec<Duplicate> = verdicts
            .into_iter()
            .map(|(id, v)| Duplicate {
                record_id: id,
                title: titles.get(&id).cloned().unwrap_or_default(),
                score: v.score,
                level: v.level,
                evidence: v.evidence,
                vetoes: v.vetoes,
            })
            .collect();
        out.push(DuplicateOutcome {
            record_index: index as i64,
            byte_offset: offset as i64,
            action: action.to_owned(),
            record_id,
            duplicate_of: best,
            score: score.clamp(0.0, 1.0),
            level: match level {
                Level::Probable => "probable",
                _ => "possible",
            }
            .to_owned(),
            copies: 0,
            candidates: serde_json::to_string(&candidates)
                .map_err(|e| AppError::Internal(format!("duplicate report: {e}")))?,
        });
    }
    Ok(out)
}
