//! Test harness: `spawn_app` starts the real `Application` and returns a handle that stops it
//! (and deletes its database directory) when dropped.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use awc::Client;
use awc::http::StatusCode;
use awc::http::header::HeaderMap;
use live_server::{AppHandle, Application, Config};
use serde_json::Value;
use tempfile::TempDir;

/// The master key every test app is configured with (unless `open_admin`).
pub(crate) const MASTER: &str = "test-master-key";

/// A running application.
pub(crate) struct TestApp {
    pub(crate) base: String,
    port: u16,
    pub(crate) client: Client,
    handle: AppHandle,
    db_dir: Option<TempDir>,
    db_path: PathBuf,
}

/// A parsed response.
#[derive(Debug)]
pub(crate) struct Res {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Res {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts an error answer: status, the exact `{"error","message"}` body and the headers every
    /// error carries.
    #[track_caller]
    pub(crate) fn assert_error(&self, status: u16, error: &str, message: &str) {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        let body = self.json();
        assert_eq!(body["error"], error, "{body}");
        assert_eq!(body["message"], message, "{body}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(self.header("cache-control"), Some("no-store"));
    }
}

/// Options for `spawn_with`.
#[derive(Default, Clone)]
pub(crate) struct Opts {
    pub(crate) env: Vec<(&'static str, String)>,
    pub(crate) open_admin: bool,
    pub(crate) db_path: Option<PathBuf>,
}

/// An app with these environment variables set (everything else default).
pub(crate) async fn spawn_env(env: &[(&'static str, &str)]) -> TestApp {
    spawn_with(Opts {
        env: env.iter().map(|&(k, v)| (k, v.to_owned())).collect(),
        ..Opts::default()
    })
    .await
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_with(Opts::default()).await
}

pub(crate) async fn spawn_with(opts: Opts) -> TestApp {
    let (db_dir, db_path) = if let Some(p) = opts.db_path {
        (None, p)
    } else {
        let dir = TempDir::new().expect("temp dir");
        let path = dir.path().join("data").join("live-mini.db");
        (Some(dir), path)
    };
    let mut env: HashMap<String, String> = HashMap::new();
    env.insert("PORT".into(), "0".into());
    env.insert("HTTP_WORKERS".into(), "2".into());
    env.insert("DATABASE_PATH".into(), db_path.display().to_string());
    if !opts.open_admin {
        env.insert("MASTER_PASSWORDS".into(), format!("other-key, {MASTER}"));
    }
    for (k, v) in opts.env {
        env.insert(k.to_owned(), v);
    }
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("config");
    live_server::telemetry::init(
        &std::env::var("TEST_LOG").unwrap_or_else(|_| "off".into()),
        live_server::config::LogFormat::Pretty,
    );
    let app = Application::build(config).await.expect("build app");
    let port = app.port();
    let handle = app.handle();
    actix_web::rt::spawn(app.run_until_stopped());
    TestApp {
        base: format!("http://127.0.0.1:{port}"),
        port,
        client: Client::builder().disable_timeout().finish(),
        handle,
        db_dir,
        db_path,
    }
}

impl TestApp {
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    pub(crate) fn room_stats(&self) -> live_rooms::RoomStats {
        self.handle.room_stats()
    }

    /// Holds `event_id`'s write lock until the returned lock is dropped (see
    /// `AppHandle::lock_event`): to put concurrent requests in a known order.
    pub(crate) async fn lock_event(&self, event_id: &str) -> live_rooms::EventLock {
        self.handle.lock_event(event_id).await
    }

    pub(crate) fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// Stops the server gracefully and waits for it.
    pub(crate) async fn stop(&self) {
        self.handle.shutdown().await;
    }

    /// Stops the server and hands over its database directory (for restart tests).
    pub(crate) async fn stop_keep_db(mut self) -> (TempDir, PathBuf) {
        self.stop().await;
        (
            self.db_dir.take().expect("owns its db dir"),
            self.db_path.clone(),
        )
    }

    /// Sends a request: `headers` are added as given, `body` is sent raw.
    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Res {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.append_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_body(b.to_vec()).await,
            None => req.send().await,
        }
        .expect("request sent");
        let body = res
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .expect("body")
            .to_vec();
        Res {
            status: res.status(),
            headers: res.headers().clone(),
            body,
        }
    }

    /// Sends JSON with `Content-Type: application/json`.
    pub(crate) async fn json(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Res {
        let mut h = headers.to_vec();
        h.push(("content-type", "application/json"));
        self.send(method, path, &h, Some(body.to_string().as_bytes()))
            .await
    }

    pub(crate) async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Res {
        self.send("GET", path, headers, None).await
    }

    /// Creates an event with the master key and returns its API key.
    pub(crate) async fn create_event(&self, body: Value) -> String {
        let res = self
            .json(
                "POST",
                "/api/v1/admin/events",
                &[("x-master-key", MASTER)],
                &body,
            )
            .await;
        assert_eq!(
            res.status.as_u16(),
            201,
            "{}",
            String::from_utf8_lossy(&res.body)
        );
        res.json()["apiKey"].as_str().expect("apiKey").to_owned()
    }

    /// Creates `event_id` with a title and returns its API key.
    pub(crate) async fn event(&self, event_id: &str) -> String {
        self.create_event(serde_json::json!({"eventId": event_id, "mainTitle": "Test"}))
            .await
    }

    /// Moves `event_id` to `status` with its key; asserts 200.
    pub(crate) async fn set_status(&self, event_id: &str, key: &str, status: &str) {
        let res = self
            .json(
                "PATCH",
                &format!("/api/v1/admin/events/{event_id}/status"),
                &[("x-api-key", key)],
                &serde_json::json!({ "status": status }),
            )
            .await;
        assert_eq!(
            res.status.as_u16(),
            200,
            "{}",
            String::from_utf8_lossy(&res.body)
        );
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Best effort when a test forgot to stop: begin the stop without waiting for it.
        let handle = self.handle.clone();
        actix_web::rt::spawn(async move { handle.shutdown().await });
    }
}

/// A snapshot of every table except the ingest log, for "bad input changes nothing" checks.
pub(crate) fn table_snapshot(db: &Path) -> String {
    live_store::dump_tables(db, &["ingest_log"]).expect("dump")
}

/// Runs raw SQL on the test's database file behind the server's back.
pub(crate) fn tamper(db: &Path, sql: &str) {
    live_store::execute_batch(db, sql).expect("raw SQL");
}

/// The text of a file under `fixtures/`.
pub(crate) fn fixture(rel: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
    std::fs::read_to_string(format!("{path}{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A JSON fixture under `fixtures/`.
pub(crate) fn fixture_json(rel: &str) -> Value {
    serde_json::from_str(&fixture(rel)).expect("fixture JSON")
}
