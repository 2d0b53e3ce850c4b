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

/// How many records' decision states an application keeps by default (`record/cache.rs`).
pub use record::cache::DEFAULT_CAPACITY as DEFAULT_RECORD_CACHE;
pub mod access;
pub mod accounts;
pub mod clock;
pub mod credentials;
pub mod error;
pub mod facilities;
pub mod guardianship;
pub mod idempotency;
pub mod login;
pub mod patients;
pub mod reads;
pub mod record;
pub mod reminders;
pub mod staff;
pub mod streams;

pub use error::ApplicationError;

use event_schema::Clock;
use idempotency::IdempotencyKeys;
use identity::{IdentityStore, SessionLifetimes};
use ledger::outbox::Outbox;
use ledger::{Database, Ledger};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Brings the application's own tables up to date (the idempotency keys, [`idempotency`]): this
/// crate's migrations (`migrations/<backend>`), which take their version numbers from the sequence
/// every owner of tables in the database shares (see `ledger::storage::run_migrations`). The identity
/// tables it also uses are the identity crate's to migrate (`identity::migrate`).
pub async fn migrate(database: &Database) -> Result<(), ApplicationError> {
    ledger::storage::run_migrations(
        database,
        sqlx::migrate!("./migrations/sqlite"),
        sqlx::migrate!("./migrations/postgres"),
    )
    .await
    .map_err(|error| ApplicationError::internal("the application's migrations", error))
}

/// The application over an open ledger.
#[derive(Clone)]
pub struct Application {
    ledger: Ledger,
    outbox: Outbox,
    identity: IdentityStore,
    idempotency: IdempotencyKeys,
    /// How long sessions' tokens last.
    lifetimes: SessionLifetimes,
    /// Bounds how many password hashes run at once (each holds 19 MiB for tens of milliseconds).
    hashing: Arc<Semaphore>,
    /// What every command is stamped with and decided by (`clock.rs`).
    clock: Arc<dyn Clock>,
    /// The decision state of the records used lately (`record/cache.rs`).
    records: Arc<record::cache::RecordCache>,
}

impl Application {
    /// The application over an open ledger; the identity tables, the idempotency keys and the outbox
    /// live in its database.
    pub fn new(ledger: Ledger) -> Self {
        let database = ledger.storage().database();
        let hashing = std::thread::available_parallelism().map(|cores| cores.get() * 2).unwrap_or(4);
        Self {
            identity: IdentityStore::new(database.clone()),
            idempotency: IdempotencyKeys::new(database.clone()),
            outbox: Outbox::new(database),
            ledger,
            lifetimes: SessionLifetimes::default(),
            hashing: Arc::new(Semaphore::new(hashing)),
            clock: ledger::system::clock(),
            records: Arc::new(record::cache::RecordCache::new(record::cache::DEFAULT_CAPACITY)),
        }
    }

    /// The same application, keeping the decision state of at most `capacity` records in memory (0:
    /// none, every command folds its patient's whole stream).
    pub fn with_record_cache(self, capacity: usize) -> Self {
        Self { records: Arc::new(record::cache::RecordCache::new(capacity)), ..self }
    }

    /// The same application, with sessions lasting as the operator configured.
    pub fn with_session_lifetimes(self, lifetimes: SessionLifetimes) -> Self {
        Self { lifetimes, ..self }
    }

    pub fn session_lifetimes(&self) -> SessionLifetimes {
        self.lifetimes
    }

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    pub fn identity(&self) -> &IdentityStore {
        &self.identity
    }

    pub fn idempotency_keys(&self) -> &IdempotencyKeys {
        &self.idempotency
    }
}
