//! One event's hub: its write lock, its sequence state and its connection count.
//!
//! The sequence state (epoch, `seq`, ring, cached `full` data, last on-course frame, status and
//! the broadcast sender) lives apart from the subscribers: a channel without receivers still
//! numbers frames and fills the ring, so an empty room keeps everything a reconnecting client
//! needs to resume (contract §6.4, §6.6). It is dropped only by [`EventHub::close`] (delete,
//! unpublish, official close, shutdown) or, while nobody is connected, when an admission finds
//! the event not public; a hub whose state was closed never gets one again, so each hub object
//! carries at most one epoch and a connection never sees frames of two sequences.
//!
//! `slot` is a `std` mutex: every critical section is a few field updates, one encoding and a
//! synchronous `broadcast::Sender::send` (which never waits for a receiver), with no `.await`
//! inside (clippy's `await_holding_lock` is denied). Holding it across the send is what makes a
//! join atomic with a publish: a socket subscribes and takes its first frames in one section, so
//! every later frame reaches it with a greater `seq` (gap freedom, §6.6).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use live_domain::EventStatus;
use tokio::sync::broadcast;
use tokio::time::Instant;

use crate::config::RoomsConfig;
use crate::epoch::new_epoch;
use crate::error::CloseReason;
use crate::frame::{DiffKind, Frame, FrameKind};
use crate::metrics::Counters;
use crate::ring::Ring;

/// One event: write lock, sequence state, connection count.
#[derive(Debug)]
pub(crate) struct EventHub {
    /// The event this hub belongs to.
    pub(crate) event_id: Box<str>,
    /// Serialises commit + publish and admission of this event (docs/ARCHITECTURE.md, "The live pipeline").
    pub(crate) write: Arc<tokio::sync::Mutex<()>>,
    /// Sockets admitted and not yet gone (incremented only under `write`).
    pub(crate) count: AtomicUsize,
    slot: Mutex<Slot>,
    /// The registry's counters (frames handed to the channel are tracked against them).
    pub(crate) counters: Arc<Counters>,
}

#[derive(Debug, Default)]
struct Slot {
    state: Option<HubState>,
    closed: Option<CloseReason>,
}

/// The sequence state of a loaded hub.
#[derive(Debug)]
struct HubState {
    epoch: String,
    seq: u64,
    status: EventStatus,
    full_data: Box<str>,
    /// The `full` frame at the current `seq`, shared by every socket that joins before the next
    /// publish (a reconnect storm encodes it once).
    snapshot: Option<Frame>,
    ring: Ring,
    /// The `data` of the last on-course diff (DV7); `None` until the first one.
    last_oncourse: Option<Box<str>>,
    /// The `seq` of the newest in-ring frame a `refresh` cannot stand in for (a `full` or a
    /// status diff; 0 when none): a lagging socket that skipped past it needs a `full`. One
    /// number instead of the ring makes the choice exact even after the ring evicted the
    /// skipped frames (contract §6.7).
    last_needs_full: u64,
    tx: broadcast::Sender<Frame>,
}

impl HubState {
    fn snapshot(&mut self) -> Frame {
        match &self.snapshot {
            Some(frame) if frame.seq == self.seq => frame.clone(),
            _ => {
                let frame = Frame::full(self.seq, &self.epoch, &self.full_data);
                self.snapshot = Some(frame.clone());
                frame
            }
        }
    }
}

/// What a socket gets when it joins: its receiver and the frames to write first.
#[derive(Debug)]
pub(crate) struct Joined {
    pub(crate) rx: broadcast::Receiver<Frame>,
    /// The cached `full`, or the resumed frames (possibly none).
    pub(crate) first: Vec<Frame>,
    /// The `seq` the first frames bring the socket to.
    pub(crate) last_seq: u64,
}

