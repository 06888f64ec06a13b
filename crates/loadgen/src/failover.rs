//! Reconnecting after an instance dies (`kill-storm`): the real client's backoff, the jitter,
//! and the bookkeeping that turns each spectator's reconnection into the storm's numbers.
//!
//! Everything here is pure; the spectator task ([`crate::ws`]) does the waiting and connecting.

use std::time::Duration;

use crate::ws::ResumeKind;

/// Attempts per reconnection before a spectator gives up (the real page retries forever; the
/// generator is bounded: with the backoff below, 8 attempts wait at most 1+2+4+8+15+15+15+15 s).
pub const MAX_ATTEMPTS: u32 = 8;
/// Reconnections per spectator in one run (each after its connection ended unexpectedly).
pub const MAX_FAILOVERS: u32 = 4;
/// First backoff base, as the spectator page (`live.js`): 1 s, doubling per attempt.
const BACKOFF_FIRST: Duration = Duration::from_secs(1);
/// Largest backoff base, as the spectator page: 15 s.
const BACKOFF_MAX: Duration = Duration::from_secs(15);

/// The wait before reconnection attempt `attempt` (0 = the first after the drop), as the
/// spectator page does it: base `min(15 s, 1 s · 2^attempt)`, then a uniformly random 50–100 %
/// of it. `unit` is the random draw in `[0, 1)` (clamped).
pub fn backoff(attempt: u32, unit: f64) -> Duration {
    let base = BACKOFF_FIRST
        .checked_mul(1_u32.checked_shl(attempt).unwrap_or(u32::MAX))
        .unwrap_or(BACKOFF_MAX)
        .min(BACKOFF_MAX);
    let unit = if unit.is_finite() {
        unit.clamp(0.0, 1.0)
    } else {
        0.0
    };
    base / 2 + (base / 2).mul_f64(unit)
}

/// A reproducible draw in `[0, 1)` for spectator `index`'s attempt `attempt` in the run `seed`
/// (`SplitMix64`): spread without a random number generator per task.
pub fn jitter(seed: u64, index: usize, attempt: u32) -> f64 {
    let mut z = seed
        ^ (index as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ u64::from(attempt).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    // The top 53 bits as a fraction: exact in f64.
    #[expect(
        clippy::cast_precision_loss,
        reason = "a 53-bit integer is exact in f64"
    )]
    let unit = (z >> 11) as f64 / (1_u64 << 53) as f64;
    unit
}

/// One spectator's reconnection after its connection ended unexpectedly.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FailoverRecord {
    /// The target whose connection dropped.
    pub from: usize,
    /// The target it reconnected to, when it did.
    pub to: Option<usize>,
    /// When the drop was seen, ns since the run's clock base.
    pub dropped_ns: u64,
    /// When the new handshake completed, ns since the clock base.
    pub connected_ns: Option<u64>,
    /// When it was back in sync (the missed frames or a `full` received, then a live frame).
    pub synced_ns: Option<u64>,
    /// Connection attempts made.
    pub attempts: u32,
    /// Whether it asked to resume with `since`.
    pub with_since: bool,
    /// How the first frame on the new connection started (`None`: no frame arrived).
    pub first: Option<ResumeKind>,
    /// Frames received on the new connection that were caused before it opened (the missed ones).
    pub replayed: u64,
    /// Why it gave up, when it did.
    pub error: Option<String>,
}

