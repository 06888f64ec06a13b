//! Hosting the spectator SPA from `CLIENT_DIST_PATH` (contract §1.7), behind every API route.
//! Without it, the default service answers a browser's unknown page with the built-in page's
//! HTML 404 and everything else with the JSON 404.
//!
//! Files are served at their relative path (GET/HEAD, no traversal outside the directory, no
//! symlink leading out of it, no dotfiles);
//! `index.html` is never cached, every other file is immutable for a year (the SPA's build puts a
//! content hash in every asset name). A page request (Accept: text/html) for a path that is
//! neither `/api` nor below it gets `index.html`, so client-side routes survive a reload; anything
//! else is the JSON 404.

use std::path::{Component, Path, PathBuf};

use actix_web::http::Method;
use actix_web::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};

use crate::app::AppState;
use crate::error::ApiError;

/// The content type of a file, by extension.
fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json" | "map") => "application/json; charset=utf-8",
        Some("webmanifest") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The file under `root` (canonical) that `url_path` names, if it is a plain relative path to a
/// file whose canonical form, symlinks resolved, lies under `root`, with no segment starting with
/// `.` (§1.7, DV41: before, a `passwd.txt -> /etc/passwd` link was served, and dotfiles too).
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = Path::new(url_path.trim_start_matches('/'));
    let plain = |c: Component<'_>| match c {
        Component::Normal(name) => !name.as_encoded_bytes().starts_with(b"."),
        _ => false,
    };
    if rel.as_os_str().is_empty() || !rel.components().all(plain) {
        return None;
    }
    let path = root.join(rel).canonicalize().ok()?;
    (path.starts_with(root) && path.is_file()).then_some(path)
}

fn file_response(path: &Path, bytes: Vec<u8>, index: bool) -> HttpResponse {
    let cache = if index {
        "no-store, max-age=0"
    } else {
        "public, max-age=31536000, immutable"
    };
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static(content_type(path))))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static(cache)))
        .body(bytes)
}

/// The default service: the SPA when configured, else (and for everything it does not serve)
/// the JSON 404.
pub(crate) async fn fallback(
    st: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return Err(ApiError::no_route());
    }
    let url_path = req.path().to_owned();
    let wants_html = req
        .headers()
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let is_api = url_path == "/api" || url_path.starts_with("/api/");
    let Some(root) = st.config.client_dist_path.clone() else {
        // The built-in page: a browser asking for an unknown page gets an HTML 404.
        if wants_html && !is_api {
            return Ok(crate::page::not_found(&req));
        }
        return Err(ApiError::no_route());
    };
    let found = web::block(
        move || -> std::io::Result<Option<(PathBuf, Vec<u8>, bool)>> {
            let Ok(root) = root.canonicalize() else {
                return Ok(None);
            };
            let Some(index) = resolve(&root, "index.html") else {
                return Ok(None);
            };
            if let Some(path) = resolve(&root, &url_path) {
                let is_index = path == index;
                return Ok(Some((path.clone(), std::fs::read(&path)?, is_index)));
            }
            if wants_html && !is_api {
                return Ok(Some((index.clone(), std::fs::read(&index)?, true)));
            }
            Ok(None)
        },
    )
    .await
    .map_err(|e| ApiError::Internal(format!("file task failed: {e}")))?
    .map_err(|e| ApiError::Internal(format!("cannot read SPA file: {e}")))?;
    match found {
        Some((path, bytes, index)) => Ok(file_response(&path, bytes, index)),
        None => Err(ApiError::no_route()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_odd_paths_resolve_to_nothing() {
        let root = std::env::temp_dir().canonicalize().unwrap();
        assert_eq!(resolve(&root, "/../etc/passwd"), None);
        assert_eq!(resolve(&root, "/a/../../b"), None);
        assert_eq!(resolve(&root, "/"), None);
        assert_eq!(resolve(&root, "//etc/passwd"), None);
        assert_eq!(
            content_type(Path::new("a/b.JS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type(Path::new("x")), "application/octet-stream");
    }
}
