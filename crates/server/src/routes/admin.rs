//! Admin routes (contract §4.2–§4.8): extract and authenticate, call one service, map the result.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use live_domain::requests::{ConfigPatch, CreateEventRequest, StatusRequest};
use serde_json::json;

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{EventKey, MasterKey, MasterOrEventKey, NoBody, Validated, path_event_id};
use crate::respond::json_no_store;
use crate::services::events;

/// `POST /api/v1/admin/events`.
pub(crate) async fn create_event(
    st: web::Data<AppState>,
    req: Validated<MasterKey, CreateEventRequest>,
) -> Result<HttpResponse, ApiError> {
    let created = events::create(&st, req.body).await?;
    Ok(json_no_store(StatusCode::CREATED, &created))
}

/// `GET /api/v1/admin/events`.
pub(crate) async fn list_events(
    st: web::Data<AppState>,
    _key: NoBody<MasterKey>,
) -> Result<HttpResponse, ApiError> {
    let list = events::list(&st).await?;
    Ok(json_no_store(StatusCode::OK, &json!({ "events": list })))
}

/// `DELETE /api/v1/admin/events/{eventId}`.
pub(crate) async fn delete_event(
    st: web::Data<AppState>,
    req: HttpRequest,
    key: NoBody<MasterOrEventKey>,
) -> Result<HttpResponse, ApiError> {
    let event_id = path_event_id(&req);
    events::delete(&st, event_id.clone(), key.0.0).await?;
    Ok(json_no_store(
        StatusCode::OK,
        &json!({ "deleted": true, "eventId": event_id }),
    ))
}

/// `PATCH /api/v1/admin/events/{eventId}/status`.
pub(crate) async fn patch_status(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: Validated<EventKey, StatusRequest>,
) -> Result<HttpResponse, ApiError> {
    let change =
        events::change_status(&st, &body.key.0, path_event_id(&req), body.body.status).await?;
    Ok(json_no_store(StatusCode::OK, &change))
}

/// `GET /api/v1/admin/events/{eventId}/config`.
pub(crate) async fn get_config(
    st: web::Data<AppState>,
    req: HttpRequest,
    key: NoBody<EventKey>,
) -> Result<HttpResponse, ApiError> {
    let config = events::config(&st, &key.0.0, &path_event_id(&req)).await?;
    Ok(json_no_store(StatusCode::OK, &config))
}

/// `PATCH /api/v1/admin/events/{eventId}/config`.
pub(crate) async fn patch_config(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: Validated<EventKey, ConfigPatch>,
) -> Result<HttpResponse, ApiError> {
    let config = events::patch_config(&st, &body.key.0, &path_event_id(&req), body.body).await?;
    Ok(json_no_store(StatusCode::OK, &config))
}

/// `GET /api/v1/admin/events/{eventId}/ingest-log?limit=`.
pub(crate) async fn get_ingest_log(
    st: web::Data<AppState>,
    req: HttpRequest,
    key: NoBody<MasterOrEventKey>,
) -> Result<HttpResponse, ApiError> {
    let limit = log_limit(req.query_string())?;
    let event_id = path_event_id(&req);
    let entries = events::ingest_log(&st, event_id.clone(), key.0.0, limit).await?;
    Ok(json_no_store(
        StatusCode::OK,
        &json!({ "eventId": event_id, "entries": entries }),
    ))
}

/// The `limit` query parameter: integer 1–1000, default 100 (first occurrence counts).
fn log_limit(query: &str) -> Result<i64, ApiError> {
    let raw = query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == "limit").then_some(v)
    });
    let Some(raw) = raw else {
        return Ok(100);
    };
    let digits = raw.strip_prefix(['-', '+']).unwrap_or(raw);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::BadRequest(
            "querystring/limit must be integer".to_owned(),
        ));
    }
    let value = raw.parse::<i64>();
    // A negative number too long for i64 is still too small.
    if raw.starts_with('-') || value.as_ref().is_ok_and(|n| *n < 1) {
        return Err(ApiError::BadRequest(
            "querystring/limit must be >= 1".to_owned(),
        ));
    }
    match value {
        Ok(n) if n <= 1000 => Ok(n),
        _ => Err(ApiError::BadRequest(
            "querystring/limit must be <= 1000".to_owned(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::log_limit;

    #[test]
    fn limit_rules() {
        assert_eq!(log_limit("").unwrap(), 100);
        assert_eq!(log_limit("x=1").unwrap(), 100);
        assert_eq!(log_limit("limit=5").unwrap(), 5);
        assert_eq!(log_limit("limit=1000&limit=3").unwrap(), 1000);
        for (q, msg) in [
            ("limit=abc", "querystring/limit must be integer"),
            ("limit=1.5", "querystring/limit must be integer"),
            ("limit=", "querystring/limit must be integer"),
            ("limit=0", "querystring/limit must be >= 1"),
            ("limit=-3", "querystring/limit must be >= 1"),
            ("limit=1001", "querystring/limit must be <= 1000"),
            (
                "limit=99999999999999999999",
                "querystring/limit must be <= 1000",
            ),
        ] {
            assert_eq!(log_limit(q).unwrap_err().to_string(), msg, "{q}");
        }
    }
}
