//! The timeline of one demo day: every request the booth (Canoe123 + c123-server) would send,
//! with its race time, as a pure function of the regatta.
//!
//! Shapes and cadence follow c123-server (c123-xml.md §12, `fixtures/booth-feed/healthy-race.jsonl`):
//! create → XML start list → `startlist` → `running`; then, while riders are on course, an
//! on-course snapshot every 500 ms of race time unless it is identical to the previous one (the
//! producer skips identical snapshots), and `[]` once the course is empty; after every change of a
//! race's result table (a finish, a DNS, a DNF, a DSQ, a correction) that race's whole table, one
//! second later (the producer's debounce), without riders that have neither time nor status, every
//! started run's row with the `gates` it passed (as c123-server sends them when it has Canoe123's
//! TCP stream: `pen` = their sum × 100, a DNF's only up to its stop); an
//! XML re-export with updated `RaceStatus` whenever a race starts; at the end a last XML,
//! `finished` and `official`.

use serde_json::{Value, json};

use super::generate::{
    CORRECTION_DELAY_MS, DSQ_DELAY_MS, End, Outcome, Regatta, Run, Started, regatta,
};
use super::xml::{self, race_status};

/// On-course sampling period (race time).
pub const TICK_MS: u64 = 500;
/// A rider appears on course (as the next starter) this long before the planned start. With the
/// start delay (≤ 2.5 s) it stays below the on-course lifetime of 10 s of race time: a waiting
/// rider's entry does not change, so it is sent once and must not expire before the start.
const WAITING_MS: u64 = 6_000;
/// A finished rider stays on the on-course list this long.
const LINGER_MS: u64 = 5_000;
/// A DNS is entered this long after the planned start.
const DNS_DELAY_MS: u64 = 15_000;
/// c123-server's results debounce.
const DEBOUNCE_MS: u64 = 1_000;
/// Between `official` and the next day.
pub const NEXT_DAY_PAUSE_MS: u64 = 30_000;

/// One request of the booth.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `POST /api/v1/admin/events` with the master key.
    CreateEvent(Value),
    /// `POST /api/v1/ingest/xml`, the export text.
    Xml(String),
    /// `PATCH /api/v1/admin/events/:eventId/status`.
    Status(&'static str),
    /// `POST /api/v1/ingest/oncourse`.
    Oncourse(Value),
    /// `POST /api/v1/ingest/results`; `rows` is the length of its `results` array.
    Results {
        /// The body.
        body: Value,
        /// Rows sent (the server must answer `updated` = rows).
        rows: usize,
    },
}

impl Request {
    /// Short name, also the ingest-log `type` for the ingest requests.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CreateEvent(_) => "create",
            Self::Xml(_) => "xml",
            Self::Status(_) => "status",
            Self::Oncourse(_) => "json_oncourse",
            Self::Results { .. } => "json_results",
        }
    }

    /// HTTP method.
    pub fn method(&self) -> &'static str {
        match self {
            Self::Status(_) => "PATCH",
            _ => "POST",
        }
    }

    /// Path for the event `event_id`.
    pub fn path(&self, event_id: &str) -> String {
        match self {
            Self::CreateEvent(_) => "/api/v1/admin/events".to_owned(),
            Self::Xml(_) => "/api/v1/ingest/xml".to_owned(),
            Self::Status(_) => format!("/api/v1/admin/events/{event_id}/status"),
            Self::Oncourse(_) => "/api/v1/ingest/oncourse".to_owned(),
            Self::Results { .. } => "/api/v1/ingest/results".to_owned(),
        }
    }

    /// JSON body.
    pub fn body(&self) -> Value {
        match self {
            Self::CreateEvent(v) | Self::Oncourse(v) | Self::Results { body: v, .. } => v.clone(),
            Self::Xml(x) => json!({ "xml": x }),
            Self::Status(s) => json!({ "status": s }),
        }
    }
}

/// A request and when (race time, ms from the start of the day) it is sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// Race time.
    pub at_ms: u64,
    /// The request.
    pub request: Request,
}