/// What happened to a frame numbered elsewhere (cluster mode, [`crate::EventLock::push_remote`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemotePush {
    /// It was the next frame: stored, broadcast, the hub's `seq` is now its `seq`.
    Delivered,
    /// Its `seq` is not after the hub's: already delivered (or skipped by a resync), dropped.
    Duplicate,
    /// Frames are missing between the hub's `seq` and this one: nothing was delivered.
    Gap {
        /// The hub's current `seq`.
        at: u64,
    },
    /// The hub holds no sequence state (nobody needed it yet, or it was closed).
    NotLoaded,
}

/// A frame from the resume backlog (cluster mode): its `seq`, kind and exact text.
#[derive(Debug, Clone)]
pub struct Backlog {
    /// The frame's `seq`.
    pub seq: u64,
    /// What it is.
    pub kind: FrameKind,
    /// The exact text.
    pub text: bytestring::ByteString,
}

/// The `data` of an on-course diff after a clear (contract §6.4).
pub(crate) const EMPTY_ONCOURSE: &str = r#"{"oncourse":[]}"#;

impl EventHub {
    pub(crate) fn new(event_id: &str, counters: &Arc<Counters>) -> Self {
        Self {
            event_id: event_id.into(),
            write: Arc::new(tokio::sync::Mutex::new(())),
            count: AtomicUsize::new(0),
            slot: Mutex::new(Slot::default()),
            counters: Arc::clone(counters),
        }
    }

    fn slot(&self) -> MutexGuard<'_, Slot> {
        // A panic under this lock leaves plain data behind; recovering keeps the rooms usable.
        self.slot.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn connections(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }

    pub(crate) fn is_loaded(&self) -> bool {
        self.slot().state.is_some()
    }

    /// Why the hub was closed, if it was.
    pub(crate) fn closed(&self) -> Option<CloseReason> {
        self.slot().closed
    }

    pub(crate) fn status(&self) -> Option<EventStatus> {
        self.slot().state.as_ref().map(|st| st.status)
    }

    pub(crate) fn position(&self) -> Option<(String, u64)> {
        self.slot()
            .state
            .as_ref()
            .map(|st| (st.epoch.clone(), st.seq))
    }

    /// Creates the sequence state (new epoch, `seq` 0); on a loaded hub only refreshes the cache,
    /// on a closed one does nothing.
    pub(crate) fn load(&self, config: &RoomsConfig, status: EventStatus, full_data: String) {
        self.load_sequenced(config, status, full_data, (new_epoch(), 0, 0), Vec::new());
    }

    /// Creates the sequence state at a position numbered elsewhere (cluster mode): `epoch` and
    /// `seq` come from the database, the ring from the stream's retained frames (only the
    /// contiguous run ending at `seq` is kept, so a resume never skips a frame). On a loaded hub
    /// it only refreshes the cache, on a closed one it does nothing.
    pub(crate) fn load_sequenced(
        &self,
        config: &RoomsConfig,
        status: EventStatus,
        full_data: String,
        position: (String, u64, u64),
        backlog: Vec<Backlog>,
    ) {
        let (epoch, seq, needs_full_seq) = position;
        let mut slot = self.slot();
        if slot.closed.is_some() {
            return;
        }
        if let Some(st) = &mut slot.state {
            refresh_full(st, status, full_data);
            return;
        }
        let mut ring = Ring::new(config.resume_frames, config.resume_age);
        let mut kept: Vec<Backlog> = Vec::new();
        for frame in backlog.into_iter().rev() {
            let expected = kept.last().map_or(seq, |f| f.seq.saturating_sub(1));
            if frame.seq != expected || frame.seq == 0 {
                if frame.seq > expected {
                    continue;
                }
                break;
            }
            kept.push(frame);
        }
        for frame in kept.into_iter().rev() {
            ring.push(Frame::encoded(frame.seq, frame.kind, frame.text));
        }
        let (tx, _) = broadcast::channel(config.channel_capacity());
        slot.state = Some(HubState {
            epoch,
            seq,
            status,
            full_data: full_data.into_boxed_str(),
            snapshot: None,
            ring,
            last_oncourse: None,
            last_needs_full: needs_full_seq.min(seq),
            tx,
        });
    }

