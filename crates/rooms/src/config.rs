//! Limits and timings of the rooms (contract §7, the `WS_*` variables).
//!
//! The server validates the environment (every value ≥ 1, `resume_frames ≥ send_queue`); this
//! crate still clamps the values it hands to tokio (a zero period or a zero-capacity channel
//! would panic there), so a bad configuration degrades instead of crashing.

use std::time::Duration;

/// The largest broadcast capacity handed to tokio: its buffer is allocated up front per event.
pub(crate) const MAX_CHANNEL_CAPACITY: usize = 1 << 16;

/// Room limits and timings, one field per `WS_*` variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomsConfig {
    /// `WS_MAX_PER_EVENT`: sockets one event may hold.
    pub max_per_event: usize,
    /// `WS_MAX_TOTAL`: sockets all events together may hold.
    pub max_total: usize,
    /// `WS_PING_SECS`: how often every socket is pinged.
    pub ping_interval: Duration,
    /// `WS_PONG_TIMEOUT_SECS`: a ping unanswered this long drops the socket.
    pub pong_timeout: Duration,
    /// `WS_SEND_QUEUE`: frames queued per socket before it is resynchronised.
    pub send_queue: usize,
    /// `WS_SEND_TIMEOUT_SECS`: a socket write stalled this long drops the socket.
    pub send_timeout: Duration,
    /// `WS_RESUME_FRAMES`: frames kept per event for resume.
    pub resume_frames: usize,
    /// `WS_RESUME_SECS`: age limit of the frames kept for resume.
    pub resume_age: Duration,
}

impl Default for RoomsConfig {
    /// The contract's defaults (§7).
    fn default() -> Self {
        Self {
            max_per_event: 10_000,
            max_total: 50_000,
            ping_interval: Duration::from_secs(30),
            pong_timeout: Duration::from_secs(10),
            send_queue: 64,
            send_timeout: Duration::from_secs(10),
            resume_frames: 256,
            resume_age: Duration::from_mins(5),
        }
    }
}

impl RoomsConfig {
    /// The broadcast capacity: tokio panics on 0 and allocates the buffer eagerly.
    pub(crate) fn channel_capacity(&self) -> usize {
        self.send_queue.clamp(1, MAX_CHANNEL_CAPACITY)
    }

    /// The queue limit a socket may reach before it is resynchronised (at least one frame).
    pub(crate) fn queue_limit(&self) -> usize {
        self.send_queue.max(1)
    }

    /// The ping period: `tokio::time::interval` panics on a zero period.
    pub(crate) fn ping_period(&self) -> Duration {
        self.ping_interval.max(Duration::from_millis(1))
    }
}
