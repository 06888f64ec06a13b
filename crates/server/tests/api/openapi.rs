//! The `OpenAPI` document (issue 12 item 2) against the code it describes: every route of the route
//! table is in it with exactly its methods (and nothing else is), and the examples (its own and
//! those of docs/API.md), the fixture bodies and the real answers of a seeded server validate
//! against its schemas.
//! `.ci/api-test.sh` then runs schemathesis against a running server with the same document.

use serde_json::{Map, Value, json};

use crate::helpers::{MASTER, TestApp, fixture, fixture_json, spawn_app};
use crate::ingest::{ONCOURSE, RESULTS, post_xml};

const ROUTES: &str = include_str!("../../src/routes/mod.rs");
const METHODS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

fn document() -> Value {
    serde_json::to_value(live_server::openapi::document()).expect("document as JSON")
}

/// Every path literal of `routes/mod.rs` (`"/…"`), in order.
fn route_table_paths() -> Vec<String> {
    ROUTES
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with('/'))
        .map(str::to_owned)
        .collect()
}

/// The document's (path, methods) pairs, methods upper-case.
fn documented() -> Vec<(String, Vec<String>)> {
    let doc = document();
    doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .map(|(path, item)| {
            let methods = item
                .as_object()
                .expect("path item")
                .keys()
                .filter(|k| METHODS.contains(&k.to_uppercase().as_str()))
                .map(|k| k.to_uppercase())
                .collect();
            (path.clone(), methods)
        })
        .collect()
}

/// `lodm-2024` with the synthetic export, an image, `running`, results and on-course data.
async fn seeded() -> (TestApp, String) {
    let app = spawn_app().await;
    let key = app
        .create_event(json!({
            "eventId": "lodm-2024",
            "mainTitle": "LODM 2024",
            "imageData": "data:image/png;base64,iVBORw0KGgo="
        }))
        .await;
    let res = post_xml(&app, &key, &fixture("sample-c123-synthetic-lodm.xml")).await;
    assert_eq!(res.status.as_u16(), 200);
    app.set_status("lodm-2024", &key, "running").await;
    let auth = [("x-api-key", key.as_str())];
    let results = fixture_json("sample-ingest-results.json");
    let res = app
        .json("POST", RESULTS, &auth, &results["c123_server_shape"])
        .await;
    assert_eq!(
        res.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&res.body)
    );
    let oncourse = fixture_json("sample-ingest-oncourse.json");
    let res = app
        .json("POST", ONCOURSE, &auth, &oncourse["c123_server_shape"])
        .await;
    assert_eq!(
        res.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&res.body)
    );
    (app, key)
}

/// A documented path with its parameters filled in for the seeded event.
fn concrete(path: &str) -> String {
    path.replace("{eventId}", "lodm-2024")
        .replace("{raceId}", "K1M-ZS_BR2_25")
}

#[test]
fn the_document_is_openapi_3_1_and_names_both_auth_headers() {
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    let security = &doc["components"]["securitySchemes"];
    assert_eq!(security["master_key"]["name"], "X-Master-Key");
    assert_eq!(security["master_key"]["in"], "header");
    assert_eq!(security["api_key"]["name"], "X-API-Key");
    // The two error bodies with extra keys are described.
    let schemas = &doc["components"]["schemas"];
    for key in ["currentStatus", "requestedStatus", "validTransitions"] {
        assert!(
            schemas["InvalidTransitionBody"]["properties"][key].is_object(),
            "{key}"
        );
    }
    assert!(schemas["ConnectionLimitBody"]["properties"]["maxConnections"].is_object());
    // The WebSocket route's answers.
    let ws = &doc["paths"]["/api/v1/events/{eventId}/ws"]["get"]["responses"];
    for status in ["101", "404", "410", "426", "503"] {
        assert!(ws[status].is_object(), "ws {status}");
    }
}

#[test]
fn every_route_of_the_table_is_documented_and_nothing_else() {
    let table = route_table_paths();
    assert!(table.len() >= 18, "parsed {table:?}");
    let documented: Vec<String> = documented().into_iter().map(|(p, _)| p).collect();
    for path in &table {
        assert!(
            documented.contains(path),
            "{path} is served but not documented"
        );
    }
    for path in &documented {
        assert!(
            table.contains(path),
            "{path} is documented but not in routes/mod.rs"
        );
    }
}

