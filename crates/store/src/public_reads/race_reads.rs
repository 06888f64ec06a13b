//! Race-level reads: results lists (single-run or the combined best-run pair), start lists and the
//! gate configuration of every race.

use std::collections::HashMap;

use diesel::prelude::*;
use live_domain::public::{RaceResultList, RaceResults, ResultsRace, Startlist, StartlistRace};
use live_domain::results::{
    DetailedPair, DetailedSingle, ResultRecord, best_run_list, single_run_list, startlist,
};
use live_domain::{RaceType, best_run_pair};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::records::{self, Gates};
use crate::rows::RaceRow;
use crate::schema::{classes, courses, races};
use crate::store::Store;

/// A race with what its lists need from the class and the course.
#[derive(Debug)]
struct RaceInfo {
    row: RaceRow,
    /// Public class id.
    class_id: Option<String>,
    /// `nr_gates` of its course.
    nr_gates: Option<i32>,
}

/// The races `race_ids` of event `event_pk` that exist, with class and course, in one query.
fn load_races(
    conn: &mut DbConnection,
    event_pk: i32,
    race_ids: &[&str],
) -> Result<Vec<RaceInfo>, StoreError> {
    let rows: Vec<(RaceRow, Option<String>, Option<i32>)> = races::table
        .left_join(classes::table)
        .left_join(
            courses::table.on(courses::event_id
                .eq(races::event_id)
                .and(races::course_nr.eq(courses::course_nr.nullable()))),
        )
        .filter(races::event_id.eq(event_pk))
        .filter(races::race_id.eq_any(race_ids))
        .select((
            RaceRow::as_select(),
            classes::class_id.nullable(),
            courses::nr_gates.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(row, class_id, nr_gates)| RaceInfo {
            row,
            class_id,
            nr_gates,
        })
        .collect())
}

/// The rows of the given races (only those that exist) as records.
fn load_records(
    conn: &mut DbConnection,
    races: &[&RaceInfo],
    gates: Gates,
) -> Result<Vec<ResultRecord>, StoreError> {
    let pks: Vec<i32> = races.iter().map(|r| r.row.id).collect();
    Ok(records::load(conn, &pks, gates)?
        .into_iter()
        .map(|s| s.record)
        .collect())
}

/// Builds the results body of `race_id` (computations.md §4–§6).
fn race_results(
    conn: &mut DbConnection,
    event_pk: i32,
    race_id: &str,
    cat_id: Option<&str>,
    detailed: bool,
) -> Result<Option<RaceResults>, StoreError> {
    // The pair is known from the id alone, so the requested race and its partner come in one
    // query.
    let pair = best_run_pair(race_id);
    let mut wanted = vec![race_id];
    if let Some((br1, br2)) = &pair {
        wanted.extend([br1.as_str(), br2.as_str()]);
    }
    let found = load_races(conn, event_pk, &wanted)?;
    let Some(race) = found.iter().find(|r| r.row.race_id == race_id) else {
        return Ok(None);
    };
    let race_type = RaceType::from_stored(&race.row.race_type);
    let gates = if detailed { Gates::Decode } else { Gates::Skip };
    // An empty `catId` query means no filter (contract §4.15).
    let cat_id = cat_id.filter(|c| !c.is_empty());
    let results = if race_type.is_best_run() {
        match &pair {
            // A best-run race whose id has no pair pattern lists nothing (computations.md §6.1).
            None => RaceResultList::BestRun(Vec::new()),
            Some((br1, br2)) => {
                let br1_race = found.iter().find(|r| &r.row.race_id == br1);
                let br2_race = found.iter().find(|r| &r.row.race_id == br2);
                let races: Vec<&RaceInfo> = br1_race.into_iter().chain(br2_race).collect();
                let records = load_records(conn, &races, gates)?;
                let detail = detailed.then(|| DetailedPair {
                    br1_course_gate_count: br1_race.and_then(|r| r.nr_gates),
                    br2_course_gate_count: br2_race.and_then(|r| r.nr_gates),
                });
                RaceResultList::BestRun(best_run_list(br1, br2, &records, cat_id, detail))
            }
        }
    } else {
        let records = load_records(conn, &[race], gates)?;
        let detail = detailed.then_some(DetailedSingle {
            course_gate_count: race.nr_gates,
        });
        RaceResultList::SingleRun(single_run_list(&records, cat_id, detail))
    };
    Ok(Some(RaceResults {
        race: ResultsRace {
            race_id: race.row.race_id.clone(),
            class_id: race.class_id.clone(),
            race_type,
            race_status: race.row.race_status,
        },
        results,
    }))
}

impl Store {
    /// The results body of race `race_id` of event `event_pk` (contract §4.15): single-run lists
    /// with stored ranks, best-run races combined with their partner (the same list for either
    /// id). `cat_id` filters by category (`Some("")` counts as none); `detailed` adds timestamps,
    /// gates and `courseGateCount`. `None` when the race does not exist in the event.
    pub async fn race_results(
        &self,
        event_pk: i32,
        race_id: impl Into<String>,
        cat_id: Option<&str>,
        detailed: bool,
    ) -> Result<Option<RaceResults>, StoreError> {
        let race_id = race_id.into();
        let cat_id = cat_id.map(str::to_owned);
        self.read(move |conn| race_results(conn, event_pk, &race_id, cat_id.as_deref(), detailed))
            .await
    }

    /// The start list of race `race_id` of event `event_pk` (contract §4.16): every result row,
    /// status rows included. `None` when the race does not exist in the event.
    pub async fn startlist(
        &self,
        event_pk: i32,
        race_id: impl Into<String>,
    ) -> Result<Option<Startlist>, StoreError> {
        let race_id = race_id.into();
        self.read(move |conn| {
            let found = load_races(conn, event_pk, &[race_id.as_str()])?;
            let Some(race) = found.first() else {
                return Ok(None);
            };
            let records = load_records(conn, &[race], Gates::Skip)?;
            Ok(Some(Startlist {
                race: StartlistRace {
                    race_id: race.row.race_id.clone(),
                    class_id: race.class_id.clone(),
                    start_time: race.row.start_time.clone(),
                },
                startlist: startlist(&records),
            }))
        })
        .await
    }

    /// The normalised gate configuration (`N`/`R` only) of every race of event `event_pk`, `None`
    /// for a race without course or configuration: what on-course gate types are looked up in
    /// (computations.md §7).
    pub async fn course_configs(
        &self,
        event_pk: i32,
    ) -> Result<HashMap<String, Option<String>>, StoreError> {
        self.read(move |conn| {
            let rows: Vec<(String, Option<String>)> = races::table
                .left_join(
                    courses::table.on(courses::event_id
                        .eq(races::event_id)
                        .and(races::course_nr.eq(courses::course_nr.nullable()))),
                )
                .filter(races::event_id.eq(event_pk))
                .select((races::race_id, courses::gate_config.nullable()))
                .load(conn)?;
            Ok(rows.into_iter().collect())
        })
        .await
    }
}
