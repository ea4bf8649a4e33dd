//! Printing: one row per scenario with throughput, latency percentiles, errors and the
//! server's resident memory (now and peak).

use crate::load::{Scenario, Stats};

pub fn print_header(concurrency: usize, duration: u64) {
    println!("concurrency {concurrency}, {duration}s per scenario");
    println!(
        "{:<10} {:<34} {:>9} {:>10} {:>9} {:>9} {:>9} {:>7} {:>8} {:>9}",
        "target",
        "scenario",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "rss MiB",
        "peak MiB"
    );
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1000.0
}

pub fn print_row(
    label: &str,
    scenario: Scenario,
    stats: &Stats,
    rss_kib: Option<u64>,
    peak_kib: Option<u64>,
) {
    let mut sorted = stats.latencies_us.clone();
    sorted.sort_unstable();
    let ok = sorted.len() as f64;
    let mib = |k: Option<u64>| k.map_or("-".to_owned(), |k| format!("{:.1}", k as f64 / 1024.0));
    println!(
        "{:<10} {:<34} {:>9} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>7} {:>8} {:>9}",
        label,
        scenario.describe(),
        sorted.len(),
        ok / stats.elapsed.as_secs_f64(),
        percentile(&sorted, 50.0),
        percentile(&sorted, 95.0),
        percentile(&sorted, 99.0),
        stats.errors,
        mib(rss_kib),
        mib(peak_kib)
    );
}

/// A memory figure of a process from `/proc/<pid>/status` (Linux): `VmRSS` now, `VmHWM` peak.
pub fn memory_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// Resident memory of process `pid` and its children (the server's Code node sandbox
/// processes), in KiB, and how many children there are.
pub fn tree_rss_kib(pid: u32) -> Option<(u64, usize)> {
    let own = memory_kib(pid, "VmRSS")?;
    let mut total = own;
    let mut children = 0;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
            continue;
        };
        // `pid (comm) state ppid …`
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(pid)
            && let Some(kib) = memory_kib(child, "VmRSS")
        {
            total += kib;
            children += 1;
        }
    }
    Some((total, children))
}
