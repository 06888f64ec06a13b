//! Epoch tokens: 16 lowercase hex digits, new whenever an event's sequence state is created.
//!
//! The epoch only has to differ between sequence states (a restart, a re-created event, a state
//! dropped and rebuilt), so that a `since` from an old sequence never resumes into a new one. It
//! comes from the OS random source; should that fail, a hash keyed by the standard library's
//! per-process random seed over a counter and the clock is used instead of panicking.

use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

/// A fresh random epoch.
pub(crate) fn new_epoch() -> String {
    let mut bytes = [0_u8; 8];
    if getrandom::fill(&mut bytes).is_err() {
        bytes = fallback_bytes();
    }
    hex::encode(bytes)
}

fn fallback_bytes() -> [u8; 8] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    hasher.write_u128(nanos);
    hasher.finish().to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_are_sixteen_lowercase_hex_digits_and_differ() {
        let a = new_epoch();
        let b = new_epoch();
        for epoch in [&a, &b] {
            assert_eq!(epoch.len(), 16);
            assert!(
                epoch
                    .bytes()
                    .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
            );
        }
        assert_ne!(a, b);
    }

    #[test]
    fn fallback_differs_between_calls() {
        assert_ne!(fallback_bytes(), fallback_bytes());
    }
}
