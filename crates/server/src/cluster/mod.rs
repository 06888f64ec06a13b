//! Cluster mode: several instances behind a load balancer serve one event as one server would
//! (docs/SCALING.md).
//!
//! - PostgreSQL owns each event's `epoch` and `seq`: the write's transaction locks the event row
//!   and numbers its frames, so every instance agrees and a restart loses nothing.
//! - The instance that committed a write encodes its frames and publishes them to NATS JetStream
//!   ([`bus`]); every instance, itself included, delivers them to its own spectators through
//!   the [`follower`], in `seq` order, deduplicated, filling gaps from the stream and otherwise
//!   resynchronising from the database.
//! - The stream is the resume ring: a hub loaded on any instance starts with the frames the
//!   stream still retains for its event.
//!
//! Nothing here decides what a write publishes; the services do, with [`Cluster::publish`].

pub(crate) mod bus;
mod follower;
pub(crate) mod oncourse;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use live_domain::EventStatus;
use live_rooms::{Backlog, DiffKind, FrameKind, encode_diff, encode_full};
use live_store::Sequence;
use tokio::sync::mpsc;

use crate::app::AppState;
use bus::{Bus, BusFrame, BusKind};

pub(crate) use follower::spawn as spawn_follower;

/// How the follower waits and polls (`CLUSTER_GAP_MS`, `CLUSTER_SYNC_MS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClusterTiming {
    /// How long a gap may stay open before it is filled from the stream or the database.
    pub gap_wait: Duration,
    /// How often every loaded room is compared with the database (and due on-course boards are
    /// expired).
    pub sync_every: Duration,
}

/// This instance's part of the cluster: the bus and the way to its own follower.
#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    bus: Bus,
    timing: ClusterTiming,
    /// Frames this instance committed go to its own follower at once (and through NATS too):
    /// its spectators do not wait for the round trip, and keep getting them while NATS is down.
    local: mpsc::UnboundedSender<BusFrame>,
    local_rx: Arc<Mutex<Option<mpsc::UnboundedReceiver<BusFrame>>>>,
    /// Public id → internal id of every event whose room this instance has loaded.
    pks: Arc<Mutex<HashMap<String, i32>>>,
}

impl Cluster {
    pub(crate) fn new(bus: Bus, timing: ClusterTiming) -> Self {
        let (local, rx) = mpsc::unbounded_channel();
        Self {
            bus,
            timing,
            local,
            local_rx: Arc::new(Mutex::new(Some(rx))),
            pks: Arc::default(),
        }
    }

    pub(crate) fn timing(&self) -> ClusterTiming {
        self.timing
    }

    pub(crate) fn bus(&self) -> &Bus {
        &self.bus
    }

