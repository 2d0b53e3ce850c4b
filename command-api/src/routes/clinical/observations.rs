//! Vital signs, laboratory orders and results.

use super::{instant, run, CommandHeaders, CorrectionRequest, Recorded, SectionAnswers};
use crate::idempotency::Preconditions;
use crate::permitted::{self, Permitted};
use crate::routes::parse_id;
use crate::CommandState;
use application::record::RecordCommand;
use axum::extract::{Path, State};
use domain::record::clinical::Correction;
use domain::record::observations::{OrderLab, RecordLabResult, RecordVitalSigns};
use http_shell::error::ApiError;
use http_shell::json::Json;
use http_shell::vocabulary::{Attachment, Interpretation};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes of this part of the record.
pub(super) fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new()
        .routes(routes!(record_vital_signs))
        .routes(routes!(order_lab))
        .routes(routes!(record_lab_result))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VitalSignsRequest {
    /// When measured, RFC 3339.
    #[schema(format = DateTime)]
    measured_at: String,
    /// Tenths of a degree Celsius: `385` is 38.5 °C.
    #[schema(minimum = 250, maximum = 450)]
    #[serde(default, deserialize_with = "http_shell::json::optional_whole")]
    temperature_decicelsius: Option<u32>,
    #[schema(minimum = 40, maximum = 300)]
    #[serde(default, deserialize_with = "http_shell::json::optional_whole")]
    systolic_mmhg: Option<u32>,
    #[schema(minimum = 20, maximum = 200)]
    #[serde(default, deserialize_with = "http_shell::json::optional_whole")]
    diastolic_mmhg: Option<u32>,
    #[schema(minimum = 20, maximum = 300)]
    #[serde(default, deserialize_with = "http_shell::json::optional_whole")]
    pulse_per_minute: Option<u32>,
    #[schema(minimum = 4, maximum = 100)]
    #[serde(default, deserialize_with = "http_shell::json::optional_whole")]
    respiratory_rate_per_minute: Option<u32>,
    #[schema(minimum = 50, maximum = 100)]
    #[serde(default, deserialize_with = "http_shell::json::optional_whole")]
    spo2_percent: Option<u32>,
    #[schema(minimum = 300, maximum = 400000)]
    #[serde(default, deserialize_with = "http_shell::json::optional_whole")]
    weight_grams: Option<u32>,
    #[schema(minimum = 200, maximum = 2500)]
    #[serde(default, deserialize_with = "http_shell::json::optional_whole")]
    height_mm: Option<u32>,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/vital-signs",
    operation_id = "record_vital_signs",
    tag = "record",
    summary = "Record vital signs",
    description = "Integer measures in exact units; values no living body shows are refused.",
    request_body = VitalSignsRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn record_vital_signs(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteVitalSigns>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<VitalSignsRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let measured_at = instant(&request.measured_at, "/measured_at")?;
    let command = RecordCommand::RecordVitalSigns(RecordVitalSigns {
        entry_id: pre.entry_id(&caller),
        measured_at,
        temperature_decicelsius: request.temperature_decicelsius,
        systolic_mmhg: request.systolic_mmhg,
        diastolic_mmhg: request.diastolic_mmhg,
        pulse_per_minute: request.pulse_per_minute,
        respiratory_rate_per_minute: request.respiratory_rate_per_minute,
        spo2_percent: request.spo2_percent,
        weight_grams: request.weight_grams,
        height_mm: request.height_mm,
        amends: request.amends.map(Correction::from),
        now: state.application.now(),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabOrderRequest {
    #[schema(min_length = 2, max_length = 120)]
    test: String,
    /// A LOINC code with its check digit, e.g. `32700-7`; empty for none.
    #[schema(pattern = "^([0-9]{1,7}-[0-9])?$")]
    loinc: Option<String>,
    encounter_id: Option<Uuid>,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/lab-orders",
    operation_id = "order_lab",
    tag = "record",
    summary = "Order a laboratory test",
    description = "The test, with its LOINC code when known.",
    request_body = LabOrderRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn order_lab(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteLabOrders>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<LabOrderRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::OrderLab(OrderLab {
        entry_id: pre.entry_id(&caller),
        test: request.test,
        loinc: request.loinc,
        encounter_id: request.encounter_id,
        amends: request.amends.map(Correction::from),
    });
    run(&state, &caller, &pre, patient, command).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabResultRequest {
    order_id: Option<Uuid>,
    #[schema(min_length = 2, max_length = 120)]
    test: String,
    #[schema(pattern = "^([0-9]{1,7}-[0-9])?$")]
    loinc: Option<String>,
    /// The value as reported, exactly.
    #[schema(min_length = 1, max_length = 200)]
    value: String,
    #[schema(min_length = 1, max_length = 30)]
    unit: Option<String>,
    #[schema(min_length = 1, max_length = 60)]
    reference_range: Option<String>,
    interpretation: Interpretation,
    #[serde(default)]
    #[schema(max_items = 10)]
    attachments: Vec<Attachment>,
    amends: Option<CorrectionRequest>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/lab-results",
    operation_id = "record_lab_result",
    tag = "record",
    summary = "Record a laboratory result",
    description = "The value exactly as reported, its interpretation, and attached files by SHA-256; the patient is told results are ready.",
    request_body = LabResultRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
/// Records a result and tells the patient, through their usual channel, that results are ready
/// (never the result itself).
async fn record_lab_result(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteLabResults>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<LabResultRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let command = RecordCommand::RecordLabResult(RecordLabResult {
        entry_id: pre.entry_id(&caller),
        order_id: request.order_id,
        test: request.test,
        loinc: request.loinc,
        value: request.value,
        unit: request.unit,
        reference_range: request.reference_range,
        interpretation: request.interpretation.into(),
        attachments: request.attachments.into_iter().map(Into::into).collect(),
        amends: request.amends.map(Correction::from),
    });
    run(&state, &caller, &pre, patient, command).await
}
