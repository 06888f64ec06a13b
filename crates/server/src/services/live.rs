//! The live pipeline: what each committed write publishes to the event's WebSocket room, and
//! WebSocket admission (contract §5.2, §6).
//!
//! Every path that commits and publishes holds the event's write lock from `live-rooms` across
//! "commit → publish", so frames are numbered in commit order; admission takes the same lock, so
//! it is atomic with status changes and delete. Frames are encoded once here (the `data` part) and
//! by the rooms (the envelope); nothing awaits a socket.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use live_domain::EventStatus;
use live_domain::oncourse::OncourseItem;
use live_domain::public::FullData;
use live_rooms::{Admission, CloseReason, DiffKind, EventLock, RoomError};
use serde_json::json;
use tokio::task::AbortHandle;

use crate::app::AppState;
use crate::error::ApiError;

/// `{"oncourse":[…]}`: the on-course diff's `data` and the body of `GET …/oncourse`.
#[derive(Debug, serde::Serialize)]
pub(crate) struct OncourseData<'a> {
    /// The snapshot.
    pub(crate) oncourse: &'a [OncourseItem],
}

/// Encodes the `data` of an on-course diff.
pub(crate) fn oncourse_data(items: &[OncourseItem]) -> Result<String, ApiError> {
    serde_json::to_string(&OncourseData { oncourse: items })
        .map_err(|e| ApiError::Internal(format!("cannot encode on-course frame: {e}")))
}

/// Encodes the cached `full` data.
pub(crate) fn full_data_json(full: &FullData) -> Result<String, ApiError> {
    serde_json::to_string(full).map_err(|e| ApiError::Internal(format!("cannot encode full: {e}")))
}

/// What the room needs to announce a status change, read BEFORE the change is committed: the
/// `full` data to patch with the new status when the room has state. Reading first means a busy
/// database fails the request while nothing has changed yet, instead of leaving a committed
/// status that was never announced.
pub(crate) async fn prepare_status_change(
    st: &AppState,
    lock: &EventLock,
    pk: i32,
) -> Result<Option<FullData>, ApiError> {
    if lock.is_loaded() {
        Ok(st.store.full_data(pk).await?)
    } else {
        Ok(None)
    }
}

/// Publishes a committed status change and runs its effects (contract §5.2), in order: cache
/// rebuilt, status diff, on-course cleared, then the room closed (draft) or its close scheduled
/// (official). Nothing here can fail after the commit.
pub(crate) fn status_changed(
    st: &AppState,
    lock: &mut EventLock,
    pk: i32,
    status: EventStatus,
    prepared: Option<FullData>,
) {
    if let Some(mut full) = prepared {
        full.event.status = status;
        match full_data_json(&full) {
            Ok(json) => lock.set_full(status, json),
            Err(e) => tracing::error!(error = %e, "full cache not refreshed"),
        }
    }
    let data = json!({ "status": status }).to_string();
    lock.publish_diff(DiffKind::Status, &data);
    if status.clears_oncourse() {
        st.oncourse.clear(pk);
        st.timers.cancel(pk);
        lock.clear_oncourse();
    }
    match status {
        EventStatus::Official => st
            .rooms
            .schedule_official_close(lock.event_id(), st.config.rooms.official_close_grace),
        EventStatus::Draft => lock.close(CloseReason::Unpublished),
        _ => {}
    }
}

/// Cluster mode: publishes a committed status change. The frame carries the `full` data with
/// the new status, read after the commit (at worst newer than the frame, never older), so
/// every instance refreshes its cache with it; the effects (on-course cleared, official close,
/// unpublish close) follow on each instance as the frame is delivered.
pub(crate) async fn publish_status(
    st: &AppState,
    cluster: &crate::cluster::Cluster,
    pk: i32,
    event_id: &str,
    status: EventStatus,
    sequence: &live_store::Sequence,
) {
    if status.clears_oncourse() {
        st.timers.cancel(pk);
    }
    let full = match st.store.full_data(pk).await {
        Ok(Some(mut full)) => {
            full.event.status = status;
            full_data_json(&full).ok()
        }
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(event_id, error = %e, "status frame sent without full data");
            None
        }
    };
    let data = json!({ "status": status }).to_string();
    let Some(full) = full else {
        // Without the data the frame cannot refresh caches: leave the number unpublished, so
        // every room resyncs from the database with a `full` (the row says a full is needed).
        return;
    };
    let frames = crate::cluster::Frames::new(pk, event_id, sequence)
        .diff(DiffKind::Status, &data, Some((status, &full)))
        .into_frames();
    cluster.publish(st, frames).await;
}

