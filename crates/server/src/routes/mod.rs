//! The route table. Every path answers only its methods; anything else is the JSON 404
//! (contract §1.7), so every resource gets the same default service as the app.

use actix_web::{HttpResponse, web};

use crate::error::ApiError;

mod admin;
mod health;

/// A resource whose unknown methods answer the JSON 404.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(no_route))
}

/// Registers every route.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/health")
            .route(web::get().to(health::get))
            .route(web::head().to(health::get)),
    )
    .service(
        resource("/api/v1/admin/events")
            .route(web::post().to(admin::create_event))
            .route(web::get().to(admin::list_events))
            .route(web::head().to(admin::list_events)),
    )
    .service(
        resource("/api/v1/admin/events/{eventId}").route(web::delete().to(admin::delete_event)),
    )
    .service(
        resource("/api/v1/admin/events/{eventId}/status")
            .route(web::patch().to(admin::patch_status)),
    )
    .service(
        resource("/api/v1/admin/events/{eventId}/config")
            .route(web::get().to(admin::get_config))
            .route(web::head().to(admin::get_config))
            .route(web::patch().to(admin::patch_config)),
    )
    .service(
        resource("/api/v1/admin/events/{eventId}/ingest-log")
            .route(web::get().to(admin::get_ingest_log))
            .route(web::head().to(admin::get_ingest_log)),
    );
}

/// The unknown-route answer.
pub(crate) async fn no_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::no_route())
}
