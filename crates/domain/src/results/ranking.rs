//! Single-run ranking (computations.md §4): the six rank columns the store rewrites for every row
//! of a non-best-run race after a live write.

use std::collections::HashMap;

use super::behind::behind;
use super::order::{nulls_last, position};
use super::record::ResultRecord;

/// The columns of one row that ranking reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankInput<'a> {
    /// Internal row id, the final tie-breaker.
    pub row_id: i64,
    /// Bib, the tie-breaker between equal totals.
    pub bib: Option<i32>,
    /// Run total in centiseconds.
    pub total: Option<i32>,
    /// Run status; any value makes the row unrankable.
    pub status: Option<&'a str>,
    /// The participant's category; empty counts as none.
    pub cat_id: Option<&'a str>,
}

impl<'a> From<&'a ResultRecord> for RankInput<'a> {
    fn from(record: &'a ResultRecord) -> Self {
        Self {
            row_id: record.row_id,
            bib: record.bib,
            total: record.total,
            status: record.status.as_deref(),
            cat_id: record.cat_id.as_deref(),
        }
    }
}

/// The six rank columns of one row; all `None` for a row that is not rankable.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RankColumns {
    /// Overall rank, shared by equal totals (1, 2, 2, 4).
    pub rnk: Option<i32>,
    /// Overall position, always distinct.
    pub rnk_order: Option<i32>,
    /// Behind string against the overall leader.
    pub total_behind: Option<String>,
    /// Position within the category (ties numbered consecutively, as Canoe123 does).
    pub cat_rnk: Option<i32>,
    /// Same as `cat_rnk`; stored separately because XML imports deliver both.
    pub cat_rnk_order: Option<i32>,
    /// Behind string against the category leader.
    pub cat_total_behind: Option<String>,
}

impl RankColumns {
    /// Overwrites the six rank columns of `record`.
    pub fn apply_to(self, record: &mut ResultRecord) {
        record.rnk = self.rnk;
        record.rnk_order = self.rnk_order;
        record.total_behind = self.total_behind;
        record.cat_rnk = self.cat_rnk;
        record.cat_rnk_order = self.cat_rnk_order;
        record.cat_total_behind = self.cat_total_behind;
    }
}

/// The rank columns computed for one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankedRow {
    /// The row these columns belong to.
    pub row_id: i64,
    /// Its new rank columns.
    pub columns: RankColumns,
}

