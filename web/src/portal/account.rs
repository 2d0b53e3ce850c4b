//! My account, for any signed-in account (staff as well as patients): signing out everywhere, setting
//! up an authenticator app, and choosing codes by SMS or e-mail. Each calls the application's service
//! exactly as the JSON API's routes do (`/api/v1/auth/logout-all`, `/api/v1/me/totp`,
//! `/api/v1/me/totp/confirm`, `/api/v1/me/second-factor`); a change of second factor needs the password
//! again, so a session left open on a shared computer is not enough to take over the account. The
//! password is changed here too (`Application::change_password`, which the JSON API does not offer):
//! the current one, the new one twice, and every session of the account ends once it is changed.

use super::{messages, navigation, signed_in, ACCOUNT_PATH};
use crate::i18n::Language;
use crate::pages::{check_form, required, sign_in, Field, PageError, Visit};
use crate::session::SignedIn;
use crate::{cookies, WebState};
use application::login::second_factor_methods;
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use event_schema::events::account::{LogoutScope, SecondFactorMethod};
use event_schema::Role;
use identity::password::{self, PasswordProblem};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

pub(crate) const SIGN_OUT_EVERYWHERE_PATH: &str = "/my/account/sign-out-everywhere";
pub(crate) const TOTP_PATH: &str = "/my/account/authenticator";
pub(crate) const TOTP_CONFIRM_PATH: &str = "/my/account/authenticator/confirm";
pub(crate) const CODES_PATH: &str = "/my/account/codes";
pub(crate) const PASSWORD_PATH: &str = "/my/account/password";

/// The longest password accepted to check, in characters (the API's bound).
const PASSWORD_MAX: usize = 512;
/// The longest code accepted, in characters (the API's bound).
const CODE_MAX: usize = 32;

/// What a form of the page was sent with, and what is wrong with it.
#[derive(Default)]
struct Problems {
    notice: Option<String>,
    alert: Option<String>,
    /// The password of the authenticator app's form.
    totp_password: Option<String>,
    /// The password of the codes' form.
    codes_password: Option<String>,
    method: Option<String>,
    /// The fields of the password change's form.
    current_password: Option<String>,
    new_password: Option<String>,
    new_password_again: Option<String>,
}

#[derive(Deserialize)]
pub struct TokenOnly {
    form_token: Option<String>,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    form_token: Option<String>,
    #[serde(default, rename = "totp-password")]
    password: String,
}

#[derive(Deserialize)]
pub struct NewPasswordForm {
    form_token: Option<String>,
    #[serde(default, rename = "current-password")]
    current: String,
    #[serde(default, rename = "new-password")]
    new: String,
    #[serde(default, rename = "new-password-again")]
    again: String,
}

#[derive(Deserialize)]
pub struct CodeForm {
    form_token: Option<String>,
    #[serde(default)]
    code: String,
}

#[derive(Deserialize)]
pub struct ChannelForm {
    form_token: Option<String>,
    #[serde(default)]
    method: String,
    #[serde(default, rename = "codes-password")]
    password: String,
}

pub(crate) async fn page(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let signed_in = match signed_in(&state, &headers, ACCOUNT_PATH).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let visit = Visit::new(&state, &headers);
    overview(&visit, &signed_in, StatusCode::OK, Problems::default())
}

/// The page's frame: the portal's navigation for a patient, a way back to the start page for staff.
fn framed(visit: &Visit, signed_in: &SignedIn, status: StatusCode, title: &str, content: Markup) -> Response {
    let language = visit.language;
    let main = html! {
        @if signed_in.principal.role == Role::Patient {
            (navigation(visit, signed_in, ACCOUNT_PATH))
        } @else {
            p { a href="/" { (language.t("back-home")) } }
        }
        h1 { (title) }
        (content)
    };
    visit.page(status, title, ACCOUNT_PATH, true, main)
}

/// The message naming a second factor.
fn method_name(method: SecondFactorMethod) -> &'static str {
    match method {
        SecondFactorMethod::Totp => id!("method-totp"),
        SecondFactorMethod::Sms => id!("method-sms"),
        SecondFactorMethod::Email => id!("method-email"),
        SecondFactorMethod::RecoveryCode => id!("method-recovery-code"),
    }
}

