//! Synthetic ingest bodies in the exact shape c123-server sends, built from the real export, each
//! carrying a request tag so every spectator can tell which request a frame came from.
//!
//! Results bodies are the whole table of one race (as the booth sends it) in which a single row,
//! the *tag row*, changes on every push: its `time` and `total` are [`TAG_BASE`] + request index,
//! slower than anyone, so no other row's rank moves and the diff carries just that row. On-course
//! bodies list three riders of the race; the leader's `time` carries the tag, so every snapshot
//! differs from the previous one (DV7 never suppresses it).

use live_domain::c123::{C123Export, XmlResult};
use serde_json::{Value, json};

use crate::ws::TAG_BASE;

/// Riders listed in a synthetic on-course body.
const ONCOURSE_RIDERS: usize = 3;
/// Gate count used when the race has no course.
const DEFAULT_GATES: usize = 24;

/// Why a synthetic feed cannot be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FeedError {
    /// The race is not in the export.
    #[error("race {0:?} is not in the export")]
    UnknownRace(String),
    /// The race has no result row with a bib to carry the tag.
    #[error("race {0:?} has no result row with a bib")]
    NoRows(String),
}

/// Pre-built rows of one race, ready to be stamped with a tag.
#[derive(Debug, Clone)]
pub struct SyntheticFeed {
    race_id: String,
    rows: Vec<Value>,
    tag_row: usize,
    riders: Vec<Value>,
}

impl SyntheticFeed {
    /// Builds the feed for `race_id` of `export`.
    pub fn from_export(export: &C123Export, race_id: &str) -> Result<Self, FeedError> {
        let race = export
            .races
            .iter()
            .find(|r| r.race_id == race_id)
            .ok_or_else(|| FeedError::UnknownRace(race_id.to_owned()))?;
        let gates = race
            .course_nr
            .and_then(|nr| export.courses.iter().find(|c| c.course_nr == nr))
            .and_then(|c| c.nr_gates)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(DEFAULT_GATES);
        let results: Vec<&XmlResult> = export
            .results
            .iter()
            .filter(|r| r.race_id == race_id && r.bib.is_some())
            .collect();
        let tag_result = *results
            .first()
            .ok_or_else(|| FeedError::NoRows(race_id.to_owned()))?;
        // Like c123-server: riders with neither time nor status are left out; the tag row
        // always goes in.
        let sent: Vec<&XmlResult> = results
            .iter()
            .copied()
            .filter(|r| std::ptr::eq(*r, tag_result) || r.time.is_some() || r.status.is_some())
            .collect();
        let rows = sent.iter().map(|r| result_row(r)).collect();
        let tag_row = sent
            .iter()
            .position(|r| std::ptr::eq(*r, tag_result))
            .unwrap_or_default();
        let riders = results
            .iter()
            .take(ONCOURSE_RIDERS)
            .zip(1_i32..)
            .map(|(r, position)| rider(export, r, position, gates))
            .collect();
        Ok(Self {
            race_id: race_id.to_owned(),
            rows,
            tag_row,
            riders,
        })
    }

    /// The race the bodies are about.
    pub fn race_id(&self) -> &str {
        &self.race_id
    }

    /// A results body whose tag row carries `tag`.
    pub fn results_body(&self, tag: u32) -> Vec<u8> {
        let mut rows = self.rows.clone();
        if let Some(row) = rows.get_mut(self.tag_row) {
            let t = TAG_BASE + i64::from(tag);
            row["time"] = json!(t);
            row["pen"] = json!(0);
            row["total"] = json!(t);
            row["rnk"] = Value::Null;
            row["status"] = Value::Null;
        }
        serde_json::to_vec(&json!({ "results": rows })).unwrap_or_default()
    }

    /// An on-course body whose leader carries `tag`.
    pub fn oncourse_body(&self, tag: u32) -> Vec<u8> {
        let mut riders = self.riders.clone();
        if let Some(leader) = riders.first_mut() {
            let t = TAG_BASE + i64::from(tag);
            leader["time"] = json!(t);
            leader["total"] = json!(t);
        }
        serde_json::to_vec(&json!({ "oncourse": riders })).unwrap_or_default()
    }
}

/// One row of the results feed (contract §4.11), with the null extras c123-server adds.
fn result_row(r: &XmlResult) -> Value {
    json!({
        "raceId": r.race_id,
        "participantId": r.participant_id,
        "bib": r.bib,
        "time": r.time,
        "pen": r.pen,
        "total": r.total,
        "rnk": r.rnk,
        "status": r.status,
        "catId": null,
        "catRnk": null,
        "totalBehind": null,
        "catTotalBehind": null,
    })
}

