//! Against a real NATS server: `LIVE_MINI_TEST_NATS` (default `nats://127.0.0.1:4222`), each test
//! on its own stream and subject prefix, deleted at the end. Without a reachable server a test
//! says so on one stderr line and passes, unless `LIVE_MINI_REQUIRE_SERVICES=1`.

use std::io::Write as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

const DEFAULT_NATS: &str = "nats://127.0.0.1:4222";
const NATS_SERVER_BIN: &str = "/usr/sbin/nats-server";

fn test_url() -> String {
    std::env::var("LIVE_MINI_TEST_NATS")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_NATS.to_owned())
}

/// `host:port` of a `nats://host:port` URL.
fn host_port(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    rest.split(['/', ',']).next().unwrap_or(rest)
}

fn reachable(url: &str) -> bool {
    use std::net::ToSocketAddrs as _;
    host_port(url)
        .to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .is_some_and(|addr| TcpStream::connect_timeout(&addr, Duration::from_secs(1)).is_ok())
}

/// The test NATS URL, or `None` after saying once why the test does not run.
fn nats_or_skip(test: &str) -> Option<String> {
    let url = test_url();
    if reachable(&url) {
        return Some(url);
    }
    let required = std::env::var("LIVE_MINI_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "bus::{test}: NATS at {} not reachable and LIVE_MINI_REQUIRE_SERVICES=1",
        host_port(&url)
    );
    // Straight to the process's stderr: the harness captures `eprintln!` of passing tests.
    let line = format!(
        "cluster tests NOT RUN (bus::{test}): NATS at {} not reachable\n",
        host_port(&url)
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    None
}

fn random_hex() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("random bytes");
    hex::encode(bytes)
}

fn test_config(url: &str, max_frames: i64) -> BusConfig {
    let suffix = random_hex();
    BusConfig {
        url: url.to_owned(),
        stream: format!("LIVE_TEST_{suffix}"),
        subject_prefix: format!("live.test.{suffix}"),
        max_frames_per_event: max_frames,
        max_age: Duration::from_mins(5),
        publish_timeout: Duration::from_secs(2),
    }
}

/// Deletes the test's stream when the test ends, passed or not (own thread, own runtime, own
/// connection: a panicking test's runtime may be unusable).
struct StreamGuard {
    url: String,
    stream: String,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        let url = self.url.clone();
        let stream = self.stream.clone();
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let cleanup = async {
                    let client = async_nats::connect(url.as_str()).await.ok()?;
                    jetstream::new(client).delete_stream(&stream).await.ok()
                };
                let _ = tokio::time::timeout(Duration::from_secs(5), cleanup).await;
            });
        })
        .join();
    }
}

async fn test_bus(url: &str, max_frames: i64) -> (Bus, StreamGuard) {
    let config = test_config(url, max_frames);
    let guard = StreamGuard {
        url: url.to_owned(),
        stream: config.stream.clone(),
    };
    let bus = Bus::connect(config).await.expect("connect");
    (bus, guard)
}

fn frame(event_pk: i32, seq: u64, kind: BusKind) -> BusFrame {
    let text = format!(r#"{{"type":"diff","seq":{seq},"data":{{"n":"ž {seq}"}}}}"#);
    BusFrame {
        event_pk,
        event_id: format!("ev-{event_pk}"),
        epoch: "00112233aabbccdd".to_owned(),
        seq,
        kind,
        status: None,
        frame: Bytes::from(text),
        full_data: None,
    }
}

async fn next_event(rx: &mut mpsc::Receiver<BusEvent>, within: Duration) -> Option<BusEvent> {
    tokio::time::timeout(within, rx.recv()).await.ok().flatten()
}

/// Publishes probe frames (event pk `i32::MAX`) until the subscription delivers one: from then
/// on it is established, and every frame published later reaches it. Drains the probes.
async fn wait_subscribed(bus: &Bus, rx: &mut mpsc::Receiver<BusEvent>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut seq = 0;
    loop {
        assert!(Instant::now() < deadline, "subscription not established");
        seq += 1;
        if bus
            .publish(&frame(i32::MAX, seq, BusKind::Refresh))
            .await
            .is_err()
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        }
        if let Some(BusEvent::Frame(f)) = next_event(rx, Duration::from_millis(300)).await
            && f.event_pk == i32::MAX
        {
            break;
        }
    }
    // Later probes may still be on their way.
    while let Some(event) = next_event(rx, Duration::from_millis(300)).await {
        assert!(
            matches!(event, BusEvent::Frame(ref f) if f.event_pk == i32::MAX),
            "{event:?}"
        );
    }
}

