//! Request bodies the server does not read to the end close their connection (contract §1.1,
//! DV41).
//!
//! actix-http already closes a connection whose `Content-Length` body was left unread, but it
//! *drains* an unread chunked body before the next request: a client that trickles chunks to a
//! route that ignores them (or that was answered 408 or 413) would hold the connection for as
//! long as it likes. The decision is taken when the response has been written, and only for a
//! body whose reader was dropped. So this middleware keeps the request's payload alive inside
//! the response body until the response is complete: the dispatcher then sees a payload that is
//! neither finished nor dropped, answers with `Connection: close` and closes (after its usual
//! one-second linger). A body that was read to its end changes nothing: the connection stays
//! open for the next request.
//!
//! WebSocket upgrades are left alone: their frames arrive through the same payload.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::HttpMessage as _;
use actix_web::body::{BodySize, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{CONTENT_LENGTH, TRANSFER_ENCODING};
use actix_web::middleware::Next;
use bytes::Bytes;
use futures_util::Stream;

/// The request payload, shared between the handler's reader and the response body.
type Shared = Rc<RefCell<Payload>>;

/// The handler's view of the shared payload.
struct SharedPayload(Shared);

impl Stream for SharedPayload {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut *self.0.borrow_mut()).poll_next(cx)
    }
}

/// A response body that keeps the request payload alive until the response is complete.
struct HoldPayload {
    body: BoxBody,
    _payload: Shared,
}

impl MessageBody for HoldPayload {
    type Error = <BoxBody as MessageBody>::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_next(cx)
    }
}

/// Whether the request announces a body (`Content-Length` above 0, or any `Transfer-Encoding`).
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    let sized = headers
        .get(CONTENT_LENGTH)
        .is_some_and(|v| v.to_str().map_or(true, |v| v.trim() != "0"));
    sized || headers.contains_key(TRANSFER_ENCODING)
}

/// Middleware: see the module documentation.
pub(crate) async fn close_unread(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.head().upgrade() || !has_body(&req) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let shared: Shared = Rc::new(RefCell::new(req.take_payload()));
    req.set_payload(Payload::Stream {
        payload: Box::pin(SharedPayload(Rc::clone(&shared))),
    });
    let res = next.call(req).await?;
    Ok(res.map_body(|_, body| {
        BoxBody::new(HoldPayload {
            body: BoxBody::new(body),
            _payload: shared,
        })
    }))
}
