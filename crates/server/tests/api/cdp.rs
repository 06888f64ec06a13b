//! A tiny Chrome `DevTools` Protocol client for the browser tests: starts the machine's headless
//! Chromium (Debian's `chromium`, or `$CHROMIUM`) with a fresh profile, opens one page over the
//! browser's `DevTools` WebSocket (flattened sessions) and drives it. The browser is killed when
//! the client is dropped. Every wait polls with a deadline; nothing sleeps as an assertion.

use std::io::{BufRead, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

/// How long any single wait may take.
pub(crate) const WAIT: Duration = Duration::from_secs(20);

/// The Chromium binary: `$CHROMIUM`, else the first of the usual names on `PATH`.
fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMIUM").map(PathBuf::from) {
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A headless browser with one page.
pub(crate) struct Browser {
    child: Child,
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    session: String,
    next_id: u64,
    _profile: TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the browser, or says once why browser tests do not run: `None` when Chromium is
/// missing (a test failure instead when `LIVE_MINI_REQUIRE_BROWSER=1`).
pub(crate) async fn browser(test: &str) -> Option<Browser> {
    let Some(bin) = find_chromium() else {
        let required = std::env::var("LIVE_MINI_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "{test}: chromium not found and LIVE_MINI_REQUIRE_BROWSER=1 (install Debian's chromium, or set CHROMIUM=/path)"
        );
        // Written to the process's stderr directly: the test harness captures `eprintln!` of
        // passing tests, and this line must reach whoever ran `cargo test`.
        let line = format!(
            "browser tests NOT RUN ({test}): chromium not found (install Debian's chromium, or set CHROMIUM=/path)\n"
        );
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
        return None;
    };
    Some(Browser::launch(&bin).await)
}

impl Browser {
    async fn launch(bin: &std::path::Path) -> Self {
        let profile = TempDir::new().expect("profile dir");
        let mut child = Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--remote-debugging-port=0",
                "--remote-allow-origins=*",
                "--window-size=1280,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chromium");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel::<String>();
        // Reads until the DevTools line, then keeps draining so the browser never blocks on it.
        std::thread::spawn(move || {
            let mut tx = Some(tx);
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(url) = line.split("DevTools listening on ").nth(1)
                    && let Some(tx) = tx.take()
                {
                    let _ = tx.send(url.trim().to_owned());
                }
            }
        });
        let url = tokio::task::spawn_blocking(move || rx.recv_timeout(WAIT))
            .await
            .expect("join")
            .expect("chromium printed no DevTools URL");
        let (ws, _) = connect_async(url.as_str()).await.expect("DevTools socket");
        let mut browser = Self {
            child,
            ws,
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let target = browser
            .call("Target.createTarget", json!({"url": "about:blank"}))
            .await;
        let target_id = target["targetId"].as_str().expect("targetId").to_owned();
        let attached = browser
            .call(
                "Target.attachToTarget",
                json!({"targetId": target_id, "flatten": true}),
            )
            .await;
        browser.session = attached["sessionId"]
            .as_str()
            .expect("sessionId")
            .to_owned();
        browser.send("Page.enable", json!({})).await;
        browser.send("Network.enable", json!({})).await;
        browser
    }

    async fn call(&mut self, method: &str, params: Value) -> Value {
        let reply = self.call_raw(method, params).await;
        assert!(reply.get("error").is_none(), "{method}: {reply}");
        reply["result"].clone()
    }

    /// The whole reply, errors included (evaluations during a navigation may fail).
    async fn call_raw(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = json!(self.session);
        }
        self.ws
            .send(Message::text(msg.to_string()))
            .await
            .expect("send to DevTools");
        tokio::time::timeout(WAIT, async {
            loop {
                let Some(Ok(Message::Text(text))) = self.ws.next().await else {
                    panic!("DevTools socket closed during {method}");
                };
                let v: Value = serde_json::from_str(text.as_str()).expect("DevTools JSON");
                if v["id"] == id {
                    return v;
                }
            }
        })
        .await
        .unwrap_or_else(|_| panic!("DevTools did not answer {method}"))
    }

    /// Sends a page-session command and returns its result.
    pub(crate) async fn send(&mut self, method: &str, params: Value) -> Value {
        self.call(method, params).await
    }

    /// Navigates and waits for the document to be complete.
    pub(crate) async fn goto(&mut self, url: &str) {
        self.eval("window.__leaving = true").await;
        self.send("Page.navigate", json!({"url": url})).await;
        self.wait_for(
            "!window.__leaving && document.readyState === 'complete'",
            url,
        )
        .await;
        // Script errors from now on are shown when a wait times out.
        self.eval("window.__errors = []; window.addEventListener('error', e => window.__errors.push(String(e.message)))").await;
    }

    /// Evaluates `expr` in the page (promises awaited) and returns its JSON value.
    pub(crate) async fn eval(&mut self, expr: &str) -> Value {
        let r = self
            .send(
                "Runtime.evaluate",
                json!({"expression": expr, "returnByValue": true, "awaitPromise": true}),
            )
            .await;
        assert!(
            r.get("exceptionDetails").is_none(),
            "{expr}: {}",
            r["exceptionDetails"]
        );
        r["result"]["value"].clone()
    }

    /// Polls `expr` until it is true; fails with `what` and the page's text after [`WAIT`].
    pub(crate) async fn wait_for(&mut self, expr: &str, what: &str) {
        let deadline = tokio::time::Instant::now() + WAIT;
        let wrapped = format!(
            "(() => {{ try {{ return Boolean({expr}); }} catch (e) {{ return false; }} }})()"
        );
        loop {
            let r = self
                .call_raw(
                    "Runtime.evaluate",
                    json!({"expression": wrapped, "returnByValue": true}),
                )
                .await;
            if r["result"]["result"]["value"] == json!(true) {
                return;
            }
            if tokio::time::Instant::now() > deadline {
                let state = self
                    .eval("JSON.stringify({url: location.href, live: window.liveMini || null, oc: document.getElementById('oc')?.innerText, conn: document.getElementById('conn')?.textContent, errors: window.__errors})")
                    .await;
                panic!("timed out waiting for {what} ({expr}); page: {state}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Turns JavaScript off (for the next navigation on).
    pub(crate) async fn disable_js(&mut self) {
        self.send(
            "Emulation.setScriptExecutionDisabled",
            json!({"value": true}),
        )
        .await;
    }

    /// Sets the viewport (CSS pixels); `mobile` also emulates a phone's viewport rules.
    pub(crate) async fn viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.send(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        )
        .await;
    }

    /// Sends `Accept-Language: lang` from now on.
    pub(crate) async fn accept_language(&mut self, lang: &str) {
        self.send(
            "Network.setExtraHTTPHeaders",
            json!({"headers": {"Accept-Language": lang}}),
        )
        .await;
    }

    /// A PNG of the page (`full`: the whole page, not just the viewport).
    pub(crate) async fn screenshot(&mut self, full: bool) -> Vec<u8> {
        use base64::Engine as _;
        let r = self
            .send(
                "Page.captureScreenshot",
                json!({"format": "png", "captureBeyondViewport": full}),
            )
            .await;
        base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().expect("data"))
            .expect("base64 PNG")
    }
}
