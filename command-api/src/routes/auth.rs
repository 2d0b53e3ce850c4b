//! Logging in and out: password, second factor, token refresh and rotation, logout, and activating an
//! issued account.
//!
//! Every answer to a failed attempt is the same `401` ("credentials not accepted"), whatever failed —
//! an unknown login, a wrong password, a suspended account, a wrong or replayed code — and lockouts
//! count failures per identifier whether or not an account has it, so nothing here says which accounts
//! exist. The precise reason goes to the ledger, for the audit trail.

use crate::authn::{principal_of, stored_uuid, Caller};
use crate::error::{ApiError, Problem, PROBLEM_JSON};
use crate::json::Json;
use crate::record::record;
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use base64::Engine;
use event_schema::events::account::{
    AccountActivated, AccountLockedOut, AuthenticationStage, FailureReason, LoggedOut, LoginFailed, LoginSucceeded,
    LogoutScope, RefreshTokenReused, SecondFactorChallenged, SecondFactorMethod,
};
use event_schema::StreamId;
use event_schema::{Actor, Role};
use identity::codes::{hash_code, hash_token, identifier_key, new_login_code};
use identity::store::{AccountRow, Rotation, ACTIVE, ISSUED};
use identity::{micros_after, now_micros, timestamp_of};
use identity::{password, tokens, totp};
use ledger::outbox::{ChannelKind, Message};
use ledger::ExpectedVersion;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// How many unauthenticated attempts (logins, codes, activations, refreshes) one client address may
/// make: a burst, then one more every `period`. Lockouts per identifier stop guessing one account's
/// password; this stops one address from trying a few passwords on many accounts (and from filling
/// the ledger with failed attempts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptRate {
    pub burst: u32,
    pub period: std::time::Duration,
}

impl Default for AttemptRate {
    fn default() -> Self {
        // A clinic's staff behind one address logging in at the change of shift fit in the burst.
        Self { burst: 30, period: std::time::Duration::from_secs(2) }
    }
}

/// The routes; with `rate`, the unauthenticated ones are limited per client address (which needs the
/// server to provide each connection's address, as `cloudmedi serve` does).
pub fn router(rate: Option<AttemptRate>) -> OpenApiRouter<AppState> {
    let mut attempts = OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(second_factor))
        .routes(routes!(refresh))
        .routes(routes!(activate));
    if let Some(config) = rate.and_then(|rate| {
        tower_governor::governor::GovernorConfigBuilder::default().period(rate.period).burst_size(rate.burst).finish()
    }) {
        let config = std::sync::Arc::new(config);
        forget_idle_addresses(&config);
        let layer = tower_governor::GovernorLayer::new(config).error_handler(|error| match error {
            tower_governor::GovernorError::TooManyRequests { wait_time, .. } => {
                ApiError::TooManyAttempts { retry_after_secs: wait_time.max(1) }.into_response()
            }
            _ => ApiError::Internal("the client's address is unknown to the rate limit".into()).into_response(),
        });
        attempts = attempts.layer(layer);
    }
    attempts.routes(routes!(logout)).routes(routes!(logout_all))
}

/// Drops the state of addresses whose allowance is full again, once a minute, so the limiter's memory
/// stays bounded; stops when the router is dropped.
fn forget_idle_addresses(
    config: &std::sync::Arc<
        tower_governor::governor::GovernorConfig<
            tower_governor::key_extractor::PeerIpKeyExtractor,
            governor::middleware::NoOpMiddleware<governor::clock::QuantaInstant>,
        >,
    >,
) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
    let config = std::sync::Arc::downgrade(config);
    runtime.spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            let Some(config) = config.upgrade() else { break };
            config.limiter().retain_recent();
        }
    });
}

/// The longest login identifier accepted, in characters.
const LOGIN_MAX: usize = 64;
/// The longest code accepted, in characters.
const CODE_MAX: usize = 32;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct LoginRequest {
    /// A health ID, a national ID card number, or a professional ID.
    login: String,
    password: String,
}

