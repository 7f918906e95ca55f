//! Index against database: the check behind `kitap index verify` and the
//! kill-and-restart tests. Every active record must be in the index at its
//! current version with its current copies, and nothing else may be.

use kitap_db::search_feed;
use kitap_domain::RecordStatus;
use kitap_search::SearchIndex;
use serde::Serialize;

use super::docs::{copies_digest, group_copies};
use super::service::internal;
use crate::{App, AppError};

/// What differs; empty lists mean the index equals the database.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexCheck {
    pub records: usize,
    pub documents: usize,
    /// Active records not in the index.
    pub missing: Vec<String>,
    /// Documents for records that are gone or withdrawn.
    pub extra: Vec<String>,
    /// Documents at another version or with other copies than the database.
    pub stale: Vec<String>,
    /// Records indexed more than once.
    pub doubled: Vec<String>,
}

impl IndexCheck {
    pub fn is_consistent(&self) -> bool {
        self.missing.is_empty()
            && self.extra.is_empty()
            && self.stale.is_empty()
            && self.doubled.is_empty()
    }
}

const PAGE: i64 = 5_000;

impl App {
    /// Compares the served generation under `index` with the database.
    pub fn verify_index(&self, index: &SearchIndex) -> Result<IndexCheck, AppError> {
        let docs = kitap_search::inventory(&index.current()).map_err(internal)?;
        let mut expected: Vec<(String, i64, u64)> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let (records, copies) = self.db().read(|conn| {
                let records = search_feed::records_page(conn, after.as_deref(), PAGE)?;
                let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
                let copies = search_feed::copies_of(conn, &ids)?;
                Ok::<_, kitap_db::DbError>((records, copies))
            })?;
            let Some(last) = records.last() else { break };
            after = Some(last.id.clone());
            let by_record = group_copies(&copies);
            for r in records.iter().filter(|r| r.status == RecordStatus::Active) {
                let copies = by_record
                    .get(r.id.as_str())
                    .map_or(&[][..], |v| v.as_slice());
                expected.push((r.id.clone(), r.version, copies_digest(copies)));
            }
            if (records.len() as i64) < PAGE {
                break;
            }
        }
        expected.sort();
        let mut check = IndexCheck {
            records: expected.len(),
            documents: docs.len(),
            ..IndexCheck::default()
        };
        for pair in docs.windows(2) {
            if pair[0].0 == pair[1].0 && check.doubled.last() != Some(&pair[0].0) {
                check.doubled.push(pair[0].0.clone());
            }
        }
        let (mut i, mut j) = (0, 0);
        while i < expected.len() || j < docs.len() {
            match (expected.get(i), docs.get(j)) {
                (Some(e), Some(d)) if e.0 == d.0 => {
                    if e.1 != d.1 || e.2 != d.2 {
                        check.stale.push(e.0.clone());
                    }
                    i += 1;
                    // Skip doubles (already reported).
                    while docs.get(j).is_some_and(|x| x.0 == e.0) {
                        j += 1;
                    }
                }
                (Some(e), Some(d)) if e.0 < d.0 => {
                    check.missing.push(e.0.clone());
                    i += 1;
                }
                (Some(_), Some(d)) | (None, Some(d)) => {
                    check.extra.push(d.0.clone());
                    j += 1;
                }
                (Some(e), None) => {
                    check.missing.push(e.0.clone());
                    i += 1;
                }
                (None, None) => break,
            }
        }
        Ok(check)
    }
}
