//! Counters of the rooms, kept as plain atomics and read by whoever exports them (the server's
//! `/metrics` collector). The crate knows nothing of Prometheus: [`Rooms::metrics`] hands out a
//! snapshot with the label values already spelled.
//!
//! The fan-out path writes about 100 000 frames a second at 10 000 spectators, so nothing here
//! costs more than an uncontended atomic per write, and nothing looks up a label:
//!
//! - a frame published to the broadcast channel carries a [`Delivery`] shared by every socket
//!   that receives it. A socket that wrote the frame bumps its write count and raises its
//!   "slowest write" mark (two atomics on one cache line, no clock other than one
//!   `Instant::now`). When the last copy of the frame is gone — every receiver has taken or
//!   skipped it, which tokio's broadcast channel tracks per slot — `Drop` adds the writes to the
//!   per-type counter and observes the slowest write into the fan-out histogram: the time from
//!   the publish (right after the ingest's commit, under the event lock) to the frame's last
//!   write to any socket. One histogram observation per frame, not per socket;
//! - frames written outside the channel (the first frames, resync frames) are rare and counted
//!   where they are written.
//!
//! [`Rooms::metrics`]: crate::Rooms::metrics

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

use crate::frame::{DiffKind, FrameKind};

/// Upper bounds (seconds) of the fan-out histogram's buckets; `+Inf` is implied.
pub const FANOUT_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Frame types, in the order of [`RoomMetrics::frames_sent`].
const FRAME_TYPES: [&str; 5] = ["full", "results", "oncourse", "status", "refresh"];

fn frame_index(kind: FrameKind) -> usize {
    match kind {
        FrameKind::Full => 0,
        FrameKind::Diff(DiffKind::Results) => 1,
        FrameKind::Diff(DiffKind::Oncourse) => 2,
        FrameKind::Diff(DiffKind::Status) => 3,
        FrameKind::Refresh => 4,
    }
}

/// Why a connection ended, in the order of [`RoomMetrics::disconnects`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Disconnect {
    /// The room was closed (delete, unpublish, official, shutdown): 1000/1001.
    RoomClosed,
    /// The client sent a close frame.
    ClientClose,
    /// A client frame over the limit: 1009.
    TooBig,
    /// The inbound stream ended without a close frame.
    PeerGone,
    /// The client broke the WebSocket protocol.
    ProtocolError,
    /// No pong within `WS_PONG_TIMEOUT_SECS` of a ping: a dead peer.
    NoPong,
    /// A write stalled for `WS_SEND_TIMEOUT_SECS`: a slow spectator dropped.
    WriteStalled,
    /// The session was already closed when the loop wrote.
    SessionClosed,
}

const DISCONNECTS: [&str; 8] = [
    "room_closed",
    "client_close",
    "too_big",
    "peer_gone",
    "protocol_error",
    "no_pong",
    "write_stalled",
    "session_closed",
];

/// A histogram of durations with fixed buckets ([`FANOUT_BUCKETS`]), atomics only.
#[derive(Debug, Default)]
struct AtomicHistogram {
    /// Non-cumulative counts; the last one is `+Inf`.
    buckets: [AtomicU64; FANOUT_BUCKETS.len() + 1],
    sum_nanos: AtomicU64,
}

impl AtomicHistogram {
    fn observe(&self, d: Duration) {
        let secs = d.as_secs_f64();
        let i = FANOUT_BUCKETS
            .iter()
            .position(|&le| secs <= le)
            .unwrap_or(FANOUT_BUCKETS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn snapshot(&self) -> HistogramSnapshot {
        let buckets: Vec<(f64, u64)> = FANOUT_BUCKETS
            .iter()
            .zip(&self.buckets)
            .map(|(le, n)| (*le, n.load(Ordering::Relaxed)))
            .collect();
        let count = self.buckets.iter().map(|n| n.load(Ordering::Relaxed)).sum();
        #[expect(
            clippy::cast_precision_loss,
            reason = "a sum of nanoseconds in seconds: f64 is what the exposition format takes"
        )]
        let sum = self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9;
        HistogramSnapshot {
            buckets,
            count,
            sum,
        }
    }
}

/// The rooms' counters (one per registry, shared by every hub and connection).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    opened: AtomicU64,
    frames: [AtomicU64; FRAME_TYPES.len()],
    resync_refresh: AtomicU64,
    resync_full: AtomicU64,
    resume_ring: AtomicU64,
    resume_full: AtomicU64,
    disconnects: [AtomicU64; DISCONNECTS.len()],
    fanout: AtomicHistogram,
}

