//! Cluster mode: live frames numbered in the event row, the row lock that serialises writes of one
//! event across `Store` handles (instances), the on-course board in the row, and a PostgreSQL
//! that goes away.

use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use live_domain::requests::MergeStrategy;
use live_domain::{EventStatus, IngestKind};
use live_store::{OncourseUpdate, Sequence, Store, StoreConfig, StoreError};
use serde_json::json;

use crate::support::{LODM, LODM_QUA, Location, TestDb, export, feed, now, pg_url_for};

fn sequenced(config: StoreConfig) -> StoreConfig {
    StoreConfig {
        sequence_in_db: true,
        ..config
    }
}

/// An SQLite database with sequencing in the database.
fn sqlite_sequenced() -> TestDb {
    TestDb::open_with(sequenced)
}

/// A results body that gives bib 2 of the qualification the total `total` (one diff).
fn body(total: i32) -> Vec<live_domain::requests::ResultRowIngest> {
    feed(&json!({"results": [
        {"raceId": "K1W-ZS_QUA_25", "participantId": "23176.K1W.ZS", "bib": 2,
         "time": total, "pen": 0, "total": total}
    ]}))
}

fn seq(epoch: &str, first: u64, last: u64) -> Sequence {
    Sequence {
        epoch: epoch.to_owned(),
        first_seq: first,
        last_seq: last,
    }
}

