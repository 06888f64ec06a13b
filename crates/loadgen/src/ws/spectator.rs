//! One simulated spectator: a task that holds a WebSocket to the event, checks every frame, and
//! records delivery latency against the request that caused the frame.
//!
//! Per-connection memory is kept small for 10 000+ spectators in one process: one task, an 8 KiB
//! read buffer, a few counters; frames are read with [`super::peek`] and dropped. Only the
//! verifier spectators parse frames fully into their [`ResultsMirror`].

use std::collections::HashSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use live_domain::EventStatus;
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{WebSocketStream, client_async_with_config};

use super::frame::{DiffKind, peek};
use super::mirror::ResultsMirror;
use super::seq::{FrameType, SeqChecker, SeqTally, SeqVerdict, classify_first_frame, format_epoch};
use crate::failover::{FailoverRecord, MAX_ATTEMPTS, MAX_FAILOVERS, backoff, jitter};
use crate::latency::Recorder;
use crate::slots::{ReqKind, Slots};
use crate::target::failover_target;

/// Violation descriptions kept per spectator (the count is exact).
const MAX_EXAMPLES: usize = 3;
/// Read buffer per connection: frames are small; larger ones grow the buffer as needed.
/// tungstenite 0.27 zero-fills up to this many bytes before every `read` (also the ones that
/// return `WouldBlock`), so a large value costs a memset per wake-up: at 8 KiB that memset was
/// ~10 % of the generator's CPU with 10 000 spectators.
const READ_BUFFER: usize = 2 * 1024;
/// `last_seq` before any frame.
const NO_SEQ: u64 = u64::MAX;
/// "Never" for timers that are not armed.
const NEVER: Duration = Duration::from_hours(10 * 365 * 24);

/// One instance the spectators connect to.
#[derive(Debug, Clone)]
pub(crate) struct WsTarget {
    /// Server address.
    pub(crate) addr: SocketAddr,
    /// `Host` for the handshake.
    pub(crate) host: String,
}

/// What was delivered through one target (kept only when there are several).
#[derive(Debug)]
pub(crate) struct TargetStats {
    /// Latency of every delivery to a reading spectator on this target.
    pub(crate) each: Recorder,
    /// Per slot of the feed: latest delivery on this target, ns since the clock base (0 = none).
    pub(crate) last: Box<[AtomicU64]>,
    /// Gaps, numbers missing and duplicates seen on this target's connections.
    pub(crate) gaps: AtomicU64,
    pub(crate) missing: AtomicU64,
    pub(crate) duplicates: AtomicU64,
}

impl TargetStats {
    /// Empty statistics for a feed of `slots` requests.
    pub(crate) fn new(slots: usize) -> Self {
        Self {
            each: Recorder::new(),
            last: (0..slots).map(|_| AtomicU64::new(0)).collect(),
            gaps: AtomicU64::new(0),
            missing: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
        }
    }

    /// The gaps and duplicates counted so far.
    pub(crate) fn tally(&self) -> SeqTally {
        SeqTally {
            gaps: self.gaps.load(Ordering::Acquire),
            missing: self.missing.load(Ordering::Acquire),
            duplicates: self.duplicates.load(Ordering::Acquire),
        }
    }

    fn add(&self, t: SeqTally) {
        self.gaps.fetch_add(t.gaps, Ordering::AcqRel);
        self.missing.fetch_add(t.missing, Ordering::AcqRel);
        self.duplicates.fetch_add(t.duplicates, Ordering::AcqRel);
    }
}

