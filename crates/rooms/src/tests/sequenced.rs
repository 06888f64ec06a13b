//! Cluster mode's hubs: positions from the database, frames numbered elsewhere, resyncs.

use super::*;
use crate::{Backlog, DiffKind, FrameKind, RemotePush, encode_diff, encode_full};

const EPOCH: &str = "00112233aabbccdd";

fn diff_text(seq: u64) -> ByteString {
    encode_diff(seq, DiffKind::Results, &results_data(seq)).into()
}

fn backlog(range: std::ops::RangeInclusive<u64>) -> Vec<Backlog> {
    range
        .map(|seq| Backlog {
            seq,
            kind: FrameKind::Diff(DiffKind::Results),
            text: diff_text(seq),
        })
        .collect()
}

/// A hub loaded at `seq` in [`EPOCH`], with the stream's frames `ring`.
async fn sequenced(rooms: &Rooms, seq: u64, ring: Vec<Backlog>) -> EventLock {
    let mut lock = rooms.lock("e").await;
    lock.load_sequenced(
        EventStatus::Running,
        FULL.to_owned(),
        (EPOCH.to_owned(), seq, 0),
        ring,
    );
    lock
}

#[tokio::test]
async fn a_sequenced_hub_starts_at_the_stored_position_and_resumes_from_the_backlog() {
    let rooms = Rooms::new(config());
    let mut lock = sequenced(&rooms, 10, backlog(6..=10)).await;
    assert_eq!(lock.position(), Some((EPOCH.to_owned(), 10)));
    let first = lock.admit(None).unwrap().first_frames();
    let full = json(&first[0]);
    assert_eq!(
        (full["type"].as_str(), full["seq"].as_u64()),
        (Some("full"), Some(10))
    );
    assert_eq!(full["epoch"], EPOCH);
    // A spectator of another instance at 7 gets exactly 8, 9, 10, byte for byte.
    let resumed = texts(
        lock.admit(Some(&format!("{EPOCH}:7")))
            .unwrap()
            .first_frames(),
    );
    let expected: Vec<String> = (8..=10).map(|s| diff_text(s).to_string()).collect();
    assert_eq!(resumed, expected);
    // Older than the backlog: a `full`.
    let old = lock
        .admit(Some(&format!("{EPOCH}:3")))
        .unwrap()
        .first_frames();
    assert_eq!(json(&old[0])["type"], "full");
}

#[tokio::test]
async fn only_the_contiguous_backlog_ending_at_the_position_is_kept() {
    let rooms = Rooms::new(config());
    // 4..=5 and 7..=9: 6 is missing, and 11 is beyond the stored position.
    let mut ring = backlog(4..=5);
    ring.extend(backlog(7..=9));
    ring.extend(backlog(11..=11));
    let mut lock = sequenced(&rooms, 9, ring).await;
    let from_seven = lock
        .admit(Some(&format!("{EPOCH}:6")))
        .unwrap()
        .first_frames();
    assert_eq!(from_seven.len(), 3);
    let across_the_hole = lock
        .admit(Some(&format!("{EPOCH}:4")))
        .unwrap()
        .first_frames();
    assert_eq!(json(&across_the_hole[0])["type"], "full");
}

#[tokio::test]
async fn remote_frames_are_delivered_in_order_once_and_gaps_are_reported() {
    let rooms = Rooms::new(config());
    let mut lock = sequenced(&rooms, 3, Vec::new()).await;
    let mut socket = lock.admit(None).unwrap();
    assert_eq!(
        lock.push_remote(5, FrameKind::Diff(DiffKind::Results), diff_text(5), None),
        RemotePush::Gap { at: 3 }
    );
    assert_eq!(
        lock.push_remote(4, FrameKind::Diff(DiffKind::Results), diff_text(4), None),
        RemotePush::Delivered
    );
    assert_eq!(
        lock.push_remote(4, FrameKind::Diff(DiffKind::Results), diff_text(4), None),
        RemotePush::Duplicate
    );
    assert_eq!(
        lock.push_remote(5, FrameKind::Diff(DiffKind::Results), diff_text(5), None),
        RemotePush::Delivered
    );
    assert_eq!(next_frame(&mut socket).await["seq"], 4);
    let five = next_frame(&mut socket).await;
    assert_eq!(five, json(&diff_text(5)));
    assert!(nothing_ready(&mut socket));
}

