//! Public reads (contract §4.12–§4.18) against imported samples: the contract's example bodies and
//! the `xml_fixture_cases` of `br-combined-and-ranking-cases.json`.

use live_domain::EventStatus;
use live_domain::public::{CategoryList, FullData, PublicEventList, RaceResultList};
use live_domain::requests::{EventImage, MergeStrategy, NewEvent};
use serde_json::{Value, json};

use crate::support::{LODM, LODM_QUA, TestDb, backends, export, json as fixture_json, now};

/// A body as a JSON value, so bodies compare regardless of key order.
macro_rules! value {
    ($body:expr) => {
        serde_json::to_value(&$body).unwrap()
    };
}

/// Keeps the first two gates of every item, as the contract's shortened examples do.
fn shorten_gates(items: &mut Value) {
    for item in items.as_array_mut().unwrap() {
        if let Some(gates) = item["gates"].as_array_mut() {
            gates.truncate(2);
        }
    }
}

async fn lodm_event(db: &TestDb) -> i32 {
    let pk = db.event("lodm-2024").await;
    db.import(pk, LODM_QUA).await;
    db.set_status("lodm-2024", EventStatus::Running).await;
    pk
}

#[tokio::test]
async fn xml_fixture_cases_through_the_store() {
    let cases = fixture_json("br-combined-and-ranking-cases.json");
    let cases = cases["xml_fixture_cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let db = TestDb::open();
        let pk = db.event("case").await;
        db.import(pk, case["fixture"].as_str().unwrap()).await;
        let query = case["query"].as_str().unwrap();
        let results = db
            .store
            .race_results(pk, query, None, false)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            value!(results.results),
            case["expect"],
            "case {}",
            case["name"]
        );
    }
}

backends! {
async fn best_run_results_are_the_contract_example_for_either_id(db) {
    let pk = lodm_event(&db).await;
    let expected: Value = serde_json::from_str(r#"{"race":{"raceId":"K1M-ZS_BR2_25","classId":"K1M-ZS","raceType":"best-run-2","raceStatus":3},"results":[
 {"rnk":1,"bib":13,"athleteId":"23128","name":"REZEK Adam","club":"SKVSČB","noc":"JCK","catId":"ZS","catRnk":1,"time":7740,"pen":400,"total":8140,"totalBehind":"0.00","catTotalBehind":"0.00","status":null,"prevStatus":null,"currStatus":null,"betterRunNr":1,"totalTotal":7463,"prevTime":7463,"prevPen":0,"prevTotal":7463,"prevRnk":1},
 {"rnk":2,"bib":17,"athleteId":"119238","name":"MALÝ Tomáš","club":"Olomouc","noc":"OLK","catId":"ZS","catRnk":2,"time":7520,"pen":0,"total":7520,"totalBehind":"+0.57","catTotalBehind":"+0.57","status":null,"prevStatus":null,"currStatus":null,"betterRunNr":2,"totalTotal":7520,"prevTime":7348,"prevPen":200,"prevTotal":7548,"prevRnk":2},
 {"rnk":3,"bib":8,"athleteId":"9069","name":"KOLÁŘ Lukáš","club":"USK Pha","noc":"PHA","catId":"ZS","catRnk":3,"time":7320,"pen":200,"total":7520,"totalBehind":"+0.57","catTotalBehind":"+0.57","status":null,"prevStatus":null,"currStatus":null,"betterRunNr":2,"totalTotal":7520,"prevTime":7860,"prevPen":0,"prevTotal":7860,"prevRnk":3},
 {"rnk":4,"bib":12,"athleteId":"60090","name":"KUDĚJ Jan","club":"Trutnov","noc":"KHK","catId":"ZS","catRnk":4,"time":8900,"pen":0,"total":8900,"totalBehind":"+14.37","catTotalBehind":"+14.37","status":null,"prevStatus":"DNS","currStatus":null,"betterRunNr":2,"totalTotal":8900,"prevTime":null,"prevPen":null,"prevTotal":null,"prevRnk":null},
 {"rnk":null,"bib":11,"athleteId":"48024","name":"KOVÁČ Tobiáš","club":"Klášter.","noc":"USK","catId":"ZS","catRnk":null,"time":null,"pen":null,"total":null,"totalBehind":null,"catTotalBehind":null,"status":null,"prevStatus":"DSQ","currStatus":null,"betterRunNr":null,"totalTotal":null,"prevTime":9242,"prevPen":5200,"prevTotal":14442,"prevRnk":null}]}"#).unwrap();
    let br2 = db
        .store
        .race_results(pk, "K1M-ZS_BR2_25", None, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(value!(br2), expected);
    let br1 = db
        .store
        .race_results(pk, "K1M-ZS_BR1_25", Some("ZS"), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        value!(br1.results),
        expected["results"],
        "same list via BR1"
    );
    assert_eq!(br1.race.race_id, "K1M-ZS_BR1_25");
    // An empty category query is no filter; an unknown category lists nothing.
    let empty = db
        .store
        .race_results(pk, "K1M-ZS_BR2_25", Some(""), false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(value!(empty.results), expected["results"]);
    let none = db
        .store
        .race_results(pk, "K1M-ZS_BR2_25", Some("U23"), false)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(none.results, RaceResultList::BestRun(ref items) if items.is_empty()));
    assert!(
        db.store
            .race_results(pk, "K1M-ZS_BR3_25", None, false)
            .await
            .unwrap()
            .is_none()
    );
}
}