/// What every spectator task shares.
#[derive(Debug)]
pub(crate) struct Spectators {
    /// The instances, spectator plans index into it (one for a single-target run).
    pub(crate) targets: Vec<WsTarget>,
    /// Per target, when there are several (empty otherwise).
    pub(crate) per_target: Vec<TargetStats>,
    /// Time from an unexpected drop until connected again (`kill-storm`).
    pub(crate) reconnected: Recorder,
    /// The successful attempt's TCP connect and handshake alone (no backoff) after such a drop.
    pub(crate) handshake: Recorder,
    /// Spectators between an unexpected drop and a new connection (or giving up).
    pub(crate) reconnecting: AtomicUsize,
    /// Seed of the reconnection jitter.
    pub(crate) seed: u64,
    /// `/api/v1/events/<id>/ws`.
    pub(crate) path: String,
    /// The run's clock base.
    pub(crate) base: Instant,
    /// Hash of the event id.
    pub(crate) event_hash: u64,
    /// Hashes of the event's race ids.
    pub(crate) races: HashSet<u64>,
    /// The measured feed's schedule.
    pub(crate) slots: std::sync::Arc<Slots>,
    /// Latency of every delivery to a reading spectator.
    pub(crate) fast: Recorder,
    /// Latency of every delivery to a slow (stalling) spectator.
    pub(crate) slow: Recorder,
    /// Time from a planned drop until back in sync.
    pub(crate) sync: Recorder,
    /// Attribute frames without a tag to the latest request of their kind (booth, XML).
    pub(crate) attribute_untagged: bool,
    /// Per spectator, readable while the run goes on.
    pub(crate) live: Vec<Live>,
    /// The verifiers' results state, one per verifier.
    pub(crate) mirrors: Vec<Mutex<ResultsMirror>>,
    /// `true` asks every spectator to close and end.
    pub(crate) stop: watch::Receiver<bool>,
    /// When the scenario's phase started; stall and drop plans are relative to it.
    pub(crate) phase: watch::Receiver<Option<Instant>>,
    /// Bound of a connect or a close handshake.
    pub(crate) timeout: Duration,
    /// Connection attempts finished (success or failure).
    pub(crate) attempts: AtomicUsize,
}

/// A spectator's state visible to the coordinator.
#[derive(Debug, Default)]
pub(crate) struct Live {
    last_seq: AtomicU64,
    connected: AtomicBool,
    status: AtomicU8,
    synced: AtomicBool,
}

impl Live {
    /// A spectator that has not received anything yet.
    pub(crate) fn new() -> Self {
        Self {
            last_seq: AtomicU64::new(NO_SEQ),
            ..Self::default()
        }
    }

    /// Last `seq` received.
    pub(crate) fn last_seq(&self) -> Option<u64> {
        Some(self.last_seq.load(Ordering::Acquire)).filter(|&s| s != NO_SEQ)
    }

    /// Whether a connection is open.
    pub(crate) fn connected(&self) -> bool {
        self.connected.load(Ordering::Acquire)
    }

    /// The event status last announced to it.
    pub(crate) fn status(&self) -> Option<EventStatus> {
        let i = usize::from(self.status.load(Ordering::Acquire));
        i.checked_sub(1)
            .and_then(|i| EventStatus::ALL.get(i).copied())
    }

    /// Whether it is back in sync after its planned drop.
    pub(crate) fn synced(&self) -> bool {
        self.synced.load(Ordering::Acquire)
    }

    fn set_status(&self, status: EventStatus) {
        let i = EventStatus::ALL
            .iter()
            .position(|s| *s == status)
            .unwrap_or(0);
        self.status
            .store(u8::try_from(i + 1).unwrap_or(0), Ordering::Release);
    }
}

/// How one spectator behaves, decided before the run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// Index in [`Spectators::live`].
    pub(crate) index: usize,
    /// When to connect, after the clock base.
    pub(crate) connect_at: Duration,
    /// Local address to bind (127.0.0.x beyond the first source's share).
    pub(crate) source: Option<IpAddr>,
    /// `SO_RCVBUF`, to make a stalled reader fill up quickly.
    pub(crate) recv_buffer: Option<u32>,
    /// Index into [`Spectators::mirrors`] for a verifier.
    pub(crate) mirror: Option<usize>,
    /// Counted as a slow spectator (its latency goes to the slow histogram).
    pub(crate) slow: bool,
    /// Stop reading at `.0` after the phase start, for `.1`.
    pub(crate) stall: Option<(Duration, Duration)>,
    /// Drop and reconnect.
    pub(crate) drop: Option<DropPlan>,
    /// Index into [`Spectators::targets`] of the first connection.
    pub(crate) target: usize,
    /// When the connection ends unexpectedly (EOF, reset, close other than 1000), reconnect
    /// like the spectator page: backoff with jitter, `since`, the other targets in turn.
    pub(crate) failover: bool,
}

