//! Upserts of the keyed tables (c123-xml.md §4): classes (with their categories), participants,
//! races and courses. Each writes multi-row `INSERT … ON CONFLICT DO UPDATE` statements, which keep
//! row ids, then reads the event's `key → id` map back in one query; the map still holds rows the
//! export no longer lists, which is what the prune needs. (These tables are small; only the results
//! step skips unchanged rows.)

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::upsert::excluded;
use live_domain::c123::{ClassRecord, CourseRecord, ParticipantRecord, RaceRecord};

use crate::connection::{DbConnection, on_backend};
use crate::error::StoreError;
use crate::import_rows::{
    NewCategoryRow, NewClassRow, NewCourseRow, NewParticipantRow, NewRaceRow,
};
use crate::limits::rows_per_statement;
use crate::rows::CategoryRow;
use crate::schema::{categories, classes, courses, participants, races};

/// Public key → internal id of every row of one table of the event.
pub(super) type IdMap = HashMap<String, i32>;

/// A 1-based position; categories per class never approach `i32::MAX`.
fn position(index: usize) -> i32 {
    i32::try_from(index.saturating_add(1)).unwrap_or(i32::MAX)
}

/// Upserts the classes, then keeps their categories in XML order (see `replace_categories`).
pub(super) fn upsert_classes(
    conn: &mut DbConnection,
    event_pk: i32,
    records: &[ClassRecord],
) -> Result<IdMap, StoreError> {
    let rows: Vec<NewClassRow<'_>> = records
        .iter()
        .map(|c| NewClassRow {
            event_id: event_pk,
            class_id: &c.class_id,
            name: &c.name,
            long_title: c.long_title.as_deref(),
        })
        .collect();
    for chunk in rows.chunks(rows_per_statement(NewClassRow::COLUMNS)) {
        on_backend!(&mut *conn, c => diesel::insert_into(classes::table)
            .values(chunk)
            .on_conflict((classes::event_id, classes::class_id))
            .do_update()
            .set((
                classes::name.eq(excluded(classes::name)),
                classes::long_title.eq(excluded(classes::long_title)),
            ))
            .execute(c))?;
    }
    let ids: IdMap = classes::table
        .filter(classes::event_id.eq(event_pk))
        .select((classes::class_id, classes::id))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect();

    replace_categories(conn, records, &ids)?;
    Ok(ids)
}

/// A stored or imported category with its class, compared field by field.
type CategoryKey<'a> = (i32, &'a str, &'a str, Option<i32>, Option<i32>);

