//! A WebSocket spectator (tokio-tungstenite, sharing nothing with the server's codec): keeps
//! every text frame it received, as received, with its `seq`, and the resume position
//! (`epoch` of the last `full`, `seq` of the last frame) to reconnect with `?since=`, to the
//! same or another instance. Every wait is bounded.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::harness::{Instance, WAIT};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// One text frame.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// Exactly as received.
    pub(crate) text: String,
    pub(crate) json: Value,
    /// `type`: `full`, `diff`, `refresh`.
    pub(crate) kind: String,
    pub(crate) seq: u64,
    /// The instance it came from.
    pub(crate) from: String,
}

impl Frame {
    fn parse(text: String, from: &str) -> Self {
        let json: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("frame from {from} is not JSON ({e}): {text}"));
        let kind = json["type"].as_str().expect("type").to_owned();
        let seq = json["seq"].as_u64().expect("seq");
        Self {
            text,
            json,
            kind,
            seq,
            from: from.to_owned(),
        }
    }

    pub(crate) fn epoch(&self) -> Option<&str> {
        self.json["epoch"].as_str()
    }

    pub(crate) fn data(&self) -> &Value {
        &self.json["data"]
    }

    pub(crate) fn is_diff(&self) -> bool {
        self.kind == "diff"
    }

    /// The text with `seq` made relative to `base` and the epoch replaced by `EPOCH`: to
    /// compare frames of different sequences byte for byte.
    pub(crate) fn normalized(&self, base: u64) -> String {
        let mut t = self.text.replacen(
            &format!("\"seq\":{}", self.seq),
            &format!("\"seq\":{}", self.seq - base),
            1,
        );
        if let Some(e) = self.epoch() {
            t = t.replacen(e, "EPOCH", 1);
        }
        t
    }
}

/// How a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    /// A close frame: code and reason.
    Close(u16, String),
    /// The TCP connection ended (or failed) without a close frame.
    Dropped,
}

/// A spectator of one event.
pub(crate) struct Spectator {
    pub(crate) event: String,
    ws: Option<Ws>,
    /// The instance of the current connection.
    pub(crate) on: String,
    /// Every frame received, over every connection.
    pub(crate) frames: Vec<Frame>,
    epoch: Option<String>,
    last_seq: Option<u64>,
}

impl std::fmt::Debug for Spectator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Spectator({} on {}, {} frames, at {:?})",
            self.event,
            self.on,
            self.frames.len(),
            self.position()
        )
    }
}

async fn open(inst: &Instance, event: &str, query: &str) -> Ws {
    let url = format!(
        "ws://127.0.0.1:{}/api/v1/events/{event}/ws{query}",
        inst.port()
    );
    let (ws, res) = match tokio::time::timeout(WAIT, connect_async(&url)).await {
        Err(elapsed) => panic!("{url}: no upgrade ({elapsed})"),
        Ok(Err(e)) => panic!("{url}: {e}"),
        Ok(Ok(ok)) => ok,
    };
    assert_eq!(res.status().as_u16(), 101);
    ws
}

impl Spectator {
    /// Connects without `since` (the first frame will be a `full`).
    pub(crate) async fn connect(inst: &Instance, event: &str) -> Self {
        Self {
            event: event.to_owned(),
            ws: Some(open(inst, event, "").await),
            on: inst.name.clone(),
            frames: Vec::new(),
            epoch: None,
            last_seq: None,
        }
    }

    /// Connects and reads the first frame, which must be a `full`.
    pub(crate) async fn joined(inst: &Instance, event: &str) -> Self {
        let mut s = Self::connect(inst, event).await;
        let f = s.next().await;
        assert_eq!(f.kind, "full", "first frame on {}: {}", inst.name, f.text);
        s
    }

    /// `epoch:seq` to resume from, once a `full` was received.
    pub(crate) fn position(&self) -> Option<String> {
        Some(format!("{}:{}", self.epoch.as_ref()?, self.last_seq?))
    }

    /// The `seq` of the last frame received.
    pub(crate) fn last_seq(&self) -> u64 {
        self.last_seq.expect("a frame was received")
    }

    /// The epoch of the last `full` received.
    pub(crate) fn epoch(&self) -> &str {
        self.epoch.as_deref().expect("a full was received")
    }

    /// Closes the connection (client close), keeping the position.
    pub(crate) async fn disconnect(&mut self) {
        if let Some(mut ws) = self.ws.take() {
            let _ = tokio::time::timeout(Duration::from_secs(1), ws.close(None)).await;
        }
    }

