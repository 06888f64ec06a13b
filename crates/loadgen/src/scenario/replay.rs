//! Replaying the recorded booth session: each line sent at its recorded time (scaled by the speed
//! factor) and its answer compared with the recorded status.

use std::ops::Range;
use std::path::Path;
use std::time::{Duration, Instant};

use tokio::sync::watch;

use super::pace::{Pacer, count_status};
use crate::booth::{BoothError, BoothLine, Placeholders, parse_feed};
use crate::http::HttpClient;
use crate::report::RequestReport;
use crate::slots::{ReqKind, Slots};

/// Mismatch descriptions kept (the count is exact).
const MAX_MISMATCHES: usize = 10;

/// The feed with every body encoded for one event id.
#[derive(Debug)]
pub(crate) struct Replay {
    pub(crate) lines: Vec<BoothLine>,
    bodies: Vec<Option<Vec<u8>>>,
    pub(crate) event_id: String,
}

impl Replay {
    /// Reads the feed and encodes its bodies for `event_id` (XML references resolved and
    /// checked now, so the schedule is not held up by 3 MB of text later).
    pub(crate) fn load(feed: &Path, fixtures: &Path, event_id: &str) -> Result<Self, BoothError> {
        let text = std::fs::read_to_string(feed).map_err(|error| BoothError::File {
            seq: 0,
            path: feed.display().to_string(),
            error,
        })?;
        let lines = parse_feed(&text)?;
        let bodies = lines
            .iter()
            .map(|l| l.body_for(event_id, fixtures))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            lines,
            bodies,
            event_id: event_id.to_owned(),
        })
    }

    /// The same feed for another event id (bodies re-encoded where they name it).
    pub(crate) fn for_event(&self, event_id: &str, fixtures: &Path) -> Result<Self, BoothError> {
        let bodies = self
            .lines
            .iter()
            .zip(&self.bodies)
            .map(
                |(line, body)| match line.body.as_ref().and_then(|b| b.get("xml")) {
                    Some(_) => Ok(body.clone()),
                    None => line.body_for(event_id, fixtures),
                },
            )
            .collect::<Result<_, _>>()?;
        Ok(Self {
            lines: self.lines.clone(),
            bodies,
            event_id: event_id.to_owned(),
        })
    }

    /// What each line feeds, for the slot schedule.
    pub(crate) fn slots(&self, speed: f64) -> Slots {
        Slots::new(
            self.lines
                .iter()
                .map(|l| (scaled(l.t_ms, speed), kind_of(l))),
        )
    }
}

/// What a booth line feeds.
pub(crate) fn kind_of(line: &BoothLine) -> ReqKind {
    if line.requested_status().is_some() {
        ReqKind::Status
    } else if line.path.ends_with("/ingest/oncourse") {
        ReqKind::Oncourse
    } else if line.path.ends_with("/ingest/results") {
        ReqKind::Results
    } else if line.path.ends_with("/ingest/xml") {
        ReqKind::Xml
    } else {
        ReqKind::Other
    }
}

/// Recorded milliseconds at `speed`.
#[expect(
    clippy::cast_precision_loss,
    reason = "recorded times are far below 2^52 ms"
)]
pub(crate) fn scaled(t_ms: u64, speed: f64) -> Duration {
    Duration::from_secs_f64(t_ms as f64 / 1000.0 / speed)
}

/// The state of one replay across its segments.
#[derive(Debug, Default)]
pub(crate) struct ReplayState {
    pub(crate) api_key: Option<String>,
    pub(crate) sent: usize,
    pub(crate) mismatches: usize,
    pub(crate) examples: Vec<String>,
    pub(crate) stats: RequestReport,
    /// Whether the event exists on the server (created and not yet deleted).
    pub(crate) event_exists: bool,
}

impl ReplayState {
    fn mismatch(&mut self, what: String) {
        self.mismatches += 1;
        if self.examples.len() < MAX_MISMATCHES {
            self.examples.push(what);
        }
    }
}

