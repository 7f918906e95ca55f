//! The background thread `kitap serve` starts: one notice run (notices and
//! the automatic overdue blocks) every `interval_seconds`, stopped cleanly
//! on shutdown.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::{App, AppError};

/// How often the thread looks whether it should stop.
const POLL: Duration = Duration::from_millis(200);

pub struct NoticeJob {
    stop: Arc<AtomicBool>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl NoticeJob {
    /// Stops after the current run and waits for the thread.
    pub fn shutdown(&self) {
        self.stop.store(true, Ordering::SeqCst);
        let handle = self.thread.lock().ok().and_then(|mut slot| slot.take());
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }
}

impl Drop for NoticeJob {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

impl App {
    /// Starts the notice thread: a run at once, then one per interval.
    pub fn start_notice_job(&self) -> Result<NoticeJob, AppError> {
        let stop = Arc::new(AtomicBool::new(false));
        let app = self.clone();
        let interval = Duration::from_secs(self.notices.config.interval_seconds.max(1));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("kitap-notices".into())
            .spawn(move || {
                while !flag.load(Ordering::SeqCst) {
                    match app.notice_tick(super::today()) {
                        Ok(report) if report.skipped => {
                            tracing::debug!("notice run skipped: another node runs it")
                        }
                        Ok(report) => tracing::info!(
                            scheduled = report.scheduled,
                            sent = report.sent,
                            failed = report.failed,
                            blocks_placed = report.blocks_placed,
                            blocks_lifted = report.blocks_lifted,
                            "notice run"
                        ),
                        Err(err) => tracing::error!(%err, "notice run failed; trying again later"),
                    }
                    let started = Instant::now();
                    while started.elapsed() < interval && !flag.load(Ordering::SeqCst) {
                        std::thread::sleep(POLL);
                    }
                }
            })
            .map_err(|e| AppError::Internal(format!("starting the notice job: {e}")))?;
        Ok(NoticeJob {
            stop,
            thread: Mutex::new(Some(handle)),
        })
    }
}