#[tokio::test]
async fn a_remote_full_or_status_frame_refreshes_the_cache() {
    let rooms = Rooms::new(config());
    let mut lock = sequenced(&rooms, 1, Vec::new()).await;
    let data =
        r#"{"event":{"eventId":"e","status":"finished"},"classes":[],"races":[],"categories":[]}"#;
    let status = encode_diff(2, DiffKind::Status, &status_data(EventStatus::Finished));
    assert_eq!(
        lock.push_remote(
            2,
            FrameKind::Diff(DiffKind::Status),
            status.into(),
            Some((EventStatus::Finished, data.to_owned())),
        ),
        RemotePush::Delivered
    );
    assert_eq!(lock.status(), Some(EventStatus::Finished));
    let joined = lock.admit(None).unwrap().first_frames();
    assert_eq!(json(&joined[0])["data"], json(data));
    // A full frame numbered elsewhere is stored as sent.
    let full = encode_full(3, EPOCH, data);
    lock.push_remote(
        3,
        FrameKind::Full,
        full.clone().into(),
        Some((EventStatus::Finished, data.to_owned())),
    );
    let joined = lock.admit(None).unwrap().first_frames();
    assert_eq!(joined[0].to_string(), full);
}

#[tokio::test]
async fn a_resync_jumps_with_a_refresh_or_a_full() {
    let rooms = Rooms::new(config());
    let mut lock = sequenced(&rooms, 2, backlog(1..=2)).await;
    let mut socket = lock.admit(None).unwrap();
    assert!(lock.resync_to(7, false, EventStatus::Running, FULL.to_owned()));
    assert_eq!(
        next_frame(&mut socket).await,
        json(r#"{"type":"refresh","seq":7}"#)
    );
    assert!(
        !lock.resync_to(7, false, EventStatus::Running, FULL.to_owned()),
        "not behind"
    );
    assert!(lock.resync_to(9, true, EventStatus::Finished, FULL.to_owned()));
    let full = next_frame(&mut socket).await;
    assert_eq!(
        (full["type"].as_str(), full["seq"].as_u64()),
        (Some("full"), Some(9))
    );
    assert_eq!(lock.status(), Some(EventStatus::Finished));
    // The frames before the jump are gone: an older position resumes with a `full`.
    let first = lock
        .admit(Some(&format!("{EPOCH}:2")))
        .unwrap()
        .first_frames();
    assert_eq!(json(&first[0])["type"], "full");
    // The next remote frame continues the sequence.
    assert_eq!(
        lock.push_remote(10, FrameKind::Diff(DiffKind::Results), diff_text(10), None),
        RemotePush::Delivered
    );
}

#[tokio::test]
async fn an_unloaded_hub_takes_nothing() {
    let rooms = Rooms::new(config());
    let mut lock = rooms.lock("e").await;
    assert_eq!(
        lock.push_remote(
            1,
            FrameKind::Refresh,
            r#"{"type":"refresh","seq":1}"#.into(),
            None
        ),
        RemotePush::NotLoaded
    );
    assert!(!lock.resync_to(1, true, EventStatus::Running, FULL.to_owned()));
    assert!(!rooms.is_loaded("e"));
    drop(lock);
    let lock = sequenced(&rooms, 0, Vec::new()).await;
    drop(lock);
    assert!(rooms.is_loaded("e"));
    assert_eq!(rooms.loaded_events(), vec!["e".to_owned()]);
}
