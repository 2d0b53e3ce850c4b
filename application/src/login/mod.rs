//! Logging in, as a service any entry point can call (the JSON API today, the web pages next): a
//! password, then a second factor for accounts that have one; sessions opened, refreshed and ended;
//! issued accounts activated; a password confirmed again before a sensitive change.
//!
//! Every step follows the identity crate's order of writes: no session exists without its
//! `account.login_succeeded` event, and every refused credential is answered alike
//! ([`ApplicationError::InvalidCredentials`]) so no answer says whether an account exists or which part
//! was wrong. Attempts are throttled first ([`throttle`]).

pub mod enrolment;
pub mod throttle;

use crate::accounts::{actor_for, principal_of, stored_uuid};
use crate::error::ApplicationError;
use crate::Application;
use domain::access::Principal;
use event_schema::events::account::{
    AccountActivated, AuthenticationStage, FailureReason, LoggedOut, LoginFailed, LoginSucceeded, LogoutScope,
    RefreshTokenReused, SecondFactorChallenged, SecondFactorMethod,
};
use event_schema::{Actor, StreamId};
use identity::codes::{hash_code, hash_token, new_login_code};
use identity::store::{AccountRow, AccountStatus, Rotation};
use identity::{micros_after, now_micros, password, tokens, totp};
use ledger::outbox::{ChannelKind, Message};
use ledger::ExpectedVersion;
use subtle::ConstantTimeEq;
pub use throttle::throttle_key;
use uuid::Uuid;

/// An open session's tokens, shown once to the one who logged in.
#[derive(Debug)]
pub struct Session {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds the access token is accepted.
    pub access_expires_in: u64,
    /// Seconds the refresh token may be exchanged.
    pub refresh_expires_in: u64,
    pub principal: Principal,
}

/// A second factor to prove before the session opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub challenge_id: Uuid,
    /// The factors the account can prove.
    pub methods: Vec<SecondFactorMethod>,
    /// Where a one-time code was just sent, if one was.
    pub code_sent_by: Option<SecondFactorMethod>,
    /// Seconds until the challenge expires.
    pub expires_in: u64,
}

/// What a right password leads to.
#[derive(Debug)]
pub enum LoginOutcome {
    Session(Session),
    SecondFactor(Challenge),
}

/// An account just activated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activated {
    pub principal: Principal,
    /// Whether logging in will ask for a second factor.
    pub second_factor_required: bool,
}

/// The canonical form of what someone typed as their login: a health ID in its canonical form, or
/// anything else upper-cased without spaces.
pub fn normalise_login(text: &str) -> String {
    match domain::health_id::HealthId::parse(text) {
        Ok(health_id) => health_id.to_string(),
        Err(_) => text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect(),
    }
}

/// The second factors an account can prove. With an authenticator app enrolled, the app and the
/// recovery codes are the second factor (no code is sent, so none is offered); otherwise codes by SMS
/// or e-mail, if the account receives them.
pub fn second_factor_methods(account: &AccountRow) -> Vec<SecondFactorMethod> {
    if account.totp_secret.is_some() {
        return vec![SecondFactorMethod::Totp, SecondFactorMethod::RecoveryCode];
    }
    otp_channel(account).map(method_of).into_iter().collect()
}

/// Where the account's one-time codes go, if it receives them (and has the contact they go to).
fn otp_channel(account: &AccountRow) -> Option<ChannelKind> {
    match account.otp_channel {
        Some(ChannelKind::Sms) if account.phone.is_some() => Some(ChannelKind::Sms),
        Some(ChannelKind::Email) if account.email.is_some() => Some(ChannelKind::Email),
        _ => None,
    }
}

/// The second factor a code sent through `channel` proves.
fn method_of(channel: ChannelKind) -> SecondFactorMethod {
    match channel {
        ChannelKind::Sms => SecondFactorMethod::Sms,
        ChannelKind::Email => SecondFactorMethod::Email,
    }
}

/// A stored TOTP secret (standard base64).
pub fn decode_secret(stored: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(stored).ok()
}

fn unix_seconds(micros: i64) -> u64 {
    u64::try_from(micros / 1_000_000).unwrap_or(0)
}

