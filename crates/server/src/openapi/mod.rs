//! The `OpenAPI` 3.1 document of the HTTP contract, served at `GET /api/v1/openapi.json`.
//!
//! Built once from the `#[utoipa::path]` descriptions in [`paths`] (one per route of
//! `routes/mod.rs`) and the wire shapes in [`schemas`]. The security schemes are the contract's
//! two headers: `X-Master-Key` (§2.1) and `X-API-Key` (§2.2); routes that take either list both.

use std::sync::OnceLock;

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};

mod paths;
pub mod schemas;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "live-mini",
        description = "Live results server for canoe slalom: the HTTP contract (contract.md). \
                       Every error answer is `{\"error\",\"message\"}` (§1.3); bodies are \
                       `application/json` only; unknown routes and methods are 404 `Not found`.",
        license(name = "MIT", identifier = "MIT"),
    ),
    paths(
        paths::health,
        paths::openapi,
        paths::metrics,
        paths::create_event,
        paths::list_events,
        paths::delete_event,
        paths::patch_status,
        paths::get_config,
        paths::patch_config,
        paths::get_ingest_log,
        paths::post_xml,
        paths::post_results,
        paths::post_oncourse,
        paths::public_events,
        paths::public_event,
        paths::public_image,
        paths::public_results,
        paths::public_startlist,
        paths::public_oncourse,
        paths::public_categories,
        paths::websocket,
    ),
    modifiers(&Security),
    tags(
        (name = "public", description = "Spectators: no authentication, CORS, ETags (§4.12–§4.18, §6)"),
        (name = "admin", description = "Event management: master key or the event's API key (§4.2–§4.8)"),
        (name = "ingest", description = "The timing booth's feeds: the event's API key (§4.9–§4.11)"),
        (name = "operations", description = "For operators: Prometheus metrics (docs/RUNBOOK.md)"),
    )
)]
struct ApiDoc;

/// Adds the two API-key header schemes.
struct Security;

impl utoipa::Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "master_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Master-Key",
                "One of MASTER_PASSWORDS (§2.1); admin routes are open when none is configured.",
            ))),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("METRICS_TOKEN, when it is set."))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "The event's key from its creation (§2.2), within its validity window.",
            ))),
        );
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

/// The document as served, encoded once.
fn encoded() -> &'static str {
    static JSON: OnceLock<String> = OnceLock::new();
    JSON.get_or_init(|| document().to_pretty_json().unwrap_or_default())
}

/// `GET /api/v1/openapi.json`.
pub(crate) async fn serve() -> HttpResponse {
    HttpResponse::build(StatusCode::OK)
        .content_type(crate::error::JSON_UTF8)
        .body(encoded())
}
