//! Hostile input over real HTTP (contract §1.1, §1.7, §1.8, DV41): slow and unread bodies on a
//! raw TCP connection, oversized XML structures and fields, unbounded gates, extreme dates and
//! rows that cannot be read back. Each test names the behaviour measured before DV41. No test
//! asserts a duration: every wait is bounded by a timeout that only fails the test.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{MASTER, TestApp, fixture, spawn_app, spawn_env, table_snapshot, tamper};
use crate::ingest::{ONCOURSE, RESULTS, post_xml};

/// Longest wait for any answer; far above every configured timeout.
const WAIT: Duration = Duration::from_secs(20);

/// One HTTP response read off a raw connection.
struct RawResponse {
    status: u16,
    /// Header lines, lower-cased.
    head: String,
    body: String,
    /// The server closed the connection after the response.
    closed: bool,
}

impl RawResponse {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn has_header(&self, line: &str) -> bool {
        self.head.lines().any(|l| l.trim() == line)
    }
}

/// A raw connection to the app.
async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(("127.0.0.1", app.port()))
        .await
        .expect("connect")
}

/// Reads one response (head and `Content-Length` body), then whether the server closes the
/// connection within `WAIT`.
async fn read_response(stream: &mut TcpStream) -> RawResponse {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let (head, body_start, length) = loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse::<usize>().expect("content-length"));
            break (head, end + 4, length);
        }
        let n = tokio::time::timeout(WAIT, stream.read(&mut chunk))
            .await
            .expect("response within the wait")
            .expect("read");
        assert!(n > 0, "connection closed before a response");
        buf.extend_from_slice(&chunk[..n]);
    };
    while buf.len() < body_start + length {
        let n = tokio::time::timeout(WAIT, stream.read(&mut chunk))
            .await
            .expect("body within the wait")
            .expect("read");
        assert!(n > 0, "connection closed inside the body");
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[body_start..body_start + length]).into_owned();
    // After the response: EOF (or a reset) means closed; bytes or the wait running out do not.
    let closed = matches!(
        tokio::time::timeout(WAIT, stream.read(&mut chunk)).await,
        Ok(Ok(0) | Err(_))
    );
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    RawResponse {
        status,
        head,
        body,
        closed,
    }
}

/// Sends `head` (request line and headers, without the blank line) and `body`, never finishing
/// the body, and reads the answer.
async fn send_partial(app: &TestApp, head: &str, body: &[u8]) -> RawResponse {
    let mut stream = connect(app).await;
    stream
        .write_all(format!("{head}\r\nhost: 127.0.0.1\r\n\r\n").as_bytes())
        .await
        .expect("write head");
    stream.write_all(body).await.expect("write body");
    read_response(&mut stream).await
}

#[track_caller]
fn assert_timeout_408(res: &RawResponse) {
    assert_eq!(res.status, 408, "{}", res.body);
    assert_eq!(
        res.json(),
        json!({"error": "Request Timeout", "message": "Request body not received in time"})
    );
    assert!(res.has_header("connection: close"), "{}", res.head);
    assert!(res.closed, "connection left open after the 408");
}

