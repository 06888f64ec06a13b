//! The rooms through a real actix-web server and a real WebSocket client (tokio-tungstenite, a
//! codec independent of actix's). Every receive is bounded by a timeout so a broken test fails
//! instead of hanging; heartbeat tests use short real durations (paused time does not reach the
//! server's worker threads).
//!
//! The modules are marked `cfg(test)` so clippy treats the helpers as test code too.

#[cfg(test)]
mod closing;
#[cfg(test)]
mod delivery;
#[cfg(test)]
mod heartbeat;
#[cfg(test)]
mod helpers;
#[cfg(test)]
mod slow_client;
