//! The clinical record's commands: what clinicians record about a patient, corrections, the patient's
//! consent, and break-the-glass access.
//!
//! Each command loads the patient's stream, works out the caller's care relationship from it, asks the
//! access policy, lets the domain decide, and appends at the version it decided on (retaking the
//! decision if another append landed in between). A refusal that depends on the patient is a `404`,
//! exactly like an unknown id. `Idempotency-Key` names the command: the same request retried with the
//! same key returns the first answer and records nothing, and the key sent with any other request is a
//! `422` (see `crate::idempotency`). `If-Match` carries the record version the client saw (the `ETag`
//! of every answer), or `*`; a record that has moved on is a `409`.

use crate::authn::Caller;
use crate::error::ApiError;
use crate::error::{Problem, PROBLEM_JSON};
use crate::idempotency::{self, Preconditions};
use crate::json::Json;
use crate::record::{decode, parse_id, read_stream};
use crate::routes::facilities;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::access::{Action, Facts, Section};
use domain::record::appointments::{self, BookAppointment};
use domain::record::care::care_basis;
use domain::record::clinical::{
    self, CancelPrescription, Correction, DiagnoseCondition, MarkEnteredInError, PrescribeMedicine, RecordAllergy,
    RecordEncounter, RecordImmunization, ReferPatient,
};
use domain::record::consent::{self, BreakGlass, GrantAccess};
use domain::record::history::{self, RecordFamilyHistory, RecordMedicalHistory, RecordTreatment, StopTreatment};
use domain::record::merge::{self, MergeRecords};
use domain::record::observations::{self, OrderLab, RecordLabResult, RecordVitalSigns};
use domain::record::{self as patient_record, PatientRecord, RecordError, RecordEvent};
use event_schema::events::patient::{DuplicateSuspected, PatientMerged, PatientRegistered};
use event_schema::events::record::{
    AccessGranted, AccessRevoked, AllergyCategory, AllergyRecorded, AllergyStatus, ConditionDiagnosed, ConditionStatus,
    Dose, EmergencyAccessOpened, EncounterRecorded, EntryEnteredInError, ImmunizationRecorded, PrescriptionCancelled,
    PrescriptionIssued, ReferralKind, ReferralMade, Route, Severity, Urgency,
};
use event_schema::events::record::{
    AppointmentBooked, AppointmentClosed, AppointmentOutcome, AppointmentRescheduled, Attachment,
    FamilyHistoryRecorded, HistoryKind, Interpretation, LabOrdered, LabResultRecorded, MedicalHistoryRecorded,
    TreatmentRecorded, TreatmentStopped, VitalSignsRecorded,
};
use event_schema::{EventPayload, StreamId, Timestamp};
use ledger::outbox::{ChannelKind, Message};
use ledger::{AppendRequest, ExpectedVersion, NewEvent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(record_allergy))
        .routes(routes!(diagnose_condition))
        .routes(routes!(record_immunization))
        .routes(routes!(record_encounter))
        .routes(routes!(prescribe))
        .routes(routes!(cancel_prescription))
        .routes(routes!(refer))
        .routes(routes!(mark_entered_in_error))
        .routes(routes!(grant_access))
        .routes(routes!(revoke_access))
        .routes(routes!(break_glass))
        .routes(routes!(record_medical_history))
        .routes(routes!(record_family_history))
        .routes(routes!(record_treatment))
        .routes(routes!(stop_treatment))
        .routes(routes!(record_vital_signs))
        .routes(routes!(order_lab))
        .routes(routes!(record_lab_result))
        .routes(routes!(book_appointment))
        .routes(routes!(reschedule_appointment))
        .routes(routes!(close_appointment))
        .routes(routes!(merge_records))
        .route_layer(axum::middleware::from_fn(idempotency::fingerprint))
}

/// The stream of a patient's record.
pub fn patient_stream(patient_id: Uuid) -> String {
    format!("patient:{patient_id}")
}

/// A patient's record as its stream describes it, the stream's version, and the command ids already
/// in it (for answering retries).
pub struct Loaded {
    pub record: Option<PatientRecord>,
    pub version: u64,
    commands: Vec<(Uuid, u64)>,
}

