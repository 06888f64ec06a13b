//! The follower: the one task per instance that delivers frames numbered anywhere in the
//! cluster to this instance's rooms, and keeps them in step with the database.
//!
//! Rules (contract §6.6–§6.7, applied per event):
//! - a frame with the next `seq` is delivered, then any buffered successors;
//! - a frame at or below the room's `seq` is a duplicate (NATS redelivery, or this instance's
//!   own frame coming back through the stream) and is dropped;
//! - a frame further ahead opens a gap: it is buffered, and if the gap is still open after
//!   `CLUSTER_GAP_MS` the missing frames are read from the stream; what the stream no longer
//!   has is skipped with one `full` (a skipped frame was a `full` or a status diff, as the row's
//!   `live_needs_full_seq` tells) or `refresh` at the database's `seq`;
//! - every `CLUSTER_SYNC_MS`, and whenever NATS comes back, every loaded room is compared with
//!   its row: a room behind the row opens a gap (frames lost while NATS was down are recovered
//!   this way), a room whose epoch is gone is closed as the row's status says.
//!
//! One task keeps the order simple: every room change here happens under the room's lock, and
//! no two deliveries of one event can interleave.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use bytestring::ByteString;
use live_domain::EventStatus;
use live_rooms::{CloseReason, EventLock, RemotePush};
use live_store::LivePosition;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::bus::{BusEvent, BusFrame, BusKind};
use super::{Cluster, frame_kind};
use crate::app::AppState;
use crate::services::live::full_data_json;

/// Frames waiting for a missing predecessor, per event.
#[derive(Debug)]
struct Gap {
    /// Buffered frames by `seq`.
    frames: BTreeMap<u64, BusFrame>,
    /// The highest `seq` known to exist (a buffered frame, or the row's at a sync): the gap is
    /// closed only when the room reaches it.
    target: u64,
    /// When the gap was seen first.
    since: Instant,
}

impl Gap {
    fn new(target: u64) -> Self {
        Self {
            frames: BTreeMap::new(),
            target,
            since: Instant::now(),
        }
    }
}

struct Follower {
    st: AppState,
    cluster: Cluster,
    gaps: HashMap<String, Gap>,
    /// [`live_store::Store::live_fingerprint`] at the last sync tick.
    fingerprint: Option<u64>,
}

/// Starts the follower (and the bus subscription it reads); it runs until the process ends.
pub(crate) fn spawn(st: AppState, cluster: Cluster) -> tokio::task::JoinHandle<()> {
    let bus_rx = cluster.bus().subscribe();
    let local_rx = cluster.take_local_receiver();
    tokio::spawn(async move {
        let Some(local_rx) = local_rx else {
            tracing::error!("cluster follower started twice");
            return;
        };
        Follower {
            st,
            cluster,
            gaps: HashMap::new(),
            fingerprint: None,
        }
        .run(bus_rx, local_rx)
        .await;
    })
}

