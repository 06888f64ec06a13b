//! Atomicity (c123-xml.md §10.1, DV10): a write that fails half-way leaves no trace. Failures are
//! injected with triggers that abort a statement the write runs late.

use live_domain::requests::MergeStrategy;
use live_store::StoreError;
use serde_json::json;

use crate::support::{LODM, LODM_QUA, assert_same_dump, backends, export, feed};

backends! {
async fn a_failing_xml_import_changes_nothing(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    let dump = db.dump();

    // The other sample changes the event dates and replaces the qualification by a best-run race
    // (new race, new result rows), then fails while inserting those rows, after every earlier
    // step ran.
    db.fail_trigger("fail_results", "BEFORE INSERT ON results", None);
    let err = db
        .store
        .apply_xml(pk, export(LODM), MergeStrategy::Live)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Db(_)), "{err}");
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert_same_dump(&db.dump(), &dump, "failed import");

    // The writer connection is usable again and the same import now commits.
    db.drop_trigger("fail_results", "results");
    db.store
        .apply_xml(pk, export(LODM), MergeStrategy::Live)
        .await
        .unwrap();
    assert_eq!(
        db.value("SELECT start_date AS line FROM events"),
        "2024-06-25"
    );
}
}

backends! {
async fn a_failing_first_import_leaves_the_event_untouched(db) {
    db.event("lodm-2024").await;
    let dump = db.dump();
    db.fail_trigger("fail_insert", "BEFORE INSERT ON results", None);
    assert!(
        db.store
            .apply_xml(1, export(LODM_QUA), MergeStrategy::Live)
            .await
            .is_err()
    );
    assert_same_dump(&db.dump(), &dump, "failed first import");
    assert_eq!(db.value("SELECT has_xml_data AS line FROM events"), "0");
}
}

backends! {
async fn a_failing_results_ingest_changes_nothing(db) {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    let dump = db.dump();
    // The body row and the rows its re-ranking moves are written in one transaction; the write
    // of the re-ranked leader (bib 3) fails.
    db.fail_trigger("fail_rank", "BEFORE UPDATE OF rnk ON results", Some("NEW.bib = 3"));
    let body = json!({"results": [
        {"raceId": "K1W-ZS_QUA_25", "participantId": "23176.K1W.ZS", "bib": 2,
         "time": 7000, "pen": 0, "total": 7000}
    ]});
    let err = db.store.apply_results(pk, feed(&body)).await.unwrap_err();
    assert!(err.to_string().contains("injected failure"), "{err}");
    assert_same_dump(&db.dump(), &dump, "failed results ingest");
    db.drop_trigger("fail_rank", "results");
    assert_eq!(
        db.store
            .apply_results(pk, feed(&body))
            .await
            .unwrap()
            .updated,
        1
    );
}
}

backends! {
async fn a_nul_character_is_refused_by_postgresql_and_nothing_is_written(db) {
    use live_domain::requests::NewEvent;
    let event = NewEvent {
        event_id: "nul".to_owned(),
        main_title: "LODM\u{0}2024".to_owned(),
        sub_title: None,
        location: None,
        facility: None,
        discipline: None,
        start_date: None,
        end_date: None,
        valid_from: None,
        valid_until: None,
        image: None,
    };
    let created = db
        .store
        .create_event(event, "k".repeat(64), live_domain::time::now())
        .await;
    match db.store.backend() {
        live_store::Backend::Sqlite => assert!(created.is_ok(), "SQLite stores it: {created:?}"),
        live_store::Backend::Postgres => {
            assert!(
                matches!(created, Err(StoreError::Unstorable)),
                "{created:?}"
            );
            assert_eq!(db.value("SELECT count(*) AS line FROM events"), "0");
        }
    }
}
}
