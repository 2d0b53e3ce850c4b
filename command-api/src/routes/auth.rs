//! Logging in and out: password, second factor, token refresh and rotation, logout, and activating an
//! issued account.
//!
//! Every answer to a failed attempt is the same `401` ("credentials not accepted"), whatever failed —
//! an unknown login, a wrong password, a suspended account, a wrong or replayed code — and lockouts
//! count failures per identifier whether or not an account has it, so nothing here says which accounts
//! exist. The precise reason goes to the ledger, for the audit trail.

use crate::CommandState;
use application::login::{self, Activated as Account, LoginOutcome, Session};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use event_schema::events::account::LogoutScope;
use http_shell::attempts::AttemptRate;
use http_shell::authn::Caller;
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use http_shell::json::Json;
use http_shell::vocabulary::{Role, SecondFactorMethod};
use identity::password;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// The routes; with `rate`, the unauthenticated ones are limited per client address (which needs the
/// server to provide each connection's address, as `cloudmedi serve` does).
pub fn router(rate: Option<AttemptRate>) -> OpenApiRouter<CommandState> {
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
    /// A health ID, a national ID card number, or a professional ID: 1 to 64 characters; one that is all white space is a 422.
    #[schema(min_length = 1, max_length = 64)]
    login: String,
    /// 1 to 512 characters.
    #[schema(min_length = 1, max_length = 512)]
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

impl From<Session> for SessionTokens {
    fn from(session: Session) -> Self {
        SessionTokens {
            access_token: session.access_token,
            token_type: "Bearer",
            expires_in: session.access_expires_in,
            refresh_token: session.refresh_token,
            refresh_expires_in: session.refresh_expires_in,
            account: AccountSummary {
                id: session.principal.account_id,
                role: session.principal.role.into(),
                facility_id: session.principal.facility_id,
                patient_id: session.principal.patient_id,
            },
        }
    }
}

impl From<login::Challenge> for Challenge {
    fn from(challenge: login::Challenge) -> Self {
        Challenge {
            second_factor_required: true,
            challenge_id: challenge.challenge_id,
            methods: challenge.methods.into_iter().map(SecondFactorMethod::from).collect(),
            code_sent_by: challenge.code_sent_by.map(SecondFactorMethod::from),
            expires_in: challenge.expires_in,
        }
    }
}

/// The lengths the document states, as it counts them (characters, white space included): a field
/// outside them is a 400. A login that is all white space keeps to the schema, whose patterns cannot say
/// "not blank" the way the server reads white space, so it is a 422.
fn check_lengths(login: &str, secret: &str, secret_field: &str, secret_max: usize) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if login.is_empty() || login.chars().count() > LOGIN_MAX {
        errors.push(http_shell::error::FieldError {
            field: "/login".into(),
            message: format!("must be 1 to {LOGIN_MAX} characters"),
        });
    }
    if secret.is_empty() || secret.chars().count() > secret_max {
        errors.push(http_shell::error::FieldError {
            field: secret_field.into(),
            message: format!("must be 1 to {secret_max} characters"),
        });
    }
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    if login.trim().is_empty() {
        return Err(ApiError::rule_violated("/login", "must not be only white space"));
    }
    Ok(())
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
        (status = 401, response = http_shell::document::CredentialsNotAccepted),
        (status = 415, response = http_shell::document::UnsupportedMediaType),
        (status = 429, response = http_shell::document::TooManyAttempts)
    )
)]
async fn login(
    State(state): State<CommandState>,
    Json(request): Json<LoginRequest>,
) -> Result<axum::Json<LoginResponse>, ApiError> {
    check_lengths(&request.login, &request.password, "/password", password::MAX_LENGTH * 4)?;
    Ok(axum::Json(match state.application.log_in(&request.login, request.password).await? {
        LoginOutcome::Session(session) => LoginResponse::Session(SessionTokens::from(session)),
        LoginOutcome::SecondFactor(challenge) => LoginResponse::SecondFactor(Challenge::from(challenge)),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct SecondFactorRequest {
    /// The challenge the login answered with.
    challenge_id: Uuid,
    /// One of the challenge's methods.
    method: SecondFactorMethod,
    /// The code from the app, the SMS or the e-mail, or a recovery code: 1 to 32 characters; one that is all white space is a 422.
    #[schema(min_length = 1, max_length = 32)]
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
        (status = 401, response = http_shell::document::CredentialsNotAccepted),
        (status = 415, response = http_shell::document::UnsupportedMediaType),
        (status = 429, response = http_shell::document::TooManyAttempts)
    )
)]
async fn second_factor(
    State(state): State<CommandState>,
    Json(request): Json<SecondFactorRequest>,
) -> Result<axum::Json<SessionTokens>, ApiError> {
    if request.code.is_empty() || request.code.chars().count() > CODE_MAX {
        return Err(ApiError::invalid_field("/code", format!("must be 1 to {CODE_MAX} characters")));
    }
    if request.code.trim().is_empty() {
        return Err(ApiError::rule_violated("/code", "must not be only white space"));
    }
    let session =
        state.application.prove_second_factor(request.challenge_id, request.method.into(), &request.code).await?;
    Ok(axum::Json(SessionTokens::from(session)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct RefreshRequest {
    /// The refresh token of the session's last login or refresh.
    #[schema(min_length = 1, max_length = 128)]
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
        (status = 401, response = http_shell::document::CredentialsNotAccepted),
        (status = 415, response = http_shell::document::UnsupportedMediaType),
        (status = 429, response = http_shell::document::TooManyAttempts)
    )
)]
async fn refresh(
    State(state): State<CommandState>,
    Json(request): Json<RefreshRequest>,
) -> Result<axum::Json<SessionTokens>, ApiError> {
    if request.refresh_token.is_empty() || request.refresh_token.len() > 128 {
        return Err(ApiError::InvalidCredentials);
    }
    Ok(axum::Json(SessionTokens::from(state.application.refresh_session(&request.refresh_token).await?)))
}

/// Ends the session the request came from.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    summary = "End this session",
    responses(
        (status = 204, description = "The session has ended; its tokens no longer work."),
        (status = 401, response = http_shell::document::Unauthenticated)
    ),
    security(("bearer" = []))
)]
async fn logout(State(state): State<CommandState>, caller: Caller) -> Result<StatusCode, ApiError> {
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
        (status = 401, response = http_shell::document::Unauthenticated)
    ),
    security(("bearer" = []))
)]
async fn logout_all(State(state): State<CommandState>, caller: Caller) -> Result<StatusCode, ApiError> {
    end_sessions(&state, &caller, LogoutScope::AllSessions).await
}

