//! Second-factor challenges and sessions in the identity tables: each challenge, code and refresh
//! token works once, spent by one conditional statement.

use crate::store::{AccountRow, ChallengeRow, IdentityStore, Rotation, StoredAccount, ACCOUNT_COLUMNS};
use crate::stored;
use crate::IdentityError;
use ledger::on_database;
use ledger::outbox::ChannelKind;
use sqlx::Row;
use uuid::Uuid;

impl IdentityStore {
    /// Opens a challenge, closing the account's older open ones: a new login never adds to the
    /// attempts an earlier challenge still allows.
    /// `code` is the hash of the one-time code sent for the challenge and how it was sent, if one was.
    pub async fn create_challenge(
        &self,
        id: Uuid,
        account_id: Uuid,
        code: Option<(&str, ChannelKind)>,
        expires_at: i64,
        now: i64,
    ) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query(
            "UPDATE login_challenges SET consumed_at = $2 WHERE account_id = $1 AND consumed_at IS NULL",
        )
        .bind(account_id.to_string())
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        on_database!(&self.database, pool => sqlx::query(
            "INSERT INTO login_challenges (id, account_id, code_hash, code_method, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(account_id.to_string())
        .bind(code.map(|(hash, _)| hash))
        .bind(code.map(|(_, method)| method.as_str()))
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Counts an attempt at a challenge that is still open (unexpired, unused, with attempts left),
    /// and returns it; `None` if it is not open any more.
    pub async fn attempt_challenge(
        &self,
        id: Uuid,
        now: i64,
        max_attempts: u32,
    ) -> Result<Option<ChallengeRow>, IdentityError> {
        type Stored = (String, String, Option<String>, Option<String>, i32);
        let row: Option<Stored> = on_database!(&self.database, pool => sqlx::query_as(
            "UPDATE login_challenges SET attempts = attempts + 1 \
             WHERE id = $1 AND consumed_at IS NULL AND expires_at > $2 AND attempts < $3 \
             RETURNING id, account_id, code_hash, code_method, attempts",
        )
        .bind(id.to_string())
        .bind(now)
        .bind(i32::try_from(max_attempts).unwrap_or(i32::MAX))
        .fetch_optional(pool)
        .await)?;
        row.map(|(id, account_id, code_hash, code_method, attempts)| {
            Ok(ChallengeRow {
                id: stored::uuid("login_challenges.id", &id)?,
                account_id: stored::uuid("login_challenges.account_id", &account_id)?,
                code_hash,
                code_method: stored::optional_channel("login_challenges.code_method", code_method.as_deref())?,
                attempts,
            })
        })
        .transpose()
    }

    /// Closes a challenge that was passed; true if this call closed it.
    pub async fn consume_challenge(&self, id: Uuid, now: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE login_challenges SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL",
        )
        .bind(id.to_string())
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    // --- Sessions ---

    #[allow(clippy::too_many_arguments)]
    pub async fn create_session(
        &self,
        id: Uuid,
        account_id: Uuid,
        access_hash: &str,
        access_expires_at: i64,
        refresh_hash: &str,
        refresh_expires_at: i64,
        now: i64,
    ) -> Result<bool, IdentityError> {
        // Only an account active at this instant gets a session: a suspension landing between the
        // login's checks and here wins.
        let done = on_database!(&self.database, pool => sqlx::query(
            "INSERT INTO sessions (id, account_id, access_hash, access_expires_at, refresh_hash, refresh_expires_at, \
             created_at) SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS \
             (SELECT 1 FROM accounts WHERE id = $2 AND status = 'active')",
        )
        .bind(id.to_string())
        .bind(account_id.to_string())
        .bind(access_hash)
        .bind(access_expires_at)
        .bind(refresh_hash)
        .bind(refresh_expires_at)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// The live session an access token belongs to (its id, as stored), with its account, if the
    /// session is neither expired nor revoked and the account is active. Looked up on every request, so
    /// revocation and suspension take effect at the next one.
    pub async fn authenticate(
        &self,
        access_hash: &str,
        now: i64,
    ) -> Result<Option<(String, AccountRow)>, IdentityError> {
        let sql = format!(
            "SELECT s.id AS session_id, {} FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.access_hash = $1 AND s.revoked_at IS NULL AND s.access_expires_at > $2 AND a.status = 'active'",
            ACCOUNT_COLUMNS.split(", ").map(|column| format!("a.{column}")).collect::<Vec<_>>().join(", ")
        );
        let row = on_database!(&self.database, pool => {
            match sqlx::query(&sql).bind(access_hash).bind(now).fetch_optional(pool).await? {
                Some(row) => Some((row.try_get::<String, _>("session_id")?, <StoredAccount as sqlx::FromRow<_>>::from_row(&row)?)),
                None => None,
            }
        });
        row.map(|(session_id, account)| Ok((session_id, AccountRow::try_from(account)?))).transpose()
    }

    /// Exchanges a refresh token for new tokens. A token already exchanged revokes its session. The
    /// session's end does not move: refreshing renews the access token within the lifetime the login
    /// granted, so that a session cannot be kept alive for ever without logging in again.
    pub async fn rotate(
        &self,
        refresh_hash: &str,
        new_access: (&str, i64),
        new_refresh_hash: &str,
        now: i64,
    ) -> Result<Rotation, IdentityError> {
        let rotated = on_database!(&self.database, pool => {
            let mut tx = pool.begin().await?;
            let row = sqlx::query(
                "UPDATE sessions SET access_hash = $2, \
                     access_expires_at = CASE WHEN $3 < refresh_expires_at THEN $3 ELSE refresh_expires_at END, \
                     refresh_hash = $4 \
                 WHERE refresh_hash = $1 AND revoked_at IS NULL AND refresh_expires_at > $5 \
                 AND account_id IN (SELECT id FROM accounts WHERE status = 'active') \
                 RETURNING id, account_id",
            )
            .bind(refresh_hash)
            .bind(new_access.0)
            .bind(new_access.1)
            .bind(new_refresh_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let ids = match row {
                Some(row) => {
                    let session_id: String = row.try_get(0)?;
                    sqlx::query("INSERT INTO spent_refresh_tokens (token_hash, session_id, spent_at) VALUES ($1, $2, $3)")
                        .bind(refresh_hash)
                        .bind(&session_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    Some((session_id, row.try_get::<String, _>(1)?))
                }
                None => None,
            };
            tx.commit().await?;
            Ok::<_, sqlx::Error>(ids)
        })?;
        if let Some((session_id, account_id)) = rotated {
            let session_id = stored::uuid("sessions.id", &session_id)?;
            let account_id = stored::uuid("sessions.account_id", &account_id)?;
            return Ok(Rotation::Rotated { session_id, account_id });
        }
        let reused: Option<(String, String)> = on_database!(&self.database, pool => sqlx::query_as(
            "UPDATE sessions SET revoked_at = COALESCE(revoked_at, $2) \
             WHERE id = (SELECT session_id FROM spent_refresh_tokens WHERE token_hash = $1) RETURNING id, account_id",
        )
        .bind(refresh_hash)
        .bind(now)
        .fetch_optional(pool)
        .await)?;
        match reused {
            Some((session_id, account_id)) => Ok(Rotation::Reused {
                session_id: stored::uuid("sessions.id", &session_id)?,
                account_id: stored::uuid("sessions.account_id", &account_id)?,
            }),
            None => Ok(Rotation::Unknown),
        }
    }

    /// Revokes one session; true if it was live.
    pub async fn revoke_session(&self, id: &str, now: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE sessions SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Revokes every live session of an account; returns how many there were.
    pub async fn revoke_all(&self, account_id: Uuid, now: i64) -> Result<u32, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
        )
        .bind(account_id.to_string())
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(u32::try_from(done).unwrap_or(u32::MAX))
    }
}
