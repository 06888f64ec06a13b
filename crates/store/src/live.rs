//! The event row as every event write's lock, and the live position kept in it (cluster mode).
//!
//! Every write of an event starts by taking its row ([`lock_event_row`]): on PostgreSQL with
//! `SELECT … FOR NO KEY UPDATE`, so writes of one event serialise across instances (the lock is
//! held to the end of the transaction). `NO KEY` because the writes never change the key: it
//! conflicts with every other writer of the event (and with a delete) but not with the
//! `FOR KEY SHARE` that inserts referencing the event take (the ingest log's flusher); on SQLite the single writer's `BEGIN IMMEDIATE` already
//! serialises them and the same select is a plain existence check. The ingest guard then checks
//! the status read under that lock, inside the transaction that writes.
//!
//! In cluster mode ([`crate::StoreConfig::sequence_in_db`]) a write that produces live frames
//! numbers them in the same transaction: `events.live_epoch` names the numbering, `live_seq` is
//! the number of the newest frame, `live_needs_full_seq` the number of the newest frame after
//! which a spectator needs a `full` (XML imports and status changes). The columns are written
//! only in cluster mode.

use diesel::prelude::*;
use live_domain::public::FullData;
use live_domain::{EventStatus, IngestKind};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::limits::IDS_PER_STATEMENT;
use crate::public_reads::{self, parse_status};
use crate::schema::events;
use crate::store::Store;

/// The frames a committed write numbered: `first_seq..=last_seq` in `epoch` (empty when
/// `last_seq < first_seq`, i.e. the write produced no frame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sequence {
    /// The event's numbering the frames belong to (16 lowercase hex digits).
    pub epoch: String,
    /// Number of the first frame.
    pub first_seq: u64,
    /// Number of the last frame (`first_seq - 1` when there is none).
    pub last_seq: u64,
}

impl Sequence {
    /// How many frames were numbered.
    pub fn len(&self) -> u64 {
        (self.last_seq + 1).saturating_sub(self.first_seq)
    }

    /// Whether no frame was numbered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Where an event's live frames stand, as committed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LivePosition {
    /// The current numbering (`""` for an event no sequenced write has touched yet).
    pub epoch: String,
    /// Number of the newest frame (0: none yet in this epoch).
    pub seq: u64,
    /// Number of the newest frame after which a spectator needs a `full` (0: none).
    pub needs_full_seq: u64,
    /// The event's status.
    pub status: EventStatus,
}

/// What an on-course update writes into the event row ([`Store::update_oncourse`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OncourseUpdate {
    /// The stored board (JSON text) after the update; `None` clears it.
    pub board_json: Option<String>,
    /// The data of a new on-course frame: stored as `oncourse_last` and numbered (one frame).
    /// `None`: nothing to publish, `oncourse_last` stays.
    pub publish: Option<String>,
    /// Unix milliseconds of the board's next expiry; `None` when nothing expires.
    pub due_ms: Option<i64>,
}

/// The event row as a write holds it.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct LockedEvent {
    pub(crate) id: i32,
    pub(crate) status: String,
    pub(crate) live_epoch: String,
    pub(crate) live_seq: i64,
    pub(crate) live_needs_full_seq: i64,
}

impl LockedEvent {
    /// The stored status.
    pub(crate) fn status(&self) -> Result<EventStatus, StoreError> {
        parse_status(&self.status)
    }

    /// The ingest guard (contract §5.3) on the status read under the lock, when asked for.
    pub(crate) fn guard(&self, kind: Option<IngestKind>) -> Result<(), StoreError> {
        if let Some(kind) = kind {
            self.status()?.guard(kind)?;
        }
        Ok(())
    }

    fn position(&self) -> Result<LivePosition, StoreError> {
        Ok(LivePosition {
            epoch: self.live_epoch.clone(),
            seq: unsigned(self.live_seq)?,
            needs_full_seq: unsigned(self.live_needs_full_seq)?,
            status: self.status()?,
        })
    }
}

fn unsigned(v: i64) -> Result<u64, StoreError> {
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("events.live_seq = {v}")))
}

fn signed(v: u64) -> Result<i64, StoreError> {
    i64::try_from(v).map_err(|_| StoreError::Corrupt(format!("live sequence {v} out of range")))
}

