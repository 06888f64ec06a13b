//! `live-domain`: the wire types, the event lifecycle and the pure rules of live-mini.
//!
//! Nothing here does I/O: no tokio, no actix, no diesel. The store converts its rows into these
//! types, the rooms carry their encoded forms, and the server maps them onto HTTP.
#![warn(missing_docs)]

pub mod status;

pub use status::{EventStatus, GuardError, IngestKind, LifecycleError};
pub mod c123;
pub mod gates;
pub mod race;

pub use gates::{Gate, GateType};
pub use race::{RaceType, best_run_pair};
