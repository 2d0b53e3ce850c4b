//! The append benchmark's baseline: the same events stored through the same kind of transaction into a
//! plain table (`plain_events`), with no hash chain, no signature, no head lock and no version or
//! idempotency checks. `cloudmedi bench` times the ledger against it, so the ratio is what the
//! ledger's guarantees cost.
//!
//! The ledger never uses this module. It lives here, beside the storage it is measured against, so
//! that the statements of both stay in one crate and the binary holds no SQL: one function per
//! operation, one module per backend, as in [`crate::storage`].

pub mod postgres;
pub mod sqlite;

use crate::error::LedgerError;
use crate::storage::Database;
use event_schema::Timestamp;
use uuid::Uuid;

/// One event as the baseline stores it: the columns of a ledger entry that carry the event itself.
pub struct PlainEvent {
    pub event_id: Uuid,
    pub stream_id: String,
    pub event_type: &'static str,
    pub occurred_at: Timestamp,
    /// The payload's canonical JSON text, as the ledger stores it.
    pub payload: String,
}

/// The baseline's table in a scratch database.
pub struct PlainLog {
    database: Database,
}

impl PlainLog {
    /// Creates the table `plain_events` in `database`, which must not have one yet (a fresh scratch
    /// database; the ledger's own migrations may have run in it).
    pub async fn create(database: Database) -> Result<Self, LedgerError> {
        match &database {
            Database::Sqlite(pool) => sqlite::create(pool).await?,
            Database::Postgres(pool) => postgres::create(pool).await?,
        }
        Ok(Self { database })
    }

    /// Inserts `events` in one transaction, as the ledger's writer commits one batch.
    pub async fn insert_batch(&self, events: &[&PlainEvent]) -> Result<(), LedgerError> {
        match &self.database {
            Database::Sqlite(pool) => sqlite::insert_batch(pool, events).await,
            Database::Postgres(pool) => postgres::insert_batch(pool, events).await,
        }
    }
}

/// The settings that decide whether a PostgreSQL commit waits for the disk, as the server reports
/// them; the benchmark prints them beside its figures.
pub struct Durability {
    pub synchronous_commit: String,
    pub fsync: String,
}

/// The durability settings of `database`; `None` on SQLite, whose settings are the ones
/// [`crate::SqliteStorage`] sets on every connection (WAL, `synchronous = FULL`).
pub async fn durability(database: &Database) -> Result<Option<Durability>, LedgerError> {
    match database {
        Database::Sqlite(_) => Ok(None),
        Database::Postgres(pool) => postgres::durability(pool).await.map(Some),
    }
}
