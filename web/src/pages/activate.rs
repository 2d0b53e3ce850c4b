//! Activating an issued account: the login, the one-time code received (by SMS, e-mail or on the
//! registration slip) and the password chosen, through the application layer's `activate`, as the
//! JSON API does. The password policy is checked here first, so each rule broken is named in the
//! visitor's language; nothing is written until every field is right.

use super::sign_in::refusal;
use super::{check_form, required, spend_attempt, ClientAddress, Field, PageError, Visit};
use crate::i18n::Language;
use crate::WebState;
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use identity::password::{self, PasswordProblem};
use maud::html;
use serde::Deserialize;

pub const PATH: &str = "/activate";

/// The longest login and code accepted, in characters (the API's bounds).
const LOGIN_MAX: usize = 64;
const CODE_MAX: usize = 32;

#[derive(Deserialize, Default)]
pub struct ActivationForm {
    form_token: Option<String>,
    #[serde(default)]
    login: String,
    #[serde(default)]
    activation_code: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirmation: String,
}

#[derive(Default)]
struct Problems {
    alert: Option<String>,
    login: Option<String>,
    code: Option<String>,
    password: Option<String>,
    confirmation: Option<String>,
}

impl Problems {
    fn any(&self) -> bool {
        self.login.is_some() || self.code.is_some() || self.password.is_some() || self.confirmation.is_some()
    }
}

pub(crate) async fn form(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let visit = Visit::new(&state, &headers);
    page(&visit, StatusCode::OK, &ActivationForm::default(), Problems::default())
}

/// The message of a password rule broken.
fn password_problem(language: Language, problem: PasswordProblem) -> String {
    match problem {
        PasswordProblem::TooShort => language.t_with("password-too-short", &[("min", password::MIN_LENGTH.into())]),
        PasswordProblem::TooLong => language.t_with("password-too-long", &[("max", password::MAX_LENGTH.into())]),
        PasswordProblem::TooCommon => language.t("password-too-common"),
        PasswordProblem::ContainsIdentifier => language.t("password-contains-login"),
    }
}

pub(crate) async fn submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    address: ClientAddress,
    form: Result<Form<ActivationForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let language = visit.language;
    let login = application::login::normalise_login(&form.login);
    let mut problems = Problems {
        login: required(language, &form.login, LOGIN_MAX),
        code: required(language, &form.activation_code, CODE_MAX),
        password: password::check_policy(&form.password, &login)
            .err()
            .map(|problem| password_problem(language, problem)),
        ..Problems::default()
    };
    if problems.password.is_none() && form.password != form.confirmation {
        problems.confirmation = Some(language.t("password-mismatch"));
    }
    if problems.any() {
        problems.alert = Some(language.t("form-has-errors"));
        return page(&visit, StatusCode::UNPROCESSABLE_ENTITY, &form, problems);
    }
    if let Err(error) = spend_attempt(&state, &address) {
        return visit.error(error);
    }
    match state.application.activate(&form.login, form.activation_code.trim(), form.password.clone()).await {
        Ok(activated) => done(&visit, activated.second_factor_required),
        Err(ApplicationError::InvalidCredentials) => {
            let problems = Problems { alert: Some(language.t("activate-refused")), ..Problems::default() };
            page(&visit, StatusCode::UNAUTHORIZED, &form, problems)
        }
        // The policy was checked above; what the application still refuses of the password is named
        // as a password that is not acceptable.
        Err(ApplicationError::Invalid(_)) => {
            let problems = Problems {
                alert: Some(language.t("form-has-errors")),
                password: Some(language.t("password-too-common")),
                ..Problems::default()
            };
            page(&visit, StatusCode::UNPROCESSABLE_ENTITY, &form, problems)
        }
        Err(error) => match refusal(language, error) {
            Ok((status, alert, _)) => {
                page(&visit, status, &form, Problems { alert: Some(alert), ..Problems::default() })
            }
            Err(error) => visit.error(error),
        },
    }
}

fn page(visit: &Visit, status: StatusCode, form: &ActivationForm, problems: Problems) -> Response {
    let language = visit.language;
    let fields = [
        Field {
            name: "login",
            label: language.t("activate-login"),
            kind: "text",
            value: &form.login,
            hint: None,
            error: problems.login,
            autocomplete: "username",
        },
        Field {
            name: "activation_code",
            label: language.t("activate-code"),
            kind: "text",
            value: &form.activation_code,
            hint: None,
            error: problems.code,
            autocomplete: "one-time-code",
        },
        Field {
            name: "password",
            label: language.t("activate-password"),
            kind: "password",
            value: "",
            hint: Some(language.t("activate-password-hint")),
            error: problems.password,
            autocomplete: "new-password",
        },
        Field {
            name: "confirmation",
            label: language.t("activate-confirm"),
            kind: "password",
            value: "",
            hint: None,
            error: problems.confirmation,
            autocomplete: "new-password",
        },
    ];
    let title = language.t("activate-title");
    let main = html! {
        h1 { (title) }
        @if let Some(alert) = problems.alert { p.alert role="alert" { (alert) } }
        p { (language.t("activate-intro")) }
        form.page method="post" action=(PATH) {
            (visit.token_field())
            @for field in &fields { (field.render()) }
            button.primary type="submit" { (language.t("activate-submit")) }
        }
    };
    visit.page(status, &title, PATH, false, main)
}

fn done(visit: &Visit, second_factor_required: bool) -> Response {
    let language = visit.language;
    let title = language.t("activate-done-title");
    let main = html! {
        h1 { (title) }
        p.notice { (language.t("activate-done")) }
        @if second_factor_required { p { (language.t("activate-done-second-factor")) } }
        p { a href=(super::sign_in::PATH) { (language.t("activate-sign-in")) } }
    };
    visit.page(StatusCode::OK, &title, PATH, false, main)
}
