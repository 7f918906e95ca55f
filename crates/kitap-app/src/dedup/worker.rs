//! The server's dedup worker: one background thread that first brings
//! stored match keys up to date (records stored before this version), then
//! runs queued scans in order. On PostgreSQL one node at a time runs scans
//! (an advisory lock); a node that finds the lock taken leaves its scans to
//! the holder, which looks for queued scans again after each one.

use std::collections::HashSet;
use std::sync::mpsc::{self, Sender};

use kitap_domain::DedupScanId;

use crate::{Actor, App};

/// Any constant shared by every Kitap node.
const SCAN_LOCK: i64 = 0x4b49_5441_5044;

/// Tells the worker a scan is waiting. Dropping every handle stops the
/// worker after its current scan.
#[derive(Clone)]
pub struct DedupQueue {
    tx: Sender<DedupScanId>,
}

impl DedupQueue {
    pub fn notify(&self, id: DedupScanId) {
        // A stopped worker leaves the scan queued; the next start runs it.
        let _ = self.tx.send(id);
    }
}

impl App {
    pub fn start_dedup_worker(&self) -> DedupQueue {
        let (tx, rx) = mpsc::channel::<DedupScanId>();
        let app = self.clone();
        let spawned = std::thread::Builder::new()
            .name("kitap-dedup".to_owned())
            .spawn(move || {
                let started = std::time::Instant::now();
                match app.rekey(&mut |_| {}) {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(
                        records = n,
                        seconds = started.elapsed().as_secs_f64(),
                        "match keys computed"
                    ),
                    Err(err) => tracing::warn!(error = %err, "cannot compute match keys"),
                }
                run_pending(&app);
                while rx.recv().is_ok() {
                    run_pending(&app);
                }
            });
        if let Err(err) = spawned {
            tracing::error!(error = %err, "cannot start the dedup worker; scans stay queued");
        }
        DedupQueue { tx }
    }
}

fn run_pending(app: &App) {
    let lock = match app.db.try_job_lock(SCAN_LOCK) {
        Ok(Some(lock)) => lock,
        Ok(None) => return,
        Err(err) => {
            tracing::warn!(error = %err, "cannot take the scan lock");
            return;
        }
    };
    let actor = Actor::system("dedup scan");
    // Each scan is tried once per wake-up: a failed one is marked failed,
    // and one that cannot even be marked must not spin.
    let mut tried = HashSet::new();
    loop {
        let waiting = match app.unfinished_scans() {
            Ok(scans) => scans,
            Err(err) => {
                tracing::warn!(error = %err, "cannot list queued scans");
                break;
            }
        };
        let fresh: Vec<DedupScanId> = waiting
            .into_iter()
            .map(|s| s.id)
            .filter(|id| !tried.contains(id))
            .collect();
        if fresh.is_empty() {
            break;
        }
        for id in fresh {
            tried.insert(id);
            if let Err(err) = app.run_scan(id, &actor) {
                tracing::warn!(scan = %id, error = %err, "dedup scan failed");
            }
        }
    }
    drop(lock);
}
