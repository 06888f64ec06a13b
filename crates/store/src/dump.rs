//! A canonical text dump of the database, for tests ("a rejected request changes nothing") and
//! for diagnostics, and raw SQL for tests that plant damage. Each opens its own connection;
//! neither is used on a request path.

use std::fmt::Write as _;
use std::path::Path;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::error::StoreError;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Every row of every table except `exclude` (and diesel's migration table), table by table in
/// name order, rows by rowid, each column `quote()`d: two dumps are equal exactly when the data is.
pub fn dump_tables(path: &Path, exclude: &[&str]) -> Result<String, StoreError> {
    let mut conn = open(path)?;
    conn.batch_execute("PRAGMA query_only = ON;")?;
    let tables: Vec<Line> = diesel::sql_query(
        "SELECT name AS line FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations' ORDER BY name",
    )
    .load(&mut conn)?;
    let mut out = String::new();
    for table in tables
        .into_iter()
        .map(|t| t.line)
        .filter(|t| !exclude.contains(&t.as_str()))
    {
        let columns: Vec<Line> = diesel::sql_query(format!(
            "SELECT name AS line FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .load(&mut conn)?;
        let expr = columns
            .iter()
            .map(|c| format!("quote(\"{}\")", c.line))
            .collect::<Vec<_>>()
            .join(" || ',' || ");
        let rows: Vec<Line> = diesel::sql_query(format!(
            "SELECT {expr} AS line FROM \"{table}\" ORDER BY rowid"
        ))
        .load(&mut conn)?;
        let _ = writeln!(out, "[{table}] {} rows", rows.len());
        for row in rows {
            let _ = writeln!(out, "{}", row.line);
        }
    }
    Ok(out)
}

/// Runs `sql` on its own connection, outside the store: tests use it to plant what the server
/// itself never writes (a corrupted column, say) and check how the server copes. Never used on a
/// request path.
pub fn execute_batch(path: &Path, sql: &str) -> Result<(), StoreError> {
    open(path)?.batch_execute(sql)?;
    Ok(())
}

/// A connection of its own to the file at `path`, waiting up to 5 s for locks.
fn open(path: &Path) -> Result<SqliteConnection, StoreError> {
    let url = path
        .to_str()
        .ok_or_else(|| StoreError::Setup("path is not UTF-8".to_owned()))?;
    let mut conn =
        SqliteConnection::establish(url).map_err(|e| StoreError::Setup(e.to_string()))?;
    conn.batch_execute("PRAGMA busy_timeout = 5000;")?;
    Ok(conn)
}
