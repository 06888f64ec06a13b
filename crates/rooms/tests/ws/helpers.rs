//! A test server with the upgrade route the way the live-mini server wires it, and client helpers.

use std::collections::HashMap;
use std::net::TcpListener;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use futures_util::StreamExt;
use live_domain::EventStatus;
use live_rooms::{RoomError, Rooms, RoomsConfig};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// The `full` data of every test event.
pub(crate) const FULL: &str =
    r#"{"event":{"eventId":"e"},"classes":[],"races":[],"categories":[]}"#;

/// How long any single receive may take before the test fails.
pub(crate) const RECV_LIMIT: Duration = Duration::from_secs(10);

pub(crate) type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

pub(crate) fn config() -> RoomsConfig {
    RoomsConfig {
        max_per_event: 100,
        max_total: 1000,
        ping_interval: Duration::from_mins(1),
        pong_timeout: Duration::from_mins(1),
        send_queue: 4,
        send_timeout: Duration::from_mins(1),
        resume_frames: 16,
        resume_age: Duration::from_mins(5),
    }
}

pub(crate) struct TestServer {
    pub(crate) rooms: Rooms,
    port: u16,
    handle: ServerHandle,
}

impl TestServer {
    /// Starts one worker on a free port; `stop` ends it.
    pub(crate) fn start(config: RoomsConfig) -> Self {
        let rooms = Rooms::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let data = web::Data::new(rooms.clone());
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .route("/events/{event_id}/ws", web::get().to(ws_connect))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        actix_web::rt::spawn(server);
        Self {
            rooms,
            port,
            handle,
        }
    }

    pub(crate) fn url(&self, event_id: &str) -> String {
        format!("ws://127.0.0.1:{}/events/{event_id}/ws", self.port)
    }

    pub(crate) async fn connect(&self, event_id: &str) -> Client {
        self.connect_url(&self.url(event_id)).await
    }

    pub(crate) async fn connect_url(&self, url: &str) -> Client {
        let (client, _) = tokio::time::timeout(RECV_LIMIT, tokio_tungstenite::connect_async(url))
            .await
            .expect("connect in time")
            .expect("upgrade");
        client
    }

    /// Publishes a diff to the event through its write lock; returns its seq.
    pub(crate) async fn publish(&self, event_id: &str, data_json: &str) -> u64 {
        self.rooms
            .lock(event_id)
            .await
            .publish_diff(live_rooms::DiffKind::Results, data_json)
            .expect("event loaded")
    }

    /// Waits until the server's counters satisfy `done`.
    pub(crate) async fn wait_for(&self, what: &str, done: impl Fn(live_rooms::RoomStats) -> bool) {
        let wait = async {
            while !done(self.rooms.stats()) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        };
        let in_time = tokio::time::timeout(RECV_LIMIT, wait).await.is_ok();
        assert!(in_time, "{what}: stats {:?}", self.rooms.stats());
    }

    pub(crate) async fn stop(self) {
        self.rooms.shutdown();
        self.handle.stop(true).await;
    }
}

/// The route as the server wires it: lock, load when needed, status checks, upgrade, admit.
/// Event ids starting with `draft` or `official` load in that status, others as `running`.
async fn ws_connect(
    req: HttpRequest,
    body: web::Payload,
    path: web::Path<String>,
    query: web::Query<HashMap<String, String>>,
    rooms: web::Data<Rooms>,
) -> actix_web::Result<HttpResponse> {
    let event_id = path.into_inner();
    let mut lock = rooms.lock(&event_id).await;
    if !lock.is_loaded() {
        let status = if event_id.starts_with("draft") {
            EventStatus::Draft
        } else if event_id.starts_with("official") {
            EventStatus::Official
        } else {
            EventStatus::Running
        };
        lock.load(status, FULL.to_owned());
    }
    if let Err(err) = lock.check_visible() {
        return Ok(refusal(err));
    }
    let (response, session, stream) = actix_ws::handle(&req, body)?;
    let admission = match lock.admit(query.get("since").map(String::as_str)) {
        Ok(admission) => admission,
        Err(err) => return Ok(refusal(err)),
    };
    drop(lock);
    actix_web::rt::spawn(live_rooms::serve(
        admission,
        session,
        stream,
        rooms.get_ref().clone(),
    ));
    Ok(response)
}

fn refusal(err: RoomError) -> HttpResponse {
    match err {
        RoomError::NotPublic => HttpResponse::NotFound().body(err.to_string()),
        RoomError::Official => HttpResponse::Gone().body(err.to_string()),
        _ => HttpResponse::ServiceUnavailable().body(err.to_string()),
    }
}

/// The next message of any kind (pings included).
pub(crate) async fn next_message(client: &mut Client) -> Option<Result<Message, String>> {
    tokio::time::timeout(RECV_LIMIT, client.next())
        .await
        .expect("a message or the end in time")
        .map(|m| m.map_err(|e| e.to_string()))
}

/// The next text frame as JSON, skipping pings and pongs.
pub(crate) async fn next_json(client: &mut Client) -> serde_json::Value {
    loop {
        match next_message(client).await {
            Some(Ok(Message::Text(text))) => {
                return serde_json::from_str(text.as_str()).expect("JSON frame");
            }
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a text frame, got {other:?}"),
        }
    }
}

/// The close frame the server sends next, skipping pings.
pub(crate) async fn next_close(client: &mut Client) -> CloseFrame {
    loop {
        match next_message(client).await {
            Some(Ok(Message::Close(Some(frame)))) => return frame,
            Some(Ok(Message::Ping(_) | Message::Pong(_))) => {}
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// A results diff `data` padded to about `bytes`.
pub(crate) fn results_data(bib: u64, bytes: usize) -> String {
    format!(
        r#"{{"raceId":"R1","results":[{{"bib":{bib},"pad":"{}"}}]}}"#,
        "x".repeat(bytes)
    )
}