/// Before DV41, a body sent one byte every few seconds was never timed out, on ingest routes as
/// on `GET /api/v1/events`, and 300 of them made `/health` time out with "Too many open files".
/// Now a body idle for `BODY_IDLE_TIMEOUT_SECS`, or not complete within `BODY_TIMEOUT_SECS`, is
/// answered 408 and its connection closed; the ingest log records it.
#[actix_web::test]
async fn slow_bodies_are_408_and_close() {
    let app = spawn_env(&[("BODY_IDLE_TIMEOUT_SECS", "1"), ("BODY_TIMEOUT_SECS", "3")]).await;
    let key = app.event("slow").await;
    let before = table_snapshot(app.db_path());

    // A declared body that stops after its first byte: idle timeout.
    let head = format!(
        "POST {RESULTS} HTTP/1.1\r\nx-api-key: {key}\r\ncontent-type: application/json\r\ncontent-length: 1000000"
    );
    assert_timeout_408(&send_partial(&app, &head, b"{").await);

    // A chunked body whose chunk never ends, on an admin route.
    let head = format!(
        "POST /api/v1/admin/events HTTP/1.1\r\nx-master-key: {MASTER}\r\ncontent-type: application/json\r\ntransfer-encoding: chunked"
    );
    assert_timeout_408(&send_partial(&app, &head, b"100\r\n{\"eventId\"").await);

    // A byte every 400 ms never trips the idle timeout but the whole-body one (3 s): at most
    // 50 bytes are sent, the answer stops the loop.
    let mut stream = connect(&app).await;
    let head = format!(
        "POST {RESULTS} HTTP/1.1\r\nhost: x\r\nx-api-key: {key}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("write head");
    let mut answered = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(400)).await;
        if stream.write_all(b" ").await.is_err() {
            answered = true;
            break;
        }
        let mut peek = [0u8; 1];
        if let Ok(Ok(n)) =
            tokio::time::timeout(Duration::from_millis(1), stream.peek(&mut peek)).await
        {
            answered = n > 0;
            break;
        }
    }
    assert!(answered, "a trickled body was never answered");
    assert_timeout_408(&read_response(&mut stream).await);

    assert_eq!(table_snapshot(app.db_path()), before);
    let log = app
        .get(
            "/api/v1/admin/events/slow/ingest-log",
            &[("x-api-key", &key)],
        )
        .await
        .json();
    let timeouts: Vec<&Value> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter(|e| e["httpStatus"] == 408)
        .collect();
    assert_eq!(timeouts.len(), 2, "{log}");
    assert!(
        timeouts
            .iter()
            .all(|e| e["error"] == "Request body not received in time")
    );
    app.stop().await;
}