backends! {
async fn detailed_results_carry_gates_and_the_course_gate_count(db) {
    let pk = lodm_event(&db).await;
    let results = db
        .store
        .race_results(pk, "K1W-ZS_QUA_25", Some("ZS"), true)
        .await
        .unwrap()
        .unwrap();
    let mut body = value!(results);
    assert_eq!(
        body["race"],
        json!({"raceId":"K1W-ZS_QUA_25","classId":"K1W-ZS","raceType":"qualification","raceStatus":5})
    );
    assert_eq!(body["results"][0]["gates"].as_array().unwrap().len(), 24);
    shorten_gates(&mut body["results"]);
    // Contract §4.15, second example: two of the three rows.
    let expected: Value = serde_json::from_str(r#"[
 {"rnk":1,"bib":3,"athleteId":"108047","name":"FUCHSOVÁ Terezie","club":"VSDK","noc":"JMK","catId":"ZS","catRnk":1,"time":7605,"pen":0,"total":7605,"totalBehind":"0.00","catTotalBehind":null,"status":null,"dtStart":"14:25:00.120","dtFinish":"14:26:16.170","gates":[{"number":1,"type":"normal","penalty":0},{"number":2,"type":"normal","penalty":0}],"courseGateCount":24},
 {"rnk":null,"bib":12,"athleteId":"61003","name":"SAMKOVÁ Valerie","club":"Třebech.","noc":"KHK","catId":"ZS","catRnk":null,"time":null,"pen":null,"total":null,"totalBehind":null,"catTotalBehind":null,"status":"DNF","dtStart":"14:34:00.450","dtFinish":null,"gates":null,"courseGateCount":24}]"#).unwrap();
    assert_eq!(body["results"][0], expected[0]);
    assert_eq!(body["results"][2], expected[1]);

    // Detailed best-run items carry both runs' details.
    let pair = db
        .store
        .race_results(pk, "K1M-ZS_BR1_25", None, true)
        .await
        .unwrap()
        .unwrap();
    let first = &value!(pair)["results"][0];
    assert_eq!(first["courseGateCount"], 24);
    assert_eq!(first["prevDtStart"], "13:42:02.710");
    assert_eq!(first["dtStart"], "16:01:00.500");
    assert_eq!(first["prevGates"].as_array().unwrap().len(), 24);
}
}

