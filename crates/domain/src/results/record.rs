//! The stored result row joined with its participant: the one input of every list computation.

use crate::gates::Gate;

use super::names::display_name;

/// One `results` row joined with its `participants` row, as the store hands it over.
///
/// Times, penalties and totals are centiseconds; `prev_*`, `total_total` and `better_run_nr` are
/// the stored XML columns (used by single-run diffs only, never by best-run lists).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResultRecord {
    /// Internal row id: the final tie-breaker of every order, never exposed.
    pub row_id: i64,
    /// Public race id (`K1M_ST_BR2_6`).
    pub race_id: String,
    /// Public participant id (`12054.K1M_ST`).
    pub participant_id: String,
    /// Bib of this row (not the participant's event bib).
    pub bib: Option<i32>,
    /// Position in the start list.
    pub start_order: Option<i32>,
    /// Per-athlete start time of day, verbatim.
    pub start_time: Option<String>,
    /// Run status (`DNS`, `DNF`, `DSQ`, `CAP`, `*`, …); `None` = valid run or no result yet.
    pub status: Option<String>,
    /// Start timestamp, verbatim.
    pub dt_start: Option<String>,
    /// Finish timestamp, verbatim.
    pub dt_finish: Option<String>,
    /// Run time.
    pub time: Option<i32>,
    /// Penalty.
    pub pen: Option<i32>,
    /// Run total.
    pub total: Option<i32>,
    /// Gates of the run.
    pub gates: Option<Vec<Gate>>,
    /// Overall rank (shared by ties).
    pub rnk: Option<i32>,
    /// Overall position (distinct).
    pub rnk_order: Option<i32>,
    /// Category rank.
    pub cat_rnk: Option<i32>,
    /// Category position.
    pub cat_rnk_order: Option<i32>,
    /// Behind string against the overall leader.
    pub total_behind: Option<String>,
    /// Behind string against the category leader.
    pub cat_total_behind: Option<String>,
    /// XML `PrevTime`.
    pub prev_time: Option<i32>,
    /// XML `PrevPen`.
    pub prev_pen: Option<i32>,
    /// XML `PrevTotal`.
    pub prev_total: Option<i32>,
    /// XML `PrevRnk`.
    pub prev_rnk: Option<i32>,
    /// XML `TotalTotal`.
    pub total_total: Option<i32>,
    /// XML `BetterRunNr`.
    pub better_run_nr: Option<i32>,
    /// Participant's ICF id.
    pub athlete_id: Option<String>,
    /// Participant's family name.
    pub family_name: String,
    /// Participant's given name.
    pub given_name: Option<String>,
    /// Second paddler's family name (C2 crews).
    pub family_name2: Option<String>,
    /// Second paddler's given name (C2 crews).
    pub given_name2: Option<String>,
    /// Participant's club.
    pub club: Option<String>,
    /// Participant's NOC / region.
    pub noc: Option<String>,
    /// Participant's category.
    pub cat_id: Option<String>,
}

impl ResultRecord {
    /// The participant's public `name` (computations.md §2).
    pub fn name(&self) -> String {
        display_name(
            &self.family_name,
            self.given_name.as_deref(),
            self.family_name2.as_deref(),
            self.given_name2.as_deref(),
        )
    }

    /// Whether the participant belongs to category `cat_id` (exact match).
    pub(crate) fn in_category(&self, cat_id: &str) -> bool {
        self.cat_id.as_deref() == Some(cat_id)
    }
}
