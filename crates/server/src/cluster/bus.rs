//! The frame bus of cluster mode: one NATS JetStream stream that carries every frame any
//! instance commits to every other instance.
//!
//! # Stream
//!
//! One stream (`NATS_STREAM`, default `LIVE_FRAMES`) over the subjects `<prefix>.>`
//! (`NATS_SUBJECT_PREFIX`, default `live.frames`), one subject per event: `<prefix>.<events.id>`
//! (the database key, never reused, unlike the public id). Limits, so that the stream holds what a
//! hub's resume ring holds and no more:
//!
//! - `max_messages_per_subject = WS_RESUME_FRAMES`, `max_age = WS_RESUME_SECS`, discard old: the
//!   newest frames of each event, no older than a resume may ask for;
//! - file storage: a restarted NATS server still has the frames a gap may need;
//! - `duplicate_window = min(max_age, 2 min)`: a publish retried after a lost `PubAck` is stored once.
//!
//! The bus creates the stream, or updates it to the configuration, before its first use on each
//! connection (publish, subscription or backlog): a NATS server restarted without its store has
//! lost it.
//!
//! # Message = one frame
//!
//! Headers (NATS headers are text lines: every value here is printable ASCII, which event ids
//! (DV38), epochs (hex) and statuses are; [`Bus::publish`] refuses anything else):
//!
//! | header | value | why |
//! |---|---|---|
//! | `Nats-Msg-Id` | `<pk>:<epoch>:<seq>` | JetStream's deduplication key: a frame published twice (a retry) is stored once |
//! | `Live-Event` | the event's public id | the follower finds the room without a database read |
//! | `Live-Epoch` | the event's epoch | seqs restart at 0 in a new epoch: (epoch, seq) is the frame's identity |
//! | `Live-Seq` | the frame's seq (decimal) | the follower delivers in seq order and sees gaps without parsing the frame |
//! | `Live-Kind` | `full`, `results`, `oncourse`, `status`, `refresh` or `deleted` | how the follower applies it (a `full`/`status` also replaces the cached full data; `deleted` closes the room) |
//! | `Live-Status` | the event's status after the frame (status frames; absent otherwise) | status frames change what the room accepts; read without parsing JSON |
//! | `Live-Frame-Len` | byte length of the frame part of the payload | splits the payload |
//!
//! Payload: the exact WebSocket text of the frame (the bytes every spectator receives, so a
//! resume replays the same bytes on every instance), followed, for `full` and `status` frames, by
//! the new cached `full` data. Nothing is parsed or re-encoded on the way. An empty `full_data`
//! travels as none (the two cannot be told apart; the full data is never empty).
//!
//! # Consumers
//!
//! [`Bus::subscribe`]: one ordered push consumer per instance (ephemeral, no acks, flow control
//! and idle heartbeats), `DeliverPolicy::New`: an instance that (re)starts does not replay the
//! stream; it loads its hubs from the database. When the consumer has to be re-created (the
//! connection came back, a heartbeat was missed, the consumer was lost) it starts again at
//! "new" and [`BusEvent::Reconnected`] tells the follower that frames may have been missed, so it
//! resyncs from the database. [`Bus::backlog`]: a short-lived ordered consumer over one event's
//! subject, `DeliverPolicy::All`, to fill a gap or a resume ring.
//!
//! NATS being down never stops REST or ingest: [`Bus::connect`] connects in the background,
//! [`Bus::publish`] and [`Bus::backlog`] fail within their timeout with [`BusError::Unavailable`].

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_nats::jetstream::{self, consumer::DeliverPolicy, consumer::push::OrderedConfig};
use async_nats::{HeaderMap, header::NATS_MESSAGE_ID};
use bytes::Bytes;
use futures_util::StreamExt;
use tokio::sync::{mpsc, watch};

use crate::config::redact_nats_url;