backends! {
async fn startlist_is_the_contract_example(db) {
    let pk = lodm_event(&db).await;
    let startlist = db
        .store
        .startlist(pk, "K1M-ZS_BR2_25")
        .await
        .unwrap()
        .unwrap();
    let body = value!(startlist);
    assert_eq!(
        body["race"],
        json!({"raceId":"K1M-ZS_BR2_25","classId":"K1M-ZS","startTime":"2024-06-25T16:00:00+02:00"})
    );
    assert_eq!(body["startlist"].as_array().unwrap().len(), 5);
    assert_eq!(
        serde_json::to_string(&startlist.startlist[..2]).unwrap(),
        r#"[{"startOrder":1,"bib":8,"athleteId":"9069","name":"KOLÁŘ Lukáš","club":"USK Pha","noc":"PHA","catId":"ZS","startTime":"16:00:00"},{"startOrder":2,"bib":13,"athleteId":"23128","name":"REZEK Adam","club":"SKVSČB","noc":"JCK","catId":"ZS","startTime":"16:01:00"}]"#
    );
    assert!(db.store.startlist(pk, "nope").await.unwrap().is_none());
}
}

backends! {
async fn event_detail_categories_and_full_data(db) {
    let pk = db.event("lodm-2024").await;
    let applied = db.import(pk, LODM_QUA).await;
    let detail = db.store.event_detail("lodm-2024").await.unwrap().unwrap();
    assert_eq!(
        detail.event.status,
        EventStatus::Draft,
        "drafts are the server's to hide"
    );
    assert_eq!(detail.clone().into_full_data(), applied.full);

    db.set_status("lodm-2024", EventStatus::Running).await;
    let detail = db.store.event_detail("lodm-2024").await.unwrap().unwrap();
    let body = value!(detail);
    assert_eq!(
        body["event"],
        json!({"eventId":"lodm-2024","mainTitle":"LODM 2024","subTitle":"Vodní slalom a sjezd","location":"České Budějovice","facility":"Areál Lídy Polesné","startDate":null,"endDate":null,"discipline":"Slalom","status":"running","imageUrl":null})
    );
    assert_eq!(
        body["classes"][0],
        json!({"classId":"K1M-ZS","name":"K1M ZS","longTitle":"K1 Muži - Základní školy","categories":[{"catId":"ZS","name":"Základní školy","firstYear":2010,"lastYear":2013}]})
    );
    let races: Vec<&str> = detail.races.iter().map(|r| r.race_id.as_str()).collect();
    assert_eq!(races, ["K1M-ZS_BR1_25", "K1W-ZS_QUA_25", "K1M-ZS_BR2_25"]);
    assert_eq!(
        body["races"][0],
        json!({"raceId":"K1M-ZS_BR1_25","classId":"K1M-ZS","raceType":"best-run-1","raceOrder":10,"startTime":"2024-06-25T13:30:00+02:00","raceStatus":5})
    );
    assert_eq!(
        body["races"][1],
        json!({"raceId":"K1W-ZS_QUA_25","classId":"K1W-ZS","raceType":"qualification","raceOrder":12,"startTime":"2024-06-25T14:23:00+02:00","raceStatus":5})
    );
    assert!(body.get("categories").is_none());

    let categories = db.store.categories(pk).await.unwrap();
    assert_eq!(
        serde_json::to_string(&CategoryList { categories }).unwrap(),
        r#"{"categories":[{"catId":"ZS","name":"Základní školy","firstYear":2010,"lastYear":2013,"classIds":["K1M-ZS","K1W-ZS"]}]}"#
    );

    let full: FullData = db.store.full_data(pk).await.unwrap().unwrap();
    assert_eq!(full, detail.into_full_data());
    assert_eq!(full.event.status, EventStatus::Running);
    assert!(db.store.full_data(pk + 1).await.unwrap().is_none());
    assert!(db.store.event_detail("nope").await.unwrap().is_none());
}
}

backends! {
async fn an_event_without_xml_has_no_classes_or_races(db) {
    let pk = db.event("empty").await;
    let detail = db.store.event_detail("empty").await.unwrap().unwrap();
    let body = value!(detail);
    assert_eq!(body["classes"], json!([]));
    assert_eq!(body["races"], json!([]));
    assert!(db.store.categories(pk).await.unwrap().is_empty());
    assert!(db.store.course_configs(pk).await.unwrap().is_empty());
}
}

