//! Appointments: booking, moving and closing them.

use super::{instant, run, CommandHeaders, Recorded, SectionAnswers};
use crate::idempotency::Preconditions;
use crate::permitted::{self, Permitted};
use crate::routes::parse_id;
use crate::CommandState;
use application::access::acting_facility;
use application::record::RecordCommand;
use axum::extract::{Path, State};
use domain::record::appointments::BookAppointment;
use http_shell::error::ApiError;
use http_shell::json::Json;
use http_shell::vocabulary::AppointmentOutcome;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes of this part of the record.
pub(super) fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new()
        .routes(routes!(book_appointment))
        .routes(routes!(reschedule_appointment))
        .routes(routes!(close_appointment))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentRequest {
    /// RFC 3339, in UTC or with an offset: `2026-12-07T08:30:00Z` and `2026-12-07T09:30:00+01:00`
    /// are the same time.
    #[schema(format = DateTime)]
    starts_at: String,
    #[schema(min_length = 2, max_length = 200)]
    reason: String,
    practitioner_id: Option<Uuid>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/appointments",
    operation_id = "book_appointment",
    tag = "record",
    summary = "Book an appointment",
    description = "At the caller's facility, in the future.",
    request_body = AppointmentRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
/// Books an appointment at the caller's facility.
async fn book_appointment(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteAppointments>,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<AppointmentRequest>,
) -> Result<Recorded, ApiError> {
    let facility_id = acting_facility(&caller.principal)?;
    let patient = parse_id(&patient_id, "/patient_id")?;
    let starts_at = instant(&request.starts_at, "/starts_at")?;
    let command = RecordCommand::BookAppointment(BookAppointment {
        appointment_id: pre.entry_id(&caller),
        facility_id,
        practitioner_id: request.practitioner_id,
        starts_at,
        reason: request.reason,
        now: state.application.now(),
    });
    let recorded = run(&state, &caller, &pre, patient, command).await?;
    Ok(recorded.starting_at(&starts_at))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RescheduleRequest {
    /// RFC 3339, in UTC or with an offset: `2026-12-07T08:30:00Z` and `2026-12-07T09:30:00+01:00`
    /// are the same time.
    #[schema(format = DateTime)]
    starts_at: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/appointments/{entry_id}/reschedule",
    operation_id = "reschedule_appointment",
    tag = "record",
    summary = "Move an appointment",
    description = "Only a booked appointment moves, to a future time.",
    request_body = RescheduleRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        ("entry_id" = Uuid, Path, description = "The entry concerned."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn reschedule_appointment(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::WriteAppointments>,
    Path((patient_id, entry_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<RescheduleRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let appointment_id = parse_id(&entry_id, "/entry_id")?;
    let starts_at = instant(&request.starts_at, "/starts_at")?;
    let command = RecordCommand::RescheduleAppointment { appointment_id, starts_at, now: state.application.now() };
    let recorded = run(&state, &caller, &pre, patient, command).await?;
    Ok(recorded.starting_at(&starts_at))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CloseAppointmentRequest {
    outcome: AppointmentOutcome,
    /// Why, for a cancellation.
    #[schema(min_length = 3, max_length = 300)]
    reason: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/appointments/{entry_id}/close",
    operation_id = "close_appointment",
    tag = "record",
    summary = "Close an appointment",
    description = "Cancelled (with a reason), attended, or missed (once its time has passed). A patient may cancel their own appointment, with a reason, until it starts.",
    request_body = CloseAppointmentRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        ("entry_id" = Uuid, Path, description = "The entry concerned."),
        CommandHeaders
    ),
    responses(SectionAnswers),
    security(("bearer" = []))
)]
async fn close_appointment(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::CloseAppointment>,
    Path((patient_id, entry_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<CloseAppointmentRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let appointment_id = parse_id(&entry_id, "/entry_id")?;
    let command = RecordCommand::close_appointment(
        &caller.principal,
        appointment_id,
        request.outcome.into(),
        request.reason,
        state.application.now(),
    );
    run(&state, &caller, &pre, patient, command).await
}
