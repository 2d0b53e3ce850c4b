//! Signing in: a login and a password, then, for an account that has one, the second factor. Both
//! steps call the application layer's `log_in` and `prove_second_factor`, as the JSON API does; a
//! refused credential is answered only "not accepted", whatever failed, and a lockout says how long
//! it lasts. The session's token goes into the session cookie and the visitor to the page they came
//! for.

use super::{
    check_form, destination, minutes, required, see_other, spend_attempt, ClientAddress, Field, PageError, Visit,
};
use crate::{cookies, session, WebState};
use application::login::{Challenge, LoginOutcome, Session};
use application::ApplicationError;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use event_schema::events::account::SecondFactorMethod;
use maud::{html, Markup};
use serde::Deserialize;

pub const PATH: &str = "/sign-in";
pub const SECOND_FACTOR_PATH: &str = "/sign-in/second-factor";

/// The longest login accepted, in characters (the API's bound).
const LOGIN_MAX: usize = 64;
/// The longest password accepted to check, in characters (the API's bound).
const PASSWORD_MAX: usize = identity::password::MAX_LENGTH * 4;
/// The longest code accepted, in characters (the API's bound).
const CODE_MAX: usize = 32;

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// The sign-in form; a visitor already signed in goes straight on.
pub(crate) async fn form(
    State(state): State<WebState>,
    headers: HeaderMap,
    query: Result<Query<Next>, QueryRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let next = query.ok().and_then(|Query(query)| query.next);
    let next = destination(next.as_deref());
    match session::current(&state, &headers).await {
        Ok(Some(_)) => return see_other(next),
        Ok(None) => {}
        Err(error) => return visit.error(error),
    }
    let notice = (next != "/").then(|| visit.language.t("sign-in-to-continue"));
    sign_in_page(&visit, StatusCode::OK, next, &SignInForm::default(), Problems { notice, ..Problems::default() })
}

#[derive(Deserialize, Default)]
pub struct SignInForm {
    form_token: Option<String>,
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// What a form shows above and beside its fields.
#[derive(Default)]
struct Problems {
    notice: Option<String>,
    alert: Option<String>,
    login: Option<String>,
    password: Option<String>,
    code: Option<String>,
    /// Seconds a lockout lasts, for `Retry-After`.
    retry_after: Option<u64>,
}

/// Checks the password; opens the session, or asks for the second factor.
pub(crate) async fn submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    address: ClientAddress,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let next = destination(form.next.as_deref());
    let language = visit.language;
    let problems = Problems {
        login: required(language, &form.login, LOGIN_MAX),
        password: required(language, &form.password, PASSWORD_MAX),
        ..Problems::default()
    };
    if problems.login.is_some() || problems.password.is_some() {
        let problems = Problems { alert: Some(language.t("form-has-errors")), ..problems };
        return sign_in_page(&visit, StatusCode::UNPROCESSABLE_ENTITY, next, &form, problems);
    }
    if let Err(error) = spend_attempt(&state, &address) {
        return visit.error(error);
    }
    match state.application.log_in(&form.login, form.password.clone()).await {
        Ok(LoginOutcome::Session(session)) => signed_in(session, next),
        Ok(LoginOutcome::SecondFactor(challenge)) => {
            let step = SecondFactorStep::of(&challenge);
            second_factor_page(&visit, StatusCode::OK, next, &step, Problems::default())
        }
        Err(error) => match refusal(language, error) {
            Ok((status, alert, retry_after)) => {
                let problems = Problems { alert: Some(alert), retry_after, ..Problems::default() };
                sign_in_page(&visit, status, next, &form, problems)
            }
            Err(error) => visit.error(error),
        },
    }
}

/// The status and message of a refused credential or a lockout (with how long it lasts); any other
/// failure is an error page.
pub(super) fn refusal(
    language: crate::i18n::Language,
    error: ApplicationError,
) -> Result<(StatusCode, String, Option<u64>), PageError> {
    match error {
        ApplicationError::InvalidCredentials => Ok((StatusCode::UNAUTHORIZED, language.t("sign-in-refused"), None)),
        ApplicationError::TooManyAttempts { retry_after_secs } => Ok((
            StatusCode::TOO_MANY_REQUESTS,
            language.t_with("sign-in-locked", &[("minutes", minutes(retry_after_secs).into())]),
            Some(retry_after_secs),
        )),
        error => Err(error.into()),
    }
}

