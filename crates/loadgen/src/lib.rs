//! `live-loadgen`: the load generator for live-mini.
//!
//! It plays both sides against a running server on this machine: the booth (admin and ingest
//! requests on a fixed schedule, synthetic or replayed from the recorded session) and thousands of
//! spectators (one WebSocket task each). Every spectator checks its stream against the contract
//! (gap-free `seq`, only its own event's data, final state equal to REST), and every delivery is
//! timed from the moment the causing request was sent, on one clock in one process.
//!
//! The binary parses flags into a [`RunConfig`] and calls [`run`]; tests do the same with a small
//! configuration. See the crate's README for every flag and scenario.

pub mod booth;
pub mod cli;
pub mod config;
pub mod failover;
pub mod feed;
mod flag;
pub mod http;
pub mod latency;
pub mod limits;
pub mod procfs;
pub mod report;
mod scenario;
pub mod slots;
pub mod target;
pub mod ws;

pub use config::{FeedKind, RunConfig, Scenario};
pub use report::{Invariant, Report};
pub use scenario::{run, run_until};