/// A planned drop and reconnection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DropPlan {
    /// When, after the phase start.
    pub(crate) at: Duration,
    /// Close with a close frame (else just drop the TCP connection: FIN).
    pub(crate) close_frame: bool,
    /// Reconnect with `?since=<epoch>:<seq>`.
    pub(crate) resume: bool,
}

/// What one spectator saw.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// Its index.
    pub(crate) index: usize,
    /// Whether it was a slow spectator.
    pub(crate) slow: bool,
    /// Whether the first connection succeeded.
    pub(crate) connected: bool,
    /// Why the first connection failed.
    pub(crate) connect_error: Option<String>,
    /// Text frames received.
    pub(crate) frames: u64,
    /// Contract violations (sequence, shape).
    pub(crate) violations: u64,
    /// Up to [`MAX_EXAMPLES`] of them, described.
    pub(crate) examples: Vec<String>,
    /// Allowed resynchronisations.
    pub(crate) resyncs: u64,
    /// Frames carrying another event's ids.
    pub(crate) foreign: u64,
    /// Race ids beyond the per-frame capacity (not checked).
    pub(crate) unchecked_races: u64,
    /// How the connection ended.
    pub(crate) ending: String,
    /// The planned drop and reconnection, when there was one.
    pub(crate) reconnect: Option<Reconnect>,
    /// The target of the first connection.
    pub(crate) target: usize,
    /// Gaps and duplicates over all its connections.
    pub(crate) tally: SeqTally,
    /// Reconnections after unexpected drops (at most [`MAX_FAILOVERS`]).
    pub(crate) failovers: Vec<FailoverRecord>,
}

/// How a planned reconnection went.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reconnect {
    /// Whether it asked to resume with `since`.
    pub(crate) resumed: bool,
    /// Why reconnecting failed.
    pub(crate) error: Option<String>,
    /// Time from the drop until back in sync.
    pub(crate) synced_after: Option<Duration>,
}

impl Outcome {
    fn violation(&mut self, what: &str) {
        self.violations += 1;
        if self.examples.len() < MAX_EXAMPLES {
            self.examples
                .push(format!("spectator {}: {what}", self.index));
        }
    }
}

type Socket = WebSocketStream<TcpStream>;

