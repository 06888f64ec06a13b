//! `CreateEventRequest`: schema messages, the route's own checks in order, and the resulting
//! `NewEvent`.

use serde_json::Value;

use super::*;
use crate::requests::{CreateEventRequest, EventImage, IMAGE_DATA_MAX_CHARS, NewEvent};
use crate::time::format_rfc3339_ms;

fn err(body: &str) -> String {
    message(CreateEventRequest::parse(&json(body)))
}

fn check_err(body: &str) -> String {
    message(CreateEventRequest::parse(&json(body)).unwrap().check())
}

fn created(body: &str) -> NewEvent {
    CreateEventRequest::parse(&json(body))
        .unwrap()
        .check()
        .unwrap()
}

fn window(event: &NewEvent) -> (Option<String>, Option<String>) {
    (
        event.valid_from.map(format_rfc3339_ms),
        event.valid_until.map(format_rfc3339_ms),
    )
}

/// `imageData` of `len` copies of `c`, after a valid id and title.
fn with_image(c: char, len: usize) -> Value {
    let mut body = json(r#"{"eventId":"e","mainTitle":"T"}"#);
    body["imageData"] = Value::String(std::iter::repeat_n(c, len).collect());
    body
}

#[test]
fn body_must_be_an_object() {
    for body in ["null", "[]", "\"lodm\"", "1"] {
        assert_eq!(err(body), "body must be object");
    }
}

#[test]
fn required_keys_in_table_order_before_types() {
    assert_eq!(err("{}"), "body must have required property 'eventId'");
    assert_eq!(
        err(r#"{"mainTitle":"T"}"#),
        "body must have required property 'eventId'"
    );
    assert_eq!(
        err(r#"{"eventId":5}"#),
        "body must have required property 'mainTitle'"
    );
    assert_eq!(
        err(r#"{"eventId":"e","subTitle":5}"#),
        "body must have required property 'mainTitle'"
    );
}

#[test]
fn type_messages_in_table_order() {
    assert_eq!(
        err(r#"{"eventId":5,"mainTitle":5}"#),
        "body/eventId must be string"
    );
    assert_eq!(
        err(r#"{"eventId":null,"mainTitle":"T"}"#),
        "body/eventId must be string"
    );
    assert_eq!(
        err(r#"{"eventId":"e","mainTitle":null}"#),
        "body/mainTitle must be string"
    );
    let nullable = [
        "subTitle",
        "location",
        "facility",
        "discipline",
        "startDate",
        "endDate",
        "imageData",
    ];
    for key in nullable {
        assert_eq!(
            err(&format!(
                r#"{{"eventId":"e","mainTitle":"T","{key}":20260406}}"#
            )),
            format!("body/{key} must be string or null")
        );
    }
    // Every nullable field wrong at once: the first in table order is named.
    let all_wrong: Vec<String> = nullable
        .iter()
        .rev()
        .map(|k| format!(r#""{k}":[]"#))
        .collect();
    assert_eq!(
        err(&format!(
            r#"{{"eventId":"e","mainTitle":"T",{}}}"#,
            all_wrong.join(",")
        )),
        "body/subTitle must be string or null"
    );
}

#[test]
fn image_data_length_limit() {
    let at_limit = CreateEventRequest::parse(&with_image('A', IMAGE_DATA_MAX_CHARS)).unwrap();
    assert_eq!(
        at_limit.image_data.map(|s| s.len()),
        Some(IMAGE_DATA_MAX_CHARS)
    );
    assert_eq!(
        message(CreateEventRequest::parse(&with_image(
            'A',
            IMAGE_DATA_MAX_CHARS + 1
        ))),
        "body/imageData must NOT have more than 1048576 characters"
    );
    // Characters, not bytes: 1 048 576 two-byte characters are within the limit.
    assert!(CreateEventRequest::parse(&with_image('é', IMAGE_DATA_MAX_CHARS)).is_ok());
    assert!(CreateEventRequest::parse(&with_image('é', IMAGE_DATA_MAX_CHARS + 1)).is_err());
    // The limit comes after every type check.
    let mut body = with_image('A', IMAGE_DATA_MAX_CHARS + 1);
    body["endDate"] = Value::Bool(true);
    assert_eq!(
        message(CreateEventRequest::parse(&body)),
        "body/endDate must be string or null"
    );
}

#[test]
fn route_checks_in_contract_order() {
    assert_eq!(
        check_err(r#"{"eventId":"","mainTitle":""}"#),
        "Missing required field: eventId"
    );
    assert_eq!(
        check_err(r#"{"eventId":"-x","mainTitle":""}"#),
        "eventId must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
    );
    assert_eq!(
        check_err(r#"{"eventId":"e","mainTitle":""}"#),
        "Missing required field: mainTitle"
    );
    assert_eq!(
        check_err(
            r#"{"eventId":"e","mainTitle":"T","startDate":"2026-02-30","endDate":"x","imageData":"*"}"#
        ),
        "Invalid startDate: expected YYYY-MM-DD or an RFC 3339 date-time"
    );
    assert_eq!(
        check_err(
            r#"{"eventId":"e","mainTitle":"T","startDate":"2026-04-07","endDate":"07.04.2026"}"#
        ),
        "Invalid endDate: expected YYYY-MM-DD or an RFC 3339 date-time"
    );
    assert_eq!(
        check_err(
            r#"{"eventId":"e","mainTitle":"T","startDate":"2026-04-07","endDate":"2026-04-06","imageData":"*"}"#
        ),
        "endDate must not be before startDate"
    );
    assert_eq!(
        check_err(
            r#"{"eventId":"e","mainTitle":"T","startDate":"2026-04-07T10:00:00Z","endDate":"2026-04-07T11:59:59+02:00"}"#
        ),
        "endDate must not be before startDate"
    );
    assert_eq!(
        check_err(r#"{"eventId":"e","mainTitle":"T","imageData":"data:image/png;base64,***"}"#),
        "Invalid imageData: not valid base64"
    );
}

#[test]
fn event_id_pattern() {
    let long_ok = format!("a{}", "b".repeat(63));
    let too_long = format!("a{}", "b".repeat(64));
    for good in [
        "lodm-2024",
        "CZE2.2024062500",
        "jarni-replay",
        "0",
        "A_b.c-d",
        long_ok.as_str(),
    ] {
        let body = json(&format!(r#"{{"eventId":"{good}","mainTitle":"T"}}"#));
        let event = CreateEventRequest::parse(&body).unwrap().check().unwrap();
        assert_eq!(event.event_id, good);
    }
    for bad in [
        "_a",
        ".a",
        "a b",
        "a/b",
        "é",
        "a\u{301}",
        "{eventId}",
        too_long.as_str(),
    ] {
        let body = json(&format!(r#"{{"eventId":"{bad}","mainTitle":"T"}}"#));
        assert_eq!(
            message(CreateEventRequest::parse(&body).unwrap().check()),
            "eventId must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
            "{bad:?}"
        );
    }
}

#[test]
fn producer_request_gives_an_open_window() {
    let event = created(
        r#"{"mainTitle":"Jarní slalomy 2024","eventId":"jarni-replay","location":null,"discipline":"Slalom"}"#,
    );
    assert_eq!(
        event,
        NewEvent {
            event_id: "jarni-replay".to_owned(),
            main_title: "Jarní slalomy 2024".to_owned(),
            sub_title: None,
            location: None,
            facility: None,
            discipline: Some("Slalom".to_owned()),
            start_date: None,
            end_date: None,
            valid_from: None,
            valid_until: None,
            image: None,
        }
    );
}

#[test]
fn key_window_from_the_admin_dates() {
    let event = created(
        r#"{"eventId":"e","mainTitle":"T","startDate":"2026-04-06","endDate":"2026-04-07"}"#,
    );
    assert_eq!(
        window(&event),
        (
            Some("2026-03-27T00:00:00.000Z".to_owned()),
            Some("2026-04-12T00:00:00.000Z".to_owned())
        )
    );
    assert_eq!(
        (event.start_date.as_deref(), event.end_date.as_deref()),
        (Some("2026-04-06"), Some("2026-04-07"))
    );

    let event = created(r#"{"eventId":"e","mainTitle":"T","endDate":"2020-01-02"}"#);
    assert_eq!(
        window(&event),
        (None, Some("2020-01-07T00:00:00.000Z".to_owned()))
    );

    let event = created(
        r#"{"eventId":"e","mainTitle":"T","startDate":"2026-11-26T08:00:00+01:00","endDate":""}"#,
    );
    assert_eq!(
        window(&event),
        (Some("2026-11-16T07:00:00.000Z".to_owned()), None)
    );
    assert_eq!(
        (event.start_date.as_deref(), event.end_date),
        (Some("2026-11-26T08:00:00+01:00"), None)
    );

    let event = created(r#"{"eventId":"e","mainTitle":"T","startDate":"","endDate":null}"#);
    assert_eq!(
        (window(&event), event.start_date, event.end_date),
        ((None, None), None, None)
    );

    // Same day is not "before".
    let event = created(
        r#"{"eventId":"e","mainTitle":"T","startDate":"2024-02-29","endDate":"2024-02-29T00:00:00Z"}"#,
    );
    assert_eq!(
        window(&event),
        (
            Some("2024-02-19T00:00:00.000Z".to_owned()),
            Some("2024-03-05T00:00:00.000Z".to_owned())
        )
    );

    // The latest year DV41 allows keeps the window in the four-digit form.
    let event = created(r#"{"eventId":"e","mainTitle":"T","endDate":"2999-12-31"}"#);
    assert_eq!(
        window(&event),
        (None, Some("3000-01-05T00:00:00.000Z".to_owned()))
    );
}

/// Before DV41, `endDate` `9999-12-31` was accepted (201) and stored a key window ending in
/// year 10000; every later request with the event's key, and even its DELETE with the master
/// key, answered 500 `corrupt row`. Years are now bounded to 1900–2999, after the format check.
#[test]
fn event_years_are_bounded() {
    for (body, message) in [
        (
            r#"{"eventId":"e","mainTitle":"T","endDate":"9999-12-31"}"#,
            "Invalid endDate: year must be between 1900 and 2999",
        ),
        (
            r#"{"eventId":"e","mainTitle":"T","startDate":"1899-12-31T23:00:00Z"}"#,
            "Invalid startDate: year must be between 1900 and 2999",
        ),
        (
            r#"{"eventId":"e","mainTitle":"T","startDate":"0000-01-01","endDate":"x"}"#,
            "Invalid startDate: year must be between 1900 and 2999",
        ),
        (
            r#"{"eventId":"e","mainTitle":"T","startDate":"2026-01-01","endDate":"3000-01-01"}"#,
            "Invalid endDate: year must be between 1900 and 2999",
        ),
        (
            r#"{"eventId":"e","mainTitle":"T","startDate":"9999-02-30"}"#,
            "Invalid startDate: expected YYYY-MM-DD or an RFC 3339 date-time",
        ),
    ] {
        assert_eq!(check_err(body), message, "{body}");
    }
    let event = created(r#"{"eventId":"e","mainTitle":"T","startDate":"1900-01-01"}"#);
    assert_eq!(event.start_date.as_deref(), Some("1900-01-01"));
}

#[test]
fn texts_are_stored_as_given() {
    let event = created(
        r#"{"eventId":"e","mainTitle":" T ","subTitle":"","location":"České Budějovice","facility":"Lipno"}"#,
    );
    assert_eq!(event.main_title, " T ");
    assert_eq!(event.sub_title.as_deref(), Some(""));
    assert_eq!(event.location.as_deref(), Some("České Budějovice"));
    assert_eq!(event.facility.as_deref(), Some("Lipno"));
}

#[test]
fn images() {
    let image = |data: &str| {
        created(&format!(
            r#"{{"eventId":"e","mainTitle":"T","imageData":"{data}"}}"#
        ))
        .image
    };
    assert_eq!(image(""), None);
    assert_eq!(
        created(r#"{"eventId":"e","mainTitle":"T","imageData":null}"#).image,
        None
    );
    assert_eq!(
        image("data:image/webp;base64,UklGRg=="),
        Some(EventImage {
            content_type: "image/webp".to_owned(),
            bytes: b"RIFF".to_vec()
        })
    );
    assert_eq!(
        image("UklG\\nRg"),
        Some(EventImage {
            content_type: "image/png".to_owned(),
            bytes: b"RIFF".to_vec()
        })
    );
    for bad in [
        "data:image/webp;base64,",
        "data:image/;base64,UklGRg==",
        "Ukl-Rg",
        "UklGRg===",
    ] {
        assert_eq!(
            check_err(&format!(
                r#"{{"eventId":"e","mainTitle":"T","imageData":"{bad}"}}"#
            )),
            "Invalid imageData: not valid base64",
            "{bad:?}"
        );
    }
}
