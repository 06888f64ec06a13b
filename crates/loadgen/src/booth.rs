//! The recorded booth session (`fixtures/booth-feed/healthy-race.jsonl`): parsing its lines and
//! turning them into requests for this run.
//!
//! Each line is one request the real producer sent, with placeholders `{eventId}`, `{masterKey}`
//! and `{apiKey}`, and the status the server must answer. XML lines reference the export file
//! with `replaceFirst` pairs and a `sha256`/`bytes` check of the result instead of embedding
//! 2.9 MB (fixtures/README.md, "Booth feed format").

use std::path::Path;

use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Most lines read from a feed file (the recorded one has 342).
pub const MAX_LINES: usize = 100_000;

/// One recorded request.
#[derive(Debug, Clone, PartialEq)]
pub struct BoothLine {
    /// Position in the original recording.
    pub seq: u32,
    /// Milliseconds since the first request.
    pub t_ms: u64,
    /// HTTP method.
    pub method: String,
    /// Path with `{eventId}`.
    pub path: String,
    /// Authentication headers with placeholders.
    pub headers: Vec<(String, String)>,
    /// JSON body (null for GET/DELETE); XML lines hold the file reference.
    pub body: Option<Value>,
    /// The status this server must answer.
    pub status: u16,
}

/// Why the feed could not be used.
#[derive(Debug, thiserror::Error)]
pub enum BoothError {
    /// A line is not the documented JSON object.
    #[error("booth feed line {line}: {reason}")]
    Line {
        /// 1-based line number in the file.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The feed has more lines than [`MAX_LINES`].
    #[error("booth feed has more than {MAX_LINES} lines")]
    TooLong,
    /// An XML reference lacks a part.
    #[error("booth seq {seq}: XML reference lacks {missing}")]
    Reference {
        /// The line's `seq`.
        seq: u32,
        /// What is missing.
        missing: &'static str,
    },
    /// A referenced file could not be read.
    #[error("booth seq {seq}: cannot read {path}: {error}")]
    File {
        /// The line's `seq`.
        seq: u32,
        /// The file.
        path: String,
        /// The I/O error.
        error: std::io::Error,
    },
    /// A `replaceFirst` pattern does not occur in the text.
    #[error("booth seq {seq}: replaceFirst pattern not found: {pattern:?}")]
    PatternNotFound {
        /// The line's `seq`.
        seq: u32,
        /// The missing text.
        pattern: String,
    },
    /// The substituted text is not what the producer sent.
    #[error("booth seq {seq}: XML after replacements has {what} {got}, recorded {expected}")]
    Checksum {
        /// The line's `seq`.
        seq: u32,
        /// `sha256` or `bytes`.
        what: &'static str,
        /// Recorded value.
        expected: String,
        /// Computed value.
        got: String,
    },
    /// A line needs `{apiKey}` before the create line returned one.
    #[error("booth seq {0}: needs the API key, but no event was created yet")]
    NoApiKey(u32),
}

#[derive(Deserialize)]
struct RawLine {
    seq: u32,
    t: u64,
    method: String,
    path: String,
    #[serde(default)]
    headers: Map<String, Value>,
    #[serde(default)]
    body: Value,
    status: u16,
}

/// Parses a whole feed file (JSON Lines; blank lines are skipped).
pub fn parse_feed(text: &str) -> Result<Vec<BoothLine>, BoothError> {
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        if lines.len() == MAX_LINES {
            return Err(BoothError::TooLong);
        }
        let raw: RawLine = serde_json::from_str(line).map_err(|e| BoothError::Line {
            line: i + 1,
            reason: e.to_string(),
        })?;
        let mut headers = Vec::with_capacity(raw.headers.len());
        for (name, value) in raw.headers {
            let Value::String(value) = value else {
                return Err(BoothError::Line {
                    line: i + 1,
                    reason: format!("header {name} is not a string"),
                });
            };
            headers.push((name, value));
        }
        lines.push(BoothLine {
            seq: raw.seq,
            t_ms: raw.t,
            method: raw.method,
            path: raw.path,
            headers,
            body: (!raw.body.is_null()).then_some(raw.body),
            status: raw.status,
        });
    }
    Ok(lines)
}

/// Values substituted for the placeholders.
#[derive(Debug, Clone, Copy)]
pub struct Placeholders<'a> {
    /// `{eventId}`.
    pub event_id: &'a str,
    /// `{masterKey}`; `None` drops the header (development mode, open admin).
    pub master_key: Option<&'a str>,
    /// `{apiKey}`; known once the create line has been answered.
    pub api_key: Option<&'a str>,
}

