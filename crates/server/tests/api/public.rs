//! The public read API over real HTTP (contract §1.2, §1.6, §4.12–§4.18): complete bodies after
//! importing the synthetic and the real export, caching, CORS, 404s.

use serde_json::{Value, json};

use crate::helpers::{MASTER, TestApp, fixture, fixture_json, spawn_app};
use crate::ingest::{ONCOURSE, RESULTS, event_with_export, post_xml};

/// `lodm-2024` / `LODM 2024` with the `-qua` sample imported, `running`; returns its key.
async fn lodm(app: &TestApp) -> String {
    let key = app
        .create_event(json!({"eventId": "lodm-2024", "mainTitle": "LODM 2024"}))
        .await;
    let res = post_xml(app, &key, &fixture("sample-c123-synthetic-lodm-qua.xml")).await;
    assert_eq!(res.status.as_u16(), 200);
    app.set_status("lodm-2024", &key, "running").await;
    key
}

fn case(name_prefix: &str) -> Value {
    let cases = fixture_json("br-combined-and-ranking-cases.json");
    cases["xml_fixture_cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().starts_with(name_prefix))
        .unwrap()
        .clone()
}

#[actix_web::test]
async fn event_list_and_detail_match_the_contract() {
    let app = spawn_app().await;
    lodm(&app).await;
    app.event("hidden-draft").await;
    let list = app.get("/api/v1/events", &[]).await;
    assert_eq!(list.status.as_u16(), 200);
    assert_eq!(list.header("cache-control"), Some("no-cache"));
    assert_eq!(
        list.json(),
        json!({"events":[{"eventId":"lodm-2024","mainTitle":"LODM 2024","subTitle":"Vodní slalom a sjezd","location":"České Budějovice","startDate":null,"endDate":null,"discipline":"Slalom","status":"running","imageUrl":null}]})
    );
    let detail = app.get("/api/v1/events/lodm-2024", &[]).await.json();
    assert_eq!(
        detail["event"],
        json!({"eventId":"lodm-2024","mainTitle":"LODM 2024","subTitle":"Vodní slalom a sjezd","location":"České Budějovice","facility":"Areál Lídy Polesné","startDate":null,"endDate":null,"discipline":"Slalom","status":"running","imageUrl":null})
    );
    assert_eq!(
        detail["classes"][0],
        json!({"classId":"K1M-ZS","name":"K1M ZS","longTitle":"K1 Muži - Základní školy","categories":[{"catId":"ZS","name":"Základní školy","firstYear":2010,"lastYear":2013}]})
    );
    assert_eq!(detail["classes"].as_array().unwrap().len(), 2);
    let races = detail["races"].as_array().unwrap();
    assert_eq!(races.len(), 3);
    assert_eq!(
        races[0],
        json!({"raceId":"K1M-ZS_BR1_25","classId":"K1M-ZS","raceType":"best-run-1","raceOrder":10,"startTime":"2024-06-25T13:30:00+02:00","raceStatus":5})
    );
    assert_eq!(races[1]["raceId"], "K1W-ZS_QUA_25");
    assert_eq!(races[1]["raceType"], "qualification");
    // Drafts do not exist for the public.
    app.get("/api/v1/events/hidden-draft", &[])
        .await
        .assert_error(404, "NotFound", "Event not found");
    app.get("/api/v1/events/nope", &[])
        .await
        .assert_error(404, "NotFound", "Event not found");
    app.stop().await;
}

#[actix_web::test]
async fn results_lists_are_the_fixture_expectations() {
    let app = spawn_app().await;
    lodm(&app).await;
    for prefix in ["K1M-ZS best-run", "K1W-ZS_QUA_25"] {
        let c = case(prefix);
        let race = c["query"].as_str().unwrap();
        let body = app
            .get(&format!("/api/v1/events/lodm-2024/results/{race}"), &[])
            .await
            .json();
        let items = body["results"].as_array().unwrap();
        let expect = c["expect"].as_array().unwrap();
        assert_eq!(items.len(), expect.len(), "{race}");
        for (item, want) in items.iter().zip(expect) {
            for (k, v) in want.as_object().unwrap() {
                assert_eq!(&item[k], v, "{race} bib {} key {k}", want["bib"]);
            }
        }
    }
    // The same combined list from either id of the pair.
    let br1 = app
        .get("/api/v1/events/lodm-2024/results/K1M-ZS_BR1_25", &[])
        .await
        .json();
    let br2 = app
        .get("/api/v1/events/lodm-2024/results/K1M-ZS_BR2_25", &[])
        .await
        .json();
    assert_eq!(br1["results"], br2["results"]);
    assert_eq!(
        br2["race"],
        json!({"raceId":"K1M-ZS_BR2_25","classId":"K1M-ZS","raceType":"best-run-2","raceStatus":3})
    );
    // Detailed single-run with a category filter (contract §4.15's second example).
    let body = app
        .get(
            "/api/v1/events/lodm-2024/results/K1W-ZS_QUA_25?detailed=true&catId=ZS",
            &[],
        )
        .await
        .json();
    let first = &body["results"][0];
    assert_eq!(first["bib"], 3);
    assert_eq!(first["dtStart"], "14:25:00.120");
    assert_eq!(first["dtFinish"], "14:26:16.170");
    assert_eq!(first["courseGateCount"], 24);
    assert_eq!(
        first["gates"][0],
        json!({"number":1,"type":"normal","penalty":0})
    );
    assert_eq!(first["gates"].as_array().unwrap().len(), 24);
    let dnf = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["status"] == "DNF")
        .unwrap();
    assert_eq!(dnf["gates"], Value::Null);
    assert_eq!(dnf["rnk"], Value::Null);
    // `detailed` is exactly true or 1; catId empty = absent; unknown category = [].
    let plain = app
        .get(
            "/api/v1/events/lodm-2024/results/K1W-ZS_QUA_25?detailed=yes&catId=",
            &[],
        )
        .await
        .json();
    assert!(plain["results"][0].get("gates").is_none());
    assert_eq!(plain["results"].as_array().unwrap().len(), 3);
    let none = app
        .get(
            "/api/v1/events/lodm-2024/results/K1W-ZS_QUA_25?catId=XX",
            &[],
        )
        .await
        .json();
    assert_eq!(none["results"], json!([]));
    let detailed_br = app
        .get(
            "/api/v1/events/lodm-2024/results/K1M-ZS_BR2_25?detailed=1",
            &[],
        )
        .await
        .json();
    let item = &detailed_br["results"][0];
    for key in [
        "dtStart",
        "dtFinish",
        "gates",
        "courseGateCount",
        "prevDtStart",
        "prevDtFinish",
        "prevGates",
    ] {
        assert!(item.get(key).is_some(), "{key}");
    }
    app.get("/api/v1/events/lodm-2024/results/NOPE", &[])
        .await
        .assert_error(404, "NotFound", "Race not found");
    // Odd query values are values like any other: an unknown category is an empty list.
    let odd = app
        .get(
            "/api/v1/events/lodm-2024/results/K1W-ZS_QUA_25?catId=%ZZ&detailed=%FF",
            &[],
        )
        .await;
    assert_eq!(odd.status.as_u16(), 200);
    assert_eq!(odd.json()["results"], json!([]));
    app.get("/api/v1/events/lodm-2024/results/%FF%FE", &[])
        .await
        .assert_error(404, "NotFound", "Race not found");
    app.get("/api/v1/events/%00/results/x", &[])
        .await
        .assert_error(404, "NotFound", "Event not found");
    app.stop().await;
}

