//! The results feed (c123-xml.md §12.1) and its diffs (contract §6.5).

use live_domain::requests::MergeStrategy;
use serde_json::json;

use crate::support::{LODM_QUA, TestDb, assert_same_dump, backends, export, feed, sample_feed};

/// Contract §6.5 frames 41 and 42 (`data`).
const FRAME_41: &str = r#"{"raceId":"K1M-ZS_BR1_25","results":[{"rnk":null,"bib":11,"athleteId":"48024","name":"KOVÁČ Tobiáš","club":"Klášter.","noc":"USK","catId":"ZS","catRnk":null,"time":null,"pen":0,"total":null,"totalBehind":null,"catTotalBehind":null,"status":"DNF","prevStatus":"DSQ","currStatus":"DNF","betterRunNr":null,"totalTotal":null,"prevTime":9242,"prevPen":5200,"prevTotal":14442,"prevRnk":null}]}"#;
const FRAME_42: &str = r#"{"raceId":"K1M-ZS_BR2_25","results":[{"rnk":null,"bib":11,"athleteId":"48024","name":"KOVÁČ Tobiáš","club":"Klášter.","noc":"USK","catId":"ZS","catRnk":null,"time":null,"pen":0,"total":null,"totalBehind":null,"catTotalBehind":null,"status":"DNF","prevStatus":"DSQ","currStatus":"DNF","betterRunNr":null,"totalTotal":null,"prevTime":9242,"prevPen":5200,"prevTotal":14442,"prevRnk":null}]}"#;
/// Contract §6.5 frame 43 (`data`).
const FRAME_43: &str = r#"{"raceId":"K1W-ZS_QUA_25","results":[{"rnk":1,"bib":3,"athleteId":"108047","name":"FUCHSOVÁ Terezie","club":"VSDK","noc":"JMK","catId":"ZS","catRnk":1,"time":7605,"pen":0,"total":7605,"totalBehind":"0.00","catTotalBehind":"0.00","status":null,"prevTime":null,"prevPen":null,"prevTotal":null,"prevRnk":null,"totalTotal":null,"betterRunNr":null},{"rnk":2,"bib":2,"athleteId":"23176","name":"HYBRANTOVÁ Anna","club":"SKVSČB","noc":"JCK","catId":"ZS","catRnk":2,"time":8000,"pen":200,"total":8200,"totalBehind":"+5.95","catTotalBehind":"+5.95","status":null,"prevTime":null,"prevPen":null,"prevTotal":null,"prevRnk":null,"totalTotal":null,"betterRunNr":null}]}"#;

/// `column=value` pairs of one stored result, `NULL` spelled out.
fn row(db: &TestDb, race: &str, participant: &str, columns: &[&str]) -> String {
    let expr = columns
        .iter()
        .map(|c| format!("'{c}=' || quote(r.{c})"))
        .collect::<Vec<_>>()
        .join(" || ' ' || ");
    db.value(&format!(
        "SELECT {expr} AS line FROM results r JOIN races c ON c.id = r.race_id \
         JOIN participants p ON p.id = r.participant_id \
         WHERE c.race_id = '{race}' AND p.participant_id = '{participant}'"
    ))
}