/// One demo day: the regatta and its requests in time order.
#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    /// What is raced.
    pub regatta: Regatta,
    /// The requests, ordered by `at_ms`.
    pub steps: Vec<Step>,
    /// Race time at which the day is over (after `official` and a pause).
    pub end_ms: u64,
}

/// The script of day `day` for `seed`, dated `date`.
pub fn day(seed: u64, day: u32, date: chrono::NaiveDate) -> Script {
    build(regatta(seed, day, date))
}

/// A row of a results table as Canoe123 currently holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Row {
    time: Option<i32>,
    /// Sum of `gates` × 100.
    pen: i32,
    total: Option<i32>,
    status: Option<&'static str>,
    /// Penalties (seconds) of the gates passed, gate 1 first; `None` for a run not started.
    gates: Option<Vec<i32>>,
}

impl Row {
    /// A started run's row: `pen` is the sum of `gates`.
    fn started(time: Option<i32>, status: Option<&'static str>, gates: Vec<i32>) -> Self {
        let pen = gates.iter().sum::<i32>() * 100;
        Self {
            time,
            pen,
            total: time.map(|t| t + pen),
            status,
            gates: Some(gates),
        }
    }

    /// The feed's `gates` array: `[{"gate":1,"pen":0},…]` (c123-xml.md §12.1).
    fn feed_gates(&self) -> Option<Value> {
        self.gates.as_ref().map(|g| {
            g.iter()
                .enumerate()
                .map(|(i, p)| json!({ "gate": i + 1, "pen": p }))
                .collect()
        })
    }
}

/// A change of one row at a moment.
#[derive(Debug, Clone)]
struct Change {
    at_ms: u64,
    race: usize,
    run: usize,
    row: Row,
}

/// The script of a regatta.
pub fn build(regatta: Regatta) -> Script {
    let mut steps = vec![
        Step {
            at_ms: 0,
            request: Request::CreateEvent(json!({
                "mainTitle": regatta.main_title,
                "eventId": regatta.event_id,
                "location": regatta.location,
                "discipline": "Slalom",
            })),
        },
        Step {
            at_ms: 300,
            request: Request::Xml(xml::export(
                &regatta,
                &vec![race_status::SCHEDULED; regatta.races.len()],
            )),
        },
        Step {
            at_ms: 1_000,
            request: Request::Status("startlist"),
        },
        Step {
            at_ms: 30_000,
            request: Request::Status("running"),
        },
    ];

    let changes = changes(&regatta);
    let results = results_pushes(&regatta, &changes);
    let last_result = results.iter().map(|s| s.at_ms).max().unwrap_or(0);
    steps.extend(results);
    let oncourse = oncourse_pushes(&regatta, &changes);
    let last_oncourse = oncourse.iter().map(|s| s.at_ms).max().unwrap_or(0);
    steps.extend(oncourse);

    // A re-export whenever a race starts: its RaceStatus becomes running, finished ones done.
    let race_ends: Vec<u64> = regatta
        .races
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.runs
                .iter()
                .map(|run| run_end(run) + DEBOUNCE_MS)
                .chain(
                    changes
                        .iter()
                        .filter(|c| c.race == i)
                        .map(|c| c.at_ms + DEBOUNCE_MS),
                )
                .max()
                .unwrap_or(0)
        })
        .collect();
    for race in &regatta.races {
        let at = race.first_start_ms - 15_000;
        let statuses: Vec<i32> = regatta
            .races
            .iter()
            .zip(&race_ends)
            .map(|(r, &end)| {
                if end <= at {
                    race_status::DONE
                } else if r.first_start_ms <= race.first_start_ms {
                    race_status::RUNNING
                } else {
                    race_status::SCHEDULED
                }
            })
            .collect();
        steps.push(Step {
            at_ms: at,
            request: Request::Xml(xml::export(&regatta, &statuses)),
        });
    }

    let end = last_result.max(last_oncourse) + 5_000;
    steps.push(Step {
        at_ms: end,
        request: Request::Xml(xml::export(
            &regatta,
            &vec![race_status::DONE; regatta.races.len()],
        )),
    });
    steps.push(Step {
        at_ms: end + 5_000,
        request: Request::Status("finished"),
    });
    steps.push(Step {
        at_ms: end + 35_000,
        request: Request::Status("official"),
    });
    steps.sort_by_key(|s| s.at_ms);
    Script {
        regatta,
        steps,
        end_ms: end + 35_000 + NEXT_DAY_PAUSE_MS,
    }
}

