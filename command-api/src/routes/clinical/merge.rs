//! Merging a record registered twice into the one that stays.

use super::{run, CommandHeaders, Recorded};
use crate::authn::Caller;
use crate::error::{ApiError, Problem, PROBLEM_JSON};
use crate::idempotency::Preconditions;
use crate::json::Json;
use crate::routes::parse_id;
use crate::AppState;
use application::record::RecordCommand;
use axum::extract::{Path, State};
use domain::record::merge::MergeRecords;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes of this part of the record.
pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(merge_records))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The surviving record.
    into: Uuid,
    /// Why the two records are one person's.
    #[schema(min_length = 10, max_length = 500)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/merge",
    operation_id = "merge_records",
    tag = "record",
    summary = "Merge a duplicate record into another",
    description = "Closes this record to new entries and points it at the survivor; nothing is deleted. Needs a \
        care relationship with both patients and the right to update their demographics.",
    request_body = MergeRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The duplicate record, merged into the other."),
        CommandHeaders
    ),
    responses(
        (status = 201, description = "Merged.", body = Recorded,
            headers(("ETag" = String, description = "The merged record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not merge records."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient, or one the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON, description = "The record was already merged, or moved on."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn merge_records(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<MergeRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::Merge(MergeRecords { into: request.into, reason: request.reason });
    run(&state, &caller, &pre, patient, command).await
}