#[actix_web::test]
async fn startlist_oncourse_and_categories() {
    let app = spawn_app().await;
    let key = lodm(&app).await;
    let body = app
        .get("/api/v1/events/lodm-2024/startlist/K1M-ZS_BR2_25", &[])
        .await
        .json();
    assert_eq!(
        body["race"],
        json!({"raceId":"K1M-ZS_BR2_25","classId":"K1M-ZS","startTime":"2024-06-25T16:00:00+02:00"})
    );
    let list = body["startlist"].as_array().unwrap();
    assert_eq!(list.len(), 5);
    assert_eq!(
        list[0],
        json!({"startOrder":1,"bib":8,"athleteId":"9069","name":"KOLÁŘ Lukáš","club":"USK Pha","noc":"PHA","catId":"ZS","startTime":"16:00:00"})
    );
    assert_eq!(list[1]["bib"], 13);
    let cats = app
        .get("/api/v1/events/lodm-2024/categories", &[])
        .await
        .json();
    assert_eq!(
        cats,
        json!({"categories":[{"catId":"ZS","name":"Základní školy","firstYear":2010,"lastYear":2013,"classIds":["K1M-ZS","K1W-ZS"]}]})
    );
    assert_eq!(
        app.get("/api/v1/events/lodm-2024/oncourse", &[])
            .await
            .json(),
        json!({"oncourse": []})
    );
    let res = app
        .json(
            "POST",
            ONCOURSE,
            &[("x-api-key", &key)],
            &fixture_json("sample-ingest-oncourse.json")["c123_server_shape"],
        )
        .await;
    assert_eq!(res.json(), json!({"active": 2}));
    let on = app
        .get("/api/v1/events/lodm-2024/oncourse", &[])
        .await
        .json();
    let items = on["oncourse"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["bib"], 8);
    assert_eq!(items[0]["completed"], true);
    assert_eq!(items[1]["completed"], false);
    assert_eq!(
        items[0]["gates"][2],
        json!({"number":3,"type":"reverse","penalty":2})
    );
    assert!(items[0].get("participantId").is_none());
    app.get("/api/v1/events/lodm-2024/startlist/NOPE", &[])
        .await
        .assert_error(404, "NotFound", "Race not found");
    // finished clears the riders on course.
    app.set_status("lodm-2024", &key, "finished").await;
    assert_eq!(
        app.get("/api/v1/events/lodm-2024/oncourse", &[])
            .await
            .json(),
        json!({"oncourse": []})
    );
    app.stop().await;
}

