//! Integration tests of `live-store`: a fresh SQLite file in a `TempDir` per test, opened with
//! `Store::open` exactly as the server does. One test binary, one link step.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers fail the test loudly on setup errors"
)]

mod canoe123;
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
