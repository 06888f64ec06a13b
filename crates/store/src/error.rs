//! Store errors. Variants name the situation; the server maps each onto HTTP in one place.

use live_domain::{GuardError, LifecycleError};

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The event named by the request does not exist.
    #[error("event not found")]
    EventNotFound,
    /// A duplicate public event id (the only unique violation that is the client's fault).
    #[error("Event already exists: {0}")]
    Conflict(String),
    /// The requested status change is not allowed from the stored state.
    #[error(transparent)]
    Lifecycle(#[from] LifecycleError),
    /// The event's state refuses this kind of write (contract §5.3).
    #[error(transparent)]
    Guard(#[from] GuardError),
    /// SQLite answered BUSY/LOCKED after `busy_timeout`; PostgreSQL gave up waiting for a row
    /// lock (`lock_timeout`) or refused a transaction as not serialisable.
    #[error("database is busy")]
    Busy,
    /// No pooled connection within the checkout timeout.
    #[error("database pool timeout: {0}")]
    PoolTimeout(#[from] diesel::r2d2::PoolError),
    /// Text the database cannot store: PostgreSQL refuses the NUL character (SQLite stores it).
    /// The request's fault, answered 400; nothing was written.
    #[error("text with a NUL character (\\u0000) cannot be stored")]
    Unstorable,
    /// A PostgreSQL call did not finish in time (a partitioned network).
    #[error("database did not answer within {0:?}")]
    Timeout(std::time::Duration),
    /// Opening, configuring or migrating the database failed.
    #[error("database setup failed: {0}")]
    Setup(String),
    /// A stored value that the schema allows but the domain does not (a bug or a hand edit).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A value could not be encoded as JSON (a bug: every encoded type is plain data).
    #[error("encoding failed: {0}")]
    Encode(#[from] serde_json::Error),
    /// Any other database error.
    #[error("database error: {0}")]
    Db(diesel::result::Error),
    /// The blocking task panicked or was cancelled.
    #[error("blocking task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl StoreError {
    /// Whether the caller should answer "try again" (503) rather than fail.
    pub fn is_busy(&self) -> bool {
        matches!(self, Self::Busy | Self::PoolTimeout(_) | Self::Timeout(_))
    }
}

impl From<diesel::result::Error> for StoreError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match &e {
            // Diesel reports SQLITE_BUSY/LOCKED as `Unknown`: classify by SQLite's message.
            Error::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().contains("database is locked")
                    || info.message().contains("database is busy")
                    || info.message().contains("database table is locked") =>
            {
                Self::Busy
            }
            // PostgreSQL: 55P03 (`lock_timeout`) arrives as `Unknown` with this message; 40001 and
            // 40P01 (a deadlock victim) are worth a retry too.
            Error::DatabaseError(DatabaseErrorKind::Unknown, info)
                if info.message().contains("lock timeout")
                    || info.message().contains("deadlock detected") =>
            {
                Self::Busy
            }
            // A serialisation failure, or the connection died under the query (a restart, a cut
            // network): worth a retry.
            Error::DatabaseError(
                DatabaseErrorKind::SerializationFailure
                | DatabaseErrorKind::ClosedConnection
                | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => Self::Busy,
            // PostgreSQL 22021: `invalid byte sequence for encoding "UTF8": 0x00`.
            Error::DatabaseError(_, info) if info.message().contains("0x00") => Self::Unstorable,
            _ => Self::Db(e),
        }
    }
}