/// The answer to a login: either a session (an account without a second factor), or a second factor to
/// prove first with `POST /api/v1/auth/login/second-factor`.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
enum LoginResponse {
    Session(SessionTokens),
    SecondFactor(Challenge),
}

/// A new session's tokens.
#[derive(Serialize, ToSchema)]
pub struct SessionTokens {
    /// The bearer token for authenticated routes.
    access_token: String,
    /// Always `Bearer`.
    token_type: &'static str,
    /// Seconds until the access token expires.
    expires_in: u64,
    /// Exchanged once, at `POST /api/v1/auth/refresh`, for new tokens; presenting it a second time
    /// ends the session.
    refresh_token: String,
    /// Seconds until the session ends, however often it is refreshed.
    refresh_expires_in: u64,
    account: AccountSummary,
}

/// Whose session it is.
#[derive(Serialize, ToSchema)]
pub struct AccountSummary {
    pub id: Uuid,
    pub role: Role,
    /// The facility a member of staff works at; `null` for patients and national roles.
    pub facility_id: Option<Uuid>,
    /// The patient the account belongs to, for a patient's account.
    pub patient_id: Option<Uuid>,
}

/// A second factor to prove before the session opens.
#[derive(Serialize, ToSchema)]
#[schema(as = SecondFactorChallenge)]
struct Challenge {
    /// Always `true`.
    second_factor_required: bool,
    /// To send back with the code.
    challenge_id: Uuid,
    /// The ways this account can prove its second factor.
    methods: Vec<SecondFactorMethod>,
    /// Where a one-time code was just sent, if one was.
    code_sent_by: Option<SecondFactorMethod>,
    /// Seconds until the challenge expires.
    expires_in: u64,
}

/// The canonical form of what someone typed as their login: a health ID in its canonical form, or
/// anything else upper-cased without spaces.
pub fn normalise_login(text: &str) -> String {
    match domain::health_id::HealthId::parse(text) {
        Ok(health_id) => health_id.to_string(),
        Err(_) => text.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect(),
    }
}

fn check_lengths(login: &str, secret: &str, secret_field: &str, secret_max: usize) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if login.trim().is_empty() || login.chars().count() > LOGIN_MAX {
        errors.push(crate::error::FieldError {
            field: "/login".into(),
            message: format!("must be 1 to {LOGIN_MAX} characters"),
        });
    }
    if secret.is_empty() || secret.chars().count() > secret_max {
        errors.push(crate::error::FieldError {
            field: secret_field.into(),
            message: format!("must be 1 to {secret_max} characters"),
        });
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(errors))
    }
}

/// The ledger actor for an account not (yet) authenticated: the account itself when known.
fn actor_for(account: Option<&AccountRow>) -> Actor {
    account
        .and_then(|account| principal_of(account).ok())
        .map(|principal| Actor {
            account_id: principal.account_id,
            role: principal.role,
            facility_id: principal.facility_id,
        })
        .unwrap_or_else(Actor::system)
}

/// The key failures are counted under: the account's, when the identifier names one (so that its
/// health ID and national ID share one count), else the identifier as typed (so that unknown
/// identifiers lock out exactly like known ones and the answers say nothing about which exist).
pub(crate) fn throttle_key(identifier: &str, account: Option<&AccountRow>) -> String {
    match account {
        Some(account) => identifier_key(&format!("account:{}", account.id)),
        None => identifier_key(&format!("identifier:{identifier}")),
    }
}

/// Records a failed authentication step in the ledger.
async fn record_failure(
    state: &AppState,
    account: Option<&AccountRow>,
    stage: AuthenticationStage,
    reason: FailureReason,
) -> Result<(), ApiError> {
    let account_id = account.and_then(|account| Uuid::parse_str(&account.id).ok());
    let stream = account_id.map(StreamId::account).unwrap_or_else(StreamId::anonymous_logins);
    let failed = LoginFailed { account_id, stage, reason };
    record(state, stream, ExpectedVersion::Any, actor_for(account), &failed).await?;
    Ok(())
}

