//! Command line of the `live-mini` binary: no arguments serve as always; `demo` runs the demo.

use std::path::PathBuf;

/// The usage text (`--help`).
pub const USAGE: &str = "\
live-mini — live results server for canoe slalom

USAGE:
    live-mini                 serve (configuration from the environment, see README)
    live-mini demo [OPTIONS]  serve a generated demo race on its own database
    live-mini backup <FILE>   copy DATABASE_PATH to FILE while the server runs, and verify it
    live-mini --help          print this text

DEMO OPTIONS:
    --seed N       which generated race (default 1); the same seed gives the same race
    --speed X      race-time speed-up, 1 = real time (default 5; 0.1 to 10000)
    --port P       listen port (default: PORT, else 3000)
    --db PATH      demo database, deleted and recreated at start (default ./data/demo.db)

The demo creates an event, imports its Canoe123 XML start list and runs the race through the
booth's HTTP ingest API: riders on course gate by gate, results after every finish, a second
run, a judges' correction, then finished and official; then the next day, until Ctrl-C.
";

/// What the binary was asked to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Serve (no arguments).
    Serve,
    /// Print [`USAGE`].
    Help,
    /// Run the demo.
    Demo(DemoArgs),
}

/// `live-mini demo` options.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoArgs {
    /// `--seed`.
    pub seed: u64,
    /// `--speed`.
    pub speed: f64,
    /// `--port` (overrides `PORT`).
    pub port: Option<u16>,
    /// `--db`.
    pub database: PathBuf,
}

impl Default for DemoArgs {
    fn default() -> Self {
        Self {
            seed: 1,
            speed: 5.0,
            port: None,
            database: PathBuf::from("./data/demo.db"),
        }
    }
}

/// Parses the arguments after the program name. The message of an error names the argument.
pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut it = args.into_iter();
    let Some(first) = it.next() else {
        return Ok(Command::Serve);
    };
    match first.as_str() {
        "-h" | "--help" | "help" => return Ok(Command::Help),
        "demo" => {}
        other => return Err(format!("unknown argument {other:?} (try --help)")),
    }
    let mut out = DemoArgs::default();
    while let Some(arg) = it.next() {
        if arg == "-h" || arg == "--help" {
            return Ok(Command::Help);
        }
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) => (n.to_owned(), Some(v.to_owned())),
            None => (arg.clone(), None),
        };
        if !matches!(name.as_str(), "--seed" | "--speed" | "--port" | "--db") {
            return Err(format!("unknown demo option {arg:?} (try --help)"));
        }
        let value = match inline {
            Some(v) => v,
            None => it
                .next()
                .ok_or_else(|| format!("{name} needs a value (try --help)"))?,
        };
        let bad = |rule: &str| format!("invalid {name} {value:?}: {rule}");
        match name.as_str() {
            "--seed" => {
                out.seed = value
                    .parse()
                    .map_err(|_| bad("a whole number 0–18446744073709551615"))?;
            }
            "--speed" => {
                let s: f64 = value.parse().map_err(|_| bad("a number"))?;
                if !(0.1..=10_000.0).contains(&s) {
                    return Err(bad("between 0.1 and 10000"));
                }
                out.speed = s;
            }
            "--port" => out.port = Some(value.parse().map_err(|_| bad("a port 0–65535"))?),
            _ => {
                if value.is_empty() {
                    return Err(bad("a file path"));
                }
                out.database = PathBuf::from(value);
            }
        }
    }
    Ok(Command::Demo(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(a: &[&str]) -> Result<Command, String> {
        parse(a.iter().map(|s| (*s).to_owned()))
    }

    #[test]
    fn no_arguments_serve() {
        assert_eq!(args(&[]), Ok(Command::Serve));
    }

    #[test]
    fn help_anywhere() {
        assert_eq!(args(&["--help"]), Ok(Command::Help));
        assert_eq!(args(&["-h"]), Ok(Command::Help));
        assert_eq!(args(&["demo", "--seed", "3", "--help"]), Ok(Command::Help));
    }

    #[test]
    fn demo_defaults_and_options() {
        assert_eq!(args(&["demo"]), Ok(Command::Demo(DemoArgs::default())));
        let Ok(Command::Demo(d)) = args(&[
            "demo",
            "--seed",
            "42",
            "--speed=100",
            "--port",
            "8080",
            "--db",
            "/tmp/x.db",
        ]) else {
            panic!("not a demo command");
        };
        assert_eq!(d.seed, 42);
        assert!((d.speed - 100.0).abs() < f64::EPSILON);
        assert_eq!(d.port, Some(8080));
        assert_eq!(d.database, PathBuf::from("/tmp/x.db"));
    }

    #[test]
    fn bad_arguments_are_named() {
        assert_eq!(
            args(&["serve"]),
            Err("unknown argument \"serve\" (try --help)".to_owned())
        );
        assert_eq!(
            args(&["demo", "--speed", "0"]),
            Err("invalid --speed \"0\": between 0.1 and 10000".to_owned())
        );
        assert_eq!(
            args(&["demo", "--seed"]),
            Err("--seed needs a value (try --help)".to_owned())
        );
        assert_eq!(
            args(&["demo", "--port", "70000"]),
            Err("invalid --port \"70000\": a port 0–65535".to_owned())
        );
        assert_eq!(
            args(&["demo", "--fast"]),
            Err("unknown demo option \"--fast\" (try --help)".to_owned())
        );
    }
}