/// Publishes an on-course snapshot (unless identical to the previous one, DV7) and re-arms the
/// event's expiry timer.
pub(crate) fn oncourse_changed(
    st: &AppState,
    lock: &mut EventLock,
    pk: i32,
    snapshot: &[OncourseItem],
) -> Result<(), ApiError> {
    lock.publish_oncourse(&oncourse_data(snapshot)?);
    st.timers.arm(st, lock.event_id(), pk);
    Ok(())
}

/// One pending expiry timer per event (data-model §4), due at the earliest entry's expiry.
#[derive(Debug, Clone, Default)]
pub(crate) struct OncourseTimers {
    pending: Arc<Mutex<HashMap<i32, AbortHandle>>>,
}

impl OncourseTimers {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<i32, AbortHandle>) -> T) -> T {
        f(&mut self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Cancels the timer of event `pk`.
    pub(crate) fn cancel(&self, pk: i32) {
        if let Some(h) = self.with(|m| m.remove(&pk)) {
            h.abort();
        }
    }

    /// (Re-)arms the timer of event `pk` for its board's next expiry; none when the board is
    /// empty. When it fires it removes what expired and publishes the remaining snapshot.
    pub(crate) fn arm(&self, st: &AppState, event_id: &str, pk: i32) {
        let Some(due) = st.oncourse.next_expiry(pk) else {
            self.cancel(pk);
            return;
        };
        let st2 = st.clone();
        let event_id = event_id.to_owned();
        self.arm_with(
            pk,
            due.saturating_duration_since(std::time::Instant::now()),
            async move {
                expire(&st2, &event_id, pk).await;
            },
        );
    }

    /// Runs `expiry` after `wait` as event `pk`'s timer, replacing (aborting) the previous one.
    /// The task removes its own entry before the work, so re-arming from inside it does not
    /// abort it.
    pub(crate) fn arm_with(
        &self,
        pk: i32,
        wait: std::time::Duration,
        expiry: impl Future<Output = ()> + Send + 'static,
    ) {
        let timers = self.clone();
        // The map lock is held across the spawn so the new handle replaces the old one before
        // the task can run.
        self.with(|m| {
            let task = tokio::spawn(async move {
                tokio::time::sleep(wait).await;
                timers.with(|m| m.remove(&pk));
                expiry.await;
            });
            if let Some(old) = m.insert(pk, task.abort_handle()) {
                old.abort();
            }
        });
    }
}

async fn expire(st: &AppState, event_id: &str, pk: i32) {
    let mut lock = st.rooms.lock(event_id).await;
    if let Some(snapshot) = st.oncourse.expire(pk) {
        match oncourse_data(&snapshot) {
            Ok(data) => {
                lock.publish_oncourse(&data);
            }
            Err(e) => tracing::error!(error = %e, "on-course expiry not published"),
        }
    }
    st.timers.arm(st, event_id, pk);
}

impl From<RoomError> for ApiError {
    fn from(e: RoomError) -> Self {
        match e {
            RoomError::NotPublic => ApiError::ws_not_found(),
            RoomError::Official => ApiError::Gone,
            RoomError::EventFull { limit } | RoomError::TotalFull { limit } => {
                ApiError::ConnectionLimit {
                    message: e.to_string(),
                    max: limit,
                    per_event: matches!(e, RoomError::EventFull { .. }),
                }
            }
            RoomError::ShuttingDown => ApiError::Unavailable,
        }
    }
}

/// What admission decided for an upgrade request that passed every check.
#[derive(Debug)]
pub(crate) enum Admitted {
    /// Joined the room; the connection task writes these first frames.
    Room(Admission),
    /// The event is visible but its first frame could not be composed: upgrade, then close
    /// with 1011 (contract §6.9). No slot is taken.
    FirstFrameFailed,
}

/// WebSocket admission (contract §6.1), all under the event's lock: 404 for a missing or draft
/// event, 410 for an official one, 426 without a valid upgrade, 503 at the caps; then the join
/// with the first frames (cached `full`, or the missed frames for a valid `since`).
pub(crate) async fn admit(
    st: &AppState,
    event_id: &str,
    since: Option<&str>,
    is_upgrade: bool,
) -> Result<Admitted, ApiError> {
    let mut lock = st.rooms.lock(event_id).await;
    if !lock.is_loaded() {
        let event = st.store.event_by_id(event_id.to_owned()).await?;
        let pk = match event.map(|e| (e.pk, e.status)) {
            None | Some((_, EventStatus::Draft)) => return Err(ApiError::ws_not_found()),
            Some((_, EventStatus::Official)) => return Err(ApiError::Gone),
            Some((pk, _)) => pk,
        };
        if !is_upgrade {
            return Err(ApiError::UpgradeRequired);
        }
        match load_room(st, &mut lock, pk).await {
            Ok(true) => {}
            Ok(false) => return Err(ApiError::ws_not_found()),
            Err(e) => {
                tracing::error!(%event_id, error = %e, "first frame cannot be composed: 1011");
                return Ok(Admitted::FirstFrameFailed);
            }
        }
    }
    lock.check_visible()?;
    if !is_upgrade {
        return Err(ApiError::UpgradeRequired);
    }
    if let Some(cluster) = &st.cluster {
        lock = await_since(st, cluster, event_id, lock, since).await;
    }
    Ok(Admitted::Room(lock.admit(since)?))
}

/// Cluster mode: a `since` ahead of this instance's room names frames that are committed and on
/// their way here (the spectator saw them first on the instance that committed them, then
/// reconnected here). Waiting for them, at most `CLUSTER_GAP_MS`, lets the resume replay the
/// rest instead of answering with a `full`. The lock is released while waiting.
async fn await_since(
    st: &AppState,
    cluster: &crate::cluster::Cluster,
    event_id: &str,
    mut lock: EventLock,
    since: Option<&str>,
) -> EventLock {
    let deadline = tokio::time::Instant::now() + cluster.timing().gap_wait;
    while since_ahead(lock.position().as_ref(), since) && tokio::time::Instant::now() < deadline {
        drop(lock);
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        lock = st.rooms.lock(event_id).await;
    }
    lock
}

/// Whether `since=<epoch>:<seq>` names this room's epoch and a `seq` beyond its position.
fn since_ahead(position: Option<&(String, u64)>, since: Option<&str>) -> bool {
    let (Some((epoch, seq)), Some(since)) = (position, since) else {
        return false;
    };
    since
        .rsplit_once(':')
        .filter(|(e, _)| e == epoch)
        .and_then(|(_, s)| s.parse::<u64>().ok())
        .is_some_and(|wanted| wanted > *seq)
}

/// Creates the room's sequence state; false when the event vanished meanwhile. A single node
/// starts a new epoch at `seq` 0 with the `full` data read now. In cluster mode the position is
/// the row's (read in the same snapshot as the data) and the resume ring is what the stream
/// retains, so a spectator of another instance, or of this one before a restart, resumes here.
async fn load_room(st: &AppState, lock: &mut EventLock, pk: i32) -> Result<bool, ApiError> {
    let Some(cluster) = &st.cluster else {
        let Some(full) = st.store.full_data(pk).await? else {
            return Ok(false);
        };
        lock.load(full.event.status, full_data_json(&full)?);
        return Ok(true);
    };
    let Some((full, position)) = st.store.full_data_at(pk).await? else {
        return Ok(false);
    };
    let json = full_data_json(&full)?;
    let backlog = cluster.backlog(pk, &position.epoch).await;
    cluster.remember(lock.event_id(), pk);
    lock.load_sequenced(
        position.status,
        json,
        (position.epoch, position.seq, position.needs_full_seq),
        backlog,
    );
    Ok(true)
}

/// The live position `(epoch, seq)` a page rendered now starts from, read before the page's data
/// so that resuming from it replays every frame the data may not include (contract §6.6).
/// Loads the event's sequence state like a first connection would; `None` for an `official`
/// event (no live updates) or when the state cannot be composed (the page then connects without
/// `since` and gets a `full`). 404 for a missing or draft event.
pub(crate) async fn page_position(
    st: &AppState,
    event_id: &str,
) -> Result<Option<(String, u64)>, ApiError> {
    let mut lock = st.rooms.lock(event_id).await;
    if !lock.is_loaded() {
        let event = st.store.event_by_id(event_id.to_owned()).await?;
        let pk = match event.map(|e| (e.pk, e.status)) {
            None | Some((_, EventStatus::Draft)) => {
                return Err(ApiError::not_found("Event not found"));
            }
            Some((_, EventStatus::Official)) => return Ok(None),
            Some((pk, _)) => pk,
        };
        match load_room(st, &mut lock, pk).await {
            Ok(true) => {}
            Ok(false) => return Err(ApiError::not_found("Event not found")),
            Err(e) => {
                tracing::warn!(%event_id, error = %e, "page position unavailable");
                return Ok(None);
            }
        }
    }
    if lock.check_visible().is_err() {
        return Ok(None);
    }
    Ok(lock.position())
}

#[cfg(test)]
mod tests {
    use super::since_ahead;

    #[test]
    fn only_a_since_beyond_the_room_in_its_epoch_is_ahead() {
        let at = ("00aa".to_owned(), 7);
        assert!(since_ahead(Some(&at), Some("00aa:8")));
        assert!(!since_ahead(Some(&at), Some("00aa:7")));
        assert!(!since_ahead(Some(&at), Some("00aa:3")));
        assert!(
            !since_ahead(Some(&at), Some("ffff:9")),
            "another epoch gets a full at once"
        );
        assert!(!since_ahead(Some(&at), Some("00aa:x")));
        assert!(!since_ahead(Some(&at), None));
        assert!(!since_ahead(None, Some("00aa:8")));
    }
}
