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

use crate::connection::DbConnection;
use live_domain::IngestKind;
use live_domain::c123::C123Export;
use live_domain::public::FullData;
use live_domain::requests::MergeStrategy;

use crate::error::StoreError;
use crate::live::{Sequence, advance, lock_event_row};
use crate::public_reads;
use crate::store::Store;

/// What a committed XML import hands back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlApplied {
    /// The `data` of the WebSocket `full` frame for the committed state (contract §6.3).
    pub full: FullData,
    /// Cluster mode: the one `full` frame of the import, numbered in the event's row
    /// (`needs_full`); `None` otherwise.
    pub sequence: Option<Sequence>,
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
        self.apply_xml_guarded(event_pk, export, strategy, None)
            .await
    }

    /// [`Store::apply_xml`] with the ingest `guard` (when given) checked on the status read under
    /// the event's row lock, inside the transaction: a refusal (`Guard`) writes nothing.
    pub async fn apply_xml_guarded(
        &self,
        event_pk: i32,
        export: C123Export,
        strategy: MergeStrategy,
        guard: Option<IngestKind>,
    ) -> Result<XmlApplied, StoreError> {
        let sequence_in_db = self.sequence_in_db();
        self.write(move |conn| {
            let mut row = lock_event_row(conn, event_pk)?;
            row.guard(guard)?;
            let full = import(conn, event_pk, &export, strategy)?;
            let sequence = sequence_in_db
                .then(|| advance(conn, &mut row, 1, true))
                .transpose()?;
            Ok(XmlApplied { full, sequence })
        })
        .await
    }
}

/// The transaction body, step by step in the documented order.
fn import(
    conn: &mut DbConnection,
    event_pk: i32,
    export: &C123Export,
    strategy: MergeStrategy,
) -> Result<FullData, StoreError> {
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
    public_reads::load_full(conn, event_pk)?.ok_or(StoreError::EventNotFound)
}
