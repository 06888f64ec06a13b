//! `live-server`: the actix-web application of live-mini — routes, ingest handlers and the
//! wiring between the store and the WebSocket rooms. The `live-mini` binary is `src/main.rs`.

mod app;
mod bodies;
mod client_limits;
pub mod config;
mod cors;
mod error;
mod extract;
mod metrics;
mod respond;
mod routes;
mod services;
mod stats;
pub mod telemetry;

pub use app::{AppHandle, AppState, Application};
pub use config::Config;
