//! Per-client-address limits of the WebSocket route: open sockets per address and a token
//! bucket of handshakes per address (config `CLIENT_WS_*`, reasoning in docs/RUNBOOK.md).
//!
//! The client address is the TCP peer, or — only when the peer is one of `TRUSTED_PROXIES` —
//! the right-most `X-Forwarded-For` entry that is not itself a trusted proxy ([`client_addr`]).
//! Entries left of that are whatever the client wrote and are never believed.
//!
//! Memory stays bounded: an address is forgotten once it holds no socket and its bucket has
//! refilled (it would behave exactly like a new one), swept whenever the table has doubled since
//! the last sweep; past [`MAX_TRACKED`] addresses a new one is admitted untracked (fail open:
//! a crowd that large is not one client, and the room caps still hold).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use actix_web::http::header::HeaderMap;

use crate::config::{ClientLimitsConfig, TrustedProxies};

/// Most addresses tracked at once (~100 bytes each).
pub(crate) const MAX_TRACKED: usize = 100_000;
/// The table is not swept below this size.
const MIN_SWEEP: usize = 1024;

/// The address a request is attributed to (see the module doc).
pub(crate) fn client_addr(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let peer = peer?.to_canonical();
    if trusted.is_empty() || !trusted.contains(peer) {
        return Some(peer);
    }
    // Every X-Forwarded-For line, in order, as one list; walked from the right (the hop
    // nearest to us). An entry that does not parse stops the walk: the hop that wrote it is
    // the last one we can name.
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Ok(ip) = entry.parse::<IpAddr>().map(|ip| ip.to_canonical()) else {
            break;
        };
        client = ip;
        if !trusted.contains(ip) {
            break;
        }
    }
    Some(client)
}

/// Why a handshake was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The address already holds `max` sockets.
    Connections {
        /// `CLIENT_WS_MAX_CONNECTIONS`.
        max: usize,
    },
    /// The address's bucket is empty; one token is back after `retry_after` seconds.
    Handshakes {
        /// Whole seconds, at least 1.
        retry_after: u64,
    },
}

#[derive(Debug)]
struct Entry {
    tokens: f64,
    refilled: Instant,
    open: usize,
}

#[derive(Debug)]
struct Table {
    entries: HashMap<IpAddr, Entry>,
    next_sweep: usize,
}

/// The per-address state. Cheap to share (`Arc`).
#[derive(Debug)]
pub(crate) struct ClientLimiter {
    config: ClientLimitsConfig,
    table: Mutex<Table>,
}

/// A socket's place in its address's count; given back on drop (on every exit path of the
/// connection task).
#[derive(Debug)]
pub(crate) struct ClientSlot {
    limiter: Arc<ClientLimiter>,
    addr: IpAddr,
}

impl Drop for ClientSlot {
    fn drop(&mut self) {
        let mut table = self.limiter.table();
        if let Some(entry) = table.entries.get_mut(&self.addr) {
            entry.open = entry.open.saturating_sub(1);
        }
    }
}

impl ClientLimiter {
    pub(crate) fn new(config: ClientLimitsConfig) -> Self {
        Self {
            config,
            table: Mutex::new(Table {
                entries: HashMap::new(),
                next_sweep: MIN_SWEEP,
            }),
        }
    }

    fn table(&self) -> MutexGuard<'_, Table> {
        // Plain counters: whatever panicked, the table stays usable.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn enabled(&self) -> bool {
        self.config.max_connections.is_some() || self.config.handshake_rate > 0
    }

    /// Addresses currently tracked (for `/metrics`).
    pub(crate) fn tracked(&self) -> usize {
        self.table().entries.len()
    }

    /// One handshake from `addr` at `now`: takes a token, then a place among the address's
    /// sockets. The place (if limits are on and the address is tracked) is held by the returned
    /// slot until it drops; a refused handshake still spent its token.
    pub(crate) fn admit(
        self: &Arc<Self>,
        addr: IpAddr,
        now: Instant,
    ) -> Result<Option<ClientSlot>, Refusal> {
        if !self.enabled() {
            return Ok(None);
        }
        let burst = f64::from(self.config.handshake_burst);
        let rate = f64::from(self.config.handshake_rate);
        let mut table = self.table();
        if !table.entries.contains_key(&addr) {
            if table.entries.len() >= table.next_sweep {
                table.entries.retain(|_, e| !idle(e, now, burst, rate));
                table.next_sweep = (table.entries.len() * 2).max(MIN_SWEEP);
            }
            if table.entries.len() >= MAX_TRACKED {
                return Ok(None);
            }
        }
        let entry = table.entries.entry(addr).or_insert(Entry {
            tokens: burst,
            refilled: now,
            open: 0,
        });
        if rate > 0.0 {
            refill(entry, now, burst, rate);
            if entry.tokens < 1.0 {
                let wait = (1.0 - entry.tokens) / rate;
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "a positive number of seconds, at most 1/rate"
                )]
                let retry_after = (wait.ceil() as u64).max(1);
                return Err(Refusal::Handshakes { retry_after });
            }
            entry.tokens -= 1.0;
        }
        if let Some(max) = self.config.max_connections
            && entry.open >= max.get()
        {
            return Err(Refusal::Connections { max: max.get() });
        }
        entry.open += 1;
        drop(table);
        Ok(Some(ClientSlot {
            limiter: Arc::clone(self),
            addr,
        }))
    }
}