backends! {
async fn sample_bodies_give_the_contract_frames(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;

    let applied = db
        .store
        .apply_results(pk, sample_feed("c123_server_shape"))
        .await
        .unwrap();
    assert_eq!(applied.updated, 2);
    let frames: Vec<String> = applied
        .diffs
        .iter()
        .map(live_store::RaceDiff::data_json)
        .collect();
    assert_eq!(
        frames,
        [FRAME_41, FRAME_42],
        "bib 8 is unchanged and not sent"
    );

    let applied = db
        .store
        .apply_results(pk, sample_feed("with_tcp_gates"))
        .await
        .unwrap();
    assert_eq!(applied.updated, 1);
    let frames: Vec<String> = applied
        .diffs
        .iter()
        .map(live_store::RaceDiff::data_json)
        .collect();
    assert_eq!(frames, [FRAME_43]);
    assert_eq!(applied.diffs[0].race_id, "K1W-ZS_QUA_25");

    // §12.1 example: feed gates typed with the race's course, sorted, time dropped.
    assert_eq!(
        db.value(
            "SELECT r.gates AS line FROM results r JOIN participants p ON p.id = r.participant_id \
             WHERE p.participant_id = '23176.K1W.ZS'"
        ),
        r#"[{"number":1,"type":"normal","penalty":0},{"number":3,"type":"reverse","penalty":2},{"number":30,"type":"unknown","penalty":null}]"#
    );
    // The race was re-ranked in storage; the rows carry `last_source = live` only where written.
    assert_eq!(
        row(
            &db,
            "K1W-ZS_QUA_25",
            "23176.K1W.ZS",
            &[
                "rnk",
                "rnk_order",
                "total_behind",
                "cat_total_behind",
                "last_source"
            ]
        ),
        "rnk=2 rnk_order=2 total_behind='+5.95' cat_total_behind='+5.95' last_source='live'"
    );
    assert_eq!(
        row(
            &db,
            "K1W-ZS_QUA_25",
            "108047.K1W.ZS",
            &["rnk", "total_behind", "cat_total_behind", "last_source"]
        ),
        "rnk=1 total_behind='0.00' cat_total_behind='0.00' last_source='xml'"
    );
    // Best-run rows are never re-ranked in storage: bib 8 keeps the sent rnk.
    assert_eq!(
        row(
            &db,
            "K1M-ZS_BR2_25",
            "9069.K1M.ZS",
            &["rnk", "time", "pen", "total", "status", "last_source"]
        ),
        "rnk=1 time=7320 pen=200 total=7520 status=NULL last_source='live'"
    );
    // The same body again changes nothing: no diff, `updated` still counts the rows.
    let again = db
        .store
        .apply_results(pk, sample_feed("c123_server_shape"))
        .await
        .unwrap();
    assert_eq!((again.updated, again.diffs.len()), (2, 0));
}
}

backends! {
async fn absent_keys_keep_and_null_clears(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    let columns = [
        "bib",
        "time",
        "pen",
        "total",
        "status",
        "rnk",
        "last_source",
    ];
    let before = row(&db, "K1W-ZS_QUA_25", "108047.K1W.ZS", &columns);
    assert_eq!(
        before,
        "bib=3 time=7605 pen=0 total=7605 status=NULL rnk=1 last_source='xml'"
    );
    let gates_before = db.value(
        "SELECT r.gates AS line FROM results r JOIN participants p ON p.id = r.participant_id \
         WHERE p.participant_id = '108047.K1W.ZS'",
    );

    // Only the required keys: every other column keeps its value; `[]` keeps the gates too.
    let body = json!({"results": [
        {"raceId": "K1W-ZS_QUA_25", "participantId": "108047.K1W.ZS", "bib": 3, "gates": []}
    ]});
    let applied = db.store.apply_results(pk, feed(&body)).await.unwrap();
    assert_eq!(applied.updated, 1);
    // The write re-ranks the race: only the computed category behind strings differ from what
    // Canoe123 delivered (it leaves a category leader's empty, computations.md §3).
    let diff: serde_json::Value = serde_json::from_str(&applied.diffs[0].results).unwrap();
    assert_eq!(diff[0]["bib"], 3);
    assert_eq!(diff[0]["catTotalBehind"], "0.00");
    assert_eq!(diff[0]["time"], 7605, "stored values kept");
    let again = db.store.apply_results(pk, feed(&body)).await.unwrap();
    assert!(again.diffs.is_empty(), "nothing changed the second time");
    assert_eq!(
        row(&db, "K1W-ZS_QUA_25", "108047.K1W.ZS", &columns),
        "bib=3 time=7605 pen=0 total=7605 status=NULL rnk=1 last_source='live'"
    );
    assert_eq!(
        db.value(
            "SELECT r.gates AS line FROM results r JOIN participants p ON p.id = r.participant_id \
             WHERE p.participant_id = '108047.K1W.ZS'"
        ),
        gates_before
    );

    // Explicit nulls clear; `gates: null` clears the gates; the rider is unranked now.
    let body = json!({"results": [
        {"raceId": "K1W-ZS_QUA_25", "participantId": "108047.K1W.ZS", "bib": 3,
         "time": null, "total": null, "rnk": null, "status": null, "gates": null}
    ]});
    let applied = db.store.apply_results(pk, feed(&body)).await.unwrap();
    assert_eq!(
        row(
            &db,
            "K1W-ZS_QUA_25",
            "108047.K1W.ZS",
            &[&columns[..], &["gates", "rnk_order", "total_behind"]].concat()
        ),
        "bib=3 time=NULL pen=0 total=NULL status=NULL rnk=NULL last_source='live' gates=NULL \
         rnk_order=NULL total_behind=NULL"
    );
    // Every rank moved: the old leader and the two riders behind her.
    let diff: serde_json::Value = serde_json::from_str(&applied.diffs[0].results).unwrap();
    let bibs: Vec<i64> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["bib"].as_i64().unwrap())
        .collect();
    assert_eq!(bibs, [2, 3]);
    assert_eq!(diff[0]["rnk"], 1);
    assert_eq!(diff[0]["totalBehind"], "0.00");
}
}

