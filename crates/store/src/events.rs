//! Event use cases: creation, lookup for authentication, the admin list, deletion, the lifecycle
//! and the per-event config.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use live_domain::requests::NewEvent;
use live_domain::time::{format_rfc3339_ms, parse_rfc3339};
use live_domain::{AdminEventItem, EventRef, EventStatus, StatusChange};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::live::{Sequence, advance, lock_event_by_id, lock_event_row, new_epoch, reset_epoch};
use crate::rows::{AdminEventRow, EventRefRow, NewEventRow};
use crate::schema::events;
use crate::store::Store;

/// The data of an on-course frame after a clear (contract §6.4).
const EMPTY_ONCOURSE: &str = r#"{"oncourse":[]}"#;

fn parse_status(s: &str) -> Result<EventStatus, StoreError> {
    s.parse()
        .map_err(|_| StoreError::Corrupt(format!("events.status = '{s}'")))
}

fn parse_instant(s: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.map(|t| parse_rfc3339(&t).ok_or_else(|| StoreError::Corrupt(format!("timestamp '{t}'"))))
        .transpose()
}

/// How a row's API-key window is read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Window {
    /// An unreadable bound is a corrupt row: the window is about to be enforced.
    Strict,
    /// An unreadable bound is logged and read as absent: lookups by public id never enforce
    /// the window, and an event whose window cannot be read back must stay deletable (§1.8).
    Lenient,
}

fn window_bound(text: Option<String>, window: Window) -> Result<Option<DateTime<Utc>>, StoreError> {
    match window {
        Window::Strict => parse_instant(text),
        Window::Lenient => Ok(text.and_then(|t| {
            let parsed = parse_rfc3339(&t);
            if parsed.is_none() {
                tracing::warn!(timestamp = %t, "unreadable key window bound not enforced");
            }
            parsed
        })),
    }
}

fn event_ref(r: EventRefRow, window: Window) -> Result<EventRef, StoreError> {
    Ok(EventRef {
        pk: r.id,
        status: parse_status(&r.status)?,
        event_id: r.event_id,
        api_key: r.api_key,
        key_valid_from: window_bound(r.key_valid_from, window)?,
        key_valid_until: window_bound(r.key_valid_until, window)?,
        has_xml_data: r.has_xml_data,
    })
}

impl TryFrom<AdminEventRow> for AdminEventItem {
    type Error = StoreError;

    fn try_from(r: AdminEventRow) -> Result<Self, StoreError> {
        Ok(Self {
            status: parse_status(&r.status)?,
            event_id: r.event_id,
            main_title: r.main_title,
            sub_title: r.sub_title,
            location: r.location,
            start_date: r.start_date,
            end_date: r.end_date,
            discipline: r.discipline,
            api_key: r.api_key,
            has_xml_data: r.has_xml_data,
            has_image: r.has_image,
            created_at: r.created_at,
        })
    }
}

pub(crate) fn find_by_event_id(
    conn: &mut DbConnection,
    event_id: &str,
) -> Result<Option<EventRef>, StoreError> {
    events::table
        .filter(events::event_id.eq(event_id))
        .select(EventRefRow::as_select())
        .first(conn)
        .optional()?
        .map(|row| event_ref(row, Window::Lenient))
        .transpose()
}

/// What a committed status change hands back ([`Store::change_status`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusApplied {
    /// The change.
    pub change: StatusChange,
    /// Cluster mode: the status frame, numbered in the event's row (`needs_full`), in the epoch
    /// it was published in; `None` otherwise.
    pub sequence: Option<Sequence>,
    /// Cluster mode, after `→ official` or `→ draft`: the event's new epoch (its seq is 0 and the
    /// next frame is number 1 of it).
    pub new_epoch: Option<String>,
}

