//! Result rows of the import (c123-xml.md §4 Results, §10.3): upsert by (race row, participant
//! row) keeping row ids, under the merge strategy.
//!
//! Rows split into two multi-row upserts that differ only in what a conflict overwrites: every
//! column (new rows, strategy `xml`, and rows the XML decides), or only the columns outside the
//! live set (rows the live feed wrote last and this XML record would blank).
//!
//! The producer re-sends the whole export whenever anything in it changes, so most rows of a
//! re-import equal what is stored. The event's rows are read first (one query) and a row whose
//! columns would not change is left out of the upserts: unchanged rows cost no page writes and no
//! WAL traffic, which keeps a re-import — and the writer lock it holds — short.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use diesel::upsert::excluded;
use live_domain::c123::{C123Export, XmlResult};
use live_domain::requests::MergeStrategy;

use super::tables::IdMap;
use crate::connection::{DbConnection, on_backend};
use crate::error::StoreError;
use crate::gates_text;
use crate::import_rows::XmlResultRow;
use crate::limits::rows_per_statement;
use crate::records::{SOURCE_LIVE, SOURCE_XML};
use crate::rows::ResultRow;
use crate::schema::results;

/// What the results step leaves for the later steps.
#[derive(Debug, Default)]
pub(super) struct Written {
    /// Rows of races in the export whose participant the export no longer lists under that race
    /// (prune step 1).
    pub(super) unlisted: Vec<i32>,
    /// Races (internal ids) with at least one row that kept its live values, first one first.
    pub(super) kept_live_races: Vec<i32>,
}

/// Whether an existing row keeps its live columns (§10.3 `live`): the live feed wrote it last and
/// the XML record has no `Time`, no `Total` and no kept `Status`.
fn keeps_live_values(strategy: MergeStrategy, stored_live: bool, xml: &XmlResult) -> bool {
    strategy == MergeStrategy::Live
        && stored_live
        && xml.time.is_none()
        && xml.total.is_none()
        && xml.status.is_none()
}

/// Upserts the export's results and works out the rows to prune.
pub(super) fn upsert(
    conn: &mut DbConnection,
    event_pk: i32,
    export: &C123Export,
    races: &IdMap,
    participants: &IdMap,
    strategy: MergeStrategy,
) -> Result<Written, StoreError> {
    // (race, participant) → every stored row of the event.
    let existing: HashMap<(i32, i32), ResultRow> = results::table
        .filter(results::event_id.eq(event_pk))
        .select(ResultRow::as_select())
        .load::<ResultRow>(conn)?
        .into_iter()
        .map(|row| ((row.race_id, row.participant_id), row))
        .collect();

    let mut listed: HashSet<(i32, i32)> = HashSet::with_capacity(export.results.len());
    let mut replace: Vec<XmlResultRow<'_>> = Vec::with_capacity(export.results.len());
    let mut keep_live: Vec<XmlResultRow<'_>> = Vec::new();
    let mut written = Written::default();
    for xml in &export.results {
        // The parser resolves every result it returns; anything else is skipped like §4 says.
        let (Some(&race_pk), Some(&participant_pk)) = (
            races.get(&xml.race_id),
            participants.get(&xml.participant_id),
        ) else {
            continue;
        };
        listed.insert((race_pk, participant_pk));
        let stored = existing.get(&(race_pk, participant_pk));
        let stored_live = stored.is_some_and(|s| s.last_source == SOURCE_LIVE);
        let row = row(event_pk, race_pk, participant_pk, xml);
        if keeps_live_values(strategy, stored_live, xml) {
            if !written.kept_live_races.contains(&race_pk) {
                written.kept_live_races.push(race_pk);
            }
            if !stored.is_some_and(|s| same_outside_live(&row, s)) {
                keep_live.push(row);
            }
        } else if !stored.is_some_and(|s| same_outside_live(&row, s) && same_live(&row, s)) {
            replace.push(row);
        }
    }

    let chunk = rows_per_statement(XmlResultRow::COLUMNS);
    for rows in replace.chunks(chunk) {
        replace_all_columns(conn, rows)?;
    }
    for rows in keep_live.chunks(chunk) {
        keep_live_columns(conn, rows)?;
    }

    let xml_races: HashSet<i32> = export
        .races
        .iter()
        .filter_map(|r| races.get(&r.race_id).copied())
        .collect();
    written.unlisted = existing
        .iter()
        .filter(|(key, _)| xml_races.contains(&key.0) && !listed.contains(key))
        .map(|(_, row)| row.id)
        .collect();
    written.unlisted.sort_unstable();
    Ok(written)
}

/// Whether `stored` holds `row`'s values in every column outside the live set (the columns
/// [`keep_live_columns`] writes).
fn same_outside_live(row: &XmlResultRow<'_>, stored: &ResultRow) -> bool {
    row.start_order == stored.start_order
        && row.bib == stored.bib
        && row.start_time == stored.start_time.as_deref()
        && row.dt_start == stored.dt_start.as_deref()
        && row.dt_finish == stored.dt_finish.as_deref()
        && row.prev_time == stored.prev_time
        && row.prev_pen == stored.prev_pen
        && row.prev_total == stored.prev_total
        && row.prev_rnk == stored.prev_rnk
        && row.total_total == stored.total_total
        && row.better_run_nr == stored.better_run_nr
        && row.heat_nr == stored.heat_nr
        && row.round_nr == stored.round_nr
        && row.qualified == stored.qualified.as_deref()
}

