//! The harness of the cluster tests: real `live-mini` processes on loopback ports.
//!
//! * [`services`] — are the local `PostgreSQL` and NATS (with `JetStream`) there? If not, the test
//!   says so on one stderr line and passes, or fails when `LIVE_MINI_REQUIRE_SERVICES=1`.
//! * [`Pg`] — a fresh database `live_test_<random>` on the test server, dropped `WITH (FORCE)`.
//! * [`nats_request`] — one request/reply over NATS's text protocol (no client library): used for
//!   `$JS.API.INFO` (is `JetStream` on?) and `$JS.API.STREAM.DELETE.<stream>` (clean-up).
//! * [`Proxy`] — a TCP relay between one instance and a service that a test can [`Proxy::cut`]
//!   (every live connection closed, new ones closed right after the accept) and
//!   [`Proxy::restore`], to take `PostgreSQL` or NATS away from one instance only.
//! * [`Instance`] — one `live-mini` process: free port, its own log file, readiness through
//!   `GET /health`, [`Instance::kill9`], [`Instance::restart`]; killed and reaped on drop, and its
//!   log's tail printed when the test is failing.
//! * [`Cluster`] — `n` instances on one fresh database and one NATS stream of their own, each
//!   instance behind its own `PostgreSQL` and NATS proxies.
//!
//! What every cluster instance gets (besides `HOST=127.0.0.1`, a free `PORT`,
//! `MASTER_PASSWORDS`, `HTTP_WORKERS=2`, `RUST_LOG=warn`, and nothing else from the test's
//! environment):
//!
//! | Variable | Value |
//! |---|---|
//! | `DATABASE_URL` | `postgres://…@127.0.0.1:<its PostgreSQL proxy>/live_test_<random>` |
//! | `NATS_URL` | `nats://127.0.0.1:<its NATS proxy>` |
//! | `NATS_STREAM` | `LIVE_TEST_<RANDOM>` (deleted at the end) |
//! | `NATS_SUBJECT_PREFIX` | `live_test.<random>` |
//! | `CLUSTER_GAP_MS` / `CLUSTER_SYNC_MS` | [`GAP_MS`] / [`SYNC_MS`] |
//!
//! An instance is ready when `GET /health` answers 200 and it holds a connection through its
//! NATS proxy.
//!
//! Blocking work (the `PostgreSQL` client, the proxies' relays, the NATS request) runs on plain
//! threads, never on the test's runtime.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awc::Client;
use awc::http::header::HeaderMap;
use serde_json::{Value, json};
use tempfile::TempDir;

/// The admin master key every instance is started with.
pub(crate) const MASTER: &str = "test-master-key";
/// How long any single wait of a test may take (a frame, an answer, a process start).
pub(crate) const WAIT: Duration = Duration::from_secs(15);
/// `CLUSTER_GAP_MS` of the test instances.
pub(crate) const GAP_MS: u64 = 200;
/// `CLUSTER_SYNC_MS` of the test instances.
pub(crate) const SYNC_MS: u64 = 300;

pub(crate) const XML: &str = "/api/v1/ingest/xml";
pub(crate) const RESULTS: &str = "/api/v1/ingest/results";
pub(crate) const ONCOURSE: &str = "/api/v1/ingest/oncourse";

/// `n` random lowercase hex digits.
pub(crate) fn rand_hex(n: usize) -> String {
    let mut buf = vec![0u8; n.div_ceil(2)];
    getrandom::fill(&mut buf).expect("random bytes");
    let mut s = hex::encode(buf);
    s.truncate(n);
    s
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

/// Writes one line straight to the process's stderr: the test harness captures `eprintln!` of
/// passing tests, and a "NOT RUN" line must reach whoever ran `cargo test`.
fn say(line: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("{line}\n").as_bytes());
}

/// Runs `f` on a thread of its own (blocking clients must not run on the test's runtime).
pub(crate) fn on_thread<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::spawn(f).join().expect("helper thread")
}

// ---------------------------------------------------------------------------------------------
// URLs

/// `scheme://[user@]host:port/path?query` → (`scheme://[user@]`, `host:port`, `/path?query`).
fn split_url(url: &str) -> (&str, &str, &str) {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..]
        .find(['/', '?'])
        .map_or(url.len(), |i| start + i);
    let host_start = url[start..end].rfind('@').map_or(start, |i| start + i + 1);
    (&url[..host_start], &url[host_start..end], &url[end..])
}

