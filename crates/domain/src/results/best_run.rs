//! The best-run combination (computations.md §6): one list for a BR1/BR2 pair, computed on read
//! from the rows of both races, identical whichever of the two ids was requested.

use std::collections::HashMap;

use super::behind::behind;
use super::items::{BestRunDetail, BestRunItem, ResultCore};
use super::order::{nulls_last, position};
use super::record::ResultRecord;
use super::single_run::run_detail;

/// Asks a best-run list for the detailed keys; carries the gate count of each run's course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DetailedPair {
    /// `nr_gates` of the BR1 race's course.
    pub br1_course_gate_count: Option<i32>,
    /// `nr_gates` of the BR2 race's course.
    pub br2_course_gate_count: Option<i32>,
}

/// The combined list of the pair `br1_race_id` / `br2_race_id` (from `best_run_pair`).
///
/// `records` may hold rows of any races; only rows of the two races are used, paired by
/// participant. With `cat_id`, other participants are dropped before ranking, so `rnk` ranks
/// within the category. Stored `prev_*`, `total_total` and `better_run_nr` are ignored.
pub fn best_run_list(
    br1_race_id: &str,
    br2_race_id: &str,
    records: &[ResultRecord],
    cat_id: Option<&str>,
    detailed: Option<DetailedPair>,
) -> Vec<BestRunItem> {
    let mut combined: Vec<Combined<'_>> = pair_rows(br1_race_id, br2_race_id, records)
        .into_iter()
        .filter_map(|(br1, br2)| Combined::new(br1, br2, detailed))
        .filter(|c| cat_id.is_none_or(|cat| c.primary.in_category(cat)))
        .collect();
    combined.sort_by_key(Combined::sort_key);
    assign_ranks(&mut combined);
    combined.into_iter().map(|c| c.item).collect()
}

/// Rows of the two races paired by participant, in order of first appearance; the first row of a
/// participant in a race wins (the store's unique key makes a second one impossible).
fn pair_rows<'a>(
    br1_race_id: &str,
    br2_race_id: &str,
    records: &'a [ResultRecord],
) -> Vec<(Option<&'a ResultRecord>, Option<&'a ResultRecord>)> {
    let mut pairs: Vec<(Option<&ResultRecord>, Option<&ResultRecord>)> = Vec::new();
    let mut by_participant: HashMap<&str, usize> = HashMap::new();
    for record in records {
        let is_br1 = record.race_id == br1_race_id;
        if !is_br1 && record.race_id != br2_race_id {
            continue;
        }
        let index = *by_participant
            .entry(record.participant_id.as_str())
            .or_insert_with(|| {
                pairs.push((None, None));
                pairs.len() - 1
            });
        if let Some((br1, br2)) = pairs.get_mut(index) {
            let slot = if is_br1 { br1 } else { br2 };
            slot.get_or_insert(record);
        }
    }
    pairs
}

/// An optional integer as a sort key that puts `None` after every value ([`nulls_last`]).
type NullsLast = (bool, i32);

/// One participant's combined item while the list is being ordered and ranked.
#[derive(Debug)]
struct Combined<'a> {
    primary: &'a ResultRecord,
    /// `tieBreak` (§6.4, not sent): the clean total of the run that does not count, which
    /// separates equal best runs (DV14); `None` when that run is not clean.
    tie_break: Option<i32>,
    item: BestRunItem,
}

/// A run's values after the pollution fix (§6.2).
#[derive(Debug, Clone, Copy)]
struct Run<'a> {
    record: &'a ResultRecord,
    pen: Option<i32>,
    total: Option<i32>,
}

impl<'a> Run<'a> {
    fn stored(record: &'a ResultRecord) -> Self {
        Self {
            record,
            pen: record.pen,
            total: record.total,
        }
    }

    /// A clean run's total: the row exists, has a total and no status.
    fn clean_total(self) -> Option<i32> {
        if self.record.status.is_some() {
            None
        } else {
            self.total
        }
    }
}

