//! MARC import jobs: a file is read as a stream, records are prepared
//! (validated, viewed, re-encoded) and stored in batches, each batch in one
//! transaction together with its rejects, outbox rows, audit row and the
//! job's resume point. A crash loses at most the batch in flight, and the
//! job picks up after the last committed one.

mod batch;
mod duplicates;
mod holdings;
mod matching;
pub mod source;
mod worker;

use std::path::PathBuf;

use kitap_db::imports::{self, ImportJob, JobError, Progress, Reject};
use kitap_domain::{BranchId, ImportId, ImportStatus, Role, Timestamp, ValueError};
use kitap_marc::Encoding;

use crate::{Actor, App, AppError, Principal};
pub use source::Format;
pub use worker::ImportQueue;

/// Records per transaction: large enough that commits do not dominate, small
/// enough that a batch's memory stays a few megabytes.
pub const BATCH: usize = 1000;

/// What to do with a record that is already in the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnMatch {
    /// Leave the catalog record alone (re-importing creates nothing).
    Skip,
    /// Replace the catalog record's MARC with the incoming one.
    Overlay,
    /// Store the incoming record as a new one anyway.
    Add,
}

impl OnMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            OnMatch::Skip => "skip",
            OnMatch::Overlay => "overlay",
            OnMatch::Add => "add",
        }
    }

    pub fn parse(raw: &str) -> Result<OnMatch, ValueError> {
        match raw.trim() {
            "skip" => Ok(OnMatch::Skip),
            "overlay" => Ok(OnMatch::Overlay),
            "add" => Ok(OnMatch::Add),
            _ => Err(ValueError::new("on_match", "must be skip, overlay or add")),
        }
    }
}

/// What to do with a record that is probably (score from the blocking
/// threshold) a duplicate of one in the catalog or earlier in the file.
/// Possible duplicates are always added; every duplicate found is listed in
/// the import's duplicate report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDuplicate {
    /// Store it anyway.
    Add,
    /// Do not store it.
    Skip,
    /// Do not store it; its copies go to the catalog record, and its MARC
    /// is kept as a source version of that record.
    Attach,
}