/// Runs one spectator to its end.
pub(crate) async fn spectate(shared: std::sync::Arc<Spectators>, plan: Plan) -> Outcome {
    let mut watcher = Watcher::new(&shared, &plan);
    let tokio_base = tokio::time::Instant::from_std(shared.base);
    let mut stop = shared.stop.clone();
    tokio::select! {
        () = tokio::time::sleep_until(tokio_base + plan.connect_at) => {}
        () = crate::flag::raised(&mut stop) => {
            watcher.out.ending = "stopped before connecting".into();
            shared.attempts.fetch_add(1, Ordering::AcqRel);
            return watcher.out;
        }
    }
    let first = connect(&shared, &plan, plan.target, None).await;
    shared.attempts.fetch_add(1, Ordering::AcqRel);
    let mut ws = match first {
        Ok(ws) => ws,
        Err(e) => {
            watcher.out.connect_error = Some(e);
            watcher.out.ending = "never connected".into();
            return watcher.out;
        }
    };
    watcher.out.connected = true;
    watcher.checker.open_fresh();
    watcher.live.connected.store(true, Ordering::Release);

    let mut phase = shared.phase.clone();
    let mut waiting_phase = plan.stall.is_some() || plan.drop.is_some();
    let never = tokio::time::Instant::now() + NEVER;
    let stall_timer = tokio::time::sleep_until(never);
    let drop_timer = tokio::time::sleep_until(never);
    tokio::pin!(stall_timer, drop_timer);
    let mut stall_armed = false;
    let mut drop_armed = false;
    if let Some(start) = *phase.borrow_and_update() {
        arm(
            &plan,
            start,
            &mut stall_timer,
            &mut drop_timer,
            &mut stall_armed,
            &mut drop_armed,
        );
        waiting_phase = false;
    }

    let mut lost: Option<String> = None;
    loop {
        tokio::select! {
            biased;
            () = crate::flag::raised(&mut stop) => {
                close_gracefully(&mut ws, shared.timeout).await;
                watcher.out.ending = "closed by spectator".into();
                break;
            }
            changed = phase.changed(), if waiting_phase => {
                waiting_phase = false;
                let start = *phase.borrow_and_update();
                if let (Ok(()), Some(start)) = (changed, start) {
                    arm(&plan, start, &mut stall_timer, &mut drop_timer, &mut stall_armed, &mut drop_armed);
                }
            }
            () = &mut stall_timer, if stall_armed => {
                stall_armed = false;
                let length = plan.stall.map_or(Duration::ZERO, |(_, len)| len);
                tokio::select! {
                    () = tokio::time::sleep(length) => {}
                    () = crate::flag::raised(&mut stop) => {}
                }
            }
            () = &mut drop_timer, if drop_armed => {
                drop_armed = false;
                let Some(drop_plan) = plan.drop else { continue };
                match watcher.drop_and_reconnect(&shared, &plan, ws, drop_plan).await {
                    Some(new) => ws = new,
                    None => break,
                }
            }
            msg = ws.next() => match msg {
                Some(Ok(Message::Text(text))) => watcher.on_text(text.as_str()),
                Some(Ok(Message::Close(frame))) => {
                    let normal = frame.as_ref().is_some_and(|f| u16::from(f.code) == 1000);
                    let ending = frame.map_or_else(
                        || "close without code".to_owned(),
                        |f| format!("close {} {}", u16::from(f.code), f.reason),
                    );
                    if normal || !plan.failover {
                        watcher.out.ending = ending;
                        drain(&mut ws, shared.timeout).await;
                        break;
                    }
                    lost = Some(ending);
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => lost = Some(describe_error(&e)),
                None => lost = Some("EOF without close frame".into()),
            },
        }
        if let Some(why) = lost.take() {
            let may_retry = plan.failover
                && watcher.out.failovers.len() < MAX_FAILOVERS as usize
                && !*stop.borrow();
            if !may_retry {
                watcher.out.ending = why;
                break;
            }
            match watcher.fail_over(&shared, &plan, &mut stop, why).await {
                Some(new) => ws = new,
                None => break,
            }
        }
    }
    watcher.live.connected.store(false, Ordering::Release);
    watcher.out
}

/// Sets the stall and drop timers relative to the phase start.
fn arm(
    plan: &Plan,
    start: Instant,
    stall: &mut std::pin::Pin<&mut tokio::time::Sleep>,
    drop: &mut std::pin::Pin<&mut tokio::time::Sleep>,
    stall_armed: &mut bool,
    drop_armed: &mut bool,
) {
    let start = tokio::time::Instant::from_std(start);
    if let Some((at, _)) = plan.stall {
        stall.as_mut().reset(start + at);
        *stall_armed = true;
    }
    if let Some(d) = plan.drop {
        drop.as_mut().reset(start + d.at);
        *drop_armed = true;
    }
}

/// Per-spectator state across its connections.
struct Watcher<'a> {
    shared: &'a Spectators,
    live: &'a Live,
    mirror: Option<&'a Mutex<ResultsMirror>>,
    slow: bool,
    checker: SeqChecker,
    out: Outcome,
    /// Frames of a resumed connection are replays until it is in sync: no latency recorded.
    replaying: bool,
    /// While a planned reconnection waits to be in sync: (drop time, reconnect time), ns.
    awaiting_sync: Option<(u64, u64)>,
    /// The target of the open connection.
    target: usize,
    /// After a failover, until its first frame: classify that frame.
    awaiting_first: bool,
    /// The `since` seq the latest failover asked with (`None`: without).
    failover_since: Option<u64>,
    /// Whether the awaited sync belongs to the latest failover record.
    sync_is_failover: bool,
}

impl<'a> Watcher<'a> {
    fn new(shared: &'a Spectators, plan: &Plan) -> Self {
        let live = shared.live.get(plan.index).unwrap_or(&FALLBACK_LIVE);
        Self {
            shared,
            live,
            mirror: plan.mirror.and_then(|m| shared.mirrors.get(m)),
            slow: plan.slow,
            checker: SeqChecker::new(),
            out: Outcome {
                index: plan.index,
                slow: plan.slow,
                target: plan.target,
                ..Outcome::default()
            },
            replaying: false,
            awaiting_sync: None,
            target: plan.target,
            awaiting_first: false,
            failover_since: None,
            sync_is_failover: false,
        }
    }

