//! Shared test setup: databases, events, fixtures and raw SQL probes.

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use live_domain::EventStatus;
use live_domain::c123::{C123Export, parse_export};
use live_domain::requests::{MergeStrategy, NewEvent, ResultRowIngest, ResultsIngest};
use live_store::{Store, StoreConfig, XmlApplied, dump_tables};
use tempfile::TempDir;

/// The real Canoe123 export.
pub(crate) const REAL_EXPORT: &str = "xml/xboardtest02_jarni_v1.xml";
/// The synthetic LODM sample with a single-run qualification.
pub(crate) const LODM_QUA: &str = "sample-c123-synthetic-lodm-qua.xml";
/// The synthetic LODM sample with two best-run pairs (one without its BR2 race).
pub(crate) const LODM: &str = "sample-c123-synthetic-lodm.xml";

/// A database in its own temporary directory, removed on drop.
pub(crate) struct TestDb {
    pub(crate) store: Store,
    pub(crate) path: PathBuf,
    // Dropped last: the directory must outlive the pools.
    _dir: TempDir,
}

impl TestDb {
    /// A freshly migrated database.
    pub(crate) fn open() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("live.db");
        let store = Store::open(&StoreConfig {
            path: path.clone(),
            read_pool_size: 4,
        })
        .unwrap();
        Self {
            store,
            path,
            _dir: dir,
        }
    }

    /// Creates event `event_id` (draft, no dates) and returns its internal id.
    pub(crate) async fn event(&self, event_id: &str) -> i32 {
        let event = NewEvent {
            event_id: event_id.to_owned(),
            main_title: "LODM 2024".to_owned(),
            sub_title: Some("admin subtitle".to_owned()),
            location: None,
            facility: None,
            discipline: None,
            start_date: None,
            end_date: None,
            valid_from: None,
            valid_until: None,
            image: None,
        };
        let api_key = format!("{event_id:0>64}");
        self.store
            .create_event(event, api_key, now())
            .await
            .unwrap()
    }

    /// Moves event `event_id` to `status`.
    pub(crate) async fn set_status(&self, event_id: &str, status: EventStatus) {
        self.store
            .set_status(event_id.to_owned(), status, now())
            .await
            .unwrap();
    }

    /// Imports fixture `name` under the default strategy.
    pub(crate) async fn import(&self, event_pk: i32, name: &str) -> XmlApplied {
        self.store
            .apply_xml(event_pk, export(name), MergeStrategy::Live)
            .await
            .unwrap()
    }

    /// A canonical dump of every table.
    pub(crate) fn dump(&self) -> String {
        dump_tables(&self.path, &[]).unwrap()
    }

    /// Runs `sql` on a separate connection; every row must yield one text column named `line`.
    pub(crate) fn lines(&self, sql: &str) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Line {
            #[diesel(sql_type = Text)]
            line: String,
        }
        let mut conn = self.connection();
        diesel::sql_query(sql)
            .load::<Line>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|l| l.line)
            .collect()
    }

    /// The single value of a one-row, one-column query, as text.
    pub(crate) fn value(&self, sql: &str) -> String {
        let lines = self.lines(sql);
        assert_eq!(lines.len(), 1, "{sql}: {lines:?}");
        lines.into_iter().next().unwrap()
    }

    /// Runs statements on a separate connection (test setup such as triggers).
    pub(crate) fn execute(&self, sql: &str) {
        self.connection().batch_execute(sql).unwrap();
    }

    fn connection(&self) -> SqliteConnection {
        let mut conn = SqliteConnection::establish(self.path.to_str().unwrap()).unwrap();
        conn.batch_execute("PRAGMA busy_timeout = 5000;").unwrap();
        conn
    }
}

/// Asserts two dumps are equal, naming the first differing line instead of printing megabytes.
pub(crate) fn assert_same_dump(actual: &str, expected: &str, context: &str) {
    for (i, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, e, "{context}: dump line {} differs", i + 1);
    }
    assert_eq!(
        actual.lines().count(),
        expected.lines().count(),
        "{context}: dump length differs"
    );
}

/// A fixed instant: nothing in these tests may depend on the current date.
pub(crate) fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 14, 20, 16).unwrap()
}

/// A fixture file's text.
pub(crate) fn fixture(name: &str) -> String {
    let path = format!(
        "{}/../../fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A fixture parsed as a Canoe123 export.
pub(crate) fn export(name: &str) -> C123Export {
    parse_export(&fixture(name)).unwrap()
}

/// A fixture parsed as JSON.
pub(crate) fn json(name: &str) -> serde_json::Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// The rows of a results-feed body (validated as the server does).
pub(crate) fn feed(body: &serde_json::Value) -> Vec<ResultRowIngest> {
    ResultsIngest::parse(body).unwrap().results
}

/// The body `key` of `fixtures/sample-ingest-results.json`.
pub(crate) fn sample_feed(key: &str) -> Vec<ResultRowIngest> {
    feed(&json("sample-ingest-results.json")[key])
}
