//! A facility's administrators: its staff (`/care/staff`: register a member, suspend, reinstate,
//! through the application's staff services as `/api/v1/facilities/{id}/staff` and
//! `/api/v1/staff/{id}/suspend|reinstate` do) and its break-the-glass alerts (`/care/alerts`, GraphQL
//! `breakGlassAlerts`: who and when, never why). None of these pages shows clinical content.

use super::{domain_message, named, nodes, query, staff_member, text, ALERTS_PATH, STAFF_PATH};
use crate::pages::{check_form, required, see_other, PageError, Visit};
use crate::session::SignedIn;
use crate::{time, WebState};
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::access::{Action, Facts};
use domain::staff::{ActivationDelivery, RegisterStaff};
use event_schema::Role;
use identity::store::{AccountStatus, StaffRow};
use maud::{html, Markup};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

fn administrator(role: Role) -> bool {
    role == Role::FacilityAdministrator
}

/// The roles a facility's administrator registers here, with their names.
const ROLES: [(&str, &str); 4] = [
    ("doctor", id!("ws-staff-role-doctor")),
    ("nurse", id!("ws-staff-role-nurse")),
    ("lab_technician", id!("ws-staff-role-lab-technician")),
    ("registration_clerk", id!("ws-staff-role-registration-clerk")),
];

fn role_code(role: Role) -> &'static str {
    match role {
        Role::Doctor => "doctor",
        Role::Nurse => "nurse",
        Role::LabTechnician => "lab_technician",
        Role::RegistrationClerk => "registration_clerk",
        Role::FacilityAdministrator => "facility_administrator",
        _ => "",
    }
}

/// The fields of the registration form: name, label, required.
const FIELDS: [(&str, &str, bool); 5] = [
    ("professional_id", id!("ws-staff-professional-id"), true),
    ("family_name", id!("ws-staff-family-name"), true),
    ("given_names", id!("ws-staff-given-names"), true),
    ("phone", id!("ws-staff-phone"), false),
    ("email", id!("ws-staff-email"), false),
];

/// The facility's staff, with the registration form.
pub(crate) async fn list(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let visit = Visit::new(&state, &headers);
    let signed_in = match staff_member(&state, &headers, &visit, STAFF_PATH, administrator).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    staff_page(&state, &visit, &signed_in, StatusCode::OK, &HashMap::new(), Problems::default()).await
}

#[derive(Default)]
struct Problems {
    alert: Option<String>,
    notice: Option<String>,
    errors: HashMap<String, String>,
}

async fn staff_page(
    state: &WebState,
    visit: &Visit,
    signed_in: &SignedIn,
    status: StatusCode,
    values: &HashMap<String, String>,
    problems: Problems,
) -> Response {
    let rows = match state.application.staff_of(&signed_in.principal, signed_in.principal.facility_id).await {
        Ok(rows) => rows,
        Err(error) => return visit.error(error.into()),
    };
    let language = visit.language;
    let title = language.t("ws-staff-title");
    let value = |name: &str| values.get(name).map(String::as_str).unwrap_or_default();
    let main = html! {
        h1 { (title) }
        @if let Some(notice) = &problems.notice { p.notice role="status" { (notice) } }
        @if let Some(alert) = &problems.alert { p.alert role="alert" { (alert) } }
        section aria-labelledby="members-title" {
            h2 id="members-title" { (language.t("ws-staff-members")) }
            ul.entries {
                @for row in &rows { li { (member(visit, signed_in, row)) } }
            }
        }
        section aria-labelledby="register-title" {
            h2 id="register-title" { (language.t("ws-staff-register")) }
            form.page method="post" action=(STAFF_PATH) {
                (visit.token_field())
                div.field {
                    label for="role" { (language.t("ws-staff-role")) }
                    select id="role" name="role" required {
                        @for (code, label) in ROLES {
                            option value=(code) selected[value("role") == code] { (language.t(label)) }
                        }
                    }
                }
                @for (name, label, needed) in FIELDS {
                    @let error = problems.errors.get(name);
                    div.field {
                        label for=(name) {
                            (language.t(label))
                            @if !needed { " " span.optional { (language.t("ws-optional")) } }
                        }
                        @if let Some(error) = error { p.error id=(format!("{name}-error")) { (error) } }
                        input type=(if name == "email" { "email" } else if name == "phone" { "tel" } else { "text" })
                            id=(name) name=(name) value=(value(name)) required[needed] autocomplete="off"
                            aria-invalid=[error.map(|_| "true")]
                            aria-describedby=[error.map(|_| format!("{name}-error"))];
                    }
                }
                button.primary type="submit" { (language.t("ws-staff-register-submit")) }
            }
        }
        p { a href=(ALERTS_PATH) { (language.t("ws-alerts-title")) } }
        p { a href="/" { (language.t("back-home")) } }
    };
    visit.page(status, &title, STAFF_PATH, true, main)
}

