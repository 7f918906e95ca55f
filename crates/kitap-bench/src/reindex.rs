//! A full reindex in this process (`kitap_app::search::rebuild`, the code
//! `kitap reindex` runs): wall time, CPU by thread, peak memory, index size.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use kitap_app::search::{rebuild, SearchIndex};
use kitap_app::{App, Config};

use crate::procstat::{
    cpu_seconds, dir_size, loadavg, reset_peak_rss, status_mib, thread_cpu, Pid,
};

type ThreadCpu = BTreeMap<u32, (String, f64)>;

/// Rebuilds while sampling per-thread CPU every 250 ms (a thread's figures
/// vanish with it, so they are taken while the rebuild's threads live).
fn rebuild_sampled(app: &App, index: &SearchIndex, memory: usize) -> anyhow::Result<ThreadCpu> {
    let stop = AtomicBool::new(false);
    let seen = Mutex::new(ThreadCpu::new());
    let result = std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(Ordering::Relaxed) {
                let now = thread_cpu();
                if let Ok(mut seen) = seen.lock() {
                    seen.extend(now);
                }
                std::thread::sleep(Duration::from_millis(250));
            }
        });
        let result = rebuild(app.db(), index, memory, true);
        stop.store(true, Ordering::Relaxed);
        result
    });
    result.context("rebuild")?;
    Ok(seen.into_inner().unwrap_or_default())
}

fn report_threads(seen: ThreadCpu, before: &ThreadCpu) {
    let mut threads: Vec<(String, f64)> = seen
        .into_iter()
        .map(|(tid, (name, secs))| {
            let earlier = before.get(&tid).map_or(0.0, |t| t.1);
            (format!("{name} [{tid}]"), secs - earlier)
        })
        .filter(|t| t.1 >= 0.5)
        .collect();
    threads.sort_by(|a, b| b.1.total_cmp(&a.1));
    let listed: Vec<String> = threads
        .iter()
        .take(8)
        .map(|(name, secs)| format!("{name} {secs:.1} s"))
        .collect();
    if listed.is_empty() {
        println!("reindex CPU by thread: no thread used 0.5 s");
    } else {
        println!("reindex CPU by thread: {}", listed.join(", "));
    }
}

/// Builds the index in `index_dir` from the database with `memory_mib` of
/// writer memory (default: the configuration's) and reports it.
pub fn reindex(app: &App, index_dir: &Path, memory_mib: Option<usize>) -> anyhow::Result<()> {
    let memory = memory_mib.map_or_else(
        || Config::default().search_settings().rebuild_memory,
        |m| m << 20,
    );
    reset_peak_rss();
    let before = status_mib(Pid::Me, "VmRSS:");
    let cpu_before = cpu_seconds(Pid::Me);
    let threads_before = thread_cpu();
    let (index, _) = SearchIndex::open(index_dir).context("open the index")?;
    let start = Instant::now();
    let seen = rebuild_sampled(app, &index, memory)?;
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds(Pid::Me) - cpu_before;
    let generation = index.current();
    let docs = generation.num_docs();
    let segments = generation.reader.searcher().segment_readers().len();
    println!(
        "reindex: {docs} documents in {secs:.1} s ({:.0} documents/s), writer memory {} MiB, {segments} segments, \
         index {:.0} MiB on disk; process RSS before {before:.0} MiB, peak during rebuild {:.0} MiB, after {:.0} MiB; \
         CPU {cpu:.1} s ({:.2} cores on average); load average {}",
        docs as f64 / secs,
        memory >> 20,
        dir_size(index_dir) as f64 / (1 << 20) as f64,
        status_mib(Pid::Me, "VmHWM:"),
        status_mib(Pid::Me, "VmRSS:"),
        cpu / secs,
        loadavg()
    );
    report_threads(seen, &threads_before);
    Ok(())
}
