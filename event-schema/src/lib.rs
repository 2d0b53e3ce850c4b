//! The ledger's shared language: the entry envelope, event types and their schema versions, canonical
//! bytes (RFC 8785), hashes (SHA-256), signatures (Ed25519), the key registry and chain verification.
//!
//! Pure: no IO, no database, no async. Everything a verifier needs besides reading the entries is here,
//! so `cloudmedi verify` on a database and on an exported file run the same code.

// Code that serves requests, folds entries or reads from disk answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod actor;
pub mod canonical;
pub mod catalog;
pub mod digest;
pub mod envelope;
pub mod events;
pub mod export;
mod finite;
pub mod keys;
pub mod ledger_events;
pub mod names;
pub mod registry;
pub mod rules;
pub mod strict_json;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
pub mod timestamp;
pub mod verify;

pub use actor::{Actor, Role};
pub use canonical::{CanonicalError, CanonicalPayload};
pub use catalog::{Catalog, CatalogError, EventPayload};
pub use digest::Digest;
pub use ed25519_dalek::VerifyingKey;
pub use envelope::{Entry, EntryBody, Payload};
pub use keys::{KeyError, KeyId, KeyPair, SignatureBytes};
pub use names::{NameError, StreamId};
pub use registry::KeyRegistry;
pub use timestamp::{Clock, Timestamp};
pub use verify::{ChainVerifier, Checked, FailureReason, VerifyFailure, VerifySummary};
