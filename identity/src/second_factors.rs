//! Second factors in the identity tables: an authenticator app's secret (pending until a code made
//! with it is confirmed), the last TOTP step used, and recovery codes, kept only as hashes.

use crate::store::IdentityStore;
use crate::IdentityError;
use ledger::on_database;
use uuid::Uuid;

impl IdentityStore {
    pub async fn set_pending_totp(&self, id: Uuid, secret: &str) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query("UPDATE accounts SET totp_pending_secret = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(secret)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Makes the pending TOTP secret the account's, if it is still `secret`, with `step` used.
    pub async fn confirm_totp(&self, id: Uuid, secret: &str, step: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $3 \
             WHERE id = $1 AND totp_pending_secret = $2",
        )
        .bind(id.to_string())
        .bind(secret)
        .bind(step)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Records that a TOTP step was used; false if it (or a later one) already was, in which case the
    /// code must be refused.
    pub async fn use_totp_step(&self, id: Uuid, step: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(id.to_string())
        .bind(step)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Replaces an account's recovery codes, all at once.
    pub async fn replace_recovery_codes(&self, id: Uuid, hashes: &[String]) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1").bind(id.to_string()).execute(&mut *tx).await?;
            for hash in hashes {
                sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
                    .bind(id.to_string())
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// Uses up a recovery code; true if it was unused.
    pub async fn use_recovery_code(&self, id: Uuid, hash: &str, now: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(id.to_string())
        .bind(hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }
}
