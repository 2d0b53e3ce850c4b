//! Changing an account's password: the current password again (counted towards the account's
//! lockout like any other attempt), the new one checked against the policy, then stored, and every
//! session of the account ended.
//!
//! The ledger records that the password changed (`account.password_changed`, which carries neither
//! the password nor any hash of it) and, in the same append, the end of every session
//! (`auth.logged_out`, all sessions), which is what a stolen session needs to stop at once. The
//! current session ends too: the identity store revokes an account's sessions all at once, and
//! signing in again with the new password proves it works.

use crate::accounts::stored_uuid;
use crate::error::ApplicationError;
use crate::record::actor_of;
use crate::Application;
use domain::access::Principal;
use domain::FieldError;
use event_schema::events::account::{self, LoggedOut, LogoutScope};
use event_schema::StreamId;
use identity::now_micros;
use identity::password::{self, PasswordProblem};
use identity::store::AccountRow;
use ledger::outbox::{ChannelKind, Message};
use ledger::{AppendRequest, ExpectedVersion, NewEvent};

/// What a password change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordChanged {
    /// How many sessions it ended, the one it was made from included.
    pub sessions_ended: u32,
}

/// The field error a password the policy refuses gets, on `field`: the rule it breaks.
pub fn policy_error(field: &'static str, problem: PasswordProblem) -> FieldError {
    match problem {
        PasswordProblem::TooShort | PasswordProblem::TooLong => FieldError::new(field, problem.to_string()),
        _ => FieldError::rule(field, problem.to_string()),
    }
}

impl Application {
    /// Changes `account`'s password from `current` to `new`, from the session `session_id`, then ends
    /// every session of the account. A new password the policy refuses is a field error
    /// (`/new_password`), checked before the current one is, so that a mistake in the new one costs
    /// no attempt; a wrong current password is `/password`, as when a second factor is changed.
    #[tracing::instrument(name = "application.credentials.change_password", skip_all)]
    pub async fn change_password(
        &self,
        account: &AccountRow,
        principal: &Principal,
        session_id: &str,
        current: String,
        new: String,
    ) -> Result<PasswordChanged, ApplicationError> {
        if let Err(problem) = password::check_policy(&new, &account.login) {
            return Err(ApplicationError::Invalid(vec![policy_error("/new_password", problem)]));
        }
        let session = stored_uuid(session_id)?;
        self.confirm_password(account, current).await?;
        let hash = self.hash_password(new).await?;
        self.identity().set_password_hash(account.id, &hash).await?;
        // Access ends first, then the record, as for any sign-out.
        let sessions_ended = self.identity().revoke_all(account.id, now_micros()).await?;
        let logged_out = LoggedOut {
            account_id: principal.account_id,
            session_id: session,
            scope: LogoutScope::AllSessions,
            sessions_revoked: sessions_ended,
        };
        let stream = StreamId::account(principal.account_id);
        let changed = account::PasswordChanged { account_id: principal.account_id };
        let now = self.now();
        let events = vec![NewEvent::typed(&changed, now)?, NewEvent::typed(&logged_out, now)?];
        let append = AppendRequest::new(stream, ExpectedVersion::Any, actor_of(principal), events);
        self.ledger().append(append).await?;
        self.tell_of_new_password(account).await?;
        Ok(PasswordChanged { sessions_ended })
    }

    /// Tells the account's owner, through their usual channel, that the password changed, so that a
    /// change they did not make does not go unnoticed.
    async fn tell_of_new_password(&self, account: &AccountRow) -> Result<(), ApplicationError> {
        let (channel, recipient) = match (&account.phone, &account.email) {
            (Some(phone), _) => (ChannelKind::Sms, phone.clone()),
            (None, Some(email)) => (ChannelKind::Email, email.clone()),
            (None, None) => return Ok(()),
        };
        let body = format!(
            "CloudMedi: the password of your account {} was changed and every session ended. If this was not \
             you, contact your facility at once.",
            account.login
        );
        let subject = (channel == ChannelKind::Email).then(|| "Your CloudMedi account's security".to_owned());
        self.outbox().enqueue(&Message { channel, recipient, subject, body, not_before: None }).await?;
        Ok(())
    }
}