/// Takes the row of event `pk` for the rest of the transaction (PostgreSQL: `FOR NO KEY UPDATE`;
/// SQLite: the writer already holds the database lock). `EventNotFound` when it is gone.
pub(crate) fn lock_event_row(conn: &mut DbConnection, pk: i32) -> Result<LockedEvent, StoreError> {
    let row = match conn {
        DbConnection::Pg(c) => events::table
            .find(pk)
            .select(LockedEvent::as_select())
            .for_no_key_update()
            .first(c)
            .optional()?,
        DbConnection::Sqlite(c) => events::table
            .find(pk)
            .select(LockedEvent::as_select())
            .first(c)
            .optional()?,
    };
    row.ok_or(StoreError::EventNotFound)
}

/// [`lock_event_row`] by public id.
pub(crate) fn lock_event_by_id(
    conn: &mut DbConnection,
    event_id: &str,
) -> Result<LockedEvent, StoreError> {
    let row = match conn {
        DbConnection::Pg(c) => events::table
            .filter(events::event_id.eq(event_id))
            .select(LockedEvent::as_select())
            .for_no_key_update()
            .first(c)
            .optional()?,
        DbConnection::Sqlite(c) => events::table
            .filter(events::event_id.eq(event_id))
            .select(LockedEvent::as_select())
            .first(c)
            .optional()?,
    };
    row.ok_or(StoreError::EventNotFound)
}

/// A fresh epoch: 16 random lowercase hex digits.
pub(crate) fn new_epoch() -> Result<String, StoreError> {
    let mut bytes = [0_u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Setup(format!("no randomness for an epoch: {e}")))?;
    Ok(hex(&bytes))
}

/// Lowercase hex digits of `bytes`.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Numbers `frames` frames after the row's position and stores the new position; `needs_full`
/// marks the last of them as one after which spectators need a `full`. A row without an epoch
/// (created before cluster mode) first gets a fresh one.
pub(crate) fn advance(
    conn: &mut DbConnection,
    row: &mut LockedEvent,
    frames: u64,
    needs_full: bool,
) -> Result<Sequence, StoreError> {
    let fresh = row.live_epoch.is_empty();
    if fresh {
        row.live_epoch = new_epoch()?;
        row.live_seq = 0;
        row.live_needs_full_seq = 0;
    }
    let seq = unsigned(row.live_seq)?;
    let last = seq + frames;
    if frames > 0 || fresh {
        row.live_seq = signed(last)?;
        if needs_full && frames > 0 {
            row.live_needs_full_seq = row.live_seq;
        }
        diesel::update(events::table.find(row.id))
            .set((
                events::live_epoch.eq(&row.live_epoch),
                events::live_seq.eq(row.live_seq),
                events::live_needs_full_seq.eq(row.live_needs_full_seq),
            ))
            .execute(conn)?;
    }
    Ok(Sequence {
        epoch: row.live_epoch.clone(),
        first_seq: seq + 1,
        last_seq: last,
    })
}

/// Starts a new numbering for the row: a fresh epoch, seq 0. Returns the epoch.
pub(crate) fn reset_epoch(
    conn: &mut DbConnection,
    row: &mut LockedEvent,
) -> Result<String, StoreError> {
    row.live_epoch = new_epoch()?;
    row.live_seq = 0;
    row.live_needs_full_seq = 0;
    diesel::update(events::table.find(row.id))
        .set((
            events::live_epoch.eq(&row.live_epoch),
            events::live_seq.eq(0_i64),
            events::live_needs_full_seq.eq(0_i64),
        ))
        .execute(conn)?;
    Ok(row.live_epoch.clone())
}

fn load_position(conn: &mut DbConnection, pk: i32) -> Result<Option<LivePosition>, StoreError> {
    events::table
        .find(pk)
        .select(LockedEvent::as_select())
        .first(conn)
        .optional()?
        .map(|row| row.position())
        .transpose()
}

impl Store {
    /// Where the live frames of event `pk` stand; `None` when it does not exist.
    pub async fn live_position(&self, pk: i32) -> Result<Option<LivePosition>, StoreError> {
        self.read(move |conn| load_position(conn, pk)).await
    }

    /// The live positions of the events `pks` that exist, by id (the anti-entropy poll): one
    /// query per 10 000 ids.
    pub async fn live_positions(
        &self,
        pks: Vec<i32>,
    ) -> Result<Vec<(i32, LivePosition)>, StoreError> {
        self.read(move |conn| {
            let mut out = Vec::with_capacity(pks.len());
            for chunk in pks.chunks(IDS_PER_STATEMENT) {
                let rows: Vec<LockedEvent> = events::table
                    .filter(events::id.eq_any(chunk))
                    .order(events::id.asc())
                    .select(LockedEvent::as_select())
                    .load(conn)?;
                for row in rows {
                    out.push((row.id, row.position()?));
                }
            }
            Ok(out)
        })
        .await
    }