/// Bodies of GET, HEAD and DELETE (and of routes that read none) are never read: the request is
/// answered and the connection closed (`Connection: close`), whatever the body still owes. The
/// size limit applies to the declared length. A body that was read to its end keeps the
/// connection open.
#[actix_web::test]
async fn unread_bodies_are_answered_and_the_connection_closed() {
    let app = spawn_env(&[
        ("BODY_IDLE_TIMEOUT_SECS", "30"),
        ("BODY_TIMEOUT_SECS", "60"),
    ])
    .await;
    let key = app.event("unread").await;

    for head in [
        "GET /api/v1/events HTTP/1.1\r\ncontent-length: 1000000".to_owned(),
        "GET /api/v1/events HTTP/1.1\r\ntransfer-encoding: chunked".to_owned(),
        "GET /health HTTP/1.1\r\ncontent-type: application/json\r\ncontent-length: 500".to_owned(),
        format!(
            "GET /api/v1/admin/events/unread/config HTTP/1.1\r\nx-api-key: {key}\r\ntransfer-encoding: chunked"
        ),
        "GET /nope HTTP/1.1\r\ncontent-length: 10".to_owned(),
    ] {
        let body: &[u8] = if head.contains("chunked") {
            b"10\r\nabc"
        } else {
            b"a"
        };
        let res = send_partial(&app, &head, body).await;
        let expected = if head.contains("/nope") { 404 } else { 200 };
        assert_eq!(res.status, expected, "{head}: {}", res.body);
        assert!(res.has_header("connection: close"), "{head}: {}", res.head);
        assert!(res.closed, "{head}: connection left open");
    }

    // The limit applies to the declared length, before anything is read.
    let res = send_partial(
        &app,
        "GET /api/v1/events HTTP/1.1\r\ncontent-length: 2000000",
        b"",
    )
    .await;
    assert_eq!(res.status, 413, "{}", res.body);
    assert!(res.closed);

    // DELETE answers without the body, and the event is gone.
    let head = format!(
        "DELETE /api/v1/admin/events/unread HTTP/1.1\r\nx-master-key: {MASTER}\r\ncontent-type: application/json\r\ncontent-length: 100"
    );
    let res = send_partial(&app, &head, b"{").await;
    assert_eq!(res.json(), json!({"deleted": true, "eventId": "unread"}));
    assert!(res.closed);

    // A complete body keeps the connection alive for the next request.
    let mut stream = connect(&app).await;
    let body = r#"{"eventId":"","mainTitle":"T"}"#;
    let request = format!(
        "POST /api/v1/admin/events HTTP/1.1\r\nhost: x\r\nx-master-key: {MASTER}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .await
        .expect("first request");
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(WAIT, stream.read(&mut buf))
        .await
        .expect("first answer")
        .expect("read");
    let first = String::from_utf8_lossy(&buf[..n]).to_ascii_lowercase();
    assert!(first.starts_with("http/1.1 400"), "{first}");
    assert!(!first.contains("connection: close"), "{first}");
    stream
        .write_all(b"GET /health HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .expect("second request");
    let second = read_response(&mut stream).await;
    assert_eq!(second.status, 200);
    app.stop().await;
}

/// Posts `xml` and asserts the exact 400 message and a small body.
async fn rejected(app: &TestApp, key: &str, xml: &str, message: &str) {
    let res = post_xml(app, key, xml).await;
    res.assert_error(400, "Invalid request", message);
    assert!(res.body.len() < 512, "answer of {} bytes", res.body.len());
}

/// Before DV41: 40 000 attributes on the root took 2.5 s and 100 000 took 17 s of a core (and
/// the import committed); a `CourseNr` of 9 000 000 characters came back as a 9 MB 400 and a 9 MB
/// `ingest_log.error` row; one row with a million gate slots made every anonymous detailed GET
/// of its race 47 MB; `EndDate` `9999-12-31` was imported. Each is now a bounded 400 that
/// changes no table, with a bounded log row, and the real export still imports.
#[actix_web::test]
async fn hostile_xml_is_a_bounded_400_that_changes_nothing() {
    let app = spawn_app().await;
    let key = app.event("hostile").await;
    // The synthetic export leaves room under XML_BODY_LIMIT for a 9 MB field.
    let real = fixture("sample-c123-synthetic-lodm.xml");
    let res = post_xml(&app, &key, &real).await;
    assert_eq!(res.status.as_u16(), 200);
    let before = table_snapshot(app.db_path());
    let line_of = |at: usize| real[..at].matches('\n').count() + 1;

    let attributes = (0..100_000).fold(String::new(), |mut s, i| {
        let _ = write!(s, " a{i}=\"x\"");
        s
    });
    let xml = real.replacen("<Canoe123Data", &format!("<Canoe123Data{attributes}"), 1);
    let root_line = line_of(real.find("<Canoe123Data").expect("root"));
    rejected(
        &app,
        &key,
        &xml,
        &format!("Invalid XML data: too many attributes on <Canoe123Data> (line {root_line})"),
    )
    .await;

    // The first CourseData record's CourseNr, 9 000 000 characters long.
    let at = real.find("<CourseData>").expect("CourseData");
    let course_line = line_of(at);
    let course_nr = real[at..].find("<CourseNr>").expect("CourseNr") + at + "<CourseNr>".len();
    let xml = format!(
        "{}{}{}",
        &real[..course_nr],
        "7".repeat(9_000_000),
        &real[course_nr..]
    );
    rejected(
        &app,
        &key,
        &xml,
        &format!(
            "Invalid XML data: CourseData record 1 (line {course_line}) CourseNr must NOT have more than 4096 characters"
        ),
    )
    .await;
    let xml = format!(
        "{}{}{}",
        &real[..course_nr],
        "x".repeat(4000),
        &real[course_nr..]
    );
    rejected(
        &app,
        &key,
        &xml,
        &format!(
            "Invalid XML data: CourseData record 1 (line {course_line}) has a non-integer CourseNr '{}…'",
            "x".repeat(64)
        ),
    )
    .await;

    // A million gate slots in the first result row, then 65 filled slots.
    let at = real.find("<Results>").expect("Results");
    let result_line = line_of(at);
    let gates = real[at..].find("<Gates").expect("Gates") + at;
    let open_end = real[gates..].find('>').expect("tag end") + gates + 1;
    for (slots, message) in [
        (
            "  2".repeat(1_000_000),
            "Gates must NOT have more than 16384 characters",
        ),
        ("  2".repeat(65), "Gates must NOT have more than 64 gates"),
    ] {
        let xml = format!("{}{slots}{}", &real[..open_end], &real[open_end..]);
        rejected(
            &app,
            &key,
            &xml,
            &format!("Invalid XML data: Results record 1 (line {result_line}) {message}"),
        )
        .await;
    }

    let xml = real.replacen("<EndDate>", "<EndDate>9999-12-31", 1);
    let events_line = line_of(real.find("<Events>").expect("Events"));
    assert!(real.contains("<EndDate>"));
    rejected(
        &app,
        &key,
        &xml,
        &format!(
            "Invalid XML data: Events record 1 (line {events_line}) EndDate: year must be between 1900 and 2999"
        ),
    )
    .await;

    assert_eq!(table_snapshot(app.db_path()), before);
    let log = app
        .get(
            "/api/v1/admin/events/hostile/ingest-log",
            &[("x-api-key", &key)],
        )
        .await
        .json();
    let errors: Vec<&str> = log["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .filter_map(|e| e["error"].as_str())
        .collect();
    assert_eq!(errors.len(), 6, "{log}");
    assert!(errors.iter().all(|e| e.chars().count() <= 1025));
    // The real export still imports over the same event.
    let res = post_xml(&app, &key, &fixture("xml/xboardtest02_jarni_v1.xml")).await;
    assert_eq!(res.status.as_u16(), 200);
    app.stop().await;
}

/// Before DV41, one on-course push with 150 000 gates sent a 7.4 MB frame to every spectator,
/// and results rows carried any number of gates. Both feeds now stop at 64 gates per row (and
/// 256 characters per string) with a 400 that changes nothing.
#[actix_web::test]
async fn feed_gates_are_bounded() {
    let app = spawn_app().await;
    let key = app.event("gates").await;
    post_xml(&app, &key, &fixture("sample-c123-synthetic-lodm-qua.xml")).await;
    app.set_status("gates", &key, "running").await;
    let before = table_snapshot(app.db_path());
    let k = [("x-api-key", key.as_str())];
    let oncourse_gates: Vec<Value> = vec![json!(0); 150_000];
    let body = json!({"oncourse": [{"participantId": "23176.K1W.ZS", "raceId": "K1W-ZS_QUA_25", "bib": 2, "gates": oncourse_gates}]});
    app.json("POST", ONCOURSE, &k, &body).await.assert_error(
        400,
        "Invalid request",
        "body/oncourse/0/gates must NOT have more than 64 items",
    );
    let result_gates: Vec<Value> = (1..=65).map(|g| json!({"gate": g, "pen": 0})).collect();
    let body = json!({"results": [{"raceId": "K1W-ZS_QUA_25", "participantId": "23176.K1W.ZS", "bib": 2, "gates": result_gates}]});
    app.json("POST", RESULTS, &k, &body).await.assert_error(
        400,
        "Invalid request",
        "body/results/0/gates must NOT have more than 64 items",
    );
    let body = json!({"results": [{"raceId": "K1W-ZS_QUA_25", "participantId": "23176.K1W.ZS", "bib": 2, "status": "D".repeat(300)}]});
    app.json("POST", RESULTS, &k, &body).await.assert_error(
        400,
        "Invalid request",
        "body/results/0/status must NOT have more than 256 characters",
    );
    assert_eq!(table_snapshot(app.db_path()), before);
    let oncourse = app.get("/api/v1/events/gates/oncourse", &[]).await.json();
    assert_eq!(oncourse["oncourse"], json!([]));
    app.stop().await;
}

/// Before DV41, `endDate` `9999-12-31` was accepted (201), after which every request with the
/// event's key, and even `DELETE` with the master key, answered 500 `corrupt row`. Years are
/// now bounded; a row stored that way before still reads back; a row that cannot be read back
/// at all is left out of the lists instead of failing them, and stays deletable.
#[actix_web::test]
async fn extreme_dates_and_unreadable_rows() {
    let app = spawn_app().await;
    let app = &app;
    let create = |body: Value| async move {
        app.json(
            "POST",
            "/api/v1/admin/events",
            &[("x-master-key", MASTER)],
            &body,
        )
        .await
    };
    create(json!({"eventId": "far", "mainTitle": "T", "endDate": "9999-12-31"}))
        .await
        .assert_error(
            400,
            "Invalid request",
            "Invalid endDate: year must be between 1900 and 2999",
        );
    create(json!({"eventId": "far", "mainTitle": "T", "startDate": "1899-12-31"}))
        .await
        .assert_error(
            400,
            "Invalid request",
            "Invalid startDate: year must be between 1900 and 2999",
        );
    let long_id = "x".repeat(5000);
    app.send(
        "DELETE",
        &format!("/api/v1/admin/events/{long_id}"),
        &[("x-master-key", MASTER)],
        None,
    )
    .await
    .assert_error(
        404,
        "NotFound",
        &format!("Event not found: {}…", "x".repeat(64)),
    );

    // A row written before DV41 (key window in year 10000) reads back: its key works.
    let legacy_key = app.event("legacy").await;
    tamper(
        app.db_path(),
        "UPDATE events SET end_date = '9999-12-31', key_valid_until = '+010000-01-05T00:00:00.000Z' WHERE event_id = 'legacy';",
    );
    let res = app
        .get(
            "/api/v1/admin/events/legacy/config",
            &[("x-api-key", &legacy_key)],
        )
        .await;
    assert_eq!(
        res.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&res.body)
    );

    // A row whose key window cannot be read back at all (a hand edit): the lists and the
    // other events are unaffected, and it stays deletable with the master key or its own key.
    let broken_key = app.event("broken").await;
    app.set_status("broken", &broken_key, "startlist").await;
    let fine_key = app.event("fine").await;
    app.set_status("fine", &fine_key, "startlist").await;
    tamper(
        app.db_path(),
        "UPDATE events SET key_valid_from = 'yesterday', key_valid_until = 'never' WHERE event_id IN ('broken', 'legacy');",
    );
    let public = app.get("/api/v1/events", &[]).await;
    assert_eq!(public.status.as_u16(), 200);
    assert_eq!(public.json()["events"].as_array().map(Vec::len), Some(2));
    let admin = app
        .get("/api/v1/admin/events", &[("x-master-key", MASTER)])
        .await;
    assert_eq!(admin.json()["events"].as_array().map(Vec::len), Some(3));
    let res = app
        .get(
            "/api/v1/admin/events/fine/config",
            &[("x-api-key", &fine_key)],
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let log = app
        .get(
            "/api/v1/admin/events/broken/ingest-log",
            &[("x-api-key", &broken_key)],
        )
        .await;
    assert_eq!(
        log.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&log.body)
    );
    for (id, auth) in [
        ("broken", ("x-api-key", broken_key.as_str())),
        ("legacy", ("x-master-key", MASTER)),
    ] {
        let res = app
            .send(
                "DELETE",
                &format!("/api/v1/admin/events/{id}"),
                &[auth],
                None,
            )
            .await;
        assert_eq!(res.json(), json!({"deleted": true, "eventId": id}));
    }
    let admin = app
        .get("/api/v1/admin/events", &[("x-master-key", MASTER)])
        .await
        .json();
    assert_eq!(admin["events"][0]["eventId"], "fine");
    assert_eq!(admin["events"].as_array().map(Vec::len), Some(1));
    app.stop().await;
}
