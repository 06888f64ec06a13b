//! The snapshot prune (c123-xml.md §10.2) with the minimal cleanup fixtures.

use crate::support::{LODM_QUA, TestDb, backends};

fn ids(db: &TestDb, sql: &str) -> String {
    db.value(&format!(
        "SELECT coalesce(group_concat(x, ' '), '') AS line FROM ({sql}) AS s"
    ))
}

/// `participant:row id` of every result of race `R1`.
fn r1_results(db: &TestDb) -> String {
    ids(
        db,
        "SELECT p.participant_id || ':' || r.id AS x FROM results r \
         JOIN participants p ON p.id = r.participant_id JOIN races c ON c.id = r.race_id \
         WHERE c.race_id = 'R1' ORDER BY p.participant_id",
    )
}

backends! {
async fn a_result_missing_under_its_race_is_deleted(db) {
    let pk = db.event("cleanup").await;
    db.import(pk, "sample-minimal-cleanup-a-3results.xml").await;
    assert_eq!(r1_results(&db), "1:1 2:2 3:3");
    db.import(pk, "sample-minimal-cleanup-b-2results.xml").await;
    assert_eq!(r1_results(&db), "1:1 2:2", "participant 3 loses its result");
    assert_eq!(
        ids(
            &db,
            "SELECT participant_id AS x FROM participants ORDER BY id"
        ),
        "1 2 3",
        "participants stay"
    );
    let startlist = db.store.startlist(pk, "R1").await.unwrap().unwrap();
    let names: Vec<&str> = startlist
        .startlist
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["Alpha", "Beta"]);
}
}

backends! {
async fn a_missing_participant_is_deleted_with_its_results(db) {
    let pk = db.event("cleanup").await;
    db.import(pk, "sample-minimal-cleanup-c-2participants.xml")
        .await;
    db.import(pk, "sample-minimal-cleanup-d-1participant.xml")
        .await;
    assert_eq!(
        ids(&db, "SELECT participant_id AS x FROM participants"),
        "1"
    );
    assert_eq!(r1_results(&db), "1:1");
}
}

backends! {
async fn a_missing_race_is_deleted(db) {
    let pk = db.event("cleanup").await;
    db.import(pk, "sample-minimal-cleanup-e-2races.xml").await;
    assert_eq!(
        ids(&db, "SELECT race_id AS x FROM races ORDER BY race_id"),
        "R1 R2"
    );
    db.import(pk, "sample-minimal-cleanup-d-1participant.xml")
        .await;
    assert_eq!(ids(&db, "SELECT race_id AS x FROM races"), "R1");
    assert!(
        db.store
            .race_results(pk, "R2", None, false)
            .await
            .unwrap()
            .is_none()
    );
    // `R1` is `BR1` without a pair pattern: its combined list is empty (fixtures README).
    let r1 = db
        .store
        .race_results(pk, "R1", None, false)
        .await
        .unwrap()
        .unwrap();
    assert!(r1.results.is_empty());
}
}

backends! {
async fn another_export_replaces_everything_classes_and_courses_included(db) {
    let pk = db.event("switch").await;
    db.import(pk, LODM_QUA).await;
    db.import(pk, "sample-minimal-cleanup-a-3results.xml").await;
    assert_eq!(ids(&db, "SELECT class_id AS x FROM classes"), "K1M");
    assert_eq!(ids(&db, "SELECT cat_id AS x FROM categories"), "");
    assert_eq!(
        ids(&db, "SELECT course_nr AS x FROM courses"),
        "",
        "no CourseData: all go"
    );
    assert_eq!(ids(&db, "SELECT race_id AS x FROM races"), "R1");
    assert_eq!(db.value("SELECT count(*) AS line FROM participants"), "3");
    assert_eq!(db.value("SELECT count(*) AS line FROM results"), "3");
}
}
