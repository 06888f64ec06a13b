//! The demo without a server: determinism, the XML against the project's parser, every body
//! against the request validators and the producer's key sets, and the special cases.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use live_domain::RaceType;
use live_domain::requests::{
    CreateEventRequest, OncourseIngest, ResultsIngest, StatusRequest, XmlIngest,
};
use serde_json::Value;

use super::generate::{Dis, End, Outcome};
use super::script::{Request, Script, TICK_MS, day};

fn date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 13).expect("date")
}

fn script(seed: u64) -> Script {
    day(seed, 1, date())
}

fn results_rows(s: &Script) -> Vec<(u64, Value)> {
    s.steps
        .iter()
        .filter_map(|st| match &st.request {
            Request::Results { body, .. } => Some(
                body["results"]
                    .as_array()
                    .expect("array")
                    .iter()
                    .map(|r| (st.at_ms, r.clone()))
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The last row sent for (race, bib).
fn last_row(s: &Script, race: &str, bib: i32) -> Value {
    results_rows(s)
        .into_iter()
        .map(|(_, r)| r)
        .rfind(|r| r["raceId"] == race && r["bib"] == bib)
        .unwrap_or_else(|| panic!("no row for {race}/{bib}"))
}

#[test]
fn the_same_seed_gives_the_same_timeline() {
    let (a, b) = (script(7), script(7));
    assert_eq!(a, b);
    assert!(a.steps.len() > 500, "{} steps", a.steps.len());
    assert_eq!(day(7, 2, date()), day(7, 2, date()));
}

#[test]
fn different_seeds_and_days_give_different_races() {
    let a = script(1);
    let b = script(2);
    assert_ne!(a.regatta.participants, b.regatta.participants);
    assert_ne!(a.steps, b.steps);
    let d2 = day(1, 2, date());
    assert_ne!(a.regatta.participants, d2.regatta.participants);
    assert_eq!(a.regatta.event_id, "demo-1-1");
    assert_eq!(d2.regatta.event_id, "demo-1-2");
}

#[test]
fn the_xml_passes_the_projects_parser_with_the_expected_counts() {
    for seed in [1, 2, 3, 99, u64::MAX] {
        let s = script(seed);
        let r = &s.regatta;
        let xmls: Vec<&String> = s
            .steps
            .iter()
            .filter_map(|st| match &st.request {
                Request::Xml(x) => Some(x),
                _ => None,
            })
            .collect();
        // The start list, one re-export per race start, the final one.
        assert_eq!(xmls.len(), r.races.len() + 2);
        for x in xmls {
            let parsed = live_domain::c123::parse_export(x).expect("parses");
            let runs: usize = r.races.iter().map(|race| race.runs.len()).sum();
            assert_eq!(parsed.imported.participants, r.participants.len());
            assert_eq!(parsed.imported.classes, 4);
            assert_eq!(parsed.imported.races, r.races.len());
            assert_eq!(parsed.imported.results, runs);
            assert_eq!(parsed.imported.courses, 1);
            assert_eq!(parsed.results.len(), runs, "every start-list row resolves");
            let course = &parsed.courses[0];
            assert_eq!(course.nr_gates, i32::try_from(r.nr_gates()).ok());
            let crews = parsed
                .participants
                .iter()
                .filter(|p| p.family_name2.is_some() && p.given_name2.is_some())
                .count();
            assert!(crews >= 8, "C2 crews carry FamilyName2: {crews}");
            let types: BTreeSet<String> = parsed
                .races
                .iter()
                .map(|race| format!("{:?}", race.race_type))
                .collect();
            assert!(
                parsed
                    .races
                    .iter()
                    .any(|x| x.race_type == RaceType::BestRun1)
            );
            assert!(
                parsed
                    .races
                    .iter()
                    .any(|x| x.race_type == RaceType::BestRun2)
            );
            assert!(
                parsed
                    .races
                    .iter()
                    .any(|x| x.race_type == RaceType::Qualification),
                "{types:?}"
            );
            assert!(
                parsed
                    .results
                    .iter()
                    .all(|x| x.time.is_none() && x.bib.is_some())
            );
            assert_eq!(parsed.event.location.as_deref(), Some(r.location.as_str()));
            assert_eq!(parsed.event.start_date.as_deref(), Some("2026-06-13"));
        }
    }
}

#[test]
fn every_body_passes_the_servers_validators() {
    let s = script(3);
    for st in &s.steps {
        let body = st.request.body();
        match &st.request {
            Request::CreateEvent(_) => {
                CreateEventRequest::parse(&body)
                    .expect("create")
                    .check()
                    .expect("create checks");
            }
            Request::Xml(_) => XmlIngest::parse(&body)
                .expect("xml")
                .check()
                .expect("xml checks"),
            Request::Status(_) => {
                StatusRequest::parse(&body).expect("status");
            }
            Request::Oncourse(_) => {
                OncourseIngest::parse(&body).expect("oncourse");
            }
            Request::Results { rows, .. } => {
                ResultsIngest::parse(&body).expect("results");
                assert_eq!(body["results"].as_array().map(Vec::len), Some(*rows));
                assert!(*rows > 0);
            }
        }
    }
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("object").keys().cloned().collect()
}

#[test]
fn bodies_have_the_keys_c123_server_sends() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
    let read = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(format!("{root}{f}")).expect("fixture"))
            .expect("json")
    };
    let oncourse_keys =
        keys(&read("sample-ingest-oncourse.json")["c123_server_shape"]["oncourse"][0]);
    let results = read("sample-ingest-results.json");
    let results_keys = keys(&results["c123_server_shape"]["results"][0]);
    let gate_keys: BTreeSet<String> = results["with_tcp_gates"]["results"][0]["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .flat_map(keys)
        .collect();
    let s = script(4);
    let mut seen_oncourse = 0;
    for st in &s.steps {
        match &st.request {
            Request::Oncourse(b) => {
                for e in b["oncourse"].as_array().expect("array") {
                    assert_eq!(keys(e), oncourse_keys);
                    assert_eq!(
                        e["gates"].as_array().map(Vec::len),
                        Some(s.regatta.nr_gates())
                    );
                    seen_oncourse += 1;
                }
            }
            Request::Results { body, .. } => {
                for r in body["results"].as_array().expect("array") {
                    // c123-server's keys, plus `gates` (as with the TCP stream) unless a DNS.
                    let mut expected = results_keys.clone();
                    if r["status"] != "DNS" {
                        expected.insert("gates".to_owned());
                        for g in r["gates"].as_array().expect("gates") {
                            assert!(keys(g).is_subset(&gate_keys), "{g}");
                        }
                    }
                    assert_eq!(keys(r), expected);
                    // Centiseconds, total = time + pen for timed rows.
                    if let (Some(t), Some(p), Some(tot)) =
                        (r["time"].as_i64(), r["pen"].as_i64(), r["total"].as_i64())
                    {
                        assert_eq!(t + p, tot);
                        assert!((7_000..14_000).contains(&t), "realistic time {t}");
                        assert_eq!(p % 200, 0, "gate penalties are 2 s or 50 s: {p}");
                    }
                }
            }
            _ => {}
        }
    }
    assert!(seen_oncourse > 1000);
}

#[test]
fn the_lifecycle_order_and_the_oncourse_cadence() {
    let s = script(5);
    let kinds: Vec<&Request> = s.steps.iter().map(|st| &st.request).collect();
    assert!(matches!(kinds[0], Request::CreateEvent(_)));
    assert!(matches!(kinds[1], Request::Xml(_)));
    assert_eq!(kinds[2], &Request::Status("startlist"));
    assert_eq!(kinds[3], &Request::Status("running"));
    let n = kinds.len();
    assert_eq!(kinds[n - 2], &Request::Status("finished"));
    assert_eq!(kinds[n - 1], &Request::Status("official"));
    assert!(s.steps.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
    assert!(s.end_ms > s.steps[n - 1].at_ms);

    // No feed outside `running` (the ingest guard would answer 403).
    let running = s.steps[3].at_ms;
    let finished = s.steps[n - 2].at_ms;
    for st in &s.steps {
        if matches!(st.request, Request::Oncourse(_) | Request::Results { .. }) {
            assert!(st.at_ms > running && st.at_ms < finished);
        }
    }

    // While someone is on course, snapshots follow each other at most a second apart (the
    // time shown ticks every second), and no two are identical in a row.
    let on: Vec<(u64, &Value)> = s
        .steps
        .iter()
        .filter_map(|st| match &st.request {
            Request::Oncourse(b) => Some((st.at_ms, b)),
            _ => None,
        })
        .collect();
    for w in on.windows(2) {
        assert_ne!(w[0].1, w[1].1);
        let busy = w[0].1["oncourse"].as_array().is_some_and(|a| {
            a.iter()
                .any(|e| e["dtStart"].is_string() && e["dtFinish"].is_null())
        });
        if busy {
            assert!(w[1].0 - w[0].0 <= 2 * TICK_MS, "gap at {}", w[0].0);
        }
    }
    // Riders overlap on course: some snapshot holds three or more.
    assert!(
        on.iter()
            .any(|(_, b)| b["oncourse"].as_array().is_some_and(|a| a.len() >= 3))
    );
}

#[test]
fn a_rider_goes_down_the_course_gate_by_gate() {
    let s = script(6);
    let race = &s.regatta.races[0];
    let bib = race.runs[0].bib;
    let mut passed = Vec::new();
    for st in &s.steps {
        if let Request::Oncourse(b) = &st.request {
            for e in b["oncourse"].as_array().expect("array") {
                if e["raceId"] == race.id.as_str() && e["bib"] == bib {
                    let n = e["gates"]
                        .as_array()
                        .expect("gates")
                        .iter()
                        .filter(|g| !g.is_null())
                        .count();
                    passed.push((n, e["dtFinish"].is_string()));
                }
            }
        }
    }
    assert!(passed.windows(2).all(|w| w[0].0 <= w[1].0), "{passed:?}");
    assert_eq!(passed.first().map(|p| p.0), Some(0));
    let steps: BTreeSet<usize> = passed.iter().map(|p| p.0).collect();
    assert!(
        steps.len() > s.regatta.nr_gates() / 2,
        "many intermediate states"
    );
    assert!(passed.last().is_some_and(|p| p.1), "ends finished");
}

#[test]
fn every_special_case_is_there() {
    for seed in [1, 8, 1234, 2026] {
        let s = script(seed);
        let r = &s.regatta;
        let f = &r.features;

        // Classes and formats.
        let ids: Vec<&str> = r.classes.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["K1M", "K1W", "C1M", "C2MIX"]);
        for c in 0..4 {
            let n = r
                .races
                .iter()
                .find(|x| x.class == c)
                .expect("race")
                .runs
                .len();
            assert!((8..=15).contains(&n), "class {c}: {n} riders");
        }
        assert!(r.races.iter().any(|x| x.dis == Dis::Qua));
        for x in r.races.iter().filter(|x| x.dis == Dis::Br1) {
            let partner = x.id.replace("_BR1_", "_BR2_");
            assert!(r.races.iter().any(|y| y.id == partner), "{partner}");
        }

        // The C2 crew, one line.
        let crew = &r.participants[f.crew];
        let (f2, g2) = crew.second.as_ref().expect("crew");
        assert_eq!(
            crew.name(),
            format!("{} {} / {f2} {g2}", crew.family, crew.given)
        );
        assert!(crew.id.matches('.').count() == 2, "{}", crew.id);

        // Statuses, as the last row sent for those runs.
        for ((race, run), status) in [(f.dns, "DNS"), (f.dnf, "DNF"), (f.dsq, "DSQ")] {
            let row = last_row(&s, &r.races[race].id, r.races[race].runs[run].bib);
            assert_eq!(row["status"], status, "{row}");
        }
        // The DSQ was first published with a time (the judges decide later).
        let (dr, dk) = f.dsq;
        let dsq_rows: Vec<Value> = results_rows(&s)
            .into_iter()
            .map(|(_, x)| x)
            .filter(|x| {
                x["raceId"] == r.races[dr].id.as_str() && x["bib"] == r.races[dr].runs[dk].bib
            })
            .collect();
        assert!(
            dsq_rows
                .iter()
                .any(|x| x["status"].is_null() && x["total"].is_i64())
        );

        // The tie: two clean finishers of the single-run race with the same total.
        let race = &r.races[f.tie.race];
        assert_eq!(race.dis, Dis::Qua);
        let [one, two] = f.tie.runs;
        assert_ne!(one, two);
        let ra = last_row(&s, &race.id, race.runs[one].bib);
        let rb = last_row(&s, &race.id, race.runs[two].bib);
        assert_eq!(ra["total"], f.tie.total_cs);
        assert_eq!(rb["total"], f.tie.total_cs);
        assert!(ra["status"].is_null() && rb["status"].is_null());
        assert_eq!(ra["rnk"], rb["rnk"], "the producer ranks them equal too");

        // The correction: the same run first with a miss (50), later with a touch (2).
        let fix = f.correction;
        let race = &r.races[fix.race];
        let run = &race.runs[fix.run];
        let sent: Vec<(u64, Value)> = results_rows(&s)
            .into_iter()
            .filter(|(_, x)| x["raceId"] == race.id.as_str() && x["bib"] == run.bib)
            .collect();
        let first = &sent.first().expect("published").1;
        let last = &sent.last().expect("published").1;
        assert_eq!(
            first["pen"].as_i64().expect("pen") - last["pen"].as_i64().expect("pen"),
            4_800
        );
        assert_eq!(
            last["total"].as_i64(),
            Some(last["time"].as_i64().expect("t") + last["pen"].as_i64().expect("p"))
        );
        // ... while the race goes on: later riders of that race finish after it.
        let corrected_at = sent
            .iter()
            .find(|(_, x)| x["pen"] == last["pen"])
            .map(|(t, _)| *t)
            .expect("corrected");
        let later_finish = race.runs.iter().any(|x| match &x.outcome {
            Outcome::Started(st) => {
                matches!(st.end, End::Finish { finish_ms, .. } if finish_ms > corrected_at)
            }
            Outcome::Dns => false,
        });
        assert!(later_finish, "the correction comes mid-race");
    }
}

/// The penalties of a results row's `gates`, checked to be numbered 1, 2, … in order.
fn row_gates(row: &Value) -> Vec<i64> {
    row["gates"]
        .as_array()
        .unwrap_or_else(|| panic!("no gates: {row}"))
        .iter()
        .enumerate()
        .map(|(i, g)| {
            assert_eq!(g["gate"].as_u64(), Some(i as u64 + 1), "{row}");
            g["pen"].as_i64().expect("pen")
        })
        .collect()
}

#[test]
fn every_results_row_carries_the_gates_passed_summing_to_its_pen() {
    for seed in [1, 3, 8, 1234, 2026] {
        let s = script(seed);
        let r = &s.regatta;
        let n_gates = r.nr_gates();
        let (mut finished, mut dnf) = (0, 0);
        for (_, row) in results_rows(&s) {
            let race = r
                .races
                .iter()
                .find(|x| x.id == row["raceId"].as_str().expect("raceId"))
                .expect("race");
            let run = race.runs.iter().find(|x| x.bib == row["bib"]).expect("run");
            let pen = row["pen"].as_i64().expect("pen");
            let Outcome::Started(started) = &run.outcome else {
                assert_eq!(row["status"], "DNS", "{row}");
                assert!(row.get("gates").is_none(), "a DNS carries no gates: {row}");
                assert_eq!(pen, 0);
                continue;
            };
            let gates = row_gates(&row);
            assert!(gates.iter().all(|p| [0, 2, 50].contains(p)), "{row}");
            assert_eq!(gates.iter().sum::<i64>() * 100, pen, "{row}");
            match started.end {
                End::Dnf { .. } => {
                    assert_eq!(row["status"], "DNF", "{row}");
                    assert_eq!(gates.len(), started.gates.len(), "only those passed");
                    assert!(gates.len() < n_gates, "{row}");
                    dnf += 1;
                }
                End::Finish { time_cs, .. } => {
                    assert_eq!(gates.len(), n_gates, "{row}");
                    assert_eq!(row["total"].as_i64(), Some(i64::from(time_cs) + pen));
                    finished += 1;
                }
            }
        }
        assert!(
            finished > 50 && dnf >= 1,
            "seed {seed}: {finished} finished, {dnf} DNF"
        );

        // The gates the spectator saw on course are the ones first published.
        let key = |v: &Value| (v["raceId"].to_string(), v["bib"].as_i64().expect("bib"));
        let mut last_on_course = std::collections::BTreeMap::new();
        for st in &s.steps {
            if let Request::Oncourse(b) = &st.request {
                for e in b["oncourse"].as_array().expect("array") {
                    last_on_course.insert(key(e), e.clone());
                }
            }
        }
        let mut checked = BTreeSet::new();
        for (_, row) in results_rows(&s) {
            if row["status"] == "DNS" || !checked.insert(key(&row)) {
                continue;
            }
            let seen: Vec<i64> = last_on_course[&key(&row)]["gates"]
                .as_array()
                .expect("gates")
                .iter()
                .map_while(Value::as_i64)
                .collect();
            assert_eq!(seen, row_gates(&row), "{row}");
        }
        assert!(checked.len() > 50);
    }
}

#[test]
fn the_correction_changes_exactly_the_reviewed_gate() {
    for seed in [1, 8, 1234, 2026] {
        let s = script(seed);
        let fix = s.regatta.features.correction;
        let race = &s.regatta.races[fix.race];
        let bib = race.runs[fix.run].bib;
        let sent: Vec<Value> = results_rows(&s)
            .into_iter()
            .map(|(_, x)| x)
            .filter(|x| x["raceId"] == race.id.as_str() && x["bib"] == bib)
            .collect();
        let first = row_gates(sent.first().expect("published"));
        let last = row_gates(sent.last().expect("published"));
        assert_eq!(first.len(), last.len());
        let changed: Vec<usize> = (0..first.len()).filter(|&g| first[g] != last[g]).collect();
        assert_eq!(changed, [fix.gate], "seed {seed}");
        assert_eq!(first[fix.gate], i64::from(fix.from));
        assert_eq!(last[fix.gate], i64::from(fix.to));
        assert_eq!(
            last.iter().sum::<i64>() * 100,
            sent.last().expect("last")["pen"].as_i64().expect("pen")
        );
        // Every push after the correction carries the corrected gate; none before it does.
        let corrected = sent
            .iter()
            .position(|x| row_gates(x) == last)
            .expect("sent");
        assert!(corrected > 0);
        assert!(sent[..corrected].iter().all(|x| row_gates(x) == first));
        assert!(sent[corrected..].iter().all(|x| row_gates(x) == last));
    }
}

#[test]
fn day_lengths_at_the_documented_speeds() {
    // README: about 45 minutes of race time per day, ~9 min at the default speed 5.
    let s = script(1);
    let minutes = s.end_ms / 60_000;
    assert!((35..=55).contains(&minutes), "{minutes} min");
}

#[test]
fn many_seeds_generate_complete_regattas() {
    // Generation alone (cheap): every seed and day terminates and has its special cases.
    for seed in 0..300 {
        for d in 1..=3 {
            let r = super::generate::regatta(seed, d, date());
            assert!((18..=24).contains(&r.nr_gates()));
            assert!(r.course_config.contains('R'));
            let f = &r.features;
            assert!(matches!(r.run(f.dns).outcome, Outcome::Dns));
            assert!(matches!(
                &r.run(f.dnf).outcome,
                Outcome::Started(s) if matches!(s.end, End::Dnf { .. })
            ));
            assert!(matches!(
                &r.run(f.dsq).outcome,
                Outcome::Started(s) if matches!(s.end, End::Finish { dsq: true, .. })
            ));
            let [one, two] = f.tie.runs;
            assert_ne!(one, two);
        }
    }
}

#[test]
fn oncourse_lifetime_follows_the_speed() {
    use std::time::Duration;
    assert_eq!(super::oncourse_ttl(1.0), Duration::from_secs(10));
    assert_eq!(super::oncourse_ttl(5.0), Duration::from_secs(2));
    assert_eq!(super::oncourse_ttl(100.0), Duration::from_secs(1));
    assert_eq!(super::oncourse_ttl(0.5), Duration::from_secs(10));
}

#[test]
fn the_printed_url_is_openable() {
    use std::net::IpAddr;
    let url = |h: &str, p| super::base_url(h.parse::<IpAddr>().expect("ip"), p);
    assert_eq!(url("0.0.0.0", 3000), "http://127.0.0.1:3000");
    assert_eq!(url("::", 8080), "http://[::1]:8080");
    assert_eq!(url("192.168.1.5", 80), "http://192.168.1.5:80");
}
