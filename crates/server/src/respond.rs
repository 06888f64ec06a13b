//! Success responses: JSON with the contract's content type and caching headers.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use serde::Serialize;

use crate::error::JSON_UTF8;

/// Serialises `body` (UTF-8, unescaped) with `Cache-Control: no-store` (admin, ingest, health).
pub(crate) fn json_no_store<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> HttpResponse {
    match serde_json::to_vec(body) {
        Ok(bytes) => HttpResponse::build(status)
            .insert_header((CONTENT_TYPE, HeaderValue::from_static(JSON_UTF8)))
            .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
            .body(bytes),
        Err(e) => actix_web::ResponseError::error_response(&crate::error::ApiError::Internal(
            format!("cannot encode response: {e}"),
        )),
    }
}
