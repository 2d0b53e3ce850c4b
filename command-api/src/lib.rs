//! The HTTP command API (axum): authentication, command endpoints, OpenAPI, problem+json errors.
//!
//! Empty until the server and identity are built on top of the ledger.