    /// Reconnects to `inst` with `?since=<epoch>:<seq>` of the last frames received.
    pub(crate) async fn resume(&mut self, inst: &Instance) {
        self.disconnect().await;
        let since = self.position().expect("resume needs a full first");
        self.ws = Some(open(inst, &self.event, &format!("?since={since}")).await);
        self.on.clone_from(&inst.name);
    }

    fn record(&mut self, text: String) -> Frame {
        let f = Frame::parse(text, &self.on);
        if f.kind == "full" {
            self.epoch = f.epoch().map(str::to_owned);
        }
        self.last_seq = Some(f.seq);
        self.frames.push(f.clone());
        f
    }

    /// The next text frame (pings are answered by the library while reading); panics on a
    /// timeout or the end of the connection.
    pub(crate) async fn next(&mut self) -> Frame {
        self.next_within(WAIT)
            .await
            .unwrap_or_else(|| panic!("{self:?}: no frame within {WAIT:?}"))
    }

    /// The next text frame within `d`, `None` on timeout; panics when the connection ends.
    pub(crate) async fn next_within(&mut self, d: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + d;
        let on = self.on.clone();
        let ws = self.ws.as_mut().expect("connected");
        loop {
            let msg = match tokio::time::timeout_at(deadline, ws.next()).await {
                Err(_) => return None,
                Ok(None) => panic!("connection to {on} ended while waiting for a frame"),
                Ok(Some(Err(e))) => panic!("connection to {on} failed: {e}"),
                Ok(Some(Ok(m))) => m,
            };
            match msg {
                Message::Text(t) => return Some(self.record(t.as_str().to_owned())),
                Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
                Message::Close(c) => panic!("connection to {on} closed: {c:?}"),
                Message::Binary(b) => panic!("binary frame from {on}: {b:?}"),
            }
        }
    }

    /// The next `n` frames.
    pub(crate) async fn take(&mut self, n: usize) -> Vec<Frame> {
        let mut out = Vec::with_capacity(n);
        for _ in 0..n {
            out.push(self.next().await);
        }
        out
    }

    /// Frames until one with `seq` ≥ `seq` arrived (that one included).
    pub(crate) async fn until_seq(&mut self, seq: u64) -> Vec<Frame> {
        let mut out = Vec::new();
        while self.last_seq.is_none_or(|s| s < seq) {
            out.push(self.next().await);
        }
        out
    }

    /// Asserts that no frame arrives within `d`.
    pub(crate) async fn silent(&mut self, d: Duration) {
        if let Some(f) = self.next_within(d).await {
            panic!("{} expected silence, got {}", self.on, f.text);
        }
    }

    /// Waits for the end of the connection; text frames before it are recorded.
    pub(crate) async fn ended(&mut self) -> End {
        let on = self.on.clone();
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let ws = self.ws.as_mut().expect("connected");
            let msg = tokio::time::timeout_at(deadline, ws.next())
                .await
                .unwrap_or_else(|_| panic!("connection to {on} still open after {WAIT:?}"));
            match msg {
                Some(Ok(Message::Text(t))) => {
                    self.record(t.as_str().to_owned());
                }
                Some(Ok(Message::Close(c))) => {
                    self.ws = None;
                    return c.map_or(End::Close(1005, String::new()), |c| {
                        End::Close(u16::from(c.code), c.reason.as_str().to_owned())
                    });
                }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => {
                    self.ws = None;
                    return End::Dropped;
                }
            }
        }
    }
}

/// Asserts that `frames` are numbered `first`, `first + 1`, … with no gap or duplicate.
#[track_caller]
pub(crate) fn assert_consecutive(frames: &[Frame], first: u64) {
    let seqs: Vec<u64> = frames.iter().map(|f| f.seq).collect();
    let want: Vec<u64> = (first..first + seqs.len() as u64).collect();
    assert_eq!(seqs, want, "frames not gap-free from {first}");
}

/// Asserts that two spectators' frames are the same bytes in the same order.
#[track_caller]
pub(crate) fn assert_same_frames(a: &[Frame], b: &[Frame]) {
    let ta: Vec<&str> = a.iter().map(|f| f.text.as_str()).collect();
    let tb: Vec<&str> = b.iter().map(|f| f.text.as_str()).collect();
    assert_eq!(
        ta,
        tb,
        "frames differ between {:?} and {:?}",
        a.first().map(|f| &f.from),
        b.first().map(|f| &f.from)
    );
}
