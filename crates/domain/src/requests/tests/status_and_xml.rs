//! `StatusRequest` and `XmlIngest`: every message form.

use super::*;
use crate::requests::{StatusRequest, XmlIngest};
use crate::status::EventStatus;

fn status_err(body: &str) -> String {
    message(StatusRequest::parse(&json(body)))
}

fn xml_err(body: &str) -> String {
    message(XmlIngest::parse(&json(body)))
}

#[test]
fn status_messages() {
    assert_eq!(status_err("null"), "body must be object");
    assert_eq!(status_err(r#"["running"]"#), "body must be object");
    assert_eq!(
        status_err("{}"),
        "body must have required property 'status'"
    );
    assert_eq!(
        status_err(r#"{"state":"running"}"#),
        "body must have required property 'status'"
    );
    assert_eq!(status_err(r#"{"status":3}"#), "body/status must be string");
    assert_eq!(
        status_err(r#"{"status":null}"#),
        "body/status must be string"
    );
    for bad in ["paused", "Running", "RUNNING", " running", ""] {
        assert_eq!(
            status_err(&format!(r#"{{"status":"{bad}"}}"#)),
            "body/status must be equal to one of the allowed values",
            "{bad:?}"
        );
    }
}

#[test]
fn every_state_is_accepted() {
    for status in EventStatus::ALL {
        let body = json(&format!(r#"{{"status":"{status}","extra":1.5}}"#));
        assert_eq!(StatusRequest::parse(&body), Ok(StatusRequest { status }));
    }
}

#[test]
fn xml_messages() {
    assert_eq!(xml_err("\"<Canoe123Data/>\""), "body must be object");
    assert_eq!(xml_err("{}"), "body must have required property 'xml'");
    assert_eq!(xml_err(r#"{"xml":null}"#), "body/xml must be string");
    assert_eq!(
        xml_err(r#"{"xml":{"file":"x.xml"}}"#),
        "body/xml must be string"
    );
}

#[test]
fn empty_xml_is_the_routes_own_check() {
    let empty = XmlIngest::parse(&json(r#"{"xml":""}"#)).unwrap();
    assert_eq!(empty.xml, "");
    assert_eq!(message(empty.check()), "Missing required field: xml");

    let doc = XmlIngest::parse(&json(
        r#"{"xml":"<Canoe123Data>é</Canoe123Data>","other":1}"#,
    ))
    .unwrap();
    assert_eq!(doc.xml, "<Canoe123Data>é</Canoe123Data>");
    assert_eq!(doc.check(), Ok(()));
}
