//! `fanout`, `slow` and `soak`: spectators watching a synthetic feed at a fixed rate.
//!
//! `slow` makes a share of them stop reading for a while (with a small receive buffer, so the
//! server's queue for them fills); their latency is reported apart from the others'. `soak` runs
//! long and replays the booth session in a loop on other events beside the feed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use live_domain::c123::parse_export;
use tokio::sync::watch;

use super::Session;
use super::crowd::{Crowd, base_plans};
use super::event::{self, LiveEvent};
use super::idle;
use super::pace::{run_decoy, run_synthetic};
use super::replay::{Replay, ReplayState, clean_up, merge_stats, segment};
use crate::config::{FeedKind, MAX_BOOTH_LOOPS, RunConfig, Scenario};
use crate::feed::{DecoyFeed, SyntheticFeed};
use crate::http::HttpClient;
use crate::report::{Report, RequestReport};
use crate::slots::{ReqKind, Slots};

/// Receive buffer of a slow spectator: small, so a stalled reader backs up into the server fast.
const SLOW_RECV_BUFFER: u32 = 4096;
/// When slow spectators stop reading, after the feed starts.
const STALL_START: Duration = Duration::from_secs(1);

/// Runs the scenario.
pub(super) async fn run(s: &mut Session, report: &mut Report) {
    let Some((event, feed)) = setup_with_feed(s, report).await else {
        return;
    };
    let decoy = if s.cfg.decoy_rate > 0.0 {
        setup_decoy(s, report, &event).await
    } else {
        None
    };
    let requests = s.cfg.requests_for(s.cfg.duration, s.cfg.rate);
    let mix = s.cfg.feed;
    let slots = Arc::new(Slots::at_rate(requests, s.cfg.rate, |k| kind_for(mix, k)));

    s.note_rss_before();
    let slow = s.cfg.scenario == Scenario::Slow;
    let mut plans = base_plans(s, s.cfg.connections);
    if slow {
        // Spread evenly: spectator i is slow when floor(i·P/100) steps up at i, which makes
        // floor(N·P/100) of them slow (verifiers stay reading).
        let percent = usize::from(s.cfg.slow_percent);
        let steps_up = |i: usize| (i + 1) * percent / 100 != i * percent / 100;
        for p in plans
            .iter_mut()
            .filter(|p| p.mirror.is_none() && steps_up(p.index))
        {
            p.slow = true;
            p.recv_buffer = Some(SLOW_RECV_BUFFER);
            p.stall = Some((STALL_START, s.cfg.stall));
        }
    }
    let crowd = Crowd::launch(s, &event, Arc::clone(&slots), plans, false);
    let connected = crowd.wait_connected(s).await;
    s.note_rss_connected(connected);
    let phase = crowd.start_phase();

    let mut feed_http = s.http();
    let mut decoy_http = s.http();
    let mut booth_http = s.http();
    let cfg = s.cfg.clone();
    let (stats, decoy_stats, booth) = tokio::join!(
        run_synthetic(
            &mut feed_http,
            &event.api_key,
            &feed,
            &slots,
            s.base,
            s.interrupt.clone()
        ),
        async {
            match &decoy {
                Some((ev, body)) => {
                    run_decoy(
                        &mut decoy_http,
                        &ev.api_key,
                        body,
                        cfg.decoy_rate,
                        cfg.duration,
                        s.base,
                        s.interrupt.clone(),
                    )
                    .await
                }
                None => RequestReport::default(),
            }
        },
        async {
            if cfg.scenario == Scenario::Soak {
                Some(
                    booth_loop(
                        &mut booth_http,
                        &cfg,
                        &event.event_id,
                        s.base,
                        s.interrupt.clone(),
                    )
                    .await,
                )
            } else {
                None
            }
        },
    );
    s.note_phase(phase, Instant::now());
    let feed_ok = stats.statuses.keys().all(|k| k == "200");
    report.check(
        "feed requests answered 200",
        feed_ok && stats.sent == requests,
        format!("{} of {requests} sent: {:?}", stats.sent, stats.statuses),
    );
    report.requests = stats;
    if let Some((decoy_event, _)) = &decoy {
        report.check(
            "decoy requests answered 200",
            decoy_stats.statuses.keys().all(|k| k == "200"),
            format!(
                "{} sent to {}: {:?}",
                decoy_stats.sent, decoy_event.event_id, decoy_stats.statuses
            ),
        );
    }
    if let Some(booth) = booth {
        report.metric("booth loops completed", f64::from(booth.loops));
        report.check(
            "booth loop: every answer as recorded",
            booth.mismatches == 0 && booth.stats.sent > 0,
            format!(
                "{} loops, {} requests, {} mismatches {}",
                booth.loops,
                booth.stats.sent,
                booth.mismatches,
                booth.examples.join("; ")
            ),
        );
    }
    if slow {
        // Let the stalled spectators read again and catch up before the final checks.
        let resume_at = phase + STALL_START + s.cfg.stall + Duration::from_secs(1);
        let wait = resume_at.saturating_duration_since(Instant::now());
        s.pause(wait).await;
    }
    if mix != FeedKind::Oncourse && slots.iter().any(|sl| sl.kind == ReqKind::Results) {
        report.check(
            "verifier spectators received results diffs",
            crowd.verifiers_saw_results(),
            format!("race {}", feed.race_id()),
        );
    }
    let outcomes = idle::finish(s, report, crowd, &event, &[]).await;
    if slow {
        let reading = outcomes.iter().filter(|o| !o.slow);
        let resynced: u64 = reading.clone().map(|o| o.resyncs).sum();
        report.check(
            "reading spectators were never resynchronised (the slow ones did not hold them up)",
            resynced == 0,
            format!(
                "{resynced} resyncs among {} reading spectators",
                reading.count()
            ),
        );
        let slow_ones: Vec<_> = outcomes.iter().filter(|o| o.slow).collect();
        let resynced = slow_ones.iter().filter(|o| o.resyncs > 0).count();
        let dropped = slow_ones
            .iter()
            .filter(|o| o.connected && !o.ending.starts_with("close 1000"))
            .count();
        report.metric("slow spectators", super::usize_f64(slow_ones.len()));
        report.metric("slow spectators resynchronised", super::usize_f64(resynced));
        report.metric(
            "slow spectators dropped by the server",
            super::usize_f64(dropped),
        );
    }
    if let Some((decoy_event, _)) = decoy.as_ref().filter(|_| !s.cfg.keep_event) {
        event::delete(s, report, decoy_event).await;
    }
}