fn refill(entry: &mut Entry, now: Instant, burst: f64, rate: f64) {
    let elapsed = now.saturating_duration_since(entry.refilled).as_secs_f64();
    entry.tokens = (entry.tokens + elapsed * rate).min(burst);
    entry.refilled = now;
}

/// An address with no socket and a full bucket is indistinguishable from a new one.
fn idle(entry: &Entry, now: Instant, burst: f64, rate: f64) -> bool {
    if entry.open > 0 {
        return false;
    }
    if rate <= 0.0 {
        return true;
    }
    let elapsed = now.saturating_duration_since(entry.refilled).as_secs_f64();
    entry.tokens + elapsed * rate >= burst
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;
    use std::time::Duration;

    use actix_web::http::header::{HeaderName, HeaderValue};

    use super::*;

    fn limiter(max: usize, burst: u32, rate: u32) -> Arc<ClientLimiter> {
        Arc::new(ClientLimiter::new(ClientLimitsConfig {
            max_connections: NonZeroUsize::new(max),
            handshake_burst: burst,
            handshake_rate: rate,
        }))
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_bucket_allows_a_burst_then_the_rate_and_says_when_to_retry() {
        let l = limiter(0, 3, 2);
        let t0 = Instant::now();
        let a = ip("203.0.113.5");
        for _ in 0..3 {
            assert!(l.admit(a, t0).is_ok());
        }
        assert_eq!(
            l.admit(a, t0).unwrap_err(),
            Refusal::Handshakes { retry_after: 1 }
        );
        // Another address has its own bucket.
        assert!(l.admit(ip("203.0.113.6"), t0).is_ok());
        // Half a second at 2/s is one token.
        assert!(l.admit(a, t0 + Duration::from_millis(500)).is_ok());
        assert!(l.admit(a, t0 + Duration::from_millis(500)).is_err());
        let slow = limiter(0, 1, 1);
        assert!(slow.admit(a, t0).is_ok());
        assert_eq!(
            slow.admit(a, t0 + Duration::from_millis(100)).unwrap_err(),
            Refusal::Handshakes { retry_after: 1 }
        );
    }

    #[test]
    fn open_sockets_are_capped_per_address_and_given_back_on_drop() {
        let l = limiter(2, 100, 0);
        let t = Instant::now();
        let a = ip("198.51.100.1");
        let first = l.admit(a, t).unwrap();
        let _second = l.admit(a, t).unwrap();
        assert_eq!(l.admit(a, t).unwrap_err(), Refusal::Connections { max: 2 });
        drop(first);
        assert!(l.admit(a, t).unwrap().is_some());
    }

    #[test]
    fn idle_addresses_are_forgotten_and_the_table_stays_bounded() {
        let l = limiter(10, 2, 1);
        let t0 = Instant::now();
        let held = l.admit(ip("10.0.0.1"), t0).unwrap();
        for i in 1..u32::try_from(MIN_SWEEP).unwrap() {
            let _slot = l.admit(IpAddr::from((0x0b00_0000_u32 + i).to_be_bytes()), t0);
        }
        assert_eq!(l.tracked(), MIN_SWEEP);
        // Two seconds later every bucket is full again: all but the address holding a socket
        // are swept when the next new address arrives.
        let later = t0 + Duration::from_secs(2);
        let _slot = l.admit(ip("12.0.0.1"), later).unwrap();
        assert_eq!(l.tracked(), 2);
        drop(held);
    }

    #[test]
    fn no_limits_means_nothing_is_tracked() {
        let l = limiter(0, 1, 0);
        let t = Instant::now();
        for _ in 0..10 {
            assert!(l.admit(ip("192.0.2.1"), t).unwrap().is_none());
        }
        assert_eq!(l.tracked(), 0);
    }

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append(
                HeaderName::from_static("x-forwarded-for"),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        h
    }

    #[test]
    fn x_forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        let peer = Some(ip("127.0.0.1"));
        // Right-most untrusted entry; the spoofed left part is ignored.
        let h = headers(&["1.1.1.1, 203.0.113.9", "10.1.2.3"]);
        assert_eq!(client_addr(peer, &h, &trusted), Some(ip("203.0.113.9")));
        // An untrusted peer's header is ignored.
        assert_eq!(
            client_addr(Some(ip("198.51.100.7")), &h, &trusted),
            Some(ip("198.51.100.7"))
        );
        // No header, or only trusted hops: the last one named.
        assert_eq!(client_addr(peer, &headers(&[]), &trusted), peer);
        assert_eq!(
            client_addr(peer, &headers(&["10.9.9.9"]), &trusted),
            Some(ip("10.9.9.9"))
        );
        // Garbage stops the walk at the hop that wrote it.
        assert_eq!(
            client_addr(peer, &headers(&["203.0.113.1, junk, 10.0.0.2"]), &trusted),
            Some(ip("10.0.0.2"))
        );
        // Without trusted proxies the header never counts.
        assert_eq!(
            client_addr(peer, &h, &TrustedProxies::default()),
            Some(ip("127.0.0.1"))
        );
    }
}
