//! Memory and CPU of processes and threads from Linux's /proc (empty or zero
//! elsewhere): the bench reports its own and the server's.

use std::collections::BTreeMap;
use std::path::Path;

/// This process or another one.
#[derive(Clone, Copy, Debug)]
pub enum Pid {
    Me,
    Other(u32),
}

impl Pid {
    fn file(self, name: &str) -> String {
        match self {
            Pid::Me => format!("/proc/self/{name}"),
            Pid::Other(pid) => format!("/proc/{pid}/{name}"),
        }
    }
}

/// A `/proc/PID/status` line in KiB (VmRSS:, VmHWM:, RssAnon:, ...), in MiB.
pub fn status_mib(pid: Pid, name: &str) -> f64 {
    let status = std::fs::read_to_string(pid.file("status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(name))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Resident memory now and its peak, in MiB.
pub fn rss_mib(pid: Pid) -> (f64, f64) {
    (status_mib(pid, "VmRSS:"), status_mib(pid, "VmHWM:"))
}

pub fn memory_line(pid: Pid) -> String {
    format!(
        "VmRSS {:.0} MiB (anon {:.0}, file {:.0}), VmHWM {:.0} MiB",
        status_mib(pid, "VmRSS:"),
        status_mib(pid, "RssAnon:"),
        status_mib(pid, "RssFile:"),
        status_mib(pid, "VmHWM:")
    )
}

/// Resets the peak resident memory (VmHWM) of this process, so that it
/// shows one phase alone.
pub fn reset_peak_rss() {
    // Linux: writing 5 to clear_refs resets the peak; a failure only leaves it.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The command name and user + system CPU seconds of a `stat` file's text.
fn parse_stat(stat: &str) -> Option<(String, f64)> {
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime, in clock ticks (USER_HZ is 100 on Linux).
    Some((
        stat[open + 1..close].to_string(),
        (ticks(11) + ticks(12)) / 100.0,
    ))
}

/// User + system CPU seconds of a process so far.
pub fn cpu_seconds(pid: Pid) -> f64 {
    let stat = std::fs::read_to_string(pid.file("stat")).unwrap_or_default();
    parse_stat(&stat).map_or(0.0, |s| s.1)
}

/// CPU seconds of each thread of this process: tid -> (name, seconds).
pub fn thread_cpu() -> BTreeMap<u32, (String, f64)> {
    threads_of("/proc/self/task")
}

/// CPU seconds of each thread of another process: tid -> (name, seconds).
pub fn thread_cpu_of(pid: u32) -> BTreeMap<u32, (String, f64)> {
    threads_of(&format!("/proc/{pid}/task"))
}

fn threads_of(dir: &str) -> BTreeMap<u32, (String, f64)> {
    let mut out = BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir(dir) else {
        return out;
    };
    for task in tasks.flatten() {
        let Ok(tid) = task.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        if let Some(named) = parse_stat(&stat) {
            out.insert(tid, named);
        }
    }
    out
}

/// The 1, 5 and 15 minute load averages: the machine may be shared.
pub fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// "N CPUs (model), M GiB".
pub fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .unwrap_or("?")
        .trim()
        .to_string();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo
        .lines()
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|k| k.parse::<f64>().ok())
        .map_or("?".to_string(), |k| {
            format!("{:.1} GiB", k / 1024.0 / 1024.0)
        });
    format!("{} CPUs ({model}), {memory}", cores())
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(0, |n| n.get())
}

/// Bytes of the files under `path`.
pub fn dir_size(path: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(path) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_lines_with_spaces_in_the_name() {
        let stat = "42 (tantivy (x) 1) S 1 2 3 4 5 6 7 8 9 10 250 50 0 0";
        assert_eq!(parse_stat(stat), Some(("tantivy (x) 1".into(), 3.0)));
    }

    #[test]
    fn this_process_has_memory_and_cpu() {
        if !Path::new("/proc/self/status").exists() {
            return;
        }
        let (rss, peak) = rss_mib(Pid::Me);
        assert!(rss > 0.0 && peak >= rss, "{rss} {peak}");
        assert!(!thread_cpu().is_empty());
    }
}
