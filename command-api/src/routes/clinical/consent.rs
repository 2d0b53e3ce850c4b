//! The patient's consent to a facility's access, and a doctor's break-the-glass access in an emergency.

use super::{run, BreakGlassAnswers, CommandHeaders, ConsentAnswers, Recorded};
use crate::idempotency::Preconditions;
use crate::permitted::{self, Permitted};
use crate::routes::parse_id;
use crate::CommandState;
use application::access::acting_facility;
use application::record::RecordCommand;
use axum::extract::{Path, State};
use domain::record::consent::{BreakGlass, GrantAccess};
use http_shell::error::ApiError;
use http_shell::json::Json;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes of this part of the record.
pub(super) fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new().routes(routes!(grant_access)).routes(routes!(revoke_access)).routes(routes!(break_glass))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRequest {
    facility_id: Uuid,
    /// The last day the access holds, `YYYY-MM-DD`; until revoked when absent.
    #[schema(format = Date)]
    until: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/consents",
    operation_id = "grant_access",
    tag = "record",
    summary = "Grant a facility access to one's record",
    description = "The patient alone may; the access holds until the day given, or until revoked.",
    request_body = ConsentRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(ConsentAnswers),
    security(("bearer" = []))
)]
/// The patient grants a facility access to their record.
async fn grant_access(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::ManageConsent>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<ConsentRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::GrantAccess(GrantAccess {
        facility_id: request.facility_id,
        until: request.until,
        today: state.application.today_in_cameroon(),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[utoipa::path(
    delete,
    path = "/api/v1/patients/{patient_id}/consents/{facility_id}",
    operation_id = "revoke_access",
    tag = "record",
    summary = "Withdraw a facility's access",
    description = "The patient alone may.",
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        ("facility_id" = Uuid, Path, description = "The facility whose access ends."),
        CommandHeaders
    ),
    responses(ConsentAnswers),
    security(("bearer" = []))
)]
/// The patient withdraws a facility's access.
async fn revoke_access(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::ManageConsent>,
    Path((patient_id, facility_id)): Path<(String, String)>,
    pre: Preconditions,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let facility_id = parse_id(&facility_id, "/facility_id")?;
    let command = RecordCommand::RevokeAccess { facility_id };
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlassRequest {
    /// Why the record must be opened now, for the audit trail and the patient.
    #[schema(min_length = 10, max_length = 500)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/break-glass",
    operation_id = "break_glass",
    tag = "record",
    summary = "Open a record in an emergency",
    description = "A doctor without a care relationship states a reason; the access lasts four hours, is recorded, and the patient is told.",
    request_body = BreakGlassRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(BreakGlassAnswers),
    security(("bearer" = []))
)]
/// A doctor opens a record in an emergency. The access lasts a few hours, is recorded, and the patient
/// is told through their usual channel.
async fn break_glass(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::BreakGlass>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<BreakGlassRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let facility_id = acting_facility(&caller.principal)?;
    let command = RecordCommand::BreakGlass(BreakGlass {
        account_id: caller.principal.account_id,
        facility_id,
        reason: request.reason,
        now: state.application.now(),
    });
    run(&state, &caller, &pre, patient, command).await
}
