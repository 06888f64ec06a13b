//! The ingest log (DV26): one entry per ingest, config and status request of a known key.

use serde::Serialize;

/// What kind of request an entry records (`type` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogKind {
    /// `POST /ingest/xml`.
    Xml,
    /// `POST /ingest/oncourse`.
    JsonOncourse,
    /// `POST /ingest/results`.
    JsonResults,
    /// `PATCH …/config`.
    Config,
    /// `PATCH …/status`.
    Status,
}

impl LogKind {
    /// Every kind.
    pub const ALL: [Self; 5] = [
        Self::Xml,
        Self::JsonOncourse,
        Self::JsonResults,
        Self::Config,
        Self::Status,
    ];

    /// Storage and wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Xml => "xml",
            Self::JsonOncourse => "json_oncourse",
            Self::JsonResults => "json_results",
            Self::Config => "config",
            Self::Status => "status",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// How a logged request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogOutcome {
    /// 2xx, applied.
    Success,
    /// 2xx, JSON feed before any XML: nothing stored.
    Ignored,
    /// Any non-2xx answer.
    Error,
}

impl LogOutcome {
    /// Storage and wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Ignored => "ignored",
            Self::Error => "error",
        }
    }

    /// Parses the stored spelling.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Success, Self::Ignored, Self::Error]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// An entry not yet written: the server buffers these and the store writes them in batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogEntry {
    /// Internal id of the key's event.
    pub event_pk: i32,
    /// Request kind.
    pub kind: LogKind,
    /// Outcome.
    pub outcome: LogOutcome,
    /// Response status.
    pub http_status: u16,
    /// Request body size in bytes.
    pub bytes: u64,
    /// Elements received.
    pub items: u64,
    /// Request start to response, milliseconds.
    pub duration_ms: u64,
    /// The response's `message` when `outcome` is `error`.
    pub error: Option<String>,
    /// When the request completed, RFC 3339 ms Z.
    pub created_at: String,
}

/// A stored entry as `GET …/ingest-log` returns it (contract §4.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Row id (newest first ordering).
    pub id: i32,
    /// Request kind.
    #[serde(rename = "type")]
    pub kind: LogKind,
    /// Outcome.
    pub outcome: LogOutcome,
    /// Response status.
    pub http_status: i32,
    /// Request body size in bytes.
    pub bytes: i32,
    /// Elements received.
    pub items: i32,
    /// Duration in milliseconds.
    pub duration_ms: i32,
    /// Error message or null.
    pub error: Option<String>,
    /// RFC 3339 ms Z.
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_json() {
        let e = LogEntry {
            id: 811,
            kind: LogKind::JsonOncourse,
            outcome: LogOutcome::Error,
            http_status: 403,
            bytes: 15,
            items: 0,
            duration_ms: 0,
            error: Some("Data type 'json_oncourse' not accepted in 'startlist' state".to_owned()),
            created_at: "2026-11-26T14:20:17.758Z".to_owned(),
        };
        assert_eq!(
            serde_json::to_string(&e).unwrap(),
            r#"{"id":811,"type":"json_oncourse","outcome":"error","httpStatus":403,"bytes":15,"items":0,"durationMs":0,"error":"Data type 'json_oncourse' not accepted in 'startlist' state","createdAt":"2026-11-26T14:20:17.758Z"}"#
        );
        for k in LogKind::ALL {
            assert_eq!(LogKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(LogOutcome::parse("ignored"), Some(LogOutcome::Ignored));
    }
}
