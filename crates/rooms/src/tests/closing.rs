//! Closing rooms: delete, unpublish, the official close and its cancellation, shutdown.

use super::*;
use crate::{DiffKind, RoomError, RoomStats};

#[tokio::test]
async fn close_reaches_every_socket_with_its_reason_and_drops_the_state() {
    let rooms = Rooms::new(config());
    let mut a = join(&rooms, "e", None).await;
    let mut b = join(&rooms, "e", None).await;
    let mut other = join(&rooms, "other", None).await;

    let mut lock = rooms.lock("e").await;
    let (old_epoch, _) = lock.position().unwrap();
    lock.publish_diff(DiffKind::Status, &status_data(EventStatus::Draft));
    lock.close(CloseReason::Unpublished);
    assert!(!lock.is_loaded());
    assert_eq!(
        lock.publish_refresh(),
        None,
        "a closed lock publishes nothing"
    );
    lock.load(EventStatus::Running, FULL.to_owned());
    assert!(!lock.is_loaded(), "nor loads again");
    assert_eq!(lock.admit(None).unwrap_err(), RoomError::NotPublic);
    drop(lock);

    for socket in [&mut a, &mut b] {
        assert_eq!(next_frame(socket).await["data"]["status"], "draft");
        assert_eq!(next_close(socket).await, Some(CloseReason::Unpublished));
    }
    assert!(nothing_ready(&mut other), "other rooms are untouched");

    // The next use starts a new sequence.
    let fresh = join(&rooms, "e", None).await;
    let full = json(&fresh.first_frames()[0]);
    assert_eq!(full["seq"], 0);
    assert_ne!(full["epoch"], old_epoch.as_str());
    // The old sequence cannot be resumed into the new one.
    let stale = join(&rooms, "e", Some(&format!("{old_epoch}:1"))).await;
    assert_eq!(json(&stale.first_frames()[0])["type"], "full");
}

#[tokio::test]
async fn delete_closes_at_once_and_leaves_no_hub() {
    let rooms = Rooms::new(config());
    let mut socket = join(&rooms, "e", None).await;
    rooms.lock("e").await.close(CloseReason::Deleted);
    assert_eq!(next_close(&mut socket).await, Some(CloseReason::Deleted));
    drop(socket);
    assert_eq!(rooms.stats(), RoomStats::default());
}

#[tokio::test(start_paused = true)]
async fn the_official_close_comes_after_the_grace_period() {
    let rooms = Rooms::new(config());
    let mut socket = join(&rooms, "e", None).await;
    let mut lock = rooms.lock("e").await;
    lock.set_full(EventStatus::Official, FULL.to_owned());
    lock.publish_diff(DiffKind::Status, &status_data(EventStatus::Official));
    rooms.schedule_official_close("e", Duration::from_secs(5));
    drop(lock);
    assert_eq!(rooms.stats().pending_closes, 1);
    assert_eq!(next_frame(&mut socket).await["data"]["status"], "official");

    tokio::time::sleep(Duration::from_millis(4900)).await;
    assert!(
        nothing_ready(&mut socket),
        "still open within the grace period"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(next_close(&mut socket).await, Some(CloseReason::Official));
    assert_eq!(rooms.stats().pending_closes, 0);
    assert_eq!(rooms.stats().hubs, 0);

    // Afterwards the event is gone for new sockets.
    let mut lock = loaded(&rooms, "e", EventStatus::Official).await;
    assert_eq!(lock.admit(None).unwrap_err(), RoomError::Official);
}

#[tokio::test(start_paused = true)]
async fn delete_cancels_a_pending_official_close() {
    let rooms = Rooms::new(config());
    let mut socket = join(&rooms, "e", None).await;
    rooms.schedule_official_close("e", Duration::from_secs(5));
    rooms.lock("e").await.close(CloseReason::Deleted);
    assert_eq!(rooms.stats().pending_closes, 0);
    assert_eq!(next_close(&mut socket).await, Some(CloseReason::Deleted));

    // A re-created event with the same id is not closed by the cancelled timer.
    let mut newcomer = join(&rooms, "e", None).await;
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert!(nothing_ready(&mut newcomer));
}

#[tokio::test(start_paused = true)]
async fn a_new_schedule_replaces_the_pending_one() {
    let rooms = Rooms::new(config());
    let mut socket = join(&rooms, "e", None).await;
    rooms.schedule_official_close("e", Duration::from_secs(5));
    tokio::time::sleep(Duration::from_secs(3)).await;
    rooms.schedule_official_close("e", Duration::from_secs(5));
    assert_eq!(rooms.stats().pending_closes, 1);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(nothing_ready(&mut socket));
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(next_close(&mut socket).await, Some(CloseReason::Official));
}

#[test]
fn scheduling_without_a_runtime_does_not_panic() {
    let rooms = Rooms::new(config());
    rooms.schedule_official_close("e", Duration::from_secs(5));
    assert_eq!(rooms.stats().pending_closes, 0);
}

#[tokio::test(start_paused = true)]
async fn shutdown_closes_every_room_with_1001_and_refuses_new_sockets() {
    let rooms = Rooms::new(config());
    let mut a = join(&rooms, "e1", None).await;
    let mut b = join(&rooms, "e2", None).await;
    rooms.schedule_official_close("e2", Duration::from_secs(5));

    rooms.shutdown();
    assert_eq!(next_close(&mut a).await, Some(CloseReason::ShuttingDown));
    assert_eq!(next_close(&mut b).await, Some(CloseReason::ShuttingDown));
    assert_eq!(rooms.stats().pending_closes, 0);
    assert_eq!(rooms.stats().hubs, 0);

    let mut lock = loaded(&rooms, "e1", EventStatus::Running).await;
    assert_eq!(lock.admit(None).unwrap_err(), RoomError::ShuttingDown);
    drop((lock, a, b));
    assert_eq!(rooms.stats().connections, 0);
}
