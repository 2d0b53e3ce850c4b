//! Finding a patient (`/care/patients`): by health ID, by national ID card number, or by family name
//! with date of birth, through GraphQL `searchPatients`. The search is posted, never put in the URL,
//! since a national ID or a name there would stay in browser histories and server logs. What each
//! result shows is the policy's answer: a patient not in the viewer's care shows only the initials
//! and the year of birth, as the API answers.

use super::{caregiver, nodes, query, staff_member, text, PATIENTS_PATH};
use crate::i18n::Language;
use crate::pages::{check_form, PageError, Visit};
use crate::{time, WebState};
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};

const SEARCH: &str = r#"query Search($healthId: HealthId, $nationalId: String, $familyName: String, $birthDate: String) {
  searchPatients(healthId: $healthId, nationalId: $nationalId, familyName: $familyName, birthDate: $birthDate, first: 20) {
    nodes { id healthId initials birthYear inCare familyName givenNames sex birthDate healthDistrict mergedInto }
  }
}"#;

/// The longest family name searched, in characters.
const NAME_MAX: usize = 120;

#[derive(Deserialize, Default)]
pub struct SearchForm {
    form_token: Option<String>,
    #[serde(default)]
    health_id: String,
    #[serde(default)]
    national_id: String,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    birth_date: String,
}

/// What the form shows beside its fields.
#[derive(Default)]
struct Problems {
    alert: Option<String>,
    health_id: Option<String>,
    national_id: Option<String>,
    family_name: Option<String>,
    birth_date: Option<String>,
}

/// The search form.
pub(crate) async fn form(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let visit = Visit::new(&state, &headers);
    if let Err(response) = staff_member(&state, &headers, &visit, PATIENTS_PATH, caregiver).await {
        return response;
    }
    page(&visit, StatusCode::OK, &SearchForm::default(), Problems::default(), None)
}

/// Runs a search and shows its results under the form, which keeps what was typed.
pub(crate) async fn submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<SearchForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let signed_in = match staff_member(&state, &headers, &visit, PATIENTS_PATH, caregiver).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let language = visit.language;
    let variables = match criteria(language, &form) {
        Ok(variables) => variables,
        Err(problems) => return page(&visit, StatusCode::UNPROCESSABLE_ENTITY, &form, problems, None),
    };
    match query(&state, &signed_in, SEARCH, variables).await {
        Ok(data) => {
            let found = results(language, nodes(&data["searchPatients"]));
            page(&visit, StatusCode::OK, &form, Problems::default(), Some(found))
        }
        Err(unanswered) if unanswered.0 == "BAD_USER_INPUT" => {
            let problems = Problems { alert: Some(language.t("ws-search-refused")), ..Problems::default() };
            page(&visit, StatusCode::UNPROCESSABLE_ENTITY, &form, problems, None)
        }
        Err(unanswered) => visit.error(unanswered.page_error()),
    }
}

/// The search's variables: exactly one way of finding someone, checked as the API checks it, with
/// each field's error in the page's language.
fn criteria(language: Language, form: &SearchForm) -> Result<Value, Problems> {
    let (health_id, national_id) = (form.health_id.trim(), form.national_id.trim());
    let (family_name, birth_date) = (form.family_name.trim(), form.birth_date.trim());
    if !health_id.is_empty() {
        return match domain::health_id::HealthId::parse(health_id) {
            Ok(id) => Ok(json!({ "healthId": id.as_str() })),
            Err(_) => {
                Err(Problems { health_id: Some(language.t("ws-search-health-id-invalid")), ..with_alert(language) })
            }
        };
    }
    if !national_id.is_empty() {
        return match domain::health_id::normalise_national_id(national_id) {
            Ok(id) => Ok(json!({ "nationalId": id })),
            Err(_) => {
                Err(Problems { national_id: Some(language.t("ws-search-national-id-invalid")), ..with_alert(language) })
            }
        };
    }
    if family_name.is_empty() && birth_date.is_empty() {
        return Err(Problems { alert: Some(language.t("ws-search-nothing")), ..Problems::default() });
    }
    let mut problems = with_alert(language);
    problems.family_name = crate::pages::required(language, family_name, NAME_MAX);
    if chrono::NaiveDate::parse_from_str(birth_date, "%Y-%m-%d").is_err() {
        problems.birth_date = Some(language.t("ws-error-date"));
    }
    if problems.family_name.is_some() || problems.birth_date.is_some() {
        return Err(problems);
    }
    Ok(json!({ "familyName": family_name, "birthDate": birth_date }))
}

