//! The web UI's files, built by build.rs from ui/ and embedded in the binary.

use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use include_dir::{include_dir, Dir};

static UI: Dir<'_> = include_dir!("$OUT_DIR/ui");

/// False when the binary carries the "UI not built" page instead of the UI.
pub fn ui_built() -> bool {
    UI.get_file("index.html").and_then(|f| f.contents_utf8()).is_some_and(|s| !s.contains("name=\"kinsight-ui\" content=\"missing\""))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "json" => "application/json",
        "woff2" => "font/woff2",
        "map" => "application/json",
        _ => "application/octet-stream",
    }
}

pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let (path, file) = match UI.get_file(path).filter(|_| !path.is_empty()) {
        Some(f) => (path, f),
        // Paths without an extension are the UI's own routes: they get the page.
        None if !path.rsplit('/').next().unwrap_or("").contains('.') => match UI.get_file("index.html") {
            Some(f) => ("index.html", f),
            None => return (StatusCode::NOT_FOUND, "no UI").into_response(),
        },
        None => return (StatusCode::NOT_FOUND, format!("no file /{path}")).into_response(),
    };
    // Vite names built assets by content hash: they never change under one name.
    let cache = if path.starts_with("assets/") { "public, max-age=31536000, immutable" } else { "no-cache" };
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type(path))), (header::CACHE_CONTROL, HeaderValue::from_static(cache))],
        file.contents(),
    )
        .into_response()
}
