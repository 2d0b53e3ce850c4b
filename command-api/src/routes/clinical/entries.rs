//! Clinical entries: allergies, ICD-10 diagnoses, immunizations, encounters, prescriptions, referrals and
//! transfers, and withdrawing an entry recorded by mistake.

use super::{run, CommandHeaders, CorrectionRequest, Recorded, SectionAnswers};
use crate::idempotency::Preconditions;
use crate::permitted::{self, Permitted};
use crate::routes::parse_id;
use crate::CommandState;
use application::access::acting_facility;
use application::record::RecordCommand;
use axum::extract::{Path, State};
use domain::record::clinical::{
    CancelPrescription, Correction, DiagnoseCondition, MarkEnteredInError, PrescribeMedicine, RecordAllergy,
    RecordEncounter, RecordImmunization, ReferPatient,
};
use http_shell::error::ApiError;
use http_shell::json::Json;
use http_shell::vocabulary::{
    AllergyCategory, AllergyStatus, ConditionStatus, Dose, EncounterClass, ReferralKind, Route, Severity, Urgency,
};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes of this part of the record.
pub(super) fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new()
        .routes(routes!(record_allergy))
        .routes(routes!(diagnose_condition))
        .routes(routes!(record_immunization))
        .routes(routes!(record_encounter))
        .routes(routes!(prescribe))
        .routes(routes!(cancel_prescription))
        .routes(routes!(refer))
        .routes(routes!(mark_entered_in_error))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllergyRequest {
    #[schema(min_length = 2, max_length = 120)]
    substance: String,
    category: AllergyCategory,
    #[schema(min_length = 2, max_length = 200)]
    reaction: Option<String>,
    severity: Severity,
    status: AllergyStatus,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/allergies",
    operation_id = "record_allergy",
    tag = "record",
    summary = "Record an allergy or intolerance",
    description = "Substance, category, reaction, severity and status; `amends` replaces an earlier allergy entry.",
    request_body = AllergyRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn record_allergy(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteAllergies>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<AllergyRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::RecordAllergy(RecordAllergy {
        entry_id: pre.entry_id(&caller),
        substance: request.substance,
        category: request.category.into(),
        reaction: request.reaction,
        severity: request.severity.into(),
        status: request.status.into(),
        amends: request.amends.map(Correction::from),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConditionRequest {
    /// An ICD-10 code, e.g. `B50.9`.
    #[schema(pattern = "^[A-Za-z][0-9]{2}(\\.?[0-9A-Za-z]{1,4})?$")]
    icd10: String,
    #[schema(min_length = 2, max_length = 200)]
    description: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    onset: Option<String>,
    status: ConditionStatus,
    encounter_id: Option<Uuid>,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/conditions",
    operation_id = "diagnose_condition",
    tag = "record",
    summary = "Record a diagnosis",
    description = "An ICD-10 coded condition with onset and status, optionally made in an encounter; `amends` replaces an earlier diagnosis.",
    request_body = ConditionRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn diagnose_condition(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteConditions>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<ConditionRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::DiagnoseCondition(DiagnoseCondition {
        entry_id: pre.entry_id(&caller),
        icd10: request.icd10,
        description: request.description,
        onset: request.onset,
        status: request.status.into(),
        encounter_id: request.encounter_id,
        amends: request.amends.map(Correction::from),
        today: state.application.today_in_cameroon(),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImmunizationRequest {
    /// The antigen's code in the schedule, e.g. `PENTA`.
    #[schema(min_length = 1, max_length = 20)]
    antigen: String,
    /// The dose's number in the antigen's series (0 for a birth dose); which numbers exist, and when each
    /// may be given, is the schedule's rule.
    #[serde(deserialize_with = "http_shell::json::whole")]
    #[schema(minimum = 0, maximum = 20)]
    dose_number: u32,
    #[schema(min_length = 1, max_length = 40)]
    lot: String,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    given_on: String,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/immunizations",
    operation_id = "record_immunization",
    tag = "record",
    summary = "Record a dose of vaccine given",
    description = "Checked against the national immunisation schedule in force on the day it was given; recorded at the caller's facility.",
    request_body = ImmunizationRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn record_immunization(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteImmunizations>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<ImmunizationRequest>,
) -> Result<Recorded, ApiError> {
    let facility_id = acting_facility(&caller.principal)?;
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::RecordImmunization(RecordImmunization {
        entry_id: pre.entry_id(&caller),
        antigen: request.antigen,
        dose_number: request.dose_number,
        lot: request.lot,
        given_on: request.given_on,
        facility_id,
        amends: request.amends.map(Correction::from),
        today: state.application.today_in_cameroon(),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EncounterRequest {
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    date: String,
    /// What kind of encounter it was (attendance is counted by it); absent when not stated.
    class: Option<EncounterClass>,
    #[schema(min_length = 2, max_length = 200)]
    reason: String,
    #[schema(min_length = 1, max_length = 4000)]
    notes: Option<String>,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/encounters",
    operation_id = "record_encounter",
    tag = "record",
    summary = "Record an encounter",
    description = "A visit at the caller's facility, with the caller as practitioner.",
    request_body = EncounterRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
/// Records an encounter at the caller's facility, with the caller as the practitioner.
async fn record_encounter(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteEncounters>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<EncounterRequest>,
) -> Result<Recorded, ApiError> {
    let facility_id = acting_facility(&caller.principal)?;
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::RecordEncounter(RecordEncounter {
        entry_id: pre.entry_id(&caller),
        facility_id,
        practitioner_id: caller.principal.account_id,
        date: request.date,
        class: request.class.map(Into::into),
        reason: request.reason,
        notes: request.notes,
        amends: request.amends.map(Correction::from),
        today: state.application.today_in_cameroon(),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrescriptionRequest {
    #[schema(min_length = 2, max_length = 120)]
    medicine: String,
    dose: Dose,
    route: Route,
    #[schema(minimum = 1, maximum = 24)]
    #[serde(deserialize_with = "http_shell::json::whole")]
    times_per_day: u32,
    #[serde(default)]
    as_needed: bool,
    #[schema(minimum = 1, maximum = 365)]
    #[serde(deserialize_with = "http_shell::json::whole")]
    duration_days: u32,
    encounter_id: Option<Uuid>,
    #[schema(min_length = 1, max_length = 500)]
    instructions: Option<String>,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/prescriptions",
    operation_id = "prescribe",
    tag = "record",
    summary = "Prescribe a medicine",
    description = "Medicine, an exact dose, route, frequency and duration, with the caller as prescriber; implausible doses are refused.",
    request_body = PrescriptionRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
/// Prescribes a medicine, with the caller as the prescriber.
async fn prescribe(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WritePrescriptions>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<PrescriptionRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::Prescribe(PrescribeMedicine {
        entry_id: pre.entry_id(&caller),
        medicine: request.medicine,
        dose: request.dose.into(),
        route: request.route.into(),
        times_per_day: request.times_per_day,
        as_needed: request.as_needed,
        duration_days: request.duration_days,
        prescriber_id: caller.principal.account_id,
        encounter_id: request.encounter_id,
        instructions: request.instructions,
        amends: request.amends.map(Correction::from),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancellationRequest {
    #[schema(min_length = 3, max_length = 500)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/prescriptions/{entry_id}/cancel",
    operation_id = "cancel_prescription",
    tag = "record",
    summary = "Stop a prescription",
    description = "The prescription stays in the record, shown as cancelled.",
    request_body = CancellationRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        ("entry_id" = Uuid, Path, description = "The entry concerned."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
/// Stops a prescription before its end.
async fn cancel_prescription(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WritePrescriptions>,
    Path((patient_id, entry_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<CancellationRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let target = parse_id(&entry_id, "/entry_id")?;
    let command = RecordCommand::CancelPrescription(CancelPrescription { entry_id: target, reason: request.reason });
    run(&state, &caller, &pre, patient, command).await
}

fn referral() -> ReferralKind {
    ReferralKind::Referral
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    /// `referral` (seen there, care continuing here) or `transfer` (moved there); a referral when absent.
    #[serde(default = "referral")]
    kind: ReferralKind,
    to_facility_id: Uuid,
    #[schema(min_length = 3, max_length = 500)]
    reason: String,
    urgency: Urgency,
    encounter_id: Option<Uuid>,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/referrals",
    operation_id = "refer_patient",
    tag = "record",
    summary = "Refer or transfer the patient to another facility",
    description = "The receiving facility's clinicians may then act on the record.",
    request_body = ReferralRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
/// Refers the patient from the caller's facility to another.
async fn refer(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteReferrals>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<ReferralRequest>,
) -> Result<Recorded, ApiError> {
    let from_facility_id = acting_facility(&caller.principal)?;
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::Refer(ReferPatient {
        entry_id: pre.entry_id(&caller),
        kind: request.kind.into(),
        from_facility_id,
        to_facility_id: request.to_facility_id,
        reason: request.reason,
        urgency: request.urgency.into(),
        encounter_id: request.encounter_id,
        amends: request.amends.map(Correction::from),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnteredInErrorRequest {
    #[schema(min_length = 3, max_length = 500)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/entries/{entry_id}/entered-in-error",
    operation_id = "mark_entered_in_error",
    tag = "record",
    summary = "Withdraw an entry recorded by mistake",
    description = "The entry stays in the ledger, shown as entered in error.",
    request_body = EnteredInErrorRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        ("entry_id" = Uuid, Path, description = "The entry concerned."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
/// Withdraws an entry recorded by mistake; allowed to whoever may write the entry's section.
async fn mark_entered_in_error(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WithdrawEntry>,
    Path((patient_id, entry_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<EnteredInErrorRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let target = parse_id(&entry_id, "/entry_id")?;
    let command = RecordCommand::MarkEnteredInError(MarkEnteredInError { entry_id: target, reason: request.reason });
    run(&state, &caller, &pre, patient, command).await
}
