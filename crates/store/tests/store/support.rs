//! Shared test setup: databases, events, fixtures and raw SQL probes.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
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

/// Runs a test body once per backend: `sqlite` on a temporary file, `postgres` on a fresh
/// database of the test server (skipped with one line on stderr when it is not reachable,
/// unless `LIVE_MINI_REQUIRE_SERVICES=1`).
macro_rules! backends {
    ($(#[$meta:meta])* async fn $name:ident($db:ident) $body:block) => {
        mod $name {
            use super::*;

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $db = $crate::support::TestDb::open();
                $body
            }

            $(#[$meta])*
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($db) = $crate::support::TestDb::postgres(module_path!()) else {
                    return;
                };
                $body
            }
        }
    };
}
pub(crate) use backends;

/// Where the database of a [`TestDb`] lives.
pub(crate) enum Location {
    /// A file in its own temporary directory, removed on drop.
    Sqlite {
        path: PathBuf,
        // Dropped last: the directory must outlive the pools.
        _dir: TempDir,
    },
    /// A database of its own on the test server, dropped on drop.
    Postgres {
        /// Maintenance URL (the `postgres` database).
        admin: String,
        /// The test database's URL.
        url: String,
        /// Its name.
        name: String,
    },
}

/// A freshly migrated database for one test.
pub(crate) struct TestDb {
    pub(crate) store: Store,
    pub(crate) location: Location,
}

