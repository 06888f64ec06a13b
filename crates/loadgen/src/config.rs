//! What a run does: the scenario and its knobs, with defaults and the hard caps that keep every
//! loop bounded in count and time.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::Serialize;

/// Most spectator connections one run opens.
pub const MAX_CONNECTIONS: usize = 200_000;
/// Longest run.
pub const MAX_DURATION: Duration = Duration::from_hours(24);
/// Most requests one feed schedules.
pub const MAX_REQUESTS: usize = 1_000_000;
/// Highest feed rate, requests per second.
pub const MAX_RATE: f64 = 10_000.0;
/// Most XML re-imports in `xml-full`.
pub const MAX_IMPORTS: usize = 1_000;
/// Most booth replay loops in `soak`.
pub const MAX_BOOTH_LOOPS: usize = 10_000;
/// Most runtime worker threads.
pub const MAX_WORKERS: usize = 256;
/// Most spectator targets (instances) one run spreads over.
pub const MAX_TARGETS: usize = 16;

/// The load patterns (README: one section each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// Hold N connections for D seconds; RSS per connection.
    Idle,
    /// N subscribers, synthetic feed at rate R; delivery latency.
    Fanout,
    /// Re-import the XML while N are connected; time until all got the `full`.
    XmlFull,
    /// N clients drop and reconnect within T seconds, half resuming with `since`.
    ReconnectStorm,
    /// P % of clients stop reading; the others' latency separately.
    Slow,
    /// Long fan-out with a booth replay looping beside it; resource trends.
    Soak,
    /// Replay the real booth session with N spectators, asserting every status.
    Booth,
    /// Spectators spread over several instances; one instance is killed (by the operator, or
    /// with `--kill-pid`) and its spectators reconnect to the others with `since`.
    KillStorm,
}

impl Scenario {
    /// Every scenario, in README order.
    pub const ALL: [Self; 8] = [
        Self::Idle,
        Self::Fanout,
        Self::XmlFull,
        Self::ReconnectStorm,
        Self::Slow,
        Self::Soak,
        Self::Booth,
        Self::KillStorm,
    ];

    /// The command-line spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Fanout => "fanout",
            Self::XmlFull => "xml-full",
            Self::ReconnectStorm => "reconnect-storm",
            Self::Slow => "slow",
            Self::Soak => "soak",
            Self::Booth => "booth",
            Self::KillStorm => "kill-storm",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scenario {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|sc| sc.as_str() == s)
            .ok_or_else(|| format!("unknown scenario {s:?}"))
    }
}

/// Which synthetic bodies the feed sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FeedKind {
    /// On-course bodies only.
    Oncourse,
    /// Results bodies only.
    Results,
    /// Four on-course bodies, then one results body (the booth sends far more on-course).
    Mixed,
}

impl FromStr for FeedKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "oncourse" => Ok(Self::Oncourse),
            "results" => Ok(Self::Results),
            "mixed" => Ok(Self::Mixed),
            _ => Err(format!("unknown feed {s:?} (oncourse, results, mixed)")),
        }
    }
}

