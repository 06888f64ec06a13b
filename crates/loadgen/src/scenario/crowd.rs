//! The spectators as a group: planning them, launching one task each, waiting for them, and
//! turning what they saw into invariants.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::Session;
use super::event::LiveEvent;
use crate::latency::{Recorder, new_histogram, summarize};
use crate::report::{ConnectionReport, Report};
use crate::slots::Slots;
use crate::target::{Target, target_for};
use crate::ws::{
    Comparison, Outcome, Plan, ResultsMirror, SeqTally, Spectators, TargetStats, WsTarget, id_hash,
    spectate,
};

/// How often the coordinator looks at the spectators' state.
const POLL: Duration = Duration::from_millis(20);
/// How long every spectator must sit on the same `seq` to count as quiet.
const QUIET: Duration = Duration::from_millis(300);

/// Plans `n` spectators: ramped connects, round robin over the targets, 127.0.0.x source
/// addresses beyond `conns_per_source`, the first `verifiers` keeping results mirrors.
pub(crate) fn base_plans(s: &Session, n: usize) -> Vec<Plan> {
    let cfg = &s.cfg;
    (0..n)
        .map(|i| {
            let target = target_for(i, s.targets.len());
            let on = s.targets.get(target).unwrap_or(&s.target);
            Plan {
                index: i,
                connect_at: Duration::from_secs_f64(usize_f64(i) / cfg.ramp_per_sec),
                source: source_for(on, i, cfg.conns_per_source),
                mirror: (i < cfg.verifiers).then_some(i),
                target,
                ..Plan::default()
            }
        })
        .collect()
}

/// The local address of connection `i`: the kernel's choice for the first share, then
/// 127.0.0.2, 127.0.0.3, … (each source address has its own ~28 000 ephemeral ports).
fn source_for(target: &Target, i: usize, per_source: usize) -> Option<IpAddr> {
    let group = u32::try_from(i / per_source.max(1)).ok()?;
    if group == 0 || !target.addr.is_ipv4() {
        return None;
    }
    let ip = u32::from(Ipv4Addr::LOCALHOST).checked_add(group)?;
    let ip = Ipv4Addr::from(ip);
    ip.is_loopback().then_some(IpAddr::V4(ip))
}

/// The launched spectators.
#[derive(Debug)]
pub(crate) struct Crowd {
    pub(crate) shared: Arc<Spectators>,
    handles: Vec<JoinHandle<Outcome>>,
    stop: watch::Sender<bool>,
    phase: watch::Sender<Option<Instant>>,
    started: Instant,
    requested: usize,
}

