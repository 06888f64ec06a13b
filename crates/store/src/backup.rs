//! Online backups: a consistent copy of the database taken while the server runs.
//!
//! `VACUUM INTO` reads the source inside one read transaction, so in WAL mode the copy is exactly
//! one committed state (an import in progress is either wholly in it or wholly absent) and the
//! server's writer never waits for it. The copy is written to a temporary name beside the
//! destination, checked with `PRAGMA integrity_check`, and only then renamed into place: a file
//! with the final name is always a complete, verified backup.
//!
//! These functions block; the server calls them on the blocking pool.

use std::path::{Path, PathBuf};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::pool::BUSY_TIMEOUT;

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    /// The backup file.
    pub path: PathBuf,
    /// Its size in bytes.
    pub bytes: u64,
    /// Events in it.
    pub events: i64,
    /// Participants in it (all events).
    pub participants: i64,
    /// Result rows in it (all events).
    pub results: i64,
}

/// Why a backup was not written. Nothing is left at the destination in any case.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The database to copy does not exist (it is never created by a backup).
    #[error("database {0} does not exist")]
    NoDatabase(PathBuf),
    /// The destination already exists; backups never overwrite.
    #[error("{0} already exists")]
    Exists(PathBuf),
    /// A path that SQLite cannot be given (not UTF-8).
    #[error("path is not UTF-8: {0}")]
    Path(PathBuf),
    /// `PRAGMA integrity_check` did not answer `ok` on the copy.
    #[error("integrity check of the copy failed: {0}")]
    Integrity(String),
    /// SQLite refused (opening, copying, checking).
    #[error("{context}: {source}")]
    Sqlite {
        /// What was being done.
        context: &'static str,
        /// SQLite's error.
        source: diesel::result::Error,
    },
    /// Opening a connection failed.
    #[error("cannot open {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// Diesel's error.
        source: ConnectionError,
    },
    /// A file operation (rename, size, directory listing, removal) failed.
    #[error("{context} {path}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// Copies the database at `database` to `dest` (which must not exist), verifies the copy and
/// reports what it holds. Safe while the server is running: it only reads the source.
pub fn backup(database: &Path, dest: &Path) -> Result<BackupReport, BackupError> {
    if !database.is_file() {
        return Err(BackupError::NoDatabase(database.to_owned()));
    }
    if dest.exists() {
        return Err(BackupError::Exists(dest.to_owned()));
    }
    let partial = partial_name(dest);
    let source = utf8(database)?;
    let target = utf8(&partial)?;
    // A partial copy left by an interrupted run (VACUUM INTO refuses an existing file).
    remove_if_exists(&partial)?;

    let result = copy_and_verify(source, target, &partial);
    let report = match result {
        Ok(counts) => counts,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, dest).map_err(|source| {
        let _ = std::fs::remove_file(&partial);
        BackupError::Io {
            context: "cannot rename the copy to",
            path: dest.to_owned(),
            source,
        }
    })?;
    let bytes = std::fs::metadata(dest)
        .map_err(|source| BackupError::Io {
            context: "cannot read the size of",
            path: dest.to_owned(),
            source,
        })?
        .len();
    Ok(BackupReport {
        path: dest.to_owned(),
        bytes,
        ..report
    })
}

/// `VACUUM INTO` the temporary file, then check it; the counts come from the copy itself.
fn copy_and_verify(
    source: &str,
    target: &str,
    partial: &Path,
) -> Result<BackupReport, BackupError> {
    let mut conn = open(source)?;
    // The server's writer may hold the lock for a moment; wait like its own readers do. The
    // read transaction of VACUUM INTO never blocks the writer (WAL).
    conn.batch_execute(&format!(
        "PRAGMA busy_timeout = {};",
        BUSY_TIMEOUT.as_millis()
    ))
    .map_err(|source| BackupError::Sqlite {
        context: "cannot configure the connection",
        source,
    })?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target)
        .execute(&mut conn)
        .map_err(|source| BackupError::Sqlite {
            context: "VACUUM INTO failed",
            source,
        })?;
    drop(conn);

    let mut copy = open(target)?;
    let lines: Vec<Line> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut copy)
        .map_err(|source| BackupError::Sqlite {
            context: "integrity_check failed",
            source,
        })?;
    let verdict: Vec<String> = lines.into_iter().map(|l| l.integrity_check).collect();
    if verdict != ["ok"] {
        return Err(BackupError::Integrity(verdict.join("; ")));
    }
    let count = |table: &'static str, conn: &mut SqliteConnection| {
        diesel::sql_query(format!("SELECT count(*) AS n FROM {table}"))
            .get_result::<Count>(conn)
            .map(|c| c.n)
            .map_err(|source| BackupError::Sqlite {
                context: "cannot count the rows of the copy",
                source,
            })
    };
    Ok(BackupReport {
        path: partial.to_owned(),
        bytes: 0,
        events: count("events", &mut copy)?,
        participants: count("participants", &mut copy)?,
        results: count("results", &mut copy)?,
    })
}

/// File names of scheduled backups: `live-mini-<UTC timestamp>.db`, which sort by time.
const PREFIX: &str = "live-mini-";
const SUFFIX: &str = ".db";

