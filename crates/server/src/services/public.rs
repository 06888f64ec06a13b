//! The public read API (contract §4.12–§4.18): what a spectator's app reads on first load, as
//! the fallback without WebSocket, and after every `full`/`refresh`.
//!
//! Draft events are invisible everywhere (404); official events stay readable. Every read runs
//! on the store's read pool in one or two queries.

use live_domain::oncourse::OncourseItem;
use live_domain::public::{CategorySummary, EventDetail, PublicEventItem, RaceResults, Startlist};
use live_domain::{EventRef, EventStatus};

use crate::app::AppState;
use crate::error::ApiError;
use crate::respond::Freshness;
use crate::services::oncourse::ensure_courses;

/// How fresh an event's data must be kept by caches (contract §1.6).
pub(crate) fn freshness(status: EventStatus) -> Freshness {
    if status == EventStatus::Official {
        Freshness::Official
    } else {
        Freshness::Live
    }
}

fn event_not_found() -> ApiError {
    ApiError::not_found("Event not found")
}

/// The event `event_id` if the public may see it.
pub(crate) async fn visible_event(st: &AppState, event_id: &str) -> Result<EventRef, ApiError> {
    match st.store.event_by_id(event_id.to_owned()).await? {
        Some(e) if e.status.is_public() => Ok(e),
        _ => Err(event_not_found()),
    }
}

/// Every non-draft event (§4.12).
pub(crate) async fn events(st: &AppState) -> Result<Vec<PublicEventItem>, ApiError> {
    Ok(st.store.public_events().await?)
}

/// The event with its classes and races (§4.13).
pub(crate) async fn detail(st: &AppState, event_id: &str) -> Result<EventDetail, ApiError> {
    match st.store.event_detail(event_id.to_owned()).await? {
        Some(d) if d.event.status.is_public() => Ok(d),
        _ => Err(event_not_found()),
    }
}

/// A race's results (§4.15).
pub(crate) async fn results(
    st: &AppState,
    event_id: &str,
    race_id: String,
    cat_id: Option<String>,
    detailed: bool,
) -> Result<(EventStatus, RaceResults), ApiError> {
    let event = visible_event(st, event_id).await?;
    let results = st
        .store
        .race_results(event.pk, race_id, cat_id.as_deref(), detailed)
        .await?
        .ok_or_else(|| ApiError::not_found("Race not found"))?;
    Ok((event.status, results))
}

/// A race's start list (§4.16).
pub(crate) async fn startlist(
    st: &AppState,
    event_id: &str,
    race_id: String,
) -> Result<(EventStatus, Startlist), ApiError> {
    let event = visible_event(st, event_id).await?;
    let list = st
        .store
        .startlist(event.pk, race_id)
        .await?
        .ok_or_else(|| ApiError::not_found("Race not found"))?;
    Ok((event.status, list))
}

/// The riders on course (§4.17): never an expired entry.
pub(crate) async fn oncourse(
    st: &AppState,
    event_id: &str,
) -> Result<(EventStatus, Vec<OncourseItem>), ApiError> {
    let event = visible_event(st, event_id).await?;
    if st.cluster.is_some() {
        // Cluster mode: the board lives in the row (any instance may have taken the POST).
        return Ok((
            event.status,
            crate::cluster::oncourse::snapshot(st, event.pk).await?,
        ));
    }
    ensure_courses(st, event.pk).await?;
    Ok((event.status, st.oncourse.snapshot(event.pk)))
}

/// Every category of the event (§4.18).
pub(crate) async fn categories(
    st: &AppState,
    event_id: &str,
) -> Result<(EventStatus, Vec<CategorySummary>), ApiError> {
    let event = visible_event(st, event_id).await?;
    Ok((event.status, st.store.categories(event.pk).await?))
}

/// The event image (§4.14): 404 for a missing event, a draft (DV30) or no image.
pub(crate) async fn image(st: &AppState, event_id: &str) -> Result<(String, Vec<u8>), ApiError> {
    match st.store.image(event_id.to_owned()).await? {
        Some((content_type, bytes, status)) if status.is_public() => Ok((content_type, bytes)),
        _ => Err(ApiError::not_found("Image not found")),
    }
}
