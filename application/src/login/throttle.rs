//! Login throttling: every attempt is counted before it is checked, so requests racing each other
//! cannot check more guesses than the allowance; five failures within 15 minutes lock the login for 15
//! minutes, and each failure and lockout is a ledger event.

use crate::accounts::actor_for;
use crate::error::ApplicationError;
use crate::Application;
use event_schema::events::account::{AccountLockedOut, AuthenticationStage, FailureReason, LoginFailed};
use event_schema::StreamId;
use identity::codes::identifier_key;
use identity::store::AccountRow;
use identity::{micros_after, now_micros, timestamp_of};
use ledger::ExpectedVersion;

/// The key failures are counted under: the account's, when the identifier names one (so that its
/// health ID and national ID share one count), else the identifier as typed (so that unknown
/// identifiers lock out exactly like known ones and the answers say nothing about which exist).
pub fn throttle_key(identifier: &str, account: Option<&AccountRow>) -> String {
    match account {
        Some(account) => identifier_key(&format!("account:{}", account.id)),
        None => identifier_key(&format!("identifier:{identifier}")),
    }
}

impl Application {
    /// Records a failed authentication step in the ledger.
    pub(crate) async fn record_failure(
        &self,
        account: Option<&AccountRow>,
        stage: AuthenticationStage,
        reason: FailureReason,
    ) -> Result<(), ApplicationError> {
        let account_id = account.map(|account| account.id);
        let stream = account_id.map(StreamId::account).unwrap_or_else(StreamId::anonymous_logins);
        let failed = LoginFailed { account_id, stage, reason };
        self.record(stream, ExpectedVersion::Any, actor_for(account), &failed).await?;
        Ok(())
    }

    /// Locks the key out, recording the lockout against the account if there is one (once, however
    /// many requests race into it).
    async fn lock_out(&self, key: &str, account: Option<&AccountRow>, failures: u32) -> Result<(), ApplicationError> {
        let now = now_micros();
        let until = micros_after(now, identity::LOCKOUT);
        if self.identity.lock(key, now, until).await? {
            if let Some(account_id) = account.map(|account| account.id) {
                let locked = AccountLockedOut { account_id, failures, locked_until: timestamp_of(until) };
                let stream = StreamId::account(account_id);
                self.record(stream, ExpectedVersion::Any, actor_for(account), &locked).await?;
            }
        }
        Ok(())
    }

    /// Counts an attempt before anything is checked, refusing (and recording) it when the key is locked
    /// out or this attempt is beyond the allowance. Returns the attempt's number.
    pub async fn begin_attempt(
        &self,
        key: &str,
        account: Option<&AccountRow>,
        stage: AuthenticationStage,
    ) -> Result<u32, ApplicationError> {
        let now = now_micros();
        if let Some(until) = self.identity.locked_until(key, now).await? {
            self.record_failure(account, stage, FailureReason::LockedOut).await?;
            let seconds = u64::try_from((until - now) / 1_000_000).unwrap_or(0) + 1;
            return Err(ApplicationError::TooManyAttempts { retry_after_secs: seconds });
        }
        let number = self.identity.count_attempt(key, now, identity::FAILURE_WINDOW).await?;
        if number > identity::LOCKOUT_THRESHOLD {
            self.lock_out(key, account, number).await?;
            self.record_failure(account, stage, FailureReason::LockedOut).await?;
            return Err(ApplicationError::TooManyAttempts { retry_after_secs: identity::LOCKOUT.as_secs() });
        }
        Ok(number)
    }

    /// Records a failed attempt (number `number`), locking the key out when it used the last of the
    /// allowance. Returns the refusal to answer: credentials not accepted, or too many attempts.
    pub async fn fail(
        &self,
        key: &str,
        number: u32,
        account: Option<&AccountRow>,
        stage: AuthenticationStage,
        reason: FailureReason,
    ) -> Result<ApplicationError, ApplicationError> {
        self.record_failure(account, stage, reason).await?;
        if number >= identity::LOCKOUT_THRESHOLD {
            self.lock_out(key, account, number).await?;
            return Ok(ApplicationError::TooManyAttempts { retry_after_secs: identity::LOCKOUT.as_secs() });
        }
        Ok(ApplicationError::InvalidCredentials)
    }
}
