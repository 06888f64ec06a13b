//! Ingest benchmark: the real Canoe123 export over HTTP and 100-row results bodies from the real
//! booth session, against the real application (release build, temp-dir database, loopback).
//!
//! `cargo bench -p live-server --bench ingest` — prints a table; the numbers go to
//! docs/BENCHMARKS.md. Not a test: nothing here asserts a time.
#![expect(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark program: it prints its table and fails loudly on setup errors"
)]

use std::time::{Duration, Instant};

use awc::Client;
use live_server::{Application, Config};
use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");

fn fixture(rel: &str) -> String {
    std::fs::read_to_string(format!("{FIXTURES}{rel}")).expect("fixture")
}

/// The nearest-rank percentile `p` (in per cent) of sorted samples.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (p * sorted.len()).div_ceil(100);
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name:<44} n={:<5} p50={:>7.2} ms  p90={:>7.2} ms  p99={:>7.2} ms  max={:>7.2} ms",
        samples.len(),
        ms(percentile(&samples, 50)),
        ms(percentile(&samples, 90)),
        ms(percentile(&samples, 99)),
        ms(*samples.last().expect("samples")),
    );
}

async fn post(client: &Client, url: &str, key: &str, body: &[u8]) -> (u16, Duration) {
    let started = Instant::now();
    let mut res = client
        .post(url)
        .insert_header(("x-api-key", key))
        .insert_header(("content-type", "application/json"))
        .send_body(body.to_vec())
        .await
        .expect("request");
    res.body().limit(1 << 20).await.expect("body");
    (res.status().as_u16(), started.elapsed())
}

async fn create(client: &Client, base: &str, id: &str) -> String {
    let mut res = client
        .post(format!("{base}/api/v1/admin/events"))
        .send_json(&json!({"eventId": id, "mainTitle": "Bench"}))
        .await
        .expect("create");
    let v: Value = res.json().await.expect("json");
    v["apiKey"].as_str().expect("key").to_owned()
}

fn main() {
    actix_web::rt::System::new().block_on(run());
}

async fn run() {
    let dir = tempfile::TempDir::new().expect("tmp");
    let db = dir.path().join("bench.db").display().to_string();
    let config = Config::from_lookup(|k| match k {
        "PORT" => Some("0".to_owned()),
        "DATABASE_PATH" => Some(db.clone()),
        "RUST_LOG" => Some("warn".to_owned()),
        _ => None,
    })
    .expect("config");
    let app = Application::build(config).await.expect("app");
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    let client = Client::builder().timeout(Duration::from_secs(30)).finish();

    let xml = json!({ "xml": fixture("xml/xboardtest02_jarni_v1.xml") })
        .to_string()
        .into_bytes();
    let xml_url = format!("{base}/api/v1/ingest/xml");

    // Cold imports: a fresh event each time (every row inserted).
    let mut cold = Vec::new();
    for i in 0..15 {
        let key = create(&client, &base, &format!("cold-{i}")).await;
        let (status, t) = post(&client, &xml_url, &key, &xml).await;
        assert_eq!(status, 200);
        cold.push(t);
    }
    // Re-imports of the same export into one event (the booth pushes the whole file on every
    // change of the export).
    let key = create(&client, &base, "jarni").await;
    post(&client, &xml_url, &key, &xml).await;
    let mut warm = Vec::new();
    for _ in 0..30 {
        let (status, t) = post(&client, &xml_url, &key, &xml).await;
        assert_eq!(status, 200);
        warm.push(t);
    }

    // Results: the 8 real bodies of the booth session (100–103 rows of K1M_ST_BR2_6), cycled.
    let mut status_body = client
        .patch(format!("{base}/api/v1/admin/events/jarni/status"))
        .insert_header(("x-api-key", key.as_str()))
        .send_json(&json!({"status": "running"}))
        .await
        .expect("status");
    status_body.body().await.expect("body");
    let bodies: Vec<Vec<u8>> = fixture("booth-feed/healthy-race.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|v| v["path"] == "/api/v1/ingest/results")
        .map(|v| v["body"].to_string().into_bytes())
        .collect();
    assert_eq!(bodies.len(), 8);
    let results_url = format!("{base}/api/v1/ingest/results");
    let mut results = Vec::new();
    for round in 0..2000 {
        let (status, t) = post(&client, &results_url, &key, &bodies[round % bodies.len()]).await;
        assert_eq!(status, 200);
        results.push(t);
    }

    println!("live-mini ingest benchmark (release, loopback, in-process client, temp-dir SQLite)");
    report("XML real export, cold import (new event)", cold);
    report("XML real export, re-import (same event)", warm);
    report("results 100-row body (booth session, cycled)", results);
    handle.shutdown().await;
}
