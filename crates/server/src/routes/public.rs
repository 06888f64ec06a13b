//! Public read routes (contract §4.12–§4.18): no authentication, CORS (see `cors.rs`), weak `ETag`s
//! and `Cache-Control` (see `respond.rs`). Bodies sent with a GET are ignored (size limit still
//! applies).

use actix_web::http::header::{CONTENT_SECURITY_POLICY, HeaderValue, X_CONTENT_TYPE_OPTIONS};
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::drain_ignored;
use crate::respond::{Freshness, public_body, public_json};
use crate::services::public::{self, freshness};

fn param(req: &HttpRequest, name: &str) -> String {
    req.match_info().get(name).unwrap_or_default().to_owned()
}

/// The query parameters of a results request (§4.15): `catId` (empty = absent) and `detailed`
/// (exactly `true` or `1`); others ignored. Malformed percent-encoding is a 400.
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

/// `GET /api/v1/events`.
pub(crate) async fn list_events(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    drain_ignored(&req, body.into_inner()).await?;
    let events = public::events(&st).await?;
    Ok(public_json(
        &req,
        &json!({ "events": events }),
        Freshness::Live,
    ))
}

/// `GET /api/v1/events/{eventId}`.
pub(crate) async fn get_event(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    drain_ignored(&req, body.into_inner()).await?;
    let detail = public::detail(&st, &param(&req, "eventId")).await?;
    let fresh = freshness(detail.event.status);
    Ok(public_json(&req, &detail, fresh))
}

/// `GET /api/v1/events/{eventId}/results/{raceId}`.
pub(crate) async fn get_results(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    drain_ignored(&req, body.into_inner()).await?;
    let (cat_id, detailed) = results_query(&req)?;
    let (status, results) = public::results(
        &st,
        &param(&req, "eventId"),
        param(&req, "raceId"),
        cat_id,
        detailed,
    )
    .await?;
    Ok(public_json(&req, &results, freshness(status)))
}

/// `GET /api/v1/events/{eventId}/startlist/{raceId}`.
pub(crate) async fn get_startlist(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    drain_ignored(&req, body.into_inner()).await?;
    let (status, list) =
        public::startlist(&st, &param(&req, "eventId"), param(&req, "raceId")).await?;
    Ok(public_json(&req, &list, freshness(status)))
}

/// `GET /api/v1/events/{eventId}/oncourse`.
pub(crate) async fn get_oncourse(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    drain_ignored(&req, body.into_inner()).await?;
    let (status, items) = public::oncourse(&st, &param(&req, "eventId")).await?;
    Ok(public_json(
        &req,
        &json!({ "oncourse": items }),
        freshness(status),
    ))
}

/// `GET /api/v1/events/{eventId}/categories`.
pub(crate) async fn get_categories(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    drain_ignored(&req, body.into_inner()).await?;
    let (status, categories) = public::categories(&st, &param(&req, "eventId")).await?;
    Ok(public_json(
        &req,
        &json!({ "categories": categories }),
        freshness(status),
    ))
}

/// `GET /api/v1/events/{eventId}/image`: the stored bytes, cached for a day, never sniffed or
/// run as a document.
pub(crate) async fn get_image(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    drain_ignored(&req, body.into_inner()).await?;
    let (content_type, bytes) = public::image(&st, &param(&req, "eventId")).await?;
    let mut res = public_body(&req, "application/octet-stream", bytes, Freshness::Image);
    let success = res.status().is_success();
    let headers = res.headers_mut();
    if let (true, Ok(v)) = (success, HeaderValue::from_str(&content_type)) {
        headers.insert(actix_web::http::header::CONTENT_TYPE, v);
    }
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox"));
    Ok(res)
}
