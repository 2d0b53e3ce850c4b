//! The patient portal: a patient's own pages, under `/my/` (the record summary is the start page).
//!
//! Every path names nothing: the record is the session's own, so no patient id ever appears in a URL.
//! A parent or guardian views the record of a minor in their charge the same way: chosen on the
//! summary page, the minor's record is named by a cookie (`/my/viewing` sets and clears it), checked
//! against the guardianships that hold on every request (`session::current`), and the policy allows
//! each read and change on the grounds of guardianship, recorded in the minor's access log.
//! Medical data is read with GraphQL run in-process by the query API for the session's viewer, so the
//! policy and the recording of reads are exactly the API's; changes go through the application layer,
//! with the commands the JSON API's routes build. `/my/account` is for any signed-in account, staff
//! included; the other pages are a patient's only, and anyone else is answered "not found".

mod access_log;
mod account;
mod appointments;
mod consents;
mod record;
pub(crate) mod reminders;

use crate::cookies;
use crate::i18n::Language;
use crate::pages::{self, to_sign_in, PageError, Visit};
use crate::session::{self, SignedIn};
use crate::WebState;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use event_schema::Role;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::Value;
use uuid::Uuid;

pub(crate) const RESULTS_PATH: &str = "/my/results";
pub(crate) const PRESCRIPTIONS_PATH: &str = "/my/prescriptions";
pub(crate) const APPOINTMENTS_PATH: &str = "/my/appointments";
pub(crate) const ACCESS_LOG_PATH: &str = "/my/access-log";
pub(crate) const CONSENTS_PATH: &str = "/my/consents";
pub(crate) const REMINDERS_PATH: &str = "/my/reminders";
pub(crate) const ACCOUNT_PATH: &str = "/my/account";
/// Chooses whose record the portal shows: a minor's in the guardian's charge, or their own.
pub(crate) const VIEWING_PATH: &str = "/my/viewing";

/// How long the choice of a minor's record is kept, at most: a working day.
const VIEWING_MAX_AGE_SECS: u64 = 12 * 60 * 60;

/// The portal's pages a visitor may be sent back to after signing in.
pub(crate) const DESTINATIONS: &[&str] = &[
    RESULTS_PATH,
    PRESCRIPTIONS_PATH,
    APPOINTMENTS_PATH,
    ACCESS_LOG_PATH,
    CONSENTS_PATH,
    REMINDERS_PATH,
    ACCOUNT_PATH,
];

/// The portal's routes.
pub(crate) fn routes() -> Router<WebState> {
    let (read, write) = ("GET, HEAD", "POST");
    let refuse = pages::method_not_allowed;
    Router::new()
        .route(RESULTS_PATH, get(record::results).fallback(refuse(read)))
        .route(PRESCRIPTIONS_PATH, get(record::prescriptions).fallback(refuse(read)))
        .route(APPOINTMENTS_PATH, get(appointments::page).fallback(refuse(read)))
        .route(appointments::CANCEL_PATH, post(appointments::cancel).fallback(refuse(write)))
        .route(ACCESS_LOG_PATH, get(access_log::page).fallback(refuse(read)))
        .route(CONSENTS_PATH, get(consents::page).fallback(refuse(read)))
        .route(consents::GRANT_PATH, post(consents::grant).fallback(refuse(write)))
        .route(consents::REVOKE_PATH, post(consents::revoke).fallback(refuse(write)))
        .route(REMINDERS_PATH, get(reminders::page).post(reminders::save).fallback(refuse("GET, HEAD, POST")))
        .route(ACCOUNT_PATH, get(account::page).fallback(refuse(read)))
        .route(account::SIGN_OUT_EVERYWHERE_PATH, post(account::sign_out_everywhere).fallback(refuse(write)))
        .route(account::TOTP_PATH, post(account::start_totp).fallback(refuse(write)))
        .route(account::TOTP_CONFIRM_PATH, post(account::confirm_totp).fallback(refuse(write)))
        .route(account::CODES_PATH, post(account::code_channel).fallback(refuse(write)))
        .route(account::PASSWORD_PATH, post(account::change_password).fallback(refuse(write)))
        .route(VIEWING_PATH, post(view).fallback(refuse(write)))
}

/// The form choosing whose record to view.
#[derive(Deserialize)]
pub(crate) struct ViewingForm {
    form_token: Option<String>,
    /// A minor's record; empty for one's own.
    #[serde(default)]
    patient_id: String,
}

/// Views a minor's record in the guardian's charge, or one's own again; then the summary.
async fn view(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<ViewingForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = pages::check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let signed_in = match signed_in(&state, &headers, "/").await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let own = match (signed_in.principal.role, signed_in.principal.patient_id) {
        (Role::Patient, Some(own)) => own,
        _ => return visit.error(PageError::NotFound),
    };
    let mut answer = pages::see_other("/");
    if form.patient_id.is_empty() {
        answer.headers_mut().append(header::SET_COOKIE, cookies::clear(cookies::RECORD));
        return answer;
    }
    let Ok(ward) = Uuid::parse_str(&form.patient_id) else { return visit.error(PageError::NotFound) };
    match session::wards_of(&state, own).await {
        // A record not in the guardian's charge is one that does not exist, as the API answers.
        Ok(wards) if !wards.contains(&ward) => visit.error(PageError::NotFound),
        Ok(_) => {
            if let Some(cookie) = cookies::set(cookies::RECORD, &ward.to_string(), VIEWING_MAX_AGE_SECS) {
                answer.headers_mut().append(header::SET_COOKIE, cookie);
            }
            answer
        }
        Err(error) => visit.error(error),
    }
}

