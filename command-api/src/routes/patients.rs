//! Registering patients at a facility's desk: the health ID is issued here, the national ID card
//! number checked for uniqueness, and the patient's account issued for them to create with a one-time
//! code (sent by SMS or e-mail, or printed on the registration slip for a patient with neither).

use crate::authn::Caller;
use crate::error::{ApiError, Problem, PROBLEM_JSON};
use crate::json::Json;
use crate::AppState;
use application::clock::today_in_cameroon;
use axum::extract::State;
use axum::http::StatusCode;
use domain::access::{Action, Facts};
use domain::health_id::HealthId;
use domain::patient::{self, PatientError, PatientEvent, RegisterPatient};
use event_schema::events::patient::{BirthDate, DuplicateSuspected, NextOfKin, PatientRegistered, Sex};
use event_schema::events::staff::ContactChannel;
use event_schema::Role;
use event_schema::StreamId;
use identity::codes::{hash_code, new_activation_code};
use identity::store::NewAccount;
use identity::{micros_after, now_micros, IdentityError};
use ledger::on_database;
use ledger::outbox::ChannelKind;
use ledger::{Database, ExpectedVersion};
use rand_core::{OsRng, RngCore};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(register))
}

/// How many fresh health IDs to draw before giving up (with 900 million possible IDs, a second draw
/// is already rare).
const HEALTH_ID_DRAWS: usize = 8;

