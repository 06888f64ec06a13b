//! One connection type for both databases, so every query is written once.
//!
//! `DbConnection` is diesel's derived multi-connection: queries built with the common DSL run on
//! either backend. The few statements that must differ (pragmas, `BEGIN IMMEDIATE`,
//! `FOR NO KEY UPDATE`, upserts — the multi-backend has no `ON CONFLICT`) match on the enum in one small
//! place each; [`on_backend!`] compiles one block of DSL code once per backend for the upserts.

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;

use crate::error::StoreError;

/// A connection to SQLite or PostgreSQL.
#[derive(diesel::MultiConnection)]
pub(crate) enum DbConnection {
    /// PostgreSQL (cluster deployments).
    Pg(PgConnection),
    /// SQLite (the single-instance default).
    Sqlite(SqliteConnection),
}

/// Runs the same block with `$c` bound to the inner connection of either backend: for DSL that
/// both backends support natively but the multi-backend does not (upserts).
macro_rules! on_backend {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::connection::DbConnection::Pg($c) => $body,
            $crate::connection::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use on_backend;

/// How a transaction starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TxKind {
    /// A write: SQLite `BEGIN IMMEDIATE` (the write lock up front), PostgreSQL read committed
    /// (each write then takes its event row with `FOR NO KEY UPDATE`).
    Write,
    /// A consistent read snapshot: SQLite `BEGIN` (WAL snapshot at the first read), PostgreSQL
    /// `REPEATABLE READ READ ONLY`.
    Snapshot,
}

/// Runs `f` in one transaction of `kind`: committed when it returns `Ok`, rolled back otherwise
/// (diesel's `Connection::transaction`, with the begin statement chosen per backend).
pub(crate) fn transaction<T, F>(
    conn: &mut DbConnection,
    kind: TxKind,
    f: F,
) -> Result<T, StoreError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, StoreError>,
{
    match (&mut *conn, kind) {
        (DbConnection::Sqlite(c), TxKind::Write) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
        }
        (DbConnection::Sqlite(c), TxKind::Snapshot) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN")?;
        }
        (DbConnection::Pg(c), TxKind::Write) => {
            AnsiTransactionManager::begin_transaction_sql(
                c,
                "BEGIN ISOLATION LEVEL READ COMMITTED",
            )?;
        }
        (DbConnection::Pg(c), TxKind::Snapshot) => {
            AnsiTransactionManager::begin_transaction_sql(
                c,
                "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
            )?;
        }
    }
    match f(conn) {
        Ok(value) => {
            <DbConnection as TransactionManager<DbConnection>>::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => {
            match <DbConnection as TransactionManager<DbConnection>>::rollback_transaction(conn) {
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
                Err(rollback) => Err(rollback.into()),
            }
        }
    }
}