/// Folds a patient's stream.
async fn load(state: &AppState, patient_id: Uuid) -> Result<Loaded, ApiError> {
    let (entries, version) = read_stream(state, &patient_stream(patient_id)).await?;
    let mut record = None;
    let mut commands = Vec::with_capacity(entries.len());
    for entry in &entries {
        commands.push((entry.command_id, entry.stream_version));
        let event = match entry.event_type.as_str() {
            PatientRegistered::EVENT_TYPE => RecordEvent::Registered(decode(state, entry)?),
            DuplicateSuspected::EVENT_TYPE => RecordEvent::DuplicateSuspected(decode(state, entry)?),
            PatientMerged::EVENT_TYPE => RecordEvent::Merged(decode(state, entry)?),
            AllergyRecorded::EVENT_TYPE => RecordEvent::Allergy(decode(state, entry)?),
            ConditionDiagnosed::EVENT_TYPE => RecordEvent::Condition(decode(state, entry)?),
            ImmunizationRecorded::EVENT_TYPE => RecordEvent::Immunization(decode(state, entry)?),
            EncounterRecorded::EVENT_TYPE => RecordEvent::Encounter(decode(state, entry)?),
            PrescriptionIssued::EVENT_TYPE => RecordEvent::Prescription(decode(state, entry)?),
            PrescriptionCancelled::EVENT_TYPE => RecordEvent::PrescriptionCancelled(decode(state, entry)?),
            ReferralMade::EVENT_TYPE => RecordEvent::Referral(decode(state, entry)?),
            MedicalHistoryRecorded::EVENT_TYPE => RecordEvent::MedicalHistory(decode(state, entry)?),
            FamilyHistoryRecorded::EVENT_TYPE => RecordEvent::FamilyHistory(decode(state, entry)?),
            TreatmentRecorded::EVENT_TYPE => RecordEvent::Treatment(decode(state, entry)?),
            TreatmentStopped::EVENT_TYPE => RecordEvent::TreatmentStopped(decode(state, entry)?),
            VitalSignsRecorded::EVENT_TYPE => RecordEvent::VitalSigns(decode(state, entry)?),
            LabOrdered::EVENT_TYPE => RecordEvent::LabOrder(decode(state, entry)?),
            LabResultRecorded::EVENT_TYPE => RecordEvent::LabResult(decode(state, entry)?),
            AppointmentBooked::EVENT_TYPE => RecordEvent::AppointmentBooked(decode(state, entry)?),
            AppointmentRescheduled::EVENT_TYPE => RecordEvent::AppointmentRescheduled(decode(state, entry)?),
            AppointmentClosed::EVENT_TYPE => RecordEvent::AppointmentClosed(decode(state, entry)?),
            EntryEnteredInError::EVENT_TYPE => RecordEvent::EnteredInError(decode(state, entry)?),
            AccessGranted::EVENT_TYPE => RecordEvent::AccessGranted(decode(state, entry)?),
            AccessRevoked::EVENT_TYPE => RecordEvent::AccessRevoked(decode(state, entry)?),
            EmergencyAccessOpened::EVENT_TYPE => RecordEvent::EmergencyAccess(decode(state, entry)?),
            _ => continue,
        };
        record = patient_record::apply(record, &event);
    }
    Ok(Loaded { record, version, commands })
}

/// Today's date in Cameroon (West Africa Time, UTC+1, no daylight saving).
pub fn today_in_cameroon() -> String {
    Timestamp::now().cameroon_date()
}

/// The id of the entry a command creates: derived from the command id, so a retried command answers
/// with the same entry.
fn entry_id_for(command_id: Uuid) -> Uuid {
    Uuid::new_v5(&command_id, b"entry")
}

fn record_error(error: RecordError) -> ApiError {
    match error {
        RecordError::UnknownPatient | RecordError::UnknownEntry => ApiError::NotFound,
        RecordError::AlreadyCorrected | RecordError::WrongSection | RecordError::Merged(_) => {
            ApiError::Conflict { detail: error.to_string() }
        }
        RecordError::Invalid(errors) => ApiError::from(errors),
    }
}

/// The answer to a command on a record.
#[derive(Serialize, ToSchema)]
pub struct Recorded {
    patient_id: Uuid,
    /// The entry created, when the command creates one.
    #[serde(skip_serializing_if = "Option::is_none")]
    entry_id: Option<Uuid>,
    /// The record's version after the command; also the answer's `ETag`.
    version: u64,
    /// For an appointment booked or moved: when it starts, in Cameroon time with the offset
    /// (Africa/Douala, UTC+01:00 all year), e.g. `2026-12-07T09:30:00+01:00`.
    #[serde(skip_serializing_if = "Option::is_none")]
    starts_at: Option<String>,
}

