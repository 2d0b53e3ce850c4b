//! Registering patients at a facility's desk, over HTTP: the application layer issues the health ID,
//! checks the national ID card number for uniqueness, flags probable duplicates, and issues the
//! patient's account for them to activate with a one-time code (sent by SMS or e-mail, or printed on
//! the registration slip for a patient with neither).

use crate::permitted::{self, Permitted};
use crate::CommandState;
use application::patients::NewPatient;
use axum::extract::State;
use axum::http::StatusCode;
use domain::health_id::HealthId;
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use http_shell::json::Json;
use http_shell::vocabulary::{BirthDate, ContactChannel, NextOfKin, Sex};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new().routes(routes!(register))
}

/// A patient to register at the caller's facility.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PatientRegistration)]
struct RegisterRequest {
    /// The national ID card number, when the patient has one; it may belong to one patient only.
    national_id: Option<String>,
    /// 1 to 80 characters, with a letter.
    #[schema(min_length = 1, max_length = 80)]
    family_name: String,
    /// 1 to 80 characters, with a letter.
    #[schema(min_length = 1, max_length = 80)]
    given_names: String,
    sex: Sex,
    birth_date: BirthDate,
    /// A region code, e.g. `LT` for Littoral.
    region: String,
    /// 2 to 80 characters.
    #[schema(min_length = 2, max_length = 80)]
    health_district: String,
    /// A phone number in E.164 form (e.g. `+237699123456`); the account's activation code goes there.
    phone: Option<String>,
    /// An e-mail address, used for the activation code when there is no phone number.
    email: Option<String>,
    next_of_kin: Option<NextOfKin>,
}

/// A registered patient, with their health ID and an account waiting for activation.
#[derive(Serialize, ToSchema)]
#[schema(as = RegisteredPatient)]
struct Registered {
    patient_id: Uuid,
    /// The patient's health ID, which is also their login.
    health_id: String,
    /// The health ID grouped for printing: `CM 123 456 789 4`.
    health_id_display: String,
    account_activation: Activation,
    /// Records registered with the same names, date of birth and district: probably this person
    /// already; review them and merge if so.
    probable_duplicates: Vec<Uuid>,
}

/// How the patient's account's activation code reaches them.
#[derive(Serialize, ToSchema)]
#[schema(as = AccountActivation)]
struct Activation {
    sent_by: ContactChannel,
    /// Only when it is to be printed for the patient: the code is otherwise sent to them alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    code: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients",
    operation_id = "register_patient",
    tag = "patients",
    summary = "Register a patient",
    description = "Issues the patient's health ID and an account for them to activate with a one-time code, \
        sent by SMS or e-mail, or returned here to print on the registration slip for a patient with \
        neither. Doctors, nurses and registration clerks register patients at their facility.",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "The patient is registered.", body = Registered),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "Some fields are invalid; each is named."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller may not register patients, or works at no facility."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The national ID card number is already registered; the detail names the \
                patient to open instead."),
        (status = 415, response = http_shell::document::UnsupportedMediaType)
    ),
    security(("bearer" = []))
)]
async fn register(
    State(state): State<CommandState>,
    Permitted(caller, _): Permitted<permitted::RegisterPatient>,
    Json(request): Json<RegisterRequest>,
) -> Result<(StatusCode, axum::Json<Registered>), ApiError> {
    let patient = NewPatient {
        national_id: request.national_id,
        family_name: request.family_name,
        given_names: request.given_names,
        sex: request.sex.into(),
        birth_date: request.birth_date.into(),
        region: request.region,
        health_district: request.health_district,
        phone: request.phone,
        email: request.email,
        next_of_kin: request.next_of_kin.map(Into::into),
    };
    let registration = state.application.register_patient(&caller.principal, patient).await?;
    let registered = registration.registered;
    let health_id_display = HealthId::parse(&registered.health_id)
        .map(|id| id.display_grouped())
        .unwrap_or_else(|_| registered.health_id.clone());
    Ok((
        StatusCode::CREATED,
        axum::Json(Registered {
            patient_id: registered.patient_id,
            health_id: registered.health_id,
            health_id_display,
            account_activation: Activation {
                sent_by: registration.activation_sent_by.into(),
                code: registration.printed_code,
            },
            probable_duplicates: registration.probable_duplicates,
        }),
    ))
}
