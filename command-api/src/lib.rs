//! The HTTP command API (axum): authentication, command endpoints, OpenAPI, problem+json errors.
//!
//! [`router`] builds the whole application with its middleware: a request id on every request and
//! response, a trace span per request (method, route and status; never bodies, query strings or
//! headers, which may hold patient data or secrets), a body size limit, a timeout, and a panic guard.
//! Every error, including those the middleware produces (404, 405, 408, 413), leaves as problem+json.
//! [`openapi`] is the OpenAPI document of every route, collected from the handlers' annotations.

// Code that serves requests, folds entries or reads from disk answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod assets;
pub mod authn;
pub mod connections;
pub mod document;
pub mod error;
pub mod health;
pub mod idempotency;
pub mod json;
pub mod read_log;
pub mod routes;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, MatchedPath, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use error::{ApiError, PROBLEM_JSON};
use ledger::Ledger;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The one path commands take: load, authorise, decide, append.
    pub application: application::Application,
    pub ledger: Ledger,
    pub identity: identity::store::IdentityStore,
    pub outbox: ledger::outbox::Outbox,
    /// The GraphQL API over the read models; it records its reads of medical data in the ledger
    /// (`read_log`) before answering.
    pub queries: query_api::QueryApi,
}

impl AppState {
    /// The state of an application over an open ledger; the identity tables and the outbox live in the
    /// ledger's database.
    pub fn new(ledger: Ledger) -> Self {
        let database = ledger.storage().database();
        let recorder: std::sync::Arc<dyn query_api::ReadRecorder> =
            std::sync::Arc::new(read_log::ReadLog::new(ledger.clone()));
        let application = application::Application::new(ledger.clone());
        Self {
            identity: application.identity().clone(),
            outbox: application.outbox().clone(),
            application,
            queries: query_api::QueryApi::new(projections::read::ReadModels::new(database), recorder),
            ledger,
        }
    }
}

/// Limits applied to every request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest request body accepted, in bytes.
    pub body_bytes: usize,
    /// How long a request may take before it is answered with 408.
    pub timeout: Duration,
    /// How many unauthenticated attempts one client address may make; `None` for no limit (only for
    /// servers that do not provide connection addresses, such as in-process tests).
    pub attempts: Option<routes::auth::AttemptRate>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            body_bytes: 1024 * 1024,
            timeout: Duration::from_secs(30),
            attempts: Some(routes::auth::AttemptRate::default()),
        }
    }
}

/// Which APIs a process serves: both on the embedded default; one or the other when API nodes are
/// scaled apart (`--role command|query`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Apis {
    pub commands: bool,
    pub queries: bool,
}

impl Apis {
    pub const ALL: Apis = Apis { commands: true, queries: true };
}

/// The routes of `apis`, with the OpenAPI document their handlers' annotations describe; `attempts`
/// limits the unauthenticated ones per client address.
fn described_routes(attempts: Option<routes::auth::AttemptRate>, apis: Apis) -> OpenApiRouter<AppState> {
    let mut router = OpenApiRouter::with_openapi(document::ApiDoc::openapi()).merge(health::router());
    if apis.commands {
        router = router
            .merge(routes::auth::router(attempts))
            .merge(routes::me::router())
            .merge(routes::facilities::router())
            .merge(routes::staff::router())
            .merge(routes::patients::router())
            .merge(routes::clinical::router());
    }
    if apis.queries {
        router = router.merge(routes::read::router());
    }
    router
}

/// The OpenAPI document of every route the application serves, the one `GET /api/v1/openapi.json`
/// answers with. Describing a route needs neither a state nor a database, so this works anywhere.
pub fn openapi() -> utoipa::openapi::OpenApi {
    described_routes(None, Apis::ALL).into_openapi()
}

/// The application with every API.
pub fn router(state: AppState, limits: Limits) -> Router {
    router_for(state, limits, Apis::ALL)
}

/// The application serving `apis`, with its middleware. Layers are listed innermost first.
pub fn router_for(state: AppState, limits: Limits, apis: Apis) -> Router {
    let (mut routes, document) = described_routes(limits.attempts, apis).split_for_parts();
    if apis.queries {
        routes = routes.merge(routes::read::graphql_router(limits.attempts));
    }
    routes
        .merge(document::router(document))
        .route_layer(middleware::from_fn(record_route))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.timeout))
        .layer(middleware::from_fn(problem_for_bare_errors))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn(browser_security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(middleware::from_fn(drop_client_request_id))
}

