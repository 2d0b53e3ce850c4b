//! My consents: the facilities I granted access to my record, granting one (a facility chosen from the
//! directory, until a day or until revoked) and revoking one. Changes are the record commands the
//! JSON API's consent routes build (`RecordCommand::GrantAccess`, `RecordCommand::RevokeAccess`), run
//! by `Application::execute_on_record`, so the policy and the domain decide exactly as for the API.
//!
//! The list is the care read model's consents, which the query API's policy reads to authorise (the
//! query API has no field listing them); they name facilities, not medical data, and a patient's own
//! reads are not recorded in any case.

use super::{messages, navigation, record_in_view, signed_in, CONSENTS_PATH};
use crate::i18n::Language;
use crate::pages::{check_form, see_other, PageError, Visit};
use crate::session::SignedIn;
use crate::time;
use crate::WebState;
use application::record::{RecordCommand, Submission};
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::record::consent::GrantAccess;
use maud::{html, Markup};
use serde::Deserialize;
use uuid::Uuid;

pub(crate) const GRANT_PATH: &str = "/my/consents/grant";
pub(crate) const REVOKE_PATH: &str = "/my/consents/revoke";

/// How many facilities of the directory the choice lists.
const DIRECTORY_PAGE: u32 = 100;

/// The care read model's name for a consent.
const CONSENT: &str = "consent";

/// A consent as the page shows it.
struct Consent {
    facility_id: String,
    name: String,
    until: Option<String>,
}

/// The facilities the patient granted access to, and the directory to choose from, in name order.
async fn facts(state: &WebState, patient_id: Uuid) -> Result<(Vec<Consent>, Vec<(String, String)>), PageError> {
    let read_models = state.queries.read_models();
    let rows = read_models.care(&[patient_id]).await.map_err(|_| PageError::Unavailable)?;
    let granted: Vec<(Uuid, Option<String>)> = rows
        .into_iter()
        .filter(|row| row.basis == CONSENT)
        .filter_map(|row| Some((Uuid::parse_str(&row.facility_id).ok()?, row.until_day)))
        .collect();
    let ids: Vec<Uuid> = granted.iter().map(|(id, _)| *id).collect();
    let named = read_models.facilities(&ids).await.map_err(|_| PageError::Unavailable)?;
    let mut consents: Vec<Consent> = granted
        .into_iter()
        .map(|(id, until)| {
            let id = id.to_string();
            let name = named.iter().find(|row| row.facility_id == id).map(|row| row.name.clone()).unwrap_or_default();
            Consent { facility_id: id, name, until }
        })
        .collect();
    consents.sort_by(|a, b| a.name.cmp(&b.name));
    let filter = Default::default();
    let directory = read_models
        .facility_directory(&filter, None, DIRECTORY_PAGE)
        .await
        .map_err(|_| PageError::Unavailable)?
        .into_iter()
        .map(|row| (row.facility_id, row.name))
        .collect();
    Ok((consents, directory))
}

