//! Errors as RFC 9457 problem details (`application/problem+json`).
//!
//! Client errors say what was wrong, field by field where they can. Server errors are logged with
//! their whole cause chain and shown to the client only as a correlation id: no stack trace, no
//! database message, nothing that says more about the system than the client needs.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use uuid::Uuid;

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// The media type of a GraphQL answer that is not a success (GraphQL over HTTP): a spent cost budget
/// is a `429` whose body is still the GraphQL answer, with its `RATE_LIMITED` error, and is not turned
/// into a problem document.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// One invalid field of a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// A JSON pointer-like path to the field, e.g. `/patient/date_of_birth`.
    pub field: String,
    /// What is wrong with it; never the value itself, which may be a password.
    pub message: String,
}

/// Everything a handler can answer instead of success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed or fails validation.
    #[error("invalid request: {detail}")]
    BadRequest { detail: String, errors: Vec<FieldError> },
    #[error("authentication required")]
    Unauthorized,
    /// Credentials (password, code, token) were not accepted. One message for every reason, so the
    /// answer says nothing about whether an account exists or which part was wrong.
    #[error("credentials not accepted")]
    InvalidCredentials,
    /// Too many failures: try again after this many seconds.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    #[error("forbidden")]
    Forbidden,
    /// The role may do this, but not where the request asks (a regional analyst asking for another
    /// region): said in the detail, which names what the account may reach.
    #[error("forbidden: {detail}")]
    OutOfScope { detail: String },
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The request keeps to the published schema, but some fields break rules it cannot state (a date
    /// in the future, an unknown ICD-10 code, a dose the schedule does not allow yet).
    #[error("unprocessable: {errors:?}")]
    Unprocessable { errors: Vec<FieldError> },
    /// `If-Match` is not `*` or a list of strong entity tags this API issued.
    #[error("invalid precondition: {detail}")]
    InvalidPrecondition { detail: String },
    /// `If-Match` names a record version other than the current one.
    #[error("precondition failed: {detail}")]
    PreconditionFailed { detail: String },
    #[error("conflict: {detail}")]
    Conflict { detail: String },
    /// An `Idempotency-Key` sent again with a request other than the one it was first used for.
    #[error("idempotency key reused")]
    IdempotencyKeyReused,
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("request timed out")]
    Timeout,
    /// A dependency (the database) is not available right now.
    #[error("service unavailable: {detail}")]
    Unavailable { detail: String },
    /// Anything else: logged in full, shown as a correlation id.
    #[error("internal error: {0}")]
    Internal(String),
}

/// An RFC 9457 problem details document, sent as `application/problem+json` for every error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A relative URI naming the kind of problem: `/problems/invalid-request` (400, the request does not
    /// keep to its schema), `/problems/invalid-precondition` (400, `If-Match`), `/problems/unauthenticated`
    /// and `/problems/invalid-credentials` (401), `/problems/forbidden` (403), `/problems/not-found`
    /// (404), `/problems/method-not-allowed` (405), `/problems/timeout` (408), `/problems/conflict`
    /// (409), `/problems/precondition-failed` (412), `/problems/payload-too-large` (413),
    /// `/problems/unsupported-media-type` (415), `/problems/rule-violated` and
    /// `/problems/idempotency-key-reused` (422), `/problems/too-many-attempts` (429),
    /// `/problems/internal` (500), `/problems/unavailable` (503).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem, the same for every occurrence.
    pub title: &'static str,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, when there is more to say than the title.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub detail: Option<String>,
    /// The invalid fields of the request, for a `400`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For a server error: the id under which its cause was logged, to quote when reporting it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub correlation_id: Option<Uuid>,
}

impl Problem {
    /// A problem for any HTTP status, titled by its standard reason phrase.
    pub fn for_status(status: StatusCode) -> Self {
        Self {
            kind: format!("/problems/http-{}", status.as_u16()),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: None,
            errors: Vec::new(),
            correlation_id: None,
        }
    }
}

