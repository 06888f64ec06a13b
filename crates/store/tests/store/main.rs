//! Integration tests of `live-store`: a fresh SQLite file in a `TempDir` per test, opened with
//! `Store::open` exactly as the server does, and (most tests, `backends!`) the same test on a fresh
//! PostgreSQL database of the test server (`LIVE_MINI_TEST_PG`). One test binary, one link step.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test loudly on setup errors"
)]

mod canoe123;
mod cluster;
mod concurrency;
mod merge;
mod observer;
mod prune;
mod reads;
mod results_ingest;
mod schema;
mod support;
mod transactions;
mod xml_import;
