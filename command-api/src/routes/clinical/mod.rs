//! The clinical record's commands over HTTP: what clinicians record about a patient, corrections, the
//! patient's consent, break-the-glass access, and the patient's death. One module per part of the
//! record, as in the domain.
//!
//! Each handler turns its request into an [`application::record::RecordCommand`] and hands it to the
//! application layer, which loads the record, authorises, decides and appends. A refusal that depends
//! on the patient is a `404`, exactly like an unknown id. `Idempotency-Key` names the command: the same
//! request retried with the same key returns the first answer and records nothing, and the key sent
//! with any other request is a `422` (see `crate::idempotency`). `If-Match` carries the record version
//! the client saw (the `ETag` of every answer), or `*`; a record at another version is a `412`.

mod appointments;
mod consent;
mod death;
mod entries;
mod guardianship;
mod history;
mod merge;
mod observations;

use crate::idempotency::{self, Preconditions};
use crate::CommandState;
use application::clock::cameroon_time;
use application::record::RecordCommand;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::record::clinical::Correction;
use event_schema::Timestamp;
use http_shell::authn::Caller;
use http_shell::document::problem_response;
use http_shell::error::ApiError;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, RefOr, Response as ResponseDoc, ResponseBuilder, Type};
use utoipa::IntoResponses;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new()
        .merge(entries::router())
        .merge(consent::router())
        .merge(history::router())
        .merge(observations::router())
        .merge(appointments::router())
        .merge(death::router())
        .merge(merge::router())
        .merge(guardianship::router())
        .route_layer(axum::middleware::from_fn(idempotency::fingerprint))
}

/// The answers of a command on a record: the same for every command but for whom its role excludes.
fn answers(forbidden: &str) -> BTreeMap<String, RefOr<ResponseDoc>> {
    let recorded = ResponseBuilder::new()
        .description("Recorded; the answer's ETag is the record's new version.")
        .header(
            "ETag",
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some("The record's version after the command."))
                .build(),
        )
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("Recorded"))).build())
        .build();
    let problem = |description: &str| problem_response(description, None);
    BTreeMap::from([
        ("201".to_owned(), recorded.into()),
        (
            "400".to_owned(),
            problem(
                "The request does not keep to its schema: some fields are invalid, each named \
                 (`/problems/invalid-request`), or `If-Match` is weak or malformed (`/problems/invalid-precondition`).",
            ),
        ),
        ("401".to_owned(), Ref::from_response_name("Unauthenticated").into()),
        ("403".to_owned(), problem(&format!("{forbidden} Checked before anything else in the request (`/problems/forbidden`)."))),
        (
            "404".to_owned(),
            problem("No such patient or entry, or a patient the caller may not see, answered alike (`/problems/not-found`)."),
        ),
        (
            "409".to_owned(),
            problem(
                "The entry was already corrected or withdrawn, the record was merged into another, the patient's \
                 death is already recorded (amend that entry to correct it), or the record kept changing while \
                 the command was decided (`/problems/conflict`).",
            ),
        ),
        ("412".to_owned(), problem("The record is at another version than `If-Match` gives (`/problems/precondition-failed`).")),
        ("415".to_owned(), Ref::from_response_name("UnsupportedMediaType").into()),
        (
            "422".to_owned(),
            problem(
                "The request keeps to its schema but breaks a rule of the record, each field named \
                 (`/problems/rule-violated`): a date in the future, before the patient's birth or after their \
                 death, an appointment not in the future, after the patient's death or marked missed before its \
                 time, an unknown ICD-10 code, a dose the schedule does not allow yet, a facility or an entry \
                 that does not exist, or a facility given where it does not belong. Or the `Idempotency-Key` \
                 was already used for another request (`/problems/idempotency-key-reused`).",
            ),
        ),
    ])
}

/// The answers of a command that writes a section of the record.
pub struct SectionAnswers;

impl IntoResponses for SectionAnswers {
    fn responses() -> BTreeMap<String, RefOr<ResponseDoc>> {
        answers("The caller's role does not record this section, for any patient.")
    }
}

