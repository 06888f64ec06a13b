//! The connection pools and the per-connection settings.
//!
//! SQLite allows one writer at a time, so its writer pool has exactly one connection: our own
//! writers queue in r2d2 (with a 5 s checkout timeout that becomes a 503) instead of fighting inside
//! SQLite. Readers use a small pool of `query_only` connections; in WAL mode they never block the
//! writer and the writer never blocks them.
//!
//! PostgreSQL has row locks, so its writer pool has several connections: writes of different
//! events run in parallel, writes of one event serialise on the event row (`FOR NO KEY UPDATE`, see
//! `store::lock_event`). Readers run read-only sessions. Every checkout waits at most 5 s, so an
//! unreachable server becomes `StoreError::PoolTimeout` (503 + `Retry-After`), never a hang.

use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ManageConnection, Pool, R2D2Connection};
use diesel::sqlite::SqliteConnection;

use crate::connection::DbConnection;

/// A pool of connections to one database.
pub(crate) type DbPool = Pool<Manager>;

/// How long a request may wait for a lock or for a pooled connection (contract §1.3: 5 s).
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Which database a pool connects to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// An SQLite file (path as UTF-8).
    Sqlite(String),
    /// A PostgreSQL connection URL.
    Pg(String),
}

/// What the pool's connections are for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Transactions that write.
    Writer,
    /// Read-only queries.
    Reader,
    /// SQLite checkpoints.
    Maintenance,
}

/// The r2d2 manager: opens a connection of the configured backend (never guessing it from the
/// URL) and runs the settings of its role on it.
#[derive(Debug)]
pub(crate) struct Manager {
    target: Target,
    role: Role,
}

impl Manager {
    pub(crate) fn new(target: Target, role: Role) -> Self {
        Self { target, role }
    }
}

/// A PostgreSQL URL with libpq's connection bounds added where the URL does not set them:
/// `connect_timeout` (an unreachable host fails an attempt instead of blocking a pool thread for
/// the kernel's TCP timeout), TCP keepalives and `tcp_user_timeout` (a server that vanishes
/// mid-query, a network partition, breaks the connection within seconds instead of never).
pub(crate) fn pg_url(url: &str) -> String {
    let bounds = [
        ("connect_timeout", BUSY_TIMEOUT.as_secs().to_string()),
        ("keepalives", "1".to_owned()),
        ("keepalives_idle", "5".to_owned()),
        ("keepalives_interval", "2".to_owned()),
        ("keepalives_count", "3".to_owned()),
        (
            "tcp_user_timeout",
            (2 * BUSY_TIMEOUT.as_millis()).to_string(),
        ),
    ];
    let mut out = url.to_owned();
    for (name, value) in bounds {
        if url.contains(&format!("{name}=")) {
            continue;
        }
        let sep = if out.contains('?') { '&' } else { '?' };
        out = format!("{out}{sep}{name}={value}");
    }
    out
}

/// Settings run on every new SQLite connection. `busy_timeout` comes first: every later statement
/// may need a lock, and without it any contention fails at once with "database is locked".
fn sqlite_settings(role: Role) -> String {
    let mut sql = format!(
        "PRAGMA busy_timeout = {}; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
        BUSY_TIMEOUT.as_millis()
    );
    if role == Role::Reader {
        sql.push_str(" PRAGMA query_only = ON;");
    } else {
        // Writers never checkpoint on commit: the commit that crosses the threshold would pay
        // for copying and syncing the WAL (10–20 ms), right on an ingest's request path.
        // `Store::checkpoint` does it in the background instead.
        sql.push_str(" PRAGMA wal_autocheckpoint = 0;");
    }
    sql
}

/// Settings run on every new PostgreSQL connection: a row lock is waited for as long as a pooled
/// connection (then `Busy`), and readers cannot write.
fn pg_settings(role: Role) -> String {
    let mut sql = format!(
        "SET lock_timeout = {}; SET application_name = 'live-mini';",
        BUSY_TIMEOUT.as_millis()
    );
    if role == Role::Reader {
        sql.push_str(" SET default_transaction_read_only = on;");
    }
    sql
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        let mut conn = match &self.target {
            Target::Sqlite(path) => DbConnection::Sqlite(
                SqliteConnection::establish(path).map_err(diesel::r2d2::Error::ConnectionError)?,
            ),
            Target::Pg(url) => DbConnection::Pg(
                PgConnection::establish(&pg_url(url))
                    .map_err(diesel::r2d2::Error::ConnectionError)?,
            ),
        };
        let settings = match &conn {
            DbConnection::Sqlite(_) => sqlite_settings(self.role),
            DbConnection::Pg(_) => pg_settings(self.role),
        };
        conn.batch_execute(&settings)
            .map_err(diesel::r2d2::Error::QueryError)?;
        Ok(conn)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        std::thread::panicking() || conn.is_broken()
    }
}

/// Builds a pool of `size` connections. Waits (up to the checkout timeout) for the first
/// connection, so an unreachable database fails here.
pub(crate) fn build(
    target: Target,
    role: Role,
    size: u32,
) -> Result<DbPool, diesel::r2d2::PoolError> {
    Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(BUSY_TIMEOUT)
        .build(Manager::new(target, role))
}
