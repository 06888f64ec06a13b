//! The async facade: pools, the blocking-pool hop and opening the database.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

use crate::connection::{self, DbConnection, TxKind};
use crate::error::StoreError;
use crate::migrate;
use crate::pool::{self, DbPool, Role, Target};

/// The database behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file: one writer connection, WAL, checkpoints by the server.
    Sqlite,
    /// A PostgreSQL server: a writer pool, row locks per event.
    Postgres,
}

/// Where the database lives and how the pools are sized.
#[derive(Debug, Clone)]
pub struct StoreConfig {
    /// The SQLite file; its parent directory is created when missing. Ignored when
    /// [`StoreConfig::postgres_url`] is set.
    pub path: PathBuf,
    /// `postgres://…`: use PostgreSQL at this URL instead of the SQLite file.
    pub postgres_url: Option<String>,
    /// Size of the read pool.
    pub read_pool_size: u32,
    /// Size of the writer pool on PostgreSQL (SQLite always has one writer connection).
    pub write_pool_size: u32,
    /// Cluster mode: writes that produce live frames number them in the database
    /// (`events.live_epoch`/`live_seq`) inside their own transaction and return a
    /// [`crate::Sequence`].
    pub sequence_in_db: bool,
}

impl StoreConfig {
    /// An SQLite file with the default pool sizes, no sequencing in the database.
    pub fn sqlite(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            postgres_url: None,
            read_pool_size: 4,
            write_pool_size: 1,
            sequence_in_db: false,
        }
    }

    /// PostgreSQL at `url` with the default pool sizes (8 writers, 4 readers), no sequencing in
    /// the database.
    pub fn postgres(url: impl Into<String>) -> Self {
        Self {
            path: PathBuf::new(),
            postgres_url: Some(url.into()),
            read_pool_size: 4,
            write_pool_size: 8,
            sequence_in_db: false,
        }
    }
}

/// How long one write took, reported to a [`WriteObserver`] after every [`Store`] write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteTiming {
    /// From the call to the writer connection in hand: the blocking-pool hop and the wait for
    /// the single writer (other writes, checkpoints do not take it); on PostgreSQL the wait for
    /// a pooled writer.
    pub waited: Duration,
    /// The `BEGIN IMMEDIATE … COMMIT` transaction itself (or its rollback); on PostgreSQL this
    /// includes the wait for the event's row lock.
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
    write: DbPool,
    read: DbPool,
    /// SQLite: one connection for WAL checkpoints, so they never queue behind (or hold up) the
    /// writer. `None` on PostgreSQL.
    maintenance: Option<DbPool>,
    backend: Backend,
    sequence_in_db: bool,
    observer: Option<Arc<dyn WriteObserver>>,
}

impl Store {
    /// Opens the database of `config`, runs the migrations and builds the pools. Blocking: call
    /// it once at start-up, before serving.
    ///
    /// SQLite: creates the parent directory and enables WAL first. PostgreSQL: an unreachable
    /// server fails after the 5 s checkout timeout with [`StoreError::PoolTimeout`].
    pub fn open(config: &StoreConfig) -> Result<Self, StoreError> {
        match &config.postgres_url {
            Some(url) => Self::open_pg(url, config),
            None => Self::open_sqlite(config),
        }
    }

    fn open_sqlite(config: &StoreConfig) -> Result<Self, StoreError> {
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
        migrate::run_sqlite(url).map_err(|e| StoreError::Setup(format!("{url}: {e}")))?;
        let target = Target::Sqlite(url.to_owned());
        let setup = |e: diesel::r2d2::PoolError| StoreError::Setup(e.to_string());
        let write = pool::build(target.clone(), Role::Writer, 1).map_err(setup)?;
        let read = pool::build(target.clone(), Role::Reader, config.read_pool_size.max(1))
            .map_err(setup)?;
        let maintenance = pool::build(target, Role::Maintenance, 1).map_err(setup)?;
        Ok(Self {
            write,
            read,
            maintenance: Some(maintenance),
            backend: Backend::Sqlite,
            sequence_in_db: config.sequence_in_db,
            observer: None,
        })
    }

    fn open_pg(url: &str, config: &StoreConfig) -> Result<Self, StoreError> {
        let target = Target::Pg(url.to_owned());
        let write = pool::build(target.clone(), Role::Writer, config.write_pool_size.max(1))?;
        {
            let mut conn = write.get()?;
            let DbConnection::Pg(pg) = &mut *conn else {
                return Err(StoreError::Setup("not a PostgreSQL connection".to_owned()));
            };
            migrate::run_pg(pg).map_err(|e| StoreError::Setup(format!("PostgreSQL: {e}")))?;
        }
        let read = pool::build(target, Role::Reader, config.read_pool_size.max(1))?;
        Ok(Self {
            write,
            read,
            maintenance: None,
            backend: Backend::Postgres,
            sequence_in_db: config.sequence_in_db,
            observer: None,
        })
    }

    /// The database behind this store.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether calls go over the network (and are bounded in time, see `with_conn`).
    fn is_remote(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// Whether writes number their live frames in the database (cluster mode).
    pub fn sequence_in_db(&self) -> bool {
        self.sequence_in_db
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
    /// On PostgreSQL there is nothing to do (`Ok`).
    pub async fn checkpoint(&self) -> Result<(), StoreError> {
        let Some(maintenance) = &self.maintenance else {
            return Ok(());
        };
        with_conn(maintenance, false, |conn| {
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
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        with_conn(&self.read, self.is_remote(), f).await
    }

    /// Runs `f` in one read transaction on a read connection: one consistent snapshot (SQLite:
    /// a WAL read transaction; PostgreSQL: `REPEATABLE READ READ ONLY`).
    pub(crate) async fn read_snapshot<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        with_conn(&self.read, self.is_remote(), move |conn| {
            connection::transaction(conn, TxKind::Snapshot, f)
        })
        .await
    }

    /// Runs `f` inside one write transaction on a writer connection. SQLite: `BEGIN IMMEDIATE` on
    /// the single writer, so the write lock is taken up front and a stale read snapshot never has
    /// to be upgraded (which fails at once with BUSY in WAL mode). PostgreSQL: read committed;
    /// each event write takes its event row first (`lock_event`). The wait for the writer and the transaction are timed: a `debug`
    /// line (target `live_store`, inside the caller's span, so it carries the request id) and
    /// the observer, if any.
    pub(crate) async fn write<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let called = Instant::now();
        let observer = self.observer.clone();
        with_conn(&self.write, self.is_remote(), move |conn| {
            let began = Instant::now();
            let result = connection::transaction(conn, TxKind::Write, f);
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
async fn with_conn<T, F>(pool: &DbPool, bounded: bool, f: F) -> Result<T, StoreError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, StoreError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    let span = tracing::Span::current();
    let call = tokio::task::spawn_blocking(move || {
        span.in_scope(|| {
            let mut conn = pool.get()?;
            f(&mut conn)
        })
    });
    if !bounded {
        return call.await?;
    }
    // A partitioned network can hold a query on a pooled PostgreSQL connection longer than any
    // libpq or pool timeout notices: the caller gets its answer (503) in bounded time, and the
    // blocking thread finishes (or fails) on its own when the network heals. The transaction
    // stays atomic either way.
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(joined) => joined?,
        Err(_) => Err(StoreError::Timeout(CALL_TIMEOUT)),
    }
}

/// The longest a PostgreSQL call may take, pool checkout included: twice the 5 s bound of each
/// wait inside it.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);
