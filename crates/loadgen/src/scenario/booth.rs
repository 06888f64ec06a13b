//! `booth`: the recorded booth session replayed against the server at a speed factor, every
//! answer compared with the recorded status, with N spectators watching from the moment the
//! event becomes public. Their final state is checked just before the session deletes the event.

use std::sync::Arc;

use super::Session;
use super::crowd::{Crowd, base_plans, summarize_outcomes};
use super::event::{self, LiveEvent};
use super::replay::{Replay, ReplayState, clean_up, first_delete_line, first_public_line, segment};
use crate::report::Report;

/// Runs the scenario.
pub(super) async fn run(s: &mut Session, report: &mut Report) {
    let id = s
        .cfg
        .event_id
        .clone()
        .unwrap_or_else(|| super::generated_event_id(s.cfg.scenario));
    report.event_id.clone_from(&id);
    let replay = match Replay::load(&s.cfg.booth_path(), &s.cfg.fixtures, &id) {
        Ok(r) => {
            report.check(
                "booth feed prepared (XML references match their sha256)",
                true,
                format!("{} lines", r.lines.len()),
            );
            r
        }
        Err(e) => {
            report.check(
                "booth feed prepared (XML references match their sha256)",
                false,
                e.to_string(),
            );
            return;
        }
    };
    let total = replay.lines.len();
    let slots = Arc::new(replay.slots(s.cfg.speed));
    let public_end = first_public_line(&replay).map_or(total, |i| i + 1);
    let delete_at = first_delete_line(&replay).unwrap_or(total).max(public_end);
    let speed = s.cfg.speed;
    let master = s.cfg.master_key.clone();
    let mut http = s.http();
    let mut state = ReplayState::default();
    let mut interrupt = s.interrupt.clone();

    let mut ok = segment(
        &mut http,
        &replay,
        0..public_end,
        speed,
        master.as_deref(),
        Some(&slots),
        s.base,
        &mut state,
        &mut interrupt,
    )
    .await;

    let mut watched: Option<(Crowd, LiveEvent)> = None;
    if ok && s.cfg.connections > 0 {
        let races = event::public_races(s, &id).await;
        report.check(
            format!("{id} is public with its races"),
            !races.is_empty(),
            format!("{} races", races.len()),
        );
        let live = LiveEvent {
            event_id: id.clone(),
            api_key: state.api_key.clone().unwrap_or_default(),
            races,
        };
        s.note_rss_before();
        let plans = base_plans(s, s.cfg.connections);
        let crowd = Crowd::launch(s, &live, Arc::clone(&slots), plans, true);
        let connected = crowd.wait_connected(s).await;
        s.note_rss_connected(connected);
        watched = Some((crowd, live));
    }
    if ok {
        ok = segment(
            &mut http,
            &replay,
            public_end..delete_at,
            speed,
            master.as_deref(),
            Some(&slots),
            s.base,
            &mut state,
            &mut interrupt,
        )
        .await;
    }
    if let Some((crowd, live)) = &watched {
        let quiet = crowd.quiesce(s.cfg.timeout).await;
        report.check(
            "spectators converge on the same last seq",
            quiet.is_ok(),
            match &quiet {
                Ok(seq) => format!("seq {seq:?}"),
                Err(e) => e.clone(),
            },
        );
        crowd.verify(s, report, live).await;
    }
    if ok {
        segment(
            &mut http,
            &replay,
            delete_at..total,
            speed,
            master.as_deref(),
            Some(&slots),
            s.base,
            &mut state,
            &mut interrupt,
        )
        .await;
    }
    if state.event_exists && !s.cfg.keep_event {
        let status = clean_up(&mut s.http(), &id, state.api_key.as_deref()).await;
        report.warn(format!(
            "the replay did not delete {id}; deleted it afterwards (HTTP {status:?})"
        ));
    }
    report.check(
        "booth: every answer as recorded",
        state.mismatches == 0 && state.sent == total,
        format!(
            "{} of {total} sent, {} mismatches {}",
            state.sent,
            state.mismatches,
            state.examples.join("; ")
        ),
    );
    report.requests = state.stats;
    if let Some((crowd, _)) = watched {
        let shared = Arc::clone(&crowd.shared);
        let outcomes = crowd.finish(true, s.cfg.timeout).await;
        summarize_outcomes(report, &shared, &outcomes, &["close 1000"]);
    }
}
