//! `live-domain`: the wire types, the event lifecycle and the pure rules of live-mini.
//!
//! Nothing here does I/O: no tokio, no actix, no diesel. The store converts its rows into these
//! types, the rooms carry their encoded forms, and the server maps them onto HTTP.
#![warn(missing_docs)]

pub mod bounds;
pub mod c123;
pub mod event;
pub mod gates;
pub mod ingest_log;
pub mod oncourse;
pub mod public;
pub mod race;
pub mod requests;
pub mod results;
pub mod status;
pub mod time;
pub mod ws;

pub use event::{AdminEventItem, EventRef, StatusChange};
pub use gates::{Gate, GateType};
pub use race::{RaceType, best_run_pair};
pub use status::{EventStatus, GuardError, IngestKind, LifecycleError};
pub use ws::{DiffPayload, WsMessage};