/// Where and how the bus runs. `Debug` hides the URL's credentials.
#[derive(Clone)]
pub(crate) struct BusConfig {
    /// `NATS_URL` (one URL or several, comma-separated).
    pub url: String,
    /// `NATS_STREAM`.
    pub stream: String,
    /// `NATS_SUBJECT_PREFIX`.
    pub subject_prefix: String,
    /// `WS_RESUME_FRAMES`: frames kept per event.
    pub max_frames_per_event: i64,
    /// `WS_RESUME_SECS`: age limit of the kept frames.
    pub max_age: Duration,
    /// `NATS_PUBLISH_TIMEOUT_MS`: longest wait for a `PubAck`; also bounds each JetStream API
    /// request (at least 1 s) and, three times over, a whole backlog read.
    pub publish_timeout: Duration,
}

impl fmt::Debug for BusConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BusConfig")
            .field("url", &redact_nats_url(&self.url))
            .field("stream", &self.stream)
            .field("subject_prefix", &self.subject_prefix)
            .field("max_frames_per_event", &self.max_frames_per_event)
            .field("max_age", &self.max_age)
            .field("publish_timeout", &self.publish_timeout)
            .finish()
    }
}

/// What a frame is, as far as the follower needs to know (`Live-Kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum BusKind {
    /// `{"type":"full",…}`.
    Full,
    /// A results diff.
    Results,
    /// An on-course diff.
    Oncourse,
    /// A status diff.
    Status,
    /// `{"type":"refresh",…}`.
    Refresh,
    /// The event was deleted: the room closes.
    Deleted,
}

impl BusKind {
    /// The `Live-Kind` value.
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Results => "results",
            Self::Oncourse => "oncourse",
            Self::Status => "status",
            Self::Refresh => "refresh",
            Self::Deleted => "deleted",
        }
    }

    /// Parses a `Live-Kind` value.
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        Some(match raw {
            "full" => Self::Full,
            "results" => Self::Results,
            "oncourse" => Self::Oncourse,
            "status" => Self::Status,
            "refresh" => Self::Refresh,
            "deleted" => Self::Deleted,
            _ => return None,
        })
    }
}

/// One frame on the bus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BusFrame {
    /// `events.id`.
    pub event_pk: i32,
    /// The event's public id.
    pub event_id: String,
    /// The epoch the frame is numbered in.
    pub epoch: String,
    /// The frame's seq.
    pub seq: u64,
    /// What the frame is.
    pub kind: BusKind,
    /// The event's status after the frame, when it changed it.
    pub status: Option<String>,
    /// The exact WebSocket text.
    pub frame: Bytes,
    /// The new cached `full` data (`Full` and `Status` frames).
    pub full_data: Option<Bytes>,
}

/// What the subscription hands to the follower.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BusEvent {
    /// A frame committed by some instance (this one included).
    Frame(BusFrame),
    /// The subscription was re-established after the connection or the consumer was lost:
    /// frames may have been missed, resync from the database.
    Reconnected,
}

/// A bus operation that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BusError {
    /// NATS (or its JetStream) is not reachable or did not answer in time.
    #[error("NATS unavailable: {0}")]
    Unavailable(String),
    /// NATS answered, with an error (a refused stream configuration, a message it rejects…).
    #[error("NATS bus error: {0}")]
    Other(String),
}

