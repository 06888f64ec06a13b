//! Why a socket is refused (before the upgrade) or closed (after it).

use actix_ws::CloseCode;

/// A refused admission (contract §6.1). The server maps each variant to its HTTP answer; the
/// `Display` texts are the contract's `message` strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RoomError {
    /// The event is a `draft`, or its room was closed for delete or unpublish: 404
    /// `EventNotFound`.
    #[error("Event not found or not publicly available")]
    NotPublic,
    /// The event is `official`: 410 `EventOfficial`.
    #[error("Event results are official. No live updates available.")]
    Official,
    /// The event already holds `limit` sockets: 503 `ConnectionLimitReached`.
    #[error("Maximum number of concurrent connections reached for this event")]
    EventFull {
        /// `WS_MAX_PER_EVENT`.
        limit: usize,
    },
    /// All events together already hold `limit` sockets: 503 `ConnectionLimitReached`.
    #[error("Maximum number of concurrent connections reached")]
    TotalFull {
        /// `WS_MAX_TOTAL`.
        limit: usize,
    },
    /// The server is shutting down; no socket is admitted any more.
    #[error("Server shutting down")]
    ShuttingDown,
}

/// Why a room is closed; every socket of it gets the matching close frame (contract §6.9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CloseReason {
    /// 1000 `Event deleted`: on DELETE.
    Deleted,
    /// 1000 `Event unpublished`: right after the status diff of `→ draft`.
    Unpublished,
    /// 1000 `Event results are official`: the grace period after `→ official`.
    Official,
    /// 1001 `Server shutting down`.
    ShuttingDown,
}

impl CloseReason {
    /// The close code.
    pub const fn code(self) -> u16 {
        match self {
            Self::Deleted | Self::Unpublished | Self::Official => 1000,
            Self::ShuttingDown => 1001,
        }
    }

    /// The close reason text.
    pub const fn description(self) -> &'static str {
        match self {
            Self::Deleted => "Event deleted",
            Self::Unpublished => "Event unpublished",
            Self::Official => "Event results are official",
            Self::ShuttingDown => "Server shutting down",
        }
    }

    /// The admission error for a socket that arrives after this close.
    pub(crate) const fn refusal(self) -> RoomError {
        match self {
            Self::Deleted | Self::Unpublished => RoomError::NotPublic,
            Self::Official => RoomError::Official,
            Self::ShuttingDown => RoomError::ShuttingDown,
        }
    }

    /// The close frame sent to the sockets.
    pub(crate) fn frame(self) -> actix_ws::CloseReason {
        actix_ws::CloseReason {
            code: CloseCode::from(self.code()),
            description: Some(self.description().to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_reasons_follow_the_contract_table() {
        let table = [
            (CloseReason::Official, 1000, "Event results are official"),
            (CloseReason::Unpublished, 1000, "Event unpublished"),
            (CloseReason::Deleted, 1000, "Event deleted"),
            (CloseReason::ShuttingDown, 1001, "Server shutting down"),
        ];
        for (reason, code, text) in table {
            assert_eq!(reason.code(), code);
            assert_eq!(reason.description(), text);
            let frame = reason.frame();
            assert_eq!(u16::from(frame.code), code);
            assert_eq!(frame.description.as_deref(), Some(text));
        }
    }

    #[test]
    fn messages_are_the_contract_strings() {
        assert_eq!(
            RoomError::NotPublic.to_string(),
            "Event not found or not publicly available"
        );
        assert_eq!(
            RoomError::Official.to_string(),
            "Event results are official. No live updates available."
        );
        assert_eq!(
            RoomError::EventFull { limit: 3 }.to_string(),
            "Maximum number of concurrent connections reached for this event"
        );
        assert_eq!(
            RoomError::TotalFull { limit: 3 }.to_string(),
            "Maximum number of concurrent connections reached"
        );
    }
}