    /// The epoch of the loaded state.
    pub(crate) fn epoch(&self) -> Option<String> {
        self.slot().state.as_ref().map(|st| st.epoch.clone())
    }

    /// Delivers a frame numbered elsewhere if it is the next one (cluster mode). `full` carries
    /// the new cached status and `full` data for `full` and status frames, applied before the
    /// frame is broadcast so a socket resynchronised after it gets the new data.
    pub(crate) fn push_remote(
        &self,
        seq: u64,
        kind: FrameKind,
        text: bytestring::ByteString,
        full: Option<(EventStatus, String)>,
    ) -> RemotePush {
        let mut slot = self.slot();
        let Some(st) = slot.state.as_mut() else {
            return RemotePush::NotLoaded;
        };
        if seq <= st.seq {
            return RemotePush::Duplicate;
        }
        if seq != st.seq + 1 {
            return RemotePush::Gap { at: st.seq };
        }
        if let Some((status, data)) = full {
            refresh_full(st, status, data);
        }
        push(st, &self.counters, |_, _| Frame::encoded(seq, kind, text));
        RemotePush::Delivered
    }

    /// Jumps to `seq` after frames that cannot be recovered (cluster mode): the ring restarts
    /// with one frame at `seq`, a `full` when a skipped frame needed one, else a `refresh`, and
    /// every socket receives it. Returns false when the hub is not loaded or already past `seq`.
    pub(crate) fn resync_to(
        &self,
        seq: u64,
        needs_full: bool,
        status: EventStatus,
        full_data: String,
    ) -> bool {
        let mut slot = self.slot();
        let Some(st) = slot.state.as_mut() else {
            return false;
        };
        if seq <= st.seq {
            return false;
        }
        refresh_full(st, status, full_data);
        st.ring.clear();
        st.seq = seq - 1;
        push(st, &self.counters, |seq, st| {
            if needs_full {
                Frame::full(seq, &st.epoch, &st.full_data)
            } else {
                Frame::refresh(seq)
            }
        });
        true
    }

    pub(crate) fn set_full(&self, status: EventStatus, full_data: String) {
        if let Some(st) = &mut self.slot().state {
            refresh_full(st, status, full_data);
        }
    }

    /// Runs `f` on the state; `None` when the hub is not loaded.
    fn with_state<T>(&self, f: impl FnOnce(&mut HubState, &Arc<Counters>) -> T) -> Option<T> {
        self.slot().state.as_mut().map(|st| f(st, &self.counters))
    }

    pub(crate) fn publish_full(&self) -> Option<u64> {
        self.with_state(|st, c| push(st, c, |seq, st| Frame::full(seq, &st.epoch, &st.full_data)))
    }

    pub(crate) fn publish_diff(&self, kind: DiffKind, data_json: &str) -> Option<u64> {
        self.with_state(|st, c| {
            if kind == DiffKind::Oncourse {
                st.last_oncourse = Some(data_json.into());
            }
            push(st, c, |seq, _| Frame::diff(seq, kind, data_json))
        })
    }

    /// Publishes an on-course diff unless its `data` equals the previous one byte for byte (DV7).
    pub(crate) fn publish_oncourse(&self, data_json: &str) -> Option<u64> {
        self.with_state(|st, c| {
            if st.last_oncourse.as_deref() == Some(data_json) {
                return None;
            }
            st.last_oncourse = Some(data_json.into());
            Some(push(st, c, |seq, _| {
                Frame::diff(seq, DiffKind::Oncourse, data_json)
            }))
        })
        .flatten()
    }

    /// The "previous on-course frame" becomes `[]`; nothing is sent (contract §6.4).
    pub(crate) fn clear_oncourse(&self) {
        self.with_state(|st, _| st.last_oncourse = Some(EMPTY_ONCOURSE.into()));
    }

