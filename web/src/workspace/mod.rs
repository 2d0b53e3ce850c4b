//! The clinician's workspace and the facility administrator's pages, under `/care/`.
//!
//! Finding a patient (`search.rs`, which alone loads a script: reading a card's QR code where the
//! browser can), registering one (`register.rs`), the record (`record.rs`), the forms that write to it (`write.rs`), and a facility's staff and break-the-glass alerts for its administrators
//! (`staff.rs`). Every read of medical data is one GraphQL query run in-process by the query API for
//! the session's viewer, so the policy and the recording of reads are the API's; every write goes
//! through the application layer, as the JSON API's handlers do. No page carries a name, a national
//! ID or a health ID in its URL: searches are posted, and a record is named by its id only.

mod guardians;
mod record;
mod register;
mod reminders;
mod search;
mod staff;
mod write;

use crate::i18n::Language;
use crate::pages::{method_not_allowed, to_sign_in, PageError, Visit};
use crate::session::{self, SignedIn};
use crate::WebState;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use event_schema::Role;
use serde_json::Value;

/// The page to find a patient.
pub(crate) const PATIENTS_PATH: &str = "/care/patients";
/// A facility's staff, for its administrators.
pub(crate) const STAFF_PATH: &str = "/care/staff";
/// A facility's break-the-glass alerts, for its administrators.
pub(crate) const ALERTS_PATH: &str = "/care/alerts";
/// The statistics dashboard, for the health authority's analysts: a page of the query API, which takes
/// the session's cookie as the web pages do.
pub(crate) const STATISTICS_PATH: &str = "/statistics";

/// The link to one of the pages of [`pages_for`]: the dashboard is the query API's, which does not read
/// the pages' language cookie, so it is told the visitor's language.
pub(crate) fn href(path: &str, language: Language) -> String {
    match path {
        STATISTICS_PATH => format!("{path}?lang={}", language.code()),
        _ => path.to_owned(),
    }
}

/// The registration desk.
pub(crate) use register::{desk, REGISTER_PATH};

/// The workspace's pages a visitor may be sent back to after signing in (none names a patient).
pub(crate) const DESTINATIONS: &[&str] = &[PATIENTS_PATH, REGISTER_PATH, STAFF_PATH, ALERTS_PATH, STATISTICS_PATH];

/// The workspace's routes.
pub(crate) fn routes() -> Router<WebState> {
    let (read, write, both) = ("GET, HEAD", "POST", "GET, HEAD, POST");
    Router::new()
        .route(PATIENTS_PATH, get(search::form).post(search::submit).fallback(method_not_allowed(both)))
        .route(REGISTER_PATH, get(register::form).post(register::submit).fallback(method_not_allowed(both)))
        .route("/care/patients/{patient_id}", get(record::page).fallback(method_not_allowed(read)))
        .route(
            "/care/patients/{patient_id}/record/{form}",
            get(write::form).post(write::submit).fallback(method_not_allowed(both)),
        )
        .route(
            "/care/patients/{patient_id}/entries/{entry_id}/entered-in-error",
            get(write::withdrawal_form).post(write::withdraw).fallback(method_not_allowed(both)),
        )
        .route("/care/patients/{patient_id}/break-glass", post(write::break_glass).fallback(method_not_allowed(write)))
        .route(
            "/care/patients/{patient_id}/reminders",
            get(reminders::page).post(reminders::save).fallback(method_not_allowed(both)),
        )
        .route(
            "/care/patients/{patient_id}/guardians",
            get(guardians::page).post(guardians::record).fallback(method_not_allowed(both)),
        )
        .route(
            "/care/patients/{patient_id}/guardians/{guardian_id}/end",
            post(guardians::end).fallback(method_not_allowed(write)),
        )
        .route(STAFF_PATH, get(staff::list).post(staff::register).fallback(method_not_allowed(both)))
        .route("/care/staff/{account_id}/{decision}", post(staff::decide).fallback(method_not_allowed(write)))
        .route(ALERTS_PATH, get(staff::alerts).fallback(method_not_allowed(read)))
}

