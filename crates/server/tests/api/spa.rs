//! Hosting the spectator SPA from `CLIENT_DIST_PATH` (contract §1.7).

use crate::helpers::{Opts, spawn_with};

#[actix_web::test]
async fn spa_files_index_fallback_and_api_404s() {
    let dist = tempfile::TempDir::new().unwrap();
    std::fs::write(
        dist.path().join("index.html"),
        "<!doctype html><title>live</title>",
    )
    .unwrap();
    std::fs::create_dir(dist.path().join("assets")).unwrap();
    std::fs::write(dist.path().join("assets/app-1234.js"), "console.log(1)").unwrap();
    std::fs::write(dist.path().join("api.js"), "x").unwrap();
    let app = spawn_with(Opts {
        env: vec![("CLIENT_DIST_PATH", dist.path().display().to_string())],
        ..Opts::default()
    })
    .await;
    let html = [("accept", "text/html,application/xhtml+xml")];
    let index = app.get("/", &html).await;
    assert_eq!(index.status.as_u16(), 200);
    assert_eq!(
        index.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(index.header("cache-control"), Some("no-store, max-age=0"));
    assert!(String::from_utf8_lossy(&index.body).contains("<title>live</title>"));
    // A client-side route reloads into the SPA.
    let route = app.get("/events/lodm-2024/results", &html).await;
    assert_eq!(route.status.as_u16(), 200);
    assert_eq!(route.body, index.body);
    let asset = app.get("/assets/app-1234.js", &[]).await;
    assert_eq!(asset.status.as_u16(), 200);
    assert_eq!(
        asset.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(
        asset.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    // `/api.js` is an ordinary file; `/api/...` never falls back to the SPA.
    assert_eq!(app.get("/api.js", &[]).await.status.as_u16(), 200);
    app.get("/api/v1/nope", &html)
        .await
        .assert_error(404, "Not found", "Resource not found");
    app.get("/api", &html)
        .await
        .assert_error(404, "Not found", "Resource not found");
    // Without Accept: text/html an unknown path is the JSON 404; traversal finds nothing.
    app.get("/nope", &[])
        .await
        .assert_error(404, "Not found", "Resource not found");
    app.get("/..%2f..%2fetc%2fpasswd", &[]).await.assert_error(
        404,
        "Not found",
        "Resource not found",
    );
    let post = app.send("POST", "/", &html, None).await;
    post.assert_error(404, "Not found", "Resource not found");
    app.stop().await;
}