impl Application {
    /// Checks a login's password. An account without a second factor gets a session at once;
    /// otherwise a challenge, with a one-time code sent unless the account uses an authenticator app.
    #[tracing::instrument(name = "application.login.password", skip_all)]
    pub async fn log_in(&self, login: &str, password: String) -> Result<LoginOutcome, ApplicationError> {
        let identifier = normalise_login(login);
        let account = self.identity.find_for_login(&identifier).await?;
        let key = throttle_key(&identifier, account.as_ref());
        let attempt = self.begin_attempt(&key, account.as_ref(), AuthenticationStage::Password).await?;

        let stored = account.as_ref().and_then(|account| account.password_hash.clone());
        let matches = self.password_matches(password.clone(), stored.clone()).await?;
        let account = match account {
            Some(account) if matches && account.status == AccountStatus::Active => account,
            account => {
                let reason = match &account {
                    None => FailureReason::UnknownAccount,
                    Some(_) if !matches => FailureReason::WrongPassword,
                    Some(_) => FailureReason::AccountNotActive,
                };
                let stage = AuthenticationStage::Password;
                return Err(self.fail(&key, attempt, account.as_ref(), stage, reason).await?);
            }
        };
        if stored.as_deref().is_some_and(password::needs_rehash) {
            if let Ok(rehashed) = self.hash_password(password).await {
                self.identity.set_password_hash(account.id, &rehashed).await?;
            }
        }

        let methods = second_factor_methods(&account);
        let principal = principal_of(&account)?;
        if methods.is_empty() {
            if principal.role.is_staff() {
                // Staff always have a contact for codes; an account without one cannot be let in on a
                // password alone.
                return Err(ApplicationError::internal("a staff login", "the account has no second factor"));
            }
            // The password was the whole login: only now are the failures forgotten.
            self.identity.clear_failures(&key).await?;
            return Ok(LoginOutcome::Session(self.open_session(&account, None).await?));
        }

        // The password was right: this attempt is not a failure, and the second factor is counted on its
        // own.
        self.identity.forgive_attempt(&key, now_micros()).await?;

        // A code is sent only to accounts without an authenticator app, so that logging in with an app
        // does not also send an SMS every time.
        let challenge_id = Uuid::now_v7();
        let now = now_micros();
        let send = if account.totp_secret.is_none() { otp_channel(&account) } else { None };
        let mut code_hash = None;
        if let Some(channel) = send {
            let code = new_login_code();
            code_hash = Some((hash_code(&code), channel));
            self.send_code(&account, channel, &code).await?;
        }
        let expires_at = micros_after(now, identity::CHALLENGE_TTL);
        let code = code_hash.as_ref().map(|(hash, channel)| (hash.as_str(), *channel));
        self.identity.create_challenge(challenge_id, account.id, code, expires_at, now).await?;
        let code_sent_by = send.map(method_of);
        let challenged = SecondFactorChallenged {
            account_id: principal.account_id,
            challenge_id,
            methods: methods.clone(),
            code_sent_by,
        };
        let stream = StreamId::account(principal.account_id);
        self.record(stream, ExpectedVersion::Any, actor_for(Some(&account)), &challenged).await?;
        Ok(LoginOutcome::SecondFactor(Challenge {
            challenge_id,
            methods,
            code_sent_by,
            expires_in: identity::CHALLENGE_TTL.as_secs(),
        }))
    }

