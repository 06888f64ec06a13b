//! The built-in spectator page over plain HTTP: routes, languages, the HTML 404, hashed assets,
//! compression with `ETag`s that survive it, and the first view's transfer size.

use std::io::Read as _;

use crate::helpers::{TestApp, fixture, spawn_app};
use crate::ingest::{event_with_export, post_xml};

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("valid gzip");
    out
}

fn text(res: &crate::helpers::Res) -> String {
    String::from_utf8(res.body.clone()).expect("UTF-8")
}

/// The hashed asset URLs a page links.
fn asset_urls(html: &str) -> Vec<String> {
    html.split('"')
        .filter(|s| s.starts_with("/assets/"))
        .map(str::to_owned)
        .collect()
}

async fn lodm(app: &TestApp) -> String {
    let key = app.event("lodm-2024").await;
    let res = post_xml(app, &key, &fixture("sample-c123-synthetic-lodm-qua.xml")).await;
    assert_eq!(res.status.as_u16(), 200);
    app.set_status("lodm-2024", &key, "running").await;
    key
}

#[actix_web::test]
async fn pages_render_in_both_languages_and_unknown_pages_are_html_404s() {
    let app = spawn_app().await;
    lodm(&app).await;
    app.event("hidden-draft").await;

    let list = app.get("/", &[("accept-language", "cs-CZ,cs;q=0.9")]).await;
    assert_eq!(list.status.as_u16(), 200);
    assert_eq!(
        list.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let html = text(&list);
    assert!(html.contains(r#"<html lang="cs">"#), "{html}");
    let csp = list.header("content-security-policy").expect("CSP");
    assert!(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'"));
    assert_eq!(list.header("x-content-type-options"), Some("nosniff"));
    assert!(html.contains("Právě probíhá") && html.contains(r#"href="/events/lodm-2024""#));
    assert!(!html.contains("hidden-draft"), "drafts are not listed");

    let en = app.get("/?lang=en", &[("accept-language", "cs")]).await;
    assert!(text(&en).contains("Live now"));
    let cookie = en.header("set-cookie").expect("lang cookie");
    assert!(cookie.starts_with("lang=en;"), "{cookie}");
    // The cookie then wins over Accept-Language.
    let again = app
        .get("/", &[("accept-language", "cs"), ("cookie", "lang=en")])
        .await;
    assert!(text(&again).contains(r#"<html lang="en">"#));

    let race = app
        .get("/events/lodm-2024/races/K1W-ZS_QUA_25?lang=en", &[])
        .await;
    assert_eq!(race.status.as_u16(), 200);
    let html = text(&race);
    assert!(html.contains("FUCHSOVÁ Terezie") && html.contains("76.05"));
    assert!(
        html.contains(r#"data-since=""#),
        "the page carries its live position"
    );
    assert!(html.contains(r#"<abbr class="st" title="Did not finish">DNF</abbr>"#));
    let cs = text(
        &app.get("/events/lodm-2024/races/K1W-ZS_QUA_25?lang=cs", &[])
            .await,
    );
    assert!(cs.contains("Nedojel") && cs.contains("Výsledky"));
    // The event page opens on a race; start list and schedule views.
    let event = text(&app.get("/events/lodm-2024", &[]).await);
    assert!(
        event.contains(r#"data-race="K1M-ZS_BR2_25""#),
        "first race of the schedule, as its best-run pair's second run"
    );
    assert!(event.contains("best of two runs") || event.contains("lepší ze dvou jízd"));
    assert!(!event.contains("<details open>"));
    // Every row expanded on request (the detailed view without JavaScript).
    let detailed = text(
        &app.get("/events/lodm-2024/races/K1W-ZS_QUA_25?detail=1", &[])
            .await,
    );
    assert_eq!(detailed.matches("<details open>").count(), 3);
    let sl = text(
        &app.get("/events/lodm-2024/races/K1W-ZS_QUA_25?view=startlist", &[])
            .await,
    );
    assert!(sl.contains(r#"class="sl""#) && sl.contains("SAMKOVÁ"));
    let sched = text(
        &app.get("/events/lodm-2024/races/K1W-ZS_QUA_25?view=schedule", &[])
            .await,
    );
    assert!(sched.contains(r#"class="sched""#) && sched.contains("13:30"));
    // Search by bib on the server (JavaScript off).
    let q = text(
        &app.get("/events/lodm-2024/races/K1W-ZS_QUA_25?q=3", &[])
            .await,
    );
    assert!(q.contains(r#"id="r3""#) && !q.contains(r#"id="r2""#));

    for path in [
        "/nope",
        "/events/hidden-draft",
        "/events/nope",
        "/events/lodm-2024/races/NOPE",
    ] {
        let res = app.get(path, &[("accept", "text/html")]).await;
        assert_eq!(res.status.as_u16(), 404, "{path}");
        assert_eq!(res.header("content-type"), Some("text/html; charset=utf-8"));
        assert!(text(&res).contains("<h1>"), "{path}");
    }
    // API paths and non-browser clients keep the JSON 404 (contract §1.7).
    app.get("/api/v1/nope", &[("accept", "text/html")])
        .await
        .assert_error(404, "Not found", "Resource not found");
    app.get("/nope", &[])
        .await
        .assert_error(404, "Not found", "Resource not found");
    let post = app.send("POST", "/", &[], None).await;
    post.assert_error(404, "Not found", "Resource not found");
    app.stop().await;
}

#[actix_web::test]
async fn assets_are_hashed_immutable_and_precompressed() {
    let app = spawn_app().await;
    let html = text(&app.get("/", &[]).await);
    let urls = asset_urls(&html);
    assert_eq!(
        urls.len(),
        1,
        "the list links only its stylesheet: {urls:?}"
    );
    let plain = app.get(&urls[0], &[]).await;
    assert_eq!(plain.status.as_u16(), 200);
    assert_eq!(
        plain.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(
        plain.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(plain.header("content-encoding"), None);
    let gz = app.get(&urls[0], &[("accept-encoding", "gzip")]).await;
    assert_eq!(gz.header("content-encoding"), Some("gzip"));
    assert_eq!(gz.header("vary"), Some("Accept-Encoding"));
    assert_eq!(gunzip(&gz.body), plain.body);
    app.get("/assets/page.000000000000.css", &[])
        .await
        .assert_error(404, "Not found", "Resource not found");
    app.stop().await;
}

#[actix_web::test]
async fn json_and_html_are_compressed_with_the_uncompressed_etag() {
    let app = spawn_app().await;
    event_with_export(&app, "jarni", "running").await;
    for path in [
        "/api/v1/events/jarni/results/K1M_ST_BR2_6?detailed=true",
        "/events/jarni/races/K1M_ST_BR2_6",
    ] {
        let plain = app.get(path, &[]).await;
        assert_eq!(plain.status.as_u16(), 200, "{path}");
        assert_eq!(plain.header("content-encoding"), None);
        let gz = app.get(path, &[("accept-encoding", "gzip, br")]).await;
        assert_eq!(gz.header("content-encoding"), Some("gzip"), "{path}");
        assert!(
            gz.body.len() * 5 < plain.body.len(),
            "{path}: compresses well"
        );
        assert_eq!(gunzip(&gz.body), plain.body, "{path}");
        let tag = plain.header("etag").expect("etag");
        assert_eq!(gz.header("etag"), Some(tag), "one tag for both encodings");
        assert!(
            gz.header("vary")
                .is_some_and(|v| v.contains("Accept-Encoding"))
        );
        let not_modified = app
            .get(path, &[("accept-encoding", "gzip"), ("if-none-match", tag)])
            .await;
        assert_eq!(not_modified.status.as_u16(), 304, "{path}");
        assert!(not_modified.body.is_empty());
        let refused = app.get(path, &[("accept-encoding", "gzip;q=0")]).await;
        assert_eq!(refused.header("content-encoding"), None);
    }
    app.stop().await;
}

/// The quality bar of issue 11: the first view of a race with 100 riders (HTML + CSS + JS)
/// transfers less than 60 KB gzip. The measured number is in docs/BENCHMARKS.md.
#[actix_web::test]
async fn the_first_view_of_a_hundred_rider_race_is_under_60_kb() {
    let app = spawn_app().await;
    event_with_export(&app, "jarni", "running").await;
    let path = "/events/jarni/races/K1M_ST_BR2_6";
    let page = app.get(path, &[("accept-encoding", "gzip")]).await;
    let html = String::from_utf8(gunzip(&page.body)).expect("UTF-8");
    let rows = html.matches("<tr id=\"r").count();
    assert!(rows >= 100, "{rows} riders");
    let mut total = page.body.len();
    let urls = asset_urls(&html);
    assert_eq!(urls.len(), 2, "{urls:?}");
    for url in &urls {
        let res = app.get(url, &[("accept-encoding", "gzip")]).await;
        assert_eq!(res.header("content-encoding"), Some("gzip"));
        total += res.body.len();
    }
    assert!(total < 60 * 1024, "first view transfers {total} bytes");
    app.stop().await;
}
