//! Public read routes (contract §4.12–§4.18): no authentication, CORS (see `cors.rs`), weak `ETag`s
//! and `Cache-Control` (see `respond.rs`), answers reused from the read cache until the next write
//! (see `services/read_cache.rs`). Bodies sent with a GET are never read: the size limit applies to
//! their `Content-Length` and the connection closes after the answer (DV41).

use std::future::Future;
use std::sync::Arc;

use actix_web::http::header::HeaderValue;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::ignore_body;
use crate::respond::{Freshness, PublicBody};
use crate::services::live::OncourseData;
use crate::services::public::{self, freshness};

fn param(req: &HttpRequest, name: &str) -> String {
    req.match_info().get(name).unwrap_or_default().to_owned()
}

/// The query parameters of a results request (§4.15): `catId` (empty = absent) and `detailed`
/// (exactly `true` or `1`); others ignored.
fn results_query(req: &HttpRequest) -> Result<(Option<String>, bool), ApiError> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map_err(|_| ApiError::BadRequest("querystring must be a valid query string".to_owned()))?
        .into_inner();
    let first = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let cat_id = first("catId").filter(|v| !v.is_empty()).map(str::to_owned);
    let detailed = matches!(first("detailed"), Some("true" | "1"));
    Ok((cat_id, detailed))
}

/// Serves `req` from the read cache, or composes the answer with `compose` and keeps it.
/// Errors are never cached.
async fn cached<F, Fut>(
    st: &AppState,
    req: &HttpRequest,
    body: web::Payload,
    compose: F,
) -> Result<HttpResponse, ApiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<PublicBody, ApiError>>,
{
    ignore_body(req, body.into_inner())?;
    let key = format!("{}?{}", req.path(), req.query_string());
    if let Some(hit) = st.read_cache.get(&key) {
        return Ok(hit.respond(req));
    }
    let generation = st.read_cache.generation();
    let answer = Arc::new(compose().await?);
    st.read_cache.put(key, generation, Arc::clone(&answer));
    Ok(answer.respond(req))
}

/// `GET /api/v1/events`.
pub(crate) async fn list_events(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    cached(&st, &req, body, || async {
        let events = public::events(&st).await?;
        PublicBody::json(&json!({ "events": events }), Freshness::Live)
    })
    .await
}

/// `GET /api/v1/events/{eventId}`.
pub(crate) async fn get_event(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    cached(&st, &req, body, || async {
        let detail = public::detail(&st, &param(&req, "eventId")).await?;
        PublicBody::json(&detail, freshness(detail.event.status))
    })
    .await
}

/// `GET /api/v1/events/{eventId}/results/{raceId}`.
pub(crate) async fn get_results(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    cached(&st, &req, body, || async {
        let (cat_id, detailed) = results_query(&req)?;
        let event_id = param(&req, "eventId");
        let (status, results) =
            public::results(&st, &event_id, param(&req, "raceId"), cat_id, detailed).await?;
        PublicBody::json(&results, freshness(status))
    })
    .await
}

/// `GET /api/v1/events/{eventId}/startlist/{raceId}`.
pub(crate) async fn get_startlist(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    cached(&st, &req, body, || async {
        let (status, list) =
            public::startlist(&st, &param(&req, "eventId"), param(&req, "raceId")).await?;
        PublicBody::json(&list, freshness(status))
    })
    .await
}

/// `GET /api/v1/events/{eventId}/oncourse` — never cached: entries expire with time.
pub(crate) async fn get_oncourse(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    ignore_body(&req, body.into_inner())?;
    let (status, items) = public::oncourse(&st, &param(&req, "eventId")).await?;
    let body = OncourseData { oncourse: &items };
    Ok(PublicBody::json(&body, freshness(status))?.respond(&req))
}

/// `GET /api/v1/events/{eventId}/categories`.
pub(crate) async fn get_categories(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    cached(&st, &req, body, || async {
        let (status, categories) = public::categories(&st, &param(&req, "eventId")).await?;
        PublicBody::json(&json!({ "categories": categories }), freshness(status))
    })
    .await
}

/// `GET /api/v1/events/{eventId}/image`: the stored bytes, cached for a day, never sniffed or
/// run as a document.
pub(crate) async fn get_image(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    cached(&st, &req, body, || async {
        let (content_type, bytes) = public::image(&st, &param(&req, "eventId")).await?;
        let content_type = HeaderValue::from_str(&content_type)
            .unwrap_or_else(|_| HeaderValue::from_static("application/octet-stream"));
        Ok(PublicBody::new(content_type, bytes, Freshness::Image))
    })
    .await
}
