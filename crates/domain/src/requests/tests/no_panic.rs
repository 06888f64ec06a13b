//! Property tests: no JSON value makes a validator panic, valid rows come back exactly as sent, and
//! integers map exactly to their range.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::*;
use crate::requests::{
    ConfigPatch, CreateEventRequest, EventConfig, Field, GateIngest, OncourseIngest,
    ResultRowIngest, ResultsIngest, StatusRequest, XmlIngest,
};

/// Keys the validators look for, plus a few they do not, so generated objects hit real paths.
const KEYS: &[&str] = &[
    "results",
    "oncourse",
    "raceId",
    "participantId",
    "bib",
    "time",
    "pen",
    "total",
    "rnk",
    "rank",
    "status",
    "gates",
    "gate",
    "name",
    "club",
    "position",
    "dtStart",
    "dtFinish",
    "ttbDiff",
    "ttbName",
    "eventId",
    "mainTitle",
    "subTitle",
    "location",
    "facility",
    "discipline",
    "startDate",
    "endDate",
    "imageData",
    "xml",
    "activeRaceId",
    "displayMode",
    "showOnCourse",
    "mergeStrategy",
    "catId",
    "",
    "x",
    "é",
];

/// Strings the validators give meaning to, plus arbitrary text.
fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "running",
            "draft",
            "official",
            "simple",
            "detailed",
            "live",
            "xml",
            "R1",
            "lodm-2024",
            "2024-02-29",
            "2023-02-29",
            "2026-11-26T08:00:00+01:00",
            "9999-12-31",
            "0000-01-01",
            "data:image/png;base64,iVBORw0KGgo=",
            "data:image/;base64,",
            "data:image/x;base64,=",
            "iVBORw0KGgo",
            " \n",
            "DNS",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
    ]
}

/// Numbers as JSON literals: small, 32-bit edges, over-long, fractions, exponents.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        prop::sample::select(vec![
            "2147483647",
            "2147483648",
            "-2147483648",
            "-2147483649",
            "0",
            "-0",
            "1",
            "7.0",
            "7.5",
            "1e2",
            "1E+2",
            "-1e-400",
            "1e400",
            "123456789012345678901234567890",
        ])
        .prop_map(str::to_owned),
        "-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,4})?([eE][+-]?[0-9]{1,4})?",
    ]
    .prop_filter_map("valid JSON number", |text| serde_json::from_str(&text).ok())
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        string().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..10).prop_map(|members| {
                let map: Map<String, Value> = members
                    .into_iter()
                    .map(|(k, v)| ((*k).to_owned(), v))
                    .collect();
                Value::Object(map)
            }),
        ]
    })
}

/// Runs every validator (and every follow-up step) on `value`; only panics matter.
fn exercise(value: &Value) {
    let _ = ResultsIngest::parse(value);
    let _ = OncourseIngest::parse(value);
    let _ = StatusRequest::parse(value);
    if let Ok(xml) = XmlIngest::parse(value) {
        let _ = xml.check();
    }
    if let Ok(create) = CreateEventRequest::parse(value) {
        let _ = create.check();
    }
    if let Ok(patch) = ConfigPatch::parse(value) {
        let mut config = EventConfig::default();
        config.apply(patch);
        let text = config.to_json_text();
        assert_eq!(EventConfig::from_json_text(&text).unwrap(), config);
    }
}

fn field<T: std::fmt::Debug + Clone>(
    value: impl Strategy<Value = T>,
) -> impl Strategy<Value = Field<T>> {
    prop_oneof![
        Just(Field::Absent),
        Just(Field::Null),
        value.prop_map(Field::Value)
    ]
}

fn gate() -> impl Strategy<Value = GateIngest> {
    (1..=i32::MAX, any::<Option<i32>>(), any::<Option<i32>>())
        .prop_map(|(gate, time, pen)| GateIngest { gate, time, pen })
}

fn result_row() -> impl Strategy<Value = ResultRowIngest> {
    (
        (any::<String>(), any::<String>(), any::<i32>()),
        (
            field(any::<i32>()),
            field(any::<i32>()),
            field(any::<i32>()),
            field(any::<i32>()),
        ),
        field(any::<String>()),
        field(prop::collection::vec(gate(), 0..4)),
    )
        .prop_map(
            |((race_id, participant_id, bib), (time, pen, total, rnk), status, gates)| {
                ResultRowIngest {
                    race_id,
                    participant_id,
                    bib,
                    time,
                    pen,
                    total,
                    rnk,
                    status,
                    gates,
                }
            },
        )
}

/// The JSON a producer would send for `row`: absent keys left out, `None` gate members as `null`.
fn row_json(row: &ResultRowIngest) -> Value {
    fn put(map: &mut Map<String, Value>, key: &str, field: Field<Value>) {
        match field {
            Field::Absent => {}
            Field::Null => {
                map.insert(key.to_owned(), Value::Null);
            }
            Field::Value(v) => {
                map.insert(key.to_owned(), v);
            }
        }
    }
    let mut map = Map::new();
    map.insert("raceId".to_owned(), Value::from(row.race_id.as_str()));
    map.insert(
        "participantId".to_owned(),
        Value::from(row.participant_id.as_str()),
    );
    map.insert("bib".to_owned(), Value::from(row.bib));
    put(&mut map, "time", row.time.map(Value::from));
    put(&mut map, "pen", row.pen.map(Value::from));
    put(&mut map, "total", row.total.map(Value::from));
    put(&mut map, "rnk", row.rnk.map(Value::from));
    put(&mut map, "status", row.status.clone().map(Value::from));
    let gates = row.gates.as_ref().map(|gates| {
        gates
            .iter()
            .map(|g| serde_json::json!({"gate": g.gate, "time": g.time, "pen": g.pen}))
            .collect::<Vec<_>>()
            .into()
    });
    put(&mut map, "gates", gates);
    Value::Object(map)
}

proptest! {
    #[test]
    fn valid_rows_come_back_exactly(rows in prop::collection::vec(result_row(), 0..6)) {
        // Through text, as the server receives it, so the literals are the real ones.
        let body = serde_json::json!({"results": rows.iter().map(row_json).collect::<Vec<_>>()});
        let parsed = ResultsIngest::parse(&json(&body.to_string())).unwrap();
        prop_assert_eq!(parsed.results, rows);
    }

    #[test]
    fn no_value_panics(value in json_value()) {
        exercise(&value);
        for key in ["results", "oncourse"] {
            exercise(&serde_json::json!({ key: [value.clone()] }));
        }
        let row = serde_json::json!({"raceId": "R", "participantId": "P", "bib": 1});
        for key in ["gates", "time", "status"] {
            let mut row = row.clone();
            row[key] = value.clone();
            exercise(&serde_json::json!({"results": [row.clone()], "oncourse": [row]}));
        }
    }

    #[test]
    fn integers_keep_their_value_or_report_the_bound(n in any::<i64>()) {
        let body = json(&format!(r#"{{"results":[{{"raceId":"R","participantId":"P","bib":{n}}}]}}"#));
        let parsed = ResultsIngest::parse(&body);
        match i32::try_from(n) {
            Ok(bib) => prop_assert_eq!(parsed.unwrap().results[0].bib, bib),
            Err(_) if n > 0 => prop_assert_eq!(
                message(parsed),
                "body/results/0/bib must be <= 2147483647"
            ),
            Err(_) => prop_assert_eq!(message(parsed), "body/results/0/bib must be >= -2147483648"),
        }
    }
}
