//! `ResultsIngest`: every message form, the first-violation order, and the three field states.

use super::*;
use crate::requests::{Field, GateIngest, ResultRowIngest, ResultsIngest};

fn err(body: &str) -> String {
    message(ResultsIngest::parse(&json(body)))
}

/// A body whose single row is `{"raceId":"R1","participantId":"P1","bib":1,<extra>}`.
fn row_err(extra: &str) -> String {
    err(&format!(
        r#"{{"results":[{{"raceId":"R1","participantId":"P1","bib":1{extra}}}]}}"#
    ))
}

fn ok(body: &str) -> ResultsIngest {
    ResultsIngest::parse(&json(body)).unwrap()
}

#[test]
fn body_must_be_an_object_with_a_results_array() {
    for body in ["null", "[]", "\"x\"", "7", "true"] {
        assert_eq!(err(body), "body must be object", "{body}");
    }
    assert_eq!(err("{}"), "body must have required property 'results'");
    assert_eq!(
        err(r#"{"result":[]}"#),
        "body must have required property 'results'"
    );
    assert_eq!(err(r#"{"results":null}"#), "body/results must be array");
    assert_eq!(err(r#"{"results":{}}"#), "body/results must be array");
    assert_eq!(ok(r#"{"results":[]}"#).results, vec![]);
}

#[test]
fn rows_must_be_objects() {
    assert_eq!(err(r#"{"results":[7]}"#), "body/results/0 must be object");
    assert_eq!(
        err(r#"{"results":[{"raceId":"R","participantId":"P","bib":1},[]]}"#),
        "body/results/1 must be object"
    );
}

#[test]
fn required_keys_in_table_order() {
    assert_eq!(
        err(r#"{"results":[{}]}"#),
        "body/results/0 must have required property 'raceId'"
    );
    assert_eq!(
        err(r#"{"results":[{"raceId":"R","bib":1}]}"#),
        "body/results/0 must have required property 'participantId'"
    );
    assert_eq!(
        err(r#"{"results":[{"raceId":"R1","participantId":"P1"}]}"#),
        "body/results/0 must have required property 'bib'"
    );
}

#[test]
fn presence_is_checked_before_types() {
    assert_eq!(
        err(r#"{"results":[{"raceId":5,"participantId":"P1","time":"x"}]}"#),
        "body/results/0 must have required property 'bib'"
    );
}

#[test]
fn required_types() {
    assert_eq!(
        err(r#"{"results":[{"raceId":5,"participantId":"P","bib":1}]}"#),
        "body/results/0/raceId must be string"
    );
    assert_eq!(
        err(r#"{"results":[{"raceId":"R","participantId":null,"bib":1}]}"#),
        "body/results/0/participantId must be string"
    );
    for bib in ["\"7\"", "7.5", "7.0", "1e2", "null", "true", "[7]"] {
        let body = format!(
            r#"{{"results":[{{"raceId":"R","participantId":"P","bib":1}},{{"raceId":"R","participantId":"P","bib":1}},{{"raceId":"R","participantId":"P","bib":1}},{{"raceId":"R","participantId":"P","bib":{bib}}}]}}"#
        );
        assert_eq!(err(&body), "body/results/3/bib must be integer", "{bib}");
    }
}

#[test]
fn nullable_types() {
    for key in ["time", "pen", "total", "rnk"] {
        for bad in ["\"100\"", "1.5", "100.0", "1e3", "false", "{}"] {
            assert_eq!(
                row_err(&format!(r#","{key}":{bad}"#)),
                format!("body/results/0/{key} must be integer or null"),
                "{key}={bad}"
            );
        }
    }
    assert_eq!(
        row_err(r#","status":5"#),
        "body/results/0/status must be string or null"
    );
    assert_eq!(
        row_err(r#","status":["DNS"]"#),
        "body/results/0/status must be string or null"
    );
    assert_eq!(
        row_err(r#","gates":{}"#),
        "body/results/0/gates must be array or null"
    );
    assert_eq!(
        row_err(r#","gates":"0 2""#),
        "body/results/0/gates must be array or null"
    );
}

#[test]
fn types_are_checked_in_table_order() {
    assert_eq!(
        row_err(r#","gates":1,"status":1,"rnk":"1","total":"1","pen":"1","time":"1""#),
        "body/results/0/time must be integer or null"
    );
    assert_eq!(
        row_err(r#","gates":1,"status":1,"rnk":"1""#),
        "body/results/0/rnk must be integer or null"
    );
    assert_eq!(
        err(r#"{"results":[{"raceId":1,"participantId":1,"bib":"1"}]}"#),
        "body/results/0/raceId must be string"
    );
}

#[test]
fn integer_limits() {
    let body =
        |bib: &str| format!(r#"{{"results":[{{"raceId":"R","participantId":"P","bib":{bib}}}]}}"#);
    assert_eq!(
        err(&body("2147483648")),
        "body/results/0/bib must be <= 2147483647"
    );
    assert_eq!(
        err(&body("-2147483649")),
        "body/results/0/bib must be >= -2147483648"
    );
    assert_eq!(
        err(&body("99999999999999999999999999")),
        "body/results/0/bib must be <= 2147483647"
    );
    assert_eq!(ok(&body("2147483647")).results[0].bib, i32::MAX);
    assert_eq!(ok(&body("-2147483648")).results[0].bib, i32::MIN);
    assert_eq!(ok(&body("-0")).results[0].bib, 0);
    for key in ["time", "pen", "total", "rnk"] {
        assert_eq!(
            row_err(&format!(r#","{key}":2147483648"#)),
            format!("body/results/0/{key} must be <= 2147483647")
        );
        assert_eq!(
            row_err(&format!(r#","{key}":-2147483649"#)),
            format!("body/results/0/{key} must be >= -2147483648")
        );
    }
}

#[test]
fn types_come_before_limits_and_limits_before_gates() {
    // bib out of range, a later field of the wrong type: the type is reported.
    assert_eq!(
        err(r#"{"results":[{"raceId":"R","participantId":"P","bib":2147483648,"status":7}]}"#),
        "body/results/0/status must be string or null"
    );
    // rnk out of range and a bad gate: the row's own limit is reported first.
    assert_eq!(
        row_err(r#","rnk":3000000000,"gates":[{}]"#),
        "body/results/0/rnk must be <= 2147483647"
    );
    // limits in table order.
    assert_eq!(
        row_err(r#","rnk":3000000000,"time":-3000000000"#),
        "body/results/0/time must be >= -2147483648"
    );
}

#[test]
fn rows_are_checked_in_index_order() {
    assert_eq!(
        err(r#"{"results":[{"raceId":"R","participantId":"P","bib":1,"gates":[{"gate":0}]},{}]}"#),
        "body/results/0/gates/0/gate must be >= 1"
    );
    assert_eq!(
        err(
            r#"{"results":[{"raceId":"R","participantId":"P","bib":1},{"raceId":"R","participantId":"P","bib":1.5},{}]}"#
        ),
        "body/results/1/bib must be integer"
    );
}

#[test]
fn gate_objects() {
    assert_eq!(
        row_err(r#","gates":[{"gate":1},5]"#),
        "body/results/0/gates/1 must be object"
    );
    assert_eq!(
        row_err(r#","gates":[null]"#),
        "body/results/0/gates/0 must be object"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":1},{"pen":2,"time":"x"}]"#),
        "body/results/0/gates/1 must have required property 'gate'"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":"1"}]"#),
        "body/results/0/gates/0/gate must be integer"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":null}]"#),
        "body/results/0/gates/0/gate must be integer"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":1.0}]"#),
        "body/results/0/gates/0/gate must be integer"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":1,"time":1.5}]"#),
        "body/results/0/gates/0/time must be integer or null"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":1,"pen":"2"}]"#),
        "body/results/0/gates/0/pen must be integer or null"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":1},{"gate":0}]"#),
        "body/results/0/gates/1/gate must be >= 1"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":-5}]"#),
        "body/results/0/gates/0/gate must be >= 1"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":-99999999999}]"#),
        "body/results/0/gates/0/gate must be >= 1"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":2147483648}]"#),
        "body/results/0/gates/0/gate must be <= 2147483647"
    );
    assert_eq!(
        row_err(r#","gates":[{"gate":1,"pen":2147483648}]"#),
        "body/results/0/gates/0/pen must be <= 2147483647"
    );
    // Within a gate object too: types before limits.
    assert_eq!(
        row_err(r#","gates":[{"gate":0,"pen":"2"}]"#),
        "body/results/0/gates/0/pen must be integer or null"
    );
}

#[test]
fn absent_null_and_value_are_kept_apart() {
    let parsed = ok(r#"{"results":[
        {"raceId":"R1","participantId":"P1","bib":4},
        {"raceId":"R1","participantId":"P2","bib":5,"time":null,"pen":null,"total":null,"rnk":null,"status":null,"gates":null},
        {"raceId":"R1","participantId":"P3","bib":6,"time":9012,"pen":200,"total":9212,"rnk":3,"status":" dnf ","gates":[]}
    ]}"#);
    let [absent, null, value] = parsed.results.as_slice() else {
        panic!("three rows expected");
    };
    assert_eq!(
        *absent,
        ResultRowIngest {
            race_id: "R1".to_owned(),
            participant_id: "P1".to_owned(),
            bib: 4,
            time: Field::Absent,
            pen: Field::Absent,
            total: Field::Absent,
            rnk: Field::Absent,
            status: Field::Absent,
            gates: Field::Absent,
        }
    );
    assert_eq!(
        (null.time, null.pen, null.total, null.rnk),
        (Field::Null, Field::Null, Field::Null, Field::Null)
    );
    assert_eq!((&null.status, &null.gates), (&Field::Null, &Field::Null));
    assert_eq!(
        (value.time, value.pen, value.total, value.rnk),
        (
            Field::Value(9012),
            Field::Value(200),
            Field::Value(9212),
            Field::Value(3)
        )
    );
    // The status is passed on as sent; trimming and upper-casing are the store's (DV3).
    assert_eq!(value.status, Field::Value(" dnf ".to_owned()));
    assert_eq!(value.gates, Field::Value(vec![]));
}

#[test]
fn unknown_keys_are_ignored() {
    let parsed = ok(
        r#"{"extra":{"x":[1.5]},"results":[{"raceId":"R","participantId":"P","bib":1,
        "catId":7.5,"catRnk":"x","totalBehind":[],"catTotalBehind":{},"bib2":"no",
        "gates":[{"gate":2,"extra":"y"}]}]}"#,
    );
    assert_eq!(
        parsed.results[0].gates,
        Field::Value(vec![GateIngest {
            gate: 2,
            time: None,
            pen: None
        }])
    );
}

/// Before DV41, nothing bounded a row: gates arrays of any length were stored and served to every
/// spectator. Gates are now at most 64 per row (checked before any item), strings at most 256
/// characters, both as limits in table order after the types.
#[test]
fn gates_and_strings_are_bounded() {
    let gates = |n: usize| {
        let items: Vec<String> = (1..=n).map(|g| format!(r#"{{"gate":{g}}}"#)).collect();
        format!(r#","gates":[{}]"#, items.join(","))
    };
    assert_eq!(
        row_err(&gates(150_000)),
        "body/results/0/gates must NOT have more than 64 items"
    );
    // The count comes before the items: a bad item beyond the bound is not looked at.
    assert_eq!(
        row_err(&format!(r#","gates":[{}]"#, vec!["0"; 65].join(","))),
        "body/results/0/gates must NOT have more than 64 items"
    );
    let row = ok(&format!(
        r#"{{"results":[{{"raceId":"R1","participantId":"P1","bib":1{}}}]}}"#,
        gates(64)
    ));
    assert!(matches!(&row.results[0].gates, Field::Value(g) if g.len() == 64));
    let long = "s".repeat(257);
    assert_eq!(
        row_err(&format!(r#","status":"{long}""#)),
        "body/results/0/status must NOT have more than 256 characters"
    );
    assert_eq!(
        err(&format!(
            r#"{{"results":[{{"raceId":"{long}","participantId":"P1","bib":1}}]}}"#
        )),
        "body/results/0/raceId must NOT have more than 256 characters"
    );
    // Types first: a long status does not hide a wrong type later in the table.
    assert_eq!(
        row_err(&format!(r#","status":"{long}","gates":7"#)),
        "body/results/0/gates must be array or null"
    );
    let at_bound = "ž".repeat(256);
    assert!(
        ResultsIngest::parse(&json(&format!(
            r#"{{"results":[{{"raceId":"R1","participantId":"{at_bound}","bib":1,"status":"{at_bound}"}}]}}"#
        )))
        .is_ok()
    );
}
