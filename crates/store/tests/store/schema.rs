//! Schema drift: every row struct selects from a migrated database.

use crate::support::{LODM_QUA, backends};

backends! {
async fn every_row_struct_selects_from_a_migrated_database(db) {
    // Empty tables: column names are checked when SQLite prepares each select.
    db.store.check_schema().await.unwrap();
    // With data: every row struct also decodes a real row of its table.
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    db.store
        .append_ingest_log(vec![live_domain::ingest_log::NewLogEntry {
            event_pk: pk,
            kind: live_domain::ingest_log::LogKind::Xml,
            outcome: live_domain::ingest_log::LogOutcome::Success,
            http_status: 200,
            bytes: 1,
            items: 1,
            duration_ms: 1,
            error: None,
            created_at: "2026-11-26T14:20:16.621Z".to_owned(),
        }])
        .await
        .unwrap();
    for table in [
        "events",
        "classes",
        "categories",
        "participants",
        "races",
        "courses",
        "results",
        "ingest_log",
    ] {
        assert_ne!(
            db.value(&format!("SELECT count(*) AS line FROM {table}")),
            "0"
        );
    }
    db.store.check_schema().await.unwrap();
}
}