impl BusError {
    /// Whether NATS was unreachable or too slow (as opposed to refusing).
    pub(crate) const fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// The connection as the event callback reports it.
#[derive(Debug, Clone, Copy, Default)]
struct Link {
    connected: bool,
    /// Counts connections made (the first one included).
    generation: u64,
}

/// Frames the subscription may hold before the follower takes them.
const SUBSCRIBE_QUEUE: usize = 1024;
/// Longest pause between two attempts to re-create the subscription.
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Header names.
const H_EVENT: &str = "Live-Event";
const H_EPOCH: &str = "Live-Epoch";
const H_SEQ: &str = "Live-Seq";
const H_KIND: &str = "Live-Kind";
const H_STATUS: &str = "Live-Status";
const H_FRAME_LEN: &str = "Live-Frame-Len";

/// The bus: a NATS client, its JetStream context and the stream's configuration.
#[derive(Clone)]
pub(crate) struct Bus {
    inner: Arc<Inner>,
}

struct Inner {
    config: BusConfig,
    client: async_nats::Client,
    js: jetstream::Context,
    link: watch::Receiver<Link>,
    /// `generation + 1` of the connection on which the stream was last created or updated
    /// (0: not yet).
    stream_ready: AtomicU64,
}

impl fmt::Debug for Bus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bus")
            .field("config", &self.inner.config)
            .field("connected", &self.is_connected())
            .finish_non_exhaustive()
    }
}

impl Bus {
    /// Never fails because NATS is down: connects in the background (`retry_on_initial_connect`),
    /// so REST and ingest work without NATS. Fails only on a URL that does not parse.
    pub(crate) async fn connect(config: BusConfig) -> Result<Bus, BusError> {
        // The client takes a list, not a comma-separated string.
        let servers = config
            .url
            .split(',')
            .map(|part| part.trim().parse::<async_nats::ServerAddr>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| {
                BusError::Other(format!("NATS_URL {}: {err}", redact_nats_url(&config.url)))
            })?;
        let (link_tx, link) = watch::channel(Link::default());
        let link_tx = Arc::new(link_tx);
        let client = async_nats::ConnectOptions::new()
            .name("live-mini")
            .retry_on_initial_connect()
            // Unbounded reconnects (the default), each attempt bounded.
            .max_reconnects(None)
            .connection_timeout(config.publish_timeout.max(Duration::from_secs(1)))
            // A NATS host that vanishes without a reset is noticed after two unanswered pings.
            .ping_interval(Duration::from_secs(10))
            .event_callback(move |event| {
                let link_tx = Arc::clone(&link_tx);
                async move {
                    match event {
                        async_nats::Event::Connected => link_tx.send_modify(|l| {
                            l.connected = true;
                            l.generation += 1;
                        }),
                        async_nats::Event::Disconnected | async_nats::Event::Closed => {
                            link_tx.send_modify(|l| l.connected = false);
                        }
                        other => tracing::debug!(event = %other, "NATS event"),
                    }
                }
            })
            .connect(servers)
            .await
            .map_err(|err| {
                BusError::Other(format!("NATS_URL {}: {err}", redact_nats_url(&config.url)))
            })?;
        let js = jetstream::new(client.clone());
        Ok(Bus {
            inner: Arc::new(Inner {
                config,
                client,
                js,
                link,
                stream_ready: AtomicU64::new(0),
            }),
        })
    }

    /// Whether the client is connected to a NATS server right now.
    pub(crate) fn is_connected(&self) -> bool {
        self.inner.client.connection_state() == async_nats::connection::State::Connected
    }

    /// Publishes one frame to `<prefix>.<event_pk>` with `Nats-Msg-Id: <pk>:<epoch>:<seq>`
    /// (JetStream dedup) and awaits the `PubAck` within `publish_timeout`. Ensures the stream
    /// exists first (create or update to the config). While disconnected it waits for the
    /// connection (within the same timeout) rather than queueing the frame in the client.
    pub(crate) async fn publish(&self, frame: &BusFrame) -> Result<(), BusError> {
        let timeout = self.inner.config.publish_timeout;
        match tokio::time::timeout(timeout, self.publish_inner(frame)).await {
            Ok(result) => result,
            Err(_) => Err(BusError::Unavailable(format!(
                "no PubAck within {} ms",
                timeout.as_millis()
            ))),
        }
    }

