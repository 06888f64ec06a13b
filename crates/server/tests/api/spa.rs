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

/// Before DV41, SPA hosting followed symlinks out of `CLIENT_DIST_PATH` (a
/// `passwd.txt -> /etc/passwd` link was served) and served dotfiles. Now a path whose canonical
/// form lies outside the directory, or with a segment starting with `.`, is not found; links
/// that stay inside still work.
#[cfg(unix)]
#[actix_web::test]
async fn spa_never_leaves_its_directory_nor_serves_dotfiles() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::TempDir::new().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
    let dist = tempfile::TempDir::new().unwrap();
    let d = dist.path();
    std::fs::write(d.join("index.html"), "<!doctype html><title>live</title>").unwrap();
    std::fs::write(d.join("app.js"), "ok").unwrap();
    std::fs::write(d.join(".env"), "KEY=1").unwrap();
    std::fs::create_dir(d.join(".git")).unwrap();
    std::fs::write(d.join(".git/config"), "[core]").unwrap();
    symlink("/etc/passwd", d.join("passwd.txt")).unwrap();
    symlink(outside.path().join("secret.txt"), d.join("secret.txt")).unwrap();
    symlink(outside.path(), d.join("out")).unwrap();
    symlink(d.join("app.js"), d.join("alias.js")).unwrap();
    let app = spawn_with(Opts {
        env: vec![("CLIENT_DIST_PATH", d.display().to_string())],
        ..Opts::default()
    })
    .await;
    for path in [
        "/passwd.txt",
        "/secret.txt",
        "/out/secret.txt",
        "/.env",
        "/.git/config",
    ] {
        app.get(path, &[])
            .await
            .assert_error(404, "Not found", "Resource not found");
        // A page request for it gets the SPA, never the file.
        let page = app.get(path, &[("accept", "text/html")]).await;
        assert_eq!(
            page.header("cache-control"),
            Some("no-store, max-age=0"),
            "{path}"
        );
        assert!(String::from_utf8_lossy(&page.body).contains("<title>live</title>"));
    }
    let alias = app.get("/alias.js", &[]).await;
    assert_eq!(alias.status.as_u16(), 200);
    assert_eq!(alias.body, b"ok");
    app.stop().await;
}
