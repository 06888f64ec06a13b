//! Canoe123 reproduction (computations.md §4): the single-run ranking applied to each race's stored
//! rows of the real export gives exactly Canoe123's `Rnk` and `TotalBehind` on every row, and its
//! `CatRnk` on rows with a category and no status.

use std::collections::BTreeMap;

use live_domain::results::{RankInput, rank_single_run};

use crate::support::{REAL_EXPORT, TestDb};

/// One stored row: what ranking reads and what Canoe123 delivered.
struct Stored {
    id: i64,
    bib: Option<i32>,
    total: Option<i32>,
    status: Option<String>,
    cat_id: Option<String>,
    rnk: Option<i32>,
    total_behind: Option<String>,
    cat_rnk: Option<i32>,
}

fn int(v: &str) -> Option<i32> {
    (v != "NULL").then(|| v.parse().unwrap())
}

fn text(v: &str) -> Option<String> {
    (v != "NULL").then(|| v.trim_matches('\'').to_owned())
}

#[tokio::test]
async fn ranking_the_stored_rows_reproduces_canoe123() {
    let db = TestDb::open();
    let pk = db.event("jarni").await;
    db.import(pk, REAL_EXPORT).await;

    let mut races: BTreeMap<String, Vec<Stored>> = BTreeMap::new();
    for line in db.lines(
        "SELECT c.race_id || '|' || r.id || '|' || quote(r.bib) || '|' || quote(r.total) || '|' || \
         quote(r.status) || '|' || quote(p.cat_id) || '|' || quote(r.rnk) || '|' || \
         quote(r.total_behind) || '|' || quote(r.cat_rnk) AS line \
         FROM results r JOIN races c ON c.id = r.race_id JOIN participants p ON p.id = r.participant_id \
         ORDER BY r.id",
    ) {
        let f: Vec<&str> = line.split('|').collect();
        races.entry(f[0].to_owned()).or_default().push(Stored {
            id: f[1].parse().unwrap(),
            bib: int(f[2]),
            total: int(f[3]),
            status: text(f[4]),
            cat_id: text(f[5]),
            rnk: int(f[6]),
            total_behind: text(f[7]),
            cat_rnk: int(f[8]),
        });
    }
    assert_eq!(races.values().map(Vec::len).sum::<usize>(), 1422);

    let (mut overall, mut category) = (0, 0);
    for (race, rows) in &races {
        let inputs: Vec<RankInput<'_>> = rows
            .iter()
            .map(|r| RankInput {
                row_id: r.id,
                bib: r.bib,
                total: r.total,
                status: r.status.as_deref(),
                cat_id: r.cat_id.as_deref(),
            })
            .collect();
        for (row, ranked) in rows.iter().zip(rank_single_run(&inputs)) {
            let c = ranked.columns;
            assert_eq!(
                (c.rnk, c.total_behind.as_deref()),
                (row.rnk, row.total_behind.as_deref()),
                "{race}, bib {:?}: Rnk/TotalBehind",
                row.bib
            );
            overall += 1;
            if row.cat_id.as_deref().is_some_and(|c| !c.is_empty()) && row.status.is_none() {
                assert_eq!(c.cat_rnk, row.cat_rnk, "{race}, bib {:?}: CatRnk", row.bib);
                category += 1;
            }
        }
    }
    assert_eq!(overall, 1422);
    assert!(category > 0);
    // The documented tie: race K1M_HO_BR1_7, bibs 150 and 170 share Rnk 45, CatRnk 15/16.
    let tie: Vec<(Option<i32>, Option<i32>, Option<i32>)> = races["K1M_HO_BR1_7"]
        .iter()
        .filter(|r| matches!(r.bib, Some(150 | 170)))
        .map(|r| (r.bib, r.rnk, r.cat_rnk))
        .collect();
    assert_eq!(
        tie,
        [
            (Some(150), Some(45), Some(15)),
            (Some(170), Some(45), Some(16))
        ]
    );
}
