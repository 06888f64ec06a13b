//! Event administration: creation, listing, deletion, the lifecycle and the config.

use live_domain::EventRef;
use live_domain::event::{AdminEventItem, CreatedEvent, KeyValidity, StatusChange};
use live_domain::ingest_log::LogEntry;
use live_domain::requests::{ConfigPatch, CreateEventRequest, EventConfig};
use live_domain::time::{format_rfc3339_ms, now};
use live_domain::{EventStatus, IngestKind};
use live_rooms::CloseReason;
use live_store::StoreError;

use crate::app::AppState;
use crate::error::ApiError;
use crate::services::live;

/// A fresh API key: 32 bytes from the OS CSPRNG, lowercase hex.
fn generate_api_key() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(hex::encode(bytes))
}

/// Creates a `draft` event with a fresh key (contract §4.2).
pub(crate) async fn create(
    st: &AppState,
    req: CreateEventRequest,
) -> Result<CreatedEvent, ApiError> {
    let event = req
        .check()
        .map_err(|e| ApiError::BadRequest(e.into_message()))?;
    let api_key = generate_api_key()?;
    let validity = KeyValidity {
        valid_from: event.valid_from.map(format_rfc3339_ms),
        valid_until: event.valid_until.map(format_rfc3339_ms),
    };
    let event_id = event.event_id.clone();
    let id = st.store.create_event(event, api_key.clone(), now()).await?;
    tracing::info!(event_id = %event_id, "event created");
    Ok(CreatedEvent {
        id,
        event_id,
        api_key,
        validity,
    })
}

/// Every event, drafts included (contract §4.3).
pub(crate) async fn list(st: &AppState) -> Result<Vec<AdminEventItem>, ApiError> {
    Ok(st.store.list_admin_events().await?)
}

fn not_found_by_id(event_id: &str) -> ApiError {
    ApiError::event_not_found(event_id)
}

/// The URL's event on a master-or-event-key route: the one the key check already looked up, or
/// a lookup now (master key); 404 `Event not found: <id>` when it does not exist.
async fn url_event(
    st: &AppState,
    event_id: &str,
    looked_up: Option<EventRef>,
) -> Result<EventRef, ApiError> {
    match looked_up {
        Some(e) => Ok(e),
        None => st
            .store
            .event_by_id(event_id.to_owned())
            .await?
            .ok_or_else(|| not_found_by_id(event_id)),
    }
}

/// Deletes an event and everything under it (contract §4.4). `looked_up` is the URL's event when
/// the API-key path already found it.
pub(crate) async fn delete(
    st: &AppState,
    event_id: String,
    looked_up: Option<EventRef>,
) -> Result<(), ApiError> {
    // The master-key path reads only the row's id, so an event whose stored values cannot be
    // read back is still deletable (§1.8).
    let pk = match looked_up {
        Some(event) => event.pk,
        None => st
            .store
            .event_pk_by_id(event_id.clone())
            .await?
            .ok_or_else(|| not_found_by_id(&event_id))?,
    };
    if let Some(cluster) = &st.cluster {
        match st.store.delete_event(event_id.clone()).await {
            Ok(()) => {}
            Err(StoreError::EventNotFound) => return Err(not_found_by_id(&event_id)),
            Err(e) => return Err(e.into()),
        }
        st.read_cache.invalidate();
        // Every instance (this one through its own follower) closes its rooms of the event.
        cluster
            .publish(st, vec![crate::cluster::deleted(pk, &event_id)])
            .await;
        tracing::info!(event_id = %event_id, "event deleted");
        return Ok(());
    }
    let mut lock = st.rooms.lock(&event_id).await;
    match st.store.delete_event(event_id.clone()).await {
        Ok(()) => {}
        Err(StoreError::EventNotFound) => return Err(not_found_by_id(&event_id)),
        Err(e) => return Err(e.into()),
    }
    st.read_cache.invalidate();
    lock.close(CloseReason::Deleted);
    st.oncourse.remove(pk);
    st.timers.cancel(pk);
    tracing::info!(event_id = %event_id, "event deleted");
    Ok(())
}

