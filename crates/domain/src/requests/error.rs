//! The one error every request check returns: a 400 `Invalid request` whose `message` is final.

/// A rejected request body; displays exactly the contract's message (`body must be object`).
///
/// The server answers it as 400 `{"error":"Invalid request","message":<this>}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ValidationError {
    message: String,
}

impl ValidationError {
    /// Wraps a finished message.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message, as it goes into the error body.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The message, by value.
    pub fn into_message(self) -> String {
        self.message
    }
}
