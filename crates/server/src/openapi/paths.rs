//! One `#[utoipa::path]` per route of `routes/mod.rs` (contract §3, §4, §6): methods, parameters,
//! auth, bodies and every answer. The functions are never called; they carry the description
//! beside the schema types. `tests/api/openapi.rs` fails when a route of the table is missing here
//! (or one here is not served), so the two cannot drift apart.
#![expect(
    dead_code,
    reason = "the functions only carry the utoipa::path attributes"
)]

use super::schemas::{
    AdminEventList, CategoryList, ConfigPatch, ConnectionLimitBody, CreateEventBody, CreatedEvent,
    Deleted, ErrorBody, EventConfig, EventDetail, Health, IngestLog, InvalidTransitionBody,
    OncourseAccepted, OncourseBody, OncourseList, PublicEventList, RaceResults, ResultsBody,
    ResultsUpdated, Startlist, StatusBody, StatusChanged, XmlBody, XmlImported,
};

/// `GET /health`.
#[utoipa::path(
    method(get, head), path = "/health", tag = "public",
    description = "Liveness: no database access (§4.1).",
    responses(
        (status = 200, description = "Up", body = Health),
        (status = "default", description = "Any other answer", body = ErrorBody),
    )
)]
pub(super) fn health() {}

/// `GET /api/v1/openapi.json`.
#[utoipa::path(
    method(get, head), path = "/api/v1/openapi.json", tag = "public",
    description = "This document.",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json", body = Object),
        (status = "default", description = "Any other answer", body = ErrorBody),
    )
)]
pub(super) fn openapi() {}

/// `GET /metrics`.
#[utoipa::path(
    method(get, head), path = "/metrics", tag = "operations",
    description = "Prometheus text format 0.0.4 (docs/RUNBOOK.md lists every metric). With \
        METRICS_TOKEN set it needs `Authorization: Bearer <token>`; without it, it is open.",
    security((), ("metrics_token" = [])),
    responses(
        (status = 200, description = "The metrics", content_type = "text/plain; version=0.0.4; charset=utf-8", body = String),
        (status = 401, description = "METRICS_TOKEN is set and the bearer token is missing or wrong", body = ErrorBody),
        (status = "default", description = "Any other answer", body = ErrorBody),
    )
)]
pub(super) fn metrics() {}

