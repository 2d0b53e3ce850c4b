//! The read side's write half: projectors fold the ledger into read models.
//!
//! A [`Projector`] is a pure function from a ledger entry to the row changes it implies ([`Write`]s);
//! the [`Runner`] reads the ledger once for all projectors, applies each entry to every projector whose
//! checkpoint is behind it, and moves those checkpoints in the same transaction as the rows. A
//! checkpoint only moves from the value the runner read, so two runners (a rebuild from the command
//! line while a server runs, or two processes racing for leadership) take turns instead of applying an
//! entry twice. [`Runner::reset`] empties a projector's tables and sets it back to position 0;
//! [`Runner::digest`] fingerprints every read-model table, which is how a rebuild is proved to give
//! exactly what live projection gave.
//!
//! The queries the GraphQL API runs on these tables are in [`read`].

// Code that serves requests, folds entries or reads from disk answers every failure with an error.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

macro_rules! on_database {
    ($database:expr, $pool:ident => $body:expr) => {
        match $database {
            ::ledger::Database::Sqlite($pool) => $body,
            ::ledger::Database::Postgres($pool) => $body,
        }
    };
}

mod chain;
mod commit;
pub mod context;
mod indexes;
pub mod leader;
pub mod progress;
pub mod projectors;
pub mod read;
pub mod runner;
pub mod table;
pub mod write;

pub use projectors::{all, care_basis, entry_status, search_key, Projector};
pub use runner::{alarm, Alarm, ProjectorStatus, Runner};
pub use table::{Column, Kind, Table};
pub use write::{Value, Write};

/// Brings the read models' tables up to date: this crate's migrations (`migrations/<backend>`), which
/// take their version numbers from the sequence every owner of tables in the database shares (see
/// `ledger::storage::run_migrations`). Run after the ledger's own migrations, which also create
/// `projection_alarm` (see `ledger/migrations/*/0012_ledger_integrity.sql`), wherever the database is
/// opened to project or to read the read models.
pub async fn migrate(database: &ledger::Database) -> Result<(), ProjectionError> {
    ledger::storage::run_migrations(
        database,
        sqlx::migrate!("./migrations/sqlite"),
        sqlx::migrate!("./migrations/postgres"),
    )
    .await?;
    Ok(())
}

/// Why projecting or reading a read model failed.
#[derive(Debug, thiserror::Error)]
pub enum ProjectionError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("ledger: {0}")]
    Ledger(#[from] ledger::LedgerError),
    #[error("read models' migrations: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A stored entry that should decode does not: a defect, reported with its position and never
    /// skipped, so that a read model never silently misses an entry.
    #[error("entry {position} ({event_type}) cannot be projected: {reason}")]
    Undecodable { position: u64, event_type: String, reason: String },
    /// A stored entry is not what the ledger wrote: its hash, or its link to the entry before, does not
    /// check, or it is missing. The projectors stop before it and never fold it.
    #[error("the ledger's chain is broken at position {position}: {reason}")]
    BrokenChain { position: u64, reason: String },
    /// Another runner moved a checkpoint under this one (a rebuild, or a second process).
    #[error("another runner moved the checkpoint of {0}")]
    CheckpointMoved(String),
    #[error("no projector is named {0}")]
    UnknownProjector(String),
    #[error("a stored read-model value is invalid: {0}")]
    Corrupt(String),
    /// A read needs a projector to have applied `position`, and it had not within the time allowed:
    /// its tables may not show the latest change, so they are not read.
    #[error("the {projector} projection has applied position {reached}, not yet {position}")]
    Behind { projector: &'static str, position: u64, reached: u64 },
}

impl ProjectionError {
    /// The position and reason of an alarm, when this error means the projectors must stop at an entry
    /// rather than retry: a broken chain, an entry that does not decode, a row that cannot be read as
    /// an entry. The reason names what is wrong, never what the entry holds.
    pub fn alarm(&self) -> Option<(u64, String)> {
        match self {
            Self::BrokenChain { position, reason } => Some((*position, reason.clone())),
            Self::Undecodable { position, event_type, .. } => {
                Some((*position, format!("the entry ({event_type}) cannot be decoded for projection")))
            }
            Self::Ledger(ledger::LedgerError::Corrupt { position, reason }) => Some((*position, reason.clone())),
            _ => None,
        }
    }
}

/// Microseconds since the Unix epoch, the read models' representation of an instant.
pub fn micros(at: &event_schema::Timestamp) -> i64 {
    at.as_datetime().timestamp_micros()
}
