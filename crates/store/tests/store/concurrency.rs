//! Several tasks writing and reading through one `Store` at once: writers queue on the single
//! writer connection (SQLite) or on the event row (PostgreSQL), readers use the read pool in WAL mode, and nobody sees `Busy`.

use std::sync::Arc;

use live_domain::requests::MergeStrategy;
use serde_json::json;

use crate::support::{LODM_QUA, backends, export, feed};

backends! {
async fn writers_and_readers_run_together_without_busy_errors(db) {
    let db = Arc::new(db);
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;

    let mut tasks = Vec::new();
    for writer in 0..3 {
        let db = Arc::clone(&db);
        tasks.push(tokio::spawn(async move {
            for round in 0..25 {
                let total = 7000 + writer * 100 + round;
                let body = json!({"results": [
                    {"raceId": "K1W-ZS_QUA_25", "participantId": "23176.K1W.ZS", "bib": 2,
                     "time": total, "pen": 0, "total": total},
                    {"raceId": "K1M-ZS_BR2_25", "participantId": "48024.K1M.ZS", "bib": 11,
                     "time": total, "pen": 0, "total": total}
                ]});
                let applied = db.store.apply_results(pk, feed(&body)).await?;
                assert_eq!(applied.updated, 2);
            }
            Ok::<_, live_store::StoreError>(())
        }));
    }
    {
        let db = Arc::clone(&db);
        tasks.push(tokio::spawn(async move {
            for _ in 0..5 {
                db.store
                    .apply_xml(pk, export(LODM_QUA), MergeStrategy::Live)
                    .await?;
            }
            Ok(())
        }));
    }
    for _ in 0..4 {
        let db = Arc::clone(&db);
        tasks.push(tokio::spawn(async move {
            for _ in 0..40 {
                let results = db
                    .store
                    .race_results(pk, "K1M-ZS_BR2_25", None, true)
                    .await?
                    .expect("race exists throughout");
                assert_eq!(results.results.len(), 5);
                db.store.event_detail("lodm-2024").await?.expect("event");
                db.store.public_events().await?;
            }
            Ok(())
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(db.value("SELECT count(*) AS line FROM results"), "13");
}
}
