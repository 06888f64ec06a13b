//! Cluster tests (issue 13): several real `live-mini` processes on loopback ports, on one
//! `PostgreSQL` database and one NATS `JetStream` stream, against the local services
//! (`LIVE_MINI_TEST_PG`, `LIVE_MINI_TEST_NATS`). Without them every cluster test writes one
//! "cluster tests NOT RUN" line to stderr and passes, unless `LIVE_MINI_REQUIRE_SERVICES=1`.
//! The harness itself is proven by `smoke`: single SQLite instances, the proxy, and the
//! cluster scenarios with every role on one instance.
#![expect(
    clippy::expect_used,
    reason = "test helpers fail the test loudly on unexpected data"
)]

mod cluster;
mod harness;
mod scenarios;
mod smoke;
mod spectator;
