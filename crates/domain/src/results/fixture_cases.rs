//! Table-driven tests over `fixtures/br-combined-and-ranking-cases.json` (computations.md §9).

use serde_json::{Map, Value};

use crate::race::best_run_pair;

use super::lodm_sample::{fixture, lodm_records, race_rows};
use super::{
    RankInput, ResultRecord, best_run_list, normalise_live_status, rank_single_run, rerank_records,
    single_run_list,
};

fn cases() -> Value {
    serde_json::from_str(&fixture("br-combined-and-ranking-cases.json")).unwrap()
}

fn int(v: &Value, key: &str) -> Option<i32> {
    v.get(key)
        .and_then(Value::as_i64)
        .map(|n| i32::try_from(n).unwrap())
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A participant of the cases file joined to a row; start order = bib unless the row says otherwise.
fn participant_row(participants: &Value, pid: &str, row_id: i64, race_id: &str) -> ResultRecord {
    let p = &participants[pid];
    ResultRecord {
        row_id,
        race_id: race_id.to_owned(),
        participant_id: pid.to_owned(),
        bib: int(p, "bib"),
        start_order: int(p, "bib"),
        family_name: text(p, "familyName").unwrap(),
        given_name: text(p, "givenName"),
        cat_id: text(p, "catId"),
        ..ResultRecord::default()
    }
}

/// Asserts that every key of `expected` has that value in `actual`.
fn assert_subset(case: &str, index: usize, actual: &Value, expected: &Map<String, Value>) {
    for (key, want) in expected {
        assert_eq!(
            actual.get(key),
            Some(want),
            "case {case:?}, item {index}, key {key:?}: {actual}"
        );
    }
}

fn case_name(case: &Value) -> &str {
    case["name"].as_str().unwrap()
}

#[test]
fn br_combined() {
    let all = cases();
    let participants = &all["participants"];
    let cases = all["br_combined"].as_array().unwrap();
    assert_eq!(cases.len(), 24);
    for case in cases {
        let name = case_name(case);
        let mut records = Vec::new();
        for (pid, runs) in case["rows"].as_object().unwrap() {
            for (run, race_id) in [("br1", "K1M_ST_BR1_6"), ("br2", "K1M_ST_BR2_6")] {
                let Some(stored) = runs.get(run) else {
                    continue;
                };
                let row_id = i64::try_from(records.len()).unwrap() + 1;
                records.push(ResultRecord {
                    time: int(stored, "time"),
                    pen: int(stored, "pen"),
                    total: int(stored, "total"),
                    rnk: int(stored, "rnk"),
                    status: text(stored, "status"),
                    ..participant_row(participants, pid, row_id, race_id)
                });
            }
        }
        let cat_id = case["catId"].as_str();
        let list_for = |query: &str| {
            let (br1, br2) = best_run_pair(query).unwrap();
            serde_json::to_value(best_run_list(&br1, &br2, &records, cat_id, None)).unwrap()
        };
        if case["expect"] == "identical arrays" {
            let queries: Vec<&str> = case["query"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| q.as_str().unwrap())
                .collect();
            let first = list_for(queries[0]);
            assert_eq!(first.as_array().unwrap().len(), 1, "case {name:?}");
            for query in &queries[1..] {
                assert_eq!(list_for(query), first, "case {name:?}, query {query}");
            }
            continue;
        }
        let list = list_for(case["query"].as_str().unwrap());
        let list = list.as_array().unwrap();
        let expect = case["expect"].as_array().unwrap();
        let length = case.get("expectLength").map_or(expect.len(), |l| {
            usize::try_from(l.as_u64().unwrap()).unwrap()
        });
        assert_eq!(list.len(), length, "case {name:?}: {list:?}");
        for (index, (actual, expected)) in list.iter().zip(expect).enumerate() {
            assert_subset(name, index, actual, expected.as_object().unwrap());
        }
    }
}

#[test]
fn standard_race_recalculation() {
    let all = cases();
    let participants = &all["participants"];
    let cases = all["standard_race_recalculation"].as_array().unwrap();
    assert_eq!(cases.len(), 9);
    for case in cases {
        let name = case_name(case);
        let rows = case["rows"].as_array().unwrap();
        let records: Vec<ResultRecord> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let pid = row["pid"].as_str().unwrap();
                ResultRecord {
                    bib: int(row, "bib"),
                    start_order: int(row, "bib"),
                    total: int(row, "total"),
                    status: text(row, "status"),
                    cat_id: text(row, "catId"),
                    ..participant_row(participants, pid, i64::try_from(i).unwrap() + 1, "R")
                }
            })
            .collect();
        let inputs: Vec<RankInput<'_>> = records.iter().map(RankInput::from).collect();
        let ranked = rank_single_run(&inputs);
        assert_eq!(ranked.len(), records.len(), "case {name:?}");
        if case["expect"] == "no error" {
            assert!(ranked.is_empty(), "case {name:?}");
            continue;
        }
        for (record, row) in records.iter().zip(&ranked) {
            assert_eq!(record.row_id, row.row_id);
            let c = &row.columns;
            let actual = serde_json::json!({
                "rnk": c.rnk, "rnk_order": c.rnk_order, "total_behind": c.total_behind,
                "cat_rnk": c.cat_rnk, "cat_rnk_order": c.cat_rnk_order,
                "cat_total_behind": c.cat_total_behind,
            });
            let expected = case["expect"][&record.participant_id].as_object().unwrap();
            assert_subset(
                name,
                usize::try_from(record.row_id).unwrap(),
                &actual,
                expected,
            );
        }
        if let Some(order) = case.get("expectOrder") {
            let mut reranked = records.clone();
            rerank_records(&mut reranked);
            let list = single_run_list(&reranked, None, None);
            let bibs: Vec<Option<i32>> = list.iter().map(|i| i.core.bib).collect();
            let expected: Vec<Option<i32>> = order
                .as_array()
                .unwrap()
                .iter()
                .map(|pid| int(&participants[pid.as_str().unwrap()], "bib"))
                .collect();
            assert_eq!(bibs, expected, "case {name:?}");
        }
    }
}

#[test]
fn xml_fixture_cases() {
    let all = cases();
    let cases = all["xml_fixture_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let name = case_name(case);
        let query = case["query"].as_str().unwrap();
        let records = match case["fixture"].as_str().unwrap() {
            "sample-c123-synthetic-lodm-qua.xml" => lodm_records("K1W-ZS_QUA_25"),
            "sample-c123-synthetic-lodm.xml" => lodm_records("K1W-ZS_BR1_25"),
            other => panic!("case {name:?}: unknown fixture {other}"),
        };
        let list = match best_run_pair(query) {
            Some((br1, br2)) => {
                serde_json::to_value(best_run_list(&br1, &br2, &records, None, None)).unwrap()
            }
            None => serde_json::to_value(single_run_list(&race_rows(&records, query), None, None))
                .unwrap(),
        };
        assert_eq!(list, case["expect"], "case {name:?}");
    }
}

#[test]
fn status_normalisation() {
    let all = cases();
    let cases = all["status_normalisation"]["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 8);
    for case in cases {
        let expected = case[1].as_str().map(str::to_owned);
        assert_eq!(
            normalise_live_status(case[0].as_str()),
            expected,
            "input {}",
            case[0]
        );
    }
}
