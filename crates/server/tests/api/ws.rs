//! The live pipeline over real WebSocket connections (contract §5.2, §6) with `tokio-tungstenite`, a client
//! that shares nothing with the server's codec. Every receive is bounded by a timeout.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::helpers::{TestApp, fixture, fixture_json, spawn_app, spawn_env, tamper};
use crate::ingest::{ONCOURSE, RESULTS, post_xml};

pub(crate) type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const WAIT: Duration = Duration::from_secs(5);

pub(crate) async fn connect(app: &TestApp, event_id: &str, query: &str) -> Ws {
    let url = format!(
        "ws://127.0.0.1:{}/api/v1/events/{event_id}/ws{query}",
        app.port()
    );
    let (ws, res) = tokio::time::timeout(WAIT, connect_async(url))
        .await
        .expect("connect in time")
        .expect("upgrade");
    assert_eq!(res.status().as_u16(), 101);
    ws
}

/// The next text frame as JSON (pings are answered by the client library while reading).
pub(crate) async fn next(ws: &mut Ws) -> Value {
    loop {
        let msg = tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("frame in time")
            .expect("open")
            .expect("ok");
        match msg {
            Message::Text(t) => return serde_json::from_str(&t).expect("JSON frame"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// The close frame the server ends with.
pub(crate) async fn closed(ws: &mut Ws) -> Option<CloseFrame> {
    loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("close in time")
        {
            Some(Ok(Message::Close(frame))) => return frame,
            Some(Ok(Message::Text(t))) => panic!("unexpected frame before close: {t}"),
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("error instead of close: {e}"),
            None => return None,
        }
    }
}

/// Nothing arrives within `d`.
async fn silent(ws: &mut Ws, d: Duration) {
    loop {
        match tokio::time::timeout(d, ws.next()).await {
            Err(_) => return,
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            Ok(other) => panic!("expected silence, got {other:?}"),
        }
    }
}

/// A handshake the server refuses: its status, `Retry-After` and JSON body.
async fn refused(app: &TestApp, event_id: &str) -> (u16, Option<String>, Value) {
    let url = format!("ws://127.0.0.1:{}/api/v1/events/{event_id}/ws", app.port());
    match tokio::time::timeout(WAIT, connect_async(url))
        .await
        .expect("answer in time")
    {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            let retry = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = res.body().as_deref().map_or(Value::Null, |b| {
                serde_json::from_slice(b).expect("JSON body")
            });
            (res.status().as_u16(), retry, body)
        }
        other => panic!(
            "expected a refused handshake, got {:?}",
            other.map(|(_, r)| r.status())
        ),
    }
}

async fn lodm(app: &TestApp, id: &str, status: &str) -> String {
    let key = app.event(id).await;
    let res = post_xml(app, &key, &fixture("sample-c123-synthetic-lodm-qua.xml")).await;
    assert_eq!(res.status.as_u16(), 200);
    app.set_status(id, &key, status).await;
    key
}

#[actix_web::test]
async fn first_frame_is_full_and_diffs_reach_only_their_event() {
    let app = spawn_app().await;
    let key = lodm(&app, "lodm-2024", "running").await;
    lodm(&app, "other", "running").await;
    let mut a = connect(&app, "lodm-2024", "").await;
    let mut b = connect(&app, "lodm-2024", "").await;
    let mut other = connect(&app, "other", "").await;
    let full = next(&mut a).await;
    assert_eq!(full["type"], "full");
    let epoch = full["epoch"].as_str().unwrap().to_owned();
    assert_eq!(epoch.len(), 16);
    assert!(
        epoch
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    let seq0 = full["seq"].as_u64().unwrap();
    let data = &full["data"];
    assert_eq!(data["event"]["eventId"], "lodm-2024");
    assert_eq!(data["event"]["status"], "running");
    assert_eq!(data["event"]["facility"], "Areál Lídy Polesné");
    assert_eq!(data["classes"].as_array().unwrap().len(), 2);
    assert_eq!(data["races"].as_array().unwrap().len(), 3);
    assert_eq!(
        data["categories"][0]["classIds"],
        json!(["K1M-ZS", "K1W-ZS"])
    );
    assert_eq!(next(&mut b).await["type"], "full");
    assert_eq!(next(&mut other).await["type"], "full");

    // Results: frames 41–43 of contract §6.5 (bib 8 unchanged and not sent).
    let bodies = fixture_json("sample-ingest-results.json");
    let res = app
        .json(
            "POST",
            RESULTS,
            &[("x-api-key", &key)],
            &bodies["c123_server_shape"],
        )
        .await;
    assert_eq!(res.json(), json!({"updated": 2}));
    let res = app
        .json(
            "POST",
            RESULTS,
            &[("x-api-key", &key)],
            &bodies["with_tcp_gates"],
        )
        .await;
    assert_eq!(res.json(), json!({"updated": 1}));
    let bib11 = json!({"rnk":null,"bib":11,"athleteId":"48024","name":"KOVÁČ Tobiáš","club":"Klášter.","noc":"USK","catId":"ZS","catRnk":null,"time":null,"pen":0,"total":null,"totalBehind":null,"catTotalBehind":null,"status":"DNF","prevStatus":"DSQ","currStatus":"DNF","betterRunNr":null,"totalTotal":null,"prevTime":9242,"prevPen":5200,"prevTotal":14442,"prevRnk":null});
    for ws in [&mut a, &mut b] {
        let f41 = next(ws).await;
        assert_eq!(
            f41,
            json!({"type":"diff","seq":seq0 + 1,"data":{"raceId":"K1M-ZS_BR1_25","results":[bib11]}})
        );
        let f42 = next(ws).await;
        assert_eq!(
            f42,
            json!({"type":"diff","seq":seq0 + 2,"data":{"raceId":"K1M-ZS_BR2_25","results":[bib11]}})
        );
        let f43 = next(ws).await;
        assert_eq!(
            f43,
            json!({"type":"diff","seq":seq0 + 3,"data":{"raceId":"K1W-ZS_QUA_25","results":[
                {"rnk":1,"bib":3,"athleteId":"108047","name":"FUCHSOVÁ Terezie","club":"VSDK","noc":"JMK","catId":"ZS","catRnk":1,"time":7605,"pen":0,"total":7605,"totalBehind":"0.00","catTotalBehind":"0.00","status":null,"prevTime":null,"prevPen":null,"prevTotal":null,"prevRnk":null,"totalTotal":null,"betterRunNr":null},
                {"rnk":2,"bib":2,"athleteId":"23176","name":"HYBRANTOVÁ Anna","club":"SKVSČB","noc":"JCK","catId":"ZS","catRnk":2,"time":8000,"pen":200,"total":8200,"totalBehind":"+5.95","catTotalBehind":"+5.95","status":null,"prevTime":null,"prevPen":null,"prevTotal":null,"prevRnk":null,"totalTotal":null,"betterRunNr":null}]}})
        );
    }
    // The same body again changes nothing: no frame.
    app.json(
        "POST",
        RESULTS,
        &[("x-api-key", &key)],
        &bodies["with_tcp_gates"],
    )
    .await;
    silent(&mut a, Duration::from_millis(300)).await;
    silent(&mut other, Duration::from_millis(100)).await;

    // On-course: the whole snapshot with course gate types (DV6); an identical one is not sent (DV7).
    let oncourse = fixture_json("sample-ingest-oncourse.json")["c123_server_shape"].clone();
    app.json("POST", ONCOURSE, &[("x-api-key", &key)], &oncourse)
        .await;
    let f = next(&mut a).await;
    assert_eq!(f["seq"], seq0 + 4);
    let items = f["data"]["oncourse"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0]["gates"][2],
        json!({"number":3,"type":"reverse","penalty":2})
    );
    assert_eq!(items[0]["completed"], true);
    app.json("POST", ONCOURSE, &[("x-api-key", &key)], &oncourse)
        .await;
    silent(&mut a, Duration::from_millis(300)).await;

    // XML import: a new full, in ring.
    post_xml(&app, &key, &fixture("sample-c123-synthetic-lodm-qua.xml")).await;
    let f = next(&mut a).await;
    assert_eq!(
        (f["type"].as_str(), f["seq"].as_u64(), f["epoch"].as_str()),
        (Some("full"), Some(seq0 + 5), Some(epoch.as_str()))
    );
    // Status: a diff; finished also clears on-course (no frame for that).
    app.set_status("lodm-2024", &key, "finished").await;
    assert_eq!(
        next(&mut a).await,
        json!({"type":"diff","seq":seq0 + 6,"data":{"status":"finished"}})
    );
    let mut kinds = Vec::new();
    for _ in 0..3 {
        let f = next(&mut b).await;
        kinds.push((
            f["type"].as_str().unwrap().to_owned(),
            f["seq"].as_u64().unwrap(),
        ));
    }
    assert_eq!(
        kinds,
        [
            ("diff".to_owned(), seq0 + 4),
            ("full".to_owned(), seq0 + 5),
            ("diff".to_owned(), seq0 + 6)
        ]
    );
    silent(&mut other, Duration::from_millis(100)).await;
    app.stop().await;
}

#[actix_web::test]
async fn admission_errors_before_the_upgrade() {
    let app = spawn_env(&[("WS_MAX_PER_EVENT", "2"), ("WS_MAX_TOTAL", "3")]).await;
    let key = lodm(&app, "cap", "running").await;
    lodm(&app, "cap2", "running").await;
    app.event("drafty").await;
    let official = lodm(&app, "done", "running").await;
    app.set_status("done", &official, "official").await;
    let upgrade = [
        ("connection", "Upgrade"),
        ("upgrade", "websocket"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    for (id, status, error, message) in [
        (
            "nope",
            404,
            "EventNotFound",
            "Event not found or not publicly available",
        ),
        (
            "drafty",
            404,
            "EventNotFound",
            "Event not found or not publicly available",
        ),
        (
            "done",
            410,
            "EventOfficial",
            "Event results are official. No live updates available.",
        ),
    ] {
        let res = app.get(&format!("/api/v1/events/{id}/ws"), &upgrade).await;
        res.assert_error(status, error, message);
    }
    app.get("/api/v1/events/cap/ws", &[]).await.assert_error(
        426,
        "Invalid request",
        "WebSocket upgrade required",
    );
    let one = connect(&app, "cap", "").await;
    let _two = connect(&app, "cap", "").await;
    let (status, retry, body) = refused(&app, "cap").await;
    assert_eq!((status, retry.as_deref()), (503, Some("5")));
    assert_eq!(
        body,
        json!({"error":"ConnectionLimitReached","message":"Maximum number of concurrent connections reached for this event","maxConnections":2})
    );
    let _three = connect(&app, "cap2", "").await;
    let (status, _, body) = refused(&app, "cap2").await;
    assert_eq!(status, 503);
    assert_eq!(
        body,
        json!({"error":"ConnectionLimitReached","message":"Maximum number of concurrent connections reached","maxConnections":3})
    );
    // A refused handshake takes no slot; a client that leaves gives its slot back.
    drop(one);
    let deadline = std::time::Instant::now() + WAIT;
    while app.room_stats().connections > 2 {
        assert!(std::time::Instant::now() < deadline, "slot not released");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let _four = connect(&app, "cap", "").await;
    drop(key);
    app.stop().await;
}

#[actix_web::test]
async fn resume_replays_exactly_the_missed_frames() {
    let app = spawn_app().await;
    let key = lodm(&app, "res", "running").await;
    let mut a = connect(&app, "res", "").await;
    let full = next(&mut a).await;
    let epoch = full["epoch"].as_str().unwrap().to_owned();
    let seq = full["seq"].as_u64().unwrap();
    a.close(None).await.ok();
    let bodies = fixture_json("sample-ingest-results.json");
    app.json(
        "POST",
        RESULTS,
        &[("x-api-key", &key)],
        &bodies["c123_server_shape"],
    )
    .await;
    app.json(
        "POST",
        RESULTS,
        &[("x-api-key", &key)],
        &bodies["with_tcp_gates"],
    )
    .await;
    // Missed three frames: exactly those, with their original seq, then live.
    let mut b = connect(&app, "res", &format!("?since={epoch}:{seq}")).await;
    for n in 1..=3 {
        let f = next(&mut b).await;
        assert_eq!(
            (f["type"].as_str(), f["seq"].as_u64()),
            (Some("diff"), Some(seq + n))
        );
    }
    silent(&mut b, Duration::from_millis(200)).await;
    app.set_status("res", &key, "finished").await;
    assert_eq!(next(&mut b).await["seq"], seq + 4);
    // Up to date: nothing replayed.
    let mut c = connect(&app, "res", &format!("?since={epoch}:{}", seq + 4)).await;
    silent(&mut c, Duration::from_millis(200)).await;
    // Unprovable positions get a full.
    for since in [
        "?since=0000000000000000:1".to_owned(),
        format!("?since={epoch}:{}", seq + 99),
        "?since=garbage".to_owned(),
        format!("?since={epoch}:-1"),
    ] {
        let mut d = connect(&app, "res", &since).await;
        let f = next(&mut d).await;
        assert_eq!(f["type"], "full", "{since}");
        assert_eq!(f["seq"], seq + 4, "{since}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn a_silent_client_is_dropped_by_the_heartbeat_while_others_keep_receiving() {
    let app = spawn_env(&[("WS_PING_SECS", "1"), ("WS_PONG_TIMEOUT_SECS", "1")]).await;
    let key = lodm(&app, "hb", "running").await;
    let mut silent_client = connect(&app, "hb", "").await;
    let mut live = connect(&app, "hb", "").await;
    next(&mut live).await;
    // `live` keeps reading (and so answering pings) for 3.5 s; `silent_client` reads nothing.
    let deadline = tokio::time::Instant::now() + Duration::from_millis(3500);
    while tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_millis(100), live.next()).await {
            Ok(Some(Ok(_))) | Err(_) => {}
            other => panic!("live client lost: {other:?}"),
        }
    }
    app.json(
        "POST",
        RESULTS,
        &[("x-api-key", &key)],
        &fixture_json("sample-ingest-results.json")["with_tcp_gates"],
    )
    .await;
    assert_eq!(next(&mut live).await["type"], "diff");
    // The silent one was dropped without a close frame: the stream ends (or errors) after the
    // buffered frames.
    let mut ended = false;
    for _ in 0..10 {
        match tokio::time::timeout(WAIT, silent_client.next())
            .await
            .expect("ends in time")
        {
            Some(Ok(Message::Close(_))) => panic!("dropped peers get no close frame"),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => {
                ended = true;
                break;
            }
        }
    }
    assert!(ended, "silent client still connected");
    app.stop().await;
}

#[actix_web::test]
async fn official_delete_draft_and_shutdown_close_with_the_contracts_codes() {
    let app = spawn_env(&[("OFFICIAL_CLOSE_GRACE_SECS", "1")]).await;
    let k1 = lodm(&app, "off", "running").await;
    let k2 = lodm(&app, "del", "running").await;
    let k3 = lodm(&app, "unpub", "startlist").await;
    lodm(&app, "down", "running").await;
    let (mut off, mut del, mut unpub, mut down) = (
        connect(&app, "off", "").await,
        connect(&app, "del", "").await,
        connect(&app, "unpub", "").await,
        connect(&app, "down", "").await,
    );
    for ws in [&mut off, &mut del, &mut unpub, &mut down] {
        assert_eq!(next(ws).await["type"], "full");
    }
    app.set_status("off", &k1, "official").await;
    assert_eq!(next(&mut off).await["data"], json!({"status": "official"}));
    let frame = closed(&mut off).await.expect("close frame");
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (1000, "Event results are official")
    );
    let upgrade = [
        ("connection", "Upgrade"),
        ("upgrade", "websocket"),
        ("sec-websocket-version", "13"),
        ("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    app.get("/api/v1/events/off/ws", &upgrade)
        .await
        .assert_error(
            410,
            "EventOfficial",
            "Event results are official. No live updates available.",
        );

    let res = app
        .send(
            "DELETE",
            "/api/v1/admin/events/del",
            &[("x-api-key", &k2)],
            None,
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let frame = closed(&mut del).await.expect("close frame");
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (1000, "Event deleted")
    );

    app.set_status("unpub", &k3, "draft").await;
    assert_eq!(next(&mut unpub).await["data"], json!({"status": "draft"}));
    let frame = closed(&mut unpub).await.expect("close frame");
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (1000, "Event unpublished")
    );

    let started = std::time::Instant::now();
    app.stop().await;
    let frame = closed(&mut down).await.expect("close frame");
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (1001, "Server shutting down")
    );
    // Not the 30 s of actix's default graceful timeout.
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[actix_web::test]
async fn big_client_frames_close_1009_and_client_close_is_echoed() {
    let app = spawn_app().await;
    lodm(&app, "big", "running").await;
    let mut ws = connect(&app, "big", "").await;
    next(&mut ws).await;
    ws.send(Message::text("small chatter is ignored"))
        .await
        .unwrap();
    silent(&mut ws, Duration::from_millis(200)).await;
    ws.send(Message::text("x".repeat(5000))).await.unwrap();
    let frame = closed(&mut ws).await.expect("close frame");
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (1009, "Message too big")
    );
    let mut ws = connect(&app, "big", "").await;
    next(&mut ws).await;
    ws.send(Message::Close(Some(CloseFrame {
        code: 4000.into(),
        reason: "bye".into(),
    })))
    .await
    .unwrap();
    let frame = closed(&mut ws).await.expect("echo");
    assert_eq!(u16::from(frame.code), 4000);
    app.stop().await;
}

#[actix_web::test]
async fn a_first_frame_that_cannot_be_composed_closes_1011_after_the_upgrade() {
    let app = spawn_app().await;
    lodm(&app, "broken", "running").await;
    // The event row still reads, the rest of its `full` does not.
    tamper(
        app.db_path(),
        "ALTER TABLE categories RENAME TO categories_gone;",
    );
    let mut ws = connect(&app, "broken", "").await;
    let frame = closed(&mut ws).await.expect("close frame");
    assert_eq!(
        (u16::from(frame.code), frame.reason.as_str()),
        (1011, "Internal server error")
    );
    // Nothing was admitted, and the same happens to the next spectator.
    let mut again = connect(&app, "broken", "").await;
    let frame = closed(&mut again).await.expect("close frame");
    assert_eq!(u16::from(frame.code), 1011);
    assert_eq!(app.room_stats().connections, 0);
    // Repaired, the next spectator gets its `full`.
    tamper(
        app.db_path(),
        "ALTER TABLE categories_gone RENAME TO categories;",
    );
    let mut ws = connect(&app, "broken", "").await;
    assert_eq!(next(&mut ws).await["type"], "full");
    assert_eq!(app.room_stats().connections, 1);
    app.stop().await;
}

/// An on-course body whose frame is ~2 KiB and differs for every `i` (identical snapshots are not
/// re-sent, DV7).
fn padded_oncourse(i: u64) -> Value {
    // About 2 KiB of strings, each within the feed's 256-character bound (DV41), one of them
    // different every round.
    let pad = |c: &str| format!("{}{i}", c.repeat(240));
    let entry = |participant: &str, bib: i32, position: i32| {
        json!({"participantId": participant, "raceId": "K1M-ZS_BR2_25", "bib": bib, "position": position,
               "name": pad("x"), "club": pad("c"), "ttbName": pad("t"), "ttbDiff": pad("d")})
    };
    json!({"oncourse": [entry("9069.K1M.ZS", 8, 1), entry("23128.K1M.ZS", 13, 2)]})
}

#[actix_web::test]
async fn a_client_that_stops_reading_does_not_delay_others_and_later_gets_refresh() {
    let app = spawn_env(&[("WS_SEND_QUEUE", "8"), ("WS_RESUME_FRAMES", "16")]).await;
    let key = lodm(&app, "slow", "running").await;
    let mut slow = connect(&app, "slow", "").await;
    let mut fast = connect(&app, "slow", "").await;
    let seq0 = next(&mut slow).await["seq"].as_u64().unwrap();
    next(&mut fast).await;
    // Big on-course snapshots, each different, until far more than the socket buffers hold.
    // Small frames: only the bounded buffers (kernel send buffer fixed by TCP_SEND_BUFFER, actix
    // and our queue) stand between the publisher and the stalled reader.
    let rounds = 400_u64;
    for i in 0..rounds {
        let body = padded_oncourse(i);
        let res = app
            .json("POST", ONCOURSE, &[("x-api-key", &key)], &body)
            .await;
        assert_eq!(res.status.as_u16(), 200);
        // The fast client gets every frame, in order, while the slow one reads nothing.
        let f = next(&mut fast).await;
        assert_eq!(f["seq"], seq0 + i + 1, "fast client missed a frame");
    }
    // Now the slow one reads: some frames, then one refresh jumping to the current seq.
    let mut saw_refresh = false;
    let mut last = seq0;
    while last < seq0 + rounds {
        let f = next(&mut slow).await;
        let seq = f["seq"].as_u64().unwrap();
        assert!(seq > last, "seq went backwards");
        if f["type"] == "refresh" {
            saw_refresh = true;
        } else {
            assert_eq!(seq, last + 1, "gap without refresh");
        }
        last = seq;
    }
    assert!(saw_refresh, "the slow client was never resynchronised");
    app.stop().await;
}

#[actix_web::test]
async fn thousands_of_connects_and_disconnects_leave_nothing_behind() {
    let app = spawn_app().await;
    lodm(&app, "churn", "running").await;
    for _ in 0..10 {
        let mut batch = Vec::new();
        for _ in 0..200 {
            batch.push(connect(&app, "churn", "").await);
        }
        let stats = app.room_stats();
        assert_eq!(stats.connections, 200);
        for (i, mut ws) in batch.into_iter().enumerate() {
            if i % 2 == 0 {
                // A clean close: the server echoes it.
                ws.close(None).await.ok();
                loop {
                    match tokio::time::timeout(WAIT, ws.next())
                        .await
                        .expect("close echo in time")
                    {
                        Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                        Some(Ok(_)) => {}
                    }
                }
            } else {
                drop(ws); // FIN without a close frame
            }
        }
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let s = app.room_stats();
        if s.connections == 0 && s.tasks == 0 && s.rooms == 0 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "leaked: {s:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The event's state survived the empty room: a new client resumes in the same epoch.
    let mut ws = connect(&app, "churn", "").await;
    assert_eq!(next(&mut ws).await["type"], "full");
    app.stop().await;
}

/// Whether this process (the app and its clients share it) still holds the server's end of the
/// TCP connection whose client end is `ws`: the `/proc/self/net/tcp` row from the app's port to
/// the client's port, and a descriptor pointing at that row's socket inode.
fn server_end_open(app: &TestApp, ws: &Ws) -> bool {
    let MaybeTlsStream::Plain(tcp) = ws.get_ref() else {
        panic!("plain TCP expected");
    };
    let client_port = tcp.local_addr().expect("local addr").port();
    let table = std::fs::read_to_string("/proc/self/net/tcp").expect("/proc/self/net/tcp");
    let inode = table.lines().skip(1).find_map(|row| {
        let cols: Vec<&str> = row.split_whitespace().collect();
        let port = |addr: &str| u16::from_str_radix(addr.rsplit(':').next()?, 16).ok();
        (port(cols[1]) == Some(app.port()) && port(cols[2]) == Some(client_port))
            .then(|| cols[9].to_owned())
    });
    let Some(inode) = inode else { return false };
    let target = format!("socket:[{inode}]");
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd")
        .filter_map(Result::ok)
        .any(|e| std::fs::read_link(e.path()).is_ok_and(|t| t.to_string_lossy() == target))
}

#[actix_web::test]
async fn a_stalled_socket_dropped_by_the_send_timeout_is_closed_by_the_server() {
    let app = spawn_env(&[
        ("WS_SEND_QUEUE", "8"),
        ("WS_RESUME_FRAMES", "16"),
        ("WS_SEND_TIMEOUT_SECS", "1"),
    ])
    .await;
    let key = lodm(&app, "stall", "running").await;
    let mut slow = connect(&app, "stall", "").await;
    next(&mut slow).await;
    assert!(server_end_open(&app, &slow));
    // 2 KiB on-course frames until the stalled write is given up (WS_SEND_TIMEOUT_SECS).
    let started = std::time::Instant::now();
    for i in 0.. {
        if app.room_stats().connections == 0 {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "never dropped");
        let body = padded_oncourse(i);
        let res = app
            .json("POST", ONCOURSE, &[("x-api-key", &key)], &body)
            .await;
        assert_eq!(res.status.as_u16(), 200);
        if i > 300 {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // The client still reads nothing but its kernel answers window probes. The server must not
    // keep its end (and the unsent bytes) for it: TCP_USER_TIMEOUT aborts it.
    let dropped = std::time::Instant::now();
    while server_end_open(&app, &slow) {
        assert!(
            dropped.elapsed() < Duration::from_secs(15),
            "the server kept the stalled socket open"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(slow);
    app.stop().await;
}

#[actix_web::test]
async fn the_full_frame_of_the_real_export_lists_no_classless_race() {
    let app = spawn_app().await;
    crate::ingest::event_with_export(&app, "jarni", "running").await;
    let mut ws = connect(&app, "jarni", "").await;
    let full = next(&mut ws).await;
    assert_eq!(full["type"], "full");
    let data = &full["data"];
    // DV40: the `<unassigned>` schedule row is not listed, exactly as in the REST detail.
    let races = data["races"].as_array().unwrap();
    assert_eq!(races.len(), 44);
    assert!(races.iter().all(|r| r["raceId"] != "<unassigned>"));
    assert!(races.iter().all(|r| r["classId"].is_string()));
    let detail = app.get("/api/v1/events/jarni", &[]).await.json();
    assert_eq!(data["races"], detail["races"]);
    // `categories` as §4.18: first occurrence in the export's order.
    let categories = app.get("/api/v1/events/jarni/categories", &[]).await.json();
    assert_eq!(data["categories"], categories["categories"]);
    let dm = data["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["catId"] == "DM")
        .unwrap();
    assert_eq!(dm["name"], "Dorost mladší");
    app.stop().await;
}
