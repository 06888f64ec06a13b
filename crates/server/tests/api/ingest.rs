//! The booth feeds over real HTTP (contract §4.9–§4.11, c123-xml.md): the real export, the
//! synthetic samples, the real booth session, and every kind of bad input.

use serde_json::{Value, json};

use crate::helpers::{MASTER, TestApp, fixture, fixture_json, spawn_app, table_snapshot};

pub(crate) const XML: &str = "/api/v1/ingest/xml";
pub(crate) const RESULTS: &str = "/api/v1/ingest/results";
pub(crate) const ONCOURSE: &str = "/api/v1/ingest/oncourse";

/// A predicate on an error message.
type Check = Box<dyn Fn(&str) -> bool>;

/// Posts an XML export with `key`.
pub(crate) async fn post_xml(app: &TestApp, key: &str, xml: &str) -> crate::helpers::Res {
    app.json("POST", XML, &[("x-api-key", key)], &json!({ "xml": xml }))
        .await
}

/// An event `id` with the real export imported, in `status`.
pub(crate) async fn event_with_export(app: &TestApp, id: &str, status: &str) -> String {
    let key = app.event(id).await;
    let res = post_xml(app, &key, &fixture("xml/xboardtest02_jarni_v1.xml")).await;
    assert_eq!(
        res.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&res.body)
    );
    if status != "draft" {
        app.set_status(id, &key, status).await;
    }
    key
}

#[actix_web::test]
async fn real_export_imports_with_the_contracts_counts() {
    let app = spawn_app().await;
    let key = app.event("jarni").await;
    let res = post_xml(&app, &key, &fixture("xml/xboardtest02_jarni_v1.xml")).await;
    assert_eq!(
        res.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&res.body)
    );
    assert_eq!(
        res.json(),
        json!({"imported":{"participants":366,"classes":15,"races":45,"results":1422,"courses":4}})
    );
    // Re-importing the same file is an idempotent upsert.
    let first = table_snapshot(app.db_path());
    let again = post_xml(&app, &key, &fixture("xml/xboardtest02_jarni_v1.xml")).await;
    assert_eq!(again.status.as_u16(), 200);
    assert_eq!(table_snapshot(app.db_path()), first);
    let dump = table_snapshot(app.db_path());
    assert!(
        dump.contains("[results] 1422 rows"),
        "{}",
        &dump[..200.min(dump.len())]
    );
    assert!(dump.contains("[participants] 366 rows"));
    assert!(dump.contains("[categories] 88 rows"));
    let log = app
        .get(
            "/api/v1/admin/events/jarni/ingest-log",
            &[("x-master-key", MASTER)],
        )
        .await
        .json();
    let entry = &log["entries"][0];
    assert_eq!(entry["type"], "xml");
    assert_eq!(entry["outcome"], "success");
    assert_eq!(entry["items"], 366 + 15 + 45 + 1422 + 4);
    assert!(entry["bytes"].as_i64().unwrap() > 2_900_000);
    app.stop().await;
}

