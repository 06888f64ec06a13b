//! Operability: `/metrics` scraped and parsed after real traffic, its token, the per-client
//! WebSocket limits (429 + `Retry-After`, `X-Forwarded-For` only behind a trusted proxy) and the
//! request id. No timing thresholds: waits are "until, or fail after a generous deadline".
#![expect(
    clippy::float_cmp,
    reason = "sample values are counts, exact in f64, compared exactly on purpose"
)]

use std::collections::BTreeMap;
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::helpers::{TestApp, fixture, spawn_app, spawn_env};
use crate::ingest::{ONCOURSE, RESULTS, XML, post_xml};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const WAIT: Duration = Duration::from_secs(5);

/// A handshake with an optional `X-Forwarded-For`: the socket, or the refusal's status,
/// `Retry-After` and JSON body.
async fn handshake(
    app: &TestApp,
    event_id: &str,
    query: &str,
    xff: Option<&str>,
) -> Result<Ws, (u16, Option<String>, Value)> {
    let url = format!(
        "ws://127.0.0.1:{}/api/v1/events/{event_id}/ws{query}",
        app.port()
    );
    let mut req = url.into_client_request().expect("request");
    if let Some(xff) = xff {
        req.headers_mut()
            .insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
    }
    match tokio::time::timeout(WAIT, connect_async(req))
        .await
        .expect("answer in time")
    {
        Ok((ws, res)) => {
            assert_eq!(res.status().as_u16(), 101);
            Ok(ws)
        }
        Err(WsError::Http(res)) => {
            let retry = res
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let body = res.body().as_deref().map_or(Value::Null, |b| {
                serde_json::from_slice(b).expect("JSON body")
            });
            Err((res.status().as_u16(), retry, body))
        }
        Err(e) => panic!("handshake failed: {e}"),
    }
}

