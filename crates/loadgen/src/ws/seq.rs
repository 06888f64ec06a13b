//! The per-connection sequence check (contract §6.6, §6.7).
//!
//! Every frame carries `seq`. On one connection the numbers must run without gaps; the only
//! forward jumps allowed are a `refresh` or `full` that resynchronises a slow consumer (its `seq`
//! is the event's current one). The first frame of a fresh connection is the `full` snapshot; the
//! first frame of a resumed connection (`?since=<epoch>:<seq>`) is `seq + 1` or, when the server
//! could not replay, a `full`.

/// The frame types that matter to the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameType {
    /// Snapshot of the event (carries `epoch`).
    Full,
    /// Incremental change.
    Diff,
    /// "Re-fetch over REST".
    Refresh,
}

/// What the checker concluded about one frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqVerdict {
    /// The next frame, as expected.
    InOrder,
    /// The first frame of a connection, accepted.
    Start,
    /// A `refresh`/`full` jumping forward over `skipped` numbers: an allowed resynchronisation.
    Resync {
        /// How many numbers were skipped.
        skipped: u64,
    },
    /// A frame whose `seq` skipped numbers without being a resynchronisation.
    Gap {
        /// The `seq` that was due.
        expected: u64,
        /// The `seq` received.
        got: u64,
    },
    /// A `seq` at or below one already received on this connection.
    Repeat {
        /// The last `seq` received.
        last: u64,
        /// The `seq` received.
        got: u64,
    },
    /// The first frame of a fresh connection was not a `full`.
    FirstNotFull,
    /// The first frame of a resumed connection was neither `since + 1` nor a `full`.
    BadResume {
        /// The `seq` that was due.
        expected: u64,
        /// The `seq` received.
        got: u64,
    },
    /// A `full` without a valid `epoch`.
    MissingEpoch,
    /// The epoch changed within one connection (it only changes across restarts or
    /// re-creation, both of which close the socket).
    EpochChanged,
}

impl SeqVerdict {
    /// Whether the frame breaks the contract.
    pub fn is_violation(self) -> bool {
        !matches!(self, Self::InOrder | Self::Start | Self::Resync { .. })
    }
}

/// Sequence state across the connections of one simulated spectator.
#[derive(Debug, Clone, Default)]
pub struct SeqChecker {
    /// Last `seq` received on any connection of this spectator.
    last: Option<u64>,
    /// Epoch of the last `full` received.
    epoch: Option<u64>,
    /// What the next frame must be, when a connection has just opened.
    opening: Option<Opening>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opening {
    Fresh,
    Resumed { since: u64 },
}

impl SeqChecker {
    /// A spectator that has not connected yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// A connection without `since` was opened: a `full` must come first.
    pub fn open_fresh(&mut self) {
        self.opening = Some(Opening::Fresh);
    }

    /// A connection with `since=<epoch>:<since>` was opened.
    pub fn open_resumed(&mut self, since: u64) {
        self.opening = Some(Opening::Resumed { since });
    }

    /// The `since` value to resume from: the epoch and last `seq` received, if any.
    pub fn resume_point(&self) -> Option<(u64, u64)> {
        self.epoch.zip(self.last)
    }

    /// Last `seq` received.
    pub fn last(&self) -> Option<u64> {
        self.last
    }

    /// Judges one frame and advances the state. `epoch` is the parsed epoch of a `full`
    /// (`None` when absent or not 16 hex digits).
    pub fn on_frame(&mut self, kind: FrameType, seq: u64, epoch: Option<u64>) -> SeqVerdict {
        if kind == FrameType::Full && epoch.is_none() {
            self.last = Some(seq);
            self.opening = None;
            return SeqVerdict::MissingEpoch;
        }
        let verdict = match self.opening.take() {
            Some(Opening::Fresh) => {
                if kind == FrameType::Full {
                    SeqVerdict::Start
                } else {
                    SeqVerdict::FirstNotFull
                }
            }
            Some(Opening::Resumed { since }) => {
                let expected = since.saturating_add(1);
                if kind == FrameType::Full || seq == expected {
                    SeqVerdict::Start
                } else {
                    SeqVerdict::BadResume { expected, got: seq }
                }
            }
            None => self.judge_continuation(kind, seq, epoch),
        };
        if kind == FrameType::Full {
            self.epoch = epoch;
        }
        if !matches!(verdict, SeqVerdict::Repeat { .. }) {
            self.last = Some(seq);
        }
        verdict
    }