#[actix_web::test]
async fn every_documented_path_answers_exactly_its_documented_methods() {
    let (app, key) = seeded().await;
    let auth = [("x-master-key", MASTER), ("x-api-key", key.as_str())];
    for (path, methods) in documented() {
        let url = concrete(&path);
        for method in METHODS {
            // DELETE would remove the seeded event: probe it on an event that does not exist.
            let url = if method == "DELETE" {
                url.replace("lodm-2024", "absent-event")
            } else {
                url.clone()
            };
            let body = matches!(method, "POST" | "PATCH" | "PUT").then_some(b"{}".as_slice());
            let mut headers = auth.to_vec();
            if body.is_some() {
                headers.push(("content-type", "application/json"));
            }
            let res = app.send(method, &url, &headers, body).await;
            // The unknown-route answer; HEAD has no body, and every HEAD of a documented path
            // reaches an existing resource of the seeded event.
            let no_route = res.status.as_u16() == 404
                && (method == "HEAD"
                    || res.json() == json!({"error":"Not found","message":"Resource not found"}));
            let listed = methods.iter().any(|m| m == method);
            assert_eq!(
                !no_route,
                listed,
                "{method} {url}: {} {} (documented: {methods:?})",
                res.status,
                String::from_utf8_lossy(&res.body)
            );
        }
    }
    app.stop().await;
}

#[actix_web::test]
async fn the_served_document_is_the_generated_one() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/openapi.json", &[]).await;
    assert_eq!(res.status.as_u16(), 200);
    assert_eq!(
        res.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(res.json(), document());
    app.stop().await;
}

#[test]
fn every_example_validates_against_its_schema() {
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut checked = 0;
    for (name, schema) in schemas {
        if let Some(example) = schema.get("example") {
            assert_valid(&doc, schema, example, name);
            checked += 1;
        }
    }
    assert!(checked >= 15, "{checked} examples");
}

#[test]
fn fixture_and_booth_bodies_validate_against_the_request_schemas() {
    let doc = document();
    let body_schema = |path: &str| {
        doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"].clone()
    };
    let results = fixture_json("sample-ingest-results.json");
    let oncourse = fixture_json("sample-ingest-oncourse.json");
    for (name, body) in results.as_object().expect("object") {
        if !name.starts_with('_') {
            assert_valid(&doc, &body_schema(RESULTS), body, name);
        }
    }
    for (name, body) in oncourse.as_object().expect("object") {
        if !name.starts_with('_') {
            assert_valid(&doc, &body_schema(ONCOURSE), body, name);
        }
    }
    // Every feed body of the recorded booth session (the real producer's shapes).
    let mut seen = 0;
    for line in fixture("booth-feed/healthy-race.jsonl").lines() {
        let step: Value = serde_json::from_str(line).expect("jsonl");
        let path = step["path"].as_str().expect("path");
        if step["method"] == "POST" && (path == RESULTS || path == ONCOURSE) {
            assert_valid(
                &doc,
                &body_schema(path),
                &step["body"],
                &format!("seq {}", step["seq"]),
            );
            seen += 1;
        }
    }
    assert!(seen > 300, "{seen} booth bodies");
}

#[test]
fn the_answers_shown_in_api_md_validate_against_their_schemas() {
    let api_md = include_str!("../../../../docs/API.md");
    let doc = document();
    let mut checked = 0;
    // Each `### \`GET /events…\`` section's ```json blocks are answers of that route.
    for section in api_md.split("\n### `GET /events").skip(1) {
        let route = section.split('`').next().expect("heading");
        let path = format!("/api/v1/events{route}");
        // The section ends at the next heading.
        let section = section.split("\n#").next().expect("section");
        for block in section.split("```json\n").skip(1) {
            let text = block.split("\n```").next().expect("closed block");
            let answer: Value =
                serde_json::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}\n{text}"));
            let schema = &doc["paths"][path.as_str()]["get"]["responses"]["200"]["content"]["application/json"]
                ["schema"];
            assert!(schema.is_object(), "{path} has no JSON 200 in the document");
            assert_valid(&doc, schema, &answer, &path);
            checked += 1;
        }
    }
    assert!(checked >= 7, "{checked} examples in docs/API.md");
}