/// Locks the key out, recording the lockout against the account if there is one (once, however many
/// requests race into it).
async fn lock_out(state: &AppState, key: &str, account: Option<&AccountRow>, failures: u32) -> Result<(), ApiError> {
    let now = now_micros();
    let until = micros_after(now, identity::LOCKOUT);
    if state.identity.lock(key, now, until).await? {
        if let Some(account_id) = account.and_then(|account| Uuid::parse_str(&account.id).ok()) {
            let locked = AccountLockedOut { account_id, failures, locked_until: timestamp_of(until) };
            record(state, StreamId::account(account_id), ExpectedVersion::Any, actor_for(account), &locked).await?;
        }
    }
    Ok(())
}

/// Counts an attempt before anything is checked, refusing (and recording) it when the key is locked
/// out or this attempt is beyond the allowance, so that requests racing each other cannot check more
/// guesses than the allowance. Returns the attempt's number.
pub(crate) async fn begin_attempt(
    state: &AppState,
    key: &str,
    account: Option<&AccountRow>,
    stage: AuthenticationStage,
) -> Result<u32, ApiError> {
    let now = now_micros();
    if let Some(until) = state.identity.locked_until(key, now).await? {
        record_failure(state, account, stage, FailureReason::LockedOut).await?;
        let seconds = u64::try_from((until - now) / 1_000_000).unwrap_or(0) + 1;
        return Err(ApiError::TooManyAttempts { retry_after_secs: seconds });
    }
    let number = state.identity.count_attempt(key, now, identity::FAILURE_WINDOW).await?;
    if number > identity::LOCKOUT_THRESHOLD {
        lock_out(state, key, account, number).await?;
        record_failure(state, account, stage, FailureReason::LockedOut).await?;
        return Err(ApiError::TooManyAttempts { retry_after_secs: identity::LOCKOUT.as_secs() });
    }
    Ok(number)
}

/// Records a failed attempt (number `number`), locking the key out when it used the last of the
/// allowance. Returns the error to answer.
pub(crate) async fn fail(
    state: &AppState,
    key: &str,
    number: u32,
    account: Option<&AccountRow>,
    stage: AuthenticationStage,
    reason: FailureReason,
) -> Result<ApiError, ApiError> {
    record_failure(state, account, stage, reason).await?;
    if number >= identity::LOCKOUT_THRESHOLD {
        lock_out(state, key, account, number).await?;
        return Ok(ApiError::TooManyAttempts { retry_after_secs: identity::LOCKOUT.as_secs() });
    }
    Ok(ApiError::InvalidCredentials)
}

