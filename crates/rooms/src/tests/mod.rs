//! Unit tests of the rooms without sockets: registry, caps, sequence and resume, slow
//! consumers, closures. Time-dependent ones run on paused tokio time.

mod caps;
mod closing;
mod metrics;
mod oncourse;
mod registry;
mod sequence;
mod sequenced;
mod slow_consumer;

use std::time::Duration;

use bytestring::ByteString;
use futures_util::FutureExt;
use live_domain::EventStatus;

use crate::admission::{Admission, Next};
use crate::error::CloseReason;
use crate::{EventLock, Rooms, RoomsConfig};

/// The `full` data every test event is loaded with.
const FULL: &str = r#"{"event":{"eventId":"e"},"classes":[],"races":[],"categories":[]}"#;

fn config() -> RoomsConfig {
    RoomsConfig {
        max_per_event: 100,
        max_total: 1000,
        ping_interval: Duration::from_secs(30),
        pong_timeout: Duration::from_secs(10),
        send_queue: 4,
        send_timeout: Duration::from_secs(10),
        resume_frames: 8,
        resume_age: Duration::from_mins(5),
    }
}

/// The event's lock, its hub loaded with `status` and [`FULL`] when it was not.
async fn loaded(rooms: &Rooms, event_id: &str, status: EventStatus) -> EventLock {
    let mut lock = rooms.lock(event_id).await;
    if !lock.is_loaded() {
        lock.load(status, FULL.to_owned());
    }
    lock
}

/// Admits one socket to a running event.
async fn join(rooms: &Rooms, event_id: &str, since: Option<&str>) -> Admission {
    loaded(rooms, event_id, EventStatus::Running)
        .await
        .admit(since)
        .expect("admitted")
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("frame is JSON")
}

fn texts(frames: Vec<ByteString>) -> Vec<String> {
    frames.into_iter().map(|t| t.to_string()).collect()
}

/// The next frame of the socket, failing the test if none is ready within a (virtual) second.
async fn next_frame(admission: &mut Admission) -> serde_json::Value {
    match tokio::time::timeout(Duration::from_secs(1), admission.subscription.next()).await {
        Ok(Next::Frame(frame)) => json(&frame.text),
        Ok(Next::Closed(reason)) => panic!("closed: {reason:?}"),
        Err(elapsed) => panic!("no frame: {elapsed}"),
    }
}

/// The close reason the socket sees next, failing if it gets a frame or nothing.
async fn next_close(admission: &mut Admission) -> Option<CloseReason> {
    match tokio::time::timeout(Duration::from_secs(1), admission.subscription.next()).await {
        Ok(Next::Closed(reason)) => reason,
        Ok(Next::Frame(frame)) => panic!("frame instead of close: {}", frame.text),
        Err(elapsed) => panic!("not closed: {elapsed}"),
    }
}

/// Whether the socket has nothing ready right now (polled once, time not advanced).
fn nothing_ready(admission: &mut Admission) -> bool {
    admission.subscription.next().now_or_never().is_none()
}

/// `{"status":…}` diff data.
fn status_data(status: EventStatus) -> String {
    format!(r#"{{"status":"{status}"}}"#)
}

/// A results diff `data` for race `r`.
fn results_data(n: u64) -> String {
    format!(r#"{{"raceId":"R1","results":[{{"bib":{n}}}]}}"#)
}
