//! Gates of the results feed (c123-xml.md §12.1 step 5): `[{gate, time, pen}]` to stored gates.

use std::collections::BTreeMap;

use crate::gates::{Gate, gate_type};

/// One entry of a results-feed `gates` array; its `time` is not stored and so not carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedGate {
    /// Gate number (the feed validates it as ≥ 1).
    pub gate: i32,
    /// Penalty in seconds, `None` when absent or null.
    pub pen: Option<i32>,
}

/// The stored gates of a results-feed array, typed against the race's normalised course
/// configuration: sorted by number, a repeated number keeps its last occurrence.
pub fn feed_gates(
    gates: impl IntoIterator<Item = FeedGate>,
    course_config: Option<&str>,
) -> Vec<Gate> {
    let by_number: BTreeMap<i32, Option<i32>> =
        gates.into_iter().map(|g| (g.gate, g.pen)).collect();
    by_number
        .into_iter()
        .map(|(number, penalty)| Gate {
            number,
            gate_type: gate_type(course_config, number),
            penalty,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gates::{GateType, normalise_course_config};

    #[test]
    fn with_tcp_gates_example() {
        // c123-xml.md §12.1: `with_tcp_gates` on the LODM course.
        let course = normalise_course_config("NNRNSNRNSRNNSNRNSNRNSRNSNRNSNRNS");
        let body: serde_json::Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/sample-ingest-results.json"
        )))
        .unwrap();
        let feed = body["with_tcp_gates"]["results"][0]["gates"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| FeedGate {
                gate: i32::try_from(g["gate"].as_i64().unwrap()).unwrap(),
                pen: g
                    .get("pen")
                    .and_then(serde_json::Value::as_i64)
                    .map(|p| i32::try_from(p).unwrap()),
            });
        let gates = feed_gates(feed, course.as_deref());
        assert_eq!(
            serde_json::to_string(&gates).unwrap(),
            r#"[{"number":1,"type":"normal","penalty":0},{"number":3,"type":"reverse","penalty":2},{"number":30,"type":"unknown","penalty":null}]"#
        );
    }

    #[test]
    fn sorted_and_last_occurrence_wins() {
        let feed = [
            FeedGate {
                gate: 5,
                pen: Some(50),
            },
            FeedGate {
                gate: 2,
                pen: Some(2),
            },
            FeedGate { gate: 5, pen: None },
            FeedGate {
                gate: 2,
                pen: Some(0),
            },
        ];
        assert_eq!(
            feed_gates(feed, None),
            vec![
                Gate {
                    number: 2,
                    gate_type: GateType::Unknown,
                    penalty: Some(0)
                },
                Gate {
                    number: 5,
                    gate_type: GateType::Unknown,
                    penalty: None
                },
            ]
        );
        assert!(feed_gates([], Some("NR")).is_empty());
    }
}