/// Runs Argon2 off the async workers: it takes tens of milliseconds of CPU on purpose.
pub(crate) async fn password_matches(
    state: &AppState,
    password: String,
    stored: Option<String>,
) -> Result<bool, ApiError> {
    // Each hash holds 19 MiB for tens of milliseconds: at most a few run at once, the rest queue.
    let _permit =
        state.hashing.acquire().await.map_err(|_| ApiError::Unavailable { detail: "shutting down".into() })?;
    tokio::task::spawn_blocking(move || match stored {
        Some(stored) => password::verify(&password, &stored),
        None => {
            password::burn_time(&password);
            false
        }
    })
    .await
    .map_err(|error| ApiError::Internal(format!("password check: {error}")))
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    summary = "Log in with a password",
    description = "Checks the password of a login (a health ID, a national ID card number or a professional \
        ID). An account without a second factor gets a session at once; otherwise the answer is a challenge, \
        and a one-time code is sent by SMS or e-mail unless the account uses an authenticator app.",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "A session, or a second factor to prove.", body = LoginResponse),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The login or the password is empty or too long."),
        (status = 401, response = crate::document::CredentialsNotAccepted),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 429, response = crate::document::TooManyAttempts)
    )
)]
async fn login(
    State(state): State<AppState>,
    Json(request): Json<LoginRequest>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    check_lengths(&request.login, &request.password, "/password", password::MAX_LENGTH * 4)?;
    let identifier = normalise_login(&request.login);
    let account = state.identity.find_for_login(&identifier).await?;
    let key = throttle_key(&identifier, account.as_ref());
    let attempt = begin_attempt(&state, &key, account.as_ref(), AuthenticationStage::Password).await?;

    let stored = account.as_ref().and_then(|account| account.password_hash.clone());
    let matches = password_matches(&state, request.password.clone(), stored.clone()).await?;
    let account = match account {
        Some(account) if matches && account.status == ACTIVE => account,
        account => {
            let reason = match &account {
                None => FailureReason::UnknownAccount,
                Some(_) if !matches => FailureReason::WrongPassword,
                Some(_) => FailureReason::AccountNotActive,
            };
            return Err(fail(&state, &key, attempt, account.as_ref(), AuthenticationStage::Password, reason).await?);
        }
    };
    if stored.as_deref().is_some_and(password::needs_rehash) {
        let password = request.password;
        if let Ok(Ok(rehashed)) = tokio::task::spawn_blocking(move || password::hash(&password)).await {
            state.identity.set_password_hash(&account.id, &rehashed).await?;
        }
    }

    let methods = second_factor_methods(&account);
    let principal = principal_of(&account)?;
    if methods.is_empty() {
        if principal.role.is_staff() {
            // Staff always have a contact for codes; an account without one cannot be let in on a
            // password alone.
            return Err(ApiError::Internal("a staff account without a second factor".into()));
        }
        // The password was the whole login: only now are the failures forgotten.
        state.identity.clear_failures(&key).await?;
        let tokens = open_session(&state, &account, None).await?;
        return Ok(axum::Json(serde_json::to_value(LoginResponse::Session(tokens)).unwrap_or_default()));
    }

    // The password was right: this attempt is not a failure, and the second factor is counted on its own.
    state.identity.forgive_attempt(&key, now_micros()).await?;

    // A code is sent only to accounts without an authenticator app, so that logging in with an app
    // does not also send an SMS every time.
    let challenge_id = Uuid::now_v7();
    let now = now_micros();
    let send = if account.totp_secret.is_none() { otp_method(&account) } else { None };
    let mut code_hash = None;
    if let Some(method) = send {
        let code = new_login_code();
        code_hash = Some((hash_code(&code), method_name(method)));
        send_code(&state, &account, method, &code).await?;
    }
    state
        .identity
        .create_challenge(
            challenge_id,
            &account.id,
            code_hash.as_ref().map(|(hash, method)| (hash.as_str(), *method)),
            micros_after(now, identity::CHALLENGE_TTL),
            now,
        )
        .await?;
    let challenged = SecondFactorChallenged {
        account_id: principal.account_id,
        challenge_id,
        methods: methods.clone(),
        code_sent_by: send,
    };
    record(
        &state,
        StreamId::account(principal.account_id),
        ExpectedVersion::Any,
        actor_for(Some(&account)),
        &challenged,
    )
    .await?;
    let challenge = Challenge {
        second_factor_required: true,
        challenge_id,
        methods,
        code_sent_by: send,
        expires_in: identity::CHALLENGE_TTL.as_secs(),
    };
    Ok(axum::Json(serde_json::to_value(LoginResponse::SecondFactor(challenge)).unwrap_or_default()))
}

/// The second factors an account can prove.
/// With an authenticator app enrolled, the app and the recovery codes are the second factor (no code
/// is sent, so none is offered); otherwise codes by SMS or e-mail, if the account receives them.
pub fn second_factor_methods(account: &AccountRow) -> Vec<SecondFactorMethod> {
    if account.totp_secret.is_some() {
        return vec![SecondFactorMethod::Totp, SecondFactorMethod::RecoveryCode];
    }
    otp_method(account).into_iter().collect()
}

