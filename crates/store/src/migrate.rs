//! Start-up: the embedded migrations of the backend, before any request is served.
//!
//! SQLite runs them on a dedicated connection before any pool exists (and switches the file to
//! WAL); PostgreSQL runs them on a pooled writer under an advisory lock, so instances starting
//! together do not race on the schema.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::pool::BUSY_TIMEOUT;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

/// Key of the advisory lock held while PostgreSQL migrations run (any constant works; this is
/// "live-mini" in ASCII, truncated to 8 bytes).
const MIGRATION_LOCK: i64 = 0x6c69_7665_2d6d_696e;

/// Opens `url`, switches it to WAL (persistent in the file) and applies pending migrations.
pub(crate) fn run_sqlite(url: &str) -> Result<(), String> {
    let mut conn = SqliteConnection::establish(url).map_err(|e| e.to_string())?;
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;",
        BUSY_TIMEOUT.as_millis()
    ))
    .map_err(|e| e.to_string())?;
    conn.run_pending_migrations(SQLITE_MIGRATIONS)
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Applies pending PostgreSQL migrations on `conn`, one instance at a time.
pub(crate) fn run_pg(conn: &mut PgConnection) -> Result<(), String> {
    // Wait for another instance's migrations however long they take (the pool's connections
    // otherwise give up on locks after 5 s).
    conn.batch_execute(&format!(
        "SET lock_timeout = 0; SELECT pg_advisory_lock({MIGRATION_LOCK});"
    ))
    .map_err(|e| e.to_string())?;
    let result = conn
        .run_pending_migrations(PG_MIGRATIONS)
        .map(|_| ())
        .map_err(|e| e.to_string());
    let unlocked = conn
        .batch_execute(&format!(
            "SELECT pg_advisory_unlock({MIGRATION_LOCK}); SET lock_timeout = {};",
            BUSY_TIMEOUT.as_millis()
        ))
        .map_err(|e| e.to_string());
    result.and(unlocked)
}