/// The session is open: its token into the cookie, the visitor on to the page they came for.
fn signed_in(session: Session, next: &str) -> Response {
    let mut response = see_other(next);
    match cookies::set(cookies::SESSION, &session.access_token, session.access_expires_in) {
        Some(cookie) => {
            response.headers_mut().append(header::SET_COOKIE, cookie);
        }
        None => {
            tracing::error!("web.sign_in.cookie_not_set");
            return super::bare_error(StatusCode::INTERNAL_SERVER_ERROR, &HeaderMap::new());
        }
    }
    response
}

fn sign_in_page(visit: &Visit, status: StatusCode, next: &str, form: &SignInForm, problems: Problems) -> Response {
    let language = visit.language;
    let login = Field {
        name: "login",
        label: language.t("sign-in-login"),
        kind: "text",
        value: &form.login,
        hint: Some(language.t("sign-in-login-hint")),
        error: problems.login,
        autocomplete: "username",
    };
    let password = Field {
        name: "password",
        label: language.t("sign-in-password"),
        kind: "password",
        value: "",
        hint: None,
        error: problems.password,
        autocomplete: "current-password",
    };
    let title = language.t("sign-in-title");
    let main = html! {
        h1 { (title) }
        (messages(problems.notice, problems.alert))
        form.page method="post" action=(PATH) {
            (visit.token_field())
            input type="hidden" name="next" value=(next);
            (login.render())
            (password.render())
            button.primary type="submit" { (language.t("sign-in-submit")) }
        }
        p { a href=(super::activate::PATH) { (language.t("sign-in-first-time")) } }
    };
    let here = super::sign_in_coming_back_to(next);
    with_retry_after(visit.page(status, &title, &here, false, main), problems.retry_after)
}

fn with_retry_after(mut response: Response, seconds: Option<u64>) -> Response {
    if let Some(seconds) = seconds {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
    }
    response
}

fn messages(notice: Option<String>, alert: Option<String>) -> Markup {
    html! {
        @if let Some(notice) = notice { p.notice { (notice) } }
        @if let Some(alert) = alert { p.alert role="alert" { (alert) } }
    }
}

/// The second step's state, carried by its form: the challenge, and the ways the account can answer
/// it (only to draw the choices; the application checks the method against the challenge).
struct SecondFactorStep {
    challenge_id: String,
    methods: Vec<SecondFactorMethod>,
    /// Where a code was just sent, said on the first showing only.
    code_sent_by: Option<SecondFactorMethod>,
    /// The method checked in the form.
    chosen: Option<SecondFactorMethod>,
}

impl SecondFactorStep {
    fn of(challenge: &Challenge) -> Self {
        Self {
            challenge_id: challenge.challenge_id.to_string(),
            methods: challenge.methods.clone(),
            code_sent_by: challenge.code_sent_by,
            chosen: challenge.code_sent_by.or(challenge.methods.first().copied()),
        }
    }
}

/// A method's form value and message id.
fn method_names(method: SecondFactorMethod) -> (&'static str, &'static str) {
    match method {
        SecondFactorMethod::Totp => ("totp", id!("method-totp")),
        SecondFactorMethod::Sms => ("sms", id!("method-sms")),
        SecondFactorMethod::Email => ("email", id!("method-email")),
        SecondFactorMethod::RecoveryCode => ("recovery_code", id!("method-recovery-code")),
    }
}

fn method_of(value: &str) -> Option<SecondFactorMethod> {
    [SecondFactorMethod::Totp, SecondFactorMethod::Sms, SecondFactorMethod::Email, SecondFactorMethod::RecoveryCode]
        .into_iter()
        .find(|method| method_names(*method).0 == value)
}

