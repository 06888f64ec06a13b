//! `live-mini demo`: one whole generated day sent by the demo's booth over real HTTP to the real
//! application, then read back through the public API.

use std::time::Duration;

use chrono::NaiveDate;
use live_server::demo::driver::{self, Target};
use live_server::demo::generate::Dis;
use live_server::demo::script::{self, Request, Script};
use serde_json::Value;

use crate::helpers::{MASTER, TestApp, spawn_app};

/// The last row the booth sent for (race, bib).
fn last_sent(s: &Script, race: &str, bib: i32) -> Value {
    s.steps
        .iter()
        .filter_map(|st| match &st.request {
            Request::Results { body, .. } => Some(body["results"].as_array().cloned()?),
            _ => None,
        })
        .flatten()
        .rfind(|r| r["raceId"] == race && r["bib"] == bib)
        .unwrap_or_else(|| panic!("nothing sent for {race}/{bib}"))
}

async fn get_json(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> Value {
    let res = app.get(path, headers).await;
    assert_eq!(
        res.status.as_u16(),
        200,
        "{path}: {}",
        String::from_utf8_lossy(&res.body)
    );
    res.json()
}

fn item(list: &Value, bib: i32) -> Value {
    list["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|i| i["bib"] == bib)
        .unwrap_or_else(|| panic!("bib {bib} not listed: {list}"))
        .clone()
}

#[actix_web::test]
async fn a_whole_demo_day_goes_through_the_booth_path_and_ends_official() {
    let app = spawn_app().await;
    let s = script::day(11, 1, NaiveDate::from_ymd_opt(2026, 6, 13).expect("date"));
    let r = &s.regatta;
    let id = r.event_id.as_str();
    let target = Target {
        base: app.base.clone(),
        master_key: Some(MASTER.to_owned()),
    };
    // Far above real time: the timeline's waits vanish, every request is still sent and checked.
    let report = tokio::time::timeout(
        Duration::from_mins(10),
        driver::run(&s, &target, 1_000_000.0),
    )
    .await
    .expect("the day finishes")
    .expect("every answer is a 2xx the booth accepts");
    assert_eq!(report.requests, s.steps.len());
    assert_eq!(report.xml, r.races.len() + 2);
    assert!(report.oncourse > 1000 && report.results > 50, "{report:?}");

    // The event went through its whole life.
    let event = get_json(&app, &format!("/api/v1/events/{id}"), &[]).await;
    assert_eq!(event["event"]["status"], "official");
    assert_eq!(event["event"]["location"], r.location.as_str());
    assert_eq!(event["classes"].as_array().map(Vec::len), Some(4));
    let races = event["races"].as_array().expect("races");
    assert_eq!(races.len(), r.races.len());
    assert!(races.iter().all(|x| x["raceStatus"] == 5), "{races:?}");
    let oncourse = get_json(&app, &format!("/api/v1/events/{id}/oncourse"), &[]).await;
    assert_eq!(oncourse["oncourse"], serde_json::json!([]));

    // Every race is ranked: ranks never decrease down the list and the leader is 0.00 behind.
    for race in &r.races {
        let list = get_json(
            &app,
            &format!("/api/v1/events/{id}/results/{}", race.id),
            &[],
        )
        .await;
        let items = list["results"].as_array().expect("results");
        assert_eq!(items.len(), race.runs.len(), "{}", race.id);
        let ranks: Vec<i64> = items.iter().filter_map(|i| i["rnk"].as_i64()).collect();
        assert!(ranks.len() >= race.runs.len() / 2, "{}: {ranks:?}", race.id);
        assert_eq!(ranks[0], 1);
        assert!(
            ranks.windows(2).all(|w| w[0] <= w[1]),
            "{}: {ranks:?}",
            race.id
        );
        assert_eq!(items[0]["totalBehind"], "0.00");
    }

    // The tie shares its rank (single-run, DV14).
    let f = &r.features;
    let tie_race = &r.races[f.tie.race];
    assert_eq!(tie_race.dis, Dis::Qua);
    let list = get_json(
        &app,
        &format!("/api/v1/events/{id}/results/{}", tie_race.id),
        &[],
    )
    .await;
    let [a, b] = f.tie.runs.map(|k| item(&list, tie_race.runs[k].bib));
    assert_eq!(a["total"], f.tie.total_cs);
    assert_eq!(b["total"], f.tie.total_cs);
    assert!(a["rnk"].is_i64());
    assert_eq!(a["rnk"], b["rnk"]);
    assert_eq!(a["totalBehind"], b["totalBehind"]);

    // The judges' correction is what the server shows (as run 1 of the best-run pair).
    let c = f.correction;
    let race = &r.races[c.race];
    let bib = race.runs[c.run].bib;
    let sent = last_sent(&s, &race.id, bib);
    let list = get_json(
        &app,
        &format!("/api/v1/events/{id}/results/{}", race.id),
        &[],
    )
    .await;
    let corrected = item(&list, bib);
    assert_eq!(corrected["prevPen"], sent["pen"]);
    assert_eq!(corrected["prevTotal"], sent["total"]);

    // The detailed view shows every rider's gates as the booth sent them last, typed from the
    // course, their penalties summing to the pen shown. A best-run pair is one list: run 1 is in
    // `prevGates`/`prevPen`, run 2 and a single run in `gates`/`pen`.
    let course: Vec<char> = r.course_config.chars().filter(|c| *c != 'S').collect();
    let mut with_gates = 0;
    for race in &r.races {
        let list = get_json(
            &app,
            &format!("/api/v1/events/{id}/results/{}?detailed=true", race.id),
            &[],
        )
        .await;
        let (gates_key, pen_key) = match race.dis {
            Dis::Br1 => ("prevGates", "prevPen"),
            Dis::Br2 | Dis::Qua => ("gates", "pen"),
        };
        for run in &race.runs {
            let shown = item(&list, run.bib);
            let sent = last_sent(&s, &race.id, run.bib);
            let Some(sent_gates) = sent["gates"].as_array() else {
                assert_eq!(sent["status"], "DNS");
                assert!(shown[gates_key].is_null(), "{}: {shown}", race.id);
                continue;
            };
            let gates = shown[gates_key].as_array().expect("gates shown");
            assert_eq!(gates.len(), sent_gates.len(), "{}: {shown}", race.id);
            let mut sum = 0;
            for (g, want) in gates.iter().zip(sent_gates) {
                let number = g["number"].as_u64().expect("number");
                assert_eq!(g["number"], want["gate"]);
                assert_eq!(g["penalty"], want["pen"]);
                let kind = match course[usize::try_from(number).expect("n") - 1] {
                    'R' => "reverse",
                    _ => "normal",
                };
                assert_eq!(g["type"], kind);
                sum += g["penalty"].as_i64().expect("penalty");
            }
            assert_eq!(
                shown[pen_key].as_i64(),
                Some(sum * 100),
                "{}: {shown}",
                race.id
            );
            with_gates += 1;
        }
    }
    assert!(with_gates > 60, "{with_gates} runs with gates");

    // The corrected gate shows the touch the judges settled on (run 1 of the pair).
    let list = get_json(
        &app,
        &format!("/api/v1/events/{id}/results/{}?detailed=true", race.id),
        &[],
    )
    .await;
    let gate = &item(&list, bib)["prevGates"][c.gate];
    assert_eq!(gate["number"], c.gate + 1);
    assert_eq!(gate["penalty"], 2);

    // DNS, DNF and DSQ are shown as such.
    let status_of =
        |(race, run): (usize, usize)| (r.races[race].id.clone(), r.races[race].runs[run].bib);
    let (dns_race, dns_bib) = status_of(f.dns);
    let list = get_json(
        &app,
        &format!("/api/v1/events/{id}/results/{dns_race}"),
        &[],
    )
    .await;
    assert_eq!(item(&list, dns_bib)["prevStatus"], "DNS");
    let (dnf_race, dnf_bib) = status_of(f.dnf);
    let list = get_json(
        &app,
        &format!("/api/v1/events/{id}/results/{dnf_race}"),
        &[],
    )
    .await;
    assert_eq!(item(&list, dnf_bib)["currStatus"], "DNF");
    let (dsq_race, dsq_bib) = status_of(f.dsq);
    let list = get_json(
        &app,
        &format!("/api/v1/events/{id}/results/{dsq_race}"),
        &[],
    )
    .await;
    let dsq = item(&list, dsq_bib);
    assert_eq!(dsq["prevStatus"], "DSQ");

    // The C2 crew on one line.
    assert_eq!(
        dsq["name"],
        r.participants[r.races[f.dsq.0].runs[f.dsq.1].participant].name()
    );
    assert!(dsq["name"].as_str().is_some_and(|n| n.contains(" / ")));

    // The ingest log has no error (newest 1000 entries: the whole second half of the day).
    let log = get_json(
        &app,
        &format!("/api/v1/admin/events/{id}/ingest-log?limit=1000"),
        &[("x-master-key", MASTER)],
    )
    .await;
    let entries = log["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1000.min(report.requests - 1));
    let bad: Vec<&Value> = entries
        .iter()
        .filter(|e| e["outcome"] != "success")
        .collect();
    assert!(bad.is_empty(), "{bad:?}");

    app.stop().await;
}