    async fn publish_inner(&self, frame: &BusFrame) -> Result<(), BusError> {
        let (headers, payload) = encode(frame)?;
        let subject = self.subject(frame.event_pk);
        // Two rounds: a stream lost since it was ensured (a NATS server restarted without its
        // store) answers "no responders"; it is created again and the frame published once more.
        for round in 0..2 {
            self.wait_connected().await;
            self.ensure_stream().await?;
            let ack = self
                .inner
                .js
                .publish_with_headers(subject.clone(), headers.clone(), payload.clone())
                .await
                .map_err(|err| publish_error(&err))?
                .await;
            match ack {
                Ok(ack) => {
                    if ack.stream != self.inner.config.stream {
                        return Err(BusError::Other(format!(
                            "frame stored in stream {:?}, not {:?}: another stream claims {subject}",
                            ack.stream, self.inner.config.stream
                        )));
                    }
                    return Ok(());
                }
                Err(err)
                    if round == 0
                        && err.kind() == jetstream::context::PublishErrorKind::StreamNotFound =>
                {
                    self.inner.stream_ready.store(0, Ordering::Relaxed);
                }
                Err(err) => return Err(publish_error(&err)),
            }
        }
        Err(BusError::Other(format!(
            "stream {:?} not found",
            self.inner.config.stream
        )))
    }

    /// Starts the subscription task: one ordered push consumer (`DeliverPolicy::New`) over
    /// `<prefix>.>`, re-established after errors and reconnects (bounded backoff), each message
    /// decoded into a [`BusFrame`]. [`BusEvent::Reconnected`] comes when a consumer starts after
    /// anything that may have lost frames: a lost connection, a failed consumer, a failed
    /// attempt to create one; not for the first consumer, even when it waited for NATS to come
    /// up (hubs loaded meanwhile come from the database; anti-entropy covers frames that other
    /// instances published while only this one could not reach NATS).
    /// Messages that cannot be decoded are logged and skipped. The task ends when the receiver
    /// is dropped.
    ///
    /// Frames come in stream order, but the follower must still check epoch and seq: a frame
    /// can come twice, and right after a reconnect the client's own recovery may replay retained
    /// frames (older epochs included) before the consumer is re-created.
    pub(crate) fn subscribe(&self) -> mpsc::Receiver<BusEvent> {
        let (tx, rx) = mpsc::channel(SUBSCRIBE_QUEUE);
        let bus = self.clone();
        tokio::spawn(async move { bus.run_subscription(tx).await });
        rx
    }

    async fn run_subscription(self, tx: mpsc::Sender<BusEvent>) {
        let mut link = self.inner.link.clone();
        // Set by anything that may have lost frames (a failed attempt, a lost connection or
        // consumer); the next consumer that starts is then announced with `Reconnected`.
        let mut interrupted = false;
        let mut failures: u32 = 0;
        loop {
            if failures > 0 {
                tokio::select! {
                    () = tx.closed() => return,
                    () = tokio::time::sleep(backoff(failures)) => {}
                }
            }
            tokio::select! {
                () = tx.closed() => return,
                ok = wait_link(&mut link, |l| l.connected) => if !ok { return },
            }
            let generation = link.borrow().generation;
            let mut messages = match self.open_consumer().await {
                Ok(messages) => messages,
                Err(err) => {
                    tracing::warn!(error = %err, "NATS bus: subscription not established; retrying");
                    failures = failures.saturating_add(1);
                    interrupted = true;
                    continue;
                }
            };
            if interrupted {
                tracing::info!("NATS bus: subscription re-established");
                if tx.send(BusEvent::Reconnected).await.is_err() {
                    return;
                }
            }
            // Every way out of the loop below (but the receiver going) may lose frames.
            interrupted = true;
            failures = 0;
            loop {
                tokio::select! {
                    biased;
                    () = tx.closed() => return,
                    ok = wait_link(&mut link, |l| !l.connected || l.generation != generation) => {
                        if !ok { return }
                        tracing::warn!("NATS bus: connection lost; the subscription will be re-created");
                        break;
                    }
                    message = messages.next() => match message {
                        Some(Ok(message)) => match decode(&self.inner.config.subject_prefix, &message) {
                            Ok(frame) => {
                                if tx.send(BusEvent::Frame(frame)).await.is_err() {
                                    return;
                                }
                            }
                            Err(reason) => tracing::warn!(
                                subject = %message.subject,
                                reason,
                                "NATS bus: message skipped"
                            ),
                        },
                        Some(Err(err)) => {
                            tracing::warn!(error = %err, "NATS bus: subscription failed; re-creating it");
                            failures = 1;
                            break;
                        }
                        None => {
                            tracing::warn!("NATS bus: subscription ended; re-creating it");
                            failures = 1;
                            break;
                        }
                    },
                }
            }
        }
    }