/// The storm's numbers, from every spectator's records.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StormBook {
    /// Reconnections started (drops seen).
    pub dropped: usize,
    /// Distinct spectators that dropped at least once.
    pub spectators: usize,
    /// Reconnections that completed a handshake.
    pub reconnected: usize,
    /// Reconnections that gave up.
    pub failed: usize,
    /// First frame `since + 1`: resumed without a `full`.
    pub resumed: usize,
    /// Asked with `since`, got a `full`.
    pub full: usize,
    /// Reconnected without `since` (had received nothing) and got the `full`.
    pub fresh: usize,
    /// First frame neither (a gap or repeat at the resumption).
    pub broken: usize,
    /// Reconnected but no frame arrived before the end.
    pub silent: usize,
    /// Missed frames replayed, all reconnections together.
    pub replayed: u64,
    /// Drops per target (index = target).
    pub dropped_by_target: Vec<usize>,
    /// Reconnections per target they landed on.
    pub landed_by_target: Vec<usize>,
    /// Drop → connected again, per reconnection.
    pub to_connected: Vec<Duration>,
    /// Drop → back in sync, per reconnection.
    pub to_synced: Vec<Duration>,
    /// First drop seen, ns since the clock base.
    pub first_drop_ns: Option<u64>,
    /// Last reconnection completed, ns since the clock base.
    pub last_connected_ns: Option<u64>,
    /// Last reconnection back in sync, ns since the clock base.
    pub last_synced_ns: Option<u64>,
    /// Up to three reasons for giving up.
    pub errors: Vec<String>,
}

impl StormBook {
    /// Adds up the records of all spectators (`records[i]` = spectator `i`'s) over `targets`.
    pub fn tally(records: &[Vec<FailoverRecord>], targets: usize) -> Self {
        let mut b = Self {
            dropped_by_target: vec![0; targets],
            landed_by_target: vec![0; targets],
            ..Self::default()
        };
        for spectator in records {
            if !spectator.is_empty() {
                b.spectators += 1;
            }
            for r in spectator {
                b.add(r);
            }
        }
        b
    }

    fn add(&mut self, r: &FailoverRecord) {
        self.dropped += 1;
        if let Some(n) = self.dropped_by_target.get_mut(r.from) {
            *n += 1;
        }
        self.first_drop_ns = Some(
            self.first_drop_ns
                .map_or(r.dropped_ns, |f| f.min(r.dropped_ns)),
        );
        let since_drop = |t: u64| Duration::from_nanos(t.saturating_sub(r.dropped_ns));
        let Some(connected) = r.connected_ns else {
            self.failed += 1;
            if let Some(e) = r.error.as_ref().filter(|_| self.errors.len() < 3) {
                self.errors.push(e.clone());
            }
            return;
        };
        self.reconnected += 1;
        if let Some(n) = r.to.and_then(|t| self.landed_by_target.get_mut(t)) {
            *n += 1;
        }
        self.to_connected.push(since_drop(connected));
        self.last_connected_ns = Some(self.last_connected_ns.unwrap_or(0).max(connected));
        if let Some(synced) = r.synced_ns {
            self.to_synced.push(since_drop(synced));
            self.last_synced_ns = Some(self.last_synced_ns.unwrap_or(0).max(synced));
        }
        self.replayed += r.replayed;
        match r.first {
            Some(ResumeKind::Resumed) => self.resumed += 1,
            Some(ResumeKind::Full) => self.full += 1,
            Some(ResumeKind::Fresh) => self.fresh += 1,
            Some(ResumeKind::Broken) => self.broken += 1,
            None => self.silent += 1,
        }
    }

    /// From `from_ns` (the kill, or the first drop) until the last reconnection completed.
    pub fn until_all_connected(&self, from_ns: u64) -> Option<Duration> {
        self.last_connected_ns
            .map(|t| Duration::from_nanos(t.saturating_sub(from_ns)))
    }

