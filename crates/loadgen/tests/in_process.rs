//! `run` end to end against a small in-process stand-in for the server, which follows the
//! contract's wire behaviour closely enough for the generator's checks: admin and ingest routes,
//! `seq`/`epoch` on every frame, `since` resume from a ring, results diffs of changed rows only,
//! and a close 1000 `Event deleted` on DELETE. The real server is exercised the same way from its
//! own tests.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use live_loadgen::{FeedKind, Report, RunConfig, Scenario, run};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

/// The stand-in server.
#[cfg(test)]
mod stand_in {
    use super::*;

    const EPOCH: &str = "00000000000000ab";
    const RACES: [&str; 4] = [
        "K1M_ST_BR1_6",
        "K1M_ST_BR2_6",
        "C1W_ST_BR1_6",
        "C1W_ST_BR2_6",
    ];

    #[derive(Default)]
    pub(super) struct State {
        event_id: Option<String>,
        status: String,
        pub(super) seq: u64,
        pub(super) ring: Vec<(u64, String)>,
        subscribers: Vec<mpsc::UnboundedSender<Option<String>>>,
        results: BTreeMap<String, BTreeMap<i64, Value>>,
    }

    impl State {
        fn publish(&mut self, kind: &str, data: Option<Value>) {
            self.seq += 1;
            let mut frame = json!({"type": kind, "seq": self.seq});
            if kind == "full" {
                frame["epoch"] = json!(EPOCH);
            }
            if let Some(data) = data {
                frame["data"] = data;
            }
            let text = frame.to_string();
            self.ring.push((self.seq, text.clone()));
            self.subscribers
                .retain(|s| s.send(Some(text.clone())).is_ok());
        }

        fn full_data(&self) -> Value {
            json!({
                "event": {"eventId": self.event_id, "status": self.status},
                "classes": [],
                "races": RACES.iter().map(|r| json!({"raceId": r})).collect::<Vec<_>>(),
                "categories": [],
            })
        }
    }

    type Shared = Arc<Mutex<State>>;