/// An instant as people in Cameroon read it: RFC 3339 at UTC+01:00 (Africa/Douala keeps no daylight
/// saving, so the fixed offset is exact).
fn cameroon_time(at: &Timestamp) -> Option<String> {
    let offset = chrono::FixedOffset::east_opt(3600)?;
    Some(at.as_datetime().with_timezone(&offset).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
}

impl IntoResponse for Recorded {
    fn into_response(self) -> Response {
        let etag = HeaderValue::from_str(&format!("\"{}\"", self.version)).ok();
        let mut response = (StatusCode::CREATED, axum::Json(self)).into_response();
        if let Some(etag) = etag {
            response.headers_mut().insert(header::ETAG, etag);
        }
        response
    }
}

/// A command on a record: the action the policy is asked about (which may depend on the record, e.g.
/// the section of the entry a correction targets), and the decision.
pub struct Command {
    action: ActionOf,
    decide: DecisionOf,
}

/// The action a command asks the policy about, given the record (`None`: the record does not exist, or
/// the action as it reads before the record is looked at).
type ActionOf = Box<dyn Fn(Option<&PatientRecord>) -> Result<Action, ApiError> + Send + Sync>;
/// The domain's decision of a command, given the record.
type DecisionOf = Box<dyn Fn(&PatientRecord) -> Result<Vec<RecordEvent>, RecordError> + Send + Sync>;

/// How many times a decision is retaken when another append to the record lands in between.
const DECISION_ATTEMPTS: usize = 3;

/// Loads, authorises, decides and appends one command on a patient's record. The caller is
/// authorised before the command is looked at, so a refusal says nothing about the record's content.
/// A key already used for another request is refused before anything else.
async fn execute(
    state: &AppState,
    caller: &Caller,
    preconditions: &Preconditions,
    patient_id: Uuid,
    entry_id: Option<Uuid>,
    command: Command,
) -> Result<(Recorded, PatientRecord), ApiError> {
    let claim = idempotency::claim(state, caller.principal.account_id, preconditions).await?;
    let outcome = decide_and_append(state, caller, preconditions, patient_id, entry_id, command).await;
    idempotency::settle(state, claim, &outcome).await;
    outcome
}

async fn decide_and_append(
    state: &AppState,
    caller: &Caller,
    preconditions: &Preconditions,
    patient_id: Uuid,
    entry_id: Option<Uuid>,
    command: Command,
) -> Result<(Recorded, PatientRecord), ApiError> {
    let command_id = preconditions.command_id(caller.principal.account_id);
    for _ in 0..DECISION_ATTEMPTS {
        let loaded = load(state, patient_id).await?;
        // A record that does not exist is refused exactly like one the caller may not see.
        let action = (command.action)(loaded.record.as_ref())?;
        let care = loaded
            .record
            .as_ref()
            .and_then(|record| care_basis(record, &caller.principal, Timestamp::now(), &today_in_cameroon()));
        caller.authorize_on_patient(&action, &Facts { care }, (command.action)(None).ok().as_ref())?;
        let Some(record) = loaded.record else { return Err(ApiError::NotFound) };
        if preconditions.keyed() {
            if let Some((_, version)) = loaded.commands.iter().rev().find(|(id, _)| *id == command_id) {
                // A retry of a command that already committed: the first answer, nothing recorded.
                return Ok((Recorded { patient_id, entry_id, version: *version, starts_at: None }, record));
            }
        }
        if !preconditions.admits(loaded.version) {
            return Err(ApiError::Conflict {
                detail: format!("the record is at version {}, not the one given", loaded.version),
            });
        }
        record.open().map_err(record_error)?;
        let events = (command.decide)(&record).map_err(record_error)?;
        let now = Timestamp::now();
        let new_events = events.iter().map(|event| to_new_event(event, now)).collect::<Result<Vec<_>, _>>()?;
        let stream = StreamId::parse(patient_stream(patient_id))
            .map_err(|error| ApiError::Internal(format!("stream name: {error}")))?;
        let request = AppendRequest::new(stream, ExpectedVersion::Exactly(loaded.version), caller.actor(), new_events)
            .with_command_id(command_id);
        match state.ledger.append(request).await {
            Ok(appended) => {
                return Ok((
                    Recorded { patient_id, entry_id, version: appended.stream_version, starts_at: None },
                    record,
                ));
            }
            Err(ledger::LedgerError::Conflict { .. }) if preconditions.expected.is_none() => continue,
            Err(error) => return Err(error.into()),
        }
    }
    Err(ApiError::Conflict { detail: "the record kept changing; try again".into() })
}

/// Runs a command that adds an entry to `section`. The entry's id is derived from the command's, so a
/// retry with the same `Idempotency-Key` names the same entry.
async fn add_entry(
    state: &AppState,
    caller: &Caller,
    pre: Preconditions,
    patient_id: &str,
    section: Section,
    decide: impl Fn(Uuid, &PatientRecord) -> Result<Vec<RecordEvent>, RecordError> + Send + Sync + 'static,
) -> Result<(Recorded, PatientRecord), ApiError> {
    let patient = parse_id(patient_id, "/patient_id")?;
    let entry_id = entry_id_for(pre.command_id(caller.principal.account_id));
    let command = Command {
        action: Box::new(move |_| Ok(write(patient, section))),
        decide: Box::new(move |record| decide(entry_id, record)),
    };
    execute(state, caller, &pre, patient, Some(entry_id), command).await
}

fn to_new_event(event: &RecordEvent, now: Timestamp) -> Result<NewEvent, ApiError> {
    let typed = match event {
        RecordEvent::Registered(e) => NewEvent::typed(e, now),
        RecordEvent::DuplicateSuspected(e) => NewEvent::typed(e, now),
        RecordEvent::Merged(e) => NewEvent::typed(e, now),
        RecordEvent::Allergy(e) => NewEvent::typed(e, now),
        RecordEvent::Condition(e) => NewEvent::typed(e, now),
        RecordEvent::Immunization(e) => NewEvent::typed(e, now),
        RecordEvent::Encounter(e) => NewEvent::typed(e, now),
        RecordEvent::Prescription(e) => NewEvent::typed(e, now),
        RecordEvent::PrescriptionCancelled(e) => NewEvent::typed(e, now),
        RecordEvent::Referral(e) => NewEvent::typed(e, now),
        RecordEvent::MedicalHistory(e) => NewEvent::typed(e, now),
        RecordEvent::FamilyHistory(e) => NewEvent::typed(e, now),
        RecordEvent::Treatment(e) => NewEvent::typed(e, now),
        RecordEvent::TreatmentStopped(e) => NewEvent::typed(e, now),
        RecordEvent::VitalSigns(e) => NewEvent::typed(e, now),
        RecordEvent::LabOrder(e) => NewEvent::typed(e, now),
        RecordEvent::LabResult(e) => NewEvent::typed(e, now),
        RecordEvent::AppointmentBooked(e) => NewEvent::typed(e, now),
        RecordEvent::AppointmentRescheduled(e) => NewEvent::typed(e, now),
        RecordEvent::AppointmentClosed(e) => NewEvent::typed(e, now),
        RecordEvent::EnteredInError(e) => NewEvent::typed(e, now),
        RecordEvent::AccessGranted(e) => NewEvent::typed(e, now),
        RecordEvent::AccessRevoked(e) => NewEvent::typed(e, now),
        RecordEvent::EmergencyAccess(e) => NewEvent::typed(e, now),
    };
    Ok(typed?)
}

/// A correction as a request carries it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// The entry this one replaces.
    entry_id: Uuid,
    /// Why it is replaced.
    #[schema(min_length = 3, max_length = 500)]
    reason: String,
}