/// `POST /api/v1/admin/events`.
#[utoipa::path(
    post, path = "/api/v1/admin/events", tag = "admin",
    description = "Creates an event in `draft` with a fresh API key (§4.2).",
    security(("master_key" = [])),
    request_body(content = CreateEventBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = CreatedEvent),
        (status = 400, description = "Transport, validation or a field's own check (§1.1, §1.4, §4.2)", body = ErrorBody),
        (status = 401, description = "Missing or invalid master key", body = ErrorBody),
        (status = 409, description = "`Event already exists: <eventId>`", body = ErrorBody),
        (status = 413, description = "Body over `JSON_BODY_LIMIT`", body = ErrorBody),
        (status = 415, description = "Not `application/json`, or compressed", body = ErrorBody),
        (status = 503, description = "Database busy; `Retry-After: 1`", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn create_event() {}

/// `GET /api/v1/admin/events`.
#[utoipa::path(
    method(get, head), path = "/api/v1/admin/events", tag = "admin",
    description = "Every event, drafts included, with its API key (§4.3).",
    security(("master_key" = [])),
    responses(
        (status = 200, description = "The events", body = AdminEventList),
        (status = 401, description = "Missing or invalid master key", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn list_events() {}

/// `DELETE /api/v1/admin/events/{eventId}`.
#[utoipa::path(
    delete, path = "/api/v1/admin/events/{eventId}", tag = "admin",
    description = "Deletes the event and everything under it; closes its WebSocket room (§4.4).",
    security(("master_key" = []), ("api_key" = [])),
    params(("eventId" = String, Path, description = "The event's public id", example = "lodm-2024")),
    responses(
        (status = 200, description = "Deleted", body = Deleted),
        (status = 401, description = "Authentication (§2.3)", body = ErrorBody),
        (status = 404, description = "`NotFound`: `Event not found: <eventId>`", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn delete_event() {}

/// `PATCH /api/v1/admin/events/{eventId}/status`.
#[utoipa::path(
    patch, path = "/api/v1/admin/events/{eventId}/status", tag = "admin",
    description = "Moves the event along its lifecycle (§4.5, §5).",
    security(("api_key" = [])),
    params(("eventId" = String, Path, description = "The event's public id", example = "lodm-2024")),
    request_body(content = StatusBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Changed", body = StatusChanged),
        (status = 400, description = "Transport or validation (`Invalid request`), or a refused transition (`InvalidTransition`, with the lifecycle's keys)", body = InvalidTransitionBody),
        (status = 401, description = "Missing, invalid or expired key; key of another event", body = ErrorBody),
        (status = 404, description = "`NotFound`: `Event not found: <eventId>`", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn patch_status() {}

/// `GET /api/v1/admin/events/{eventId}/config`.
#[utoipa::path(
    method(get, head), path = "/api/v1/admin/events/{eventId}/config", tag = "admin",
    description = "The stored config object (§4.6).",
    security(("api_key" = [])),
    params(("eventId" = String, Path, description = "The event's public id", example = "lodm-2024")),
    responses(
        (status = 200, description = "Only the keys that were set", body = EventConfig),
        (status = 401, description = "Missing, invalid or expired key", body = ErrorBody),
        (status = 404, description = "`Not found`: `Event not found: <eventId>` (also for another event's key)", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn get_config() {}

/// `PATCH /api/v1/admin/events/{eventId}/config`.
#[utoipa::path(
    patch, path = "/api/v1/admin/events/{eventId}/config", tag = "admin",
    description = "Shallow merge into the config; `null` removes a key (§4.7).",
    security(("api_key" = [])),
    params(("eventId" = String, Path, description = "The event's public id", example = "lodm-2024")),
    request_body(content = ConfigPatch, content_type = "application/json"),
    responses(
        (status = 200, description = "The merged object", body = EventConfig),
        (status = 400, description = "Transport or validation; unknown keys", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired key", body = ErrorBody),
        (status = 403, description = "The event is `official`", body = ErrorBody),
        (status = 404, description = "`Not found`: `Event not found: <eventId>`", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn patch_config() {}

/// `GET /api/v1/admin/events/{eventId}/ingest-log`.
#[utoipa::path(
    method(get, head), path = "/api/v1/admin/events/{eventId}/ingest-log", tag = "admin",
    description = "The event's ingest log, newest first (§4.8).",
    security(("master_key" = []), ("api_key" = [])),
    params(
        ("eventId" = String, Path, description = "The event's public id", example = "lodm-2024"),
        ("limit" = Option<i32>, Query, minimum = 1, maximum = 1000, description = "Rows, default 100"),
    ),
    responses(
        (status = 200, description = "The rows", body = IngestLog),
        (status = 400, description = "`querystring/limit must be …`", body = ErrorBody),
        (status = 401, description = "Authentication (§2.3)", body = ErrorBody),
        (status = 404, description = "`NotFound`: `Event not found: <eventId>`", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn get_ingest_log() {}

/// `POST /api/v1/ingest/xml`.
#[utoipa::path(
    post, path = "/api/v1/ingest/xml", tag = "ingest",
    description = "Imports a whole Canoe123 export into the key's event (§4.9, c123-xml.md).",
    security(("api_key" = [])),
    request_body(content = XmlBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Imported", body = XmlImported),
        (status = 400, description = "Transport, validation or an XML rejection (c123-xml.md §9)", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired key", body = ErrorBody),
        (status = 403, description = "Not accepted in the event's state", body = ErrorBody),
        (status = 413, description = "Body over `XML_BODY_LIMIT`", body = ErrorBody),
        (status = 415, description = "Not `application/json`, or compressed", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn post_xml() {}

/// `POST /api/v1/ingest/results`.
#[utoipa::path(
    post, path = "/api/v1/ingest/results", tag = "ingest",
    description = "The booth's results table of the running race (§4.11, c123-xml.md §12.1).",
    security(("api_key" = [])),
    request_body(content = ResultsBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Stored (or ignored before any XML)", body = ResultsUpdated),
        (status = 400, description = "Transport or validation", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired key", body = ErrorBody),
        (status = 403, description = "Not accepted in the event's state", body = ErrorBody),
        (status = 413, description = "Body over `JSON_BODY_LIMIT`", body = ErrorBody),
        (status = 415, description = "Not `application/json`, or compressed", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn post_results() {}

/// `POST /api/v1/ingest/oncourse`.
#[utoipa::path(
    post, path = "/api/v1/ingest/oncourse", tag = "ingest",
    description = "Riders on course (§4.10, c123-xml.md §12.2).",
    security(("api_key" = [])),
    request_body(content = OncourseBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Held (or ignored before any XML)", body = OncourseAccepted),
        (status = 400, description = "Transport or validation", body = ErrorBody),
        (status = 401, description = "Missing, invalid or expired key", body = ErrorBody),
        (status = 403, description = "Only accepted while `running`", body = ErrorBody),
        (status = 413, description = "Body over `JSON_BODY_LIMIT`", body = ErrorBody),
        (status = 415, description = "Not `application/json`, or compressed", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn post_oncourse() {}

/// `GET /api/v1/events`.
#[utoipa::path(
    method(get, head), path = "/api/v1/events", tag = "public",
    description = "Public events: every status but `draft` (§4.12). ETag / `If-None-Match` (§1.6).",
    responses(
        (status = 200, description = "The events", body = PublicEventList),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = "default", description = "Any error", body = ErrorBody),
    )
)]
pub(super) fn public_events() {}

/// `GET /api/v1/events/{eventId}`.
#[utoipa::path(
    method(get, head), path = "/api/v1/events/{eventId}", tag = "public",
    description = "Event, classes and races (§4.13).",
    params(("eventId" = String, Path, description = "The event's public id", example = "lodm-2024")),
    responses(
        (status = 200, description = "The event", body = EventDetail),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 404, description = "`NotFound`: `Event not found` (missing or draft)", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn public_event() {}

/// `GET /api/v1/events/{eventId}/image`.
#[utoipa::path(
    method(get, head), path = "/api/v1/events/{eventId}/image", tag = "public",
    description = "The stored image bytes with their content type (§4.14).",
    params(("eventId" = String, Path, description = "The event's public id", example = "lodm-2024")),
    responses(
        (status = 200, description = "The image: the stored bytes, `Content-Type` the stored type", content_type = "image/*", body = super::schemas::ImageBytes),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 404, description = "`NotFound`: `Image not found`", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn public_image() {}

/// `GET /api/v1/events/{eventId}/results/{raceId}`.
#[utoipa::path(
    method(get, head), path = "/api/v1/events/{eventId}/results/{raceId}", tag = "public",
    description = "A race's results (§4.15, computations.md).",
    params(
        ("eventId" = String, Path, description = "The event's public id", example = "lodm-2024"),
        ("raceId" = String, Path, description = "The race id", example = "K1M-ZS_BR2_25"),
        ("catId" = Option<String>, Query, description = "Category filter; empty = absent"),
        ("detailed" = Option<String>, Query, description = "`true` or `1` adds the detail keys"),
        ("includeAllRuns" = Option<String>, Query, description = "Accepted, ignored"),
    ),
    responses(
        (status = 200, description = "The results", body = RaceResults),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 400, description = "`querystring must be a valid query string`", body = ErrorBody),
        (status = 404, description = "`NotFound`: `Event not found` / `Race not found`", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn public_results() {}

/// `GET /api/v1/events/{eventId}/startlist/{raceId}`.
#[utoipa::path(
    method(get, head), path = "/api/v1/events/{eventId}/startlist/{raceId}", tag = "public",
    description = "A race's start list (§4.16).",
    params(
        ("eventId" = String, Path, description = "The event's public id", example = "lodm-2024"),
        ("raceId" = String, Path, description = "The race id", example = "K1M-ZS_BR2_25"),
    ),
    responses(
        (status = 200, description = "The start list", body = Startlist),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 404, description = "`NotFound`: `Event not found` / `Race not found`", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn public_startlist() {}

/// `GET /api/v1/events/{eventId}/oncourse`.
#[utoipa::path(
    method(get, head), path = "/api/v1/events/{eventId}/oncourse", tag = "public",
    description = "Riders on course within `ONCOURSE_TTL_MS` (§4.17).",
    params(("eventId" = String, Path, description = "The event's public id", example = "lodm-2024")),
    responses(
        (status = 200, description = "On course", body = OncourseList),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 404, description = "`NotFound`: `Event not found`", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn public_oncourse() {}

/// `GET /api/v1/events/{eventId}/categories`.
#[utoipa::path(
    method(get, head), path = "/api/v1/events/{eventId}/categories", tag = "public",
    description = "Every category of every class (§4.18).",
    params(("eventId" = String, Path, description = "The event's public id", example = "lodm-2024")),
    responses(
        (status = 200, description = "The categories", body = CategoryList),
        (status = 304, description = "Not modified (`If-None-Match`)"),
        (status = 404, description = "`NotFound`: `Event not found`", body = ErrorBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn public_categories() {}

/// `GET /api/v1/events/{eventId}/ws`.
#[utoipa::path(
    get, path = "/api/v1/events/{eventId}/ws", tag = "public",
    description = "The live WebSocket (§6): a GET with `Upgrade: websocket` is answered 101 and then \
                   speaks the envelope of §6; without the upgrade the admission still runs and \
                   an admitted request is answered 426.",
    params(
        ("eventId" = String, Path, description = "The event's public id", example = "lodm-2024"),
        ("since" = Option<String>, Query, description = "Resume after this sequence number (§6.6)"),
    ),
    responses(
        (status = 101, description = "Switching protocols: the WebSocket"),
        (status = 404, description = "`EventNotFound`: `Event not found or not publicly available`", body = ErrorBody),
        (status = 410, description = "`EventOfficial`: no live updates", body = ErrorBody),
        (status = 426, description = "`Invalid request`: `WebSocket upgrade required`", body = ErrorBody),
        (status = 503, description = "`ConnectionLimitReached` (`Retry-After: 5`), or the database is busy", body = ConnectionLimitBody),
        (status = "default", description = "Any other error", body = ErrorBody),
    )
)]
pub(super) fn websocket() {}