#[actix_web::test]
async fn the_answers_of_a_seeded_server_validate_against_their_schemas() {
    let (app, key) = seeded().await;
    let doc = document();
    let auth = [("x-master-key", MASTER), ("x-api-key", key.as_str())];
    let mut checked = 0;
    for (path, methods) in documented() {
        // Not JSON: the WebSocket, the image bytes and the Prometheus text.
        if !methods.iter().any(|m| m == "GET")
            || path.ends_with("/ws")
            || path.ends_with("/image")
            || path == "/metrics"
        {
            continue;
        }
        for query in ["", "?detailed=true", "?catId=ZS&detailed=1"] {
            if !query.is_empty() && !path.contains("/results/") {
                continue;
            }
            let url = format!("{}{query}", concrete(&path));
            let res = app.get(&url, &auth).await;
            assert_eq!(
                res.status.as_u16(),
                200,
                "{url}: {}",
                String::from_utf8_lossy(&res.body)
            );
            let schema = &doc["paths"][path.as_str()]["get"]["responses"]["200"]["content"]["application/json"]
                ["schema"];
            assert!(schema.is_object(), "{path}: no 200 schema");
            assert_valid(&doc, schema, &res.json(), &url);
            checked += 1;
        }
    }
    assert!(checked >= 12, "{checked} answers");
    // Error answers: the generic body and the two with extra keys.
    let errors = doc["components"]["schemas"].clone();
    let res = app.get("/api/v1/events/absent", &[]).await;
    assert_valid(&doc, &errors["ErrorBody"], &res.json(), "404");
    let res = app
        .json(
            "PATCH",
            "/api/v1/admin/events/lodm-2024/status",
            &auth,
            &json!({"status": "draft"}),
        )
        .await;
    assert_eq!(res.json()["error"], "InvalidTransition");
    assert_valid(
        &doc,
        &errors["InvalidTransitionBody"],
        &res.json(),
        "transition",
    );
    app.stop().await;
}

// ---------------------------------------------------------------------------------------------
// A JSON Schema check for the subset the document uses (utoipa's output): $ref, type (one or a
// list), properties, required, additionalProperties, items, enum, oneOf/anyOf/allOf, minimum,
// maximum, maxLength, maxItems. Formats and patterns are annotations here.

#[track_caller]
fn assert_valid(doc: &Value, schema: &Value, value: &Value, what: &str) {
    if let Err(e) = check(doc, schema, value, "$") {
        panic!("{what}: {e}\nvalue: {value}");
    }
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unsupported $ref {reference}"));
            let target = &doc["components"]["schemas"][name];
            assert!(target.is_object(), "dangling $ref {reference}");
            resolve(doc, target)
        }
        None => schema,
    }
}

fn type_matches(name: &str, value: &Value) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        other => panic!("unknown type {other}"),
    }
}

fn check(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    let Some(s) = schema.as_object() else {
        return Ok(()); // `true` / `{}`
    };
    if let Some(types) = s.get("type") {
        let names: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type {types}"),
        };
        if !names.iter().any(|t| type_matches(t, value)) {
            return Err(format!("{at}: {value} is not {names:?}"));
        }
    }
    if let Some(options) = s.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        return Err(format!("{at}: {value} not in {options:?}"));
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(options) = s.get(key).and_then(Value::as_array) {
            let passing = options
                .iter()
                .filter(|o| check(doc, o, value, at).is_ok())
                .count();
            if passing == 0 || (key == "oneOf" && passing > 1) {
                return Err(format!("{at}: {passing} of {key} match {value}"));
            }
        }
    }
    if let Some(all) = s.get("allOf").and_then(Value::as_array) {
        for o in all {
            check(doc, o, value, at)?;
        }
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = s.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            return Err(format!("{at}: {n} < {min}"));
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            return Err(format!("{at}: {n} > {max}"));
        }
    }
    if let (Some(text), Some(max)) = (value.as_str(), s.get("maxLength").and_then(Value::as_u64))
        && text.chars().count() as u64 > max
    {
        return Err(format!("{at}: longer than {max}"));
    }
    if let Some(items) = value.as_array() {
        if let Some(max) = s.get("maxItems").and_then(Value::as_u64)
            && items.len() as u64 > max
        {
            return Err(format!("{at}: more than {max} items"));
        }
        if let Some(item_schema) = s.get("items") {
            for (i, item) in items.iter().enumerate() {
                check(doc, item_schema, item, &format!("{at}/{i}"))?;
            }
        }
    }
    if let Some(object) = value.as_object() {
        check_object(doc, s, object, at)?;
    }
    Ok(())
}

fn check_object(
    doc: &Value,
    s: &Map<String, Value>,
    object: &Map<String, Value>,
    at: &str,
) -> Result<(), String> {
    let empty = Map::new();
    let properties = s
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    for required in s
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let name = required.as_str().expect("required name");
        if !object.contains_key(name) {
            return Err(format!("{at}: missing required '{name}'"));
        }
    }
    for (key, item) in object {
        match properties.get(key) {
            Some(property) => check(doc, property, item, &format!("{at}/{key}"))?,
            None if s.get("additionalProperties") == Some(&Value::Bool(false)) => {
                return Err(format!("{at}: additional property '{key}'"));
            }
            None => {}
        }
    }
    Ok(())
}
