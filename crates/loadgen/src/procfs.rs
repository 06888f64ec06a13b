//! Sampling the server process from `/proc/<pid>`: resident memory, CPU time, open descriptors
//! and threads, once a second, plus the trend of each over the run.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Kernel clock ticks per second of `/proc/<pid>/stat` times. `USER_HZ` is 100 on every Linux
/// architecture this runs on (the kernel scales its internal HZ to it for userspace).
const TICKS_PER_SEC: f64 = 100.0;

/// One reading of the server process.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sample {
    /// Seconds since the run started.
    pub t_s: f64,
    /// Resident set size, KiB (`VmRSS`).
    pub rss_kib: u64,
    /// User + system CPU time, seconds.
    pub cpu_s: f64,
    /// Open file descriptors.
    pub fds: u64,
    /// Threads (`Threads`).
    pub threads: u64,
}

/// Reads one sample of `pid`; `None` when the process is gone or unreadable.
pub fn read_sample(pid: u32, t_s: f64) -> Option<Sample> {
    let dir = PathBuf::from(format!("/proc/{pid}"));
    let status = std::fs::read_to_string(dir.join("status")).ok()?;
    let stat = std::fs::read_to_string(dir.join("stat")).ok()?;
    let (rss_kib, threads) = parse_status(&status)?;
    let ticks = parse_stat_cpu_ticks(&stat)?;
    let fds = std::fs::read_dir(dir.join("fd")).ok()?.count() as u64;
    Some(Sample {
        t_s,
        rss_kib,
        cpu_s: ticks_to_secs(ticks),
        fds,
        threads,
    })
}

#[expect(
    clippy::cast_precision_loss,
    reason = "tick counts stay far below 2^52"
)]
fn ticks_to_secs(ticks: u64) -> f64 {
    ticks as f64 / TICKS_PER_SEC
}

/// `VmRSS` (KiB) and `Threads` from `/proc/<pid>/status`.
pub fn parse_status(text: &str) -> Option<(u64, u64)> {
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("Threads:")?))
}

/// `utime + stime` (ticks) from `/proc/<pid>/stat`. The command name in parentheses may hold
/// spaces and parentheses itself, so fields are counted from the last `)`.
pub fn parse_stat_cpu_ticks(text: &str) -> Option<u64> {
    let after = &text[text.rfind(')')? + 1..];
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the name: state is field 3 of the man page, utime 14 and stime 15.
    let utime = fields.get(11)?.parse::<u64>().ok()?;
    let stime = fields.get(12)?.parse::<u64>().ok()?;
    Some(utime + stime)
}

/// The server's soft `RLIMIT_NOFILE`, from `/proc/<pid>/limits`.
pub fn server_nofile_limit(pid: u32) -> Option<u64> {
    let pid = i32::try_from(pid).ok()?;
    rlimit::ProcLimits::read_process(pid)
        .ok()?
        .max_open_files?
        .soft_limit
}

/// Samples `pid` every second until `stop` resolves or `cap` samples were taken.
pub async fn sample_until(
    pid: u32,
    base: Instant,
    cap: usize,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> Vec<Sample> {
    let mut samples = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while samples.len() < cap {
        tokio::select! {
            _ = tick.tick() => {}
            () = crate::flag::raised(&mut stop) => break,
        }
        if let Some(s) = read_sample(pid, base.elapsed().as_secs_f64()) {
            samples.push(s);
        }
    }
    samples
}

/// How a series of samples moved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Trend {
    /// First value.
    pub first: f64,
    /// Last value.
    pub last: f64,
    /// Largest value.
    pub max: f64,
    /// Least-squares slope, per minute.
    pub per_minute: f64,
}

/// The trend of `value` over `samples` (zero when there are fewer than two).
pub fn trend(samples: &[Sample], value: impl Fn(&Sample) -> f64) -> Trend {
    let (Some(first), Some(last)) = (samples.first(), samples.last()) else {
        return Trend::default();
    };
    let max = samples.iter().map(&value).fold(f64::MIN, f64::max);
    let n = usize_to_f64(samples.len());
    let mean_t = samples.iter().map(|s| s.t_s).sum::<f64>() / n;
    let mean_v = samples.iter().map(&value).sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for s in samples {
        let dt = s.t_s - mean_t;
        num += dt * (value(s) - mean_v);
        den += dt * dt;
    }
    let per_minute = if den > 0.0 { num / den * 60.0 } else { 0.0 };
    Trend {
        first: value(first),
        last: value(last),
        max,
        per_minute,
    }
}

#[expect(clippy::cast_precision_loss, reason = "sample counts are small")]
fn usize_to_f64(n: usize) -> f64 {
    n as f64
}

#[expect(
    clippy::cast_precision_loss,
    reason = "KiB and counts stay far below 2^52"
)]
/// A `u64` reading as `f64`, for trends.
pub fn u64_to_f64(n: u64) -> f64 {
    n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_fields() {
        let text = "Name:\tlive-mini\nVmPeak:\t  200000 kB\nVmRSS:\t   51234 kB\nThreads:\t7\n";
        assert_eq!(parse_status(text), Some((51_234, 7)));
        assert_eq!(parse_status("Name: x\n"), None);
    }

    #[test]
    fn stat_cpu_skips_tricky_names() {
        let text = "1234 (live (mini) x) S 1 1234 1234 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 7 0 100 1000000 5000";
        assert_eq!(parse_stat_cpu_ticks(text), Some(300));
        assert_eq!(parse_stat_cpu_ticks("1234 (x) S 1"), None);
        assert_eq!(parse_stat_cpu_ticks("no parens"), None);
    }

    #[test]
    fn own_process_can_be_sampled() {
        let s = read_sample(std::process::id(), 1.0).unwrap();
        assert!(s.rss_kib > 0);
        assert!(s.fds > 0);
        assert!(s.threads > 0);
        assert!(server_nofile_limit(std::process::id()).is_some_and(|l| l > 0));
    }

    #[test]
    fn trend_slope_per_minute() {
        let samples: Vec<Sample> = (0_u32..10)
            .map(|i| Sample {
                t_s: f64::from(i),
                rss_kib: 1000 + 2 * u64::from(i),
                cpu_s: 0.0,
                fds: 10,
                threads: 2,
            })
            .collect();
        let t = trend(&samples, |s| u64_to_f64(s.rss_kib));
        assert!((t.per_minute - 120.0).abs() < 1e-9, "{t:?}");
        assert!((t.first - 1000.0).abs() < 1e-9);
        assert!((t.last - 1018.0).abs() < 1e-9);
        assert!((t.max - 1018.0).abs() < 1e-9);
        let flat = trend(&samples, |s| u64_to_f64(s.fds));
        assert!(flat.per_minute.abs() < 1e-9);
        assert_eq!(trend(&[], |s| s.cpu_s), Trend::default());
    }
}
