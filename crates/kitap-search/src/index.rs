//! The index on disk: generations, the reader, and the one writer.
//!
//! `<root>/CURRENT` names the generation directory being served. A rebuild
//! writes a new generation beside it and then replaces CURRENT atomically
//! (write a temporary file, rename), so readers never see a half-built index
//! and a rebuild in another process (`kitap reindex`) is picked up by a
//! running server at its next poll ([`SearchIndex::refresh`]).
//!
//! Every commit carries the last applied outbox sequence number as its
//! payload; the indexer resumes from it, so a kill at any moment replays at
//! most the uncommitted batch, and replaying is harmless because applying an
//! outbox row is idempotent (delete by id, then add the current state).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use serde::{Deserialize, Serialize};
use tantivy::directory::MmapDirectory;
use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use crate::doc::{IndexDoc, PreparedDoc};
use crate::error::SearchError;
use crate::schema::{self, Fields, SCHEMA_VERSION};

const CURRENT: &str = "CURRENT";

/// What a commit records about the index's position in the outbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The last outbox id applied (every id at or below it is in the index).
    pub seq: i64,
    pub schema: u32,
}

/// One generation: an index directory with its reader.
pub struct Generation {
    pub name: String,
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
}

impl Generation {
    fn open(root: &Path, name: &str) -> Result<Generation, SearchError> {
        let dir = MmapDirectory::open(root.join(name))?;
        let index = Index::open(dir)?;
        let (schema, fields) = schema::build();
        if index.schema() != schema {
            return Err(SearchError::SchemaChanged);
        }
        Generation::with_index(name, index, fields)
    }

    fn create(
        root: &Path,
        name: &str,
        schema: Schema,
        fields: Fields,
    ) -> Result<Generation, SearchError> {
        let path = root.join(name);
        fs::create_dir_all(&path)?;
        let index = Index::create_in_dir(&path, schema)?;
        Generation::with_index(name, index, fields)
    }

    fn with_index(name: &str, index: Index, fields: Fields) -> Result<Generation, SearchError> {
        // Reloaded by the writer right after each commit: no file watcher, no delay.
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Generation {
            name: name.to_string(),
            index,
            reader,
            fields,
        })
    }

    /// The checkpoint of the last commit; `None` for a generation never committed.
    pub fn checkpoint(&self) -> Result<Option<Checkpoint>, SearchError> {
        let meta = self.index.load_metas()?;
        Ok(meta
            .payload
            .as_deref()
            .and_then(|p| serde_json::from_str::<Checkpoint>(p).ok()))
    }

    /// Number of records in the index as of the last reload.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// The served index and the directory it lives in.
pub struct SearchIndex {
    root: PathBuf,
    current: RwLock<Arc<Generation>>,
}

/// How the index was found on open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenState {
    /// A committed generation of this schema: resume from its checkpoint.
    Ready(Checkpoint),
    /// No usable index (none yet, another schema, damaged): it must be built.
    NeedsBuild,
}

fn generation_name() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros())
        .unwrap_or(0);
    format!("gen-{now}-{}", std::process::id())
}

fn read_current(root: &Path) -> Option<String> {
    let name = fs::read_to_string(root.join(CURRENT)).ok()?;
    let name = name.trim();
    (!name.is_empty() && !name.contains('/')).then(|| name.to_string())
}

fn write_current(root: &Path, name: &str) -> Result<(), SearchError> {
    let tmp = root.join(format!("{CURRENT}.{}", std::process::id()));
    fs::write(&tmp, format!("{name}\n"))?;
    fs::rename(&tmp, root.join(CURRENT))?;
    Ok(())
}

impl SearchIndex {
    /// Opens the index under `root`, creating an empty generation when there is
    /// no usable one (the caller then builds it from the database).
    pub fn open(root: &Path) -> Result<(SearchIndex, OpenState), SearchError> {
        fs::create_dir_all(root)?;
        if let Some(name) = read_current(root) {
            match Generation::open(root, &name) {
                Ok(generation) => {
                    let state = match generation.checkpoint()? {
                        Some(cp) if cp.schema == SCHEMA_VERSION => OpenState::Ready(cp),
                        _ => OpenState::NeedsBuild,
                    };
                    return Ok((SearchIndex::with(root, generation), state));
                }
                Err(err) => {
                    tracing::warn!(%err, generation = %name, "index unusable; it will be rebuilt");
                }
            }
        }
        let (schema, fields) = schema::build();
        let name = generation_name();
        let generation = Generation::create(root, &name, schema, fields)?;
        write_current(root, &name)?;
        Ok((SearchIndex::with(root, generation), OpenState::NeedsBuild))
    }

