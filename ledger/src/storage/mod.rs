//! The storage boundary: one trait, one module and one migrations folder per backend.
//!
//! The database holds other owners' tables beside the ledger's (identity, read models, idempotency
//! keys); each owner keeps its own migrations and runs them with [`run_migrations`].
//!
//! A backend does the database's part of an append batch (lock the head, look up commands and stream
//! versions, insert, move the head, commit) and delegates every decision to [`Sealer::plan`], so the two
//! backends cannot disagree about what an append means.

/// The columns of `ledger_entries`, in the order both backends select and insert them.
macro_rules! ledger_columns {
    () => {
        "position, event_id, stream_id, stream_version, event_type, schema_version, occurred_at, recorded_at, \
         actor_account_id, actor_role, actor_facility_id, command_id, correlation_id, causation_id, payload, \
         prev_hash, key_id, hash, signature"
    };
}

pub mod postgres;
pub mod sqlite;

use crate::append::PreparedAppend;
use crate::error::LedgerError;
use crate::seal::{BatchContext, BatchPlan, Head, Sealer};
use async_trait::async_trait;
use event_schema::ledger_events::KEY_STREAM;
use event_schema::Entry;
use std::sync::Arc;
use tokio::sync::watch;

/// Which database holds the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        })
    }
}

/// The database behind a storage, for the other tables that live beside the ledger (the outbox, read
/// models).
#[derive(Clone)]
pub enum Database {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Runs one owner's migrations on `database`: the ledger's (through [`Storage::migrate`]), or those of
/// a crate that keeps tables beside it (each such crate calls this from its own `migrate`).
///
/// Every owner keeps its migrations in folders of its own, one per backend, but the database has one
/// migration history (`_sqlx_migrations`) and one sequence of version numbers shared by all owners. So
/// each migrator ignores the applied versions it does not hold (the other owners'), and a new
/// migration takes the number after the highest in any owner's folder: a number two owners both used
/// would be refused at start-up as a changed migration. Applied migrations are checked against their
/// files' checksums, so a released migration file must never change, not even by a byte.
pub async fn run_migrations(
    database: &Database,
    mut sqlite: sqlx::migrate::Migrator,
    mut postgres: sqlx::migrate::Migrator,
) -> Result<(), sqlx::migrate::MigrateError> {
    match database {
        Database::Sqlite(pool) => sqlite.set_ignore_missing(true).run(pool).await,
        Database::Postgres(pool) => postgres.set_ignore_missing(true).run(pool).await,
    }
}

/// The ledger's own migrations: its tables, the notification outbox (`outbox.rs`) and what a node
/// checks of the chain it builds on.
///
/// `0012_ledger_integrity.sql` also creates `projection_alarm`, which the projections crate owns: the
/// file was released with both tables, and splitting it would change its checksum, which databases that
/// applied it would refuse. It stays here, so the ledger's migrations run before the projections'.
pub(crate) async fn migrate_ledger(database: &Database) -> Result<(), LedgerError> {
    run_migrations(database, sqlx::migrate!("./migrations/sqlite"), sqlx::migrate!("./migrations/postgres")).await?;
    Ok(())
}

/// The result of one committed batch.
pub struct CommittedBatch {
    pub(crate) plan: BatchPlan,
}

/// What a ledger backend must do.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// The database itself, for the tables beside the ledger.
    fn database(&self) -> Database;

    /// Brings the ledger's own tables up to date (its migrations folder); the other owners of tables in
    /// the database run their own migrations.
    async fn migrate(&self) -> Result<(), LedgerError>;

    /// The last committed entry's position and hash.
    async fn head(&self) -> Result<Head, LedgerError>;

    /// Up to `limit` entries with positions greater than `after`, in order, exactly as stored (a
    /// missing position is not filled in or reported here: verification must see it).
    async fn read_all(&self, after: u64, limit: u32) -> Result<Vec<Entry>, LedgerError>;

    /// Up to `limit` entries of one stream with versions greater than `after_version`, in order.
    async fn read_stream(&self, stream_id: &str, after_version: u64, limit: u32) -> Result<Vec<Entry>, LedgerError>;

    /// The first entry (version 1) of each of `stream_ids` that has one, in no particular order: one
    /// statement however many streams are named.
    async fn read_stream_starts(&self, stream_ids: &[String]) -> Result<Vec<Entry>, LedgerError>;

    /// Every entry of each of `stream_ids`, in position order: one statement however many streams are
    /// named.
    async fn read_streams(&self, stream_ids: &[String]) -> Result<Vec<Entry>, LedgerError>;

    /// Writes a batch of appends in one transaction: all of the batch's successful appends commit
    /// together, or nothing does.
    async fn append_batch(&self, batch: &[&PreparedAppend], sealer: &mut Sealer)
        -> Result<CommittedBatch, LedgerError>;

    /// Closes the connections, waiting for those in use to be returned.
    async fn close(&self);

