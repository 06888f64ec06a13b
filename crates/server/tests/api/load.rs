//! A small run of the load generator against the real app, in CI: 500 spectators, the mixed
//! synthetic feed for 30 s, every stream checked (gap-free `seq`, own event only, final state
//! equal to REST). The generator's own closing line counts the invariants.

use std::time::Duration;

use live_loadgen::{RunConfig, Scenario};

use crate::helpers::{MASTER, spawn_app};

#[actix_web::test]
async fn five_hundred_spectators_follow_a_live_feed_without_a_gap() {
    let app = spawn_app().await;
    let report = live_loadgen::run(RunConfig {
        url: app.base.clone(),
        scenario: Scenario::Fanout,
        connections: 500,
        ramp_per_sec: 500.0,
        duration: Duration::from_secs(30),
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
