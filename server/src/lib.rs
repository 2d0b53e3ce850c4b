//! The HTTP server: one router per role, composed from the command API (`command-api`), the read side
//! (`query-api`: GraphQL, the printable card, the facility directory), the web pages (`web`, served
//! with the read side) and the health checks, with the middleware every answer passes through
//! ([`middleware`]), served on a listener with connection limits ([`connections`]).
//!
//! The layers, outermost first: a client's `X-Request-Id` is dropped and a fresh one set, a trace span
//! per request (method, route and status; never bodies, query strings or headers, which may hold
//! patient data or secrets), browser protections, a panic guard, problem+json for errors the layers
//! produce, a timeout and a body size limit. [`openapi`] is the OpenAPI document of every route,
//! collected from the handlers' annotations.

// Code that serves requests answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod connections;
pub mod health;
pub mod middleware;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::Router;
use command_api::CommandState;
use http_shell::attempts::AttemptRate;
use ledger::Ledger;
use query_api::http::QueryState;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use utoipa::OpenApi;

/// What each API of the server reaches.
#[derive(Clone)]
pub struct ServerState {
    pub commands: CommandState,
    pub queries: QueryState,
    pub health: health::HealthState,
}

impl ServerState {
    /// Every API over an open ledger, with the default settings: the identity tables, the outbox and
    /// the read models live in the ledger's database, and reads are recorded in the ledger itself.
    pub fn new(ledger: Ledger) -> Self {
        let application = application::Application::new(ledger.clone());
        let recorder = Arc::new(application::reads::ReadLog::new(ledger.clone()));
        let read_models = projections::read::ReadModels::new(ledger.storage().database());
        Self {
            queries: QueryState {
                queries: query_api::QueryApi::new(read_models, recorder),
                identity: application.identity().clone(),
            },
            commands: CommandState::over(application, ledger.clone()),
            health: health::HealthState { ledger },
        }
    }

    /// The same server with its commands run by `application` (configured with session lifetimes).
    pub fn with_application(mut self, application: application::Application) -> Self {
        self.commands = CommandState::over(application, self.commands.ledger.clone());
        self
    }

    /// The same server with the query API under `settings`.
    pub fn with_query_settings(mut self, settings: query_api::QuerySettings) -> Self {
        self.queries.queries = self.queries.queries.configured(settings);
        self
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
    pub attempts: Option<AttemptRate>,
}

impl Default for Limits {
    fn default() -> Self {
        Self { body_bytes: 1024 * 1024, timeout: Duration::from_secs(30), attempts: Some(AttemptRate::default()) }
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

/// The OpenAPI document of every route the server serves, the one `GET /api/v1/openapi.json` answers
/// with. Describing a route needs neither a state nor a database, so this works anywhere.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut document = http_shell::document::ApiDoc::openapi();
    document.merge(health::router().into_openapi());
    document.merge(command_api::routes(None).into_openapi());
    document.merge(query_api::http::routes().into_openapi());
    http_shell::document::complete(&mut document);
    document
}

/// The server with every API.
pub fn router(state: ServerState, limits: Limits) -> Router {
    router_for(state, limits, Apis::ALL)
}

/// The server serving `apis`, with its middleware. Layers are listed innermost first.
pub fn router_for(state: ServerState, limits: Limits, apis: Apis) -> Router {
    let (health, described) = health::router().split_for_parts();
    let mut document = http_shell::document::ApiDoc::openapi();
    document.merge(described);
    let mut routes: Router = health.with_state(state.health);
    // The web pages read through the query API and sign in through the application, so they are
    // served wherever the query API is; they are pages, not API routes, and stay out of the OpenAPI
    // document.
    let pages = web::WebState::new(state.commands.application.clone(), state.queries.queries.clone());
    if apis.commands {
        let (commands, described) = command_api::routes(limits.attempts).split_for_parts();
        document.merge(described);
        routes = routes.merge(commands.with_state(state.commands));
    }
    if apis.queries {
        let (reads, described) = query_api::http::routes().split_for_parts();
        document.merge(described);
        routes = routes
            .merge(reads.with_state(state.queries.clone()))
            .merge(query_api::http::graphql_router(limits.attempts).with_state(state.queries))
            .merge(web::router(pages, limits.attempts));
    }
    http_shell::document::complete(&mut document);
    routes
        .merge(http_shell::document::router(document))
        .route_layer(axum::middleware::from_fn(middleware::record_route))
        .fallback(middleware::not_found)
        .method_not_allowed_fallback(middleware::method_not_allowed)
        .layer(DefaultBodyLimit::max(limits.body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.body_bytes))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, limits.timeout))
        .layer(axum::middleware::from_fn(middleware::problem_for_bare_errors))
        .layer(CatchPanicLayer::custom(middleware::panicked))
        .layer(axum::middleware::from_fn(middleware::browser_security_headers))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(middleware::request_span)
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO).latency_unit(LatencyUnit::Micros)),
        )
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(axum::middleware::from_fn(middleware::drop_client_request_id))
}