    /// From `from_ns` until the last reconnection was back in sync.
    pub fn until_all_synced(&self, from_ns: u64) -> Option<Duration> {
        self.last_synced_ns
            .map(|t| Duration::from_nanos(t.saturating_sub(from_ns)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_follows_the_spectator_page() {
        let ms = |d: Duration| d.as_millis();
        assert_eq!(ms(backoff(0, 0.0)), 500);
        assert_eq!(ms(backoff(0, 1.0)), 1000);
        assert_eq!(ms(backoff(1, 0.5)), 1500);
        assert_eq!(ms(backoff(2, 0.0)), 2000);
        assert_eq!(ms(backoff(3, 1.0)), 8000);
        // Capped at 15 s from the fifth attempt on, also for absurd attempt numbers.
        assert_eq!(ms(backoff(4, 1.0)), 15_000);
        assert_eq!(ms(backoff(40, 0.0)), 7_500);
        assert_eq!(ms(backoff(u32::MAX, 1.0)), 15_000);
        // Out-of-range draws are clamped.
        assert_eq!(ms(backoff(0, f64::NAN)), 500);
        assert_eq!(ms(backoff(0, 7.0)), 1000);
        let worst: Duration = (0..MAX_ATTEMPTS).map(|a| backoff(a, 1.0)).sum();
        assert_eq!(worst, Duration::from_secs(75));
    }

    #[test]
    fn jitter_is_in_range_reproducible_and_spread() {
        let draws: Vec<f64> = (0..10_000).map(|i| jitter(42, i, 0)).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        assert!((jitter(42, 7, 1) - jitter(42, 7, 1)).abs() < f64::EPSILON);
        assert!((jitter(42, 7, 1) - jitter(42, 7, 2)).abs() > f64::EPSILON);
        assert!((jitter(42, 7, 1) - jitter(43, 7, 1)).abs() > f64::EPSILON);
        // Roughly uniform: each tenth of the range gets 7–13 % of the draws.
        for decile in 0..10 {
            let lo = f64::from(decile) / 10.0;
            let n = draws.iter().filter(|u| (lo..lo + 0.1).contains(*u)).count();
            assert!((700..1300).contains(&n), "decile {decile}: {n}");
        }
    }

    fn record(
        from: usize,
        to: Option<usize>,
        dropped: u64,
        connected: Option<u64>,
    ) -> FailoverRecord {
        FailoverRecord {
            from,
            to,
            dropped_ns: dropped,
            connected_ns: connected,
            attempts: 1,
            with_since: true,
            ..FailoverRecord::default()
        }
    }

    #[test]
    fn storm_book_adds_up_the_reconnections() {
        let ms = 1_000_000;
        let records = vec![
            vec![],
            vec![FailoverRecord {
                first: Some(ResumeKind::Resumed),
                synced_ns: Some(1_900 * ms),
                replayed: 4,
                ..record(1, Some(2), 1_000 * ms, Some(1_700 * ms))
            }],
            vec![],
            vec![],
            vec![FailoverRecord {
                first: Some(ResumeKind::Full),
                synced_ns: Some(2_100 * ms),
                ..record(1, Some(0), 1_010 * ms, Some(2_000 * ms))
            }],
            vec![
                FailoverRecord {
                    first: Some(ResumeKind::Broken),
                    ..record(1, Some(2), 1_020 * ms, Some(1_600 * ms))
                },
                FailoverRecord {
                    error: Some("connect: ConnectionRefused".to_owned()),
                    attempts: MAX_ATTEMPTS,
                    ..record(2, None, 3_000 * ms, None)
                },
            ],
            vec![record(1, Some(0), 1_005 * ms, Some(1_500 * ms))],
        ];
        let b = StormBook::tally(&records, 3);
        assert_eq!(b.dropped, 5);
        assert_eq!(b.spectators, 4);
        assert_eq!(b.reconnected, 4);
        assert_eq!(b.failed, 1);
        assert_eq!(
            (b.resumed, b.full, b.fresh, b.broken, b.silent),
            (1, 1, 0, 1, 1)
        );
        assert_eq!(b.replayed, 4);
        assert_eq!(b.dropped_by_target, [0, 4, 1]);
        assert_eq!(b.landed_by_target, [2, 0, 2]);
        assert_eq!(b.errors, ["connect: ConnectionRefused"]);
        assert_eq!(b.first_drop_ns, Some(1_000 * ms));
        let mut to_connected = b.to_connected.clone();
        to_connected.sort();
        assert_eq!(
            to_connected,
            [495, 580, 700, 990].map(Duration::from_millis)
        );
        assert_eq!(b.to_synced.len(), 2);
        // Kill at 0.9 s: everyone is connected again 1.1 s later, in sync 1.2 s later.
        assert_eq!(
            b.until_all_connected(900 * ms),
            Some(Duration::from_millis(1_100))
        );
        assert_eq!(
            b.until_all_synced(900 * ms),
            Some(Duration::from_millis(1_200))
        );
        let empty = StormBook::tally(&[], 2);
        assert_eq!(empty.dropped, 0);
        assert_eq!(empty.until_all_connected(0), None);
    }
}
