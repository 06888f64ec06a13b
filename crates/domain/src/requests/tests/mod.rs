//! Tests of the request validators: one message per rule and request, the real fixture bodies, and
//! a property test that no JSON value makes a validator panic.

mod config;
mod create_event;
mod fixtures;
mod no_panic;
mod oncourse;
mod results;
mod status_and_xml;

use serde_json::Value;

use super::ValidationError;

/// Parses JSON text the way the server does (`serde_json` with `arbitrary_precision`).
fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap()
}

/// The message of a rejected body; fails the test when the body was accepted.
fn message<T: std::fmt::Debug>(result: Result<T, ValidationError>) -> String {
    result.unwrap_err().to_string()
}
