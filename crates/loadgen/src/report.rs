//! The run's result: invariants checked (each one pass or one fail), latency summaries, counters
//! and server samples; rendered as a human table and as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::latency::Summary;
use crate::procfs::{Sample, Trend};

/// One checked invariant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Invariant {
    /// What was checked.
    pub name: String,
    /// Whether it held.
    pub ok: bool,
    /// Counts or the first violations.
    pub detail: String,
}

/// What the server process did during the run (with `--server-pid`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServerReport {
    /// Process id sampled.
    pub pid: u32,
    /// Soft descriptor limit of the server.
    pub nofile_limit: Option<u64>,
    /// Resident memory before the spectators connected, KiB.
    pub rss_before_kib: Option<u64>,
    /// Resident memory with every spectator connected, KiB.
    pub rss_connected_kib: Option<u64>,
    /// `(connected − before) / connections`, bytes.
    pub rss_per_connection_bytes: Option<f64>,
    /// CPU seconds used during the run.
    pub cpu_s: Option<f64>,
    /// Resident memory trend, KiB.
    pub rss_kib: Trend,
    /// Open descriptor trend.
    pub fds: Trend,
    /// Thread count trend.
    pub threads: Trend,
    /// The samples the trends are taken over (seconds after the run's start): the measured
    /// phase (connections held, feed running), so the ramp and the clean-up do not count as
    /// growth. `None`: every sample.
    pub trend_window_s: Option<(f64, f64)>,
    /// Every sample, one a second.
    pub samples: Vec<Sample>,
}

/// Counts about the spectator connections.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConnectionReport {
    /// Connections asked for.
    pub requested: usize,
    /// Connections that completed the WebSocket handshake.
    pub connected: usize,
    /// Connections that failed (first error kept per reason).
    pub failed: usize,
    /// Failure reasons and their counts.
    pub failures: BTreeMap<String, usize>,
    /// Reconnections made (reconnect storm; after unexpected drops in kill-storm).
    pub reconnects: usize,
    /// Frames received, all spectators together.
    pub frames: u64,
    /// Resynchronisations (`refresh`/`full` jumping forward).
    pub resyncs: u64,
    /// How the connections ended, by reason.
    pub endings: BTreeMap<String, usize>,
}

/// Counts about the requests sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RequestReport {
    /// Requests sent by the measured feed.
    pub sent: usize,
    /// Requests that started more than the timer slack after their scheduled time.
    pub late: usize,
    /// Largest lag behind the schedule, ms.
    pub max_lag_ms: u64,
    /// Responses by status (`"error"` for no response).
    pub statuses: BTreeMap<String, usize>,
}

/// Everything a run found. `passed + failed` = invariants checked.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Report {
    /// Scenario run.
    pub scenario: String,
    /// Target base URL (the booth's; the first spectator target).
    pub url: String,
    /// Every spectator target in order (target 1 = `url`), when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// Event the spectators watched.
    pub event_id: String,
    /// Wall time of the run, seconds.
    pub elapsed_s: f64,
    /// Invariants that held.
    pub passed: usize,
    /// Invariants that did not.
    pub failed: usize,
    /// Every invariant, in the order checked.
    pub invariants: Vec<Invariant>,
    /// Latency summaries by name.
    pub latency: BTreeMap<String, Summary>,
    /// Other measured values by name (seconds, counts, bytes).
    pub metrics: BTreeMap<String, f64>,
    /// Spectator connections.
    pub connections: ConnectionReport,
    /// Feed requests.
    pub requests: RequestReport,
    /// Server samples, when a pid was given.
    pub server: Option<ServerReport>,
    /// Things worth knowing that are not invariants.
    pub warnings: Vec<String>,
}

impl Report {
    /// Records one invariant.
    pub fn check(&mut self, name: impl Into<String>, ok: bool, detail: impl Into<String>) {
        if ok {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        self.invariants.push(Invariant {
            name: name.into(),
            ok,
            detail: detail.into(),
        });
    }

    /// Records a warning.
    pub fn warn(&mut self, text: impl Into<String>) {
        self.warnings.push(text.into());
    }

    /// Records a metric.
    pub fn metric(&mut self, name: &str, value: f64) {
        self.metrics.insert(name.to_owned(), value);
    }

    /// The closing line: `N passed, N failed`.
    pub fn closing_line(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed)
    }

