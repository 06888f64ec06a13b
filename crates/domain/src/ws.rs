//! The WebSocket envelope (contract §6.2): `full`, `diff` and `refresh`, every one with `seq`.
//!
//! The rooms write these frames by hand around `data` that was encoded once (a broadcast must
//! not re-encode per socket); this type is the wire contract they must match — the rooms' tests
//! parse every frame they build into it — and what clients (the load generator) read.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::status::EventStatus;

/// One text frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum WsMessage {
    /// Everything a client needs to (re)build its view: event, classes, races, categories.
    Full {
        /// The event's current sequence number.
        seq: u64,
        /// 16 lowercase hex digits; changes when the sequence starts over.
        epoch: String,
        /// `{"event","classes","races","categories"}` (contract §6.3).
        data: Value,
    },
    /// One change.
    Diff {
        /// Previous `seq` + 1.
        seq: u64,
        /// What changed.
        data: DiffPayload,
    },
    /// Re-fetch over REST: changes were skipped.
    Refresh {
        /// The current sequence number.
        seq: u64,
    },
}

impl WsMessage {
    /// The frame's sequence number.
    pub fn seq(&self) -> u64 {
        match self {
            Self::Full { seq, .. } | Self::Diff { seq, .. } | Self::Refresh { seq } => *seq,
        }
    }
}

/// The `data` of a `diff`: exactly one of the three shapes (contract §6.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum DiffPayload {
    /// Changed result items of one race, upserted by bib (§6.5).
    Results {
        /// The race.
        #[serde(rename = "raceId")]
        race_id: String,
        /// Changed items, in list order.
        results: Vec<Value>,
    },
    /// The whole on-course list, replacing the previous one.
    Oncourse {
        /// On-course items (§4.17).
        oncourse: Vec<Value>,
    },
    /// The event's new status.
    Status {
        /// New lifecycle state.
        status: EventStatus,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Parses a frame, re-encodes it, and checks nothing was lost and the envelope keys come
    /// first in the contract's order (`Value` objects inside `data` sort their keys).
    fn round_trip(text: &str) -> WsMessage {
        let msg: WsMessage = serde_json::from_str(text).unwrap();
        let again = serde_json::to_string(&msg).unwrap();
        let a: Value = serde_json::from_str(&again).unwrap();
        let b: Value = serde_json::from_str(text).unwrap();
        assert_eq!(a, b, "re-encoding changed the frame");
        let prefix = format!(
            r#"{{"type":"{}","seq":{}"#,
            b["type"].as_str().unwrap(),
            msg.seq()
        );
        assert!(again.starts_with(&prefix), "{again}");
        msg
    }

    #[test]
    fn every_frame_shape_of_the_contract() {
        let full = round_trip(
            r#"{"type":"full","seq":0,"epoch":"7a47f6d1c82a2e78","data":{"event":{"eventId":"lodm-2024"},"classes":[],"races":[],"categories":[]}}"#,
        );
        assert!(matches!(&full, WsMessage::Full { epoch, .. } if epoch == "7a47f6d1c82a2e78"));
        let diff = round_trip(
            r#"{"type":"diff","seq":41,"data":{"raceId":"K1M-ZS_BR1_25","results":[{"rnk":null,"bib":11}]}}"#,
        );
        assert!(matches!(
            diff,
            WsMessage::Diff {
                data: DiffPayload::Results { .. },
                seq: 41
            }
        ));
        let oncourse = round_trip(r#"{"type":"diff","seq":44,"data":{"oncourse":[]}}"#);
        assert!(matches!(
            oncourse,
            WsMessage::Diff {
                data: DiffPayload::Oncourse { .. },
                ..
            }
        ));
        let status = round_trip(r#"{"type":"diff","seq":45,"data":{"status":"finished"}}"#);
        assert_eq!(
            status,
            WsMessage::Diff {
                seq: 45,
                data: DiffPayload::Status {
                    status: EventStatus::Finished
                }
            }
        );
        let refresh = round_trip(r#"{"type":"refresh","seq":46}"#);
        assert_eq!(refresh.seq(), 46);
    }

    #[test]
    fn built_frames_have_the_contract_keys() {
        let msg = WsMessage::Diff {
            seq: 7,
            data: DiffPayload::Results {
                race_id: "R1".to_owned(),
                results: vec![json!({"bib": 1})],
            },
        };
        assert_eq!(
            serde_json::to_value(&msg).unwrap(),
            json!({"type":"diff","seq":7,"data":{"raceId":"R1","results":[{"bib":1}]}})
        );
        assert!(serde_json::from_str::<WsMessage>(r#"{"type":"nope","seq":1}"#).is_err());
        assert!(serde_json::from_str::<WsMessage>(r#"{"type":"refresh"}"#).is_err());
    }
}
