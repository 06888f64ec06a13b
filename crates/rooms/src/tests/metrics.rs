//! The counters behind `/metrics`: what moves them, and that the fan-out time is one
//! observation per frame, from the publish to its slowest write.

use super::*;
use crate::DiffKind;
use crate::frame::Frame;

fn count(series: &[(&'static str, u64)], label: &str) -> u64 {
    series
        .iter()
        .find(|(l, _)| *l == label)
        .map_or_else(|| panic!("no series {label}: {series:?}"), |(_, v)| *v)
}

/// The next live frame of the socket, as the connection task would get it.
async fn take(admission: &mut Admission) -> Frame {
    match admission.subscription.next().await {
        Next::Frame(frame) => frame,
        Next::Closed(reason) => panic!("closed: {reason:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_frame_is_counted_once_per_write_and_timed_to_its_slowest_write() {
    let rooms = Rooms::new(config());
    let mut a = join(&rooms, "e", None).await;
    let mut b = join(&rooms, "e", None).await;
    let before = rooms.metrics();
    assert_eq!(before.connections_opened, 2);
    assert_eq!(before.connections_by_event, vec![("e".to_owned(), 2)]);

    rooms
        .lock("e")
        .await
        .publish_diff(DiffKind::Results, &results_data(1));
    let fa = take(&mut a).await;
    let fb = take(&mut b).await;
    tokio::time::advance(Duration::from_millis(3)).await;
    fa.delivery
        .as_ref()
        .expect("live frames are tracked")
        .written();
    drop(fa);
    tokio::time::advance(Duration::from_millis(40)).await;
    fb.delivery
        .as_ref()
        .expect("live frames are tracked")
        .written();
    // Still held by the socket that is writing it: nothing observed yet.
    assert_eq!(rooms.metrics().fanout.count, 0);
    drop(fb);

    let after = rooms.metrics();
    assert_eq!(count(&after.frames_sent, "results"), 2);
    assert_eq!(after.fanout.count, 1, "one observation per frame");
    let le = |bound: f64| {
        after
            .fanout
            .buckets
            .iter()
            .find(|(le, _)| (*le - bound).abs() < 1e-9)
            .map(|(_, n)| *n)
            .expect("bucket")
    };
    assert_eq!(le(0.025), 0, "the slowest write (43 ms) is what counts");
    assert_eq!(le(0.05), 1);
    assert!(
        (after.fanout.sum - 0.043).abs() < 1e-6,
        "{}",
        after.fanout.sum
    );
}

#[tokio::test]
async fn frames_nobody_wrote_are_neither_counted_nor_timed() {
    let rooms = Rooms::new(config());
    let mut lock = loaded(&rooms, "e", EventStatus::Running).await;
    lock.publish_diff(DiffKind::Results, &results_data(1));
    drop(lock);
    let m = rooms.metrics();
    assert_eq!(count(&m.frames_sent, "results"), 0);
    assert_eq!(m.fanout.count, 0);
    assert!(m.connections_by_event.is_empty());
}

#[tokio::test]
async fn resumes_and_resyncs_are_counted_by_what_the_socket_got() {
    let rooms = Rooms::new(config()); // send_queue 4, resume_frames 8
    let mut slow = join(&rooms, "e", None).await;
    for n in 1..=6 {
        rooms
            .lock("e")
            .await
            .publish_diff(DiffKind::Results, &results_data(n));
    }
    let resync = take(&mut slow).await;
    assert_eq!(resync.kind, crate::FrameKind::Refresh);
    assert!(
        resync.delivery.is_none(),
        "a resync frame is counted where written"
    );

    let (epoch, _) = rooms.lock("e").await.position().unwrap();
    let _ring = join(&rooms, "e", Some(&format!("{epoch}:2"))).await;
    let _stale = join(&rooms, "e", Some("0000000000000000:2")).await;
    let _fresh = join(&rooms, "e", None).await;

    let m = rooms.metrics();
    assert_eq!(count(&m.resyncs, "refresh"), 1);
    assert_eq!(count(&m.resyncs, "full"), 0);
    assert_eq!(count(&m.resumes, "ring"), 1);
    assert_eq!(count(&m.resumes, "full"), 1, "a fresh join is not a resume");
    assert_eq!(m.connections_opened, 4);
    assert_eq!(m.connections_by_event, vec![("e".to_owned(), 4)]);
}
