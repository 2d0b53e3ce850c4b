//! Names the ledger files events under: stream ids and event types.
//!
//! Both are validated once, at the edge, so that stored names are always printable, short, and safe to
//! show in a log or a URL.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The longest stream id accepted.
pub const MAX_STREAM_ID_LEN: usize = 128;
/// The longest event type accepted.
pub const MAX_EVENT_TYPE_LEN: usize = 96;

/// The identity of one stream: `category` or `category:id`, e.g. `patient:0193c1a2-…` or `ledger:keys`.
///
/// The category is lower-case ASCII letters, digits and `_`, starting with a letter; the id (optional)
/// is ASCII letters, digits, `.`, `_` and `-`. No spaces, no control characters, nothing that needs
/// escaping anywhere.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StreamId(String);

impl StreamId {
    pub fn parse(text: impl Into<String>) -> Result<Self, NameError> {
        let text = text.into();
        validate_stream_id(&text)?;
        Ok(Self(text))
    }

    /// A stream id made of a category and a UUID, which is always valid when the category is.
    pub fn for_entity(category: &str, id: uuid::Uuid) -> Result<Self, NameError> {
        Self::parse(format!("{category}:{id}"))
    }

    /// A patient's stream: registration, demographics and every entry of the clinical record.
    pub fn patient(patient_id: uuid::Uuid) -> Self {
        Self::of_entity("patient", patient_id)
    }

    /// A facility's stream: its registration.
    pub fn facility(facility_id: uuid::Uuid) -> Self {
        Self::of_entity("facility", facility_id)
    }

    /// What administrators decided about a member of staff.
    pub fn staff(account_id: uuid::Uuid) -> Self {
        Self::of_entity("staff", account_id)
    }

    /// An account's own events: activation, second factors, logins and lockouts.
    pub fn account(account_id: uuid::Uuid) -> Self {
        Self::of_entity("account", account_id)
    }

    /// The reads of one patient's record (`access:<patient id>`).
    pub fn reads_of(patient_id: uuid::Uuid) -> Self {
        Self::of_entity(crate::events::access::STREAM_CATEGORY, patient_id)
    }

    /// The statistics one account read (`statistics_reads:<account id>`).
    pub fn statistics_reads_of(account_id: uuid::Uuid) -> Self {
        Self::of_entity(crate::events::access::STATISTICS_STREAM_CATEGORY, account_id)
    }

    /// A patient's reminders and their choices about them (`reminders:<patient id>`).
    pub fn reminders_of(patient_id: uuid::Uuid) -> Self {
        Self::of_entity(crate::events::reminder::STREAM_CATEGORY, patient_id)
    }

    /// Failed logins that matched no account.
    pub fn anonymous_logins() -> Self {
        Self(crate::events::account::ANONYMOUS_STREAM.to_owned())
    }

