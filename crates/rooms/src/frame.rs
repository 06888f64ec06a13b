//! Frames: the text of one WebSocket message, encoded once and shared by every socket.
//!
//! A [`Frame`] is cheap to clone (`ByteString` is a reference-counted buffer), so a publish costs
//! one encoding however many sockets receive it, and the resume ring replays the very bytes that
//! were sent live (contract §6.4: "original bytes").
//!
//! The envelope is written by hand around JSON the caller already encoded: the `data` of a diff
//! and the cached `full` data are inserted verbatim, never parsed or re-encoded here.

use std::sync::Arc;

use bytestring::ByteString;
use tokio::time::Instant;

use crate::metrics::{Counters, Delivery};

/// What a `diff` frame carries; decides how a lagging socket is resynchronised (contract §6.7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DiffKind {
    /// `{"raceId":…,"results":[…]}`: a `refresh` restores it (clients re-fetch over REST).
    Results,
    /// `{"oncourse":[…]}`: a `refresh` restores it.
    Oncourse,
    /// `{"status":…}`: only a `full` restores it, a `refresh` would leave the old status shown.
    Status,
}

/// The type of a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FrameKind {
    /// `{"type":"full",…}`.
    Full,
    /// `{"type":"diff",…}`.
    Diff(DiffKind),
    /// `{"type":"refresh",…}`.
    Refresh,
}

impl FrameKind {
    /// Whether a socket that skipped this frame needs a `full` rather than a `refresh`.
    pub(crate) const fn needs_full_when_skipped(self) -> bool {
        matches!(self, Self::Full | Self::Diff(DiffKind::Status))
    }
}

/// One encoded frame with its place in the event's sequence.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    /// The `seq` written in the frame.
    pub(crate) seq: u64,
    /// What the frame is.
    pub(crate) kind: FrameKind,
    /// The whole JSON text, as sent.
    pub(crate) text: ByteString,
    /// When it was published: the ring drops frames older than `resume_age`.
    pub(crate) at: Instant,
    /// Set on the copy handed to the broadcast channel only: counts its writes and times its
    /// last one (`crate::metrics`). The ring and the cached snapshot hold untracked copies.
    pub(crate) delivery: Option<Arc<Delivery>>,
}

impl Frame {
    fn new(seq: u64, kind: FrameKind, text: String) -> Self {
        Self {
            seq,
            kind,
            text: ByteString::from(text),
            at: Instant::now(),
            delivery: None,
        }
    }

    /// A copy whose writes are counted and timed (the one sent to the sockets).
    pub(crate) fn tracked(&self, counters: &Arc<Counters>) -> Self {
        Self {
            delivery: Some(Arc::new(Delivery::new(self.kind, self.at, counters))),
            ..self.clone()
        }
    }

