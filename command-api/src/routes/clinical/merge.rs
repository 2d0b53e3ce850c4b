//! Merging a record registered twice into the one that stays.

use super::{run, CommandHeaders, Recorded};
use crate::idempotency::Preconditions;
use crate::permitted::{self, Permitted};
use crate::routes::parse_id;
use crate::CommandState;
use application::record::RecordCommand;
use axum::extract::{Path, State};
use domain::record::merge::MergeRecords;
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use http_shell::json::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes of this part of the record.
pub(super) fn router() -> OpenApiRouter<CommandState> {
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
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not merge records."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient, or one the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON, description = "The record was already merged (`/problems/conflict`)."),
        (status = 412, body = Problem, content_type = PROBLEM_JSON,
            description = "The record is at another version than `If-Match` gives (`/problems/precondition-failed`)."),
        (status = 415, response = http_shell::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The surviving record does not exist, is this one, or was itself merged \
                (`/problems/rule-violated`); or the Idempotency-Key was already used for another request \
                (`/problems/idempotency-key-reused`).")
    ),
    security(("bearer" = []))
)]
async fn merge_records(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::MergeRecords>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<MergeRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::Merge(MergeRecords { into: request.into, reason: request.reason });
    run(&state, &caller, &pre, patient, command).await
}
