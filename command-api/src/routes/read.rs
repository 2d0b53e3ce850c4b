//! The read side over HTTP: the GraphQL API at `/graphql` (a GraphiQL page on `GET`, queries on
//! `POST`), and the printable vaccination card. Both authenticate with the same bearer tokens as the
//! commands; the query API authorises every resolver with the same policy, and reports each read of
//! medical data, which the read log appends to the ledger before anything is sent.

use crate::authn::Caller;
use crate::error::{ApiError, Problem, PROBLEM_JSON};
use crate::routes::auth::AttemptRate;
use crate::AppState;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use query_api::{Code, Viewer};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The media type of a GraphQL answer that is not a success (GraphQL over HTTP): a spent cost budget
/// is a `429` whose body is still the GraphQL answer, with its `RATE_LIMITED` error.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// `/graphql`: not described in the OpenAPI document (its own schema is the SDL). With `attempts`,
/// requests without a valid token are limited per client address, as the login routes are (which
/// needs the server to provide each connection's address, as `cloudmedi serve` does); requests with
/// a valid token are limited by their account's cost budget instead (in the query API).
pub fn graphql_router(attempts: Option<AttemptRate>) -> Router<AppState> {
    let anonymous = attempts.and_then(AddressLimit::new).map(Arc::new);
    Router::new().route(
        "/graphql",
        get(graphiql)
            .post(move |State(state): State<AppState>, request: Request| graphql(state, anonymous.clone(), request)),
    )
}

/// How many requests without a valid token each client address may make.
struct AddressLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    checks: AtomicU64,
}

impl AddressLimit {
    fn new(rate: AttemptRate) -> Option<Self> {
        let burst = std::num::NonZeroU32::new(rate.burst)?;
        let quota = Quota::with_period(rate.period)?.allow_burst(burst);
        Some(Self { limiter: DefaultKeyedRateLimiter::keyed(quota), checks: AtomicU64::new(0) })
    }

    /// Counts one request from `address`, or answers how many seconds it must wait.
    fn spend(&self, address: Option<IpAddr>) -> Result<(), ApiError> {
        let address =
            address.ok_or_else(|| ApiError::Internal("the client's address is unknown to the rate limit".into()))?;
        // Forget addresses whose allowance is whole again, now and then, so memory stays bounded.
        if self.checks.fetch_add(1, Ordering::Relaxed) % 4096 == 4095 {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&address).map_err(|not_until| ApiError::TooManyAttempts {
            retry_after_secs: not_until.wait_time_from(DefaultClock::default().now()).as_secs().max(1),
        })
    }
}

/// The REST reads: the printable vaccination card.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(vaccination_card))
}

/// GraphiQL, from the assets the binary serves (async-graphql's own page loads them from a CDN).
async fn graphiql() -> Response {
    crate::assets::page(crate::assets::GRAPHIQL_PAGE)
}

/// Runs a query. A request without a token, or with one that is not valid (answered 401), spends one
/// of its address's attempts first; an account whose cost budget is spent gets 429 with `Retry-After`.
async fn graphql(state: AppState, anonymous: Option<Arc<AddressLimit>>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let address = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|ConnectInfo(address)| address.ip());
    let spend = |anonymous: &Option<Arc<AddressLimit>>| anonymous.as_ref().map_or(Ok(()), |limit| limit.spend(address));
    let viewer = if parts.headers.contains_key(header::AUTHORIZATION) {
        match <Caller as FromRequestParts<AppState>>::from_request_parts(&mut parts, &state).await {
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

#[utoipa::path(
    get,
    path = "/api/v1/patients/{patient_id}/vaccination-card",
    operation_id = "print_vaccination_card",
    tag = "record",
    summary = "The printable vaccination card",
    description = "An HTML page to print: doses given, and doses due or overdue by the schedule for the patient's date of birth, with the health ID as a QR code. Recorded in the patient's access log when read by anyone but the patient.",
    params(("patient_id" = Uuid, Path, description = "The patient's record.")),
    responses(
        (status = 200, description = "The card, as an HTML page.", content_type = "text/html", body = String),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role never reads immunizations."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient, or not one the caller may see."),
        (status = 503, body = Problem, content_type = PROBLEM_JSON, description = "Nothing was shown: the read could not be recorded in the patient's access log, or not checked against the latest change to who may read the record. Try again.")
    ),
    security(("bearer" = []))
)]
async fn vaccination_card(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
) -> Result<Response, ApiError> {
    let patient_id = Uuid::parse_str(&patient_id).map_err(|_| ApiError::NotFound)?;
    let viewer = Viewer { principal: caller.principal };
    match state.queries.printable_vaccination_card(viewer, patient_id).await {
        Ok(html) => Ok(([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()),
        Err(Code::NotFound) => Err(ApiError::NotFound),
        Err(Code::Forbidden) => Err(ApiError::Forbidden),
        Err(Code::Unauthenticated) => Err(ApiError::Unauthorized),
        // Nothing of the card left the server: its read could not be recorded, or not checked against
        // the latest change to who may read the record.
        Err(Code::Unavailable) => {
            Err(ApiError::Unavailable { detail: "the card cannot be shown right now; try again shortly".into() })
        }
        Err(_) => Err(ApiError::Internal("the vaccination card could not be produced".into())),
    }
}
