//! Reading the identity tables' text columns as the values they hold. The columns are text on both
//! backends (one query text serves both), so every id, role, status and channel read back is checked
//! here; a value that does not read is [`IdentityError::Malformed`], naming the column, never the value
//! (which may be personal data).

use crate::store::AccountStatus;
use crate::IdentityError;
use event_schema::Role;
use ledger::outbox::ChannelKind;
use uuid::Uuid;

fn malformed(column: &'static str, reason: impl Into<String>) -> IdentityError {
    IdentityError::Malformed { column, reason: reason.into() }
}

pub(crate) fn uuid(column: &'static str, text: &str) -> Result<Uuid, IdentityError> {
    Uuid::parse_str(text).map_err(|_| malformed(column, "not a UUID"))
}

pub(crate) fn optional_uuid(column: &'static str, text: Option<&str>) -> Result<Option<Uuid>, IdentityError> {
    text.map(|text| uuid(column, text)).transpose()
}

pub(crate) fn role(column: &'static str, text: &str) -> Result<Role, IdentityError> {
    Role::parse(text).ok_or_else(|| malformed(column, "not a role"))
}

pub(crate) fn status(column: &'static str, text: &str) -> Result<AccountStatus, IdentityError> {
    AccountStatus::parse(text).ok_or_else(|| malformed(column, "not an account status"))
}

pub(crate) fn channel(column: &'static str, text: &str) -> Result<ChannelKind, IdentityError> {
    ChannelKind::parse(text).ok_or_else(|| malformed(column, "not a channel (sms or email)"))
}

pub(crate) fn optional_channel(column: &'static str, text: Option<&str>) -> Result<Option<ChannelKind>, IdentityError> {
    text.map(|text| channel(column, text)).transpose()
}