/// When a run leaves the course (or, for a DNS, when its slot has passed).
fn run_end(run: &Run) -> u64 {
    match &run.outcome {
        Outcome::Dns => run.planned_ms + DNS_DELAY_MS,
        Outcome::Started(s) => match s.end {
            End::Dnf { stop_ms } => stop_ms,
            End::Finish { finish_ms, .. } => finish_ms + LINGER_MS,
        },
    }
}

/// Every change of every results table, in time order.
fn changes(regatta: &Regatta) -> Vec<Change> {
    let corr = regatta.features.correction;
    let mut out = Vec::new();
    for (r, race) in regatta.races.iter().enumerate() {
        for (k, run) in race.runs.iter().enumerate() {
            let mut push = |at_ms, row: Row| {
                out.push(Change {
                    at_ms,
                    race: r,
                    run: k,
                    row,
                });
            };
            match &run.outcome {
                Outcome::Dns => push(
                    run.planned_ms + DNS_DELAY_MS,
                    Row {
                        time: None,
                        pen: 0,
                        total: None,
                        status: Some("DNS"),
                        gates: None,
                    },
                ),
                // Canoe123 keeps the penalties of the gates passed before the stop.
                Outcome::Started(s) => match s.end {
                    End::Dnf { stop_ms } => {
                        push(stop_ms, Row::started(None, Some("DNF"), s.gates.clone()));
                    }
                    End::Finish {
                        finish_ms,
                        time_cs,
                        dsq,
                    } => {
                        let row = Row::started(Some(time_cs), None, s.gates.clone());
                        push(finish_ms, row.clone());
                        if dsq {
                            push(
                                finish_ms + DSQ_DELAY_MS,
                                Row {
                                    status: Some("DSQ"),
                                    ..row.clone()
                                },
                            );
                        }
                        if (corr.race, corr.run) == (r, k) {
                            // The reviewed gate alone changes; pen and total follow from it.
                            let mut gates = s.gates.clone();
                            gates[corr.gate] = corr.to;
                            push(
                                finish_ms + CORRECTION_DELAY_MS,
                                Row::started(Some(time_cs), None, gates),
                            );
                        }
                    }
                },
            }
        }
    }
    out.sort_by_key(|c| (c.at_ms, c.race, c.run));
    out
}

/// The race's table as of `at_ms`: the latest row of every run that has one.
fn table_at(changes: &[Change], race: usize, at_ms: u64) -> Vec<(usize, Row)> {
    let mut rows: Vec<(usize, Row)> = Vec::new();
    for c in changes
        .iter()
        .filter(|c| c.race == race && c.at_ms <= at_ms)
    {
        match rows.iter_mut().find(|(k, _)| *k == c.run) {
            Some(slot) => slot.1 = c.row.clone(),
            None => rows.push((c.run, c.row.clone())),
        }
    }
    rows
}