/// The SHA-256 hashes (base64, as CSP writes them: `sha256-…`) of the inline scripts an HTML page
/// needs, attached to its response by the handler that knows the page. The page's
/// `Content-Security-Policy` allows those scripts and no other inline script; scripts served from
/// this origin are allowed to every page but the vaccination card.
#[derive(Debug, Clone, Copy)]
pub struct PageScripts(pub &'static [&'static str]);

/// Browser protections on every answer: `X-Content-Type-Options: nosniff` (nothing is taken for
/// another type than it is sent as, e.g. JSON for a script), `Referrer-Policy: no-referrer` (URLs carry
/// patient ids) and a `Content-Security-Policy` that forbids framing (`frame-ancestors 'none'`, with
/// `X-Frame-Options: DENY` for older browsers).
///
/// An answer that is not HTML may load and run nothing (`default-src 'none'`). The printable
/// vaccination card runs no script at all and may use only its own style sheet, allowed by hash
/// rather than by `'unsafe-inline'`; its QR code is inline SVG, which needs nothing. The other pages
/// (GraphiQL, the API reference) run scripts served from this origin only (plus the inline scripts
/// their handler names with [`PageScripts`]) and may style themselves inline, as their script-built
/// interfaces do (GraphiQL's style sheet also embeds its icon fonts as `data:` URLs); they connect to
/// this origin only.
async fn browser_security_headers(request: Request, next: Next) -> Response {
    let is_card =
        request.uri().path().starts_with("/api/v1/patients/") && request.uri().path().ends_with("/vaccination-card");
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.trim_start().to_ascii_lowercase().starts_with("text/html"));
    let (mut parts, body) = response.into_parts();
    let (policy, body) = if !is_html {
        ("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'".to_owned(), body)
    } else if is_card {
        // The card is small (a few KB); reading it whole lets its own style sheet be allowed by hash.
        let bytes = match axum::body::to_bytes(body, usize::MAX).await {
            Ok(bytes) => bytes,
            Err(_) => return ApiError::Internal("the page could not be read".into()).into_response(),
        };
        let styles: String = inline_elements(&bytes, "style").map(|hash| format!(" 'sha256-{hash}'")).collect();
        let policy = format!(
            "default-src 'none'; style-src{styles}; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
             frame-ancestors 'none'"
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
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
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
async fn drop_client_request_id(mut request: Request, next: Next) -> Response {
    request.headers_mut().remove("x-request-id");
    next.run(request).await
}

/// The span of one request: method and request id, and (once routed) the route template. Never the
/// path itself, the query string, headers or bodies: they may hold identifiers, patient data or secrets.
fn request_span(request: &Request<Body>) -> tracing::Span {
    let request_id = request.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
    tracing::info_span!(
        "command_api.request",
        method = %request.method(),
        route = tracing::field::Empty,
        request_id
    )
}

/// Records the matched route template (e.g. `/patients/{id}`) on the request's span.
async fn record_route(request: Request, next: Next) -> Response {
    if let Some(route) = request.extensions().get::<MatchedPath>() {
        tracing::Span::current().record("route", route.as_str());
    }
    next.run(request).await
}

async fn not_found() -> ApiError {
    ApiError::NotFound
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Internal("a handler panicked".into()).into_response()
}

/// Turns error responses that middleware produced without a problem body (408, 413, ...) into
/// problem+json, keeping their status and headers (`Allow`, `Retry-After`, `WWW-Authenticate`...), so
/// clients meet one error format whatever failed.
async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let content_type = response.headers().get(header::CONTENT_TYPE);
    let is_problem = content_type == Some(&HeaderValue::from_static(PROBLEM_JSON));
    // A GraphQL answer refused as a whole (a spent cost budget) keeps its GraphQL errors.
    let is_graphql = content_type == Some(&HeaderValue::from_static(routes::read::GRAPHQL_RESPONSE_JSON));
    if !(status.is_client_error() || status.is_server_error()) || is_problem || is_graphql {
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
            error::Problem::for_status(status)
        }
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
    Response::from_parts(parts, Body::from(body))
}