    pub(crate) fn publish_refresh(&self) -> Option<u64> {
        self.with_state(|st, c| push(st, c, |seq, _| Frame::refresh(seq)))
    }

    /// Records the reason (the first one wins) and drops the state: the sender goes with it, so
    /// every receiver sees `Closed` even while its connection still holds this hub.
    pub(crate) fn close(&self, reason: CloseReason) {
        let mut slot = self.slot();
        slot.closed.get_or_insert(reason);
        slot.state = None;
    }

    /// Drops the state without closing: used when nobody is connected and the event turned out
    /// not to be public, so the hub can be removed and a later load starts a new sequence.
    pub(crate) fn unload(&self) {
        self.slot().state = None;
    }

    /// Subscribes and takes the first frames in one critical section (gap freedom, §6.6).
    pub(crate) fn join(&self, since: Option<&str>) -> Option<Joined> {
        let mut slot = self.slot();
        let st = slot.state.as_mut()?;
        let rx = st.tx.subscribe();
        st.ring.expire(Instant::now());
        let replay = since
            .and_then(parse_since)
            .filter(|(epoch, _)| *epoch == st.epoch)
            .and_then(|(_, seq)| st.ring.replay_after(seq, st.seq));
        if since.is_some() {
            self.counters.resumed(replay.is_some());
        }
        let first = match replay {
            Some(frames) => frames,
            None => vec![st.snapshot()],
        };
        Some(Joined {
            rx,
            first,
            last_seq: st.seq,
        })
    }

    /// The one frame that resynchronises a socket whose frames after `after` were discarded:
    /// the `full` if a skipped frame needs it, else a `refresh`; both carry the current `seq`.
    /// `None` when nothing was skipped or the hub is closed (its receiver then sees `Closed`).
    pub(crate) fn resync(&self, after: u64) -> Option<Frame> {
        let mut slot = self.slot();
        let st = slot.state.as_mut()?;
        if after >= st.seq {
            return None;
        }
        if st.last_needs_full > after {
            Some(st.snapshot())
        } else {
            Some(Frame::refresh(st.seq))
        }
    }
}

/// Numbers, encodes, stores and broadcasts one in-ring frame. Only the broadcast copy is
/// tracked (`crate::metrics`): the ring's and the snapshot's copies outlive the fan-out.
fn push(
    st: &mut HubState,
    counters: &Arc<Counters>,
    build: impl FnOnce(u64, &HubState) -> Frame,
) -> u64 {
    st.seq = st.seq.saturating_add(1);
    let frame = build(st.seq, st);
    if frame.kind == FrameKind::Full {
        st.snapshot = Some(frame.clone());
    }
    if frame.kind.needs_full_when_skipped() {
        st.last_needs_full = frame.seq;
    }
    let tracked = frame.tracked(counters);
    st.ring.push(frame);
    // `Err` only means nobody is subscribed: the frame is numbered and kept all the same.
    let _ = st.tx.send(tracked);
    st.seq
}

fn refresh_full(st: &mut HubState, status: EventStatus, full_data: String) {
    st.status = status;
    st.full_data = full_data.into_boxed_str();
    st.snapshot = None;
}

/// Splits `since=<epoch>:<seq>` at the last `:`; the seq must be decimal digits.
fn parse_since(since: &str) -> Option<(&str, u64)> {
    let (epoch, seq) = since.rsplit_once(':')?;
    if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((epoch, seq.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_split_at_the_last_colon() {
        assert_eq!(parse_since("abc:12"), Some(("abc", 12)));
        assert_eq!(parse_since("a:b:7"), Some(("a:b", 7)));
        assert_eq!(parse_since("abc"), None);
        assert_eq!(parse_since("abc:"), None);
        assert_eq!(parse_since("abc:+3"), None);
        assert_eq!(parse_since("abc:-3"), None);
        assert_eq!(parse_since("abc:99999999999999999999999"), None);
    }
}
