//! The XML import against the real export (c123-xml.md §4–§11) and its idempotence.

use live_domain::c123::{C123Export, XmlResult};
use live_domain::requests::MergeStrategy;
use live_domain::{Gate, GateType};

use crate::support::{LODM_QUA, REAL_EXPORT, TestDb, assert_same_dump, backends, export};

/// Counts rows of `table` belonging to the event (through the join where needed).
fn count(db: &TestDb, table: &str) -> String {
    db.value(&format!("SELECT count(*) AS line FROM {table}"))
}

/// `time,pen,total,status` of one result, `NULL` spelled out.
fn times(db: &TestDb, race: &str, participant: &str) -> String {
    db.value(&format!(
        "SELECT quote(r.time) || ',' || quote(r.pen) || ',' || quote(r.total) || ',' || \
         quote(r.status) || ',' || r.last_source AS line \
         FROM results r JOIN races c ON c.id = r.race_id JOIN participants p ON p.id = r.participant_id \
         WHERE c.race_id = '{race}' AND p.participant_id = '{participant}'"
    ))
}

/// The stored gate penalties of one result, comma-separated, `null` spelled out.
fn penalties(db: &TestDb, race: &str, participant: &str) -> String {
    db.value(&format!(
        "SELECT group_concat(coalesce(json_extract(g.value, '$.penalty'), 'null'), ',') AS line \
         FROM results r JOIN races c ON c.id = r.race_id JOIN participants p ON p.id = r.participant_id, \
         json_each(r.gates) g \
         WHERE c.race_id = '{race}' AND p.participant_id = '{participant}'"
    ))
}

fn gates_text(db: &TestDb, race: &str, participant: &str) -> String {
    db.value(&format!(
        "SELECT r.gates AS line \
         FROM results r JOIN races c ON c.id = r.race_id JOIN participants p ON p.id = r.participant_id \
         WHERE c.race_id = '{race}' AND p.participant_id = '{participant}'"
    ))
}

backends! {
async fn real_export_is_stored_completely(db) {
    let pk = db.event("jarni").await;
    let applied = db.import(pk, REAL_EXPORT).await;

    assert_eq!(count(&db, "participants"), "366");
    assert_eq!(count(&db, "classes"), "15");
    assert_eq!(count(&db, "races"), "45");
    assert_eq!(count(&db, "results"), "1422");
    assert_eq!(count(&db, "courses"), "4");
    assert_eq!(count(&db, "categories"), "88");
    assert_eq!(
        db.value(
            "SELECT group_concat(course_nr || ':' || nr_gates || ':' || gate_config, ' ') AS line \
             FROM (SELECT * FROM courses ORDER BY course_nr) AS s"
        ),
        "1:24:NNRNNRNRNNNRNNRNRNNRNNRN 2:18:RNNRNNNRNNRNRNNRNN 3:24:NNRNNNNRRNNRNNNRNNNNNRNN \
         4:18:RNNRNNNNRRNNNNNRNR"
    );

    // Event display fields from the XML (absent → null), main title and key untouched.
    assert_eq!(
        db.value(
            "SELECT main_title || '|' || quote(sub_title) || '|' || location || '|' || facility \
             || '|' || start_date || '|' || end_date || '|' || discipline || '|' || quote(has_xml_data) \
             AS line FROM events"
        ),
        "LODM 2024|NULL|Areál Lídy Polesné|Areál Lídy Polesné|2026-03-08|2026-03-08|Slalom|1"
    );

    // Units: milliseconds → centiseconds, whole-second penalties → centiseconds (§6).
    assert_eq!(
        times(&db, "K1M_ST_BR1_6", "12054.K1M_ST"),
        "7699,200,7899,NULL,xml"
    );
    // Statuses (§8).
    assert_eq!(
        db.value(
            "SELECT group_concat(status || '=' || n, ' ') AS line FROM \
             (SELECT status, count(*) AS n FROM results WHERE status IS NOT NULL \
              GROUP BY status ORDER BY status) AS s"
        ),
        "DNF=32 DNS=62 DSQ=2"
    );
    assert_eq!(
        db.value("SELECT count(*) AS line FROM results WHERE last_source <> 'xml'"),
        "0"
    );

    // Fixed-width gates (§7 examples).
    assert_eq!(
        penalties(&db, "K1W_ST_BR2_6", "27003.K1W_ST"),
        "2,0,0,2,2,0,2,0,0,50,0,0,50,0,0,2,2,0,null,0,0,2,0,0"
    );
    assert_eq!(
        penalties(&db, "C1M_HO_BR1_7", "9029.C1M_HO"),
        "50,0,2,2,2,0,0,0,null,null,null,null,0,0,0,0,0,0"
    );
    assert_eq!(
        times(&db, "C1M_HO_BR1_7", "9029.C1M_HO").split(',').nth(3),
        Some("'DSQ'")
    );
    // The whole stored text of one list: numbers, types from course 1, nulls.
    let course = "NNRNNRNRNNNRNNRNRNNRNNRN";
    let expected: Vec<String> = course
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let kind = if c == 'N' { "normal" } else { "reverse" };
            let penalty = if i == 4 { "2" } else { "null" };
            format!(
                r#"{{"number":{},"type":"{kind}","penalty":{penalty}}}"#,
                i + 1
            )
        })
        .collect();
    assert_eq!(
        gates_text(&db, "K1M_ST_BR2_6", "119045.K1M_ST"),
        format!("[{}]", expected.join(","))
    );
    // A slot value outside 0/2/50 is stored as given.
    assert_eq!(
        penalties(&db, "K1M_ST_BR2_6", "23006.K1M_ST")
            .split(',')
            .nth(5),
        Some("300")
    );

    // The placeholder race is a normal race without class and without results.
    assert_eq!(
        db.value(
            "SELECT quote(class_id) || ',' || race_type || ',' || race_status AS line \
             FROM races WHERE race_id = '<unassigned>'"
        ),
        "NULL,seeding,0"
    );
    // Stored, but not listed in the `full` data (DV40): 44 of the 45 races.
    assert_eq!(db.value("SELECT count(*) AS line FROM races"), "45");
    assert!(
        applied
            .full
            .races
            .iter()
            .all(|r| r.race_id != "<unassigned>" && r.class_id.is_some())
    );
    assert_eq!(applied.full.races.len(), 44);
    assert_eq!(applied.full.classes.len(), 15);
    assert_eq!(
        applied
            .full
            .classes
            .iter()
            .map(|c| c.categories.len())
            .sum::<usize>(),
        88
    );
    assert!(
        applied
            .full
            .classes
            .iter()
            .any(|c| c.class_id == "NA" && c.categories.is_empty())
    );
}
}

