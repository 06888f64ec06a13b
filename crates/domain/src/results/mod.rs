//! Results: the pure computations of computations.md — names, behind strings, single-run ranking,
//! the best-run combination, list orders, public list items and their diffs.
//!
//! Everything here works on [`ResultRecord`]s, the joined rows the store hands over, and returns
//! owned values, so the store can write ranks back inside its transaction and the server can
//! compute a race's public list before and after a write and send only what changed.

mod behind;
mod best_run;
mod diff;
mod feed_gates;
mod items;
mod names;
mod order;
mod ranking;
mod record;
mod run_status;
mod single_run;
mod startlist;

#[cfg(test)]
mod fixture_cases;
#[cfg(test)]
mod json_shapes;
#[cfg(test)]
mod lodm_sample;

pub use behind::behind;
pub use best_run::{DetailedPair, best_run_list};
pub use diff::{ListItem, changed_items};
pub use feed_gates::{FeedGate, feed_gates};
pub use items::{
    BestRunDetail, BestRunItem, ResultCore, ResultDiffItem, ResultItem, RunDetail, StartlistItem,
};
pub use names::display_name;
pub use ranking::{RankColumns, RankInput, RankedRow, rank_single_run, rerank_records};
pub use record::ResultRecord;
pub use run_status::{normalise_live_status, normalise_xml_status};
pub use single_run::{DetailedSingle, single_run_diff_list, single_run_list};
pub use startlist::startlist;