impl Follower {
    async fn run(
        mut self,
        bus_rx: mpsc::Receiver<BusEvent>,
        mut local_rx: mpsc::UnboundedReceiver<BusFrame>,
    ) {
        let mut bus_rx = Some(bus_rx);
        let timing = self.cluster.timing();
        let mut gap_tick =
            tokio::time::interval((timing.gap_wait / 2).max(Duration::from_millis(10)));
        gap_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut sync_tick = tokio::time::interval(timing.sync_every);
        sync_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                event = next_event(&mut bus_rx) => match event {
                    Some(BusEvent::Frame(frame)) => self.on_frame(frame).await,
                    Some(BusEvent::Reconnected) => {
                        tracing::info!("NATS connection back: comparing every room with the database");
                        self.sync_all().await;
                    }
                    None => {
                        tracing::error!("NATS subscription ended: rooms follow the database only");
                        bus_rx = None;
                    }
                },
                Some(frame) = local_rx.recv() => self.on_frame(frame).await,
                _ = gap_tick.tick() => self.fill_gaps().await,
                _ = sync_tick.tick() => {
                    self.sync_all().await;
                    super::oncourse::sweep(&self.st).await;
                }
            }
        }
    }

    async fn on_frame(&mut self, frame: BusFrame) {
        // Some committed write changed what REST answers: this instance's cache is stale.
        self.st.read_cache.invalidate();
        if frame.kind == BusKind::Full {
            self.st.oncourse.invalidate_courses(frame.event_pk);
        }
        if frame.kind == BusKind::Deleted {
            self.gaps.remove(&frame.event_id);
            self.close(&frame.event_id, CloseReason::Deleted).await;
            self.st.oncourse.remove(frame.event_pk);
            self.st.timers.cancel(frame.event_pk);
            return;
        }
        if !self.st.rooms.is_loaded(&frame.event_id) {
            return;
        }
        let event_id = frame.event_id.clone();
        let mut lock = self.st.rooms.lock(&event_id).await;
        if lock.epoch().as_deref() != Some(frame.epoch.as_str()) {
            // A frame of another sequence: the row decides (at the next sync) what the room does.
            return;
        }
        match deliver(&self.st, &mut lock, &frame) {
            RemotePush::Gap { .. } => {
                let gap = self
                    .gaps
                    .entry(event_id)
                    .or_insert_with(|| Gap::new(frame.seq));
                gap.target = gap.target.max(frame.seq);
                gap.frames.insert(frame.seq, frame);
            }
            RemotePush::Delivered => self.drain(&event_id, &mut lock),
            RemotePush::Duplicate | RemotePush::NotLoaded => {}
        }
    }

    /// Delivers the buffered frames that now follow the room's `seq`; closes the gap once the
    /// room has reached every `seq` known to exist.
    fn drain(&mut self, event_id: &str, lock: &mut EventLock) {
        let Some(gap) = self.gaps.get_mut(event_id) else {
            return;
        };
        while let Some(entry) = gap.frames.first_entry() {
            let frame = entry.remove();
            if let RemotePush::Gap { .. } = deliver(&self.st, lock, &frame) {
                gap.frames.insert(frame.seq, frame);
                return;
            }
        }
        let reached = lock.position().is_none_or(|(_, seq)| seq >= gap.target);
        if reached {
            self.gaps.remove(event_id);
        }
    }

    /// Fills the gaps older than `CLUSTER_GAP_MS`: from the stream first, then from the row.
    async fn fill_gaps(&mut self) {
        let wait = self.cluster.timing().gap_wait;
        let due: Vec<String> = self
            .gaps
            .iter()
            .filter(|(_, gap)| gap.since.elapsed() >= wait)
            .map(|(id, _)| id.clone())
            .collect();
        for event_id in due {
            self.fill_gap(&event_id).await;
        }
    }

    async fn fill_gap(&mut self, event_id: &str) {
        let Some(pk) = self.cluster.pk_of(event_id) else {
            self.gaps.remove(event_id);
            return;
        };
        let epoch = {
            let lock = self.st.rooms.lock(event_id).await;
            lock.epoch()
        };
        let Some(epoch) = epoch else {
            self.gaps.remove(event_id);
            return;
        };
        // 1. The stream still holds what it retained: take the missing frames from there.
        if self.cluster.bus().is_connected() {
            match self.cluster.bus().backlog(pk).await {
                Ok(frames) => {
                    let mut lock = self.st.rooms.lock(event_id).await;
                    for frame in frames.into_iter().filter(|f| f.epoch == epoch) {
                        if let Some(gap) = self.gaps.get_mut(event_id) {
                            gap.frames.entry(frame.seq).or_insert(frame);
                        }
                    }
                    self.drain(event_id, &mut lock);
                    if !self.gaps.contains_key(event_id) {
                        self.st.metrics.cluster().gap_filled_from_stream();
                        return;
                    }
                }
                Err(e) => tracing::warn!(event_id, error = %e, "gap not filled from the stream"),
            }
        }
        // 2. The rest is gone: jump to the row's position with one `full` or `refresh`.
        self.resync_from_db(event_id, pk).await;
    }

    async fn resync_from_db(&mut self, event_id: &str, pk: i32) {
        let read = match self.st.store.full_data_at(pk).await {
            Ok(read) => read,
            Err(e) => {
                // Database unreachable: keep the gap open, try again at the next tick.
                tracing::warn!(event_id, error = %e, "room not resynchronised: database unavailable");
                if let Some(gap) = self.gaps.get_mut(event_id) {
                    gap.since = Instant::now();
                }
                return;
            }
        };
        let mut lock = self.st.rooms.lock(event_id).await;
        let Some((full, position)) = read else {
            self.gaps.remove(event_id);
            drop(lock);
            self.close(event_id, CloseReason::Deleted).await;
            return;
        };
        let Some((hub_epoch, hub_seq)) = lock.position() else {
            self.gaps.remove(event_id);
            return;
        };
        if position.epoch != hub_epoch {
            self.gaps.remove(event_id);
            drop(lock);
            self.sequence_ended(event_id, position.status).await;
            return;
        }
        if position.seq > hub_seq {
            match full_data_json(&full) {
                Ok(json) => {
                    let needs_full = position.needs_full_seq > hub_seq;
                    lock.resync_to(position.seq, needs_full, position.status, json);
                    self.st.metrics.cluster().resynced_from_db();
                    tracing::info!(
                        event_id,
                        from = hub_seq,
                        to = position.seq,
                        needs_full,
                        "room resynchronised from the database"
                    );
                    after_status(&self.st, &mut lock, pk, position.status, false);
                }
                Err(e) => tracing::error!(event_id, error = %e, "full data not encoded"),
            }
        }
        if let Some(gap) = self.gaps.get_mut(event_id) {
            gap.frames.retain(|seq, _| *seq > position.seq);
        }
        self.drain(event_id, &mut lock);
    }

    /// Compares every loaded room with its row; opens a gap for a room behind, and closes a
    /// room whose sequence ended (event deleted, unpublished or official).
    async fn sync_all(&mut self) {
        // Writes whose frames never reached this instance still change what REST answers.
        match self.st.store.live_fingerprint().await {
            Ok(now) => {
                if self.fingerprint.is_some_and(|then| then != now) {
                    self.st.read_cache.invalidate();
                }
                self.fingerprint = Some(now);
            }
            Err(e) => tracing::warn!(error = %e, "database fingerprint unavailable"),
        }
        let events = self.st.rooms.loaded_events();
        let pks: Vec<(String, i32)> = events
            .into_iter()
            .filter_map(|id| self.cluster.pk_of(&id).map(|pk| (id, pk)))
            .collect();
        if pks.is_empty() {
            return;
        }
        let rows = match self
            .st
            .store
            .live_positions(pks.iter().map(|(_, pk)| *pk).collect())
            .await
        {
            Ok(rows) => rows.into_iter().collect::<HashMap<i32, LivePosition>>(),
            Err(e) => {
                tracing::warn!(error = %e, "rooms not compared with the database");
                return;
            }
        };
        for (event_id, pk) in pks {
            let position = {
                let lock = self.st.rooms.lock(&event_id).await;
                lock.position()
            };
            let Some((epoch, seq)) = position else {
                continue;
            };
            match rows.get(&pk) {
                None => {
                    self.gaps.remove(&event_id);
                    self.close(&event_id, CloseReason::Deleted).await;
                }
                Some(row) if row.epoch != epoch => {
                    self.gaps.remove(&event_id);
                    self.sequence_ended(&event_id, row.status).await;
                }
                Some(row) if row.seq > seq => {
                    let gap = self
                        .gaps
                        .entry(event_id)
                        .or_insert_with(|| Gap::new(row.seq));
                    gap.target = gap.target.max(row.seq);
                }
                Some(_) => {}
            }
        }
    }

    /// The row started a new sequence (only official and unpublish do, besides a re-created
    /// event): the room closes as the status says; an official close keeps its grace.
    async fn sequence_ended(&mut self, event_id: &str, status: EventStatus) {
        match status {
            EventStatus::Official => {
                if !self.st.rooms.official_close_pending(event_id) {
                    self.st.rooms.schedule_official_close(
                        event_id,
                        self.st.config.rooms.official_close_grace,
                    );
                }
            }
            _ => self.close(event_id, CloseReason::Unpublished).await,
        }
    }

    async fn close(&mut self, event_id: &str, reason: CloseReason) {
        if self.st.rooms.is_loaded(event_id) {
            let mut lock = self.st.rooms.lock(event_id).await;
            lock.close(reason);
        }
        self.cluster.forget(event_id);
    }
}