backends! {
async fn a_status_is_normalised_and_clears_the_rank(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    let body = json!({"results": [
        {"raceId": "K1W-ZS_QUA_25", "participantId": "23176.K1W.ZS", "bib": 2,
         "time": 8000, "pen": 0, "total": 8000, "rnk": 101, "status": " finished "},
        {"raceId": "K1M-ZS_BR2_25", "participantId": "9069.K1M.ZS", "bib": 8, "rnk": 4, "status": "dsq"}
    ]});
    db.store.apply_results(pk, feed(&body)).await.unwrap();
    assert_eq!(
        row(
            &db,
            "K1W-ZS_QUA_25",
            "23176.K1W.ZS",
            &["status", "rnk", "total_behind"]
        ),
        "status='FINISHED' rnk=NULL total_behind=NULL"
    );
    assert_eq!(
        row(&db, "K1M-ZS_BR2_25", "9069.K1M.ZS", &["status", "rnk"]),
        "status='DSQ' rnk=NULL"
    );
    // An empty status is no status.
    let body = json!({"results": [
        {"raceId": "K1W-ZS_QUA_25", "participantId": "23176.K1W.ZS", "bib": 2, "status": "  "}
    ]});
    db.store.apply_results(pk, feed(&body)).await.unwrap();
    assert_eq!(
        row(&db, "K1W-ZS_QUA_25", "23176.K1W.ZS", &["status", "rnk"]),
        "status=NULL rnk=2"
    );
}
}

backends! {
async fn unknown_races_and_participants_are_skipped(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    let other = db.event("other").await;
    db.import(other, "sample-minimal-cleanup-a-3results.xml")
        .await;
    let dump = db.dump();
    // The upstream test body names a race and participant no sample has.
    let applied = db
        .store
        .apply_results(pk, sample_feed("from_upstream_test"))
        .await
        .unwrap();
    assert_eq!((applied.updated, applied.diffs.len()), (0, 0));
    let body = json!({"results": [
        {"raceId": "K1W-ZS_QUA_25", "participantId": "nobody", "bib": 99, "total": 1},
        {"raceId": "no-race", "participantId": "23176.K1W.ZS", "bib": 2, "total": 1},
        // Race and participant of the other event are not this event's.
        {"raceId": "R1", "participantId": "1", "bib": 1, "total": 1},
        {"raceId": "K1W-ZS_QUA_25", "participantId": "1", "bib": 1, "total": 1}
    ]});
    let applied = db.store.apply_results(pk, feed(&body)).await.unwrap();
    assert_eq!((applied.updated, applied.diffs.len()), (0, 0));
    assert_same_dump(&db.dump(), &dump, "skipped rows");
    // No rows at all: nothing to do.
    assert_eq!(
        db.store.apply_results(pk, Vec::new()).await.unwrap(),
        live_store::ResultsApplied::default()
    );
}
}

