//! Exact wire shapes of every item type: the contract's examples (§4.15, §4.16, §6.5 frames
//! 41–43) compared both as JSON values and as serialized strings, so key order is checked too.

use serde::Serialize;
use serde_json::Value;

use super::lodm_sample::{K1M_BR1, K1M_BR2, fixture, lodm_records, race_rows};
use super::{
    DetailedPair, DetailedSingle, FeedGate, ResultRecord, best_run_list, changed_items, feed_gates,
    normalise_live_status, rerank_records, single_run_diff_list, single_run_list, startlist,
};

/// Asserts that `item` serializes to exactly `expected` (key order included) and equals it as a
/// JSON value.
fn assert_wire<T: Serialize>(item: &T, expected: &str) {
    assert_eq!(serde_json::to_string(item).unwrap(), expected);
    let parsed: Value = serde_json::from_str(expected).unwrap();
    assert_eq!(serde_json::to_value(item).unwrap(), parsed);
}

fn assert_wire_list<T: Serialize>(items: &[T], expected: &[&str]) {
    assert_eq!(items.len(), expected.len());
    for (item, want) in items.iter().zip(expected) {
        assert_wire(item, want);
    }
}

/// Keeps the first two gates of every row, as the contract's shortened examples do.
fn shorten_gates(records: &mut [ResultRecord]) {
    for gates in records.iter_mut().filter_map(|r| r.gates.as_mut()) {
        gates.truncate(2);
    }
}

/// Applies one results-feed body to stored rows the way the ingest does (c123-xml.md §12.1
/// steps 2, 3 and 5), then re-ranks the single-run races, so the test derives "after" lists.
fn ingest(records: &mut [ResultRecord], body: &Value, course: &str) {
    for sent in body["results"].as_array().unwrap() {
        let race = sent["raceId"].as_str().unwrap();
        let participant = sent["participantId"].as_str().unwrap();
        let row = records
            .iter_mut()
            .find(|r| r.race_id == race && r.participant_id == participant)
            .unwrap();
        let int = |key: &str| sent[key].as_i64().map(|n| i32::try_from(n).unwrap());
        for (key, column) in [
            ("bib", &mut row.bib),
            ("time", &mut row.time),
            ("pen", &mut row.pen),
            ("total", &mut row.total),
            ("rnk", &mut row.rnk),
        ] {
            if sent.get(key).is_some() {
                *column = int(key);
            }
        }
        if let Some(status) = sent.get("status") {
            row.status = normalise_live_status(status.as_str());
        }
        if let Some(gates) = sent["gates"].as_array().filter(|g| !g.is_empty()) {
            let feed = gates.iter().map(|g| FeedGate {
                gate: i32::try_from(g["gate"].as_i64().unwrap()).unwrap(),
                pen: g["pen"].as_i64().map(|p| i32::try_from(p).unwrap()),
            });
            row.gates = Some(feed_gates(feed, Some(course)));
        }
        if row.status.is_some() {
            row.rnk = None;
        }
    }
    let mut qua: Vec<ResultRecord> = race_rows(records, "K1W-ZS_QUA_25");
    rerank_records(&mut qua);
    for ranked in qua {
        if let Some(row) = records.iter_mut().find(|r| r.row_id == ranked.row_id) {
            *row = ranked;
        }
    }
}

/// The best-run example of contract §4.15 with the ranks of computations.md §6.7: bibs 17 and 8
/// tie on their best run (75.20) and are separated by the other run (DV14), so 17 (75.48) is 2nd
/// and 8 (78.60) 3rd, and they are listed in that order. (Contract §4.15 still prints the shared
/// rank of the old rule; the worked example and the cases file are the newer text.)
const BR2_EXAMPLE: [&str; 5] = [
    r#"{"rnk":1,"bib":13,"athleteId":"23128","name":"REZEK Adam","club":"SKVSČB","noc":"JCK","catId":"ZS","catRnk":1,"time":7740,"pen":400,"total":8140,"totalBehind":"0.00","catTotalBehind":"0.00","status":null,"prevStatus":null,"currStatus":null,"betterRunNr":1,"totalTotal":7463,"prevTime":7463,"prevPen":0,"prevTotal":7463,"prevRnk":1}"#,
    r#"{"rnk":2,"bib":17,"athleteId":"119238","name":"MALÝ Tomáš","club":"Olomouc","noc":"OLK","catId":"ZS","catRnk":2,"time":7520,"pen":0,"total":7520,"totalBehind":"+0.57","catTotalBehind":"+0.57","status":null,"prevStatus":null,"currStatus":null,"betterRunNr":2,"totalTotal":7520,"prevTime":7348,"prevPen":200,"prevTotal":7548,"prevRnk":2}"#,
    r#"{"rnk":3,"bib":8,"athleteId":"9069","name":"KOLÁŘ Lukáš","club":"USK Pha","noc":"PHA","catId":"ZS","catRnk":3,"time":7320,"pen":200,"total":7520,"totalBehind":"+0.57","catTotalBehind":"+0.57","status":null,"prevStatus":null,"currStatus":null,"betterRunNr":2,"totalTotal":7520,"prevTime":7860,"prevPen":0,"prevTotal":7860,"prevRnk":3}"#,
    r#"{"rnk":4,"bib":12,"athleteId":"60090","name":"KUDĚJ Jan","club":"Trutnov","noc":"KHK","catId":"ZS","catRnk":4,"time":8900,"pen":0,"total":8900,"totalBehind":"+14.37","catTotalBehind":"+14.37","status":null,"prevStatus":"DNS","currStatus":null,"betterRunNr":2,"totalTotal":8900,"prevTime":null,"prevPen":null,"prevTotal":null,"prevRnk":null}"#,
    r#"{"rnk":null,"bib":11,"athleteId":"48024","name":"KOVÁČ Tobiáš","club":"Klášter.","noc":"USK","catId":"ZS","catRnk":null,"time":null,"pen":null,"total":null,"totalBehind":null,"catTotalBehind":null,"status":null,"prevStatus":"DSQ","currStatus":null,"betterRunNr":null,"totalTotal":null,"prevTime":9242,"prevPen":5200,"prevTotal":14442,"prevRnk":null}"#,
];