fn overview(visit: &Visit, signed_in: &SignedIn, status: StatusCode, problems: Problems) -> Response {
    let language = visit.language;
    let account = &signed_in.account;
    let methods = second_factor_methods(account);
    let current = match methods.first() {
        Some(method) => {
            language.t_with("account-second-factor-is", &[("method", language.t(method_name(*method)).into())])
        }
        None => language.t("account-second-factor-none"),
    };
    let change = password_change(visit, &problems);
    let totp_password = password_field("totp-password", language, problems.totp_password);
    let codes_password = password_field("codes-password", language, problems.codes_password);
    let channel = account.otp_channel.map(|channel| channel.as_str());
    let title = language.t("account-title");
    let content = html! {
        (messages(problems.notice.as_deref(), problems.alert.as_deref()))
        dl.identity {
            dt { (language.t("account-login")) }
            dd { (account.login) }
            dt { (language.t("account-second-factor")) }
            dd { (current) }
        }
        section.sessions {
            h2 { (language.t("account-sessions-title")) }
            p { (language.t("account-sessions-intro")) }
            form.page method="post" action=(SIGN_OUT_EVERYWHERE_PATH) {
                (visit.token_field())
                button.primary type="submit" { (language.t("account-sign-out-everywhere")) }
            }
        }
        (change)
        section.authenticator {
            h2 { (language.t("account-totp-title")) }
            p { (language.t("account-totp-intro")) }
            form.page method="post" action=(TOTP_PATH) {
                (visit.token_field())
                (totp_password.render())
                button.primary type="submit" { (language.t("account-totp-start")) }
            }
        }
        section.codes {
            h2 { (language.t("account-codes-title")) }
            @if account.phone.is_none() && account.email.is_none() {
                p.empty { (language.t("account-codes-no-contact")) }
            } @else {
                p { (language.t("account-codes-intro")) }
                form.page method="post" action=(CODES_PATH) {
                    (visit.token_field())
                    fieldset {
                        legend { (language.t("account-codes-method")) }
                        @if let Some(error) = &problems.method { p.error id="method-error" { (error) } }
                        @if account.phone.is_some() {
                            label {
                                input type="radio" name="method" value="sms" checked[channel == Some("sms")];
                                (language.t("method-sms"))
                            }
                        }
                        @if account.email.is_some() {
                            label {
                                input type="radio" name="method" value="email" checked[channel == Some("email")];
                                (language.t("method-email"))
                            }
                        }
                    }
                    (codes_password.render())
                    button.primary type="submit" { (language.t("account-codes-submit")) }
                }
            }
        }
    };
    framed(visit, signed_in, status, &title, content)
}

/// The form to change the password, with the policy's rules named one by one.
fn password_change(visit: &Visit, problems: &Problems) -> Markup {
    let language = visit.language;
    let field = |name: &'static str, label: &'static str, autocomplete: &'static str, error: &Option<String>| Field {
        name,
        label: language.t(label),
        kind: "password",
        value: "",
        hint: (name == "new-password").then(|| language.t("account-new-password-hint")),
        error: error.clone(),
        autocomplete,
    };
    let rules = [
        language.t_with(
            "account-password-rule-length",
            &[("min", password::MIN_LENGTH.into()), ("max", password::MAX_LENGTH.into())],
        ),
        language.t("account-password-rule-common"),
        language.t("account-password-rule-login"),
    ];
    html! {
        section.password aria-labelledby="password-title" {
            h2 id="password-title" { (language.t("account-password-change-title")) }
            p { (language.t("account-password-change-intro")) }
            form.page method="post" action=(PASSWORD_PATH) {
                (visit.token_field())
                (field("current-password", id!("account-current-password"), "current-password", &problems.current_password).render())
                div {
                    p.hint id="password-rules" { (language.t("account-password-rules")) }
                    ul.rules aria-labelledby="password-rules" { @for rule in &rules { li { (rule) } } }
                }
                (field("new-password", id!("account-new-password"), "new-password", &problems.new_password).render())
                (field("new-password-again", id!("account-new-password-again"), "new-password", &problems.new_password_again).render())
                button.primary type="submit" { (language.t("account-password-change-submit")) }
            }
        }
    }
}