/// Where the account's one-time codes go, if it receives them.
fn otp_method(account: &AccountRow) -> Option<SecondFactorMethod> {
    match account.otp_channel.as_deref() {
        Some("sms") if account.phone.is_some() => Some(SecondFactorMethod::Sms),
        Some("email") if account.email.is_some() => Some(SecondFactorMethod::Email),
        _ => None,
    }
}

fn method_name(method: SecondFactorMethod) -> &'static str {
    match method {
        SecondFactorMethod::Totp => "totp",
        SecondFactorMethod::Sms => "sms",
        SecondFactorMethod::Email => "email",
        SecondFactorMethod::RecoveryCode => "recovery_code",
    }
}

/// Queues a login code in the notification outbox.
async fn send_code(
    state: &AppState,
    account: &AccountRow,
    method: SecondFactorMethod,
    code: &str,
) -> Result<(), ApiError> {
    let minutes = identity::CHALLENGE_TTL.as_secs() / 60;
    let body = format!(
        "CloudMedi: your login code is {code}. It expires in {minutes} minutes. Nobody from CloudMedi will ever ask you for it."
    );
    let (channel, recipient, subject) = match method {
        SecondFactorMethod::Sms => (ChannelKind::Sms, account.phone.clone(), None),
        _ => (ChannelKind::Email, account.email.clone(), Some("Your CloudMedi login code".to_owned())),
    };
    let recipient = recipient.ok_or_else(|| ApiError::Internal("no address for the login code".into()))?;
    state.outbox.enqueue(&Message { channel, recipient, subject, body, not_before: None }).await?;
    Ok(())
}

/// Records the login, then opens the session (in that order: no session exists without its event).
async fn open_session(
    state: &AppState,
    account: &AccountRow,
    second_factor: Option<SecondFactorMethod>,
) -> Result<SessionTokens, ApiError> {
    let principal = principal_of(account)?;
    let session_id = Uuid::now_v7();
    let succeeded = LoginSucceeded { account_id: principal.account_id, session_id, second_factor };
    record(state, StreamId::account(principal.account_id), ExpectedVersion::Any, actor_for(Some(account)), &succeeded)
        .await?;
    let (access, access_hash) = tokens::new_token();
    let (refresh, refresh_hash) = tokens::new_token();
    let now = now_micros();
    let opened = state
        .identity
        .create_session(
            session_id,
            &account.id,
            &hex::encode(access_hash),
            micros_after(now, state.lifetimes.access),
            &hex::encode(refresh_hash),
            micros_after(now, state.lifetimes.refresh),
            now,
        )
        .await?;
    if !opened {
        // Suspended between the checks and now: the suspension wins, and the record says so.
        record_failure(state, Some(account), AuthenticationStage::SecondFactor, FailureReason::AccountNotActive)
            .await?;
        return Err(ApiError::InvalidCredentials);
    }
    Ok(tokens_response(state, access, refresh, &principal))
}