    fn pks(&self) -> std::sync::MutexGuard<'_, HashMap<String, i32>> {
        self.pks.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Remembers the internal id of a room this instance loaded (the follower needs it to read
    /// the row and the stream).
    pub(crate) fn remember(&self, event_id: &str, pk: i32) {
        self.pks().insert(event_id.to_owned(), pk);
    }

    pub(crate) fn pk_of(&self, event_id: &str) -> Option<i32> {
        self.pks().get(event_id).copied()
    }

    pub(crate) fn forget(&self, event_id: &str) {
        self.pks().remove(event_id);
    }

    fn take_local_receiver(&self) -> Option<mpsc::UnboundedReceiver<BusFrame>> {
        self.local_rx
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Hands committed frames to this instance's follower and publishes them to the stream.
    /// Never fails the request: the write is committed; a frame NATS did not take is logged and
    /// counted, and every instance recovers it from the database within `CLUSTER_SYNC_MS`.
    pub(crate) async fn publish(&self, st: &AppState, frames: Vec<BusFrame>) {
        for frame in &frames {
            let _ = self.local.send(frame.clone());
        }
        let results =
            futures_util::future::join_all(frames.iter().map(|f| self.bus.publish(f))).await;
        for (frame, result) in frames.iter().zip(results) {
            match result {
                Ok(()) => st.metrics.cluster().published(),
                Err(e) if !e.is_unavailable() => {
                    st.metrics.cluster().publish_failed();
                    tracing::error!(
                        event_id = %frame.event_id,
                        seq = frame.seq,
                        error = %e,
                        "NATS refused a frame; spectators on other instances resync from the database"
                    );
                }
                Err(e) => {
                    st.metrics.cluster().publish_failed();
                    tracing::warn!(
                        event_id = %frame.event_id,
                        seq = frame.seq,
                        error = %e,
                        "frame not published to NATS; spectators on other instances resync from the database"
                    );
                }
            }
        }
    }

    /// The frames the stream retains for event `pk` in `epoch`, for a room's resume ring; empty
    /// while NATS is unreachable (resumes then need a `full` until the stream fills again).
    pub(crate) async fn backlog(&self, pk: i32, epoch: &str) -> Vec<Backlog> {
        if !self.bus.is_connected() {
            return Vec::new();
        }
        match self.bus.backlog(pk).await {
            Ok(frames) => frames
                .into_iter()
                .filter(|f| f.epoch == epoch)
                .filter_map(|f| {
                    let kind = frame_kind(f.kind)?;
                    let text = bytestring::ByteString::try_from(f.frame).ok()?;
                    Some(Backlog {
                        seq: f.seq,
                        kind,
                        text,
                    })
                })
                .collect(),
            Err(e) => {
                tracing::warn!(pk, error = %e, "stream backlog unavailable: room starts without it");
                Vec::new()
            }
        }
    }
}

/// The rooms' frame kind of a bus frame; `None` for control messages.
pub(crate) fn frame_kind(kind: BusKind) -> Option<FrameKind> {
    Some(match kind {
        BusKind::Full => FrameKind::Full,
        BusKind::Results => FrameKind::Diff(DiffKind::Results),
        BusKind::Oncourse => FrameKind::Diff(DiffKind::Oncourse),
        BusKind::Status => FrameKind::Diff(DiffKind::Status),
        BusKind::Refresh => FrameKind::Refresh,
        BusKind::Deleted => return None,
    })
}

/// What one committed write publishes, numbered by its [`Sequence`].
#[derive(Debug)]
pub(crate) struct Frames<'a> {
    event_pk: i32,
    event_id: &'a str,
    sequence: &'a Sequence,
    out: Vec<BusFrame>,
}

impl<'a> Frames<'a> {
    pub(crate) fn new(event_pk: i32, event_id: &'a str, sequence: &'a Sequence) -> Self {
        Self {
            event_pk,
            event_id,
            sequence,
            out: Vec::new(),
        }
    }

    fn next_seq(&self) -> u64 {
        self.sequence.first_seq + self.out.len() as u64
    }

    fn push(
        &mut self,
        kind: BusKind,
        text: String,
        status: Option<EventStatus>,
        full: Option<&str>,
    ) {
        let seq = self.next_seq();
        debug_assert!(seq <= self.sequence.last_seq, "more frames than numbers");
        self.out.push(BusFrame {
            event_pk: self.event_pk,
            event_id: self.event_id.to_owned(),
            epoch: self.sequence.epoch.clone(),
            seq,
            kind,
            status: status.map(|s| s.as_str().to_owned()),
            frame: Bytes::from(text),
            full_data: full.map(|f| Bytes::copy_from_slice(f.as_bytes())),
        });
    }

    /// An in-ring `full` after an XML import.
    pub(crate) fn full(mut self, status: EventStatus, full_data: &str) -> Self {
        let text = encode_full(self.next_seq(), &self.sequence.epoch, full_data);
        self.push(BusKind::Full, text, Some(status), Some(full_data));
        self
    }

    /// A diff; `full` is the new cached status and `full` data for a status diff.
    pub(crate) fn diff(
        mut self,
        kind: DiffKind,
        data: &str,
        full: Option<(EventStatus, &str)>,
    ) -> Self {
        let text = encode_diff(self.next_seq(), kind, data);
        let bus_kind = match kind {
            DiffKind::Results => BusKind::Results,
            DiffKind::Oncourse => BusKind::Oncourse,
            DiffKind::Status => BusKind::Status,
        };
        self.push(bus_kind, text, full.map(|f| f.0), full.map(|f| f.1));
        self
    }

    pub(crate) fn into_frames(self) -> Vec<BusFrame> {
        debug_assert_eq!(
            self.out.len() as u64,
            (self.sequence.last_seq + 1).saturating_sub(self.sequence.first_seq),
            "every number the write took is published"
        );
        self.out
    }
}

/// The control message that closes an event's rooms on every instance after a delete.
pub(crate) fn deleted(event_pk: i32, event_id: &str) -> BusFrame {
    BusFrame {
        event_pk,
        event_id: event_id.to_owned(),
        // Header values may not be empty; a deletion has no sequence.
        epoch: "deleted".to_owned(),
        seq: 0,
        kind: BusKind::Deleted,
        status: None,
        frame: Bytes::new(),
        full_data: None,
    }
}
