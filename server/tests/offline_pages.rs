//! GraphiQL (`GET /graphql`) and the API documentation (`GET /api/v1/docs`) work on a network without
//! internet: their pages load nothing from another host, run no inline script (so a policy allowing
//! only this origin's scripts lets them run), and every script and style they name is served by the
//! binary with its type, a cache lifetime, and gzip to a client that accepts it.

mod support;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use std::io::Read;
use support::app;
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(&name).and_then(|value| value.to_str().ok()).unwrap_or("")
    }
}

async fn get(app: &Router, uri: &str, gzip: bool) -> Answer {
    let mut request = Request::builder().uri(uri);
    if gzip {
        request = request.header(header::ACCEPT_ENCODING, "gzip, deflate, br");
    }
    let response = app.clone().oneshot(request.body(Body::empty()).expect("a request")).await.expect("an answer");
    let status = response.status();
    let headers = response.headers().clone();
    let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("a body").to_vec();
    Answer { status, headers, body }
}

/// The values of every `name="…"` attribute in `html`.
fn attributes<'a>(html: &'a str, name: &str) -> Vec<&'a str> {
    let pattern = format!(" {name}=\"");
    html.match_indices(&pattern)
        .filter_map(|(at, _)| {
            let rest = &html[at + pattern.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

async fn the_page_loads_only_what_the_binary_serves(page: &str, start_script: &str) {
    let (_dir, app) = app().await;
    let answer = get(&app, page, false).await;
    assert_eq!(answer.status, 200, "{page}");
    assert!(answer.header(header::CONTENT_TYPE).starts_with("text/html"), "{page}");
    let html = String::from_utf8(answer.body).expect("UTF-8");

    // Every `<script>` names its file: an inline script would be refused under `script-src 'self'`.
    let scripts = html.matches("<script").count();
    let sources = attributes(&html, "src");
    assert!(scripts > 0 && sources.len() == scripts, "{page}: every script has a src: {html}");
    assert!(sources.contains(&start_script), "{page} starts from {start_script}: {html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "{page} names no other host: {html}");

    let links = attributes(&html, "href");
    for reference in sources.iter().chain(&links) {
        assert!(reference.starts_with('/') && !reference.starts_with("//"), "{page}: {reference} is on this origin");
        let plain = get(&app, reference, false).await;
        assert_eq!(plain.status, 200, "{reference}");
        let expected = if reference.ends_with(".js") { "text/javascript" } else { "text/css" };
        assert!(plain.header(header::CONTENT_TYPE).starts_with(expected), "{reference}");
        assert!(plain.header(header::CONTENT_ENCODING).is_empty(), "{reference}: plain to a client without gzip");
        let cache = plain.header(header::CACHE_CONTROL).to_owned();
        if reference.starts_with("/assets/cloudmedi/") {
            assert_eq!(cache, "no-cache", "{reference}: the project's own files are revalidated");
        } else {
            assert!(cache.contains("max-age=31536000"), "{reference}: a vendored file is kept a year: {cache}");
        }

        let gzipped = get(&app, reference, true).await;
        assert_eq!(gzipped.status, 200, "{reference}");
        if plain.body.len() >= 1024 {
            assert_eq!(gzipped.header(header::CONTENT_ENCODING), "gzip", "{reference}");
            assert!(gzipped.body.len() < plain.body.len(), "{reference} is compressed");
            let mut unpacked = Vec::new();
            flate2::read::GzDecoder::new(gzipped.body.as_slice()).read_to_end(&mut unpacked).expect("gzip");
            assert!(unpacked == plain.body, "{reference}: the compressed file is the file");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_loads_only_what_the_binary_serves() {
    the_page_loads_only_what_the_binary_serves("/graphql", "/assets/cloudmedi/graphiql-start.js").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_api_documentation_loads_only_what_the_binary_serves() {
    the_page_loads_only_what_the_binary_serves("/api/v1/docs", "/assets/cloudmedi/docs-start.js").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_asset_is_a_problem_not_found() {
    let (_dir, app) = app().await;
    let answer = get(&app, "/assets/graphiql-4.1.2/nothing.js", false).await;
    assert_eq!(answer.status, 404);
    assert_eq!(answer.header(header::CONTENT_TYPE), "application/problem+json");
}
