//! The search service: the served index, and the one indexer thread that
//! follows the outbox.
//!
//! Each tick the indexer reads outbox rows after its checkpoint, loads the
//! current state of every record they name (a copy row names its record),
//! applies it (delete by id, add the current document: idempotent), and
//! commits with the checkpoint as payload. On PostgreSQL an id can become
//! visible after a higher one (ids are taken before commit), so the
//! checkpoint only advances over a contiguous run of ids; rows beyond a hole
//! are applied at once (visible within a tick) and remembered, and a hole
//! still open after [`HOLE_WAIT`] is taken for a rolled-back transaction.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kitap_db::outbox::{self, OutboxEntry};
use kitap_db::search_feed::{self, FeedRecord};
use kitap_db::Db;
use kitap_domain::RecordStatus;
use kitap_search::{Change, Indexer, OpenState, SearchIndex};

use super::docs::{group_copies, index_doc, view_of};
use super::rebuild::rebuild;
use crate::AppError;

/// How often the indexer looks at the outbox.
pub const TICK: Duration = Duration::from_millis(100);
/// How long a hole in outbox ids may stay open before it is skipped.
pub const HOLE_WAIT: Duration = Duration::from_secs(30);
/// The least time between two commits. Each commit makes a segment (and
/// later merges); the desk changes copies many times a second, and every
/// change need only be searchable within a second. After a quiet spell the
/// first change is committed at the next tick.
pub const COMMIT_EVERY: Duration = Duration::from_millis(500);
/// Outbox rows per batch.
const BATCH: i64 = 2_000;
/// Writer memory for incremental indexing.
const WRITER_MEMORY: usize = 64 << 20;

/// Search settings (config `[search]`).
#[derive(Debug, Clone)]
pub struct SearchSettings {
    /// Where the index generations live.
    pub dir: PathBuf,
    /// Writer memory for rebuilds (split over the writer threads).
    pub rebuild_memory: usize,
}

/// What `/health` and the admin API say about the index.
#[derive(Debug, Clone, serde::Serialize)]
pub struct IndexStatus {
    pub generation: String,
    pub documents: u64,
    /// The outbox id every change up to which is searchable.
    pub checkpoint: i64,
    /// The highest outbox id seen applied (may be ahead of the checkpoint).
    pub applied: i64,
    pub building: bool,
}