impl From<CorrectionRequest> for Correction {
    fn from(request: CorrectionRequest) -> Self {
        Correction { entry_id: request.entry_id, reason: request.reason }
    }
}

fn write(patient: Uuid, section: Section) -> Action {
    Action::WriteSection { patient, section }
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn record_allergy(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<AllergyRequest>,
) -> Result<Recorded, ApiError> {
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        clinical::decide_allergy(
            Some(record),
            RecordAllergy {
                entry_id,
                substance: request.substance.clone(),
                category: request.category,
                reaction: request.reaction.clone(),
                severity: request.severity,
                status: request.status,
                amends: request.amends.clone().map(Correction::from),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::Allergies, decide).await?.0)
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn diagnose_condition(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<ConditionRequest>,
) -> Result<Recorded, ApiError> {
    let today = today_in_cameroon();
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        clinical::decide_condition(
            Some(record),
            DiagnoseCondition {
                entry_id,
                icd10: request.icd10.clone(),
                description: request.description.clone(),
                onset: request.onset.clone(),
                status: request.status,
                encounter_id: request.encounter_id,
                amends: request.amends.clone().map(Correction::from),
                today: today.clone(),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::Conditions, decide).await?.0)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImmunizationRequest {
    /// The antigen's code in the schedule, e.g. `PENTA`.
    #[schema(min_length = 1, max_length = 20)]
    antigen: String,
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn record_immunization(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<ImmunizationRequest>,
) -> Result<Recorded, ApiError> {
    let facility_id = caller.principal.facility_id.ok_or(ApiError::Forbidden)?;
    let today = today_in_cameroon();
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        clinical::decide_immunization(
            Some(record),
            RecordImmunization {
                entry_id,
                antigen: request.antigen.clone(),
                dose_number: request.dose_number,
                lot: request.lot.clone(),
                given_on: request.given_on.clone(),
                facility_id,
                amends: request.amends.clone().map(Correction::from),
                today: today.clone(),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::Immunizations, decide).await?.0)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EncounterRequest {
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    date: String,
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
/// Records an encounter at the caller's facility, with the caller as the practitioner.
async fn record_encounter(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<EncounterRequest>,
) -> Result<Recorded, ApiError> {
    let facility_id = caller.principal.facility_id.ok_or(ApiError::Forbidden)?;
    let practitioner_id = caller.principal.account_id;
    let today = today_in_cameroon();
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        clinical::decide_encounter(
            Some(record),
            RecordEncounter {
                entry_id,
                facility_id,
                practitioner_id,
                date: request.date.clone(),
                reason: request.reason.clone(),
                notes: request.notes.clone(),
                amends: request.amends.clone().map(Correction::from),
                today: today.clone(),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::Encounters, decide).await?.0)
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
/// Withdraws an entry recorded by mistake; allowed to whoever may write the entry's section.
async fn mark_entered_in_error(
    State(state): State<AppState>,
    caller: Caller,
    Path((patient_id, entry_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<EnteredInErrorRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let target = parse_id(&entry_id, "/entry_id")?;
    let command = Command {
        action: Box::new(move |record| {
            let section = record.and_then(|record| clinical::section_of(record, target)).ok_or(ApiError::NotFound)?;
            Ok(write(patient, section))
        }),
        decide: Box::new(move |record| {
            clinical::decide_entered_in_error(
                Some(record),
                MarkEnteredInError { entry_id: target, reason: request.reason.clone() },
            )
        }),
    };
    Ok(execute(&state, &caller, &pre, patient, None, command).await?.0)
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "Only patients manage access to a record (their own)."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
/// The patient grants a facility access to their record.
async fn grant_access(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<ConsentRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let action = Action::ManageConsent { patient };
    caller.authorize_on_patient(&action, &Facts::default(), Some(&action))?;
    if facilities::load(&state, request.facility_id).await?.is_none() {
        return Err(ApiError::invalid_field("/facility_id", "no such facility"));
    }
    let today = today_in_cameroon();
    let command = Command {
        action: Box::new(move |_| Ok(Action::ManageConsent { patient })),
        decide: Box::new(move |record| {
            consent::decide_grant(
                Some(record),
                GrantAccess { facility_id: request.facility_id, until: request.until.clone(), today: today.clone() },
            )
        }),
    };
    Ok(execute(&state, &caller, &pre, patient, None, command).await?.0)
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "Only patients manage access to a record (their own)."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
/// The patient withdraws a facility's access.
async fn revoke_access(
    State(state): State<AppState>,
    caller: Caller,
    Path((patient_id, facility_id)): Path<(String, String)>,
    pre: Preconditions,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let facility = parse_id(&facility_id, "/facility_id")?;
    let command = Command {
        action: Box::new(move |_| Ok(Action::ManageConsent { patient })),
        decide: Box::new(move |record| consent::decide_revoke(Some(record), facility)),
    };
    Ok(execute(&state, &caller, &pre, patient, None, command).await?.0)
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "Only doctors break the glass."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
/// A doctor opens a record in an emergency. The access lasts a few hours, is recorded, and the patient
/// is told through their usual channel.
async fn break_glass(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<BreakGlassRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let facility_id = caller.principal.facility_id.ok_or(ApiError::Forbidden)?;
    let account_id = caller.principal.account_id;
    let command = Command {
        action: Box::new(move |_| Ok(Action::BreakGlass { patient })),
        decide: Box::new(move |record| {
            consent::decide_break_glass(
                Some(record),
                BreakGlass { account_id, facility_id, reason: request.reason.clone(), now: Timestamp::now() },
            )
        }),
    };
    let (recorded, record) = execute(&state, &caller, &pre, patient, None, command).await?;
    let facility = facilities::load(&state, facility_id).await?.map(|facility| facility.name);
    let facility = facility.unwrap_or_else(|| "a health facility".into());
    let today = today_in_cameroon();
    let to_patient = format!(
        "CloudMedi: your medical record was opened in an emergency by a doctor at {facility} on {today}. You can \
         see who read your record in the CloudMedi app."
    );
    notify_patient(&state, &record, &to_patient, "Your record was opened in an emergency").await?;
    // The facility's administrators are told too (without naming the patient), so every emergency
    // access is reviewed.
    let to_administrators = format!(
        "CloudMedi: a doctor of {facility} opened a patient's record in an emergency (break-the-glass) on {today}. \
         Review it in the audit trail."
    );
    for (channel, recipient) in state.identity.administrators_contacts(facility_id).await? {
        let channel = if channel == "sms" { ChannelKind::Sms } else { ChannelKind::Email };
        let subject = (channel == ChannelKind::Email).then(|| "Emergency access to a record".to_owned());
        let message = Message { channel, recipient, subject, body: to_administrators.clone(), not_before: None };
        state.outbox.enqueue(&message).await?;
    }
    Ok(recorded)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrescriptionRequest {
    #[schema(min_length = 2, max_length = 120)]
    medicine: String,
    dose: Dose,
    route: Route,
    #[schema(minimum = 1, maximum = 24)]
    times_per_day: u32,
    #[serde(default)]
    as_needed: bool,
    #[schema(minimum = 1, maximum = 365)]
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
/// Prescribes a medicine, with the caller as the prescriber.
async fn prescribe(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<PrescriptionRequest>,
) -> Result<Recorded, ApiError> {
    let prescriber_id = caller.principal.account_id;
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        clinical::decide_prescription(
            Some(record),
            PrescribeMedicine {
                entry_id,
                medicine: request.medicine.clone(),
                dose: request.dose.clone(),
                route: request.route,
                times_per_day: request.times_per_day,
                as_needed: request.as_needed,
                duration_days: request.duration_days,
                prescriber_id,
                encounter_id: request.encounter_id,
                instructions: request.instructions.clone(),
                amends: request.amends.clone().map(Correction::from),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::Prescriptions, decide).await?.0)
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
/// Stops a prescription before its end.
async fn cancel_prescription(
    State(state): State<AppState>,
    caller: Caller,
    Path((patient_id, entry_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<CancellationRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let target = parse_id(&entry_id, "/entry_id")?;
    let command = Command {
        action: Box::new(move |_| Ok(write(patient, Section::Prescriptions))),
        decide: Box::new(move |record| {
            clinical::decide_cancel_prescription(
                Some(record),
                CancelPrescription { entry_id: target, reason: request.reason.clone() },
            )
        }),
    };
    Ok(execute(&state, &caller, &pre, patient, None, command).await?.0)
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
/// Refers the patient from the caller's facility to another.
async fn refer(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<ReferralRequest>,
) -> Result<Recorded, ApiError> {
    let from_facility_id = caller.principal.facility_id.ok_or(ApiError::Forbidden)?;
    if facilities::load(&state, request.to_facility_id).await?.is_none() {
        return Err(ApiError::invalid_field("/to_facility_id", "no such facility"));
    }
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        clinical::decide_referral(
            Some(record),
            ReferPatient {
                entry_id,
                kind: request.kind,
                from_facility_id,
                to_facility_id: request.to_facility_id,
                reason: request.reason.clone(),
                urgency: request.urgency,
                encounter_id: request.encounter_id,
                amends: request.amends.clone().map(Correction::from),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::Referrals, decide).await?.0)
}

/// Parses an instant given by a client (RFC 3339, any offset) into the ledger's UTC form.
fn instant(text: &str, field: &str) -> Result<Timestamp, ApiError> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|at| Timestamp::from_datetime(at.with_timezone(&chrono::Utc)))
        .map_err(|_| {
            ApiError::invalid_field(field, "must be an RFC 3339 date and time, e.g. 2026-12-01T08:30:00+01:00")
        })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MedicalHistoryRequest {
    kind: HistoryKind,
    #[schema(min_length = 2, max_length = 300)]
    description: String,
    icd10: Option<String>,
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn record_medical_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<MedicalHistoryRequest>,
) -> Result<Recorded, ApiError> {
    let today = today_in_cameroon();
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        history::decide_medical_history(
            Some(record),
            RecordMedicalHistory {
                entry_id,
                kind: request.kind,
                description: request.description.clone(),
                icd10: request.icd10.clone(),
                year: request.year,
                amends: request.amends.clone().map(Correction::from),
                today: today.clone(),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::MedicalHistory, decide).await?.0)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FamilyHistoryRequest {
    #[schema(min_length = 2, max_length = 60)]
    relationship: String,
    #[schema(min_length = 2, max_length = 200)]
    condition: String,
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn record_family_history(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<FamilyHistoryRequest>,
) -> Result<Recorded, ApiError> {
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        history::decide_family_history(
            Some(record),
            RecordFamilyHistory {
                entry_id,
                relationship: request.relationship.clone(),
                condition: request.condition.clone(),
                icd10: request.icd10.clone(),
                amends: request.amends.clone().map(Correction::from),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::FamilyHistory, decide).await?.0)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentRequest {
    #[schema(min_length = 2, max_length = 120)]
    medicine: String,
    dose: Dose,
    route: Route,
    #[schema(minimum = 1, maximum = 24)]
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn record_treatment(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<TreatmentRequest>,
) -> Result<Recorded, ApiError> {
    let today = today_in_cameroon();
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        history::decide_treatment(
            Some(record),
            RecordTreatment {
                entry_id,
                medicine: request.medicine.clone(),
                dose: request.dose.clone(),
                route: request.route,
                times_per_day: request.times_per_day,
                started_on: request.started_on.clone(),
                amends: request.amends.clone().map(Correction::from),
                today: today.clone(),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::Treatments, decide).await?.0)
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn stop_treatment(
    State(state): State<AppState>,
    caller: Caller,
    Path((patient_id, entry_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<StopTreatmentRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let target = parse_id(&entry_id, "/entry_id")?;
    let today = today_in_cameroon();
    let command = Command {
        action: Box::new(move |_| Ok(write(patient, Section::Treatments))),
        decide: Box::new(move |record| {
            history::decide_stop_treatment(
                Some(record),
                StopTreatment {
                    entry_id: target,
                    stopped_on: request.stopped_on.clone(),
                    reason: request.reason.clone(),
                    today: today.clone(),
                },
            )
        }),
    };
    Ok(execute(&state, &caller, &pre, patient, None, command).await?.0)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VitalSignsRequest {
    /// When measured, RFC 3339.
    #[schema(format = DateTime)]
    measured_at: String,
    /// Tenths of a degree Celsius: `385` is 38.5 °C.
    #[schema(minimum = 250, maximum = 450)]
    temperature_decicelsius: Option<u32>,
    #[schema(minimum = 40, maximum = 300)]
    systolic_mmhg: Option<u32>,
    #[schema(minimum = 20, maximum = 200)]
    diastolic_mmhg: Option<u32>,
    #[schema(minimum = 20, maximum = 300)]
    pulse_per_minute: Option<u32>,
    #[schema(minimum = 4, maximum = 100)]
    respiratory_rate_per_minute: Option<u32>,
    #[schema(minimum = 50, maximum = 100)]
    spo2_percent: Option<u32>,
    #[schema(minimum = 300, maximum = 400000)]
    weight_grams: Option<u32>,
    #[schema(minimum = 200, maximum = 2500)]
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn record_vital_signs(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<VitalSignsRequest>,
) -> Result<Recorded, ApiError> {
    let measured_at = instant(&request.measured_at, "/measured_at")?;
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        observations::decide_vital_signs(
            Some(record),
            RecordVitalSigns {
                entry_id,
                measured_at,
                temperature_decicelsius: request.temperature_decicelsius,
                systolic_mmhg: request.systolic_mmhg,
                diastolic_mmhg: request.diastolic_mmhg,
                pulse_per_minute: request.pulse_per_minute,
                respiratory_rate_per_minute: request.respiratory_rate_per_minute,
                spo2_percent: request.spo2_percent,
                weight_grams: request.weight_grams,
                height_mm: request.height_mm,
                amends: request.amends.clone().map(Correction::from),
                now: Timestamp::now(),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::VitalSigns, decide).await?.0)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabOrderRequest {
    #[schema(min_length = 2, max_length = 120)]
    test: String,
    /// A LOINC code with its check digit, e.g. `32700-7`.
    #[schema(pattern = "^[0-9]{1,7}-[0-9]$")]
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn order_lab(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<LabOrderRequest>,
) -> Result<Recorded, ApiError> {
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        observations::decide_lab_order(
            Some(record),
            OrderLab {
                entry_id,
                test: request.test.clone(),
                loinc: request.loinc.clone(),
                encounter_id: request.encounter_id,
                amends: request.amends.clone().map(Correction::from),
            },
        )
    };
    Ok(add_entry(&state, &caller, pre, &patient_id, Section::LabOrders, decide).await?.0)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabResultRequest {
    order_id: Option<Uuid>,
    #[schema(min_length = 2, max_length = 120)]
    test: String,
    #[schema(pattern = "^[0-9]{1,7}-[0-9]$")]
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
/// Records a result and tells the patient, through their usual channel, that results are ready
/// (never the result itself).
async fn record_lab_result(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<LabResultRequest>,
) -> Result<Recorded, ApiError> {
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        observations::decide_lab_result(
            Some(record),
            RecordLabResult {
                entry_id,
                order_id: request.order_id,
                test: request.test.clone(),
                loinc: request.loinc.clone(),
                value: request.value.clone(),
                unit: request.unit.clone(),
                reference_range: request.reference_range.clone(),
                interpretation: request.interpretation,
                attachments: request.attachments.clone(),
                amends: request.amends.clone().map(Correction::from),
            },
        )
    };
    let (recorded, record) = add_entry(&state, &caller, pre, &patient_id, Section::LabResults, decide).await?;
    notify_patient(
        &state,
        &record,
        "CloudMedi: new laboratory results are ready in your record.",
        "Your results are ready",
    )
    .await?;
    Ok(recorded)
}

/// Sends the patient a short message without medical content, by SMS or e-mail if they gave either.
async fn notify_patient(state: &AppState, record: &PatientRecord, body: &str, subject: &str) -> Result<(), ApiError> {
    let contact = match (&record.patient.phone, &record.patient.email) {
        (Some(phone), _) => Some((ChannelKind::Sms, phone.clone())),
        (None, Some(email)) => Some((ChannelKind::Email, email.clone())),
        (None, None) => None,
    };
    if let Some((channel, recipient)) = contact {
        let subject = (channel == ChannelKind::Email).then(|| subject.to_owned());
        state.outbox.enqueue(&Message { channel, recipient, subject, body: body.to_owned(), not_before: None }).await?;
    }
    Ok(())
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
/// Books an appointment at the caller's facility.
async fn book_appointment(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<AppointmentRequest>,
) -> Result<Recorded, ApiError> {
    let facility_id = caller.principal.facility_id.ok_or(ApiError::Forbidden)?;
    let starts_at = instant(&request.starts_at, "/starts_at")?;
    let decide = move |entry_id: Uuid, record: &PatientRecord| {
        appointments::decide_book(
            Some(record),
            BookAppointment {
                appointment_id: entry_id,
                facility_id,
                practitioner_id: request.practitioner_id,
                starts_at,
                reason: request.reason.clone(),
                now: Timestamp::now(),
            },
        )
    };
    let mut recorded = add_entry(&state, &caller, pre, &patient_id, Section::Appointments, decide).await?.0;
    recorded.starts_at = cameroon_time(&starts_at);
    Ok(recorded)
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
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn reschedule_appointment(
    State(state): State<AppState>,
    caller: Caller,
    Path((patient_id, entry_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<RescheduleRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let appointment = parse_id(&entry_id, "/entry_id")?;
    let starts_at = instant(&request.starts_at, "/starts_at")?;
    let command = Command {
        action: Box::new(move |_| Ok(write(patient, Section::Appointments))),
        decide: Box::new(move |record| {
            appointments::decide_reschedule(Some(record), appointment, starts_at, Timestamp::now())
        }),
    };
    let mut recorded = execute(&state, &caller, &pre, patient, None, command).await?.0;
    recorded.starts_at = cameroon_time(&starts_at);
    Ok(recorded)
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
    description = "Cancelled (with a reason), attended, or missed (once its time has passed).",
    request_body = CloseAppointmentRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The patient's record."),
        ("entry_id" = Uuid, Path, description = "The entry concerned."),
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Recorded; the answer's ETag is the record's new version.", body = Recorded,
            headers(("ETag" = String, description = "The record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not record this section, for any patient."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient or entry, or a patient the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "The record moved on since the version given, or the entry was already corrected."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn close_appointment(
    State(state): State<AppState>,
    caller: Caller,
    Path((patient_id, entry_id)): Path<(String, String)>,
    pre: Preconditions,
    Json(request): Json<CloseAppointmentRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    let appointment = parse_id(&entry_id, "/entry_id")?;
    let command = Command {
        action: Box::new(move |_| Ok(write(patient, Section::Appointments))),
        decide: Box::new(move |record| {
            appointments::decide_close(
                Some(record),
                appointment,
                request.outcome,
                request.reason.clone(),
                Timestamp::now(),
            )
        }),
    };
    Ok(execute(&state, &caller, &pre, patient, None, command).await?.0)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    /// The surviving record.
    into: Uuid,
    /// Why the two records are one person's.
    #[schema(min_length = 10, max_length = 500)]
    reason: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/patients/{patient_id}/merge",
    operation_id = "merge_records",
    tag = "record",
    summary = "Merge a duplicate record into another",
    description = "Closes this record to new entries and points it at the survivor; nothing is deleted. Needs a \
        care relationship with both patients and the right to update their demographics.",
    request_body = MergeRequest,
    params(
        ("patient_id" = Uuid, Path, description = "The duplicate record, merged into the other."),
        ("Idempotency-Key" = Option<String>, Header, description = "Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422."),
        ("If-Match" = Option<String>, Header, description = "The record version the client saw (an ETag), several, or `*` (any version); a record that moved on is a 409.")
    ),
    responses(
        (status = 201, description = "Merged.", body = Recorded,
            headers(("ETag" = String, description = "The merged record's version after the command."))),
        (status = 400, body = Problem, content_type = PROBLEM_JSON, description = "Some fields are invalid; each is named."),
        (status = 401, response = crate::document::Unauthenticated),
        (status = 403, body = Problem, content_type = PROBLEM_JSON, description = "The caller's role does not merge records."),
        (status = 404, body = Problem, content_type = PROBLEM_JSON, description = "No such patient, or one the caller may not see (answered alike)."),
        (status = 409, body = Problem, content_type = PROBLEM_JSON, description = "The record was already merged, or moved on."),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The Idempotency-Key was already used for another request.")
    ),
    security(("bearer" = []))
)]
async fn merge_records(
    State(state): State<AppState>,
    caller: Caller,
    Path(patient_id): Path<String>,
    pre: Preconditions,
    Json(request): Json<MergeRequest>,
) -> Result<Recorded, ApiError> {
    let patient = parse_id(&patient_id, "/patient_id")?;
    // A survivor the caller may not update is answered as no such patient, exactly like an unknown id.
    let survivor = load(&state, request.into).await?.record.filter(|survivor| {
        let facts = Facts { care: care_basis(survivor, &caller.principal, Timestamp::now(), &today_in_cameroon()) };
        caller.authorize(&Action::UpdateDemographics { patient: request.into }, &facts).is_ok()
    });
    let command = Command {
        action: Box::new(move |_| Ok(Action::UpdateDemographics { patient })),
        decide: Box::new(move |record| {
            merge::decide_merge(
                Some(record),
                survivor.as_ref(),
                MergeRecords { into: request.into, reason: request.reason.clone() },
            )
        }),
    };
    Ok(execute(&state, &caller, &pre, patient, None, command).await?.0)
}