async fn end_sessions(state: &CommandState, caller: &Caller, scope: LogoutScope) -> Result<StatusCode, ApiError> {
    state.application.log_out(&caller.account, &caller.session_id, &caller.principal, scope).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = ActivationRequest)]
struct ActivateRequest {
    /// The login the account was issued with: a professional ID, or a patient's health ID (1 to 64 characters; one that is all white space is a 422).
    #[schema(min_length = 1, max_length = 64)]
    login: String,
    /// The one-time code sent to the person (or printed for them) when the account was issued (1 to 32 characters).
    #[schema(min_length = 1, max_length = 32)]
    activation_code: String,
    /// The password the person chooses, 12 to 128 characters; the rest of the policy (not among the commonest passwords, not the login) is checked on the server, and a password that breaks it is a 422 naming the rule.
    #[schema(min_length = 12, max_length = 128)]
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
            description = "A field is empty or too long (`/problems/invalid-request`)."),
        (status = 401, response = http_shell::document::CredentialsNotAccepted),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The password breaks the policy; the field error says which rule (`/problems/rule-violated`)."),
        (status = 415, response = http_shell::document::UnsupportedMediaType),
        (status = 429, response = http_shell::document::TooManyAttempts)
    )
)]
async fn activate(
    State(state): State<CommandState>,
    Json(request): Json<ActivateRequest>,
) -> Result<(StatusCode, axum::Json<Activated>), ApiError> {
    check_lengths(&request.login, &request.activation_code, "/activation_code", CODE_MAX)?;
    let activated = state.application.activate(&request.login, &request.activation_code, request.password).await?;
    let Account { principal, second_factor_required } = activated;
    Ok((
        StatusCode::OK,
        axum::Json(Activated { account_id: principal.account_id, role: principal.role.into(), second_factor_required }),
    ))
}
