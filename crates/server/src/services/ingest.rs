//! The three booth feeds (contract §4.9–§4.11): XML snapshots, live results and riders on course.
//!
//! Each applies the state guard at request time, answers `ignored` for a JSON feed of an event
//! that never received XML, writes in one transaction, and returns what changed so the live
//! pipeline can publish exactly that.
//!
//! The guard is applied twice: with the status read while authenticating (so a refused request
//! costs no parsing and no lock), and again under the event's write lock, right before the write
//! (contract §5.3). Every status change commits under that same lock, so the second check sees
//! the status the write lands in: a push authenticated just before `→ finished` cannot refill the
//! board that the change cleared, and nothing is written after `→ official`.

use actix_web::HttpRequest;
use live_domain::c123::{ImportedCounts, parse_export};
use live_domain::requests::{EventConfig, OncourseIngest, ResultsIngest, XmlIngest};
use live_domain::{EventRef, IngestKind};
use live_rooms::{DiffKind, EventLock};
use serde::Serialize;

use crate::app::AppState;
use crate::cluster::Frames;
use crate::error::ApiError;
use crate::extract::{mark_ignored, record_items};
use crate::services::live;
use crate::services::oncourse::ensure_courses;

/// `{"imported":{…}}`.
#[derive(Debug, Serialize)]
pub(crate) struct XmlAnswer {
    imported: ImportedCounts,
}

/// `{"updated":n}` or `{"updated":0,"ignored":true}`.
#[derive(Debug, Serialize)]
pub(crate) struct ResultsAnswer {
    updated: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    ignored: bool,
}

/// `{"active":n}` or `{"active":0,"ignored":true}`.
#[derive(Debug, Serialize)]
pub(crate) struct OncourseAnswer {
    active: usize,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    ignored: bool,
}

/// The state guard under the event's write lock (`_lock` proves it is held): the status is read
/// now, and no status change can commit until the lock is released.
async fn guard_locked(
    st: &AppState,
    _lock: &EventLock,
    key: &EventRef,
    kind: IngestKind,
) -> Result<(), ApiError> {
    st.store.event_status(key.pk).await?.guard(kind)?;
    Ok(())
}

/// Imports a Canoe123 export (c123-xml.md): parse off the worker, apply in one transaction.
pub(crate) async fn xml(
    st: &AppState,
    req: &HttpRequest,
    key: &EventRef,
    body: XmlIngest,
) -> Result<XmlAnswer, ApiError> {
    body.check()
        .map_err(|e| ApiError::BadRequest(e.into_message()))?;
    key.status.guard(IngestKind::Xml)?;
    // Parsing a 3 MB export takes milliseconds of CPU: keep it off the actix worker.
    let export = tokio::task::spawn_blocking(move || parse_export(&body.xml))
        .await
        .map_err(|e| ApiError::Internal(format!("XML parser task failed: {e}")))?
        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let imported = export.imported;
    let config = st.store.config(key.pk).await?;
    let strategy = EventConfig::from_json_text(&config)
        .map_err(|e| ApiError::Internal(format!("stored config: {e}")))?
        .merge_strategy();
    if let Some(cluster) = &st.cluster {
        // Cluster mode: the row lock in the transaction serialises the write and checks the
        // guard; the frame is numbered there and reaches every instance's rooms via the bus.
        let applied = st
            .store
            .apply_xml_guarded(key.pk, export, strategy, Some(IngestKind::Xml))
            .await?;
        st.read_cache.invalidate();
        record_items(req, imported.total() as u64);
        st.oncourse.invalidate_courses(key.pk);
        if let Some(sequence) = &applied.sequence {
            match live::full_data_json(&applied.full) {
                Ok(json) => {
                    let frames = Frames::new(key.pk, &key.event_id, sequence)
                        .full(applied.full.event.status, &json)
                        .into_frames();
                    cluster.publish(st, frames).await;
                }
                // The number is taken: every room sees the gap and resyncs with a `full`.
                Err(e) => tracing::error!(error = %e, "full frame not composed after XML import"),
            }
        }
        return Ok(XmlAnswer { imported });
    }
    let mut lock = st.rooms.lock(&key.event_id).await;
    guard_locked(st, &lock, key, IngestKind::Xml).await?;
    let applied = st.store.apply_xml(key.pk, export, strategy).await?;
    st.read_cache.invalidate();
    record_items(req, imported.total() as u64);
    // Committed: from here on nothing may fail. The courses are reloaded on their next use.
    st.oncourse.invalidate_courses(key.pk);
    match live::full_data_json(&applied.full) {
        Ok(json) => {
            lock.set_full(applied.full.event.status, json);
            lock.publish_full();
        }
        Err(e) => {
            tracing::error!(error = %e, "full frame not composed after XML import");
            lock.publish_refresh();
        }
    }
    Ok(XmlAnswer { imported })
}

/// Applies a live results table (c123-xml.md §12.1).
pub(crate) async fn results(
    st: &AppState,
    req: &HttpRequest,
    key: &EventRef,
    body: ResultsIngest,
) -> Result<ResultsAnswer, ApiError> {
    key.status.guard(IngestKind::JsonResults)?;
    if !key.has_xml_data {
        mark_ignored(req);
        return Ok(ResultsAnswer {
            updated: 0,
            ignored: true,
        });
    }
    if let Some(cluster) = &st.cluster {
        let applied = st
            .store
            .apply_results_guarded(key.pk, body.results, Some(IngestKind::JsonResults))
            .await?;
        if applied.updated > 0 {
            st.read_cache.invalidate();
        }
        if let Some(sequence) = &applied.sequence {
            let frames = applied
                .diffs
                .iter()
                .fold(
                    Frames::new(key.pk, &key.event_id, sequence),
                    |frames, diff| frames.diff(DiffKind::Results, &diff.data_json(), None),
                )
                .into_frames();
            cluster.publish(st, frames).await;
        }
        return Ok(ResultsAnswer {
            updated: applied.updated,
            ignored: false,
        });
    }
    let mut lock = st.rooms.lock(&key.event_id).await;
    guard_locked(st, &lock, key, IngestKind::JsonResults).await?;
    let applied = st.store.apply_results(key.pk, body.results).await?;
    if applied.updated > 0 {
        st.read_cache.invalidate();
    }
    for diff in &applied.diffs {
        lock.publish_diff(DiffKind::Results, &diff.data_json());
    }
    Ok(ResultsAnswer {
        updated: applied.updated,
        ignored: false,
    })
}

/// Stores the riders on course (c123-xml.md §12.2).
pub(crate) async fn oncourse(
    st: &AppState,
    req: &HttpRequest,
    key: &EventRef,
    body: OncourseIngest,
) -> Result<OncourseAnswer, ApiError> {
    key.status.guard(IngestKind::JsonOncourse)?;
    if !key.has_xml_data {
        mark_ignored(req);
        return Ok(OncourseAnswer {
            active: 0,
            ignored: true,
        });
    }
    if let Some(cluster) = &st.cluster {
        let active =
            crate::cluster::oncourse::apply(st, cluster, key.pk, &key.event_id, body.oncourse)
                .await?;
        return Ok(OncourseAnswer {
            active,
            ignored: false,
        });
    }
    ensure_courses(st, key.pk).await?;
    let mut lock = st.rooms.lock(&key.event_id).await;
    guard_locked(st, &lock, key, IngestKind::JsonOncourse).await?;
    let (active, snapshot) = st.oncourse.apply(key.pk, body.oncourse);
    live::oncourse_changed(st, &mut lock, key.pk, &snapshot)?;
    Ok(OncourseAnswer {
        active,
        ignored: false,
    })
}