#[actix_web::test]
async fn minimal_cleanup_sequence_prunes_what_the_snapshot_lacks() {
    let app = spawn_app().await;
    let key = app.event("clean").await;
    let count = |dump: &str, table: &str| -> usize {
        let marker = format!("[{table}] ");
        let line = dump.lines().find(|l| l.starts_with(&marker)).unwrap();
        line[marker.len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    for (file, participants, races, results) in [
        ("sample-minimal-cleanup-a-3results.xml", 3, 1, 3),
        ("sample-minimal-cleanup-b-2results.xml", 3, 1, 2),
        ("sample-minimal-cleanup-c-2participants.xml", 2, 1, 2),
        ("sample-minimal-cleanup-d-1participant.xml", 1, 1, 1),
        ("sample-minimal-cleanup-e-2races.xml", 1, 2, 1),
        ("sample-minimal-cleanup-d-1participant.xml", 1, 1, 1),
    ] {
        let res = post_xml(&app, &key, &fixture(file)).await;
        assert_eq!(
            res.status.as_u16(),
            200,
            "{file}: {}",
            String::from_utf8_lossy(&res.body)
        );
        let dump = table_snapshot(app.db_path());
        assert_eq!(count(&dump, "participants"), participants, "{file}");
        assert_eq!(count(&dump, "races"), races, "{file}");
        assert_eq!(count(&dump, "results"), results, "{file}");
    }
    app.stop().await;
}

#[actix_web::test]
async fn bad_xml_is_400_and_changes_nothing() {
    let app = spawn_app().await;
    let key = app.event("bad").await;
    post_xml(&app, &key, &fixture("sample-c123-synthetic-lodm.xml")).await;
    let before = table_snapshot(app.db_path());
    let real = fixture("xml/xboardtest02_jarni_v1.xml");
    let minimal = fixture("sample-minimal-cleanup-a-3results.xml");
    let stage1 = |m: &str| {
        m.starts_with("Invalid XML: ")
            && m.contains(" at line ")
            && m.rsplit(", column ")
                .next()
                .is_some_and(|c| c.bytes().all(|b| b.is_ascii_digit()))
    };
    let cases: Vec<(String, Check)> = vec![
        ("<Canoe123Data><Events>".to_owned(), Box::new(stage1)),
        (real[..real.len() / 2].to_owned(), Box::new(stage1)),
        (
            "\u{1}\u{2}binary\u{fffd}garbage<<>>".to_owned(),
            Box::new(stage1),
        ),
        (
            "<!DOCTYPE x><Canoe123Data/>".to_owned(),
            Box::new(|m: &str| m.starts_with("Invalid XML: DOCTYPE is not allowed at line 1")),
        ),
        (
            fixture("sample-invalid-not-c123.xml"),
            Box::new(|m: &str| m == "Invalid C123 XML: missing Canoe123Data root element"),
        ),
        (
            "<Canoe123Data></Canoe123Data>".to_owned(),
            Box::new(|m: &str| m == "Invalid C123 XML: missing Canoe123Data root element"),
        ),
        (
            "<Canoe123Data><Events><Location>x</Location></Events></Canoe123Data>".to_owned(),
            Box::new(|m: &str| {
                m == "Invalid XML data: No classes found, No participants found, No races found in schedule"
            }),
        ),
        (
            minimal.replacen("<FamilyName>", "<Family>", 1).replacen(
                "</FamilyName>",
                "</Family>",
                1,
            ),
            Box::new(|m: &str| {
                m.starts_with("Invalid XML data: Participants record 1 (line ")
                    && m.ends_with(") is missing FamilyName")
            }),
        ),
        (
            {
                // The first CourseNr of the CourseData table (Schedule has optional ones too).
                let at = real.find("<CourseData>").unwrap();
                format!(
                    "{}{}",
                    &real[..at],
                    real[at..].replacen("<CourseNr>1</CourseNr>", "<CourseNr>one</CourseNr>", 1)
                )
            },
            Box::new(|m: &str| {
                m.starts_with("Invalid XML data: CourseData record ")
                    && m.ends_with("has a non-integer CourseNr 'one'")
            }),
        ),
    ];
    for (xml, check) in cases {
        let res = post_xml(&app, &key, &xml).await;
        assert_eq!(
            res.status.as_u16(),
            400,
            "{}",
            String::from_utf8_lossy(&res.body)
        );
        let body = res.json();
        assert_eq!(body["error"], "Invalid request");
        let message = body["message"].as_str().unwrap();
        assert!(check(message), "unexpected message: {message}");
        assert_eq!(table_snapshot(app.db_path()), before, "{message}");
    }
    let res = app
        .json("POST", XML, &[("x-api-key", &key)], &json!({"xml": ""}))
        .await;
    res.assert_error(400, "Invalid request", "Missing required field: xml");
    let res = app
        .json("POST", XML, &[("x-api-key", &key)], &json!({"xml": 5}))
        .await;
    res.assert_error(400, "Invalid request", "body/xml must be string");
    assert_eq!(table_snapshot(app.db_path()), before);
    // Every failure is in the ingest log, items 0.
    let log = app
        .get(
            "/api/v1/admin/events/bad/ingest-log",
            &[("x-api-key", &key)],
        )
        .await
        .json();
    let errors: Vec<&Value> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["outcome"] == "error")
        .collect();
    assert_eq!(errors.len(), 11);
    assert!(
        errors
            .iter()
            .all(|e| e["items"] == 0 && e["httpStatus"] == 400)
    );
    app.stop().await;
}

#[actix_web::test]
async fn bad_json_feeds_are_400_and_change_nothing() {
    let app = spawn_app().await;
    let key = app.event("badjson").await;
    post_xml(&app, &key, &fixture("sample-c123-synthetic-lodm-qua.xml")).await;
    app.set_status("badjson", &key, "running").await;
    let before = table_snapshot(app.db_path());
    let k = [("x-api-key", key.as_str())];
    let row = |extra: Value| {
        let mut r = json!({"raceId": "K1W-ZS_QUA_25", "participantId": "23176.K1W.ZS", "bib": 2});
        for (k, v) in extra.as_object().unwrap() {
            r[k] = v.clone();
        }
        json!({ "results": [r] })
    };
    for (path, body, message) in [
        (
            RESULTS,
            json!({"results": [{"raceId": "R", "participantId": "P", "bib": 7.5}]}),
            "body/results/0/bib must be integer",
        ),
        (
            RESULTS,
            json!({"results": [{"raceId": "R", "participantId": "P", "bib": "7"}]}),
            "body/results/0/bib must be integer",
        ),
        (
            RESULTS,
            json!({"results": [{"raceId": "R", "participantId": "P"}]}),
            "body/results/0 must have required property 'bib'",
        ),
        (
            RESULTS,
            row(json!({"time": 1e2})),
            "body/results/0/time must be integer or null",
        ),
        (
            RESULTS,
            row(json!({"total": 3_000_000_000_i64})),
            "body/results/0/total must be <= 2147483647",
        ),
        (
            RESULTS,
            row(json!({"status": 5})),
            "body/results/0/status must be string or null",
        ),
        (
            RESULTS,
            row(json!({"gates": [{"gate": 0}]})),
            "body/results/0/gates/0/gate must be >= 1",
        ),
        (
            RESULTS,
            json!({"results": {}}),
            "body/results must be array",
        ),
        (
            RESULTS,
            json!({}),
            "body must have required property 'results'",
        ),
        (
            ONCOURSE,
            json!({"oncourse": [{"participantId": "P", "raceId": "R", "bib": 1, "time": "12"}]}),
            "body/oncourse/0/time must be integer or null",
        ),
        (
            ONCOURSE,
            json!({"oncourse": [{"participantId": "P", "raceId": "R", "bib": 1, "gates": [0, "x"]}]}),
            "body/oncourse/0/gates/1 must be integer or null",
        ),
        (ONCOURSE, json!([]), "body must be object"),
    ] {
        app.json("POST", path, &k, &body)
            .await
            .assert_error(400, "Invalid request", message);
    }
    let huge = format!(r#"{{"results":[],"pad":"{}"}}"#, "x".repeat(1_100_000));
    let res = app
        .send(
            "POST",
            RESULTS,
            &[k[0], ("content-type", "application/json")],
            Some(huge.as_bytes()),
        )
        .await;
    res.assert_error(413, "Internal error", "Request body is too large");
    let res = app
        .send(
            "POST",
            RESULTS,
            &[k[0], ("content-type", "text/plain")],
            Some(b"{}"),
        )
        .await;
    res.assert_error(415, "Internal error", "Unsupported Media Type");
    assert_eq!(table_snapshot(app.db_path()), before);
    app.stop().await;
}

#[actix_web::test]
async fn state_guard_and_ignored_before_xml() {
    let app = spawn_app().await;
    let key = app.event("guard").await;
    let k = [("x-api-key", key.as_str())];
    let results = json!({"results": []});
    let oncourse = json!({"oncourse": []});
    // draft: XML accepted, JSON feeds refused.
    app.json("POST", ONCOURSE, &k, &oncourse)
        .await
        .assert_error(
            403,
            "Forbidden",
            "Data type 'json_oncourse' not accepted in 'draft' state",
        );
    app.json("POST", RESULTS, &k, &results).await.assert_error(
        403,
        "Forbidden",
        "Data type 'json_results' not accepted in 'draft' state",
    );
    app.set_status("guard", &key, "running").await;
    // running without XML: ignored, nothing stored.
    let res = app.json("POST", RESULTS, &k, &results).await;
    assert_eq!(res.json(), json!({"updated": 0, "ignored": true}));
    let res = app
        .json(
            "POST",
            ONCOURSE,
            &k,
            &fixture_json("sample-ingest-oncourse.json")["c123_server_shape"],
        )
        .await;
    assert_eq!(res.json(), json!({"active": 0, "ignored": true}));
    let log = app
        .get("/api/v1/admin/events/guard/ingest-log?limit=2", &k)
        .await
        .json();
    assert_eq!(log["entries"][0]["outcome"], "ignored");
    assert_eq!(log["entries"][0]["items"], 2);
    assert_eq!(log["entries"][1]["outcome"], "ignored");
    // With XML: accepted.
    post_xml(&app, &key, &fixture("sample-c123-synthetic-lodm-qua.xml")).await;
    let res = app
        .json(
            "POST",
            ONCOURSE,
            &k,
            &fixture_json("sample-ingest-oncourse.json")["c123_server_shape"],
        )
        .await;
    assert_eq!(res.json(), json!({"active": 2}));
    let res = app
        .json(
            "POST",
            RESULTS,
            &k,
            &fixture_json("sample-ingest-results.json")["c123_server_shape"],
        )
        .await;
    assert_eq!(res.json(), json!({"updated": 2}));
    // Unknown race and participant: skipped, not counted, never created.
    let res = app
        .json(
            "POST",
            RESULTS,
            &k,
            &fixture_json("sample-ingest-results.json")["from_upstream_test"],
        )
        .await;
    assert_eq!(res.json(), json!({"updated": 0}));
    // finished: results yes, on-course no; official: nothing.
    app.set_status("guard", &key, "finished").await;
    app.json("POST", ONCOURSE, &k, &oncourse)
        .await
        .assert_error(
            403,
            "Forbidden",
            "Data type 'json_oncourse' not accepted in 'finished' state",
        );
    assert_eq!(
        app.json("POST", RESULTS, &k, &results).await.json(),
        json!({"updated": 0})
    );
    app.set_status("guard", &key, "official").await;
    app.json("POST", RESULTS, &k, &results).await.assert_error(
        403,
        "Forbidden",
        "Data type 'json_results' not accepted in 'official' state",
    );
    post_xml(&app, &key, "<x/>").await.assert_error(
        403,
        "Forbidden",
        "Data type 'xml' not accepted in 'official' state",
    );
    app.stop().await;
}

/// One line of the recorded booth session.
struct BoothLine {
    seq: u64,
    method: String,
    path: String,
    auth: Option<(String, String)>,
    body: Option<Value>,
    status: u16,
}

fn booth_lines() -> Vec<BoothLine> {
    use sha2::Digest;
    fixture("booth-feed/healthy-race.jsonl")
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            let mut body = v["body"].clone();
            if let Some(xml) = body.get("xml").filter(|x| x.is_object()).cloned() {
                let mut text = fixture(xml["file"].as_str().unwrap());
                for pair in xml["replaceFirst"].as_array().unwrap() {
                    text = text.replacen(pair[0].as_str().unwrap(), pair[1].as_str().unwrap(), 1);
                }
                assert_eq!(text.len() as u64, xml["bytes"].as_u64().unwrap());
                assert_eq!(
                    hex::encode(sha2::Sha256::digest(text.as_bytes())),
                    xml["sha256"].as_str().unwrap()
                );
                body = json!({ "xml": text });
            }
            let auth = v["headers"]
                .as_object()
                .unwrap()
                .iter()
                .next()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()));
            BoothLine {
                seq: v["seq"].as_u64().unwrap(),
                method: v["method"].as_str().unwrap().to_owned(),
                path: v["path"].as_str().unwrap().to_owned(),
                auth,
                body: (!body.is_null()).then_some(body),
                status: u16::try_from(v["status"].as_u64().unwrap()).unwrap(),
            }
        })
        .collect()
}