/// The message of a password rule broken.
fn broken_rule(language: Language, problem: PasswordProblem) -> String {
    match problem {
        PasswordProblem::TooShort => language.t_with("password-too-short", &[("min", password::MIN_LENGTH.into())]),
        PasswordProblem::TooLong => language.t_with("password-too-long", &[("max", password::MAX_LENGTH.into())]),
        PasswordProblem::TooCommon => language.t("password-too-common"),
        PasswordProblem::ContainsIdentifier => language.t("password-contains-login"),
    }
}

/// Changes the password: the current one again, the new one twice and within the policy (each rule
/// broken named beside it, checked here first). Every session of the account then ends, this one
/// too, and the page says so with the way to sign in again.
pub(crate) async fn change_password(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<NewPasswordForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    let signed_in = match checked(&state, &headers, &visit, form.form_token.as_deref()).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let language = visit.language;
    let mut problems = Problems {
        current_password: required(language, &form.current, PASSWORD_MAX),
        new_password: password::check_policy(&form.new, &signed_in.account.login)
            .err()
            .map(|problem| broken_rule(language, problem)),
        ..Problems::default()
    };
    if problems.new_password.is_none() && form.new != form.again {
        problems.new_password_again = Some(language.t("password-mismatch"));
    }
    if problems.current_password.is_some() || problems.new_password.is_some() || problems.new_password_again.is_some() {
        let problems = Problems { alert: Some(language.t("form-has-errors")), ..problems };
        return overview(&visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, problems);
    }
    let changed = state
        .application
        .change_password(&signed_in.account, &signed_in.principal, &signed_in.session_id, form.current, form.new)
        .await;
    match changed {
        Ok(_) => {
            let title = language.t("account-password-changed-title");
            let main = html! {
                h1 { (title) }
                p.notice role="status" { (language.t("account-password-changed")) }
                p { a href=(sign_in::PATH) { (language.t("account-password-sign-in")) } }
            };
            let mut response = visit.page(StatusCode::OK, &title, ACCOUNT_PATH, false, main);
            response.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION));
            response
        }
        // The policy was checked above; whatever else the application refuses of the new password is
        // named beside it.
        Err(ApplicationError::Invalid(fields)) if fields.iter().any(|field| field.field == "/new_password") => {
            let problems = Problems {
                alert: Some(language.t("form-has-errors")),
                new_password: Some(language.t("password-too-common")),
                ..Problems::default()
            };
            overview(&visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, problems)
        }
        Err(error) => match password_refused(language, error) {
            Ok((current_password, alert)) => {
                let problems = Problems { current_password, alert, ..Problems::default() };
                overview(&visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, problems)
            }
            Err(error) => visit.error(error),
        },
    }
}

fn password_field(name: &str, language: Language, error: Option<String>) -> Field<'_> {
    Field {
        name,
        label: language.t("account-password"),
        kind: "password",
        value: "",
        hint: Some(language.t("account-password-hint")),
        error,
        autocomplete: "current-password",
    }
}

/// Checks a post's form token and session; returns who is signed in, or the page that answers.
async fn checked(
    state: &WebState,
    headers: &HeaderMap,
    visit: &Visit,
    token: Option<&str>,
) -> Result<SignedIn, Response> {
    if let Err(refused) = check_form(state, headers, token) {
        return Err(visit.error(refused));
    }
    signed_in(state, headers, ACCOUNT_PATH).await
}

/// What a refusal of the password means on this page: the password's own error, or an alert (a
/// lockout); anything else is an error page.
fn password_refused(
    language: Language,
    error: ApplicationError,
) -> Result<(Option<String>, Option<String>), PageError> {
    match error {
        ApplicationError::Invalid(fields) if fields.iter().any(|field| field.field == "/password") => {
            Ok((Some(language.t("account-password-wrong")), Some(language.t("form-has-errors"))))
        }
        ApplicationError::InvalidCredentials => {
            Ok((Some(language.t("account-password-wrong")), Some(language.t("form-has-errors"))))
        }
        ApplicationError::TooManyAttempts { retry_after_secs } => Ok((
            None,
            Some(language.t_with("sign-in-locked", &[("minutes", crate::pages::minutes(retry_after_secs).into())])),
        )),
        error => Err(error.into()),
    }
}