/// The clinicians, and the laboratory technicians, who find the patient a sample belongs to, read
/// the sections their work needs and record results: the roles that open a record here.
pub(crate) fn caregiver(role: Role) -> bool {
    matches!(role, Role::Doctor | Role::Nurse | Role::LabTechnician)
}

/// The request's member of staff, if `allowed` lets their role use this page. Signed out, the answer
/// is the way to sign in and back to `here`; a role the page is not for is answered as a page that
/// does not exist, as the API answers what the policy refuses.
pub(crate) async fn staff_member(
    state: &WebState,
    headers: &HeaderMap,
    visit: &Visit,
    here: &str,
    allowed: fn(Role) -> bool,
) -> Result<SignedIn, Response> {
    match session::current(state, headers).await {
        Ok(Some(signed_in)) if allowed(signed_in.principal.role) => Ok(signed_in),
        Ok(Some(_)) => Err(visit.error(PageError::NotFound)),
        Ok(None) => Err(to_sign_in(here, headers)),
        Err(error) => Err(visit.error(error)),
    }
}

/// Why a query was not answered: the first error's code (`NOT_FOUND`, `FORBIDDEN`, …).
pub(crate) struct Unanswered(pub String);

impl Unanswered {
    /// The page for it: a refusal that depends on the patient reads as a page that does not exist.
    pub(crate) fn page_error(&self) -> PageError {
        match self.0.as_str() {
            "NOT_FOUND" | "FORBIDDEN" => PageError::NotFound,
            "UNAVAILABLE" | "RATE_LIMITED" => PageError::Unavailable,
            code => {
                tracing::error!(code, "web.workspace.query_failed");
                PageError::Internal
            }
        }
    }
}

/// Runs one GraphQL query for the signed-in member of staff, through the query API, so that what is
/// answered is what the policy allows and each read is recorded before it is shown.
pub(crate) async fn query(
    state: &WebState,
    signed_in: &SignedIn,
    text: &str,
    variables: Value,
) -> Result<Value, Unanswered> {
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
        return Err(Unanswered(code));
    }
    response.data.into_json().map_err(|_| Unanswered(String::new()))
}

/// The nodes of a connection in a GraphQL answer.
pub(crate) fn nodes(connection: &Value) -> &[Value] {
    connection["nodes"].as_array().map(Vec::as_slice).unwrap_or_default()
}

/// A string of a GraphQL answer, or nothing.
pub(crate) fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// The message of a stored enumeration's value, looked up in `names`; a value the table does not
/// know is shown as stored.
pub(crate) fn named(language: Language, names: &[(&str, &'static str)], value: &str) -> String {
    names.iter().find(|(stored, _)| *stored == value).map(|(_, id)| language.t(id)).unwrap_or_else(|| value.to_owned())
}

/// A message of the domain in the page's language: rules worded `English / français` give the
/// page's half; older messages are in English only, which an English page shows as it is and a
/// French page replaces with a general refusal.
pub(crate) fn domain_message(language: Language, message: &str) -> String {
    match (message.split_once(" / "), language) {
        (Some((english, _)), Language::English) => english.to_owned(),
        (Some((_, french)), Language::French) => french.to_owned(),
        (None, Language::English) => message.to_owned(),
        (None, Language::French) => language.t("ws-error-rule"),
    }
}

/// The workspace's pages a role may use, with the message naming each, for the start page.
pub(crate) fn pages_for(role: Role) -> Vec<(&'static str, &'static str)> {
    match role {
        Role::Doctor | Role::Nurse => {
            vec![(PATIENTS_PATH, id!("ws-home-find-patient")), (REGISTER_PATH, id!("ws-home-register"))]
        }
        Role::RegistrationClerk => vec![(REGISTER_PATH, id!("ws-home-register"))],
        Role::LabTechnician => vec![(PATIENTS_PATH, id!("ws-home-find-patient"))],
        Role::FacilityAdministrator => {
            vec![(STAFF_PATH, id!("ws-home-staff")), (ALERTS_PATH, id!("ws-home-alerts"))]
        }
        Role::HealthAuthorityAnalyst => vec![(STATISTICS_PATH, id!("ws-home-statistics"))],
        _ => Vec::new(),
    }
}