fn results_pushes(regatta: &Regatta, changes: &[Change]) -> Vec<Step> {
    let mut out = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        let push_at = c.at_ms + DEBOUNCE_MS;
        // Debounced per race: a later change within the window is sent with this one.
        if changes[i + 1..]
            .iter()
            .any(|n| n.race == c.race && n.at_ms <= push_at)
        {
            continue;
        }
        let race = &regatta.races[c.race];
        let table = table_at(changes, c.race, c.at_ms);
        let mut ranked: Vec<&(usize, Row)> = table
            .iter()
            .filter(|(_, r)| r.status.is_none() && r.total.is_some())
            .collect();
        ranked.sort_by_key(|(k, r)| (r.total, race.runs[*k].bib));
        let mut unranked: Vec<&(usize, Row)> = table
            .iter()
            .filter(|(_, r)| r.status.is_some() || r.total.is_none())
            .collect();
        unranked.sort_by_key(|(k, _)| race.runs[*k].start_order);
        let totals: Vec<i32> = ranked.iter().filter_map(|(_, r)| r.total).collect();
        let rows: Vec<Value> = ranked
            .iter()
            .chain(&unranked)
            .enumerate()
            .map(|(pos, (k, row))| {
                let run = &race.runs[*k];
                let rnk = match (row.status, row.total) {
                    (None, Some(t)) => 1 + totals.iter().filter(|&&o| o < t).count(),
                    _ => pos + 1,
                };
                let mut v = json!({
                    "participantId": regatta.participants[run.participant].id,
                    "raceId": race.id,
                    "bib": run.bib,
                    "rnk": rnk,
                    "time": row.time,
                    "pen": row.pen,
                    "total": row.total,
                    "status": row.status,
                    "catId": null,
                    "catRnk": null,
                    "totalBehind": null,
                    "catTotalBehind": null,
                });
                // As c123-server with the TCP stream: the gates of every started run, the whole
                // set each time (it replaces the stored gates); none for a DNS.
                if let Some(gates) = row.feed_gates() {
                    v["gates"] = gates;
                }
                v
            })
            .collect();
        let n = rows.len();
        out.push(Step {
            at_ms: push_at,
            request: Request::Results {
                body: json!({ "results": rows }),
                rows: n,
            },
        });
    }
    out
}

/// A finished, not (yet) disqualified run's total as known at `t` (`changes` of its race).
fn total_at(changes: &[Change], run: usize, t: u64) -> Option<i32> {
    let mut latest = None;
    for c in changes.iter().filter(|c| c.run == run && c.at_ms <= t) {
        latest = Some(&c.row);
    }
    latest.and_then(|r| if r.status.is_none() { r.total } else { None })
}

/// The leader of a race at `t` (`changes` of that race; excluding run `except`): total and run.
fn leader(changes: &[Change], runs: usize, t: u64, except: usize) -> Option<(i32, usize)> {
    (0..runs)
        .filter(|&k| k != except)
        .filter_map(|k| total_at(changes, k, t).map(|tot| (tot, k)))
        .min()
}

