//! Results diffs (contract §6.5, DV16): each affected race's diff list before and after the write,
//! and the changed items as JSON text.

use live_domain::results::{
    BestRunItem, ResultDiffItem, ResultRecord, best_run_list, changed_items, single_run_diff_list,
};

use super::RaceDiff;
use super::apply::WorkRow;
use super::targets::Group;
use crate::error::StoreError;

/// The diff list of one group.
#[derive(Debug)]
pub(super) enum DiffList {
    /// A single-run race: every row, unfiltered, with the stored XML columns.
    Single(Vec<ResultDiffItem>),
    /// A best-run pair: the combined list (non-detailed items).
    Pair(Vec<BestRunItem>),
}

/// The diff list of `group` from `rows` as they are now.
pub(super) fn list(group: &Group, rows: &[WorkRow]) -> DiffList {
    match group {
        Group::Single { race_pk, .. } => {
            let records: Vec<ResultRecord> = rows
                .iter()
                .filter(|r| r.stored.race_pk == *race_pk)
                .map(|r| r.stored.record.clone())
                .collect();
            DiffList::Single(single_run_diff_list(&records))
        }
        Group::Pair {
            br1,
            br2,
            br1_pk,
            br2_pk,
        } => {
            let records: Vec<ResultRecord> = rows
                .iter()
                .filter(|r| Some(r.stored.race_pk) == *br1_pk || Some(r.stored.race_pk) == *br2_pk)
                .map(|r| r.stored.record.clone())
                .collect();
            DiffList::Pair(best_run_list(br1, br2, &records, None, None))
        }
    }
}

/// The diffs to send: per group the items of its list after the write (from `rows`) that are new
/// or changed against `before`, as one JSON array; a pair's items go to each of its existing race
/// ids, BR1 first. Groups without changes send nothing.
pub(super) fn changed(
    groups: &[Group],
    before: &[DiffList],
    rows: &[WorkRow],
) -> Result<Vec<RaceDiff>, StoreError> {
    let mut diffs = Vec::new();
    for (group, before) in groups.iter().zip(before) {
        let json = match (before, list(group, rows)) {
            (DiffList::Single(b), DiffList::Single(a)) => {
                let items = changed_items(b, &a);
                (!items.is_empty())
                    .then(|| serde_json::to_string(&items))
                    .transpose()?
            }
            (DiffList::Pair(b), DiffList::Pair(a)) => {
                let items = changed_items(b, &a);
                (!items.is_empty())
                    .then(|| serde_json::to_string(&items))
                    .transpose()?
            }
            // Both lists of a group come from `list` with the same group.
            _ => None,
        };
        let Some(json) = json else {
            continue;
        };
        match group {
            Group::Single { race_id, .. } => diffs.push(RaceDiff {
                race_id: race_id.clone(),
                results: json,
            }),
            Group::Pair {
                br1,
                br2,
                br1_pk,
                br2_pk,
            } => {
                for (race_id, pk) in [(br1, br1_pk), (br2, br2_pk)] {
                    if pk.is_some() {
                        diffs.push(RaceDiff {
                            race_id: race_id.clone(),
                            results: json.clone(),
                        });
                    }
                }
            }
        }
    }
    Ok(diffs)
}
