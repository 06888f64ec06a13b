//! Insert rows of the XML import and the results feed.
//!
//! Every struct sets `treat_none_as_default_value = false`: a `None` binds `NULL` instead of
//! emitting `DEFAULT`, which SQLite does not support inside a multi-row `VALUES` list. Without it
//! diesel would fall back to one `INSERT` per row; with it a whole chunk is one statement.
#![expect(
    clippy::ref_option_ref,
    reason = "diesel's Insertable derive binds `&Option<&str>` for `Option<&str>` fields when \
              `treat_none_as_default_value = false`; the generated code, not these fields, trips it"
)]

use diesel::prelude::*;

use crate::schema::{categories, classes, courses, participants, races, results};

/// A class upsert, keyed by (`event_id`, `class_id`).
#[derive(Debug, Insertable)]
#[diesel(table_name = classes, treat_none_as_default_value = false)]
pub(crate) struct NewClassRow<'a> {
    pub(crate) event_id: i32,
    pub(crate) class_id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) long_title: Option<&'a str>,
}

impl NewClassRow<'_> {
    pub(crate) const COLUMNS: usize = 4;
}

/// A category insert (categories are re-created on every import).
#[derive(Debug, Insertable)]
#[diesel(table_name = categories, treat_none_as_default_value = false)]
pub(crate) struct NewCategoryRow<'a> {
    pub(crate) class_id: i32,
    pub(crate) position: i32,
    pub(crate) cat_id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) first_year: Option<i32>,
    pub(crate) last_year: Option<i32>,
}

impl NewCategoryRow<'_> {
    pub(crate) const COLUMNS: usize = 6;
}

/// A participant upsert, keyed by (`event_id`, `participant_id`).
#[derive(Debug, Insertable)]
#[diesel(table_name = participants, treat_none_as_default_value = false)]
pub(crate) struct NewParticipantRow<'a> {
    pub(crate) event_id: i32,
    pub(crate) participant_id: &'a str,
    pub(crate) class_id: Option<i32>,
    pub(crate) event_bib: Option<i32>,
    pub(crate) athlete_id: Option<&'a str>,
    pub(crate) family_name: &'a str,
    pub(crate) given_name: Option<&'a str>,
    pub(crate) family_name2: Option<&'a str>,
    pub(crate) given_name2: Option<&'a str>,
    pub(crate) noc: Option<&'a str>,
    pub(crate) club: Option<&'a str>,
    pub(crate) cat_id: Option<&'a str>,
    pub(crate) is_team: bool,
    pub(crate) member1: Option<&'a str>,
    pub(crate) member2: Option<&'a str>,
    pub(crate) member3: Option<&'a str>,
}

impl NewParticipantRow<'_> {
    pub(crate) const COLUMNS: usize = 16;
}

/// A race upsert, keyed by (`event_id`, `race_id`).
#[derive(Debug, Insertable)]
#[diesel(table_name = races, treat_none_as_default_value = false)]
pub(crate) struct NewRaceRow<'a> {
    pub(crate) event_id: i32,
    pub(crate) race_id: &'a str,
    pub(crate) class_id: Option<i32>,
    pub(crate) dis_id: Option<&'a str>,
    pub(crate) race_type: &'static str,
    pub(crate) race_order: Option<i32>,
    pub(crate) start_time: Option<&'a str>,
    pub(crate) start_interval: Option<&'a str>,
    pub(crate) course_nr: Option<i32>,
    pub(crate) race_status: i32,
}

impl NewRaceRow<'_> {
    pub(crate) const COLUMNS: usize = 10;
}

/// A course upsert, keyed by (`event_id`, `course_nr`).
#[derive(Debug, Insertable)]
#[diesel(table_name = courses, treat_none_as_default_value = false)]
pub(crate) struct NewCourseRow<'a> {
    pub(crate) event_id: i32,
    pub(crate) course_nr: i32,
    pub(crate) nr_gates: Option<i32>,
    pub(crate) gate_config: Option<&'a str>,
}

impl NewCourseRow<'_> {
    pub(crate) const COLUMNS: usize = 4;
}

