//! `GET /api/v1/events/{eventId}/ws` (contract §6.1): admission before the upgrade, then one
//! connection task owned by `live-rooms`.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::error::ApiError;
use crate::services::live::{self, Admitted};

/// The `since=<epoch>:<seq>` resume position, first occurrence, percent-decoded.
fn since(req: &HttpRequest) -> Option<String> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()?
        .into_inner()
        .into_iter()
        .find_map(|(k, v)| (k == "since").then_some(v))
}

/// Admits a spectator and hands the socket to its room.
pub(crate) async fn connect(
    st: web::Data<AppState>,
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let event_id = req
        .match_info()
        .get("eventId")
        .unwrap_or_default()
        .to_owned();
    let is_upgrade = actix_http::ws::verify_handshake(req.head()).is_ok();
    let admitted = live::admit(&st, &event_id, since(&req).as_deref(), is_upgrade).await?;
    let (response, session, stream) =
        actix_ws::handle(&req, body).map_err(|_| ApiError::UpgradeRequired)?;
    match admitted {
        Admitted::Room(admission) => {
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