fn member(visit: &Visit, signed_in: &SignedIn, row: &StaffRow) -> Markup {
    let language = visit.language;
    let role = role_code(row.role);
    let role_name = ROLES.iter().find(|(code, _)| *code == role).map(|(_, id)| language.t(id));
    let status = match row.status {
        AccountStatus::Issued => language.t("ws-staff-issued"),
        AccountStatus::Active => language.t("ws-staff-active"),
        AccountStatus::Suspended => language.t("ws-staff-suspended"),
    };
    let manageable = row.id != signed_in.principal.account_id && row.role != Role::FacilityAdministrator;
    html! {
        span.what { (row.given_names) " " (row.family_name) }
        " " span.tag { (status) }
        br;
        (row.login)
        @if let Some(role_name) = role_name { " · " (role_name) }
        @if manageable {
            @if row.status == AccountStatus::Suspended {
                form.inline method="post" action=(format!("{STAFF_PATH}/{}/reinstate", row.id)) {
                    (visit.token_field())
                    button type="submit" { (language.t("ws-staff-reinstate")) }
                }
            } @else {
                form.inline method="post" action=(format!("{STAFF_PATH}/{}/suspend", row.id)) {
                    (visit.token_field())
                    label for=(format!("reason-{}", row.id)) { (language.t("ws-staff-suspend-reason")) }
                    input type="text" id=(format!("reason-{}", row.id)) name="reason" required minlength="3"
                        maxlength="500" autocomplete="off";
                    button.danger type="submit" { (language.t("ws-staff-suspend")) }
                }
            }
        }
    }
}

/// Registers a member of the facility's staff, as `POST /api/v1/facilities/{id}/staff` does: the
/// policy first, then the application issues the account and sends its activation code.
pub(crate) async fn register(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(values)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, values.get(crate::forms::TOKEN_FIELD).map(String::as_str)) {
        return visit.error(refused);
    }
    let signed_in = match staff_member(&state, &headers, &visit, STAFF_PATH, administrator).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let language = visit.language;
    let get = |name: &str| values.get(name).map(|value| value.trim().to_owned()).unwrap_or_default();
    let mut errors = HashMap::new();
    for (name, _, needed) in FIELDS {
        let error = if needed { required(language, &get(name), 120) } else { None };
        if let Some(error) = error {
            errors.insert(name.to_owned(), error);
        }
    }
    let role: Option<Role> = ROLES
        .iter()
        .find(|(code, _)| *code == get("role"))
        .and_then(|(code, _)| serde_json::from_value(json!(code)).ok());
    let (Some(role), Some(facility)) = (role, signed_in.principal.facility_id) else {
        return visit.error(PageError::BadRequest);
    };
    if !errors.is_empty() {
        let problems = Problems { alert: Some(language.t("form-has-errors")), errors, ..Problems::default() };
        return staff_page(&state, &visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, &values, problems).await;
    }
    let principal = &signed_in.principal;
    if let Err(error) =
        application::access::authorize(principal, &Action::RegisterStaff { facility }, &Facts::default())
    {
        return visit.error(error.into());
    }
    let optional = |name: &str| Some(get(name)).filter(|value| !value.is_empty());
    let command = RegisterStaff {
        account_id: Uuid::now_v7(),
        professional_id: get("professional_id"),
        role,
        facility_id: Some(facility),
        region: None,
        family_name: get("family_name"),
        given_names: get("given_names"),
        phone: optional("phone"),
        email: optional("email"),
        registered_by: principal.role,
        delivery: ActivationDelivery::ToContact,
    };
    match state.application.issue_staff(application::record::actor_of(principal), command).await {
        Ok(_) => see_other(STAFF_PATH),
        Err(ApplicationError::Invalid(problems)) => {
            let mut errors = HashMap::new();
            let mut unplaced = Vec::new();
            for problem in problems {
                let field = problem.field.trim_start_matches('/');
                let message = domain_message(language, &problem.message);
                if FIELDS.iter().any(|(name, _, _)| *name == field) {
                    errors.insert(field.to_owned(), message);
                } else {
                    unplaced.push(message);
                }
            }
            let alert = format!("{} {}", language.t("form-has-errors"), unplaced.join(" "));
            let problems = Problems { alert: Some(alert), errors, ..Problems::default() };
            staff_page(&state, &visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, &values, problems).await
        }
        Err(error) => visit.error(error.into()),
    }
}