#[actix_web::test]
async fn etags_revalidate_and_change_with_the_data() {
    let app = spawn_app().await;
    let key = lodm(&app).await;
    let path = "/api/v1/events/lodm-2024/results/K1W-ZS_QUA_25";
    let first = app.get(path, &[]).await;
    let tag = first.header("etag").unwrap().to_owned();
    assert!(tag.starts_with("W/\"") && tag.len() == 20, "{tag}");
    assert_eq!(first.header("cache-control"), Some("no-cache"));
    let again = app.get(path, &[]).await;
    assert_eq!(again.header("etag"), Some(tag.as_str()));
    let not_modified = app.get(path, &[("if-none-match", &tag)]).await;
    assert_eq!(not_modified.status.as_u16(), 304);
    assert!(not_modified.body.is_empty());
    assert_eq!(not_modified.header("etag"), Some(tag.as_str()));
    assert_eq!(not_modified.header("cache-control"), Some("no-cache"));
    assert_eq!(
        not_modified.header("access-control-allow-origin"),
        Some("*")
    );
    let listed = app
        .get(
            path,
            &[("if-none-match", &format!("W/\"0000000000000000\", {tag}"))],
        )
        .await;
    assert_eq!(listed.status.as_u16(), 304);
    assert_eq!(
        app.get(path, &[("if-none-match", "*")])
            .await
            .status
            .as_u16(),
        304
    );
    assert_eq!(
        app.get(path, &[("if-none-match", "W/\"0000000000000000\"")])
            .await
            .status
            .as_u16(),
        200
    );
    // A result changes the body and therefore the tag.
    let res = app
        .json(
            "POST",
            RESULTS,
            &[("x-api-key", &key)],
            &fixture_json("sample-ingest-results.json")["with_tcp_gates"],
        )
        .await;
    assert_eq!(res.json(), json!({"updated": 1}));
    let changed = app.get(path, &[("if-none-match", &tag)]).await;
    assert_eq!(changed.status.as_u16(), 200);
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
    // Official: cacheable for a minute.
    app.set_status("lodm-2024", &key, "official").await;
    let official = app.get(path, &[]).await;
    assert_eq!(official.header("cache-control"), Some("public, max-age=60"));
    assert_eq!(
        app.get("/api/v1/events", &[]).await.header("cache-control"),
        Some("no-cache")
    );
    // Errors and admin answers carry no ETag.
    let err = app.get("/api/v1/events/lodm-2024/results/NOPE", &[]).await;
    assert_eq!(err.header("etag"), None);
    assert_eq!(err.header("cache-control"), Some("no-store"));
    let admin = app
        .get("/api/v1/admin/events", &[("x-master-key", MASTER)])
        .await;
    assert_eq!(admin.header("etag"), None);
    assert_eq!(admin.header("cache-control"), Some("no-store"));
    app.stop().await;
}

