//! The heartbeat: a client that stops answering is dropped without a close frame; a live one
//! stays (contract §6.8).

use std::time::Duration;

use futures_util::StreamExt;
use live_rooms::RoomsConfig;
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::*;

#[actix_web::test]
async fn a_silent_client_is_dropped_without_a_close_frame_and_a_live_one_stays() {
    let server = TestServer::start(RoomsConfig {
        // Generous for the live client's pong, short enough to keep the test quick.
        ping_interval: Duration::from_millis(200),
        pong_timeout: Duration::from_secs(1),
        ..config()
    });
    let mut silent = server.connect("e").await;
    next_json(&mut silent).await;

    // The live client keeps reading, which answers the pings.
    let mut live = server.connect("e").await;
    next_json(&mut live).await;
    let (frames_tx, mut frames) = tokio::sync::mpsc::unbounded_channel();
    let reader = actix_web::rt::spawn(async move {
        while let Some(Ok(message)) = live.next().await {
            if let Message::Text(text) = message {
                let _ = frames_tx.send(text.to_string());
            }
        }
    });

    server
        .wait_for("the silent client dropped", |s| s.connections == 1)
        .await;

    // What the silent client finds afterwards: maybe pings, then the end, never a close frame.
    loop {
        match next_message(&mut silent).await {
            Some(Ok(Message::Ping(_))) => {}
            Some(Ok(Message::Close(frame))) => panic!("unexpected close frame {frame:?}"),
            Some(Ok(other)) => panic!("unexpected frame {other:?}"),
            Some(Err(_)) | None => break,
        }
    }

    // The live client is still served, several ping periods later.
    server.publish("e", &results_data(1, 10)).await;
    let text = tokio::time::timeout(RECV_LIMIT, frames.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["seq"],
        1
    );
    assert_eq!(server.rooms.stats().connections, 1);
    reader.abort();
    server.stop().await;
}