    fn judge_continuation(&self, kind: FrameType, seq: u64, epoch: Option<u64>) -> SeqVerdict {
        let Some(last) = self.last else {
            // A frame before any opening: treat like a fresh connection.
            return if kind == FrameType::Full {
                SeqVerdict::Start
            } else {
                SeqVerdict::FirstNotFull
            };
        };
        if kind == FrameType::Full && self.epoch.is_some() && epoch != self.epoch {
            return SeqVerdict::EpochChanged;
        }
        let expected = last.saturating_add(1);
        if seq == expected {
            SeqVerdict::InOrder
        } else if seq <= last {
            SeqVerdict::Repeat { last, got: seq }
        } else if matches!(kind, FrameType::Full | FrameType::Refresh) {
            SeqVerdict::Resync {
                skipped: seq - expected,
            }
        } else {
            SeqVerdict::Gap { expected, got: seq }
        }
    }
}

/// Gaps and duplicates in one spectator's sequence across all its connections (or summed over
/// many): the numbers behind the "one gap-free sequence" check of multi-target runs.
///
/// A forward jump on a `refresh`/`full` is an allowed resynchronisation, not a gap; a resumed
/// connection that starts after `since + 1` skipped frames (a gap), one that starts at or before
/// `since` repeats frames (duplicates).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct SeqTally {
    /// Places where numbers were skipped.
    pub gaps: u64,
    /// Numbers skipped, all gaps together.
    pub missing: u64,
    /// Frames whose `seq` had already been received (or was below it).
    pub duplicates: u64,
}

impl SeqTally {
    /// Counts one verdict of [`SeqChecker::on_frame`].
    pub fn add(&mut self, verdict: SeqVerdict) {
        match verdict {
            SeqVerdict::Gap { expected, got } => {
                self.gaps += 1;
                self.missing += got.saturating_sub(expected);
            }
            SeqVerdict::BadResume { expected, got } if got > expected => {
                self.gaps += 1;
                self.missing += got - expected;
            }
            SeqVerdict::BadResume { .. } | SeqVerdict::Repeat { .. } => self.duplicates += 1,
            _ => {}
        }
    }

    /// Adds another tally.
    pub fn merge(&mut self, other: Self) {
        self.gaps += other.gaps;
        self.missing += other.missing;
        self.duplicates += other.duplicates;
    }

    /// No gap and no duplicate.
    pub fn is_clean(self) -> bool {
        self.gaps == 0 && self.duplicates == 0
    }
}

/// How the first frame on a reconnection started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeKind {
    /// Resumed with `since` and got `since + 1`: the missed frames (or the next live one), no
    /// `full`.
    Resumed,
    /// Resumed with `since` but got a `full` (unknown or evicted position, new epoch).
    Full,
    /// Connected without `since` (nothing received before) and got the `full`, as it must.
    Fresh,
    /// Anything else: a gap or a repeat at the resumption (also counted by [`SeqTally`]).
    Broken,
}

/// Classifies the first frame of a reconnection opened with `since` (`None`: without).
pub fn classify_first_frame(since: Option<u64>, kind: FrameType, seq: u64) -> ResumeKind {
    match (since, kind) {
        (Some(_), FrameType::Full) => ResumeKind::Full,
        (Some(s), _) if seq == s.saturating_add(1) => ResumeKind::Resumed,
        (None, FrameType::Full) => ResumeKind::Fresh,
        _ => ResumeKind::Broken,
    }
}

