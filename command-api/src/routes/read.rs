//! The read side over HTTP: the GraphQL API at `/graphql` (a GraphiQL page on `GET`, queries on
//! `POST`), and the printable vaccination card. Both authenticate with the same bearer tokens as the
//! commands; the query API authorises every resolver with the same policy, and reports each read of
//! medical data, which the read log appends to the ledger before anything is sent.

use crate::authn::Caller;
use crate::error::{ApiError, Problem, PROBLEM_JSON};
use crate::AppState;
use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{OptionalFromRequestParts, Path, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use query_api::{Code, Viewer};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// `/graphql`: not described in the OpenAPI document (its own schema is the SDL).
pub fn graphql_router() -> Router<AppState> {
    Router::new().route("/graphql", get(graphiql).post(graphql))
}

/// The REST reads: the printable vaccination card.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(vaccination_card))
}

/// A request without a token still reaches GraphQL (introspection needs none; every resolver then
/// answers `UNAUTHENTICATED`); a token that is present but not valid is a 401, as everywhere.
impl OptionalFromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        if !parts.headers.contains_key(header::AUTHORIZATION) {
            return Ok(None);
        }
        <Caller as axum::extract::FromRequestParts<AppState>>::from_request_parts(parts, state).await.map(Some)
    }
}

async fn graphiql() -> Html<String> {
    Html(GraphiQLSource::build().endpoint("/graphql").title("CloudMedi GraphQL").finish())
}

async fn graphql(State(state): State<AppState>, caller: Option<Caller>, request: GraphQLRequest) -> GraphQLResponse {
    let viewer = caller.map(|caller| Viewer { principal: caller.principal });
    state.queries.execute(request.into_inner(), viewer).await.into()
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
