//! The on-course boards of all events, in memory (c123-xml.md §12.2, DV4, DV5).
//!
//! Keyed by the event's internal id, so a deleted and re-created event never sees the old riders.
//! Each board remembers the gate configuration of every race of its event (loaded once from the
//! store, replaced after each XML import) so snapshots type gates without a query.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use live_domain::oncourse::{OncourseBoard, OncourseItem};
use live_domain::requests::OncourseEntryIngest;

use crate::error::ApiError;

/// Loads the course configurations of event `pk` into its board when they are not cached (first
/// use, or after an XML import invalidated them), so on-course gates get their types.
pub(crate) async fn ensure_courses(st: &crate::app::AppState, pk: i32) -> Result<(), ApiError> {
    if st.oncourse.courses(pk).is_none() {
        st.oncourse
            .set_courses(pk, st.store.course_configs(pk).await?);
    }
    Ok(())
}

/// Race id → normalised course configuration.
pub(crate) type Courses = HashMap<String, Option<String>>;

#[derive(Debug, Default)]
struct EventBoard {
    board: OncourseBoard,
    courses: Option<Arc<Courses>>,
}

impl EventBoard {
    /// The live entries, gates typed with the cached courses (`unknown` while none are loaded).
    fn snapshot(&self, now: Instant, ttl: Duration) -> Vec<OncourseItem> {
        static NO_COURSES: std::sync::LazyLock<Courses> = std::sync::LazyLock::new(Courses::new);
        self.board
            .snapshot(now, ttl, self.courses.as_deref().unwrap_or(&NO_COURSES))
    }
}

/// Every event's board.
#[derive(Debug, Clone)]
pub(crate) struct Oncourse {
    ttl: Duration,
    boards: Arc<Mutex<HashMap<i32, EventBoard>>>,
}

impl Oncourse {
    /// Boards whose entries live `ttl` after their last report.
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            boards: Arc::default(),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut HashMap<i32, EventBoard>) -> T) -> T {
        f(&mut self.boards.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The cached course configurations of event `pk`, if loaded.
    pub(crate) fn courses(&self, pk: i32) -> Option<Arc<Courses>> {
        self.with(|b| b.get(&pk).and_then(|e| e.courses.clone()))
    }

    /// Replaces the course configurations of event `pk` (after loading, or after an XML import).
    pub(crate) fn set_courses(&self, pk: i32, courses: Courses) {
        self.with(|b| b.entry(pk).or_default().courses = Some(Arc::new(courses)));
    }

    /// Forgets the cached course configurations of event `pk` (after an XML import changed them).
    pub(crate) fn invalidate_courses(&self, pk: i32) {
        self.with(|b| {
            if let Some(e) = b.get_mut(&pk) {
                e.courses = None;
            }
        });
    }

    /// Applies one accepted POST; returns the number of entries held and the new snapshot.
    pub(crate) fn apply(
        &self,
        pk: i32,
        entries: Vec<OncourseEntryIngest>,
    ) -> (usize, Vec<OncourseItem>) {
        let now = Instant::now();
        self.with(|b| {
            let e = b.entry(pk).or_default();
            let active = e.board.apply(entries, now, self.ttl);
            (active, e.snapshot(now, self.ttl))
        })
    }

    /// The live entries of event `pk`.
    pub(crate) fn snapshot(&self, pk: i32) -> Vec<OncourseItem> {
        let now = Instant::now();
        self.with(|b| {
            b.get(&pk)
                .map_or_else(Vec::new, |e| e.snapshot(now, self.ttl))
        })
    }

    /// Drops expired entries of event `pk`; `Some(snapshot)` when that changed anything.
    pub(crate) fn expire(&self, pk: i32) -> Option<Vec<OncourseItem>> {
        let now = Instant::now();
        self.with(|b| {
            let e = b.get_mut(&pk)?;
            if !e.board.expire(now, self.ttl) {
                return None;
            }
            Some(e.snapshot(now, self.ttl))
        })
    }

    /// When the earliest entry of event `pk` expires.
    pub(crate) fn next_expiry(&self, pk: i32) -> Option<Instant> {
        self.with(|b| b.get(&pk).and_then(|e| e.board.next_expiry(self.ttl)))
    }

    /// Forgets the riders of event `pk` (→ finished/official/draft), keeping its courses.
    pub(crate) fn clear(&self, pk: i32) {
        self.with(|b| {
            if let Some(e) = b.get_mut(&pk) {
                e.board = OncourseBoard::default();
            }
        });
    }

    /// Forgets event `pk` entirely (delete).
    pub(crate) fn remove(&self, pk: i32) {
        self.with(|b| b.remove(&pk));
    }
}