/// Which body slot `k` carries.
fn kind_for(mix: FeedKind, k: usize) -> ReqKind {
    match mix {
        FeedKind::Results => ReqKind::Results,
        FeedKind::Mixed if k % 5 == 4 => ReqKind::Results,
        FeedKind::Oncourse | FeedKind::Mixed => ReqKind::Oncourse,
    }
}

/// The watched event, set up as `idle` does, and the synthetic feed for it; `None` (with the
/// failed check reported and the event deleted) when either cannot be had.
pub(super) async fn setup_with_feed(
    s: &mut Session,
    report: &mut Report,
) -> Option<(LiveEvent, SyntheticFeed)> {
    let event = idle::setup(s, report).await?;
    match synthetic_feed(s) {
        Ok(feed) => Some((event, feed)),
        Err(e) => {
            report.check("build the synthetic feed", false, e);
            event::delete(s, report, &event).await;
            None
        }
    }
}

/// The synthetic bodies for the configured race of the real export.
pub(super) fn synthetic_feed(s: &mut Session) -> Result<SyntheticFeed, String> {
    let xml = s.xml()?;
    let export = parse_export(&xml).map_err(|e| format!("the real export does not parse: {e}"))?;
    SyntheticFeed::from_export(&export, &s.cfg.race_id).map_err(|e| e.to_string())
}

/// A second event (the synthetic LODM sample) fed on-course data beside the watched one; its
/// race ids appear nowhere in the real export, so a frame of it reaching a spectator shows up.
async fn setup_decoy(
    s: &mut Session,
    report: &mut Report,
    event: &LiveEvent,
) -> Option<(LiveEvent, DecoyFeed)> {
    let fixtures = s.cfg.fixtures.clone();
    let read = |name: &str| std::fs::read_to_string(fixtures.join(name));
    let (Ok(xml), Ok(body)) = (
        read("sample-c123-synthetic-lodm.xml"),
        read("sample-ingest-oncourse.json"),
    ) else {
        report.check(
            "read the decoy fixtures",
            false,
            fixtures.display().to_string(),
        );
        return None;
    };
    let Some(feed) = DecoyFeed::from_fixture(&body) else {
        report.check(
            "read the decoy fixtures",
            false,
            "sample-ingest-oncourse.json has no c123_server_shape",
        );
        return None;
    };
    let id = format!("{}-decoy", event.event_id);
    let decoy = event::create_running(s, report, &id, "live-loadgen decoy", &xml).await?;
    Some((decoy, feed))
}

/// What the soak's booth loop did.
#[derive(Debug, Default)]
struct BoothLoop {
    loops: u32,
    mismatches: usize,
    examples: Vec<String>,
    stats: RequestReport,
}

/// Replays the booth session on fresh events, one after another, until the run's duration is
/// over (a replay still going then is cut and its event deleted).
async fn booth_loop(
    http: &mut HttpClient,
    cfg: &RunConfig,
    base_id: &str,
    clock: Instant,
    mut interrupt: watch::Receiver<bool>,
) -> BoothLoop {
    let mut result = BoothLoop::default();
    let template = match Replay::load(
        &cfg.booth_path(),
        &cfg.fixtures,
        &format!("{base_id}-booth-0"),
    ) {
        Ok(r) => r,
        Err(e) => {
            result.mismatches += 1;
            result.examples.push(e.to_string());
            return result;
        }
    };
    let deadline = tokio::time::Instant::now() + cfg.duration;
    for i in 0..MAX_BOOTH_LOOPS {
        if tokio::time::Instant::now() >= deadline || *interrupt.borrow() {
            break;
        }
        let replay = match template.for_event(&format!("{base_id}-booth-{i}"), &cfg.fixtures) {
            Ok(r) => r,
            Err(e) => {
                result.mismatches += 1;
                result.examples.push(e.to_string());
                break;
            }
        };
        let mut state = ReplayState::default();
        let all = 0..replay.lines.len();
        let finished = tokio::select! {
            ok = segment(http, &replay, all, cfg.speed, cfg.master_key.as_deref(), None, clock, &mut state, &mut interrupt) => ok,
            () = tokio::time::sleep_until(deadline) => false,
        };
        // `segment` sets `stats.sent` only when it runs to the end; a loop cut short by the
        // deadline still sent (and checked) its first requests.
        state.stats.sent = state.sent;
        if state.event_exists {
            // Cut short: the connection may be mid-request, so clean up on a fresh one.
            *http = HttpClient::new(http_target(http), cfg.timeout);
            clean_up(http, &replay.event_id, state.api_key.as_deref()).await;
        }
        if finished {
            result.loops += 1;
        }
        result.mismatches += state.mismatches;
        result.examples.extend(state.examples.into_iter().take(3));
        merge_stats(&mut result.stats, &state.stats);
        if !finished {
            break;
        }
    }
    result
}

fn http_target(http: &HttpClient) -> crate::target::Target {
    http.target().clone()
}
