//! What a results body refers to: its races (with their best-run partners and course
//! configuration) and the affected races grouped as contract §6.4 counts them.

use std::collections::{BTreeSet, HashMap};

use diesel::prelude::*;
use live_domain::requests::ResultRowIngest;
use live_domain::{RaceType, best_run_pair};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::limits::IDS_PER_STATEMENT;
use crate::rows::ParticipantNameRow;
use crate::schema::{courses, participants, races};

/// A race of the event that a body row (or its partner) names.
#[derive(Debug)]
pub(super) struct RaceTarget {
    pub(super) pk: i32,
    pub(super) race_type: RaceType,
    /// Normalised gate configuration of its course, for typing feed gates.
    pub(super) gate_config: Option<String>,
}

/// The races a body names, plus the best-run partners of those ids, by public id.
#[derive(Debug)]
pub(super) struct Races(HashMap<String, RaceTarget>);

/// An affected race as the diffs count it: a single-run race, or a best-run pair processed once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Group {
    /// A race that is not best-run: re-ranked, diffed on its own list.
    Single { race_pk: i32, race_id: String },
    /// A best-run pair: never re-ranked, diffed on the combined list, one frame per existing id.
    Pair {
        br1: String,
        br2: String,
        br1_pk: Option<i32>,
        br2_pk: Option<i32>,
    },
}

impl Races {
    /// Loads the body's races and their partners with their course configuration, in one query
    /// (per 10 000 ids).
    pub(super) fn load(
        conn: &mut DbConnection,
        event_pk: i32,
        body: &[ResultRowIngest],
    ) -> Result<Self, StoreError> {
        let mut race_ids: BTreeSet<String> = BTreeSet::new();
        for row in body {
            if race_ids.contains(&row.race_id) {
                continue;
            }
            race_ids.insert(row.race_id.clone());
            if let Some((br1, br2)) = best_run_pair(&row.race_id) {
                race_ids.extend([br1, br2]);
            }
        }
        let race_ids: Vec<String> = race_ids.into_iter().collect();
        let mut found = HashMap::new();
        for ids in race_ids.chunks(IDS_PER_STATEMENT) {
            let rows = races::table
                .left_join(
                    courses::table.on(courses::event_id
                        .eq(races::event_id)
                        .and(races::course_nr.eq(courses::course_nr.nullable()))),
                )
                .filter(races::event_id.eq(event_pk))
                .filter(races::race_id.eq_any(ids))
                .select((
                    races::id,
                    races::race_id,
                    races::race_type,
                    courses::gate_config.nullable(),
                ))
                .load::<(i32, String, String, Option<String>)>(conn)?;
            for (pk, race_id, race_type, gate_config) in rows {
                let target = RaceTarget {
                    pk,
                    race_type: RaceType::from_stored(&race_type),
                    gate_config,
                };
                found.insert(race_id, target);
            }
        }
        Ok(Self(found))
    }

    /// The race named `race_id`, if the event has it.
    pub(super) fn get(&self, race_id: &str) -> Option<&RaceTarget> {
        self.0.get(race_id)
    }

    /// Every loaded race (internal ids): the rows the ingest reads.
    pub(super) fn pks(&self) -> Vec<i32> {
        let mut pks: Vec<i32> = self.0.values().map(|t| t.pk).collect();
        pks.sort_unstable();
        pks
    }

    /// The group of a row of race `race_id`; `None` for a best-run race whose id has no pair
    /// pattern: it lists nothing and is never re-ranked.
    pub(super) fn group(&self, race_id: &str, race: &RaceTarget) -> Option<Group> {
        if !race.race_type.is_best_run() {
            return Some(Group::Single {
                race_pk: race.pk,
                race_id: race_id.to_owned(),
            });
        }
        let (br1, br2) = best_run_pair(race_id)?;
        Some(Group::Pair {
            br1_pk: self.get(&br1).map(|t| t.pk),
            br2_pk: self.get(&br2).map(|t| t.pk),
            br1,
            br2,
        })
    }
}

/// The participants `ids` of the event (only those that exist), by public id. Used only for body
/// rows that have no stored row yet, so a usual push does not run it.
pub(super) fn participants_by_id(
    conn: &mut DbConnection,
    event_pk: i32,
    mut ids: Vec<&str>,
) -> Result<HashMap<String, ParticipantNameRow>, StoreError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    ids.sort_unstable();
    ids.dedup();
    let mut found = HashMap::new();
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let rows = participants::table
            .filter(participants::event_id.eq(event_pk))
            .filter(participants::participant_id.eq_any(chunk))
            .select(ParticipantNameRow::as_select())
            .load::<ParticipantNameRow>(conn)?;
        found.extend(rows.into_iter().map(|p| (p.participant_id.clone(), p)));
    }
    Ok(found)
}
