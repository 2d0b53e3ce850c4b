//! Identity: accounts, credentials, second factors, throttling and sessions.
//!
//! The tables ([`store`]) hold secrets and working state; the ledger holds what happened to accounts
//! (issued, activated, logged in, failed, locked out, logged out, suspended) as signed events without
//! any secret. Whenever both change, the order is chosen so that no capability exists without its
//! event: an account row that grants nothing (issued, or reserved) may be written first to claim a
//! unique login, but anything that grants access (a session, an activation, a reinstatement) follows
//! its event, and anything that withdraws access (suspension, logout) comes first.
//!
//! The authentication building blocks live here too: password hashing and policy ([`password`]), TOTP
//! second factors with recovery codes ([`totp`]) and opaque session tokens ([`tokens`]). Secrets never
//! leave them in a form that can be logged: passwords and codes are taken by reference and dropped, and
//! only hashes are returned for storage.

// Code that serves requests or reads from disk answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod codes;
pub mod password;
pub mod patient_index;
pub mod second_factors;
pub mod sessions;
pub mod store;
mod stored;
pub mod throttle;
pub mod tokens;
pub mod totp;

pub use store::IdentityStore;

use ledger::outbox::ChannelKind;
use ledger::Database;
use std::time::Duration;

/// Brings the identity tables up to date: this crate's migrations (`migrations/<backend>`), which take
/// their version numbers from the sequence every owner of tables in the database shares (see
/// `ledger::storage::run_migrations`). Run wherever the database is opened to serve accounts, after
/// the ledger's own migrations.
pub async fn migrate(database: &Database) -> Result<(), IdentityError> {
    ledger::storage::run_migrations(
        database,
        sqlx::migrate!("./migrations/sqlite"),
        sqlx::migrate!("./migrations/postgres"),
    )
    .await?;
    Ok(())
}

/// How a message reaches someone: by SMS or by e-mail, at this address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub channel: ChannelKind,
    pub recipient: String,
}

/// How long sessions' tokens last. Operators set these in the server's configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetimes {
    /// How long an access token is accepted.
    pub access: Duration,
    /// How long a refresh token may be exchanged (each exchange issues a new one).
    pub refresh: Duration,
}

impl Default for SessionLifetimes {
    fn default() -> Self {
        Self { access: Duration::from_secs(15 * 60), refresh: Duration::from_secs(12 * 60 * 60) }
    }
}
/// How long a second-factor challenge stays open, and a code sent for it valid.
pub const CHALLENGE_TTL: Duration = Duration::from_secs(5 * 60);
/// Wrong codes a challenge tolerates before it closes.
pub const CHALLENGE_ATTEMPTS: u32 = 5;
/// How long an activation code stays valid.
pub const ACTIVATION_TTL: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// Failures in a row that lock an identifier out...
pub const LOCKOUT_THRESHOLD: u32 = 5;
/// ...when no more than this apart...
pub const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// ...for this long.
pub const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// Why an identity operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    #[error("identity store: {0}")]
    Database(#[from] sqlx::Error),
    #[error("identity tables' migrations: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored value that does not read as what its column holds: a defect or a change made behind
    /// the store's back, never the caller's doing.
    #[error("identity store: {column} holds a malformed value ({reason})")]
    Malformed { column: &'static str, reason: String },
    /// A unique value (`login`, `national_id`, `patient_id`) already belongs to another account.
    #[error("the {0} already belongs to an account")]
    Taken(&'static str),
}

impl IdentityError {
    /// Whether the database could not be reached at all (as opposed to refusing something).
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Self::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed
            )
        )
    }
}

/// Now, in Unix microseconds: the identity tables' time unit.
pub fn now_micros() -> i64 {
    chrono::Utc::now().timestamp_micros()
}

/// `at` plus `duration`, in Unix microseconds, saturating.
pub fn micros_after(at: i64, duration: Duration) -> i64 {
    at.saturating_add(i64::try_from(duration.as_micros()).unwrap_or(i64::MAX))
}

/// A Unix-microsecond instant as a ledger timestamp.
pub fn timestamp_of(micros: i64) -> event_schema::Timestamp {
    let at = chrono::DateTime::from_timestamp_micros(micros).unwrap_or_else(chrono::Utc::now);
    event_schema::Timestamp::from_datetime(at)
}
