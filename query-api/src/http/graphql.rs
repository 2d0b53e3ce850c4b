//! The GraphQL API at `/graphql`: a GraphiQL page on `GET`, queries on `POST`. It authenticates with the
//! same bearer tokens as the commands; the schema authorises every resolver with the same policy, and
//! reports each read of medical data, which the read log appends to the ledger before anything is sent.

use super::QueryState;
use crate::{Code, Viewer};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http_shell::attempts::{AddressLimit, AttemptRate};
use http_shell::authn::Caller;
use http_shell::error::GRAPHQL_RESPONSE_JSON;
use std::net::SocketAddr;
use std::sync::Arc;

/// `/graphql`, with requests without a valid token limited per client address at `attempts`.
pub(super) fn router(attempts: Option<AttemptRate>) -> Router<QueryState> {
    let anonymous = attempts.and_then(AddressLimit::new).map(Arc::new);
    Router::new().route(
        "/graphql",
        get(graphiql)
            .post(move |State(state): State<QueryState>, request: Request| graphql(state, anonymous.clone(), request)),
    )
}

/// GraphiQL, from the assets the binary serves (async-graphql's own page loads them from a CDN).
async fn graphiql() -> Response {
    http_shell::assets::page(http_shell::assets::GRAPHIQL_PAGE)
}

/// Runs a query. A request without a token, or with one that is not valid (answered 401), spends one
/// of its address's attempts first; an account whose cost budget is spent gets 429 with `Retry-After`.
async fn graphql(state: QueryState, anonymous: Option<Arc<AddressLimit>>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let address = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(address)| address.ip());
    let spend = |anonymous: &Option<Arc<AddressLimit>>| anonymous.as_ref().map_or(Ok(()), |limit| limit.spend(address));
    let viewer = if parts.headers.contains_key(header::AUTHORIZATION) {
        match <Caller as FromRequestParts<QueryState>>::from_request_parts(&mut parts, &state).await {
            Ok(caller) => Some(Viewer { principal: caller.principal }),
            Err(refused) => return spend(&anonymous).err().unwrap_or(refused).into_response(),
        }
    } else {
        if let Err(refused) = spend(&anonymous) {
            return refused.into_response();
        }
        None
    };
    let request = match GraphQLRequest::<async_graphql_axum::rejection::GraphQLRejection>::from_request(
        Request::from_parts(parts, body),
        &state,
    )
    .await
    {
        Ok(request) => request.into_inner(),
        Err(rejection) => return rejection.into_response(),
    };
    let response = state.queries.execute(request, viewer).await;
    let retry_after = response.errors.iter().find_map(|error| {
        let extensions = error.extensions.as_ref()?;
        let limited = extensions.get("code") == Some(&async_graphql::Value::from(Code::RateLimited.as_str()));
        limited.then(|| match extensions.get("retryAfter") {
            Some(async_graphql::Value::Number(seconds)) => seconds.as_u64().unwrap_or(60),
            _ => 60,
        })
    });
    let mut answer = GraphQLResponse::from(response).into_response();
    if let Some(seconds) = retry_after {
        *answer.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        answer.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        answer.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(GRAPHQL_RESPONSE_JSON));
    }
    answer
}