/// The next bus event; never ready once the subscription has ended (the follower then keeps
/// its local frames and its sync ticks).
async fn next_event(rx: &mut Option<mpsc::Receiver<BusEvent>>) -> Option<BusEvent> {
    match rx {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

/// Delivers one frame to a locked room; a status frame's effects follow it (contract §5.2).
fn deliver(st: &AppState, lock: &mut EventLock, frame: &BusFrame) -> RemotePush {
    let Some(kind) = frame_kind(frame.kind) else {
        return RemotePush::Duplicate;
    };
    let status = frame
        .status
        .as_deref()
        .and_then(|s| s.parse::<EventStatus>().ok());
    let full = match (&frame.full_data, status) {
        (Some(data), Some(status)) => match std::str::from_utf8(data) {
            Ok(text) => Some((status, text.to_owned())),
            Err(_) => None,
        },
        _ => None,
    };
    let Ok(text) = ByteString::try_from(frame.frame.clone()) else {
        tracing::error!(event_id = %frame.event_id, seq = frame.seq, "frame is not UTF-8: dropped");
        return RemotePush::Duplicate;
    };
    let pushed = lock.push_remote(frame.seq, kind, text, full);
    if pushed == RemotePush::Delivered
        && frame.kind == BusKind::Status
        && let Some(status) = status
    {
        after_status(st, lock, frame.event_pk, status, true);
    }
    pushed
}

/// What follows a status frame on every instance: on-course timers stop where the status
/// clears the board (the row was cleared in the status change's transaction), the official
/// close is scheduled (each instance closes its own sockets after the grace), an unpublished
/// room is closed.
fn after_status(
    st: &AppState,
    lock: &mut EventLock,
    pk: i32,
    status: EventStatus,
    announced: bool,
) {
    if status.clears_oncourse() {
        st.timers.cancel(pk);
    }
    match status {
        EventStatus::Official if !st.rooms.official_close_pending(lock.event_id()) => {
            st.rooms
                .schedule_official_close(lock.event_id(), st.config.rooms.official_close_grace);
        }
        EventStatus::Draft if announced => lock.close(CloseReason::Unpublished),
        _ => {}
    }
}