/// The served index plus its indexer thread.
pub struct SearchService {
    index: Arc<SearchIndex>,
    checkpoint: Arc<AtomicI64>,
    applied: Arc<AtomicI64>,
    building: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl SearchService {
    /// Opens the index under `settings.dir` and starts the indexer thread. An
    /// index that is missing or of another schema is rebuilt by that thread
    /// (searches meanwhile see what is there: nothing, for a new index).
    pub fn start(db: Db, settings: &SearchSettings) -> Result<Arc<SearchService>, AppError> {
        let (index, state) = SearchIndex::open(&settings.dir).map_err(internal)?;
        index.remove_stale();
        let index = Arc::new(index);
        let (seq, needs_build) = match state {
            OpenState::Ready(cp) => (cp.seq, false),
            OpenState::NeedsBuild => (0, true),
        };
        let service = Arc::new(SearchService {
            index: index.clone(),
            checkpoint: Arc::new(AtomicI64::new(seq)),
            applied: Arc::new(AtomicI64::new(seq)),
            building: Arc::new(AtomicBool::new(needs_build)),
            stop: Arc::new(AtomicBool::new(false)),
            thread: Mutex::new(None),
        });
        let mut worker = Worker {
            db,
            index,
            indexer: None,
            cursor: seq,
            beyond: BTreeSet::new(),
            hole_since: None,
            needs_build,
            rebuild_memory: settings.rebuild_memory,
            checkpoint: service.checkpoint.clone(),
            applied: service.applied.clone(),
            building: service.building.clone(),
            dirty: false,
            last_commit: None,
            pending_applied: seq,
        };
        let stop = service.stop.clone();
        let handle = std::thread::Builder::new()
            .name("kitap-indexer".into())
            .spawn(move || worker.run(&stop))
            .map_err(|e| AppError::Internal(format!("starting the indexer: {e}")))?;
        if let Ok(mut slot) = service.thread.lock() {
            *slot = Some(handle);
        }
        Ok(service)
    }

    pub fn index(&self) -> &SearchIndex {
        &self.index
    }

    pub fn status(&self) -> IndexStatus {
        let generation = self.index.current();
        IndexStatus {
            generation: generation.name.clone(),
            documents: generation.num_docs(),
            checkpoint: self.checkpoint.load(Ordering::SeqCst),
            applied: self.applied.load(Ordering::SeqCst),
            building: self.building.load(Ordering::SeqCst),
        }
    }

    /// Blocks until every outbox row up to `seq` is searchable or `timeout` passes.
    pub fn wait_for(&self, seq: i64, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if self.checkpoint.load(Ordering::SeqCst) >= seq
                && !self.building.load(Ordering::SeqCst)
            {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    }

    /// Stops the indexer after its current batch.
    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let handle = self.thread.lock().ok().and_then(|mut slot| slot.take());
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

impl Drop for SearchService {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

pub(crate) fn internal(err: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("search index: {err}"))
}

struct Worker {
    db: Db,
    index: Arc<SearchIndex>,
    indexer: Option<Indexer>,
    /// The checkpoint: every outbox id at or below it is applied.
    cursor: i64,
    /// Ids above the cursor already applied (beyond a hole).
    beyond: BTreeSet<i64>,
    hole_since: Option<Instant>,
    needs_build: bool,
    rebuild_memory: usize,
    checkpoint: Arc<AtomicI64>,
    applied: Arc<AtomicI64>,
    building: Arc<AtomicBool>,
    /// Changes applied to the writer and not yet committed.
    dirty: bool,
    last_commit: Option<Instant>,
    /// The highest outbox id applied, published as `applied` at the commit.
    pending_applied: i64,
}

impl Worker {
    fn run(&mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            let busy = match self.tick() {
                Ok(busy) => busy,
                Err(err) => {
                    tracing::error!(%err, "indexer tick failed; retrying");
                    // The writer and what it held uncommitted are gone:
                    // apply again from the last commit (changes are idempotent).
                    self.indexer = None;
                    self.reset(self.checkpoint.load(Ordering::SeqCst));
                    std::thread::sleep(Duration::from_secs(1));
                    false
                }
            };
            if !busy {
                std::thread::sleep(TICK);
            }
        }
    }

    /// One step; `Ok(true)` when there may be more to do at once.
    fn tick(&mut self) -> Result<bool, AppError> {
        if self.needs_build {
            self.building.store(true, Ordering::SeqCst);
            self.indexer = None;
            let seq = rebuild(&self.db, &self.index, self.rebuild_memory, true)?;
            self.reset(seq);
            self.needs_build = false;
            self.building.store(false, Ordering::SeqCst);
        }
        // A rebuild in another process (`kitap reindex`) replaced the generation.
        if let Some(cp) = self.index.refresh().map_err(internal)? {
            tracing::info!(generation = %self.index.current().name, seq = cp.seq, "switched to a rebuilt index");
            self.indexer = None;
            self.reset(cp.seq);
        }
        if self
            .indexer
            .as_ref()
            .is_none_or(|i| !i.is_current(&self.index))
        {
            self.indexer = Some(Indexer::new(&self.index, WRITER_MEMORY).map_err(internal)?);
        }
        let entries = self
            .db
            .read(|conn| outbox::after(conn, self.cursor, BATCH))?;
        let fresh: Vec<OutboxEntry> = entries
            .iter()
            .filter(|e| !self.beyond.contains(&e.id))
            .cloned()
            .collect();
        if !fresh.is_empty() {
            let changes = load_changes(&self.db, &fresh)?;
            let indexer = self.indexer.as_mut().ok_or_else(|| internal("no writer"))?;
            indexer.apply(&changes).map_err(internal)?;
        }
        let advanced = self.advance(&entries);
        if !fresh.is_empty() || advanced {
            self.dirty = true;
            if let Some(last) = entries.last() {
                self.pending_applied = self.pending_applied.max(last.id);
            }
        }
        if self.dirty && self.last_commit.is_none_or(|t| t.elapsed() >= COMMIT_EVERY) {
            let indexer = self.indexer.as_mut().ok_or_else(|| internal("no writer"))?;
            indexer.commit(self.cursor).map_err(internal)?;
            self.last_commit = Some(Instant::now());
            self.dirty = false;
            self.checkpoint.store(self.cursor, Ordering::SeqCst);
            self.applied
                .fetch_max(self.pending_applied, Ordering::SeqCst);
        }
        Ok(entries.len() as i64 == BATCH)
    }

    fn reset(&mut self, seq: i64) {
        self.cursor = seq;
        self.beyond.clear();
        self.hole_since = None;
        self.checkpoint.store(seq, Ordering::SeqCst);
        self.applied.store(seq, Ordering::SeqCst);
        self.pending_applied = seq;
        self.dirty = false;
    }

    /// Moves the cursor over the contiguous ids just applied; returns whether it moved.
    fn advance(&mut self, entries: &[OutboxEntry]) -> bool {
        let before = self.cursor;
        self.beyond.extend(entries.iter().map(|e| e.id));
        loop {
            let next = self.cursor + 1;
            if self.beyond.remove(&next) {
                self.cursor = next;
                self.hole_since = None;
                continue;
            }
            let Some(&first) = self.beyond.iter().next() else {
                self.hole_since = None;
                break;
            };
            // A hole below `first`: wait for it, then give up on it.
            let since = *self.hole_since.get_or_insert_with(Instant::now);
            if since.elapsed() < HOLE_WAIT {
                break;
            }
            tracing::warn!(
                from = next,
                to = first - 1,
                "outbox ids never appeared; skipping them"
            );
            self.cursor = first - 1;
            self.hole_since = None;
        }
        self.cursor != before
    }
}

/// The changes for a batch of outbox rows: each named record's current state.
pub(crate) fn load_changes(db: &Db, entries: &[OutboxEntry]) -> Result<Vec<Change>, AppError> {
    let mut record_ids: Vec<String> = Vec::new();
    let mut copy_ids: Vec<String> = Vec::new();
    for e in entries {
        match e.entity_type.as_str() {
            "copy" => copy_ids.push(e.entity_id.clone()),
            _ => record_ids.push(e.entity_id.clone()),
        }
    }
    db.read(|conn| {
        record_ids.extend(search_feed::records_of_copies(conn, &copy_ids)?);
        record_ids.sort();
        record_ids.dedup();
        let records = search_feed::records_by_ids(conn, &record_ids)?;
        let copies = search_feed::copies_of(conn, &record_ids)?;
        let by_record = group_copies(&copies);
        let found: HashMap<&str, &FeedRecord> = records.iter().map(|r| (r.id.as_str(), r)).collect();
        let mut changes = Vec::with_capacity(record_ids.len());
        for id in &record_ids {
            match found.get(id.as_str()) {
                Some(record) if record.status == RecordStatus::Active => match view_of(record) {
                    Some(view) => changes.push(Change::Upsert(Box::new(index_doc(
                        record,
                        &view,
                        by_record.get(id.as_str()).map_or(&[][..], |v| v.as_slice()),
                    )))),
                    None => {
                        tracing::error!(record = %id, "stored MARC unreadable; left out of the index");
                        changes.push(Change::Delete(id.clone()));
                    }
                },
                _ => changes.push(Change::Delete(id.clone())),
            }
        }
        Ok::<_, kitap_db::DbError>(changes)
    })
    .map_err(AppError::from)
}

/// Whether `dir` holds an index (for the CLI's messages).
pub fn index_exists(dir: &Path) -> bool {
    dir.join("CURRENT").exists()
}
