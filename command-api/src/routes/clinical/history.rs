//! Medical and family history and long-term treatments.

use super::{run, CommandHeaders, CorrectionRequest, Recorded, SectionAnswers};
use crate::idempotency::Preconditions;
use crate::permitted::{self, Permitted};
use crate::routes::parse_id;
use crate::CommandState;
use application::record::RecordCommand;
use axum::extract::{Path, State};
use domain::record::clinical::Correction;
use domain::record::history::{RecordFamilyHistory, RecordMedicalHistory, RecordTreatment, StopTreatment};
use http_shell::error::ApiError;
use http_shell::json::Json;
use http_shell::vocabulary::{Dose, HistoryKind, Route};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The routes of this part of the record.
pub(super) fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new()
        .routes(routes!(record_medical_history))
        .routes(routes!(record_family_history))
        .routes(routes!(record_treatment))
        .routes(routes!(stop_treatment))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MedicalHistoryRequest {
    kind: HistoryKind,
    #[schema(min_length = 2, max_length = 300)]
    description: String,
    /// An ICD-10 code, e.g. `B50.9`; empty for none.
    #[schema(pattern = "^([A-Za-z][0-9]{2}(\\.?[0-9A-Za-z]{1,4})?)?$")]
    icd10: Option<String>,
    /// The year it began; between the patient's birth and this year (a rule checked on the server).
    #[serde(default, deserialize_with = "http_shell::json::optional_whole")]
    #[schema(minimum = 1850, maximum = 9999)]
    year: Option<u32>,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/medical-history",
    operation_id = "record_medical_history",
    tag = "record",
    summary = "Record part of the medical history",
    description = "Past conditions, operations and hospitalisations, optionally ICD-10 coded.",
    request_body = MedicalHistoryRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn record_medical_history(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteMedicalHistory>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<MedicalHistoryRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::RecordMedicalHistory(RecordMedicalHistory {
        entry_id: pre.entry_id(&caller),
        kind: request.kind.into(),
        description: request.description,
        icd10: request.icd10,
        year: request.year,
        amends: request.amends.map(Correction::from),
        today: state.application.today_in_cameroon(),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyHistoryRequest {
    #[schema(min_length = 2, max_length = 60)]
    relationship: String,
    #[schema(min_length = 2, max_length = 200)]
    condition: String,
    /// An ICD-10 code, e.g. `B50.9`; empty for none.
    #[schema(pattern = "^([A-Za-z][0-9]{2}(\\.?[0-9A-Za-z]{1,4})?)?$")]
    icd10: Option<String>,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/family-history",
    operation_id = "record_family_history",
    tag = "record",
    summary = "Record a condition in the family",
    description = "A relative and their condition, optionally ICD-10 coded.",
    request_body = FamilyHistoryRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn record_family_history(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteFamilyHistory>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<FamilyHistoryRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::RecordFamilyHistory(RecordFamilyHistory {
        entry_id: pre.entry_id(&caller),
        relationship: request.relationship,
        condition: request.condition,
        icd10: request.icd10,
        amends: request.amends.map(Correction::from),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentRequest {
    #[schema(min_length = 2, max_length = 120)]
    medicine: String,
    dose: Dose,
    route: Route,
    #[schema(minimum = 1, maximum = 24)]
    #[serde(deserialize_with = "http_shell::json::whole")]
    times_per_day: u32,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    started_on: Option<String>,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/treatments",
    operation_id = "record_treatment",
    tag = "record",
    summary = "Record a long-term treatment",
    description = "A treatment the patient takes over the long term, with an exact dose.",
    request_body = TreatmentRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn record_treatment(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteTreatments>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<TreatmentRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::RecordTreatment(RecordTreatment {
        entry_id: pre.entry_id(&caller),
        medicine: request.medicine,
        dose: request.dose.into(),
        route: request.route.into(),
        times_per_day: request.times_per_day,
        started_on: request.started_on,
        amends: request.amends.map(Correction::from),
        today: state.application.today_in_cameroon(),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StopTreatmentRequest {
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    stopped_on: String,
    #[schema(min_length = 3, max_length = 500)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/treatments/{entry_id}/stop",
    operation_id = "stop_treatment",
    tag = "record",
    summary = "Record that a treatment stopped",
    description = "The treatment stays in the record, shown as stopped.",
    request_body = StopTreatmentRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        ("entry_id" = Uuid, Path, description = "The entry concerned."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn stop_treatment(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteTreatments>,
    Path((patient_id, entry_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<StopTreatmentRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let target = parse_id(&entry_id, "/entry_id")?;
    let command = RecordCommand::StopTreatment(StopTreatment {
        entry_id: target,
        stopped_on: request.stopped_on,
        reason: request.reason,
        today: state.application.today_in_cameroon(),
    });
    run(&state, &caller, &pre, patient, command).await
}