    /// One ordered push consumer over the whole stream, from new messages on.
    async fn open_consumer(&self) -> Result<jetstream::consumer::push::Ordered, BusError> {
        let timeout = self.request_timeout();
        let open = async {
            self.ensure_stream().await?;
            let consumer = self
                .ordered_consumer(String::new(), DeliverPolicy::New)
                .await?;
            consumer
                .messages()
                .await
                .map_err(|err| BusError::Unavailable(err.to_string()))
        };
        tokio::time::timeout(timeout, open)
            .await
            .map_err(|_| BusError::Unavailable("consumer not created in time".to_owned()))?
    }

    /// An ordered push consumer on the stream, over `filter_subject` (all subjects when empty),
    /// from `deliver_policy`.
    async fn ordered_consumer(
        &self,
        filter_subject: String,
        deliver_policy: DeliverPolicy,
    ) -> Result<jetstream::consumer::Consumer<OrderedConfig>, BusError> {
        self.inner
            .js
            .create_consumer_on_stream(
                OrderedConfig {
                    deliver_subject: self.inner.client.new_inbox(),
                    filter_subject,
                    deliver_policy,
                    ..OrderedConfig::default()
                },
                &self.inner.config.stream,
            )
            .await
            .map_err(|err| {
                other_or_timeout(
                    &err,
                    err.kind() == jetstream::stream::ConsumerErrorKind::TimedOut,
                )
            })
    }

    /// Every retained frame of one event, in stream order (for a hub's resume ring and to fill
    /// gaps): a short-lived ordered consumer with `DeliverPolicy::All` filtered to the event's
    /// subject, read until nothing is pending. The whole read is bounded by three times
    /// `publish_timeout`; past it the result is [`BusError::Unavailable`], never a partial list.
    pub(crate) async fn backlog(&self, event_pk: i32) -> Result<Vec<BusFrame>, BusError> {
        let limit = self.inner.config.publish_timeout * 3;
        tokio::time::timeout(limit, self.backlog_inner(event_pk))
            .await
            .map_err(|_| {
                BusError::Unavailable(format!(
                    "backlog of event {event_pk} not read within {} ms",
                    limit.as_millis()
                ))
            })?
    }

    async fn backlog_inner(&self, event_pk: i32) -> Result<Vec<BusFrame>, BusError> {
        self.wait_connected().await;
        self.ensure_stream().await?;
        let consumer = self
            .ordered_consumer(self.subject(event_pk), DeliverPolicy::All)
            .await?;
        // Deleted when the read ends, however it ends (the timeout drops this future); left
        // alone, the server would drop it after 30 s without interest.
        let _cleanup = ConsumerCleanup {
            js: self.inner.js.clone(),
            stream: self.inner.config.stream.clone(),
            name: consumer.cached_info().name.clone(),
        };
        let pending = consumer.cached_info().num_pending;
        let mut frames = Vec::with_capacity(usize::try_from(pending).unwrap_or(0));
        if pending > 0 {
            let mut complete = false;
            let mut messages = consumer
                .messages()
                .await
                .map_err(|err| BusError::Unavailable(err.to_string()))?;
            while let Some(message) = messages.next().await {
                let message = message.map_err(|err| BusError::Unavailable(err.to_string()))?;
                let left = message
                    .info()
                    .map_err(|err| BusError::Other(format!("JetStream message info: {err}")))?
                    .pending;
                match decode(&self.inner.config.subject_prefix, &message) {
                    Ok(frame) => frames.push(frame),
                    Err(reason) => tracing::warn!(
                        subject = %message.subject,
                        reason,
                        "NATS bus: message skipped"
                    ),
                }
                if left == 0 {
                    complete = true;
                    break;
                }
            }
            if !complete {
                return Err(BusError::Unavailable(format!(
                    "backlog of event {event_pk} ended before its last frame"
                )));
            }
        }
        Ok(frames)
    }

