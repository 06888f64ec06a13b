//! `live-loadgen`: parses the flags, runs the scenario on a tokio runtime with the configured
//! number of workers (default 1, so it can be pinned to one core with `taskset`), prints the
//! report table and writes the JSON report. Exit code 1 when any invariant failed, 2 on bad
//! arguments.

use std::io::Write as _;
use std::process::ExitCode;

use live_loadgen::cli::{USAGE, parse_args};

fn main() -> ExitCode {
    let cli = match parse_args(std::env::args().skip(1)) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "live-loadgen: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if cli.help {
        let _ = write!(std::io::stdout(), "{USAGE}");
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cli.workers)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "live-loadgen: cannot start the runtime: {e}"
            );
            return ExitCode::from(2);
        }
    };
    let report = runtime.block_on(live_loadgen::run_until(cli.config, async {
        // Ctrl-C winds the run down (checks and clean-up still happen); without signal support
        // the run simply goes to its end.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }));
    let mut failed = report.failed > 0;
    let _ = write!(std::io::stdout().lock(), "{}", report.render());
    if let Some(path) = &cli.json {
        let written = serde_json::to_vec_pretty(&report)
            .map_err(std::io::Error::other)
            .and_then(|json| std::fs::write(path, json));
        if let Err(e) = written {
            let _ = writeln!(
                std::io::stderr(),
                "live-loadgen: cannot write {}: {e}",
                path.display()
            );
            failed = true;
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
