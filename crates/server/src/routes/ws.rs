//! `GET /api/v1/events/{eventId}/ws` (contract §6.1): admission before the upgrade, then one
//! connection task owned by `live-rooms`.

use std::time::Instant;

use actix_web::{HttpMessage, HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::client_limits::{ClientSlot, Refusal};
use crate::error::ApiError;
use crate::services::live::{self, Admitted};
use crate::telemetry::RequestContext;

/// The `since=<epoch>:<seq>` resume position, first occurrence, percent-decoded.
fn since(req: &HttpRequest) -> Option<String> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()?
        .into_inner()
        .into_iter()
        .find_map(|(k, v)| (k == "since").then_some(v))
}

/// Admits a spectator and hands the socket to its room; a refusal is counted by reason.
pub(crate) async fn connect(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let answer = upgrade(&st, &req, body).await;
    if let Err(e) = &answer {
        st.metrics.ws_refused(e.ws_refusal_reason());
    }
    answer
}

/// The per-client limits (before the contract's checks: a flood is refused before it costs a
/// lookup). The slot, if any, is held by the connection task.
fn client_limits(st: &AppState, req: &HttpRequest) -> Result<Option<ClientSlot>, ApiError> {
    let client = req
        .extensions()
        .get::<RequestContext>()
        .and_then(|c| c.client);
    let Some(addr) = client else {
        return Ok(None);
    };
    st.client_limits
        .admit(addr, Instant::now())
        .map_err(|refusal| match refusal {
            Refusal::Handshakes { retry_after } => ApiError::TooManyRequests {
                message: "Too many WebSocket handshakes from this address",
                retry_after,
                max: None,
            },
            Refusal::Connections { max } => ApiError::TooManyRequests {
                message: "Too many WebSocket connections from this address",
                retry_after: 5,
                max: Some(max),
            },
        })
}

async fn upgrade(
    st: &web::Data<AppState>,
    req: &HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let slot = client_limits(st, req)?;
    let event_id = req
        .match_info()
        .get("eventId")
        .unwrap_or_default()
        .to_owned();
    let is_upgrade = actix_http::ws::verify_handshake(req.head()).is_ok();
    let admitted = live::admit(st, &event_id, since(req).as_deref(), is_upgrade).await?;
    let (response, session, stream) =
        actix_ws::handle(req, body).map_err(|_| ApiError::UpgradeRequired)?;
    match admitted {
        Admitted::Room(mut admission) => {
            // The connection's log lines name the handshake's request id (a field, not the
            // span: see `Admission::set_request_id`).
            if let Some(ctx) = req.extensions().get::<RequestContext>() {
                admission.set_request_id(&ctx.id);
            }
            // The socket holds the client's slot; the task is `serve` itself (a future wrapped
            // around it to hold the slot measured +0.9 to +2.3 KiB per socket).
            if let Some(slot) = slot {
                admission.hold(Box::new(slot));
            }
            actix_web::rt::spawn(live_rooms::serve(
                admission,
                session,
                stream,
                st.rooms.clone(),
            ));
        }
        Admitted::FirstFrameFailed => {
            actix_web::rt::spawn(live_rooms::close_internal_error(
                session,
                stream,
                st.rooms.clone(),
            ));
        }
    }
    Ok(response)
}