async fn numbering(db: TestDb) {
    let pk = db.event("lodm-2024").await;
    let start = db.store.live_position(pk).await.unwrap().unwrap();
    assert_eq!(start.epoch.len(), 16, "{start:?}");
    assert!(
        start
            .epoch
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!((start.seq, start.needs_full_seq), (0, 0));
    let epoch = start.epoch;

    // XML: one `full` frame.
    let applied = db
        .store
        .apply_xml(pk, export(LODM_QUA), MergeStrategy::Live)
        .await
        .unwrap();
    assert_eq!(applied.sequence, Some(seq(&epoch, 1, 1)));
    // Results: one frame per diff; none when nothing changed.
    db.set_status("lodm-2024", EventStatus::Running).await;
    let at = db.store.live_position(pk).await.unwrap().unwrap();
    assert_eq!((at.seq, at.needs_full_seq), (2, 2), "status frame");
    let applied = db.store.apply_results(pk, body(7000)).await.unwrap();
    assert_eq!(applied.diffs.len(), 1);
    assert_eq!(applied.sequence, Some(seq(&epoch, 3, 3)));
    let again = db.store.apply_results(pk, body(7000)).await.unwrap();
    assert!(again.diffs.is_empty());
    assert_eq!(again.sequence, Some(seq(&epoch, 4, 3)), "empty");
    assert!(again.sequence.unwrap().is_empty());
    let at = db.store.live_position(pk).await.unwrap().unwrap();
    assert_eq!((at.seq, at.needs_full_seq), (3, 2));

    // Status: one frame (needs_full); → official numbers it in the old epoch, then a new one.
    let changed = db
        .store
        .change_status("lodm-2024".to_owned(), EventStatus::Finished, now())
        .await
        .unwrap();
    assert_eq!(changed.sequence, Some(seq(&epoch, 4, 4)));
    assert_eq!(changed.new_epoch, None);
    let changed = db
        .store
        .change_status("lodm-2024".to_owned(), EventStatus::Official, now())
        .await
        .unwrap();
    assert_eq!(changed.sequence, Some(seq(&epoch, 5, 5)));
    let new_epoch = changed.new_epoch.unwrap();
    assert_ne!(new_epoch, epoch);
    let at = db.store.live_position(pk).await.unwrap().unwrap();
    assert_eq!(at.epoch, new_epoch);
    assert_eq!((at.seq, at.needs_full_seq), (0, 0));
    assert_eq!(at.status, EventStatus::Official);

    // → draft starts a new epoch too.
    let pk2 = db.event("e2").await;
    db.set_status("e2", EventStatus::Startlist).await;
    let changed = db
        .store
        .change_status("e2".to_owned(), EventStatus::Draft, now())
        .await
        .unwrap();
    assert_eq!(changed.sequence.unwrap().first_seq, 2);
    let at = db.store.live_position(pk2).await.unwrap().unwrap();
    assert_eq!(
        (at.epoch.as_str(), at.seq),
        (changed.new_epoch.unwrap().as_str(), 0)
    );

    // The anti-entropy poll reads both rows at once; unknown ids are left out.
    let all = db.store.live_positions(vec![pk, pk2, 999]).await.unwrap();
    assert_eq!(all.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [pk, pk2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_are_numbered_in_the_row_sqlite() {
    numbering(sqlite_sequenced()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frames_are_numbered_in_the_row_postgres() {
    if let Some(db) = TestDb::postgres_with(module_path!(), sequenced) {
        numbering(db).await;
    }
}

async fn without_sequencing(db: TestDb) {
    let pk = db.event("lodm-2024").await;
    let applied = db.import(pk, LODM_QUA).await;
    assert_eq!(applied.sequence, None);
    let at = db.store.live_position(pk).await.unwrap().unwrap();
    assert_eq!(at.epoch.len(), 16, "every event is created with an epoch");
    assert_eq!(at.seq, 0, "nothing is numbered");
    let changed = db
        .store
        .change_status("lodm-2024".to_owned(), EventStatus::Official, now())
        .await
        .unwrap();
    assert_eq!((changed.sequence, changed.new_epoch), (None, None));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_numbered_without_sequencing_sqlite() {
    without_sequencing(TestDb::open()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_numbered_without_sequencing_postgres() {
    if let Some(db) = TestDb::postgres(module_path!()) {
        without_sequencing(db).await;
    }
}

async fn guard_in_transaction(db: TestDb) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    db.set_status("lodm-2024", EventStatus::Official).await;
    let dump = db.dump();
    let err = db
        .store
        .apply_xml_guarded(pk, export(LODM), MergeStrategy::Live, Some(IngestKind::Xml))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Guard(_)), "{err}");
    let err = db
        .store
        .apply_results_guarded(pk, body(7000), Some(IngestKind::JsonResults))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Guard(_)), "{err}");
    let err = db
        .store
        .update_oncourse_guarded(pk, Some(IngestKind::JsonOncourse), |_, _| {
            Ok((OncourseUpdate::default(), ()))
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Guard(_)), "{err}");
    crate::support::assert_same_dump(&db.dump(), &dump, "refused writes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_runs_under_the_row_lock_sqlite() {
    guard_in_transaction(TestDb::open()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guard_runs_under_the_row_lock_postgres() {
    if let Some(db) = TestDb::postgres(module_path!()) {
        guard_in_transaction(db).await;
    }
}

async fn oncourse_round_trip(db: TestDb) {
    let pk = db.event("lodm-2024").await;
    assert_eq!(db.store.oncourse_board(pk).await.unwrap(), None);
    let ((), sequence) = db
        .store
        .update_oncourse(pk, |board, last| {
            assert_eq!((board, last), (None, None));
            Ok((
                OncourseUpdate {
                    board_json: Some(r#"[{"bib":1}]"#.to_owned()),
                    publish: Some(r#"{"bib":1}"#.to_owned()),
                    due_ms: Some(1_000),
                },
                (),
            ))
        })
        .await
        .unwrap();
    let sequence = sequence.unwrap();
    assert_eq!((sequence.first_seq, sequence.last_seq), (1, 1));
    assert_eq!(
        db.store.oncourse_board(pk).await.unwrap().as_deref(),
        Some(r#"[{"bib":1}]"#)
    );
    assert!(
        db.store
            .events_with_due_oncourse(999)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        db.store.events_with_due_oncourse(1_000).await.unwrap(),
        [(pk, "lodm-2024".to_owned())]
    );
    // The next update sees what the last one stored; without `publish` nothing is numbered and
    // the last frame stays.
    let (seen, sequence) = db
        .store
        .update_oncourse(pk, |board, last| {
            Ok((
                OncourseUpdate {
                    board_json: None,
                    publish: None,
                    due_ms: None,
                },
                (board, last),
            ))
        })
        .await
        .unwrap();
    assert_eq!(
        seen,
        (
            Some(r#"[{"bib":1}]"#.to_owned()),
            Some(r#"{"bib":1}"#.to_owned())
        )
    );
    assert!(sequence.unwrap().is_empty());
    assert_eq!(db.store.oncourse_board(pk).await.unwrap(), None);
    assert!(
        db.store
            .events_with_due_oncourse(i64::MAX)
            .await
            .unwrap()
            .is_empty()
    );
    let ((_, last), _) = db
        .store
        .update_oncourse(pk, |board, last| {
            Ok((OncourseUpdate::default(), (board, last)))
        })
        .await
        .unwrap();
    assert_eq!(last.as_deref(), Some(r#"{"bib":1}"#));
    // A refusal by `f` writes nothing.
    let err = db
        .store
        .update_oncourse(pk, |_, _| -> Result<(OncourseUpdate, ()), _> {
            Err(StoreError::Corrupt("refused".to_owned()))
        })
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)));
    assert_eq!(db.store.live_position(pk).await.unwrap().unwrap().seq, 1);
    assert!(matches!(
        db.store.oncourse_board(999).await,
        Err(StoreError::EventNotFound)
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oncourse_board_round_trips_sqlite() {
    oncourse_round_trip(sqlite_sequenced()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oncourse_board_round_trips_postgres() {
    if let Some(db) = TestDb::postgres_with(module_path!(), sequenced) {
        oncourse_round_trip(db).await;
    }
}

/// Two exports alternate while readers take `full_data_at`: the data and the position always
/// come from the same commit (odd seq: the qualification sample without dates; even: LODM).
async fn snapshot_consistency(db: TestDb) {
    let db = Arc::new(db);
    let pk = db.event("lodm-2024").await;
    let full = db
        .store
        .apply_xml(pk, export(LODM_QUA), MergeStrategy::Live)
        .await
        .unwrap();
    let (data, at) = db.store.full_data_at(pk).await.unwrap().unwrap();
    assert_eq!(data, full.full);
    assert_eq!(at.seq, 1);
    assert_eq!(db.store.full_data_at(999).await.unwrap(), None);

    let writer = {
        let db = Arc::clone(&db);
        tokio::spawn(async move {
            for i in 0..10 {
                let name = if i % 2 == 0 { LODM } else { LODM_QUA };
                db.store
                    .apply_xml(pk, export(name), MergeStrategy::Xml)
                    .await
                    .unwrap();
            }
        })
    };
    let mut seen = 0;
    while !writer.is_finished() || seen == 0 {
        let (data, at) = db.store.full_data_at(pk).await.unwrap().unwrap();
        let dated = data.event.start_date.is_some();
        assert_eq!(
            dated,
            at.seq % 2 == 0,
            "seq {} with start date {dated}",
            at.seq
        );
        seen += 1;
    }
    writer.await.unwrap();
    let (_, at) = db.store.full_data_at(pk).await.unwrap().unwrap();
    assert_eq!((at.seq, at.needs_full_seq), (11, 11));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_data_and_position_come_from_one_snapshot_sqlite() {
    snapshot_consistency(sqlite_sequenced()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn full_data_and_position_come_from_one_snapshot_postgres() {
    if let Some(db) = TestDb::postgres_with(module_path!(), sequenced) {
        snapshot_consistency(db).await;
    }
}

/// The URL of a PostgreSQL test database.
fn pg_url(db: &TestDb) -> String {
    match &db.location {
        Location::Postgres { url, .. } => url.clone(),
        Location::Sqlite { .. } => unreachable!(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_serialise_writes_of_one_event_postgres() {
    let Some(db) = TestDb::postgres_with(module_path!(), sequenced) else {
        return;
    };
    let url = pg_url(&db);
    let other = Store::open(&sequenced(StoreConfig::postgres(url.clone()))).unwrap();
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    db.set_status("lodm-2024", EventStatus::Running).await;

    // Both handles write the same event at once: every write produces one diff, and the numbers
    // they get are gap-free and never shared.
    let got = Arc::new(Mutex::new(Vec::new()));
    let mut tasks = Vec::new();
    for (n, store) in [db.store.clone(), other.clone()].into_iter().enumerate() {
        for task in 0..3 {
            let got = Arc::clone(&got);
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                for round in 0..10 {
                    let total = 7000 + i32::try_from(n * 1000 + task * 100 + round).unwrap();
                    let applied = store.apply_results(pk, body(total)).await.unwrap();
                    let sequence = applied.sequence.unwrap();
                    got.lock()
                        .unwrap()
                        .push((sequence.first_seq, sequence.last_seq));
                }
            }));
        }
    }
    for task in tasks {
        task.await.unwrap();
    }
    let mut got = got.lock().unwrap().clone();
    got.sort_unstable();
    let expected: Vec<(u64, u64)> = (3..63).map(|s| (s, s)).collect();
    assert_eq!(
        got, expected,
        "status frame is 2; 60 writes of one diff each follow it"
    );
    let at = other.live_position(pk).await.unwrap().unwrap();
    assert_eq!(at.seq, 62);

    // The row lock: while another session holds the event row, a write waits for it.
    let mut holder = PgConnection::establish(&url).unwrap();
    holder
        .batch_execute(&format!(
            "BEGIN; SELECT id FROM events WHERE id = {pk} FOR UPDATE;"
        ))
        .unwrap();
    let write = {
        let other = other.clone();
        tokio::spawn(async move { other.apply_results(pk, body(1)).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!write.is_finished(), "the write waits for the row");
    holder.batch_execute("COMMIT;").unwrap();
    let applied = write.await.unwrap().unwrap();
    assert_eq!(applied.sequence.unwrap().first_seq, 63);

    // Held longer than lock_timeout: the write gives up as busy and writes nothing.
    let dump = db.dump();
    holder
        .batch_execute(&format!(
            "BEGIN; SELECT id FROM events WHERE id = {pk} FOR UPDATE;"
        ))
        .unwrap();
    let err = other.apply_results(pk, body(2)).await.unwrap_err();
    assert!(err.is_busy(), "{err}");
    holder.batch_execute("ROLLBACK;").unwrap();
    crate::support::assert_same_dump(&db.dump(), &dump, "timed-out write");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_postgres_is_busy_postgres() {
    // Only the port is wrong: nothing listens there.
    let closed = {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let url = format!("postgres://postgres@127.0.0.1:{closed}/live_test_none");
    let err = Store::open(&StoreConfig::postgres(url)).unwrap_err();
    assert!(err.is_busy(), "{err}");
}

/// A TCP forwarder that can be cut: stands for the network path to PostgreSQL.
struct Proxy {
    port: u16,
    down: Arc<AtomicBool>,
    sockets: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(target: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let down = Arc::new(AtomicBool::new(false));
        let sockets = Arc::new(Mutex::new(Vec::new()));
        let (flag, open) = (Arc::clone(&down), Arc::clone(&sockets));
        std::thread::spawn(move || {
            while !flag.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                client.set_nonblocking(false).unwrap();
                let Ok(server) = TcpStream::connect(&target) else {
                    continue;
                };
                for (mut from, mut to) in [
                    (client.try_clone().unwrap(), server.try_clone().unwrap()),
                    (server.try_clone().unwrap(), client.try_clone().unwrap()),
                ] {
                    std::thread::spawn(move || {
                        let _ = std::io::copy(&mut from, &mut to);
                        let _ = to.shutdown(std::net::Shutdown::Both);
                    });
                }
                open.lock().unwrap().extend([client, server]);
            }
            // Dropping the listener closes the port: new connections are refused.
        });
        Self {
            port,
            down,
            sockets,
        }
    }

    /// Cuts every connection and closes the port.
    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for s in self.sockets.lock().unwrap().drain(..) {
            let _ = s.shutdown(std::net::Shutdown::Both);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_that_goes_away_makes_writes_busy_and_leaves_nothing_half_written_postgres() {
    let Some(db) = TestDb::postgres_with(module_path!(), sequenced) else {
        return;
    };
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    db.set_status("lodm-2024", EventStatus::Running).await;
    let Location::Postgres { admin, name, .. } = &db.location else {
        unreachable!()
    };
    let host = admin
        .split_once('@')
        .map_or(admin.as_str(), |(_, r)| r)
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let proxy = Proxy::start(host);
    let via_proxy = pg_url_for(
        &format!("postgres://postgres@127.0.0.1:{}/x", proxy.port),
        name,
    );
    let store = Store::open(&sequenced(StoreConfig::postgres(via_proxy))).unwrap();
    let applied = store.apply_results(pk, body(7000)).await.unwrap();
    assert_eq!(applied.sequence.unwrap().first_seq, 3);
    let dump = db.dump();

    proxy.cut();
    let err = store.apply_results(pk, body(7100)).await.unwrap_err();
    assert!(err.is_busy(), "{err}");
    let err = store
        .apply_xml(pk, export(LODM), MergeStrategy::Live)
        .await
        .unwrap_err();
    assert!(err.is_busy(), "{err}");
    let err = store.live_position(pk).await.unwrap_err();
    assert!(err.is_busy(), "{err}");
    crate::support::assert_same_dump(&db.dump(), &dump, "writes while PostgreSQL was away");
    assert_eq!(db.store.live_position(pk).await.unwrap().unwrap().seq, 3);
}
