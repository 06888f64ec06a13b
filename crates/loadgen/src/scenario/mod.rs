//! Running a scenario: the preflight checks, the session every scenario shares, and the dispatch.

mod booth;
mod crowd;
mod event;
mod fanout;
mod idle;
mod kill;
mod kill_storm;
mod pace;
mod replay;
mod storm;
mod xml_full;

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::config::{RunConfig, Scenario};
use crate::http::HttpClient;
use crate::limits;
use crate::procfs::{self, Sample};
use crate::report::{Report, ServerReport};
use crate::target::{Target, parse_target};

/// Runs one scenario to its end and reports what it found.
pub async fn run(cfg: RunConfig) -> Report {
    run_until(cfg, std::future::pending::<()>()).await
}

/// Like [`run`], but when `interrupt` completes the scenario winds down early: the feed stops,
/// the checks and the clean-up still run, and the report says so.
pub async fn run_until(cfg: RunConfig, interrupt: impl Future<Output = ()>) -> Report {
    let (tx, rx) = watch::channel(false);
    let work = execute(cfg, rx);
    tokio::pin!(work, interrupt);
    let mut fired = false;
    loop {
        tokio::select! {
            report = &mut work => return report,
            () = &mut interrupt, if !fired => {
                fired = true;
                let _ = tx.send(true);
            }
        }
    }
}

async fn execute(cfg: RunConfig, interrupt: watch::Receiver<bool>) -> Report {
    let started = Instant::now();
    let mut report = Report {
        scenario: cfg.scenario.to_string(),
        url: cfg.url.clone(),
        targets: if cfg.extra_targets.is_empty() {
            Vec::new()
        } else {
            cfg.target_urls().into_iter().map(str::to_owned).collect()
        },
        ..Report::default()
    };
    if let Err(e) = cfg.validate() {
        report.check("configuration within the hard caps", false, e);
        return report;
    }
    let parsed: Result<Vec<Target>, _> = cfg.target_urls().into_iter().map(parse_target).collect();
    let targets = match parsed {
        Ok(t) => {
            let addrs: Vec<String> = t.iter().map(|t| t.addr.to_string()).collect();
            let name = if t.len() > 1 {
                "targets are loopback"
            } else {
                "target is loopback"
            };
            report.check(name, true, addrs.join(", "));
            t
        }
        Err(e) => {
            let name = if cfg.extra_targets.is_empty() {
                "target is loopback"
            } else {
                "targets are loopback"
            };
            report.check(name, false, e.to_string());
            return report;
        }
    };
    if !preflight_limits(&cfg, &mut report) {
        return report;
    }
    if let Some(pid) = cfg.kill_pid {
        match kill::check_pid(pid) {
            Ok(what) => report.check("--kill-pid is a live-mini process", true, what),
            Err(e) => {
                report.check("--kill-pid is a live-mini process", false, e);
                return report;
            }
        }
    }
    let mut session = Session::new(cfg, targets, started, interrupt);
    match session.cfg.scenario {
        Scenario::Idle => idle::run(&mut session, &mut report).await,
        Scenario::Fanout | Scenario::Slow | Scenario::Soak => {
            fanout::run(&mut session, &mut report).await;
        }
        Scenario::XmlFull => xml_full::run(&mut session, &mut report).await,
        Scenario::ReconnectStorm => storm::run(&mut session, &mut report).await,
        Scenario::Booth => booth::run(&mut session, &mut report).await,
        Scenario::KillStorm => kill_storm::run(&mut session, &mut report).await,
    }
    session.finish(&mut report).await;
    if *session.interrupt.borrow() {
        report.warn("interrupted: the run was cut short");
    }
    report.elapsed_s = started.elapsed().as_secs_f64();
    report
}

/// Raises the descriptor limit and checks it against the connection count; warns about the
/// server's limit. `false` when the run cannot hold the asked-for connections.
fn preflight_limits(cfg: &RunConfig, report: &mut Report) -> bool {
    let wanted = cfg.connections as u64;
    match limits::raise_nofile() {
        Ok(limit) => {
            let ok = limit.connections() >= wanted;
            report.check(
                "descriptor limit holds the connections",
                ok,
                format!(
                    "{wanted} connections need {} descriptors; RLIMIT_NOFILE soft {} (raised to the hard limit {})",
                    limits::needed(wanted),
                    limit.soft,
                    limit.hard
                ),
            );
            if !ok {
                return false;
            }
        }
        Err(e) => report.warn(format!("could not raise RLIMIT_NOFILE: {e}")),
    }
    if let Some(pid) = cfg.server_pid {
        match procfs::server_nofile_limit(pid) {
            Some(limit) if limit < limits::needed(wanted) => report.warn(format!(
                "server pid {pid} has RLIMIT_NOFILE {limit}, below the {} descriptors {wanted} connections need",
                limits::needed(wanted)
            )),
            Some(_) => {}
            None => report.warn(format!("cannot read /proc/{pid}/limits")),
        }
    }
    true
}

/// What every scenario shares: configuration, target, clock, the admin HTTP client and the
/// server sampler.
#[derive(Debug)]
pub(crate) struct Session {
    pub(crate) cfg: RunConfig,
    /// The first target: the booth's (admin, ingest, REST checks).
    pub(crate) target: Target,
    /// Every spectator target, `target` first.
    pub(crate) targets: Vec<Target>,
    /// The one clock every latency is measured on.
    pub(crate) base: Instant,
    pub(crate) interrupt: watch::Receiver<bool>,
    pub(crate) admin: HttpClient,
    sampler: Option<Sampler>,
    server: Option<ServerReport>,
    xml: Option<Arc<String>>,
    /// The measured phase, seconds after `base`, for the server trends.
    phase_window: Option<(f64, f64)>,
}

