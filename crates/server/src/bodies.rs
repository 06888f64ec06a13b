//! Which domain request type each route body is, under which limit, and how many items it counts
//! for the ingest log.

use live_domain::requests::{
    ConfigPatch, CreateEventRequest, OncourseIngest, ResultsIngest, StatusRequest, ValidationError,
    XmlIngest,
};
use serde_json::Value;

use crate::extract::{BodyLimit, RequestBody};

impl RequestBody for CreateEventRequest {
    fn parse(value: &Value) -> Result<Self, String> {
        Self::parse(value).map_err(ValidationError::into_message)
    }
}

impl RequestBody for StatusRequest {
    fn parse(value: &Value) -> Result<Self, String> {
        Self::parse(value).map_err(ValidationError::into_message)
    }
}

impl RequestBody for ConfigPatch {
    fn parse(value: &Value) -> Result<Self, String> {
        Self::parse(value).map_err(ValidationError::into_message)
    }
}

impl RequestBody for XmlIngest {
    const LIMIT: BodyLimit = BodyLimit::Xml;

    fn parse(value: &Value) -> Result<Self, String> {
        Self::parse(value).map_err(ValidationError::into_message)
    }

    /// The sum of the `imported` counts, known only after the XML was parsed.
    fn items(&self) -> Option<u64> {
        None
    }
}

impl RequestBody for ResultsIngest {
    fn parse(value: &Value) -> Result<Self, String> {
        Self::parse(value).map_err(ValidationError::into_message)
    }

    fn items(&self) -> Option<u64> {
        Some(self.results.len() as u64)
    }
}

impl RequestBody for OncourseIngest {
    fn parse(value: &Value) -> Result<Self, String> {
        Self::parse(value).map_err(ValidationError::into_message)
    }

    fn items(&self) -> Option<u64> {
        Some(self.oncourse.len() as u64)
    }
}