/// Ends every session of the account, this one included, and goes to the sign-in page.
pub(crate) async fn sign_out_everywhere(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<TokenOnly>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    let signed_in = match checked(&state, &headers, &visit, form.form_token.as_deref()).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let ended = state
        .application
        .log_out(&signed_in.account, &signed_in.session_id, &signed_in.principal, LogoutScope::AllSessions)
        .await;
    if let Err(error) = ended {
        return visit.error(error.into());
    }
    let mut response = crate::pages::see_other(sign_in::PATH);
    response.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::SESSION));
    response
}

/// Starts enrolling an authenticator app, after the password again; shows the secret as a QR code
/// and as text, and the form to confirm it with a code the app makes.
pub(crate) async fn start_totp(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<PasswordForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    let signed_in = match checked(&state, &headers, &visit, form.form_token.as_deref()).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let language = visit.language;
    if let Some(error) = required(language, &form.password, PASSWORD_MAX) {
        let problems =
            Problems { totp_password: Some(error), alert: Some(language.t("form-has-errors")), ..Problems::default() };
        return overview(&visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, problems);
    }
    match state.application.start_totp_enrolment(&signed_in.account, form.password).await {
        Ok(enrolment) => {
            confirm_step(&visit, &signed_in, StatusCode::OK, &enrolment.secret, &enrolment.otpauth_uri, None)
        }
        Err(error) => match password_refused(language, error) {
            Ok((totp_password, alert)) => {
                let problems = Problems { totp_password, alert, ..Problems::default() };
                overview(&visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, problems)
            }
            Err(error) => visit.error(error),
        },
    }
}

/// The secret to enrol, and the form to confirm it.
fn confirm_step(
    visit: &Visit,
    signed_in: &SignedIn,
    status: StatusCode,
    secret: &str,
    otpauth_uri: &str,
    code_error: Option<String>,
) -> Response {
    let language = visit.language;
    let code = Field {
        name: "code",
        label: language.t("account-totp-code"),
        kind: "text",
        value: "",
        hint: Some(language.t("account-totp-code-hint")),
        error: code_error.clone(),
        autocomplete: "one-time-code",
    };
    let title = language.t("account-totp-title");
    let content = html! {
        (messages(None, code_error.as_ref().map(|_| language.t("form-has-errors")).as_deref()))
        ol.steps {
            li {
                (language.t("account-totp-scan"))
                @if let Some(svg) = qr_svg(otpauth_uri) {
                    div.qr role="img" aria-label=(language.t("account-totp-qr")) { (PreEscaped(svg)) }
                }
            }
            li {
                (language.t("account-totp-type"))
                p { code.secret { (grouped(secret)) } }
            }
            li {
                (language.t("account-totp-confirm-intro"))
                form.page method="post" action=(TOTP_CONFIRM_PATH) {
                    (visit.token_field())
                    (code.render())
                    button.primary type="submit" { (language.t("account-totp-confirm")) }
                }
            }
        }
        p { a href=(ACCOUNT_PATH) { (language.t("account-totp-cancel")) } }
    };
    framed(visit, signed_in, status, &title, content)
}

/// The secret in groups of four, as authenticator apps show it and people copy it.
fn grouped(secret: &str) -> String {
    secret
        .chars()
        .collect::<Vec<char>>()
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The QR code of `text` as an inline SVG element (as the vaccination card draws the health ID), or
/// `None` should the text not fit in a QR code; the secret is then still shown as text.
fn qr_svg(text: &str) -> Option<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    let document = code
        .render::<svg::Color>()
        .min_dimensions(200, 200)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .quiet_zone(true)
        .build();
    // The encoder writes a standalone SVG document; inside an HTML page only the element belongs.
    document.find("<svg").map(|start| document[start..].to_owned())
}

