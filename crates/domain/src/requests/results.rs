//! `POST /api/v1/ingest/results` body (contract §4.11, c123-xml.md §12.1).

use serde_json::Value;

use super::checks::Object;
use super::error::ValidationError;
use super::field::Field;
use super::path::Path;
use crate::bounds::{FEED_STRING_MAX_CHARS, MAX_GATES};

/// The results feed: the producer's whole table of the race being run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsIngest {
    /// The rows, in body order; may be empty.
    pub results: Vec<ResultRowIngest>,
}

/// One row of the results feed.
///
/// Optional columns are three-state because an absent key keeps the stored value while `null`
/// clears it (DV2). Keys outside the table (`catId`, `catRnk`, `totalBehind`, …) are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultRowIngest {
    /// Race the row belongs to; looked up, never created.
    pub race_id: String,
    /// Participant the row belongs to; looked up, never created.
    pub participant_id: String,
    /// Start number; stored, never used for lookup.
    pub bib: i32,
    /// Run time, centiseconds.
    pub time: Field<i32>,
    /// Penalty, centiseconds.
    pub pen: Field<i32>,
    /// Time plus penalty, centiseconds.
    pub total: Field<i32>,
    /// Canoe123's rank (or its row number for status rows).
    pub rnk: Field<i32>,
    /// Status text as sent (`DNS`, `DNF`, `DSQ`, …); normalised by the store (DV3).
    pub status: Field<String>,
    /// Gate penalties; an empty array keeps the stored gates like an absent key (DV2).
    pub gates: Field<Vec<GateIngest>>,
}

/// One gate object of a results row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GateIngest {
    /// 1-based gate number.
    pub gate: i32,
    /// Split time; accepted and ignored by the store.
    pub time: Option<i32>,
    /// Penalty in seconds (`0`, `2`, `50`), or null.
    pub pen: Option<i32>,
}

impl ResultsIngest {
    /// Validates a results body (§1.4), reporting the first violation.
    pub fn parse(value: &Value) -> Result<Self, ValidationError> {
        let body = Object::new(value, &Path::Body)?;
        body.require(&["results"])?;
        let items = body.array("results")?;
        let list = Path::Body.key("results");
        let results = items
            .iter()
            .enumerate()
            .map(|(i, item)| ResultRowIngest::parse(item, &list.index(i)))
            .collect::<Result<_, _>>()?;
        Ok(Self { results })
    }
}

impl ResultRowIngest {
    /// Validates one row at `path`: presence, types in table order, limits, then its gates.
    fn parse(value: &Value, path: &Path<'_>) -> Result<Self, ValidationError> {
        let row = Object::new(value, path)?;
        row.require(&["raceId", "participantId", "bib"])?;

        let race_id = row.string("raceId")?;
        let participant_id = row.string("participantId")?;
        let bib = row.integer("bib")?;
        let time = row.integer_or_null("time")?;
        let pen = row.integer_or_null("pen")?;
        let total = row.integer_or_null("total")?;
        let rnk = row.integer_or_null("rnk")?;
        let status = row.string_or_null("status")?;
        let gates = row.array_or_null("gates")?;

        // Limits in table order (DV41 bounds the strings and the gates, §1.8).
        row.max_chars("raceId", race_id, FEED_STRING_MAX_CHARS)?;
        row.max_chars("participantId", participant_id, FEED_STRING_MAX_CHARS)?;
        let bib = row.limit("bib", bib, i32::MIN)?;
        let time = row.limit_or_null("time", time)?;
        let pen = row.limit_or_null("pen", pen)?;
        let total = row.limit_or_null("total", total)?;
        let rnk = row.limit_or_null("rnk", rnk)?;
        row.max_chars_or_null("status", status, FEED_STRING_MAX_CHARS)?;
        row.max_items_or_null("gates", gates, MAX_GATES)?;

        let gates_path = path.key("gates");
        let gates = gates.try_map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, item)| GateIngest::parse(item, &gates_path.index(i)))
                .collect::<Result<Vec<_>, _>>()
        })?;

        Ok(Self {
            race_id: race_id.to_owned(),
            participant_id: participant_id.to_owned(),
            bib,
            time,
            pen,
            total,
            rnk,
            status: status.map(str::to_owned),
            gates,
        })
    }
}

impl GateIngest {
    /// Validates one gate object at `path`.
    fn parse(value: &Value, path: &Path<'_>) -> Result<Self, ValidationError> {
        let gate = Object::new(value, path)?;
        gate.require(&["gate"])?;
        let number = gate.integer("gate")?;
        let time = gate.integer_or_null("time")?;
        let pen = gate.integer_or_null("pen")?;
        Ok(Self {
            gate: gate.limit("gate", number, 1)?,
            time: gate.limit_or_null("time", time)?.into_option(),
            pen: gate.limit_or_null("pen", pen)?.into_option(),
        })
    }
}