/// Everything a run needs. `Default` gives a small, quick run against `127.0.0.1:3000`.
#[derive(Debug, Clone)]
pub struct RunConfig {
    /// Server base URL; loopback only. The booth (admin, ingest, REST checks) always talks to it,
    /// and it is the first spectator target.
    pub url: String,
    /// Further spectator targets (other instances), loopback only: spectator `i` connects to
    /// target `i mod T` of `[url, extra_targets…]`. Empty: every spectator on `url`.
    pub extra_targets: Vec<String>,
    /// The load pattern.
    pub scenario: Scenario,
    /// Spectator connections.
    pub connections: usize,
    /// New connections per second while ramping up.
    pub ramp_per_sec: f64,
    /// Length of the measured phase (feed, hold, …).
    pub duration: Duration,
    /// Synthetic feed rate, requests per second.
    pub rate: f64,
    /// Synthetic feed body kinds.
    pub feed: FeedKind,
    /// Race of the real export the synthetic bodies are about.
    pub race_id: String,
    /// Booth replay speed factor (2 = twice as fast as recorded).
    pub speed: f64,
    /// Master key for admin routes; `None` for a server with open admin.
    pub master_key: Option<String>,
    /// Event id to create; generated when `None`.
    pub event_id: Option<String>,
    /// Fixtures folder (export, booth feed, samples).
    pub fixtures: PathBuf,
    /// Spectators that keep the full results state for the final REST comparison.
    pub verifiers: usize,
    /// XML re-imports in `xml-full`.
    pub imports: usize,
    /// Window over which the reconnect storm's drops are spread.
    pub storm: Duration,
    /// Share of slow spectators in `slow`, percent.
    pub slow_percent: u8,
    /// How long slow spectators stop reading.
    pub stall: Duration,
    /// Connections per 127.0.0.x source address before moving to the next one.
    pub conns_per_source: usize,
    /// Bound of every single wait: a request, a connect, quiescence, closing.
    pub timeout: Duration,
    /// Leave the event in place at the end instead of deleting it.
    pub keep_event: bool,
    /// On-course pushes per second to a second, decoy event (0 = none).
    pub decoy_rate: f64,
    /// Server process to sample from `/proc`.
    pub server_pid: Option<u32>,
    /// `kill-storm`: a `live-mini` process this generator sends SIGKILL to (else the operator
    /// kills an instance).
    pub kill_pid: Option<u32>,
    /// `kill-storm`: when the kill happens, after the feed starts; the feed runs this long plus
    /// `duration`.
    pub kill_after: Duration,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            url: "http://127.0.0.1:3000".to_owned(),
            extra_targets: Vec::new(),
            scenario: Scenario::Fanout,
            connections: 100,
            ramp_per_sec: 1000.0,
            duration: Duration::from_secs(10),
            rate: 10.0,
            feed: FeedKind::Mixed,
            race_id: "K1M_ST_BR2_6".to_owned(),
            speed: 1.0,
            master_key: None,
            event_id: None,
            fixtures: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures")),
            verifiers: 3,
            imports: 3,
            storm: Duration::from_secs(5),
            slow_percent: 10,
            stall: Duration::from_secs(20),
            conns_per_source: 20_000,
            timeout: Duration::from_secs(30),
            keep_event: false,
            decoy_rate: 1.0,
            server_pid: None,
            kill_pid: None,
            kill_after: Duration::from_secs(5),
        }
    }
}

impl RunConfig {
    /// Checks the values against the hard caps.
    pub fn validate(&self) -> Result<(), String> {
        let rate_ok = |r: f64| r.is_finite() && (0.0..=MAX_RATE).contains(&r);
        if self.connections > MAX_CONNECTIONS {
            return Err(format!("--connections is capped at {MAX_CONNECTIONS}"));
        }
        if self.target_count() > MAX_TARGETS {
            return Err(format!("at most {MAX_TARGETS} targets"));
        }
        if self.kill_pid.is_some() && self.scenario != Scenario::KillStorm {
            return Err("--kill-pid is only for the kill-storm scenario".to_owned());
        }
        if self.duration > MAX_DURATION
            || self.storm > MAX_DURATION
            || self.stall > MAX_DURATION
            || self.kill_after > MAX_DURATION
        {
            return Err(format!(
                "durations are capped at {} s",
                MAX_DURATION.as_secs()
            ));
        }
        if self.timeout.is_zero() || self.timeout > Duration::from_hours(1) {
            return Err("--timeout must be 1..=3600 s".to_owned());
        }
        if !rate_ok(self.rate) || !rate_ok(self.decoy_rate) {
            return Err(format!("rates must be 0..={MAX_RATE} per second"));
        }
        if !(self.ramp_per_sec.is_finite() && self.ramp_per_sec > 0.0) {
            return Err("--ramp must be a positive number".to_owned());
        }
        if !(self.speed.is_finite() && self.speed > 0.0 && self.speed <= 1000.0) {
            return Err("--speed must be in (0, 1000]".to_owned());
        }
        if self.slow_percent > 100 {
            return Err("--slow-percent must be 0..=100".to_owned());
        }
        if self.imports > MAX_IMPORTS {
            return Err(format!("--imports is capped at {MAX_IMPORTS}"));
        }
        if self.conns_per_source == 0 {
            return Err("--conns-per-source must be at least 1".to_owned());
        }
        let kill_window = if self.scenario == Scenario::KillStorm {
            self.kill_after
        } else {
            Duration::ZERO
        };
        if self.requests_for(self.duration + self.storm + kill_window, self.rate) > MAX_REQUESTS
            || self.requests_for(self.duration, self.decoy_rate) > MAX_REQUESTS
        {
            return Err(format!(
                "rate x duration is capped at {MAX_REQUESTS} requests"
            ));
        }
        Ok(())
    }