/// The next text frame as JSON.
async fn next(ws: &mut Ws) -> Value {
    loop {
        match tokio::time::timeout(WAIT, ws.next())
            .await
            .expect("frame in time")
            .expect("open")
            .expect("ok")
        {
            Message::Text(t) => return serde_json::from_str(&t).expect("JSON frame"),
            Message::Ping(_) | Message::Pong(_) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn running_event(app: &TestApp, id: &str) -> String {
    let key = app.event(id).await;
    let res = post_xml(app, &key, &fixture("sample-c123-synthetic-lodm-qua.xml")).await;
    assert_eq!(res.status.as_u16(), 200);
    app.set_status(id, &key, "running").await;
    key
}

/// One sample: the metric name and its labels, sorted.
type Series = (String, BTreeMap<String, String>);

/// A strict parser of the Prometheus text format 0.0.4: every line is a `# HELP`, a `# TYPE`
/// declared before its samples, or a sample `name{label="value",…} value` with a valid name,
/// valid escapes and a number; no series twice; histograms' buckets cumulative and ending in
/// `+Inf` = `_count`. Returns every sample's value.
fn parse_exposition(text: &str) -> BTreeMap<Series, f64> {
    fn valid_name(n: &str) -> bool {
        let mut chars = n.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    }
    let mut types: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = BTreeMap::new();
    assert!(text.ends_with('\n'), "exposition ends with a newline");
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let name = rest.split(' ').next().unwrap();
            assert!(valid_name(name), "HELP name: {line}");
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').expect("TYPE name kind");
            assert!(valid_name(name), "TYPE name: {line}");
            assert!(
                ["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind),
                "{line}"
            );
            assert!(
                types.insert(name.to_owned(), kind.to_owned()).is_none(),
                "family declared twice: {line}"
            );
            continue;
        }
        assert!(
            !line.starts_with('#') && !line.is_empty(),
            "stray line: {line:?}"
        );
        let name_end = line.find(['{', ' ']).expect("sample has a value");
        let name = &line[..name_end];
        assert!(valid_name(name), "sample name: {line}");
        let mut labels = BTreeMap::new();
        let mut rest = &line[name_end..];
        if let Some(inner) = rest.strip_prefix('{') {
            let mut chars = inner.char_indices().peekable();
            let consumed;
            loop {
                let (start, c) = chars.next().expect("label or }");
                if c == '}' {
                    consumed = Some(start + 1);
                    break;
                }
                let eq = inner[start..].find('=').expect("label=") + start;
                let key = &inner[start..eq];
                assert!(valid_name(key), "label name {key:?}: {line}");
                while chars.peek().is_some_and(|(i, _)| *i <= eq) {
                    chars.next();
                }
                assert_eq!(chars.next().map(|(_, c)| c), Some('"'), "{line}");
                let mut value = String::new();
                loop {
                    match chars.next().expect("closing quote").1 {
                        '"' => break,
                        '\\' => match chars.next().expect("escape").1 {
                            '\\' => value.push('\\'),
                            '"' => value.push('"'),
                            'n' => value.push('\n'),
                            other => panic!("bad escape \\{other}: {line}"),
                        },
                        '\n' => panic!("raw newline: {line}"),
                        c => value.push(c),
                    }
                }
                assert!(
                    labels.insert(key.to_owned(), value).is_none(),
                    "label twice: {line}"
                );
                match chars.next().expect(", or }").1 {
                    ',' => {}
                    '}' => {
                        consumed = chars.peek().map_or(Some(inner.len()), |(i, _)| Some(*i));
                        break;
                    }
                    other => panic!("unexpected {other:?}: {line}"),
                }
            }
            rest = &inner[consumed.expect("labels closed")..];
        }
        let value = rest.strip_prefix(' ').expect("one space before the value");
        let value: f64 = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("value {v:?}: {line}")),
        };
        let family = ["_bucket", "_count", "_sum"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|base| types.get(*base).is_some_and(|t| t == "histogram"))
            .unwrap_or(name);
        assert!(types.contains_key(family), "sample before its TYPE: {line}");
        assert!(
            samples.insert((name.to_owned(), labels), value).is_none(),
            "series twice: {line}"
        );
    }
    // Histograms: cumulative buckets, `+Inf` equal to `_count`.
    for (family, kind) in &types {
        if kind != "histogram" {
            continue;
        }
        let bucket = format!("{family}_bucket");
        let mut by_series: BTreeMap<BTreeMap<String, String>, Vec<(f64, f64)>> = BTreeMap::new();
        for ((name, labels), v) in &samples {
            if *name == bucket {
                let mut rest = labels.clone();
                let le = rest.remove("le").expect("bucket has le");
                let le = if le == "+Inf" {
                    f64::INFINITY
                } else {
                    le.parse().unwrap()
                };
                by_series.entry(rest).or_default().push((le, *v));
            }
        }
        for (labels, mut buckets) in by_series {
            buckets.sort_by(|a, b| a.0.total_cmp(&b.0));
            assert!(
                buckets.windows(2).all(|w| w[0].1 <= w[1].1),
                "{family}{labels:?} not cumulative"
            );
            let last = buckets.last().unwrap();
            assert!(last.0.is_infinite(), "{family}{labels:?} has no +Inf");
            assert_eq!(
                Some(&last.1),
                samples.get(&(format!("{family}_count"), labels.clone())),
                "{family}{labels:?}: +Inf != _count"
            );
        }
    }
    samples
}