    fn now_ns(&self) -> u64 {
        u64::try_from(self.shared.base.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Checks one text frame and records its latency.
    fn on_text(&mut self, text: &str) {
        let recv_ns = self.now_ns();
        self.out.frames += 1;
        let p = match peek(text) {
            Ok(p) => p,
            Err(e) => {
                self.out
                    .violation(&format!("frame {}: {e}", self.out.frames));
                return;
            }
        };
        let verdict = self.checker.on_frame(p.kind, p.seq, p.epoch);
        if std::mem::take(&mut self.awaiting_first)
            && let Some(record) = self.out.failovers.last_mut()
        {
            record.first = Some(classify_first_frame(self.failover_since, p.kind, p.seq));
        }
        let mut tally = SeqTally::default();
        tally.add(verdict);
        if !tally.is_clean() {
            self.out.tally.merge(tally);
            if let Some(stats) = self.shared.per_target.get(self.target) {
                stats.add(tally);
            }
        }
        if verdict.is_violation() {
            self.out
                .violation(&format!("{verdict:?} ({:?} seq {})", p.kind, p.seq));
        }
        if let SeqVerdict::Resync { .. } = verdict {
            self.out.resyncs += 1;
        }
        if let Some(last) = self.checker.last() {
            self.live.last_seq.store(last, Ordering::Release);
        }
        if p.event_hash.is_some_and(|h| h != self.shared.event_hash) {
            self.out.foreign += 1;
            self.out
                .violation(&format!("seq {}: full of another event", p.seq));
        }
        if p.races
            .as_slice()
            .iter()
            .any(|h| !self.shared.races.contains(h))
        {
            self.out.foreign += 1;
            self.out
                .violation(&format!("seq {}: race id of another event", p.seq));
        }
        self.out.unchecked_races += u64::from(p.races.overflow);
        if let Some(status) = p.status {
            self.live.set_status(status);
        }

        let slot = match (p.tag, verdict) {
            (Some(tag), SeqVerdict::InOrder | SeqVerdict::Start) => usize::try_from(tag).ok(),
            (None, SeqVerdict::InOrder) if self.shared.attribute_untagged => {
                let kind = match (p.kind, p.diff) {
                    (FrameType::Full, _) => Some(ReqKind::Xml),
                    (_, Some(DiffKind::Status)) => Some(ReqKind::Status),
                    (_, Some(DiffKind::Results)) => Some(ReqKind::Results),
                    (_, Some(DiffKind::Oncourse)) => Some(ReqKind::Oncourse),
                    _ => None,
                };
                kind.and_then(|k| self.shared.slots.latest(k))
            }
            _ => None,
        };
        if let Some((drop_ns, reconnected_ns)) = self.awaiting_sync {
            let sent_after_reconnect = slot
                .and_then(|k| self.shared.slots.get(k))
                .and_then(crate::slots::Slot::base_ns)
                .is_some_and(|b| b >= reconnected_ns);
            if p.kind == FrameType::Full || sent_after_reconnect {
                let after = Duration::from_nanos(recv_ns.saturating_sub(drop_ns));
                self.shared.sync.record(after);
                if self.sync_is_failover {
                    if let Some(r) = self.out.failovers.last_mut() {
                        r.synced_ns = Some(recv_ns);
                    }
                } else if let Some(r) = self.out.reconnect.as_mut() {
                    r.synced_after = Some(after);
                }
                self.live.synced.store(true, Ordering::Release);
                self.awaiting_sync = None;
                self.replaying = false;
            } else if self.sync_is_failover
                && let Some(r) = self.out.failovers.last_mut()
            {
                // Caused before the new connection opened: one of the missed frames.
                r.replayed += 1;
            }
        }
        // Replayed frames were delivered late on purpose; they say nothing about latency.
        let base = slot
            .filter(|_| !self.replaying)
            .and_then(|k| self.shared.slots.deliver(k, recv_ns));
        if let Some(base) = base {
            let latency = Duration::from_nanos(recv_ns.saturating_sub(base));
            if self.slow {
                self.shared.slow.record(latency);
            } else {
                self.shared.fast.record(latency);
                if let Some(stats) = self.shared.per_target.get(self.target) {
                    stats.each.record(latency);
                    if let Some(last) = slot.and_then(|k| stats.last.get(k)) {
                        last.fetch_max(recv_ns, Ordering::AcqRel);
                    }
                }
            }
        }
        if let Some(mirror) = self.mirror {
            mirror
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .apply(text);
        }
    }

    /// Drops the connection as planned and opens a new one; `None` when that failed.
    async fn drop_and_reconnect(
        &mut self,
        shared: &Spectators,
        plan: &Plan,
        mut ws: Socket,
        drop_plan: DropPlan,
    ) -> Option<Socket> {
        let drop_ns = self.now_ns();
        self.live.connected.store(false, Ordering::Release);
        if drop_plan.close_frame {
            close_gracefully(&mut ws, shared.timeout).await;
        }
        drop(ws);
        let since = if drop_plan.resume {
            self.checker.resume_point()
        } else {
            None
        };
        let mut reconnect = Reconnect {
            resumed: since.is_some(),
            ..Reconnect::default()
        };
        match connect(shared, plan, self.target, since).await {
            Ok(ws) => {
                match since {
                    Some((_, seq)) => {
                        self.checker.open_resumed(seq);
                        self.replaying = true;
                    }
                    None => self.checker.open_fresh(),
                }
                self.sync_is_failover = false;
                self.awaiting_sync = Some((drop_ns, self.now_ns()));
                self.live.connected.store(true, Ordering::Release);
                self.out.reconnect = Some(reconnect);
                Some(ws)
            }
            Err(e) => {
                self.out.ending = format!("reconnect failed: {e}");
                reconnect.error = Some(e);
                self.out.reconnect = Some(reconnect);
                None
            }
        }
    }
}

impl Watcher<'_> {
    /// After an unexpected end of the connection: waits like the spectator page (backoff with
    /// jitter), then reconnects with `since` to the other targets in turn, at most
    /// [`MAX_ATTEMPTS`] times. `None` when it gave up or the run is ending.
    async fn fail_over(
        &mut self,
        shared: &Spectators,
        plan: &Plan,
        stop: &mut watch::Receiver<bool>,
        why: String,
    ) -> Option<Socket> {
        let dropped_ns = self.now_ns();
        self.live.connected.store(false, Ordering::Release);
        shared.reconnecting.fetch_add(1, Ordering::AcqRel);
        let since = self.checker.resume_point();
        let from = self.target;
        let mut record = FailoverRecord {
            from,
            dropped_ns,
            with_since: since.is_some(),
            ..FailoverRecord::default()
        };
        let mut last_error = format!("dropped ({why}), no attempt made");
        let mut opened = None;
        for attempt in 0..MAX_ATTEMPTS {
            let wait = backoff(attempt, jitter(shared.seed, plan.index, attempt));
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = crate::flag::raised(stop) => {
                    "run ended while reconnecting".clone_into(&mut last_error);
                    break;
                }
            }
            let to = failover_target(
                plan.index,
                from,
                usize::try_from(attempt).unwrap_or(0),
                shared.targets.len(),
            );
            record.attempts = attempt + 1;
            let started = Instant::now();
            match connect(shared, plan, to, since).await {
                Ok(ws) => {
                    shared.handshake.record(started.elapsed());
                    opened = Some((ws, to));
                    break;
                }
                Err(e) => last_error = e,
            }
        }
        shared.reconnecting.fetch_sub(1, Ordering::AcqRel);
        let Some((ws, to)) = opened else {
            self.out.ending = format!("reconnect failed: {last_error}");
            record.error = Some(last_error);
            self.out.failovers.push(record);
            return None;
        };
        let now = self.now_ns();
        shared
            .reconnected
            .record(Duration::from_nanos(now.saturating_sub(dropped_ns)));
        record.to = Some(to);
        record.connected_ns = Some(now);
        self.out.failovers.push(record);
        match since {
            Some((_, seq)) => {
                self.checker.open_resumed(seq);
                self.replaying = true;
            }
            None => self.checker.open_fresh(),
        }
        self.awaiting_first = true;
        self.failover_since = since.map(|(_, seq)| seq);
        self.awaiting_sync = Some((dropped_ns, now));
        self.sync_is_failover = true;
        self.live.synced.store(false, Ordering::Release);
        self.target = to;
        self.live.connected.store(true, Ordering::Release);
        Some(ws)
    }
}