/// For a guardian viewing a minor's record, the notice saying so, with the way back to their own;
/// nothing otherwise.
pub(crate) fn viewing_notice(visit: &Visit, signed_in: &SignedIn) -> Markup {
    let language = visit.language;
    html! {
        @if signed_in.ward.is_some() {
            div.notice role="status" {
                p { (language.t("portal-viewing-ward")) }
                form method="post" action=(VIEWING_PATH) {
                    (visit.token_field())
                    input type="hidden" name="patient_id" value="";
                    button type="submit" { (language.t("portal-viewing-own")) }
                }
            }
        }
    }
}

/// The portal's pages, in the order the navigation lists them, with their message ids.
const NAVIGATION: [(&str, &str); 9] = [
    ("/", id!("portal-nav-summary")),
    (RESULTS_PATH, id!("portal-nav-results")),
    (PRESCRIPTIONS_PATH, id!("portal-nav-prescriptions")),
    (APPOINTMENTS_PATH, id!("portal-nav-appointments")),
    (crate::pages::card::PATH, id!("portal-nav-card")),
    (ACCESS_LOG_PATH, id!("portal-nav-access-log")),
    (CONSENTS_PATH, id!("portal-nav-consents")),
    (REMINDERS_PATH, id!("portal-nav-reminders")),
    (ACCOUNT_PATH, id!("portal-nav-account")),
];

/// The portal's navigation, `here` marked as the current page, under the notice of a minor's record
/// being viewed (see [`viewing_notice`]). Plain links, so it works without JavaScript and wraps on a
/// narrow screen.
pub(crate) fn navigation(visit: &Visit, signed_in: &SignedIn, here: &str) -> Markup {
    let language = visit.language;
    html! {
        (viewing_notice(visit, signed_in))
        (menu(language, here))
    }
}

/// The links of [`navigation`].
fn menu(language: Language, here: &str) -> Markup {
    html! {
        nav.portal aria-label=(language.t("portal-nav-label")) {
            ul {
                @for (path, label) in NAVIGATION {
                    li {
                        a href=(path) aria-current=[(path == here).then_some("page")] { (language.t(label)) }
                    }
                }
            }
        }
    }
}

/// The session of a request to a portal page, or the answer that replaces the page (to sign in,
/// coming back to `here`; an error page).
pub(crate) async fn signed_in(state: &WebState, headers: &HeaderMap, here: &str) -> Result<SignedIn, Response> {
    match session::current(state, headers).await {
        Ok(Some(signed_in)) => Ok(signed_in),
        Ok(None) => Err(to_sign_in(here, headers)),
        Err(error) => Err(Visit::new(state, headers).error(error)),
    }
}

/// The record the portal shows, for a session that is a patient's: their own, or the minor's in
/// their charge they chose to view. Anyone else is answered "not found", as a record they may not
/// see would be (deny by default).
pub(crate) fn record_in_view(signed_in: &SignedIn) -> Result<Uuid, PageError> {
    match signed_in.principal.patient_id {
        Some(patient_id) if signed_in.principal.role == Role::Patient => Ok(signed_in.ward.unwrap_or(patient_id)),
        _ => Err(PageError::NotFound),
    }
}

/// Runs one GraphQL query for the session's viewer, in-process, and returns its data; an error is the
/// page the API's code calls for (a record the viewer may not see is "not found", like one that does
/// not exist; a read that could not be recorded shows nothing).
pub(crate) async fn query(
    state: &WebState,
    signed_in: &SignedIn,
    text: &str,
    variables: Value,
) -> Result<Value, PageError> {
    let request = async_graphql::Request::new(text).variables(async_graphql::Variables::from_json(variables));
    let viewer = query_api::Viewer { principal: signed_in.principal.clone() };
    let response = state.queries.execute(request, Some(viewer)).await;
    if let Some(error) = response.errors.first() {
        let code = error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .and_then(|code| match code {
                async_graphql::Value::String(code) => Some(code.clone()),
                _ => None,
            })
            .unwrap_or_default();
        return Err(match code.as_str() {
            "NOT_FOUND" | "FORBIDDEN" => PageError::NotFound,
            "UNAVAILABLE" | "RATE_LIMITED" => PageError::Unavailable,
            _ => {
                tracing::error!(code, "web.portal.query_failed");
                PageError::Internal
            }
        });
    }
    response.data.into_json().map_err(|_| PageError::Internal)
}

/// The nodes of a GraphQL connection.
pub(crate) fn nodes(connection: &Value) -> &[Value] {
    connection["nodes"].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// A JSON text, or nothing.
pub(crate) fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// The message of a stored value (a status, a role…), looked up in `names`; a value the table does
/// not know is shown as stored.
pub(crate) fn named(language: Language, names: &[(&str, &'static str)], value: &str) -> String {
    names.iter().find(|(stored, _)| *stored == value).map(|(_, id)| language.t(id)).unwrap_or_else(|| value.to_owned())
}

/// The messages of `alert` and `notice` above a page's content.
pub(crate) fn messages(notice: Option<&str>, alert: Option<&str>) -> Markup {
    html! {
        @if let Some(notice) = notice { p.notice role="status" { (notice) } }
        @if let Some(alert) = alert { p.alert role="alert" { (alert) } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_portal_page_is_a_destination_after_signing_in() {
        for (path, _) in NAVIGATION {
            assert_eq!(pages::destination(Some(path)), path, "{path}");
        }
    }

    #[test]
    fn the_navigation_marks_the_current_page_only() {
        let drawn = menu(Language::English, RESULTS_PATH).into_string();
        assert_eq!(drawn.matches("aria-current=\"page\"").count(), 1);
        assert!(drawn.contains("<a href=\"/my/results\" aria-current=\"page\">Lab results</a>"), "{drawn}");
    }
}
