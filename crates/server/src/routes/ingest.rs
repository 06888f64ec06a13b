//! Ingest routes (contract §4.9–§4.11): the booth's three feeds, authenticated by the event key.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use live_domain::requests::{OncourseIngest, ResultsIngest, XmlIngest};

use crate::app::AppState;
use crate::error::ApiError;
use crate::extract::{EventKey, Validated};
use crate::respond::json_no_store;
use crate::services::ingest;

/// `POST /api/v1/ingest/xml`.
pub(crate) async fn post_xml(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: Validated<EventKey, XmlIngest>,
) -> Result<HttpResponse, ApiError> {
    let answer = ingest::xml(&st, &req, &body.key.0, body.body).await?;
    Ok(json_no_store(StatusCode::OK, &answer))
}

/// `POST /api/v1/ingest/results`.
pub(crate) async fn post_results(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: Validated<EventKey, ResultsIngest>,
) -> Result<HttpResponse, ApiError> {
    let answer = ingest::results(&st, &req, &body.key.0, body.body).await?;
    Ok(json_no_store(StatusCode::OK, &answer))
}

/// `POST /api/v1/ingest/oncourse`.
pub(crate) async fn post_oncourse(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: Validated<EventKey, OncourseIngest>,
) -> Result<HttpResponse, ApiError> {
    let answer = ingest::oncourse(&st, &req, &body.key.0, body.body).await?;
    Ok(json_no_store(StatusCode::OK, &answer))
}
