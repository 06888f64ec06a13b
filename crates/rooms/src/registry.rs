//! The registry: every event's hub, the global connection count, pending official closes.
//!
//! The maps sit behind `std` mutexes rather than tokio ones because nothing ever awaits while
//! holding them: each critical section is a lookup, an insert or a removal (mini-redis's `db.rs`
//! argument). Waiting happens only on a hub's own `write` lock, which is a tokio mutex and is
//! taken after the map lock has been released. No path holds a map lock and a hub's `slot` lock
//! at the same time, so they cannot deadlock.
//!
//! A hub leaves the map in exactly three ways: its room is closed ([`crate::EventLock::close`]),
//! the server shuts down, or its write lock is released while it holds no state and no
//! connection (a hub created by a lookup for an event that turned out to be missing or private,
//! docs/ARCHITECTURE.md). All three happen while the hub's write lock is held (or cannot be contended),
//! so whoever holds the write lock of the hub currently in the map is the only writer of that
//! event; a waiter that wakes up on a hub no longer in the map retries with the current one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::task::AbortHandle;

use crate::config::RoomsConfig;
use crate::error::CloseReason;
use crate::hub::EventHub;
use crate::lock::EventLock;
use crate::metrics::{Counters, RoomMetrics};

/// The rooms of every event. A cheap `Clone` handle: build it once, outside the `HttpServer`
/// factory, and clone it into the workers (a per-worker registry would split the rooms).
#[derive(Debug, Clone)]
pub struct Rooms {
    pub(crate) inner: Arc<Inner>,
}

/// Counters for leak tests and operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoomStats {
    /// Sockets admitted and not yet gone, all events together.
    pub connections: usize,
    /// Hubs with at least one socket.
    pub rooms: usize,
    /// Hubs in the registry (loaded sequence states, empty rooms included).
    pub hubs: usize,
    /// Connection tasks ([`crate::serve`]) still running.
    pub tasks: usize,
    /// Official closes scheduled and not yet run or cancelled.
    pub pending_closes: usize,
    /// Tasks waiting in [`Rooms::lock`] for an event's write lock, all events together: writers
    /// queue there behind the holder, in request order (the lock is fair).
    pub lock_waiters: usize,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) config: RoomsConfig,
    hubs: Mutex<HashMap<Box<str>, Arc<EventHub>>>,
    /// Sockets of all events (compare-and-swap against `max_total` on admission).
    pub(crate) total: AtomicUsize,
    pub(crate) tasks: AtomicUsize,
    /// Tasks inside [`Rooms::lock`] that do not hold the lock yet.
    lock_waiters: AtomicUsize,
    pub(crate) shutting_down: AtomicBool,
    official: Mutex<HashMap<Box<str>, PendingClose>>,
    next_close_id: AtomicU64,
    /// Frames, resyncs, resumes, disconnects, fan-out times (`crate::metrics`).
    pub(crate) counters: Arc<Counters>,
}

#[derive(Debug)]
struct PendingClose {
    id: u64,
    task: AbortHandle,
}

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // The maps stay consistent whatever panicked while holding them (single inserts/removals).
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Inner {
    fn hub_or_insert(&self, event_id: &str) -> Arc<EventHub> {
        let mut hubs = locked(&self.hubs);
        if let Some(hub) = hubs.get(event_id) {
            return Arc::clone(hub);
        }
        let hub = Arc::new(EventHub::new(event_id, &self.counters));
        hubs.insert(event_id.into(), Arc::clone(&hub));
        hub
    }

    fn is_current(&self, hub: &Arc<EventHub>) -> bool {
        locked(&self.hubs)
            .get(&hub.event_id)
            .is_some_and(|current| Arc::ptr_eq(current, hub))
    }

    /// Removes `hub` from the map if it is still the event's hub.
    pub(crate) fn remove(&self, hub: &Arc<EventHub>) {
        let mut hubs = locked(&self.hubs);
        if hubs
            .get(&hub.event_id)
            .is_some_and(|current| Arc::ptr_eq(current, hub))
        {
            hubs.remove(&hub.event_id);
        }
    }

    /// Removes a hub that holds neither state nor connections. The caller holds (or has just
    /// failed to contend) its write lock, so neither can appear meanwhile.
    pub(crate) fn remove_if_unused(&self, hub: &Arc<EventHub>) {
        if !hub.is_loaded() && hub.connections() == 0 {
            self.remove(hub);
        }
    }

    /// Cancels the event's pending official close, if any.
    pub(crate) fn cancel_official_close(&self, event_id: &str) {
        if let Some(pending) = locked(&self.official).remove(event_id) {
            pending.task.abort();
        }
    }

    /// Forgets the pending close `id` once it runs (a newer one for the event stays).
    fn finish_official_close(&self, event_id: &str, id: u64) {
        let mut official = locked(&self.official);
        if official.get(event_id).is_some_and(|p| p.id == id) {
            official.remove(event_id);
        }
    }
}

/// Cleans up if `lock()` is cancelled while waiting: the hub it may have created would otherwise
/// stay in the map with neither state nor connections.
struct PendingLock<'a> {
    inner: &'a Inner,
    hub: Option<Arc<EventHub>>,
}

impl Drop for PendingLock<'_> {
    fn drop(&mut self) {
        if let Some(hub) = self.hub.take()
            && let Ok(_write) = hub.write.try_lock()
        {
            self.inner.remove_if_unused(&hub);
        }
    }
}