fn with_alert(language: Language) -> Problems {
    Problems { alert: Some(language.t("form-has-errors")), ..Problems::default() }
}

fn results(language: Language, found: &[Value]) -> Markup {
    html! {
        section.results aria-labelledby="results-title" {
            h2 id="results-title" { (language.t("ws-search-results")) }
            @if found.is_empty() {
                p.empty { (language.t("ws-search-none")) }
            } @else {
                ul.entries {
                    @for patient in found {
                        li { (result(language, patient)) }
                    }
                }
            }
        }
    }
}

fn result(language: Language, patient: &Value) -> Markup {
    let link = format!("{PATIENTS_PATH}/{}", text(&patient["id"]));
    html! {
        @if patient["inCare"] == true {
            a.what href=(link) { (text(&patient["givenNames"])) " " (text(&patient["familyName"])) }
            br;
            (language.t_with("ws-search-born", &[("date", time::day(language, text(&patient["birthDate"])).into())]))
            " · " (text(&patient["healthId"]))
            @if let Some(district) = patient["healthDistrict"].as_str() { " · " (district) }
        } @else {
            a.what href=(link) { (text(&patient["initials"])) }
            br;
            @if let Some(year) = patient["birthYear"].as_i64() {
                (language.t_with("ws-search-born-in", &[("year", year.to_string().into())])) " · "
            }
            (text(&patient["healthId"]))
            br;
            span.tag { (language.t("ws-search-not-in-care")) }
        }
    }
}

fn page(visit: &Visit, status: StatusCode, form: &SearchForm, problems: Problems, found: Option<Markup>) -> Response {
    let language = visit.language;
    let title = language.t("ws-search-title");
    let field = |name: &'static str, label: &str, kind: &'static str, value: &str, error: &Option<String>| {
        let error_id = format!("{name}-error");
        html! {
            div.field {
                label for=(name) { (label) }
                @if let Some(error) = error { p.error id=(error_id) { (error) } }
                input type=(kind) id=(name) name=(name) value=(value) autocomplete="off"
                    aria-invalid=[error.as_ref().map(|_| "true")]
                    aria-describedby=[error.as_ref().map(|_| error_id.clone())];
            }
        }
    };
    let main = html! {
        h1 { (title) }
        @if let Some(alert) = &problems.alert { p.alert role="alert" { (alert) } }
        p { (language.t("ws-search-intro")) }
        form.page method="post" action=(PATIENTS_PATH) {
            (visit.token_field())
            fieldset {
                legend { (language.t("ws-search-by-id")) }
                (field("health_id", &language.t("ws-search-health-id"), "text", &form.health_id, &problems.health_id))
                // Shown by the QR code reader where the browser can film and read QR codes; the
                // texts it says are these, in the page's language.
                div.scan id="scan" hidden data-start=(language.t("ws-scan-start")) data-stop=(language.t("ws-scan-stop"))
                    data-aim=(language.t("ws-scan-aim")) data-found=(language.t("ws-scan-found"))
                    data-failed=(language.t("ws-scan-failed")) {
                    button type="button" { (language.t("ws-scan-start")) }
                    video hidden muted playsinline aria-label=(language.t("ws-scan-camera")) {}
                    p.scan-status role="status" aria-live="polite" {}
                }
                (field("national_id", &language.t("ws-search-national-id"), "text", &form.national_id, &problems.national_id))
            }
            fieldset {
                legend { (language.t("ws-search-by-name")) }
                (field("family_name", &language.t("ws-search-family-name"), "text", &form.family_name, &problems.family_name))
                (field("birth_date", &language.t("ws-search-birth-date"), "date", &form.birth_date, &problems.birth_date))
            }
            button.primary type="submit" { (language.t("ws-search-submit")) }
        }
        @if let Some(found) = found { (found) }
        p { a href="/" { (language.t("back-home")) } }
    };
    visit.page_with_script(status, &title, PATIENTS_PATH, main, &crate::assets::scan_path())
}