impl Store {
    /// Inserts a new `draft` event with its key; `Conflict` when the public id exists.
    /// Returns the internal id (shown once, in the 201 body).
    pub async fn create_event(
        &self,
        event: NewEvent,
        api_key: String,
        now: DateTime<Utc>,
    ) -> Result<i32, StoreError> {
        self.write(move |conn| {
            let exists = events::table
                .filter(events::event_id.eq(&event.event_id))
                .select(events::id)
                .first::<i32>(conn)
                .optional()?;
            if exists.is_some() {
                return Err(StoreError::Conflict(event.event_id.clone()));
            }
            let changed_at = format_rfc3339_ms(now);
            // Always an epoch, cluster mode or not: a database first served by one instance can
            // later be served by several, and a room must never load a sequence without a name.
            let live_epoch = new_epoch()?;
            let row = NewEventRow {
                event_id: &event.event_id,
                main_title: &event.main_title,
                sub_title: event.sub_title.as_deref(),
                location: event.location.as_deref(),
                facility: event.facility.as_deref(),
                start_date: event.start_date.as_deref(),
                end_date: event.end_date.as_deref(),
                discipline: event.discipline.as_deref(),
                status_changed_at: &changed_at,
                api_key: &api_key,
                key_valid_from: event.valid_from.map(format_rfc3339_ms),
                key_valid_until: event.valid_until.map(format_rfc3339_ms),
                image: event.image.as_ref().map(|i| i.bytes.as_slice()),
                image_content_type: event.image.as_ref().map(|i| i.content_type.as_str()),
                live_epoch: &live_epoch,
            };
            diesel::insert_into(events::table)
                .values(&row)
                .returning(events::id)
                .get_result(conn)
                .map_err(|e| match e {
                    // PostgreSQL: another instance created the same id since the check above.
                    diesel::result::Error::DatabaseError(
                        diesel::result::DatabaseErrorKind::UniqueViolation,
                        ref info,
                    ) if info
                        .constraint_name()
                        .is_some_and(|c| c.contains("event_id")) =>
                    {
                        StoreError::Conflict(event.event_id.clone())
                    }
                    e => e.into(),
                })
        })
        .await
    }

    /// Every event, drafts included, in creation order (admin list). A row that cannot be read
    /// back is left out (and logged) rather than failing the list of every other event (§1.8).
    pub async fn list_admin_events(&self) -> Result<Vec<AdminEventItem>, StoreError> {
        self.read(|conn| {
            Ok(events::table
                .order(events::id.asc())
                .select(AdminEventRow::as_select())
                .load(conn)?
                .into_iter()
                .filter_map(|row| {
                    AdminEventItem::try_from(row)
                        .inspect_err(|e| tracing::warn!(error = %e, "event left out of the list"))
                        .ok()
                })
                .collect())
        })
        .await
    }

    /// The internal id of the event with public id `event_id`, without reading anything else of
    /// the row: deletion must work for an event whose stored values cannot be read back (§1.8).
    pub async fn event_pk_by_id(&self, event_id: String) -> Result<Option<i32>, StoreError> {
        self.read(move |conn| {
            Ok(events::table
                .filter(events::event_id.eq(&event_id))
                .select(events::id)
                .first::<i32>(conn)
                .optional()?)
        })
        .await
    }

    /// The event owning `api_key`, if any; a key window that cannot be read back is a corrupt
    /// row (`Corrupt`), because the caller enforces it.
    pub async fn event_by_key(&self, api_key: String) -> Result<Option<EventRef>, StoreError> {
        self.key_lookup(api_key, Window::Strict).await
    }

    /// The event owning `api_key`, with a key window bound that cannot be read back read as
    /// absent (and logged). Only for the master-or-key routes (deletion, the ingest log), so
    /// that such an event stays deletable with its own key (§1.8).
    pub async fn event_by_key_lenient(
        &self,
        api_key: String,
    ) -> Result<Option<EventRef>, StoreError> {
        self.key_lookup(api_key, Window::Lenient).await
    }

    async fn key_lookup(
        &self,
        api_key: String,
        window: Window,
    ) -> Result<Option<EventRef>, StoreError> {
        self.read(move |conn| {
            events::table
                .filter(events::api_key.eq(&api_key))
                .select(EventRefRow::as_select())
                .first(conn)
                .optional()?
                .map(|row| event_ref(row, window))
                .transpose()
        })
        .await
    }

    /// The current status of event `pk`; [`StoreError::EventNotFound`] when it is gone.
    pub async fn event_status(&self, pk: i32) -> Result<EventStatus, StoreError> {
        self.read(move |conn| {
            let status: String = events::table
                .find(pk)
                .select(events::status)
                .first(conn)
                .optional()?
                .ok_or(StoreError::EventNotFound)?;
            parse_status(&status)
        })
        .await
    }