    /// Every spectator target: `url` first, then `extra_targets`.
    pub fn target_urls(&self) -> Vec<&str> {
        std::iter::once(self.url.as_str())
            .chain(self.extra_targets.iter().map(String::as_str))
            .collect()
    }

    /// Number of spectator targets.
    pub fn target_count(&self) -> usize {
        1 + self.extra_targets.len()
    }

    /// Requests a feed at `rate` schedules over `duration` (capped).
    pub fn requests_for(&self, duration: Duration, rate: f64) -> usize {
        let n = (duration.as_secs_f64() * rate).floor();
        if n.is_finite() && n > 0.0 {
            // Bounded by the comparison first; the cast then cannot truncate.
            #[expect(
                clippy::cast_possible_truncation,
                clippy::cast_sign_loss,
                clippy::cast_precision_loss,
                reason = "n is finite, positive and at most MAX_REQUESTS + 1 here"
            )]
            let n = n.min(MAX_REQUESTS as f64 + 1.0) as usize;
            n
        } else {
            0
        }
    }

    /// The real export's path.
    pub fn xml_path(&self) -> PathBuf {
        self.fixtures.join("xml/xboardtest02_jarni_v1.xml")
    }

    /// The recorded booth session's path.
    pub fn booth_path(&self) -> PathBuf {
        self.fixtures.join("booth-feed/healthy-race.jsonl")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        RunConfig::default().validate().unwrap();
    }

    #[test]
    fn caps_are_enforced() {
        let base = RunConfig::default();
        for bad in [
            RunConfig {
                connections: MAX_CONNECTIONS + 1,
                ..base.clone()
            },
            RunConfig {
                duration: MAX_DURATION + Duration::from_secs(1),
                ..base.clone()
            },
            RunConfig {
                rate: f64::NAN,
                ..base.clone()
            },
            RunConfig {
                rate: -1.0,
                ..base.clone()
            },
            RunConfig {
                ramp_per_sec: 0.0,
                ..base.clone()
            },
            RunConfig {
                speed: 0.0,
                ..base.clone()
            },
            RunConfig {
                slow_percent: 101,
                ..base.clone()
            },
            RunConfig {
                timeout: Duration::ZERO,
                ..base.clone()
            },
            RunConfig {
                conns_per_source: 0,
                ..base.clone()
            },
            RunConfig {
                rate: 10_000.0,
                duration: Duration::from_hours(1),
                ..base.clone()
            },
            RunConfig {
                extra_targets: vec!["http://127.0.0.1:3001".to_owned(); MAX_TARGETS],
                ..base.clone()
            },
            RunConfig {
                kill_pid: Some(4321),
                ..base.clone()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn targets_start_with_the_url() {
        let mut c = RunConfig::default();
        assert_eq!(c.target_urls(), ["http://127.0.0.1:3000"]);
        c.extra_targets = vec!["http://127.0.0.1:3001".to_owned()];
        assert_eq!(c.target_count(), 2);
        assert_eq!(
            c.target_urls(),
            ["http://127.0.0.1:3000", "http://127.0.0.1:3001"]
        );
        c.extra_targets = vec!["http://127.0.0.1:3001".to_owned(); MAX_TARGETS - 1];
        c.validate().unwrap();
        c.scenario = Scenario::KillStorm;
        c.kill_pid = Some(4321);
        c.validate().unwrap();
    }

    #[test]
    fn request_counts() {
        let c = RunConfig::default();
        assert_eq!(c.requests_for(Duration::from_secs(10), 10.0), 100);
        assert_eq!(c.requests_for(Duration::from_millis(1500), 3.0), 4);
        assert_eq!(c.requests_for(Duration::from_secs(1), 0.0), 0);
    }

    #[test]
    fn scenario_names_round_trip() {
        for s in Scenario::ALL {
            assert_eq!(s.as_str().parse::<Scenario>().unwrap(), s);
        }
        assert!("nope".parse::<Scenario>().is_err());
        assert_eq!("mixed".parse::<FeedKind>().unwrap(), FeedKind::Mixed);
        assert!("x".parse::<FeedKind>().is_err());
    }
}