impl ApiError {
    /// A `400` with a general message and no field detail.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest { detail: detail.into(), errors: Vec::new() }
    }

    /// A `400` listing invalid fields.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        Self::BadRequest { detail: "some fields are invalid".into(), errors }
    }

    /// A `422` for one field that keeps to the schema and breaks a rule beyond it.
    pub fn rule_violated(field: &str, message: impl Into<String>) -> Self {
        Self::Unprocessable { errors: vec![FieldError { field: field.to_owned(), message: message.into() }] }
    }

    /// A `400` for one invalid field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError { field: field.to_owned(), message: message.into() }])
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized | Self::InvalidCredentials => StatusCode::UNAUTHORIZED,
            Self::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Forbidden | Self::OutOfScope { .. } => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PreconditionFailed { .. } => StatusCode::PRECONDITION_FAILED,
            Self::InvalidPrecondition { .. } => StatusCode::BAD_REQUEST,
            Self::IdempotencyKeyReused => StatusCode::UNPROCESSABLE_ENTITY,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Timeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            Self::BadRequest { .. } => ("invalid-request", "The request is invalid"),
            Self::Unauthorized => ("unauthenticated", "Authentication is required"),
            Self::InvalidCredentials => ("invalid-credentials", "The credentials were not accepted"),
            Self::TooManyAttempts { .. } => ("too-many-attempts", "Too many failed attempts; try again later"),
            Self::UnsupportedMediaType => ("unsupported-media-type", "The request body must be JSON"),
            Self::Forbidden | Self::OutOfScope { .. } => ("forbidden", "This action is not allowed"),
            Self::NotFound => ("not-found", "Not found"),
            Self::MethodNotAllowed => ("method-not-allowed", "Method not allowed"),
            Self::Conflict { .. } => ("conflict", "The request conflicts with the resource as it stands"),
            Self::Unprocessable { .. } => ("rule-violated", "Some fields break the record's rules"),
            Self::InvalidPrecondition { .. } => {
                ("invalid-precondition", "If-Match is not a precondition this API takes")
            }
            Self::PreconditionFailed { .. } => ("precondition-failed", "The record changed since the version given"),
            Self::IdempotencyKeyReused => ("idempotency-key-reused", "The Idempotency-Key was already used"),
            Self::PayloadTooLarge => ("payload-too-large", "The request body is too large"),
            Self::Timeout => ("timeout", "The request took too long"),
            Self::Unavailable { .. } => ("unavailable", "The service is temporarily unavailable"),
            Self::Internal(_) => ("internal", "Internal server error"),
        }
    }

    /// The problem document for this error. Internal errors are logged here, once, with a fresh
    /// correlation id that the client receives instead of the cause.
    pub fn problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let mut problem = Problem {
            kind: format!("/problems/{slug}"),
            title,
            status: self.status().as_u16(),
            detail: None,
            errors: Vec::new(),
            correlation_id: None,
        };
        match self {
            Self::BadRequest { detail, errors } => {
                problem.detail = Some(detail.clone());
                problem.errors = errors.clone();
            }
            Self::Unprocessable { errors } => {
                problem.detail = Some("some fields break rules beyond the request's schema; each is named".into());
                problem.errors = errors.clone();
            }
            Self::Conflict { detail }
            | Self::OutOfScope { detail }
            | Self::Unavailable { detail }
            | Self::PreconditionFailed { detail }
            | Self::InvalidPrecondition { detail } => problem.detail = Some(detail.clone()),
            Self::IdempotencyKeyReused => {
                problem.detail = Some(
                    "this Idempotency-Key was already used for another request (another patient, route or body); \
                     a new request needs a new key"
                        .into(),
                )
            }
            Self::Internal(cause) => {
                let correlation_id = Uuid::now_v7();
                tracing::error!(%correlation_id, cause = %cause, "request failed");
                problem.correlation_id = Some(correlation_id);
            }
            _ => {}
        }
        problem
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let problem = self.problem();
        let body = serde_json::to_vec(&problem).unwrap_or_else(|_| b"{}".to_vec());
        let mut response = (self.status(), [(header::CONTENT_TYPE, PROBLEM_JSON)], body).into_response();
        match self {
            Self::Unauthorized | Self::InvalidCredentials => {
                response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::TooManyAttempts { retry_after_secs } => {
                response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            _ => {}
        }
        response
    }
}

/// Field errors from the application: a `400` when any breaks a constraint the schema states (the
/// request is malformed), else a `422` (the request is well formed and breaks the rules).
impl From<Vec<domain::FieldError>> for ApiError {
    fn from(errors: Vec<domain::FieldError>) -> Self {
        let malformed = errors.iter().any(|error| error.kind == domain::Breach::Constraint);
        let errors = errors
            .into_iter()
            .map(|error| FieldError { field: error.field.to_owned(), message: error.message })
            .collect();
        if malformed {
            Self::invalid(errors)
        } else {
            Self::Unprocessable { errors }
        }
    }
}

impl From<identity::IdentityError> for ApiError {
    fn from(error: identity::IdentityError) -> Self {
        application::ApplicationError::from(error).into()
    }
}

impl From<application::ApplicationError> for ApiError {
    fn from(error: application::ApplicationError) -> Self {
        use application::ApplicationError as E;
        match error {
            E::Invalid(errors) => ApiError::from(errors),
            E::Forbidden => ApiError::Forbidden,
            E::InvalidCredentials => ApiError::InvalidCredentials,
            E::TooManyAttempts { retry_after_secs } => ApiError::TooManyAttempts { retry_after_secs },
            E::NotFound => ApiError::NotFound,
            E::Conflict(detail) => ApiError::Conflict { detail },
            E::PreconditionFailed(detail) => ApiError::PreconditionFailed { detail },
            E::Refused(detail) => ApiError::bad_request(detail),
            E::Unavailable(detail) => ApiError::Unavailable { detail },
            internal @ E::Internal { .. } => ApiError::Internal(application::error::cause_chain(&internal)),
        }
    }
}

impl From<ledger::LedgerError> for ApiError {
    fn from(error: ledger::LedgerError) -> Self {
        application::ApplicationError::from(error).into()
    }
}
