//! Choosing a second factor: enrolling an authenticator app (a secret, active once a code made with it
//! is confirmed, with recovery codes shown once), or receiving one-time codes by SMS or e-mail. Each
//! change needs the password again, is recorded, and is told to the account's owner.

use crate::error::ApplicationError;
use crate::record::actor_of;
use crate::Application;
use base64::Engine;
use domain::access::Principal;
use event_schema::events::account::{SecondFactorEnrolled, SecondFactorMethod};
use event_schema::StreamId;
use identity::now_micros;
use identity::store::AccountRow;
use identity::totp;
use ledger::outbox::{ChannelKind, Message};
use ledger::ExpectedVersion;

/// An authenticator app's secret, to show as a QR code (`otpauth_uri`) or to type (`secret`, base32).
#[derive(Debug)]
pub struct TotpEnrolment {
    pub secret: String,
    pub otpauth_uri: String,
}

impl Application {
    /// Starts enrolling an authenticator app, after the password again: a fresh secret, pending until
    /// a code made with it is confirmed.
    #[tracing::instrument(name = "application.login.start_totp", skip_all)]
    pub async fn start_totp_enrolment(
        &self,
        account: &AccountRow,
        password: String,
    ) -> Result<TotpEnrolment, ApplicationError> {
        self.confirm_password(account, password).await?;
        let secret = totp::new_secret();
        let otpauth_uri = totp::enrolment_uri(&secret, &account.login)
            .map_err(|error| ApplicationError::internal("a TOTP enrolment", error.to_string()))?;
        let stored = base64::engine::general_purpose::STANDARD.encode(&secret);
        self.identity.set_pending_totp(account.id, &stored).await?;
        // The secret as the app types it is the base32 text the URI carries.
        let typed = otpauth_uri
            .split("secret=")
            .nth(1)
            .and_then(|rest| rest.split('&').next())
            .filter(|typed| !typed.is_empty())
            .ok_or_else(|| ApplicationError::internal("a TOTP enrolment", "the enrolment URI carries no secret"))?;
        Ok(TotpEnrolment { secret: typed.to_owned(), otpauth_uri })
    }

    /// Confirms the pending authenticator app with a code it made, turns it on as the account's second
    /// factor, and returns fresh recovery codes (shown this once; each works once).
    #[tracing::instrument(name = "application.login.confirm_totp", skip_all)]
    pub async fn confirm_totp_enrolment(
        &self,
        account: &AccountRow,
        principal: &Principal,
        code: &str,
    ) -> Result<Vec<String>, ApplicationError> {
        let no_enrolment =
            || ApplicationError::Conflict("no authenticator app enrolment is in progress; start one first".into());
        let pending = account.totp_pending_secret.as_deref().ok_or_else(no_enrolment)?;
        let secret = super::decode_secret(pending).ok_or_else(no_enrolment)?;
        let now = u64::try_from(now_micros() / 1_000_000).unwrap_or(0);
        let Some(step) = totp::verify(&secret, code, now, None) else {
            return Err(ApplicationError::invalid_field(
                "/code",
                "the code does not match; check the app's clock and try the next code",
            ));
        };
        let enrolled = SecondFactorEnrolled { account_id: principal.account_id, method: SecondFactorMethod::Totp };
        let stream = StreamId::account(principal.account_id);
        self.record(stream, ExpectedVersion::Any, actor_of(principal), &enrolled).await?;
        if !self.identity.confirm_totp(account.id, pending, i64::try_from(step).unwrap_or(i64::MAX)).await? {
            return Err(ApplicationError::Conflict("the enrolment changed meanwhile; start again".into()));
        }
        let codes = totp::new_recovery_codes();
        let hashes: Vec<String> = codes.iter().map(|(_, hash)| hash.clone()).collect();
        self.identity.replace_recovery_codes(account.id, &hashes).await?;
        self.tell_owner(account, "an authenticator app was enrolled").await?;
        Ok(codes.into_iter().map(|(code, _)| code).collect())
    }

    /// Sends the account's one-time login codes by SMS or e-mail, after the password again. Returns
    /// the channel now in use.
    #[tracing::instrument(name = "application.login.set_code_channel", skip_all)]
    pub async fn set_code_channel(
        &self,
        account: &AccountRow,
        principal: &Principal,
        method: SecondFactorMethod,
        password: String,
    ) -> Result<ChannelKind, ApplicationError> {
        let channel = match method {
            SecondFactorMethod::Sms if account.phone.is_some() => ChannelKind::Sms,
            SecondFactorMethod::Email if account.email.is_some() => ChannelKind::Email,
            SecondFactorMethod::Sms | SecondFactorMethod::Email => {
                return Err(ApplicationError::invalid_field("/method", "no such contact is on file for this account"))
            }
            _ => return Err(ApplicationError::invalid_field("/method", "must be sms or email")),
        };
        self.confirm_password(account, password).await?;
        if account.otp_channel != Some(channel) {
            let enrolled = SecondFactorEnrolled { account_id: principal.account_id, method };
            let stream = StreamId::account(principal.account_id);
            self.record(stream, ExpectedVersion::Any, actor_of(principal), &enrolled).await?;
            self.identity.set_otp_channel(account.id, Some(channel)).await?;
            self.tell_owner(account, &format!("login codes by {} were turned on", channel.as_str())).await?;
        }
        Ok(channel)
    }

    /// Tells the account's owner, through their usual channel, that their second factor changed, so
    /// that a change they did not make does not go unnoticed.
    async fn tell_owner(&self, account: &AccountRow, what: &str) -> Result<(), ApplicationError> {
        let (channel, recipient) = match (&account.phone, &account.email) {
            (Some(phone), _) => (ChannelKind::Sms, phone.clone()),
            (None, Some(email)) => (ChannelKind::Email, email.clone()),
            (None, None) => return Ok(()),
        };
        let body = format!(
            "CloudMedi: {what} on your account {}. If this was not you, contact your facility at once.",
            account.login
        );
        let subject = (channel == ChannelKind::Email).then(|| "Your CloudMedi account's security".to_owned());
        self.outbox.enqueue(&Message { channel, recipient, subject, body, not_before: None }).await?;
        Ok(())
    }
}