#[test]
fn best_run_items_contract_4_15() {
    let records = lodm_records("K1W-ZS_QUA_25");
    let list = best_run_list(K1M_BR1, K1M_BR2, &records, None, None);
    assert_wire_list(&list, &BR2_EXAMPLE);
    // The same list with a category filter that keeps everyone.
    assert_eq!(
        best_run_list(K1M_BR1, K1M_BR2, &records, Some("ZS"), None),
        list
    );
    assert!(best_run_list(K1M_BR1, K1M_BR2, &records, Some("U23"), None).is_empty());
}

#[test]
fn single_run_detailed_items_contract_4_15() {
    let mut records = race_rows(&lodm_records("K1W-ZS_QUA_25"), "K1W-ZS_QUA_25");
    shorten_gates(&mut records);
    let detailed = Some(DetailedSingle {
        course_gate_count: Some(24),
    });
    let list = single_run_list(&records, Some("ZS"), detailed);
    assert_eq!(list.len(), 3);
    // The contract shows two of the three rows.
    assert_wire(
        &list[0],
        r#"{"rnk":1,"bib":3,"athleteId":"108047","name":"FUCHSOVÁ Terezie","club":"VSDK","noc":"JMK","catId":"ZS","catRnk":1,"time":7605,"pen":0,"total":7605,"totalBehind":"0.00","catTotalBehind":null,"status":null,"dtStart":"14:25:00.120","dtFinish":"14:26:16.170","gates":[{"number":1,"type":"normal","penalty":0},{"number":2,"type":"normal","penalty":0}],"courseGateCount":24}"#,
    );
    assert_wire(
        &list[2],
        r#"{"rnk":null,"bib":12,"athleteId":"61003","name":"SAMKOVÁ Valerie","club":"Třebech.","noc":"KHK","catId":"ZS","catRnk":null,"time":null,"pen":null,"total":null,"totalBehind":null,"catTotalBehind":null,"status":"DNF","dtStart":"14:34:00.450","dtFinish":null,"gates":null,"courseGateCount":24}"#,
    );
}

#[test]
fn single_run_plain_items() {
    let records = race_rows(&lodm_records("K1W-ZS_QUA_25"), "K1W-ZS_QUA_25");
    let list = single_run_list(&records, None, None);
    assert_wire(
        &list[1],
        r#"{"rnk":2,"bib":2,"athleteId":"23176","name":"HYBRANTOVÁ Anna","club":"SKVSČB","noc":"JCK","catId":"ZS","catRnk":2,"time":8182,"pen":0,"total":8182,"totalBehind":"+5.77","catTotalBehind":null,"status":null}"#,
    );
}

#[test]
fn best_run_detailed_items() {
    let mut records = lodm_records("K1W-ZS_BR1_25");
    shorten_gates(&mut records);
    let detailed = Some(DetailedPair {
        br1_course_gate_count: Some(24),
        br2_course_gate_count: Some(25),
    });
    let list = best_run_list(K1M_BR1, K1M_BR2, &records, None, detailed);
    let clean =
        r#"[{"number":1,"type":"normal","penalty":0},{"number":2,"type":"normal","penalty":0}]"#;
    assert_wire(
        &list[0],
        &format!(
            r#"{}"dtStart":"16:01:00.500","dtFinish":"16:02:17.900","gates":{clean},"courseGateCount":25,"prevDtStart":"13:42:02.710","prevDtFinish":"13:43:17.340","prevGates":{clean}}}"#,
            BR2_EXAMPLE[0].strip_suffix('}').unwrap().to_owned() + ","
        ),
    );
    assert_wire(
        &list[4],
        &format!(
            r#"{}"dtStart":null,"dtFinish":null,"gates":null,"courseGateCount":25,"prevDtStart":"13:40:01.380","prevDtFinish":"13:41:33.800","prevGates":{clean}}}"#,
            BR2_EXAMPLE[4].strip_suffix('}').unwrap().to_owned() + ","
        ),
    );
    // Only a first run (partner race missing): primary = BR1, its course, no prev values.
    let k1w = best_run_list("K1W-ZS_BR1_25", "K1W-ZS_BR2_25", &records, None, detailed);
    assert_wire(
        &k1w[0],
        &format!(
            r#"{{"rnk":1,"bib":3,"athleteId":"108047","name":"FUCHSOVÁ Terezie","club":"VSDK","noc":"JMK","catId":"ZS","catRnk":1,"time":7605,"pen":0,"total":7605,"totalBehind":"0.00","catTotalBehind":"0.00","status":null,"prevStatus":null,"currStatus":null,"betterRunNr":1,"totalTotal":7605,"prevTime":null,"prevPen":null,"prevTotal":null,"prevRnk":null,"dtStart":"14:25:00.120","dtFinish":"14:26:16.170","gates":{clean},"courseGateCount":24,"prevDtStart":null,"prevDtFinish":null,"prevGates":null}}"#
        ),
    );
}