/// Whether BR2 carries run 1's best values instead of its own (#180): its total disagrees with
/// its own time + penalty by more than 2 cs but matches run 1's total within 2 cs.
fn is_polluted(br1: &ResultRecord, br2: &ResultRecord) -> bool {
    if br1.status.is_some() || br2.status.is_some() {
        return false;
    }
    let (Some(total1), Some(time2), Some(pen2), Some(total2)) =
        (br1.total, br2.time, br2.pen, br2.total)
    else {
        return false;
    };
    let own = i64::from(time2) + i64::from(pen2);
    (i64::from(total2) - own).abs() > 2 && (i64::from(total2) - i64::from(total1)).abs() <= 2
}

impl<'a> Combined<'a> {
    fn new(
        br1: Option<&'a ResultRecord>,
        br2: Option<&'a ResultRecord>,
        detailed: Option<DetailedPair>,
    ) -> Option<Self> {
        let polluted = matches!((br1, br2), (Some(b1), Some(b2)) if is_polluted(b1, b2));
        let run1 = br1.map(Run::stored);
        let run2 = br2.map(|record| {
            if polluted {
                Run {
                    record,
                    pen: None,
                    total: record.time,
                }
            } else {
                Run::stored(record)
            }
        });
        let clean2 = run2.and_then(Run::clean_total);
        let (total_total, better_run_nr, tie_break) = if polluted {
            (run1.and_then(|r| r.total), Some(1), clean2)
        } else {
            match (run1.and_then(Run::clean_total), clean2) {
                (Some(t1), Some(t2)) if t2 < t1 => (Some(t2), Some(2), Some(t1)),
                (Some(t1), t2) => (Some(t1), Some(1), t2),
                (None, Some(t2)) => (Some(t2), Some(2), None),
                (None, None) => (None, None, None),
            }
        };
        let (primary, previous) = match (run1, run2) {
            (Some(r1), Some(r2)) => (r2, Some(r1)),
            (Some(only), None) | (None, Some(only)) => (only, None),
            (None, None) => return None,
        };
        let record = primary.record;
        let prev = previous.map(|r| r.record);
        let detail = detailed.map(|d| {
            let count = if br2.is_some() {
                d.br2_course_gate_count
            } else {
                d.br1_course_gate_count
            };
            BestRunDetail {
                run: run_detail(record, count),
                prev_dt_start: prev.and_then(|p| p.dt_start.clone()),
                prev_dt_finish: prev.and_then(|p| p.dt_finish.clone()),
                prev_gates: prev.and_then(|p| p.gates.clone()),
            }
        });
        let item = BestRunItem {
            core: ResultCore {
                rnk: None,
                bib: record.bib,
                athlete_id: record.athlete_id.clone(),
                name: record.name(),
                club: record.club.clone(),
                noc: record.noc.clone(),
                cat_id: record.cat_id.clone(),
                cat_rnk: None,
                time: record.time,
                pen: primary.pen,
                total: primary.total,
                total_behind: None,
                cat_total_behind: None,
                status: if total_total.is_some() {
                    None
                } else {
                    record.status.clone()
                },
            },
            prev_status: prev.and_then(|p| p.status.clone()),
            curr_status: record.status.clone(),
            better_run_nr,
            total_total,
            prev_time: prev.and_then(|p| p.time),
            prev_pen: previous.and_then(|p| p.pen),
            prev_total: previous.and_then(|p| p.total),
            prev_rnk: prev.and_then(|p| p.rnk),
            detail,
        };
        Some(Self {
            primary: record,
            tie_break,
            item,
        })
    }

    /// What `rnk` compares (§6.4): the best run, then the other run, nulls last; `None` without
    /// a best run.
    fn rank_key(&self) -> Option<(i32, NullsLast)> {
        self.item
            .total_total
            .map(|total| (total, nulls_last(self.tie_break)))
    }