/// One on-course entry (contract §4.10): a rider half-way down the course.
fn rider(export: &C123Export, r: &XmlResult, position: i32, gates: usize) -> Value {
    let participant = export
        .participants
        .iter()
        .find(|p| p.participant_id == r.participant_id);
    let name = participant.map(|p| match &p.given_name {
        Some(given) => format!("{} {given}", p.family_name),
        None => p.family_name.clone(),
    });
    let club = participant.and_then(|p| p.club.clone());
    let passed = gates / 2;
    let gate_values: Vec<Value> = (0..gates)
        .map(|g| {
            if g < passed {
                json!(if g % 7 == 3 { 2 } else { 0 })
            } else {
                Value::Null
            }
        })
        .collect();
    json!({
        "participantId": r.participant_id,
        "raceId": r.race_id,
        "bib": r.bib,
        "name": name,
        "club": club,
        "position": position,
        "gates": gate_values,
        "dtStart": "2026-11-26T10:00:00.000Z",
        "dtFinish": null,
        "time": 4500,
        "pen": 200,
        "total": 4700,
        "rank": null,
        "ttbDiff": null,
        "ttbName": null,
    })
}

/// On-course bodies for the decoy event (the synthetic LODM sample): the `c123_server_shape`
/// body of `fixtures/sample-ingest-oncourse.json` with a changing `time`, so that each push is
/// broadcast. Its race ids do not exist in the real export, so a leaked frame is recognisable.
#[derive(Debug, Clone)]
pub struct DecoyFeed {
    body: Value,
}

impl DecoyFeed {
    /// Reads the decoy body from the fixture's JSON text.
    pub fn from_fixture(text: &str) -> Option<Self> {
        let all: Value = serde_json::from_str(text).ok()?;
        let body = all.get("c123_server_shape")?.clone();
        body.get("oncourse")?.as_array()?;
        Some(Self { body })
    }

    /// The `n`-th body.
    pub fn body(&self, n: u32) -> Vec<u8> {
        let mut body = self.body.clone();
        if let Some(first) = body["oncourse"].get_mut(0) {
            first["time"] = json!(4000 + i64::from(n % 100_000));
        }
        serde_json::to_vec(&body).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use live_domain::c123::parse_export;

    use super::*;
    use crate::ws::peek;

    fn export() -> &'static C123Export {
        static EXPORT: OnceLock<C123Export> = OnceLock::new();
        EXPORT.get_or_init(|| {
            let text = std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../fixtures/xml/xboardtest02_jarni_v1.xml"
            ))
            .unwrap();
            parse_export(&text).unwrap()
        })
    }

    #[test]
    fn results_body_is_a_valid_feed_with_one_tagged_row() {
        let feed = SyntheticFeed::from_export(export(), "K1M_ST_BR2_6").unwrap();
        assert_eq!(feed.race_id(), "K1M_ST_BR2_6");
        let body: Value = serde_json::from_slice(&feed.results_body(7)).unwrap();
        live_domain::requests::ResultsIngest::parse(&body).unwrap();
        let rows = body["results"].as_array().unwrap();
        assert!(rows.len() > 50, "{}", rows.len());
        let tagged: Vec<&Value> = rows
            .iter()
            .filter(|r| r["time"] == json!(TAG_BASE + 7))
            .collect();
        assert_eq!(tagged.len(), 1);
        assert_eq!(tagged[0]["total"], json!(TAG_BASE + 7));
        assert!(tagged[0]["status"].is_null());
        // Only the tag row differs between two pushes.
        let other: Value = serde_json::from_slice(&feed.results_body(8)).unwrap();
        let changed = rows
            .iter()
            .zip(other["results"].as_array().unwrap())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(changed, 1);
    }

    #[test]
    fn oncourse_body_is_valid_and_its_frame_would_carry_the_tag() {
        let feed = SyntheticFeed::from_export(export(), "K1M_ST_BR2_6").unwrap();
        let body: Value = serde_json::from_slice(&feed.oncourse_body(42)).unwrap();
        live_domain::requests::OncourseIngest::parse(&body).unwrap();
        let riders = body["oncourse"].as_array().unwrap();
        assert_eq!(riders.len(), 3);
        assert_eq!(riders[0]["position"], 1);
        assert!(riders[0]["name"].as_str().is_some_and(|n| !n.is_empty()));
        // The server passes `time` through; a frame made of these items peeks as tag 42.
        let frame = json!({"type":"diff","seq":3,"data":{"oncourse": riders}}).to_string();
        assert_eq!(peek(&frame).unwrap().tag, Some(42));
    }

    #[test]
    fn unknown_race_is_an_error() {
        assert_eq!(
            SyntheticFeed::from_export(export(), "NOPE").unwrap_err(),
            FeedError::UnknownRace("NOPE".to_owned())
        );
    }

    #[test]
    fn decoy_bodies_change_every_time() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/sample-ingest-oncourse.json"
        ))
        .unwrap();
        let decoy = DecoyFeed::from_fixture(&text).unwrap();
        assert_ne!(decoy.body(1), decoy.body(2));
        let body: Value = serde_json::from_slice(&decoy.body(1)).unwrap();
        live_domain::requests::OncourseIngest::parse(&body).unwrap();
        assert!(DecoyFeed::from_fixture("{}").is_none());
    }
}