fn tokens_response(
    state: &AppState,
    access: String,
    refresh: String,
    principal: &domain::access::Principal,
) -> SessionTokens {
    SessionTokens {
        access_token: access,
        token_type: "Bearer",
        expires_in: state.lifetimes.access.as_secs(),
        refresh_token: refresh,
        refresh_expires_in: state.lifetimes.refresh.as_secs(),
        account: AccountSummary {
            id: principal.account_id,
            role: principal.role,
            facility_id: principal.facility_id,
            patient_id: principal.patient_id,
        },
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SecondFactorRequest {
    /// The challenge the login answered with.
    challenge_id: Uuid,
    /// One of the challenge's methods.
    method: SecondFactorMethod,
    /// The code from the app, the SMS or the e-mail, or a recovery code.
    code: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/login/second-factor",
    tag = "auth",
    summary = "Prove the second factor and open the session",
    description = "Answers a login's challenge with a code from an authenticator app, a code sent by SMS or \
        e-mail, or one of the account's recovery codes. Each code and each challenge works once.",
    request_body = SecondFactorRequest,
    responses(
        (status = 200, description = "The session is open.", body = SessionTokens),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The code is empty or too long, or the body is malformed."),
        (status = 401, response = crate::document::CredentialsNotAccepted),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 429, response = crate::document::TooManyAttempts)
    )
)]
async fn second_factor(
    State(state): State<AppState>,
    Json(request): Json<SecondFactorRequest>,
) -> Result<axum::Json<SessionTokens>, ApiError> {
    if request.code.trim().is_empty() || request.code.chars().count() > CODE_MAX {
        return Err(ApiError::invalid_field("/code", format!("must be 1 to {CODE_MAX} characters")));
    }
    let now = now_micros();
    let challenge =
        state.identity.attempt_challenge(&request.challenge_id.to_string(), now, identity::CHALLENGE_ATTEMPTS).await?;
    let Some(challenge) = challenge else {
        let failed = LoginFailed {
            account_id: None,
            stage: AuthenticationStage::SecondFactor,
            reason: FailureReason::ExpiredCode,
        };
        record(&state, StreamId::anonymous_logins(), ExpectedVersion::Any, Actor::system(), &failed).await?;
        return Err(ApiError::InvalidCredentials);
    };
    let account = state.identity.get(&challenge.account_id).await?;
    let Some(account) = account.filter(|account| account.status == ACTIVE) else {
        // Suspended between the password and the code: nothing to count against, only to record.
        let failed = LoginFailed {
            account_id: Uuid::parse_str(&challenge.account_id).ok(),
            stage: AuthenticationStage::SecondFactor,
            reason: FailureReason::AccountNotActive,
        };
        let stream = StreamId::account(stored_uuid(&challenge.account_id)?);
        record(&state, stream, ExpectedVersion::Any, Actor::system(), &failed).await?;
        return Err(ApiError::InvalidCredentials);
    };
    let key = throttle_key(&account.login, Some(&account));
    let attempt = begin_attempt(&state, &key, Some(&account), AuthenticationStage::SecondFactor).await?;

    let proven = match request.method {
        SecondFactorMethod::Totp => match account.totp_secret.as_deref().and_then(decode_secret) {
            Some(secret) => {
                let last = account.totp_last_step.and_then(|step| u64::try_from(step).ok());
                match totp::verify(&secret, &request.code, unix_seconds(now), last) {
                    Some(step) => {
                        state.identity.use_totp_step(&account.id, i64::try_from(step).unwrap_or(i64::MAX)).await?
                    }
                    None => false,
                }
            }
            None => false,
        },
        SecondFactorMethod::Sms | SecondFactorMethod::Email => {
            account.totp_secret.is_none()
                && challenge.code_method.as_deref() == Some(method_name(request.method))
                && challenge
                    .code_hash
                    .as_deref()
                    .is_some_and(|stored| bool::from(stored.as_bytes().ct_eq(hash_code(&request.code).as_bytes())))
        }
        SecondFactorMethod::RecoveryCode => {
            account.totp_secret.is_some()
                && state.identity.use_recovery_code(&account.id, &totp::hash_recovery_code(&request.code), now).await?
        }
    };
    if !proven || !state.identity.consume_challenge(&challenge.id, now).await? {
        let reason = FailureReason::WrongCode;
        return Err(fail(&state, &key, attempt, Some(&account), AuthenticationStage::SecondFactor, reason).await?);
    }
    state.identity.clear_failures(&key).await?;
    Ok(axum::Json(open_session(&state, &account, Some(request.method)).await?))
}

