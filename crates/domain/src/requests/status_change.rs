//! `PATCH /api/v1/admin/events/:eventId/status` body (contract §4.5).

use serde_json::Value;

use super::checks::Object;
use super::error::ValidationError;
use super::path::Path;
use crate::status::EventStatus;

/// A requested lifecycle state; whether the transition is allowed is the route's check (§5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusRequest {
    /// The state asked for.
    pub status: EventStatus,
}

impl StatusRequest {
    /// Validates a status body (§1.4), reporting the first violation.
    pub fn parse(value: &Value) -> Result<Self, ValidationError> {
        let body = Object::new(value, &Path::Body)?;
        body.require(&["status"])?;
        let text = body.string("status")?;
        let allowed = EventStatus::ALL.map(|s| (s.as_str(), s));
        let status = body.one_of("status", text, &allowed)?;
        Ok(Self { status })
    }
}