backends! {
async fn reimporting_the_same_export_keeps_every_row_and_id(db) {
    let pk = db.event("jarni").await;
    let first = db.import(pk, REAL_EXPORT).await;
    let dump = db.dump();
    let second = db.import(pk, REAL_EXPORT).await;
    assert_same_dump(&db.dump(), &dump, "re-import");
    assert_eq!(first, second);
    // Under the other strategy too (no row was written by the live feed).
    db.store
        .apply_xml(pk, export(REAL_EXPORT), MergeStrategy::Xml)
        .await
        .unwrap();
    assert_same_dump(&db.dump(), &dump, "re-import under `xml`");
}
}

backends! {
async fn a_second_event_is_independent(db) {
    let a = db.event("a").await;
    let b = db.event("b").await;
    db.import(a, LODM_QUA).await;
    db.import(b, LODM_QUA).await;
    assert_eq!(count(&db, "results"), "26");
    // Re-importing into `a` prunes nothing of `b`.
    db.import(a, crate::support::LODM).await;
    assert_eq!(
        db.value(
            "SELECT group_concat(race_id, ' ') AS line FROM \
             (SELECT race_id FROM races WHERE event_id = 2 ORDER BY race_id) AS s"
        ),
        "K1M-ZS_BR1_25 K1M-ZS_BR2_25 K1W-ZS_QUA_25"
    );
    assert_eq!(
        db.value(
            "SELECT group_concat(race_id, ' ') AS line FROM \
             (SELECT race_id FROM races WHERE event_id = 1 ORDER BY race_id) AS s"
        ),
        "K1M-ZS_BR1_25 K1M-ZS_BR2_25 K1W-ZS_BR1_25"
    );
}
}

backends! {
async fn a_missing_event_is_reported_and_nothing_is_written(db) {
    let dump = db.dump();
    let err = db
        .store
        .apply_xml(42, export(LODM_QUA), MergeStrategy::Live)
        .await
        .unwrap_err();
    assert!(
        matches!(err, live_store::StoreError::EventNotFound),
        "{err}"
    );
    assert_eq!(db.dump(), dump);
}
}

fn bump(v: &mut Option<i32>) {
    *v = Some(v.unwrap_or(0) + 1);
}

fn append_x(v: &mut Option<String>) {
    *v = Some(format!("{}x", v.clone().unwrap_or_default()));
}

fn flip_status(r: &mut XmlResult) {
    r.status = Some(if r.status == Some("DNS") {
        "DNF"
    } else {
        "DNS"
    });
}

