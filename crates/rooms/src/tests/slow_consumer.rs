//! Slow consumers (contract §6.7): the queue limit, `refresh` versus `full`, others unaffected.

use super::*;
use crate::DiffKind;

/// Publishes `n` results diffs; `reader` (if any) takes each one as it is published.
async fn publish_results(rooms: &Rooms, n: usize, mut reader: Option<&mut Admission>) {
    for _ in 0..n {
        let mut lock = rooms.lock("e").await;
        let next = lock.position().unwrap().1 + 1;
        lock.publish_diff(DiffKind::Results, &results_data(next));
        drop(lock);
        if let Some(reader) = reader.as_deref_mut() {
            assert_eq!(next_frame(reader).await["seq"], next);
        }
    }
}

#[tokio::test]
async fn a_full_queue_is_not_yet_an_overflow() {
    let rooms = Rooms::new(config()); // send_queue 4
    let mut slow = join(&rooms, "e", None).await;
    publish_results(&rooms, 4, None).await;
    for seq in 1..=4 {
        let frame = next_frame(&mut slow).await;
        assert_eq!(
            (frame["type"].as_str(), frame["seq"].as_u64()),
            (Some("diff"), Some(seq))
        );
    }
}

#[tokio::test]
async fn an_overflowing_socket_gets_one_refresh_at_the_current_seq_then_only_newer_frames() {
    let rooms = Rooms::new(config()); // send_queue 4
    let mut slow = join(&rooms, "e", None).await;
    let mut fast = join(&rooms, "e", None).await;
    publish_results(&rooms, 7, Some(&mut fast)).await;

    let resync = next_frame(&mut slow).await;
    assert_eq!(resync, json(r#"{"type":"refresh","seq":7}"#));
    assert!(
        nothing_ready(&mut slow),
        "the discarded frames never follow"
    );

    publish_results(&rooms, 1, Some(&mut fast)).await;
    assert_eq!(next_frame(&mut slow).await["seq"], 8);
}

#[tokio::test]
async fn frames_published_while_marked_count_towards_the_choice() {
    let rooms = Rooms::new(config());
    let mut slow = join(&rooms, "e", None).await;
    publish_results(&rooms, 5, None).await;
    let mut lock = rooms.lock("e").await;
    lock.set_full(EventStatus::Finished, r#"{"v":"finished"}"#.to_owned());
    lock.publish_diff(DiffKind::Status, &status_data(EventStatus::Finished));
    drop(lock);

    let resync = next_frame(&mut slow).await;
    assert_eq!(
        resync["type"], "full",
        "a skipped status diff needs the full"
    );
    assert_eq!(resync["seq"], 6);
    assert_eq!(resync["data"], json(r#"{"v":"finished"}"#));
    assert!(resync["epoch"].is_string());
    assert!(nothing_ready(&mut slow));
}

#[tokio::test]
async fn a_skipped_full_is_resent_as_the_full() {
    let rooms = Rooms::new(config());
    let mut slow = join(&rooms, "e", None).await;
    let mut lock = rooms.lock("e").await;
    lock.publish_full();
    drop(lock);
    publish_results(&rooms, 4, None).await;
    let resync = next_frame(&mut slow).await;
    assert_eq!(
        (resync["type"].as_str(), resync["seq"].as_u64()),
        (Some("full"), Some(5))
    );
}

#[tokio::test]
async fn refresh_and_on_course_frames_resync_with_a_refresh() {
    let rooms = Rooms::new(config());
    let mut slow = join(&rooms, "e", None).await;
    let mut lock = rooms.lock("e").await;
    lock.publish_refresh();
    for bib in 0..4 {
        lock.publish_oncourse(&format!(r#"{{"oncourse":[{{"bib":{bib}}}]}}"#));
    }
    drop(lock);
    assert_eq!(
        next_frame(&mut slow).await,
        json(r#"{"type":"refresh","seq":5}"#)
    );
}

#[tokio::test]
async fn the_choice_stays_exact_after_the_ring_evicted_the_skipped_frames() {
    let rooms = Rooms::new(RoomsConfig {
        send_queue: 4,
        resume_frames: 4,
        ..config()
    });
    // Only results diffs skipped, long gone from the ring: still a `refresh`.
    let mut slow = join(&rooms, "e", None).await;
    publish_results(&rooms, 12, None).await;
    assert_eq!(
        next_frame(&mut slow).await,
        json(r#"{"type":"refresh","seq":12}"#)
    );
    // A status diff among skipped frames that were evicted since: a `full`.
    let mut slow = join(&rooms, "e", None).await;
    {
        let mut lock = rooms.lock("e").await;
        lock.publish_diff(DiffKind::Status, r#"{"status":"finished"}"#);
    }
    publish_results(&rooms, 12, None).await;
    let resync = next_frame(&mut slow).await;
    assert_eq!(
        (resync["type"].as_str(), resync["seq"].as_u64()),
        (Some("full"), Some(25))
    );
}

#[tokio::test]
async fn a_queue_beyond_the_broadcast_capacity_is_resynchronised_too() {
    // send_queue 3 gives a broadcast capacity of 4 (tokio rounds up): the channel drops frames
    // itself (`Lagged`), which must end the same way as the queue limit.
    let rooms = Rooms::new(RoomsConfig {
        send_queue: 3,
        ..config()
    });
    let mut slow = join(&rooms, "e", None).await;
    publish_results(&rooms, 6, None).await;
    assert_eq!(
        next_frame(&mut slow).await,
        json(r#"{"type":"refresh","seq":6}"#)
    );
    assert!(nothing_ready(&mut slow));
}

#[tokio::test]
async fn a_resume_replay_is_not_limited_by_the_queue() {
    let rooms = Rooms::new(config()); // send_queue 4, resume_frames 8
    let lock = loaded(&rooms, "e", EventStatus::Running).await;
    let (epoch, _) = lock.position().unwrap();
    drop(lock);
    publish_results(&rooms, 8, None).await;
    let resumed = join(&rooms, "e", Some(&format!("{epoch}:0"))).await;
    assert_eq!(resumed.first_frames().len(), 8);
}
