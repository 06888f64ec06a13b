//! The fixed send schedule and what each scheduled request led to.
//!
//! The schedule is laid out before the first request goes out (no coordinated omission): slot `k`
//! is due at `sched` after the feed starts whatever happened to slot `k − 1`. Spectators find the
//! slot of a frame by its tag (or, for frames that cannot carry one, the latest request of the
//! matching kind) and record against the slot's latency base.

use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// What a request feeds, which decides the frame it produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReqKind {
    /// `POST /api/v1/ingest/oncourse` → on-course diff.
    Oncourse = 0,
    /// `POST /api/v1/ingest/results` → results diffs.
    Results = 1,
    /// `POST /api/v1/ingest/xml` → `full`.
    Xml = 2,
    /// `PATCH …/status` → status diff.
    Status = 3,
    /// Anything else (admin calls): produces no frame.
    Other = 4,
}

const KINDS: usize = 5;

/// One scheduled request.
#[derive(Debug)]
pub struct Slot {
    /// Due time after the feed starts.
    pub sched: Duration,
    /// What it feeds.
    pub kind: ReqKind,
    /// Latency base in ns since the run's clock base, plus one (0 = not sent).
    base_ns: AtomicU64,
    /// Latest delivery of one of its frames, ns since the clock base.
    last_recv_ns: AtomicU64,
    /// Frames of it delivered, all spectators together.
    deliveries: AtomicU32,
    /// HTTP status answered (0 = none yet or no response).
    status: AtomicU16,
}

/// The whole schedule.
#[derive(Debug)]
pub struct Slots {
    slots: Vec<Slot>,
    /// Per kind: index + 1 of the latest slot sent (0 = none).
    latest: [AtomicUsize; KINDS],
}

impl Slots {
    /// A schedule of `(due, kind)` pairs.
    pub fn new(plan: impl IntoIterator<Item = (Duration, ReqKind)>) -> Self {
        Self {
            slots: plan
                .into_iter()
                .map(|(sched, kind)| Slot {
                    sched,
                    kind,
                    base_ns: AtomicU64::new(0),
                    last_recv_ns: AtomicU64::new(0),
                    deliveries: AtomicU32::new(0),
                    status: AtomicU16::new(0),
                })
                .collect(),
            latest: Default::default(),
        }
    }

    /// `n` requests of `kinds(k)` at `rate` per second, the first at 0.
    pub fn at_rate(n: usize, rate: f64, kinds: impl Fn(usize) -> ReqKind) -> Self {
        let step = if rate > 0.0 { 1.0 / rate } else { 0.0 };
        Self::new((0..n).map(|k| (Duration::from_secs_f64(step * usize_f64(k)), kinds(k))))
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Slot `k`.
    pub fn get(&self, k: usize) -> Option<&Slot> {
        self.slots.get(k)
    }

    /// Every slot.
    pub fn iter(&self) -> impl Iterator<Item = &Slot> {
        self.slots.iter()
    }

    /// Marks slot `k` as being sent now with latency base `base_ns`. Called before the first
    /// byte is written, so no frame of it can be seen before.
    pub fn mark_sent(&self, k: usize, base_ns: u64) {
        if let Some(slot) = self.slots.get(k) {
            slot.base_ns
                .store(base_ns.saturating_add(1), Ordering::Release);
            self.latest[slot.kind as usize].fetch_max(k + 1, Ordering::AcqRel);
        }
    }

    /// Records the answer to slot `k`.
    pub fn mark_answered(&self, k: usize, status: u16) {
        if let Some(slot) = self.slots.get(k) {
            slot.status.store(status, Ordering::Release);
        }
    }

    /// The latest slot of `kind` sent so far.
    pub fn latest(&self, kind: ReqKind) -> Option<usize> {
        self.latest[kind as usize]
            .load(Ordering::Acquire)
            .checked_sub(1)
    }

    /// Records a delivery of a frame of slot `k` at `recv_ns`; returns the slot's latency base.
    pub fn deliver(&self, k: usize, recv_ns: u64) -> Option<u64> {
        let slot = self.slots.get(k)?;
        let base = slot.base_ns.load(Ordering::Acquire).checked_sub(1)?;
        slot.last_recv_ns.fetch_max(recv_ns, Ordering::AcqRel);
        slot.deliveries.fetch_add(1, Ordering::AcqRel);
        Some(base)
    }
}

impl Slot {
    /// Latency base in ns, when sent.
    pub fn base_ns(&self) -> Option<u64> {
        self.base_ns.load(Ordering::Acquire).checked_sub(1)
    }

    /// Latest delivery, ns since the clock base.
    pub fn last_recv_ns(&self) -> Option<u64> {
        Some(self.last_recv_ns.load(Ordering::Acquire)).filter(|&ns| ns > 0)
    }

    /// Frames delivered.
    pub fn deliveries(&self) -> u32 {
        self.deliveries.load(Ordering::Acquire)
    }

    /// HTTP status answered, when one was.
    pub fn status(&self) -> Option<u16> {
        Some(self.status.load(Ordering::Acquire)).filter(|&s| s > 0)
    }
}

#[expect(clippy::cast_precision_loss, reason = "slot indices stay below 2^52")]
fn usize_f64(n: usize) -> f64 {
    n as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_is_fixed_in_advance() {
        let s = Slots::at_rate(5, 4.0, |k| {
            if k % 2 == 0 {
                ReqKind::Oncourse
            } else {
                ReqKind::Results
            }
        });
        let due: Vec<Duration> = s.iter().map(|s| s.sched).collect();
        assert_eq!(due, [0, 250, 500, 750, 1000].map(Duration::from_millis));
        assert_eq!(s.get(1).unwrap().kind, ReqKind::Results);
    }

    #[test]
    fn deliveries_need_a_sent_slot() {
        let s = Slots::at_rate(3, 1.0, |_| ReqKind::Oncourse);
        assert_eq!(s.deliver(0, 10), None);
        assert_eq!(s.latest(ReqKind::Oncourse), None);
        s.mark_sent(0, 0);
        s.mark_sent(1, 1_000);
        assert_eq!(s.latest(ReqKind::Oncourse), Some(1));
        assert_eq!(s.latest(ReqKind::Xml), None);
        assert_eq!(s.deliver(1, 1_500), Some(1_000));
        assert_eq!(s.deliver(1, 1_200), Some(1_000));
        assert_eq!(s.deliver(0, 5), Some(0));
        let slot = s.get(1).unwrap();
        assert_eq!(slot.deliveries(), 2);
        assert_eq!(slot.last_recv_ns(), Some(1_500));
        assert_eq!(s.deliver(9, 1), None);
        s.mark_answered(1, 200);
        assert_eq!(slot.status(), Some(200));
        assert_eq!(s.get(2).unwrap().status(), None);
    }
}