    /// A category that is a valid stream id joined to a UUID's hyphenated lower-case form (letters,
    /// digits and `-`, 36 characters) is always a valid stream id; the test below holds every category
    /// used here to that.
    fn of_entity(category: &'static str, id: uuid::Uuid) -> Self {
        Self(format!("{category}:{}", id.hyphenated()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The entity a stream of `category` is about: `Some(id)` for `category:<uuid>`.
    pub fn entity(&self, category: &str) -> Option<uuid::Uuid> {
        entity_of(&self.0, category)
    }
}

/// The entity a stream named `category:<uuid>` is about; `None` for a stream of another category.
pub fn entity_of(stream_id: &str, category: &str) -> Option<uuid::Uuid> {
    let id = stream_id.strip_prefix(category)?.strip_prefix(':')?;
    uuid::Uuid::parse_str(id).ok()
}

impl TryFrom<String> for StreamId {
    type Error = NameError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(value)
    }
}

impl From<StreamId> for String {
    fn from(value: StreamId) -> Self {
        value.0
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StreamId({})", self.0)
    }
}

/// Checks a stream id (see [`StreamId`]) without taking it.
pub fn validate_stream_id(text: &str) -> Result<(), NameError> {
    let invalid = |reason: &'static str| NameError::StreamId { value: shorten(text), reason };
    if text.is_empty() || text.len() > MAX_STREAM_ID_LEN {
        return Err(invalid("must be 1 to 128 characters long"));
    }
    let (category, id) = match text.split_once(':') {
        Some((category, id)) => (category, Some(id)),
        None => (text, None),
    };
    if !is_lower_identifier(category) {
        return Err(invalid("the category must be lower-case letters, digits or `_`, starting with a letter"));
    }
    if let Some(id) = id {
        let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if id.is_empty() || !id.chars().all(allowed) {
            return Err(invalid("the id after `:` must be letters, digits, `.`, `_` or `-`"));
        }
    }
    Ok(())
}

/// Checks an event type: dot-separated lower-case segments, at least two, e.g. `ledger.genesis` or
/// `immunization.recorded`.
pub fn validate_event_type(text: &str) -> Result<(), NameError> {
    let ok = !text.is_empty()
        && text.len() <= MAX_EVENT_TYPE_LEN
        && text.split('.').count() >= 2
        && text.split('.').all(is_lower_identifier);
    if ok {
        Ok(())
    } else {
        Err(NameError::EventType { value: shorten(text) })
    }
}

fn is_lower_identifier(text: &str) -> bool {
    let mut chars = text.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// Keeps error messages short and printable whatever was sent.
fn shorten(text: &str) -> String {
    let mut shown: String = text.chars().take(64).map(|c| if c.is_control() { '?' } else { c }).collect();
    if text.chars().count() > 64 {
        shown.push('…');
    }
    shown
}

/// A stream id or event type that does not follow the naming rules.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("invalid stream id `{value}`: {reason}")]
    StreamId { value: String, reason: &'static str },
    #[error("invalid event type `{value}`: expected dot-separated lower-case segments such as `patient.registered`")]
    EventType { value: String },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_categories_with_and_without_ids() {
        for ok in ["ledger:keys", "patient:0193c1a2-7e7a-7000-8000-000000000001", "facility", "bench_1:w-7.3"] {
            assert!(StreamId::parse(ok).is_ok(), "{ok} was refused");
        }
    }

    #[test]
    fn the_named_streams_are_valid_and_name_their_entity() {
        let id = uuid::Uuid::now_v7();
        let named = [
            (StreamId::patient(id), "patient"),
            (StreamId::facility(id), "facility"),
            (StreamId::staff(id), "staff"),
            (StreamId::account(id), "account"),
            (StreamId::reads_of(id), crate::events::access::STREAM_CATEGORY),
            (StreamId::statistics_reads_of(id), crate::events::access::STATISTICS_STREAM_CATEGORY),
            (StreamId::reminders_of(id), crate::events::reminder::STREAM_CATEGORY),
        ];
        for (stream, category) in named {
            assert!(StreamId::parse(stream.as_str()).is_ok(), "{stream} is not a valid stream id");
            assert_eq!(stream.entity(category), Some(id));
            assert_eq!(stream.entity("other"), None);
        }
        assert!(StreamId::parse(StreamId::anonymous_logins().as_str()).is_ok());
        assert_eq!(entity_of(&format!("patientx:{id}"), "patient"), None);
    }

    #[test]
    fn refuses_forbidden_characters() {
        for bad in [
            "",
            "Patient:1",
            "patient:",
            "patient:a b",
            "patient:1;drop",
            "pa tient",
            "1patient",
            "patient:é",
            &"a".repeat(129),
        ] {
            assert!(StreamId::parse(bad).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn event_types_need_two_lower_case_segments() {
        assert!(validate_event_type("patient.registered").is_ok());
        for bad in ["patient", "Patient.registered", "patient..registered", "patient.registered.", ".x.y", "a.b-c"] {
            assert!(validate_event_type(bad).is_err(), "{bad} was accepted");
        }
    }
}
