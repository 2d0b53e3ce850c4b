//! Login throttling in the identity tables: attempts counted per key within a window, and lockouts.

use crate::store::IdentityStore;
use crate::IdentityError;
use ledger::on_database;
use std::time::Duration;

impl IdentityStore {
    /// When the identifier is locked out, until when.
    pub async fn locked_until(&self, identifier_hash: &str, now: i64) -> Result<Option<i64>, IdentityError> {
        let until: Option<Option<i64>> = on_database!(&self.database, pool => sqlx::query_scalar(
            "SELECT locked_until FROM login_throttle WHERE identifier_hash = $1 AND locked_until > $2",
        )
        .bind(identifier_hash)
        .bind(now)
        .fetch_optional(pool)
        .await)?;
        Ok(until.flatten())
    }

    /// Counts an attempt against the identifier before it is checked, so that requests racing each
    /// other are counted too; returns the attempt's number in the current run. Attempts further apart
    /// than `window`, or after a lockout ran out, start the count again; a success clears it
    /// ([`Self::clear_failures`]). The count keeps growing while locked, so a request that read "not
    /// locked" just before the lock still finds itself beyond the allowance.
    pub async fn count_attempt(&self, identifier_hash: &str, now: i64, window: Duration) -> Result<u32, IdentityError> {
        let window_start = now.saturating_sub(i64::try_from(window.as_micros()).unwrap_or(i64::MAX));
        let attempts: i32 = on_database!(&self.database, pool => sqlx::query_scalar(
            "INSERT INTO login_throttle (identifier_hash, failures, last_failure_at) VALUES ($1, 1, $2) \
             ON CONFLICT (identifier_hash) DO UPDATE SET \
                 failures = CASE WHEN login_throttle.last_failure_at < $3 OR login_throttle.locked_until <= $2 \
                     THEN 1 ELSE login_throttle.failures + 1 END, \
                 locked_until = CASE WHEN login_throttle.locked_until <= $2 THEN NULL ELSE login_throttle.locked_until END, \
                 last_failure_at = $2 \
             RETURNING failures",
        )
        .bind(identifier_hash)
        .bind(now)
        .bind(window_start)
        .fetch_one(pool)
        .await)?;
        Ok(u32::try_from(attempts).unwrap_or(0))
    }

    /// Locks the identifier until `until`; true only for the call that locked it, so that one lockout
    /// is recorded once however many requests race into it.
    pub async fn lock(&self, identifier_hash: &str, now: i64, until: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE login_throttle SET locked_until = $3 \
             WHERE identifier_hash = $1 AND (locked_until IS NULL OR locked_until <= $2)",
        )
        .bind(identifier_hash)
        .bind(now)
        .bind(until)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Gives back an attempt that succeeded without completing a login (a right password, with a
    /// second factor still to prove): attempts are counted before they are checked, but only
    /// failures may lock an account out. A lockout already in force stays.
    pub async fn forgive_attempt(&self, identifier_hash: &str, now: i64) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query(
            "UPDATE login_throttle SET failures = failures - 1 \
             WHERE identifier_hash = $1 AND failures > 0 AND (locked_until IS NULL OR locked_until <= $2)",
        )
        .bind(identifier_hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Forgets an identifier's failures after a successful login.
    pub async fn clear_failures(&self, identifier_hash: &str) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query("DELETE FROM login_throttle WHERE identifier_hash = $1")
            .bind(identifier_hash)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }
}