/// Parses a 16-hex-digit epoch token.
pub fn parse_epoch(token: &str) -> Option<u64> {
    if token.len() == 16 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        u64::from_str_radix(token, 16).ok()
    } else {
        None
    }
}

/// Formats an epoch the way the server sends it (16 lowercase hex digits).
pub fn format_epoch(epoch: u64) -> String {
    format!("{epoch:016x}")
}

#[cfg(test)]
mod tests {
    use super::FrameType::{Diff, Full, Refresh};
    use super::*;

    const E: Option<u64> = Some(0x7a47_f6d1_c82a_2e78);

    #[test]
    fn gapless_stream_after_full() {
        let mut c = SeqChecker::new();
        c.open_fresh();
        assert_eq!(c.on_frame(Full, 40, E), SeqVerdict::Start);
        assert_eq!(c.on_frame(Diff, 41, None), SeqVerdict::InOrder);
        assert_eq!(c.on_frame(Diff, 42, None), SeqVerdict::InOrder);
        // An XML re-import's full is in the ring: the next number.
        assert_eq!(c.on_frame(Full, 43, E), SeqVerdict::InOrder);
        assert_eq!(c.on_frame(Refresh, 44, None), SeqVerdict::InOrder);
        assert_eq!(c.last(), Some(44));
        assert_eq!(c.resume_point(), Some((0x7a47_f6d1_c82a_2e78, 44)));
    }

    #[test]
    fn diff_gap_is_a_violation() {
        let mut c = SeqChecker::new();
        c.open_fresh();
        c.on_frame(Full, 0, E);
        let v = c.on_frame(Diff, 2, None);
        assert_eq!(
            v,
            SeqVerdict::Gap {
                expected: 1,
                got: 2
            }
        );
        assert!(v.is_violation());
        // The checker continues from what it got.
        assert_eq!(c.on_frame(Diff, 3, None), SeqVerdict::InOrder);
    }

    #[test]
    fn refresh_and_full_may_jump_forward() {
        let mut c = SeqChecker::new();
        c.open_fresh();
        c.on_frame(Full, 5, E);
        let v = c.on_frame(Refresh, 90, None);
        assert_eq!(v, SeqVerdict::Resync { skipped: 84 });
        assert!(!v.is_violation());
        assert_eq!(
            c.on_frame(Full, 200, E),
            SeqVerdict::Resync { skipped: 109 }
        );
        assert_eq!(c.on_frame(Diff, 201, None), SeqVerdict::InOrder);
    }

    #[test]
    fn repeats_and_backwards_are_violations() {
        let mut c = SeqChecker::new();
        c.open_fresh();
        c.on_frame(Full, 10, E);
        assert_eq!(
            c.on_frame(Diff, 10, None),
            SeqVerdict::Repeat { last: 10, got: 10 }
        );
        assert_eq!(
            c.on_frame(Refresh, 3, None),
            SeqVerdict::Repeat { last: 10, got: 3 }
        );
        assert_eq!(c.last(), Some(10));
    }

    #[test]
    fn fresh_connection_must_start_with_full() {
        let mut c = SeqChecker::new();
        c.open_fresh();
        assert_eq!(c.on_frame(Diff, 1, None), SeqVerdict::FirstNotFull);
        let mut c = SeqChecker::new();
        assert_eq!(c.on_frame(Refresh, 1, None), SeqVerdict::FirstNotFull);
    }

    #[test]
    fn full_needs_an_epoch_and_keeps_it() {
        let mut c = SeqChecker::new();
        c.open_fresh();
        assert_eq!(c.on_frame(Full, 0, None), SeqVerdict::MissingEpoch);
        let mut c = SeqChecker::new();
        c.open_fresh();
        c.on_frame(Full, 0, E);
        assert_eq!(c.on_frame(Full, 1, Some(1)), SeqVerdict::EpochChanged);
    }

