//! Recomputing stored match keys: for records stored before duplicate
//! detection existed, and after [`kitap_dedup::KEYS_VERSION`] changes.

use kitap_db::match_keys::{self, KeysRow};
use kitap_db::records;
use kitap_dedup::KEYS_VERSION;

use super::check::keys_of_stored;
use super::keys::keys_row;
use crate::{App, AppError};

/// Records per transaction, as for imports.
const REKEY_BATCH: i64 = 1000;

impl App {
    /// Computes the keys of every record that has none or keys of an older
    /// version, batch by batch (the CPU work outside the transaction);
    /// `tick` sees the running count. Returns how many were (re)keyed.
    pub fn rekey(&self, tick: &mut dyn FnMut(u64)) -> Result<u64, AppError> {
        let mut after = None;
        let mut done = 0u64;
        loop {
            let ids = self
                .db
                .read(|c| match_keys::stale(c, KEYS_VERSION, after, REKEY_BATCH))?;
            let Some(last) = ids.last().copied() else {
                return Ok(done);
            };
            after = Some(last);
            let stored = self.db.read(|c| records::find_many(c, &ids))?;
            let mut rows: Vec<(i64, KeysRow)> = Vec::with_capacity(stored.len());
            for record in &stored {
                match keys_of_stored(record).and_then(|k| keys_row(record.id, &k)) {
                    Ok(row) => rows.push((record.version, row)),
                    // One unreadable record must not stop the others.
                    Err(err) => tracing::warn!(record = %record.id, error = %err, "cannot key"),
                }
            }
            let written = self.db.write(|c| {
                // A record saved meanwhile got its keys with it.
                let now = records::find_many(c, &ids)?;
                let current: Vec<KeysRow> = rows
                    .into_iter()
                    .filter(|(version, row)| {
                        now.iter()
                            .any(|r| r.id == row.record_id && r.version == *version)
                    })
                    .map(|(_, row)| row)
                    .collect();
                match_keys::replace_many(c, &current)?;
                Ok::<_, AppError>(current.len() as u64)
            })?;
            done += written;
            tick(done);
        }
    }

    /// How many records have current keys, of how many.
    pub fn keys_coverage(&self) -> Result<(i64, i64), AppError> {
        Ok(self.db.read(|c| match_keys::coverage(c, KEYS_VERSION))?)
    }
}
