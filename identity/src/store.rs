//! The identity tables: accounts, recovery codes, login throttling, second-factor challenges and
//! sessions, on either backend.
//!
//! Every write that guards a secret or a one-time use is a single conditional statement (`UPDATE …
//! WHERE <still valid> RETURNING …`), so two requests racing with one code, one token or one
//! activation can never both succeed, on either backend, without holding a transaction open.

use crate::{Contact, IdentityError};
use ledger::on_database;
use ledger::outbox::ChannelKind;
use ledger::Database;
use sqlx::Row;
use std::time::Duration;
use uuid::Uuid;

/// Account states.
pub const ISSUED: &str = "issued";
pub const ACTIVE: &str = "active";
pub const SUSPENDED: &str = "suspended";

/// An account as stored.
#[derive(Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: String,
    pub login: String,
    pub national_id: Option<String>,
    pub role: String,
    pub facility_id: Option<String>,
    pub patient_id: Option<String>,
    pub family_name: String,
    pub given_names: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub activation_code_hash: Option<String>,
    pub activation_expires_at: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub otp_channel: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub totp_last_step: Option<i64>,
}

impl std::fmt::Debug for AccountRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Hashes, secrets, names and contact details never reach a log through Debug.
        f.debug_struct("AccountRow")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("status", &self.status)
            .finish()
    }
}

const ACCOUNT_COLUMNS: &str = "id, login, national_id, role, facility_id, patient_id, family_name, given_names, \
     status, password_hash, activation_code_hash, activation_expires_at, phone, email, otp_channel, totp_secret, \
     totp_pending_secret, totp_last_step";

/// A new account, issued and waiting for activation.
pub struct NewAccount<'a> {
    pub id: Uuid,
    pub login: &'a str,
    pub national_id: Option<&'a str>,
    pub role: &'a str,
    pub facility_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub family_name: &'a str,
    pub given_names: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    /// Where login codes go once the account is active (staff always have one).
    pub otp_channel: Option<&'a str>,
    pub activation_code_hash: &'a str,
    pub activation_expires_at: i64,
}

/// A pending second-factor challenge.
#[derive(Clone, sqlx::FromRow)]
pub struct ChallengeRow {
    pub id: String,
    pub account_id: String,
    pub code_hash: Option<String>,
    pub code_method: Option<String>,
    pub attempts: i32,
}

/// What exchanging a refresh token found.
pub enum Rotation {
    /// The session now answers to the new tokens.
    Rotated { session_id: String, account_id: String },
    /// The token had already been exchanged: the session was revoked.
    Reused { session_id: String, account_id: String },
    /// No live session has this token.
    Unknown,
}

/// A staff member, as an administrator sees them (no credentials, no medical content).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StaffRow {
    pub id: String,
    pub login: String,
    pub role: String,
    pub facility_id: Option<String>,
    pub family_name: String,
    pub given_names: String,
    pub status: String,
}

/// The identity tables in the ledger's database.
#[derive(Clone)]
pub struct IdentityStore {
    pub(crate) database: Database,
}

fn taken(error: sqlx::Error) -> IdentityError {
    match &error {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            let message = db.message();
            let field = if message.contains("national_id") {
                "national_id"
            } else if message.contains("patient_id") {
                "patient_id"
            } else {
                "login"
            };
            IdentityError::Taken(field)
        }
        _ => IdentityError::Database(error),
    }
}

impl IdentityStore {
    pub fn new(database: Database) -> Self {
        Self { database }
    }

