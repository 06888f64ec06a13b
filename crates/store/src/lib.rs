//! `live-store`: the SQLite storage of live-mini.
//!
//! Diesel never leaves this crate: callers see an async [`Store`] whose methods are use cases
//! (`create_event`, `set_status`, …) and that returns `live-domain` types. Every database call runs
//! on tokio's blocking pool through one helper, so no actix worker ever blocks on SQLite.

mod dump;
mod error;
mod events;
mod ingest_log;
mod migrate;
mod pool;
mod rows;
mod schema;
mod store;

pub use dump::dump_tables;
pub use error::StoreError;
pub use store::{Store, StoreConfig};