#[derive(Debug)]
struct Sampler {
    stop: watch::Sender<bool>,
    handle: tokio::task::JoinHandle<Vec<Sample>>,
}

impl Session {
    fn new(
        cfg: RunConfig,
        targets: Vec<Target>,
        base: Instant,
        interrupt: watch::Receiver<bool>,
    ) -> Self {
        let target = targets.first().cloned().unwrap_or_else(|| Target {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], 3000)),
            host: "127.0.0.1:3000".to_owned(),
        });
        let admin = HttpClient::new(target.clone(), cfg.timeout);
        let (sampler, server) = match cfg.server_pid {
            Some(pid) => {
                let (stop, rx) = watch::channel(false);
                // One sample a second for the whole run, with room for set-up and clean-up.
                let cap = usize::try_from(cfg.duration.as_secs()).unwrap_or(usize::MAX / 2)
                    + usize::try_from(cfg.storm.as_secs() + cfg.stall.as_secs()).unwrap_or(0)
                    + 3600;
                let handle = tokio::spawn(procfs::sample_until(pid, base, cap, rx));
                let server = ServerReport {
                    pid,
                    nofile_limit: procfs::server_nofile_limit(pid),
                    ..ServerReport::default()
                };
                (Some(Sampler { stop, handle }), Some(server))
            }
            None => (None, None),
        };
        Self {
            admin,
            cfg,
            target,
            targets,
            base,
            interrupt,
            sampler,
            server,
            xml: None,
            phase_window: None,
        }
    }

    /// Whether the run was interrupted.
    pub(crate) fn interrupted(&self) -> bool {
        *self.interrupt.borrow()
    }

    /// Sleeps `d`, or less when interrupted.
    pub(crate) async fn pause(&mut self, d: Duration) {
        let mut interrupt = self.interrupt.clone();
        tokio::select! {
            () = tokio::time::sleep(d) => {}
            () = crate::flag::raised(&mut interrupt) => {}
        }
    }

    /// The real export's text (read once).
    pub(crate) fn xml(&mut self) -> Result<Arc<String>, String> {
        if let Some(xml) = &self.xml {
            return Ok(Arc::clone(xml));
        }
        let path = self.cfg.xml_path();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let text = Arc::new(text);
        self.xml = Some(Arc::clone(&text));
        Ok(text)
    }

    /// A new HTTP connection for a feed (the admin one stays free for checks).
    pub(crate) fn http(&self) -> HttpClient {
        HttpClient::new(self.target.clone(), self.cfg.timeout)
    }

    /// The server's resident memory now, KiB.
    pub(crate) fn server_rss(&self) -> Option<u64> {
        let pid = self.cfg.server_pid?;
        procfs::read_sample(pid, self.base.elapsed().as_secs_f64()).map(|s| s.rss_kib)
    }

    /// Records the server's memory before the spectators connect.
    pub(crate) fn note_rss_before(&mut self) {
        let rss = self.server_rss();
        if let Some(server) = self.server.as_mut() {
            server.rss_before_kib = rss;
        }
    }

    /// Records the server's memory with `connected` spectators holding connections.
    pub(crate) fn note_rss_connected(&mut self, connected: usize) {
        let rss = self.server_rss();
        if let Some(server) = self.server.as_mut() {
            server.rss_connected_kib = rss;
            if let (Some(before), Some(after), true) = (server.rss_before_kib, rss, connected > 0) {
                let delta = i128::from(after) - i128::from(before);
                server.rss_per_connection_bytes =
                    Some(i128_f64(delta * 1024) / usize_f64(connected));
            }
        }
    }

    /// Marks `from..to` as the measured phase: the server trends are taken over it.
    pub(crate) fn note_phase(&mut self, from: Instant, to: Instant) {
        let at = |t: Instant| t.saturating_duration_since(self.base).as_secs_f64();
        self.phase_window = Some((at(from), at(to)));
    }

    /// Stops the sampler and puts the server report in place.
    async fn finish(&mut self, report: &mut Report) {
        let Some(Sampler { stop, handle }) = self.sampler.take() else {
            return;
        };
        let _ = stop.send(true);
        let samples = handle.await.unwrap_or_default();
        if let Some(mut server) = self.server.take() {
            // Trends over the measured phase only: the ramp and the clean-up are not growth.
            let window: Vec<Sample> = self
                .phase_window
                .map(|(from, to)| {
                    samples
                        .iter()
                        .filter(|s| s.t_s >= from && s.t_s <= to)
                        .copied()
                        .collect()
                })
                .unwrap_or_default();
            let trended = if window.len() >= 2 {
                server.trend_window_s = self.phase_window;
                &window
            } else {
                &samples
            };
            server.rss_kib = procfs::trend(trended, |s| procfs::u64_to_f64(s.rss_kib));
            server.fds = procfs::trend(trended, |s| procfs::u64_to_f64(s.fds));
            server.threads = procfs::trend(trended, |s| procfs::u64_to_f64(s.threads));
            if let (Some(first), Some(last)) = (samples.first(), samples.last()) {
                server.cpu_s = Some(last.cpu_s - first.cpu_s);
            }
            server.samples = samples;
            report.server = Some(server);
        }
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "byte deltas stay far below 2^52"
)]
fn i128_f64(n: i128) -> f64 {
    n as f64
}

#[expect(clippy::cast_precision_loss, reason = "connection counts are small")]
pub(crate) fn usize_f64(n: usize) -> f64 {
    n as f64
}

/// A default event id that matches the contract's pattern and is unique per run.
pub(crate) fn generated_event_id(scenario: Scenario) -> String {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    format!("loadgen-{scenario}-{ms}")
}
