//! The re-ranking the `live` merge strategy requires (c123-xml.md §10.3): every non-best-run race
//! in which a row kept its live values gets the single-run ranking of computations.md §4; in all
//! other races the XML ranks stand as delivered.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use live_domain::c123::C123Export;
use live_domain::results::{RankInput, rank_single_run};

use super::tables::IdMap;
use crate::connection::DbConnection;
use crate::error::StoreError;
use crate::import_rows::RankUpdate;
use crate::records::{self, Gates, StoredResult};
use crate::schema::results;

/// Re-ranks the non-best-run races among `kept_live_races` and writes the rank columns of the rows
/// whose columns changed.
pub(super) fn races_that_kept_live_values(
    conn: &mut DbConnection,
    export: &C123Export,
    races: &IdMap,
    kept_live_races: &[i32],
) -> Result<(), StoreError> {
    if kept_live_races.is_empty() {
        return Ok(());
    }
    let best_run: HashSet<i32> = export
        .races
        .iter()
        .filter(|r| r.race_type.is_best_run())
        .filter_map(|r| races.get(&r.race_id).copied())
        .collect();
    let single_run: Vec<i32> = kept_live_races
        .iter()
        .copied()
        .filter(|pk| !best_run.contains(pk))
        .collect();
    let mut by_race: HashMap<i32, Vec<StoredResult>> = HashMap::new();
    for row in records::load(conn, &single_run, Gates::Skip)? {
        by_race.entry(row.race_pk).or_default().push(row);
    }
    for rows in by_race.values() {
        let inputs: Vec<RankInput<'_>> = rows.iter().map(|s| RankInput::from(&s.record)).collect();
        for (row, ranked) in rows.iter().zip(rank_single_run(&inputs)) {
            let r = &row.record;
            let c = &ranked.columns;
            let unchanged = r.rnk == c.rnk
                && r.rnk_order == c.rnk_order
                && r.total_behind == c.total_behind
                && r.cat_rnk == c.cat_rnk
                && r.cat_rnk_order == c.cat_rnk_order
                && r.cat_total_behind == c.cat_total_behind;
            if unchanged {
                continue;
            }
            diesel::update(results::table.find(records::row_pk(r)?))
                .set(RankUpdate {
                    rnk: c.rnk,
                    rnk_order: c.rnk_order,
                    total_behind: c.total_behind.as_deref(),
                    cat_rnk: c.cat_rnk,
                    cat_rnk_order: c.cat_rnk_order,
                    cat_total_behind: c.cat_total_behind.as_deref(),
                })
                .execute(conn)?;
        }
    }
    Ok(())
}
