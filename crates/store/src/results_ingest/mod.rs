//! The results feed (c123-xml.md §12.1): a body of live rows written in one transaction, the
//! affected single-run races re-ranked in it, and the results diffs of contract §6.5 computed from
//! the same in-memory rows.
//!
//! Every race the body names is read once, with its best-run partner, in one query (no gates
//! text: the feed's diffs never show gates). Body rows are matched to those stored rows by
//! participant id, so participants are only looked up for rows that do not exist yet. The body is
//! applied and the ranking runs in memory, and only rows whose stored columns changed are written,
//! each with the same cached `UPDATE`. The "before" and "after" lists of the diffs come from the
//! rows before and after that in-memory step, so nothing is read back.

mod apply;
mod diffs;
mod targets;

use std::collections::HashMap;

use diesel::prelude::*;
use live_domain::IngestKind;
use live_domain::requests::ResultRowIngest;
use live_domain::results::{RankInput, rank_single_run};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::import_rows::LiveResultUpdate;
use crate::live::{Sequence, advance, lock_event_row};
use crate::records::{self, Gates, SOURCE_LIVE, SOURCE_XML, StoredResult};
use crate::rows::ParticipantNameRow;
use crate::schema::results;
use crate::store::Store;

use apply::{GatesWrite, LiveColumns, WorkRow};
use targets::{Group, RaceTarget, Races};

/// The results diff of one race, ready to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RaceDiff {
    /// The race id the frame names.
    pub race_id: String,
    /// The changed items as a JSON array text (`[{…},…]`), never empty (`[]` is not sent).
    pub results: String,
}

impl RaceDiff {
    /// The diff frame's `data`: `{"raceId":"…","results":[…]}` (contract §6.2), composed without
    /// re-encoding the items.
    pub fn data_json(&self) -> String {
        // A `str` always encodes; the fallback keeps this total without a panic path.
        let race_id = serde_json::to_string(&self.race_id).unwrap_or_else(|_| "\"\"".to_owned());
        format!(r#"{{"raceId":{race_id},"results":{}}}"#, self.results)
    }
}

/// What a committed results ingest hands back.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResultsApplied {
    /// Rows whose race and participant were found (the answer's `updated`).
    pub updated: usize,
    /// Results diffs per affected race, in first-appearance order; races without a changed item
    /// are omitted (contract §6.4, §6.5).
    pub diffs: Vec<RaceDiff>,
    /// Cluster mode: one frame per diff, numbered in the event's row; `None` otherwise.
    pub sequence: Option<Sequence>,
}

impl Store {
    /// Applies a results-feed body to event `event_pk` in one transaction (c123-xml.md §12.1):
    /// rows of unknown races or participants are skipped (never created), absent keys keep stored
    /// values and `null` clears them, a status clears the rank, `last_source` becomes `live`,
    /// affected non-best-run races are re-ranked. Returns the count and the diffs to send.
    pub async fn apply_results(
        &self,
        event_pk: i32,
        rows: Vec<ResultRowIngest>,
    ) -> Result<ResultsApplied, StoreError> {
        self.apply_results_guarded(event_pk, rows, None).await
    }

    /// [`Store::apply_results`] with the ingest `guard` (when given) checked on the status read
    /// under the event's row lock, inside the transaction: a refusal (`Guard`) writes nothing.
    pub async fn apply_results_guarded(
        &self,
        event_pk: i32,
        rows: Vec<ResultRowIngest>,
        guard: Option<IngestKind>,
    ) -> Result<ResultsApplied, StoreError> {
        let sequence_in_db = self.sequence_in_db();
        if rows.is_empty() && guard.is_none() && !sequence_in_db {
            return Ok(ResultsApplied::default());
        }
        self.write(move |conn| {
            let mut row = match lock_event_row(conn, event_pk) {
                Ok(row) => row,
                // Unguarded, a body for an event deleted meanwhile matches nothing, as before.
                Err(StoreError::EventNotFound) if guard.is_none() => {
                    return Ok(ResultsApplied::default());
                }
                Err(e) => return Err(e),
            };
            row.guard(guard)?;
            let mut applied = if rows.is_empty() {
                ResultsApplied::default()
            } else {
                ingest(conn, event_pk, &rows)?
            };
            if sequence_in_db {
                let frames = u64::try_from(applied.diffs.len()).unwrap_or(u64::MAX);
                applied.sequence = Some(advance(conn, &mut row, frames, false)?);
            }
            Ok(applied)
        })
        .await
    }
}