/// Takes a backup into `dir` (created when missing) named after `now` (UTC), then deletes the
/// oldest scheduled backups there so that the newest `keep` remain. Returns the report and the
/// files removed. Other files in `dir` are never touched.
pub fn backup_into_dir(
    database: &Path,
    dir: &Path,
    keep: usize,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(BackupReport, Vec<PathBuf>), BackupError> {
    std::fs::create_dir_all(dir).map_err(|source| BackupError::Io {
        context: "cannot create directory",
        path: dir.to_owned(),
        source,
    })?;
    let name = format!("{PREFIX}{}{SUFFIX}", now.format("%Y%m%dT%H%M%S%.3fZ"));
    let report = backup(database, &dir.join(name))?;
    let removed = prune(dir, keep)?;
    Ok((report, removed))
}

/// Deletes all but the newest `keep` scheduled backups in `dir` (by name, which is by time).
pub fn prune(dir: &Path, keep: usize) -> Result<Vec<PathBuf>, BackupError> {
    let io = |context, source| BackupError::Io {
        context,
        path: dir.to_owned(),
        source,
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| io("cannot list", e))?
        .filter_map(Result::ok)
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| is_scheduled_backup(name))
        .collect();
    names.sort_unstable();
    let excess = names.len().saturating_sub(keep);
    let mut removed = Vec::with_capacity(excess);
    for name in names.into_iter().take(excess) {
        let path = dir.join(name);
        std::fs::remove_file(&path).map_err(|source| BackupError::Io {
            context: "cannot remove",
            path: path.clone(),
            source,
        })?;
        removed.push(path);
    }
    Ok(removed)
}

/// `live-mini-<timestamp>.db`, not a partial copy.
fn is_scheduled_backup(name: &str) -> bool {
    name.strip_prefix(PREFIX)
        .and_then(|rest| rest.strip_suffix(SUFFIX))
        .is_some_and(|stamp| {
            stamp.ends_with('Z')
                && stamp
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.')
        })
}

fn partial_name(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_owned();
    name.push(".partial");
    dest.with_file_name(name)
}

fn utf8(path: &Path) -> Result<&str, BackupError> {
    path.to_str()
        .ok_or_else(|| BackupError::Path(path.to_owned()))
}

fn open(path: &str) -> Result<SqliteConnection, BackupError> {
    SqliteConnection::establish(path).map_err(|source| BackupError::Open {
        path: PathBuf::from(path),
        source,
    })
}

fn remove_if_exists(path: &Path) -> Result<(), BackupError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(BackupError::Io {
            context: "cannot remove",
            path: path.to_owned(),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Store, StoreConfig};

    fn database(dir: &Path) -> PathBuf {
        let path = dir.join("live-mini.db");
        Store::open(&StoreConfig {
            read_pool_size: 1,
            ..StoreConfig::sqlite(path.clone())
        })
        .expect("open");
        crate::execute_batch(
            &path,
            "INSERT INTO events (event_id, main_title, api_key, status_changed_at) \
             VALUES ('E1', 'T', 'k', '2026-01-01T00:00:00Z');",
        )
        .expect("insert");
        path
    }

    #[test]
    fn backup_copies_verifies_and_never_overwrites() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = database(dir.path());
        let dest = dir.path().join("copy.db");
        let report = backup(&db, &dest).expect("backup");
        assert_eq!(report.path, dest);
        assert_eq!(
            (report.events, report.participants, report.results),
            (1, 0, 0)
        );
        assert_eq!(report.bytes, std::fs::metadata(&dest).expect("size").len());
        assert!(!partial_name(&dest).exists());
        assert_eq!(
            crate::dump_tables(&dest, &[]).expect("dump copy"),
            crate::dump_tables(&db, &[]).expect("dump source")
        );
        assert!(matches!(backup(&db, &dest), Err(BackupError::Exists(_))));
        let missing = dir.path().join("nope.db");
        assert!(matches!(
            backup(&missing, &dir.path().join("x.db")),
            Err(BackupError::NoDatabase(_))
        ));
        assert!(!missing.exists(), "a backup never creates the source");
    }

    #[test]
    fn scheduled_backups_keep_the_newest() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = database(dir.path());
        let backups = dir.path().join("backups");
        std::fs::create_dir_all(&backups).expect("mkdir");
        std::fs::write(backups.join("notes.txt"), "keep me").expect("write");
        let start = chrono::DateTime::parse_from_rfc3339("2026-12-06T09:00:00Z")
            .expect("time")
            .to_utc();
        let mut written = Vec::new();
        for i in 0..4 {
            let (report, removed) =
                backup_into_dir(&db, &backups, 2, start + chrono::Duration::seconds(i))
                    .expect("backup");
            written.push(report.path);
            assert_eq!(removed.len(), usize::from(i >= 2), "backup {i}");
        }
        assert_eq!(
            written[0].file_name().and_then(|n| n.to_str()),
            Some("live-mini-20261206T090000.000Z.db")
        );
        let mut left: Vec<String> = std::fs::read_dir(&backups)
            .expect("list")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "live-mini-20261206T090002.000Z.db",
                "live-mini-20261206T090003.000Z.db",
                "notes.txt"
            ]
        );
    }
}
