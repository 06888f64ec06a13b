//! The hot-path reading of a WebSocket frame: the few fields every spectator checks, without
//! allocating.
//!
//! Strings are never kept: race and event ids are reduced to a 64-bit FNV-1a hash and compared
//! with the hashes of the event's own ids; unknown keys and the rest of the frame are skipped by
//! serde's `IgnoredAny` path. A full parse into `serde_json::Value` happens only in the verifier spectators
//! ([`super::mirror`]).

use std::fmt;

use live_domain::EventStatus;
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use super::seq::{FrameType, parse_epoch};

/// On-course and results items whose `time` is at or above this value carry a request tag:
/// `time - TAG_BASE` is the index of the request that produced them. 10 000 s is longer than any
/// slalom run, so no real value collides.
pub const TAG_BASE: i64 = 1_000_000;

/// Most distinct race ids remembered per frame; more are counted as unchecked.
const MAX_RACES: usize = 8;

/// 64-bit FNV-1a: a stable, allocation-free fingerprint of an id.
pub fn id_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What a spectator learns from one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramePeek {
    /// Frame type.
    pub kind: FrameType,
    /// Its `seq`.
    pub seq: u64,
    /// Parsed `epoch` of a `full`.
    pub epoch: Option<u64>,
    /// What kind of diff it is (for `diff` frames).
    pub diff: Option<DiffKind>,
    /// Hash of `data.event.eventId` of a `full`.
    pub event_hash: Option<u64>,
    /// The status a `full` or a status diff announces.
    pub status: Option<EventStatus>,
    /// Hashes of the race ids the frame carries (results `raceId`, on-course items' `raceId`).
    pub races: RaceHashes,
    /// Request tag found in an item's `time` (see [`TAG_BASE`]).
    pub tag: Option<u32>,
}

/// The three kinds of diff (contract §6.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffKind {
    /// `{"raceId":…,"results":[…]}`.
    Results,
    /// `{"oncourse":[…]}`.
    Oncourse,
    /// `{"status":…}`.
    Status,
}

/// Up to [`MAX_RACES`] distinct race id hashes, stored inline.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RaceHashes {
    hashes: [u64; MAX_RACES],
    len: usize,
    /// Distinct ids beyond the inline capacity (not checked).
    pub overflow: u32,
}

impl RaceHashes {
    fn insert(&mut self, h: u64) {
        if self.hashes[..self.len].contains(&h) {
            return;
        }
        if self.len < MAX_RACES {
            self.hashes[self.len] = h;
            self.len += 1;
        } else {
            self.overflow += 1;
        }
    }

    /// The remembered hashes.
    pub fn as_slice(&self) -> &[u64] {
        &self.hashes[..self.len]
    }
}

/// Why a frame could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeekError {
    /// Not the contract's envelope (`type`, `seq`, …).
    #[error("malformed frame: {0}")]
    Malformed(String),
    /// A `diff` whose `data` is none of the three shapes.
    #[error("diff with unknown data shape")]
    UnknownDiff,
}

/// Reads the checked fields of one text frame.
pub fn peek(text: &str) -> Result<FramePeek, PeekError> {
    let raw: RawFrame =
        serde_json::from_str(text).map_err(|e| PeekError::Malformed(e.to_string()))?;
    let kind = match raw.kind {
        RawType::Full => FrameType::Full,
        RawType::Diff => FrameType::Diff,
        RawType::Refresh => FrameType::Refresh,
        RawType::Other => return Err(PeekError::Malformed("unknown type".to_owned())),
    };
    let mut races = RaceHashes::default();
    let mut tag = None;
    let mut status = None;
    let mut event_hash = None;
    let mut diff = None;
    if let Some(data) = raw.data {
        if let Some(event) = data.event {
            event_hash = event.event_id.map(|h| h.0);
            status = event.status;
        }
        if let Some(race) = &data.race_id {
            races.insert(race.0);
        }
        for items in [&data.results, &data.oncourse].into_iter().flatten() {
            for h in items.races.as_slice() {
                races.insert(*h);
            }
            races.overflow += items.races.overflow;
            tag = tag.or(items.tag);
        }
        if kind == FrameType::Diff {
            diff = Some(if data.results.is_some() && data.race_id.is_some() {
                DiffKind::Results
            } else if data.oncourse.is_some() {
                DiffKind::Oncourse
            } else if data.status.is_some() {
                DiffKind::Status
            } else {
                return Err(PeekError::UnknownDiff);
            });
            status = status.or(data.status);
        }
    } else if kind == FrameType::Diff {
        return Err(PeekError::UnknownDiff);
    }
    Ok(FramePeek {
        kind,
        seq: raw.seq,
        epoch: raw.epoch.and_then(|e| e.0),
        diff,
        event_hash,
        status,
        races,
        tag,
    })
}