backends! {
async fn a_participant_without_a_row_gets_one(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    // KOLÁŘ (a K1M participant) has no row in the K1W qualification.
    let body = json!({"results": [
        {"raceId": "K1W-ZS_QUA_25", "participantId": "9069.K1M.ZS", "bib": 8,
         "time": 7000, "pen": 0, "total": 7000,
         "gates": [{"gate": 2, "pen": 2}, {"gate": 1, "pen": 0}]}
    ]});
    let applied = db.store.apply_results(pk, feed(&body)).await.unwrap();
    assert_eq!(applied.updated, 1);
    assert_eq!(
        row(
            &db,
            "K1W-ZS_QUA_25",
            "9069.K1M.ZS",
            &[
                "bib",
                "time",
                "total",
                "rnk",
                "total_behind",
                "start_order",
                "last_source",
                "gates"
            ]
        ),
        "bib=8 time=7000 total=7000 rnk=1 total_behind='0.00' start_order=NULL last_source='live' \
         gates='[{\"number\":1,\"type\":\"normal\",\"penalty\":0},{\"number\":2,\"type\":\"normal\",\"penalty\":2}]'"
    );
    // The new leader pushes every ranked rider down: all three are in the diff, the new one first.
    let diff: serde_json::Value = serde_json::from_str(&applied.diffs[0].results).unwrap();
    let ranks: Vec<(i64, i64)> = diff
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["bib"].as_i64().unwrap(), i["rnk"].as_i64().unwrap()))
        .collect();
    assert_eq!(ranks, [(8, 1), (3, 2), (2, 3)]);
}
}

backends! {
async fn both_ids_of_a_pair_in_one_body_send_the_pair_once(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    let body = json!({"results": [
        {"raceId": "K1M-ZS_BR2_25", "participantId": "48024.K1M.ZS", "bib": 11,
         "time": 7000, "pen": 0, "total": 7000},
        {"raceId": "K1W-ZS_QUA_25", "participantId": "61003.K1W.ZS", "bib": 12, "status": "DNS"},
        {"raceId": "K1M-ZS_BR1_25", "participantId": "23128.K1M.ZS", "bib": 13,
         "time": 7400, "pen": 0, "total": 7400}
    ]});
    let applied = db.store.apply_results(pk, feed(&body)).await.unwrap();
    assert_eq!(applied.updated, 3);
    let ids: Vec<&str> = applied.diffs.iter().map(|d| d.race_id.as_str()).collect();
    assert_eq!(ids, ["K1M-ZS_BR1_25", "K1M-ZS_BR2_25", "K1W-ZS_QUA_25"]);
    assert_eq!(applied.diffs[0].results, applied.diffs[1].results);
}
}

backends! {
async fn a_pair_without_its_first_run_sends_one_frame(db) {
    let pk = db.event("lodm").await;
    // The non-qualification sample has K1W-ZS_BR1_25 but no K1W-ZS_BR2_25.
    db.store
        .apply_xml(pk, export(crate::support::LODM), MergeStrategy::Live)
        .await
        .unwrap();
    let body = json!({"results": [
        {"raceId": "K1W-ZS_BR1_25", "participantId": "23176.K1W.ZS", "bib": 2,
         "time": 7000, "pen": 0, "total": 7000}
    ]});
    let applied = db.store.apply_results(pk, feed(&body)).await.unwrap();
    let ids: Vec<&str> = applied.diffs.iter().map(|d| d.race_id.as_str()).collect();
    assert_eq!(ids, ["K1W-ZS_BR1_25"]);
}
}

backends! {
async fn a_body_naming_more_ids_than_one_statement_binds_is_answered(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    // 12 000 distinct race ids, each with two best-run partners: 36 000 ids to look up.
    let mut rows: Vec<serde_json::Value> = (0..12_000)
        .map(|i| json!({"raceId": format!("X{i}_BR1_1"), "participantId": format!("p{i}"), "bib": i}))
        .collect();
    rows.push(json!({"raceId": "K1W-ZS_QUA_25", "participantId": "23176.K1W.ZS", "bib": 2, "total": 7000, "time": 7000}));
    let applied = db
        .store
        .apply_results(pk, feed(&json!({ "results": rows })))
        .await
        .unwrap();
    assert_eq!(applied.updated, 1);
    assert_eq!(applied.diffs.len(), 1);
}
}