/// Sends lines `range` of `replay`, each at its recorded time relative to the segment's first
/// line. Returns `false` when interrupted or when the event could not be created.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site per scenario; a struct would only rename them"
)]
pub(crate) async fn segment(
    http: &mut HttpClient,
    replay: &Replay,
    range: Range<usize>,
    speed: f64,
    master_key: Option<&str>,
    slots: Option<&Slots>,
    clock: Instant,
    state: &mut ReplayState,
    interrupt: &mut watch::Receiver<bool>,
) -> bool {
    let Some(first) = replay.lines.get(range.start) else {
        return true;
    };
    let origin = first.t_ms;
    let mut pacer = Pacer::new(clock);
    let mut ok = true;
    for k in range {
        let (Some(line), Some(body)) = (replay.lines.get(k), replay.bodies.get(k)) else {
            break;
        };
        let values = Placeholders {
            event_id: &replay.event_id,
            master_key,
            api_key: state.api_key.as_deref(),
        };
        let headers = match line.headers_for(&values) {
            Ok(h) => h,
            Err(e) => {
                state.mismatch(e.to_string());
                continue;
            }
        };
        let header_refs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let path = line.path_for(&replay.event_id);
        let Some(base) = pacer
            .until(scaled(line.t_ms.saturating_sub(origin), speed), interrupt)
            .await
        else {
            ok = false;
            break;
        };
        if let Some(slots) = slots {
            slots.mark_sent(k, base);
        }
        let response = http
            .send(&line.method, &path, &header_refs, body.as_deref())
            .await;
        state.sent += 1;
        let status = response.as_ref().ok().map(|r| r.status);
        count_status(&mut state.stats, status);
        if let (Some(slots), Some(status)) = (slots, status) {
            slots.mark_answered(k, status);
        }
        if status != Some(line.status) {
            let got = status.map_or_else(|| "no response".to_owned(), |s| s.to_string());
            state.mismatch(format!(
                "seq {} {} {}: got {got}, recorded {}",
                line.seq, line.method, line.path, line.status
            ));
        }
        if line.creates_event() {
            state.api_key = response
                .ok()
                .filter(|r| r.status == 201)
                .and_then(|r| r.json()["apiKey"].as_str().map(str::to_owned));
            state.event_exists = state.api_key.is_some();
            if state.api_key.is_none() {
                ok = false;
                break;
            }
        } else if line.deletes_event() && status == Some(200) {
            state.event_exists = false;
        }
    }
    state.stats.sent = state.sent;
    pacer.add_to(&mut state.stats);
    ok
}

/// Index of the first line after which the event is public (its first status PATCH).
pub(crate) fn first_public_line(replay: &Replay) -> Option<usize> {
    replay
        .lines
        .iter()
        .position(|l| l.requested_status().is_some_and(|s| s != "draft"))
}

/// Index of the first DELETE line.
pub(crate) fn first_delete_line(replay: &Replay) -> Option<usize> {
    replay.lines.iter().position(BoothLine::deletes_event)
}

/// Adds one replay's counts to a report's request counters.
pub(crate) fn merge_stats(into: &mut RequestReport, from: &RequestReport) {
    into.sent += from.sent;
    into.late += from.late;
    into.max_lag_ms = into.max_lag_ms.max(from.max_lag_ms);
    for (status, n) in &from.statuses {
        *into.statuses.entry(status.clone()).or_insert(0) += n;
    }
}

/// Deletes an event a cut-short replay left behind (best effort, with the master key or the
/// event's key).
pub(crate) async fn clean_up(
    http: &mut HttpClient,
    event_id: &str,
    api_key: Option<&str>,
) -> Option<u16> {
    let path = format!("/api/v1/admin/events/{event_id}");
    let headers: Vec<(&str, &str)> = api_key.map(|k| ("X-API-Key", k)).into_iter().collect();
    http.send("DELETE", &path, &headers, None)
        .await
        .ok()
        .map(|r| r.status)
}

/// Lines per kind, for tests.
#[cfg(test)]
fn kinds(replay: &Replay) -> std::collections::BTreeMap<&'static str, usize> {
    let mut m = std::collections::BTreeMap::new();
    for l in &replay.lines {
        let k = match kind_of(l) {
            ReqKind::Oncourse => "oncourse",
            ReqKind::Results => "results",
            ReqKind::Xml => "xml",
            ReqKind::Status => "status",
            ReqKind::Other => "other",
        };
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn fixtures() -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures"
        ))
    }

    #[test]
    fn recorded_session_kinds_and_landmarks() {
        let replay = Replay::load(
            &fixtures().join("booth-feed/healthy-race.jsonl"),
            &fixtures(),
            "r1",
        )
        .unwrap();
        let k = kinds(&replay);
        assert_eq!(k["oncourse"], 325);
        assert_eq!(k["results"], 8);
        assert_eq!(k["xml"], 2);
        assert_eq!(k["status"], 4);
        assert_eq!(k["other"], 3);
        assert_eq!(first_public_line(&replay), Some(2));
        assert_eq!(first_delete_line(&replay), Some(341));
        let other = replay.for_event("r2", &fixtures()).unwrap();
        let create: serde_json::Value =
            serde_json::from_slice(other.bodies[0].as_deref().unwrap()).unwrap();
        assert_eq!(create["eventId"], "r2");
        assert_eq!(other.bodies[1], replay.bodies[1]);
    }

    #[test]
    fn speed_scales_the_schedule() {
        assert_eq!(scaled(1000, 2.0), Duration::from_millis(500));
        assert_eq!(scaled(265_300, 1.0), Duration::from_millis(265_300));
    }
}
