//! Sequence numbers, the ring and resume (contract §6.4, §6.6).

use super::*;
use crate::DiffKind;

#[tokio::test]
async fn the_first_frame_is_the_cached_full_at_the_current_seq() {
    let rooms = Rooms::new(config());
    let admission = join(&rooms, "e", None).await;
    let frames = texts(admission.first_frames());
    assert_eq!(frames.len(), 1);
    let full = json(&frames[0]);
    assert_eq!(full["type"], "full");
    assert_eq!(full["seq"], 0);
    assert_eq!(full["data"], json(FULL));
    let epoch = full["epoch"].as_str().unwrap();
    assert_eq!(epoch.len(), 16);
    assert_eq!(admission.seq(), 0);
    let (hub_epoch, _) = rooms.lock("e").await.position().unwrap();
    assert_eq!(epoch, hub_epoch);
}

#[tokio::test]
async fn every_in_ring_frame_takes_the_next_seq() {
    let rooms = Rooms::new(config());
    let mut lock = loaded(&rooms, "e", EventStatus::Running).await;
    assert_eq!(lock.publish_full(), Some(1));
    assert_eq!(
        lock.publish_diff(DiffKind::Results, &results_data(1)),
        Some(2)
    );
    assert_eq!(lock.publish_oncourse(r#"{"oncourse":[]}"#), Some(3));
    assert_eq!(lock.publish_refresh(), Some(4));
    assert_eq!(
        lock.publish_diff(DiffKind::Status, &status_data(EventStatus::Finished)),
        Some(5)
    );
    assert_eq!(lock.position().unwrap().1, 5);
}

#[tokio::test]
async fn publishing_without_state_is_a_no_op() {
    let rooms = Rooms::new(config());
    let mut lock = rooms.lock("e").await;
    assert_eq!(lock.publish_full(), None);
    assert_eq!(lock.publish_diff(DiffKind::Results, "{}"), None);
    assert_eq!(lock.publish_oncourse("{}"), None);
    assert_eq!(lock.publish_refresh(), None);
    lock.clear_oncourse();
    lock.set_full(EventStatus::Running, FULL.to_owned());
    assert!(!lock.is_loaded());
}

#[tokio::test]
async fn a_joined_socket_gets_every_later_frame_once_in_order() {
    let rooms = Rooms::new(config());
    let mut lock = loaded(&rooms, "e", EventStatus::Running).await;
    lock.publish_diff(DiffKind::Results, &results_data(1));
    let mut socket = lock.admit(None).unwrap();
    assert_eq!(json(&socket.first_frames()[0])["seq"], 1);
    lock.publish_diff(DiffKind::Results, &results_data(2));
    lock.publish_full();
    drop(lock);

    let diff = next_frame(&mut socket).await;
    assert_eq!(diff["seq"], 2);
    assert_eq!(diff["type"], "diff");
    assert_eq!(diff["data"]["results"][0]["bib"], 2);
    let full = next_frame(&mut socket).await;
    assert_eq!(
        (full["type"].as_str(), full["seq"].as_u64()),
        (Some("full"), Some(3))
    );
    assert!(nothing_ready(&mut socket));
}

/// `n` results diffs, each read by a watching socket as it is published (their live bytes).
async fn published_and_seen(rooms: &Rooms, n: u64) -> (String, Vec<String>) {
    let mut watcher = join(rooms, "e", None).await;
    let (epoch, start) = rooms.lock("e").await.position().unwrap();
    let mut seen = Vec::new();
    for seq in start + 1..=start + n {
        rooms
            .lock("e")
            .await
            .publish_diff(DiffKind::Results, &results_data(seq));
        let Next::Frame(frame) = watcher.subscription.next().await else {
            panic!("closed")
        };
        seen.push(frame.text.to_string());
    }
    (epoch, seen)
}

#[tokio::test]
async fn resume_replays_exactly_the_missed_frames_in_their_original_bytes() {
    let rooms = Rooms::new(config());
    let (epoch, seen) = published_and_seen(&rooms, 3).await;

    let resumed = join(&rooms, "e", Some(&format!("{epoch}:0"))).await;
    assert_eq!(texts(resumed.first_frames()), seen);
    assert_eq!(resumed.seq(), 3);

    let resumed = join(&rooms, "e", Some(&format!("{epoch}:2"))).await;
    assert_eq!(texts(resumed.first_frames()), &seen[2..]);

    let up_to_date = join(&rooms, "e", Some(&format!("{epoch}:3"))).await;
    assert!(
        up_to_date.first_frames().is_empty(),
        "nothing missed, no full"
    );
    assert_eq!(up_to_date.seq(), 3);
}

#[tokio::test]
async fn an_unprovable_since_gets_the_full() {
    let rooms = Rooms::new(config());
    let (epoch, _) = published_and_seen(&rooms, 3).await;
    for since in [
        "0000000000000000:1".to_owned(),
        format!("{epoch}:4"),
        format!("{epoch}:x"),
        format!("{epoch}:-1"),
        epoch.clone(),
        String::new(),
        format!("x:{epoch}:1"),
    ] {
        let admission = join(&rooms, "e", Some(&since)).await;
        let frames = texts(admission.first_frames());
        assert_eq!(frames.len(), 1, "{since}");
        let full = json(&frames[0]);
        assert_eq!(full["type"], "full", "{since}");
        assert_eq!(full["seq"], 3, "{since}");
    }
}

#[tokio::test]
async fn resume_after_eviction_by_count_gets_the_full() {
    let rooms = Rooms::new(config()); // resume_frames 8
    let (epoch, seen) = published_and_seen(&rooms, 10).await;
    let evicted = join(&rooms, "e", Some(&format!("{epoch}:1"))).await;
    assert_eq!(json(&evicted.first_frames()[0])["type"], "full");
    let kept = join(&rooms, "e", Some(&format!("{epoch}:2"))).await;
    assert_eq!(texts(kept.first_frames()), &seen[2..]);
}

#[tokio::test(start_paused = true)]
async fn resume_after_eviction_by_age_gets_the_full() {
    let rooms = Rooms::new(config()); // resume_age 300 s
    let mut lock = loaded(&rooms, "e", EventStatus::Running).await;
    let (epoch, _) = lock.position().unwrap();
    lock.publish_diff(DiffKind::Results, &results_data(1));
    tokio::time::advance(Duration::from_secs(200)).await;
    lock.publish_diff(DiffKind::Results, &results_data(2));
    tokio::time::advance(Duration::from_secs(101)).await;
    drop(lock);

    let too_old = join(&rooms, "e", Some(&format!("{epoch}:0"))).await;
    assert_eq!(json(&too_old.first_frames()[0])["type"], "full");
    let recent = join(&rooms, "e", Some(&format!("{epoch}:1"))).await;
    assert_eq!(recent.first_frames().len(), 1);
    assert_eq!(json(&recent.first_frames()[0])["seq"], 2);
}

#[tokio::test]
async fn the_state_survives_an_empty_room() {
    let rooms = Rooms::new(config());
    let socket = join(&rooms, "e", None).await;
    drop(socket);
    assert_eq!(rooms.stats().connections, 0);

    let mut lock = rooms.lock("e").await;
    let (epoch, seq) = lock.position().unwrap();
    let published = lock
        .publish_diff(DiffKind::Results, &results_data(1))
        .unwrap();
    assert_eq!(
        published,
        seq + 1,
        "frames are numbered with nobody connected"
    );
    drop(lock);

    let resumed = join(&rooms, "e", Some(&format!("{epoch}:{seq}"))).await;
    assert_eq!(resumed.first_frames().len(), 1);
    assert_eq!(
        json(&resumed.first_frames()[0])["data"],
        json(&results_data(1))
    );
}

#[tokio::test]
async fn load_on_a_loaded_hub_keeps_the_sequence_and_set_full_changes_the_next_full() {
    let rooms = Rooms::new(config());
    let mut lock = loaded(&rooms, "e", EventStatus::Running).await;
    lock.publish_refresh();
    let before = lock.position();
    lock.load(EventStatus::Running, r#"{"v":2}"#.to_owned());
    assert_eq!(lock.position(), before);
    let first = lock.admit(None).unwrap();
    assert_eq!(json(&first.first_frames()[0])["data"], json(r#"{"v":2}"#));

    lock.set_full(EventStatus::Finished, r#"{"v":3}"#.to_owned());
    assert_eq!(lock.status(), Some(EventStatus::Finished));
    let second = lock.admit(None).unwrap();
    let full = json(&second.first_frames()[0]);
    assert_eq!(
        (full["seq"].as_u64(), &full["data"]),
        (Some(1), &json(r#"{"v":3}"#))
    );
    lock.publish_full();
    let third = lock.admit(None).unwrap();
    assert_eq!(json(&third.first_frames()[0])["seq"], 2);
}

#[tokio::test]
async fn sockets_joining_at_the_same_seq_share_one_encoded_full() {
    let rooms = Rooms::new(config());
    let a = join(&rooms, "e", None).await;
    let b = join(&rooms, "e", None).await;
    assert_eq!(
        a.first_frames()[0].as_bytes().as_ptr(),
        b.first_frames()[0].as_bytes().as_ptr()
    );
}