/// Moves the URL's event to `to` (contract §4.5): 404 for a missing event, 401 when the key
/// belongs to another event, 400 for a transition the lifecycle forbids.
pub(crate) async fn change_status(
    st: &AppState,
    key: &EventRef,
    event_id: String,
    to: EventStatus,
) -> Result<StatusChange, ApiError> {
    let Some(event) = st.store.event_by_id(event_id.clone()).await? else {
        return Err(not_found_by_id(&event_id));
    };
    if event.pk != key.pk {
        return Err(ApiError::Unauthorized(
            "API key does not match event".to_owned(),
        ));
    }
    if let Some(cluster) = &st.cluster {
        let applied = match st.store.change_status(event_id.clone(), to, now()).await {
            Err(StoreError::EventNotFound) => return Err(not_found_by_id(&event_id)),
            other => other?,
        };
        let (change, sequence) = (applied.change, applied.sequence);
        st.read_cache.invalidate();
        if let Some(sequence) = sequence {
            live::publish_status(st, cluster, event.pk, &event_id, change.status, &sequence).await;
        }
        tracing::info!(event_id = %event_id, from = %change.previous_status, to = %change.status, "status changed");
        return Ok(change);
    }
    let mut lock = st.rooms.lock(&event_id).await;
    let prepared = live::prepare_status_change(st, &lock, event.pk).await?;
    let change = match st.store.set_status(event_id.clone(), to, now()).await {
        Err(StoreError::EventNotFound) => return Err(not_found_by_id(&event_id)),
        other => other?,
    };
    st.read_cache.invalidate();
    live::status_changed(st, &mut lock, event.pk, change.status, prepared);
    tracing::info!(event_id = %event_id, from = %change.previous_status, to = %change.status, "status changed");
    Ok(change)
}

/// The config routes answer `Not found` for a missing event and for another event's key alike.
fn config_event(key: &EventRef, event_id: &str) -> Result<i32, ApiError> {
    if key.event_id == event_id {
        Ok(key.pk)
    } else {
        Err(ApiError::event_not_found_spaced(event_id))
    }
}

fn parse_config(text: &str) -> Result<EventConfig, ApiError> {
    EventConfig::from_json_text(text).map_err(|e| ApiError::Internal(format!("stored config: {e}")))
}

/// The stored config object (contract §4.6).
pub(crate) async fn config(
    st: &AppState,
    key: &EventRef,
    event_id: &str,
) -> Result<EventConfig, ApiError> {
    let pk = config_event(key, event_id)?;
    let text = match st.store.config(pk).await {
        Err(StoreError::EventNotFound) => {
            return Err(ApiError::event_not_found_spaced(event_id));
        }
        other => other?,
    };
    parse_config(&text)
}

/// Shallow-merges `patch` into the stored config under the `config` state guard (contract §4.7).
pub(crate) async fn patch_config(
    st: &AppState,
    key: &EventRef,
    event_id: &str,
    patch: ConfigPatch,
) -> Result<EventConfig, ApiError> {
    let pk = config_event(key, event_id)?;
    let result = st
        .store
        .update_config(pk, move |status, text| {
            status.guard(IngestKind::Config)?;
            let mut config = EventConfig::from_json_text(text)
                .map_err(|e| StoreError::Corrupt(format!("events.config: {e}")))?;
            config.apply(patch);
            Ok(config.to_json_text())
        })
        .await;
    let text = match result {
        Err(StoreError::EventNotFound) => {
            return Err(ApiError::event_not_found_spaced(event_id));
        }
        other => other?,
    };
    parse_config(&text)
}

/// The newest `limit` ingest-log entries of the URL's event (contract §4.8); everything buffered
/// is written first so the answer includes every completed request.
pub(crate) async fn ingest_log(
    st: &AppState,
    event_id: String,
    looked_up: Option<EventRef>,
    limit: i64,
) -> Result<Vec<LogEntry>, ApiError> {
    let event = url_event(st, &event_id, looked_up).await?;
    st.ingest_log.flush(&st.store).await;
    Ok(st.store.ingest_log(event.pk, limit).await?)
}
