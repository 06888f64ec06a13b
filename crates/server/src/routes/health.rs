//! `GET /health`: liveness, no database access.

use actix_web::HttpResponse;

use crate::respond;

/// 200 `{"status":"ok"}`.
pub(crate) async fn get() -> HttpResponse {
    respond::json_no_store(
        actix_web::http::StatusCode::OK,
        &serde_json::json!({"status": "ok"}),
    )
}
