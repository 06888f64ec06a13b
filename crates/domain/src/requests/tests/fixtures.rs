//! The real and sample bodies of the shared fixtures all validate, to exact values.

use serde_json::Value;

use super::*;
use crate::requests::{
    CreateEventRequest, Field, GateIngest, OncourseEntryIngest, OncourseIngest, ResultRowIngest,
    ResultsIngest, StatusRequest,
};
use crate::status::EventStatus;

const RESULTS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/sample-ingest-results.json"
);
const ONCOURSE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/sample-ingest-oncourse.json"
);
const BOOTH_FEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../fixtures/booth-feed/healthy-race.jsonl"
);

fn read_json(path: &str) -> Value {
    json(&std::fs::read_to_string(path).unwrap())
}

#[test]
fn sample_results_bodies() {
    let samples = read_json(RESULTS);
    let upstream = ResultsIngest::parse(&samples["from_upstream_test"]).unwrap();
    assert_eq!(
        upstream.results,
        vec![ResultRowIngest {
            race_id: "R1".to_owned(),
            participant_id: "P1".to_owned(),
            bib: 1,
            time: Field::Value(100_000),
            pen: Field::Value(0),
            total: Field::Value(100_000),
            rnk: Field::Value(1),
            status: Field::Value("finished".to_owned()),
            gates: Field::Value(vec![]),
        }]
    );

    let producer = ResultsIngest::parse(&samples["c123_server_shape"]).unwrap();
    assert_eq!(
        producer.results[1],
        ResultRowIngest {
            race_id: "K1M-ZS_BR2_25".to_owned(),
            participant_id: "48024.K1M.ZS".to_owned(),
            bib: 11,
            time: Field::Null,
            pen: Field::Value(0),
            total: Field::Null,
            rnk: Field::Null,
            status: Field::Value("DNF".to_owned()),
            gates: Field::Absent,
        }
    );
    assert_eq!(producer.results[0].total, Field::Value(7520));
    assert_eq!(producer.results[0].status, Field::Null);

    let gates = ResultsIngest::parse(&samples["with_tcp_gates"]).unwrap();
    assert_eq!(
        gates.results[0].gates,
        Field::Value(vec![
            GateIngest {
                gate: 1,
                time: None,
                pen: Some(0)
            },
            GateIngest {
                gate: 3,
                time: Some(1234),
                pen: Some(2)
            },
            GateIngest {
                gate: 30,
                time: None,
                pen: None
            },
        ])
    );
}

#[test]
fn sample_oncourse_bodies() {
    let samples = read_json(ONCOURSE);
    let upstream = OncourseIngest::parse(&samples["from_upstream_test"]).unwrap();
    let entry = &upstream.oncourse[0];
    assert_eq!(entry.gates, Some(vec![]));
    assert_eq!(entry.dt_start.as_deref(), Some("2026-02-12T10:00:00.000Z"));
    assert_eq!(
        (entry.time, entry.pen, entry.total, entry.rank),
        (Some(0), Some(0), None, None)
    );

    let producer = OncourseIngest::parse(&samples["c123_server_shape"]).unwrap();
    assert_eq!(producer.oncourse.len(), 2);
    assert_eq!(
        producer.oncourse[0],
        OncourseEntryIngest {
            participant_id: "119238.K1M.ZS".to_owned(),
            race_id: "K1M-ZS_BR2_25".to_owned(),
            bib: 17,
            name: Some("MALÝ Tomáš".to_owned()),
            club: Some("Olomouc".to_owned()),
            position: Some(2),
            gates: Some(vec![Some(0), Some(2), None, None]),
            dt_start: Some("2024-06-25T16:02:00.900Z".to_owned()),
            dt_finish: None,
            time: Some(4520),
            pen: Some(200),
            total: Some(4720),
            rank: Some(1),
            ttb_diff: Some("-1.20".to_owned()),
            ttb_name: Some("REZEK".to_owned()),
        }
    );
    let finished = &producer.oncourse[1];
    assert_eq!(
        finished.dt_finish.as_deref(),
        Some("2024-06-25T16:01:14.300Z")
    );
    assert_eq!(finished.gates.as_ref().map(Vec::len), Some(24));
}

/// Every JSON body of the recorded booth run is accepted; XML lines carry a file reference and
/// are skipped.
#[test]
fn booth_feed_bodies() {
    let text = std::fs::read_to_string(BOOTH_FEED).unwrap();
    let (mut creates, mut statuses, mut oncourse_posts, mut results_posts) = (0, vec![], 0, 0);
    let (mut entries, mut rows) = (0, 0);
    let mut first_row = None;
    let mut first_entry = None;
    for line in text.lines() {
        let request = json(line);
        let body = &request["body"];
        match request["path"].as_str().unwrap() {
            "/api/v1/admin/events" if request["method"] == "POST" => {
                creates += 1;
                let parsed = CreateEventRequest::parse(body).unwrap();
                assert_eq!(parsed.event_id, "{eventId}");
                assert_eq!(parsed.discipline.as_deref(), Some("Slalom"));
                // Replayed with a real id, as the fixture README says.
                let mut replay = body.clone();
                replay["eventId"] = Value::from("jarni-replay");
                let event = CreateEventRequest::parse(&replay).unwrap().check().unwrap();
                assert_eq!(event.main_title, "Jarní slalomy 2024");
                assert_eq!(
                    (event.valid_from, event.valid_until, event.image),
                    (None, None, None)
                );
            }
            "/api/v1/admin/events/{eventId}/status" => {
                statuses.push(StatusRequest::parse(body).unwrap().status);
            }
            "/api/v1/ingest/oncourse" => {
                oncourse_posts += 1;
                let parsed = OncourseIngest::parse(body).unwrap();
                entries += parsed.oncourse.len();
                if first_entry.is_none() {
                    first_entry = parsed.oncourse.into_iter().next();
                }
            }
            "/api/v1/ingest/results" => {
                results_posts += 1;
                let parsed = ResultsIngest::parse(body).unwrap();
                assert!(parsed.results.iter().all(|r| r.race_id == "K1M_ST_BR2_6"));
                assert!(parsed.results.iter().all(|r| r.gates == Field::Absent));
                rows += parsed.results.len();
                if first_row.is_none() {
                    first_row = parsed.results.into_iter().next();
                }
            }
            _ => {}
        }
    }
    assert_eq!((creates, oncourse_posts, results_posts), (1, 325, 8));
    assert_eq!(
        statuses,
        [
            EventStatus::Startlist,
            EventStatus::Running,
            EventStatus::Finished,
            EventStatus::Official
        ]
    );
    assert_eq!((entries, rows), (952, 813));
    assert_eq!(
        first_row,
        Some(ResultRowIngest {
            race_id: "K1M_ST_BR2_6".to_owned(),
            participant_id: "12054.K1M_ST".to_owned(),
            bib: 1,
            time: Field::Value(7999),
            pen: Field::Value(600),
            total: Field::Value(8599),
            rnk: Field::Value(1),
            status: Field::Null,
            gates: Field::Absent,
        })
    );
    let entry = first_entry.unwrap();
    assert_eq!(
        (entry.bib, entry.name.as_deref(), entry.rank),
        (9, Some("KOPEČEK Michal"), Some(8))
    );
    assert_eq!(entry.gates, Some(vec![None; 24]));
    assert_eq!(
        (entry.time, entry.pen, entry.total),
        (None, Some(0), Some(0))
    );
    assert_eq!(entry.ttb_name.as_deref(), Some("J. KREJČÍ"));
}
