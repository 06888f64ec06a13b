//! The resume ring: the most recent in-ring frames of one event (contract §6.6).
//!
//! Every in-ring frame takes the next `seq`, so the ring always holds a contiguous run of
//! sequence numbers ending at the current one. That makes both questions it answers cheap:
//! "are all frames after `seq` still here?" (resume) and "what did a socket skip?" (slow
//! consumers, §6.7) only need the first stored `seq` and a walk over the tail.

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

use crate::frame::Frame;

/// At most `max_frames` frames, none older than `max_age`.
#[derive(Debug)]
pub(crate) struct Ring {
    frames: VecDeque<Frame>,
    max_frames: usize,
    max_age: Duration,
}

impl Ring {
    pub(crate) fn new(max_frames: usize, max_age: Duration) -> Self {
        Self {
            frames: VecDeque::new(),
            max_frames,
            max_age,
        }
    }

    /// Appends the newest frame and evicts by count and by age.
    pub(crate) fn push(&mut self, frame: Frame) {
        self.frames.push_back(frame);
        while self.frames.len() > self.max_frames {
            self.frames.pop_front();
        }
        self.expire(Instant::now());
    }

    /// Forgets every frame (a cluster resync jumps over frames it never had).
    pub(crate) fn clear(&mut self) {
        self.frames.clear();
    }

    /// Drops the frames older than `max_age` at `now`.
    pub(crate) fn expire(&mut self, now: Instant) {
        while self
            .frames
            .front()
            .is_some_and(|f| now.saturating_duration_since(f.at) > self.max_age)
        {
            self.frames.pop_front();
        }
    }

    /// Whether every frame numbered `after + 1 ..= current` is still stored.
    fn covers(&self, after: u64, current: u64) -> bool {
        if after >= current {
            return true;
        }
        self.frames.front().is_some_and(|f| f.seq <= after + 1)
    }

    /// The frames after `after`, if all of them are still stored (`None`: resume impossible).
    pub(crate) fn replay_after(&self, after: u64, current: u64) -> Option<Vec<Frame>> {
        if after > current || !self.covers(after, current) {
            return None;
        }
        Some(
            self.frames
                .iter()
                .filter(|f| f.seq > after)
                .cloned()
                .collect(),
        )
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.frames.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::DiffKind;

    fn ring_with(kinds: &[DiffKind], max: usize) -> Ring {
        let mut ring = Ring::new(max, Duration::from_mins(5));
        for (i, kind) in kinds.iter().enumerate() {
            ring.push(Frame::diff(i as u64 + 1, *kind, "{}"));
        }
        ring
    }

    #[test]
    fn replay_returns_exactly_the_missed_frames() {
        let ring = ring_with(&[DiffKind::Results; 5], 10);
        let seqs: Vec<u64> = ring
            .replay_after(2, 5)
            .unwrap()
            .iter()
            .map(|f| f.seq)
            .collect();
        assert_eq!(seqs, [3, 4, 5]);
        assert!(ring.replay_after(5, 5).unwrap().is_empty());
        assert!(ring.replay_after(0, 5).unwrap().len() == 5);
        assert!(ring.replay_after(6, 5).is_none(), "seq ahead");
    }

    #[test]
    fn evicted_frames_make_resume_impossible() {
        let ring = ring_with(&[DiffKind::Results; 5], 3);
        assert_eq!(ring.len(), 3);
        assert!(ring.replay_after(1, 5).is_none());
        assert_eq!(ring.replay_after(2, 5).unwrap().len(), 3);
    }

    #[test]
    fn empty_ring_resumes_only_at_the_current_seq() {
        let ring = Ring::new(4, Duration::from_secs(1));
        assert!(ring.replay_after(3, 3).unwrap().is_empty());
        assert!(ring.replay_after(2, 3).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn frames_older_than_the_age_limit_are_dropped() {
        let mut ring = Ring::new(10, Duration::from_mins(5));
        ring.push(Frame::diff(1, DiffKind::Results, "{}"));
        tokio::time::advance(Duration::from_secs(200)).await;
        ring.push(Frame::diff(2, DiffKind::Results, "{}"));
        tokio::time::advance(Duration::from_secs(101)).await;
        ring.expire(Instant::now());
        assert_eq!(ring.len(), 1);
        assert!(ring.replay_after(0, 2).is_none());
        assert_eq!(ring.replay_after(1, 2).unwrap()[0].seq, 2);
    }
}
