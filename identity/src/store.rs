//! The identity tables' accounts, on either backend; second factors, throttling, challenges and
//! sessions have modules of their own (`second_factors`, `throttle`, `sessions`), each an `impl` of the
//! same [`IdentityStore`].
//!
//! Every write that guards a secret or a one-time use is a single conditional statement (`UPDATE …
//! WHERE <still valid> RETURNING …`), so two requests racing with one code, one token or one
//! activation can never both succeed, on either backend, without holding a transaction open.
//!
//! Rows are returned typed (ids as `Uuid`, the role, the status, the code channel): the columns are
//! text on both backends, and a value that does not read as what its column holds is an
//! [`IdentityError::Malformed`], never a panic and never a guess.

use crate::stored;
use crate::{Contact, IdentityError};
use event_schema::Role;
use ledger::on_database;
use ledger::outbox::ChannelKind;
use ledger::Database;
use uuid::Uuid;

/// Where an account stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatus {
    /// Waiting for activation with its one-time code; grants nothing.
    Issued,
    Active,
    Suspended,
}

impl AccountStatus {
    /// The status as stored, and as the API names it. The statements below that set or test a status
    /// write these words out in their text.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Active => "active",
            Self::Suspended => "suspended",
        }
    }

    /// The status stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        [Self::Issued, Self::Active, Self::Suspended].into_iter().find(|status| status.as_str() == text)
    }
}

/// An account as stored.
#[derive(Clone)]
pub struct AccountRow {
    pub id: Uuid,
    pub login: String,
    pub national_id: Option<String>,
    pub role: Role,
    pub facility_id: Option<Uuid>,
    /// The region a regional analyst's statistics are limited to (its code).
    pub region: Option<String>,
    pub patient_id: Option<Uuid>,
    pub family_name: String,
    pub given_names: String,
    pub status: AccountStatus,
    pub password_hash: Option<String>,
    pub activation_code_hash: Option<String>,
    pub activation_expires_at: Option<i64>,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Where one-time login codes go, if the account receives them.
    pub otp_channel: Option<ChannelKind>,
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

pub(crate) const ACCOUNT_COLUMNS: &str =
    "id, login, national_id, role, facility_id, region, patient_id, family_name, given_names, \
     status, password_hash, activation_code_hash, activation_expires_at, phone, email, otp_channel, totp_secret, \
     totp_pending_secret, totp_last_step";

/// An account's columns ([`ACCOUNT_COLUMNS`]) as the database returns them, before they are read as
/// an [`AccountRow`].
#[derive(sqlx::FromRow)]
pub(crate) struct StoredAccount {
    id: String,
    login: String,
    national_id: Option<String>,
    role: String,
    facility_id: Option<String>,
    region: Option<String>,
    patient_id: Option<String>,
    family_name: String,
    given_names: String,
    status: String,
    password_hash: Option<String>,
    activation_code_hash: Option<String>,
    activation_expires_at: Option<i64>,
    phone: Option<String>,
    email: Option<String>,
    otp_channel: Option<String>,
    totp_secret: Option<String>,
    totp_pending_secret: Option<String>,
    totp_last_step: Option<i64>,
}

impl TryFrom<StoredAccount> for AccountRow {
    type Error = IdentityError;

