//! The server's import worker: one background thread that runs queued jobs
//! in order, and on start resumes jobs a previous process left unfinished.
//! One thread is enough: an import is bound by the database's single writer
//! (SQLite) or by one core's parsing, and jobs in order are easier to follow.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Sender};

use kitap_domain::ImportId;

use crate::{Actor, App};

/// Tells the worker a job is waiting. Dropping every handle stops the worker
/// after its current job.
#[derive(Clone)]
pub struct ImportQueue {
    tx: Sender<ImportId>,
}

impl ImportQueue {
    pub fn notify(&self, id: ImportId) {
        // A stopped worker leaves the job queued; the next start resumes it.
        let _ = self.tx.send(id);
    }
}

impl App {
    /// Starts the worker. Files under `uploads` are the server's copies of
    /// uploaded files: they are deleted once their job is done or cancelled
    /// (a failed job keeps its file so it can be resumed).
    pub fn start_import_worker(&self, uploads: PathBuf) -> ImportQueue {
        let (tx, rx) = mpsc::channel::<ImportId>();
        let app = self.clone();
        let spawned = std::thread::Builder::new()
            .name("kitap-import".to_owned())
            .spawn(move || {
                match app.unfinished_imports() {
                    Ok(jobs) => jobs
                        .into_iter()
                        .for_each(|job| run_one(&app, job.id, &uploads)),
                    Err(err) => tracing::warn!(error = %err, "cannot list unfinished imports"),
                }
                while let Ok(id) = rx.recv() {
                    run_one(&app, id, &uploads);
                }
            });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "cannot start the import worker; imports stay queued");
        }
        ImportQueue { tx }
    }
}

fn run_one(app: &App, id: ImportId, uploads: &Path) {
    let actor = Actor::system("import");
    let started = std::time::Instant::now();
    match app.run_import(id, &actor, &mut |_| {}) {
        Ok(job) => {
            let file = Path::new(&job.file_path);
            if job.status.is_final() && file.starts_with(uploads) {
                if let Err(err) = std::fs::remove_file(file) {
                    tracing::warn!(import = %id, error = %err, "cannot delete the uploaded file");
                }
            }
            tracing::info!(
                import = %id,
                status = %job.status,
                created = job.progress.created,
                rejected = job.progress.rejected,
                seconds = started.elapsed().as_secs_f64(),
                "import finished"
            )
        }
        Err(err) => tracing::warn!(import = %id, error = %err, "import failed"),
    }
}
