//! The XML import (c123-xml.md §10): a parsed export written in one `BEGIN IMMEDIATE`
//! transaction, in the documented order — event fields, classes and categories, participants,
//! races, courses, results, prune, the re-ranking the `live` merge strategy requires,
//! `has_xml_data` — and the `full` data of the committed state.
//!
//! Speed matters (the producer sends the whole 2.9 MB export on every change and the import runs
//! under the event's write lock): every table is written with multi-row upserts that keep row ids,
//! the ids are read back with one query per table, and the prune is computed in memory and
//! executed as deletes by id. No statement runs per record.

mod event_fields;
mod prune;
mod rerank;
mod results;
mod tables;

use diesel::sqlite::SqliteConnection;
use live_domain::c123::C123Export;
use live_domain::public::FullData;
use live_domain::requests::MergeStrategy;

use crate::error::StoreError;
use crate::public_reads;
use crate::store::Store;

/// What a committed XML import hands back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlApplied {
    /// The `data` of the WebSocket `full` frame for the committed state (contract §6.3).
    pub full: FullData,
}

impl Store {
    /// Writes `export` into event `event_pk` in one transaction (c123-xml.md §10): display fields,
    /// upserts that keep row ids, the snapshot prune, the merge `strategy` for rows the live feed
    /// wrote last, `has_xml_data = 1`. Any failure rolls everything back.
    ///
    /// `EventNotFound` when the event does not exist (any more). Keys of `export` are expected to
    /// be unique per table, as [`live_domain::c123::parse_export`] guarantees.
    pub async fn apply_xml(
        &self,
        event_pk: i32,
        export: C123Export,
        strategy: MergeStrategy,
    ) -> Result<XmlApplied, StoreError> {
        self.write(move |conn| import(conn, event_pk, &export, strategy))
            .await
    }
}

/// The transaction body, step by step in the documented order.
fn import(
    conn: &mut SqliteConnection,
    event_pk: i32,
    export: &C123Export,
    strategy: MergeStrategy,
) -> Result<XmlApplied, StoreError> {
    event_fields::write(conn, event_pk, &export.event)?;
    let classes = tables::upsert_classes(conn, event_pk, &export.classes)?;
    let participants = tables::upsert_participants(conn, event_pk, &export.participants, &classes)?;
    let races = tables::upsert_races(conn, event_pk, &export.races, &classes)?;
    let courses = tables::upsert_courses(conn, event_pk, &export.courses)?;
    let written = results::upsert(conn, event_pk, export, &races, &participants, strategy)?;
    prune::run(
        conn,
        export,
        &written.unlisted,
        &races,
        &participants,
        &classes,
        &courses,
    )?;
    rerank::races_that_kept_live_values(conn, export, &races, &written.kept_live_races)?;
    event_fields::mark_has_xml_data(conn, event_pk)?;
    let full = public_reads::load_full(conn, event_pk)?.ok_or(StoreError::EventNotFound)?;
    Ok(XmlApplied { full })
}
