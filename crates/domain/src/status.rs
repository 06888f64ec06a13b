//! Event lifecycle: the five states, the allowed transitions and the ingest state guard.
//!
//! Pure and table-driven (contract §5). `draft → startlist → running → finished → official`;
//! forward jumps are allowed in one request (DV21), backwards only `startlist → draft` and
//! `finished → running`, the same state never.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Where an event is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    /// Created, invisible to the public.
    Draft,
    /// Start lists published.
    Startlist,
    /// Racing: live feeds accepted.
    Running,
    /// Racing over, results may still be corrected.
    Finished,
    /// Results official: terminal, no live updates.
    Official,
}

impl EventStatus {
    /// Every state, in lifecycle order.
    pub const ALL: [Self; 5] = [
        Self::Draft,
        Self::Startlist,
        Self::Running,
        Self::Finished,
        Self::Official,
    ];

    /// The wire spelling (`"running"`).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Startlist => "startlist",
            Self::Running => "running",
            Self::Finished => "finished",
            Self::Official => "official",
        }
    }

    /// The targets reachable from this state, in the order the contract lists them (§5.1).
    pub const fn valid_transitions(self) -> &'static [Self] {
        match self {
            Self::Draft => &[
                Self::Startlist,
                Self::Running,
                Self::Finished,
                Self::Official,
            ],
            Self::Startlist => &[Self::Running, Self::Finished, Self::Official, Self::Draft],
            Self::Running => &[Self::Finished, Self::Official],
            Self::Finished => &[Self::Official, Self::Running],
            Self::Official => &[],
        }
    }

    /// Checks a requested transition.
    pub fn transition(self, to: Self) -> Result<Self, LifecycleError> {
        if self.valid_transitions().contains(&to) {
            Ok(to)
        } else {
            Err(LifecycleError::InvalidTransition { from: self, to })
        }
    }

    /// Whether the public REST routes and WebSocket admission may see the event at all.
    pub const fn is_public(self) -> bool {
        !matches!(self, Self::Draft)
    }

    /// Whether an ingest of `kind` is accepted in this state (contract §5.3).
    pub const fn accepts(self, kind: IngestKind) -> bool {
        match kind {
            IngestKind::Xml | IngestKind::Config => !matches!(self, Self::Official),
            IngestKind::JsonOncourse => matches!(self, Self::Running),
            IngestKind::JsonResults => matches!(self, Self::Running | Self::Finished),
        }
    }

    /// The state guard: `Ok` when `kind` is accepted, else the 403 reason.
    pub fn guard(self, kind: IngestKind) -> Result<(), GuardError> {
        if self.accepts(kind) {
            Ok(())
        } else {
            Err(GuardError { kind, status: self })
        }
    }

    /// Whether entering this state clears the on-course store (DV5).
    pub const fn clears_oncourse(self) -> bool {
        matches!(self, Self::Finished | Self::Official | Self::Draft)
    }
}

impl fmt::Display for EventStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the five states.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown event status '{0}'")]
pub struct UnknownStatus(pub String);

impl FromStr for EventStatus {
    type Err = UnknownStatus;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| UnknownStatus(s.to_owned()))
    }
}

/// A transition the lifecycle does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LifecycleError {
    /// `from → to` is not in the table of §5.1.
    #[error("{}", transition_message(*from, *to))]
    InvalidTransition {
        /// The current state.
        from: EventStatus,
        /// The requested state.
        to: EventStatus,
    },
}

fn transition_message(from: EventStatus, to: EventStatus) -> String {
    let valid = from.valid_transitions();
    let list = if valid.is_empty() {
        "none".to_owned()
    } else {
        valid
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("Cannot transition from '{from}' to '{to}'. Valid transitions: {list}")
}

/// The kinds of request the state guard distinguishes (contract §5.3); also the ingest-log
/// types minus `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IngestKind {
    /// `POST /ingest/xml`.
    Xml,
    /// `PATCH …/config`.
    Config,
    /// `POST /ingest/oncourse`.
    JsonOncourse,
    /// `POST /ingest/results`.
    JsonResults,
}

impl IngestKind {
    /// The spelling used in 403 messages and the ingest log.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Xml => "xml",
            Self::Config => "config",
            Self::JsonOncourse => "json_oncourse",
            Self::JsonResults => "json_results",
        }
    }
}

/// A data type not accepted in the event's current state (403).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Data type '{}' not accepted in '{}' state", kind.as_str(), status.as_str())]
pub struct GuardError {
    /// What was sent.
    pub kind: IngestKind,
    /// The state it was refused in.
    pub status: EventStatus,
}

#[cfg(test)]
mod tests {
    use super::EventStatus::{Draft, Finished, Official, Running, Startlist};
    use super::*;

    /// The full table of §5.1, written out pair by pair.
    #[test]
    fn every_pair_matches_the_contract_table() {
        let allowed = [
            (Draft, Startlist),
            (Draft, Running),
            (Draft, Finished),
            (Draft, Official),
            (Startlist, Running),
            (Startlist, Finished),
            (Startlist, Official),
            (Startlist, Draft),
            (Running, Finished),
            (Running, Official),
            (Finished, Official),
            (Finished, Running),
        ];
        for from in EventStatus::ALL {
            for to in EventStatus::ALL {
                let ok = allowed.contains(&(from, to));
                assert_eq!(from.transition(to).is_ok(), ok, "{from} -> {to}");
            }
        }
    }

    #[test]
    fn messages_list_valid_targets_in_contract_order() {
        let err = Running.transition(Startlist).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot transition from 'running' to 'startlist'. Valid transitions: finished, official"
        );
        let err = Official.transition(Running).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot transition from 'official' to 'running'. Valid transitions: none"
        );
        let err = Draft.transition(Draft).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Cannot transition from 'draft' to 'draft'. Valid transitions: startlist, running, finished, official"
        );
    }

    #[test]
    fn guard_table_matches_contract() {
        use IngestKind::{Config, JsonOncourse, JsonResults, Xml};
        let table = [
            (Draft, [true, true, false, false]),
            (Startlist, [true, true, false, false]),
            (Running, [true, true, true, true]),
            (Finished, [true, true, false, true]),
            (Official, [false, false, false, false]),
        ];
        for (status, row) in table {
            for (kind, ok) in [Xml, Config, JsonOncourse, JsonResults]
                .into_iter()
                .zip(row)
            {
                assert_eq!(status.accepts(kind), ok, "{status} {kind:?}");
            }
        }
        assert_eq!(
            Startlist.guard(JsonOncourse).unwrap_err().to_string(),
            "Data type 'json_oncourse' not accepted in 'startlist' state"
        );
    }

    #[test]
    fn status_round_trips_through_text_and_json() {
        for s in EventStatus::ALL {
            assert_eq!(s.as_str().parse::<EventStatus>(), Ok(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
        assert!("Running".parse::<EventStatus>().is_err());
        assert!(
            Draft.clears_oncourse() && Finished.clears_oncourse() && Official.clears_oncourse()
        );
        assert!(!Running.clears_oncourse() && !Startlist.clears_oncourse());
        assert!(!Draft.is_public() && Official.is_public());
    }
}
