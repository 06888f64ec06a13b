//! The connection task: one per socket, owning its `Session`, running one `select!` loop over
//! inbound frames, outbound frames, the ping tick and the pong deadline (docs/ARCHITECTURE.md, "The live pipeline").
//!
//! Rules it keeps (contract §6.7–§6.9):
//! - every session call (`text`, `ping`, `pong`, `close`) is wrapped in `send_timeout`; on
//!   expiry or a closed session the connection is dropped without a close frame, because
//!   writing is what stalled;
//! - the first frames (the `full` or a resume replay) are written before the loop, outside the
//!   queue limit;
//! - inbound `None` and errors end the loop at once (a `Some(Ok(..))` pattern would silently
//!   disable the arm and leave a dead peer in the room until the heartbeat);
//! - a client frame over 4 096 bytes (or a fragmented message adding up to more) gets 1009
//!   `Message too big`; client pings get pongs, client text and binary are ignored, a client
//!   close is answered with a close echoing its code;
//! - the heartbeat lives in the loop: a ping every `ping_interval`, and a pong deadline of its
//!   own, set by the first unanswered ping and cleared by any inbound frame, so
//!   `pong_timeout` may be shorter or longer than `ping_interval`.
//!
//! The admission's guard drops when this future ends, on every path, so the counts are given
//! back even if the task is cancelled.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use actix_ws::{CloseCode, Item, Message, MessageStream, ProtocolError, Session};
use bytestring::ByteString;
use tokio::time::{Instant, MissedTickBehavior, interval_at, sleep_until, timeout};

use crate::admission::{Admission, Next};
use crate::error::CloseReason;
use crate::frame::Frame;
use crate::metrics::{Counters, Disconnect};
use crate::registry::{Inner, Rooms};

/// The largest client frame (or fragmented message) accepted (contract §6.8).
pub const MAX_CLIENT_MESSAGE: usize = 4096;

/// How the loop ended.
#[derive(Debug)]
enum Exit {
    /// Send this close frame, then end.
    Close(Option<actix_ws::CloseReason>, Disconnect),
    /// End without a close frame.
    Drop(DropCause),
}

/// Why a connection ended without a close frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DropCause {
    /// The inbound stream ended.
    PeerGone,
    /// The client broke the WebSocket protocol.
    ProtocolError,
    /// No inbound frame within `pong_timeout` of a ping.
    NoPong,
    /// A session call made no progress within `send_timeout`.
    WriteStalled,
    /// The session was already closed (the response body is gone).
    SessionClosed,
}

impl DropCause {
    const fn metric(self) -> Disconnect {
        match self {
            Self::PeerGone => Disconnect::PeerGone,
            Self::ProtocolError => Disconnect::ProtocolError,
            Self::NoPong => Disconnect::NoPong,
            Self::WriteStalled => Disconnect::WriteStalled,
            Self::SessionClosed => Disconnect::SessionClosed,
        }
    }
}

/// Counts the running connection tasks (`RoomStats::tasks`).
struct TaskGuard(Arc<Inner>);

impl TaskGuard {
    fn new(inner: &Arc<Inner>) -> Self {
        inner.tasks.fetch_add(1, Ordering::AcqRel);
        Self(Arc::clone(inner))
    }
}

