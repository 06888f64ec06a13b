//! Single-run lists (computations.md §5): stored ranks as they are, in the public order.

use super::items::{ResultCore, ResultDiffItem, ResultItem, RunDetail};
use super::order::nulls_last;
use super::record::ResultRecord;

/// Asks a single-run list for the detailed keys; carries the race's course gate count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DetailedSingle {
    /// `nr_gates` of the race's course, `None` without course.
    pub course_gate_count: Option<i32>,
}

/// The public results list of a single-run race from the rows of that race.
///
/// With `cat_id`, only that category's rows are listed and they are grouped by the category
/// ranks; an unknown category gives an empty list (the caller maps an empty `catId` query to
/// `None`). Items always carry the stored values.
pub fn single_run_list(
    records: &[ResultRecord],
    cat_id: Option<&str>,
    detailed: Option<DetailedSingle>,
) -> Vec<ResultItem> {
    ordered(records, cat_id)
        .into_iter()
        .map(|record| ResultItem {
            core: core_of(record),
            detail: detailed.map(|d| run_detail(record, d.course_gate_count)),
        })
        .collect()
}

/// The list a single-run results diff compares (contract §6.5): every row of the race, unfiltered,
/// in list order, with the stored XML columns.
pub fn single_run_diff_list(records: &[ResultRecord]) -> Vec<ResultDiffItem> {
    ordered(records, None)
        .into_iter()
        .map(|record| ResultDiffItem {
            core: core_of(record),
            prev_time: record.prev_time,
            prev_pen: record.prev_pen,
            prev_total: record.prev_total,
            prev_rnk: record.prev_rnk,
            total_total: record.total_total,
            better_run_nr: record.better_run_nr,
        })
        .collect()
}

/// Rows in list order: ranked (by rank, rank order, bib), then awaiting a result, then status rows
/// (both by start order, bib); the row id decides the rest. A status row is never ranked here,
/// even when the XML delivered a rank for it.
fn ordered<'a>(records: &'a [ResultRecord], cat_id: Option<&str>) -> Vec<&'a ResultRecord> {
    let mut rows: Vec<&ResultRecord> = records
        .iter()
        .filter(|r| cat_id.is_none_or(|c| r.in_category(c)))
        .collect();
    let by_category = cat_id.is_some();
    rows.sort_by_key(|r| {
        let (rank, rank_order) = if by_category {
            (r.cat_rnk, r.cat_rnk_order)
        } else {
            (r.rnk, r.rnk_order)
        };
        match (&r.status, rank) {
            (None, Some(rank)) => (
                0,
                (false, rank),
                nulls_last(rank_order),
                nulls_last(r.bib),
                r.row_id,
            ),
            (None, None) => (
                1,
                nulls_last(r.start_order),
                nulls_last(r.bib),
                (false, 0),
                r.row_id,
            ),
            (Some(_), _) => (
                2,
                nulls_last(r.start_order),
                nulls_last(r.bib),
                (false, 0),
                r.row_id,
            ),
        }
    });
    rows
}

/// The 14 common keys from the stored columns of a row.
fn core_of(record: &ResultRecord) -> ResultCore {
    ResultCore {
        rnk: record.rnk,
        bib: record.bib,
        athlete_id: record.athlete_id.clone(),
        name: record.name(),
        club: record.club.clone(),
        noc: record.noc.clone(),
        cat_id: record.cat_id.clone(),
        cat_rnk: record.cat_rnk,
        time: record.time,
        pen: record.pen,
        total: record.total,
        total_behind: record.total_behind.clone(),
        cat_total_behind: record.cat_total_behind.clone(),
        status: record.status.clone(),
    }
}

