//! The on-course board in cluster mode (c123-xml.md §12.2, DV4, DV5, DV7).
//!
//! The booth's consecutive POSTs may reach different instances, so the board lives in the
//! event's row, read and written under the row lock in the POST's transaction, with wall-clock
//! report times. The previous on-course frame (DV7's "identical frames are not sent") is stored
//! beside it, so dedup holds across instances too.
//!
//! Expiry has two owners that agree: the instance that applied the last POST arms a timer for
//! the board's next expiry (as a single node does), and every instance sweeps the boards whose
//! stored expiry time has passed at each `CLUSTER_SYNC_MS` tick, which covers a timer lost with
//! its instance. Both run the same idempotent step under the row lock: drop what expired,
//! publish the new snapshot unless it equals the previous frame. Whoever comes second finds
//! nothing to do.

use std::time::Instant;

use live_domain::oncourse::{OncourseBoard, OncourseItem};
use live_domain::requests::OncourseEntryIngest;
use live_rooms::DiffKind;
use live_store::{OncourseUpdate, StoreError};

use super::{Cluster, Frames};
use crate::app::AppState;
use crate::error::ApiError;
use crate::services::live::oncourse_data;
use crate::services::oncourse::{Courses, ensure_courses};

fn now_ms() -> i64 {
    live_domain::time::now().timestamp_millis()
}

fn board_from(json: Option<&str>, now: Instant, now_ms: i64) -> Result<OncourseBoard, StoreError> {
    match json {
        Some(text) => OncourseBoard::from_stored(text, now, now_ms)
            .map_err(|e| StoreError::Corrupt(format!("events.oncourse_board: {e}"))),
        None => Ok(OncourseBoard::default()),
    }
}

/// The row update for `board`: its stored form, its next expiry, and the frame to publish if
/// the snapshot differs from the previous frame (DV7).
fn settle(
    board: &OncourseBoard,
    last: Option<&str>,
    courses: &Courses,
    ttl: std::time::Duration,
    now: Instant,
    now_ms: i64,
) -> Result<OncourseUpdate, StoreError> {
    let snapshot = board.snapshot(now, ttl, courses);
    let data = oncourse_data(&snapshot).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let publish = (last != Some(data.as_str())).then_some(data);
    Ok(OncourseUpdate {
        board_json: if board.is_empty() {
            None
        } else {
            Some(board.to_stored(now, now_ms)?)
        },
        publish,
        due_ms: board.next_expiry_ms(ttl, now, now_ms),
    })
}

/// Applies one accepted POST (cluster mode) and publishes the snapshot if it changed; returns
/// the number of entries held.
pub(crate) async fn apply(
    st: &AppState,
    cluster: &Cluster,
    pk: i32,
    event_id: &str,
    entries: Vec<OncourseEntryIngest>,
) -> Result<usize, ApiError> {
    ensure_courses(st, pk).await?;
    let courses = st.oncourse.courses(pk).unwrap_or_default();
    let ttl = st.config.oncourse_ttl;
    let (active, sequence, due_ms) = st
        .store
        .update_oncourse_guarded(
            pk,
            Some(live_domain::IngestKind::JsonOncourse),
            move |board, last| {
                let (now, now_ms) = (Instant::now(), now_ms());
                let mut board = board_from(board.as_deref(), now, now_ms)?;
                let active = board.apply(entries, now, ttl);
                let update = settle(&board, last.as_deref(), &courses, ttl, now, now_ms)?;
                let (due, data) = (update.due_ms, update.publish.clone());
                Ok((update, (active, due, data)))
            },
        )
        .await
        .map(|((active, due, data), sequence)| (active, sequence.zip(data), due))?;
    publish(st, cluster, pk, event_id, sequence).await;
    arm(st, cluster, pk, event_id, due_ms);
    Ok(active)
}

/// Drops what expired from event `pk`'s board and publishes the new snapshot if it changed.
/// Idempotent: any instance may run it at any time.
pub(crate) async fn expire(st: &AppState, cluster: &Cluster, pk: i32, event_id: &str) {
    if let Err(e) = ensure_courses(st, pk).await {
        tracing::warn!(event_id, error = %e, "on-course expiry postponed");
        return;
    }
    let courses = st.oncourse.courses(pk).unwrap_or_default();
    let ttl = st.config.oncourse_ttl;
    let result = st
        .store
        .update_oncourse(pk, move |stored, last| {
            let (now, now_ms) = (Instant::now(), now_ms());
            let mut board = board_from(stored.as_deref(), now, now_ms)?;
            if !board.expire(now, ttl) {
                let board_json_kept = stored;
                let due = board.next_expiry_ms(ttl, now, now_ms);
                // Nothing expired: the row keeps its board and previous frame.
                return Ok((
                    OncourseUpdate {
                        board_json: board_json_kept,
                        publish: None,
                        due_ms: due,
                    },
                    (due, None),
                ));
            }
            let update = settle(&board, last.as_deref(), &courses, ttl, now, now_ms)?;
            let (due, data) = (update.due_ms, update.publish.clone());
            Ok((update, (due, data)))
        })
        .await;
    match result {
        Ok(((due_ms, data), sequence)) => {
            publish(st, cluster, pk, event_id, sequence.zip(data)).await;
            arm(st, cluster, pk, event_id, due_ms);
        }
        Err(StoreError::EventNotFound) => {}
        Err(e) => tracing::warn!(event_id, error = %e, "on-course expiry not applied"),
    }
}

/// Expires every board whose stored expiry time has passed (any instance, every sync tick).
pub(crate) async fn sweep(st: &AppState) {
    let Some(cluster) = st.cluster.as_ref() else {
        return;
    };
    match st.store.events_with_due_oncourse(now_ms()).await {
        Ok(due) => {
            for (pk, event_id) in due {
                expire(st, cluster, pk, &event_id).await;
            }
        }
        Err(e) => tracing::warn!(error = %e, "on-course sweep skipped"),
    }
}

/// The live entries of event `pk`, read from its row (REST, any instance).
pub(crate) async fn snapshot(st: &AppState, pk: i32) -> Result<Vec<OncourseItem>, ApiError> {
    ensure_courses(st, pk).await?;
    let courses = st.oncourse.courses(pk).unwrap_or_default();
    let stored = st.store.oncourse_board(pk).await?;
    let (now, now_ms) = (Instant::now(), now_ms());
    let board = board_from(stored.as_deref(), now, now_ms)?;
    Ok(board.snapshot(now, st.config.oncourse_ttl, &courses))
}

async fn publish(
    st: &AppState,
    cluster: &Cluster,
    pk: i32,
    event_id: &str,
    published: Option<(live_store::Sequence, String)>,
) {
    let Some((sequence, data)) = published else {
        return;
    };
    let frames = Frames::new(pk, event_id, &sequence)
        .diff(DiffKind::Oncourse, &data, None)
        .into_frames();
    cluster.publish(st, frames).await;
}

/// This instance's timer for the board's next expiry (replacing the previous one).
fn arm(st: &AppState, cluster: &Cluster, pk: i32, event_id: &str, due_ms: Option<i64>) {
    let Some(due_ms) = due_ms else {
        st.timers.cancel(pk);
        return;
    };
    let wait = u64::try_from(due_ms - now_ms()).unwrap_or(0);
    let (st2, cluster2, event_id) = (st.clone(), cluster.clone(), event_id.to_owned());
    st.timers
        .arm_with(pk, std::time::Duration::from_millis(wait), async move {
            expire(&st2, &cluster2, pk, &event_id).await;
        });
}