    /// Deletes the stream (tests; `live-mini` never calls it in production paths).
    #[cfg(test)]
    pub(crate) async fn delete_stream(&self) -> Result<(), BusError> {
        let timeout = self.request_timeout();
        let delete = async {
            self.wait_connected().await;
            self.inner
                .js
                .delete_stream(&self.inner.config.stream)
                .await
                .map_err(|err| BusError::Other(err.to_string()))
        };
        tokio::time::timeout(timeout, delete)
            .await
            .map_err(|_| BusError::Unavailable("stream not deleted in time".to_owned()))??;
        self.inner.stream_ready.store(0, Ordering::Relaxed);
        Ok(())
    }

    /// Creates the stream, or updates it to the configuration, once per connection.
    async fn ensure_stream(&self) -> Result<(), BusError> {
        let generation = self.inner.link.borrow().generation;
        if self.inner.stream_ready.load(Ordering::Relaxed) == generation + 1 {
            return Ok(());
        }
        let config = &self.inner.config;
        let stream = jetstream::stream::Config {
            name: config.stream.clone(),
            description: Some("live-mini frames (cluster mode)".to_owned()),
            subjects: vec![format!("{}.>", config.subject_prefix)],
            max_messages_per_subject: config.max_frames_per_event,
            max_age: config.max_age,
            discard: jetstream::stream::DiscardPolicy::Old,
            storage: jetstream::stream::StorageType::File,
            duplicate_window: config.max_age.min(Duration::from_mins(2)),
            ..jetstream::stream::Config::default()
        };
        self.inner
            .js
            .create_or_update_stream(stream)
            .await
            .map_err(|err| {
                use jetstream::context::CreateStreamErrorKind as Kind;
                let unavailable = matches!(err.kind(), Kind::TimedOut | Kind::JetStreamUnavailable);
                other_or_timeout(&err, unavailable)
            })?;
        self.inner
            .stream_ready
            .store(generation + 1, Ordering::Relaxed);
        Ok(())
    }

    /// Waits for a connection; the callers bound the wait with their own timeout.
    async fn wait_connected(&self) {
        let mut link = self.inner.link.clone();
        wait_link(&mut link, |l| l.connected).await;
    }

    fn subject(&self, event_pk: i32) -> String {
        format!("{}.{event_pk}", self.inner.config.subject_prefix)
    }

    /// Bound of one JetStream API round trip.
    fn request_timeout(&self) -> Duration {
        self.inner
            .config
            .publish_timeout
            .max(Duration::from_secs(1))
    }
}

/// Deletes a short-lived consumer when dropped, without waiting for the answer.
struct ConsumerCleanup {
    js: jetstream::Context,
    stream: String,
    name: String,
}

impl Drop for ConsumerCleanup {
    fn drop(&mut self) {
        let js = self.js.clone();
        let stream = std::mem::take(&mut self.stream);
        let name = std::mem::take(&mut self.name);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                js.delete_consumer_from_stream(&name, &stream).await.ok();
            });
        }
    }
}

/// Waits until the link satisfies `pred`; false when the client is gone.
async fn wait_link(link: &mut watch::Receiver<Link>, pred: impl FnMut(&Link) -> bool) -> bool {
    link.wait_for(pred).await.is_ok()
}

