//! The printable vaccination card (`GET /api/v1/patients/{patient_id}/vaccination-card`): an HTML page
//! to print, recorded in the patient's access log when read by anyone but the patient.

use super::QueryState;
use crate::{Code, Viewer};
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use http_shell::authn::Caller;
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<QueryState> {
    OpenApiRouter::new().routes(routes!(vaccination_card))
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
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role never reads immunizations."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient, or not one the caller may see."),
        (status = 503, body = Problem, content_type = PROBLEM_JSON, description = "Nothing was shown: the read could not be recorded in the patient's access log, or not checked against the latest change to who may read the record. Try again.")
    ),
    security(("bearer" = []))
)]
async fn vaccination_card(
    State(state): State<QueryState>,
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
