//! The caller's own account: who they are, their password, and their second factors (enrolling an
//! authenticator app with recovery codes, or receiving one-time codes by SMS or e-mail).

use crate::CommandState;
use application::login::second_factor_methods;
use axum::extract::State;
use http_shell::authn::Caller;
use http_shell::error::{ApiError, Problem, PROBLEM_JSON};
use http_shell::json::Json;
use http_shell::vocabulary::{Role, SecondFactorMethod};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

pub fn router() -> OpenApiRouter<CommandState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(start_totp))
        .routes(routes!(confirm_totp))
        .routes(routes!(set_code_channel))
        .routes(routes!(change_password))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = PasswordChange)]
struct ChangePassword {
    /// The account's current password, 1 to 512 characters.
    #[schema(min_length = 1, max_length = 512)]
    password: String,
    /// The new password: 12 to 128 characters, not the login, not a password known to be common.
    #[schema(min_length = 12, max_length = 128)]
    new_password: String,
}

/// What changing the password did.
#[derive(Serialize, ToSchema)]
#[schema(as = PasswordChanged)]
struct PasswordChangedAnswer {
    /// How many sessions of the account ended, the caller's own included.
    sessions_ended: u32,
}

#[utoipa::path(
    post,
    path = "/api/v1/me/password",
    tag = "me",
    summary = "Change the account's password",
    description = "Needs the current password (a wrong one counts towards the account's lockout). The new \
        one is checked against the password policy first, so a mistake in it costs no attempt. Then every \
        session of the account ends, the caller's own too: log in again with the new password. The ledger \
        records that the password changed (never the password), and the owner is told through their usual \
        channel.",
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Changed; every session has ended.", body = PasswordChangedAnswer),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "A password is missing or of an impossible length (fields `/password`, `/new_password`)."),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The new password breaks the policy (field `/new_password`: the rule broken), or the \
                current one is not the account's (field `/password`); `/problems/rule-violated`."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 415, response = http_shell::document::UnsupportedMediaType),
        (status = 429, response = http_shell::document::TooManyAttempts)
    ),
    security(("bearer" = []))
)]
async fn change_password(
    State(state): State<CommandState>,
    caller: Caller,
    Json(request): Json<ChangePassword>,
) -> Result<axum::Json<PasswordChangedAnswer>, ApiError> {
    check_password_length(&request.password)?;
    let changed = state
        .application
        .change_password(&caller.account, &caller.principal, &caller.session_id, request.password, request.new_password)
        .await?;
    Ok(axum::Json(PasswordChangedAnswer { sessions_ended: changed.sessions_ended }))
}

/// The caller's account.
#[derive(Serialize, ToSchema)]
struct Me {
    account_id: Uuid,
    /// What the person logs in with: a professional ID, or a patient's health ID.
    login: String,
    role: Role,
    /// The facility a member of staff works at; `null` for patients and national roles.
    facility_id: Option<Uuid>,
    /// The patient the account belongs to, for a patient's account.
    patient_id: Option<Uuid>,
    family_name: String,
    given_names: String,
    /// The second factors a login can prove; empty when the password alone logs in.
    second_factors: Vec<SecondFactorMethod>,
}

#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "me",
    summary = "The caller's account",
    responses(
        (status = 200, description = "Who the caller is.", body = Me),
        (status = 401, response = http_shell::document::Unauthenticated)
    ),
    security(("bearer" = []))
)]
async fn me(caller: Caller) -> axum::Json<Me> {
    axum::Json(Me {
        account_id: caller.principal.account_id,
        login: caller.account.login.clone(),
        role: caller.principal.role.into(),
        facility_id: caller.principal.facility_id,
        patient_id: caller.principal.patient_id,
        family_name: caller.account.family_name.clone(),
        given_names: caller.account.given_names.clone(),
        second_factors: second_factor_methods(&caller.account).into_iter().map(SecondFactorMethod::from).collect(),
    })
}

