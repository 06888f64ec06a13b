//! Result rows joined with their race and participant: the [`ResultRecord`]s every list
//! computation takes, loaded for a set of races in one query.
//!
//! The stored gates text (about 1.2 KB per row) is by far the widest column; it is selected only
//! for the detailed lists that show it. Diffs, plain lists and the live write never read it.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};
use live_domain::results::ResultRecord;

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::gates_text;
use crate::rows::{ParticipantNameRow, ResultListRow};
use crate::schema::{participants, races, results};

/// `last_source` of a row the results feed wrote last.
pub(crate) const SOURCE_LIVE: &str = "live";
/// `last_source` of a row the XML import wrote last.
pub(crate) const SOURCE_XML: &str = "xml";

/// Whether the gates are read and decoded into the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Gates {
    /// Detailed lists show gates: read and decode them.
    Decode,
    /// Everything else: leave `record.gates` `None` and skip the column.
    Skip,
}

/// One stored result with the internal keys a write needs.
#[derive(Debug, Clone)]
pub(crate) struct StoredResult {
    /// `results.race_id` (internal).
    pub(crate) race_pk: i32,
    /// `results.participant_id` (internal).
    pub(crate) participant_pk: i32,
    /// Whether `last_source` is `live`.
    pub(crate) live: bool,
    /// The joined record.
    pub(crate) record: ResultRecord,
}

type Joined = (ResultListRow, String, ParticipantNameRow, Option<String>);

/// Every result row of the races `race_pks`, by row id.
pub(crate) fn load(
    conn: &mut DbConnection,
    race_pks: &[i32],
    gates: Gates,
) -> Result<Vec<StoredResult>, StoreError> {
    if race_pks.is_empty() {
        return Ok(Vec::new());
    }
    let joined = results::table
        .inner_join(races::table)
        .inner_join(participants::table)
        .filter(results::race_id.eq_any(race_pks))
        .order(results::id.asc());
    let rows: Vec<Joined> = match gates {
        Gates::Decode => joined
            .select((
                ResultListRow::as_select(),
                races::race_id,
                ParticipantNameRow::as_select(),
                results::gates,
            ))
            .load(conn)?,
        Gates::Skip => joined
            .select((
                ResultListRow::as_select(),
                races::race_id,
                ParticipantNameRow::as_select(),
                sql::<Nullable<Text>>("NULL"),
            ))
            .load(conn)?,
    };
    rows.into_iter()
        .map(|(row, race_id, participant, gates)| {
            let gates = gates.as_deref().map(gates_text::decode).transpose()?;
            Ok(stored(row, race_id, participant, gates))
        })
        .collect()
}

fn stored(
    row: ResultListRow,
    race_id: String,
    participant: ParticipantNameRow,
    gates: Option<Vec<live_domain::Gate>>,
) -> StoredResult {
    StoredResult {
        race_pk: row.race_id,
        participant_pk: row.participant_id,
        live: row.last_source == SOURCE_LIVE,
        record: ResultRecord {
            row_id: i64::from(row.id),
            race_id,
            participant_id: participant.participant_id,
            bib: row.bib,
            start_order: row.start_order,
            start_time: row.start_time,
            status: row.status,
            dt_start: row.dt_start,
            dt_finish: row.dt_finish,
            time: row.time,
            pen: row.pen,
            total: row.total,
            gates,
            rnk: row.rnk,
            rnk_order: row.rnk_order,
            cat_rnk: row.cat_rnk,
            cat_rnk_order: row.cat_rnk_order,
            total_behind: row.total_behind,
            cat_total_behind: row.cat_total_behind,
            prev_time: row.prev_time,
            prev_pen: row.prev_pen,
            prev_total: row.prev_total,
            prev_rnk: row.prev_rnk,
            total_total: row.total_total,
            better_run_nr: row.better_run_nr,
            athlete_id: participant.athlete_id,
            family_name: participant.family_name,
            given_name: participant.given_name,
            family_name2: participant.family_name2,
            given_name2: participant.given_name2,
            club: participant.club,
            noc: participant.noc,
            cat_id: participant.cat_id,
        },
    }
}

/// A record of a participant who has no row in that race yet (the results feed creates it).
pub(crate) fn new_record(race_id: &str, participant: &ParticipantNameRow) -> ResultRecord {
    ResultRecord {
        race_id: race_id.to_owned(),
        participant_id: participant.participant_id.clone(),
        athlete_id: participant.athlete_id.clone(),
        family_name: participant.family_name.clone(),
        given_name: participant.given_name.clone(),
        family_name2: participant.family_name2.clone(),
        given_name2: participant.given_name2.clone(),
        club: participant.club.clone(),
        noc: participant.noc.clone(),
        cat_id: participant.cat_id.clone(),
        ..ResultRecord::default()
    }
}

/// The internal row id of a record (records are built from `i32` ids, so this never fails for
/// them; anything else is a bug reported as a corrupt row rather than a panic).
pub(crate) fn row_pk(record: &ResultRecord) -> Result<i32, StoreError> {
    i32::try_from(record.row_id)
        .map_err(|_| StoreError::Corrupt(format!("results.id {} out of range", record.row_id)))
}