/// The maintenance URL of the test PostgreSQL server.
pub(crate) fn pg_admin_url() -> String {
    std::env::var("LIVE_MINI_TEST_PG")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// `host:port` of a PostgreSQL URL, for messages (no credentials).
fn pg_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

/// `url` with its database name replaced by `name`.
pub(crate) fn pg_url_for(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

/// A maintenance connection to the test server, or `None` (after one line on stderr) when it
/// is not reachable; panics instead when `LIVE_MINI_REQUIRE_SERVICES=1`.
pub(crate) fn pg_admin(test: &str) -> Option<(PgConnection, String)> {
    let admin = pg_admin_url();
    match PgConnection::establish(&admin) {
        Ok(conn) => Some((conn, admin)),
        Err(e) => {
            let host = pg_host(&admin);
            assert!(
                std::env::var("LIVE_MINI_REQUIRE_SERVICES").as_deref() != Ok("1"),
                "LIVE_MINI_REQUIRE_SERVICES=1 but PostgreSQL at {host} is not reachable: {e}"
            );
            let test = test.strip_prefix("store::").unwrap_or(test);
            let line = format!(
                "cluster tests NOT RUN (store::{test}): PostgreSQL at {host} not reachable\n"
            );
            let _ = std::io::stderr().lock().write_all(line.as_bytes());
            None
        }
    }
}

/// A random lowercase hex suffix for database names.
pub(crate) fn random_suffix() -> String {
    let mut bytes = [0_u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    format!("{:016x}", u64::from_le_bytes(bytes))
}

/// Creates an empty database `live_test_<random>` on the test server; `(admin url, url, name)`.
pub(crate) fn pg_create_database(test: &str) -> Option<(String, String, String)> {
    let (mut conn, admin) = pg_admin(test)?;
    let name = format!("live_test_{}", random_suffix());
    conn.batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let url = pg_url_for(&admin, &name);
    Some((admin, url, name))
}

/// Drops database `name` (connections still open are terminated).
pub(crate) fn pg_drop_database(admin: &str, name: &str) {
    if let Ok(mut conn) = PgConnection::establish(admin) {
        let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}

/// SQLite's `quote()`, `group_concat()`, `json_each()` and `json_extract()` for the tests'
/// probes, in the test database.
const PG_SQLITE_COMPAT: &str = r"
CREATE FUNCTION quote(v anyelement) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN v IS NULL THEN 'NULL'
    WHEN pg_typeof(v) IN ('text'::regtype, 'character varying'::regtype) THEN quote_literal(v::text)
    WHEN pg_typeof(v) = 'boolean'::regtype THEN CASE WHEN v::text = 'true' THEN '1' ELSE '0' END
    ELSE v::text END
$$;
CREATE FUNCTION group_concat_step(acc text, v anyelement, sep text) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN v IS NULL THEN acc WHEN acc IS NULL THEN v::text ELSE acc || sep || v::text END
$$;
CREATE FUNCTION group_concat_step1(acc text, v anyelement) RETURNS text
  LANGUAGE sql IMMUTABLE AS $$ SELECT group_concat_step(acc, v, ',') $$;
CREATE AGGREGATE group_concat(anyelement, text) (SFUNC = group_concat_step, STYPE = text);
CREATE AGGREGATE group_concat(anyelement) (SFUNC = group_concat_step1, STYPE = text);
CREATE FUNCTION json_each(t text) RETURNS TABLE(value text) LANGUAGE sql IMMUTABLE AS $$
  SELECT e::text FROM json_array_elements(t::json) AS e
$$;
CREATE FUNCTION json_extract(t text, path text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT (t::json) #>> string_to_array(substr(path, 3), '.')
$$;
";

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Location::Postgres { admin, name, .. } = &self.location {
            pg_drop_database(admin, name);
        }
    }
}

impl TestDb {
    /// A freshly migrated SQLite database.
    pub(crate) fn open() -> Self {
        Self::open_with(|config| config)
    }

    /// [`TestDb::open`] with the store configuration adjusted by `f`.
    pub(crate) fn open_with(f: impl FnOnce(StoreConfig) -> StoreConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data").join("live.db");
        let store = Store::open(&f(StoreConfig::sqlite(path.clone()))).unwrap();
        Self {
            store,
            location: Location::Sqlite { path, _dir: dir },
        }
    }

    /// A freshly migrated PostgreSQL database of its own, or `None` when the test server is not
    /// reachable (see [`pg_admin`]).
    pub(crate) fn postgres(test: &str) -> Option<Self> {
        Self::postgres_with(test, |config| config)
    }

    /// [`TestDb::postgres`] with the store configuration adjusted by `f`.
    pub(crate) fn postgres_with(
        test: &str,
        f: impl FnOnce(StoreConfig) -> StoreConfig,
    ) -> Option<Self> {
        let (admin, url, name) = pg_create_database(test)?;
        let location = Location::Postgres { admin, url, name };
        let Location::Postgres { url, .. } = &location else {
            unreachable!()
        };
        let store = Store::open(&f(StoreConfig::postgres(url.clone()))).unwrap();
        let db = Self { store, location };
        db.execute(PG_SQLITE_COMPAT);
        Some(db)
    }

    /// The SQLite file (panics on PostgreSQL).
    pub(crate) fn path(&self) -> &PathBuf {
        match &self.location {
            Location::Sqlite { path, .. } => path,
            Location::Postgres { .. } => panic!("not an SQLite test database"),
        }
    }

    /// Creates trigger `name` that aborts the statement with "injected failure": `on` is e.g.
    /// `BEFORE INSERT ON results`, `when` an optional condition on `NEW`.
    pub(crate) fn fail_trigger(&self, name: &str, on: &str, when: Option<&str>) {
        let sql = if self.is_postgres() {
            let when = when.map(|w| format!("WHEN ({w})")).unwrap_or_default();
            format!(
                "CREATE FUNCTION {name}_fn() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION 'injected failure'; END $$; \
                 CREATE TRIGGER {name} {on} FOR EACH ROW {when} EXECUTE FUNCTION {name}_fn();"
            )
        } else {
            let when = when.map(|w| format!("WHEN {w}")).unwrap_or_default();
            format!(
                "CREATE TRIGGER {name} {on} {when} \
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END;"
            )
        };
        self.execute(&sql);
    }

    /// Drops trigger `name` of table `table`.
    pub(crate) fn drop_trigger(&self, name: &str, table: &str) {
        if self.is_postgres() {
            self.execute(&format!("DROP TRIGGER {name} ON {table};"));
        } else {
            self.execute(&format!("DROP TRIGGER {name};"));
        }
    }

    /// Whether this is the PostgreSQL variant.
    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self.location, Location::Postgres { .. })
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
        match &self.location {
            Location::Sqlite { path, .. } => dump_tables(path, &[]).unwrap(),
            Location::Postgres { .. } => {
                let mut out = String::new();
                let tables = self.lines(
                    "SELECT table_name AS line FROM information_schema.tables \
                     WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
                     AND table_name <> '__diesel_schema_migrations' ORDER BY table_name",
                );
                for table in tables {
                    let rows = self.lines(&format!(
                        "SELECT t::text AS line FROM \"{table}\" t ORDER BY id"
                    ));
                    let _ = writeln!(out, "[{table}] {} rows", rows.len());
                    for row in rows {
                        out.push_str(&row);
                        out.push('\n');
                    }
                }
                out
            }
        }
    }

    /// Runs `sql` on a separate connection; every row must yield one column named `line`
    /// (read as text; on PostgreSQL cast to text, booleans as `0`/`1` like SQLite).
    pub(crate) fn lines(&self, sql: &str) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Line {
            #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
            line: Option<String>,
        }
        let rows: Vec<Line> = match &self.location {
            Location::Sqlite { path, .. } => diesel::sql_query(sql)
                .load(&mut sqlite_connection(path))
                .unwrap(),
            Location::Postgres { url, .. } => {
                let wrapped = format!(
                    "SELECT CASE WHEN pg_typeof(q.line) = 'boolean'::regtype \
                     THEN CASE WHEN q.line::text = 'true' THEN '1' ELSE '0' END \
                     ELSE q.line::text END AS line FROM ({sql}) AS q"
                );
                let mut conn = PgConnection::establish(url).unwrap();
                diesel::sql_query(&wrapped)
                    .load(&mut conn)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"))
            }
        };
        rows.into_iter()
            .map(|l| l.line.unwrap_or_else(|| "NULL".to_owned()))
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
        match &self.location {
            Location::Sqlite { path, .. } => sqlite_connection(path).batch_execute(sql).unwrap(),
            Location::Postgres { url, .. } => PgConnection::establish(url)
                .unwrap()
                .batch_execute(sql)
                .unwrap(),
        }
    }
}

fn sqlite_connection(path: &std::path::Path) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    conn.batch_execute("PRAGMA busy_timeout = 5000;").unwrap();
    conn
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
    let path = format!("{}/../../fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
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
