//! The middleware every answer passes through, whichever API served it: browser protections (a
//! `Content-Security-Policy` per kind of answer), request ids, one trace span per request that never
//! holds patient data, and problem+json for every error, including those the middleware itself
//! produces (404, 405, 408, 413) and a panicking handler's; except on the web pages, whose errors are
//! pages.

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_shell::error::{ApiError, Problem, GRAPHQL_RESPONSE_JSON, PROBLEM_JSON};

/// The policy of the web pages (`web`): styles from this origin's style sheet only, images from this
/// origin or `data:` (the icon), forms posting to this origin only, no script and nothing inline.
pub const WEB_PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// [`WEB_PAGE_POLICY`] for the web page that loads a script of this origin (`web::PagePolicy::
/// WithOwnScript`): nothing inline still, and the camera's stream needs no source of its own.
pub const WEB_PAGE_WITH_SCRIPT_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The SHA-256 hashes (base64, as CSP writes them: `sha256-…`) of the inline scripts an HTML page
/// needs, attached to its response by the handler that knows the page. The page's
/// `Content-Security-Policy` allows those scripts and no other inline script; scripts served from
/// this origin are allowed to every page but the vaccination card.
#[derive(Debug, Clone, Copy)]
pub struct PageScripts(pub &'static [&'static str]);

/// Browser protections on every answer: `X-Content-Type-Options: nosniff` (nothing is taken for
/// another type than it is sent as, e.g. JSON for a script), `Referrer-Policy: no-referrer` (URLs carry
/// patient ids; the web pages' URLs carry none, and they are `same-origin` so that their forms' posts
/// carry their `Origin`) and a `Content-Security-Policy` that forbids framing (`frame-ancestors
/// 'none'`, with `X-Frame-Options: DENY` for older browsers).
///
/// An answer that is not HTML may load and run nothing (`default-src 'none'`). The web pages get
/// [`WEB_PAGE_POLICY`]. The printable vaccination card (the API's, and the web pages' copy of it)
/// and the statistics dashboard run no script at all and may use only their own
/// style sheet, allowed by hash rather than by `'unsafe-inline'`; the card's QR code and the
/// dashboard's charts are inline SVG, which needs nothing, and the dashboard's form may submit only to
/// this origin. The other pages (GraphiQL, the API reference) run scripts served from this origin only
/// (plus the inline scripts their handler names with [`PageScripts`]) and may style themselves inline,
/// as their script-built interfaces do (GraphiQL's style sheet also embeds its icon fonts as `data:`
/// URLs); they connect to this origin only.
pub(crate) async fn browser_security_headers(request: Request, next: Next) -> Response {
    let is_card =
        request.uri().path().starts_with("/api/v1/patients/") && request.uri().path().ends_with("/vaccination-card");
    let is_dashboard = request.uri().path() == "/statistics";
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let (mut parts, body) = response.into_parts();
    let page = parts.extensions.get::<web::PagePolicy>().copied();
    let (policy, body) = if !is_html {
        ("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'".to_owned(), body)
    } else if page == Some(web::PagePolicy::Strict) {
        // The web pages: this origin's style sheet, no script, nothing inline, forms to this origin.
        (WEB_PAGE_POLICY.to_owned(), body)
    } else if page == Some(web::PagePolicy::WithOwnScript) {
        // The one web page that loads a script (the patient search's QR code reader): the same, with
        // scripts of this origin and still nothing inline.
        (WEB_PAGE_WITH_SCRIPT_POLICY.to_owned(), body)
    } else if is_card || is_dashboard || page == Some(web::PagePolicy::Printable) {
        // Both pages are small (tens of KB at most); reading one whole lets its own style sheet be
        // allowed by hash.
        let bytes = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(bytes) => bytes,
            Err(_) => return ApiError::Internal("the page could not be read".into()).into_response(),
        };
        let styles: String = inline_elements(&bytes, "style").map(|hash| format!(" 'sha256-{hash}'")).collect();
        let form_action = if is_dashboard { "'self'" } else { "'none'" };
        let policy = format!(
            "default-src 'none'; style-src{styles}; img-src 'self' data:; base-uri 'none'; \
             form-action {form_action}; frame-ancestors 'none'"
        );
        (policy, Body::from(bytes))
    } else {
        let scripts: String = parts
            .extensions
            .get::<PageScripts>()
            .map(|scripts| scripts.0.iter().map(|hash| format!(" 'sha256-{hash}'")).collect())
            .unwrap_or_default();
        let policy = format!(
            "default-src 'none'; script-src 'self'{scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
             font-src 'self' data:; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; \
             frame-ancestors 'none'"
        );
        (policy, body)
    };
    let headers = &mut parts.headers;
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    // The web pages' URLs carry no patient data, and their forms need the browser to send their
    // `Origin` to this site (under `no-referrer` a post's `Origin` is `null`): same-origin only.
    let referrer = if page.is_some() { "same-origin" } else { "no-referrer" };
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    Response::from_parts(parts, body)
}