impl Drop for TaskGuard {
    fn drop(&mut self) {
        self.0.tasks.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Serves one admitted socket until it closes; spawn it with `actix_web::rt::spawn` right after
/// the upgrade (the future is not `Send`: the message stream belongs to the worker's
/// connection).
pub async fn serve(
    admission: Admission,
    mut session: Session,
    stream: MessageStream,
    rooms: Rooms,
) {
    let _task = TaskGuard::new(&rooms.inner);
    let config = &rooms.inner.config;
    let send_timeout = config.send_timeout;
    let counters = &rooms.inner.counters;
    let Admission {
        first,
        mut subscription,
    } = admission;
    let event_id: Box<str> = subscription.event_id().into();
    let request_id: Box<str> = subscription.request_id().into();
    tracing::debug!(%event_id, %request_id, "WebSocket connected");

    let exit = 'serve: {
        for frame in first {
            if let Err(why) = send_frame(&mut session, frame, send_timeout, counters).await {
                break 'serve Exit::Drop(why);
            }
        }

        let mut stream = stream.max_frame_size(MAX_CLIENT_MESSAGE);
        let mut fragments: usize = 0;
        let period = config.ping_period();
        let mut ping = interval_at(Instant::now() + period, period);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut pong_deadline: Option<Instant> = None;

        loop {
            tokio::select! {
                biased;
                inbound = stream.recv() => {
                    let msg = match inbound {
                        Some(Ok(msg)) => msg,
                        Some(Err(ProtocolError::Overflow)) => break too_big(),
                        Some(Err(_)) => break Exit::Drop(DropCause::ProtocolError),
                        None => break Exit::Drop(DropCause::PeerGone),
                    };
                    // Any inbound frame proves the peer alive.
                    pong_deadline = None;
                    match msg {
                        Message::Ping(payload) => {
                            if let Err(why) = timed(session.pong(&payload), send_timeout).await {
                                break Exit::Drop(why);
                            }
                        }
                        Message::Close(reason) => {
                            break Exit::Close(reason.map(|r| actix_ws::CloseReason {
                                code: r.code,
                                description: None,
                            }), Disconnect::ClientClose);
                        }
                        Message::Continuation(item) => {
                            fragments = match item {
                                Item::FirstText(b) | Item::FirstBinary(b) => b.len(),
                                Item::Continue(b) | Item::Last(b) => {
                                    fragments.saturating_add(b.len())
                                }
                            };
                            if fragments > MAX_CLIENT_MESSAGE {
                                break too_big();
                            }
                        }
                        // Pongs and client chatter: nothing to do, never echoed.
                        Message::Text(_) | Message::Binary(_) | Message::Pong(_) | Message::Nop => {}
                    }
                }
                () = sleep_until(pong_deadline.unwrap_or_else(Instant::now)),
                    if pong_deadline.is_some() => break Exit::Drop(DropCause::NoPong),
                _ = ping.tick() => {
                    // An unanswered earlier ping keeps its deadline.
                    pong_deadline.get_or_insert_with(|| Instant::now() + config.pong_timeout);
                    if let Err(why) = timed(session.ping(b""), send_timeout).await {
                        break Exit::Drop(why);
                    }
                }
                next = subscription.next() => match next {
                    Next::Frame(frame) => {
                        if let Err(why) = send_frame(&mut session, frame, send_timeout, counters).await {
                            break Exit::Drop(why);
                        }
                    }
                    Next::Closed(reason) => {
                        break Exit::Close(reason.map(CloseReason::frame), Disconnect::RoomClosed);
                    }
                },
            }
        }
    };

    match exit {
        Exit::Close(reason, why) => {
            counters.disconnected(why);
            tracing::debug!(%event_id, %request_id, ?reason, "WebSocket closed");
            let _ = timeout(send_timeout, session.close(reason)).await;
        }
        Exit::Drop(DropCause::WriteStalled) => {
            counters.disconnected(Disconnect::WriteStalled);
            tracing::warn!(%event_id, %request_id, "WebSocket dropped: write stalled");
        }
        Exit::Drop(cause) => {
            counters.disconnected(cause.metric());
            tracing::debug!(%event_id, %request_id, ?cause, "WebSocket dropped");
        }
    }
    // `subscription` (and its leave guard) drops here, after the close frame was handed over.
}

/// Closes a socket that was upgraded but never joined its room with 1011 `Internal server
/// error` (contract §6.9): the event is visible, but its first frame could not be composed.
/// The client reconnects with backoff; no slot was taken. The inbound stream is held until the
/// close is written.
pub async fn close_internal_error(session: Session, stream: MessageStream, rooms: Rooms) {
    let reason = actix_ws::CloseReason {
        code: CloseCode::Error,
        description: Some("Internal server error".to_owned()),
    };
    if timeout(rooms.config().send_timeout, session.close(Some(reason)))
        .await
        .is_err()
    {
        tracing::debug!("1011 close not written: write stalled");
    }
    drop(stream);
}

fn too_big() -> Exit {
    Exit::Close(
        Some(actix_ws::CloseReason {
            code: CloseCode::Size,
            description: Some("Message too big".to_owned()),
        }),
        Disconnect::TooBig,
    )
}

/// Writes one frame, bounded by `limit`, and counts it: a live frame on its delivery record
/// (one atomic pair, `crate::metrics`), any other directly.
///
/// The frame goes out whole: the patched actix-http (vendor/README.md) releases a connection's
/// write buffer once it is flushed, so a large `full` costs memory only while it is in flight.
async fn send_frame(
    session: &mut Session,
    frame: Frame,
    limit: Duration,
    counters: &Counters,
) -> Result<(), DropCause> {
    let Frame {
        text,
        kind,
        delivery,
        ..
    } = frame;
    send_text(session, text, limit).await?;
    match delivery {
        Some(delivery) => delivery.written(),
        None => counters.frames_sent(kind, 1),
    }
    Ok(())
}

/// Writes one text message, bounded by `limit`.
async fn send_text(
    session: &mut Session,
    text: ByteString,
    limit: Duration,
) -> Result<(), DropCause> {
    timed(session.text(text), limit).await
}

/// One session call, bounded by `send_timeout`.
async fn timed<F>(call: F, limit: Duration) -> Result<(), DropCause>
where
    F: Future<Output = Result<(), actix_ws::Closed>>,
{
    match timeout(limit, call).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(actix_ws::Closed)) => Err(DropCause::SessionClosed),
        Err(_) => Err(DropCause::WriteStalled),
    }
}
