//! The ledger's one error type.

use crate::append::ExpectedVersion;
use event_schema::{CanonicalError, CatalogError, NameError};

/// Everything that can go wrong appending to or reading from the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    /// The stream is not at the version the command was decided against: reload and decide again.
    #[error("stream `{stream_id}` is at version {actual}, but the append expected {expected}")]
    Conflict { stream_id: String, expected: ExpectedVersion, actual: u64 },

    /// One event of an append is invalid; nothing of the append was written.
    #[error("event {index} of the append is invalid: {reason}")]
    InvalidEvent { index: usize, reason: InvalidEvent },

    /// The append as a whole is malformed (no events, too many, a reserved stream or type).
    #[error("invalid append: {0}")]
    InvalidAppend(String),

    #[error(transparent)]
    InvalidName(#[from] NameError),

    /// This node's signing key is not (or no longer) registered in the ledger's key registry.
    #[error("the node signing key {key_id} is {state} in this ledger's key registry")]
    NodeKey { key_id: String, state: &'static str },

    /// The ledger has no genesis entry yet: run `cloudmedi init`.
    #[error("the ledger is not initialised (no genesis entry); run `cloudmedi init`")]
    NotInitialised,

    /// `init` on a ledger that already has a genesis entry.
    #[error("the ledger is already initialised")]
    AlreadyInitialised,

    /// The root public key given does not match the ledger's genesis entry.
    #[error("the root public key does not match this ledger's genesis entry")]
    WrongRootKey,

    /// Data read from the database that cannot be what the ledger wrote.
    #[error("ledger data at position {position} is corrupt: {reason}")]
    Corrupt { position: u64, reason: String },

    /// The head row an append would link to is not the last stored entry: entries were deleted or
    /// inserted, or the head row rewritten, behind the ledger's back. Nothing is appended.
    #[error(
        "the ledger's head row (position {}, hash {}) is not its last stored entry (position {}, hash {}): \
         the log was changed behind the ledger's back",
        head.position, head.hash, last.position, last.hash
    )]
    HeadMismatch { head: crate::Head, last: crate::Head },

    /// Opening the ledger found its chain broken after the point last verified: the node refuses to
    /// build on it.
    #[error(
        "the ledger's chain is broken at position {}: {}; the ledger refuses to open (run `cloudmedi verify` \
         and restore the database from a backup)",
        .0.position, .0.reason
    )]
    ChainBroken(event_schema::VerifyFailure),

    /// Opening the ledger found the triggers that make the database refuse to change the log dropped,
    /// disabled or altered although the ledger had been opened before: someone changed the database
    /// behind the ledger's back.
    #[error(
        "the append-only triggers of the ledger ({}) were dropped, disabled or altered since the ledger was last \
         opened: someone changed the database behind the ledger's back. They have been recreated, and the next \
         start verifies the whole chain before serving it; run `cloudmedi verify` first",
        triggers.join(", ")
    )]
    GuardLifted { triggers: Vec<String> },

    /// The ledger is shutting down or its writer has stopped.
    #[error("the ledger is closed")]
    Closed,

    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),

    /// The database could not be reached while this append waited in a batch; nothing was written.
    /// Retrying with the same command id is safe.
    #[error("the ledger's database is unavailable: {0}")]
    Unavailable(String),

    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

/// Why one event of an append was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidEvent {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    #[error(transparent)]
    Name(#[from] NameError),
}

impl LedgerError {
    /// Whether retrying the same append later may succeed (a database hiccup), as opposed to an
    /// append that is wrong in itself.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Database(_) | Self::Unavailable(_) | Self::Closed)
    }

    /// Whether the database could not be reached at all (as opposed to refusing something): the
    /// caller may say "try again later" rather than report a defect.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            Self::Database(
                sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed
            ) | Self::Unavailable(_)
                | Self::Closed
        )
    }

    /// Whether the database refused one statement (a constraint or a trigger), as opposed to being
    /// unreachable: only then can another append of the same batch succeed on its own.
    pub(crate) fn concerns_one_statement(&self) -> bool {
        matches!(self, Self::Database(sqlx::Error::Database(_)))
            || matches!(
                self,
                Self::InvalidAppend(_) | Self::InvalidEvent { .. } | Self::Corrupt { .. } | Self::HeadMismatch { .. }
            )
    }
}