impl Crowd {
    /// Spawns one task per plan.
    pub(crate) fn launch(
        s: &Session,
        event: &LiveEvent,
        slots: Arc<Slots>,
        plans: Vec<Plan>,
        attribute_untagged: bool,
    ) -> Self {
        let (stop, stop_rx) = watch::channel(false);
        let (phase, phase_rx) = watch::channel(None);
        let mirrors = plans
            .iter()
            .filter(|p| p.mirror.is_some())
            .map(|_| Mutex::new(ResultsMirror::default()))
            .collect();
        let targets: Vec<WsTarget> = s
            .targets
            .iter()
            .map(|t| WsTarget {
                addr: t.addr,
                host: t.host.clone(),
            })
            .collect();
        let per_target = if targets.len() > 1 {
            (0..targets.len())
                .map(|_| TargetStats::new(slots.len()))
                .collect()
        } else {
            Vec::new()
        };
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| {
                u64::try_from(d.as_nanos() & u128::from(u64::MAX)).unwrap_or(0)
            });
        let shared = Arc::new(Spectators {
            targets,
            per_target,
            reconnected: Recorder::new(),
            handshake: Recorder::new(),
            reconnecting: std::sync::atomic::AtomicUsize::new(0),
            seed,
            path: event.ws_path(),
            base: s.base,
            event_hash: id_hash(&event.event_id),
            races: event
                .races
                .iter()
                .map(|r| id_hash(r))
                .collect::<HashSet<u64>>(),
            slots,
            fast: Recorder::new(),
            slow: Recorder::new(),
            sync: Recorder::new(),
            attribute_untagged,
            live: (0..plans.len()).map(|_| crate::ws::Live::new()).collect(),
            mirrors,
            stop: stop_rx,
            phase: phase_rx,
            timeout: s.cfg.timeout,
            attempts: std::sync::atomic::AtomicUsize::new(0),
        });
        let requested = plans.len();
        let handles = plans
            .into_iter()
            .map(|plan| tokio::spawn(spectate(Arc::clone(&shared), plan)))
            .collect();
        Self {
            shared,
            handles,
            stop,
            phase,
            started: Instant::now(),
            requested,
        }
    }

    /// Spectators with an open connection now.
    pub(crate) fn connected(&self) -> usize {
        self.shared.live.iter().filter(|l| l.connected()).count()
    }

    /// Waits until every spectator has tried to connect (bounded by the ramp plus the timeout);
    /// returns how many are connected.
    pub(crate) async fn wait_connected(&self, s: &Session) -> usize {
        let ramp = Duration::from_secs_f64(usize_f64(self.requested) / s.cfg.ramp_per_sec);
        let deadline = self.started + ramp + s.cfg.timeout;
        let mut interrupt = s.interrupt.clone();
        while self
            .shared
            .attempts
            .load(std::sync::atomic::Ordering::Acquire)
            < self.requested
            && Instant::now() < deadline
        {
            tokio::select! {
                () = tokio::time::sleep(POLL) => {}
                () = crate::flag::raised(&mut interrupt) => break,
            }
        }
        self.connected()
    }

    /// Waits (bounded by `timeout`) until no spectator is between an unexpected drop and its
    /// new connection; returns how many still are.
    pub(crate) async fn wait_reconnected(&self, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            let n = self
                .shared
                .reconnecting
                .load(std::sync::atomic::Ordering::Acquire);
            if n == 0 || Instant::now() >= deadline {
                return n;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Marks the start of the scenario's phase (stall and drop plans count from it).
    pub(crate) fn start_phase(&self) -> Instant {
        let now = Instant::now();
        let _ = self.phase.send(Some(now));
        now
    }

    /// Waits until every connected spectator sits on the same, highest `seq` for a while.
    pub(crate) async fn quiesce(&self, timeout: Duration) -> Result<Option<u64>, String> {
        let deadline = Instant::now() + timeout;
        let mut stable: Option<(Option<u64>, Instant)> = None;
        loop {
            let seqs: Vec<Option<u64>> = self
                .shared
                .live
                .iter()
                .filter(|l| l.connected())
                .map(crate::ws::Live::last_seq)
                .collect();
            let max = seqs.iter().flatten().max().copied();
            let behind = seqs.iter().filter(|s| **s != max).count();
            let now = Instant::now();
            if behind == 0 {
                match stable {
                    Some((seq, since)) if seq == max && now.duration_since(since) >= QUIET => {
                        return Ok(max);
                    }
                    Some((seq, _)) if seq == max => {}
                    _ => stable = Some((max, now)),
                }
            } else {
                stable = None;
            }
            if now >= deadline {
                return Err(format!(
                    "{behind} of {} connected spectators not at seq {max:?} after {timeout:?}",
                    seqs.len()
                ));
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Checks every connected spectator's final state against REST: the event status on all of
    /// them, the results rows on the verifiers.
    pub(crate) async fn verify(&self, s: &mut Session, report: &mut Report, event: &LiveEvent) {
        let rest = super::event::rest_status(s, &event.event_id).await;
        let connected: Vec<&crate::ws::Live> =
            self.shared.live.iter().filter(|l| l.connected()).collect();
        let differing = connected
            .iter()
            .filter(|l| l.status().map(live_domain::EventStatus::as_str) != rest.as_deref())
            .count();
        report.check(
            "final event status on every spectator equals REST",
            rest.is_some() && differing == 0,
            format!(
                "REST {:?}; {differing} of {} connected spectators differ",
                rest.as_deref().unwrap_or("unavailable"),
                connected.len()
            ),
        );

        let mirrors: Vec<ResultsMirror> = self
            .shared
            .mirrors
            .iter()
            .map(|m| m.lock().unwrap_or_else(PoisonError::into_inner).clone())
            .collect();
        let races: BTreeSet<String> = mirrors
            .iter()
            .flat_map(|m| m.race_ids().map(str::to_owned))
            .collect();
        for race in races {
            let path = format!("/api/v1/events/{}/results/{race}", event.event_id);
            let fetched = s.admin.get(&path).await;
            let items = match &fetched {
                Ok(r) if r.status == 200 => r.json()["results"].as_array().cloned(),
                _ => None,
            };
            let Some(items) = items else {
                report.check(
                    format!("results of {race} on the verifiers equal REST"),
                    false,
                    super::event::describe(&fetched),
                );
                continue;
            };
            let mut total = Comparison::default();
            for m in &mirrors {
                let c = m.compare(&race, &items);
                total.rows += c.rows;
                total.values += c.values;
                total.mismatches += c.mismatches;
                total.examples.extend(c.examples.into_iter().take(3));
            }
            report.check(
                format!("results of {race} on the verifiers equal REST"),
                total.mismatches == 0 && total.rows > 0,
                format!(
                    "{} rows, {} values compared, {} differ {}",
                    total.rows,
                    total.values,
                    total.mismatches,
                    total.examples.join("; ")
                ),
            );
        }
    }

    /// Whether any verifier holds results rows.
    pub(crate) fn verifiers_saw_results(&self) -> bool {
        self.shared.mirrors.iter().any(|m| {
            m.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .race_ids()
                .next()
                .is_some()
        })
    }

    /// Ends the run for the spectators: waits (bounded) for their connections to end on their
    /// own — after a DELETE the server closes them — then asks the rest to close.
    pub(crate) async fn finish(mut self, wait_for_server: bool, timeout: Duration) -> Vec<Outcome> {
        if wait_for_server {
            let deadline = Instant::now() + timeout;
            while self.connected() > 0 && Instant::now() < deadline {
                tokio::time::sleep(POLL).await;
            }
        }
        let _ = self.stop.send(true);
        let mut outcomes = Vec::with_capacity(self.handles.len());
        let deadline = tokio::time::Instant::now() + timeout * 2;
        for (index, handle) in self.handles.drain(..).enumerate() {
            let abort = handle.abort_handle();
            match tokio::time::timeout_at(deadline, handle).await {
                Ok(Ok(outcome)) => outcomes.push(outcome),
                Ok(Err(e)) => outcomes.push(Outcome {
                    index,
                    ending: format!("task failed: {e}"),
                    ..Outcome::default()
                }),
                Err(_) => {
                    abort.abort();
                    outcomes.push(Outcome {
                        index,
                        ending: "did not end in time".to_owned(),
                        ..Outcome::default()
                    });
                }
            }
        }
        outcomes
    }
}

/// Turns the spectators' outcomes into counters and invariants. `expected_endings` are the
/// accepted prefixes of how a reading spectator's connection ends; slow spectators may end any
/// way (the server may drop them by design).
pub(crate) fn summarize_outcomes(
    report: &mut Report,
    shared: &Spectators,
    outcomes: &[Outcome],
    expected_endings: &[&str],
) {
    let connected = outcomes.iter().filter(|o| o.connected).count();
    report.connections = ConnectionReport {
        requested: outcomes.len(),
        connected,
        failed: outcomes.len() - connected,
        failures: count_by(outcomes.iter().filter_map(|o| o.connect_error.clone())),
        reconnects: outcomes
            .iter()
            .map(|o| usize::from(o.reconnect.is_some()) + o.failovers.len())
            .sum(),
        frames: outcomes.iter().map(|o| o.frames).sum(),
        resyncs: outcomes.iter().map(|o| o.resyncs).sum(),
        endings: count_by(
            outcomes
                .iter()
                .filter(|o| o.connected)
                .map(|o| o.ending.clone()),
        ),
    };
    let c = &report.connections;
    let failures: Vec<String> = c
        .failures
        .iter()
        .map(|(r, n)| format!("; {r} x{n}"))
        .collect();
    let (requested, failures) = (c.requested, failures.concat());
    report.check(
        "every spectator connected",
        connected == requested,
        format!("{connected} of {requested}{failures}"),
    );

    let violations: u64 = outcomes.iter().map(|o| o.violations).sum();
    let examples: Vec<&str> = outcomes
        .iter()
        .flat_map(|o| o.examples.iter().map(String::as_str))
        .take(5)
        .collect();
    let frames = report.connections.frames;
    report.check(
        "seq gap-free on every connection (jumps only on refresh/full)",
        violations == 0,
        format!(
            "{frames} frames, {violations} violations {}",
            examples.join("; ")
        ),
    );
    let foreign: u64 = outcomes.iter().map(|o| o.foreign).sum();
    report.check(
        "every frame carries only its own event's data",
        foreign == 0,
        format!("{foreign} frames with another event's event or race ids"),
    );
    let unchecked: u64 = outcomes.iter().map(|o| o.unchecked_races).sum();
    if unchecked > 0 {
        report.warn(format!(
            "{unchecked} race ids were beyond the per-frame check capacity"
        ));
    }
    let unexpected: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.connected && !o.slow)
        .filter(|o| !expected_endings.iter().any(|e| o.ending.starts_with(e)))
        .collect();
    report.check(
        format!(
            "connections ended as expected ({})",
            expected_endings.join(" | ")
        ),
        unexpected.is_empty(),
        match unexpected.first() {
            Some(o) => format!(
                "{} unexpected, e.g. spectator {}: {}",
                unexpected.len(),
                o.index,
                o.ending
            ),
            None => String::new(),
        },
    );

    let mut last = new_histogram();
    for slot in shared.slots.iter() {
        if let (Some(base), Some(recv)) = (slot.base_ns(), slot.last_recv_ns()) {
            last.saturating_record((recv.saturating_sub(base) / 1000).max(1));
        }
    }
    for (name, summary) in [
        ("ingest -> each delivery", shared.fast.summary()),
        (
            "ingest -> each delivery (slow spectators)",
            shared.slow.summary(),
        ),
        ("ingest -> last delivery (per request)", summarize(&last)),
        ("drop -> back in sync", shared.sync.summary()),
        ("drop -> connected again", shared.reconnected.summary()),
        (
            "reconnect handshake (no backoff)",
            shared.handshake.summary(),
        ),
    ] {
        if summary.count > 0 {
            report.latency.insert(name.to_owned(), summary);
        }
    }
    if !shared.per_target.is_empty() {
        per_target(report, shared, outcomes);
    }
}

/// Several targets: last and each delivery per target, and one gap-free sequence per spectator
/// across all its connections.
fn per_target(report: &mut Report, shared: &Spectators, outcomes: &[Outcome]) {
    for (t, stats) in shared.per_target.iter().enumerate() {
        let mut last = new_histogram();
        for (k, slot) in shared.slots.iter().enumerate() {
            let recv = stats
                .last
                .get(k)
                .map_or(0, |r| r.load(std::sync::atomic::Ordering::Acquire));
            if let (Some(base), true) = (slot.base_ns(), recv > 0) {
                last.saturating_record((recv.saturating_sub(base) / 1000).max(1));
            }
        }
        for (name, summary) in [
            (
                format!("ingest -> last delivery, target {}", t + 1),
                summarize(&last),
            ),
            (
                format!("ingest -> each delivery, target {}", t + 1),
                stats.each.summary(),
            ),
        ] {
            if summary.count > 0 {
                report.latency.insert(name, summary);
            }
        }
    }
    let mut total = SeqTally::default();
    for o in outcomes {
        total.merge(o.tally);
    }
    let affected = outcomes.iter().filter(|o| !o.tally.is_clean()).count();
    let by_target: Vec<String> = shared
        .per_target
        .iter()
        .enumerate()
        .map(|(t, stats)| {
            let tally = stats.tally();
            let first = outcomes.iter().filter(|o| o.target == t).count();
            format!(
                "target {}: {first} spectators at first, {} gaps, {} duplicates",
                t + 1,
                tally.gaps,
                tally.duplicates
            )
        })
        .collect();
    report.metric("seq gaps", u64_f64(total.gaps));
    report.metric("seq numbers missing", u64_f64(total.missing));
    report.metric("seq duplicates", u64_f64(total.duplicates));
    report.check(
        "every spectator saw one gap-free seq sequence across targets and reconnections",
        total.is_clean(),
        format!(
            "{} gaps ({} numbers missing), {} duplicates; {affected} of {} spectators affected; {}",
            total.gaps,
            total.missing,
            total.duplicates,
            outcomes.len(),
            by_target.join("; ")
        ),
    );
}

#[expect(clippy::cast_precision_loss, reason = "counts stay below 2^52")]
fn u64_f64(n: u64) -> f64 {
    n as f64
}

fn count_by(items: impl Iterator<Item = String>) -> BTreeMap<String, usize> {
    let mut map = BTreeMap::new();
    for item in items {
        *map.entry(item).or_insert(0) += 1;
    }
    map
}

#[expect(clippy::cast_precision_loss, reason = "connection counts are small")]
fn usize_f64(n: usize) -> f64 {
    n as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::parse_target;

    #[test]
    fn sources_move_to_the_next_loopback_address() {
        let v4 = parse_target("http://127.0.0.1:3000").unwrap();
        assert_eq!(source_for(&v4, 0, 20_000), None);
        assert_eq!(source_for(&v4, 19_999, 20_000), None);
        assert_eq!(
            source_for(&v4, 20_000, 20_000),
            Some("127.0.0.2".parse().unwrap())
        );
        assert_eq!(
            source_for(&v4, 45_000, 20_000),
            Some("127.0.0.3".parse().unwrap())
        );
        assert_eq!(source_for(&v4, 300, 1), Some("127.0.1.45".parse().unwrap()));
        let v6 = parse_target("http://[::1]:3000").unwrap();
        assert_eq!(source_for(&v6, 50_000, 20_000), None);
    }
}