    /// A number that changes whenever any event is created, deleted or numbers a frame: a
    /// hash of every row's id, epoch and seq. Cluster mode compares it at each sync tick, so an
    /// instance's read cache follows writes made elsewhere even when their frames never arrived
    /// (NATS down).
    pub async fn live_fingerprint(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            use std::hash::{Hash, Hasher};
            let rows: Vec<(i32, String, i64)> = events::table
                .order(events::id.asc())
                .select((events::id, events::live_epoch, events::live_seq))
                .load(conn)?;
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            rows.hash(&mut hasher);
            Ok(hasher.finish())
        })
        .await
    }

    /// The `full` data of event `pk` and the live position it corresponds to, read in one
    /// snapshot (the frames up to `seq` are in the data, none after); `None` when the event does
    /// not exist.
    pub async fn full_data_at(
        &self,
        pk: i32,
    ) -> Result<Option<(FullData, LivePosition)>, StoreError> {
        self.read_snapshot(move |conn| {
            let Some(position) = load_position(conn, pk)? else {
                return Ok(None);
            };
            let Some(full) = public_reads::load_full(conn, pk)? else {
                return Ok(None);
            };
            Ok(Some((full, position)))
        })
        .await
    }

    /// The stored on-course board (JSON text) of event `pk`, if any.
    pub async fn oncourse_board(&self, pk: i32) -> Result<Option<String>, StoreError> {
        self.read(move |conn| {
            events::table
                .find(pk)
                .select(events::oncourse_board)
                .first::<Option<String>>(conn)
                .optional()?
                .ok_or(StoreError::EventNotFound)
        })
        .await
    }

    /// Events whose stored board has an entry expiring at or before `now_ms` (unix ms), as
    /// `(id, public id)`, by id.
    pub async fn events_with_due_oncourse(
        &self,
        now_ms: i64,
    ) -> Result<Vec<(i32, String)>, StoreError> {
        self.read(move |conn| {
            Ok(events::table
                .filter(events::oncourse_due.le(now_ms))
                .order(events::id.asc())
                .select((events::id, events::event_id))
                .load(conn)?)
        })
        .await
    }

    /// Rewrites the on-course board of event `pk` in one transaction, under the event's row lock
    /// (cluster mode). See [`Store::update_oncourse_guarded`].
    pub async fn update_oncourse<T, F>(
        &self,
        pk: i32,
        f: F,
    ) -> Result<(T, Option<Sequence>), StoreError>
    where
        F: FnOnce(Option<String>, Option<String>) -> Result<(OncourseUpdate, T), StoreError>
            + Send
            + 'static,
        T: Send + 'static,
    {
        self.update_oncourse_guarded(pk, None, f).await
    }

    /// Rewrites the on-course board of event `pk` in one transaction: takes the event row, checks
    /// the ingest `guard` on the status read under the lock (when given), then `f` sees the stored
    /// board and the data of the last published frame and returns the update (or an error:
    /// nothing is written). A `publish` is stored as the last frame and numbered (one frame,
    /// returned as the [`Sequence`] in cluster mode; `None` otherwise).
    pub async fn update_oncourse_guarded<T, F>(
        &self,
        pk: i32,
        guard: Option<IngestKind>,
        f: F,
    ) -> Result<(T, Option<Sequence>), StoreError>
    where
        F: FnOnce(Option<String>, Option<String>) -> Result<(OncourseUpdate, T), StoreError>
            + Send
            + 'static,
        T: Send + 'static,
    {
        let sequence_in_db = self.sequence_in_db();
        self.write(move |conn| {
            let mut row = lock_event_row(conn, pk)?;
            row.guard(guard)?;
            let (board, last): (Option<String>, Option<String>) = events::table
                .find(pk)
                .select((events::oncourse_board, events::oncourse_last))
                .first(conn)?;
            let (update, value) = f(board, last)?;
            let frames = u64::from(update.publish.is_some());
            match &update.publish {
                Some(data) => diesel::update(events::table.find(pk))
                    .set((
                        events::oncourse_board.eq(&update.board_json),
                        events::oncourse_due.eq(update.due_ms),
                        events::oncourse_last.eq(data),
                    ))
                    .execute(conn)?,
                None => diesel::update(events::table.find(pk))
                    .set((
                        events::oncourse_board.eq(&update.board_json),
                        events::oncourse_due.eq(update.due_ms),
                    ))
                    .execute(conn)?,
            };
            let sequence = sequence_in_db
                .then(|| advance(conn, &mut row, frames, false))
                .transpose()?;
            Ok((value, sequence))
        })
        .await
    }
}