#[tokio::test]
async fn round_trip_is_byte_exact() {
    let Some(url) = nats_or_skip("round_trip_is_byte_exact") else {
        return;
    };
    let (bus, _guard) = test_bus(&url, 16).await;
    let mut rx = bus.subscribe();
    wait_subscribed(&bus, &mut rx).await;

    let full = BusFrame {
        kind: BusKind::Full,
        full_data: Some(Bytes::from_static(
            "{\"races\":[{\"id\":\"K1M\",\"name\":\"Kajak – muži\"}]}".as_bytes(),
        )),
        ..frame(7, 1, BusKind::Full)
    };
    let status = BusFrame {
        status: Some("official".to_owned()),
        full_data: Some(Bytes::from_static(b"{\"status\":\"official\"}")),
        ..frame(7, 2, BusKind::Status)
    };
    let results = frame(7, 3, BusKind::Results);
    let deleted = BusFrame {
        frame: Bytes::new(),
        ..frame(7, 4, BusKind::Deleted)
    };
    let sent = [full, status, results, deleted];
    for f in &sent {
        bus.publish(f).await.expect("publish");
    }
    for expected in &sent {
        match next_event(&mut rx, Duration::from_secs(5)).await {
            Some(BusEvent::Frame(got)) => assert_eq!(&got, expected),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
    assert_eq!(bus.backlog(7).await.expect("backlog"), sent);
    bus.delete_stream().await.expect("delete stream");
}

#[tokio::test]
async fn the_same_frame_published_twice_is_stored_once() {
    let Some(url) = nats_or_skip("the_same_frame_published_twice_is_stored_once") else {
        return;
    };
    let (bus, _guard) = test_bus(&url, 16).await;
    let f = frame(3, 1, BusKind::Results);
    bus.publish(&f).await.expect("publish");
    bus.publish(&f).await.expect("publish again (a retry)");
    // Same seq, other epoch: another frame.
    let other_epoch = BusFrame {
        epoch: "ffffffffffffffff".to_owned(),
        ..f.clone()
    };
    bus.publish(&other_epoch)
        .await
        .expect("publish other epoch");
    assert_eq!(bus.backlog(3).await.expect("backlog"), [f, other_epoch]);
    bus.delete_stream().await.expect("delete stream");
}

#[tokio::test]
async fn each_event_keeps_its_newest_frames_in_order() {
    let Some(url) = nats_or_skip("each_event_keeps_its_newest_frames_in_order") else {
        return;
    };
    let (bus, _guard) = test_bus(&url, 3).await;
    for seq in 1..=5 {
        bus.publish(&frame(1, seq, BusKind::Results))
            .await
            .expect("publish");
        if seq <= 2 {
            bus.publish(&frame(2, seq, BusKind::Oncourse))
                .await
                .expect("publish");
        }
    }
    let seqs = |frames: Vec<BusFrame>| frames.into_iter().map(|f| f.seq).collect::<Vec<_>>();
    assert_eq!(seqs(bus.backlog(1).await.expect("backlog 1")), [3, 4, 5]);
    assert_eq!(seqs(bus.backlog(2).await.expect("backlog 2")), [1, 2]);
    assert_eq!(bus.backlog(9).await.expect("backlog 9"), []);
    // Each backlog's consumer is deleted right after it.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let mut stream = bus
            .inner
            .js
            .get_stream(&bus.inner.config.stream)
            .await
            .expect("stream");
        let consumers = stream
            .info()
            .await
            .expect("stream info")
            .state
            .consumer_count;
        if consumers == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "{consumers} backlog consumers left"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bus.delete_stream().await.expect("delete stream");
}

#[tokio::test]
async fn without_nats_connect_succeeds_and_publish_fails_in_time() {
    // A port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let config = BusConfig {
        publish_timeout: Duration::from_millis(300),
        ..test_config(&format!("nats://127.0.0.1:{port}"), 16)
    };
    let started = Instant::now();
    let bus = Bus::connect(config)
        .await
        .expect("connect never fails for a down NATS");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(!bus.is_connected());

    let started = Instant::now();
    let err = bus
        .publish(&frame(1, 1, BusKind::Results))
        .await
        .unwrap_err();
    assert!(err.is_unavailable(), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    let err = bus.backlog(1).await.unwrap_err();
    assert!(err.is_unavailable(), "{err}");

    // Several servers, comma-separated, as NATS_URL allows.
    let several = format!("nats://127.0.0.1:{port}, nats://127.0.0.1:{port}");
    assert!(Bus::connect(test_config(&several, 16)).await.is_ok());
    let err = Bus::connect(test_config("nats://127.0.0.1:70000", 16))
        .await
        .unwrap_err();
    assert!(!err.is_unavailable(), "{err}");
}

/// One `nats-server` of the test's own, killed when the guard goes.
struct NatsServer {
    child: Child,
}

impl NatsServer {
    fn start(port: u16, store: &Path) -> Self {
        let child = Command::new(NATS_SERVER_BIN)
            .args(["-a", "127.0.0.1", "-p", &port.to_string(), "-js", "-sd"])
            .arg(store)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nats-server");
        let server = Self { child };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(10);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "nats-server did not listen on {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }
}

impl NatsServer {
    /// SIGTERM, as a restart would: the server flushes its store (a SIGKILL may lose the
    /// newest messages, which is NATS's business, not the bus's). SIGKILL after 10 s.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // Drop kills it.
    }
}

impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_server_brings_reconnected_and_frames_again() {
    restart_scenario(
        "a_restarted_server_brings_reconnected_and_frames_again",
        true,
    )
    .await;
}

/// The server comes back without its store: the stream is gone and is created again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_lost_its_store_gets_the_stream_back() {
    restart_scenario("a_server_that_lost_its_store_gets_the_stream_back", false).await;
}

/// Own `nats-server`, subscribe, a frame, stop it (SIGTERM and the same store, or SIGKILL and
/// a new store), restart on the same port, `Reconnected`, a frame published after the restart
/// arrives.
async fn restart_scenario(test: &str, keep_store: bool) {
    if !Path::new(NATS_SERVER_BIN).exists() {
        let required = std::env::var("LIVE_MINI_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
        assert!(!required, "bus::{test}: {NATS_SERVER_BIN} missing");
        let line = format!("cluster tests NOT RUN (bus::{test}): {NATS_SERVER_BIN} missing\n");
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
        return;
    }
    let store = tempfile::tempdir().expect("tempdir");
    let other_store = tempfile::tempdir().expect("tempdir");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let url = format!("nats://127.0.0.1:{port}");
    let server = NatsServer::start(port, store.path());
    let bus = Bus::connect(test_config(&url, 16)).await.expect("connect");
    let mut rx = bus.subscribe();
    wait_subscribed(&bus, &mut rx).await;
    let before = frame(5, 1, BusKind::Results);
    bus.publish(&before)
        .await
        .expect("publish before the restart");
    match next_event(&mut rx, Duration::from_secs(5)).await {
        Some(BusEvent::Frame(got)) => assert_eq!(got, before),
        other => panic!("expected the frame published before the restart, got {other:?}"),
    }

    if keep_store {
        server.stop();
    } else {
        drop(server);
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    while bus.is_connected() {
        assert!(
            Instant::now() < deadline,
            "the bus did not notice the server go"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let err = bus
        .publish(&frame(5, 2, BusKind::Results))
        .await
        .unwrap_err();
    assert!(err.is_unavailable(), "{err}");
    let _server = NatsServer::start(
        port,
        if keep_store {
            store.path()
        } else {
            other_store.path()
        },
    );

    match next_event(&mut rx, Duration::from_secs(30)).await {
        Some(BusEvent::Reconnected) => {}
        other => panic!("expected Reconnected, got {other:?}"),
    }
    let after = frame(5, 3, BusKind::Results);
    bus.publish(&after)
        .await
        .expect("publish after the restart");
    match next_event(&mut rx, Duration::from_secs(5)).await {
        Some(BusEvent::Frame(got)) => assert_eq!(got, after),
        other => panic!("expected the frame published after the restart, got {other:?}"),
    }
    let kept = bus.backlog(5).await.expect("backlog after the restart");
    if keep_store {
        assert_eq!(kept, [before, after]);
    } else {
        assert_eq!(kept, [after]);
    }
    bus.delete_stream().await.expect("delete stream");
}

#[test]
fn kinds_round_trip_and_undecodable_messages_are_refused() {
    for kind in [
        BusKind::Full,
        BusKind::Results,
        BusKind::Oncourse,
        BusKind::Status,
        BusKind::Refresh,
        BusKind::Deleted,
    ] {
        assert_eq!(BusKind::parse(kind.as_str()), Some(kind));
    }
    assert_eq!(BusKind::parse("diff"), None);

    let f = BusFrame {
        full_data: Some(Bytes::from_static(b"{}")),
        status: Some("running".to_owned()),
        ..frame(12, 9, BusKind::Status)
    };
    let (headers, payload) = encode(&f).expect("encode");
    for bad in ["", "a\r\nNats-Msg-Id: x", "ž"] {
        let bad_id = BusFrame {
            event_id: bad.to_owned(),
            ..f.clone()
        };
        assert!(encode(&bad_id).is_err(), "{bad:?}");
    }
    let message = |subject: &str, headers: Option<HeaderMap>, payload: Bytes| async_nats::Message {
        subject: subject.into(),
        reply: None,
        length: payload.len(),
        payload,
        headers,
        status: None,
        description: None,
    };
    let ok = message("p.x.12", Some(headers.clone()), payload.clone());
    assert_eq!(decode("p.x", &ok), Ok(f));
    assert!(
        decode(
            "p.x",
            &message("p.x.abc", Some(headers.clone()), payload.clone())
        )
        .is_err()
    );
    assert!(decode("p.x", &message("p.x.12", None, payload.clone())).is_err());
    let mut bad_len = headers.clone();
    bad_len.insert(H_FRAME_LEN, "100000");
    assert!(decode("p.x", &message("p.x.12", Some(bad_len), payload.clone())).is_err());
    let mut bad_kind = headers;
    bad_kind.insert(H_KIND, "diff");
    assert!(decode("p.x", &message("p.x.12", Some(bad_kind), payload)).is_err());
}
