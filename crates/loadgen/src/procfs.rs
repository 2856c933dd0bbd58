//! What a server process costs, read from Linux's /proc: CPU seconds used
//! (user + system) and resident memory (current and peak).

use std::fs;

use serde::Serialize;

use crate::report::round2;

/// `/proc/PID/stat` counts CPU time in clock ticks; Linux's `USER_HZ` is 100
/// on every architecture it supports.
const TICKS_PER_SEC: f64 = 100.0;

/// One reading of a process.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// User + system CPU since the process started.
    pub cpu_secs: f64,
    /// `VmRSS`: resident memory now.
    pub rss_kib: u64,
    /// `VmHWM`: the most resident memory it ever had.
    pub peak_rss_kib: u64,
}

/// Reads process `pid`; `None` when it is gone or /proc is unreadable (not
/// Linux, or another user's process).
pub fn read(pid: u32) -> Option<Reading> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    Some(Reading {
        cpu_secs: cpu_ticks(&stat)? as f64 / TICKS_PER_SEC,
        rss_kib: status_kib(&status, "VmRSS")?,
        peak_rss_kib: status_kib(&status, "VmHWM")?,
    })
}

/// `utime + stime` from the text of `/proc/PID/stat`. The command name (field
/// 2) is in parentheses and may itself contain spaces and parentheses, so the
/// fields are counted from the last `)`: state is field 3, utime 14, stime 15.
fn cpu_ticks(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(14 - 3);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// A `Key:   1234 kB` line of `/proc/PID/status`.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(key)?.strip_prefix(':')?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

/// What one server process cost over a measured phase.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Cost {
    pub pid: u32,
    /// CPU seconds used during the phase; null when /proc could not be read.
    pub cpu_secs: Option<f64>,
    /// Peak resident memory over the process's life, at the end of the phase.
    pub peak_rss_kib: Option<u64>,
    /// Resident memory at the end of the phase.
    pub rss_kib: Option<u64>,
}

/// Measures the server processes `pids` from `start` to `finish`.
#[derive(Debug)]
pub struct Meter {
    start: Vec<(u32, Option<Reading>)>,
}

impl Meter {
    pub fn start(pids: &[u32]) -> Self {
        Self {
            start: pids.iter().map(|&pid| (pid, read(pid))).collect(),
        }
    }

    pub fn finish(&self) -> Vec<Cost> {
        self.start
            .iter()
            .map(|&(pid, start)| {
                let end = read(pid);
                Cost {
                    pid,
                    cpu_secs: start.zip(end).map(|(s, e)| round2(e.cpu_secs - s.cpu_secs)),
                    peak_rss_kib: end.map(|e| e.peak_rss_kib),
                    rss_kib: end.map(|e| e.rss_kib),
                }
            })
            .collect()
    }
}

/// `server pid 123: 4.52 CPU s, RSS 80.1 MiB (peak 95.3 MiB)` per process.
pub fn describe(costs: &[Cost]) -> String {
    if costs.is_empty() {
        return "not measured (no --server-pid)".to_owned();
    }
    let mib = |kib: Option<u64>| match kib {
        Some(kib) => format!("{:.1} MiB", kib as f64 / 1024.0),
        None => "n/a".to_owned(),
    };
    costs
        .iter()
        .map(|c| {
            let cpu = match c.cpu_secs {
                Some(secs) => format!("{secs:.2} CPU s"),
                None => "CPU n/a".to_owned(),
            };
            format!(
                "pid {}: {cpu}, RSS {} (peak {})",
                c.pid,
                mib(c.rss_kib),
                mib(c.peak_rss_kib)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_time_is_found_after_an_awkward_command_name() {
        let stat = "4242 (themechat (x) srv) S 1 4242 4242 0 -1 4194560 2000 0 0 0 \
                    150 25 0 0 20 0 9 0 12345 100000000 5000 18446744073709551615";
        assert_eq!(cpu_ticks(stat), Some(175));
        assert_eq!(cpu_ticks("garbage"), None);
    }

    #[test]
    fn memory_lines_are_parsed_in_kib() {
        let status = "Name:\tthemechat-serve\nVmPeak:\t  300000 kB\nVmHWM:\t   98765 kB\n\
                      VmRSS:\t   81234 kB\nThreads:\t9\n";
        assert_eq!(status_kib(status, "VmHWM"), Some(98_765));
        assert_eq!(status_kib(status, "VmRSS"), Some(81_234));
        assert_eq!(status_kib(status, "VmSwap"), None);
    }

    #[test]
    fn this_process_can_be_read() {
        let me = read(std::process::id()).expect("/proc/self");
        assert!(me.rss_kib > 0 && me.peak_rss_kib >= me.rss_kib);
    }
}
