//! `ConfigPatch` and `EventConfig`: messages, the shallow merge and the stored text.

use super::*;
use crate::requests::{ConfigPatch, DisplayMode, EventConfig, Field, MergeStrategy};

fn err(body: &str) -> String {
    message(ConfigPatch::parse(&json(body)))
}

fn patch(body: &str) -> ConfigPatch {
    ConfigPatch::parse(&json(body)).unwrap()
}

#[test]
fn body_must_be_an_object() {
    assert_eq!(err("null"), "body must be object");
    assert_eq!(err("[]"), "body must be object");
    assert_eq!(patch("{}"), ConfigPatch::default());
}

#[test]
fn unknown_keys_are_rejected_first() {
    assert_eq!(
        err(r#"{"x":1}"#),
        "body must NOT have additional property 'x'"
    );
    assert_eq!(
        err(r#"{"showOnCourse":"yes","activeraceid":"R1"}"#),
        "body must NOT have additional property 'activeraceid'"
    );
    assert_eq!(
        err(r#"{"mergeStrategy":"xml","merge_strategy":"xml"}"#),
        "body must NOT have additional property 'merge_strategy'"
    );
    // An echoed key is cut to 64 characters (§1.8).
    let key = "k".repeat(100_000);
    assert_eq!(
        err(&format!(r#"{{"{key}":1}}"#)),
        format!(
            "body must NOT have additional property '{}…'",
            "k".repeat(64)
        )
    );
}

#[test]
fn type_messages_in_table_order() {
    assert_eq!(
        err(r#"{"activeRaceId":5}"#),
        "body/activeRaceId must be string or null"
    );
    assert_eq!(
        err(r#"{"displayMode":1}"#),
        "body/displayMode must be string or null"
    );
    assert_eq!(
        err(r#"{"showOnCourse":"true"}"#),
        "body/showOnCourse must be boolean or null"
    );
    assert_eq!(
        err(r#"{"showOnCourse":1}"#),
        "body/showOnCourse must be boolean or null"
    );
    assert_eq!(
        err(r#"{"mergeStrategy":["xml"]}"#),
        "body/mergeStrategy must be string or null"
    );
    assert_eq!(
        err(r#"{"mergeStrategy":1,"showOnCourse":1,"displayMode":1,"activeRaceId":1}"#),
        "body/activeRaceId must be string or null"
    );
    // Types before enums.
    assert_eq!(
        err(r#"{"displayMode":"fancy","showOnCourse":0}"#),
        "body/showOnCourse must be boolean or null"
    );
}

#[test]
fn enum_messages_in_table_order() {
    assert_eq!(
        err(r#"{"displayMode":"fancy"}"#),
        "body/displayMode must be equal to one of the allowed values"
    );
    assert_eq!(
        err(r#"{"mergeStrategy":"XML"}"#),
        "body/mergeStrategy must be equal to one of the allowed values"
    );
    assert_eq!(
        err(r#"{"mergeStrategy":""}"#),
        "body/mergeStrategy must be equal to one of the allowed values"
    );
    assert_eq!(
        err(r#"{"mergeStrategy":"both","displayMode":"Simple"}"#),
        "body/displayMode must be equal to one of the allowed values"
    );
}

#[test]
fn each_key_absent_null_or_value() {
    assert_eq!(
        patch(
            r#"{"activeRaceId":"K1M-ZS_BR1_25","displayMode":"detailed","showOnCourse":false,"mergeStrategy":"live"}"#
        ),
        ConfigPatch {
            active_race_id: Field::Value("K1M-ZS_BR1_25".to_owned()),
            display_mode: Field::Value(DisplayMode::Detailed),
            show_on_course: Field::Value(false),
            merge_strategy: Field::Value(MergeStrategy::Live),
        }
    );
    assert_eq!(
        patch(
            r#"{"activeRaceId":null,"displayMode":null,"showOnCourse":null,"mergeStrategy":null}"#
        ),
        ConfigPatch {
            active_race_id: Field::Null,
            display_mode: Field::Null,
            show_on_course: Field::Null,
            merge_strategy: Field::Null,
        }
    );
    assert_eq!(
        patch(r#"{"displayMode":"simple"}"#).display_mode,
        Field::Value(DisplayMode::Simple)
    );
    assert_eq!(
        patch(r#"{"mergeStrategy":"xml"}"#).merge_strategy,
        Field::Value(MergeStrategy::Xml)
    );
}

#[test]
fn contract_example_merge() {
    let mut config =
        EventConfig::from_json_text(r#"{"activeRaceId":"K1M-ZS_BR1_25","showOnCourse":true}"#)
            .unwrap();
    assert_eq!(
        config.to_json_text(),
        r#"{"activeRaceId":"K1M-ZS_BR1_25","showOnCourse":true}"#
    );
    assert_eq!(config.merge_strategy(), MergeStrategy::Live);

    config.apply(patch(r#"{"mergeStrategy":"xml","showOnCourse":null}"#));
    assert_eq!(
        config.to_json_text(),
        r#"{"activeRaceId":"K1M-ZS_BR1_25","mergeStrategy":"xml"}"#
    );
    assert_eq!(
        serde_json::to_string(&config).unwrap(),
        r#"{"activeRaceId":"K1M-ZS_BR1_25","mergeStrategy":"xml"}"#
    );
    assert_eq!(config.merge_strategy(), MergeStrategy::Xml);

    config.apply(patch("{}"));
    assert_eq!(
        config.to_json_text(),
        r#"{"activeRaceId":"K1M-ZS_BR1_25","mergeStrategy":"xml"}"#
    );

    config.apply(patch(
        r#"{"activeRaceId":null,"mergeStrategy":null,"displayMode":"simple"}"#,
    ));
    assert_eq!(config.to_json_text(), r#"{"displayMode":"simple"}"#);
    assert_eq!(config.merge_strategy(), MergeStrategy::Live);

    config.apply(patch(r#"{"displayMode":null}"#));
    assert_eq!(config, EventConfig::default());
    assert_eq!(config.to_json_text(), "{}");
    assert_eq!(serde_json::to_string(&config).unwrap(), "{}");
}

#[test]
fn stored_text_round_trips() {
    let full = EventConfig {
        active_race_id: Some("Ř1 \"q\"".to_owned()),
        display_mode: Some(DisplayMode::Detailed),
        merge_strategy: Some(MergeStrategy::Xml),
        show_on_course: Some(false),
    };
    let text = full.to_json_text();
    assert_eq!(
        text,
        r#"{"activeRaceId":"Ř1 \"q\"","displayMode":"detailed","mergeStrategy":"xml","showOnCourse":false}"#
    );
    assert_eq!(serde_json::to_string(&full).unwrap(), text);
    assert_eq!(EventConfig::from_json_text(&text).unwrap(), full);
    assert_eq!(
        EventConfig::from_json_text("{}").unwrap(),
        EventConfig::default()
    );
    // Explicit nulls and unknown keys in stored text read as unset.
    assert_eq!(
        EventConfig::from_json_text(r#"{"displayMode":null,"legacy":1}"#).unwrap(),
        EventConfig::default()
    );
    assert!(EventConfig::from_json_text(r#"{"mergeStrategy":"both"}"#).is_err());
}
