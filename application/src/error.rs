//! What a command can end in instead of success, in the application's words; each entry point turns
//! it into its own form (a problem document, a page, a line on the console).

use domain::record::RecordError;
use domain::FieldError;

/// Why a command was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum ApplicationError {
    /// The command's fields are invalid; each is named.
    #[error("some fields are invalid")]
    Invalid(Vec<FieldError>),
    /// The caller's role may not do this, for anyone: saying so tells nothing about a patient.
    #[error("not allowed")]
    Forbidden,
    /// No such record or entry, or one the caller may not see: answered alike.
    #[error("not found")]
    NotFound,
    /// The record is not as the command expected (already corrected, merged, a death already recorded,
    /// changing too fast).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The record is at another version than the one the submitter said they saw.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// Credentials (a password, a code, a token) were not accepted. One answer for every reason, so it
    /// says nothing about whether an account exists or which part was wrong.
    #[error("credentials not accepted")]
    InvalidCredentials,
    /// Too many failed attempts: try again after this many seconds.
    #[error("too many attempts")]
    TooManyAttempts { retry_after_secs: u64 },
    /// The ledger refused what the command would append (an event too large, say): the request as a
    /// whole cannot be recorded, though no single field is to blame.
    #[error("refused: {0}")]
    Refused(String),
    /// A store is not reachable now; worth retrying.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A defect: logged with its whole cause chain, never shown.
    #[error("internal error: {context}")]
    Internal {
        context: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl ApplicationError {
    /// A defect, with what was being done and why it failed.
    pub fn internal(context: &'static str, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Internal { context, source: source.into() }
    }

    /// One field that breaks a rule beyond its schema (it names something that does not exist, or
    /// is not acceptable as things stand).
    pub fn invalid_field(field: &'static str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::rule(field, message)])
    }
}

/// An error and every cause under it, for a log line or the console (never for a client).
pub fn cause_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl From<RecordError> for ApplicationError {
    fn from(error: RecordError) -> Self {
        match error {
            RecordError::UnknownPatient | RecordError::UnknownEntry => Self::NotFound,
            RecordError::AlreadyCorrected
            | RecordError::WrongSection
            | RecordError::Merged(_)
            | RecordError::DeathAlreadyRecorded { .. } => Self::Conflict(error.to_string()),
            RecordError::Invalid(errors) => Self::Invalid(errors),
        }
    }
}

impl From<identity::IdentityError> for ApplicationError {
    fn from(error: identity::IdentityError) -> Self {
        match error {
            identity::IdentityError::Taken(field) => {
                Self::Conflict(format!("this {field} already belongs to an account"))
            }
            error if error.is_unreachable() => {
                tracing::warn!(%error, "application.identity.unreachable");
                Self::Unavailable("the database is not reachable".into())
            }
            other => Self::internal("the identity store", other),
        }
    }
}

impl From<ledger::LedgerError> for ApplicationError {
    fn from(error: ledger::LedgerError) -> Self {
        use ledger::LedgerError as E;
        match error {
            E::Conflict { stream_id: _, expected, actual } => {
                Self::Conflict(format!("expected {expected}, the record is at version {actual}"))
            }
            E::InvalidEvent { .. } | E::InvalidAppend(_) | E::InvalidName(_) => Self::Refused(error.to_string()),
            error if error.is_unreachable() => {
                tracing::warn!(%error, "application.ledger.unreachable");
                Self::Unavailable("the ledger is not reachable".into())
            }
            other => Self::internal("the ledger", other),
        }
    }
}
