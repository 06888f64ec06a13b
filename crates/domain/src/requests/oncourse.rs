//! `POST /api/v1/ingest/oncourse` body (contract §4.10, c123-xml.md §12.2).

use serde_json::Value;

use super::checks::{Integer, Object, wrong_type};
use super::error::ValidationError;
use super::path::Path;
use crate::bounds::{FEED_STRING_MAX_CHARS, MAX_GATES};

/// The on-course feed: the producer's merged list of riders on course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OncourseIngest {
    /// The entries, in body order; may be empty.
    pub oncourse: Vec<OncourseEntryIngest>,
}

/// One rider on course.
///
/// Each entry replaces the stored one for its key as a whole, so an absent key and `null` mean the
/// same here and are both `None`. Serde is for the stored board of cluster mode
/// ([`crate::oncourse::OncourseBoard::to_stored`]), not for the feed, which is validated by hand.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OncourseEntryIngest {
    /// Participant id; entries with an empty one are skipped by the store.
    pub participant_id: String,
    /// Race id; entries with an empty one are skipped by the store.
    pub race_id: String,
    /// Start number; part of the store key.
    pub bib: i32,
    /// Display name.
    pub name: Option<String>,
    /// Club.
    pub club: Option<String>,
    /// Order on course.
    pub position: Option<i32>,
    /// One penalty per gate (`0`, `2`, `50`); `None` = gate not yet passed.
    pub gates: Option<Vec<Option<i32>>>,
    /// Start time of day as sent (not a true instant; passed through).
    pub dt_start: Option<String>,
    /// Finish time of day as sent; its presence marks the run completed.
    pub dt_finish: Option<String>,
    /// Running time, centiseconds.
    pub time: Option<i32>,
    /// Penalty, centiseconds.
    pub pen: Option<i32>,
    /// Time plus penalty, centiseconds.
    pub total: Option<i32>,
    /// Current rank.
    pub rank: Option<i32>,
    /// Difference to the leader as sent (`-1.20`).
    pub ttb_diff: Option<String>,
    /// Name of the leader as sent.
    pub ttb_name: Option<String>,
}

impl OncourseIngest {
    /// Validates an on-course body (§1.4), reporting the first violation.
    pub fn parse(value: &Value) -> Result<Self, ValidationError> {
        let body = Object::new(value, &Path::Body)?;
        body.require(&["oncourse"])?;
        let items = body.array("oncourse")?;
        let list = Path::Body.key("oncourse");
        let oncourse = items
            .iter()
            .enumerate()
            .map(|(i, item)| OncourseEntryIngest::parse(item, &list.index(i)))
            .collect::<Result<_, _>>()?;
        Ok(Self { oncourse })
    }
}

impl OncourseEntryIngest {
    /// Validates one entry at `path`: presence, types in table order, limits, then its gates.
    fn parse(value: &Value, path: &Path<'_>) -> Result<Self, ValidationError> {
        let entry = Object::new(value, path)?;
        entry.require(&["participantId", "raceId", "bib"])?;

        let participant_id = entry.string("participantId")?;
        let race_id = entry.string("raceId")?;
        let bib = entry.integer("bib")?;
        let name = entry.string_or_null("name")?;
        let club = entry.string_or_null("club")?;
        let position = entry.integer_or_null("position")?;
        let gates = entry.array_or_null("gates")?;
        let dt_start = entry.string_or_null("dtStart")?;
        let dt_finish = entry.string_or_null("dtFinish")?;
        let time = entry.integer_or_null("time")?;
        let pen = entry.integer_or_null("pen")?;
        let total = entry.integer_or_null("total")?;
        let rank = entry.integer_or_null("rank")?;
        let ttb_diff = entry.string_or_null("ttbDiff")?;
        let ttb_name = entry.string_or_null("ttbName")?;

        // Limits in table order (DV41 bounds the strings and the gates, §1.8).
        entry.max_chars("participantId", participant_id, FEED_STRING_MAX_CHARS)?;
        entry.max_chars("raceId", race_id, FEED_STRING_MAX_CHARS)?;
        let bib = entry.limit("bib", bib, i32::MIN)?;
        entry.max_chars_or_null("name", name, FEED_STRING_MAX_CHARS)?;
        entry.max_chars_or_null("club", club, FEED_STRING_MAX_CHARS)?;
        let position = entry.limit_or_null("position", position)?;
        entry.max_items_or_null("gates", gates, MAX_GATES)?;
        entry.max_chars_or_null("dtStart", dt_start, FEED_STRING_MAX_CHARS)?;
        entry.max_chars_or_null("dtFinish", dt_finish, FEED_STRING_MAX_CHARS)?;
        let time = entry.limit_or_null("time", time)?;
        let pen = entry.limit_or_null("pen", pen)?;
        let total = entry.limit_or_null("total", total)?;
        let rank = entry.limit_or_null("rank", rank)?;
        entry.max_chars_or_null("ttbDiff", ttb_diff, FEED_STRING_MAX_CHARS)?;
        entry.max_chars_or_null("ttbName", ttb_name, FEED_STRING_MAX_CHARS)?;

        let gates_path = path.key("gates");
        let gates = gates.try_map(|items| {
            items
                .iter()
                .enumerate()
                .map(|(i, item)| gate_penalty(item, &gates_path.index(i)))
                .collect::<Result<Vec<_>, _>>()
        })?;

        let owned = |text: &str| text.to_owned();
        Ok(Self {
            participant_id: participant_id.to_owned(),
            race_id: race_id.to_owned(),
            bib,
            name: name.into_option().map(owned),
            club: club.into_option().map(owned),
            position: position.into_option(),
            gates: gates.into_option(),
            dt_start: dt_start.into_option().map(owned),
            dt_finish: dt_finish.into_option().map(owned),
            time: time.into_option(),
            pen: pen.into_option(),
            total: total.into_option(),
            rank: rank.into_option(),
            ttb_diff: ttb_diff.into_option().map(owned),
            ttb_name: ttb_name.into_option().map(owned),
        })
    }
}

/// One item of an entry's `gates`: `integer|null`, type then range.
fn gate_penalty(value: &Value, path: &Path<'_>) -> Result<Option<i32>, ValidationError> {
    if value.is_null() {
        return Ok(None);
    }
    Integer::from_value(value)
        .ok_or_else(|| wrong_type(path, "integer", true))?
        .at_least(i32::MIN, path)
        .map(Some)
}
