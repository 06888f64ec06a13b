//! The spectator side: WebSocket connections, the checks on every frame, and the state the
//! verifier spectators keep.

mod frame;
mod mirror;
mod seq;
mod spectator;

pub use frame::{DiffKind, FramePeek, PeekError, RaceHashes, TAG_BASE, id_hash, peek};
pub use mirror::{Comparison, ResultsMirror};
pub use seq::{
    FrameType, ResumeKind, SeqChecker, SeqTally, SeqVerdict, classify_first_frame, format_epoch,
    parse_epoch,
};
pub(crate) use spectator::{
    DropPlan, Live, Outcome, Plan, Spectators, TargetStats, WsTarget, spectate,
};
