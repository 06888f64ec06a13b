//! `POST /api/v1/ingest/xml` body (contract §4.9).

use serde_json::Value;

use super::checks::Object;
use super::error::ValidationError;
use super::path::Path;

/// The whole Canoe123 export as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlIngest {
    /// The XML document, not yet parsed.
    pub xml: String,
}

impl XmlIngest {
    /// Validates an XML ingest body (§1.4), reporting the first violation.
    pub fn parse(value: &Value) -> Result<Self, ValidationError> {
        let body = Object::new(value, &Path::Body)?;
        body.require(&["xml"])?;
        let xml = body.string("xml")?;
        Ok(Self {
            xml: xml.to_owned(),
        })
    }

    /// The route's own first check, right after validation and before the state guard (§4.9):
    /// `""` is `Missing required field: xml`.
    pub fn check(&self) -> Result<(), ValidationError> {
        if self.xml.is_empty() {
            Err(ValidationError::new("Missing required field: xml"))
        } else {
            Ok(())
        }
    }
}
