//! Row structs: what diesel reads and writes. They never leave the crate; public methods convert
//! them into `live-domain` types.

use diesel::prelude::*;

use crate::schema::{events, ingest_log};

/// The columns of `events` that authentication and the guard need.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct EventRefRow {
    pub(crate) id: i32,
    pub(crate) event_id: String,
    pub(crate) status: String,
    pub(crate) api_key: String,
    pub(crate) key_valid_from: Option<String>,
    pub(crate) key_valid_until: Option<String>,
    pub(crate) has_xml_data: bool,
}

/// The columns the admin list shows.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct AdminEventRow {
    pub(crate) event_id: String,
    pub(crate) main_title: String,
    pub(crate) sub_title: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) start_date: Option<String>,
    pub(crate) end_date: Option<String>,
    pub(crate) discipline: Option<String>,
    pub(crate) status: String,
    pub(crate) api_key: String,
    pub(crate) has_xml_data: bool,
    #[diesel(select_expression = events::image.is_not_null())]
    #[diesel(select_expression_type = diesel::dsl::IsNotNull<events::image>)]
    pub(crate) has_image: bool,
    pub(crate) created_at: String,
}

/// An event insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = events)]
pub(crate) struct NewEventRow<'a> {
    pub(crate) event_id: &'a str,
    pub(crate) main_title: &'a str,
    pub(crate) sub_title: Option<&'a str>,
    pub(crate) location: Option<&'a str>,
    pub(crate) facility: Option<&'a str>,
    pub(crate) start_date: Option<&'a str>,
    pub(crate) end_date: Option<&'a str>,
    pub(crate) discipline: Option<&'a str>,
    pub(crate) status_changed_at: &'a str,
    pub(crate) api_key: &'a str,
    pub(crate) key_valid_from: Option<String>,
    pub(crate) key_valid_until: Option<String>,
    pub(crate) image: Option<&'a [u8]>,
    pub(crate) image_content_type: Option<&'a str>,
}

/// An ingest-log row as read back.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ingest_log, check_for_backend(diesel::sqlite::Sqlite))]
pub(crate) struct LogRow {
    pub(crate) id: i32,
    pub(crate) kind: String,
    pub(crate) outcome: String,
    pub(crate) http_status: i32,
    pub(crate) bytes: i32,
    pub(crate) items: i32,
    pub(crate) duration_ms: i32,
    pub(crate) error: Option<String>,
    pub(crate) created_at: String,
}

/// An ingest-log insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = ingest_log)]
pub(crate) struct NewLogRow<'a> {
    pub(crate) event_id: i32,
    pub(crate) kind: &'a str,
    pub(crate) outcome: &'a str,
    pub(crate) http_status: i32,
    pub(crate) bytes: i32,
    pub(crate) items: i32,
    pub(crate) duration_ms: i32,
    pub(crate) error: Option<&'a str>,
    pub(crate) created_at: &'a str,
}