/// The `host:port` of a URL (`default_port` when it names none).
pub(crate) fn host_port(url: &str, default_port: u16) -> String {
    let (_, hp, _) = split_url(url);
    if hp
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
    {
        hp.to_owned()
    } else {
        format!("{hp}:{default_port}")
    }
}

/// The URL with its `host:port` replaced.
pub(crate) fn with_host_port(url: &str, hp: &str) -> String {
    let (head, _, tail) = split_url(url);
    format!("{head}{hp}{tail}")
}

/// The `PostgreSQL` URL with its database name replaced.
fn with_database(url: &str, db: &str) -> String {
    let (head, hp, tail) = split_url(url);
    let query = tail.find('?').map_or("", |i| &tail[i..]);
    format!("{head}{hp}/{db}{query}")
}

// ---------------------------------------------------------------------------------------------
// Services

/// Where the test services are.
#[derive(Debug, Clone)]
pub(crate) struct Services {
    /// A `PostgreSQL` URL with the right to create databases (`LIVE_MINI_TEST_PG`).
    pub(crate) pg_admin: String,
    /// The NATS URL (`LIVE_MINI_TEST_NATS`).
    pub(crate) nats: String,
}

/// `LIVE_MINI_TEST_PG`, default `postgres://postgres@127.0.0.1:5432/postgres`.
pub(crate) fn pg_admin_url() -> String {
    std::env::var("LIVE_MINI_TEST_PG")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `LIVE_MINI_TEST_NATS`, default `nats://127.0.0.1:4222`.
pub(crate) fn nats_url() -> String {
    std::env::var("LIVE_MINI_TEST_NATS")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "nats://127.0.0.1:4222".to_owned())
}

/// The services, or `None` after one "NOT RUN" line on stderr when one is missing. With
/// `LIVE_MINI_REQUIRE_SERVICES=1` a missing service fails the test instead.
pub(crate) fn services(test: &str) -> Option<Services> {
    let svc = Services {
        pg_admin: pg_admin_url(),
        nats: nats_url(),
    };
    let problem = {
        let url = svc.pg_admin.clone();
        match on_thread(move || pg_batch(&url, "SELECT 1")) {
            Err(e) => Some(format!(
                "PostgreSQL at {} not reachable ({e})",
                host_port(&svc.pg_admin, 5432)
            )),
            Ok(()) => match nats_request(&svc.nats, "$JS.API.INFO", b"") {
                Err(e) if e.starts_with("no responders") => Some(format!(
                    "NATS at {} has no JetStream ({e})",
                    host_port(&svc.nats, 4222)
                )),
                Err(e) => Some(format!(
                    "NATS at {} not reachable ({e})",
                    host_port(&svc.nats, 4222)
                )),
                Ok(info) if info.contains("\"error\"") => Some(format!(
                    "NATS at {} has no JetStream ({info})",
                    host_port(&svc.nats, 4222)
                )),
                Ok(_) => None,
            },
        }
    };
    let Some(problem) = problem else {
        return Some(svc);
    };
    let required = std::env::var("LIVE_MINI_REQUIRE_SERVICES").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{test}: {problem} and LIVE_MINI_REQUIRE_SERVICES=1 (start PostgreSQL and NATS with JetStream, or set LIVE_MINI_TEST_PG / LIVE_MINI_TEST_NATS)"
    );
    say(&format!("cluster tests NOT RUN ({test}): {problem}"));
    None
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL

/// Runs SQL (one or more statements, simple-query protocol) on `url`. Blocking.
pub(crate) fn pg_batch(url: &str, sql: &str) -> Result<(), String> {
    pg_connect(url)?
        .batch_execute(sql)
        .map_err(|e| pg_error(&e))
}

/// A client of `url` (3 s connect timeout). Blocking.
fn pg_connect(url: &str) -> Result<postgres::Client, String> {
    let mut config: postgres::Config = url.parse().map_err(|e| pg_error(&e))?;
    config.connect_timeout(Duration::from_secs(3));
    config.connect(postgres::NoTls).map_err(|e| pg_error(&e))
}

