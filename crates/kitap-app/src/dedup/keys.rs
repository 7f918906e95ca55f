//! Match keys between kitap-dedup and the database rows.

use kitap_db::match_keys::{KeyColumns, KeysRow, StoredKeys};
use kitap_dedup::{MatchKeys, KEYS_VERSION};
use kitap_domain::RecordId;

use crate::AppError;

/// The row stored for a record's keys (current [`KEYS_VERSION`]).
pub(crate) fn keys_row(record_id: RecordId, keys: &MatchKeys) -> Result<KeysRow, AppError> {
    let json = serde_json::to_string(keys)
        .map_err(|e| AppError::Internal(format!("match keys of {record_id}: {e}")))?;
    Ok(KeysRow {
        record_id,
        version: KEYS_VERSION,
        keys: json,
        columns: KeyColumns {
            title_key: keys.title_key.clone(),
            author_key: keys.author_key.clone(),
            publisher_key: keys.publisher_key.clone(),
            year: keys.year,
            pages: keys.pages,
            edition: keys.edition.clone(),
            volume: keys.volume.clone(),
            language: keys.language.clone(),
            material: keys.material.clone(),
        },
        blocks: keys.block_keys(),
    })
}

/// Stored keys we wrote ourselves; unreadable ones are corruption.
pub(crate) fn parse_keys(stored: &StoredKeys) -> Result<MatchKeys, AppError> {
    serde_json::from_str(&stored.keys).map_err(|e| {
        AppError::Internal(format!(
            "stored match keys of {} unreadable: {e}",
            stored.record_id
        ))
    })
}