backends! {
async fn a_race_without_class_is_not_listed_but_stays_readable(db) {
    let pk = db.event("jarni").await;
    db.import(pk, crate::support::REAL_EXPORT).await;
    let detail = db.store.event_detail("jarni").await.unwrap().unwrap();
    let body = value!(detail);
    // DV40: 44 of the 45 stored races; `<unassigned>` has no class.
    let races = body["races"].as_array().unwrap();
    assert_eq!(races.len(), 44);
    assert!(races.iter().all(|r| r["raceId"] != "<unassigned>"));
    assert!(races.iter().all(|r| r["classId"].is_string()));
    let full = value!(detail.into_full_data());
    assert_eq!(full["races"], body["races"]);
    assert_eq!(value!(db.store.full_data(pk).await.unwrap().unwrap()), full);
    // Stored and reachable: results and start list answer, with `classId` null (§9).
    let results = db
        .store
        .race_results(pk, "<unassigned>", None, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(value!(results.race)["classId"], Value::Null);
    assert!(results.results.is_empty());
    let startlist = db
        .store
        .startlist(pk, "<unassigned>")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(value!(startlist.race)["classId"], Value::Null);
}
}

backends! {
async fn a_category_is_named_by_its_first_occurrence_in_the_export(db) {
    let pk = db.event("jarni").await;
    db.import(pk, crate::support::REAL_EXPORT).await;
    let categories = db.store.categories(pk).await.unwrap();
    let dm = categories.iter().find(|c| c.cat_id == "DM").unwrap();
    // K1M_ST, the first class listing `DM`, says "Dorost mladší"; C1M_ST (first by class id)
    // says "Dorostenci mladší".
    assert_eq!(
        value!(dm),
        json!({"catId":"DM","name":"Dorost mladší","firstYear":15,"lastYear":16,
               "classIds":["C1M_HO","C1M_ST","C1W_HO","C1W_ST","C2M_HO","C2M_ST","C2W_HO","C2W_ST","K1M_HO","K1M_ST","K1W_HO","K1W_ST"]})
    );
    let full = db.store.full_data(pk).await.unwrap().unwrap();
    assert_eq!(full.categories, categories);
    assert_eq!(categories.len(), {
        let mut ids: Vec<&str> = full
            .classes
            .iter()
            .flat_map(|c| c.categories.iter().map(|k| k.cat_id.as_str()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.len()
    });
}
}

/// The LODM sample with `ZS` named `k1w_name` in class K1W-ZS, listed before K1M-ZS when
/// `k1w_first`.
fn lodm_classes(k1w_name: &str, k1w_first: bool) -> live_domain::c123::C123Export {
    let xml = crate::support::fixture(LODM_QUA);
    let men_start = xml
        .find("  <Classes>\n    <ClassId>K1M-ZS</ClassId>")
        .unwrap();
    let women_start = xml
        .find("  <Classes>\n    <ClassId>K1W-ZS</ClassId>")
        .unwrap();
    let women_end =
        women_start + xml[women_start..].find("</Classes>\n").unwrap() + "</Classes>\n".len();
    let men = &xml[men_start..women_start];
    let women = xml[women_start..women_end].replace(
        "<Category>Základní školy</Category>",
        &format!("<Category>{k1w_name}</Category>"),
    );
    let classes = if k1w_first {
        format!("{women}{men}")
    } else {
        format!("{men}{women}")
    };
    let text = format!("{}{classes}{}", &xml[..men_start], &xml[women_end..]);
    live_domain::c123::parse_export(&text).unwrap()
}

/// The name of the event's only aggregated category.
async fn zs_name(db: &TestDb, pk: i32) -> String {
    let categories = db.store.categories(pk).await.unwrap();
    assert_eq!(categories.len(), 1);
    categories[0].name.clone()
}

backends! {
async fn category_names_follow_the_class_order_of_the_latest_export(db) {
    let pk = db.event("lodm-2024").await;
    let import = |export| db.store.apply_xml(pk, export, MergeStrategy::Live);
    let category_ids = "SELECT group_concat(id) AS line FROM categories";
    import(lodm_classes("ZŠ ženy", false)).await.unwrap();
    assert_eq!(zs_name(&db, pk).await, "Základní školy");
    // Re-importing the same export writes no category row.
    let ids = db.lines(category_ids);
    import(lodm_classes("ZŠ ženy", false)).await.unwrap();
    assert_eq!(db.lines(category_ids), ids);
    // The same classes, K1W-ZS now listed first: its name is the first occurrence.
    import(lodm_classes("ZŠ ženy", true)).await.unwrap();
    assert_eq!(zs_name(&db, pk).await, "ZŠ ženy");
    let detail = db.store.event_detail("lodm-2024").await.unwrap().unwrap();
    let classes: Vec<&str> = detail.classes.iter().map(|c| c.class_id.as_str()).collect();
    assert_eq!(
        classes,
        ["K1M-ZS", "K1W-ZS"],
        "the detail still lists classes by id"
    );
    assert_eq!(detail.classes[1].categories[0].name, "ZŠ ženy");
    // And back: K1M-ZS first again.
    import(lodm_classes("ZŠ ženy", false)).await.unwrap();
    assert_eq!(zs_name(&db, pk).await, "Základní školy");
}
}

backends! {
async fn public_events_hide_drafts_and_sort_by_start_date(db) {
    let new = |id: &str, start: Option<&str>, image: bool| NewEvent {
        event_id: id.to_owned(),
        main_title: id.to_uppercase(),
        sub_title: None,
        location: None,
        facility: None,
        discipline: None,
        start_date: start.map(str::to_owned),
        end_date: None,
        valid_from: None,
        valid_until: None,
        image: image.then(|| EventImage {
            content_type: "image/webp".to_owned(),
            bytes: vec![1, 2, 3],
        }),
    };
    for (i, (id, start, image)) in [
        ("no-date", None, false),
        ("old", Some("2024-06-25"), true),
        ("draft", Some("2030-01-01"), false),
        ("new", Some("2026-03-08"), false),
        ("also-no-date", None, false),
        ("same-old", Some("2024-06-25"), false),
    ]
    .into_iter()
    .enumerate()
    {
        db.store
            .create_event(new(id, start, image), format!("{i:0>64}"), now())
            .await
            .unwrap();
        if id != "draft" {
            db.set_status(id, EventStatus::Startlist).await;
        }
    }
    let events = db.store.public_events().await.unwrap();
    let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids, ["new", "old", "same-old", "no-date", "also-no-date"]);
    assert_eq!(
        serde_json::to_string(&PublicEventList {
            events: events[1..2].to_vec()
        })
        .unwrap(),
        r#"{"events":[{"eventId":"old","mainTitle":"OLD","subTitle":null,"location":null,"startDate":"2024-06-25","endDate":null,"discipline":null,"status":"startlist","imageUrl":"/api/v1/events/old/image"}]}"#
    );

    let (content_type, bytes, status) = db.store.image("old").await.unwrap().unwrap();
    assert_eq!(
        (content_type.as_str(), bytes.as_slice(), status),
        ("image/webp", &[1u8, 2, 3][..], EventStatus::Startlist)
    );
    assert!(db.store.image("new").await.unwrap().is_none(), "no image");
    assert!(db.store.image("missing").await.unwrap().is_none());
}
}

backends! {
async fn course_configs_name_every_race(db) {
    let pk = db.event("lodm").await;
    db.store
        .apply_xml(pk, export(LODM), MergeStrategy::Live)
        .await
        .unwrap();
    let configs = db.store.course_configs(pk).await.unwrap();
    let mut races: Vec<(&String, Option<&str>)> =
        configs.iter().map(|(k, v)| (k, v.as_deref())).collect();
    races.sort();
    let course = Some("NNRNNRNRNNNRNNRNRNNRNNRN");
    assert_eq!(
        races,
        [
            (&"K1M-ZS_BR1_25".to_owned(), course),
            (&"K1M-ZS_BR2_25".to_owned(), course),
            (&"K1W-ZS_BR1_25".to_owned(), course),
        ]
    );
    // Without courses every race maps to none.
    db.import(pk, "sample-minimal-cleanup-a-3results.xml").await;
    let configs = db.store.course_configs(pk).await.unwrap();
    assert_eq!(configs.get("R1"), Some(&None));
}
}
