//! A full rebuild from the database into a new generation, while the old one
//! keeps serving. Records stream in id-ordered pages from a reader thread;
//! MARC decoding and analysis run on a second thread; tantivy's writer
//! threads index. The checkpoint is the outbox position taken *before* the
//! first page is read, so every change made during the rebuild is replayed
//! afterwards (replaying is idempotent).

use std::sync::mpsc::sync_channel;

use kitap_db::search_feed::{self, FeedCopy, FeedRecord};
use kitap_db::Db;
use kitap_domain::RecordStatus;
use kitap_search::SearchIndex;

use super::docs::{group_copies, index_doc, view_of};
use super::service::internal;
use crate::AppError;

/// Records per page read from the database.
const PAGE: i64 = 2_000;

type Page = (Vec<FeedRecord>, Vec<FeedCopy>);

/// Rebuilds the index; returns the checkpoint (outbox id) it is current to.
/// `remove_old`: delete the previous generation (only the process that
/// served it may; another process leaves it to the server's refresh).
pub fn rebuild(
    db: &Db,
    index: &SearchIndex,
    memory: usize,
    remove_old: bool,
) -> Result<i64, AppError> {
    let started = std::time::Instant::now();
    let seq = db.read(search_feed::last_outbox_id)?;
    let mut build = index.begin_rebuild(memory).map_err(internal)?;
    let fields = build.fields().clone();
    let (page_tx, page_rx) = sync_channel::<Page>(2);
    let (doc_tx, doc_rx) = sync_channel::<Vec<kitap_search::PreparedDoc>>(4);
    let mut count = 0u64;
    std::thread::scope(|scope| -> Result<(), AppError> {
        let reader = scope.spawn(move || -> Result<(), AppError> {
            let mut after: Option<String> = None;
            loop {
                let page = db.read(|conn| {
                    let records = search_feed::records_page(conn, after.as_deref(), PAGE)?;
                    let ids: Vec<String> = records.iter().map(|r| r.id.clone()).collect();
                    let copies = search_feed::copies_of(conn, &ids)?;
                    Ok::<_, kitap_db::DbError>((records, copies))
                })?;
                let Some(last) = page.0.last() else {
                    return Ok(());
                };
                after = Some(last.id.clone());
                let done = (page.0.len() as i64) < PAGE;
                if page_tx.send(page).is_err() || done {
                    return Ok(());
                }
            }
        });
        let converter = scope.spawn(move || {
            for (records, copies) in page_rx {
                let by_record = group_copies(&copies);
                let docs: Vec<kitap_search::PreparedDoc> = records
                    .iter()
                    .filter(|r| r.status == RecordStatus::Active)
                    .filter_map(|r| {
                        let view = view_of(r)?;
                        let copies = by_record
                            .get(r.id.as_str())
                            .map_or(&[][..], |v| v.as_slice());
                        Some(index_doc(r, &view, copies).prepare(&fields))
                    })
                    .collect();
                if doc_tx.send(docs).is_err() {
                    return;
                }
            }
        });
        for docs in doc_rx {
            for doc in docs {
                build.add_document(doc).map_err(internal)?;
                count += 1;
            }
        }
        reader
            .join()
            .map_err(|_| AppError::Internal("the rebuild reader panicked".into()))??;
        converter
            .join()
            .map_err(|_| AppError::Internal("the rebuild converter panicked".into()))?;
        Ok(())
    })?;
    index
        .finish_rebuild(build, seq, remove_old)
        .map_err(internal)?;
    tracing::info!(
        documents = count,
        seq,
        seconds = started.elapsed().as_secs_f64(),
        "index rebuilt"
    );
    Ok(seq)
}
