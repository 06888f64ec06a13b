//! Start lists (contract §4.16): every row of the race, status rows included.

use super::items::StartlistItem;
use super::order::nulls_last;
use super::record::ResultRecord;

/// The start list of a race from its rows, by start order, then bib (nulls last), then row id.
pub fn startlist(records: &[ResultRecord]) -> Vec<StartlistItem> {
    let mut rows: Vec<&ResultRecord> = records.iter().collect();
    rows.sort_by_key(|r| (nulls_last(r.start_order), nulls_last(r.bib), r.row_id));
    rows.into_iter()
        .map(|r| StartlistItem {
            start_order: r.start_order,
            bib: r.bib,
            athlete_id: r.athlete_id.clone(),
            name: r.name(),
            club: r.club.clone(),
            noc: r.noc.clone(),
            cat_id: r.cat_id.clone(),
            start_time: r.start_time.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_by_start_order_then_bib_nulls_last() {
        let row = |row_id, start_order, bib| ResultRecord {
            row_id,
            start_order,
            bib,
            family_name: "X".to_owned(),
            ..ResultRecord::default()
        };
        let records = vec![
            row(1, None, Some(1)),
            row(2, Some(2), None),
            row(3, Some(2), Some(9)),
            row(4, Some(1), Some(5)),
            row(5, None, Some(1)),
        ];
        let order: Vec<_> = startlist(&records)
            .iter()
            .map(|i| (i.start_order, i.bib))
            .collect();
        assert_eq!(
            order,
            vec![
                (Some(1), Some(5)),
                (Some(2), Some(9)),
                (Some(2), None),
                (None, Some(1)),
                (None, Some(1)),
            ]
        );
    }
}
