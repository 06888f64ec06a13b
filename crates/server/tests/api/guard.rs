//! The ingest state guard under the event's write lock (contract §5.3, §5.2): a push authenticated
//! just before a status change that commits first is judged by the status its write would land
//! in. The booth fires status changes and on-course pushes milliseconds apart.
//!
//! The interleaving is forced, not timed: the test holds the event's write lock, lets the status
//! change queue for it, then the push (which has passed authentication and the request-time guard
//! by then: a refused push never reaches the lock), and releases the lock. The lock is fair, so
//! the status change commits first and the push's write comes second.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{Res, TestApp, fixture, fixture_json, spawn_env};
use crate::ingest::{ONCOURSE, RESULTS, post_xml};
use crate::ws::{closed, connect, next};

/// Waits until `n` requests are queued for an event's write lock. The bound only stops a broken
/// build from hanging; the order does not depend on it.
async fn queued(app: &TestApp, n: usize) {
    let deadline = Instant::now() + Duration::from_mins(1);
    while app.room_stats().lock_waiters < n {
        assert!(Instant::now() < deadline, "{n} requests never queued");
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// An app whose on-course entries outlive the test, so no expiry timer takes the lock meanwhile,
/// and whose official close comes one second after `→ official`.
async fn app() -> TestApp {
    spawn_env(&[
        ("ONCOURSE_TTL_MS", "3600000"),
        ("OFFICIAL_CLOSE_GRACE_SECS", "1"),
    ])
    .await
}

/// Event `id` with the LODM sample imported, in `status`; returns its key.
async fn lodm(app: &TestApp, id: &str, status: &str) -> String {
    let key = app.event(id).await;
    let xml = fixture("sample-c123-synthetic-lodm-qua.xml");
    assert_eq!(post_xml(app, &key, &xml).await.status.as_u16(), 200);
    app.set_status(id, &key, status).await;
    key
}

/// `PATCH …/status` with the event's key, whatever the answer.
async fn patch_status(app: &TestApp, id: &str, key: &str, status: &str) -> Res {
    let path = format!("/api/v1/admin/events/{id}/status");
    app.json(
        "PATCH",
        &path,
        &[("x-api-key", key)],
        &json!({ "status": status }),
    )
    .await
}

#[actix_web::test]
async fn an_oncourse_push_authenticated_before_finished_does_not_refill_the_board() {
    let app = app().await;
    let key = lodm(&app, "board", "running").await;
    // A spectator: its admission loads the room, which then stays for the whole test.
    let mut ws = connect(&app, "board", "").await;
    assert_eq!(next(&mut ws).await["type"], "full");
    let riders = fixture_json("sample-ingest-oncourse.json")["c123_server_shape"].clone();
    let res = app
        .json("POST", ONCOURSE, &[("x-api-key", &key)], &riders)
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let snapshot = next(&mut ws).await;
    assert!(!snapshot["data"]["oncourse"].as_array().unwrap().is_empty());

    // Authenticated push → `→ finished` commits (and clears the board) → the push's write.
    let lock = app.lock_event("board").await;
    let (finished, pushed, ()) = futures_util::join!(
        patch_status(&app, "board", &key, "finished"),
        async {
            queued(&app, 1).await;
            app.json("POST", ONCOURSE, &[("x-api-key", &key)], &riders)
                .await
        },
        async {
            queued(&app, 2).await;
            drop(lock);
        },
    );
    assert_eq!(finished.status.as_u16(), 200);
    pushed.assert_error(
        403,
        "Forbidden",
        "Data type 'json_oncourse' not accepted in 'finished' state",
    );

    // The board stays empty, over REST and on the socket.
    let board = app.get("/api/v1/events/board/oncourse", &[]).await.json();
    assert_eq!(board, json!({"oncourse": []}));
    let status = next(&mut ws).await;
    assert_eq!(status["data"], json!({"status": "finished"}));
    // The next frame is the next write's, one seq later: no on-course frame came in between.
    let results = fixture_json("sample-ingest-results.json")["with_tcp_gates"].clone();
    let res = app
        .json("POST", RESULTS, &[("x-api-key", &key)], &results)
        .await;
    assert_eq!(res.status.as_u16(), 200);
    let diff = next(&mut ws).await;
    assert_eq!(diff["data"]["raceId"], "K1W-ZS_QUA_25");
    assert_eq!(
        diff["seq"].as_u64().unwrap(),
        status["seq"].as_u64().unwrap() + 1
    );
    app.stop().await;
}

/// What the spectators can read about event `id`, its status aside.
async fn public_state(app: &TestApp, id: &str) -> Vec<Value> {
    let mut detail = app.get(&format!("/api/v1/events/{id}"), &[]).await.json();
    detail["event"]["status"] = Value::Null;
    let mut state = vec![detail];
    for race in ["K1M-ZS_BR2_25", "K1W-ZS_QUA_25"] {
        let path = format!("/api/v1/events/{id}/results/{race}?detailed=true");
        state.push(app.get(&path, &[]).await.json());
    }
    state
}

#[actix_web::test]
async fn xml_and_results_authenticated_before_official_write_nothing() {
    let app = app().await;
    let key = lodm(&app, "final", "finished").await;
    let mut ws = connect(&app, "final", "").await;
    assert_eq!(next(&mut ws).await["type"], "full");
    let before = public_state(&app, "final").await;
    let tables = live_store::dump_tables(app.db_path(), &["ingest_log", "events"]).unwrap();

    // Both would change something: another export (other races, event dates) and a results
    // table with a changed row.
    let xml = fixture("sample-c123-synthetic-lodm.xml");
    let results = fixture_json("sample-ingest-results.json")["with_tcp_gates"].clone();
    let lock = app.lock_event("final").await;
    let (official, imported, updated, ()) = futures_util::join!(
        patch_status(&app, "final", &key, "official"),
        async {
            queued(&app, 1).await;
            post_xml(&app, &key, &xml).await
        },
        async {
            queued(&app, 2).await;
            app.json("POST", RESULTS, &[("x-api-key", &key)], &results)
                .await
        },
        async {
            queued(&app, 3).await;
            drop(lock);
        },
    );
    assert_eq!(official.status.as_u16(), 200);
    imported.assert_error(
        403,
        "Forbidden",
        "Data type 'xml' not accepted in 'official' state",
    );
    updated.assert_error(
        403,
        "Forbidden",
        "Data type 'json_results' not accepted in 'official' state",
    );

    // Nothing was written: every data table, and what spectators read.
    assert_eq!(
        live_store::dump_tables(app.db_path(), &["ingest_log", "events"]).unwrap(),
        tables
    );
    assert_eq!(public_state(&app, "final").await, before);
    // The socket gets the status diff and then only the official close: no `full`, no diff.
    let status = next(&mut ws).await;
    assert_eq!(status["data"], json!({"status": "official"}));
    let close = closed(&mut ws).await.expect("close frame");
    assert_eq!(
        (u16::from(close.code), close.reason.as_str()),
        (1000, "Event results are official")
    );
    app.stop().await;
}
