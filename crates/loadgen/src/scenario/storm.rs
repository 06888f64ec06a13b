//! `reconnect-storm`: every spectator drops (close frame or plain FIN) and reconnects within T
//! seconds, half of them resuming with `?since=<epoch>:<seq>`, while an on-course feed runs; the
//! time until all are back in sync.
//!
//! Back in sync: a fresh connection has its `full`; a resumed one has received, after the
//! replayed frames, a frame caused by a request sent after it reconnected.

use std::sync::Arc;
use std::time::Duration;

use super::Session;
use super::crowd::{Crowd, base_plans};
use super::fanout::setup_with_feed;
use super::idle;
use super::pace::run_synthetic;
use crate::report::Report;
use crate::slots::{ReqKind, Slots};
use crate::ws::DropPlan;

/// Feed time before the first drop, so every spectator has a resume point.
const LEAD: Duration = Duration::from_secs(1);

/// Runs the scenario.
pub(super) async fn run(s: &mut Session, report: &mut Report) {
    let Some((event, feed)) = setup_with_feed(s, report).await else {
        return;
    };
    // The feed runs through the storm and `duration` beyond it.
    let feed_time = LEAD + s.cfg.storm + s.cfg.duration;
    let requests = s.cfg.requests_for(feed_time, s.cfg.rate);
    let slots = Arc::new(Slots::at_rate(requests, s.cfg.rate, |_| ReqKind::Oncourse));

    let n = s.cfg.connections;
    let storm = s.cfg.storm;
    let mut plans = base_plans(s, n);
    for p in &mut plans {
        let spread = storm.mul_f64(super::usize_f64(p.index) / super::usize_f64(n.max(1)));
        p.drop = Some(DropPlan {
            at: LEAD + spread,
            close_frame: (p.index / 2) % 2 == 0,
            resume: p.index % 2 == 0,
        });
    }
    s.note_rss_before();
    let crowd = Crowd::launch(s, &event, Arc::clone(&slots), plans, false);
    let connected = crowd.wait_connected(s).await;
    s.note_rss_connected(connected);
    crowd.start_phase();
    let mut http = s.http();
    let stats = run_synthetic(
        &mut http,
        &event.api_key,
        &feed,
        &slots,
        s.base,
        s.interrupt.clone(),
    )
    .await;
    report.check(
        "feed requests answered 200",
        stats.statuses.keys().all(|k| k == "200") && stats.sent == requests,
        format!("{} of {requests} sent: {:?}", stats.sent, stats.statuses),
    );
    report.requests = stats;
    let synced_live = crowd.shared.live.iter().filter(|l| l.synced()).count();
    let outcomes = idle::finish(s, report, crowd, &event, &[]).await;

    let dropped: Vec<_> = outcomes.iter().filter(|o| o.reconnect.is_some()).collect();
    let failed: Vec<String> = dropped
        .iter()
        .filter_map(|o| o.reconnect.as_ref()?.error.clone())
        .take(3)
        .collect();
    let resumed = dropped
        .iter()
        .filter(|o| o.reconnect.as_ref().is_some_and(|r| r.resumed))
        .count();
    report.check(
        "every dropped spectator reconnected",
        failed.is_empty() && dropped.len() == connected,
        format!(
            "{} of {connected} dropped, {resumed} resumed with since; failures: {}",
            dropped.len(),
            failed.join("; ")
        ),
    );
    let synced: Vec<Duration> = dropped
        .iter()
        .filter_map(|o| o.reconnect.as_ref()?.synced_after)
        .collect();
    report.check(
        "every reconnected spectator got back in sync",
        synced.len() == dropped.len() && !dropped.is_empty(),
        format!(
            "{} of {} in sync ({synced_live} while the feed ran)",
            synced.len(),
            dropped.len()
        ),
    );
    // From the storm's start: each drop's offset plus its time to sync.
    let until_all = dropped
        .iter()
        .filter_map(|o| {
            let r = o.reconnect.as_ref()?;
            let offset = storm.mul_f64(super::usize_f64(o.index) / super::usize_f64(n.max(1)));
            Some(offset + r.synced_after?)
        })
        .max()
        .unwrap_or_default();
    report.metric(
        "storm start -> all back in sync (s)",
        until_all.as_secs_f64(),
    );
}
