//! The idempotency keys (`idempotency_keys`, this crate's migration `0009`): the request each key was
//! first used for, per account, so that the same key sent again with anything different (another
//! patient, another route, another body) is refused rather than taken for a retry.
//!
//! An entry point names a command with a key the client chose (the HTTP API's `Idempotency-Key`) and
//! fingerprints the request it came with; this store binds the two while the command runs and settles
//! the binding by how the command ended. The key is stored only as its SHA-256: it is text the client
//! chose. Rows are kept as long as the ledger keeps the commands they name.

use crate::error::ApplicationError;
use ledger::{on_database, Database};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// A key as stored: the SHA-256 (hex) of the text the client chose, which is never stored itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyHash(String);

impl KeyHash {
    pub fn of(key: &str) -> Self {
        Self(hex::encode(Sha256::digest(key.as_bytes())))
    }
}

/// A key bound to its request, held while the command runs and settled once it has run.
#[derive(Debug)]
pub struct Claim {
    account_id: Uuid,
    key_hash: KeyHash,
    fingerprint: String,
    /// Whether this request made the binding (and so withdraws it if it records nothing).
    made: bool,
}

/// What claiming a key came to.
#[derive(Debug)]
pub enum Claimed {
    /// The key is this request's: bound by this claim, or already bound to the same request (a retry).
    Held(Claim),
    /// The key was first used for another request of the same account: this one must be refused,
    /// never taken for a retry of the other.
    UsedForAnother,
}

/// How the command under a claimed key ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settlement {
    /// It ran (or had already run, answered as a retry).
    Done,
    /// It was refused for what the request said: it recorded nothing.
    Refused,
    /// It failed for another reason, possibly after it was recorded.
    Failed,
}

/// The idempotency keys in the ledger's database.
#[derive(Clone)]
pub struct IdempotencyKeys {
    database: Database,
}

impl IdempotencyKeys {
    pub fn new(database: Database) -> Self {
        Self { database }
    }

    /// Binds `account_id`'s key to the request of `fingerprint` (the hex SHA-256 of the request's
    /// canonical form), unless the key is already bound: to the same request (a retry, held as well)
    /// or to another one (refused).
    pub async fn claim(
        &self,
        account_id: Uuid,
        key_hash: KeyHash,
        fingerprint: &str,
    ) -> Result<Claimed, ApplicationError> {
        let mut claim = Claim { account_id, key_hash, fingerprint: fingerprint.to_owned(), made: false };
        claim.made = self.bind(&claim).await? == 1;
        if claim.made {
            return Ok(Claimed::Held(claim));
        }
        let bound: Option<String> = on_database!(&self.database, pool => sqlx::query_scalar(
            "SELECT fingerprint FROM idempotency_keys WHERE account_id = $1 AND key_hash = $2",
        )
        .bind(claim.account_id.to_string())
        .bind(&claim.key_hash.0)
        .fetch_optional(pool)
        .await)
        .map_err(database_error)?;
        match bound {
            Some(bound) if bound != claim.fingerprint => Ok(Claimed::UsedForAnother),
            // Bound to this request, or released since by the attempt that bound it: a retry either way.
            _ => Ok(Claimed::Held(claim)),
        }
    }

    /// Settles a claim once its command has run. A command refused for what the request said recorded
    /// nothing, so the binding it made is released (a corrected request may use the key); one that
    /// failed otherwise may have been recorded before it failed, so the binding stays. A retry that
    /// ran while its first attempt released the key binds it again.
    pub async fn settle(&self, claim: Claim, settlement: Settlement) -> Result<(), ApplicationError> {
        match settlement {
            Settlement::Refused if claim.made => {
                on_database!(&self.database, pool => sqlx::query(
                    "DELETE FROM idempotency_keys WHERE account_id = $1 AND key_hash = $2 AND fingerprint = $3",
                )
                .bind(claim.account_id.to_string())
                .bind(&claim.key_hash.0)
                .bind(&claim.fingerprint)
                .execute(pool)
                .await
                .map(|_| ()))
                .map_err(database_error)?;
            }
            Settlement::Done if !claim.made => {
                self.bind(&claim).await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Records the binding unless the key is bound already; the number of rows written (0 or 1).
    async fn bind(&self, claim: &Claim) -> Result<u64, ApplicationError> {
        on_database!(&self.database, pool => sqlx::query(
            "INSERT INTO idempotency_keys (account_id, key_hash, fingerprint, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, key_hash) DO NOTHING",
        )
        .bind(claim.account_id.to_string())
        .bind(&claim.key_hash.0)
        .bind(&claim.fingerprint)
        .bind(identity::now_micros())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))
        .map_err(database_error)
    }
}

/// A database that cannot be reached is worth retrying; any other failure is a defect.
fn database_error(error: sqlx::Error) -> ApplicationError {
    match error {
        sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed => {
            tracing::warn!(%error, "application.idempotency.unreachable");
            ApplicationError::Unavailable("the database is not reachable".into())
        }
        other => ApplicationError::internal("the idempotency keys", other),
    }
}