/// A result upsert from the XML, keyed by (`race_id`, `participant_id`) (internal ids).
#[derive(Debug, Insertable)]
#[diesel(table_name = results, treat_none_as_default_value = false)]
pub(crate) struct XmlResultRow<'a> {
    pub(crate) event_id: i32,
    pub(crate) race_id: i32,
    pub(crate) participant_id: i32,
    pub(crate) start_order: Option<i32>,
    pub(crate) bib: Option<i32>,
    pub(crate) start_time: Option<&'a str>,
    pub(crate) status: Option<&'a str>,
    pub(crate) dt_start: Option<&'a str>,
    pub(crate) dt_finish: Option<&'a str>,
    pub(crate) time: Option<i32>,
    pub(crate) gates: Option<String>,
    pub(crate) pen: Option<i32>,
    pub(crate) total: Option<i32>,
    pub(crate) rnk: Option<i32>,
    pub(crate) rnk_order: Option<i32>,
    pub(crate) cat_rnk: Option<i32>,
    pub(crate) cat_rnk_order: Option<i32>,
    pub(crate) total_behind: Option<&'a str>,
    pub(crate) cat_total_behind: Option<&'a str>,
    pub(crate) prev_time: Option<i32>,
    pub(crate) prev_pen: Option<i32>,
    pub(crate) prev_total: Option<i32>,
    pub(crate) prev_rnk: Option<i32>,
    pub(crate) total_total: Option<i32>,
    pub(crate) better_run_nr: Option<i32>,
    pub(crate) heat_nr: Option<i32>,
    pub(crate) round_nr: Option<i32>,
    pub(crate) qualified: Option<&'a str>,
    pub(crate) last_source: &'static str,
}

impl XmlResultRow<'_> {
    pub(crate) const COLUMNS: usize = 29;
}

/// A result row the results feed creates (c123-xml.md §12.1 step 4): the sent values, every other
/// column null.
#[derive(Debug, Insertable)]
#[diesel(table_name = results, treat_none_as_default_value = false)]
pub(crate) struct LiveResultInsert<'a> {
    pub(crate) event_id: i32,
    pub(crate) race_id: i32,
    pub(crate) participant_id: i32,
    pub(crate) bib: Option<i32>,
    pub(crate) time: Option<i32>,
    pub(crate) pen: Option<i32>,
    pub(crate) total: Option<i32>,
    pub(crate) status: Option<&'a str>,
    pub(crate) rnk: Option<i32>,
    pub(crate) gates: Option<&'a str>,
    pub(crate) last_source: &'static str,
}

/// The columns a live write may change on an existing row, gates aside: the feed's own columns,
/// the six rank columns of the re-ranking and `last_source`. `NULL` is written for `None`.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = results, treat_none_as_null = true)]
pub(crate) struct LiveResultUpdate<'a> {
    pub(crate) bib: Option<i32>,
    pub(crate) time: Option<i32>,
    pub(crate) pen: Option<i32>,
    pub(crate) total: Option<i32>,
    pub(crate) status: Option<&'a str>,
    pub(crate) rnk: Option<i32>,
    pub(crate) rnk_order: Option<i32>,
    pub(crate) cat_rnk: Option<i32>,
    pub(crate) cat_rnk_order: Option<i32>,
    pub(crate) total_behind: Option<&'a str>,
    pub(crate) cat_total_behind: Option<&'a str>,
    pub(crate) last_source: &'static str,
}

/// The six rank columns the single-run ranking rewrites (computations.md §4).
#[derive(Debug, AsChangeset)]
#[diesel(table_name = results, treat_none_as_null = true)]
pub(crate) struct RankUpdate<'a> {
    pub(crate) rnk: Option<i32>,
    pub(crate) rnk_order: Option<i32>,
    pub(crate) total_behind: Option<&'a str>,
    pub(crate) cat_rnk: Option<i32>,
    pub(crate) cat_rnk_order: Option<i32>,
    pub(crate) cat_total_behind: Option<&'a str>,
}
