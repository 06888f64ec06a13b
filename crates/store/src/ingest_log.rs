//! The ingest log: batched inserts, newest 1 000 rows per event kept, newest-first reads.

use std::collections::BTreeSet;

use diesel::prelude::*;
use live_domain::ingest_log::{LogEntry, LogKind, LogOutcome, NewLogEntry};

use crate::connection::on_backend;
use crate::error::StoreError;
use crate::rows::{LogRow, NewLogRow};
use crate::schema::{events, ingest_log};
use crate::store::Store;

/// Rows kept per event; older ones are deleted when a batch is written.
pub(crate) const LOG_ROWS_KEPT: i64 = 1000;

fn clamp(v: u64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

impl TryFrom<LogRow> for LogEntry {
    type Error = StoreError;

    fn try_from(r: LogRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: r.id,
            kind: LogKind::parse(&r.kind)
                .ok_or_else(|| StoreError::Corrupt(format!("ingest_log.kind = '{}'", r.kind)))?,
            outcome: LogOutcome::parse(&r.outcome).ok_or_else(|| {
                StoreError::Corrupt(format!("ingest_log.outcome = '{}'", r.outcome))
            })?,
            http_status: r.http_status,
            bytes: r.bytes,
            items: r.items,
            duration_ms: r.duration_ms,
            error: r.error,
            created_at: r.created_at,
        })
    }
}

impl Store {
    /// Writes a batch of log entries in one transaction. Entries of events deleted in the meantime
    /// are dropped (their log went with them), then each touched event is trimmed to the newest
    /// [`LOG_ROWS_KEPT`] rows.
    pub async fn append_ingest_log(&self, entries: Vec<NewLogEntry>) -> Result<(), StoreError> {
        if entries.is_empty() {
            return Ok(());
        }
        self.write(move |conn| {
            let wanted: BTreeSet<i32> = entries.iter().map(|e| e.event_pk).collect();
            let alive: BTreeSet<i32> = events::table
                .filter(events::id.eq_any(&wanted))
                .select(events::id)
                .load::<i32>(conn)?
                .into_iter()
                .collect();
            let rows: Vec<NewLogRow<'_>> = entries
                .iter()
                .filter(|e| alive.contains(&e.event_pk))
                .map(|e| NewLogRow {
                    event_id: e.event_pk,
                    kind: e.kind.as_str(),
                    outcome: e.outcome.as_str(),
                    http_status: i32::from(e.http_status),
                    bytes: clamp(e.bytes),
                    items: clamp(e.items),
                    duration_ms: clamp(e.duration_ms),
                    error: e.error.as_deref(),
                    created_at: &e.created_at,
                })
                .collect();
            // The multi-backend has no batch insert: per backend.
            on_backend!(&mut *conn, c => diesel::insert_into(ingest_log::table)
                .values(&rows)
                .execute(c))?;
            for pk in alive {
                let keep_from: Option<i32> = ingest_log::table
                    .filter(ingest_log::event_id.eq(pk))
                    .order(ingest_log::id.desc())
                    .offset(LOG_ROWS_KEPT - 1)
                    .select(ingest_log::id)
                    .first(conn)
                    .optional()?;
                if let Some(min_id) = keep_from {
                    diesel::delete(
                        ingest_log::table
                            .filter(ingest_log::event_id.eq(pk))
                            .filter(ingest_log::id.lt(min_id)),
                    )
                    .execute(conn)?;
                }
            }
            Ok(())
        })
        .await
    }

    /// The newest `limit` entries of event `pk`, newest first.
    pub async fn ingest_log(&self, pk: i32, limit: i64) -> Result<Vec<LogEntry>, StoreError> {
        self.read(move |conn| {
            ingest_log::table
                .filter(ingest_log::event_id.eq(pk))
                .order(ingest_log::id.desc())
                .limit(limit)
                .select(LogRow::as_select())
                .load(conn)?
                .into_iter()
                .map(LogEntry::try_from)
                .collect()
        })
        .await
    }
}