impl Counters {
    pub(crate) fn opened(&self) {
        self.opened.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn frames_sent(&self, kind: FrameKind, n: u64) {
        self.frames[frame_index(kind)].fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn resynced(&self, kind: FrameKind) {
        let counter = if kind == FrameKind::Full {
            &self.resync_full
        } else {
            &self.resync_refresh
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection that asked to resume (`since`) got the missed frames from the ring
    /// (`from_ring`) or a `full`.
    pub(crate) fn resumed(&self, from_ring: bool) {
        let counter = if from_ring {
            &self.resume_ring
        } else {
            &self.resume_full
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn disconnected(&self, why: Disconnect) {
        self.disconnects[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self) -> RoomMetrics {
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        RoomMetrics {
            connections_opened: load(&self.opened),
            frames_sent: label_values(&FRAME_TYPES, &self.frames),
            resyncs: vec![
                ("refresh", load(&self.resync_refresh)),
                ("full", load(&self.resync_full)),
            ],
            resumes: vec![
                ("ring", load(&self.resume_ring)),
                ("full", load(&self.resume_full)),
            ],
            disconnects: label_values(&DISCONNECTS, &self.disconnects),
            fanout: self.fanout.snapshot(),
            connections_by_event: Vec::new(),
        }
    }
}

fn label_values(labels: &[&'static str], counters: &[AtomicU64]) -> Vec<(&'static str, u64)> {
    labels
        .iter()
        .zip(counters)
        .map(|(l, c)| (*l, c.load(Ordering::Relaxed)))
        .collect()
}

/// The delivery record of one published frame, shared by every copy of it in the broadcast
/// channel (see the module doc). Dropped with the frame's last copy.
#[derive(Debug)]
pub(crate) struct Delivery {
    kind: FrameKind,
    published: Instant,
    writes: AtomicU64,
    /// Nanoseconds from `published` to the slowest write so far.
    slowest: AtomicU64,
    counters: std::sync::Arc<Counters>,
}

impl Delivery {
    pub(crate) fn new(
        kind: FrameKind,
        published: Instant,
        counters: &std::sync::Arc<Counters>,
    ) -> Self {
        Self {
            kind,
            published,
            writes: AtomicU64::new(0),
            slowest: AtomicU64::new(0),
            counters: std::sync::Arc::clone(counters),
        }
    }

    /// One socket wrote the frame.
    pub(crate) fn written(&self) {
        let nanos = u64::try_from(self.published.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.writes.fetch_add(1, Ordering::Relaxed);
        self.slowest.fetch_max(nanos, Ordering::Relaxed);
    }
}

impl Drop for Delivery {
    fn drop(&mut self) {
        let writes = *self.writes.get_mut();
        if writes > 0 {
            self.counters.frames_sent(self.kind, writes);
            self.counters
                .fanout
                .observe(Duration::from_nanos(*self.slowest.get_mut()));
        }
    }
}

/// A histogram's state: per-bucket counts `(le, count)` without `+Inf`, total count, sum.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistogramSnapshot {
    /// `(upper bound in seconds, observations above the previous bound and ≤ it)`, ascending,
    /// not cumulative (what `prometheus-client`'s encoder takes).
    pub buckets: Vec<(f64, u64)>,
    /// Every observation (the `+Inf` bucket).
    pub count: u64,
    /// Sum of the observations, seconds.
    pub sum: f64,
}

/// A snapshot of the rooms' counters, label values spelled out (see `docs/RUNBOOK.md`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RoomMetrics {
    /// Sockets admitted since start.
    pub connections_opened: u64,
    /// Frames written to sockets, by type (`full`, `results`, `oncourse`, `status`,
    /// `refresh`).
    pub frames_sent: Vec<(&'static str, u64)>,
    /// Slow sockets resynchronised, by the frame they got (`refresh`, `full`).
    pub resyncs: Vec<(&'static str, u64)>,
    /// Connections that asked to resume, by what they got (`ring`: the missed frames; `full`).
    pub resumes: Vec<(&'static str, u64)>,
    /// Connections ended, by why (`write_stalled` is a slow spectator dropped).
    pub disconnects: Vec<(&'static str, u64)>,
    /// Publish → last write of each frame that reached at least one socket.
    pub fanout: HistogramSnapshot,
    /// Sockets per event, for events with at least one, most connections first.
    pub connections_by_event: Vec<(String, usize)>,
}
