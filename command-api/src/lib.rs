//! The HTTP command API (axum): one route module per resource, each handler turning its request into
//! a typed command for the application layer and its outcome into an answer. Handlers authenticate
//! the caller ([`http_shell::authn::Caller`]), parse the body with field errors
//! ([`http_shell::json::Json`]), bind an `Idempotency-Key` and check `If-Match` ([`idempotency`]); the
//! application layer authorises, decides and appends. Every error is problem+json
//! ([`http_shell::error::ApiError`]).
//!
//! [`routes`] gives the routes with the OpenAPI description their annotations carry; the server crate
//! composes them with the query API's, the health checks and the middleware every answer passes
//! through.

// Code that serves requests, folds entries or reads from disk answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod idempotency;
pub mod permitted;
pub mod routes;

use axum::extract::FromRef;
use http_shell::attempts::AttemptRate;
use identity::IdentityStore;
use ledger::Ledger;
use utoipa_axum::router::OpenApiRouter;

/// What every command handler can reach.
#[derive(Clone)]
pub struct CommandState {
    /// The one path commands take: load, authorise, decide, append.
    pub application: application::Application,
    pub ledger: Ledger,
    pub identity: IdentityStore,
    pub outbox: ledger::outbox::Outbox,
}

impl CommandState {
    /// The commands over an open ledger; the identity tables and the outbox live in the ledger's
    /// database.
    pub fn new(ledger: Ledger) -> Self {
        Self::over(application::Application::new(ledger.clone()), ledger)
    }

    /// The commands through `application` (configured by the caller, e.g. with session lifetimes).
    pub fn over(application: application::Application, ledger: Ledger) -> Self {
        Self { identity: application.identity().clone(), outbox: application.outbox().clone(), application, ledger }
    }
}

impl FromRef<CommandState> for IdentityStore {
    fn from_ref(state: &CommandState) -> Self {
        state.identity.clone()
    }
}

/// The command routes, with the OpenAPI description of each; `attempts` limits the unauthenticated
/// ones per client address. Describing a route needs neither a state nor a database.
pub fn routes(attempts: Option<AttemptRate>) -> OpenApiRouter<CommandState> {
    OpenApiRouter::new()
        .merge(routes::auth::router(attempts))
        .merge(routes::me::router())
        .merge(routes::facilities::router())
        .merge(routes::staff::router())
        .merge(routes::patients::router())
        .merge(routes::clinical::router())
        .merge(routes::reminders::router())
}
