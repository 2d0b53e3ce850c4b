//! A minor's guardians: recorded by a facility's staff on the proof shown at the desk, and ended
//! before the minor comes of age when a court or a mistake calls for it.

use super::{run, CommandHeaders, GuardianshipAnswers, Recorded};
use crate::idempotency::Preconditions;
use crate::permitted::{self, Permitted};
use crate::routes::parse_id;
use crate::CommandState;
use application::record::RecordCommand;
use axum::extract::{Path, State};
use domain::record::guardianship::{EndGuardianship, RecordGuardian};
use http_shell::error::ApiError;
use http_shell::json::Json;
use http_shell::vocabulary::GuardianRelationship;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes of this part of the record.
pub(super) fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new().routes(routes!(record_guardian)).routes(routes!(end_guardianship))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardianRequest {
    /// The guardian's health ID, as printed on their card (`CM` and ten digits; spaces and hyphens
    /// are ignored). The guardian is a registered patient.
    #[schema(min_length = 1, max_length = 40)]
    guardian_health_id: String,
    relationship: GuardianRelationship,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/guardians",
    operation_id = "record_guardian",
    tag = "record",
    summary = "Record a minor's guardian",
    description = "A doctor, nurse or registration clerk of a facility caring for the minor records a parent or an appointed guardian, after seeing the proof (the birth certificate, or the order appointing the guardian). The guardian's own portal account then reads the minor's record and acts for the minor (consents, reminder choices, cancelling an appointment), each read recorded in the minor's access log, until the day before the minor turns 21. A patient already of age, a health ID no patient has, or the patient's own, is a 422.",
    request_body = GuardianRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The minor's record."),
        CommandHeaders
    ),
    responses(GuardianshipAnswers),
    security(("bearer" = []))
)]
/// Records a minor's guardian.
async fn record_guardian(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::ManageGuardianship>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<GuardianRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let guardian_patient_id =
        state.application.guardian_by_health_id(&caller.principal, patient, &request.guardian_health_id).await?;
    let command = RecordCommand::RecordGuardian(RecordGuardian {
        guardian_patient_id,
        relationship: request.relationship.into(),
        today: state.application.today_in_cameroon(),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndGuardianshipRequest {
    /// Why the guardianship ends before the minor comes of age (a court's decision, a guardian
    /// recorded by mistake), for the audit trail.
    #[schema(min_length = 10, max_length = 500)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/guardians/{guardian_patient_id}/end",
    operation_id = "end_guardianship",
    tag = "record",
    summary = "End a guardianship",
    description = "Staff who may record a guardian end one, with a reason: the guardian's account no longer reads the minor's record. A guardianship ends on its own when the minor turns 21.",
    request_body = EndGuardianshipRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The minor's record."),
        ("guardian_patient_id" = Uuid, Path, description = "The guardian's own record."),
        CommandHeaders
    ),
    responses(GuardianshipAnswers),
    security(("bearer" = []))
)]
/// Ends a guardianship before the minor comes of age.
async fn end_guardianship(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::ManageGuardianship>,
    Path((patient_id, guardian_patient_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<EndGuardianshipRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let guardian_patient_id: Uuid = parse_id(&guardian_patient_id, "/guardian_patient_id")?;
    let command = RecordCommand::EndGuardianship(EndGuardianship { guardian_patient_id, reason: request.reason });
    run(&state, &caller, &pre, patient, command).await
}