/// Keeps the event's categories in XML order, classes as the export lists them: the category ids
/// follow that order, which is what the public reads take the first occurrence of a category
/// from (contract §4.18). When the stored categories of the listed classes, by id, differ in any
/// way from the export's (a changed category, a class added or moved), all of them are
/// re-created in XML order; an unchanged export writes nothing, so re-importing it keeps every
/// row id.
fn replace_categories(
    conn: &mut DbConnection,
    records: &[ClassRecord],
    ids: &IdMap,
) -> Result<(), StoreError> {
    let listed: Vec<(i32, &ClassRecord)> = records
        .iter()
        .filter_map(|c| ids.get(&c.class_id).map(|&pk| (pk, c)))
        .collect();
    let pks: Vec<i32> = listed.iter().map(|(pk, _)| *pk).collect();
    let stored_rows: Vec<CategoryRow> = categories::table
        .filter(categories::class_id.eq_any(&pks))
        .order(categories::id)
        .select(CategoryRow::as_select())
        .load(conn)?;
    let stored = stored_rows.iter().map(|row| {
        (
            row.class_id,
            row.cat_id.as_str(),
            row.name.as_str(),
            row.first_year,
            row.last_year,
        )
    });
    let wanted = listed.iter().flat_map(|&(pk, class)| {
        class.categories.iter().map(move |c| -> CategoryKey<'_> {
            (
                pk,
                c.cat_id.as_str(),
                c.name.as_str(),
                c.first_year,
                c.last_year,
            )
        })
    });
    if stored.eq(wanted) {
        return Ok(());
    }
    diesel::delete(categories::table.filter(categories::class_id.eq_any(&pks))).execute(conn)?;
    let rows: Vec<NewCategoryRow<'_>> = listed
        .iter()
        .flat_map(|&(class_pk, class)| {
            class
                .categories
                .iter()
                .enumerate()
                .map(move |(i, cat)| NewCategoryRow {
                    class_id: class_pk,
                    position: position(i),
                    cat_id: &cat.cat_id,
                    name: &cat.name,
                    first_year: cat.first_year,
                    last_year: cat.last_year,
                })
        })
        .collect();
    // One statement per chunk, rows in XML order: the ids follow it.
    for chunk in rows.chunks(rows_per_statement(NewCategoryRow::COLUMNS)) {
        // A plain multi-row insert, but the multi-backend has no batch insert: per backend.
        on_backend!(&mut *conn, c => diesel::insert_into(categories::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Upserts the participants; their class is resolved against the event's classes.
pub(super) fn upsert_participants(
    conn: &mut DbConnection,
    event_pk: i32,
    records: &[ParticipantRecord],
    classes: &IdMap,
) -> Result<IdMap, StoreError> {
    let rows: Vec<NewParticipantRow<'_>> = records
        .iter()
        .map(|p| NewParticipantRow {
            event_id: event_pk,
            participant_id: &p.participant_id,
            class_id: p.class_id.as_ref().and_then(|c| classes.get(c).copied()),
            event_bib: p.event_bib,
            athlete_id: p.athlete_id.as_deref(),
            family_name: &p.family_name,
            given_name: p.given_name.as_deref(),
            family_name2: p.family_name2.as_deref(),
            given_name2: p.given_name2.as_deref(),
            noc: p.noc.as_deref(),
            club: p.club.as_deref(),
            cat_id: p.cat_id.as_deref(),
            is_team: p.is_team,
            member1: p.member1.as_deref(),
            member2: p.member2.as_deref(),
            member3: p.member3.as_deref(),
        })
        .collect();
    for chunk in rows.chunks(rows_per_statement(NewParticipantRow::COLUMNS)) {
        on_backend!(&mut *conn, c => diesel::insert_into(participants::table)
            .values(chunk)
            .on_conflict((participants::event_id, participants::participant_id))
            .do_update()
            .set((
                participants::class_id.eq(excluded(participants::class_id)),
                participants::event_bib.eq(excluded(participants::event_bib)),
                participants::athlete_id.eq(excluded(participants::athlete_id)),
                participants::family_name.eq(excluded(participants::family_name)),
                participants::given_name.eq(excluded(participants::given_name)),
                participants::family_name2.eq(excluded(participants::family_name2)),
                participants::given_name2.eq(excluded(participants::given_name2)),
                participants::noc.eq(excluded(participants::noc)),
                participants::club.eq(excluded(participants::club)),
                participants::cat_id.eq(excluded(participants::cat_id)),
                participants::is_team.eq(excluded(participants::is_team)),
                participants::member1.eq(excluded(participants::member1)),
                participants::member2.eq(excluded(participants::member2)),
                participants::member3.eq(excluded(participants::member3)),
            ))
            .execute(c))?;
    }
    Ok(participants::table
        .filter(participants::event_id.eq(event_pk))
        .select((participants::participant_id, participants::id))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect())
}

/// Upserts the races (`race_type` stored derived, c123-xml.md §5).
pub(super) fn upsert_races(
    conn: &mut DbConnection,
    event_pk: i32,
    records: &[RaceRecord],
    classes: &IdMap,
) -> Result<IdMap, StoreError> {
    let rows: Vec<NewRaceRow<'_>> = records
        .iter()
        .map(|r| NewRaceRow {
            event_id: event_pk,
            race_id: &r.race_id,
            class_id: r.class_id.as_ref().and_then(|c| classes.get(c).copied()),
            dis_id: r.dis_id.as_deref(),
            race_type: r.race_type.as_str(),
            race_order: r.race_order,
            start_time: r.start_time.as_deref(),
            start_interval: r.start_interval.as_deref(),
            course_nr: r.course_nr,
            race_status: r.race_status,
        })
        .collect();
    for chunk in rows.chunks(rows_per_statement(NewRaceRow::COLUMNS)) {
        on_backend!(&mut *conn, c => diesel::insert_into(races::table)
            .values(chunk)
            .on_conflict((races::event_id, races::race_id))
            .do_update()
            .set((
                races::class_id.eq(excluded(races::class_id)),
                races::dis_id.eq(excluded(races::dis_id)),
                races::race_type.eq(excluded(races::race_type)),
                races::race_order.eq(excluded(races::race_order)),
                races::start_time.eq(excluded(races::start_time)),
                races::start_interval.eq(excluded(races::start_interval)),
                races::course_nr.eq(excluded(races::course_nr)),
                races::race_status.eq(excluded(races::race_status)),
            ))
            .execute(c))?;
    }
    Ok(races::table
        .filter(races::event_id.eq(event_pk))
        .select((races::race_id, races::id))
        .load::<(String, i32)>(conn)?
        .into_iter()
        .collect())
}

/// Upserts the courses; returns `course_nr → id` of every course of the event.
pub(super) fn upsert_courses(
    conn: &mut DbConnection,
    event_pk: i32,
    records: &[CourseRecord],
) -> Result<HashMap<i32, i32>, StoreError> {
    let rows: Vec<NewCourseRow<'_>> = records
        .iter()
        .map(|c| NewCourseRow {
            event_id: event_pk,
            course_nr: c.course_nr,
            nr_gates: c.nr_gates,
            gate_config: c.gate_config.as_deref(),
        })
        .collect();
    for chunk in rows.chunks(rows_per_statement(NewCourseRow::COLUMNS)) {
        on_backend!(&mut *conn, c => diesel::insert_into(courses::table)
            .values(chunk)
            .on_conflict((courses::event_id, courses::course_nr))
            .do_update()
            .set((
                courses::nr_gates.eq(excluded(courses::nr_gates)),
                courses::gate_config.eq(excluded(courses::gate_config)),
            ))
            .execute(c))?;
    }
    Ok(courses::table
        .filter(courses::event_id.eq(event_pk))
        .select((courses::course_nr, courses::id))
        .load::<(i32, i32)>(conn)?
        .into_iter()
        .collect())
}