/// The error with its cause (`postgres::Error`'s own text is terse: "error connecting to
/// server").
fn pg_error(e: &postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

/// Rows of a query as text (NULL = `None`). Blocking.
fn pg_rows(url: &str, sql: &str) -> Result<Vec<Vec<Option<String>>>, String> {
    let messages = pg_connect(url)?
        .simple_query(sql)
        .map_err(|e| pg_error(&e))?;
    Ok(messages
        .into_iter()
        .filter_map(|m| match m {
            postgres::SimpleQueryMessage::Row(row) => Some(
                (0..row.len())
                    .map(|i| row.get(i).map(str::to_owned))
                    .collect(),
            ),
            _ => None,
        })
        .collect())
}

/// A database of its own on the test server, dropped (`WITH (FORCE)`) on drop.
#[derive(Debug)]
pub(crate) struct Pg {
    admin: String,
    name: String,
    url: String,
}

impl Pg {
    /// Creates `live_test_<random>` through `LIVE_MINI_TEST_PG`.
    pub(crate) fn fresh() -> Self {
        let admin = pg_admin_url();
        let name = format!("live_test_{}", rand_hex(12));
        let url = with_database(&admin, &name);
        let (a, sql) = (admin.clone(), format!("CREATE DATABASE {name}"));
        on_thread(move || pg_batch(&a, &sql))
            .unwrap_or_else(|e| panic!("cannot create the test database {name}: {e}"));
        Self { admin, name, url }
    }

    /// The database's URL.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// Rows of a query on the test database, as text (for checks behind the servers' backs).
    pub(crate) fn rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let (url, q) = (self.url.clone(), sql.to_owned());
        on_thread(move || pg_rows(&url, &q)).unwrap_or_else(|e| panic!("{sql}: {e}"))
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        let (admin, sql) = (
            self.admin.clone(),
            format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
        if let Err(e) = on_thread(move || pg_batch(&admin, &sql)) {
            say(&format!("cluster tests: cannot drop {}: {e}", self.name));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// NATS

/// One request/reply over NATS's text protocol: the reply's payload. A "no responders" status
/// (nothing listens on `subject`, e.g. `JetStream` off) is an error.
pub(crate) fn nats_request(url: &str, subject: &str, payload: &[u8]) -> Result<String, String> {
    let hp = host_port(url, 4222);
    let addr = hp
        .to_socket_addrs()
        .map_err(|e| format!("{e}"))?
        .next()
        .ok_or("no address")?;
    let stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(2)).map_err(|e| format!("{e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(3)))
        .map_err(|e| format!("{e}"))?;
    let mut writer = stream.try_clone().map_err(|e| format!("{e}"))?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).map_err(|e| format!("{e}"))?;
    if !line.starts_with("INFO ") {
        return Err(format!("not a NATS server: {}", line.trim_end()));
    }
    let inbox = format!("_INBOX.live_test.{}", rand_hex(16));
    let mut out = Vec::new();
    out.extend_from_slice(
        br#"CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"lang":"rust-test","version":"0"}"#,
    );
    out.extend_from_slice(
        format!(
            "\r\nSUB {inbox} 1\r\nPUB {subject} {inbox} {}\r\n",
            payload.len()
        )
        .as_bytes(),
    );
    out.extend_from_slice(payload);
    out.extend_from_slice(b"\r\nPING\r\n");
    writer.write_all(&out).map_err(|e| format!("{e}"))?;
    loop {
        line.clear();
        if reader.read_line(&mut line).map_err(|e| format!("{e}"))? == 0 {
            return Err("connection closed".to_owned());
        }
        let l = line.trim_end();
        let words: Vec<&str> = l.split(' ').collect();
        match words[0] {
            "PING" => writer.write_all(b"PONG\r\n").map_err(|e| format!("{e}"))?,
            "-ERR" => return Err(l.to_owned()),
            "MSG" | "HMSG" => {
                let total: usize = words[words.len() - 1].parse().map_err(|_| l.to_owned())?;
                let headers: usize = if words[0] == "HMSG" {
                    words[words.len() - 2].parse().map_err(|_| l.to_owned())?
                } else {
                    0
                };
                let mut body = vec![0u8; total + 2];
                reader.read_exact(&mut body).map_err(|e| format!("{e}"))?;
                let head = String::from_utf8_lossy(&body[..headers]).into_owned();
                if head.starts_with("NATS/1.0 503") {
                    return Err(format!("no responders on {subject}"));
                }
                return Ok(String::from_utf8_lossy(&body[headers..total]).into_owned());
            }
            _ => {} // INFO, PONG, +OK
        }
    }
}

/// Deletes a `JetStream` stream (best effort: it may never have been created).
pub(crate) fn delete_stream(url: &str, stream: &str) {
    let _ = nats_request(url, &format!("$JS.API.STREAM.DELETE.{stream}"), b"");
}

// ---------------------------------------------------------------------------------------------
// Proxy

struct ProxyState {
    target: String,
    cut: AtomicBool,
    /// Black hole: bytes are held, new connections are accepted and left waiting.
    stalled: AtomicBool,
    /// Connections accepted while stalled, relayed on restore.
    held: Mutex<Vec<TcpStream>>,
    stop: AtomicBool,
    next_id: AtomicU64,
    /// Both sockets of every live relayed connection (clones, to shut them down).
    conns: Mutex<HashMap<u64, (TcpStream, TcpStream)>>,
    accepted: AtomicU64,
}

/// A TCP relay on `127.0.0.1:<free port>` to one target. Threads, not tasks: it works whatever
/// runtime (or none) the test runs on.
pub(crate) struct Proxy {
    addr: SocketAddr,
    state: Arc<ProxyState>,
    accept: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Proxy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Proxy({} → {})", self.addr, self.state.target)
    }
}

impl Proxy {
    /// Starts relaying to `target` (`host:port`).
    pub(crate) fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy bind");
        let addr = listener.local_addr().expect("proxy addr");
        let state = Arc::new(ProxyState {
            target: target.to_owned(),
            cut: AtomicBool::new(false),
            stalled: AtomicBool::new(false),
            held: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            next_id: AtomicU64::new(0),
            conns: Mutex::new(HashMap::new()),
            accepted: AtomicU64::new(0),
        });
        let st = Arc::clone(&state);
        let accept = std::thread::spawn(move || {
            for client in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(client) = client else { continue };
                if st.cut.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                if st.stalled.load(Ordering::SeqCst) {
                    st.held.lock().expect("proxy lock").push(client);
                    continue;
                }
                relay(&st, client);
            }
        });
        Self {
            addr,
            state,
            accept: Some(accept),
        }
    }

    /// `127.0.0.1:<port>` of the relay.
    pub(crate) fn addr(&self) -> String {
        self.addr.to_string()
    }

    /// Connections accepted and relayed so far.
    pub(crate) fn relayed(&self) -> u64 {
        self.state.accepted.load(Ordering::SeqCst)
    }

    /// Live relayed connections.
    pub(crate) fn live(&self) -> usize {
        self.state.conns.lock().expect("proxy lock").len()
    }

    /// Closes every live connection and closes new ones right after accepting them (the
    /// service is down: clients see their connections reset at once).
    pub(crate) fn cut(&self) {
        self.state.cut.store(true, Ordering::SeqCst);
        self.state.stalled.store(false, Ordering::SeqCst);
        for c in self.state.held.lock().expect("proxy lock").drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
        let conns: Vec<_> = self
            .state
            .conns
            .lock()
            .expect("proxy lock")
            .drain()
            .collect();
        for (_, (a, b)) in conns {
            let _ = a.shutdown(Shutdown::Both);
            let _ = b.shutdown(Shutdown::Both);
        }
    }

    /// A black hole instead (the network between them is gone): open connections stay open
    /// but nothing passes, new connections are accepted and get no answer. [`Proxy::restore`]
    /// delivers what was held, like a healed partition.
    pub(crate) fn stall(&self) {
        self.state.stalled.store(true, Ordering::SeqCst);
    }

    /// Relays again (new connections, and after a stall what was held).
    pub(crate) fn restore(&self) {
        self.state.cut.store(false, Ordering::SeqCst);
        self.state.stalled.store(false, Ordering::SeqCst);
        let held: Vec<_> = self
            .state
            .held
            .lock()
            .expect("proxy lock")
            .drain(..)
            .collect();
        for c in held {
            relay(&self.state, c);
        }
    }
}

/// Connects to the target and starts the two pumps of one connection.
fn relay(st: &Arc<ProxyState>, client: TcpStream) {
    let Some(server) = st
        .target
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .and_then(|a| TcpStream::connect_timeout(&a, Duration::from_secs(2)).ok())
    else {
        let _ = client.shutdown(Shutdown::Both);
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (Ok(c2), Ok(s2), Ok(c3), Ok(s3)) = (
        client.try_clone(),
        server.try_clone(),
        client.try_clone(),
        server.try_clone(),
    ) else {
        return;
    };
    let id = st.next_id.fetch_add(1, Ordering::SeqCst);
    st.conns.lock().expect("proxy lock").insert(id, (c3, s3));
    st.accepted.fetch_add(1, Ordering::SeqCst);
    let left = Arc::new(AtomicUsize::new(2));
    for (from, to) in [(client, s2), (server, c2)] {
        let (st, left) = (Arc::clone(st), Arc::clone(&left));
        std::thread::spawn(move || {
            pump(&st, from, to);
            if left.fetch_sub(1, Ordering::SeqCst) == 1 {
                st.conns.lock().expect("proxy lock").remove(&id);
            }
        });
    }
}

/// Copies `from` → `to` until end or error, then passes the end on.
fn pump(st: &ProxyState, mut from: TcpStream, mut to: TcpStream) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                while st.stalled.load(Ordering::SeqCst) && !st.stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(10));
                }
                if to.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Write);
    let _ = from.shutdown(Shutdown::Read);
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        self.cut();
        // Wake the accept loop.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP answers