    /// Serves until aborted; aborting also ends every connection it accepted (a killed instance).
    pub(super) async fn serve(listener: TcpListener, state: Shared) {
        let mut connections = tokio::task::JoinSet::new();
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let state = Arc::clone(&state);
            while connections.try_join_next().is_some() {}
            connections.spawn(async move {
                let mut peek = [0_u8; 1024];
                let n = sock.peek(&mut peek).await.unwrap_or(0);
                if String::from_utf8_lossy(&peek[..n]).contains("/ws") {
                    websocket(sock, state).await;
                } else {
                    http(sock, state).await;
                }
            });
        }
    }

    #[expect(
        clippy::result_large_err,
        reason = "the handshake callback's error type is tungstenite's"
    )]
    async fn websocket(sock: TcpStream, state: Shared) {
        let mut uri = String::new();
        let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
            uri = req.uri().to_string();
            Ok(resp)
        };
        let Ok(mut ws) = tokio_tungstenite::accept_hdr_async(sock, callback).await else {
            return;
        };
        let since = uri
            .split_once("since=")
            .and_then(|(_, v)| v.rsplit_once(':'))
            .and_then(|(epoch, seq)| (epoch == EPOCH).then(|| seq.parse::<u64>().ok()).flatten());
        let (tx, mut rx) = mpsc::unbounded_channel();
        let first: Vec<String> = {
            let mut st = state.lock().unwrap();
            let first = match since {
                Some(s) if s <= st.seq && st.ring.first().is_some_and(|(f, _)| *f <= s + 1) => st
                    .ring
                    .iter()
                    .filter(|(n, _)| *n > s)
                    .map(|(_, t)| t.clone())
                    .collect(),
                _ => vec![
                    json!({"type": "full", "seq": st.seq, "epoch": EPOCH, "data": st.full_data()})
                        .to_string(),
                ],
            };
            st.subscribers.push(tx);
            first
        };
        for text in first {
            if ws.send(Message::text(text)).await.is_err() {
                return;
            }
        }
        loop {
            tokio::select! {
                out = rx.recv() => {
                    if let Some(Some(text)) = out {
                        if ws.send(Message::text(text)).await.is_err() {
                            return;
                        }
                    } else {
                        let close = CloseFrame { code: CloseCode::Normal, reason: "Event deleted".into() };
                        let _ = ws.send(Message::Close(Some(close))).await;
                        while let Some(Ok(_)) = ws.next().await {}
                        return;
                    }
                }
                inbound = ws.next() => match inbound {
                    Some(Ok(Message::Close(_)) | Err(_)) | None => {
                        while let Some(Ok(_)) = ws.next().await {}
                        return;
                    }
                    Some(Ok(_)) => {}
                },
            }
        }
    }

    async fn http(mut sock: TcpStream, state: Shared) {
        let mut buf = Vec::new();
        loop {
            let head_end = loop {
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
                let mut chunk = vec![0_u8; 64 * 1024];
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            };
            let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("Content-Length: "))
                .map_or(0, |v| v.trim().parse::<usize>().unwrap());
            while buf.len() < head_end + len {
                let mut chunk = vec![0_u8; 64 * 1024];
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let body: Value =
                serde_json::from_slice(&buf[head_end..head_end + len]).unwrap_or(Value::Null);
            buf.drain(..head_end + len);
            let mut words = head.split_whitespace();
            let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
            let (status, answer) = route(&state, method, path, &body);
            let text = answer.to_string();
            let response = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\n\r\n{text}",
                text.len()
            );
            if sock.write_all(response.as_bytes()).await.is_err() {
                return;
            }
        }
    }

    fn route(state: &Shared, method: &str, path: &str, body: &Value) -> (u16, Value) {
        let mut st = state.lock().unwrap();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match (method, segments.as_slice()) {
            ("POST", ["api", "v1", "admin", "events"]) => {
                st.event_id = body["eventId"].as_str().map(str::to_owned);
                st.status = "draft".to_owned();
                (
                    201,
                    json!({"id": 1, "eventId": st.event_id, "apiKey": "k".repeat(64)}),
                )
            }
            ("POST", ["api", "v1", "ingest", "xml"]) => {
                let data = st.full_data();
                st.publish("full", Some(data));
                (200, json!({"imported": {}}))
            }
            ("PATCH", ["api", "v1", "admin", "events", _, "status"]) => {
                st.status = body["status"].as_str().unwrap_or_default().to_owned();
                let status = st.status.clone();
                st.publish("diff", Some(json!({"status": status})));
                (200, json!({}))
            }
            ("GET", ["api", "v1", "events", _]) => (
                200,
                json!({"event": {"status": st.status}, "races": RACES.iter().map(|r| json!({"raceId": r})).collect::<Vec<_>>()}),
            ),
            ("GET", ["api", "v1", "events", _, "results", race]) => {
                let items: Vec<Value> = st
                    .results
                    .get(*race)
                    .map(|m| m.values().cloned().collect())
                    .unwrap_or_default();
                (200, json!({"race": {"raceId": race}, "results": items}))
            }
            ("GET", ["api", "v1", "admin", "events"]) => (200, json!({"events": []})),
            ("POST", ["api", "v1", "ingest", "oncourse"]) if st.status != "running" => (
                403,
                json!({"error": "Forbidden", "message": format!("Data type 'json_oncourse' not accepted in '{}' state", st.status)}),
            ),
            ("POST", ["api", "v1", "ingest", "oncourse"]) => {
                let items: Vec<Value> = body["oncourse"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| json!({"raceId": e["raceId"], "bib": e["bib"], "time": e["time"], "gates": []}))
                    .collect();
                let n = items.len();
                st.publish("diff", Some(json!({"oncourse": items})));
                (200, json!({"active": n}))
            }
            ("POST", ["api", "v1", "ingest", "results"]) => {
                let mut changed: BTreeMap<String, Vec<Value>> = BTreeMap::new();
                for row in body["results"].as_array().into_iter().flatten() {
                    let race = row["raceId"].as_str().unwrap_or_default().to_owned();
                    let bib = row["bib"].as_i64().unwrap_or_default();
                    let item = json!({"bib": bib, "time": row["time"], "total": row["total"], "status": row["status"]});
                    let list = st.results.entry(race.clone()).or_default();
                    if list.get(&bib) != Some(&item) {
                        list.insert(bib, item.clone());
                        changed.entry(race).or_default().push(item);
                    }
                }
                for (race, rows) in changed {
                    st.publish("diff", Some(json!({"raceId": race, "results": rows})));
                }
                (200, json!({"updated": 1}))
            }
            ("DELETE", ["api", "v1", "admin", "events", _]) => {
                for s in st.subscribers.drain(..) {
                    let _ = s.send(None);
                }
                (200, json!({"deleted": true}))
            }
            _ => (404, json!({"error": "Not found"})),
        }
    }

    /// Two "instances" on one shared state (one event sequence, like a cluster); the second
    /// can be killed by aborting its task.
    pub(super) async fn start_pair() -> (String, String, tokio::task::JoinHandle<()>) {
        let state = Arc::new(Mutex::new(State::default()));
        let first = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let second = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let urls = (
            format!("http://{}", first.local_addr().unwrap()),
            format!("http://{}", second.local_addr().unwrap()),
        );
        tokio::spawn(serve(first, Arc::clone(&state)));
        let handle = tokio::spawn(serve(second, state));
        (urls.0, urls.1, handle)
    }

    pub(super) async fn start() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(serve(listener, Arc::new(Mutex::new(State::default()))));
        url
    }
}