/// The SHA-256 (base64) of the text of each `<name>` element of an HTML page, as a
/// `Content-Security-Policy` hash source names it.
fn inline_elements<'a>(html: &'a [u8], name: &'a str) -> impl Iterator<Item = String> + 'a {
    use base64::Engine;
    use sha2::Digest;
    let text = std::str::from_utf8(html).unwrap_or_default();
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut rest = text;
    std::iter::from_fn(move || {
        let start = rest.find(&open)?;
        let after_open = rest[start..].find('>')? + start + 1;
        let end = rest[after_open..].find(&close)? + after_open;
        let content = &rest[after_open..end];
        rest = &rest[end + close.len()..];
        Some(base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(content.as_bytes())))
    })
}

/// Request ids are the server's own: one a client sends is dropped, so nothing unchecked reaches the
/// logs through it.
pub(crate) async fn drop_client_request_id(mut request: Request, next: Next) -> Response {
    request.headers_mut().remove("x-request-id");
    next.run(request).await
}

/// The span of one request: method and request id, and (once routed) the route template. Never the
/// path itself, the query string, headers or bodies: they may hold identifiers, patient data or secrets.
pub(crate) fn request_span(request: &Request<Body>) -> tracing::Span {
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!(
        "http.request",
        method = %request.method(),
        route = tracing::field::Empty,
        request_id
    )
}

/// Records the matched route template (e.g. `/patients/{id}`) on the request's span.
pub(crate) async fn record_route(request: Request, next: Next) -> Response {
    if let Some(route) = request.extensions().get::<MatchedPath>() {
        tracing::Span::current().record("route", route.as_str());
    }
    next.run(request).await
}

pub(crate) async fn not_found() -> ApiError {
    ApiError::NotFound
}

pub(crate) async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

pub(crate) fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal("a handler panicked".into()).into_response()
}

/// Turns error responses that middleware produced without a problem body (408, 413, ...) into
/// problem+json, keeping their status and headers (`Allow`, `Retry-After`, `WWW-Authenticate`...), so
/// clients meet one error format whatever failed. On the web pages' paths they become pages instead
/// (`web::error_page`), and the pages' own answers are left alone: a person reads those.
pub(crate) async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    // On a web page's path an error is a page in the visitor's language, which needs the request's
    // cookies and `Accept-Language`.
    let page_headers = web::serves(request.uri().path()).then(|| request.headers().clone());
    let response = next.run(request).await;
    // A web page, error pages included, is left as it was written.
    if response.extensions().get::<web::PagePolicy>().is_some() {
        return response;
    }
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    if let Some(headers) = page_headers {
        // Whatever answered (the router's fallback with a problem, a layer with nothing), a person
        // reads it: the page for its status. The error's own headers (`Allow`, `Retry-After`…) stay;
        // the body and its type are the page's.
        let (mut parts, _) = response.into_parts();
        let page = web::error_page(status, &headers);
        parts.headers.remove(header::CONTENT_LENGTH);
        let (page_parts, body) = page.into_parts();
        for (name, value) in &page_parts.headers {
            parts.headers.insert(name, value.clone());
        }
        parts.extensions.extend(page_parts.extensions);
        return Response::from_parts(parts, body);
    }
    let content_type = response.headers().get(header::CONTENT_TYPE);
    let is_problem = content_type == Some(&HeaderValue::from_static(PROBLEM_JSON));
    // A GraphQL answer refused as a whole (a spent cost budget) keeps its GraphQL errors.
    let is_graphql = content_type == Some(&HeaderValue::from_static(GRAPHQL_RESPONSE_JSON));
    if is_problem || is_graphql {
        return response;
    }
    let known = match status {
        StatusCode::PAYLOAD_TOO_LARGE => Some(ApiError::PayloadTooLarge),
        StatusCode::REQUEST_TIMEOUT => Some(ApiError::Timeout),
        StatusCode::NOT_FOUND => Some(ApiError::NotFound),
        StatusCode::METHOD_NOT_ALLOWED => Some(ApiError::MethodNotAllowed),
        _ => None,
    };
    let (mut parts, _) = response.into_parts();
    let problem = match known {
        Some(error) => error.problem(),
        None => {
            if status.is_server_error() {
                tracing::error!(%status, "a response without a problem body");
            }
            Problem::for_status(status)
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
    Response::from_parts(parts, Body::from(body))
}
