//! Finding the catalog record an incoming record is a new copy of, by its
//! control number (003+001) or a system number (035).
//!
//! A control number without a 003 is only a local number (IRBIS numbers its
//! records 1, 2, 3...), so such a match is confirmed by the title before it
//! counts; 003-scoped numbers and 035 system numbers are trusted as they are.

use std::collections::HashMap;

use kitap_db::records::{self, StoredRecord};
use kitap_db::{DbConnection, DbError};
use kitap_domain::RecordId;

use super::super::prepare::Prepared;

/// For each prepared record (by position), the stored record it matches.
pub fn find(
    conn: &mut DbConnection,
    batch: &[&Prepared],
) -> Result<HashMap<usize, StoredRecord>, DbError> {
    let by_key = |kind: &'static str| -> Vec<String> {
        let mut values: Vec<String> = batch
            .iter()
            .flat_map(|p| p.keys.iter().filter(move |k| k.kind == kind))
            .map(|k| k.value.clone())
            .collect();
        values.sort();
        values.dedup();
        values
    };
    let ctl: HashMap<String, RecordId> = records::find_keys(conn, "ctl", &by_key("ctl"))?
        .into_iter()
        .collect();
    let sys: HashMap<String, RecordId> = records::find_keys(conn, "sys", &by_key("sys"))?
        .into_iter()
        .collect();
    if ctl.is_empty() && sys.is_empty() {
        return Ok(HashMap::new());
    }
    let mut wanted: Vec<RecordId> = ctl.values().chain(sys.values()).copied().collect();
    wanted.sort();
    wanted.dedup();
    let stored: HashMap<RecordId, StoredRecord> = records::find_many(conn, &wanted)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();

    let mut found = HashMap::new();
    for (pos, p) in batch.iter().enumerate() {
        if let Some(hit) = match_one(p, &ctl, &sys, &stored) {
            found.insert(pos, hit.clone());
        }
    }
    Ok(found)
}

fn match_one<'a>(
    p: &Prepared,
    ctl: &HashMap<String, RecordId>,
    sys: &HashMap<String, RecordId>,
    stored: &'a HashMap<RecordId, StoredRecord>,
) -> Option<&'a StoredRecord> {
    for key in &p.keys {
        let (id, needs_title) = match key.kind {
            "ctl" => (ctl.get(&key.value), key.value.starts_with('|')),
            "sys" => (sys.get(&key.value), false),
            _ => continue,
        };
        let Some(candidate) = id.and_then(|id| stored.get(id)) else {
            continue;
        };
        if !needs_title || same_title(candidate, p) {
            return Some(candidate);
        }
    }
    None
}

fn same_title(stored: &StoredRecord, p: &Prepared) -> bool {
    stored.derived.sort_title == p.derived.sort_title
}

/// The keys by which records of the same batch find each other.
pub fn batch_keys(p: &Prepared) -> impl Iterator<Item = String> + '_ {
    p.keys
        .iter()
        .filter(|k| k.kind == "ctl" || k.kind == "sys")
        .map(move |k| {
            // A bare local number also needs the title to be the same record.
            if k.kind == "ctl" && k.value.starts_with('|') {
                format!("ctl{}#{}", k.value, p.derived.sort_title)
            } else {
                format!("{}{}", k.kind, k.value)
            }
        })
}
