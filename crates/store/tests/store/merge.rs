//! Merge strategies of the XML import (c123-xml.md §10.3, DV13): what an export does to rows the
//! live feed wrote last.

use live_domain::c123::C123Export;
use live_domain::requests::MergeStrategy;
use serde_json::json;

use crate::support::{LODM_QUA, TestDb, backends, export, feed, sample_feed};

fn columns(db: &TestDb, participant: &str, race: &str) -> String {
    db.value(&format!(
        "SELECT quote(r.time) || ' ' || quote(r.pen) || ' ' || quote(r.total) || ' ' || \
         quote(r.status) || ' ' || quote(r.rnk) || ' ' || quote(r.total_behind) || ' ' || \
         quote(r.start_time) || ' ' || r.last_source AS line \
         FROM results r JOIN races c ON c.id = r.race_id JOIN participants p ON p.id = r.participant_id \
         WHERE c.race_id = '{race}' AND p.participant_id = '{participant}'"
    ))
}

const BR2: &str = "K1M-ZS_BR2_25";
const QUA: &str = "K1W-ZS_QUA_25";

backends! {
async fn live_keeps_what_the_xml_would_blank_and_xml_restores_it(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    let xml_values = columns(&db, "48024.K1M.ZS", BR2);
    assert_eq!(xml_values, "NULL NULL NULL NULL NULL NULL '16:04:00' xml");
    // Bib 11 (no BR2 result in the XML yet) and bib 8 (timed in the XML) are fed live.
    db.store
        .apply_results(pk, sample_feed("c123_server_shape"))
        .await
        .unwrap();
    let live_values = "NULL 0 NULL 'DNF' NULL NULL '16:04:00' live";
    assert_eq!(columns(&db, "48024.K1M.ZS", BR2), live_values);

    // `live`: the XML record has no Time, Total or Status, so the live columns stay; a row the XML
    // times takes the XML values.
    db.import(pk, LODM_QUA).await;
    assert_eq!(columns(&db, "48024.K1M.ZS", BR2), live_values);
    assert_eq!(
        columns(&db, "9069.K1M.ZS", BR2),
        "7320 200 7520 NULL 1 NULL '16:00:00' xml"
    );

    // `xml`: every column takes the XML value.
    db.store
        .apply_xml(pk, export(LODM_QUA), MergeStrategy::Xml)
        .await
        .unwrap();
    assert_eq!(columns(&db, "48024.K1M.ZS", BR2), xml_values);
}
}

/// The export with SAMKOVÁ's qualification record stripped of Time, Total and Status, as if the
/// booth had not exported her run yet.
fn export_without_samkova_run() -> C123Export {
    let mut export = export(LODM_QUA);
    let record = export
        .results
        .iter_mut()
        .find(|r| r.race_id == QUA && r.participant_id == "61003.K1W.ZS")
        .unwrap();
    record.time = None;
    record.total = None;
    record.status = None;
    export
}

backends! {
async fn live_re_ranks_a_single_run_race_that_kept_live_values(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    let body = json!({"results": [
        {"raceId": QUA, "participantId": "61003.K1W.ZS", "bib": 12,
         "time": 7000, "pen": 0, "total": 7000, "rnk": 1, "status": null}
    ]});
    db.store.apply_results(pk, feed(&body)).await.unwrap();

    let applied = db
        .store
        .apply_xml(pk, export_without_samkova_run(), MergeStrategy::Live)
        .await
        .unwrap();
    assert!(applied.full.races.iter().any(|r| r.race_id == QUA));
    assert_eq!(
        columns(&db, "61003.K1W.ZS", QUA),
        "7000 0 7000 NULL 1 '0.00' '14:34:00' live"
    );
    // The rows the XML decided were re-ranked around her instead of keeping the delivered ranks.
    assert_eq!(
        columns(&db, "108047.K1W.ZS", QUA),
        "7605 0 7605 NULL 2 '+6.05' '14:25:00' xml"
    );
    assert_eq!(
        columns(&db, "23176.K1W.ZS", QUA),
        "8182 0 8182 NULL 3 '+11.82' '14:24:00' xml"
    );
    // Best-run races are never re-ranked: their XML ranks stand.
    assert_eq!(
        columns(&db, "9069.K1M.ZS", BR2),
        "7320 200 7520 NULL 1 NULL '16:00:00' xml"
    );

    // Under `xml` the same export blanks her run and the delivered ranks stand.
    db.store
        .apply_xml(pk, export_without_samkova_run(), MergeStrategy::Xml)
        .await
        .unwrap();
    assert_eq!(
        columns(&db, "61003.K1W.ZS", QUA),
        "NULL NULL NULL NULL NULL NULL '14:34:00' xml"
    );
    assert_eq!(
        columns(&db, "108047.K1W.ZS", QUA),
        "7605 0 7605 NULL 1 '0.00' '14:25:00' xml"
    );
}
}
