//! `idle`: hold N connections for D seconds; the server's memory per connection.

use std::sync::Arc;

use super::Session;
use super::crowd::{Crowd, base_plans, summarize_outcomes};
use super::event::{self, LiveEvent};
use crate::report::Report;
use crate::slots::Slots;
use crate::ws::Outcome;

/// Runs the scenario.
pub(super) async fn run(s: &mut Session, report: &mut Report) {
    let Some(event) = setup(s, report).await else {
        return;
    };
    s.note_rss_before();
    let plans = base_plans(s, s.cfg.connections);
    let crowd = Crowd::launch(s, &event, Arc::new(Slots::new([])), plans, false);
    let connected = crowd.wait_connected(s).await;
    // Let the server settle (first frames sent, buffers released) before measuring.
    s.pause(std::time::Duration::from_secs(1)).await;
    s.note_rss_connected(connected);
    let hold = s.cfg.duration;
    let held_from = std::time::Instant::now();
    s.pause(hold).await;
    s.note_phase(held_from, std::time::Instant::now());
    report.metric(
        "connections held",
        crate::scenario::usize_f64(crowd.connected()),
    );
    finish(s, report, crowd, &event, &[]).await;
}

/// Creates and starts the watched event.
pub(super) async fn setup(s: &mut Session, report: &mut Report) -> Option<LiveEvent> {
    let xml = match s.xml() {
        Ok(x) => x,
        Err(e) => {
            report.check("read the real export", false, e);
            return None;
        }
    };
    let id = s
        .cfg
        .event_id
        .clone()
        .unwrap_or_else(|| super::generated_event_id(s.cfg.scenario));
    report.event_id.clone_from(&id);
    let title = format!("live-loadgen {}", s.cfg.scenario);
    event::create_running(s, report, &id, &title, &xml).await
}

/// The common end: quiet, verify against REST, delete (or stop), collect, summarize.
/// `extra_endings` adds accepted endings to the default one.
pub(super) async fn finish(
    s: &mut Session,
    report: &mut Report,
    crowd: Crowd,
    event: &LiveEvent,
    extra_endings: &[&str],
) -> Vec<Outcome> {
    let quiet = crowd.quiesce(s.cfg.timeout).await;
    report.check(
        "spectators converge on the same last seq",
        quiet.is_ok(),
        match &quiet {
            Ok(seq) => format!("seq {seq:?}"),
            Err(e) => e.clone(),
        },
    );
    crowd.verify(s, report, event).await;
    let mut endings: Vec<&str> = extra_endings.to_vec();
    let deleted = if s.cfg.keep_event {
        endings.push("closed by spectator");
        false
    } else {
        endings.push("close 1000 Event deleted");
        event::delete(s, report, event).await
    };
    let shared = Arc::clone(&crowd.shared);
    let outcomes = crowd.finish(deleted, s.cfg.timeout).await;
    summarize_outcomes(report, &shared, &outcomes, &endings);
    outcomes
}