    /// Stores a new issued account; a login, national ID or patient already holding an account is
    /// refused as [`IdentityError::Taken`].
    pub async fn insert_issued(&self, account: &NewAccount<'_>, now: i64) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query(
            "INSERT INTO accounts (id, login, national_id, role, facility_id, patient_id, family_name, given_names, \
             status, activation_code_hash, activation_expires_at, phone, email, otp_channel, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'issued', $9, $10, $11, $12, $13, $14)",
        )
        .bind(account.id.to_string())
        .bind(account.login)
        .bind(account.national_id)
        .bind(account.role)
        .bind(account.facility_id.map(|id| id.to_string()))
        .bind(account.patient_id.map(|id| id.to_string()))
        .bind(account.family_name)
        .bind(account.given_names)
        .bind(account.activation_code_hash)
        .bind(account.activation_expires_at)
        .bind(account.phone)
        .bind(account.email)
        .bind(account.otp_channel)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected())
        .map_err(taken))?;
        Ok(())
    }

    /// Removes an issued account whose registration could not be recorded in the ledger, so that
    /// nothing exists that the ledger does not account for.
    pub async fn forget_issued(&self, id: Uuid) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query("DELETE FROM accounts WHERE id = $1 AND status = 'issued'")
            .bind(id.to_string())
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The account a login identifier names: a login (health ID or professional ID) first, then a
    /// patient's national ID number.
    pub async fn find_for_login(&self, identifier: &str) -> Result<Option<AccountRow>, IdentityError> {
        let sql = format!(
            "SELECT {ACCOUNT_COLUMNS}, 0 AS precedence FROM accounts WHERE login = $1 \
             UNION ALL SELECT {ACCOUNT_COLUMNS}, 1 AS precedence FROM accounts WHERE national_id = $1 AND role = 'patient' \
             ORDER BY precedence LIMIT 1"
        );
        let rows: Vec<AccountRow> =
            on_database!(&self.database, pool => sqlx::query_as(&sql).bind(identifier).fetch_all(pool).await)?;
        Ok(rows.into_iter().next())
    }

    pub async fn get(&self, id: &str) -> Result<Option<AccountRow>, IdentityError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        Ok(on_database!(&self.database, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?)
    }

    /// Activates an issued account with its one-time code: true if this call did it (the code is
    /// consumed by the same statement, so it works once).
    pub async fn activate(
        &self,
        id: &str,
        code_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET status = 'active', password_hash = $3, activation_code_hash = NULL, \
             activation_expires_at = NULL \
             WHERE id = $1 AND status = 'issued' AND activation_code_hash = $2 AND activation_expires_at > $4",
        )
        .bind(id)
        .bind(code_hash)
        .bind(password_hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Shuts an account as of `version` of its staff stream: applied unless a later event already set
    /// the status (a tie goes to the suspension, the safer side).
    pub async fn suspend_at(&self, id: &str, version: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET status = 'suspended', status_version = $2 WHERE id = $1 AND status_version <= $2",
        )
        .bind(id)
        .bind(version)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Opens a suspended account again as of `version` of its staff stream (to `issued` if it was never
    /// activated), unless a later or equal event already set the status.
    pub async fn reinstate_at(&self, id: &str, version: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET status = CASE WHEN password_hash IS NULL THEN 'issued' ELSE 'active' END, \
             status_version = $2 WHERE id = $1 AND status = 'suspended' AND status_version < $2",
        )
        .bind(id)
        .bind(version)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Undoes an activation whose event could not be recorded: the account is issued again, with the
    /// same code, as if the attempt had not happened.
    pub async fn undo_activation(&self, id: &str, code_hash: &str, expires_at: i64) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET status = 'issued', password_hash = NULL, activation_code_hash = $2, \
             activation_expires_at = $3 WHERE id = $1 AND status = 'active'",
        )
        .bind(id)
        .bind(code_hash)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Issues a fresh activation code to an account still waiting for activation; false if it is not.
    pub async fn reissue_activation(&self, id: &str, code_hash: &str, expires_at: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET activation_code_hash = $2, activation_expires_at = $3 WHERE id = $1 AND status = 'issued'",
        )
        .bind(id)
        .bind(code_hash)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Replaces a password hash made with weaker parameters.
    pub async fn set_password_hash(&self, id: &str, password_hash: &str) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
            .bind(id)
            .bind(password_hash)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    pub async fn set_otp_channel(&self, id: &str, channel: Option<&str>) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query("UPDATE accounts SET otp_channel = $2 WHERE id = $1")
            .bind(id)
            .bind(channel)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The staff of a facility (or, with `None`, the national staff).
    pub async fn staff(&self, facility_id: Option<Uuid>) -> Result<Vec<StaffRow>, IdentityError> {
        let rows = match facility_id {
            Some(facility) => on_database!(&self.database, pool => sqlx::query_as(
                "SELECT id, login, role, facility_id, family_name, given_names, status FROM accounts \
                 WHERE facility_id = $1 AND role <> 'patient' ORDER BY family_name, given_names, id",
            )
            .bind(facility.to_string())
            .fetch_all(pool)
            .await)?,
            None => on_database!(&self.database, pool => sqlx::query_as(
                "SELECT id, login, role, facility_id, family_name, given_names, status FROM accounts \
                 WHERE facility_id IS NULL AND role <> 'patient' ORDER BY family_name, given_names, id",
            )
            .fetch_all(pool)
            .await)?,
        };
        Ok(rows)
    }

    /// Where to reach the active administrators of a facility, by SMS when they gave a phone.
    pub async fn administrators_contacts(&self, facility_id: Uuid) -> Result<Vec<Contact>, IdentityError> {
        let rows: Vec<(Option<String>, Option<String>)> = on_database!(&self.database, pool => sqlx::query_as(
            "SELECT phone, email FROM accounts \
             WHERE facility_id = $1 AND role = 'facility_administrator' AND status = 'active'",
        )
        .bind(facility_id.to_string())
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .filter_map(|(phone, email)| match (phone, email) {
                (Some(phone), _) => Some(Contact { channel: ChannelKind::Sms, recipient: phone }),
                (None, Some(email)) => Some(Contact { channel: ChannelKind::Email, recipient: email }),
                (None, None) => None,
            })
            .collect())
    }

    // --- TOTP and recovery codes ---

    pub async fn set_pending_totp(&self, id: &str, secret: &str) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query("UPDATE accounts SET totp_pending_secret = $2 WHERE id = $1")
            .bind(id)
            .bind(secret)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Makes the pending TOTP secret the account's, if it is still `secret`, with `step` used.
    pub async fn confirm_totp(&self, id: &str, secret: &str, step: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET totp_secret = totp_pending_secret, totp_pending_secret = NULL, totp_last_step = $3 \
             WHERE id = $1 AND totp_pending_secret = $2",
        )
        .bind(id)
        .bind(secret)
        .bind(step)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Records that a TOTP step was used; false if it (or a later one) already was, in which case the
    /// code must be refused.
    pub async fn use_totp_step(&self, id: &str, step: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(id)
        .bind(step)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Replaces an account's recovery codes, all at once.
    pub async fn replace_recovery_codes(&self, id: &str, hashes: &[String]) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1").bind(id).execute(&mut *tx).await?;
            for hash in hashes {
                sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
                    .bind(id)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// Uses up a recovery code; true if it was unused.
    pub async fn use_recovery_code(&self, id: &str, hash: &str, now: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL",
        )
        .bind(id)
        .bind(hash)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    // --- Throttling ---

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

    // --- Second-factor challenges ---

    /// Opens a challenge, closing the account's older open ones: a new login never adds to the
    /// attempts an earlier challenge still allows.
    pub async fn create_challenge(
        &self,
        id: Uuid,
        account_id: &str,
        code: Option<(&str, &str)>,
        expires_at: i64,
        now: i64,
    ) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query(
            "UPDATE login_challenges SET consumed_at = $2 WHERE account_id = $1 AND consumed_at IS NULL",
        )
        .bind(account_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        on_database!(&self.database, pool => sqlx::query(
            "INSERT INTO login_challenges (id, account_id, code_hash, code_method, expires_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(account_id)
        .bind(code.map(|(hash, _)| hash))
        .bind(code.map(|(_, method)| method))
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
        id: &str,
        now: i64,
        max_attempts: u32,
    ) -> Result<Option<ChallengeRow>, IdentityError> {
        Ok(on_database!(&self.database, pool => sqlx::query_as(
            "UPDATE login_challenges SET attempts = attempts + 1 \
             WHERE id = $1 AND consumed_at IS NULL AND expires_at > $2 AND attempts < $3 \
             RETURNING id, account_id, code_hash, code_method, attempts",
        )
        .bind(id)
        .bind(now)
        .bind(i32::try_from(max_attempts).unwrap_or(i32::MAX))
        .fetch_optional(pool)
        .await)?)
    }

    /// Closes a challenge that was passed; true if this call closed it.
    pub async fn consume_challenge(&self, id: &str, now: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE login_challenges SET consumed_at = $2 WHERE id = $1 AND consumed_at IS NULL",
        )
        .bind(id)
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
        account_id: &str,
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
        .bind(account_id)
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

    /// The live session an access token belongs to, with its account, if the session is neither
    /// expired nor revoked and the account is active. Looked up on every request, so revocation and
    /// suspension take effect at the next one.
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
                Some(row) => Some((row.try_get::<String, _>("session_id")?, <AccountRow as sqlx::FromRow<_>>::from_row(&row)?)),
                None => None,
            }
        });
        Ok(row)
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
            Some((session_id, account_id)) => Ok(Rotation::Reused { session_id, account_id }),
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
    pub async fn revoke_all(&self, account_id: &str, now: i64) -> Result<u32, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE sessions SET revoked_at = $2 WHERE account_id = $1 AND revoked_at IS NULL",
        )
        .bind(account_id)
        .bind(now)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(u32::try_from(done).unwrap_or(u32::MAX))
    }
}
