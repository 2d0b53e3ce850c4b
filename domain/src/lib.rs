//! The clinical domain: aggregates that decide which events follow a command, and the authorisation
//! policy, all as pure functions. This crate does no IO, knows nothing of sqlx, axum or async, and
//! depends only on `event-schema` for the serialisable shapes of what it decides.

// Code that serves requests, folds entries or reads from disk answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod contact;
pub mod facility;
pub mod health_id;
pub mod patient;
pub mod record;
pub mod reference;
pub mod reminders;
pub mod staff;
pub mod statistics;

/// One invalid field of a command, for a field-level error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// A JSON pointer to the field, e.g. `/region`.
    pub field: &'static str,
    pub message: String,
    pub kind: Breach,
}

/// What an invalid field breaks: a constraint that a request's published schema states (a length, a
/// format, a range), or a rule it cannot state, which needs the record, the clock, another field or the
/// reference data. The API answers the first as a malformed request and the second as a request it
/// understood and cannot carry out, so a client that keeps to the schema only ever meets the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breach {
    Constraint,
    Rule,
}

impl FieldError {
    /// A field outside a constraint its schema states.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into(), kind: Breach::Constraint }
    }

    /// A field that keeps to its schema but breaks a rule beyond it.
    pub fn rule(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into(), kind: Breach::Rule }
    }
}

/// Checks free text that is tidied before it is stored: `raw` as sent, `tidied` as it would be stored.
/// Raw text outside `range` breaks the length the schema states; raw text within it that tidies to a
/// length outside, or that holds control characters, breaks a rule the schema cannot state.
pub(crate) fn tidied_length(
    field: &'static str,
    raw: &str,
    tidied: &str,
    range: &std::ops::RangeInclusive<usize>,
) -> Option<FieldError> {
    let message = format!("must be {} to {} characters", range.start(), range.end());
    if !range.contains(&raw.chars().count()) {
        Some(FieldError::new(field, message))
    } else if !range.contains(&tidied.chars().count()) {
        Some(FieldError::rule(field, format!("{message}, not counting repeated white space")))
    } else if tidied.chars().any(char::is_control) {
        Some(FieldError::rule(field, "must not contain control characters"))
    } else {
        None
    }
}

/// Trims and collapses runs of white space, so "  Hôpital   Laquintinie " is stored once, cleanly.
pub(crate) fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_length_the_schema_states_is_a_constraint_and_tidying_only_a_rule() {
        let range = 2..=5;
        let check = |raw: &str| tidied_length("/name", raw, &tidy(raw), &range).map(|error| error.kind);
        assert_eq!(check("abc"), None);
        // Too long or too short as sent: the schema's length.
        assert_eq!(check("abcdef"), Some(Breach::Constraint));
        assert_eq!(check("a"), Some(Breach::Constraint));
        // Long enough as sent, too short once tidied, or with a control character: a rule.
        assert_eq!(check("  a  "), Some(Breach::Rule));
        assert_eq!(check("a\u{7}b"), Some(Breach::Rule));
    }
}
