//! Integration tests: the real application on 127.0.0.1:0 with a temp-dir SQLite file, over real
//! HTTP (awc) and, for the WebSocket, a client that does not share the server's codec.
#![expect(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers fail the test loudly on unexpected data"
)]

mod admin;
mod backup;
mod browser;
mod cdp;
mod demo;
mod guard;
mod helpers;
mod hostile;
mod ingest;
mod load;
mod observe;
mod openapi;
mod page;
mod public;
mod spa;
mod ws;
