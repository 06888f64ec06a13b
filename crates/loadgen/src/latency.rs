//! Latency distributions: HDR histograms in microseconds and their summaries.
//!
//! Recording happens from every spectator task, so each histogram sits behind a plain mutex; a
//! record is a few nanoseconds and nothing is awaited while it is held.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// Highest value kept exactly: 10 minutes in µs (larger values saturate).
const HIGHEST_US: u64 = 600_000_000;

/// A shared latency histogram.
#[derive(Debug)]
pub struct Recorder {
    hist: Mutex<Histogram<u64>>,
}

impl Default for Recorder {
    fn default() -> Self {
        Self::new()
    }
}

impl Recorder {
    /// An empty histogram, 1 µs … 10 min at 3 significant digits.
    pub fn new() -> Self {
        Self {
            hist: Mutex::new(new_histogram()),
        }
    }

    /// Records one latency.
    pub fn record(&self, latency: Duration) {
        let us = u64::try_from(latency.as_micros())
            .unwrap_or(u64::MAX)
            .max(1);
        self.hist
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .saturating_record(us);
    }

    /// The summary of what was recorded so far.
    pub fn summary(&self) -> Summary {
        summarize(&self.hist.lock().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A fresh histogram with the generator's bounds.
#[expect(
    clippy::expect_used,
    reason = "constant bounds that satisfy hdrhistogram's rules (low >= 1, high >= 2 * low, sigfig <= 5): no input reaches this"
)]
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("valid constant histogram bounds")
}

/// Percentiles of a latency distribution, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Number of samples.
    pub count: u64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest sample.
    pub max_ms: f64,
    /// Arithmetic mean.
    pub mean_ms: f64,
}

/// Summarises a histogram of microseconds.
pub fn summarize(hist: &Histogram<u64>) -> Summary {
    if hist.is_empty() {
        return Summary::default();
    }
    let ms = |us: u64| to_ms(hist.highest_equivalent(us));
    Summary {
        count: hist.len(),
        p50_ms: ms(hist.value_at_quantile(0.50)),
        p90_ms: ms(hist.value_at_quantile(0.90)),
        p99_ms: ms(hist.value_at_quantile(0.99)),
        max_ms: ms(hist.max()),
        mean_ms: hist.mean() / 1000.0,
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "latencies below 2^52 µs are exact in f64"
)]
fn to_ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_summary_is_zero() {
        assert_eq!(Recorder::new().summary(), Summary::default());
    }

    #[test]
    fn percentiles_of_one_to_hundred_ms() {
        let r = Recorder::new();
        for ms in 1..=100 {
            r.record(Duration::from_millis(ms));
        }
        let s = r.summary();
        assert_eq!(s.count, 100);
        // 3 significant digits: each value is within 0.1 % of the exact one.
        let close = |got: f64, want: f64| (got - want).abs() <= want * 0.001 + 1e-9;
        assert!(close(s.p50_ms, 50.0), "{s:?}");
        assert!(close(s.p90_ms, 90.0), "{s:?}");
        assert!(close(s.p99_ms, 99.0), "{s:?}");
        assert!(close(s.max_ms, 100.0), "{s:?}");
        assert!(close(s.mean_ms, 50.5), "{s:?}");
    }

    #[test]
    fn sub_microsecond_and_huge_values_are_kept() {
        let r = Recorder::new();
        r.record(Duration::from_nanos(10));
        r.record(Duration::from_hours(1));
        let s = r.summary();
        assert_eq!(s.count, 2);
        assert!((s.p50_ms - 0.001).abs() < 1e-9, "{s:?}");
        assert!(s.max_ms >= 599_000.0, "{s:?}");
    }
}
