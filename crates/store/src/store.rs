//! The async facade: pools, the blocking-pool hop and opening the database.

use std::path::PathBuf;

use diesel::sqlite::SqliteConnection;

use crate::error::StoreError;
use crate::migrate;
use crate::pool::{self, SqlitePool};

/// Where the database lives and how many readers it gets.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// The SQLite file; its parent directory is created when missing.
    pub path: PathBuf,
    /// Size of the read pool (the writer pool always has one connection).
    pub read_pool_size: u32,
}

/// Cheap-to-clone handle on the database.
#[derive(Debug, Clone)]
pub struct Store {
    write: SqlitePool,
    read: SqlitePool,
}

impl Store {
    /// Creates the parent directory, enables WAL, runs migrations and builds both pools.
    /// Blocking: call it once at start-up, before serving.
    pub fn open(config: &StoreConfig) -> Result<Self, StoreError> {
        if let Some(dir) = config.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::Setup(format!("cannot create directory {}: {e}", dir.display()))
            })?;
        }
        let url = config.path.to_str().ok_or_else(|| {
            StoreError::Setup(format!(
                "database path is not UTF-8: {}",
                config.path.display()
            ))
        })?;
        migrate::run(url).map_err(|e| StoreError::Setup(format!("{url}: {e}")))?;
        let write = pool::build(url, 1, false).map_err(StoreError::Setup)?;
        let read =
            pool::build(url, config.read_pool_size.max(1), true).map_err(StoreError::Setup)?;
        Ok(Self { write, read })
    }

    /// Runs `f` on a read connection on the blocking pool.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut SqliteConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        with_conn(&self.read, f).await
    }

    /// Runs `f` inside one `BEGIN IMMEDIATE` transaction on the writer connection: the write lock
    /// is taken up front, so a stale read snapshot never has to be upgraded (which fails at once
    /// with BUSY in WAL mode).
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut SqliteConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        with_conn(&self.write, move |conn| {
            conn.immediate_transaction::<T, StoreError, _>(|c| f(c))
        })
        .await
    }
}

/// The only path to a connection: hop onto the blocking pool, keep the caller's tracing span.
async fn with_conn<T, F>(pool: &SqlitePool, f: F) -> Result<T, StoreError>
where
    F: FnOnce(&mut SqliteConnection) -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    tokio::task::spawn_blocking(move || {
        span.in_scope(|| {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
    })
    .await?
}