/// A scrape: the parsed samples, and the response.
async fn scrape(app: &TestApp, headers: &[(&str, &str)]) -> (BTreeMap<Series, f64>, u16) {
    let res = app.get("/metrics", headers).await;
    if res.status.as_u16() != 200 {
        return (BTreeMap::new(), res.status.as_u16());
    }
    assert_eq!(
        res.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(res.header("etag"), None);
    assert_eq!(res.header("access-control-allow-origin"), None);
    (
        parse_exposition(std::str::from_utf8(&res.body).expect("UTF-8")),
        200,
    )
}

fn get(samples: &BTreeMap<Series, f64>, name: &str, labels: &[(&str, &str)]) -> f64 {
    let key = (
        name.to_owned(),
        labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    );
    *samples
        .get(&key)
        .unwrap_or_else(|| panic!("no {name}{labels:?} in {:#?}", samples.keys()))
}

/// Scrapes until `ready` holds (the rooms count a frame when its last copy is dropped, just
/// after the client has read it), failing after a generous deadline.
async fn scrape_until(
    app: &TestApp,
    ready: impl Fn(&BTreeMap<Series, f64>) -> bool,
) -> BTreeMap<Series, f64> {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (samples, status) = scrape(app, &[]).await;
        assert_eq!(status, 200);
        if ready(&samples) {
            return samples;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "metrics never got there: {samples:#?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn metrics_are_scraped_parsed_and_move_with_ingest_and_websocket_traffic() {
    let app = spawn_app().await;
    let key = running_event(&app, "obs").await;
    let mut a = handshake(&app, "obs", "", None).await.unwrap();
    let mut b = handshake(&app, "obs", "", None).await.unwrap();
    let full = next(&mut a).await;
    next(&mut b).await;

    let oncourse = json!({"oncourse": [{"participantId": "9069.K1M.ZS", "raceId": "K1M-ZS_BR2_25", "bib": 8, "name": "X", "position": 1}]});
    let res = app
        .json("POST", ONCOURSE, &[("x-api-key", &key)], &oncourse)
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let frame = next(&mut a).await;
    assert_eq!(next(&mut b).await, frame);
    let rejected = app
        .json("POST", RESULTS, &[("x-api-key", "wrong")], &json!({}))
        .await;
    assert_eq!(rejected.status.as_u16(), 401);

    // A reconnect that resumes from the ring, and a handshake for an unknown event.
    let since = format!("?since={}:{}", full["epoch"].as_str().unwrap(), full["seq"]);
    let mut resumed = handshake(&app, "obs", &since, None).await.unwrap();
    assert_eq!(next(&mut resumed).await, frame);
    let (status, _, _) = handshake(&app, "nope", "", None).await.unwrap_err();
    assert_eq!(status, 404);

    let m = scrape_until(&app, |m| {
        m.get(&(
            "live_ws_frames_sent_total".to_owned(),
            [("type".to_owned(), "oncourse".to_owned())].into(),
        )) == Some(&3.0)
    })
    .await;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    assert_eq!(
        get(
            &m,
            "live_build_info",
            &[("version", env!("CARGO_PKG_VERSION")), ("profile", profile)]
        ),
        1.0
    );
    assert_eq!(get(&m, "live_ws_connections", &[]), 3.0);
    assert_eq!(
        get(&m, "live_ws_event_connections", &[("event_id", "obs")]),
        3.0
    );
    assert_eq!(get(&m, "live_ws_connections_opened_total", &[]), 3.0);
    assert_eq!(
        get(&m, "live_ws_frames_sent_total", &[("type", "full")]),
        2.0
    );
    assert_eq!(get(&m, "live_ws_resumes_total", &[("served", "ring")]), 1.0);
    assert_eq!(get(&m, "live_ws_resumes_total", &[("served", "full")]), 0.0);
    assert_eq!(
        get(&m, "live_ws_resyncs_total", &[("frame", "refresh")]),
        0.0
    );
    assert_eq!(
        get(
            &m,
            "live_ws_disconnects_total",
            &[("reason", "write_stalled")]
        ),
        0.0
    );
    assert_eq!(
        get(&m, "live_ws_fanout_seconds_count", &[]),
        1.0,
        "one on-course frame, fanned out to two sockets, is one observation"
    );
    assert_eq!(
        get(
            &m,
            "live_ws_admissions_refused_total",
            &[("reason", "not_found")]
        ),
        1.0
    );
    assert_eq!(
        get(
            &m,
            "live_ingest_requests_total",
            &[("type", "oncourse"), ("outcome", "ok")]
        ),
        1.0
    );
    assert_eq!(
        get(
            &m,
            "live_ingest_requests_total",
            &[("type", "xml"), ("outcome", "ok")]
        ),
        1.0
    );
    assert_eq!(
        get(
            &m,
            "live_ingest_requests_total",
            &[("type", "results"), ("outcome", "rejected")]
        ),
        1.0
    );
    assert_eq!(
        get(
            &m,
            "live_ingest_duration_seconds_count",
            &[("type", "oncourse")]
        ),
        1.0
    );
    assert_eq!(
        get(
            &m,
            "live_http_requests_total",
            &[("method", "POST"), ("route", XML), ("status", "200")]
        ),
        1.0
    );
    assert_eq!(
        get(
            &m,
            "live_http_requests_total",
            &[
                ("method", "GET"),
                ("route", "/api/v1/events/{eventId}/ws"),
                ("status", "101")
            ]
        ),
        3.0
    );
    // Event creation, XML import and status change are committed writes.
    assert!(
        get(
            &m,
            "live_db_write_duration_seconds_count",
            &[("outcome", "committed")]
        ) >= 3.0
    );
    assert!(get(&m, "live_db_write_wait_seconds_count", &[]) >= 3.0);
    assert_eq!(get(&m, "live_client_limit_addresses", &[]), 1.0);

    // Closing a socket shows up as a disconnect and leaves the per-event gauge.
    drop(resumed);
    let m = scrape_until(&app, |m| {
        m.get(&("live_ws_connections".to_owned(), BTreeMap::new())) == Some(&2.0)
    })
    .await;
    assert_eq!(
        get(&m, "live_ws_event_connections", &[("event_id", "obs")]),
        2.0
    );
    let disconnects: f64 = m
        .iter()
        .filter(|((name, _), _)| name == "live_ws_disconnects_total")
        .map(|(_, v)| v)
        .sum();
    assert_eq!(disconnects, 1.0, "a socket gone without a close frame");
    assert_eq!(
        get(
            &m,
            "live_ws_disconnects_total",
            &[("reason", "write_stalled")]
        ),
        0.0
    );
    app.stop().await;
}

#[actix_web::test]
async fn metrics_token_is_required_when_set() {
    let app = spawn_env(&[("METRICS_TOKEN", "scrape-me")]).await;
    for headers in [
        vec![],
        vec![("authorization", "Bearer nope")],
        vec![("authorization", "scrape-me")],
    ] {
        let res = app.get("/metrics", &headers).await;
        res.assert_error(
            401,
            "Unauthorized",
            "Missing or invalid Authorization header",
        );
        assert_eq!(res.header("www-authenticate"), Some("Bearer"));
    }
    let (samples, status) = scrape(&app, &[("authorization", "Bearer scrape-me")]).await;
    assert_eq!(status, 200);
    assert!(samples.contains_key(&("live_ws_connections".to_owned(), BTreeMap::new())));
    app.stop().await;

    let open = spawn_app().await;
    assert_eq!(scrape(&open, &[]).await.1, 200, "no token: open");
    open.stop().await;
}

#[actix_web::test]
async fn one_address_gets_429_past_its_open_sockets() {
    let app = spawn_env(&[("CLIENT_WS_MAX_CONNECTIONS", "2")]).await;
    running_event(&app, "cap").await;
    let first = handshake(&app, "cap", "", None).await.unwrap();
    let _second = handshake(&app, "cap", "", None).await.unwrap();
    let (status, retry, body) = handshake(&app, "cap", "", None).await.unwrap_err();
    assert_eq!(status, 429);
    assert_eq!(retry.as_deref(), Some("5"));
    assert_eq!(
        body,
        json!({"error": "Too Many Requests", "message": "Too many WebSocket connections from this address", "maxConnections": 2})
    );
    // The place comes back when a socket goes (the server notices the FIN shortly after).
    drop(first);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let _third = loop {
        match handshake(&app, "cap", "", None).await {
            Ok(ws) => break ws,
            Err((429, _, _)) if std::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(other) => panic!("place never given back: {other:?}"),
        }
    };
    let (m, _) = scrape(&app, &[]).await;
    assert!(
        get(
            &m,
            "live_ws_admissions_refused_total",
            &[("reason", "client_connections")]
        ) >= 1.0
    );
    app.stop().await;
}

#[actix_web::test]
async fn handshakes_over_the_rate_get_429_and_the_booth_is_never_limited() {
    let app = spawn_env(&[
        ("CLIENT_WS_HANDSHAKE_BURST", "2"),
        ("CLIENT_WS_HANDSHAKE_RATE", "1"),
    ])
    .await;
    let key = running_event(&app, "rate").await;
    // At least the burst passes; refills at 1/s cannot keep up with back-to-back handshakes.
    let mut passed = 0;
    let (status, retry, body) = loop {
        match handshake(&app, "rate", "", None).await {
            Ok(ws) => {
                drop(ws);
                passed += 1;
                assert!(passed < 30, "never limited");
            }
            Err(refusal) => break refusal,
        }
    };
    assert!(passed >= 2, "the burst passes: {passed}");
    assert_eq!(status, 429);
    let retry: u64 = retry.expect("Retry-After").parse().expect("seconds");
    assert!(retry >= 1);
    assert_eq!(
        body,
        json!({"error": "Too Many Requests", "message": "Too many WebSocket handshakes from this address"})
    );
    // The booth's ingest from the same address is not a WebSocket handshake.
    for _ in 0..5 {
        let res = app
            .json(
                "POST",
                ONCOURSE,
                &[("x-api-key", &key)],
                &json!({"oncourse": []}),
            )
            .await;
        assert_eq!(res.status.as_u16(), 200);
    }
    app.stop().await;
}

#[actix_web::test]
async fn x_forwarded_for_counts_only_behind_a_trusted_proxy() {
    let trusted = spawn_env(&[
        ("CLIENT_WS_MAX_CONNECTIONS", "1"),
        ("TRUSTED_PROXIES", "127.0.0.0/8"),
    ])
    .await;
    running_event(&trusted, "xff").await;
    let _a = handshake(&trusted, "xff", "", Some("198.51.100.1, 203.0.113.1"))
        .await
        .unwrap();
    // Same client behind the proxy (the spoofable left part differs): refused.
    let (status, _, _) = handshake(&trusted, "xff", "", Some("192.0.2.99, 203.0.113.1"))
        .await
        .unwrap_err();
    assert_eq!(status, 429);
    // Another client behind the same proxy has its own count.
    let _b = handshake(&trusted, "xff", "", Some("203.0.113.2"))
        .await
        .unwrap();
    trusted.stop().await;

    let untrusted = spawn_env(&[
        ("CLIENT_WS_MAX_CONNECTIONS", "1"),
        ("TRUSTED_PROXIES", "10.0.0.1"),
    ])
    .await;
    running_event(&untrusted, "xff").await;
    let _c = handshake(&untrusted, "xff", "", Some("203.0.113.1"))
        .await
        .unwrap();
    // The peer (127.0.0.1) is not a proxy we trust: its header is ignored, the peer counts.
    let (status, _, _) = handshake(&untrusted, "xff", "", Some("203.0.113.2"))
        .await
        .unwrap_err();
    assert_eq!(status, 429);
    untrusted.stop().await;
}

#[actix_web::test]
async fn request_ids_are_taken_from_the_client_or_generated_and_always_echoed() {
    let app = spawn_app().await;
    let res = app.get("/health", &[("x-request-id", "booth-42.7")]).await;
    assert_eq!(res.header("x-request-id"), Some("booth-42.7"));
    // Errors carry it too.
    let res = app.get("/api/v1/nowhere", &[("x-request-id", "abc")]).await;
    assert_eq!(res.status.as_u16(), 404);
    assert_eq!(res.header("x-request-id"), Some("abc"));

    let generated = |res: &crate::helpers::Res| {
        let id = res.header("x-request-id").expect("an id").to_owned();
        assert_eq!(id.len(), 32, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
        id
    };
    let one = generated(&app.get("/health", &[]).await);
    let two = generated(&app.get("/health", &[]).await);
    assert_ne!(one, two);
    let too_long = "x".repeat(129);
    generated(&app.get("/health", &[("x-request-id", &too_long)]).await);
    generated(&app.get("/health", &[("x-request-id", "has space")]).await);
    assert_eq!(
        app.get("/health", &[("x-request-id", &"y".repeat(128))])
            .await
            .header("x-request-id"),
        Some("y".repeat(128).as_str())
    );
    app.stop().await;
}
