//! Backups: the `live-mini backup <file>` command and the scheduled backups of a running server
//! (`BACKUP_DIR`, `BACKUP_EVERY_SECS`, `BACKUP_KEEP`). The copying itself is
//! [`live_store::backup`]: a consistent online copy (`VACUUM INTO`), verified before it gets its
//! final name. docs/RUNBOOK.md ("Backup and restore") is the operator's side.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::config::{BackupSchedule, Config};

/// Runs `live-mini backup <file>` when `args` (the process arguments after the program name)
/// start with `backup`; `None` otherwise, and the caller goes on serving.
///
/// The database is `DATABASE_PATH`, read from the same environment as the server's (every
/// variable is validated the same way). Prints what it wrote; exit code 1 on any failure, and no
/// file is then left at `<file>`.
pub fn run_from_args(args: &[OsString]) -> Option<ExitCode> {
    if args.first().is_none_or(|a| a != "backup") {
        return None;
    }
    let outcome = match &args[1..] {
        [dest] if !dest.is_empty() && dest != "-h" && dest != "--help" => Config::from_env()
            .map_err(|e| e.to_string())
            .and_then(|config| match &config.postgres_url {
                Some(url) => Err(postgres_refusal(url)),
                None => Ok(config),
            })
            .and_then(|config| {
                live_store::backup(&config.database_path, Path::new(dest)).map_err(|e| {
                    format!("backup of {} failed: {e}", config.database_path.display())
                })
            }),
        _ => Err("usage: live-mini backup <file>\n\
             Copies DATABASE_PATH to <file> (which must not exist) while the server runs, \
             and verifies the copy."
            .to_owned()),
    };
    Some(match outcome {
        Ok(report) => {
            #[expect(clippy::print_stdout, reason = "the command's answer to the operator")]
            {
                println!(
                    "backup written: {} ({} bytes; integrity ok; {} events, {} participants, {} results)",
                    report.path.display(),
                    report.bytes,
                    report.events,
                    report.participants,
                    report.results
                );
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            #[expect(
                clippy::print_stderr,
                reason = "a command-line failure, before any logging"
            )]
            {
                eprintln!("{message}");
            }
            ExitCode::from(1)
        }
    })
}

/// Why `live-mini backup` does nothing on PostgreSQL.
fn postgres_refusal(url: &crate::config::PostgresUrl) -> String {
    format!(
        "live-mini backup copies the SQLite file; DATABASE_URL points at PostgreSQL ({}).\n\
         Back it up with pg_dump instead, e.g. pg_dump --format=custom --file=<file> <DATABASE_URL> \
         (docs/RUNBOOK.md, \"PostgreSQL\").",
        url.redacted()
    )
}

/// Takes a backup of `database` into the schedule's directory every `every` (the first one
/// `every` after start) and keeps the newest `keep`. Each run is on the blocking pool with its
/// own connection, so the writer and the request workers never wait for it; a failure is logged
/// and the next tick tries again.
pub(crate) fn spawn_scheduler(
    database: PathBuf,
    schedule: BackupSchedule,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick =
            tokio::time::interval_at(tokio::time::Instant::now() + schedule.every, schedule.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let (database, dir, keep) = (database.clone(), schedule.dir.clone(), schedule.keep);
            let run = tokio::task::spawn_blocking(move || {
                live_store::backup_into_dir(&database, &dir, keep, chrono::Utc::now())
            })
            .await;
            match run {
                Ok(Ok((report, removed))) => tracing::info!(
                    target: "live_mini::backup",
                    path = %report.path.display(),
                    bytes = report.bytes,
                    events = report.events,
                    removed = removed.len(),
                    "scheduled backup written"
                ),
                Ok(Err(e)) => {
                    tracing::error!(target: "live_mini::backup", error = %e, "scheduled backup failed");
                }
                Err(e) => {
                    tracing::error!(target: "live_mini::backup", error = %e, "scheduled backup task failed");
                }
            }
        }
    })
}
