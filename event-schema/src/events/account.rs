//! Accounts and authentication: every account created, login, failed login, lockout, second-factor
//! challenge and logout, so that every connection to the system can be traced.
//!
//! Events about a known account go to its stream, `account:<account_id>`; failed logins for an
//! identifier that matches no account go to [`ANONYMOUS_STREAM`]. No event carries a password, a code,
//! a token, or the identifier someone typed (it may be a mistyped password).

use crate::{EventPayload, Role, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The stream of failed logins that matched no account.
pub const ANONYMOUS_STREAM: &str = "auth:anonymous";

/// A way of proving the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecondFactorMethod {
    /// A time-based code from an authenticator app (RFC 6238).
    Totp,
    /// A one-time code sent by SMS.
    Sms,
    /// A one-time code sent by e-mail.
    Email,
    /// One of the account's single-use recovery codes.
    RecoveryCode,
}

/// The step of authentication that failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthenticationStage {
    Password,
    SecondFactor,
    Activation,
}

/// Why an authentication step failed. The caller is only ever told that the credentials were not
/// accepted; the precise reason is for the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    UnknownAccount,
    WrongPassword,
    /// The account is issued but not activated, or suspended.
    AccountNotActive,
    /// The identifier is locked out after repeated failures; the attempt was not checked.
    LockedOut,
    WrongCode,
    /// The challenge or activation code expired, was used up, or does not exist.
    ExpiredCode,
}

/// Someone created the account issued to them, by proving its one-time activation code and choosing a
/// password. For a patient this is the patient's account being created; for staff, the account issued
/// by their administrator being taken up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountActivated {
    pub account_id: Uuid,
    pub role: Role,
    /// For a patient's account, the patient record it gives access to.
    pub patient_id: Option<Uuid>,
}

impl EventPayload for AccountActivated {
    const EVENT_TYPE: &'static str = "account.activated";
    const SCHEMA_VERSION: u32 = 1;
}

/// An account now proves its second factor this way as well (an authenticator app enrolled, or one-time
/// codes by SMS or e-mail turned on).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorEnrolled {
    pub account_id: Uuid,
    pub method: SecondFactorMethod,
}

impl EventPayload for SecondFactorEnrolled {
    const EVENT_TYPE: &'static str = "account.second_factor_enrolled";
    const SCHEMA_VERSION: u32 = 1;
}

/// The account's owner changed its password, proving the current one. Neither password nor any hash
/// of one is recorded: only that it changed, by whom and when. Every session of the account ends
/// with it (`auth.logged_out`, all sessions, in the same append).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChanged {
    pub account_id: Uuid,
}

impl EventPayload for PasswordChanged {
    const EVENT_TYPE: &'static str = "account.password_changed";
    const SCHEMA_VERSION: u32 = 1;
}

/// A login passed its password check and must now prove a second factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecondFactorChallenged {
    pub account_id: Uuid,
    pub challenge_id: Uuid,
    /// The methods the challenge accepts.
    pub methods: Vec<SecondFactorMethod>,
    /// Where a one-time code was sent for this challenge, if one was.
    pub code_sent_by: Option<SecondFactorMethod>,
}

impl EventPayload for SecondFactorChallenged {
    const EVENT_TYPE: &'static str = "auth.second_factor_challenged";
    const SCHEMA_VERSION: u32 = 1;
}

/// A login succeeded and opened a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginSucceeded {
    pub account_id: Uuid,
    pub session_id: Uuid,
    /// The second factor proven, if the login needed one.
    pub second_factor: Option<SecondFactorMethod>,
}

impl EventPayload for LoginSucceeded {
    const EVENT_TYPE: &'static str = "auth.login_succeeded";
    const SCHEMA_VERSION: u32 = 1;
}

/// An authentication step failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginFailed {
    /// The account concerned, when the identifier matched one.
    pub account_id: Option<Uuid>,
    pub stage: AuthenticationStage,
    pub reason: FailureReason,
}

impl EventPayload for LoginFailed {
    const EVENT_TYPE: &'static str = "auth.login_failed";
    const SCHEMA_VERSION: u32 = 1;
}

/// Repeated failures locked an account's identifier out of logging in for a while.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountLockedOut {
    pub account_id: Uuid,
    /// Failures in a row that caused the lockout.
    pub failures: u32,
    pub locked_until: Timestamp,
}

impl EventPayload for AccountLockedOut {
    const EVENT_TYPE: &'static str = "auth.locked_out";
    const SCHEMA_VERSION: u32 = 1;
}

/// Which sessions a logout ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogoutScope {
    ThisSession,
    AllSessions,
}

/// An account logged out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LoggedOut {
    pub account_id: Uuid,
    /// The session the request came from.
    pub session_id: Uuid,
    pub scope: LogoutScope,
    pub sessions_revoked: u32,
}

impl EventPayload for LoggedOut {
    const EVENT_TYPE: &'static str = "auth.logged_out";
    const SCHEMA_VERSION: u32 = 1;
}

/// A refresh token that had already been exchanged was presented again: it was stolen or leaked, so
/// the session it belonged to was revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshTokenReused {
    pub account_id: Uuid,
    pub session_id: Uuid,
}

impl EventPayload for RefreshTokenReused {
    const EVENT_TYPE: &'static str = "auth.refresh_token_reused";
    const SCHEMA_VERSION: u32 = 1;
}