impl BoothLine {
    /// The path with `{eventId}` substituted.
    pub fn path_for(&self, event_id: &str) -> String {
        self.path.replace("{eventId}", event_id)
    }

    /// The headers with their placeholders substituted.
    pub fn headers_for(
        &self,
        values: &Placeholders<'_>,
    ) -> Result<Vec<(String, String)>, BoothError> {
        let mut out = Vec::with_capacity(self.headers.len());
        for (name, value) in &self.headers {
            if value.contains("{masterKey}") {
                if let Some(key) = values.master_key {
                    out.push((name.clone(), value.replace("{masterKey}", key)));
                }
            } else if value.contains("{apiKey}") {
                let key = values.api_key.ok_or(BoothError::NoApiKey(self.seq))?;
                out.push((name.clone(), value.replace("{apiKey}", key)));
            } else {
                out.push((name.clone(), value.clone()));
            }
        }
        Ok(out)
    }

    /// The encoded body: `{eventId}` substituted in every string, an XML reference replaced by
    /// the checked export text. `fixtures` is the folder the reference's `file` is relative to.
    pub fn body_for(&self, event_id: &str, fixtures: &Path) -> Result<Option<Vec<u8>>, BoothError> {
        let Some(body) = &self.body else {
            return Ok(None);
        };
        let body = match body.get("xml") {
            Some(Value::Object(reference)) => {
                let text = self.resolve_xml(reference, fixtures)?;
                serde_json::json!({ "xml": text })
            }
            _ => substitute(body, event_id),
        };
        Ok(Some(serde_json::to_vec(&body).unwrap_or_default()))
    }

    fn resolve_xml(
        &self,
        reference: &Map<String, Value>,
        fixtures: &Path,
    ) -> Result<String, BoothError> {
        let field = |missing: &'static str| BoothError::Reference {
            seq: self.seq,
            missing,
        };
        let file = reference
            .get("file")
            .and_then(Value::as_str)
            .ok_or_else(|| field("file"))?;
        let path = fixtures.join(file);
        let mut text = std::fs::read_to_string(&path).map_err(|error| BoothError::File {
            seq: self.seq,
            path: path.display().to_string(),
            error,
        })?;
        let pairs = reference.get("replaceFirst").and_then(Value::as_array);
        for pair in pairs.into_iter().flatten() {
            let (Some(from), Some(to)) = (
                pair.get(0).and_then(Value::as_str),
                pair.get(1).and_then(Value::as_str),
            ) else {
                return Err(field("a [from, to] pair in replaceFirst"));
            };
            if !text.contains(from) {
                return Err(BoothError::PatternNotFound {
                    seq: self.seq,
                    pattern: from.to_owned(),
                });
            }
            text = text.replacen(from, to, 1);
        }
        if let Some(bytes) = reference.get("bytes").and_then(Value::as_u64) {
            let got = text.len() as u64;
            if got != bytes {
                return Err(BoothError::Checksum {
                    seq: self.seq,
                    what: "bytes",
                    expected: bytes.to_string(),
                    got: got.to_string(),
                });
            }
        }
        if let Some(sha) = reference.get("sha256").and_then(Value::as_str) {
            let got = hex::encode(Sha256::digest(text.as_bytes()));
            if !got.eq_ignore_ascii_case(sha) {
                return Err(BoothError::Checksum {
                    seq: self.seq,
                    what: "sha256",
                    expected: sha.to_owned(),
                    got,
                });
            }
        }
        Ok(text)
    }

    /// Whether this line creates the event (its answer carries the API key).
    pub fn creates_event(&self) -> bool {
        self.method == "POST" && self.path == "/api/v1/admin/events"
    }

    /// Whether this line deletes the event.
    pub fn deletes_event(&self) -> bool {
        self.method == "DELETE" && self.path.starts_with("/api/v1/admin/events/")
    }

    /// The requested status of a status PATCH line.
    pub fn requested_status(&self) -> Option<&str> {
        if self.method == "PATCH" && self.path.ends_with("/status") {
            self.body.as_ref()?.get("status")?.as_str()
        } else {
            None
        }
    }
}

