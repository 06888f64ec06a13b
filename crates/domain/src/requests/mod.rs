//! Request bodies: a typed struct per JSON body the server accepts, and the strict validator of
//! contract §1.4 that produces it.
//!
//! Every `parse(&Value)` walks the body in the order of the endpoint's request table and returns
//! the first violation with the contract's exact message. Within one object: presence of all
//! required keys (table order), then the type of every field (table order), then enums and limits
//! (table order, the signed 32-bit range included), and only then the items of its nested arrays,
//! in index order. Types are never coerced; integers are number literals without fraction or
//! exponent, which is why the workspace builds `serde_json` with `arbitrary_precision`. Valid
//! bodies are walked without formatting anything: paths are rendered only for the error returned.
//!
//! Checks that the contract lists as the route's own (`Missing required field: …`, dates, image)
//! are a separate step ([`CreateEventRequest::check`], [`XmlIngest::check`]) because in the
//! processing order (§1.5) they follow validation as distinct stages.

mod checks;
mod config;
mod create_event;
mod error;
mod event_dates;
mod event_image;
mod field;
mod oncourse;
mod path;
mod results;
mod status_change;
mod xml;

#[cfg(test)]
mod tests;

pub use config::{ConfigPatch, DisplayMode, EventConfig, MergeStrategy};
pub use create_event::{CreateEventRequest, IMAGE_DATA_MAX_CHARS, NewEvent};
pub use error::ValidationError;
pub use event_dates::{
    KEY_VALID_AFTER_END, KEY_VALID_BEFORE_START, key_valid_from, key_valid_until, parse_event_date,
};
pub use event_image::EventImage;
pub use field::Field;
pub use oncourse::{OncourseEntryIngest, OncourseIngest};
pub use results::{GateIngest, ResultRowIngest, ResultsIngest};
pub use status_change::StatusRequest;
pub use xml::XmlIngest;