/// The answers of a patient's command on their consents.
pub struct ConsentAnswers;

impl IntoResponses for ConsentAnswers {
    fn responses() -> BTreeMap<String, RefOr<ResponseDoc>> {
        answers("Only patients manage access to a record (their own).")
    }
}

/// The answers of a guardianship recorded or ended.
pub struct GuardianshipAnswers;

impl IntoResponses for GuardianshipAnswers {
    fn responses() -> BTreeMap<String, RefOr<ResponseDoc>> {
        answers("Only the staff of a facility (doctors, nurses, registration clerks) record guardians.")
    }
}

/// The answers of a death recorded or corrected.
pub struct DeathAnswers;

impl IntoResponses for DeathAnswers {
    fn responses() -> BTreeMap<String, RefOr<ResponseDoc>> {
        answers("Only doctors record a death.")
    }
}

/// The answers of a break-the-glass access.
pub struct BreakGlassAnswers;

impl IntoResponses for BreakGlassAnswers {
    fn responses() -> BTreeMap<String, RefOr<ResponseDoc>> {
        answers("Only doctors break the glass.")
    }
}

/// The headers every command on a record takes (documentation only: `Preconditions` reads them).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct CommandHeaders {
    /// Names the command: the same request sent again with the same key returns the first answer and records nothing; the key sent with any other request is a 422. 1 to 128 visible ASCII characters, spaces allowed inside.
    #[param(rename = "Idempotency-Key", nullable = false, pattern = r"^[\x21-\x7E]([\x20-\x7E]{0,126}[\x21-\x7E])?$")]
    idempotency_key: Option<String>,
    /// The record version the client saw, in double quotes as the ETag gives it (the quotes may be left out), several separated by commas, or `*` (any version of a record that exists). A record at another version is a 412; a weak or malformed tag is a 400 (`/problems/invalid-precondition`).
    #[param(
        rename = "If-Match",
        nullable = false,
        pattern = r#"^[ \t]*(\*|("[0-9]{1,19}"|[0-9]{1,19})([ \t]*,[ \t]*("[0-9]{1,19}"|[0-9]{1,19}))*)[ \t]*$"#
    )]
    if_match: Option<String>,
}

/// Runs one command on a patient's record through the application layer, under the request's
/// idempotency key: a key already used for another request is refused before anything else.
async fn run(
    state: &CommandState,
    caller: &Caller,
    pre: &Preconditions,
    patient_id: Uuid,
    command: RecordCommand,
) -> Result<Recorded, ApiError> {
    let claim = idempotency::claim(state, caller.principal.account_id, pre).await?;
    let submission = pre.submission(caller.principal.account_id);
    let outcome = state
        .application
        .execute_on_record(&caller.principal, patient_id, command, &submission)
        .await
        .map(Recorded::from)
        .map_err(ApiError::from);
    idempotency::settle(state, claim, &outcome).await;
    outcome
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

impl Recorded {
    /// The answer for an appointment that starts `at`.
    fn starting_at(self, at: &Timestamp) -> Self {
        Self { starts_at: cameroon_time(at), ..self }
    }
}

impl From<application::record::Recorded> for Recorded {
    fn from(recorded: application::record::Recorded) -> Self {
        Self {
            patient_id: recorded.patient_id,
            entry_id: recorded.entry_id,
            version: recorded.version,
            starts_at: None,
        }
    }
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

/// Parses an instant given by a client (RFC 3339, any offset) into the ledger's UTC form.
fn instant(text: &str, field: &str) -> Result<Timestamp, ApiError> {
    chrono::DateTime::parse_from_rfc3339(text.trim())
        .map(|at| Timestamp::from_datetime(at.with_timezone(&chrono::Utc)))
        .map_err(|_| {
            ApiError::invalid_field(field, "must be an RFC 3339 date and time, e.g. 2026-12-01T08:30:00+01:00")
        })
}
