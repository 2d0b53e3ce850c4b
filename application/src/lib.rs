//! The application layer: the one path every entry point takes to change the ledger.
//!
//! An entry point (the HTTP command API, the console, the demo, and later the web pages, reminders and
//! sync) turns its input into a typed command and hands it to [`Application`], which loads the state
//! the command needs from the ledger, checks it, asks the access policy, lets the pure domain decide,
//! and appends what was decided, retaking the decision when another append landed in between. Nothing
//! here knows of HTTP or GraphQL: errors are [`ApplicationError`], which each entry point renders in its
//! own form.

// Code that serves requests, folds entries or reads from disk answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod access;
pub mod clock;
pub mod error;
pub mod facilities;
pub mod record;
pub mod streams;

pub use error::ApplicationError;

use ledger::outbox::Outbox;
use ledger::Ledger;
use std::sync::Arc;
use uuid::Uuid;

/// How a message reaches someone: by SMS or by e-mail, at this address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub channel: ledger::outbox::ChannelKind,
    pub recipient: String,
}

/// Who administers a facility, as far as telling them is concerned: the accounts live in the identity
/// store, which the application does not own.
#[async_trait::async_trait]
pub trait FacilityAdministrators: Send + Sync {
    /// How to reach each active administrator of the facility.
    async fn contacts(&self, facility_id: Uuid) -> Result<Vec<Contact>, ApplicationError>;
}

/// The application over an open ledger.
#[derive(Clone)]
pub struct Application {
    ledger: Ledger,
    outbox: Outbox,
    administrators: Arc<dyn FacilityAdministrators>,
}

impl Application {
    pub fn new(ledger: Ledger, outbox: Outbox, administrators: Arc<dyn FacilityAdministrators>) -> Self {
        Self { ledger, outbox, administrators }
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }
}