/// Hashes a new password off the async workers, under the same bound as checking one.
pub(crate) async fn hash_password(state: &AppState, password: String) -> Result<String, ApiError> {
    let _permit =
        state.hashing.acquire().await.map_err(|_| ApiError::Unavailable { detail: "shutting down".into() })?;
    tokio::task::spawn_blocking(move || password::hash(&password))
        .await
        .map_err(|error| ApiError::Internal(format!("password hashing: {error}")))?
        .map_err(|error| ApiError::Internal(format!("password hashing: {error}")))
}

/// A stored TOTP secret (standard base64).
pub fn decode_secret(stored: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::STANDARD.decode(stored).ok()
}

fn unix_seconds(micros: i64) -> u64 {
    u64::try_from(micros / 1_000_000).unwrap_or(0)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RefreshRequest {
    refresh_token: String,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/refresh",
    tag = "auth",
    summary = "Exchange a refresh token for new tokens",
    description = "Rotates the session's tokens: the refresh token presented is spent, and presenting it again \
        ends the session, since only a stolen copy would be presented twice.",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New tokens for the same session.", body = SessionTokens),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The body is malformed."),
        (status = 401, response = crate::document::CredentialsNotAccepted),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 429, response = crate::document::TooManyAttempts)
    )
)]
async fn refresh(
    State(state): State<AppState>,
    Json(request): Json<RefreshRequest>,
) -> Result<axum::Json<SessionTokens>, ApiError> {
    if request.refresh_token.is_empty() || request.refresh_token.len() > 128 {
        return Err(ApiError::InvalidCredentials);
    }
    let (access, access_hash) = tokens::new_token();
    let (refresh, refresh_hash) = tokens::new_token();
    let now = now_micros();
    let rotation = state
        .identity
        .rotate(
            &hash_token(&request.refresh_token),
            (&hex::encode(access_hash), micros_after(now, state.lifetimes.access)),
            &hex::encode(refresh_hash),
            now,
        )
        .await?;
    match rotation {
        Rotation::Rotated { account_id, .. } => {
            let account = state.identity.get(&account_id).await?.ok_or(ApiError::InvalidCredentials)?;
            Ok(axum::Json(tokens_response(&state, access, refresh, &principal_of(&account)?)))
        }
        Rotation::Reused { session_id, account_id } => {
            let account = state.identity.get(&account_id).await?;
            let reused =
                RefreshTokenReused { account_id: stored_uuid(&account_id)?, session_id: stored_uuid(&session_id)? };
            let stream = StreamId::account(stored_uuid(&account_id)?);
            record(&state, stream, ExpectedVersion::Any, actor_for(account.as_ref()), &reused).await?;
            tracing::warn!("command_api.auth.refresh_token_reused");
            Err(ApiError::InvalidCredentials)
        }
        Rotation::Unknown => Err(ApiError::InvalidCredentials),
    }
}

/// Ends the session the request came from.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    summary = "End this session",
    responses(
        (status = 204, description = "The session has ended; its tokens no longer work."),
        (status = 401, response = crate::document::Unauthenticated)
    ),
    security(("bearer" = []))
)]
async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    end_sessions(&state, &caller, LogoutScope::ThisSession).await
}

/// Ends every session of the caller's account, on every device.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout-all",
    tag = "auth",
    summary = "End every session of the account, on every device",
    responses(
        (status = 204, description = "Every session of the account has ended."),
        (status = 401, response = crate::document::Unauthenticated)
    ),
    security(("bearer" = []))
)]
async fn logout_all(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ApiError> {
    end_sessions(&state, &caller, LogoutScope::AllSessions).await
}

async fn end_sessions(state: &AppState, caller: &Caller, scope: LogoutScope) -> Result<StatusCode, ApiError> {
    let now = now_micros();
    // Access ends first; the record follows.
    let revoked = match scope {
        LogoutScope::AllSessions => state.identity.revoke_all(&caller.account.id, now).await?,
        LogoutScope::ThisSession => u32::from(state.identity.revoke_session(&caller.session_id, now).await?),
    };
    let logged_out = LoggedOut {
        account_id: caller.principal.account_id,
        session_id: stored_uuid(&caller.session_id)?,
        scope,
        sessions_revoked: revoked,
    };
    record(state, StreamId::account(caller.principal.account_id), ExpectedVersion::Any, caller.actor(), &logged_out)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ActivationRequest)]
