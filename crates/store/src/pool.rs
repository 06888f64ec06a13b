//! The two connection pools and the per-connection pragmas.
//!
//! SQLite allows one writer at a time, so the writer pool has exactly one connection: our own
//! writers queue in r2d2 (with a 5 s checkout timeout that becomes a 503) instead of fighting inside
//! SQLite. Readers use a small pool of `query_only` connections; in WAL mode they never block the
//! writer and the writer never blocks them.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sqlite::SqliteConnection;

/// A pool of SQLite connections.
pub(crate) type SqlitePool = Pool<ConnectionManager<SqliteConnection>>;

/// How long a request may wait for SQLite's lock or for a pooled connection (contract §1.3: 5 s).
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Pragmas run on every new connection. `busy_timeout` comes first: every later statement may need
/// a lock, and without it any contention fails at once with "database is locked".
#[derive(Debug, Clone, Copy)]
struct Pragmas {
    read_only: bool,
}

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        let mut sql = format!(
            "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
            BUSY_TIMEOUT.as_millis()
        );
        if self.read_only {
            sql.push_str(" PRAGMA query_only = ON;");
        } else {
            // Writers never checkpoint on commit: the commit that crosses the threshold would pay
            // for copying and syncing the WAL (10–20 ms), right on an ingest's request path.
            // `Store::checkpoint` does it in the background instead.
            sql.push_str(" PRAGMA wal_autocheckpoint = 0;");
        }
        conn.batch_execute(&sql)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Builds a pool on `url`; `size` 1 for the writer.
pub(crate) fn build(url: &str, size: u32, read_only: bool) -> Result<SqlitePool, String> {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(BUSY_TIMEOUT)
        .connection_customizer(Box::new(Pragmas { read_only }))
        .build(ConnectionManager::<SqliteConnection>::new(url))
        .map_err(|e| e.to_string())
}