    fn with(root: &Path, generation: Generation) -> SearchIndex {
        SearchIndex {
            root: root.to_path_buf(),
            current: RwLock::new(Arc::new(generation)),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The generation to search (cheap: an `Arc` clone).
    pub fn current(&self) -> Arc<Generation> {
        match self.current.read() {
            Ok(guard) => guard.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Switches to the generation CURRENT names if another process replaced it.
    /// Returns the new generation's checkpoint when it switched.
    pub fn refresh(&self) -> Result<Option<Checkpoint>, SearchError> {
        let Some(name) = read_current(&self.root) else {
            return Ok(None);
        };
        let old = self.current();
        if name == old.name {
            return Ok(None);
        }
        let generation = Generation::open(&self.root, &name)?;
        let checkpoint = generation.checkpoint()?.ok_or(SearchError::NotCommitted)?;
        self.install(generation);
        remove_generation(&self.root, &old.name);
        Ok(Some(checkpoint))
    }

    fn install(&self, generation: Generation) {
        let mut guard = match self.current.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(generation);
    }

    /// Starts a rebuild into a fresh generation beside the served one.
    pub fn begin_rebuild(&self, writer_memory: usize) -> Result<Rebuild, SearchError> {
        let (schema, fields) = schema::build();
        let name = generation_name();
        let generation = Generation::create(&self.root, &name, schema, fields)?;
        let writer = generation.index.writer(writer_memory)?;
        Ok(Rebuild { generation, writer })
    }

    /// Makes a finished rebuild the served generation and deletes the old one.
    /// `remove_old`: only the process serving the old generation may delete it
    /// (a server picks a rebuild by another process up in [`SearchIndex::refresh`]
    /// and deletes the old one then).
    pub fn finish_rebuild(
        &self,
        rebuild: Rebuild,
        checkpoint_seq: i64,
        remove_old: bool,
    ) -> Result<(), SearchError> {
        let Rebuild {
            generation,
            mut writer,
        } = rebuild;
        commit(&mut writer, checkpoint_seq)?;
        writer.wait_merging_threads()?;
        generation.reader.reload()?;
        write_current(&self.root, &generation.name)?;
        let old = self.current().name.clone();
        self.install(generation);
        if remove_old {
            remove_generation(&self.root, &old);
        }
        Ok(())
    }

    /// Generation directories other than the current one (left by a killed
    /// rebuild): removed on start.
    pub fn remove_stale(&self) {
        let current = self.current().name.clone();
        let Ok(entries) = fs::read_dir(&self.root) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if name.starts_with("gen-") && name != current {
                remove_generation(&self.root, &name);
            }
        }
    }
}

fn remove_generation(root: &Path, name: &str) {
    if let Err(err) = fs::remove_dir_all(root.join(name)) {
        tracing::warn!(%err, generation = %name, "could not remove an old index generation");
    }
}

fn commit(writer: &mut IndexWriter, seq: i64) -> Result<(), SearchError> {
    let payload = serde_json::to_string(&Checkpoint {
        seq,
        schema: SCHEMA_VERSION,
    })
    .map_err(|e| SearchError::Internal(e.to_string()))?;
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&payload);
    prepared.commit()?;
    Ok(())
}

/// A generation being built. Not served until [`SearchIndex::finish_rebuild`].
pub struct Rebuild {
    generation: Generation,
    writer: IndexWriter,
}

impl Rebuild {
    pub fn add(&mut self, doc: &IndexDoc) -> Result<(), SearchError> {
        self.writer
            .add_document(doc.to_document(&self.generation.fields))?;
        Ok(())
    }

    /// Adds an already converted document (conversion can run on other threads).
    pub fn add_document(&mut self, doc: PreparedDoc) -> Result<(), SearchError> {
        self.writer.add_document(doc.0)?;
        Ok(())
    }

    pub fn fields(&self) -> &Fields {
        &self.generation.fields
    }
}

/// The one writer of the served generation. Owned by the indexer task.
pub struct Indexer {
    generation: Arc<Generation>,
    writer: IndexWriter,
}

/// One change to apply: the record's current state, or its removal.
#[derive(Debug, Clone)]
pub enum Change {
    Upsert(Box<IndexDoc>),
    Delete(String),
}

impl Indexer {
    /// Takes the writer lock of the served generation.
    pub fn new(index: &SearchIndex, writer_memory: usize) -> Result<Indexer, SearchError> {
        let generation = index.current();
        let writer = generation.index.writer(writer_memory)?;
        Ok(Indexer { generation, writer })
    }

    /// Whether this writer still belongs to the served generation.
    pub fn is_current(&self, index: &SearchIndex) -> bool {
        self.generation.name == index.current().name
    }

    /// Applies changes (not yet visible, not yet durable).
    pub fn apply(&mut self, changes: &[Change]) -> Result<(), SearchError> {
        let f = &self.generation.fields;
        for change in changes {
            match change {
                Change::Upsert(doc) => {
                    self.writer
                        .delete_term(Term::from_field_text(f.id, &doc.id));
                    self.writer.add_document(doc.to_document(f))?;
                }
                Change::Delete(id) => {
                    self.writer.delete_term(Term::from_field_text(f.id, id));
                }
            }
        }
        Ok(())
    }

    /// Commits everything applied with `seq` as the checkpoint and makes it visible.
    pub fn commit(&mut self, seq: i64) -> Result<(), SearchError> {
        commit(&mut self.writer, seq)?;
        self.generation.reader.reload()?;
        Ok(())
    }

    /// Drops what was applied since the last commit.
    pub fn rollback(&mut self) -> Result<(), SearchError> {
        self.writer.rollback()?;
        Ok(())
    }
}
