//! `live-mini demo`: the server on its own database, fed by a generated race that a built-in
//! booth sends over the same HTTP ingest API the real one uses.
//!
//! | Module | Holds |
//! |---|---|
//! | [`generate`] | the regatta: classes, invented riders and clubs, course, every run's outcome and the special cases (tie, DNS/DNF/DSQ, correction, C2 crew), from a seed; own PRNG ([`rng`]) |
//! | [`xml`] | its Canoe123 XML export in the real layout |
//! | [`script`] | the booth's requests with their race times, a pure function of the regatta |
//! | [`driver`] | sends a script over HTTP at a speed and checks every answer |
//! | [`cli`] | the binary's arguments |
//!
//! Everything but the driver is pure and deterministic: the same seed gives byte-identical requests.

pub mod cli;
pub mod driver;
pub mod generate;
mod rng;
pub mod script;
pub mod xml;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use chrono::NaiveDate;

use crate::config::{Config, MasterKeys};
pub use cli::{Command, DemoArgs, USAGE};
use driver::{Target, scaled};

/// Applies the demo's options to a configuration read from the environment: its own database,
/// `--port`, a fresh master key for its booth (configured keys keep working) and, unless
/// `ONCOURSE_TTL_MS` was set, an on-course lifetime scaled to the speed. Returns the booth's key.
pub fn configure(
    config: &mut Config,
    args: &DemoArgs,
    ttl_from_env: bool,
) -> anyhow::Result<String> {
    if same_file(&config.database_path, &args.database) {
        anyhow::bail!(
            "the demo database {} is the server's DATABASE_PATH; the demo deletes its database at start, choose another --db",
            args.database.display()
        );
    }
    config.database_path.clone_from(&args.database);
    // The demo always runs on its own SQLite file, whatever DATABASE_URL says.
    config.postgres_url = None;
    config.sequence_in_db = false;
    if let Some(port) = args.port {
        config.port = port;
    }
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let key = format!("demo-{}", hex::encode(bytes));
    let configured = std::env::var("MASTER_PASSWORDS").unwrap_or_default();
    config.master_keys = MasterKeys::parse(&format!("{configured},{key}"));
    if !ttl_from_env {
        config.oncourse_ttl = oncourse_ttl(args.speed);
    }
    Ok(key)
}

/// On-course entries live 10 s of race time (at least 1 s, at most the default 10 s): a finished
/// rider who left the producer's list then disappears as soon, in race time, as in a real race.
pub fn oncourse_ttl(speed: f64) -> Duration {
    scaled(10_000, speed).clamp(Duration::from_secs(1), Duration::from_secs(10))
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// Deletes the demo database and its WAL/SHM files, so every start replays from scratch.
pub fn reset_database(path: &Path) -> std::io::Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// `http://<host>:<port>` to open in a browser and to drive: a wildcard listen address becomes
/// the loopback one.
pub fn base_url(host: IpAddr, port: u16) -> String {
    let host = match host {
        IpAddr::V4(a) if a.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(a) if a.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        h => h,
    };
    format!("http://{}", SocketAddr::new(host, port))
}

/// Runs demo days one after another, printing where to look; returns only if the task is
/// dropped (the binary aborts it on Ctrl-C / SIGTERM).
#[expect(
    clippy::print_stdout,
    reason = "the demo's point is to tell the user which URL to open"
)]
pub async fn run_days(target: Target, args: DemoArgs, first_date: NaiveDate) {
    let mut day: u32 = 1;
    loop {
        let date = first_date + chrono::Days::new(u64::from(day - 1));
        // Generating a day is pure CPU work (seconds in a debug build): off the thread that
        // drives the booth and watches for Ctrl-C.
        let seed = args.seed;
        let Ok(script) = tokio::task::spawn_blocking(move || script::day(seed, day, date)).await
        else {
            tracing::error!(day, "generating the demo day failed");
            return;
        };
        let id = &script.regatta.event_id;
        println!();
        println!(
            "Demo day {day} (seed {}, speed {}×): {} — {} riders, {} races, about {} min",
            args.seed,
            args.speed,
            script.regatta.main_title,
            script.regatta.participants.len(),
            script.regatta.races.len(),
            scaled(script.end_ms, args.speed).as_secs().div_ceil(60)
        );
        println!("  Open:  {}/events/{id}", target.base);
        println!("  API:   {}/api/v1/events/{id}", target.base);
        let started = tokio::time::Instant::now();
        match driver::run(&script, &target, args.speed).await {
            Ok(report) => {
                println!(
                    "Demo day {day} is official ({} requests: {} on-course, {} results, {} XML).",
                    report.requests, report.oncourse, report.results, report.xml
                );
                tokio::time::sleep_until(started + scaled(script.end_ms, args.speed)).await;
            }
            Err(e) => {
                tracing::error!(error = %e, day, "demo day stopped; the next one starts in 5 s");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
        day = day.saturating_add(1);
    }
}

#[cfg(test)]
mod tests;