/// The detailed keys of a row.
pub(crate) fn run_detail(record: &ResultRecord, course_gate_count: Option<i32>) -> RunDetail {
    RunDetail {
        dt_start: record.dt_start.clone(),
        dt_finish: record.dt_finish.clone(),
        gates: record.gates.clone(),
        course_gate_count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(row_id: i64, bib: i32, start_order: Option<i32>) -> ResultRecord {
        ResultRecord {
            row_id,
            bib: Some(bib),
            start_order,
            family_name: format!("N{bib}"),
            cat_id: Some("A".to_owned()),
            ..ResultRecord::default()
        }
    }

    fn bibs<T>(items: &[T], bib: impl Fn(&T) -> Option<i32>) -> Vec<Option<i32>> {
        items.iter().map(bib).collect()
    }

    #[test]
    fn groups_ranked_then_awaiting_then_status() {
        let records = vec![
            ResultRecord {
                status: Some("DNS".to_owned()),
                ..row(1, 1, Some(1))
            },
            row(2, 2, Some(5)),
            ResultRecord {
                rnk: Some(2),
                rnk_order: Some(3),
                ..row(3, 3, Some(3))
            },
            row(4, 4, None),
            ResultRecord {
                rnk: Some(2),
                rnk_order: Some(2),
                ..row(5, 5, Some(4))
            },
            // A status row with a delivered rank is still a status row.
            ResultRecord {
                rnk: Some(1),
                status: Some("DSQ".to_owned()),
                ..row(6, 6, Some(2))
            },
            row(7, 7, Some(5)),
        ];
        let list = single_run_list(&records, None, None);
        assert_eq!(
            bibs(&list, |i| i.core.bib),
            [5, 3, 2, 7, 4, 1, 6].map(Some).to_vec(),
            "ranked by (rnk, rnk_order), awaiting by start order with nulls last, status rows"
        );
        assert!(list.iter().all(|i| i.detail.is_none()));
    }

    #[test]
    fn category_filter_groups_by_category_ranks() {
        let records = vec![
            ResultRecord {
                rnk: Some(1),
                rnk_order: Some(1),
                ..row(1, 1, Some(1))
            },
            ResultRecord {
                rnk: Some(2),
                rnk_order: Some(2),
                cat_rnk: Some(1),
                ..row(2, 2, Some(2))
            },
            ResultRecord {
                cat_id: Some("B".to_owned()),
                ..row(3, 3, Some(3))
            },
            ResultRecord {
                status: Some("DNF".to_owned()),
                cat_rnk: Some(1),
                ..row(4, 4, Some(0))
            },
        ];
        let list = single_run_list(&records, Some("A"), None);
        // Bib 1 has an overall rank but no category rank: it awaits a category result.
        assert_eq!(bibs(&list, |i| i.core.bib), [2, 1, 4].map(Some).to_vec());
        assert_eq!(list[1].core.rnk, Some(1), "items keep their stored values");
        assert!(single_run_list(&records, Some("X"), None).is_empty());
    }

    #[test]
    fn detailed_items_carry_run_detail() {
        let records = vec![ResultRecord {
            dt_start: Some("10:00:00.000".to_owned()),
            ..row(1, 1, Some(1))
        }];
        let list = single_run_list(
            &records,
            None,
            Some(DetailedSingle {
                course_gate_count: Some(24),
            }),
        );
        assert_eq!(
            list[0].detail,
            Some(RunDetail {
                dt_start: Some("10:00:00.000".to_owned()),
                dt_finish: None,
                gates: None,
                course_gate_count: Some(24),
            })
        );
    }

    #[test]
    fn diff_list_is_unfiltered_and_carries_stored_xml_columns() {
        let records = vec![
            ResultRecord {
                prev_time: Some(1),
                total_total: Some(2),
                ..row(1, 1, Some(2))
            },
            ResultRecord {
                cat_id: None,
                better_run_nr: Some(2),
                ..row(2, 2, Some(1))
            },
        ];
        let list = single_run_diff_list(&records);
        assert_eq!(bibs(&list, |i| i.core.bib), [2, 1].map(Some).to_vec());
        assert_eq!(list[0].better_run_nr, Some(2));
        assert_eq!((list[1].prev_time, list[1].total_total), (Some(1), Some(2)));
    }
}
