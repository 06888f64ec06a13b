//! The spectator page, built into the server (issue 11): server-rendered HTML for every view
//! (`views.rs`, maud), in Czech or English (`i18n.rs`), with one embedded stylesheet and one ES
//! module (`assets.rs`) that follows the event's WebSocket and patches the page.
//!
//! Routes (GET/HEAD only; registered only when `CLIENT_DIST_PATH` is unset, since that app then
//! replaces this one): `/` the events list, `/events/{eventId}` the event page (its current race),
//! `/events/{eventId}/races/{raceId}` a race (`?view=startlist|schedule`, `?cat=`, `?q=`,
//! `?lang=cs|en`), `/assets/{file}` the hashed assets. Pages are kept in the read cache like API
//! answers (key: path, query, language and the event's live position), so a page is rendered and
//! compressed once per change, not per request.

use std::future::Future;
use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue, SET_COOKIE};
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::app::AppState;
use crate::error::ApiError;
use crate::respond::{Freshness, PublicBody};
use crate::services::live::page_position;
use crate::services::page::{self as service, PageView, RaceQuery};
use crate::services::public::freshness;

mod assets;
mod fmt;
mod i18n;
mod views;

use assets::ASSETS;
use i18n::{Chosen, negotiate};

/// Every page: only its own stylesheet, script, images and WebSocket; no inline script runs (the
/// `<script type="application/json">` texts are data). Framing stays allowed: organisers embed
/// the page in their own sites.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'self'";

fn protect(res: &mut HttpResponse) {
    use actix_web::http::header::{CONTENT_SECURITY_POLICY, X_CONTENT_TYPE_OPTIONS};
    let h = res.headers_mut();
    h.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
}

/// `Vary` of every page: the encoding and the two inputs of the language choice.
const VARY_PAGE: &str = "Accept-Encoding, Accept-Language, Cookie";
const HTML_UTF8: &str = "text/html; charset=utf-8";

/// Registers the page routes.
pub(crate) fn configure(cfg: &mut web::ServiceConfig) {
    use crate::routes::get_head;
    cfg.service(get_head("/", events_list))
        .service(get_head("/events/{eventId}", event_page))
        .service(get_head("/events/{eventId}/races/{raceId}", race_page))
        .service(get_head("/assets/{file}", asset));
}

/// The query of a page request, first occurrence of each name.
#[derive(Debug, Default)]
struct PageQuery {
    lang: Option<String>,
    view: Option<String>,
    cat: Option<String>,
    q: Option<String>,
    detail: bool,
}

fn page_query(req: &HttpRequest) -> PageQuery {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let first = |name: &str| {
        pairs
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    PageQuery {
        lang: first("lang"),
        view: first("view"),
        cat: first("cat"),
        q: first("q"),
        detail: first("detail").as_deref() == Some("1"),
    }
}

/// The raw query without `lang=…` (the language switch appends its own).
fn query_without_lang(req: &HttpRequest) -> String {
    req.query_string()
        .split('&')
        .filter(|p| !p.is_empty() && !p.starts_with("lang="))
        .collect::<Vec<_>>()
        .join("&")
}

fn html_body(markup: &maud::Markup, freshness: Freshness) -> PublicBody {
    PublicBody::new(
        HeaderValue::from_static(HTML_UTF8),
        markup.0.clone().into_bytes(),
        freshness,
    )
    .with_vary(VARY_PAGE)
}

/// Serves a page from the read cache or composes it; an explicit `?lang=` is remembered in a
/// cookie; a 404 is the HTML not-found page.
async fn cached_page<F, Fut>(
    st: &AppState,
    req: &HttpRequest,
    chosen: Chosen,
    position: Option<&str>,
    compose: F,
) -> HttpResponse
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<PublicBody, ApiError>>,
{
    let key = format!(
        "page|{}|{}?{}|{}",
        chosen.lang.code(),
        req.path(),
        req.query_string(),
        position.unwrap_or_default()
    );
    let mut res = if let Some(hit) = st.read_cache.get(&key) {
        hit.respond(req)
    } else {
        let generation = st.read_cache.generation();
        match compose().await {
            Ok(body) => {
                let body = Arc::new(body);
                st.read_cache.put(key, generation, Arc::clone(&body));
                body.respond(req)
            }
            Err(e) => return error_page(req, chosen, &e),
        }
    };
    if chosen.from_query {
        let cookie = format!(
            "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
            chosen.lang.code()
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            res.headers_mut().insert(SET_COOKIE, v);
        }
    }
    protect(&mut res);
    res
}

fn ctx<'a>(req: &'a HttpRequest, chosen: Chosen, query: &'a str) -> views::Ctx<'a> {
    views::Ctx {
        lang: chosen.lang,
        path: req.path(),
        query,
        assets: &ASSETS,
    }
}

/// A failed page: the HTML 404 for "not found", the JSON error otherwise.
fn error_page(req: &HttpRequest, chosen: Chosen, e: &ApiError) -> HttpResponse {
    if e.status_code() == StatusCode::NOT_FOUND {
        not_found_html(req, chosen)
    } else {
        e.error_response()
    }
}

fn not_found_html(req: &HttpRequest, chosen: Chosen) -> HttpResponse {
    let markup = views::not_found(ctx(req, chosen, ""));
    let mut res = HttpResponse::NotFound()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static(HTML_UTF8)))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(markup.0);
    protect(&mut res);
    res
}

/// The HTML 404 for a browser's request to an unknown page (see `routes/spa.rs`).
pub(crate) fn not_found(req: &HttpRequest) -> HttpResponse {
    let q = page_query(req);
    not_found_html(req, negotiate(req, q.lang.as_deref()))
}

/// `GET /`: the events list.
async fn events_list(st: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let q = page_query(&req);
    let chosen = negotiate(&req, q.lang.as_deref());
    let query = query_without_lang(&req);
    cached_page(&st, &req, chosen, None, || async {
        let events = service::events(&st).await?;
        Ok(html_body(
            &views::events(ctx(&req, chosen, &query), &events),
            Freshness::Live,
        ))
    })
    .await
}

/// `GET /events/{eventId}`: the event page.
async fn event_page(st: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    render_race(&st, &req, None).await
}

/// `GET /events/{eventId}/races/{raceId}`: a race.
async fn race_page(st: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let race_id = req.match_info().get("raceId").map(str::to_owned);
    render_race(&st, &req, race_id).await
}

async fn render_race(st: &AppState, req: &HttpRequest, race_id: Option<String>) -> HttpResponse {
    let q = page_query(req);
    let chosen = negotiate(req, q.lang.as_deref());
    let event_id = req
        .match_info()
        .get("eventId")
        .unwrap_or_default()
        .to_owned();
    let since = match page_position(st, &event_id).await {
        Ok(p) => p.map(|(epoch, seq)| format!("{epoch}:{seq}")),
        Err(e) => return error_page(req, chosen, &e),
    };
    let query = query_without_lang(req);
    let race_query = RaceQuery {
        race_id,
        view: PageView::parse(q.view.as_deref()),
        cat: q.cat,
        q: q.q,
        detail: q.detail,
    };
    cached_page(st, req, chosen, since.as_deref(), || async {
        let page = service::race_page(st, &event_id, race_query, since.clone()).await?;
        let markup = views::race(ctx(req, chosen, &query), &page);
        Ok(html_body(&markup, freshness(page.detail.event.status)))
    })
    .await
}

/// `GET /assets/{file}`: a hashed asset, else the 404.
async fn asset(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    ASSETS.respond(&req).ok_or_else(ApiError::no_route)
}