    /// Keeps `head` informed of appends made by other processes, where the backend can (PostgreSQL's
    /// LISTEN/NOTIFY). Runs until its task is aborted.
    async fn follow_other_writers(&self, head: Arc<watch::Sender<u64>>);

    /// The append-only guard's triggers that are missing, disabled or no longer the ones the
    /// migrations created (by name); empty when the guard stands as created.
    async fn lifted_guards(&self) -> Result<Vec<String>, LedgerError>;

    /// Recreates the append-only guard's triggers exactly as the migrations created them.
    async fn restore_guards(&self) -> Result<(), LedgerError>;

    /// The last point of the chain that opening the ledger verified, if any.
    async fn verified_point(&self) -> Result<Option<Head>, LedgerError>;

    /// Records `point` as verified; the verified point only ever moves forward.
    async fn record_verified(&self, point: Head) -> Result<(), LedgerError>;

    /// Forgets the verified point, so that the next opening verifies the whole chain again.
    async fn withdraw_verified(&self) -> Result<(), LedgerError>;
}

/// Checks, inside an appending transaction, that the head row the append links to is the last stored
/// entry (`last`, `None` for an empty log): entries deleted or inserted behind the ledger's back, or a
/// head row rewritten, would otherwise be chained onto without a word.
pub(crate) fn check_head_is_last(head: Head, last: Option<Head>) -> Result<(), LedgerError> {
    let last = last.unwrap_or(Head { position: 0, hash: event_schema::Digest::ZERO });
    if head == last {
        Ok(())
    } else {
        Err(LedgerError::HeadMismatch { head, last })
    }
}

/// Compares a guard's stored definitions with the expected ones, whitespace aside: the names of the
/// guards missing or changed.
pub(crate) fn differing_guards(
    expected: &[(&str, &str)],
    found: &std::collections::HashMap<String, String>,
) -> Vec<String> {
    let normalise = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    expected
        .iter()
        .filter(|(name, definition)| found.get(*name).map(|found| normalise(found)) != Some(normalise(definition)))
        .map(|(name, _)| (*name).to_owned())
        .collect()
}

/// Refreshes the sealer's key registry when `ledger:keys` moved since it was read; called by the
/// backends under the head lock.
pub(crate) fn key_stream_moved(sealer: &Sealer, context: &BatchContext) -> bool {
    context.versions.get(KEY_STREAM).copied().unwrap_or(0) > sealer.registry_version()
}

/// Checks that entries read in one page are consecutive, so that a reader can never skip one.
pub(crate) fn check_consecutive(entries: &[Entry], after: u64) -> Result<(), LedgerError> {
    for (expected, entry) in (after + 1..).zip(entries) {
        if entry.position != expected {
            return Err(LedgerError::Corrupt {
                position: expected,
                reason: format!("missing entry: the next stored position is {}", entry.position),
            });
        }
    }
    Ok(())
}

/// Turns a column that failed to decode into a `Corrupt` error naming the position.
pub(crate) fn corrupt(position: u64, what: &str, error: impl std::fmt::Display) -> LedgerError {
    LedgerError::Corrupt { position, reason: format!("{what}: {error}") }
}

/// Decodes the shared textual columns of a row (the ones both backends store alike).
pub(crate) fn decode_role(position: u64, text: &str) -> Result<event_schema::Role, LedgerError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned())).map_err(|e| corrupt(position, "actor_role", e))
}

pub(crate) fn decode_payload(position: u64, text: String) -> Result<event_schema::Payload, LedgerError> {
    event_schema::Payload::from_canonical(text).map_err(|e| corrupt(position, "payload", e))
}

pub(crate) fn decode_digest(position: u64, what: &str, bytes: &[u8]) -> Result<event_schema::Digest, LedgerError> {
    event_schema::Digest::from_slice(bytes).ok_or_else(|| corrupt(position, what, "not 32 bytes"))
}

pub(crate) fn decode_signature(position: u64, bytes: &[u8]) -> Result<event_schema::SignatureBytes, LedgerError> {
    event_schema::SignatureBytes::from_slice(bytes).map_err(|e| corrupt(position, "signature", e))
}

pub(crate) fn decode_key_id(position: u64, text: &str) -> Result<event_schema::KeyId, LedgerError> {
    event_schema::KeyId::parse(text).map_err(|e| corrupt(position, "key_id", e))
}

pub(crate) fn to_i64(value: u64) -> Result<i64, LedgerError> {
    i64::try_from(value).map_err(|_| LedgerError::InvalidAppend(format!("{value} is beyond the ledger's range")))
}

pub(crate) fn to_u64(position: u64, what: &str, value: i64) -> Result<u64, LedgerError> {
    u64::try_from(value).map_err(|e| corrupt(position, what, e))
}

/// The stored text of a role (its serde name).
pub(crate) fn role_text(role: event_schema::Role) -> String {
    match serde_json::to_value(role) {
        Ok(serde_json::Value::String(text)) => text,
        _ => String::new(),
    }
}
