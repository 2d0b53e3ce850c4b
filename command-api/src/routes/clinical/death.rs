//! The patient's death, as a doctor certifies it, and its correction.

use super::{run, CommandHeaders, CorrectionRequest, DeathAnswers, Recorded};
use crate::idempotency::Preconditions;
use crate::permitted::{self, Permitted};
use crate::routes::parse_id;
use crate::CommandState;
use application::record::RecordCommand;
use axum::extract::{Path, State};
use domain::record::clinical::Correction;
use domain::record::death::RecordDeath;
use http_shell::error::ApiError;
use http_shell::json::Json;
use http_shell::vocabulary::PlaceOfDeath;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes of this part of the record.
pub(super) fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new().routes(routes!(record_death))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeathRequest {
    /// The day of death, `YYYY-MM-DD`: not in the future, not before the patient's birth, and not before
    /// care the record already holds.
    #[schema(format = Date)]
    died_on: String,
    place: PlaceOfDeath,
    /// The facility where the patient died: given exactly when `place` is `facility`.
    facility_id: Option<Uuid>,
    /// The underlying cause of death (the disease or injury that started the train of events), an
    /// ICD-10 code of WHO's list, e.g. `B50.9`; a category WHO subdivides needs one of its subcategories.
    #[schema(pattern = "^[A-Za-z][0-9]{2}(\\.?[0-9A-Za-z]{1,4})?$")]
    underlying_cause: String,
    /// The recorded death this one corrects; without it, a record whose death is already recorded
    /// answers 409.
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/death",
    operation_id = "record_death",
    tag = "record",
    summary = "Record the patient's death",
    description = "The day, the place (with the facility, for a death in one) and the underlying cause as an ICD-10 code. A record holds one death: another is refused unless it `amends` it, and withdrawing it as entered in error leaves the patient alive in the record. Once it stands, no clinical date may follow it, no appointment may be booked or moved, and appointments booked for a later day read as cancelled.",
    request_body = DeathRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(DeathAnswers),
    security(("bearer" = []))
)]
/// Records the patient's death, or corrects the death recorded.
async fn record_death(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteDeath>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<DeathRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::RecordDeath(RecordDeath {
        entry_id: pre.entry_id(&caller),
        died_on: request.died_on,
        place: request.place.into(),
        facility_id: request.facility_id,
        underlying_cause: request.underlying_cause,
        amends: request.amends.map(Correction::from),
        today: state.application.today_in_cameroon(),
    });
    run(&state, &caller, &pre, patient, command).await
}
