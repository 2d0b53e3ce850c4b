//! The pages' assets, served from the binary under paths that name a digest of their content, so a
//! browser keeps them for a year and a changed file is a new path (as `http-shell`'s vendored assets
//! are; those are another site's pages, so these are served here): the one style sheet, and the one
//! script, which reads a card's QR code on the patient search where the browser can (no page needs
//! it to work). They are small enough (a few KB) that compressing them is not worth the work.

use axum::extract::Path;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// Where the pages' assets are served.
pub const PREFIX: &str = "/web/assets/";

/// The style sheet.
pub const STYLE: &str = include_str!("../assets/style.css");

/// The patient search's QR code reader.
pub const SCAN: &str = include_str!("../assets/scan.js");

/// A file's name with the first 16 hex digits of its content's SHA-256 before its extension.
fn named(stem: &str, content: &str, extension: &str) -> String {
    format!("{stem}.{}.{extension}", &hex::encode(Sha256::digest(content.as_bytes()))[..16])
}

/// The style sheet's file name.
pub fn style_file() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| named("style", STYLE, "css"))
}

/// The QR code reader's file name.
pub fn scan_file() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| named("scan", SCAN, "js"))
}

/// The style sheet's path, as pages link it.
pub fn style_path() -> String {
    format!("{PREFIX}{}", style_file())
}

/// The QR code reader's path, as the patient search loads it.
pub fn scan_path() -> String {
    format!("{PREFIX}{}", scan_file())
}

pub(crate) async fn serve(Path(file): Path<String>, headers: HeaderMap) -> Response {
    let (content_type, content) = if file == style_file() {
        ("text/css; charset=utf-8", STYLE)
    } else if file == scan_file() {
        ("text/javascript; charset=utf-8", SCAN)
    } else {
        return crate::pages::bare_error(StatusCode::NOT_FOUND, &headers);
    };
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=31536000, immutable")], content)
        .into_response()
}