/// What the grant form was sent with, and what is wrong with it.
#[derive(Default)]
struct Problems {
    alert: Option<String>,
    facility: Option<String>,
    until: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct GrantForm {
    form_token: Option<String>,
    #[serde(default)]
    facility_id: String,
    #[serde(default)]
    until: String,
}

#[derive(Deserialize)]
pub struct RevokeForm {
    form_token: Option<String>,
    #[serde(default)]
    facility_id: String,
}

pub(crate) async fn page(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let signed_in = match signed_in(&state, &headers, CONSENTS_PATH).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let visit = Visit::new(&state, &headers);
    draw(&state, &visit, &signed_in, StatusCode::OK, &GrantForm::default(), Problems::default()).await
}

async fn draw(
    state: &WebState,
    visit: &Visit,
    signed_in: &SignedIn,
    status: StatusCode,
    form: &GrantForm,
    problems: Problems,
) -> Response {
    let patient_id = match record_in_view(signed_in) {
        Ok(patient_id) => patient_id,
        Err(error) => return visit.error(error),
    };
    let (consents, directory) = match facts(state, patient_id).await {
        Ok(facts) => facts,
        Err(error) => return visit.error(error),
    };
    let language = visit.language;
    let title = language.t("consents-title");
    let main = html! {
        (navigation(visit, signed_in, CONSENTS_PATH))
        h1 { (title) }
        (messages(None, problems.alert.as_deref()))
        p { (language.t("consents-intro")) }
        section.consents {
            h2 { (language.t("consents-granted")) }
            @if consents.is_empty() {
                p.empty { (language.t("consents-none")) }
            } @else {
                ul.entries {
                    @for consent in &consents {
                        li {
                            span.what { (consent.name) }
                            br;
                            span.meta { (until(language, consent.until.as_deref())) }
                            form.inline method="post" action=(REVOKE_PATH) {
                                (visit.token_field())
                                input type="hidden" name="facility_id" value=(consent.facility_id);
                                button type="submit" {
                                    (language.t_with("consent-revoke", &[("facility", consent.name.as_str().into())]))
                                }
                            }
                        }
                    }
                }
            }
        }
        section.grant {
            h2 { (language.t("consent-grant-title")) }
            (grant_form(visit, &directory, form, &problems))
        }
    };
    visit.page(status, &title, CONSENTS_PATH, true, main)
}

fn until(language: Language, day: Option<&str>) -> String {
    match day {
        Some(day) => language.t_with("consent-until", &[("date", time::day(language, day).into())]),
        None => language.t("consent-until-revoked"),
    }
}

fn grant_form(visit: &Visit, directory: &[(String, String)], form: &GrantForm, problems: &Problems) -> Markup {
    let language = visit.language;
    html! {
        form.page method="post" action=(GRANT_PATH) novalidate {
            (visit.token_field())
            div.field {
                label for="facility_id" { (language.t("consent-facility")) }
                @if let Some(error) = &problems.facility { p.error id="facility_id-error" { (error) } }
                select id="facility_id" name="facility_id" required
                    aria-invalid=[problems.facility.as_ref().map(|_| "true")]
                    aria-describedby=[problems.facility.as_ref().map(|_| "facility_id-error")] {
                    option value="" { (language.t("consent-facility-choose")) }
                    @for (id, name) in directory {
                        option value=(id) selected[*id == form.facility_id] { (name) }
                    }
                }
            }
            div.field {
                label for="until" { (language.t("consent-until-label")) }
                p.hint id="until-hint" { (language.t("consent-until-hint")) }
                @if let Some(error) = &problems.until { p.error id="until-error" { (error) } }
                input type="date" id="until" name="until" value=(form.until)
                    aria-invalid=[problems.until.as_ref().map(|_| "true")]
                    aria-describedby=(if problems.until.is_some() { "until-hint until-error" } else { "until-hint" });
            }
            button.primary type="submit" { (language.t("consent-grant")) }
        }
    }
}

/// Grants the chosen facility access. The fields are checked here first, so each mistake is named in
/// the visitor's language and nothing is written; the domain checks them again.
pub(crate) async fn grant(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<GrantForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let signed_in = match signed_in(&state, &headers, CONSENTS_PATH).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let patient_id = match record_in_view(&signed_in) {
        Ok(patient_id) => patient_id,
        Err(error) => return visit.error(error),
    };
    let language = visit.language;
    let facility_id = Uuid::parse_str(form.facility_id.trim()).ok();
    let until = form.until.trim();
    let until_error = if until.is_empty() {
        None
    } else {
        match chrono::NaiveDate::parse_from_str(until, "%Y-%m-%d") {
            Ok(day) if until.len() == 10 && day < time::today() => Some(language.t("consent-until-past")),
            Ok(_) if until.len() == 10 => None,
            _ => Some(language.t("consent-until-invalid")),
        }
    };
    let problems = Problems {
        facility: facility_id.is_none().then(|| language.t("consent-facility-required")),
        until: until_error,
        ..Problems::default()
    };
    let Some(facility_id) = facility_id.filter(|_| problems.until.is_none()) else {
        let problems = Problems { alert: Some(language.t("form-has-errors")), ..problems };
        return draw(&state, &visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, &form, problems).await;
    };
    let command = RecordCommand::GrantAccess(GrantAccess {
        facility_id,
        until: (!until.is_empty()).then(|| until.to_owned()),
        today: state.application.today_in_cameroon(),
    });
    match state.application.execute_on_record(&signed_in.principal, patient_id, command, &Submission::once()).await {
        Ok(_) => see_other(CONSENTS_PATH),
        Err(ApplicationError::Invalid(fields)) => {
            let mut problems = Problems { alert: Some(language.t("form-has-errors")), ..Problems::default() };
            for field in fields {
                match field.field {
                    "/until" => problems.until = Some(language.t("consent-until-invalid")),
                    _ => problems.facility = Some(language.t("consent-facility-unknown")),
                }
            }
            draw(&state, &visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, &form, problems).await
        }
        Err(error) => visit.error(error.into()),
    }
}

/// Withdraws a facility's access.
pub(crate) async fn revoke(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<RevokeForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let signed_in = match signed_in(&state, &headers, CONSENTS_PATH).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let patient_id = match record_in_view(&signed_in) {
        Ok(patient_id) => patient_id,
        Err(error) => return visit.error(error),
    };
    let Ok(facility_id) = Uuid::parse_str(form.facility_id.trim()) else {
        return visit.error(PageError::BadRequest);
    };
    let command = RecordCommand::RevokeAccess { facility_id };
    match state.application.execute_on_record(&signed_in.principal, patient_id, command, &Submission::once()).await {
        Ok(_) => see_other(CONSENTS_PATH),
        Err(ApplicationError::Invalid(_)) => {
            // Already revoked (from another page or device): the list shows where things stand.
            let problems = Problems { alert: Some(visit.language.t("consent-not-granted")), ..Problems::default() };
            draw(&state, &visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, &GrantForm::default(), problems).await
        }
        Err(error) => visit.error(error.into()),
    }
}