    /// `{"type":"full","seq":n,"epoch":"…","data":<data>}`.
    pub(crate) fn full(seq: u64, epoch: &str, data: &str) -> Self {
        let mut text = String::with_capacity(data.len() + epoch.len() + 64);
        text.push_str(r#"{"type":"full","seq":"#);
        text.push_str(&seq.to_string());
        text.push_str(r#","epoch":""#);
        text.push_str(epoch);
        text.push_str(r#"","data":"#);
        text.push_str(data);
        text.push('}');
        Self::new(seq, FrameKind::Full, text)
    }

    /// `{"type":"diff","seq":n,"data":<data>}`.
    pub(crate) fn diff(seq: u64, kind: DiffKind, data: &str) -> Self {
        let mut text = String::with_capacity(data.len() + 48);
        text.push_str(r#"{"type":"diff","seq":"#);
        text.push_str(&seq.to_string());
        text.push_str(r#","data":"#);
        text.push_str(data);
        text.push('}');
        Self::new(seq, FrameKind::Diff(kind), text)
    }

    /// A frame encoded by another instance (cluster mode), kept byte for byte.
    pub(crate) fn encoded(seq: u64, kind: FrameKind, text: ByteString) -> Self {
        Self {
            seq,
            kind,
            text,
            at: Instant::now(),
            delivery: None,
        }
    }

    /// `{"type":"refresh","seq":n}`.
    pub(crate) fn refresh(seq: u64) -> Self {
        Self::new(
            seq,
            FrameKind::Refresh,
            format!(r#"{{"type":"refresh","seq":{seq}}}"#),
        )
    }
}

/// The text of `{"type":"full","seq":n,"epoch":"…","data":<data>}`, as a hub would send it: the
/// instance that commits a write in cluster mode encodes its frames with these, so every
/// instance delivers the same bytes as a single node would.
pub fn encode_full(seq: u64, epoch: &str, data: &str) -> String {
    Frame::full(seq, epoch, data).text.to_string()
}

/// The text of `{"type":"diff","seq":n,"data":<data>}`.
pub fn encode_diff(seq: u64, kind: DiffKind, data: &str) -> String {
    Frame::diff(seq, kind, data).text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_are_byte_exact() {
        let full = Frame::full(7, "7a47f6d1c82a2e78", r#"{"event":{}}"#);
        assert_eq!(
            &*full.text,
            r#"{"type":"full","seq":7,"epoch":"7a47f6d1c82a2e78","data":{"event":{}}}"#
        );
        assert_eq!(full.kind, FrameKind::Full);

        let diff = Frame::diff(41, DiffKind::Status, r#"{"status":"finished"}"#);
        assert_eq!(
            &*diff.text,
            r#"{"type":"diff","seq":41,"data":{"status":"finished"}}"#
        );
        assert_eq!(diff.seq, 41);

        let refresh = Frame::refresh(46);
        assert_eq!(&*refresh.text, r#"{"type":"refresh","seq":46}"#);
    }

    #[test]
    fn only_full_and_status_frames_need_a_full_when_skipped() {
        assert!(FrameKind::Full.needs_full_when_skipped());
        assert!(FrameKind::Diff(DiffKind::Status).needs_full_when_skipped());
        assert!(!FrameKind::Diff(DiffKind::Results).needs_full_when_skipped());
        assert!(!FrameKind::Diff(DiffKind::Oncourse).needs_full_when_skipped());
        assert!(!FrameKind::Refresh.needs_full_when_skipped());
    }

    #[test]
    fn hand_built_frames_are_the_domain_wire_type() {
        use live_domain::{DiffPayload, WsMessage};
        let frames = [
            Frame::full(
                3,
                "0123456789abcdef",
                r#"{"event":{},"classes":[],"races":[],"categories":[]}"#,
            ),
            Frame::diff(
                4,
                DiffKind::Results,
                r#"{"raceId":"R1","results":[{"bib":1}]}"#,
            ),
            Frame::diff(5, DiffKind::Oncourse, r#"{"oncourse":[]}"#),
            Frame::diff(6, DiffKind::Status, r#"{"status":"official"}"#),
            Frame::refresh(7),
        ];
        for frame in &frames {
            let msg: WsMessage = serde_json::from_str(&frame.text).unwrap();
            assert_eq!(msg.seq(), frame.seq);
            let parsed: serde_json::Value = serde_json::from_str(&frame.text).unwrap();
            assert_eq!(serde_json::to_value(&msg).unwrap(), parsed);
            let kind = match msg {
                WsMessage::Full { .. } => FrameKind::Full,
                WsMessage::Diff {
                    data: DiffPayload::Results { .. },
                    ..
                } => FrameKind::Diff(DiffKind::Results),
                WsMessage::Diff {
                    data: DiffPayload::Oncourse { .. },
                    ..
                } => FrameKind::Diff(DiffKind::Oncourse),
                WsMessage::Diff {
                    data: DiffPayload::Status { .. },
                    ..
                } => FrameKind::Diff(DiffKind::Status),
                WsMessage::Refresh { .. } => FrameKind::Refresh,
            };
            assert_eq!(kind, frame.kind);
        }
    }

    #[test]
    fn encoded_frames_are_valid_json() {
        let full = Frame::full(0, "0123456789abcdef", r#"{"event":{"eventId":"x"}}"#);
        let value: serde_json::Value = serde_json::from_str(&full.text).unwrap();
        assert_eq!(value["epoch"], "0123456789abcdef");
        assert_eq!(value["data"]["event"]["eventId"], "x");
    }
}
