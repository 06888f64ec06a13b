//! `live-mini`: configuration → database → listen; SIGINT/SIGTERM stop it gracefully.
//! `live-mini demo` does the same on its own database and feeds it a generated race
//! (`live_server::demo`); `live-mini --help` prints the usage.
//! `live-mini backup <file>` copies the database instead (see `live_server::backup`).

use std::process::ExitCode;

use live_server::demo::{self, Command, DemoArgs};
use live_server::{Application, Config, telemetry};

fn main() -> ExitCode {
    // `live-mini backup <file>`: a one-shot command beside the serving process.
    if let Some(code) =
        live_server::backup::run_from_args(&std::env::args_os().skip(1).collect::<Vec<_>>())
    {
        return code;
    }
    let command = match demo::cli::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(e) => {
            #[expect(clippy::print_stderr, reason = "usage errors go to stderr")]
            {
                eprintln!("{e}");
            }
            return ExitCode::from(2);
        }
    };
    if command == Command::Help {
        #[expect(clippy::print_stdout, reason = "--help prints the usage")]
        {
            print!("{}", demo::USAGE);
        }
        return ExitCode::SUCCESS;
    }
    // Values are checked before anything else, and the production refusal happens before the
    // database is touched (contract §7).
    let mut config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            #[expect(
                clippy::print_stderr,
                reason = "logging is not set up before the config"
            )]
            {
                eprintln!("{e}");
            }
            return ExitCode::from(1);
        }
    };
    telemetry::init(&config.log_filter, config.log_format);
    let demo = match command {
        Command::Demo(args) => match prepare_demo(&mut config, args) {
            Ok(d) => Some(d),
            Err(e) => {
                tracing::error!(error = %e, "cannot start the demo");
                return ExitCode::from(1);
            }
        },
        Command::Serve | Command::Help => None,
    };
    match actix_web::rt::System::new().block_on(serve(config, demo)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "live-mini stopped with an error");
            ExitCode::from(1)
        }
    }
}

/// The demo's booth: its options and master key.
struct Demo {
    args: DemoArgs,
    master_key: String,
}

/// Points the configuration at the demo database (deleted first, so a seed replays the same
/// race) and gives the demo's booth its own master key.
fn prepare_demo(config: &mut Config, args: DemoArgs) -> anyhow::Result<Demo> {
    let ttl_from_env = std::env::var_os("ONCOURSE_TTL_MS").is_some();
    let master_key = demo::configure(config, &args, ttl_from_env)?;
    demo::reset_database(&config.database_path)?;
    Ok(Demo { args, master_key })
}

async fn serve(config: Config, demo: Option<Demo>) -> anyhow::Result<()> {
    let host = config.host;
    let database = match &config.postgres_url {
        Some(url) => url.to_string(),
        None => config.database_path.display().to_string(),
    };
    let app = Application::build(config).await?;
    let port = app.port();
    tracing::info!(%host, port, %database, "live-mini listening");
    let handle = app.handle();
    let server = actix_web::rt::spawn(app.run_until_stopped());
    let booth = demo.map(|d| {
        let target = demo::driver::Target {
            base: demo::base_url(host, port),
            master_key: Some(d.master_key),
        };
        let today = chrono::Local::now().date_naive();
        actix_web::rt::spawn(demo::run_days(target, d.args, today))
    });
    wait_for_signal().await;
    tracing::info!("shutting down");
    if let Some(b) = booth {
        b.abort();
    }
    handle.shutdown().await;
    server.await??;
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
async fn wait_for_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot listen for SIGTERM");
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
