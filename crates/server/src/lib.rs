//! `live-server`: the actix-web application of live-mini — routes, ingest handlers and the
//! wiring between the store and the WebSocket rooms. The `live-mini` binary is `src/main.rs`.

mod app;
pub mod backup;
mod bodies;
mod client_limits;
mod cluster;
mod compress;
pub mod config;
mod cors;
pub mod demo;
mod error;
mod extract;
mod metrics;
pub mod openapi;
mod page;
mod respond;
mod routes;
mod services;
mod stats;
pub mod telemetry;
#[cfg(test)]
mod test_log;
mod unread;

pub use app::{AppHandle, AppState, Application};
pub use cluster::ClusterTiming;
pub use config::Config;
