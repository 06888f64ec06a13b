//! An admitted socket before and while it is served: its first frames, its receiver and the
//! guard that gives its place back.
//!
//! [`Subscription::next`] is the socket's outbound queue (contract §6.7) minus the transport:
//! it skips what the first frames already covered, and when more than `WS_SEND_QUEUE` frames
//! wait for this socket (or the broadcast channel dropped some), it discards all of them and
//! yields the one frame that resynchronises the client. Keeping this apart from the socket loop
//! lets the unit tests drive it without a socket.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use bytestring::ByteString;
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::RecvError;

use crate::error::CloseReason;
use crate::frame::Frame;
use crate::hub::EventHub;
use crate::registry::Inner;

/// An admitted socket, counted against both caps, ready for [`crate::serve`].
#[derive(Debug)]
pub struct Admission {
    pub(crate) first: Vec<Frame>,
    pub(crate) subscription: Subscription,
}

impl Admission {
    pub(crate) fn new(first: Vec<Frame>, subscription: Subscription) -> Self {
        Self {
            first,
            subscription,
        }
    }

    /// The frames written before anything else: the `full`, or the resumed frames (maybe none).
    pub fn first_frames(&self) -> Vec<ByteString> {
        self.first.iter().map(|f| f.text.clone()).collect()
    }

    /// The `seq` the first frames bring the socket to; later frames have a greater one.
    pub fn seq(&self) -> u64 {
        self.subscription.last_seq
    }

    /// Names the socket in its log lines (field `request_id`): the server passes the id of
    /// the handshake request, so a connection's lines can be found from its handshake's. A
    /// plain field rather than a span kept open for the socket's life: entering a span on
    /// every poll of every connection task costs the fan-out path, and a live span per socket
    /// costs memory (docs/BENCHMARKS.md, issue 12).
    pub fn set_request_id(&mut self, request_id: &str) {
        self.subscription.request_id = Some(request_id.into());
    }

    /// Keeps `guard` until the socket is gone (dropped with the socket's place in the room):
    /// the server's per-client slot. Holding it here rather than in a future wrapped around
    /// [`crate::serve`] keeps the connection task its own size (a wrapper measured +0.9 to
    /// +2.3 KiB per socket).
    pub fn hold(&mut self, guard: Box<dyn std::any::Any + Send>) {
        self.subscription.held = Some(guard);
    }
}

/// What the socket's queue yields next.
#[derive(Debug)]
pub(crate) enum Next {
    /// A frame to write (its text, its type, and for a live frame its delivery record).
    Frame(Frame),
    /// The room was closed; `None` only if the sender vanished without a recorded reason.
    Closed(Option<CloseReason>),
}

/// The receiving side of one socket. Fields drop in declaration order: the receiver is gone
/// before the guard gives the place back.
#[derive(Debug)]
pub(crate) struct Subscription {
    rx: Receiver<Frame>,
    hub: Arc<EventHub>,
    /// The highest `seq` this socket has been brought to; frames at or below it are skipped.
    pub(crate) last_seq: u64,
    queue_limit: usize,
    /// The handshake's request id, for log lines.
    pub(crate) request_id: Option<Box<str>>,
    /// Whatever the server wants dropped with the socket ([`Admission::hold`]).
    held: Option<Box<dyn std::any::Any + Send>>,
    _leave: LeaveGuard,
}

impl Subscription {
    pub(crate) fn new(
        hub: Arc<EventHub>,
        rx: Receiver<Frame>,
        last_seq: u64,
        queue_limit: usize,
        leave: LeaveGuard,
    ) -> Self {
        Self {
            rx,
            hub,
            last_seq,
            queue_limit,
            request_id: None,
            held: None,
            _leave: leave,
        }
    }

    pub(crate) fn event_id(&self) -> &str {
        &self.hub.event_id
    }

    /// The request id set by [`Admission::set_request_id`], or `""`.
    pub(crate) fn request_id(&self) -> &str {
        self.request_id.as_deref().unwrap_or_default()
    }

    /// The next frame for this socket. Cancel-safe: state changes only after `recv` returns.
    pub(crate) async fn next(&mut self) -> Next {
        loop {
            match self.rx.recv().await {
                Ok(frame) if frame.seq <= self.last_seq => {}
                // `frame` plus the `len()` behind it: more than the limit means the queue
                // overflowed at some point (it only grows while the socket does not read).
                Ok(_) if self.rx.len() >= self.queue_limit => {
                    if let Some(frame) = self.resync() {
                        return Next::Frame(frame);
                    }
                }
                Ok(frame) => {
                    self.last_seq = frame.seq;
                    return Next::Frame(frame);
                }
                Err(RecvError::Lagged(_)) => {
                    if let Some(frame) = self.resync() {
                        return Next::Frame(frame);
                    }
                }
                Err(RecvError::Closed) => return Next::Closed(self.hub.closed()),
            }
        }
    }

    /// Discards everything after `last_seq` up to the current `seq` (queued frames included:
    /// they are skipped by `seq` as they come out) and returns the `refresh` or `full` carrying
    /// the current `seq`.
    fn resync(&mut self) -> Option<Frame> {
        let frame = self.hub.resync(self.last_seq)?;
        self.hub.counters.resynced(frame.kind);
        tracing::warn!(
            event_id = %self.hub.event_id,
            request_id = self.request_id(),
            from = self.last_seq,
            to = frame.seq,
            kind = ?frame.kind,
            "slow WebSocket client resynchronised"
        );
        self.last_seq = frame.seq;
        Some(frame)
    }
}

/// Gives an admitted socket's place back on every exit path, panics included (the
/// vaultwarden `WSEntryMapGuard` idea). It never drops the hub's state: an empty room keeps
/// its epoch, `seq`, ring and cached `full`.
#[derive(Debug)]
pub(crate) struct LeaveGuard {
    inner: Arc<Inner>,
    hub: Arc<EventHub>,
}

impl LeaveGuard {
    /// Wraps a place already counted in `hub.count` and `inner.total`.
    pub(crate) fn new(inner: Arc<Inner>, hub: Arc<EventHub>) -> Self {
        Self { inner, hub }
    }
}

impl Drop for LeaveGuard {
    fn drop(&mut self) {
        self.hub.count.fetch_sub(1, Ordering::AcqRel);
        self.inner.total.fetch_sub(1, Ordering::AcqRel);
    }
}