impl OnDuplicate {
    pub fn as_str(self) -> &'static str {
        match self {
            OnDuplicate::Add => "add",
            OnDuplicate::Skip => "skip",
            OnDuplicate::Attach => "attach",
        }
    }

    pub fn parse(raw: &str) -> Result<OnDuplicate, ValueError> {
        match raw.trim() {
            "add" => Ok(OnDuplicate::Add),
            "skip" => Ok(OnDuplicate::Skip),
            "attach" => Ok(OnDuplicate::Attach),
            _ => Err(ValueError::new(
                "on_duplicate",
                "must be add, skip or attach",
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The name to show (the uploaded or given file name).
    pub file_name: String,
    /// Where the bytes are; the job reads them from here, also after a restart.
    pub file_path: PathBuf,
    /// Guessed from the name and first bytes when absent.
    pub format: Option<Format>,
    /// Overrides per-record detection.
    pub encoding: Option<Encoding>,
    pub on_match: OnMatch,
    pub on_duplicate: OnDuplicate,
    /// The library that receives copies from 910 fields without a known place.
    pub library: Option<BranchId>,
}

impl App {
    /// Registers an import job; `run_import` (the CLI, or the server's
    /// worker) does the work.
    pub fn queue_import(
        &self,
        who: Option<&Principal>,
        actor: &Actor,
        req: ImportRequest,
    ) -> Result<ImportJob, AppError> {
        if let Some(who) = who {
            who.require_role(&[Role::Admin, Role::Cataloger])?;
        }
        let meta = std::fs::metadata(&req.file_path)
            .map_err(|e| ValueError::new("file", format!("{}: {e}", req.file_path.display())))?;
        let format = match req.format {
            Some(f) => f,
            None => Format::sniff(&req.file_name, &first_bytes(&req.file_path)),
        };
        let job = ImportJob {
            id: ImportId::new(),
            status: ImportStatus::Queued,
            file_name: req.file_name,
            file_path: req.file_path.display().to_string(),
            file_size: i64::try_from(meta.len()).unwrap_or(i64::MAX),
            format: format.as_str().to_owned(),
            encoding: req.encoding.map(|e| e.name().to_owned()),
            on_match: req.on_match.as_str().to_owned(),
            on_duplicate: req.on_duplicate.as_str().to_owned(),
            branch_id: req.library,
            progress: Progress::default(),
            error: None,
            created_by: actor.staff_id,
            created_at: Timestamp::now(),
            started_at: None,
            finished_at: None,
        };
        self.db.write(|conn| {
            imports::insert(conn, &job)?;
            crate::audit::record(
                conn,
                actor,
                "queue",
                ("import", &job.id),
                None,
                Some(serde_json::json!({
                    "file_name": job.file_name, "format": job.format, "on_match": job.on_match,
                    "on_duplicate": job.on_duplicate
                })),
            )?;
            Ok::<_, AppError>(())
        })?;
        Ok(job)
    }

    pub fn import_job(&self, id: ImportId) -> Result<ImportJob, AppError> {
        self.db
            .read(|conn| imports::find(conn, id))
            .map_err(|e| match e {
                kitap_db::DbError::NotFound => AppError::NotFound { entity: "import" },
                other => other.into(),
            })
    }

    pub fn import_jobs(
        &self,
        before: Option<ImportId>,
        limit: i64,
    ) -> Result<Vec<ImportJob>, AppError> {
        Ok(self
            .db
            .read(|conn| imports::list(conn, before, limit.clamp(1, 500)))?)
    }

    pub fn import_rejects(
        &self,
        id: ImportId,
        from_index: i64,
        limit: i64,
    ) -> Result<Vec<Reject>, AppError> {
        self.import_job(id)?;
        Ok(self
            .db
            .read(|conn| imports::rejects(conn, id, from_index, limit))?)
    }

    /// The records of a job that had likely duplicates and what became of
    /// them, in file order from `from_index` on.
    pub fn import_duplicates(
        &self,
        id: ImportId,
        from_index: i64,
        limit: i64,
    ) -> Result<Vec<imports::DuplicateOutcome>, AppError> {
        self.import_job(id)?;
        Ok(self
            .db
            .read(|conn| imports::duplicates(conn, id, from_index, limit))?)
    }

    /// Stops a queued or running job after its current batch.
    pub fn cancel_import(
        &self,
        who: &Principal,
        actor: &Actor,
        id: ImportId,
    ) -> Result<ImportJob, AppError> {
        who.require_role(&[Role::Admin, Role::Cataloger])?;
        let job = self.import_job(id)?;
        if !job.status.is_unfinished() {
            return Err(AppError::conflict(
                "import_finished",
                format!("the import is already {}", job.status),
            ));
        }
        self.db.write(|conn| {
            imports::set_status(conn, id, ImportStatus::Cancelled, None, Timestamp::now())?;
            crate::audit::record(conn, actor, "cancel", ("import", &id), None, None)?;
            Ok::<_, AppError>(())
        })?;
        self.import_job(id)
    }

    /// Makes a failed or interrupted job runnable again; it continues after
    /// its last committed batch.
    pub fn requeue_import(&self, id: ImportId) -> Result<ImportJob, AppError> {
        let job = self.import_job(id)?;
        if job.status.is_final() {
            return Err(AppError::conflict(
                "import_finished",
                format!("the import is already {}", job.status),
            ));
        }
        self.db.write(|conn| {
            imports::set_status(conn, id, ImportStatus::Queued, None, Timestamp::now())
        })?;
        self.import_job(id)
    }

    /// Jobs a restarted server should pick up again.
    pub fn unfinished_imports(&self) -> Result<Vec<ImportJob>, AppError> {
        Ok(self.db.read(imports::unfinished)?)
    }

    /// Runs (or resumes) a job to its end. `tick` sees the progress after
    /// every committed batch.
    pub fn run_import(
        &self,
        id: ImportId,
        actor: &Actor,
        tick: &mut dyn FnMut(&ImportJob),
    ) -> Result<ImportJob, AppError> {
        let mut job = self.import_job(id)?;
        if !job.status.is_unfinished() {
            return Ok(job);
        }
        self.db.write(|conn| {
            imports::set_status(conn, id, ImportStatus::Running, None, Timestamp::now())
        })?;
        let outcome = batch::run(self, &mut job, actor, tick).and_then(|(status, parsed)| {
            match (status, parsed == 0 && nothing_taken(&job)) {
                (ImportStatus::Done, true) => Err(not_marc(&job)),
                _ => Ok(status),
            }
        });
        match outcome {
            Ok(ImportStatus::Done) => {
                self.db.write(|conn| {
                    imports::set_status(conn, id, ImportStatus::Done, None, Timestamp::now())?;
                    crate::audit::record(
                        conn,
                        actor,
                        "finish",
                        ("import", &id),
                        None,
                        Some(progress_json(&job.progress)),
                    )?;
                    Ok::<_, AppError>(())
                })?;
                self.import_job(id)
            }
            Ok(_) => self.import_job(id),
            Err(err) => {
                if let AppError::Internal(cause) = &err {
                    tracing::error!(import = %id, %cause, "import failed");
                }
                let error = JobError {
                    code: err.code().to_owned(),
                    message: err.to_string(),
                };
                let _ = self.db.write(|conn| {
                    imports::set_status(
                        conn,
                        id,
                        ImportStatus::Failed,
                        Some(&error),
                        Timestamp::now(),
                    )
                });
                Err(err)
            }
        }
    }
}

/// No record of the file is in the catalog (also from earlier runs of a
/// resumed job).
fn nothing_taken(job: &ImportJob) -> bool {
    let p = job.progress;
    p.created + p.updated + p.skipped == 0
}

/// A file in which not one MARC record was found (only bytes the reader
/// could not take for a record) is not a MARC file of the format tried: it
/// fails, so an empty or foreign upload never looks like a finished import.
/// What the reader refused stays in the report.
fn not_marc(job: &ImportJob) -> AppError {
    let format = match Format::parse(&job.format) {
        Some(Format::Iso2709) => "ISO 2709",
        Some(Format::MarcXml) => "MARCXML",
        Some(Format::Json) => "MARC-in-JSON",
        None => job.format.as_str(),
    };
    AppError::NotMarc(format!(
        "no MARC record could be read from {} ({} bytes) as {format}; \
         name the format (format=iso2709|marcxml|json) if it was guessed wrong",
        job.file_name, job.file_size
    ))
}

fn first_bytes(path: &std::path::Path) -> Vec<u8> {
    use std::io::Read;
    let mut buf = vec![0u8; 64];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut buf))
        .unwrap_or(0);
    buf.truncate(n);
    buf
}

pub(crate) fn progress_json(p: &Progress) -> serde_json::Value {
    serde_json::json!({
        "created": p.created, "updated": p.updated, "skipped": p.skipped,
        "rejected": p.rejected, "copies": p.copies, "attached": p.attached,
        "records_read": p.next_index,
    })
}
