//! The held write lock of one event: everything that changes what its sockets see goes through
//! it (docs/ARCHITECTURE.md, "The live pipeline").
//!
//! Publishing assigns the next `seq` after the caller's commit, encodes the frame once, stores it
//! in the ring and hands it to the broadcast channel, all synchronously: nothing here awaits a
//! socket, so a slow client never delays a publish. On a hub without state (nobody has needed it
//! since the process started or since the room was closed) every publish is a no-op returning
//! `None`: no client can hold a position in a sequence that does not exist yet, and the next
//! admission starts a new epoch with a `full` anyway.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytestring::ByteString;
use live_domain::EventStatus;
use tokio::sync::OwnedMutexGuard;

use crate::admission::{Admission, LeaveGuard, Subscription};
use crate::error::{CloseReason, RoomError};
use crate::frame::{DiffKind, FrameKind};
use crate::hub::{Backlog, EventHub, RemotePush};
use crate::registry::Inner;

/// The write lock of one event, held. Owned: it can be kept across the caller's store calls.
///
/// Dropping it releases the lock; a hub left with neither state nor connections (a lookup for a
/// missing or private event) is removed from the registry then.
#[derive(Debug)]
pub struct EventLock {
    // Declared before `_write`, and cleaned up in `Drop` while the write lock is still held.
    inner: Arc<Inner>,
    hub: Arc<EventHub>,
    _write: OwnedMutexGuard<()>,
}

impl Drop for EventLock {
    fn drop(&mut self) {
        self.inner.remove_if_unused(&self.hub);
    }
}

impl EventLock {
    pub(crate) fn new(inner: Arc<Inner>, hub: Arc<EventHub>, write: OwnedMutexGuard<()>) -> Self {
        Self {
            inner,
            hub,
            _write: write,
        }
    }

    /// The event this lock is for.
    pub fn event_id(&self) -> &str {
        &self.hub.event_id
    }

    /// Whether the hub holds its sequence state (epoch, `seq`, ring, cached `full` data).
    /// When it does not, the server loads status and `full` data from the store before
    /// [`EventLock::check_visible`] and [`EventLock::admit`].
    pub fn is_loaded(&self) -> bool {
        self.hub.is_loaded()
    }

    /// The status the hub was loaded or last refreshed with.
    pub fn status(&self) -> Option<EventStatus> {
        self.hub.status()
    }

    /// The current `(epoch, seq)`, for logs and tests.
    pub fn position(&self) -> Option<(String, u64)> {
        self.hub.position()
    }

    /// Sockets currently admitted to this event.
    pub fn connections(&self) -> usize {
        self.hub.connections()
    }

    /// Creates the sequence state: a new random epoch, `seq` 0, an empty ring, `full_data` as the
    /// cached `data` of `full` frames. On a loaded hub it only refreshes the cache (the sequence
    /// is kept); after [`EventLock::close`] it does nothing.
    pub fn load(&mut self, status: EventStatus, full_data: String) {
        self.hub.load(&self.inner.config, status, full_data);
    }

    /// Cluster mode: creates the sequence state at `(epoch, seq, needs_full_seq)` as stored in
    /// the database, with the stream's retained frames as the resume ring (see
    /// [`crate::Backlog`]). On a loaded hub it only refreshes the cache.
    pub fn load_sequenced(
        &mut self,
        status: EventStatus,
        full_data: String,
        position: (String, u64, u64),
        backlog: Vec<Backlog>,
    ) {
        self.hub
            .load_sequenced(&self.inner.config, status, full_data, position, backlog);
    }

    /// The epoch of the loaded sequence state.
    pub fn epoch(&self) -> Option<String> {
        self.hub.epoch()
    }

    /// Cluster mode: delivers a frame another instance (or this one) numbered and encoded, if
    /// it is the next one; see [`RemotePush`]. `full` is the new cached status and `full` data
    /// carried by `full` and status frames.
    pub fn push_remote(
        &mut self,
        seq: u64,
        kind: FrameKind,
        text: ByteString,
        full: Option<(EventStatus, String)>,
    ) -> RemotePush {
        self.hub.push_remote(seq, kind, text, full)
    }

    /// Cluster mode: jumps to `seq` when the frames before it cannot be recovered, with a
    /// `full` (`needs_full`: a skipped frame was a `full` or a status diff) or a `refresh`
    /// broadcast at `seq`, after refreshing the cache. False when not loaded or already there.
    pub fn resync_to(
        &mut self,
        seq: u64,
        needs_full: bool,
        status: EventStatus,
        full_data: String,
    ) -> bool {
        self.hub.resync_to(seq, needs_full, status, full_data)
    }

    /// Refreshes the cached status and `full` data after an XML import or a status change
    /// (DV20). Call it before publishing the frame that announces the change, so a socket
    /// resynchronised after that frame gets the new data. No-op when not loaded.
    pub fn set_full(&mut self, status: EventStatus, full_data: String) {
        self.hub.set_full(status, full_data);
    }

