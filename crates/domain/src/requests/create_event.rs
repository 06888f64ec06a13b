//! `POST /api/v1/admin/events` body (contract §4.2): schema validation, then the route's own
//! checks.

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::checks::Object;
use super::error::ValidationError;
use super::event_dates::{key_valid_from, key_valid_until, parse_event_date};
use super::event_image::{EventImage, decode_image_data};
use super::field::Field;
use super::path::Path;
use crate::bounds::{MAX_EVENT_YEAR, MIN_EVENT_YEAR, event_year_in_range};

/// Longest accepted `imageData`, in characters.
pub const IMAGE_DATA_MAX_CHARS: usize = 1_048_576;

/// Longest accepted `eventId` (DV38).
const EVENT_ID_MAX_LEN: usize = 64;

/// A create-event body that passed schema validation; `null` and absent are both `None`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateEventRequest {
    /// `eventId`, possibly still empty or malformed.
    pub event_id: String,
    /// `mainTitle`, possibly still empty.
    pub main_title: String,
    /// `subTitle`.
    pub sub_title: Option<String>,
    /// `location`.
    pub location: Option<String>,
    /// `facility`.
    pub facility: Option<String>,
    /// `discipline`.
    pub discipline: Option<String>,
    /// `startDate`, not yet parsed.
    pub start_date: Option<String>,
    /// `endDate`, not yet parsed.
    pub end_date: Option<String>,
    /// `imageData`, not yet decoded (at most [`IMAGE_DATA_MAX_CHARS`] characters).
    pub image_data: Option<String>,
}

/// An event ready to insert: every check of §4.2 passed, dates parsed, the image decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// Public id, matching `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`.
    pub event_id: String,
    /// Non-empty title; never changed by XML.
    pub main_title: String,
    /// Stored as given (`""` included); later overwritten by XML.
    pub sub_title: Option<String>,
    /// Stored as given; later overwritten by XML.
    pub location: Option<String>,
    /// Stored as given; later overwritten by XML.
    pub facility: Option<String>,
    /// Stored as given; later overwritten by XML.
    pub discipline: Option<String>,
    /// Display start date, the text as sent (`""` became `None`).
    pub start_date: Option<String>,
    /// Display end date, the text as sent (`""` became `None`).
    pub end_date: Option<String>,
    /// Key window start, `T(startDate) − 10 days`; `None` = open (§2.2).
    pub valid_from: Option<DateTime<Utc>>,
    /// Key window end, `T(endDate) + 5 days`; `None` = open (§2.2).
    pub valid_until: Option<DateTime<Utc>>,
    /// The decoded image, if one was sent.
    pub image: Option<EventImage>,
}

impl CreateEventRequest {
    /// Validates a create-event body (§1.4), reporting the first violation.
    pub fn parse(value: &Value) -> Result<Self, ValidationError> {
        let body = Object::new(value, &Path::Body)?;
        body.require(&["eventId", "mainTitle"])?;

        let event_id = body.string("eventId")?;
        let main_title = body.string("mainTitle")?;
        let sub_title = body.string_or_null("subTitle")?;
        let location = body.string_or_null("location")?;
        let facility = body.string_or_null("facility")?;
        let discipline = body.string_or_null("discipline")?;
        let start_date = body.string_or_null("startDate")?;
        let end_date = body.string_or_null("endDate")?;
        let image_data = body.string_or_null("imageData")?;

        if let Field::Value(image) = image_data {
            body.max_chars("imageData", image, IMAGE_DATA_MAX_CHARS)?;
        }

        let owned = |field: Field<&str>| field.into_option().map(str::to_owned);
        Ok(Self {
            event_id: event_id.to_owned(),
            main_title: main_title.to_owned(),
            sub_title: owned(sub_title),
            location: owned(location),
            facility: owned(facility),
            discipline: owned(discipline),
            start_date: owned(start_date),
            end_date: owned(end_date),
            image_data: owned(image_data),
        })
    }

    /// The route's own checks, in the contract's order (§4.2), after the master key and validation
    /// and before the duplicate-id lookup (409).
    pub fn check(self) -> Result<NewEvent, ValidationError> {
        if self.event_id.is_empty() {
            return Err(ValidationError::new("Missing required field: eventId"));
        }
        if !is_valid_event_id(&self.event_id) {
            return Err(ValidationError::new(
                "eventId must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
            ));
        }
        if self.main_title.is_empty() {
            return Err(ValidationError::new("Missing required field: mainTitle"));
        }

        let start_date = self.start_date.filter(|d| !d.is_empty());
        let end_date = self.end_date.filter(|d| !d.is_empty());
        let start = instant(start_date.as_deref(), "startDate")?;
        let end = instant(end_date.as_deref(), "endDate")?;
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            return Err(ValidationError::new("endDate must not be before startDate"));
        }
        let valid_from = start
            .map(|t| key_valid_from(t).ok_or_else(|| invalid_date("startDate")))
            .transpose()?;
        let valid_until = end
            .map(|t| key_valid_until(t).ok_or_else(|| invalid_date("endDate")))
            .transpose()?;

        let image = match self.image_data.as_deref() {
            None | Some("") => None,
            Some(text) => Some(
                decode_image_data(text)
                    .ok_or_else(|| ValidationError::new("Invalid imageData: not valid base64"))?,
            ),
        };

        Ok(NewEvent {
            event_id: self.event_id,
            main_title: self.main_title,
            sub_title: self.sub_title,
            location: self.location,
            facility: self.facility,
            discipline: self.discipline,
            start_date,
            end_date,
            valid_from,
            valid_until,
            image,
        })
    }
}

/// `^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$` (DV38): ids go into URLs verbatim.
fn is_valid_event_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    match bytes.split_first() {
        Some((first, rest)) => {
            first.is_ascii_alphanumeric()
                && rest.len() < EVENT_ID_MAX_LEN
                && rest
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        }
        None => false,
    }
}

/// `T(d)` of a present date field, or its `Invalid <field>: …` message: first the format, then
/// the calendar year as written, 1900–2999 (§1.8, DV41: a year such as 9999 made the key window
/// unrepresentable in the stored text format).
fn instant(text: Option<&str>, field: &str) -> Result<Option<DateTime<Utc>>, ValidationError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let t = parse_event_date(text).ok_or_else(|| invalid_date(field))?;
    if !event_year_in_range(text) {
        return Err(ValidationError::new(format!(
            "Invalid {field}: year must be between {MIN_EVENT_YEAR} and {MAX_EVENT_YEAR}"
        )));
    }
    Ok(Some(t))
}

/// `Invalid <field>: expected YYYY-MM-DD or an RFC 3339 date-time`.
fn invalid_date(field: &str) -> ValidationError {
    ValidationError::new(format!(
        "Invalid {field}: expected YYYY-MM-DD or an RFC 3339 date-time"
    ))
}
