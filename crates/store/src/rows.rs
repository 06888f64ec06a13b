//! Row structs: what diesel reads and writes. They never leave the crate; public methods convert
//! them into `live-domain` types.

use diesel::prelude::*;

use crate::schema::{
    categories, classes, courses, events, ingest_log, participants, races, results,
};

/// The columns of `events` that authentication and the guard need.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
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
#[diesel(table_name = events, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
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
    pub(crate) live_epoch: &'a str,
}

/// An ingest-log row as read back.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = ingest_log, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
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

/// The columns of `events` the public routes show.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct PublicEventRow {
    pub(crate) id: i32,
    pub(crate) event_id: String,
    pub(crate) main_title: String,
    pub(crate) sub_title: Option<String>,
    pub(crate) location: Option<String>,
    pub(crate) facility: Option<String>,
    pub(crate) start_date: Option<String>,
    pub(crate) end_date: Option<String>,
    pub(crate) discipline: Option<String>,
    pub(crate) status: String,
    #[diesel(select_expression = events::image.is_not_null())]
    #[diesel(select_expression_type = diesel::dsl::IsNotNull<events::image>)]
    pub(crate) has_image: bool,
}

/// A whole `classes` row.
#[expect(
    dead_code,
    reason = "a whole row: every column is selected, so the schema check covers all of them"
)]
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = classes, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct ClassRow {
    pub(crate) id: i32,
    pub(crate) event_id: i32,
    pub(crate) class_id: String,
    pub(crate) name: String,
    pub(crate) long_title: Option<String>,
}

/// A whole `categories` row.
#[expect(
    dead_code,
    reason = "a whole row: every column is selected, so the schema check covers all of them"
)]
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = categories, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct CategoryRow {
    pub(crate) id: i32,
    pub(crate) class_id: i32,
    pub(crate) position: i32,
    pub(crate) cat_id: String,
    pub(crate) name: String,
    pub(crate) first_year: Option<i32>,
    pub(crate) last_year: Option<i32>,
}

/// A whole `participants` row.
#[expect(
    dead_code,
    reason = "a whole row: every column is selected, so the schema check covers all of them"
)]
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = participants, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct ParticipantRow {
    pub(crate) id: i32,
    pub(crate) event_id: i32,
    pub(crate) participant_id: String,
    pub(crate) class_id: Option<i32>,
    pub(crate) event_bib: Option<i32>,
    pub(crate) athlete_id: Option<String>,
    pub(crate) family_name: String,
    pub(crate) given_name: Option<String>,
    pub(crate) family_name2: Option<String>,
    pub(crate) given_name2: Option<String>,
    pub(crate) noc: Option<String>,
    pub(crate) club: Option<String>,
    pub(crate) cat_id: Option<String>,
    pub(crate) is_team: bool,
    pub(crate) member1: Option<String>,
    pub(crate) member2: Option<String>,
    pub(crate) member3: Option<String>,
}

/// A whole `races` row.
#[expect(
    dead_code,
    reason = "a whole row: every column is selected, so the schema check covers all of them"
)]
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = races, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct RaceRow {
    pub(crate) id: i32,
    pub(crate) event_id: i32,
    pub(crate) race_id: String,
    pub(crate) class_id: Option<i32>,
    pub(crate) dis_id: Option<String>,
    pub(crate) race_type: String,
    pub(crate) race_order: Option<i32>,
    pub(crate) start_time: Option<String>,
    pub(crate) start_interval: Option<String>,
    pub(crate) course_nr: Option<i32>,
    pub(crate) race_status: i32,
}

/// A whole `courses` row.
#[expect(
    dead_code,
    reason = "a whole row: every column is selected, so the schema check covers all of them"
)]
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = courses, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct CourseRow {
    pub(crate) id: i32,
    pub(crate) event_id: i32,
    pub(crate) course_nr: i32,
    pub(crate) nr_gates: Option<i32>,
    pub(crate) gate_config: Option<String>,
}

/// A whole `results` row.
#[expect(
    dead_code,
    reason = "a whole row: every column is selected, so the schema check covers all of them"
)]
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = results, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct ResultRow {
    pub(crate) id: i32,
    pub(crate) event_id: i32,
    pub(crate) race_id: i32,
    pub(crate) participant_id: i32,
    pub(crate) start_order: Option<i32>,
    pub(crate) bib: Option<i32>,
    pub(crate) start_time: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) dt_start: Option<String>,
    pub(crate) dt_finish: Option<String>,
    pub(crate) time: Option<i32>,
    pub(crate) gates: Option<String>,
    pub(crate) pen: Option<i32>,
    pub(crate) total: Option<i32>,
    pub(crate) rnk: Option<i32>,
    pub(crate) rnk_order: Option<i32>,
    pub(crate) cat_rnk: Option<i32>,
    pub(crate) cat_rnk_order: Option<i32>,
    pub(crate) total_behind: Option<String>,
    pub(crate) cat_total_behind: Option<String>,
    pub(crate) prev_time: Option<i32>,
    pub(crate) prev_pen: Option<i32>,
    pub(crate) prev_total: Option<i32>,
    pub(crate) prev_rnk: Option<i32>,
    pub(crate) total_total: Option<i32>,
    pub(crate) better_run_nr: Option<i32>,
    pub(crate) heat_nr: Option<i32>,
    pub(crate) round_nr: Option<i32>,
    pub(crate) qualified: Option<String>,
    pub(crate) last_source: String,
}

/// The columns of a `results` row that lists and live writes use (everything but the event id,
/// the gates text and the columns no list shows).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = results, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct ResultListRow {
    pub(crate) id: i32,
    pub(crate) race_id: i32,
    pub(crate) participant_id: i32,
    pub(crate) start_order: Option<i32>,
    pub(crate) bib: Option<i32>,
    pub(crate) start_time: Option<String>,
    pub(crate) status: Option<String>,
    pub(crate) dt_start: Option<String>,
    pub(crate) dt_finish: Option<String>,
    pub(crate) time: Option<i32>,
    pub(crate) pen: Option<i32>,
    pub(crate) total: Option<i32>,
    pub(crate) rnk: Option<i32>,
    pub(crate) rnk_order: Option<i32>,
    pub(crate) cat_rnk: Option<i32>,
    pub(crate) cat_rnk_order: Option<i32>,
    pub(crate) total_behind: Option<String>,
    pub(crate) cat_total_behind: Option<String>,
    pub(crate) prev_time: Option<i32>,
    pub(crate) prev_pen: Option<i32>,
    pub(crate) prev_total: Option<i32>,
    pub(crate) prev_rnk: Option<i32>,
    pub(crate) total_total: Option<i32>,
    pub(crate) better_run_nr: Option<i32>,
    pub(crate) last_source: String,
}

/// The columns of a `participants` row that list items show.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = participants, check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub(crate) struct ParticipantNameRow {
    pub(crate) id: i32,
    pub(crate) participant_id: String,
    pub(crate) athlete_id: Option<String>,
    pub(crate) family_name: String,
    pub(crate) given_name: Option<String>,
    pub(crate) family_name2: Option<String>,
    pub(crate) given_name2: Option<String>,
    pub(crate) noc: Option<String>,
    pub(crate) club: Option<String>,
    pub(crate) cat_id: Option<String>,
}
