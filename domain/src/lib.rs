//! The clinical domain: aggregates that decide which events follow a command, and the authorisation
//! policy, all as pure functions. This crate does no IO, knows nothing of sqlx, axum or async, and
//! depends only on `event-schema` for the serialisable shapes of what it decides.

pub mod access;