#[derive(Deserialize)]
struct RawFrame {
    #[serde(rename = "type")]
    kind: RawType,
    seq: u64,
    epoch: Option<Epoch>,
    data: Option<RawData>,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum RawType {
    Full,
    Diff,
    Refresh,
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawData {
    race_id: Option<StrHash>,
    status: Option<EventStatus>,
    event: Option<RawEvent>,
    results: Option<Items>,
    oncourse: Option<Items>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawEvent {
    event_id: Option<StrHash>,
    status: Option<EventStatus>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawItem {
    race_id: Option<StrHash>,
    time: Option<i64>,
}

/// A string reduced to its [`id_hash`].
struct StrHash(u64);

impl<'de> Deserialize<'de> for StrHash {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = StrHash;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<StrHash, E> {
                Ok(StrHash(id_hash(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An `epoch` token, `None` inside when it is not 16 hex digits.
struct Epoch(Option<u64>);

impl<'de> Deserialize<'de> for Epoch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Epoch;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an epoch string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Epoch, E> {
                Ok(Epoch(parse_epoch(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// An array of results rows or on-course entries, folded into race hashes and a tag.
struct Items {
    races: RaceHashes,
    tag: Option<u32>,
}

impl<'de> Deserialize<'de> for Items {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Items;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of items")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Items, A::Error> {
                let mut items = Items {
                    races: RaceHashes::default(),
                    tag: None,
                };
                while let Some(item) = seq.next_element::<Option<RawItem>>()? {
                    let Some(item) = item else { continue };
                    if let Some(race) = item.race_id {
                        items.races.insert(race.0);
                    }
                    if items.tag.is_none() {
                        items.tag = item
                            .time
                            .and_then(|t| t.checked_sub(TAG_BASE))
                            .and_then(|k| u32::try_from(k).ok());
                    }
                }
                Ok(items)
            }
        }
        d.deserialize_seq(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_frame() {
        let text = r#"{"type":"full","seq":0,"epoch":"7a47f6d1c82a2e78","data":{"event":{"eventId":"lodm-2024","mainTitle":"LODM \"2024\"","status":"running","imageUrl":null},"classes":[{"classId":"K1M-ZS"}],"races":[{"raceId":"K1M-ZS_BR1_25","classId":null,"raceOrder":10}],"categories":[]}}"#;
        let p = peek(text).unwrap();
        assert_eq!(p.kind, FrameType::Full);
        assert_eq!(p.seq, 0);
        assert_eq!(p.epoch, Some(0x7a47_f6d1_c82a_2e78));
        assert_eq!(p.event_hash, Some(id_hash("lodm-2024")));
        assert_eq!(p.status, Some(EventStatus::Running));
        assert_eq!(p.diff, None);
        assert!(p.races.as_slice().is_empty());
    }

    #[test]
    fn results_diff_with_tag() {
        let text = r#"{"type":"diff","seq":41,"data":{"raceId":"K1M-ZS_BR1_25","results":[{"rnk":null,"bib":11,"name":"KOVÁČ Tobiáš","time":null,"status":"DNF"},{"bib":3,"time":1000042,"pen":0}]}}"#;
        let p = peek(text).unwrap();
        assert_eq!(p.kind, FrameType::Diff);
        assert_eq!(p.seq, 41);
        assert_eq!(p.diff, Some(DiffKind::Results));
        assert_eq!(p.races.as_slice(), &[id_hash("K1M-ZS_BR1_25")]);
        assert_eq!(p.tag, Some(42));
        assert_eq!(p.status, None);
    }

    #[test]
    fn oncourse_diff_collects_race_ids() {
        let text = r#"{"type":"diff","seq":44,"data":{"oncourse":[{"raceId":"A","bib":1,"time":4520,"gates":[{"number":1,"type":"normal","penalty":0}]},{"raceId":"B","bib":2,"time":null},{"raceId":"A","bib":3}]}}"#;
        let p = peek(text).unwrap();
        assert_eq!(p.diff, Some(DiffKind::Oncourse));
        assert_eq!(p.races.as_slice(), &[id_hash("A"), id_hash("B")]);
        assert_eq!(p.tag, None);
        let empty = peek(r#"{"type":"diff","seq":45,"data":{"oncourse":[]}}"#).unwrap();
        assert_eq!(empty.diff, Some(DiffKind::Oncourse));
    }

    #[test]
    fn status_diff_and_refresh() {
        let p = peek(r#"{"type":"diff","seq":45,"data":{"status":"finished"}}"#).unwrap();
        assert_eq!(p.diff, Some(DiffKind::Status));
        assert_eq!(p.status, Some(EventStatus::Finished));
        let p = peek(r#"{"seq":46,"type":"refresh"}"#).unwrap();
        assert_eq!(p.kind, FrameType::Refresh);
        assert_eq!(p.seq, 46);
    }

    #[test]
    fn escaped_ids_hash_like_plain_ones() {
        let p =
            peek(r#"{"type":"diff","seq":1,"data":{"raceId":"R\u0031","results":[]}}"#).unwrap();
        assert_eq!(p.races.as_slice(), &[id_hash("R1")]);
    }

    #[test]
    fn many_races_overflow_without_allocating_more() {
        let items: Vec<String> = (0..10).map(|i| format!(r#"{{"raceId":"R{i}"}}"#)).collect();
        let text = format!(
            r#"{{"type":"diff","seq":1,"data":{{"oncourse":[{}]}}}}"#,
            items.join(",")
        );
        let p = peek(&text).unwrap();
        assert_eq!(p.races.as_slice().len(), 8);
        assert_eq!(p.races.overflow, 2);
    }

    #[test]
    fn bad_frames_are_errors() {
        for text in [
            "not json",
            r#"{"type":"diff"}"#,
            r#"{"type":"diff","seq":-1,"data":{"status":"running"}}"#,
            r#"{"type":"bogus","seq":1}"#,
            r#"{"type":"diff","seq":1,"data":{"status":"paused"}}"#,
        ] {
            assert!(matches!(peek(text), Err(PeekError::Malformed(_))), "{text}");
        }
        assert_eq!(
            peek(r#"{"type":"diff","seq":1,"data":{}}"#),
            Err(PeekError::UnknownDiff)
        );
        assert_eq!(
            peek(r#"{"type":"diff","seq":1}"#),
            Err(PeekError::UnknownDiff)
        );
    }

    #[test]
    fn malformed_epoch_is_none() {
        let p = peek(r#"{"type":"full","seq":0,"epoch":"xyz","data":{"event":{"eventId":"e"}}}"#)
            .unwrap();
        assert_eq!(p.epoch, None);
    }
}
