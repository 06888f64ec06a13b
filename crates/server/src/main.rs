//! `live-mini`: configuration → database → listen; SIGINT/SIGTERM stop it gracefully.
//! `live-mini backup <file>` copies the database instead (see `live_server::backup`).

use std::process::ExitCode;

use live_server::{Application, Config, telemetry};

fn main() -> ExitCode {
    // `live-mini backup <file>`: a one-shot command beside the serving process.
    if let Some(code) =
        live_server::backup::run_from_args(&std::env::args_os().skip(1).collect::<Vec<_>>())
    {
        return code;
    }
    // Values are checked before anything else, and the production refusal happens before the
    // database is touched (contract §7).
    let config = match Config::from_env() {
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
    match actix_web::rt::System::new().block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "live-mini stopped with an error");
            ExitCode::from(1)
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let (host, database) = (config.host, config.database_path.clone());
    let app = Application::build(config)?;
    tracing::info!(%host, port = app.port(), database = %database.display(), "live-mini listening");
    let handle = app.handle();
    let server = actix_web::rt::spawn(app.run_until_stopped());
    wait_for_signal().await;
    tracing::info!("shutting down");
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