/// The real booth session, replayed as fast as the server answers: every request gets the status
/// the contract gives (the producer's recorded statuses, DV25 for the final DELETE) and a JSON body.
#[actix_web::test]
async fn real_booth_session_replays_cleanly() {
    let app = spawn_app().await;
    let mut api_key = String::new();
    let lines = booth_lines();
    assert_eq!(lines.len(), 342);
    for line in &lines {
        let path = line.path.replace("{eventId}", "jarni-replay");
        let mut headers: Vec<(&str, String)> = Vec::new();
        if let Some((name, value)) = &line.auth {
            let value = value
                .replace("{masterKey}", MASTER)
                .replace("{apiKey}", &api_key);
            headers.push((name.as_str(), value));
        }
        let body = line
            .body
            .as_ref()
            .map(|b| b.to_string().replace("{eventId}", "jarni-replay"));
        if body.is_some() {
            headers.push(("content-type", "application/json".to_owned()));
        }
        let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let res = app
            .send(&line.method, &path, &h, body.as_deref().map(str::as_bytes))
            .await;
        assert_eq!(
            res.status.as_u16(),
            line.status,
            "line {} {} {}: {}",
            line.seq,
            line.method,
            path,
            String::from_utf8_lossy(&res.body)
        );
        let json = res.json();
        if line.seq == 1 {
            api_key = json["apiKey"].as_str().unwrap().to_owned();
        }
    }
    app.stop().await;
}