/// A parsed HTTP answer.
#[derive(Debug)]
pub(crate) struct Res {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Res {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, showing the body otherwise.
    #[track_caller]
    pub(crate) fn expect(&self, status: u16) -> &Self {
        assert_eq!(self.status, status, "{}", self.text());
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Instance

/// The port of a socket bound and released right now (free unless someone takes it first;
/// [`Instance::start`] retries on another port when the bind fails).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// One `live-mini` process.
pub(crate) struct Instance {
    pub(crate) name: String,
    port: u16,
    env: Vec<(String, String)>,
    child: Option<Child>,
    /// `sh` loop that SIGKILLs the child once the test process is gone (a test binary killed
    /// from outside runs no destructor).
    watchdog: Option<Child>,
    log_path: PathBuf,
    work_dir: PathBuf,
    client: Client,
    starts: u32,
    /// Its own directory when started alone (cluster instances share the cluster's).
    own_dir: Option<TempDir>,
    /// `PostgreSQL` relay of this instance (cluster instances).
    pub(crate) pg_proxy: Option<Proxy>,
    /// NATS relay of this instance (cluster instances).
    pub(crate) nats_proxy: Option<Proxy>,
}

impl std::fmt::Debug for Instance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Instance({} on {})", self.name, self.port)
    }
}

fn new_client() -> Client {
    Client::builder().timeout(Duration::from_secs(30)).finish()
}

impl Instance {
    /// Starts `live-mini` in `dir` with `env` (over the harness's own defaults: `HOST`,
    /// `PORT`, `MASTER_PASSWORDS`, `HTTP_WORKERS=2`, `RUST_LOG=warn`) and waits until it answers
    /// `GET /health`. The process gets no other environment variable.
    pub(crate) async fn start_in(name: &str, dir: &Path, env: &[(&str, String)]) -> Self {
        let mut inst = Self::prepare_in(name, dir, env);
        inst.spawn_ready().await;
        inst
    }