    /// Answers a login's challenge with a code from an authenticator app, a code sent by SMS or e-mail,
    /// or a recovery code, and opens the session. Each code and each challenge works once.
    #[tracing::instrument(name = "application.login.second_factor", skip_all)]
    pub async fn prove_second_factor(
        &self,
        challenge_id: Uuid,
        method: SecondFactorMethod,
        code: &str,
    ) -> Result<Session, ApplicationError> {
        let now = now_micros();
        let challenge = self.identity.attempt_challenge(challenge_id, now, identity::CHALLENGE_ATTEMPTS).await?;
        let Some(challenge) = challenge else {
            let failed = LoginFailed {
                account_id: None,
                stage: AuthenticationStage::SecondFactor,
                reason: FailureReason::ExpiredCode,
            };
            self.record(StreamId::anonymous_logins(), ExpectedVersion::Any, Actor::system(), &failed).await?;
            return Err(ApplicationError::InvalidCredentials);
        };
        let account = self.identity.get(challenge.account_id).await?;
        let Some(account) = account.filter(|account| account.status == AccountStatus::Active) else {
            // Suspended between the password and the code: nothing to count against, only to record.
            let account_id = challenge.account_id;
            let failed = LoginFailed {
                account_id: Some(account_id),
                stage: AuthenticationStage::SecondFactor,
                reason: FailureReason::AccountNotActive,
            };
            let stream = StreamId::account(account_id);
            self.record(stream, ExpectedVersion::Any, Actor::system(), &failed).await?;
            return Err(ApplicationError::InvalidCredentials);
        };
        let key = throttle_key(&account.login, Some(&account));
        let attempt = self.begin_attempt(&key, Some(&account), AuthenticationStage::SecondFactor).await?;

        let proven = match method {
            SecondFactorMethod::Totp => match account.totp_secret.as_deref().and_then(decode_secret) {
                Some(secret) => {
                    let last = account.totp_last_step.and_then(|step| u64::try_from(step).ok());
                    match totp::verify(&secret, code, unix_seconds(now), last) {
                        Some(step) => {
                            let step = i64::try_from(step).unwrap_or(i64::MAX);
                            self.identity.use_totp_step(account.id, step).await?
                        }
                        None => false,
                    }
                }
                None => false,
            },
            SecondFactorMethod::Sms | SecondFactorMethod::Email => {
                account.totp_secret.is_none()
                    && challenge.code_method.map(method_of) == Some(method)
                    && challenge
                        .code_hash
                        .as_deref()
                        .is_some_and(|stored| bool::from(stored.as_bytes().ct_eq(hash_code(code).as_bytes())))
            }
            SecondFactorMethod::RecoveryCode => {
                account.totp_secret.is_some()
                    && self.identity.use_recovery_code(account.id, &totp::hash_recovery_code(code), now).await?
            }
        };
        if !proven || !self.identity.consume_challenge(challenge.id, now).await? {
            let stage = AuthenticationStage::SecondFactor;
            return Err(self.fail(&key, attempt, Some(&account), stage, FailureReason::WrongCode).await?);
        }
        self.identity.clear_failures(&key).await?;
        self.open_session(&account, Some(method)).await
    }

    /// Rotates a session's tokens: the refresh token presented is spent, and presenting it again ends
    /// the session, since only a stolen copy would be presented twice.
    #[tracing::instrument(name = "application.login.refresh", skip_all)]
    pub async fn refresh_session(&self, refresh_token: &str) -> Result<Session, ApplicationError> {
        let (access, access_hash) = tokens::new_token();
        let (refresh, refresh_hash) = tokens::new_token();
        let now = now_micros();
        let access_row = (hex::encode(access_hash), micros_after(now, self.lifetimes.access));
        let rotation = self
            .identity
            .rotate(&hash_token(refresh_token), (&access_row.0, access_row.1), &hex::encode(refresh_hash), now)
            .await?;
        match rotation {
            Rotation::Rotated { account_id, .. } => {
                let account = self.identity.get(account_id).await?.ok_or(ApplicationError::InvalidCredentials)?;
                Ok(self.session(access, refresh, principal_of(&account)?))
            }
            Rotation::Reused { session_id, account_id } => {
                let account = self.identity.get(account_id).await?;
                let reused = RefreshTokenReused { account_id, session_id };
                let stream = StreamId::account(account_id);
                self.record(stream, ExpectedVersion::Any, actor_for(account.as_ref()), &reused).await?;
                tracing::warn!("application.login.refresh_token_reused");
                Err(ApplicationError::InvalidCredentials)
            }
            Rotation::Unknown => Err(ApplicationError::InvalidCredentials),
        }
    }

