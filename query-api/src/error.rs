//! GraphQL errors, each with `extensions.code`.

use async_graphql::{Error, ErrorExtensions, Response};

/// What went wrong, as clients branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// No valid access token.
    Unauthenticated,
    /// The caller's role may never do this, whatever the target.
    Forbidden,
    /// No such record, or one the caller may not see.
    NotFound,
    BadUserInput,
    /// The account's cost budget for the minute is spent.
    RateLimited,
    /// Nothing is answered for now, and nothing was shown: the read could not be recorded in the
    /// access log, or not checked against access rules as new as the last change to them. Try again.
    Unavailable,
    Internal,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::Unauthenticated => "UNAUTHENTICATED",
            Code::Forbidden => "FORBIDDEN",
            Code::NotFound => "NOT_FOUND",
            Code::BadUserInput => "BAD_USER_INPUT",
            Code::RateLimited => "RATE_LIMITED",
            Code::Unavailable => "UNAVAILABLE",
            Code::Internal => "INTERNAL_SERVER_ERROR",
        }
    }

    fn message(self) -> &'static str {
        match self {
            Code::Unauthenticated => "a valid access token is required",
            Code::Forbidden => "your role does not allow this",
            Code::NotFound => "no such record, or not one you may see",
            Code::BadUserInput => "invalid input",
            Code::RateLimited => "too many queries; try again later",
            Code::Unavailable => "temporarily unavailable, nothing was shown; try again shortly",
            Code::Internal => "internal error",
        }
    }
}

impl From<Code> for Error {
    fn from(code: Code) -> Self {
        Error::new(code.message()).extend_with(|_, extensions| extensions.set("code", code.as_str()))
    }
}

/// A client error with a precise message (never echoing a value the client sent).
pub(crate) fn bad_input(message: impl Into<String>) -> Error {
    Error::new(message.into()).extend_with(|_, extensions| extensions.set("code", Code::BadUserInput.as_str()))
}

/// A server-side failure: logged with its cause under a correlation id; the client sees only the id.
pub(crate) fn internal(error: impl std::fmt::Display) -> Error {
    let correlation = uuid::Uuid::new_v4();
    tracing::error!(%correlation, %error, "query_api.internal_error");
    Error::new(format!("internal error (correlation id {correlation})"))
        .extend_with(|_, extensions| extensions.set("code", Code::Internal.as_str()))
}

impl From<projections::ProjectionError> for Code {
    fn from(error: projections::ProjectionError) -> Self {
        if let projections::ProjectionError::Behind { .. } = error {
            // Not a defect: the projector is stopped or far behind, and the read is refused rather
            // than authorised on facts that may predate a change of access.
            tracing::warn!(%error, "query_api.read_models_behind");
            return Code::Unavailable;
        }
        let correlation = uuid::Uuid::new_v4();
        tracing::error!(%correlation, %error, "query_api.internal_error");
        Code::Internal
    }
}

/// The whole answer to a request whose reads could not be recorded: one `UNAVAILABLE` error, no data.
pub(crate) fn withheld() -> Response {
    Response::from_errors(vec![Error::from(Code::Unavailable).into_server_error(Default::default())])
}

/// Gives a code to the errors the engine raised itself: a request that did not parse or validate
/// (too deep, too complex, unknown field) has no data at all.
pub(crate) fn label(response: &mut Response) {
    let validation = response.data == async_graphql::Value::Null;
    for error in &mut response.errors {
        let coded = error.extensions.as_ref().is_some_and(|extensions| extensions.get("code").is_some());
        if !coded {
            // An argument the schema's validation let through but that does not fit its type (an Int
            // beyond 32 bits) fails as it is read, during execution: the client's error all the same.
            let unreadable_argument = error.message.starts_with("Failed to parse \"");
            let code = if validation {
                "GRAPHQL_VALIDATION_FAILED"
            } else if unreadable_argument {
                Code::BadUserInput.as_str()
            } else {
                Code::Internal.as_str()
            };
            error.extensions.get_or_insert_with(Default::default).set("code", code);
        }
    }
}
