//! What CloudMedi's HTTP APIs share, so that the command API and the query API answer alike:
//!
//! - [`error`]: every failure as an RFC 9457 problem document, server errors logged with their cause
//!   chain and shown only as a correlation id;
//! - [`json`]: JSON bodies whose every invalid field is named;
//! - [`authn`]: who is calling, from the bearer token, checked against the live sessions on every
//!   request;
//! - [`attempts`]: how many unauthenticated attempts one client address may make;
//! - [`document`]: the OpenAPI document's common parts (title, tags, the bearer scheme, the problem
//!   schema and the error answers many routes share) and the routes serving it;
//! - [`assets`]: the browser assets of GraphiQL and the API reference, served by the binary itself so
//!   both pages work on a network without internet;
//! - [`vocabulary`]: the API's own types for the words it shares with the ledger (roles, doses, ...),
//!   documented in the OpenAPI document, converting to and from the stored types.
//!
//! Each API keeps its own state; an extractor here needs only what it reads from it (the identity
//! store, through `FromRef`).

// Code that serves requests answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod assets;
pub mod attempts;
pub mod authn;
pub mod document;
pub mod error;
pub mod json;
pub mod vocabulary;