/// Counts a task as waiting for a write lock until it has the lock, or gives up waiting.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Self(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Rooms {
    /// An empty registry. Needs no runtime.
    pub fn new(config: RoomsConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                config,
                hubs: Mutex::new(HashMap::new()),
                total: AtomicUsize::new(0),
                tasks: AtomicUsize::new(0),
                lock_waiters: AtomicUsize::new(0),
                shutting_down: AtomicBool::new(false),
                official: Mutex::new(HashMap::new()),
                next_close_id: AtomicU64::new(0),
                counters: Arc::default(),
            }),
        }
    }

    /// The configuration the rooms run with.
    pub fn config(&self) -> &RoomsConfig {
        &self.inner.config
    }

    /// Takes the event's write lock: every path that commits and publishes, and
    /// every admission, holds it, so frames are numbered in commit order and an admission is
    /// atomic with status changes and delete. Creates the (unloaded) hub when there is none.
    pub async fn lock(&self, event_id: &str) -> EventLock {
        let _waiting = Waiting::new(&self.inner.lock_waiters);
        loop {
            let hub = self.inner.hub_or_insert(event_id);
            let mut pending = PendingLock {
                inner: &self.inner,
                hub: Some(Arc::clone(&hub)),
            };
            let write = Arc::clone(&hub.write).lock_owned().await;
            pending.hub = None;
            if self.inner.is_current(&hub) {
                return EventLock::new(Arc::clone(&self.inner), hub, write);
            }
            // The hub was closed or removed while we waited: retry with the event's current one.
        }
    }

    /// The events whose hub holds a sequence state (cluster mode: the ones this instance
    /// delivers frames to and keeps in step with the database).
    pub fn loaded_events(&self) -> Vec<String> {
        // Collected first: a hub's slot is never locked under the map lock.
        let hubs: Vec<Arc<EventHub>> = locked(&self.inner.hubs).values().cloned().collect();
        hubs.iter()
            .filter(|hub| hub.is_loaded())
            .map(|hub| hub.event_id.to_string())
            .collect()
    }

    /// Whether the event's hub holds a sequence state, without creating or locking it.
    pub fn is_loaded(&self, event_id: &str) -> bool {
        let hub = locked(&self.inner.hubs).get(event_id).cloned();
        hub.is_some_and(|hub| hub.is_loaded())
    }

    /// Whether an official close is pending for the event.
    pub fn official_close_pending(&self, event_id: &str) -> bool {
        locked(&self.inner.official).contains_key(event_id)
    }

    /// Schedules the official close (contract §5.2): after `grace`, every socket of the room is
    /// closed with 1000 `Event results are official` and the state is dropped. A later call for
    /// the same event replaces this one; [`crate::EventLock::close`] for delete or unpublish and
    /// [`Rooms::shutdown`] cancel it. Needs a tokio runtime (an actix worker has one); without
    /// one nothing is scheduled and an error is logged.
    pub fn schedule_official_close(&self, event_id: &str, grace: Duration) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            tracing::error!(event_id, "no runtime: official close not scheduled");
            return;
        };
        let id = self.inner.next_close_id.fetch_add(1, Ordering::Relaxed);
        let rooms = self.clone();
        let event: Box<str> = event_id.into();
        // The map lock is held across the spawn, so the task cannot finish (and forget itself)
        // before it is registered.
        let mut official = locked(&self.inner.official);
        let task = runtime.spawn(async move {
            tokio::time::sleep(grace).await;
            let mut lock = rooms.lock(&event).await;
            rooms.inner.finish_official_close(&event, id);
            lock.close(CloseReason::Official);
        });
        if let Some(previous) = official.insert(
            event_id.into(),
            PendingClose {
                id,
                task: task.abort_handle(),
            },
        ) {
            previous.task.abort();
        }
    }

    /// Closes every socket with 1001 `Server shutting down` and refuses new ones (contract §7).
    /// Synchronous and prompt: every hub is closed at once, without waiting for write locks, so
    /// each connection task sees its receiver closed and sends the close frame; call it before
    /// stopping the HTTP server, which otherwise waits for the open sockets.
    pub fn shutdown(&self) {
        self.inner.shutting_down.store(true, Ordering::SeqCst);
        let pending: Vec<PendingClose> = locked(&self.inner.official)
            .drain()
            .map(|(_, p)| p)
            .collect();
        for p in pending {
            p.task.abort();
        }
        let hubs: Vec<Arc<EventHub>> = locked(&self.inner.hubs)
            .drain()
            .map(|(_, hub)| hub)
            .collect();
        for hub in hubs {
            hub.close(CloseReason::ShuttingDown);
        }
    }

    /// The counters for `/metrics` (see `crate::metrics` for what each one counts), with the
    /// sockets of every event that has any, most first.
    pub fn metrics(&self) -> RoomMetrics {
        let mut snapshot = self.inner.counters.snapshot();
        let mut by_event: Vec<(String, usize)> = locked(&self.inner.hubs)
            .values()
            .map(|hub| (hub.event_id.to_string(), hub.connections()))
            .filter(|(_, n)| *n > 0)
            .collect();
        by_event.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        snapshot.connections_by_event = by_event;
        snapshot
    }

    /// Current counters.
    pub fn stats(&self) -> RoomStats {
        let (hubs, rooms) = {
            let map = locked(&self.inner.hubs);
            let rooms = map.values().filter(|hub| hub.connections() > 0).count();
            (map.len(), rooms)
        };
        RoomStats {
            connections: self.inner.total.load(Ordering::Acquire),
            rooms,
            hubs,
            tasks: self.inner.tasks.load(Ordering::Acquire),
            pending_closes: locked(&self.inner.official).len(),
            lock_waiters: self.inner.lock_waiters.load(Ordering::Acquire),
        }
    }
}
