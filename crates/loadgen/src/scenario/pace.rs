//! Sending on a fixed schedule: the pacer and the synthetic and decoy feeds.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::feed::{DecoyFeed, SyntheticFeed};
use crate::http::HttpClient;
use crate::report::RequestReport;
use crate::slots::{ReqKind, Slots};

/// How late a timer may wake before the sender counts as behind schedule. Within it the request
/// is timed from its actual send; beyond it from its scheduled time, so a server that holds the
/// sender up is charged for the wait (no coordinated omission).
pub(crate) const SLACK: Duration = Duration::from_millis(2);

/// Waits for scheduled times and tells how late each send is.
#[derive(Debug)]
pub(crate) struct Pacer {
    start: tokio::time::Instant,
    clock: Instant,
    pub(crate) late: usize,
    pub(crate) max_lag: Duration,
}

impl Pacer {
    /// A schedule starting now; latency bases are ns since `clock`.
    pub(crate) fn new(clock: Instant) -> Self {
        Self {
            start: tokio::time::Instant::now(),
            clock,
            late: 0,
            max_lag: Duration::ZERO,
        }
    }

    /// Waits until `at` after the start (or until interrupted: `None`) and returns the latency
    /// base of a request sent now.
    pub(crate) async fn until(
        &mut self,
        at: Duration,
        interrupt: &mut watch::Receiver<bool>,
    ) -> Option<u64> {
        let due = self.start + at;
        tokio::select! {
            () = tokio::time::sleep_until(due) => {}
            () = crate::flag::raised(interrupt) => return None,
        }
        let now = tokio::time::Instant::now();
        let lag = now.saturating_duration_since(due);
        let base = if lag > SLACK {
            self.late += 1;
            self.max_lag = self.max_lag.max(lag);
            due
        } else {
            now
        };
        let since_clock = base.into_std().saturating_duration_since(self.clock);
        Some(u64::try_from(since_clock.as_nanos()).unwrap_or(u64::MAX))
    }

    /// Adds the pacing counters to a request report.
    pub(crate) fn add_to(&self, stats: &mut RequestReport) {
        stats.late += self.late;
        stats.max_lag_ms = stats
            .max_lag_ms
            .max(u64::try_from(self.max_lag.as_millis()).unwrap_or(u64::MAX));
    }
}

/// Counts one answer (or failure) by status.
pub(crate) fn count_status(report: &mut RequestReport, answer: Option<u16>) {
    let key = answer.map_or_else(|| "no response".to_owned(), |s| s.to_string());
    *report.statuses.entry(key).or_insert(0) += 1;
}

/// Sends every slot of `slots` on schedule: slot `k` is a results or on-course body tagged `k`.
pub(crate) async fn run_synthetic(
    http: &mut HttpClient,
    api_key: &str,
    feed: &SyntheticFeed,
    slots: &Slots,
    clock: Instant,
    mut interrupt: watch::Receiver<bool>,
) -> RequestReport {
    let mut stats = RequestReport::default();
    let mut pacer = Pacer::new(clock);
    let headers = [("X-API-Key", api_key)];
    for (k, slot) in slots.iter().enumerate() {
        let tag = u32::try_from(k).unwrap_or(u32::MAX);
        let (path, body) = match slot.kind {
            ReqKind::Results => ("/api/v1/ingest/results", feed.results_body(tag)),
            _ => ("/api/v1/ingest/oncourse", feed.oncourse_body(tag)),
        };
        let Some(base) = pacer.until(slot.sched, &mut interrupt).await else {
            break;
        };
        slots.mark_sent(k, base);
        let response = http.send("POST", path, &headers, Some(&body)).await;
        let answer = response.ok().map(|r| r.status);
        if let Some(code) = answer {
            slots.mark_answered(k, code);
        }
        stats.sent += 1;
        count_status(&mut stats, answer);
    }
    pacer.add_to(&mut stats);
    stats
}

/// Pushes decoy on-course bodies to another event at `rate` for `duration`.
pub(crate) async fn run_decoy(
    http: &mut HttpClient,
    api_key: &str,
    decoy: &DecoyFeed,
    rate: f64,
    duration: Duration,
    clock: Instant,
    mut interrupt: watch::Receiver<bool>,
) -> RequestReport {
    let mut stats = RequestReport::default();
    if rate <= 0.0 {
        return stats;
    }
    let n = (duration.as_secs_f64() * rate).floor();
    let mut pacer = Pacer::new(clock);
    let mut k: u32 = 0;
    while f64::from(k) < n {
        let Some(_) = pacer
            .until(Duration::from_secs_f64(f64::from(k) / rate), &mut interrupt)
            .await
        else {
            break;
        };
        let response = http
            .send(
                "POST",
                "/api/v1/ingest/oncourse",
                &[("X-API-Key", api_key)],
                Some(&decoy.body(k)),
            )
            .await;
        stats.sent += 1;
        count_status(&mut stats, response.ok().map(|r| r.status));
        k += 1;
    }
    stats
}
