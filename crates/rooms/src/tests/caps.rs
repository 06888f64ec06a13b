//! Admission: status checks, the per-event and the global cap, counting.

use super::*;
use crate::RoomError;

fn capped(max_per_event: usize, max_total: usize) -> Rooms {
    Rooms::new(RoomsConfig {
        max_per_event,
        max_total,
        ..config()
    })
}

async fn try_join(rooms: &Rooms, event_id: &str) -> Result<Admission, RoomError> {
    loaded(rooms, event_id, EventStatus::Running)
        .await
        .admit(None)
}

#[tokio::test]
async fn the_per_event_cap_refuses_the_socket_after_the_limit() {
    let rooms = capped(2, 100);
    let a = try_join(&rooms, "e").await.unwrap();
    let _b = try_join(&rooms, "e").await.unwrap();
    assert_eq!(
        try_join(&rooms, "e").await.unwrap_err(),
        RoomError::EventFull { limit: 2 }
    );
    assert_eq!(rooms.stats().connections, 2, "a refusal is not counted");

    drop(a);
    assert!(
        try_join(&rooms, "e").await.is_ok(),
        "the place was given back"
    );
}

#[tokio::test]
async fn the_global_cap_counts_all_events_and_comes_after_the_per_event_cap() {
    let rooms = capped(2, 3);
    let e1 = [
        try_join(&rooms, "e1").await.unwrap(),
        try_join(&rooms, "e1").await.unwrap(),
    ];
    let e2 = try_join(&rooms, "e2").await.unwrap();
    assert_eq!(
        try_join(&rooms, "e3").await.unwrap_err(),
        RoomError::TotalFull { limit: 3 }
    );
    assert_eq!(
        try_join(&rooms, "e1").await.unwrap_err(),
        RoomError::EventFull { limit: 2 },
        "both caps reached: the per-event one is reported"
    );
    assert_eq!(rooms.stats().connections, 3);

    drop(e2);
    let e3 = try_join(&rooms, "e3").await.unwrap();
    assert_eq!(rooms.stats().connections, 3);
    drop((e1, e3));
    assert_eq!(rooms.stats().connections, 0);
}

#[tokio::test]
async fn a_draft_is_not_public_and_its_lookup_leaves_nothing() {
    let rooms = Rooms::new(config());
    let mut lock = loaded(&rooms, "e", EventStatus::Draft).await;
    assert_eq!(lock.check_visible(), Err(RoomError::NotPublic));
    assert_eq!(lock.admit(None).unwrap_err(), RoomError::NotPublic);
    drop(lock);
    assert_eq!(rooms.stats().hubs, 0);
    assert_eq!(rooms.stats().connections, 0);
}

#[tokio::test]
async fn an_unloaded_hub_is_not_public() {
    let rooms = Rooms::new(config());
    let mut lock = rooms.lock("e").await;
    assert_eq!(lock.admit(None).unwrap_err(), RoomError::NotPublic);
}

#[tokio::test]
async fn an_official_event_is_gone_but_its_open_room_keeps_its_state() {
    let rooms = Rooms::new(config());
    let mut lock = loaded(&rooms, "e", EventStatus::Official).await;
    assert_eq!(lock.admit(None).unwrap_err(), RoomError::Official);
    drop(lock);
    assert_eq!(rooms.stats().hubs, 0, "nobody connected: state dropped");

    // A room that turns official while sockets are open keeps them until the official close.
    let _socket = join(&rooms, "e", None).await;
    let mut lock = rooms.lock("e").await;
    lock.set_full(EventStatus::Official, FULL.to_owned());
    assert_eq!(lock.admit(None).unwrap_err(), RoomError::Official);
    assert!(lock.is_loaded());
}

#[tokio::test]
async fn startlist_running_and_finished_are_admitted() {
    let rooms = Rooms::new(config());
    for (event, status) in [
        ("s", EventStatus::Startlist),
        ("r", EventStatus::Running),
        ("f", EventStatus::Finished),
    ] {
        let mut lock = loaded(&rooms, event, status).await;
        assert_eq!(lock.check_visible(), Ok(()));
        assert!(lock.admit(None).is_ok());
    }
}