#[actix_web::test]
async fn cors_on_public_routes_only() {
    let app = spawn_app().await;
    lodm(&app).await;
    for path in [
        "/health",
        "/api/v1/events",
        "/api/v1/events/lodm-2024",
        "/api/v1/events/nope/oncourse",
    ] {
        let res = app.get(path, &[("origin", "https://example.org")]).await;
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
        assert_eq!(
            res.header("access-control-expose-headers"),
            Some("ETag"),
            "{path}"
        );
        let pre = app
            .send(
                "OPTIONS",
                path,
                &[
                    ("origin", "https://x"),
                    ("access-control-request-method", "GET"),
                ],
                None,
            )
            .await;
        assert_eq!(pre.status.as_u16(), 204, "{path}");
        assert!(pre.body.is_empty());
        assert_eq!(
            pre.header("access-control-allow-methods"),
            Some("GET, HEAD")
        );
        assert_eq!(
            pre.header("access-control-allow-headers"),
            Some("If-None-Match")
        );
        assert_eq!(pre.header("access-control-max-age"), Some("86400"));
    }
    for path in [
        "/api/v1/admin/events",
        "/api/v1/ingest/results",
        "/api/v1/events/lodm-2024/ws",
        "/nope",
    ] {
        let res = app.get(path, &[("origin", "https://example.org")]).await;
        assert_eq!(res.header("access-control-allow-origin"), None, "{path}");
        let pre = app.send("OPTIONS", path, &[], None).await;
        assert_eq!(pre.status.as_u16(), 404, "{path}");
        assert_eq!(pre.header("access-control-allow-origin"), None, "{path}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn images_are_served_with_their_type_and_cached_for_a_day() {
    let app = spawn_app().await;
    // A 1×1 GIF as a data URL.
    let gif = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7";
    let key = app
        .create_event(json!({"eventId": "pic", "mainTitle": "Pic", "imageData": format!("data:image/gif;base64,{gif}")}))
        .await;
    app.get("/api/v1/events/pic/image", &[])
        .await
        .assert_error(404, "NotFound", "Image not found");
    app.set_status("pic", &key, "startlist").await;
    let res = app.get("/api/v1/events/pic/image", &[]).await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.header("content-type"), Some("image/gif"));
    assert_eq!(res.header("cache-control"), Some("public, max-age=86400"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("content-security-policy"), Some("sandbox"));
    assert_eq!(&res.body[..6], b"GIF89a");
    let tag = res.header("etag").unwrap().to_owned();
    assert_eq!(
        app.get("/api/v1/events/pic/image", &[("if-none-match", &tag)])
            .await
            .status
            .as_u16(),
        304
    );
    assert_eq!(
        app.get("/api/v1/events", &[]).await.json()["events"][0]["imageUrl"],
        "/api/v1/events/pic/image"
    );
    app.set_status("pic", &key, "running").await;
    let no_image = app.event("noimg").await;
    app.set_status("noimg", &no_image, "running").await;
    app.get("/api/v1/events/noimg/image", &[])
        .await
        .assert_error(404, "NotFound", "Image not found");
    app.get("/api/v1/events/zzz/image", &[])
        .await
        .assert_error(404, "NotFound", "Image not found");
    let head = app
        .send("HEAD", "/api/v1/events/pic/image", &[], None)
        .await;
    assert_eq!(head.status.as_u16(), 200);
    assert!(head.body.is_empty());
    assert_eq!(head.header("etag"), Some(tag.as_str()));
    app.stop().await;
}

#[actix_web::test]
async fn real_export_largest_race_and_best_run_pairs() {
    let app = spawn_app().await;
    event_with_export(&app, "jarni", "running").await;
    let detail = app.get("/api/v1/events/jarni", &[]).await.json();
    assert_eq!(detail["classes"].as_array().unwrap().len(), 15);
    // DV40: the class-less `<unassigned>` schedule row is stored but not listed: 44 of 45.
    let races = detail["races"].as_array().unwrap();
    assert_eq!(races.len(), 44);
    assert!(races.iter().all(|r| r["raceId"] != "<unassigned>"));
    assert!(races.iter().all(|r| r["classId"].is_string()));
    // It stays reachable (§4.15, §4.16), with classId null (§9).
    let unassigned = "%3Cunassigned%3E";
    let results = app
        .get(&format!("/api/v1/events/jarni/results/{unassigned}"), &[])
        .await
        .json();
    assert_eq!(
        results,
        json!({"race":{"raceId":"<unassigned>","classId":null,"raceType":"seeding","raceStatus":0},"results":[]})
    );
    let startlist = app
        .get(&format!("/api/v1/events/jarni/startlist/{unassigned}"), &[])
        .await;
    assert_eq!(startlist.status.as_u16(), 200);
    assert_eq!(startlist.json()["race"]["raceId"], "<unassigned>");
    assert_eq!(startlist.json()["race"]["classId"], Value::Null);
    assert_eq!(startlist.json()["startlist"], json!([]));
    // §4.18: `DM` is named by its first occurrence in the export (class K1M_ST), not by the
    // first class in id order (C1M_ST, "Dorostenci mladší").
    let categories = app.get("/api/v1/events/jarni/categories", &[]).await.json();
    let dm = categories["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["catId"] == "DM")
        .unwrap()
        .clone();
    assert_eq!(
        (&dm["name"], &dm["firstYear"], &dm["lastYear"]),
        (&json!("Dorost mladší"), &json!(15), &json!(16))
    );
    let body = app
        .get(
            "/api/v1/events/jarni/results/K1M_ST_BR2_6?detailed=true",
            &[],
        )
        .await
        .json();
    let items = body["results"].as_array().unwrap();
    assert!(items.len() > 50, "{}", items.len());
    // Ranked rows first, ranks ascending, ties shared.
    let ranks: Vec<i64> = items.iter().filter_map(|i| i["rnk"].as_i64()).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(ranks[0], 1);
    assert!(items.iter().all(|i| i["courseGateCount"] == 24));
    app.stop().await;
}
