//! Sends a [`Script`] over real HTTP, as the booth would, at a chosen speed.
//!
//! Every answer is checked: a non-2xx status, an `ignored` JSON feed or a results push whose
//! `updated` differs from the rows sent stops the day with an error, so a demo that runs through
//! is also a check that the server accepts what the real producer sends.

use std::time::Duration;

use awc::Client;
use serde_json::Value;

use super::script::{Request, Script};

/// Where to send, and with which master key.
#[derive(Debug, Clone)]
pub struct Target {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// A configured master key; `None` when the admin API is open.
    pub master_key: Option<String>,
}

/// What a day sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The event's API key.
    pub api_key: String,
    /// Requests sent (all answered 2xx).
    pub requests: usize,
    /// Of which on-course pushes.
    pub oncourse: usize,
    /// Of which results pushes.
    pub results: usize,
    /// Of which XML imports.
    pub xml: usize,
}

/// Why a day stopped.
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// The request could not be sent or its answer not read.
    #[error("step {step} ({kind}): {error}")]
    Transport {
        /// Step index.
        step: usize,
        /// Request kind.
        kind: &'static str,
        /// What failed.
        error: String,
    },
    /// The server answered something the booth would treat as a failure.
    #[error("step {step} ({kind}): HTTP {status}: {body}")]
    Rejected {
        /// Step index.
        step: usize,
        /// Request kind.
        kind: &'static str,
        /// HTTP status.
        status: u16,
        /// The answer (shortened).
        body: String,
    },
}

/// Race-time milliseconds → wall-clock duration at `speed` (1 = real time).
pub fn scaled(ms: u64, speed: f64) -> Duration {
    // Race times stay far below 2^52 ms, where the conversion is exact.
    let ms = u32::try_from(ms).map_or(f64::from(u32::MAX), f64::from);
    Duration::from_secs_f64(ms / 1000.0 / speed)
}

/// Sends every step of `script` at its time, scaled by `speed`; returns when the last step has
/// been answered (the day's trailing pause is the caller's).
pub async fn run(script: &Script, target: &Target, speed: f64) -> Result<Report, DriverError> {
    let client = Client::builder().timeout(Duration::from_secs(10)).finish();
    let event_id = &script.regatta.event_id;
    let started = tokio::time::Instant::now();
    let mut report = Report::default();
    for (i, step) in script.steps.iter().enumerate() {
        tokio::time::sleep_until(started + scaled(step.at_ms, speed)).await;
        let req = &step.request;
        let kind = req.kind();
        let url = format!("{}{}", target.base, req.path(event_id));
        let mut builder = match req.method() {
            "PATCH" => client.patch(url),
            _ => client.post(url),
        };
        builder = match req {
            Request::CreateEvent(_) => match &target.master_key {
                Some(k) => builder.insert_header(("X-Master-Key", k.as_str())),
                None => builder,
            },
            _ => builder.insert_header(("X-API-Key", report.api_key.as_str())),
        };
        let mut res = builder
            .send_json(&req.body())
            .await
            .map_err(|e| DriverError::Transport {
                step: i,
                kind,
                error: e.to_string(),
            })?;
        let status = res.status().as_u16();
        let bytes = res
            .body()
            .limit(1024 * 1024)
            .await
            .map_err(|e| DriverError::Transport {
                step: i,
                kind,
                error: e.to_string(),
            })?;
        let answer: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let reject = || DriverError::Rejected {
            step: i,
            kind,
            status,
            body: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
        };
        if !(200..300).contains(&status) || answer.get("ignored").is_some() {
            return Err(reject());
        }
        match req {
            Request::CreateEvent(_) => {
                answer["apiKey"]
                    .as_str()
                    .ok_or_else(reject)?
                    .clone_into(&mut report.api_key);
            }
            Request::Results { rows, .. } => {
                if answer["updated"].as_u64() != Some(*rows as u64) {
                    return Err(reject());
                }
                report.results += 1;
            }
            Request::Oncourse(_) => report.oncourse += 1,
            Request::Xml(_) => report.xml += 1,
            Request::Status(_) => {}
        }
        report.requests += 1;
    }
    Ok(report)
}