/// A new authenticator app secret, not in use until a code made with it is confirmed.
#[derive(Serialize, ToSchema)]
struct TotpEnrolment {
    /// The secret in base 32, for typing into an app by hand.
    secret: String,
    /// The `otpauth://` URI to show as a QR code.
    otpauth_uri: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Reauthentication {
    /// The account's password again: a stolen access token alone must not be enough to change how the
    /// account proves who it is. 1 to 512 characters.
    #[schema(min_length = 1, max_length = 512)]
    password: String,
}

/// A password of a plausible length, before anything is checked.
fn check_password_length(password: &str) -> Result<(), ApiError> {
    if password.is_empty() || password.chars().count() > identity::password::MAX_LENGTH * 4 {
        return Err(ApiError::invalid_field("/password", "must be the account's password"));
    }
    Ok(())
}

/// Starts enrolling an authenticator app: a fresh secret, active only once a code made with it is
/// confirmed. Needs the password again.
#[utoipa::path(
    post,
    path = "/api/v1/me/totp",
    tag = "me",
    summary = "Start enrolling an authenticator app",
    description = "Answers with a fresh secret to show as a QR code or type into the app. It replaces the \
        current second factor only once `POST /api/v1/me/totp/confirm` proves the app makes codes with it. \
        Needs the account's password again; a wrong one counts towards the account's lockout.",
    request_body = Reauthentication,
    responses(
        (status = 200, description = "The secret to enrol.", body = TotpEnrolment),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The password is missing or too long (field `/password`)."),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The password is not the account's (field `/password`, `/problems/rule-violated`)."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 415, response = http_shell::document::UnsupportedMediaType),
        (status = 429, response = http_shell::document::TooManyAttempts)
    ),
    security(("bearer" = []))
)]
async fn start_totp(
    State(state): State<CommandState>,
    caller: Caller,
    Json(request): Json<Reauthentication>,
) -> Result<axum::Json<TotpEnrolment>, ApiError> {
    check_password_length(&request.password)?;
    let enrolment = state.application.start_totp_enrolment(&caller.account, request.password).await?;
    Ok(axum::Json(TotpEnrolment { secret: enrolment.secret, otpauth_uri: enrolment.otpauth_uri }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = TotpConfirmation)]
struct ConfirmTotp {
    /// The code the app shows now.
    code: String,
}

/// The account's recovery codes, replacing any earlier ones.
#[derive(Serialize, ToSchema)]
struct RecoveryCodes {
    /// Shown once: each works once, in place of a code from the app.
    recovery_codes: Vec<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/me/totp/confirm",
    tag = "me",
    summary = "Confirm the authenticator app and receive recovery codes",
    description = "A code made by the app with the new secret turns the app on as the account's second \
        factor. The answer holds recovery codes, shown this once; the account's owner is told of the change.",
    request_body = ConfirmTotp,
    responses(
        (status = 200, description = "The app is the account's second factor now.", body = RecoveryCodes),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "The code does not match (field `/code`, `/problems/rule-violated`)."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 409, body = Problem, content_type = PROBLEM_JSON,
            description = "No enrolment is in progress, or it changed meanwhile."),
        (status = 415, response = http_shell::document::UnsupportedMediaType)
    ),
    security(("bearer" = []))
)]
async fn confirm_totp(
    State(state): State<CommandState>,
    caller: Caller,
    Json(request): Json<ConfirmTotp>,
) -> Result<axum::Json<RecoveryCodes>, ApiError> {
    let recovery_codes =
        state.application.confirm_totp_enrolment(&caller.account, &caller.principal, &request.code).await?;
    Ok(axum::Json(RecoveryCodes { recovery_codes }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct CodeChannel {
    method: CodeMethod,
    /// The account's password again, 1 to 512 characters.
    #[schema(min_length = 1, max_length = 512)]
    password: String,
}

/// Where one-time login codes are sent: the phone number or the e-mail address on file.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
enum CodeMethod {
    Sms,
    Email,
}

impl From<CodeMethod> for SecondFactorMethod {
    fn from(method: CodeMethod) -> Self {
        match method {
            CodeMethod::Sms => SecondFactorMethod::Sms,
            CodeMethod::Email => SecondFactorMethod::Email,
        }
    }
}

/// Chooses where one-time login codes are sent (which also turns them on for a patient's account).
#[utoipa::path(
    put,
    path = "/api/v1/me/second-factor",
    tag = "me",
    summary = "Choose where one-time login codes are sent",
    description = "Sends login codes by SMS or e-mail, to the contact on file; for a patient's account this \
        also turns the second factor on. Needs the account's password again; the owner is told of the change.",
    request_body = CodeChannel,
    responses(
        (status = 200, description = "The account as it is now.", body = Me),
        (status = 400, body = Problem, content_type = PROBLEM_JSON,
            description = "The method is not `sms` or `email`, or the password is missing or too long."),
        (status = 422, body = Problem, content_type = PROBLEM_JSON,
            description = "No such contact is on file (field `/method`), or the password is not the \
                account's (field `/password`); `/problems/rule-violated`."),
        (status = 401, response = http_shell::document::Unauthenticated),
        (status = 415, response = http_shell::document::UnsupportedMediaType),
        (status = 429, response = http_shell::document::TooManyAttempts)
    ),
    security(("bearer" = []))
)]
async fn set_code_channel(
    State(state): State<CommandState>,
    caller: Caller,
    Json(request): Json<CodeChannel>,
) -> Result<axum::Json<Me>, ApiError> {
    check_password_length(&request.password)?;
    let method = SecondFactorMethod::from(request.method);
    let channel =
        state.application.set_code_channel(&caller.account, &caller.principal, method.into(), request.password).await?;
    let mut account = caller.account.clone();
    account.otp_channel = Some(channel);
    let caller = Caller { account, ..caller };
    Ok(me(caller).await)
}
