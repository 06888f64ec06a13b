//! Command-line flags, parsed into a [`RunConfig`] plus what only the binary needs.

use std::path::PathBuf;
use std::time::Duration;

use crate::config::{MAX_WORKERS, RunConfig, Scenario};

/// The `--help` text (the README has the long form).
pub const USAGE: &str = "\
live-loadgen [SCENARIO] [FLAGS]

Scenarios: idle, fanout (default), xml-full, reconnect-storm, slow, soak, booth, kill-storm

  --scenario S           the scenario (or give it as the first argument)
  --url URL              server base URL, loopback only   [http://127.0.0.1:3000]
  --target URL[,URL..]   spectator targets (repeatable), round robin; the booth
                         uses the first one. Instead of --url
  --kill-pid PID         kill-storm: SIGKILL this live-mini process [operator kills]
  --kill-after SECS      kill-storm: when, after the feed starts  [5]
  --connections N        spectator WebSocket connections   [100]
  --ramp R               new connections per second         [1000]
  --duration SECS        measured phase length              [10]
  --rate R               synthetic feed requests per second [10]
  --feed K               oncourse | results | mixed         [mixed]
  --race ID              race of the real export to feed    [K1M_ST_BR2_6]
  --speed X              booth replay speed factor          [1]
  --master-key KEY       X-Master-Key for admin routes      [none: open admin]
  --event-id ID          event to create                    [loadgen-<scenario>-<ms>]
  --fixtures DIR         fixtures folder                    [the repository's fixtures/]
  --verifiers N          spectators that mirror results     [3]
  --imports N            XML re-imports (xml-full)          [3]
  --storm SECS           window of the drops (reconnect-storm) [5]
  --slow-percent P       share of slow spectators (slow)    [10]
  --stall SECS           how long slow spectators stall     [20]
  --conns-per-source N   connections per 127.0.0.x source   [20000]
  --timeout SECS         bound of every single wait         [30]
  --decoy-rate R         on-course pushes/s to a decoy event, 0 = none [1]
  --keep-event           do not delete the event at the end
  --server-pid PID       sample the server's /proc once a second
  --workers N            runtime worker threads             [1]
  --json PATH            also write the report as JSON
  --help                 this text
";

/// Everything the command line decides.
#[derive(Debug, Clone)]
pub struct Cli {
    /// The run.
    pub config: RunConfig,
    /// Where to write the JSON report.
    pub json: Option<PathBuf>,
    /// Runtime worker threads.
    pub workers: usize,
    /// `--help` was given.
    pub help: bool,
}

/// Parses the arguments after the program name.
pub fn parse_args(args: impl IntoIterator<Item = String>) -> Result<Cli, String> {
    let mut cli = Cli {
        config: RunConfig::default(),
        json: None,
        workers: 1,
        help: false,
    };
    let mut scenario_given = false;
    let mut url_given = false;
    let mut targets: Vec<String> = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        if !flag.starts_with("--") {
            if scenario_given {
                return Err(format!("unexpected argument {arg:?}"));
            }
            cli.config.scenario = flag.parse()?;
            scenario_given = true;
            continue;
        }
        match flag.as_str() {
            "--help" => {
                cli.help = true;
                continue;
            }
            "--keep-event" => {
                cli.config.keep_event = true;
                continue;
            }
            _ => {}
        }
        let value = match inline {
            Some(v) => v,
            None => args.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        match flag.as_str() {
            "--target" => {
                let list = crate::target::split_list(&value);
                if list.is_empty() {
                    return Err("--target needs at least one URL".to_owned());
                }
                targets.extend(list);
                continue;
            }
            "--url" => url_given = true,
            "--scenario" => scenario_given = true,
            _ => {}
        }
        apply(&mut cli, &flag, &value)?;
    }
    if !targets.is_empty() {
        if url_given {
            return Err("give either --url or --target, not both".to_owned());
        }
        let mut targets = targets.into_iter();
        if let Some(first) = targets.next() {
            cli.config.url = first;
        }
        cli.config.extra_targets = targets.collect();
    }
    Ok(cli)
}

fn apply(cli: &mut Cli, flag: &str, value: &str) -> Result<(), String> {
    let c = &mut cli.config;
    match flag {
        "--scenario" => c.scenario = value.parse::<Scenario>()?,
        "--url" => value.clone_into(&mut c.url),
        "--connections" => c.connections = number(flag, value)?,
        "--ramp" => c.ramp_per_sec = float(flag, value)?,
        "--duration" => c.duration = secs(flag, value)?,
        "--rate" => c.rate = float(flag, value)?,
        "--feed" => c.feed = value.parse()?,
        "--race" => value.clone_into(&mut c.race_id),
        "--speed" => c.speed = float(flag, value)?,
        "--master-key" => c.master_key = Some(value.to_owned()),
        "--event-id" => c.event_id = Some(value.to_owned()),
        "--fixtures" => c.fixtures = PathBuf::from(value),
        "--verifiers" => c.verifiers = number(flag, value)?,
        "--imports" => c.imports = number(flag, value)?,
        "--storm" => c.storm = secs(flag, value)?,
        "--slow-percent" => c.slow_percent = number(flag, value)?,
        "--stall" => c.stall = secs(flag, value)?,
        "--conns-per-source" => c.conns_per_source = number(flag, value)?,
        "--timeout" => c.timeout = secs(flag, value)?,
        "--decoy-rate" => c.decoy_rate = float(flag, value)?,
        "--server-pid" => c.server_pid = Some(number(flag, value)?),
        "--kill-pid" => c.kill_pid = Some(number(flag, value)?),
        "--kill-after" => c.kill_after = secs(flag, value)?,
        "--workers" => {
            cli.workers = number(flag, value)?;
            if cli.workers == 0 || cli.workers > MAX_WORKERS {
                return Err(format!("--workers must be 1..={MAX_WORKERS}"));
            }
        }
        "--json" => cli.json = Some(PathBuf::from(value)),
        _ => return Err(format!("unknown flag {flag} (see --help)")),
    }
    Ok(())
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag} needs a whole number, got {value:?}"))
}

fn float(flag: &str, value: &str) -> Result<f64, String> {
    value
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("{flag} needs a number, got {value:?}"))
}

