//! Public list items (contract §4.15, §4.16, §6.5): exactly the documented keys, camelCase, every
//! key always present (`null` when empty), in the documented order.
//!
//! The detailed and best-run variants share their common keys through `#[serde(flatten)]` instead of
//! repeating field lists; flattened fields are written in declaration order, so the key order is
//! the contract's, and a `None` detail writes no keys at all.

use serde::Serialize;

use crate::gates::Gate;

/// The 14 keys every results item starts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultCore {
    /// Overall rank.
    pub rnk: Option<i32>,
    /// Bib.
    pub bib: Option<i32>,
    /// ICF id.
    pub athlete_id: Option<String>,
    /// Display name (computations.md §2).
    pub name: String,
    /// Club.
    pub club: Option<String>,
    /// NOC / region.
    pub noc: Option<String>,
    /// Category.
    pub cat_id: Option<String>,
    /// Category rank.
    pub cat_rnk: Option<i32>,
    /// Run time, centiseconds.
    pub time: Option<i32>,
    /// Penalty, centiseconds.
    pub pen: Option<i32>,
    /// Run total, centiseconds.
    pub total: Option<i32>,
    /// Behind string against the leader.
    pub total_behind: Option<String>,
    /// Behind string against the category leader.
    pub cat_total_behind: Option<String>,
    /// Run status.
    pub status: Option<String>,
}

/// The keys `?detailed=true` adds to a run: timestamps, gates and the course's gate count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunDetail {
    /// Start timestamp, verbatim.
    pub dt_start: Option<String>,
    /// Finish timestamp, verbatim.
    pub dt_finish: Option<String>,
    /// Gates of the run.
    pub gates: Option<Vec<Gate>>,
    /// `nr_gates` of the race's course.
    pub course_gate_count: Option<i32>,
}

/// A single-run results item (contract §4.15); `detail` is present for `?detailed=true`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResultItem {
    /// The 14 common keys.
    #[serde(flatten)]
    pub core: ResultCore,
    /// The detailed keys, when requested.
    #[serde(flatten)]
    pub detail: Option<RunDetail>,
}

/// The keys `?detailed=true` adds to a best-run item: the primary run's detail, then run 1's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BestRunDetail {
    /// Detail of the primary run (`courseGateCount` of the primary row's race).
    #[serde(flatten)]
    pub run: RunDetail,
    /// Run 1 start timestamp, when both runs exist.
    pub prev_dt_start: Option<String>,
    /// Run 1 finish timestamp, when both runs exist.
    pub prev_dt_finish: Option<String>,
    /// Run 1 gates, when both runs exist.
    pub prev_gates: Option<Vec<Gate>>,
}

/// A combined best-run item (computations.md §6.4); `detail` is present for `?detailed=true`.
/// The non-detailed form is also the item of best-run diffs (contract §6.5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BestRunItem {
    /// The 14 common keys, `time`/`pen`/`total` from the primary run.
    #[serde(flatten)]
    pub core: ResultCore,
    /// Run 1 status, when both runs exist.
    pub prev_status: Option<String>,
    /// Status of the primary run.
    pub curr_status: Option<String>,
    /// Which run is the better one (1 or 2).
    pub better_run_nr: Option<i32>,
    /// Best of the two totals.
    pub total_total: Option<i32>,
    /// Run 1 time, when both runs exist.
    pub prev_time: Option<i32>,
    /// Run 1 penalty, when both runs exist.
    pub prev_pen: Option<i32>,
    /// Run 1 total, when both runs exist.
    pub prev_total: Option<i32>,
    /// Run 1 rank, when both runs exist.
    pub prev_rnk: Option<i32>,
    /// The detailed keys, when requested.
    #[serde(flatten)]
    pub detail: Option<BestRunDetail>,
}

/// A single-run diff item (contract §6.5): the 14 keys plus the stored XML columns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultDiffItem {
    /// The 14 common keys.
    #[serde(flatten)]
    pub core: ResultCore,
    /// Stored `prev_time`.
    pub prev_time: Option<i32>,
    /// Stored `prev_pen`.
    pub prev_pen: Option<i32>,
    /// Stored `prev_total`.
    pub prev_total: Option<i32>,
    /// Stored `prev_rnk`.
    pub prev_rnk: Option<i32>,
    /// Stored `total_total`.
    pub total_total: Option<i32>,
    /// Stored `better_run_nr`.
    pub better_run_nr: Option<i32>,
}

/// A start-list item (contract §4.16).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StartlistItem {
    /// Position in the start list.
    pub start_order: Option<i32>,
    /// Bib.
    pub bib: Option<i32>,
    /// ICF id.
    pub athlete_id: Option<String>,
    /// Display name.
    pub name: String,
    /// Club.
    pub club: Option<String>,
    /// NOC / region.
    pub noc: Option<String>,
    /// Category.
    pub cat_id: Option<String>,
    /// Per-athlete start time of day.
    pub start_time: Option<String>,
}