/// The transaction body.
fn ingest(
    conn: &mut DbConnection,
    event_pk: i32,
    body: &[ResultRowIngest],
) -> Result<ResultsApplied, StoreError> {
    let races = Races::load(conn, event_pk, body)?;
    let mut rows: Vec<WorkRow> = records::load(conn, &races.pks(), Gates::Skip)?
        .into_iter()
        .map(|stored| WorkRow {
            stored,
            gates: GatesWrite::Untouched,
        })
        .collect();
    // (race, participant id) → position in `rows`.
    let mut index: HashMap<(i32, String), usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            (
                (r.stored.race_pk, r.stored.record.participant_id.clone()),
                i,
            )
        })
        .collect();
    let unmatched: Vec<&str> = body
        .iter()
        .filter(|sent| {
            races
                .get(&sent.race_id)
                .is_some_and(|race| !index.contains_key(&(race.pk, sent.participant_id.clone())))
        })
        .map(|sent| sent.participant_id.as_str())
        .collect();
    let new_participants = targets::participants_by_id(conn, event_pk, unmatched)?;

    let loaded = rows.len();
    let (resolved, groups) = resolve(body, &races, &mut rows, &mut index, &new_participants);
    if resolved.is_empty() {
        return Ok(ResultsApplied::default());
    }
    let stored_rows = rows.get(..loaded).unwrap_or_default();
    let before: Vec<diffs::DiffList> = groups.iter().map(|g| diffs::list(g, stored_rows)).collect();
    // What each row holds in the database: as read, as inserted below, or `None` before its insert.
    let mut baseline: Vec<Option<LiveColumns>> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (i < loaded).then(|| LiveColumns::of(&r.stored)))
        .collect();

    // Pass 2: apply the body in order. A new row is inserted at its first body row, so it has its
    // row id (a tie-breaker of every order) before anything is ranked or listed.
    for &(sent, race, at) in &resolved {
        let (Some(row), Some(in_database)) = (rows.get_mut(at), baseline.get_mut(at)) else {
            continue;
        };
        apply::update(row, sent, race.gate_config.as_deref());
        if in_database.is_none() {
            apply::insert(conn, event_pk, row)?;
            *in_database = Some(LiveColumns::of(&row.stored));
        }
    }

    for group in &groups {
        if let Group::Single { race_pk, .. } = group {
            rerank(&mut rows, *race_pk);
        }
    }
    let diffs = diffs::changed(&groups, &before, &rows)?;

    for (row, baseline) in rows.iter().zip(&baseline) {
        if baseline.as_ref() != Some(&LiveColumns::of(&row.stored)) {
            write_columns(conn, &row.stored)?;
        }
        if row.gates.is_written() {
            diesel::update(results::table.find(records::row_pk(&row.stored.record)?))
                .set(results::gates.eq(row.gates.text()))
                .execute(conn)?;
        }
    }
    Ok(ResultsApplied {
        updated: resolved.len(),
        diffs,
        sequence: None,
    })
}

/// A body row matched to its race and to its position in the working rows.
type Resolved<'a> = (&'a ResultRowIngest, &'a RaceTarget, usize);

/// Pass 1: matches every body row to a stored row, or appends a new (not yet inserted) row for a
/// participant without one, and collects the affected races in first-appearance order. Rows of
/// unknown races or participants are skipped: nothing is created for them (§12.1 step 1).
fn resolve<'a>(
    body: &'a [ResultRowIngest],
    races: &'a Races,
    rows: &mut Vec<WorkRow>,
    index: &mut HashMap<(i32, String), usize>,
    new_participants: &HashMap<String, ParticipantNameRow>,
) -> (Vec<Resolved<'a>>, Vec<Group>) {
    let mut resolved = Vec::new();
    let mut groups: Vec<Group> = Vec::new();
    for sent in body {
        let Some(race) = races.get(&sent.race_id) else {
            continue;
        };
        let key = (race.pk, sent.participant_id.clone());
        let at = if let Some(&at) = index.get(&key) {
            at
        } else {
            let Some(participant) = new_participants.get(&sent.participant_id) else {
                continue;
            };
            rows.push(WorkRow {
                stored: StoredResult {
                    race_pk: race.pk,
                    participant_pk: participant.id,
                    live: true,
                    record: records::new_record(&sent.race_id, participant),
                },
                gates: GatesWrite::Untouched,
            });
            index.insert(key, rows.len() - 1);
            rows.len() - 1
        };
        resolved.push((sent, race, at));
        if let Some(group) = races.group(&sent.race_id, race)
            && !groups.contains(&group)
        {
            groups.push(group);
        }
    }
    (resolved, groups)
}

/// Recomputes the rank columns of every row of race `race_pk` in place.
fn rerank(rows: &mut [WorkRow], race_pk: i32) {
    let positions: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.stored.race_pk == race_pk)
        .map(|(i, _)| i)
        .collect();
    let ranked = {
        let inputs: Vec<RankInput<'_>> = positions
            .iter()
            .filter_map(|&i| rows.get(i))
            .map(|r| RankInput::from(&r.stored.record))
            .collect();
        rank_single_run(&inputs)
    };
    for (&i, ranked) in positions.iter().zip(ranked) {
        if let Some(row) = rows.get_mut(i) {
            ranked.columns.apply_to(&mut row.stored.record);
        }
    }
}

/// Writes the live columns of one row (gates aside).
fn write_columns(conn: &mut DbConnection, stored: &StoredResult) -> Result<(), StoreError> {
    let r = &stored.record;
    diesel::update(results::table.find(records::row_pk(r)?))
        .set(LiveResultUpdate {
            bib: r.bib,
            time: r.time,
            pen: r.pen,
            total: r.total,
            status: r.status.as_deref(),
            rnk: r.rnk,
            rnk_order: r.rnk_order,
            cat_rnk: r.cat_rnk,
            cat_rnk_order: r.cat_rnk_order,
            total_behind: r.total_behind.as_deref(),
            cat_total_behind: r.cat_total_behind.as_deref(),
            last_source: if stored.live { SOURCE_LIVE } else { SOURCE_XML },
        })
        .execute(conn)?;
    Ok(())
}