    /// Publishes an in-ring `full` from the cache (after an XML import); returns its `seq`.
    pub fn publish_full(&mut self) -> Option<u64> {
        self.hub.publish_full()
    }

    /// Publishes `{"type":"diff","seq":n,"data":<data_json>}`; returns `n`. `data_json` is the
    /// already encoded `data` object, inserted verbatim. `kind` decides how a socket that skips
    /// this frame is resynchronised: [`DiffKind::Status`] needs a `full`, the others a `refresh`.
    /// An on-course diff sent this way becomes the "previous on-course frame" (DV7) but is not
    /// deduplicated; use [`EventLock::publish_oncourse`] for that.
    pub fn publish_diff(&mut self, kind: DiffKind, data_json: &str) -> Option<u64> {
        self.hub.publish_diff(kind, data_json)
    }

    /// Publishes an on-course diff (`data_json` = `{"oncourse":[…]}`) unless it is byte-identical
    /// to the previous on-course frame of this event (DV7); `None` when skipped or not loaded.
    pub fn publish_oncourse(&mut self, data_json: &str) -> Option<u64> {
        self.hub.publish_oncourse(data_json)
    }

    /// After an on-course clear (contract §5.2) the previous on-course frame counts as
    /// `{"oncourse":[]}`; nothing is sent.
    pub fn clear_oncourse(&mut self) {
        self.hub.clear_oncourse();
    }

    /// Publishes an in-ring `{"type":"refresh","seq":n}` (a results diff could not be composed
    /// after the commit); returns `n`.
    pub fn publish_refresh(&mut self) -> Option<u64> {
        self.hub.publish_refresh()
    }

    /// Closes the room: every socket gets 1000 (or 1001) with the reason's text, the sequence
    /// state is dropped (the next use starts a new epoch) and the hub leaves the registry.
    /// Delete and unpublish cancel a pending official close. Later calls on this lock do
    /// nothing: publishes return `None`, admission is refused with the reason's error.
    pub fn close(&mut self, reason: CloseReason) {
        if reason != CloseReason::Official {
            self.inner.cancel_official_close(&self.hub.event_id);
        }
        self.hub.close(reason);
        self.inner.remove(&self.hub);
    }

    /// The status checks of admission, steps 1 and 2 of contract §6.1: a `draft` (or a room
    /// closed for delete or unpublish) is [`RoomError::NotPublic`] (404), `official` is
    /// [`RoomError::Official`] (410). The server runs them before checking the upgrade (426),
    /// to keep the contract's order. When nobody is connected, a refused event's state is
    /// dropped, so the lookup leaves nothing behind.
    pub fn check_visible(&mut self) -> Result<(), RoomError> {
        if self.inner.shutting_down.load(Ordering::SeqCst) {
            return Err(RoomError::ShuttingDown);
        }
        if let Some(reason) = self.hub.closed() {
            return Err(reason.refusal());
        }
        let refusal = match self.hub.status() {
            None | Some(EventStatus::Draft) => RoomError::NotPublic,
            Some(EventStatus::Official) => RoomError::Official,
            Some(_) => return Ok(()),
        };
        if self.hub.connections() == 0 {
            self.hub.unload();
        }
        Err(refusal)
    }

    /// Admits one socket (contract §6.1 steps 1, 2, 4): the status checks, then the per-event
    /// cap, then the global cap, and the join, as one step under this lock. The join subscribes
    /// first and takes the first frames second — the cached `full` at the current `seq`, or for
    /// a valid `since=<epoch>:<seq>` exactly the missed frames — so no frame is lost or
    /// duplicated. The returned [`Admission`] already counts against both caps; dropping it (or
    /// the end of [`crate::serve`]) releases them.
    pub fn admit(&mut self, since: Option<&str>) -> Result<Admission, RoomError> {
        self.check_visible()?;
        let config = &self.inner.config;
        if self.hub.connections() >= config.max_per_event {
            return Err(RoomError::EventFull {
                limit: config.max_per_event,
            });
        }
        self.inner
            .total
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |total| {
                (total < config.max_total).then_some(total + 1)
            })
            .map_err(|_| RoomError::TotalFull {
                limit: config.max_total,
            })?;
        // Counted from here on: the guard gives both counts back on every exit path.
        self.hub.count.fetch_add(1, Ordering::AcqRel);
        let leave = LeaveGuard::new(Arc::clone(&self.inner), Arc::clone(&self.hub));
        let Some(joined) = self.hub.join(since) else {
            // Only a shutdown (which does not take write locks) can drop the state since
            // `check_visible`; the guard gives the place back.
            return Err(self
                .hub
                .closed()
                .map_or(RoomError::NotPublic, CloseReason::refusal));
        };
        self.hub.counters.opened();
        Ok(Admission::new(
            joined.first,
            Subscription::new(
                Arc::clone(&self.hub),
                joined.rx,
                joined.last_seq,
                config.queue_limit(),
                leave,
            ),
        ))
    }
}