    /// The event with public id `event_id`, if any. Its key window is informational here (never
    /// enforced on this path), so a bound that cannot be read back is read as absent.
    pub async fn event_by_id(&self, event_id: String) -> Result<Option<EventRef>, StoreError> {
        self.read(move |conn| find_by_event_id(conn, &event_id))
            .await
    }

    /// Deletes the event and everything under it (cascade, ingest log included).
    pub async fn delete_event(&self, event_id: String) -> Result<(), StoreError> {
        self.write(move |conn| {
            let n = diesel::delete(events::table.filter(events::event_id.eq(&event_id)))
                .execute(conn)?;
            if n == 0 {
                Err(StoreError::EventNotFound)
            } else {
                Ok(())
            }
        })
        .await
    }

    /// Moves the event to `to` if the lifecycle allows it from the stored state, atomically.
    pub async fn set_status(
        &self,
        event_id: String,
        to: EventStatus,
        now: DateTime<Utc>,
    ) -> Result<StatusChange, StoreError> {
        Ok(self.change_status(event_id, to, now).await?.change)
    }

    /// [`Store::set_status`] with the live numbering of cluster mode: under the event's row lock,
    /// the status frame is numbered (`needs_full`); after `→ official` or `→ draft` the row then
    /// gets a new epoch with seq 0, in the same transaction.
    pub async fn change_status(
        &self,
        event_id: String,
        to: EventStatus,
        now: DateTime<Utc>,
    ) -> Result<StatusApplied, StoreError> {
        let sequence_in_db = self.sequence_in_db();
        self.write(move |conn| {
            let mut row = lock_event_by_id(conn, &event_id)?;
            let previous_status = row.status()?;
            let status = previous_status.transition(to)?;
            let changed_at = format_rfc3339_ms(now);
            diesel::update(events::table.filter(events::id.eq(row.id)))
                .set((
                    events::status.eq(status.as_str()),
                    events::status_changed_at.eq(&changed_at),
                ))
                .execute(conn)?;
            let (sequence, new_epoch) = if sequence_in_db {
                if status.clears_oncourse() {
                    // The stored board empties with the status (contract §5.2), and the
                    // previous on-course frame counts as `{"oncourse":[]}`, as on a single node.
                    diesel::update(events::table.filter(events::id.eq(row.id)))
                        .set((
                            events::oncourse_board.eq(None::<String>),
                            events::oncourse_due.eq(None::<i64>),
                            events::oncourse_last.eq(EMPTY_ONCOURSE),
                        ))
                        .execute(conn)?;
                }
                let sequence = advance(conn, &mut row, 1, true)?;
                let new_epoch = matches!(status, EventStatus::Official | EventStatus::Draft)
                    .then(|| reset_epoch(conn, &mut row))
                    .transpose()?;
                (Some(sequence), new_epoch)
            } else {
                (None, None)
            };
            Ok(StatusApplied {
                change: StatusChange {
                    event_id,
                    previous_status,
                    status,
                    status_changed_at: changed_at,
                },
                sequence,
                new_epoch,
            })
        })
        .await
    }

    /// The stored config object (JSON text) of event `pk`.
    pub async fn config(&self, pk: i32) -> Result<String, StoreError> {
        self.read(move |conn| {
            events::table
                .find(pk)
                .select(events::config)
                .first(conn)
                .optional()?
                .ok_or(StoreError::EventNotFound)
        })
        .await
    }

    /// Rewrites the config of event `pk` in one transaction: `f` sees the current status and
    /// config text and returns the new text, or an error (the guard's refusal): nothing is
    /// written then.
    pub async fn update_config<F>(&self, pk: i32, f: F) -> Result<String, StoreError>
    where
        F: FnOnce(EventStatus, &str) -> Result<String, StoreError> + Send + 'static,
    {
        self.write(move |conn| {
            lock_event_row(conn, pk)?;
            let (status, config): (String, String) = events::table
                .find(pk)
                .select((events::status, events::config))
                .first(conn)
                .optional()?
                .ok_or(StoreError::EventNotFound)?;
            let next = f(parse_status(&status)?, &config)?;
            diesel::update(events::table.find(pk))
                .set(events::config.eq(&next))
                .execute(conn)?;
            Ok(next)
        })
        .await
    }
}
