//! The route table. Every path answers only its methods; anything else is the JSON 404
//! (contract §1.7), so every resource gets the same default service as the app.

use actix_web::{HttpResponse, web};

use crate::error::ApiError;

mod admin;
mod health;
mod ingest;
mod public;
pub(crate) mod spa;
mod ws;

/// A resource whose unknown methods answer the JSON 404.
fn resource(path: &str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(no_route))
}

/// A resource answering GET and HEAD with `handler`.
pub(crate) fn get_head<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args> + Clone,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    resource(path)
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
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
    )
    .service(resource("/api/v1/ingest/xml").route(web::post().to(ingest::post_xml)))
    .service(resource("/api/v1/ingest/results").route(web::post().to(ingest::post_results)))
    .service(resource("/api/v1/ingest/oncourse").route(web::post().to(ingest::post_oncourse)))
    .service(get_head("/api/v1/events", public::list_events))
    .service(get_head("/api/v1/events/{eventId}", public::get_event))
    .service(get_head(
        "/api/v1/events/{eventId}/image",
        public::get_image,
    ))
    .service(get_head(
        "/api/v1/events/{eventId}/results/{raceId}",
        public::get_results,
    ))
    .service(get_head(
        "/api/v1/events/{eventId}/startlist/{raceId}",
        public::get_startlist,
    ))
    .service(get_head(
        "/api/v1/events/{eventId}/oncourse",
        public::get_oncourse,
    ))
    .service(get_head(
        "/api/v1/events/{eventId}/categories",
        public::get_categories,
    ))
    .service(resource("/api/v1/events/{eventId}/ws").route(web::get().to(ws::connect)))
    .service(get_head("/api/v1/openapi.json", crate::openapi::serve))
    .service(get_head("/metrics", crate::metrics::get));
}

/// The unknown-route answer.
pub(crate) async fn no_route() -> Result<HttpResponse, ApiError> {
    Err(ApiError::no_route())
}
