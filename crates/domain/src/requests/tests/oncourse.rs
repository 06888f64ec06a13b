//! `OncourseIngest`: every message form and the first-violation order.

use super::*;
use crate::requests::{OncourseEntryIngest, OncourseIngest};

fn err(body: &str) -> String {
    message(OncourseIngest::parse(&json(body)))
}

/// A body whose single entry is `{"participantId":"P1","raceId":"R1","bib":1,<extra>}`.
fn entry_err(extra: &str) -> String {
    err(&format!(
        r#"{{"oncourse":[{{"participantId":"P1","raceId":"R1","bib":1{extra}}}]}}"#
    ))
}

fn ok(body: &str) -> OncourseIngest {
    OncourseIngest::parse(&json(body)).unwrap()
}

#[test]
fn body_must_be_an_object_with_an_oncourse_array() {
    for body in ["null", "[]", "\"\"", "0"] {
        assert_eq!(err(body), "body must be object", "{body}");
    }
    assert_eq!(
        err(r#"{"results":[]}"#),
        "body must have required property 'oncourse'"
    );
    assert_eq!(err(r#"{"oncourse":null}"#), "body/oncourse must be array");
    assert_eq!(err(r#"{"oncourse":"[]"}"#), "body/oncourse must be array");
    assert_eq!(ok(r#"{"oncourse":[]}"#).oncourse, vec![]);
    assert_eq!(
        err(r#"{"oncourse":[null]}"#),
        "body/oncourse/0 must be object"
    );
}

#[test]
fn required_keys_in_table_order() {
    assert_eq!(
        err(r#"{"oncourse":[{}]}"#),
        "body/oncourse/0 must have required property 'participantId'"
    );
    assert_eq!(
        err(r#"{"oncourse":[{"participantId":"P","bib":1}]}"#),
        "body/oncourse/0 must have required property 'raceId'"
    );
    assert_eq!(
        err(r#"{"oncourse":[{"participantId":"P","raceId":"R","time":"x"}]}"#),
        "body/oncourse/0 must have required property 'bib'"
    );
}

#[test]
fn required_types() {
    assert_eq!(
        err(r#"{"oncourse":[{"participantId":1,"raceId":"R","bib":1}]}"#),
        "body/oncourse/0/participantId must be string"
    );
    assert_eq!(
        err(r#"{"oncourse":[{"participantId":"P","raceId":null,"bib":1}]}"#),
        "body/oncourse/0/raceId must be string"
    );
    assert_eq!(
        err(r#"{"oncourse":[{"participantId":"P","raceId":"R","bib":"1"}]}"#),
        "body/oncourse/0/bib must be integer"
    );
}

#[test]
fn nullable_types() {
    for key in ["name", "club", "dtStart", "dtFinish", "ttbDiff", "ttbName"] {
        assert_eq!(
            entry_err(&format!(r#","{key}":1"#)),
            format!("body/oncourse/0/{key} must be string or null")
        );
    }
    for key in ["position", "time", "pen", "total", "rank"] {
        for bad in ["\"1\"", "4520.0", "4.5e3", "true"] {
            assert_eq!(
                entry_err(&format!(r#","{key}":{bad}"#)),
                format!("body/oncourse/0/{key} must be integer or null"),
                "{key}={bad}"
            );
        }
    }
    assert_eq!(
        entry_err(r#","gates":{"0":2}"#),
        "body/oncourse/0/gates must be array or null"
    );
}

#[test]
fn types_in_table_order_then_limits_then_gates() {
    assert_eq!(
        entry_err(r#","ttbName":1,"rank":"1","dtStart":2,"gates":"x","position":"1","club":3"#),
        "body/oncourse/0/club must be string or null"
    );
    assert_eq!(
        entry_err(r#","ttbName":1,"rank":"1","dtStart":2,"gates":"x""#),
        "body/oncourse/0/gates must be array or null"
    );
    assert_eq!(
        entry_err(r#","ttbName":1,"rank":"1","dtFinish":2"#),
        "body/oncourse/0/dtFinish must be string or null"
    );
    // A limit violation does not hide a later type violation.
    assert_eq!(
        entry_err(r#","position":2147483648,"ttbDiff":-1.2"#),
        "body/oncourse/0/ttbDiff must be string or null"
    );
    // Limits in table order; the entry's own limits before its gate items.
    assert_eq!(
        entry_err(r#","gates":["x"],"rank":2147483648,"position":-2147483649"#),
        "body/oncourse/0/position must be >= -2147483648"
    );
    assert_eq!(
        entry_err(r#","gates":["x"],"rank":2147483648"#),
        "body/oncourse/0/rank must be <= 2147483647"
    );
}

#[test]
fn integer_limits() {
    let with_bib =
        |bib: &str| format!(r#"{{"oncourse":[{{"participantId":"P","raceId":"R","bib":{bib}}}]}}"#);
    assert_eq!(
        err(&with_bib("2147483648")),
        "body/oncourse/0/bib must be <= 2147483647"
    );
    assert_eq!(
        err(&with_bib("-2147483649")),
        "body/oncourse/0/bib must be >= -2147483648"
    );
    for key in ["position", "time", "pen", "total", "rank"] {
        assert_eq!(
            entry_err(&format!(r#","{key}":12345678901234567890"#)),
            format!("body/oncourse/0/{key} must be <= 2147483647")
        );
    }
}

#[test]
fn gate_items_are_integer_or_null() {
    assert_eq!(
        entry_err(r#","gates":[0,2,"x",null]"#),
        "body/oncourse/0/gates/2 must be integer or null"
    );
    assert_eq!(
        entry_err(r#","gates":[0,50.0]"#),
        "body/oncourse/0/gates/1 must be integer or null"
    );
    assert_eq!(
        entry_err(r#","gates":[1e2]"#),
        "body/oncourse/0/gates/0 must be integer or null"
    );
    assert_eq!(
        entry_err(r#","gates":[[0]]"#),
        "body/oncourse/0/gates/0 must be integer or null"
    );
    assert_eq!(
        entry_err(r#","gates":[0,3000000000]"#),
        "body/oncourse/0/gates/1 must be <= 2147483647"
    );
    // Items in index order, each type then range.
    assert_eq!(
        entry_err(r#","gates":[-3000000000,"x"]"#),
        "body/oncourse/0/gates/0 must be >= -2147483648"
    );
    assert_eq!(
        err(r#"{"oncourse":[{"participantId":"P","raceId":"R","bib":1,"gates":[true]},{}]}"#),
        "body/oncourse/0/gates/0 must be integer or null"
    );
}

#[test]
fn values_absent_and_null_become_none() {
    let parsed = ok(r#"{"oncourse":[
        {"participantId":"P","raceId":"R","bib":3},
        {"participantId":"P","raceId":"R","bib":4,"name":null,"club":null,"position":null,"gates":null,
         "dtStart":null,"dtFinish":null,"time":null,"pen":null,"total":null,"rank":null,"ttbDiff":null,"ttbName":null},
        {"participantId":"","raceId":"","bib":-1,"gates":[null,0,50],"dtStart":"","unknown":[1.5]}
    ]}"#);
    let bare = |bib| OncourseEntryIngest {
        participant_id: "P".to_owned(),
        race_id: "R".to_owned(),
        bib,
        name: None,
        club: None,
        position: None,
        gates: None,
        dt_start: None,
        dt_finish: None,
        time: None,
        pen: None,
        total: None,
        rank: None,
        ttb_diff: None,
        ttb_name: None,
    };
    assert_eq!(parsed.oncourse[0], bare(3));
    assert_eq!(parsed.oncourse[1], bare(4));
    let last = &parsed.oncourse[2];
    assert_eq!(
        (
            last.participant_id.as_str(),
            last.race_id.as_str(),
            last.bib
        ),
        ("", "", -1)
    );
    assert_eq!(last.gates, Some(vec![None, Some(0), Some(50)]));
    // `""` is passed through; turning it into null is the store's normalisation.
    assert_eq!(last.dt_start.as_deref(), Some(""));
}

/// Before DV41, one on-course push with 150 000 gates sent a 7.4 MB frame to every spectator.
/// Gates are now at most 64 per entry and strings at most 256 characters.
#[test]
fn gates_and_strings_are_bounded() {
    let gates = format!(r#","gates":[{}]"#, vec!["0"; 150_000].join(","));
    assert_eq!(
        entry_err(&gates),
        "body/oncourse/0/gates must NOT have more than 64 items"
    );
    let entry = ok(&format!(
        r#"{{"oncourse":[{{"participantId":"P1","raceId":"R1","bib":1,"gates":[{}]}}]}}"#,
        vec!["2"; 64].join(",")
    ));
    assert_eq!(entry.oncourse[0].gates.as_ref().map(Vec::len), Some(64));
    let long = "n".repeat(257);
    for key in ["name", "club", "dtStart", "dtFinish", "ttbDiff", "ttbName"] {
        assert_eq!(
            entry_err(&format!(r#","{key}":"{long}""#)),
            format!("body/oncourse/0/{key} must NOT have more than 256 characters")
        );
    }
    assert_eq!(
        err(&format!(
            r#"{{"oncourse":[{{"participantId":"{long}","raceId":"R1","bib":1}}]}}"#
        )),
        "body/oncourse/0/participantId must NOT have more than 256 characters"
    );
}
