//! Start-up: WAL mode and the embedded migrations, on a dedicated connection before any pool exists.

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::pool::BUSY_TIMEOUT;

const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// Opens `url`, switches it to WAL (persistent in the file) and applies pending migrations.
pub(crate) fn run(url: &str) -> Result<(), String> {
    let mut conn = SqliteConnection::establish(url).map_err(|e| e.to_string())?;
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {}; PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;",
        BUSY_TIMEOUT.as_millis()
    ))
    .map_err(|e| e.to_string())?;
    conn.run_pending_migrations(MIGRATIONS)
        .map_err(|e| e.to_string())?;
    Ok(())
}