/// Whether `stored` holds `row`'s values in the live columns and `last_source` (together with
/// [`same_outside_live`]: every column [`replace_all_columns`] writes).
fn same_live(row: &XmlResultRow<'_>, stored: &ResultRow) -> bool {
    row.status == stored.status.as_deref()
        && row.time == stored.time
        && row.gates == stored.gates
        && row.pen == stored.pen
        && row.total == stored.total
        && row.rnk == stored.rnk
        && row.rnk_order == stored.rnk_order
        && row.cat_rnk == stored.cat_rnk
        && row.cat_rnk_order == stored.cat_rnk_order
        && row.total_behind == stored.total_behind.as_deref()
        && row.cat_total_behind == stored.cat_total_behind.as_deref()
        && row.last_source == stored.last_source
}

/// The row as the XML has it, `last_source = xml`.
fn row(event_pk: i32, race_pk: i32, participant_pk: i32, xml: &XmlResult) -> XmlResultRow<'_> {
    XmlResultRow {
        event_id: event_pk,
        race_id: race_pk,
        participant_id: participant_pk,
        start_order: xml.start_order,
        bib: xml.bib,
        start_time: xml.start_time.as_deref(),
        status: xml.status,
        dt_start: xml.dt_start.as_deref(),
        dt_finish: xml.dt_finish.as_deref(),
        time: xml.time,
        gates: xml.gates.as_deref().map(gates_text::encode),
        pen: xml.pen,
        total: xml.total,
        rnk: xml.rnk,
        rnk_order: xml.rnk_order,
        cat_rnk: xml.cat_rnk,
        cat_rnk_order: xml.cat_rnk_order,
        total_behind: xml.total_behind.as_deref(),
        cat_total_behind: xml.cat_total_behind.as_deref(),
        prev_time: xml.prev_time,
        prev_pen: xml.prev_pen,
        prev_total: xml.prev_total,
        prev_rnk: xml.prev_rnk,
        total_total: xml.total_total,
        better_run_nr: xml.better_run_nr,
        heat_nr: xml.heat_nr,
        round_nr: xml.round_nr,
        qualified: xml.qualified.as_deref(),
        last_source: SOURCE_XML,
    }
}

/// Inserts new rows and overwrites every column of existing ones (`last_source = xml`).
fn replace_all_columns(
    conn: &mut DbConnection,
    rows: &[XmlResultRow<'_>],
) -> Result<(), StoreError> {
    on_backend!(&mut *conn, c => diesel::insert_into(results::table)
        .values(rows)
        .on_conflict((results::race_id, results::participant_id))
        .do_update()
        .set((
            results::start_order.eq(excluded(results::start_order)),
            results::bib.eq(excluded(results::bib)),
            results::start_time.eq(excluded(results::start_time)),
            results::status.eq(excluded(results::status)),
            results::dt_start.eq(excluded(results::dt_start)),
            results::dt_finish.eq(excluded(results::dt_finish)),
            results::time.eq(excluded(results::time)),
            results::gates.eq(excluded(results::gates)),
            results::pen.eq(excluded(results::pen)),
            results::total.eq(excluded(results::total)),
            results::rnk.eq(excluded(results::rnk)),
            results::rnk_order.eq(excluded(results::rnk_order)),
            results::cat_rnk.eq(excluded(results::cat_rnk)),
            results::cat_rnk_order.eq(excluded(results::cat_rnk_order)),
            results::total_behind.eq(excluded(results::total_behind)),
            results::cat_total_behind.eq(excluded(results::cat_total_behind)),
            results::prev_time.eq(excluded(results::prev_time)),
            results::prev_pen.eq(excluded(results::prev_pen)),
            results::prev_total.eq(excluded(results::prev_total)),
            results::prev_rnk.eq(excluded(results::prev_rnk)),
            results::total_total.eq(excluded(results::total_total)),
            results::better_run_nr.eq(excluded(results::better_run_nr)),
            results::heat_nr.eq(excluded(results::heat_nr)),
            results::round_nr.eq(excluded(results::round_nr)),
            results::qualified.eq(excluded(results::qualified)),
            results::last_source.eq(excluded(results::last_source)),
        ))
        .execute(c))?;
    Ok(())
}

/// Overwrites only the columns outside the live set of rows that exist; `last_source` stays
/// `live`. (Every row here exists, so the insert half never applies.)
fn keep_live_columns(conn: &mut DbConnection, rows: &[XmlResultRow<'_>]) -> Result<(), StoreError> {
    on_backend!(&mut *conn, c => diesel::insert_into(results::table)
        .values(rows)
        .on_conflict((results::race_id, results::participant_id))
        .do_update()
        .set((
            results::start_order.eq(excluded(results::start_order)),
            results::bib.eq(excluded(results::bib)),
            results::start_time.eq(excluded(results::start_time)),
            results::dt_start.eq(excluded(results::dt_start)),
            results::dt_finish.eq(excluded(results::dt_finish)),
            results::prev_time.eq(excluded(results::prev_time)),
            results::prev_pen.eq(excluded(results::prev_pen)),
            results::prev_total.eq(excluded(results::prev_total)),
            results::prev_rnk.eq(excluded(results::prev_rnk)),
            results::total_total.eq(excluded(results::total_total)),
            results::better_run_nr.eq(excluded(results::better_run_nr)),
            results::heat_nr.eq(excluded(results::heat_nr)),
            results::round_nr.eq(excluded(results::round_nr)),
            results::qualified.eq(excluded(results::qualified)),
        ))
        .execute(c))?;
    Ok(())
}