fn add_touch(r: &mut XmlResult) {
    let gates = r.gates.get_or_insert_with(Vec::new);
    match gates.first_mut() {
        Some(gate) => gate.penalty = Some(gate.penalty.unwrap_or(0) + 2),
        None => gates.push(Gate {
            number: 1,
            gate_type: GateType::Unknown,
            penalty: Some(2),
        }),
    }
}

/// One edit per stored column of a result row.
const EDITS: [fn(&mut XmlResult); 25] = [
    |r| bump(&mut r.time),
    |r| bump(&mut r.pen),
    |r| bump(&mut r.total),
    flip_status,
    add_touch,
    |r| bump(&mut r.rnk),
    |r| bump(&mut r.rnk_order),
    |r| bump(&mut r.cat_rnk),
    |r| bump(&mut r.cat_rnk_order),
    |r| append_x(&mut r.total_behind),
    |r| append_x(&mut r.cat_total_behind),
    |r| bump(&mut r.start_order),
    |r| bump(&mut r.bib),
    |r| append_x(&mut r.start_time),
    |r| append_x(&mut r.dt_start),
    |r| append_x(&mut r.dt_finish),
    |r| bump(&mut r.prev_time),
    |r| bump(&mut r.prev_pen),
    |r| bump(&mut r.prev_total),
    |r| bump(&mut r.prev_rnk),
    |r| bump(&mut r.total_total),
    |r| bump(&mut r.better_run_nr),
    |r| bump(&mut r.heat_nr),
    |r| bump(&mut r.round_nr),
    |r| append_x(&mut r.qualified),
];

/// The real export with one column of a different result row changed per column, so a re-import
/// must notice each of them.
fn edited_export() -> C123Export {
    let mut export = export(REAL_EXPORT);
    for (i, edit) in EDITS.iter().enumerate() {
        edit(&mut export.results[i * 50]);
    }
    export
}

#[tokio::test]
async fn reimporting_an_edited_export_equals_importing_it_fresh() {
    let reimported = TestDb::open();
    let pk = reimported.event("jarni").await;
    reimported.import(pk, REAL_EXPORT).await;
    reimported
        .store
        .apply_xml(pk, edited_export(), MergeStrategy::Live)
        .await
        .unwrap();

    let fresh = TestDb::open();
    let pk = fresh.event("jarni").await;
    fresh
        .store
        .apply_xml(pk, edited_export(), MergeStrategy::Live)
        .await
        .unwrap();

    // `events` holds the creation time; everything else must be identical, ids included.
    let dump = |db: &TestDb| live_store::dump_tables(db.path(), &["events"]).unwrap();
    assert_same_dump(&dump(&reimported), &dump(&fresh), "edited re-import");
    assert_ne!(
        dump(&fresh),
        {
            let original = TestDb::open();
            let pk = original.event("jarni").await;
            original.import(pk, REAL_EXPORT).await;
            dump(&original)
        },
        "the edits change stored rows"
    );
}

backends! {
async fn a_reimport_writes_only_the_result_rows_that_changed(db) {
    let pk = db.event("jarni").await;
    db.import(pk, REAL_EXPORT).await;
    if db.is_postgres() {
        db.execute(
            "CREATE TABLE result_writes (id INTEGER NOT NULL); \
             CREATE FUNCTION count_write() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN INSERT INTO result_writes VALUES (NEW.id); RETURN NEW; END $$; \
             CREATE TRIGGER count_updates AFTER UPDATE ON results \
             FOR EACH ROW EXECUTE FUNCTION count_write(); \
             CREATE TRIGGER count_inserts AFTER INSERT ON results \
             FOR EACH ROW EXECUTE FUNCTION count_write();",
        );
    } else {
        db.execute(
            "CREATE TABLE result_writes (id INTEGER NOT NULL); \
             CREATE TRIGGER count_updates AFTER UPDATE ON results \
             BEGIN INSERT INTO result_writes VALUES (NEW.id); END; \
             CREATE TRIGGER count_inserts AFTER INSERT ON results \
             BEGIN INSERT INTO result_writes VALUES (NEW.id); END;",
        );
    }
    db.import(pk, REAL_EXPORT).await;
    assert_eq!(db.value("SELECT count(*) AS line FROM result_writes"), "0");
    db.store
        .apply_xml(pk, edited_export(), MergeStrategy::Live)
        .await
        .unwrap();
    assert_eq!(
        db.value("SELECT count(DISTINCT id) AS line FROM result_writes"),
        "25"
    );
}
}