/// `value` with `{eventId}` replaced in every string.
fn substitute(value: &Value, event_id: &str) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace("{eventId}", event_id)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| substitute(v, event_id)).collect())
        }
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute(v, event_id)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn fixtures() -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures"
        ))
    }

    fn recorded() -> Vec<BoothLine> {
        let text =
            std::fs::read_to_string(fixtures().join("booth-feed/healthy-race.jsonl")).unwrap();
        parse_feed(&text).unwrap()
    }

    #[test]
    fn recorded_feed_parses() {
        let lines = recorded();
        assert_eq!(lines.len(), 342);
        assert_eq!(lines[0].seq, 1);
        assert!(lines[0].creates_event());
        assert_eq!(lines[0].status, 201);
        assert_eq!(lines[3].status, 403);
        assert_eq!(lines[2].requested_status(), Some("startlist"));
        assert!(lines[341].deletes_event());
        assert_eq!(lines[341].status, 200);
        assert!(lines.windows(2).all(|w| w[0].t_ms <= w[1].t_ms));
    }

    #[test]
    fn create_line_substitutes_event_id_and_master_key() {
        let line = &recorded()[0];
        let body = line.body_for("replay-1", &fixtures()).unwrap().unwrap();
        let body: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["eventId"], "replay-1");
        assert_eq!(body["mainTitle"], "Jarní slalomy 2024");
        assert!(body["location"].is_null());
        let with_key = Placeholders {
            event_id: "replay-1",
            master_key: Some("s3cret"),
            api_key: None,
        };
        assert_eq!(
            line.headers_for(&with_key).unwrap(),
            vec![("X-Master-Key".to_owned(), "s3cret".to_owned())]
        );
        let open = Placeholders {
            master_key: None,
            ..with_key
        };
        assert!(line.headers_for(&open).unwrap().is_empty());
    }

    #[test]
    fn api_key_lines_need_the_key() {
        let line = &recorded()[2];
        assert_eq!(line.path_for("e1"), "/api/v1/admin/events/e1/status");
        let none = Placeholders {
            event_id: "e1",
            master_key: None,
            api_key: None,
        };
        assert!(matches!(
            line.headers_for(&none),
            Err(BoothError::NoApiKey(3))
        ));
        let some = Placeholders {
            api_key: Some("abc"),
            ..none
        };
        assert_eq!(
            line.headers_for(&some).unwrap(),
            vec![("X-API-Key".to_owned(), "abc".to_owned())]
        );
        assert_eq!(
            line.body_for("e1", &fixtures()).unwrap().unwrap(),
            br#"{"status":"startlist"}"#
        );
        assert_eq!(recorded()[340].body_for("e1", &fixtures()).unwrap(), None);
    }

    #[test]
    fn xml_lines_resolve_to_the_checked_export() {
        let lines = recorded();
        for idx in [1, 100] {
            let body = lines[idx].body_for("e1", &fixtures()).unwrap().unwrap();
            let body: Value = serde_json::from_slice(&body).unwrap();
            let xml = body["xml"].as_str().unwrap();
            assert_eq!(xml.len(), 2_908_502);
            assert!(xml.contains("<StartDate>2026-11-26T08:00:00+01:00</StartDate>"));
        }
        let edited = lines[100].body_for("e1", &fixtures()).unwrap().unwrap();
        assert!(
            String::from_utf8(edited)
                .unwrap()
                .contains("<Time>76980</Time>")
        );
    }

    #[test]
    fn wrong_checksum_or_pattern_is_refused() {
        let mut line = recorded()[1].clone();
        line.body.as_mut().unwrap()["xml"]["sha256"] = Value::from("00".repeat(32));
        assert!(matches!(
            line.body_for("e1", &fixtures()),
            Err(BoothError::Checksum { what: "sha256", .. })
        ));
        line.body.as_mut().unwrap()["xml"]["replaceFirst"] = serde_json::json!([["<NoSuch>", "x"]]);
        assert!(matches!(
            line.body_for("e1", &fixtures()),
            Err(BoothError::PatternNotFound { .. })
        ));
        line.body.as_mut().unwrap()["xml"]["file"] = Value::from("xml/missing.xml");
        assert!(matches!(
            line.body_for("e1", &fixtures()),
            Err(BoothError::File { .. })
        ));
    }

    #[test]
    fn malformed_lines_are_reported_with_their_number() {
        let err = parse_feed("\n{\"seq\":1}\n").unwrap_err();
        assert!(matches!(err, BoothError::Line { line: 2, .. }), "{err}");
        let err = parse_feed(r#"{"seq":1,"t":0,"method":"GET","path":"/","headers":{"X":1},"body":null,"status":200}"#)
            .unwrap_err();
        assert!(matches!(err, BoothError::Line { line: 1, .. }), "{err}");
    }
}
