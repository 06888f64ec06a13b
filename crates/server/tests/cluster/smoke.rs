//! The harness on what works without the services: real `live-mini` processes on SQLite (one
//! database each), the proxy, and the scenarios of the cluster tests with every role on one
//! instance. Plus, when the services are there, the database and stream helpers themselves.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;

use crate::harness::{
    Instance, Pg, Proxy, Services, delete_stream, host_port, nats_request, on_thread, pg_batch,
    rand_hex, services, with_host_port,
};
use crate::scenarios::{
    assert_same_rest, bib2, concurrent_ingests, live_pipeline, official_close, oncourse_expiry,
    rest_snapshot, resume_across,
};
use crate::spectator::{End, Frame, Spectator, assert_same_frames};

#[actix_web::test]
async fn an_instance_starts_answers_restarts_on_its_port_and_dies_with_sigkill() {
    let mut a = Instance::start("solo", &[]).await;
    let port = a.port();
    assert_eq!(
        a.get("/health").await.expect(200).json(),
        json!({"status": "ok"})
    );
    let key = a.lodm_event("smoke", "running").await;
    let mut s = Spectator::joined(&a, "smoke").await;
    let epoch = s.epoch().to_owned();
    a.post_results(&key, &bib2(9_100)).await.expect(200);
    assert_eq!(s.next().await.seq, s.frames[0].seq + 1);

    // SIGKILL: the spectator's connection just ends, no close frame.
    a.kill9();
    assert!(!a.is_running());
    assert_eq!(s.ended().await, End::Dropped);
    assert!(a.try_send("GET", "/health", &[], None).await.is_err());

    // Same port, same database file; single-node mode starts a new epoch (contract §6.6), so
    // the resume gets a `full`.
    a.restart().await;
    assert_eq!(a.port(), port);
    assert!(a.is_running());
    s.resume(&a).await;
    let f = s.next().await;
    assert_eq!(f.kind, "full");
    assert_ne!(f.epoch(), Some(epoch.as_str()));
    let log = a.log();
    assert_eq!(log.matches("=== harness: start #").count(), 2, "{log}");
    assert!(a.env().iter().any(|(k, v)| k == "RUST_LOG" && v == "warn"));
}