/// Used only if a plan's index is out of range (a coordinator bug), so a spectator never panics.
static FALLBACK_LIVE: Live = Live {
    last_seq: AtomicU64::new(NO_SEQ),
    connected: AtomicBool::new(false),
    status: AtomicU8::new(0),
    synced: AtomicBool::new(false),
};

/// Opens a TCP connection (bound to the plan's source address) and does the handshake.
async fn connect(
    shared: &Spectators,
    plan: &Plan,
    target: usize,
    since: Option<(u64, u64)>,
) -> Result<Socket, String> {
    let target = shared
        .targets
        .get(target)
        .or_else(|| shared.targets.first())
        .ok_or_else(|| "no target".to_owned())?;
    let attempt = async {
        let socket = match target.addr {
            SocketAddr::V4(_) => TcpSocket::new_v4(),
            SocketAddr::V6(_) => TcpSocket::new_v6(),
        }
        .map_err(|e| format!("socket: {}", e.kind()))?;
        // The source is an IPv4 loopback address; an IPv6 target keeps the kernel's choice.
        if let Some(source) = plan.source.filter(|s| s.is_ipv4() == target.addr.is_ipv4()) {
            socket
                .bind(SocketAddr::new(source, 0))
                .map_err(|e| format!("bind {source}: {}", e.kind()))?;
        }
        if let Some(size) = plan.recv_buffer {
            socket
                .set_recv_buffer_size(size)
                .map_err(|e| format!("SO_RCVBUF: {}", e.kind()))?;
        }
        let stream = socket
            .connect(target.addr)
            .await
            .map_err(|e| format!("connect: {}", e.kind()))?;
        stream
            .set_nodelay(true)
            .map_err(|e| format!("TCP_NODELAY: {}", e.kind()))?;
        let query = since.map_or_else(String::new, |(epoch, seq)| {
            format!("?since={}:{seq}", format_epoch(epoch))
        });
        let uri = format!("ws://{}{}{query}", target.host, shared.path);
        let config = WebSocketConfig::default()
            .read_buffer_size(READ_BUFFER)
            .write_buffer_size(0)
            .max_message_size(Some(16 << 20));
        client_async_with_config(uri, stream, Some(config))
            .await
            .map(|(ws, _)| ws)
            .map_err(|e| match e {
                WsError::Http(response) => format!("HTTP {}", response.status().as_u16()),
                other => format!("handshake: {}", describe_error(&other)),
            })
    };
    tokio::time::timeout(shared.timeout, attempt)
        .await
        .unwrap_or_else(|_| Err(format!("no handshake within {:?}", shared.timeout)))
}

/// Sends a close frame and waits (bounded) for the server's echo.
async fn close_gracefully(ws: &mut Socket, timeout: Duration) {
    let closing = async {
        if ws.send(Message::Close(None)).await.is_ok() {
            while let Some(Ok(_)) = ws.next().await {}
        }
    };
    let _ = tokio::time::timeout(timeout, closing).await;
}

/// Keeps reading after a received close so the automatic reply gets flushed.
async fn drain(ws: &mut Socket, timeout: Duration) {
    let _ = tokio::time::timeout(timeout, async {
        while let Some(Ok(_)) = ws.next().await {}
    })
    .await;
}

/// A short, aggregatable description of a WebSocket error.
fn describe_error(e: &WsError) -> String {
    match e {
        WsError::Io(io) => format!("I/O error: {}", io.kind()),
        WsError::Protocol(p) => format!("protocol error: {p}"),
        WsError::ConnectionClosed | WsError::AlreadyClosed => "connection closed".to_owned(),
        other => other.to_string(),
    }
}