    /// The instance, not started yet.
    fn prepare_in(name: &str, dir: &Path, env: &[(&str, String)]) -> Self {
        let mut all: Vec<(String, String)> = vec![
            ("HOST".into(), "127.0.0.1".into()),
            ("MASTER_PASSWORDS".into(), format!("other-key, {MASTER}")),
            ("HTTP_WORKERS".into(), "2".into()),
            ("RUST_LOG".into(), "warn".into()),
            ("NO_COLOR".into(), "1".into()),
            ("RUST_BACKTRACE".into(), "1".into()),
        ];
        for (k, v) in env {
            all.retain(|(name, _)| name != k);
            all.push(((*k).to_owned(), v.clone()));
        }
        let work_dir = dir.join(name);
        std::fs::create_dir_all(&work_dir).expect("instance dir");
        Self {
            name: name.to_owned(),
            port: free_port(),
            env: all,
            child: None,
            watchdog: None,
            log_path: dir.join(format!("{name}.log")),
            work_dir,
            client: new_client(),
            starts: 0,
            own_dir: None,
            pg_proxy: None,
            nats_proxy: None,
        }
    }

    /// Starts one instance in a temp directory of its own (SQLite at `<dir>/data/live-mini.db`
    /// unless `env` says otherwise).
    pub(crate) async fn start(name: &str, env: &[(&str, String)]) -> Self {
        let dir = TempDir::new().expect("temp dir");
        let db = dir.path().join(name).join("data").join("live-mini.db");
        let mut all = vec![("DATABASE_PATH", db.display().to_string())];
        all.extend(env.iter().cloned());
        let mut inst = Self::start_in(name, dir.path(), &all).await;
        inst.own_dir = Some(dir);
        inst
    }

