//! The read side over HTTP: the GraphQL API (`graphql`), the printable vaccination card (`card`), the
//! facility directory (`directory`), and the statistics exports and dashboard (`statistics`). Each
//! authenticates with the same bearer tokens as the commands ([`http_shell::authn::Caller`]) and answers
//! errors as the command API does.

mod card;
mod directory;
mod graphql;
mod statistics;

use crate::QueryApi;
use axum::extract::FromRef;
use axum::Router;
use http_shell::attempts::AttemptRate;
use identity::IdentityStore;
use utoipa_axum::router::OpenApiRouter;

/// What the read side's handlers reach.
#[derive(Clone)]
pub struct QueryState {
    /// The schema over the read models, with the recorder of reads.
    pub queries: QueryApi,
    /// The live sessions, to authenticate each request.
    pub identity: IdentityStore,
}

impl FromRef<QueryState> for IdentityStore {
    fn from_ref(state: &QueryState) -> Self {
        state.identity.clone()
    }
}

/// The REST reads, described in the OpenAPI document: the vaccination card, the facility directory,
/// and the statistics exports and dashboard.
pub fn routes() -> OpenApiRouter<QueryState> {
    OpenApiRouter::new().merge(card::router()).merge(directory::router()).merge(statistics::router())
}

/// `/graphql`: not described in the OpenAPI document (its own schema is the SDL). With `attempts`,
/// requests without a valid token are limited per client address, as the login routes are (which
/// needs the server to provide each connection's address, as `cloudmedi serve` does); requests with
/// a valid token are limited by their account's cost budget instead.
pub fn graphql_router(attempts: Option<AttemptRate>) -> Router<QueryState> {
    graphql::router(attempts)
}
