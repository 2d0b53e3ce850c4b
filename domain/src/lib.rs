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
pub mod staff;

/// One invalid field of a command, for a field-level error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// A JSON pointer to the field, e.g. `/region`.
    pub field: &'static str,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self { field, message: message.into() }
    }
}

/// Trims and collapses runs of white space, so "  Hôpital   Laquintinie " is stored once, cleanly.
pub(crate) fn tidy(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
