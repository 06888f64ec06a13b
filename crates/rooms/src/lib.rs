#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod admission;
mod config;
mod connection;
mod epoch;
mod error;
mod frame;
mod hub;
mod lock;
mod metrics;
mod registry;
mod ring;

#[cfg(test)]
mod tests;

pub use admission::Admission;
pub use config::RoomsConfig;
pub use connection::{MAX_CLIENT_MESSAGE, close_internal_error, serve};
pub use error::{CloseReason, RoomError};
pub use frame::{DiffKind, FrameKind, encode_diff, encode_full};
pub use hub::{Backlog, RemotePush};
pub use lock::EventLock;
pub use metrics::{FANOUT_BUCKETS, HistogramSnapshot, RoomMetrics};
pub use registry::{RoomStats, Rooms};