struct ActivateRequest {
    /// The login the account was issued with: a professional ID, or a patient's health ID.
    login: String,
    /// The one-time code sent to the person (or printed for them) when the account was issued.
    activation_code: String,
    /// The password the person chooses.
    password: String,
}

/// An account that was activated.
#[derive(Serialize, ToSchema)]
#[schema(as = ActivatedAccount)]
struct Activated {
    account_id: Uuid,
    role: Role,
    /// Whether logging in will ask for a second factor.
    second_factor_required: bool,
}

#[utoipa::path(
    post,
    path = "/api/v1/auth/activate",
    tag = "auth",
    summary = "Activate an issued account and choose its password",
    description = "An account issued by an administrator or at a patient's registration is activated with its \
        one-time code, which works once. Logging in comes next.",
    request_body = ActivateRequest,
    responses(
        (status = 200, description = "The account is active.", body = Activated),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "A field is empty or too long, or the password does not meet the policy \
                (the field error says why)."),
        (status = 401, response = crate::document::CredentialsNotAccepted),
        (status = 415, response = crate::document::UnsupportedMediaType),
        (status = 429, response = crate::document::TooManyAttempts)
    )
)]
async fn activate(
    State(state): State<AppState>,
    Json(request): Json<ActivateRequest>,
) -> Result<(StatusCode, axum::Json<Activated>), ApiError> {
    check_lengths(&request.login, &request.activation_code, "/activation_code", CODE_MAX)?;
    let identifier = normalise_login(&request.login);
    // The policy does not depend on the account, so it is checked before anything is looked up.
    if let Err(problem) = password::check_policy(&request.password, &identifier) {
        return Err(ApiError::invalid_field("/password", problem.to_string()));
    }
    let account = state.identity.find_for_login(&identifier).await?;
    let key = throttle_key(&identifier, account.as_ref());
    let attempt = begin_attempt(&state, &key, account.as_ref(), AuthenticationStage::Activation).await?;
    let now = now_micros();
    let code_hash = hash_code(&request.activation_code);
    let account = match account {
        Some(account)
            if account.status == ISSUED
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
                Some(account) if account.status != ISSUED => FailureReason::AccountNotActive,
                Some(account) if account.activation_expires_at.is_some_and(|expires| expires <= now) => {
                    FailureReason::ExpiredCode
                }
                Some(_) => FailureReason::WrongCode,
            };
            return Err(fail(&state, &key, attempt, account.as_ref(), AuthenticationStage::Activation, reason).await?);
        }
    };
    let password_hash = hash_password(&state, request.password).await?;
    let principal = principal_of(&account)?;
    // The code is used up by one conditional statement, so of two requests racing with it exactly one
    // activates the account; that one records it, and undoes the activation if it cannot.
    if !state.identity.activate(&account.id, &code_hash, &password_hash, now).await? {
        return Err(ApiError::InvalidCredentials);
    }
    let activated =
        AccountActivated { account_id: principal.account_id, role: principal.role, patient_id: principal.patient_id };
    let actor = actor_for(Some(&account));
    if let Err(error) =
        record(&state, StreamId::account(principal.account_id), ExpectedVersion::Any, actor, &activated).await
    {
        let expires = account.activation_expires_at.unwrap_or(now);
        state.identity.undo_activation(&account.id, &code_hash, expires).await?;
        return Err(error);
    }
    state.identity.clear_failures(&key).await?;
    let second_factor_required = !second_factor_methods(&account).is_empty();
    Ok((
        StatusCode::OK,
        axum::Json(Activated { account_id: principal.account_id, role: principal.role, second_factor_required }),
    ))
}
