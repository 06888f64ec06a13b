//! The registry: hub creation and cleanup, the write lock, stats.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::*;
use crate::RoomStats;

#[tokio::test]
async fn a_lookup_that_loads_nothing_leaves_no_hub() {
    let rooms = Rooms::new(config());
    let lock = rooms.lock("missing").await;
    assert!(!lock.is_loaded());
    assert_eq!(rooms.stats().hubs, 1);
    drop(lock);
    assert_eq!(rooms.stats(), RoomStats::default());
}

#[tokio::test]
async fn a_loaded_hub_stays_after_the_lock_is_released() {
    let rooms = Rooms::new(config());
    drop(loaded(&rooms, "e", EventStatus::Running).await);
    let stats = rooms.stats();
    assert_eq!((stats.hubs, stats.rooms, stats.connections), (1, 0, 0));
    assert!(rooms.lock("e").await.is_loaded());
}

#[tokio::test(start_paused = true)]
async fn the_write_lock_serialises_one_event_but_not_others() {
    let rooms = Rooms::new(config());
    let held = rooms.lock("e").await;

    let acquired = Arc::new(AtomicBool::new(false));
    let waiter = tokio::spawn({
        let rooms = rooms.clone();
        let acquired = Arc::clone(&acquired);
        async move {
            let _lock = rooms.lock("e").await;
            acquired.store(true, Ordering::SeqCst);
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!acquired.load(Ordering::SeqCst), "second writer waits");

    // Another event is independent.
    let other = tokio::time::timeout(Duration::from_secs(1), rooms.lock("other")).await;
    assert!(other.is_ok());
    drop(other);

    drop(held);
    waiter.await.unwrap();
    assert!(acquired.load(Ordering::SeqCst));
    assert_eq!(rooms.stats().hubs, 0);
}

#[tokio::test]
async fn waiters_are_counted_and_get_the_lock_in_request_order() {
    let rooms = Rooms::new(config());
    // Loaded, so releasing the lock keeps the hub and the waiters stay on it.
    let held = loaded(&rooms, "e", EventStatus::Running).await;
    let order = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut waiters = Vec::new();
    for n in 1..=3 {
        waiters.push(tokio::spawn({
            let rooms = rooms.clone();
            let order = Arc::clone(&order);
            async move {
                let _lock = rooms.lock("e").await;
                order.lock().unwrap().push(n);
            }
        }));
        // The next waiter is spawned only once this one is queued.
        while rooms.stats().lock_waiters < n {
            tokio::task::yield_now().await;
        }
    }
    assert_eq!(rooms.stats().lock_waiters, 3);
    assert!(order.lock().unwrap().is_empty());
    drop(held);
    for waiter in waiters {
        waiter.await.unwrap();
    }
    assert_eq!(*order.lock().unwrap(), [1, 2, 3]);
    assert_eq!(rooms.stats().lock_waiters, 0);
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_wait_is_no_longer_counted() {
    let rooms = Rooms::new(config());
    let held = rooms.lock("e").await;
    let waiting = tokio::time::timeout(Duration::from_secs(1), rooms.lock("e")).await;
    assert!(waiting.is_err(), "the lock is held");
    assert_eq!(rooms.stats().lock_waiters, 0);
    drop(held);
}

#[tokio::test(start_paused = true)]
async fn a_waiter_on_a_closed_hub_moves_to_the_new_one() {
    let rooms = Rooms::new(config());
    let mut first = loaded(&rooms, "e", EventStatus::Running).await;
    let (old_epoch, _) = first.position().unwrap();

    let waiter = tokio::spawn({
        let rooms = rooms.clone();
        async move {
            let mut lock = rooms.lock("e").await;
            let was_loaded = lock.is_loaded();
            lock.load(EventStatus::Running, FULL.to_owned());
            (was_loaded, lock.position().unwrap().0)
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    first.close(CloseReason::Deleted);
    drop(first);

    let (was_loaded, new_epoch) = waiter.await.unwrap();
    assert!(!was_loaded, "the closed state is not reused");
    assert_ne!(new_epoch, old_epoch);
    assert_eq!(rooms.stats().hubs, 1, "exactly one hub for the event");
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_lock_wait_leaves_no_hub() {
    let rooms = Rooms::new(config());
    let held = rooms.lock("e").await;
    let gave_up = tokio::time::timeout(Duration::from_secs(1), rooms.lock("e")).await;
    assert!(gave_up.is_err());
    drop(held);
    assert_eq!(rooms.stats().hubs, 0);
}

#[tokio::test]
async fn stats_return_to_zero_after_every_socket_and_room_is_gone() {
    let rooms = Rooms::new(config());
    let a = join(&rooms, "e1", None).await;
    let b = join(&rooms, "e1", None).await;
    let c = join(&rooms, "e2", None).await;
    let stats = rooms.stats();
    assert_eq!(
        (stats.connections, stats.rooms, stats.hubs),
        (3, 2, 2),
        "{stats:?}"
    );

    drop((a, b, c));
    let stats = rooms.stats();
    assert_eq!((stats.connections, stats.rooms, stats.hubs), (0, 0, 2));

    for event in ["e1", "e2"] {
        rooms.lock(event).await.close(CloseReason::Deleted);
    }
    assert_eq!(rooms.stats(), RoomStats::default());
}