    #[test]
    fn resume_continues_at_since_plus_one_or_gets_full() {
        let mut c = SeqChecker::new();
        c.open_fresh();
        c.on_frame(Full, 7, E);
        c.on_frame(Diff, 8, None);
        let (_, since) = c.resume_point().unwrap();
        c.open_resumed(since);
        assert_eq!(c.on_frame(Diff, 9, None), SeqVerdict::Start);
        assert_eq!(c.on_frame(Diff, 10, None), SeqVerdict::InOrder);

        c.open_resumed(10);
        assert_eq!(
            c.on_frame(Diff, 12, None),
            SeqVerdict::BadResume {
                expected: 11,
                got: 12
            }
        );

        // Evicted or new epoch: the server answers with a full at any seq.
        c.open_resumed(12);
        assert_eq!(c.on_frame(Full, 3, Some(99)), SeqVerdict::Start);
        assert_eq!(c.resume_point(), Some((99, 3)));
        assert_eq!(c.on_frame(Diff, 4, None), SeqVerdict::InOrder);
    }

    #[test]
    fn fresh_reconnect_accepts_any_full_seq() {
        let mut c = SeqChecker::new();
        c.open_fresh();
        c.on_frame(Full, 50, E);
        c.open_fresh();
        assert_eq!(c.on_frame(Full, 20, Some(5)), SeqVerdict::Start);
    }

    #[test]
    fn tally_counts_gaps_and_duplicates_across_connections() {
        let mut c = SeqChecker::new();
        let mut t = SeqTally::default();
        c.open_fresh();
        for (kind, seq) in [(Full, 10), (Diff, 11), (Diff, 14), (Diff, 14), (Diff, 15)] {
            t.add(c.on_frame(kind, seq, E));
        }
        assert_eq!(
            t,
            SeqTally {
                gaps: 1,
                missing: 2,
                duplicates: 1
            }
        );
        // A resync is not a gap.
        t.add(c.on_frame(Refresh, 40, None));
        assert_eq!(t.gaps, 1);
        // Resumed on another instance: since+1 is clean, a later start is a gap, an earlier
        // one a duplicate.
        c.open_resumed(40);
        t.add(c.on_frame(Diff, 41, None));
        c.open_resumed(41);
        t.add(c.on_frame(Diff, 45, None));
        c.open_resumed(45);
        t.add(c.on_frame(Diff, 44, None));
        assert_eq!(
            t,
            SeqTally {
                gaps: 2,
                missing: 5,
                duplicates: 2
            }
        );
        assert!(!t.is_clean());
        let mut sum = SeqTally::default();
        assert!(sum.is_clean());
        sum.merge(t);
        sum.merge(t);
        assert_eq!(sum.missing, 10);
    }

    #[test]
    fn first_frame_after_a_reconnection() {
        assert_eq!(classify_first_frame(Some(7), Diff, 8), ResumeKind::Resumed);
        assert_eq!(
            classify_first_frame(Some(7), Refresh, 8),
            ResumeKind::Resumed
        );
        assert_eq!(classify_first_frame(Some(7), Full, 8), ResumeKind::Full);
        assert_eq!(classify_first_frame(Some(7), Full, 2), ResumeKind::Full);
        assert_eq!(classify_first_frame(Some(7), Diff, 9), ResumeKind::Broken);
        assert_eq!(classify_first_frame(Some(7), Diff, 7), ResumeKind::Broken);
        assert_eq!(classify_first_frame(None, Full, 3), ResumeKind::Fresh);
        assert_eq!(classify_first_frame(None, Diff, 3), ResumeKind::Broken);
    }

    #[test]
    fn epoch_tokens() {
        assert_eq!(parse_epoch("7a47f6d1c82a2e78"), E);
        assert_eq!(parse_epoch("7A47F6D1C82A2E78"), E);
        assert_eq!(parse_epoch("7a47f6d1c82a2e7"), None);
        assert_eq!(parse_epoch("7a47f6d1c82a2e7g"), None);
        assert_eq!(format_epoch(0x7a47_f6d1_c82a_2e78), "7a47f6d1c82a2e78");
        assert_eq!(format_epoch(1), "0000000000000001");
    }
}
