//! Close codes and reasons (contract §6.8, §6.9) and cleanup after the sockets are gone.

use std::time::Duration;

use futures_util::SinkExt;
use live_rooms::CloseReason;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{CloseCode, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::{CloseFrame, Frame};

use crate::helpers::*;

fn assert_close(frame: &CloseFrame, code: u16, reason: &str) {
    assert_eq!(u16::from(frame.code), code);
    assert_eq!(frame.reason.as_str(), reason);
}

#[actix_web::test]
async fn closing_a_room_sends_1000_with_the_reason() {
    let server = TestServer::start(config());
    for (event, reason, text) in [
        ("e-deleted", CloseReason::Deleted, "Event deleted"),
        (
            "e-unpublished",
            CloseReason::Unpublished,
            "Event unpublished",
        ),
    ] {
        let mut client = server.connect(event).await;
        next_json(&mut client).await;
        server.rooms.lock(event).await.close(reason);
        assert_close(&next_close(&mut client).await, 1000, text);
    }
    server
        .wait_for("every socket gone", |s| s.connections == 0 && s.tasks == 0)
        .await;
    assert_eq!(server.rooms.stats().hubs, 0);
    server.stop().await;
}

#[actix_web::test]
async fn the_official_close_comes_after_the_grace() {
    let server = TestServer::start(config());
    let mut client = server.connect("e").await;
    next_json(&mut client).await;
    server
        .rooms
        .schedule_official_close("e", Duration::from_millis(100));
    assert_close(
        &next_close(&mut client).await,
        1000,
        "Event results are official",
    );
    server.stop().await;
}

#[actix_web::test]
async fn shutdown_closes_every_socket_with_1001() {
    let server = TestServer::start(config());
    let mut a = server.connect("e1").await;
    let mut b = server.connect("e2").await;
    next_json(&mut a).await;
    next_json(&mut b).await;
    server.rooms.shutdown();
    for client in [&mut a, &mut b] {
        assert_close(&next_close(client).await, 1001, "Server shutting down");
    }
    server
        .wait_for("every socket gone", |s| s.connections == 0 && s.tasks == 0)
        .await;
    server.stop().await;
}

#[actix_web::test]
async fn a_client_frame_over_4096_bytes_is_closed_with_1009() {
    let server = TestServer::start(config());
    let mut client = server.connect("e").await;
    next_json(&mut client).await;
    client.send(Message::text("x".repeat(4096))).await.unwrap();
    server.publish("e", &results_data(1, 10)).await;
    assert_eq!(
        next_json(&mut client).await["seq"],
        1,
        "4 096 bytes are accepted"
    );

    client.send(Message::text("x".repeat(4097))).await.unwrap();
    assert_close(&next_close(&mut client).await, 1009, "Message too big");
    server
        .wait_for("socket gone", |s| s.connections == 0 && s.tasks == 0)
        .await;
    server.stop().await;
}

#[actix_web::test]
async fn a_fragmented_client_message_over_4096_bytes_is_closed_with_1009() {
    let server = TestServer::start(config());
    let mut client = server.connect("e").await;
    next_json(&mut client).await;
    let part = "x".repeat(3000);
    let first = Frame::message(part.clone(), OpCode::Data(Data::Text), false);
    let last = Frame::message(part, OpCode::Data(Data::Continue), true);
    client.send(Message::Frame(first)).await.unwrap();
    client.send(Message::Frame(last)).await.unwrap();
    assert_close(&next_close(&mut client).await, 1009, "Message too big");
    server.stop().await;
}

#[actix_web::test]
async fn a_client_close_is_echoed_with_its_code() {
    let server = TestServer::start(config());
    let mut client = server.connect("e").await;
    next_json(&mut client).await;
    client
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::from(4001),
            reason: "bye".into(),
        })))
        .await
        .unwrap();
    assert_eq!(u16::from(next_close(&mut client).await.code), 4001);
    server
        .wait_for("socket gone", |s| s.connections == 0 && s.tasks == 0)
        .await;
    server.stop().await;
}

#[actix_web::test]
async fn a_vanished_client_leaves_the_room_at_once() {
    let server = TestServer::start(config()); // heartbeat 60 s: only the stream end can tell
    let mut client = server.connect("e").await;
    next_json(&mut client).await;
    assert_eq!(server.rooms.stats().connections, 1);
    drop(client);
    server
        .wait_for("socket gone", |s| s.connections == 0 && s.tasks == 0)
        .await;
    server.stop().await;
}