#[actix_web::test]
async fn dropping_an_instance_kills_it() {
    let a = Instance::start("gone", &[]).await;
    a.lodm_event("bye", "running").await;
    let mut s = Spectator::joined(&a, "bye").await;
    let port = a.port();
    drop(a);
    // Killed on drop (SIGKILL): no close frame, and nobody listens on the port any more.
    assert_eq!(s.ended().await, End::Dropped);
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[actix_web::test]
async fn the_proxy_relays_cuts_and_restores() {
    let a = Instance::start("behind", &[]).await;
    let proxy = Proxy::start(&format!("127.0.0.1:{}", a.port()));
    let via = |path: &str| format!("http://{}{path}", proxy.addr());
    let client = awc::Client::builder()
        .timeout(Duration::from_secs(5))
        .finish();
    let res = client.get(via("/health")).send().await.expect("through");
    assert_eq!(res.status().as_u16(), 200);
    assert!(proxy.relayed() >= 1);

    // A WebSocket through the proxy dies on cut; new connections fail while cut.
    let key = a.lodm_event("px", "running").await;
    let url = format!("ws://{}/api/v1/events/px/ws", proxy.addr());
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.expect("ws");
    assert!(matches!(
        ws.next().await,
        Some(Ok(tokio_tungstenite::tungstenite::Message::Text(_)))
    ));
    assert!(proxy.live() >= 1);
    proxy.cut();
    let end = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .expect("ends in time");
    assert!(
        !matches!(
            end,
            Some(Ok(tokio_tungstenite::tungstenite::Message::Text(_)))
        ),
        "{end:?}"
    );
    let fresh = awc::Client::builder()
        .timeout(Duration::from_secs(5))
        .finish();
    assert!(fresh.get(via("/health")).send().await.is_err());
    assert_eq!(proxy.live(), 0);

    proxy.restore();
    let res = fresh.get(via("/health")).send().await.expect("restored");
    assert_eq!(res.status().as_u16(), 200);

    // Stalled: a live WebSocket gets nothing and a new request no answer; on restore both go on.
    let (mut ws, _) = tokio_tungstenite::connect_async(&url).await.expect("ws");
    let full = ws.next().await;
    assert!(matches!(
        full,
        Some(Ok(tokio_tungstenite::tungstenite::Message::Text(_)))
    ));
    proxy.stall();
    a.post_results(&key, &bib2(9_100)).await.expect(200);
    let pending = tokio::time::timeout(Duration::from_millis(500), ws.next()).await;
    assert!(
        pending.is_err(),
        "nothing passes a stalled proxy: {pending:?}"
    );
    let short = awc::Client::builder()
        .timeout(Duration::from_millis(500))
        .finish();
    assert!(short.get(via("/health")).send().await.is_err());
    proxy.restore();
    let held = tokio::time::timeout(Duration::from_secs(5), ws.next())
        .await
        .expect("held frame delivered on restore");
    let Some(Ok(tokio_tungstenite::tungstenite::Message::Text(t))) = held else {
        panic!("{held:?}");
    };
    assert!(t.as_str().contains("\"time\":9100"), "{t}");
    let again = awc::Client::builder()
        .timeout(Duration::from_secs(5))
        .finish();
    let res = again.get(via("/health")).send().await.expect("restored");
    assert_eq!(res.status().as_u16(), 200);
}

/// Test 1's scenario on one node; its frames are also the reference of the cluster test.
#[actix_web::test]
async fn single_node_live_pipeline_scenario() {
    let a = Instance::start("single", &[]).await;
    let (_, frames) = live_pipeline(&a, &[&a, &a, &a], "pipe").await;
    assert_same_frames(&frames[0], &frames[1]);
    assert_same_frames(&frames[0], &frames[2]);
    let one = rest_snapshot(&a, "pipe").await;
    assert!(one.iter().all(|(_, status, _)| *status == 200), "{one:?}");
    assert_same_rest(&one, &rest_snapshot(&a, "pipe").await, "stable");
    // Another process with its own database and epoch: the same bytes once `seq` is relative
    // and the epoch masked (how the cluster test compares with single-node).
    let b = Instance::start("other", &[]).await;
    let (_, other) = live_pipeline(&b, &[&b], "pipe").await;
    let norm =
        |fs: &[Frame]| -> Vec<String> { fs.iter().map(|f| f.normalized(fs[0].seq)).collect() };
    assert_ne!(frames[0][0].epoch(), other[0][0].epoch());
    assert_eq!(norm(&frames[0]), norm(&other[0]));
    assert_same_rest(&one, &rest_snapshot(&b, "pipe").await, "another process");
}

#[actix_web::test]
async fn single_node_concurrent_ingests_scenario() {
    let a = Instance::start("single", &[]).await;
    concurrent_ingests(&a, &a, &[&a, &a], "conc").await;
}

#[actix_web::test]
async fn single_node_resume_scenario() {
    let a = Instance::start("single", &[]).await;
    resume_across(&a, &a, &a, "res").await;
}

#[actix_web::test]
async fn single_node_official_close_and_oncourse_expiry_scenarios() {
    let a = Instance::start(
        "single",
        &[
            ("OFFICIAL_CLOSE_GRACE_SECS", "1".into()),
            ("ONCOURSE_TTL_MS", "600".into()),
        ],
    )
    .await;
    official_close(&a, &[&a, &a], "off").await;
    oncourse_expiry(&a, &[&a, &a], "ttl").await;
}

/// The database and stream helpers against the real services (skipped without them).
#[actix_web::test]
async fn fresh_database_and_stream_clean_up() {
    let Some(svc) = services("fresh_database_and_stream_clean_up") else {
        return;
    };
    let name = {
        let pg = Pg::fresh();
        assert_eq!(pg.rows("SELECT 40 + 2")[0][0].as_deref(), Some("42"));
        assert!(pg.url().ends_with(pg.name()));
        pg.name().to_owned()
    };
    let admin = Pg::fresh();
    let left = admin.rows(&format!(
        "SELECT count(*) FROM pg_database WHERE datname = '{name}'"
    ));
    assert_eq!(left[0][0].as_deref(), Some("0"), "{name} not dropped");
    stream_round_trip(&svc);
}

/// The proxy on the services' own protocols: an open `PostgreSQL` session dies on `cut`, new
/// ones are refused until `restore`; the same for NATS.
#[actix_web::test]
async fn the_proxy_cuts_postgres_and_nats() {
    let Some(svc) = services("the_proxy_cuts_postgres_and_nats") else {
        return;
    };
    let pg = Pg::fresh();
    let url = pg.url().to_owned();
    on_thread(move || {
        let proxy = Proxy::start(&host_port(&url, 5432));
        let via = with_host_port(&url, &proxy.addr());
        let mut session = postgres::Client::connect(&via, postgres::NoTls).expect("through");
        session.batch_execute("SELECT 1").expect("query");
        proxy.cut();
        assert!(
            session.batch_execute("SELECT 1").is_err(),
            "session survived the cut"
        );
        assert!(pg_batch(&via, "SELECT 1").is_err(), "new session while cut");
        proxy.restore();
        pg_batch(&via, "SELECT 1").expect("after restore");
    });
    let proxy = Proxy::start(&host_port(&svc.nats, 4222));
    let via = with_host_port(&svc.nats, &proxy.addr());
    nats_request(&via, "$JS.API.INFO", b"").expect("through");
    proxy.cut();
    assert!(nats_request(&via, "$JS.API.INFO", b"").is_err());
    proxy.restore();
    nats_request(&via, "$JS.API.INFO", b"").expect("after restore");
}

fn stream_round_trip(svc: &Services) {
    let stream = format!("LIVE_TEST_{}", rand_hex(8).to_uppercase());
    let config = json!({"name": stream, "subjects": [format!("live_test.{}.>", rand_hex(8))],
        "storage": "memory", "max_msgs_per_subject": 4});
    let created = nats_request(
        &svc.nats,
        &format!("$JS.API.STREAM.CREATE.{stream}"),
        config.to_string().as_bytes(),
    )
    .expect("create");
    assert!(!created.contains("\"error\""), "{created}");
    let info =
        nats_request(&svc.nats, &format!("$JS.API.STREAM.INFO.{stream}"), b"").expect("info");
    assert!(!info.contains("\"error\""), "{info}");
    delete_stream(&svc.nats, &stream);
    let info =
        nats_request(&svc.nats, &format!("$JS.API.STREAM.INFO.{stream}"), b"").expect("info");
    assert!(info.contains("\"error\""), "stream still there: {info}");
}
