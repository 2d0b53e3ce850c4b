//! The browser assets of the GraphiQL and API documentation pages, served from the binary so that both
//! pages work on a network without internet (`http-shell/assets/README.md` says where each file
//! comes from and how to update it).
//!
//! Each vendored file is served under a path that names its package's version, so a browser may keep
//! it for a year: a new version is a new path. The project's own small files (the pages' start-up
//! scripts and style) keep their paths across releases and are revalidated instead. A file is
//! gzip-compressed the first time a client that accepts gzip asks for it, once for the life of the
//! process (the API reference's script shrinks from 4.9 MB to 1.4 MB).

use axum::extract::Path;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::io::Write;
use std::sync::OnceLock;

/// Where the assets are served.
pub const PREFIX: &str = "/assets";

/// One file served from the binary.
pub struct Asset {
    /// Its path under [`PREFIX`].
    pub path: &'static str,
    pub content_type: &'static str,
    /// A vendored file whose path names its version: cached for a year. Otherwise revalidated.
    pub immutable: bool,
    pub bytes: &'static [u8],
    gzipped: OnceLock<Option<Vec<u8>>>,
}

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";
/// Files smaller than this are sent as they are: compressing them saves less than the headers cost.
const COMPRESS_FROM: usize = 1024;

macro_rules! asset {
    ($path:literal, $file:literal, $content_type:expr, $immutable:expr) => {
        Asset {
            path: $path,
            content_type: $content_type,
            immutable: $immutable,
            bytes: include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/", $file)),
            gzipped: OnceLock::new(),
        }
    };
}

/// Every asset served, vendored ones first.
pub static ASSETS: [Asset; 8] = [
    asset!("graphiql-4.1.2/graphiql.min.js", "graphiql/graphiql.min.js", JAVASCRIPT, true),
    asset!("graphiql-4.1.2/graphiql.min.css", "graphiql/graphiql.min.css", CSS, true),
    asset!("react-18.3.1/react.production.min.js", "react/react.production.min.js", JAVASCRIPT, true),
    asset!("react-dom-18.3.1/react-dom.production.min.js", "react-dom/react-dom.production.min.js", JAVASCRIPT, true),
    asset!("scalar-api-reference-1.76.4/standalone.js", "scalar/standalone.js", JAVASCRIPT, true),
    asset!("cloudmedi/graphiql.css", "cloudmedi/graphiql.css", CSS, false),
    asset!("cloudmedi/graphiql-start.js", "cloudmedi/graphiql-start.js", JAVASCRIPT, false),
    asset!("cloudmedi/docs-start.js", "cloudmedi/docs-start.js", JAVASCRIPT, false),
];

/// The GraphiQL page (`GET /graphql`): no inline script, nothing from another host.
pub const GRAPHIQL_PAGE: &str = include_str!("../assets/cloudmedi/graphiql.html");
/// The API documentation page (`GET /api/v1/docs`): no inline script, nothing from another host.
pub const DOCS_PAGE: &str = include_str!("../assets/cloudmedi/docs.html");

impl Asset {
    /// The file gzip-compressed, computed once; `None` if it is too small to be worth it (or, which
    /// cannot happen writing to memory, if compression failed: it is then sent as it is).
    fn gzipped(&self) -> Option<&[u8]> {
        self.gzipped
            .get_or_init(|| {
                if self.bytes.len() < COMPRESS_FROM {
                    return None;
                }
                let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                encoder.write_all(self.bytes).ok()?;
                encoder.finish().ok()
            })
            .as_deref()
    }
}

/// The routes serving every asset under [`PREFIX`].
pub fn router<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route(&format!("{PREFIX}/{{*path}}"), get(serve))
}

/// Whether the client accepts a gzip-encoded answer (`Accept-Encoding: gzip`, unless given `q=0`).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|value| value.to_str().ok()).any(|value| {
        value.split(',').any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|parameter| {
                parameter.strip_prefix("q=").and_then(|q| q.parse::<f32>().ok()).is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
    })
}

async fn serve(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.path == path) else {
        return crate::error::ApiError::NotFound.into_response();
    };
    let cache = if asset.immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
    let mut response_headers = HeaderMap::new();
    response_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    response_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response_headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if accepts_gzip(&headers) {
        // The first compression of a large file takes a few hundred milliseconds: off the async workers.
        let compressed = tokio::task::spawn_blocking(move || asset.gzipped()).await.ok().flatten();
        if let Some(compressed) = compressed {
            response_headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            return (response_headers, compressed).into_response();
        }
    }
    (response_headers, asset.bytes).into_response()
}

/// An HTML page that may be cached but is checked again on each visit (it names the assets' paths,
/// which change with their versions).
pub fn page(html: &'static str) -> Response {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], html).into_response()
}
