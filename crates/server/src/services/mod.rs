//! Orchestration: each use case validates, writes through the store and (later) publishes to the
//! rooms. Handlers call exactly one function here.

pub(crate) mod events;
pub(crate) mod ingest;
pub(crate) mod ingest_log;
pub(crate) mod live;
pub(crate) mod oncourse;
pub(crate) mod page;
pub(crate) mod public;
pub(crate) mod read_cache;
