//! The read cache: encoded public answers, reused until the next write.
//!
//! After every frame, thousands of spectators re-fetch the same few lists at once (the SPA
//! re-reads over REST after `full`/`refresh`, and polling clients revalidate constantly). The
//! first request after a write composes and encodes the answer; every later one gets the same
//! bytes and tag without a query. Correctness is by generation: every committed write that can
//! change a public answer calls [`ReadCache::invalidate`] before it answers, and an answer is
//! stored only under the generation that was current before it was composed, so an answer
//! computed from a snapshot older than a write can never be served after that write.
//!
//! The on-course list is not cached: it changes with time (entries expire) as well as with writes.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::respond::PublicBody;

/// Entries kept at most; beyond it the cache starts over (keys are request paths, so a client
/// walking random URLs cannot grow it without bound).
const MAX_ENTRIES: usize = 4096;

#[derive(Debug, Default)]
struct Inner {
    generation: u64,
    entries: HashMap<String, Arc<PublicBody>>,
}

/// Shared by every worker.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReadCache {
    inner: Arc<Mutex<Inner>>,
}

impl ReadCache {
    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        f(&mut self.inner.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// The current generation; read it BEFORE composing an answer to [`ReadCache::put`].
    pub(crate) fn generation(&self) -> u64 {
        self.with(|i| i.generation)
    }

    /// The cached answer for `key`, if any.
    pub(crate) fn get(&self, key: &str) -> Option<Arc<PublicBody>> {
        self.with(|i| i.entries.get(key).cloned())
    }

    /// Keeps `body` for `key` if no write happened since `generation` was read.
    pub(crate) fn put(&self, key: String, generation: u64, body: Arc<PublicBody>) {
        self.with(|i| {
            if i.generation != generation {
                return;
            }
            if i.entries.len() >= MAX_ENTRIES {
                i.entries.clear();
            }
            i.entries.insert(key, body);
        });
    }

    /// Drops every answer: a write committed.
    pub(crate) fn invalidate(&self) {
        self.with(|i| {
            i.generation = i.generation.wrapping_add(1);
            i.entries.clear();
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::respond::Freshness;
    use actix_web::http::header::HeaderValue;

    fn body() -> Arc<PublicBody> {
        Arc::new(PublicBody::new(
            HeaderValue::from_static("text/plain"),
            b"x".to_vec(),
            Freshness::Live,
        ))
    }

    #[test]
    fn answers_composed_before_a_write_are_never_kept() {
        let cache = ReadCache::default();
        let g = cache.generation();
        cache.put("/a".to_owned(), g, body());
        assert!(cache.get("/a").is_some());
        let before_write = cache.generation();
        cache.invalidate();
        assert!(cache.get("/a").is_none());
        cache.put("/a".to_owned(), before_write, body());
        assert!(cache.get("/a").is_none(), "a stale answer was stored");
        cache.put("/a".to_owned(), cache.generation(), body());
        assert!(cache.get("/a").is_some());
    }

    #[test]
    fn the_cache_is_bounded() {
        let cache = ReadCache::default();
        for n in 0..=MAX_ENTRIES {
            cache.put(format!("/{n}"), 0, body());
        }
        assert!(cache.with(|i| i.entries.len()) <= MAX_ENTRIES);
    }
}