fn second_factor_page(
    visit: &Visit,
    status: StatusCode,
    next: &str,
    step: &SecondFactorStep,
    problems: Problems,
) -> Response {
    let language = visit.language;
    let sent = match step.code_sent_by {
        Some(SecondFactorMethod::Sms) => Some(language.t("second-factor-sent-sms")),
        Some(SecondFactorMethod::Email) => Some(language.t("second-factor-sent-email")),
        _ => None,
    };
    let methods: Vec<&str> = step.methods.iter().map(|method| method_names(*method).0).collect();
    let chosen = step.chosen;
    let code = Field {
        name: "code",
        label: language.t("second-factor-code"),
        kind: "text",
        value: "",
        hint: None,
        error: problems.code,
        autocomplete: "one-time-code",
    };
    let title = language.t("second-factor-title");
    let main = html! {
        h1 { (title) }
        (messages(sent.or(problems.notice), problems.alert))
        p { (language.t("second-factor-intro")) }
        form.page method="post" action=(SECOND_FACTOR_PATH) {
            (visit.token_field())
            input type="hidden" name="next" value=(next);
            input type="hidden" name="challenge_id" value=(step.challenge_id);
            input type="hidden" name="methods" value=(methods.join(","));
            @if step.methods.len() > 1 {
                fieldset {
                    legend { (language.t("second-factor-method")) }
                    @for method in &step.methods {
                        @let (value, label) = method_names(*method);
                        label {
                            input type="radio" name="method" value=(value) checked[Some(*method) == chosen];
                            (language.t(label))
                        }
                    }
                }
            } @else {
                @if let Some(method) = chosen {
                    @let (value, label) = method_names(method);
                    input type="hidden" name="method" value=(value);
                    p.hint { (language.t(label)) }
                }
            }
            (code.render())
            button.primary type="submit" { (language.t("second-factor-submit")) }
        }
        p { a href=(PATH) { (language.t("second-factor-restart")) } }
    };
    with_retry_after(visit.page(status, &title, PATH, false, main), problems.retry_after)
}

#[derive(Deserialize)]
pub struct SecondFactorForm {
    form_token: Option<String>,
    #[serde(default)]
    challenge_id: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    methods: String,
    #[serde(default)]
    code: String,
    next: Option<String>,
}

/// Proves the second factor and opens the session.
pub(crate) async fn second_factor(
    State(state): State<WebState>,
    headers: HeaderMap,
    address: ClientAddress,
    form: Result<Form<SecondFactorForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let next = destination(form.next.as_deref());
    let language = visit.language;
    let Ok(challenge_id) = uuid::Uuid::parse_str(&form.challenge_id) else {
        return visit.error(PageError::BadRequest);
    };
    let methods: Vec<SecondFactorMethod> = form.methods.split(',').filter_map(method_of).collect();
    let method = method_of(&form.method);
    let chosen = method.or(methods.first().copied());
    let step = SecondFactorStep { challenge_id: challenge_id.to_string(), methods, code_sent_by: None, chosen };
    let code_error = required(language, &form.code, CODE_MAX);
    let Some(method) = method.filter(|_| code_error.is_none()) else {
        let code = code_error.or_else(|| Some(language.t("field-required")));
        let problems = Problems { alert: Some(language.t("form-has-errors")), code, ..Problems::default() };
        return second_factor_page(&visit, StatusCode::UNPROCESSABLE_ENTITY, next, &step, problems);
    };
    if let Err(error) = spend_attempt(&state, &address) {
        return visit.error(error);
    }
    match state.application.prove_second_factor(challenge_id, method, form.code.trim()).await {
        Ok(session) => signed_in(session, next),
        Err(ApplicationError::InvalidCredentials) => {
            let problems = Problems { alert: Some(language.t("second-factor-refused")), ..Problems::default() };
            second_factor_page(&visit, StatusCode::UNAUTHORIZED, next, &step, problems)
        }
        Err(error) => match refusal(language, error) {
            Ok((status, alert, retry_after)) => {
                let problems = Problems { alert: Some(alert), retry_after, ..Problems::default() };
                second_factor_page(&visit, status, next, &step, problems)
            }
            Err(error) => visit.error(error),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_reads_back_as_itself() {
        for method in [
            SecondFactorMethod::Totp,
            SecondFactorMethod::Sms,
            SecondFactorMethod::Email,
            SecondFactorMethod::RecoveryCode,
        ] {
            assert_eq!(method_of(method_names(method).0), Some(method));
        }
        assert_eq!(method_of("carrier pigeon"), None);
    }
}
