//! Events as the admin API and the authentication path see them.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::status::EventStatus;

/// What authentication and the state guard need to know about an event: looked up by API key or
/// by public id on every authenticated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRef {
    /// Internal row id (`events.id`), never exposed except in the creation response.
    pub pk: i32,
    /// Public id used in URLs.
    pub event_id: String,
    /// Current lifecycle state.
    pub status: EventStatus,
    /// The event's API key (64 lowercase hex).
    pub api_key: String,
    /// Start of the key's validity window, `None` = open (DV9).
    pub key_valid_from: Option<DateTime<Utc>>,
    /// End of the key's validity window, `None` = open.
    pub key_valid_until: Option<DateTime<Utc>>,
    /// Whether an XML export has ever been imported (JSON feeds are ignored before).
    pub has_xml_data: bool,
}

/// An event as `GET /api/v1/admin/events` lists it (contract §4.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdminEventItem {
    /// Public id.
    pub event_id: String,
    /// Admin title, never changed by XML.
    pub main_title: String,
    /// Subtitle (admin value, then XML).
    pub sub_title: Option<String>,
    /// Venue.
    pub location: Option<String>,
    /// Display start date.
    pub start_date: Option<String>,
    /// Display end date.
    pub end_date: Option<String>,
    /// Discipline, e.g. `Slalom`.
    pub discipline: Option<String>,
    /// Lifecycle state.
    pub status: EventStatus,
    /// The event's API key (listed for key recovery).
    pub api_key: String,
    /// Whether an XML export was imported.
    pub has_xml_data: bool,
    /// Whether an image is stored.
    pub has_image: bool,
    /// Creation time, `YYYY-MM-DD HH:MM:SS` UTC.
    pub created_at: String,
}

/// The result of a committed status change (contract §4.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusChange {
    /// Public id.
    pub event_id: String,
    /// The state before.
    pub previous_status: EventStatus,
    /// The state now.
    pub status: EventStatus,
    /// When it changed, RFC 3339 ms Z.
    pub status_changed_at: String,
}

/// The API key's validity window as shown at creation (DV8, DV9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyValidity {
    /// RFC 3339 ms Z, or null (open).
    pub valid_from: Option<String>,
    /// RFC 3339 ms Z, or null (open).
    pub valid_until: Option<String>,
}

/// The 201 body of `POST /api/v1/admin/events` (contract §4.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreatedEvent {
    /// Internal row id (the only place it is exposed).
    pub id: i32,
    /// Public id.
    pub event_id: String,
    /// The new 64-hex API key.
    pub api_key: String,
    /// Its validity window.
    pub validity: KeyValidity,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_change_json() {
        let c = StatusChange {
            event_id: "lodm-2024".to_owned(),
            previous_status: EventStatus::Startlist,
            status: EventStatus::Running,
            status_changed_at: "2026-11-26T14:20:17.764Z".to_owned(),
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"eventId":"lodm-2024","previousStatus":"startlist","status":"running","statusChangedAt":"2026-11-26T14:20:17.764Z"}"#
        );
    }

    #[test]
    fn created_event_json() {
        let c = CreatedEvent {
            id: 1,
            event_id: "lodm-2024".to_owned(),
            api_key: "ab".repeat(32),
            validity: KeyValidity {
                valid_from: Some("2026-03-27T00:00:00.000Z".to_owned()),
                valid_until: None,
            },
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            format!(
                r#"{{"id":1,"eventId":"lodm-2024","apiKey":"{}","validity":{{"validFrom":"2026-03-27T00:00:00.000Z","validUntil":null}}}}"#,
                "ab".repeat(32)
            )
        );
    }

    #[test]
    fn admin_item_json() {
        let item = AdminEventItem {
            event_id: "lodm-2024".to_owned(),
            main_title: "LODM 2024".to_owned(),
            sub_title: Some("Vodní slalom a sjezd".to_owned()),
            location: Some("České Budějovice".to_owned()),
            start_date: None,
            end_date: None,
            discipline: Some("Slalom".to_owned()),
            status: EventStatus::Running,
            api_key: "20617c805e30efa7cd20ccdacabdae0f7cfd48ebfc75b5b842cf6decb6fcb3ec".to_owned(),
            has_xml_data: true,
            has_image: false,
            created_at: "2026-11-26 14:20:14".to_owned(),
        };
        assert_eq!(
            serde_json::to_value(&item).unwrap(),
            serde_json::json!({"eventId":"lodm-2024","mainTitle":"LODM 2024","subTitle":"Vodní slalom a sjezd","location":"České Budějovice","startDate":null,"endDate":null,"discipline":"Slalom","status":"running","apiKey":"20617c805e30efa7cd20ccdacabdae0f7cfd48ebfc75b5b842cf6decb6fcb3ec","hasXmlData":true,"hasImage":false,"createdAt":"2026-11-26 14:20:14"})
        );
    }
}
