//! One feed row applied to a stored row (c123-xml.md §12.1 steps 2–5), in memory; a row that does
//! not exist yet is inserted first.

use diesel::prelude::*;
use live_domain::requests::{Field, ResultRowIngest};
use live_domain::results::{FeedGate, feed_gates, normalise_live_status};

use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::gates_text;
use crate::import_rows::LiveResultInsert;
use crate::records::{SOURCE_LIVE, StoredResult};
use crate::schema::results;

/// What the body did to a row's gates. The stored gates text is never read by the ingest, so an
/// untouched row keeps it without a comparison and a touched row is always written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum GatesWrite {
    /// Absent or `[]`: the stored gates stay.
    Untouched,
    /// `null`: the gates are cleared.
    Cleared,
    /// A non-empty array: the gates are replaced by this text.
    Replaced(String),
}

impl GatesWrite {
    /// Whether the gates column must be written.
    pub(super) fn is_written(&self) -> bool {
        !matches!(self, Self::Untouched)
    }

    /// The gates text the row holds after the body, as far as the body decides it (`None` for
    /// cleared or untouched).
    pub(super) fn text(&self) -> Option<&str> {
        match self {
            Self::Replaced(text) => Some(text),
            Self::Untouched | Self::Cleared => None,
        }
    }
}

/// A stored row while the body is applied.
#[derive(Debug)]
pub(super) struct WorkRow {
    pub(super) stored: StoredResult,
    /// What the body did to the gates.
    pub(super) gates: GatesWrite,
}

/// The stored columns a live write may change apart from the gates; a row is written only when
/// these differ from what was read, or when the body wrote its gates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LiveColumns {
    bib: Option<i32>,
    time: Option<i32>,
    pen: Option<i32>,
    total: Option<i32>,
    status: Option<String>,
    rnk: Option<i32>,
    rnk_order: Option<i32>,
    cat_rnk: Option<i32>,
    cat_rnk_order: Option<i32>,
    total_behind: Option<String>,
    cat_total_behind: Option<String>,
    live: bool,
}

impl LiveColumns {
    pub(super) fn of(stored: &StoredResult) -> Self {
        let r = &stored.record;
        Self {
            bib: r.bib,
            time: r.time,
            pen: r.pen,
            total: r.total,
            status: r.status.clone(),
            rnk: r.rnk,
            rnk_order: r.rnk_order,
            cat_rnk: r.cat_rnk,
            cat_rnk_order: r.cat_rnk_order,
            total_behind: r.total_behind.clone(),
            cat_total_behind: r.cat_total_behind.clone(),
            live: stored.live,
        }
    }
}

/// Applies `sent` to `row`: present keys replace (`null` clears), absent keys keep; the status
/// is normalised (DV3) and a status clears the rank; a non-empty `gates` array replaces the gates,
/// `null` clears them, absent or `[]` keeps them (DV2); the row becomes `live`.
pub(super) fn update(row: &mut WorkRow, sent: &ResultRowIngest, course: Option<&str>) {
    let r = &mut row.stored.record;
    r.bib = Some(sent.bib);
    r.time = sent.time.update(r.time);
    r.pen = sent.pen.update(r.pen);
    r.total = sent.total.update(r.total);
    r.rnk = sent.rnk.update(r.rnk);
    match &sent.status {
        Field::Absent => {}
        Field::Null => r.status = None,
        Field::Value(status) => r.status = normalise_live_status(Some(status)),
    }
    if r.status.is_some() {
        r.rnk = None;
    }
    match &sent.gates {
        Field::Value(gates) if !gates.is_empty() => {
            let feed = gates.iter().map(|g| FeedGate {
                gate: g.gate,
                pen: g.pen,
            });
            row.gates = GatesWrite::Replaced(gates_text::encode(&feed_gates(feed, course)));
        }
        Field::Null => row.gates = GatesWrite::Cleared,
        Field::Value(_) | Field::Absent => {}
    }
    row.stored.live = true;
}

/// Inserts `row` as the feed created it (§12.1 step 4: the sent values, absent → null), sets its
/// new row id and marks its gates as written.
pub(super) fn insert(
    conn: &mut DbConnection,
    event_pk: i32,
    row: &mut WorkRow,
) -> Result<(), StoreError> {
    let stored = &row.stored;
    let r = &stored.record;
    let id: i32 = diesel::insert_into(results::table)
        .values(LiveResultInsert {
            event_id: event_pk,
            race_id: stored.race_pk,
            participant_id: stored.participant_pk,
            bib: r.bib,
            time: r.time,
            pen: r.pen,
            total: r.total,
            status: r.status.as_deref(),
            rnk: r.rnk,
            gates: row.gates.text(),
            last_source: SOURCE_LIVE,
        })
        .returning(results::id)
        .get_result(conn)?;
    row.stored.record.row_id = i64::from(id);
    row.gates = GatesWrite::Untouched;
    Ok(())
}