/// Suspends or reinstates a member of staff, through the application as the API does: a suspension
/// withdraws access before it is recorded, so the person's open pages go to sign-in at once.
pub(crate) async fn decide(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((account_id, decision)): Path<(String, String)>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(values)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, values.get(crate::forms::TOKEN_FIELD).map(String::as_str)) {
        return visit.error(refused);
    }
    let signed_in = match staff_member(&state, &headers, &visit, STAFF_PATH, administrator).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let Ok(account_id) = Uuid::parse_str(&account_id) else { return visit.error(PageError::NotFound) };
    let language = visit.language;
    let principal = &signed_in.principal;
    let outcome = match decision.as_str() {
        "suspend" => {
            let reason = values.get("reason").map(|reason| reason.trim().to_owned()).unwrap_or_default();
            if reason.chars().count() < 3 || reason.chars().count() > 500 {
                let problems = Problems { alert: Some(language.t("ws-staff-reason-needed")), ..Problems::default() };
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                return staff_page(&state, &visit, &signed_in, status, &HashMap::new(), problems).await;
            }
            state.application.suspend_staff(principal, account_id, reason).await
        }
        "reinstate" => state.application.reinstate_staff(principal, account_id).await,
        _ => return visit.error(PageError::NotFound),
    };
    match outcome {
        Ok(_) => see_other(STAFF_PATH),
        Err(ApplicationError::Conflict(_)) => {
            let problems = Problems { alert: Some(language.t("ws-staff-conflict")), ..Problems::default() };
            staff_page(&state, &visit, &signed_in, StatusCode::CONFLICT, &HashMap::new(), problems).await
        }
        Err(error) => visit.error(error.into()),
    }
}

const ALERTS: &str = r#"query Alerts($facility: ID!) {
  breakGlassAlerts(facilityId: $facility, first: 50) { nodes { practitioner { name role } openedAt expiresAt } }
}"#;

/// The facility's break-the-glass alerts: who opened a record in an emergency and when, never why
/// nor whose (the reason and the record are for the patient and the auditors).
pub(crate) async fn alerts(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let visit = Visit::new(&state, &headers);
    let signed_in = match staff_member(&state, &headers, &visit, ALERTS_PATH, administrator).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let Some(facility) = signed_in.principal.facility_id else { return visit.error(PageError::NotFound) };
    let data = match query(&state, &signed_in, ALERTS, json!({ "facility": facility.to_string() })).await {
        Ok(data) => data,
        Err(unanswered) => return visit.error(unanswered.page_error()),
    };
    let language = visit.language;
    let title = language.t("ws-alerts-title");
    let found = nodes(&data["breakGlassAlerts"]);
    let main = html! {
        h1 { (title) }
        p { (language.t("ws-alerts-intro")) }
        @if found.is_empty() {
            p.empty { (language.t("ws-alerts-none")) }
        } @else {
            ul.entries {
                @for alert in found {
                    li {
                        span.what { (text(&alert["practitioner"]["name"])) }
                        " " span.tag { (named(language, &ROLES, text(&alert["practitioner"]["role"]))) }
                        br;
                        (language.t_with("ws-alerts-opened", &[("date", time::instant(language, text(&alert["openedAt"])).into())]))
                        @if let Some(until) = alert["expiresAt"].as_str() {
                            br;
                            span.meta { (language.t_with("ws-alerts-until", &[("date", time::instant(language, until).into())])) }
                        }
                    }
                }
            }
        }
        p { a href=(STAFF_PATH) { (language.t("ws-staff-title")) } }
    };
    visit.page(StatusCode::OK, &title, ALERTS_PATH, true, main)
}