/// 200 ms, 400 ms, … up to [`MAX_BACKOFF`].
fn backoff(failures: u32) -> Duration {
    let ms = 100u64.saturating_mul(1 << failures.min(10));
    Duration::from_millis(ms).min(MAX_BACKOFF)
}

fn other_or_timeout(err: &dyn fmt::Display, unavailable: bool) -> BusError {
    if unavailable {
        BusError::Unavailable(err.to_string())
    } else {
        BusError::Other(err.to_string())
    }
}

fn publish_error(err: &jetstream::context::PublishError) -> BusError {
    use jetstream::context::PublishErrorKind as Kind;
    let unavailable = matches!(
        err.kind(),
        Kind::TimedOut | Kind::BrokenPipe | Kind::MaxAckPending
    );
    other_or_timeout(&err, unavailable)
}

/// Headers and payload of one frame (the wire format in the module doc).
fn encode(frame: &BusFrame) -> Result<(HeaderMap, Bytes), BusError> {
    let texts = [
        Some(&frame.event_id),
        Some(&frame.epoch),
        frame.status.as_ref(),
    ];
    if let Some(bad) = texts
        .into_iter()
        .flatten()
        .find(|v| v.is_empty() || !v.bytes().all(|b| b.is_ascii_graphic()))
    {
        return Err(BusError::Other(format!(
            "{bad:?} cannot travel in a NATS header (printable ASCII, not empty)"
        )));
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        NATS_MESSAGE_ID,
        format!("{}:{}:{}", frame.event_pk, frame.epoch, frame.seq).as_str(),
    );
    headers.insert(H_EVENT, frame.event_id.as_str());
    headers.insert(H_EPOCH, frame.epoch.as_str());
    headers.insert(H_SEQ, frame.seq.to_string().as_str());
    headers.insert(H_KIND, frame.kind.as_str());
    if let Some(status) = &frame.status {
        headers.insert(H_STATUS, status.as_str());
    }
    headers.insert(H_FRAME_LEN, frame.frame.len().to_string().as_str());
    let payload = match &frame.full_data {
        Some(full) if !full.is_empty() => {
            let mut joined = Vec::with_capacity(frame.frame.len() + full.len());
            joined.extend_from_slice(&frame.frame);
            joined.extend_from_slice(full);
            Bytes::from(joined)
        }
        _ => frame.frame.clone(),
    };
    Ok((headers, payload))
}

/// The frame a message carries, or why it carries none.
fn decode(prefix: &str, message: &async_nats::Message) -> Result<BusFrame, String> {
    let event_pk = message
        .subject
        .as_str()
        .strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|pk| pk.parse::<i32>().ok())
        .ok_or_else(|| format!("subject {} is not {prefix}.<event pk>", message.subject))?;
    let headers = message.headers.as_ref().ok_or("no headers")?;
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| v.as_str().to_owned())
            .ok_or_else(|| format!("no {name} header"))
    };
    let seq = header(H_SEQ)?
        .parse::<u64>()
        .map_err(|_| format!("{H_SEQ} is not a number"))?;
    let kind_raw = header(H_KIND)?;
    let kind = BusKind::parse(&kind_raw).ok_or_else(|| format!("unknown {H_KIND} {kind_raw:?}"))?;
    let frame_len = header(H_FRAME_LEN)?
        .parse::<usize>()
        .ok()
        .filter(|len| *len <= message.payload.len())
        .ok_or_else(|| format!("{H_FRAME_LEN} is not a length within the payload"))?;
    let rest = message.payload.slice(frame_len..);
    Ok(BusFrame {
        event_pk,
        event_id: header(H_EVENT)?,
        epoch: header(H_EPOCH)?,
        seq,
        kind,
        status: headers.get(H_STATUS).map(|v| v.as_str().to_owned()),
        frame: message.payload.slice(..frame_len),
        full_data: (!rest.is_empty()).then_some(rest),
    })
}

#[cfg(test)]
mod tests;