fn secs(flag: &str, value: &str) -> Result<Duration, String> {
    let v = float(flag, value)?;
    Duration::try_from_secs_f64(v)
        .map_err(|_| format!("{flag} needs a non-negative number of seconds"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FeedKind;

    fn parse(args: &[&str]) -> Result<Cli, String> {
        parse_args(args.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn defaults() {
        let cli = parse(&[]).unwrap();
        assert_eq!(cli.config.scenario, Scenario::Fanout);
        assert_eq!(cli.workers, 1);
        assert!(cli.json.is_none());
    }

    #[test]
    fn scenario_and_flags() {
        let cli = parse(&[
            "slow",
            "--connections",
            "5000",
            "--rate=20",
            "--duration",
            "1.5",
            "--feed",
            "results",
            "--master-key",
            "s3cret",
            "--keep-event",
            "--json",
            "out.json",
            "--workers",
            "2",
            "--server-pid",
            "1234",
        ])
        .unwrap();
        let c = &cli.config;
        assert_eq!(c.scenario, Scenario::Slow);
        assert_eq!(c.connections, 5000);
        assert!((c.rate - 20.0).abs() < f64::EPSILON);
        assert_eq!(c.duration, Duration::from_millis(1500));
        assert_eq!(c.feed, FeedKind::Results);
        assert_eq!(c.master_key.as_deref(), Some("s3cret"));
        assert!(c.keep_event);
        assert_eq!(c.server_pid, Some(1234));
        assert_eq!(cli.json, Some(PathBuf::from("out.json")));
        assert_eq!(cli.workers, 2);
        let cli = parse(&["--scenario", "booth", "--speed", "10"]).unwrap();
        assert_eq!(cli.config.scenario, Scenario::Booth);
    }

    #[test]
    fn targets_repeat_or_come_as_a_list() {
        let cli = parse(&[
            "kill-storm",
            "--target",
            "http://127.0.0.1:3001,http://127.0.0.1:3002",
            "--target=http://127.0.0.1:3003",
            "--kill-pid",
            "777",
            "--kill-after",
            "2.5",
        ])
        .unwrap();
        let c = &cli.config;
        assert_eq!(c.scenario, Scenario::KillStorm);
        assert_eq!(c.url, "http://127.0.0.1:3001");
        assert_eq!(
            c.target_urls(),
            [
                "http://127.0.0.1:3001",
                "http://127.0.0.1:3002",
                "http://127.0.0.1:3003"
            ]
        );
        assert_eq!(c.kill_pid, Some(777));
        assert_eq!(c.kill_after, Duration::from_millis(2500));
        // One --target is the same as --url.
        let cli = parse(&["--target", "http://127.0.0.1:4000"]).unwrap();
        assert_eq!(cli.config.url, "http://127.0.0.1:4000");
        assert!(cli.config.extra_targets.is_empty());
        // Without --target nothing changes.
        let cli = parse(&["--url", "http://127.0.0.1:4000"]).unwrap();
        assert_eq!(cli.config.target_urls(), ["http://127.0.0.1:4000"]);
    }

    #[test]
    fn bad_arguments() {
        for args in [
            &["--connections"][..],
            &["--connections", "-1"],
            &["--rate", "fast"],
            &["--rate", "inf"],
            &["--duration", "-2"],
            &["--workers", "0"],
            &["--bogus", "1"],
            &["nope"],
            &["idle", "fanout"],
            &["--feed", "xml"],
            &["--target", ","],
            &[
                "--target",
                "http://127.0.0.1:1",
                "--url",
                "http://127.0.0.1:2",
            ],
            &["--kill-pid", "x"],
            &["--kill-after", "-1"],
        ] {
            assert!(parse(args).is_err(), "{args:?}");
        }
        assert!(parse(&["--help"]).unwrap().help);
    }
}
