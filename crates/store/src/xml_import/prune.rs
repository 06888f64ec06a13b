//! The snapshot prune (c123-xml.md §10.2): what the export no longer contains is deleted, in the
//! documented order. The stale ids are worked out in memory from the id maps the upserts read
//! back, so each step is one `DELETE … WHERE id IN (…)` (chunked); foreign keys cascade.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use live_domain::c123::C123Export;

use super::tables::IdMap;
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::limits::IDS_PER_STATEMENT;
use crate::schema::{classes, courses, participants, races, results};

/// Ids of `map` whose key is not in `listed`, ascending.
fn stale<'a, K>(map: &'a HashMap<K, i32>, listed: &HashSet<&'a K>) -> Vec<i32>
where
    K: std::hash::Hash + Eq,
{
    let mut ids: Vec<i32> = map
        .iter()
        .filter(|(key, _)| !listed.contains(key))
        .map(|(_, &id)| id)
        .collect();
    ids.sort_unstable();
    ids
}

/// Runs the five prune steps. `unlisted` are the result rows of step 1 (from the results step).
pub(super) fn run(
    conn: &mut DbConnection,
    export: &C123Export,
    unlisted: &[i32],
    races: &IdMap,
    participants: &IdMap,
    classes: &IdMap,
    courses: &HashMap<i32, i32>,
) -> Result<(), StoreError> {
    // 1. Results of listed races whose participant is not listed under that race.
    for ids in unlisted.chunks(IDS_PER_STATEMENT) {
        diesel::delete(results::table.filter(results::id.eq_any(ids))).execute(conn)?;
    }
    // 2. Races not in the export (their results cascade).
    let listed: HashSet<&String> = export.races.iter().map(|r| &r.race_id).collect();
    for ids in stale(races, &listed).chunks(IDS_PER_STATEMENT) {
        diesel::delete(races::table.filter(races::id.eq_any(ids))).execute(conn)?;
    }
    // 3. Participants not in the export (their results cascade).
    let listed: HashSet<&String> = export
        .participants
        .iter()
        .map(|p| &p.participant_id)
        .collect();
    for ids in stale(participants, &listed).chunks(IDS_PER_STATEMENT) {
        diesel::delete(participants::table.filter(participants::id.eq_any(ids))).execute(conn)?;
    }
    // 4. Classes not in the export (their categories cascade).
    let listed: HashSet<&String> = export.classes.iter().map(|c| &c.class_id).collect();
    for ids in stale(classes, &listed).chunks(IDS_PER_STATEMENT) {
        diesel::delete(classes::table.filter(classes::id.eq_any(ids))).execute(conn)?;
    }
    // 5. Courses not in the export (all of them when it has no CourseData).
    let listed: HashSet<&i32> = export.courses.iter().map(|c| &c.course_nr).collect();
    for ids in stale(courses, &listed).chunks(IDS_PER_STATEMENT) {
        diesel::delete(courses::table.filter(courses::id.eq_any(ids))).execute(conn)?;
    }
    Ok(())
}
