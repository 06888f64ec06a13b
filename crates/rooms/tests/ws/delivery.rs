//! What clients receive: the first `full`, diffs to their own event only, resume, refusals.

use futures_util::SinkExt;
use tokio_tungstenite::tungstenite::{Error, Message};

use crate::helpers::*;

#[actix_web::test]
async fn the_first_frame_is_the_full() {
    let server = TestServer::start(config());
    let mut client = server.connect("e").await;
    let full = next_json(&mut client).await;
    assert_eq!(full["type"], "full");
    assert_eq!(full["seq"], 0);
    assert_eq!(
        full["data"],
        serde_json::from_str::<serde_json::Value>(FULL).unwrap()
    );
    let epoch = full["epoch"].as_str().unwrap();
    assert_eq!(epoch.len(), 16);
    assert!(
        epoch
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    server.stop().await;
}

#[actix_web::test]
async fn a_diff_reaches_both_clients_of_its_event_and_not_a_client_of_another() {
    let server = TestServer::start(config());
    let mut a = server.connect("e").await;
    let mut b = server.connect("e").await;
    let mut other = server.connect("other").await;
    for client in [&mut a, &mut b, &mut other] {
        assert_eq!(next_json(client).await["type"], "full");
    }

    assert_eq!(
        server.publish("e", r#"{"raceId":"R1","results":[]}"#).await,
        1
    );
    server
        .publish("other", r#"{"raceId":"X9","results":[]}"#)
        .await;

    for client in [&mut a, &mut b] {
        let diff = next_json(client).await;
        assert_eq!(diff["type"], "diff");
        assert_eq!(diff["seq"], 1);
        assert_eq!(diff["data"]["raceId"], "R1");
    }
    // The other room's first frame after its `full` is its own diff, not this event's.
    assert_eq!(next_json(&mut other).await["data"]["raceId"], "X9");
    server.stop().await;
}

#[actix_web::test]
async fn a_reconnect_with_since_gets_exactly_the_missed_frames() {
    let server = TestServer::start(config());
    let mut client = server.connect("e").await;
    let full = next_json(&mut client).await;
    let epoch = full["epoch"].as_str().unwrap().to_owned();
    client.close(None).await.unwrap();
    drop(client);

    server.publish("e", &results_data(1, 10)).await;
    server.publish("e", &results_data(2, 10)).await;

    let mut resumed = server
        .connect_url(&format!("{}?since={epoch}:0", server.url("e")))
        .await;
    for seq in [1, 2] {
        let diff = next_json(&mut resumed).await;
        assert_eq!(
            (diff["type"].as_str(), diff["seq"].as_u64()),
            (Some("diff"), Some(seq))
        );
    }
    server.publish("e", &results_data(3, 10)).await;
    assert_eq!(next_json(&mut resumed).await["seq"], 3);

    // A stale epoch gets the full at the current seq.
    let mut stale = server
        .connect_url(&format!("{}?since=0000000000000000:1", server.url("e")))
        .await;
    let full = next_json(&mut stale).await;
    assert_eq!(
        (full["type"].as_str(), full["seq"].as_u64()),
        (Some("full"), Some(3))
    );
    server.stop().await;
}

#[actix_web::test]
async fn client_text_is_ignored_and_client_pings_are_answered() {
    let server = TestServer::start(config());
    let mut client = server.connect("e").await;
    next_json(&mut client).await;

    client.send(Message::text("hello")).await.unwrap();
    client
        .send(Message::Ping(b"abc".to_vec().into()))
        .await
        .unwrap();
    match next_message(&mut client).await {
        Some(Ok(Message::Pong(payload))) => assert_eq!(&payload[..], b"abc"),
        other => panic!("expected the pong, got {other:?}"),
    }
    server.publish("e", &results_data(1, 10)).await;
    // The text was not echoed: the next frame is the diff.
    assert_eq!(next_json(&mut client).await["type"], "diff");
    server.stop().await;
}

#[actix_web::test]
async fn draft_and_official_events_are_refused_before_the_upgrade() {
    let server = TestServer::start(config());
    for (event, status) in [("draft-1", 404), ("official-1", 410)] {
        match tokio_tungstenite::connect_async(server.url(event)).await {
            Err(Error::Http(response)) => assert_eq!(response.status().as_u16(), status),
            other => panic!("{event}: expected a refusal, got {:?}", other.map(|_| ())),
        }
    }
    assert_eq!(server.rooms.stats().connections, 0);
    assert_eq!(
        server.rooms.stats().hubs,
        0,
        "the lookups left nothing behind"
    );
    server.stop().await;
}
