//! The async facade: pools, the blocking-pool hop and opening the database.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// How long one write took, reported to a [`WriteObserver`] after every [`Store`] write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteTiming {
    /// From the call to the writer connection in hand: the blocking-pool hop and the wait for
    /// the single writer (other writes, checkpoints do not take it).
    pub waited: Duration,
    /// The `BEGIN IMMEDIATE … COMMIT` transaction itself (or its rollback).
    pub ran: Duration,
    /// Whether it committed.
    pub committed: bool,
}

/// Receives the timing of every write (the server turns them into histograms). Called on the
/// blocking pool, inside the caller's span, right after the transaction ends: keep it cheap.
pub trait WriteObserver: std::fmt::Debug + Send + Sync {
    /// One write ended.
    fn write_finished(&self, timing: WriteTiming);
}

/// Cheap-to-clone handle on the database.
#[derive(Debug, Clone)]
pub struct Store {
    write: SqlitePool,
    read: SqlitePool,
    /// One connection for WAL checkpoints, so they never queue behind (or hold up) the writer.
    maintenance: SqlitePool,
    observer: Option<Arc<dyn WriteObserver>>,
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
        let maintenance = pool::build(url, 1, false).map_err(StoreError::Setup)?;
        Ok(Self {
            write,
            read,
            maintenance,
            observer: None,
        })
    }

    /// The same store, reporting every write's timing to `observer`. The store times its own
    /// writes because [`Store::write`] is the one place every write passes, and only it sees
    /// the moment the writer connection is in hand.
    #[must_use]
    pub fn with_write_observer(mut self, observer: Arc<dyn WriteObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Copies committed WAL frames back into the database file (`PRAGMA wal_checkpoint(PASSIVE)`:
    /// never waits for readers or the writer). The writer connection has automatic checkpoints
    /// switched off so that no ingest pays for one; the server calls this periodically
    /// ([`Store::spawn_checkpointer`]) to keep the WAL small.
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        with_conn(&self.maintenance, |conn| {
            use diesel::connection::SimpleConnection;
            conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE);")?;
            Ok(())
        })
        .await
    }

    /// Checkpoints every `period` until the returned task is aborted; a failed checkpoint is
    /// logged and retried at the next tick (the WAL only grows meanwhile).
    pub fn spawn_checkpointer(&self, period: Duration) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if let Err(e) = store.checkpoint().await {
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
        })
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
    /// with BUSY in WAL mode). The wait for the writer and the transaction are timed: a `debug`
    /// line (target `live_store`, inside the caller's span, so it carries the request id) and
    /// the observer, if any.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut SqliteConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let called = Instant::now();
        let observer = self.observer.clone();
        with_conn(&self.write, move |conn| {
            let began = Instant::now();
            let result = conn.immediate_transaction::<T, StoreError, _>(|c| f(c));
            let timing = WriteTiming {
                waited: began.duration_since(called),
                ran: began.elapsed(),
                committed: result.is_ok(),
            };
            tracing::debug!(
                waited_us = timing.waited.as_micros(),
                ran_us = timing.ran.as_micros(),
                committed = timing.committed,
                "database write"
            );
            if let Some(observer) = &observer {
                observer.write_finished(timing);
            }
            result
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