    /// The human table, ending with the closing line.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "live-loadgen {} against {} (event {}), {:.1} s",
            self.scenario, self.url, self.event_id, self.elapsed_s
        );
        if !self.targets.is_empty() {
            let list: Vec<String> = self
                .targets
                .iter()
                .enumerate()
                .map(|(i, t)| format!("{} = {t}", i + 1))
                .collect();
            let _ = writeln!(
                out,
                "targets (spectators round robin, booth on 1): {}",
                list.join(", ")
            );
        }
        let c = &self.connections;
        let _ = writeln!(
            out,
            "connections: {} requested, {} connected, {} failed, {} reconnects, {} frames, {} resyncs",
            c.requested, c.connected, c.failed, c.reconnects, c.frames, c.resyncs
        );
        for (reason, n) in &c.failures {
            let _ = writeln!(out, "  connect failure x{n}: {reason}");
        }
        for (reason, n) in &c.endings {
            let _ = writeln!(out, "  ended x{n}: {reason}");
        }
        let r = &self.requests;
        if r.sent > 0 {
            let statuses: Vec<String> = r
                .statuses
                .iter()
                .map(|(s, n)| format!("{s} x{n}"))
                .collect();
            let _ = writeln!(
                out,
                "requests: {} sent, {} late (max lag {} ms), statuses: {}",
                r.sent,
                r.late,
                r.max_lag_ms,
                statuses.join(", ")
            );
        }
        if !self.latency.is_empty() {
            let _ = writeln!(
                out,
                "\n{:<36} {:>9} {:>10} {:>10} {:>10} {:>10}",
                "latency (ms)", "count", "p50", "p90", "p99", "max"
            );
            for (name, s) in &self.latency {
                let _ = writeln!(
                    out,
                    "{:<36} {:>9} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
                    name, s.count, s.p50_ms, s.p90_ms, s.p99_ms, s.max_ms
                );
            }
        }
        if !self.metrics.is_empty() {
            let _ = writeln!(out);
            for (name, v) in &self.metrics {
                let _ = writeln!(out, "{name:<44} {v:>14.3}");
            }
        }
        if let Some(s) = &self.server {
            let _ = writeln!(out, "\nserver pid {} ({} samples)", s.pid, s.samples.len());
            let opt = |v: Option<u64>| v.map_or_else(|| "-".to_owned(), |v| v.to_string());
            let _ = writeln!(
                out,
                "  RSS KiB before {} / connected {} / per connection {} B; CPU {} s",
                opt(s.rss_before_kib),
                opt(s.rss_connected_kib),
                s.rss_per_connection_bytes
                    .map_or_else(|| "-".to_owned(), |v| format!("{v:.0}")),
                s.cpu_s
                    .map_or_else(|| "-".to_owned(), |v| format!("{v:.2}"))
            );
            if let Some((from, to)) = s.trend_window_s {
                let _ = writeln!(
                    out,
                    "  trends over the measured phase, {from:.0} s to {to:.0} s:"
                );
            }
            for (name, t) in [
                ("RSS KiB", &s.rss_kib),
                ("fds", &s.fds),
                ("threads", &s.threads),
            ] {
                let _ = writeln!(
                    out,
                    "  {name:<8} first {:>10.0} last {:>10.0} max {:>10.0} slope {:>+10.2}/min",
                    t.first, t.last, t.max, t.per_minute
                );
            }
        }
        for w in &self.warnings {
            let _ = writeln!(out, "warning: {w}");
        }
        let _ = writeln!(out);
        for inv in &self.invariants {
            let mark = if inv.ok { "PASS" } else { "FAIL" };
            let _ = writeln!(out, "{mark}  {}: {}", inv.name, inv.detail);
        }
        let _ = writeln!(out, "{}", self.closing_line());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_count_and_render() {
        let mut r = Report {
            scenario: "fanout".to_owned(),
            ..Report::default()
        };
        r.check("a", true, "fine");
        r.check("b", false, "2 gaps");
        r.check("c", true, "");
        r.warn("server limit low");
        r.latency.insert(
            "ingest->each delivery".to_owned(),
            Summary {
                count: 3,
                p50_ms: 1.5,
                ..Summary::default()
            },
        );
        assert_eq!((r.passed, r.failed), (2, 1));
        let text = r.render();
        assert!(text.ends_with("2 passed, 1 failed\n"), "{text}");
        assert!(text.contains("FAIL  b: 2 gaps"));
        assert!(text.contains("warning: server limit low"));
        assert!(text.contains("ingest->each delivery"));
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["passed"], 2);
        assert_eq!(json["invariants"][1]["ok"], false);
    }
}