#[test]
fn startlist_items_contract_4_16() {
    let records = race_rows(&lodm_records("K1W-ZS_QUA_25"), K1M_BR2);
    let list = startlist(&records);
    assert_eq!(list.len(), 5);
    assert_wire_list(
        &list[..2],
        &[
            r#"{"startOrder":1,"bib":8,"athleteId":"9069","name":"KOLÁŘ Lukáš","club":"USK Pha","noc":"PHA","catId":"ZS","startTime":"16:00:00"}"#,
            r#"{"startOrder":2,"bib":13,"athleteId":"23128","name":"REZEK Adam","club":"SKVSČB","noc":"JCK","catId":"ZS","startTime":"16:01:00"}"#,
        ],
    );
}

#[test]
fn best_run_diff_items_contract_6_5_frames_41_42() {
    let bodies: Value = serde_json::from_str(&fixture("sample-ingest-results.json")).unwrap();
    let before_rows = lodm_records("K1W-ZS_QUA_25");
    let mut after_rows = before_rows.clone();
    ingest(
        &mut after_rows,
        &bodies["c123_server_shape"],
        &super::lodm_sample::course(),
    );
    let before = best_run_list(K1M_BR1, K1M_BR2, &before_rows, None, None);
    let after = best_run_list(K1M_BR1, K1M_BR2, &after_rows, None, None);
    // Bib 8's row is unchanged and not sent; the same items go to both race ids of the pair.
    assert_wire_list(
        &changed_items(&before, &after),
        &[
            r#"{"rnk":null,"bib":11,"athleteId":"48024","name":"KOVÁČ Tobiáš","club":"Klášter.","noc":"USK","catId":"ZS","catRnk":null,"time":null,"pen":0,"total":null,"totalBehind":null,"catTotalBehind":null,"status":"DNF","prevStatus":"DSQ","currStatus":"DNF","betterRunNr":null,"totalTotal":null,"prevTime":9242,"prevPen":5200,"prevTotal":14442,"prevRnk":null}"#,
        ],
    );
}

#[test]
fn single_run_diff_items_contract_6_5_frame_43() {
    let bodies: Value = serde_json::from_str(&fixture("sample-ingest-results.json")).unwrap();
    let course = super::lodm_sample::course();
    let before_rows = lodm_records("K1W-ZS_QUA_25");
    let mut after_rows = before_rows.clone();
    ingest(&mut after_rows, &bodies["with_tcp_gates"], &course);
    let before = single_run_diff_list(&race_rows(&before_rows, "K1W-ZS_QUA_25"));
    let after = single_run_diff_list(&race_rows(&after_rows, "K1W-ZS_QUA_25"));
    assert_wire_list(
        &changed_items(&before, &after),
        &[
            r#"{"rnk":1,"bib":3,"athleteId":"108047","name":"FUCHSOVÁ Terezie","club":"VSDK","noc":"JMK","catId":"ZS","catRnk":1,"time":7605,"pen":0,"total":7605,"totalBehind":"0.00","catTotalBehind":"0.00","status":null,"prevTime":null,"prevPen":null,"prevTotal":null,"prevRnk":null,"totalTotal":null,"betterRunNr":null}"#,
            r#"{"rnk":2,"bib":2,"athleteId":"23176","name":"HYBRANTOVÁ Anna","club":"SKVSČB","noc":"JCK","catId":"ZS","catRnk":2,"time":8000,"pen":200,"total":8200,"totalBehind":"+5.95","catTotalBehind":"+5.95","status":null,"prevTime":null,"prevPen":null,"prevTotal":null,"prevRnk":null,"totalTotal":null,"betterRunNr":null}"#,
        ],
    );
    // The stored gates of the row are the §12.1 example.
    let stored = after_rows.iter().find(|r| r.bib == Some(2)).unwrap();
    assert_eq!(
        serde_json::to_string(&stored.gates).unwrap(),
        r#"[{"number":1,"type":"normal","penalty":0},{"number":3,"type":"reverse","penalty":2},{"number":30,"type":"unknown","penalty":null}]"#
    );
}