use stand_in::{State, serve, start, start_pair};

fn small(url: String, scenario: Scenario) -> RunConfig {
    RunConfig {
        url,
        scenario,
        connections: 12,
        duration: Duration::from_millis(1500),
        rate: 20.0,
        verifiers: 2,
        decoy_rate: 0.0,
        timeout: Duration::from_secs(10),
        storm: Duration::from_secs(1),
        ..RunConfig::default()
    }
}

fn assert_clean(report: &Report) {
    assert!(
        report.failed == 0 && report.passed > 0,
        "{}",
        report.render()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fanout_against_a_contract_stand_in_passes_every_invariant() {
    let report = run(small(start().await, Scenario::Fanout)).await;
    assert_clean(&report);
    assert_eq!(report.connections.connected, 12);
    assert_eq!(report.requests.sent, 30);
    let each = &report.latency["ingest -> each delivery"];
    // Every one of the 30 requests reached all 12 spectators (results ones as two frames).
    assert!(each.count >= 12 * 30, "{each:?}");
    assert!(
        report
            .invariants
            .iter()
            .any(|i| i.name.starts_with("results of K1M_ST_BR2_6"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn results_only_feed_mirrors_both_races() {
    let cfg = RunConfig {
        feed: FeedKind::Results,
        ..small(start().await, Scenario::Fanout)
    };
    let report = run(cfg).await;
    assert_clean(&report);
    assert_eq!(report.requests.statuses.get("200"), Some(&30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_and_xml_full_pass() {
    let report = run(small(start().await, Scenario::Idle)).await;
    assert_clean(&report);
    let cfg = RunConfig {
        imports: 2,
        ..small(start().await, Scenario::XmlFull)
    };
    let report = run(cfg).await;
    assert_clean(&report);
    assert_eq!(report.latency["ingest -> each delivery"].count, 24);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reconnect_storm_resumes_and_resyncs() {
    let report = run(small(start().await, Scenario::ReconnectStorm)).await;
    assert_clean(&report);
    assert_eq!(report.connections.reconnects, 12);
    assert_eq!(report.latency["drop -> back in sync"].count, 12);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_in_the_stream_is_reported() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(State::default()));
    tokio::spawn(serve(listener, Arc::clone(&state)));
    // Skip a sequence number once the first on-course push has gone out.
    let saboteur = Arc::clone(&state);
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let mut st = saboteur.lock().unwrap();
            if st.ring.iter().any(|(_, t)| t.contains("oncourse")) {
                st.seq += 1;
                return;
            }
        }
    });
    let cfg = RunConfig {
        feed: FeedKind::Oncourse,
        ..small(url, Scenario::Fanout)
    };
    let report = run(cfg).await;
    let gap = report
        .invariants
        .iter()
        .find(|i| i.name.starts_with("seq gap-free"))
        .unwrap();
    assert!(!gap.ok, "{}", report.render());
    assert!(report.failed >= 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_spectators_are_reported_apart() {
    let cfg = RunConfig {
        connections: 20,
        slow_percent: 25,
        stall: Duration::from_secs(1),
        ..small(start().await, Scenario::Slow)
    };
    let report = run(cfg).await;
    assert_clean(&report);
    assert!((report.metrics["slow spectators"] - 5.0).abs() < f64::EPSILON);
    assert!(report.latency["ingest -> each delivery (slow spectators)"].count > 0);
    assert!(
        report
            .invariants
            .iter()
            .any(|i| i.name.starts_with("reading spectators"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booth_replay_matches_every_recorded_status() {
    let cfg = RunConfig {
        connections: 6,
        speed: 50.0,
        ..small(start().await, Scenario::Booth)
    };
    let report = run(cfg).await;
    assert_clean(&report);
    assert_eq!(report.requests.sent, 342);
    assert_eq!(report.requests.statuses.get("403"), Some(&1));
    // Status diffs, fulls and results diffs after the spectators joined were all timed.
    assert!(
        report.latency["ingest -> each delivery"].count > 6 * 300,
        "{}",
        report.render()
    );
}

#[tokio::test]
async fn non_loopback_targets_are_refused_before_any_connection() {
    let report = run(RunConfig {
        url: "http://192.0.2.1:3000".to_owned(),
        ..RunConfig::default()
    })
    .await;
    assert_eq!((report.passed, report.failed), (0, 1));
    assert_eq!(report.invariants[0].name, "target is loopback");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spectators_spread_over_two_targets_report_per_target() {
    let (first, second, _keep) = start_pair().await;
    let cfg = RunConfig {
        extra_targets: vec![second.clone()],
        ..small(first.clone(), Scenario::Fanout)
    };
    let report = run(cfg).await;
    assert_clean(&report);
    assert_eq!(report.targets, [first, second]);
    assert_eq!(report.connections.connected, 12);
    for t in ["target 1", "target 2"] {
        let last = &report.latency[&format!("ingest -> last delivery, {t}")];
        assert_eq!(last.count, 30, "{}", report.render());
        let each = &report.latency[&format!("ingest -> each delivery, {t}")];
        assert!(each.count >= 6 * 30, "{each:?}");
    }
    let gap_free = report
        .invariants
        .iter()
        .find(|i| {
            i.name
                .starts_with("every spectator saw one gap-free seq sequence")
        })
        .unwrap();
    assert!(gap_free.ok && gap_free.detail.contains("target 2: 6 spectators at first"));
    assert!(report.metrics["seq gaps"].abs() < f64::EPSILON);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_target_spectators_resume_on_the_other() {
    let (first, second, instance_two) = start_pair().await;
    let cfg = RunConfig {
        extra_targets: vec![second],
        kill_after: Duration::from_secs(1),
        duration: Duration::from_secs(3),
        ..small(first, Scenario::KillStorm)
    };
    // The "operator" kills instance 2 1.5 s after the spectators start connecting.
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1500)).await;
        instance_two.abort();
    });
    let report = run(cfg).await;
    assert_clean(&report);
    assert!(
        (report.metrics["kill-storm: drops"] - 6.0).abs() < f64::EPSILON,
        "{}",
        report.render()
    );
    assert!((report.metrics["kill-storm: reconnected"] - 6.0).abs() < f64::EPSILON);
    // The stand-in's ring holds everything: every one resumes at since+1, none needs a full.
    assert!(
        (report.metrics["kill-storm: resumed at since+1"] - 6.0).abs() < f64::EPSILON,
        "{}",
        report.render()
    );
    assert!(report.metrics["kill-storm: got a full"].abs() < f64::EPSILON);
    assert_eq!(report.latency["drop -> connected again"].count, 6);
    assert_eq!(report.connections.reconnects, 6);
    // Backoff like the spectator page: at least 0.5 s, at most 1 s plus the handshake.
    let again = &report.latency["drop -> connected again"];
    assert!(again.p50_ms >= 500.0 && again.max_ms < 5_000.0, "{again:?}");
    let handshake = &report.latency["reconnect handshake (no backoff)"];
    assert!(
        handshake.count == 6 && handshake.max_ms < again.p50_ms,
        "{handshake:?}"
    );
    assert!(report.metrics["kill-storm: 1st drop -> all reconnected (s)"] >= 0.5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_storm_without_a_kill_fails_its_check() {
    let (first, second, _keep) = start_pair().await;
    let cfg = RunConfig {
        extra_targets: vec![second],
        kill_after: Duration::from_millis(500),
        duration: Duration::from_millis(500),
        ..small(first, Scenario::KillStorm)
    };
    let report = run(cfg).await;
    let dropped = report
        .invariants
        .iter()
        .find(|i| i.name.starts_with("an instance went away"))
        .unwrap();
    assert!(!dropped.ok, "{}", report.render());
}

#[tokio::test]
async fn kill_pid_must_be_a_live_mini_process() {
    let report = run(RunConfig {
        scenario: Scenario::KillStorm,
        kill_pid: Some(std::process::id()),
        ..RunConfig::default()
    })
    .await;
    assert_eq!(report.failed, 1, "{}", report.render());
    assert!(
        report
            .invariants
            .iter()
            .any(|i| i.name.starts_with("--kill-pid") && !i.ok)
    );
}

#[tokio::test]
async fn every_target_must_be_loopback() {
    let report = run(RunConfig {
        extra_targets: vec!["http://192.0.2.1:3000".to_owned()],
        ..RunConfig::default()
    })
    .await;
    assert_eq!((report.passed, report.failed), (0, 1));
    assert_eq!(report.invariants[0].name, "targets are loopback");
}