    fn try_from(row: StoredAccount) -> Result<Self, IdentityError> {
        Ok(Self {
            id: stored::uuid("accounts.id", &row.id)?,
            login: row.login,
            national_id: row.national_id,
            role: stored::role("accounts.role", &row.role)?,
            facility_id: stored::optional_uuid("accounts.facility_id", row.facility_id.as_deref())?,
            region: row.region,
            patient_id: stored::optional_uuid("accounts.patient_id", row.patient_id.as_deref())?,
            family_name: row.family_name,
            given_names: row.given_names,
            status: stored::status("accounts.status", &row.status)?,
            password_hash: row.password_hash,
            activation_code_hash: row.activation_code_hash,
            activation_expires_at: row.activation_expires_at,
            phone: row.phone,
            email: row.email,
            otp_channel: stored::optional_channel("accounts.otp_channel", row.otp_channel.as_deref())?,
            totp_secret: row.totp_secret,
            totp_pending_secret: row.totp_pending_secret,
            totp_last_step: row.totp_last_step,
        })
    }
}

/// A new account, issued and waiting for activation.
pub struct NewAccount<'a> {
    pub id: Uuid,
    pub login: &'a str,
    pub national_id: Option<&'a str>,
    pub role: Role,
    pub facility_id: Option<Uuid>,
    /// The region a regional analyst's statistics are limited to (its code).
    pub region: Option<&'a str>,
    pub patient_id: Option<Uuid>,
    pub family_name: &'a str,
    pub given_names: &'a str,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    /// Where login codes go once the account is active (staff always have one).
    pub otp_channel: Option<ChannelKind>,
    pub activation_code_hash: &'a str,
    pub activation_expires_at: i64,
}

/// A pending second-factor challenge.
#[derive(Debug, Clone)]
pub struct ChallengeRow {
    pub id: Uuid,
    pub account_id: Uuid,
    pub code_hash: Option<String>,
    /// How the challenge's one-time code was sent, if one was.
    pub code_method: Option<ChannelKind>,
    pub attempts: i32,
}

/// What exchanging a refresh token found.
pub enum Rotation {
    /// The session now answers to the new tokens.
    Rotated { session_id: Uuid, account_id: Uuid },
    /// The token had already been exchanged: the session was revoked.
    Reused { session_id: Uuid, account_id: Uuid },
    /// No live session has this token.
    Unknown,
}