/// `+12.79` / `-1.20` (seconds, two decimals, always signed).
fn signed_seconds(cs: i32) -> String {
    let sign = if cs < 0 { '-' } else { '+' };
    let a = cs.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

fn oncourse_pushes(regatta: &Regatta, changes: &[Change]) -> Vec<Step> {
    let date = regatta.date.format("%Y-%m-%d").to_string();
    let stamp = |t: u64| format!("{date}T{}Z", Regatta::clock(t));
    let n_gates = regatta.nr_gates();
    let by_race: Vec<Vec<Change>> = (0..regatta.races.len())
        .map(|r| changes.iter().filter(|c| c.race == r).cloned().collect())
        .collect();
    let all: Vec<(usize, usize)> = regatta
        .races
        .iter()
        .enumerate()
        .flat_map(|(r, race)| (0..race.runs.len()).map(move |k| (r, k)))
        .collect();
    let first = all
        .iter()
        .map(|&(r, k)| regatta.races[r].runs[k].planned_ms)
        .min()
        .unwrap_or(0)
        .saturating_sub(WAITING_MS);
    let last = all
        .iter()
        .map(|&(r, k)| run_end(&regatta.races[r].runs[k]))
        .max()
        .unwrap_or(0);

    let mut out = Vec::new();
    let mut previous: Option<Value> = None;
    let mut t = first - first % TICK_MS;
    while t <= last + TICK_MS {
        let mut entries: Vec<(u64, Value)> = Vec::new();
        for &(r, k) in &all {
            let race = &regatta.races[r];
            let run = &race.runs[k];
            let p = &regatta.participants[run.participant];
            if t + WAITING_MS < run.planned_ms || t >= run_end(run) {
                continue;
            }
            let changes = &by_race[r];
            let ttb = leader(changes, race.runs.len(), t, k);
            let ttb_name =
                ttb.map(|(_, lk)| regatta.participants[race.runs[lk].participant].short_name());
            let mut e = json!({
                "participantId": p.id,
                "raceId": race.id,
                "bib": run.bib,
                "name": p.name(),
                "club": p.club,
                "position": null,
                "gates": vec![Value::Null; n_gates],
                "dtStart": null,
                "dtFinish": null,
                "time": null,
                "pen": 0,
                "total": 0,
                "rank": null,
                "ttbDiff": null,
                "ttbName": ttb_name,
            });
            match &run.outcome {
                Outcome::Dns => {
                    if t >= run.planned_ms + LINGER_MS {
                        continue;
                    }
                }
                Outcome::Started(s) if t >= s.start_ms => {
                    fill_started(&mut e, s, t, n_gates, &stamp);
                    if let End::Finish { finish_ms, .. } = s.end
                        && t >= finish_ms
                    {
                        let mine = e["total"].as_i64().unwrap_or(0);
                        let before = leader(changes, race.runs.len(), finish_ms - 1, k);
                        let better = (0..race.runs.len())
                            .filter(|&o| o != k)
                            .filter_map(|o| total_at(changes, o, t))
                            .filter(|&o| i64::from(o) < mine)
                            .count();
                        e["rank"] = json!(better + 1);
                        if let Some((lt, lk)) = before {
                            let diff = i32::try_from(mine).unwrap_or(0) - lt;
                            e["ttbDiff"] = json!(signed_seconds(diff));
                            e["ttbName"] =
                                json!(regatta.participants[race.runs[lk].participant].short_name());
                        }
                    }
                }
                Outcome::Started(_) => {}
            }
            entries.push((run.planned_ms, e));
        }
        entries.sort_by_key(|(planned, _)| *planned);
        let snapshot: Vec<Value> = entries
            .into_iter()
            .enumerate()
            .map(|(i, (_, mut e))| {
                e["position"] = json!(i + 1);
                e
            })
            .collect();
        let body = json!({ "oncourse": snapshot });
        let empty = list_is_empty(&body);
        let same = previous.as_ref() == Some(&body);
        let first_empty = empty && previous.is_none();
        if !same && !first_empty {
            out.push(Step {
                at_ms: t,
                request: Request::Oncourse(body.clone()),
            });
            previous = Some(body);
        }
        t += TICK_MS;
    }
    out
}

fn list_is_empty(body: &Value) -> bool {
    body["oncourse"].as_array().is_none_or(Vec::is_empty)
}

/// Gates, clock and time of a started run at `t`.
fn fill_started(e: &mut Value, s: &Started, t: u64, n_gates: usize, stamp: &dyn Fn(u64) -> String) {
    let mut gates = vec![Value::Null; n_gates];
    let mut pen = 0;
    for (g, (&at, &p)) in s.gate_ms.iter().zip(&s.gates).enumerate() {
        if at <= t {
            gates[g] = json!(p);
            pen += p * 100;
        }
    }
    e["gates"] = Value::Array(gates);
    e["dtStart"] = json!(stamp(s.start_ms));
    e["pen"] = json!(pen);
    match s.end {
        End::Finish {
            finish_ms, time_cs, ..
        } if t >= finish_ms => {
            e["dtFinish"] = json!(stamp(finish_ms));
            e["time"] = json!(time_cs);
            e["total"] = json!(time_cs + pen);
        }
        _ => {
            // While running the producer sends whole seconds.
            let secs = i32::try_from((t - s.start_ms) / 1000).unwrap_or(0);
            e["time"] = json!(secs * 100);
            e["total"] = json!(secs * 100 + pen);
        }
    }
}
