//! `kill-storm`: spectators spread over several instances watch an on-course feed sent to the
//! first one; one instance dies (SIGKILL, by the operator or with `--kill-pid` after
//! `--kill-after` seconds) and its spectators reconnect like the spectator page: backoff with
//! jitter (0.5–1 s, then doubling up to 15 s), `?since=<epoch>:<seq>`, the remaining targets in
//! turn. Reported: drop → connected again and drop → back in sync (p50/p99/max), the time until
//! every dropped spectator was connected again, how many resumed with the missed frames and how
//! many got a `full`, and the gaps and duplicates every spectator saw.

use std::sync::Arc;
use std::time::{Duration, Instant};

use super::Session;
use super::crowd::{Crowd, base_plans};
use super::fanout::setup_with_feed;
use super::idle;
use super::kill::sigkill;
use super::pace::run_synthetic;
use super::usize_f64;
use crate::failover::{FailoverRecord, StormBook};
use crate::report::Report;
use crate::slots::{ReqKind, Slots};

/// Runs the scenario.
pub(super) async fn run(s: &mut Session, report: &mut Report) {
    let Some((event, feed)) = setup_with_feed(s, report).await else {
        return;
    };
    // The feed runs until the kill and `duration` beyond it: the dropped spectators miss frames
    // while they reconnect, and the tail shows them live again.
    let feed_time = s.cfg.kill_after + s.cfg.duration;
    let requests = s.cfg.requests_for(feed_time, s.cfg.rate);
    let slots = Arc::new(Slots::at_rate(requests, s.cfg.rate, |_| ReqKind::Oncourse));
    let targets = s.targets.len();
    let mut plans = base_plans(s, s.cfg.connections);
    for p in &mut plans {
        p.failover = true;
    }
    s.note_rss_before();
    let crowd = Crowd::launch(s, &event, Arc::clone(&slots), plans, false);
    let connected = crowd.wait_connected(s).await;
    s.note_rss_connected(connected);
    let phase = crowd.start_phase();

    let mut http = s.http();
    let kill_pid = s.cfg.kill_pid;
    let kill_after = s.cfg.kill_after;
    let mut interrupt = s.interrupt.clone();
    let base = s.base;
    let kill_task = async move {
        let pid = kill_pid?;
        tokio::select! {
            () = tokio::time::sleep_until(tokio::time::Instant::from_std(phase + kill_after)) => {}
            () = crate::flag::raised(&mut interrupt) => return None,
        }
        let at = Instant::now();
        Some((pid, at, sigkill(pid).await))
    };
    let (stats, killed) = tokio::join!(
        run_synthetic(
            &mut http,
            &event.api_key,
            &feed,
            &slots,
            s.base,
            s.interrupt.clone()
        ),
        kill_task
    );
    s.note_phase(phase, Instant::now());
    report.check(
        "feed requests to target 1 answered 200",
        stats.statuses.keys().all(|k| k == "200") && stats.sent == requests,
        format!("{} of {requests} sent: {:?}", stats.sent, stats.statuses),
    );
    report.requests = stats;
    let kill_ns = match &killed {
        Some((pid, at, result)) => {
            report.check(
                format!("SIGKILL sent to live-mini pid {pid}"),
                result.is_ok(),
                match result {
                    Ok(()) => format!(
                        "{:.1} s after the feed started",
                        at.saturating_duration_since(phase).as_secs_f64()
                    ),
                    Err(e) => e.clone(),
                },
            );
            Some(ns_since(base, *at))
        }
        None => None,
    };
    // The last reconnections may still be in their backoff: let them finish (bounded).
    let still = crowd.wait_reconnected(s.cfg.timeout).await;
    if still > 0 {
        report.warn(format!(
            "{still} spectators were still reconnecting after {:?}",
            s.cfg.timeout
        ));
    }
    let outcomes = idle::finish(s, report, crowd, &event, &[]).await;

    let records: Vec<Vec<FailoverRecord>> = outcomes.iter().map(|o| o.failovers.clone()).collect();
    let book = StormBook::tally(&records, targets);
    report_book(report, &book, kill_ns, kill_pid.is_some());
}

/// The storm's invariants and metrics.
fn report_book(report: &mut Report, book: &StormBook, kill_ns: Option<u64>, killed_by_us: bool) {
    let by_target = |counts: &[usize]| {
        counts
            .iter()
            .enumerate()
            .map(|(t, n)| format!("{}: {n}", t + 1))
            .collect::<Vec<_>>()
            .join(", ")
    };
    report.check(
        "an instance went away and its spectators dropped",
        book.dropped > 0,
        if book.dropped > 0 {
            format!(
                "{} drops of {} spectators; by target {}",
                book.dropped,
                book.spectators,
                by_target(&book.dropped_by_target)
            )
        } else if killed_by_us {
            "no spectator connection ended after the kill".to_owned()
        } else {
            "no spectator connection ended: was an instance killed (--kill-pid, or by hand within --kill-after + --duration)?".to_owned()
        },
    );
    if book.dropped_by_target.first().is_some_and(|n| *n > 0) && book.dropped_by_target.len() > 1 {
        report.warn(
            "spectators of target 1 dropped too: the booth's instance should stay up (kill another one)",
        );
    }
    report.check(
        "every dropped spectator connected again",
        book.dropped > 0 && book.failed == 0,
        format!(
            "{} of {} reconnected, landing on target {}; {}",
            book.reconnected,
            book.dropped,
            by_target(&book.landed_by_target),
            if book.errors.is_empty() {
                "no failures".to_owned()
            } else {
                format!("failures: {}", book.errors.join("; "))
            }
        ),
    );
    report.check(
        "every reconnection continued the sequence (since+1 or a full)",
        book.broken == 0,
        format!(
            "{} resumed at since+1, {} got a full, {} fresh, {} broken, {} without a frame",
            book.resumed, book.full, book.fresh, book.broken, book.silent
        ),
    );
    report.metric("kill-storm: drops", usize_f64(book.dropped));
    report.metric("kill-storm: reconnected", usize_f64(book.reconnected));
    report.metric("kill-storm: resumed at since+1", usize_f64(book.resumed));
    report.metric("kill-storm: got a full", usize_f64(book.full));
    report.metric(
        "kill-storm: fresh (nothing to resume)",
        usize_f64(book.fresh),
    );
    report.metric(
        "kill-storm: no frame after reconnect",
        usize_f64(book.silent),
    );
    #[expect(clippy::cast_precision_loss, reason = "frame counts stay below 2^52")]
    report.metric("kill-storm: missed frames replayed", book.replayed as f64);
    let (from, label) = match (kill_ns, book.first_drop_ns) {
        (Some(k), _) => (Some(k), "kill"),
        (None, Some(d)) => (Some(d), "1st drop"),
        (None, None) => (None, ""),
    };
    if let Some(from) = from {
        if let Some(d) = book.until_all_connected(from) {
            report.metric(
                &format!("kill-storm: {label} -> all reconnected (s)"),
                d.as_secs_f64(),
            );
        }
        if let Some(d) = book.until_all_synced(from) {
            report.metric(
                &format!("kill-storm: {label} -> all in sync (s)"),
                d.as_secs_f64(),
            );
        }
    }
    if let (Some(k), Some(d)) = (kill_ns, book.first_drop_ns) {
        report.metric(
            "kill-storm: kill -> first drop seen (s)",
            Duration::from_nanos(d.saturating_sub(k)).as_secs_f64(),
        );
    }
}

fn ns_since(base: Instant, t: Instant) -> u64 {
    u64::try_from(t.saturating_duration_since(base).as_nanos()).unwrap_or(u64::MAX)
}