/// A staff member, as an administrator sees them (no credentials, no medical content).
#[derive(Debug, Clone)]
pub struct StaffRow {
    pub id: Uuid,
    pub login: String,
    pub role: Role,
    pub facility_id: Option<Uuid>,
    /// The region a regional analyst's statistics are limited to.
    pub region: Option<String>,
    pub family_name: String,
    pub given_names: String,
    pub status: AccountStatus,
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
             status, activation_code_hash, activation_expires_at, phone, email, otp_channel, created_at, region) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'issued', $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(account.id.to_string())
        .bind(account.login)
        .bind(account.national_id)
        .bind(account.role.as_str())
        .bind(account.facility_id.map(|id| id.to_string()))
        .bind(account.patient_id.map(|id| id.to_string()))
        .bind(account.family_name)
        .bind(account.given_names)
        .bind(account.activation_code_hash)
        .bind(account.activation_expires_at)
        .bind(account.phone)
        .bind(account.email)
        .bind(account.otp_channel.map(ChannelKind::as_str))
        .bind(now)
        .bind(account.region)
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
        let rows: Vec<StoredAccount> =
            on_database!(&self.database, pool => sqlx::query_as(&sql).bind(identifier).fetch_all(pool).await)?;
        rows.into_iter().next().map(AccountRow::try_from).transpose()
    }

    pub async fn get(&self, id: Uuid) -> Result<Option<AccountRow>, IdentityError> {
        let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = $1");
        let row: Option<StoredAccount> = on_database!(&self.database, pool => sqlx::query_as(&sql)
            .bind(id.to_string())
            .fetch_optional(pool)
            .await)?;
        row.map(AccountRow::try_from).transpose()
    }

    /// Activates an issued account with its one-time code: true if this call did it (the code is
    /// consumed by the same statement, so it works once).
    pub async fn activate(
        &self,
        id: Uuid,
        code_hash: &str,
        password_hash: &str,
        now: i64,
    ) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET status = 'active', password_hash = $3, activation_code_hash = NULL, \
             activation_expires_at = NULL \
             WHERE id = $1 AND status = 'issued' AND activation_code_hash = $2 AND activation_expires_at > $4",
        )
        .bind(id.to_string())
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
    pub async fn suspend_at(&self, id: Uuid, version: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET status = 'suspended', status_version = $2 WHERE id = $1 AND status_version <= $2",
        )
        .bind(id.to_string())
        .bind(version)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Opens a suspended account again as of `version` of its staff stream (to `issued` if it was never
    /// activated), unless a later or equal event already set the status.
    pub async fn reinstate_at(&self, id: Uuid, version: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET status = CASE WHEN password_hash IS NULL THEN 'issued' ELSE 'active' END, \
             status_version = $2 WHERE id = $1 AND status = 'suspended' AND status_version < $2",
        )
        .bind(id.to_string())
        .bind(version)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Undoes an activation whose event could not be recorded: the account is issued again, with the
    /// same code, as if the attempt had not happened.
    pub async fn undo_activation(&self, id: Uuid, code_hash: &str, expires_at: i64) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET status = 'issued', password_hash = NULL, activation_code_hash = $2, \
             activation_expires_at = $3 WHERE id = $1 AND status = 'active'",
        )
        .bind(id.to_string())
        .bind(code_hash)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// Issues a fresh activation code to an account still waiting for activation; false if it is not.
    pub async fn reissue_activation(&self, id: Uuid, code_hash: &str, expires_at: i64) -> Result<bool, IdentityError> {
        let done = on_database!(&self.database, pool => sqlx::query(
            "UPDATE accounts SET activation_code_hash = $2, activation_expires_at = $3 WHERE id = $1 AND status = 'issued'",
        )
        .bind(id.to_string())
        .bind(code_hash)
        .bind(expires_at)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
        Ok(done == 1)
    }

    /// Replaces a password hash made with weaker parameters.
    pub async fn set_password_hash(&self, id: Uuid, password_hash: &str) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query("UPDATE accounts SET password_hash = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(password_hash)
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    pub async fn set_otp_channel(&self, id: Uuid, channel: Option<ChannelKind>) -> Result<(), IdentityError> {
        on_database!(&self.database, pool => sqlx::query("UPDATE accounts SET otp_channel = $2 WHERE id = $1")
            .bind(id.to_string())
            .bind(channel.map(ChannelKind::as_str))
            .execute(pool)
            .await
            .map(|done| done.rows_affected()))?;
        Ok(())
    }

    /// The staff of a facility (or, with `None`, the national staff).
    pub async fn staff(&self, facility_id: Option<Uuid>) -> Result<Vec<StaffRow>, IdentityError> {
        type Stored = (String, String, String, Option<String>, Option<String>, String, String, String);
        let rows: Vec<Stored> = match facility_id {
            Some(facility) => on_database!(&self.database, pool => sqlx::query_as(
                "SELECT id, login, role, facility_id, region, family_name, given_names, status FROM accounts \
                 WHERE facility_id = $1 AND role <> 'patient' ORDER BY family_name, given_names, id",
            )
            .bind(facility.to_string())
            .fetch_all(pool)
            .await)?,
            None => on_database!(&self.database, pool => sqlx::query_as(
                "SELECT id, login, role, facility_id, region, family_name, given_names, status FROM accounts \
                 WHERE facility_id IS NULL AND role <> 'patient' ORDER BY family_name, given_names, id",
            )
            .fetch_all(pool)
            .await)?,
        };
        rows.into_iter()
            .map(|(id, login, role, facility_id, region, family_name, given_names, status)| {
                Ok(StaffRow {
                    id: stored::uuid("accounts.id", &id)?,
                    login,
                    role: stored::role("accounts.role", &role)?,
                    facility_id: stored::optional_uuid("accounts.facility_id", facility_id.as_deref())?,
                    region,
                    family_name,
                    given_names,
                    status: stored::status("accounts.status", &status)?,
                })
            })
            .collect()
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
}
