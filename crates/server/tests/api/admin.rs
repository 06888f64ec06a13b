//! Admin API and lifecycle over real HTTP (contract §1, §2, §4.1–§4.8, §5).

use serde_json::{Value, json};

use crate::helpers::{MASTER, Opts, spawn_app, spawn_with, table_snapshot};

const EVENTS: &str = "/api/v1/admin/events";

fn status_path(id: &str) -> String {
    format!("{EVENTS}/{id}/status")
}

fn config_path(id: &str) -> String {
    format!("{EVENTS}/{id}/config")
}

#[actix_web::test]
async fn health_is_ok_without_database_or_auth() {
    let app = spawn_app().await;
    let res = app.get("/health", &[]).await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.json(), json!({"status": "ok"}));
    assert_eq!(
        res.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let head = app.send("HEAD", "/health", &[], None).await;
    assert_eq!(head.status.as_u16(), 200);
    assert!(head.body.is_empty());
    app.stop().await;
}

#[actix_web::test]
async fn create_event_returns_key_and_validity() {
    let app = spawn_app().await;
    let res = app
        .json(
            "POST",
            EVENTS,
            &[("x-master-key", MASTER)],
            &json!({"eventId": "lodm-2024", "mainTitle": "LODM 2024", "startDate": "2026-04-06", "endDate": "2026-04-07"}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 201);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let body = res.json();
    assert_eq!(body["eventId"], "lodm-2024");
    assert!(body["id"].as_i64().unwrap() >= 1);
    let key = body["apiKey"].as_str().unwrap();
    assert_eq!(key.len(), 64);
    assert!(
        key.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    );
    assert_eq!(
        body["validity"],
        json!({"validFrom": "2026-03-27T00:00:00.000Z", "validUntil": "2026-04-12T00:00:00.000Z"})
    );
    // c123-server's own request shape, with open validity.
    let res = app
        .json(
            "POST",
            EVENTS,
            &[("x-master-key", MASTER)],
            &json!({"mainTitle":"Jarní slalomy 2024","eventId":"jarni-replay","location":null,"discipline":"Slalom"}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 201);
    assert_eq!(
        res.json()["validity"],
        json!({"validFrom": null, "validUntil": null})
    );
    assert_ne!(res.json()["apiKey"], body["apiKey"]);
    app.stop().await;
}

#[actix_web::test]
async fn admin_list_shows_every_event_in_creation_order() {
    let app = spawn_app().await;
    let k1 = app
        .create_event(json!({"eventId": "b-event", "mainTitle": "B", "subTitle": "Sub", "location": "Praha", "discipline": "Slalom", "startDate": "2026-05-01", "imageData": "iVBORw0KGgo="}))
        .await;
    let k2 = app.event("a-event").await;
    app.set_status("a-event", &k2, "running").await;
    let res = app.get(EVENTS, &[("x-master-key", MASTER)]).await;
    assert_eq!(res.status.as_u16(), 200);
    let events = res.json()["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 2);
    let created_at = events[0]["createdAt"].as_str().unwrap().to_owned();
    assert_eq!(created_at.len(), 19, "YYYY-MM-DD HH:MM:SS: {created_at}");
    assert_eq!(
        events[0],
        json!({"eventId":"b-event","mainTitle":"B","subTitle":"Sub","location":"Praha","startDate":"2026-05-01","endDate":null,"discipline":"Slalom","status":"draft","apiKey":k1,"hasXmlData":false,"hasImage":true,"createdAt":created_at})
    );
    assert_eq!(events[1]["eventId"], "a-event");
    assert_eq!(events[1]["status"], "running");
    assert_eq!(events[1]["hasImage"], false);
    app.stop().await;
}

#[actix_web::test]
async fn master_key_rules() {
    let app = spawn_app().await;
    let body = json!({"eventId": "x1", "mainTitle": "X"}).to_string();
    let ct = ("content-type", "application/json");
    let missing = app.send("POST", EVENTS, &[ct], Some(body.as_bytes())).await;
    missing.assert_error(
        401,
        "Unauthorized",
        "Missing or invalid X-Master-Key header",
    );
    let empty = app
        .send(
            "POST",
            EVENTS,
            &[ct, ("x-master-key", "")],
            Some(body.as_bytes()),
        )
        .await;
    empty.assert_error(
        401,
        "Unauthorized",
        "Missing or invalid X-Master-Key header",
    );
    let repeated = app
        .send(
            "POST",
            EVENTS,
            &[ct, ("x-master-key", MASTER), ("x-master-key", MASTER)],
            Some(body.as_bytes()),
        )
        .await;
    repeated.assert_error(
        401,
        "Unauthorized",
        "Missing or invalid X-Master-Key header",
    );
    let wrong = app
        .send("GET", EVENTS, &[("x-master-key", "nope")], None)
        .await;
    wrong.assert_error(401, "Unauthorized", "Invalid master key");
    // Any configured entry matches; entries are trimmed.
    let other = app.get(EVENTS, &[("x-master-key", "other-key")]).await;
    assert_eq!(other.status.as_u16(), 200);
    // Unauthenticated AND invalid: 401, the body is not even read (DV35).
    let both = app.send("POST", EVENTS, &[ct], Some(b"{not json")).await;
    both.assert_error(
        401,
        "Unauthorized",
        "Missing or invalid X-Master-Key header",
    );
    app.stop().await;
}

#[actix_web::test]
async fn open_admin_without_master_passwords() {
    let app = spawn_with(Opts {
        open_admin: true,
        ..Opts::default()
    })
    .await;
    let res = app
        .json(
            "POST",
            EVENTS,
            &[],
            &json!({"eventId": "open", "mainTitle": "Open"}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 201);
    let res = app.get(EVENTS, &[]).await;
    assert_eq!(res.json()["events"][0]["eventId"], "open");
    let res = app
        .send("DELETE", &format!("{EVENTS}/open"), &[], None)
        .await;
    assert_eq!(res.json(), json!({"deleted": true, "eventId": "open"}));
    app.stop().await;
}

#[actix_web::test]
async fn create_event_validation_and_conflicts() {
    let app = spawn_app().await;
    let m = [("x-master-key", MASTER)];
    app.event("dup").await;
    let before = table_snapshot(app.db_path());
    let cases: Vec<(Value, u16, &str, &str)> = vec![
        (json!([]), 400, "Invalid request", "body must be object"),
        (
            json!({"mainTitle": "X"}),
            400,
            "Invalid request",
            "body must have required property 'eventId'",
        ),
        (
            json!({"eventId": 5, "mainTitle": "X"}),
            400,
            "Invalid request",
            "body/eventId must be string",
        ),
        (
            json!({"eventId": "", "mainTitle": "X"}),
            400,
            "Invalid request",
            "Missing required field: eventId",
        ),
        (
            json!({"eventId": "a b", "mainTitle": "X"}),
            400,
            "Invalid request",
            "eventId must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
        (
            json!({"eventId": "-x", "mainTitle": "X"}),
            400,
            "Invalid request",
            "eventId must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
        (
            json!({"eventId": "x".repeat(65), "mainTitle": "X"}),
            400,
            "Invalid request",
            "eventId must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
        ),
        (
            json!({"eventId": "ok", "mainTitle": ""}),
            400,
            "Invalid request",
            "Missing required field: mainTitle",
        ),
        (
            json!({"eventId": "ok", "mainTitle": "X", "startDate": "2026-02-30"}),
            400,
            "Invalid request",
            "Invalid startDate: expected YYYY-MM-DD or an RFC 3339 date-time",
        ),
        (
            json!({"eventId": "ok", "mainTitle": "X", "endDate": "tomorrow"}),
            400,
            "Invalid request",
            "Invalid endDate: expected YYYY-MM-DD or an RFC 3339 date-time",
        ),
        (
            json!({"eventId": "ok", "mainTitle": "X", "startDate": "2026-04-07", "endDate": "2026-04-06"}),
            400,
            "Invalid request",
            "endDate must not be before startDate",
        ),
        (
            json!({"eventId": "ok", "mainTitle": "X", "imageData": "***"}),
            400,
            "Invalid request",
            "Invalid imageData: not valid base64",
        ),
        (
            json!({"eventId": "ok", "mainTitle": "X", "subTitle": 3}),
            400,
            "Invalid request",
            "body/subTitle must be string or null",
        ),
        (
            json!({"eventId": "dup", "mainTitle": "X"}),
            409,
            "Conflict",
            "Event already exists: dup",
        ),
    ];
    for (body, status, error, message) in cases {
        let res = app.json("POST", EVENTS, &m, &body).await;
        res.assert_error(status, error, message);
    }
    assert_eq!(
        table_snapshot(app.db_path()),
        before,
        "rejected creations changed the database"
    );
    app.stop().await;
}

#[actix_web::test]
async fn transport_errors_are_json() {
    let app = spawn_with(Opts {
        env: vec![("JSON_BODY_LIMIT", "200".into())],
        ..Opts::default()
    })
    .await;
    let m = ("x-master-key", MASTER);
    let json_ct = ("content-type", "application/json");
    // Media type parameters and case are fine.
    let res = app
        .send(
            "POST",
            EVENTS,
            &[m, ("content-type", "Application/JSON; charset=utf-8")],
            Some(br#"{"eventId":"ct","mainTitle":"T"}"#),
        )
        .await;
    assert_eq!(res.status.as_u16(), 201);
    let before = table_snapshot(app.db_path());
    let res = app.send("POST", EVENTS, &[m, json_ct], Some(b"")).await;
    res.assert_error(
        400,
        "Invalid request",
        "Body cannot be empty when content-type is set to 'application/json'",
    );
    let res = app.send("POST", EVENTS, &[m], None).await;
    res.assert_error(400, "Invalid request", "body must be object");
    let res = app
        .send("POST", EVENTS, &[m, json_ct], Some(b"{\"eventId\":"))
        .await;
    res.assert_error(
        400,
        "Invalid request",
        "Body is not valid JSON but content-type is set to 'application/json'",
    );
    let res = app
        .send(
            "POST",
            EVENTS,
            &[m, ("content-type", "text/plain")],
            Some(b"{}"),
        )
        .await;
    res.assert_error(415, "Internal error", "Unsupported Media Type");
    let res = app.send("POST", EVENTS, &[m], Some(b"{}")).await;
    res.assert_error(415, "Internal error", "Unsupported Media Type");
    let res = app
        .send(
            "POST",
            EVENTS,
            &[m, json_ct, ("content-encoding", "gzip")],
            Some(b"{}"),
        )
        .await;
    res.assert_error(415, "Internal error", "Unsupported Media Type");
    let big = format!(r#"{{"eventId":"big","mainTitle":"{}"}}"#, "x".repeat(300));
    let res = app
        .send("POST", EVENTS, &[m, json_ct], Some(big.as_bytes()))
        .await;
    res.assert_error(413, "Internal error", "Request body is too large");
    // The limit applies to ignored bodies too.
    let res = app
        .send("GET", EVENTS, &[m, json_ct], Some(big.as_bytes()))
        .await;
    res.assert_error(413, "Internal error", "Request body is too large");
    // A body on GET is ignored with its content type.
    let res = app
        .send(
            "GET",
            EVENTS,
            &[m, ("content-type", "text/plain")],
            Some(b"hello"),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(
        table_snapshot(app.db_path()),
        before,
        "rejected requests changed the database"
    );
    app.stop().await;
}

#[actix_web::test]
async fn unknown_routes_and_methods_are_json_404() {
    let app = spawn_app().await;
    for (method, path) in [
        ("GET", "/nope"),
        ("GET", "/api/v1/nope"),
        ("POST", "/health"),
        ("PUT", EVENTS),
        ("OPTIONS", EVENTS),
        ("GET", "/api/v1/admin/events/x/status"),
        ("DELETE", "/api/v1/admin/events"),
    ] {
        let res = app.send(method, path, &[], None).await;
        res.assert_error(404, "Not found", "Resource not found");
    }
    app.stop().await;
}

#[actix_web::test]
async fn api_key_rules_on_status_route() {
    let app = spawn_app().await;
    let key = app.event("ev").await;
    let other = app.event("other").await;
    let expired = app
        .create_event(json!({"eventId": "old", "mainTitle": "Old", "endDate": "2020-01-02"}))
        .await;
    let future = app
        .create_event(json!({"eventId": "future", "mainTitle": "F", "startDate": "2999-01-11"}))
        .await;
    let body = json!({"status": "startlist"});
    let p = status_path("ev");
    app.json("PATCH", &p, &[], &body).await.assert_error(
        401,
        "Unauthorized",
        "Missing or invalid X-API-Key header",
    );
    app.json("PATCH", &p, &[("x-api-key", "")], &body)
        .await
        .assert_error(401, "Unauthorized", "Missing or invalid X-API-Key header");
    app.json(
        "PATCH",
        &p,
        &[("x-api-key", &key), ("x-api-key", &key)],
        &body,
    )
    .await
    .assert_error(401, "Unauthorized", "Missing or invalid X-API-Key header");
    app.json("PATCH", &p, &[("x-api-key", "f00")], &body)
        .await
        .assert_error(401, "Unauthorized", "Invalid API key");
    // The master key is no substitute for the event key here.
    app.json("PATCH", &p, &[("x-master-key", MASTER)], &body)
        .await
        .assert_error(401, "Unauthorized", "Missing or invalid X-API-Key header");
    app.json(
        "PATCH",
        &status_path("old"),
        &[("x-api-key", &expired)],
        &body,
    )
    .await
    .assert_error(
        401,
        "Unauthorized",
        "Key expired on 2020-01-07T00:00:00.000Z",
    );
    app.json(
        "PATCH",
        &status_path("future"),
        &[("x-api-key", &future)],
        &body,
    )
    .await
    .assert_error(
        401,
        "Unauthorized",
        "Key not yet valid. Valid from 2999-01-01T00:00:00.000Z",
    );
    app.json("PATCH", &p, &[("x-api-key", &other)], &body)
        .await
        .assert_error(401, "Unauthorized", "API key does not match event");
    app.json(
        "PATCH",
        &status_path("missing"),
        &[("x-api-key", &key)],
        &body,
    )
    .await
    .assert_error(404, "NotFound", "Event not found: missing");
    // Validation comes before the event lookup.
    app.json(
        "PATCH",
        &status_path("missing"),
        &[("x-api-key", &key)],
        &json!({"status": "done"}),
    )
    .await
    .assert_error(
        400,
        "Invalid request",
        "body/status must be equal to one of the allowed values",
    );
    app.json("PATCH", &p, &[("x-api-key", &key)], &json!({}))
        .await
        .assert_error(
            400,
            "Invalid request",
            "body must have required property 'status'",
        );
    let res = app.json("PATCH", &p, &[("x-api-key", &key)], &body).await;
    assert_eq!(res.status.as_u16(), 200);
    let b = res.json();
    assert_eq!(b["eventId"], "ev");
    assert_eq!(b["previousStatus"], "draft");
    assert_eq!(b["status"], "startlist");
    let at = b["statusChangedAt"].as_str().unwrap();
    assert!(
        live_domain::time::parse_rfc3339(at).is_some() && at.ends_with('Z') && at.len() == 24,
        "{at}"
    );
    app.stop().await;
}

#[actix_web::test]
async fn every_lifecycle_pair() {
    use live_domain::EventStatus;
    let app = spawn_app().await;
    let mut n = 0;
    for from in EventStatus::ALL {
        for to in EventStatus::ALL {
            n += 1;
            let id = format!("lc{n}");
            let key = app.event(&id).await;
            // Reach `from` the shortest legal way: one forward jump from draft.
            if from != EventStatus::Draft {
                app.set_status(&id, &key, from.as_str()).await;
            }
            let res = app
                .json(
                    "PATCH",
                    &status_path(&id),
                    &[("x-api-key", &key)],
                    &json!({"status": to}),
                )
                .await;
            let valid: Vec<&str> = from
                .valid_transitions()
                .iter()
                .map(|s| s.as_str())
                .collect();
            if valid.contains(&to.as_str()) {
                assert_eq!(res.status.as_u16(), 200, "{from} -> {to}");
                assert_eq!(res.json()["previousStatus"], from.as_str());
                assert_eq!(res.json()["status"], to.as_str());
            } else {
                let list = if valid.is_empty() {
                    "none".to_owned()
                } else {
                    valid.join(", ")
                };
                res.assert_error(
                    400,
                    "InvalidTransition",
                    &format!(
                        "Cannot transition from '{from}' to '{to}'. Valid transitions: {list}"
                    ),
                );
                let b = res.json();
                assert_eq!(b["currentStatus"], from.as_str());
                assert_eq!(b["requestedStatus"], to.as_str());
                assert_eq!(b["validTransitions"], json!(valid));
            }
        }
    }
    app.stop().await;
}

#[actix_web::test]
async fn config_get_and_patch() {
    let app = spawn_app().await;
    let key = app.event("cfg").await;
    let other = app.event("cfg2").await;
    let k = [("x-api-key", key.as_str())];
    let res = app.get(&config_path("cfg"), &k).await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.json(), json!({}));
    let res = app
        .json(
            "PATCH",
            &config_path("cfg"),
            &k,
            &json!({"activeRaceId": "K1M-ZS_BR1_25", "showOnCourse": true}),
        )
        .await;
    assert_eq!(
        res.json(),
        json!({"activeRaceId": "K1M-ZS_BR1_25", "showOnCourse": true})
    );
    let res = app
        .json(
            "PATCH",
            &config_path("cfg"),
            &k,
            &json!({"mergeStrategy": "xml", "showOnCourse": null}),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(
        res.json(),
        json!({"activeRaceId": "K1M-ZS_BR1_25", "mergeStrategy": "xml"})
    );
    assert_eq!(
        app.get(&config_path("cfg"), &k).await.json(),
        json!({"activeRaceId": "K1M-ZS_BR1_25", "mergeStrategy": "xml"})
    );
    let before = table_snapshot(app.db_path());
    app.json("PATCH", &config_path("cfg"), &k, &json!({"colour": "red"}))
        .await
        .assert_error(
            400,
            "Invalid request",
            "body must NOT have additional property 'colour'",
        );
    app.json(
        "PATCH",
        &config_path("cfg"),
        &k,
        &json!({"displayMode": "fancy"}),
    )
    .await
    .assert_error(
        400,
        "Invalid request",
        "body/displayMode must be equal to one of the allowed values",
    );
    // Another event's key and a missing event: `Not found` on the config routes.
    app.get(&config_path("cfg"), &[("x-api-key", other.as_str())])
        .await
        .assert_error(404, "Not found", "Event not found: cfg");
    app.json(
        "PATCH",
        &config_path("cfg"),
        &[("x-api-key", other.as_str())],
        &json!({}),
    )
    .await
    .assert_error(404, "Not found", "Event not found: cfg");
    app.get(&config_path("nope"), &k)
        .await
        .assert_error(404, "Not found", "Event not found: nope");
    app.get(&config_path("cfg"), &[]).await.assert_error(
        401,
        "Unauthorized",
        "Missing or invalid X-API-Key header",
    );
    assert_eq!(
        table_snapshot(app.db_path()),
        before,
        "rejected config requests changed the database"
    );
    // Official refuses config writes but still reads.
    app.set_status("cfg", &key, "official").await;
    app.json(
        "PATCH",
        &config_path("cfg"),
        &k,
        &json!({"displayMode": "simple"}),
    )
    .await
    .assert_error(
        403,
        "Forbidden",
        "Data type 'config' not accepted in 'official' state",
    );
    let official = table_snapshot(app.db_path());
    app.json(
        "PATCH",
        &config_path("cfg"),
        &k,
        &json!({"activeRaceId": null}),
    )
    .await
    .assert_error(
        403,
        "Forbidden",
        "Data type 'config' not accepted in 'official' state",
    );
    assert_eq!(table_snapshot(app.db_path()), official);
    assert_eq!(
        app.get(&config_path("cfg"), &k).await.json(),
        json!({"activeRaceId": "K1M-ZS_BR1_25", "mergeStrategy": "xml"})
    );
    app.stop().await;
}

#[actix_web::test]
async fn delete_with_master_or_own_key() {
    let app = spawn_app().await;
    let k1 = app.event("d1").await;
    let k2 = app.event("d2").await;
    let before = table_snapshot(app.db_path());
    app.send("DELETE", &format!("{EVENTS}/d1"), &[], None)
        .await
        .assert_error(
            401,
            "Unauthorized",
            "Missing or invalid X-Master-Key header",
        );
    app.send(
        "DELETE",
        &format!("{EVENTS}/d1"),
        &[("x-api-key", &k2)],
        None,
    )
    .await
    .assert_error(401, "Unauthorized", "API key does not match event");
    app.send(
        "DELETE",
        &format!("{EVENTS}/d1"),
        &[("x-master-key", "bad")],
        None,
    )
    .await
    .assert_error(401, "Unauthorized", "Invalid master key");
    app.send(
        "DELETE",
        &format!("{EVENTS}/zz"),
        &[("x-master-key", MASTER)],
        None,
    )
    .await
    .assert_error(404, "NotFound", "Event not found: zz");
    app.send(
        "DELETE",
        &format!("{EVENTS}/zz"),
        &[("x-api-key", &k2)],
        None,
    )
    .await
    .assert_error(404, "NotFound", "Event not found: zz");
    assert_eq!(table_snapshot(app.db_path()), before);
    // c123-server deletes with its API key and a JSON content type but no body (DV25, DV31).
    let res = app
        .send(
            "DELETE",
            &format!("{EVENTS}/d1"),
            &[("x-api-key", &k1), ("content-type", "application/json")],
            Some(b""),
        )
        .await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.json(), json!({"deleted": true, "eventId": "d1"}));
    let res = app
        .send(
            "DELETE",
            &format!("{EVENTS}/d2"),
            &[("x-master-key", MASTER)],
            None,
        )
        .await;
    assert_eq!(res.json(), json!({"deleted": true, "eventId": "d2"}));
    assert_eq!(
        app.get(EVENTS, &[("x-master-key", MASTER)]).await.json(),
        json!({"events": []})
    );
    // The deleted key no longer authenticates; the id can be created again with a new key.
    app.json(
        "PATCH",
        &status_path("d1"),
        &[("x-api-key", &k1)],
        &json!({"status": "running"}),
    )
    .await
    .assert_error(401, "Unauthorized", "Invalid API key");
    let k1b = app.event("d1").await;
    assert_ne!(k1, k1b);
    app.stop().await;
}

#[actix_web::test]
async fn ingest_log_records_status_and_config_requests() {
    let app = spawn_app().await;
    let key = app.event("log").await;
    let other = app.event("log2").await;
    let k = [("x-api-key", key.as_str())];
    app.set_status("log", &key, "startlist").await;
    // draft, startlist, draft: three successes; the second draft is a 400.
    for status in ["draft", "startlist", "draft", "draft"] {
        app.json(
            "PATCH",
            &status_path("log"),
            &k,
            &json!({ "status": status }),
        )
        .await;
    }
    app.json("PATCH", &config_path("log"), &k, &json!({"bogus": 1}))
        .await; // 400
    app.json(
        "PATCH",
        &status_path("log2"),
        &k,
        &json!({"status": "running"}),
    )
    .await; // 401 mismatch, logged to "log"
    app.json(
        "PATCH",
        &status_path("log"),
        &[],
        &json!({"status": "running"}),
    )
    .await; // no key: not logged
    let path = format!("{EVENTS}/log/ingest-log");
    let res = app.get(&format!("{path}?limit=3"), &k).await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let b = res.json();
    assert_eq!(b["eventId"], "log");
    let entries = b["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let e0 = &entries[0];
    assert_eq!(e0["type"], "status");
    assert_eq!(e0["outcome"], "error");
    assert_eq!(e0["httpStatus"], 401);
    assert_eq!(e0["error"], "API key does not match event");
    assert_eq!(e0["items"], 1);
    assert_eq!(entries[1]["type"], "config");
    assert_eq!(entries[1]["httpStatus"], 400);
    assert_eq!(entries[1]["items"], 0);
    assert_eq!(
        entries[1]["error"],
        "body must NOT have additional property 'bogus'"
    );
    assert_eq!(entries[1]["bytes"], 11);
    assert_eq!(
        entries[2]["error"],
        "Cannot transition from 'draft' to 'draft'. Valid transitions: startlist, running, finished, official"
    );
    let all = app.get(&path, &[("x-master-key", MASTER)]).await.json();
    let all = all["entries"].as_array().unwrap();
    assert_eq!(all.len(), 7);
    assert!(
        all.windows(2)
            .all(|w| w[0]["id"].as_i64() > w[1]["id"].as_i64())
    );
    assert_eq!(all[6]["outcome"], "success");
    assert_eq!(all[6]["error"], Value::Null);
    assert!(all[6]["createdAt"].as_str().unwrap().ends_with('Z'));
    // The other event's log is its own; another event's key cannot read this one.
    assert_eq!(
        app.get(
            &format!("{EVENTS}/log2/ingest-log"),
            &[("x-api-key", &other)]
        )
        .await
        .json()["entries"],
        json!([])
    );
    app.get(&path, &[("x-api-key", &other)]).await.assert_error(
        401,
        "Unauthorized",
        "API key does not match event",
    );
    app.get(
        &format!("{EVENTS}/none/ingest-log"),
        &[("x-master-key", MASTER)],
    )
    .await
    .assert_error(404, "NotFound", "Event not found: none");
    app.get(&format!("{path}?limit=0"), &k).await.assert_error(
        400,
        "Invalid request",
        "querystring/limit must be >= 1",
    );
    app.stop().await;
}

#[actix_web::test]
async fn restart_keeps_events_keys_and_status() {
    let app = spawn_app().await;
    let key = app
        .create_event(json!({"eventId": "keep", "mainTitle": "Keep", "endDate": "2999-01-01"}))
        .await;
    app.set_status("keep", &key, "running").await;
    app.json(
        "PATCH",
        &config_path("keep"),
        &[("x-api-key", &key)],
        &json!({"mergeStrategy": "xml"}),
    )
    .await;
    let before = app.get(EVENTS, &[("x-master-key", MASTER)]).await.json();
    let (dir, db) = app.stop_keep_db().await;
    let app = spawn_with(Opts {
        db_path: Some(db),
        ..Opts::default()
    })
    .await;
    assert_eq!(
        app.get(EVENTS, &[("x-master-key", MASTER)]).await.json(),
        before
    );
    assert_eq!(
        app.get(&config_path("keep"), &[("x-api-key", &key)])
            .await
            .json(),
        json!({"mergeStrategy": "xml"})
    );
    // The key window survived too: the status route still authenticates with the old key.
    app.set_status("keep", &key, "finished").await;
    app.stop().await;
    drop(dir);
}