    /// Ends the session `session_id` of `account`, or every session of it. Access ends first; the
    /// record follows.
    #[tracing::instrument(name = "application.login.log_out", skip_all)]
    pub async fn log_out(
        &self,
        account: &AccountRow,
        session_id: &str,
        principal: &Principal,
        scope: LogoutScope,
    ) -> Result<(), ApplicationError> {
        let now = now_micros();
        let revoked = match scope {
            LogoutScope::AllSessions => self.identity.revoke_all(account.id, now).await?,
            LogoutScope::ThisSession => u32::from(self.identity.revoke_session(session_id, now).await?),
        };
        let logged_out = LoggedOut {
            account_id: principal.account_id,
            session_id: stored_uuid(session_id)?,
            scope,
            sessions_revoked: revoked,
        };
        let actor = crate::record::actor_of(principal);
        self.record(StreamId::account(principal.account_id), ExpectedVersion::Any, actor, &logged_out).await?;
        Ok(())
    }

    /// Activates an issued account with its one-time code and the password its owner chose. A password
    /// that fails the policy is a field error (`/password`), checked before anything is looked up.
    #[tracing::instrument(name = "application.login.activate", skip_all)]
    pub async fn activate(
        &self,
        login: &str,
        activation_code: &str,
        chosen_password: String,
    ) -> Result<Activated, ApplicationError> {
        let identifier = normalise_login(login);
        if let Err(problem) = password::check_policy(&chosen_password, &identifier) {
            // The lengths are the schema's; the rest of the policy is beyond what a schema can state.
            let error = match problem {
                password::PasswordProblem::TooShort | password::PasswordProblem::TooLong => {
                    domain::FieldError::new("/password", problem.to_string())
                }
                _ => domain::FieldError::rule("/password", problem.to_string()),
            };
            return Err(ApplicationError::Invalid(vec![error]));
        }
        let account = self.identity.find_for_login(&identifier).await?;
        let key = throttle_key(&identifier, account.as_ref());
        let attempt = self.begin_attempt(&key, account.as_ref(), AuthenticationStage::Activation).await?;
        let now = now_micros();
        let code_hash = hash_code(activation_code);
        let account = match account {
            Some(account)
                if account.status == AccountStatus::Issued
                    && account.activation_expires_at.is_some_and(|expires| expires > now)
                    && account
                        .activation_code_hash
                        .as_deref()
                        .is_some_and(|stored| bool::from(stored.as_bytes().ct_eq(code_hash.as_bytes()))) =>
            {
                account
            }
            account => {
                let reason = match &account {
                    None => FailureReason::UnknownAccount,
                    Some(account) if account.status != AccountStatus::Issued => FailureReason::AccountNotActive,
                    Some(account) if account.activation_expires_at.is_some_and(|expires| expires <= now) => {
                        FailureReason::ExpiredCode
                    }
                    Some(_) => FailureReason::WrongCode,
                };
                let stage = AuthenticationStage::Activation;
                return Err(self.fail(&key, attempt, account.as_ref(), stage, reason).await?);
            }
        };
        let password_hash = self.hash_password(chosen_password).await?;
        let principal = principal_of(&account)?;
        // The code is used up by one conditional statement, so of two requests racing with it exactly
        // one activates the account; that one records it, and undoes the activation if it cannot.
        if !self.identity.activate(account.id, &code_hash, &password_hash, now).await? {
            return Err(ApplicationError::InvalidCredentials);
        }
        let activated = AccountActivated {
            account_id: principal.account_id,
            role: principal.role,
            patient_id: principal.patient_id,
        };
        let stream = StreamId::account(principal.account_id);
        let actor = actor_for(Some(&account));
        if let Err(error) = self.record(stream, ExpectedVersion::Any, actor, &activated).await {
            let expires = account.activation_expires_at.unwrap_or(now);
            self.identity.undo_activation(account.id, &code_hash, expires).await?;
            return Err(error);
        }
        self.identity.clear_failures(&key).await?;
        Ok(Activated { second_factor_required: !second_factor_methods(&account).is_empty(), principal })
    }

    /// Checks an account's password again before a change to how it proves who it is, counting a
    /// wrong one towards the account's lockout. A wrong password is a field error (`/password`).
    pub async fn confirm_password(&self, account: &AccountRow, password: String) -> Result<(), ApplicationError> {
        let key = throttle_key(&account.login, Some(account));
        let attempt = self.begin_attempt(&key, Some(account), AuthenticationStage::Password).await?;
        if self.password_matches(password, account.password_hash.clone()).await? {
            // Only failures count towards a lockout.
            self.identity.forgive_attempt(&key, now_micros()).await?;
            return Ok(());
        }
        let stage = AuthenticationStage::Password;
        match self.fail(&key, attempt, Some(account), stage, FailureReason::WrongPassword).await? {
            ApplicationError::InvalidCredentials => {
                Err(ApplicationError::invalid_field("/password", "the password is not correct"))
            }
            locked => Err(locked),
        }
    }