    /// Spawns the process on `self.port` and waits for `GET /health`; a failed bind (the
    /// free port was taken meanwhile) is retried on another port.
    async fn spawn_ready(&mut self) {
        for attempt in 0..3 {
            self.spawn();
            match self.wait_ready().await {
                Ok(()) => {
                    self.wait_nats_connected().await;
                    return;
                }
                Err(_) if attempt < 2 && self.log_tail(20).contains("in use") => {
                    self.port = free_port();
                }
                Err(e) => panic!(
                    "instance {} did not become ready: {e}\n--- log tail ---\n{}",
                    self.name,
                    self.log_tail(60)
                ),
            }
        }
    }

    fn spawn(&mut self) {
        self.starts += 1;
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .expect("log file");
        let _ = writeln!(
            log,
            "=== harness: start #{} of {} on port {} ===",
            self.starts, self.name, self.port
        );
        let err = log.try_clone().expect("log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_live-mini"));
        cmd.env_clear()
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PORT", self.port.to_string())
            .current_dir(&self.work_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err));
        let child = cmd.spawn().expect("spawn live-mini");
        self.watchdog = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "while kill -0 {me} && kill -0 {it}; do sleep 1; done 2>/dev/null; kill -9 {it} 2>/dev/null",
                me = std::process::id(),
                it = child.id()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .ok();
        self.child = Some(child);
        self.client = new_client();
    }

    async fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                self.child = None;
                return Err(format!("exited with {status}"));
            }
            let probe = Client::builder()
                .timeout(Duration::from_millis(500))
                .finish();
            if let Ok(res) = probe.get(format!("{}/health", self.base())).send().await
                && res.status().as_u16() == 200
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("no 200 from /health within {WAIT:?}"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// With a NATS proxy that is not cut: waits until the instance holds a connection through
    /// it (so a started or restarted instance is on the bus before the test goes on, and after
    /// [`Proxy::restore`] the test can wait for the reconnection).
    pub(crate) async fn wait_nats_connected(&self) {
        let Some(proxy) = &self.nats_proxy else {
            return;
        };
        let deadline = Instant::now() + WAIT;
        while proxy.live() == 0 {
            assert!(
                Instant::now() < deadline,
                "instance {} has no NATS connection {WAIT:?} after its start or the proxy's restore\n--- log tail ---\n{}",
                self.name,
                self.log_tail(60)
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The environment it runs with (`PORT` aside).
    pub(crate) fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// Whether the process is running.
    pub(crate) fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| c.try_wait().ok().flatten().is_none())
    }

    /// SIGKILL, then reaps the process.
    pub(crate) fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if let Some(mut w) = self.watchdog.take() {
            let _ = w.kill();
            let _ = w.wait();
        }
        self.client = new_client();
        // Let the relays notice the dead connections, so that a restart's readiness check sees
        // only the new process's NATS connection.
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.nats_proxy.as_ref().is_some_and(|p| p.live() > 0) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Kills the process (if running) and starts it again on the same port with the same
    /// environment.
    pub(crate) async fn restart(&mut self) {
        self.kill9();
        self.spawn_ready().await;
    }

    /// The whole log of every start of the process.
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    /// The last `n` lines of the log.
    pub(crate) fn log_tail(&self, n: usize) -> String {
        let log = self.log();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }

    // --- HTTP ---------------------------------------------------------------------------------

    /// Sends a request: `headers` as given, `body` raw. A transport error panics.
    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Res {
        self.try_send(method, path, headers, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path} on {}: {e}", self.name))
    }

    /// Sends a request; a transport error is returned.
    pub(crate) async fn try_send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Result<Res, String> {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base()));
        for (k, v) in headers {
            req = req.append_header((*k, *v));
        }
        let mut res = match body {
            Some(b) => req.send_body(b.to_vec()).await,
            None => req.send().await,
        }
        .map_err(|e| format!("{e}"))?;
        let body = res
            .body()
            .limit(64 * 1024 * 1024)
            .await
            .map_err(|e| format!("{e}"))?
            .to_vec();
        Ok(Res {
            status: res.status().as_u16(),
            headers: res.headers().clone(),
            body,
        })
    }

    /// Sends JSON.
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

    pub(crate) async fn get(&self, path: &str) -> Res {
        self.send("GET", path, &[], None).await
    }

    // --- the booth and the admin ----------------------------------------------------------------

    /// Creates `event_id` with the master key; returns its API key.
    pub(crate) async fn create_event(&self, event_id: &str) -> String {
        let res = self
            .json(
                "POST",
                "/api/v1/admin/events",
                &[("x-master-key", MASTER)],
                &json!({"eventId": event_id, "mainTitle": "Test"}),
            )
            .await;
        res.expect(201);
        res.json()["apiKey"].as_str().expect("apiKey").to_owned()
    }

    /// `PATCH …/status`.
    pub(crate) async fn patch_status(&self, event_id: &str, key: &str, status: &str) -> Res {
        self.json(
            "PATCH",
            &format!("/api/v1/admin/events/{event_id}/status"),
            &[("x-api-key", key)],
            &json!({ "status": status }),
        )
        .await
    }

    /// Moves the event to `status`; asserts 200.
    pub(crate) async fn set_status(&self, event_id: &str, key: &str, status: &str) {
        self.patch_status(event_id, key, status).await.expect(200);
    }

    pub(crate) async fn post_xml(&self, key: &str, xml: &str) -> Res {
        self.json("POST", XML, &[("x-api-key", key)], &json!({ "xml": xml }))
            .await
    }

    pub(crate) async fn post_results(&self, key: &str, body: &Value) -> Res {
        self.json("POST", RESULTS, &[("x-api-key", key)], body)
            .await
    }

    pub(crate) async fn post_oncourse(&self, key: &str, body: &Value) -> Res {
        self.json("POST", ONCOURSE, &[("x-api-key", key)], body)
            .await
    }

    /// An event with the synthetic LODM export (`K1M-ZS_BR1_25`, `K1M-ZS_BR2_25`,
    /// `K1W-ZS_QUA_25`) in `status`; returns its key.
    pub(crate) async fn lodm_event(&self, event_id: &str, status: &str) -> String {
        let key = self.create_event(event_id).await;
        self.post_xml(&key, &fixture("sample-c123-synthetic-lodm-qua.xml"))
            .await
            .expect(200);
        if status != "draft" {
            self.set_status(event_id, &key, status).await;
        }
        key
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill9();
        if std::thread::panicking() {
            #[expect(clippy::print_stderr, reason = "shown with the failing test's output")]
            {
                eprintln!(
                    "--- last lines of {} ({}) ---\n{}\n--- end of {} ---",
                    self.name,
                    self.log_path.display(),
                    self.log_tail(60),
                    self.name
                );
                if let Some(dir) = self.own_dir.take() {
                    eprintln!("log kept in {}", dir.keep().display());
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Cluster

/// Options of [`Cluster::start_with`].
#[derive(Debug, Clone)]
pub(crate) struct ClusterOpts {
    /// Number of instances.
    pub(crate) n: usize,
    /// Extra environment of every instance (over the cluster's).
    pub(crate) env: Vec<(&'static str, String)>,
}

/// `n` instances on one fresh database and one NATS stream. Instance `i` reaches `PostgreSQL`
/// and NATS through its own [`Proxy`]s (`nodes[i].pg_proxy`, `nodes[i].nats_proxy`).
pub(crate) struct Cluster {
    /// Dropped first: processes die before their stream and database go.
    pub(crate) nodes: Vec<Instance>,
    pub(crate) stream: String,
    pub(crate) prefix: String,
    nats: String,
    pub(crate) pg: Pg,
    dir: Option<TempDir>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Cluster({:?}, {}, {})",
            self.nodes,
            self.stream,
            self.pg.name()
        )
    }
}

/// Names of the instances: A, B, C, …
pub(crate) fn node_name(i: usize) -> String {
    char::from(b'A' + u8::try_from(i).expect("few nodes")).to_string()
}

impl Cluster {
    pub(crate) async fn start(svc: &Services, n: usize) -> Self {
        Self::start_with(svc, ClusterOpts { n, env: Vec::new() }).await
    }

    /// Creates the database, picks the stream and subject names, and starts the instances
    /// one after the other (the first one creates the schema and the stream).
    pub(crate) async fn start_with(svc: &Services, opts: ClusterOpts) -> Self {
        let pg = Pg::fresh();
        let tag = rand_hex(10);
        let stream = format!("LIVE_TEST_{}", tag.to_uppercase());
        let prefix = format!("live_test.{tag}");
        let dir = TempDir::new().expect("temp dir");
        let mut cluster = Self {
            nodes: Vec::new(),
            stream,
            prefix,
            nats: svc.nats.clone(),
            pg,
            dir: Some(dir),
        };
        for i in 0..opts.n {
            let pg_proxy = Proxy::start(&host_port(cluster.pg.url(), 5432));
            let nats_proxy = Proxy::start(&host_port(&svc.nats, 4222));
            let mut env: Vec<(&str, String)> = vec![
                (
                    "DATABASE_URL",
                    with_host_port(cluster.pg.url(), &pg_proxy.addr()),
                ),
                ("NATS_URL", with_host_port(&svc.nats, &nats_proxy.addr())),
                ("NATS_STREAM", cluster.stream.clone()),
                ("NATS_SUBJECT_PREFIX", cluster.prefix.clone()),
                ("CLUSTER_GAP_MS", GAP_MS.to_string()),
                ("CLUSTER_SYNC_MS", SYNC_MS.to_string()),
            ];
            env.extend(opts.env.iter().cloned());
            let dir = cluster.dir.as_ref().expect("dir").path().to_owned();
            let mut node = Instance::prepare_in(&node_name(i), &dir, &env);
            node.pg_proxy = Some(pg_proxy);
            node.nats_proxy = Some(nats_proxy);
            node.spawn_ready().await;
            cluster.nodes.push(node);
        }
        cluster
    }

    /// SIGKILLs every instance.
    pub(crate) fn kill_all(&mut self) {
        for n in &mut self.nodes {
            n.kill9();
        }
    }

    /// Starts every instance again (same ports, database and stream).
    pub(crate) async fn restart_all(&mut self) {
        for n in &mut self.nodes {
            n.restart().await;
        }
    }

    /// The event row's `(live_epoch, live_seq)` in the database (cluster columns of the design).
    pub(crate) fn db_position(&self, event_id: &str) -> Option<(String, u64)> {
        let rows = self.pg.rows(&format!(
            "SELECT live_epoch, live_seq FROM events WHERE event_id = '{event_id}'"
        ));
        rows.first().map(|r| {
            (
                r[0].clone().unwrap_or_default(),
                r[1].as_deref().and_then(|s| s.parse().ok()).unwrap_or(0),
            )
        })
    }
}

impl std::ops::Index<usize> for Cluster {
    type Output = Instance;
    fn index(&self, i: usize) -> &Instance {
        &self.nodes[i]
    }
}

impl std::ops::IndexMut<usize> for Cluster {
    fn index_mut(&mut self, i: usize) -> &mut Instance {
        &mut self.nodes[i]
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let panicking = std::thread::panicking();
        self.nodes.clear();
        delete_stream(&self.nats, &self.stream);
        if panicking && let Some(dir) = self.dir.take() {
            let kept = dir.keep();
            #[expect(clippy::print_stderr, reason = "shown with the failing test's output")]
            {
                eprintln!(
                    "cluster logs kept in {} (stream {}, database {} dropped)",
                    kept.display(),
                    self.stream,
                    self.pg.name()
                );
            }
        }
    }
}