/// A patient to register at the caller's facility.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PatientRegistration)]
struct RegisterRequest {
    /// The national ID card number, when the patient has one; it may belong to one patient only.
    national_id: Option<String>,
    family_name: String,
    given_names: String,
    sex: Sex,
    birth_date: BirthDate,
    /// A region code, e.g. `LT` for Littoral.
    region: String,
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

/// Claims a health ID and national ID for a patient, in the one statement the unique indexes guard.
enum Claim {
    Claimed,
    HealthIdTaken,
    NationalIdTaken,
}

/// The key two registrations of one person share: names, date of birth and district, in lower case
/// with white space tidied.
fn match_key(registered: &PatientRegistered) -> String {
    let tidy = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    format!(
        "{}|{}|{}|{}",
        tidy(&registered.family_name),
        tidy(&registered.given_names),
        registered.birth_date.date,
        tidy(&registered.health_district)
    )
}

async fn claim_identifiers(
    database: &Database,
    patient_id: Uuid,
    health_id: &str,
    national_id: Option<&str>,
    match_key: &str,
) -> Result<Claim, ApiError> {
    let result = on_database!(database, pool => sqlx::query(
        "INSERT INTO patient_identifiers (patient_id, health_id, national_id, match_key) VALUES ($1, $2, $3, $4)",
    )
    .bind(patient_id.to_string())
    .bind(health_id)
    .bind(national_id)
    .bind(match_key)
    .execute(pool)
    .await
    .map(|_| ()));
    match result {
        Ok(_) => Ok(Claim::Claimed),
        Err(sqlx::Error::Database(error)) if error.is_unique_violation() => {
            if error.message().contains("national_id") {
                Ok(Claim::NationalIdTaken)
            } else {
                Ok(Claim::HealthIdTaken)
            }
        }
        Err(error) => Err(IdentityError::Database(error).into()),
    }
}

/// Other patients registered with the same names, date of birth and district.
async fn similar_patients(database: &Database, patient_id: Uuid, match_key: &str) -> Result<Vec<Uuid>, ApiError> {
    let ids: Vec<String> = on_database!(database, pool => sqlx::query_scalar(
        "SELECT patient_id FROM patient_identifiers WHERE match_key = $1 AND patient_id <> $2 ORDER BY patient_id LIMIT 20",
    )
    .bind(match_key)
    .bind(patient_id.to_string())
    .fetch_all(pool)
    .await)
    .map_err(IdentityError::Database)?;
    Ok(ids.iter().filter_map(|id| Uuid::parse_str(id).ok()).collect())
}

async fn release_identifiers(database: &Database, patient_id: Uuid) {
    let result = on_database!(database, pool => sqlx::query("DELETE FROM patient_identifiers WHERE patient_id = $1")
        .bind(patient_id.to_string())
        .execute(pool)
        .await
        .map(|_| ()));
    if let Err(error) = result {
        tracing::error!(%error, "a patient's identifiers could not be released after a failed registration");
    }
}

async fn patient_with_national_id(database: &Database, national_id: &str) -> Result<Option<String>, ApiError> {
    let patient_id: Option<String> = on_database!(database, pool => sqlx::query_scalar(
        "SELECT patient_id FROM patient_identifiers WHERE national_id = $1",
    )
    .bind(national_id)
    .fetch_optional(pool)
    .await)
    .map_err(IdentityError::Database)?;
    Ok(patient_id)
}

fn patient_error(error: PatientError) -> ApiError {
    match error {
        PatientError::Invalid(errors) => ApiError::from(errors),
        PatientError::AlreadyRegistered => ApiError::Conflict { detail: error.to_string() },
    }
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
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON,
            description = "The caller may not register patients, or works at no facility."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The national ID card number is already registered; the detail names the \
                patient to open instead."),
        (status = 415, response = crate::document::UnsupportedMediaType)
    ),
    security(("bearer" = []))
)]
async fn register(
    State(state): State<AppState>,
    caller: Caller,
    Json(request): Json<RegisterRequest>,
) -> Result<(StatusCode, axum::Json<Registered>), ApiError> {
    caller.authorize(&Action::RegisterPatient, &Facts::default())?;
    let facility_id = caller.principal.facility_id.ok_or(ApiError::Forbidden)?;
    let patient_id = Uuid::now_v7();
    let database = state.ledger.storage().database();
    let mut registered: Option<PatientRegistered> = None;
    for _ in 0..HEALTH_ID_DRAWS {
        let command = RegisterPatient {
            patient_id,
            health_id: HealthId::generate(OsRng.next_u64()),
            national_id: request.national_id.clone(),
            family_name: request.family_name.clone(),
            given_names: request.given_names.clone(),
            sex: request.sex,
            birth_date: request.birth_date.clone(),
            region: request.region.clone(),
            health_district: request.health_district.clone(),
            phone: request.phone.clone(),
            email: request.email.clone(),
            next_of_kin: request.next_of_kin.clone(),
            facility_id,
            today: today_in_cameroon(),
        };
        let events = patient::decide_register(None, command).map_err(patient_error)?;
        let Some(PatientEvent::Registered(candidate)) = events.into_iter().next() else {
            return Err(ApiError::Internal("a patient registration without its event".into()));
        };
        let key = match_key(&candidate);
        match claim_identifiers(&database, patient_id, &candidate.health_id, candidate.national_id.as_deref(), &key)
            .await?
        {
            Claim::Claimed => {
                registered = Some(candidate);
                break;
            }
            Claim::HealthIdTaken => continue,
            Claim::NationalIdTaken => {
                // The pointer is the record's id, not its health ID (which is also a login), and reading
                // the record behind it goes through the access checks and the access log.
                let existing = match candidate.national_id.as_deref() {
                    Some(national_id) => patient_with_national_id(&database, national_id).await?,
                    None => None,
                };
                return Err(ApiError::Conflict {
                    detail: match existing {
                        Some(patient_id) => format!(
                            "this national ID card number is already registered, to patient {patient_id}: \
                             open that record instead of registering the patient again"
                        ),
                        None => "this national ID card number is already registered".into(),
                    },
                });
            }
        }
    }
    let registered = registered.ok_or_else(|| ApiError::Internal("no free health ID after several draws".into()))?;

    let account_id = Uuid::now_v7();
    let code = new_activation_code();
    let now = now_micros();
    let account = NewAccount {
        id: account_id,
        login: &registered.health_id,
        national_id: registered.national_id.as_deref(),
        role: Role::Patient.as_str(),
        facility_id: None,
        patient_id: Some(patient_id),
        family_name: &registered.family_name,
        given_names: &registered.given_names,
        phone: registered.phone.as_deref(),
        email: registered.email.as_deref(),
        otp_channel: None,
        activation_code_hash: &hash_code(&code),
        activation_expires_at: micros_after(now, identity::ACTIVATION_TTL),
    };
    if let Err(error) = state.identity.insert_issued(&account, now).await {
        release_identifiers(&database, patient_id).await;
        return Err(error.into());
    }
    // A probable duplicate is flagged in the same append as the registration, so the flag can never be
    // missing from a record that has it.
    let similar = similar_patients(&database, patient_id, &match_key(&registered)).await?;
    let mut events = crate::record::events(std::slice::from_ref(&registered))?;
    if !similar.is_empty() {
        let suspected = DuplicateSuspected { patient_id, similar_patient_ids: similar.clone() };
        events.extend(crate::record::events(std::slice::from_ref(&suspected))?);
    }
    let stream = StreamId::patient(patient_id);
    if let Err(error) = crate::record::append(&state, stream, ExpectedVersion::NoStream, caller.actor(), events).await {
        release_identifiers(&database, patient_id).await;
        if let Err(cleanup) = state.identity.forget_issued(account_id).await {
            tracing::error!(%cleanup, "an issued account could not be withdrawn after its registration failed");
        }
        return Err(error);
    }

    let (sent_by, printed) = match (&registered.phone, &registered.email) {
        (Some(phone), _) => {
            state
                .application
                .send_activation(ChannelKind::Sms, Some(phone.clone()), &registered.health_id, &code)
                .await?;
            (ContactChannel::Sms, None)
        }
        (None, Some(email)) => {
            state
                .application
                .send_activation(ChannelKind::Email, Some(email.clone()), &registered.health_id, &code)
                .await?;
            (ContactChannel::Email, None)
        }
        (None, None) => (ContactChannel::Printed, Some(code)),
    };
    let health_id_display = HealthId::parse(&registered.health_id)
        .map(|id| id.display_grouped())
        .unwrap_or_else(|_| registered.health_id.clone());
    Ok((
        StatusCode::CREATED,
        axum::Json(Registered {
            patient_id,
            health_id: registered.health_id,
            health_id_display,
            account_activation: Activation { sent_by, code: printed },
            probable_duplicates: similar,
        }),
    ))
}