    /// Runs Argon2 off the async workers: it takes tens of milliseconds of CPU on purpose. An unknown
    /// account costs as much time as a known one.
    async fn password_matches(&self, password: String, stored: Option<String>) -> Result<bool, ApplicationError> {
        // Each hash holds 19 MiB for tens of milliseconds: at most a few run at once, the rest queue.
        let _permit =
            self.hashing.acquire().await.map_err(|_| ApplicationError::Unavailable("shutting down".into()))?;
        tokio::task::spawn_blocking(move || match stored {
            Some(stored) => password::verify(&password, &stored),
            None => {
                password::burn_time(&password);
                false
            }
        })
        .await
        .map_err(|error| ApplicationError::internal("a password check", error))
    }

    /// Hashes a new password off the async workers, under the same bound as checking one.
    pub async fn hash_password(&self, password: String) -> Result<String, ApplicationError> {
        let _permit =
            self.hashing.acquire().await.map_err(|_| ApplicationError::Unavailable("shutting down".into()))?;
        tokio::task::spawn_blocking(move || password::hash(&password))
            .await
            .map_err(|error| ApplicationError::internal("password hashing", error))?
            .map_err(|error| ApplicationError::internal("password hashing", error.to_string()))
    }

    /// Queues a login code in the notification outbox.
    async fn send_code(&self, account: &AccountRow, channel: ChannelKind, code: &str) -> Result<(), ApplicationError> {
        let minutes = identity::CHALLENGE_TTL.as_secs() / 60;
        let body = format!(
            "CloudMedi: your login code is {code}. It expires in {minutes} minutes. Nobody from CloudMedi will ever ask you for it."
        );
        let (recipient, subject) = match channel {
            ChannelKind::Sms => (account.phone.clone(), None),
            ChannelKind::Email => (account.email.clone(), Some("Your CloudMedi login code".to_owned())),
        };
        let recipient = recipient
            .ok_or_else(|| ApplicationError::internal("a login code", "the account has no address to send it to"))?;
        self.outbox.enqueue(&Message { channel, recipient, subject, body, not_before: None }).await?;
        Ok(())
    }

    /// Records the login, then opens the session (in that order: no session exists without its event).
    async fn open_session(
        &self,
        account: &AccountRow,
        second_factor: Option<SecondFactorMethod>,
    ) -> Result<Session, ApplicationError> {
        let principal = principal_of(account)?;
        let session_id = Uuid::now_v7();
        let succeeded = LoginSucceeded { account_id: principal.account_id, session_id, second_factor };
        let stream = StreamId::account(principal.account_id);
        self.record(stream, ExpectedVersion::Any, actor_for(Some(account)), &succeeded).await?;
        let (access, access_hash) = tokens::new_token();
        let (refresh, refresh_hash) = tokens::new_token();
        let now = now_micros();
        let opened = self
            .identity
            .create_session(
                session_id,
                account.id,
                &hex::encode(access_hash),
                micros_after(now, self.lifetimes.access),
                &hex::encode(refresh_hash),
                micros_after(now, self.lifetimes.refresh),
                now,
            )
            .await?;
        if !opened {
            // Suspended between the checks and now: the suspension wins, and the record says so.
            let stage = AuthenticationStage::SecondFactor;
            self.record_failure(Some(account), stage, FailureReason::AccountNotActive).await?;
            return Err(ApplicationError::InvalidCredentials);
        }
        Ok(self.session(access, refresh, principal))
    }

    fn session(&self, access_token: String, refresh_token: String, principal: Principal) -> Session {
        Session {
            access_token,
            refresh_token,
            access_expires_in: self.lifetimes.access.as_secs(),
            refresh_expires_in: self.lifetimes.refresh.as_secs(),
            principal,
        }
    }
}
