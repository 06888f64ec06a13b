//! CORS for the public read routes (DV37, contract §1.2): every answer of `/health` and the public
//! event routes — errors and 304 included — is readable from any origin, and an `OPTIONS`
//! preflight there answers 204 without looking the event up. Admin, ingest and WebSocket routes
//! send no CORS headers; an `OPTIONS` there stays an unknown method (404).

use actix_web::HttpResponse;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, HeaderValue,
};
use actix_web::middleware::Next;

/// The route patterns whose answers are public.
const PUBLIC: [&str; 8] = [
    "/health",
    "/api/v1/events",
    "/api/v1/events/{eventId}",
    "/api/v1/events/{eventId}/image",
    "/api/v1/events/{eventId}/results/{raceId}",
    "/api/v1/events/{eventId}/startlist/{raceId}",
    "/api/v1/events/{eventId}/oncourse",
    "/api/v1/events/{eventId}/categories",
];

/// Whether a matched route pattern is one of the public read routes.
pub(crate) fn is_public(pattern: Option<&str>) -> bool {
    pattern.is_some_and(|p| PUBLIC.contains(&p))
}

/// Middleware: answers preflights and adds the CORS headers on public routes.
pub(crate) async fn public_cors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !is_public(crate::telemetry::route_of(&req).as_deref()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    if req.method() == Method::OPTIONS {
        let res = HttpResponse::NoContent()
            .insert_header((ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .insert_header((ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD"))
            .insert_header((ACCESS_CONTROL_ALLOW_HEADERS, "If-None-Match"))
            .insert_header((ACCESS_CONTROL_MAX_AGE, "86400"))
            .finish();
        return Ok(req.into_response(res));
    }
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(
        ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("ETag"),
    );
    Ok(res)
}