/// The pending enrolment's secret and URI again, from the account, for showing the step once more
/// after a mistaken code.
fn pending(signed_in: &SignedIn) -> Option<(String, String)> {
    let secret = application::login::decode_secret(signed_in.account.totp_pending_secret.as_deref()?)?;
    let uri = identity::totp::enrolment_uri(&secret, &signed_in.account.login).ok()?;
    let typed = uri.split("secret=").nth(1)?.split('&').next()?.to_owned();
    Some((typed, uri))
}

/// Confirms the app with a code it made; shows the recovery codes, once.
pub(crate) async fn confirm_totp(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<CodeForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    let signed_in = match checked(&state, &headers, &visit, form.form_token.as_deref()).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let language = visit.language;
    let again = |error: String| match pending(&signed_in) {
        Some((secret, uri)) => {
            confirm_step(&visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, &secret, &uri, Some(error))
        }
        None => overview(
            &visit,
            &signed_in,
            StatusCode::CONFLICT,
            Problems { alert: Some(language.t("account-totp-not-started")), ..Problems::default() },
        ),
    };
    if let Some(error) = required(language, &form.code, CODE_MAX) {
        return again(error);
    }
    match state.application.confirm_totp_enrolment(&signed_in.account, &signed_in.principal, form.code.trim()).await {
        Ok(recovery_codes) => {
            let title = language.t("account-totp-done-title");
            let content = html! {
                p.notice role="status" { (language.t("account-totp-done")) }
                h2 { (language.t("account-recovery-title")) }
                p { (language.t("account-recovery-intro")) }
                ul.recovery { @for code in &recovery_codes { li { code { (code) } } } }
                p { a href=(ACCOUNT_PATH) { (language.t("account-back")) } }
            };
            framed(&visit, &signed_in, StatusCode::OK, &title, content)
        }
        Err(ApplicationError::Invalid(_)) => again(language.t("account-totp-code-wrong")),
        Err(ApplicationError::Conflict(_)) => overview(
            &visit,
            &signed_in,
            StatusCode::CONFLICT,
            Problems { alert: Some(language.t("account-totp-not-started")), ..Problems::default() },
        ),
        Err(error) => visit.error(error.into()),
    }
}

/// Sends the account's login codes by SMS or e-mail, after the password again.
pub(crate) async fn code_channel(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<ChannelForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    let signed_in = match checked(&state, &headers, &visit, form.form_token.as_deref()).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let language = visit.language;
    let account = &signed_in.account;
    let method = match form.method.as_str() {
        "sms" if account.phone.is_some() => Some(SecondFactorMethod::Sms),
        "email" if account.email.is_some() => Some(SecondFactorMethod::Email),
        _ => None,
    };
    let problems = Problems {
        method: method.is_none().then(|| language.t("account-codes-method-required")),
        codes_password: required(language, &form.password, PASSWORD_MAX),
        ..Problems::default()
    };
    let Some(method) = method.filter(|_| problems.codes_password.is_none()) else {
        let problems = Problems { alert: Some(language.t("form-has-errors")), ..problems };
        return overview(&visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, problems);
    };
    match state.application.set_code_channel(account, &signed_in.principal, method, form.password).await {
        Ok(channel) => {
            let mut account = signed_in.account.clone();
            account.otp_channel = Some(channel);
            let signed_in = SignedIn { account, ..signed_in };
            let notice = Some(language.t(match method {
                SecondFactorMethod::Email => id!("account-codes-done-email"),
                _ => id!("account-codes-done-sms"),
            }));
            overview(&visit, &signed_in, StatusCode::OK, Problems { notice, ..Problems::default() })
        }
        Err(error) => match password_refused(language, error) {
            Ok((codes_password, alert)) => {
                let problems = Problems { codes_password, alert, ..Problems::default() };
                overview(&visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, problems)
            }
            Err(error) => visit.error(error),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_shown_in_groups_of_four() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(grouped(""), "");
    }

    #[test]
    fn the_qr_code_is_an_svg_element_without_inline_style() {
        let svg = qr_svg("otpauth://totp/CloudMedi:CM1234567894?secret=JBSWY3DPEHPK3PXP&issuer=CloudMedi").unwrap();
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(!svg.contains("style="), "the page's policy allows no inline style");
    }
}