    /// §6.6: best runs by (total, tie-break nulls last, bib), then awaiting a run, then status
    /// rows, both by the primary row's (start order, bib); the primary row id decides the rest.
    fn sort_key(&self) -> (u8, NullsLast, NullsLast, NullsLast, i64) {
        let item = &self.item;
        let group = match (self.rank_key(), &item.core.status) {
            (Some((total, tie_break)), _) => {
                return (
                    0,
                    (false, total),
                    tie_break,
                    nulls_last(item.core.bib),
                    self.primary.row_id,
                );
            }
            (None, None) => 1,
            (None, Some(_)) => 2,
        };
        (
            group,
            nulls_last(self.primary.start_order),
            nulls_last(item.core.bib),
            (false, 0),
            self.primary.row_id,
        )
    }
}

/// Fills `rnk`, `totalBehind`, `catRnk` and `catTotalBehind` of the ordered list: `rnk` is
/// 1 + the number of items with a strictly smaller (best run, other run) pair, so only a tie on
/// both shares it (DV14); category positions are consecutive in list order.
fn assign_ranks<'a>(ordered: &mut [Combined<'a>]) {
    let Some(leader) = ordered.first().and_then(|c| c.item.total_total) else {
        return;
    };
    let mut categories: HashMap<&'a str, (i32, usize)> = HashMap::new();
    let mut shared_rank = 1;
    let mut previous_key = None;
    for (index, combined) in ordered.iter_mut().enumerate() {
        let primary: &'a ResultRecord = combined.primary;
        let Some(key) = combined.rank_key() else {
            break;
        };
        let total = key.0;
        if previous_key != Some(key) {
            shared_rank = position(index);
            previous_key = Some(key);
        }
        let item = &mut combined.item;
        item.core.rnk = Some(shared_rank);
        item.core.total_behind = Some(behind(total.saturating_sub(leader)));
        if let Some(category) = primary.cat_id.as_deref().filter(|c| !c.is_empty()) {
            let (cat_leader, count) = categories.entry(category).or_insert((total, 0));
            item.core.cat_rnk = Some(position(*count));
            *count += 1;
            item.core.cat_total_behind = Some(behind(total.saturating_sub(*cat_leader)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(row_id: i64, race: &str, pid: &str, bib: i32, total: Option<i32>) -> ResultRecord {
        ResultRecord {
            row_id,
            race_id: race.to_owned(),
            participant_id: pid.to_owned(),
            bib: Some(bib),
            start_order: Some(bib),
            time: total,
            pen: total.map(|_| 0),
            total,
            family_name: pid.to_owned(),
            ..ResultRecord::default()
        }
    }

    fn list(records: &[ResultRecord]) -> Vec<BestRunItem> {
        best_run_list("X_BR1_1", "X_BR2_1", records, None, None)
    }

    #[test]
    fn equal_runs_pick_run_one() {
        let records = [
            run(1, "X_BR1_1", "P", 1, Some(9000)),
            run(2, "X_BR2_1", "P", 1, Some(9000)),
        ];
        let item = &list(&records)[0];
        assert_eq!(
            (item.total_total, item.better_run_nr),
            (Some(9000), Some(1))
        );
    }

    #[test]
    fn rows_of_other_races_are_ignored() {
        let records = [
            run(1, "X_BR1_1", "P", 1, Some(9000)),
            run(2, "X_BR1_2", "P", 1, Some(1000)),
            run(3, "Y_BR2_1", "Q", 2, Some(1000)),
        ];
        let items = list(&records);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].total_total, Some(9000));
        assert_eq!(items[0].prev_total, None, "no partner row, no prev values");
    }

    #[test]
    fn equal_best_totals_and_bibs_fall_back_to_the_primary_row_id() {
        let records = [
            run(7, "X_BR2_1", "A", 5, Some(9000)),
            run(3, "X_BR2_1", "B", 5, Some(9000)),
            run(9, "X_BR2_1", "C", 6, None),
            run(2, "X_BR2_1", "D", 6, None),
        ];
        let order: Vec<String> = list(&records).into_iter().map(|i| i.core.name).collect();
        assert_eq!(order, ["B", "A", "D", "C"]);
    }

    #[test]
    fn pollution_needs_both_conditions() {
        // Inconsistent BR2 (total ≠ time + pen by 3) that matches BR1 within 2: polluted.
        let mut br2 = run(2, "X_BR2_1", "P", 1, Some(9002));
        br2.time = Some(8999);
        let records = [run(1, "X_BR1_1", "P", 1, Some(9000)), br2.clone()];
        let item = &list(&records)[0];
        assert_eq!((item.core.pen, item.core.total), (None, Some(8999)));
        assert_eq!(
            (item.total_total, item.better_run_nr),
            (Some(9000), Some(1))
        );
        // Off by exactly 2 from its own time + pen: consistent, left alone.
        br2.time = Some(9000);
        let records = [run(1, "X_BR1_1", "P", 1, Some(9000)), br2];
        let item = &list(&records)[0];
        assert_eq!((item.core.pen, item.core.total), (Some(0), Some(9002)));
    }

    fn ranks(items: &[BestRunItem]) -> Vec<(String, Option<i32>)> {
        items
            .iter()
            .map(|i| (i.core.name.clone(), i.core.rnk))
            .collect()
    }

    #[test]
    fn equal_best_runs_are_separated_by_the_other_run() {
        // A and B: best 9000, other runs 9500 and 9400; C: best 9000, other run DNF (no
        // tie-break, after every number); D: best 9000 from BR2, BR1 missing.
        let mut c2 = run(6, "X_BR2_1", "C", 3, None);
        c2.status = Some("DNF".to_owned());
        let records = [
            run(1, "X_BR1_1", "A", 1, Some(9000)),
            run(2, "X_BR2_1", "A", 1, Some(9500)),
            run(3, "X_BR1_1", "B", 2, Some(9400)),
            run(4, "X_BR2_1", "B", 2, Some(9000)),
            run(5, "X_BR1_1", "C", 3, Some(9000)),
            c2,
            run(7, "X_BR2_1", "D", 4, Some(9000)),
            run(8, "X_BR1_1", "E", 5, Some(8000)),
            run(9, "X_BR2_1", "E", 5, Some(9000)),
        ];
        let items = list(&records);
        assert_eq!(
            ranks(&items),
            [
                ("E".to_owned(), Some(1)),
                ("B".to_owned(), Some(2)),
                ("A".to_owned(), Some(3)),
                ("C".to_owned(), Some(4)),
                ("D".to_owned(), Some(4)),
            ],
            "no other run on both sides is a tie: C and D share 4th, listed by bib"
        );
        let behind: Vec<Option<&str>> = items
            .iter()
            .map(|i| i.core.total_behind.as_deref())
            .collect();
        assert_eq!(
            behind,
            [
                Some("0.00"),
                Some("+10.00"),
                Some("+10.00"),
                Some("+10.00"),
                Some("+10.00")
            ]
        );
    }

    #[test]
    fn a_polluted_pair_breaks_ties_with_the_repaired_second_run() {
        // P: BR2 carries run 1's total (9001 ≠ 9100 + 0, within 2 of 9000): its own run is the
        // time 9100. Q: the same best run, other run 9050.
        let mut polluted = run(2, "X_BR2_1", "P", 1, Some(9001));
        polluted.time = Some(9100);
        let records = [
            run(1, "X_BR1_1", "P", 1, Some(9000)),
            polluted,
            run(3, "X_BR1_1", "Q", 2, Some(9000)),
            run(4, "X_BR2_1", "Q", 2, Some(9050)),
        ];
        assert_eq!(
            ranks(&list(&records)),
            [("Q".to_owned(), Some(1)), ("P".to_owned(), Some(2))]
        );
    }
}