/// Ranks the rows of one race: one [`RankedRow`] per input row, in input order.
///
/// A row is rankable when it has a total and no status. Rankable rows are sorted by total, bib
/// (nulls last) and row id; equal totals share the overall rank, while inside a category ties are
/// numbered consecutively, because that is what Canoe123 itself does.
pub fn rank_single_run(rows: &[RankInput<'_>]) -> Vec<RankedRow> {
    let mut ranked: Vec<(usize, &RankInput<'_>, i32)> = rows
        .iter()
        .enumerate()
        .filter_map(|(i, row)| match (row.total, row.status) {
            (Some(total), None) => Some((i, row, total)),
            _ => None,
        })
        .collect();
    ranked.sort_by_key(|&(_, row, total)| (total, nulls_last(row.bib), row.row_id));

    let mut columns = vec![RankColumns::default(); rows.len()];
    let Some(&(_, _, leader_total)) = ranked.first() else {
        return finish(rows, columns);
    };
    // Category leader total and next position, keyed by category.
    let mut categories: HashMap<&str, (i32, usize)> = HashMap::new();
    let mut shared_rank = 1;
    let mut previous_total = None;
    for (index, &(row_index, row, total)) in ranked.iter().enumerate() {
        if previous_total != Some(total) {
            shared_rank = position(index);
            previous_total = Some(total);
        }
        let Some(slot) = columns.get_mut(row_index) else {
            continue;
        };
        slot.rnk = Some(shared_rank);
        slot.rnk_order = Some(position(index));
        slot.total_behind = Some(behind(total.saturating_sub(leader_total)));
        let category = row.cat_id.filter(|c| !c.is_empty());
        if let Some(category) = category {
            let (cat_leader, count) = categories.entry(category).or_insert((total, 0));
            let cat_position = position(*count);
            *count += 1;
            slot.cat_rnk = Some(cat_position);
            slot.cat_rnk_order = Some(cat_position);
            slot.cat_total_behind = Some(behind(total.saturating_sub(*cat_leader)));
        }
    }
    finish(rows, columns)
}

fn finish(rows: &[RankInput<'_>], columns: Vec<RankColumns>) -> Vec<RankedRow> {
    rows.iter()
        .zip(columns)
        .map(|(row, columns)| RankedRow {
            row_id: row.row_id,
            columns,
        })
        .collect()
}

/// Recomputes the rank columns of `records` (the rows of one race) in place, exactly as the store
/// does after a live write; useful to derive the list after a write without reading it back.
pub fn rerank_records(records: &mut [ResultRecord]) {
    let inputs: Vec<RankInput<'_>> = records.iter().map(RankInput::from).collect();
    let ranked = rank_single_run(&inputs);
    for (record, row) in records.iter_mut().zip(ranked) {
        row.columns.apply_to(record);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(row_id: i64, bib: Option<i32>, total: Option<i32>) -> RankInput<'static> {
        RankInput {
            row_id,
            bib,
            total,
            status: None,
            cat_id: None,
        }
    }

    #[test]
    fn equal_totals_and_bibs_fall_back_to_row_id() {
        let rows = [input(9, Some(5), Some(100)), input(3, Some(5), Some(100))];
        let ranked = rank_single_run(&rows);
        assert_eq!(ranked[0].row_id, 9);
        assert_eq!(ranked[0].columns.rnk, Some(1));
        assert_eq!(ranked[0].columns.rnk_order, Some(2));
        assert_eq!(ranked[1].columns.rnk_order, Some(1));
        assert_eq!(ranked[1].columns.total_behind.as_deref(), Some("0.00"));
    }

    #[test]
    fn null_bib_sorts_after_bibs_on_equal_totals() {
        let rows = [input(1, None, Some(100)), input(2, Some(90), Some(100))];
        let ranked = rank_single_run(&rows);
        assert_eq!(ranked[0].columns.rnk_order, Some(2));
        assert_eq!(ranked[1].columns.rnk_order, Some(1));
    }

    #[test]
    fn empty_category_is_no_category() {
        let rows = [RankInput {
            cat_id: Some(""),
            ..input(1, Some(1), Some(100))
        }];
        let ranked = rank_single_run(&rows);
        assert_eq!(ranked[0].columns.rnk, Some(1));
        assert_eq!(ranked[0].columns.cat_rnk, None);
        assert_eq!(ranked[0].columns.cat_total_behind, None);
    }

    #[test]
    fn rerank_clears_stale_ranks_of_unrankable_rows() {
        let mut records = vec![
            ResultRecord {
                row_id: 1,
                total: None,
                rnk: Some(1),
                total_behind: Some("0.00".to_owned()),
                ..ResultRecord::default()
            },
            ResultRecord {
                row_id: 2,
                total: Some(5000),
                ..ResultRecord::default()
            },
        ];
        rerank_records(&mut records);
        assert_eq!(records[0].rnk, None);
        assert_eq!(records[0].total_behind, None);
        assert_eq!(records[1].rnk, Some(1));
        assert_eq!(records[1].rnk_order, Some(1));
    }

    #[test]
    fn extreme_totals_do_not_overflow() {
        let rows = [
            input(1, Some(1), Some(i32::MIN)),
            input(2, Some(2), Some(i32::MAX)),
        ];
        let ranked = rank_single_run(&rows);
        assert_eq!(
            ranked[1].columns.total_behind.as_deref(),
            Some("+21474836.47")
        );
    }
}
