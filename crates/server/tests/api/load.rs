//! A small run of the load generator against the real app: spectators on the mixed synthetic
//! feed, every stream checked (gap-free `seq`, own event only, final state equal to REST). The
//! generator's own closing line counts the invariants.
//!
//! A developer's `cargo test` runs 100 spectators for 5 s; CI (`.ci/run` sets
//! `LIVE_MINI_FULL_LOAD=1`) runs the 500 spectators for 30 s.

use std::time::Duration;

use live_loadgen::{RunConfig, Scenario};

use crate::helpers::{MASTER, spawn_app};

/// Spectators and seconds: the full run when `LIVE_MINI_FULL_LOAD` is set, else a short one.
fn size() -> (usize, u64) {
    if std::env::var_os("LIVE_MINI_FULL_LOAD").is_some_and(|v| !v.is_empty() && v != "0") {
        (500, 30)
    } else {
        (100, 5)
    }
}

#[actix_web::test]
async fn spectators_follow_a_live_feed_without_a_gap() {
    let (connections, secs) = size();
    let app = spawn_app().await;
    let report = live_loadgen::run(RunConfig {
        url: app.base.clone(),
        scenario: Scenario::Fanout,
        connections,
        ramp_per_sec: 500.0,
        duration: Duration::from_secs(secs),
        rate: 10.0,
        master_key: Some(MASTER.to_owned()),
        timeout: Duration::from_secs(30),
        ..RunConfig::default()
    })
    .await;
    let table = report.render();
    assert_eq!(report.failed, 0, "{table}");
    assert!(report.passed >= 5, "{table}");
    app.stop().await;
}
