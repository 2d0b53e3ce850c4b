//! A patient's choices about reminders (language, channel, kinds opted out of), read and set by the
//! patient or a facility's desk on their word. The choices are events in the ledger
//! (`reminder.preferences_set`), beside the record rather than in it.

use crate::permitted::{self, Permitted};
use crate::routes::parse_id;
use crate::CommandState;
use application::reminders::ReminderPreferences;
use axum::extract::{Path, State};
use event_schema::events::reminder::{ReminderChannel, ReminderKind, ReminderLanguage};
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use http_shell::json::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new().routes(routes!(reminder_preferences, set_reminder_preferences))
}

/// The language reminders are written in.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
enum Language {
    #[serde(rename = "fr")]
    French,
    #[serde(rename = "en")]
    English,
}

/// How reminders reach the patient; `none` for no reminders at all.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Channel {
    Sms,
    Email,
    None,
}

/// A kind of reminder a patient may opt out of.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum Kind {
    /// Doses of the immunisation schedule coming due or missed.
    Vaccination,
    /// Appointments coming up, and a follow-up after one missed.
    Appointment,
    /// New laboratory results.
    LabResult,
}

/// A patient's reminder choices; a `null` choice is the default (language by the region of the
/// facility of registration: English in the North-West and South-West, French elsewhere; channel SMS
/// when a phone number is known, else e-mail).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Preferences {
    language: Option<Language>,
    channel: Option<Channel>,
    /// The kinds of reminder not wanted.
    #[serde(default)]
    opted_out: Vec<Kind>,
}

impl From<ReminderPreferences> for Preferences {
    fn from(preferences: ReminderPreferences) -> Self {
        Self {
            language: preferences.language.map(|language| match language {
                ReminderLanguage::French => Language::French,
                ReminderLanguage::English => Language::English,
            }),
            channel: preferences.channel.map(|channel| match channel {
                ReminderChannel::Sms => Channel::Sms,
                ReminderChannel::Email => Channel::Email,
                ReminderChannel::None => Channel::None,
            }),
            opted_out: preferences
                .opted_out
                .into_iter()
                .map(|kind| match kind {
                    ReminderKind::Vaccination => Kind::Vaccination,
                    ReminderKind::Appointment => Kind::Appointment,
                    ReminderKind::LabResult => Kind::LabResult,
                })
                .collect(),
        }
    }
}

impl From<Preferences> for ReminderPreferences {
    fn from(preferences: Preferences) -> Self {
        Self {
            language: preferences.language.map(|language| match language {
                Language::French => ReminderLanguage::French,
                Language::English => ReminderLanguage::English,
            }),
            channel: preferences.channel.map(|channel| match channel {
                Channel::Sms => ReminderChannel::Sms,
                Channel::Email => ReminderChannel::Email,
                Channel::None => ReminderChannel::None,
            }),
            opted_out: preferences
                .opted_out
                .into_iter()
                .map(|kind| match kind {
                    Kind::Vaccination => ReminderKind::Vaccination,
                    Kind::Appointment => ReminderKind::Appointment,
                    Kind::LabResult => ReminderKind::LabResult,
                })
                .collect(),
        }
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/patients/{patient_id}/reminder-preferences",
    operation_id = "reminder_preferences",
    tag = "record",
    summary = "A patient's reminder choices",
    params(("patient_id" = Uuid, Path, description = "The patient's record.")),
    responses(
        (status = 200, description = "The choices as last set; the defaults when never set.", body = Preferences),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The patient's id is not a UUID (field `/patient_id`, `/problems/invalid-request`)."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller's role sets no one's reminder choices (`/problems/forbidden`)."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No such patient, or one the caller may not act for, answered alike (`/problems/not-found`)."),
    ),
    security(("bearer" = []))
)]
async fn reminder_preferences(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::SetReminderPreferences>,
    Path(patient_id): Path<String>,
) -> Result<axum::Json<Preferences>, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let preferences = state.application.reminder_preferences(&caller.principal, patient).await?;
    Ok(axum::Json(preferences.into()))
}

#[utoipa::path(
    put,
    path = "/api/v1/patients/{patient_id}/reminder-preferences",
    operation_id = "set_reminder_preferences",
    tag = "record",
    summary = "Set a patient's reminder choices",
    description = "The patient, or a facility's desk, doctor or nurse in the patient's care on the patient's \
        word. The choices replace the previous ones whole and are recorded in the ledger.",
    request_body = Preferences,
    params(("patient_id" = Uuid, Path, description = "The patient's record.")),
    responses(
        (status = 200, description = "The choices as now set.", body = Preferences),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The request does not keep to its schema, each field named (`/problems/invalid-request`)."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller's role sets no one's reminder choices (`/problems/forbidden`)."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON,
            description = "No such patient, or one the caller may not act for, answered alike (`/problems/not-found`)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record was merged into another (`/problems/conflict`)."),
        (status = 415, response = http_shell::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The channel chosen has no address on the record (field `/channel`, `/problems/rule-violated`)."),
    ),
    security(("bearer" = []))
)]
async fn set_reminder_preferences(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::SetReminderPreferences>,
    Path(patient_id): Path<String>,
    Json(request): Json<Preferences>,
) -> Result<axum::Json<Preferences>, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let set = state.application.set_reminder_preferences(&caller.principal, patient, request.into()).await?;
    let preferences = ReminderPreferences { language: set.language, channel: set.channel, opted_out: set.opted_out };
    Ok(axum::Json(preferences.into()))
}
