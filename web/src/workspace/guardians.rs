//! A minor's guardians at the desk: the parents or appointed guardian recorded on the proof shown (a
//! birth certificate, a court's order), each then able to manage the minor's record from their own
//! portal account until the minor turns 21; and ending one early, with a reason. Recorded through the
//! application layer with the commands the JSON API builds; the policy decides who may
//! (`ManageGuardianship`: staff with the minor in their ordinary care, the registration desk included).

use super::{caregiver, desk, domain_message, named, query, staff_member, text, PATIENTS_PATH};
use crate::i18n::Language;
use crate::pages::{check_form, see_other, PageError, Visit};
use crate::WebState;
use application::record::{RecordCommand, Submission};
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::record::guardianship::{EndGuardianship, RecordGuardian};
use event_schema::events::record::GuardianRelationship;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// Names the commands of these forms: the account and the form's nonce, so that a form posted twice
/// records once.
const COMMAND_NAMESPACE: Uuid = Uuid::from_u128(0x3f1d_9a62_7c05_4b8e_a1d3_5e27_c940_6b18);

const GUARDIANS: &str = "query($id: ID!) { patient(id: $id) { givenNames familyName \
     guardians { patientId healthId relationship until } } }";

const RELATIONSHIPS: [(&str, &str); 3] = [
    ("mother", id!("ws-guardian-mother")),
    ("father", id!("ws-guardian-father")),
    ("legal_guardian", id!("ws-guardian-legal-guardian")),
];

fn here(patient_id: Uuid) -> String {
    format!("{PATIENTS_PATH}/{patient_id}/guardians")
}

/// The form recording a guardian, as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct GuardianForm {
    form_token: Option<String>,
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    guardian_health_id: String,
    #[serde(default)]
    relationship: String,
}

/// The form ending a guardianship, as posted.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct EndForm {
    form_token: Option<String>,
    #[serde(default)]
    nonce: String,
    #[serde(default)]
    reason: String,
}

/// What went wrong with a post, shown beside the field it concerns.
#[derive(Default)]
struct Problems {
    health_id: Option<String>,
    relationship: Option<String>,
    /// The guardianship whose ending was refused, and why.
    end: Option<(String, String)>,
    /// Anything that is no one field's.
    general: Option<String>,
}

impl Problems {
    fn any(&self) -> bool {
        self.health_id.is_some() || self.relationship.is_some() || self.end.is_some() || self.general.is_some()
    }
}

fn relationship(value: &str) -> Option<GuardianRelationship> {
    match value {
        "mother" => Some(GuardianRelationship::Mother),
        "father" => Some(GuardianRelationship::Father),
        "legal_guardian" => Some(GuardianRelationship::LegalGuardian),
        _ => None,
    }
}

fn submission(account_id: Uuid, nonce: &str) -> Submission {
    let nonce = Uuid::parse_str(nonce).unwrap_or_else(|_| Uuid::new_v4());
    let name = format!("{account_id}:{nonce}");
    Submission { command_id: Uuid::new_v5(&COMMAND_NAMESPACE, name.as_bytes()), keyed: true, expected: None }
}

fn field_error(id: &str, error: Option<&String>) -> Markup {
    html! { @if let Some(error) = error { p.error id=(id) { (error) } } }
}

fn draw(
    visit: &Visit,
    role: event_schema::Role,
    patient_id: Uuid,
    patient: &Value,
    status: StatusCode,
    form: &GuardianForm,
    problems: &Problems,
) -> Response {
    let language = visit.language;
    let title = language.t("ws-guardians-title");
    let name = format!("{} {}", text(&patient["givenNames"]), text(&patient["familyName"]));
    let guardians = patient["guardians"].as_array().map(Vec::as_slice).unwrap_or_default();
    let action = here(patient_id);
    let nonce = Uuid::new_v4().to_string();
    let main = html! {
        h1 { (title) }
        p { (name) }
        @if problems.any() { p.alert role="alert" { (problems.general.clone().unwrap_or_else(|| language.t("form-has-errors"))) } }
        p { (language.t("ws-guardians-intro")) }
        @if guardians.is_empty() {
            p { (language.t("ws-guardians-none")) }
        } @else {
            ul.entries {
                @for guardian in guardians {
                    @let guardian_id = text(&guardian["patientId"]);
                    @let refused = problems.end.as_ref().filter(|(id, _)| id == guardian_id).map(|(_, error)| error);
                    li {
                        strong { (named(language, &RELATIONSHIPS, text(&guardian["relationship"]))) }
                        " · " (text(&guardian["healthId"]))
                        span.meta { (language.t_with("ws-guardian-until", &[("day", text(&guardian["until"]).into())])) }
                        form.inline method="post" action=(format!("{action}/{guardian_id}/end")) novalidate {
                            (visit.token_field())
                            input type="hidden" name="nonce" value=(nonce);
                            @let field = format!("reason-{guardian_id}");
                            div.field {
                                label for=(field) { (language.t("ws-guardian-end-reason")) }
                                (field_error(&format!("{field}-error"), refused))
                                input type="text" id=(field) name="reason" maxlength="500" required
                                    aria-invalid=[refused.map(|_| "true")]
                                    aria-describedby=[refused.map(|_| format!("{field}-error"))];
                            }
                            button type="submit" { (language.t("ws-guardian-end")) }
                        }
                    }
                }
            }
        }
        h2 { (language.t("ws-guardian-add")) }
        p { (language.t("ws-guardian-proof")) }
        form.page method="post" action=(action) novalidate {
            (visit.token_field())
            input type="hidden" name="nonce" value=(if form.nonce.is_empty() { &nonce } else { &form.nonce });
            div.field {
                label for="guardian_health_id" { (language.t("ws-guardian-health-id")) }
                (field_error("guardian_health_id-error", problems.health_id.as_ref()))
                input type="text" id="guardian_health_id" name="guardian_health_id" value=(form.guardian_health_id)
                    maxlength="40" autocomplete="off" required
                    aria-invalid=[problems.health_id.as_ref().map(|_| "true")]
                    aria-describedby=[problems.health_id.as_ref().map(|_| "guardian_health_id-error")];
            }
            div.field {
                label for="relationship" { (language.t("ws-guardian-relationship")) }
                (field_error("relationship-error", problems.relationship.as_ref()))
                select id="relationship" name="relationship" required
                    aria-invalid=[problems.relationship.as_ref().map(|_| "true")]
                    aria-describedby=[problems.relationship.as_ref().map(|_| "relationship-error")] {
                    option value="" { "—" }
                    @for (value, label) in RELATIONSHIPS {
                        option value=(value) selected[form.relationship == value] { (language.t(label)) }
                    }
                }
            }
            button type="submit" { (language.t("ws-guardian-record")) }
        }
        @if caregiver(role) {
            p { a href=(format!("{PATIENTS_PATH}/{patient_id}")) { (language.t("ws-back-to-record")) } }
        } @else {
            p { a href="/" { (language.t("back-home")) } }
        }
    };
    visit.page(status, &title, PATIENTS_PATH, true, main)
}

/// The page with the minor's guardians as they stand, drawn for `signed_in`, or the error page.
async fn redraw(
    state: &WebState,
    visit: &Visit,
    signed_in: &crate::session::SignedIn,
    patient_id: Uuid,
    status: StatusCode,
    form: &GuardianForm,
    problems: &Problems,
) -> Response {
    match query(state, signed_in, GUARDIANS, json!({ "id": patient_id.to_string() })).await {
        Ok(data) => draw(visit, signed_in.principal.role, patient_id, &data["patient"], status, form, problems),
        Err(unanswered) => visit.error(unanswered.page_error()),
    }
}

pub(crate) async fn page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(patient_id): Path<String>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let signed_in = match staff_member(&state, &headers, &visit, PATIENTS_PATH, desk).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let Ok(patient_id) = Uuid::parse_str(&patient_id) else { return visit.error(PageError::NotFound) };
    redraw(&state, &visit, &signed_in, patient_id, StatusCode::OK, &GuardianForm::default(), &Problems::default()).await
}

/// The refusals of the application as the form shows them: each on its field, in the page's
/// language; anything else is the error page.
fn problems_of(language: Language, error: ApplicationError) -> Result<Problems, PageError> {
    let ApplicationError::Invalid(errors) = error else { return Err(error.into()) };
    let mut problems = Problems::default();
    for error in errors {
        let message = domain_message(language, &error.message);
        match error.field {
            "/guardian_health_id" => problems.health_id = Some(message),
            "/relationship" => problems.relationship = Some(message),
            _ => problems.general = Some(message),
        }
    }
    Ok(problems)
}

pub(crate) async fn record(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(patient_id): Path<String>,
    form: Result<Form<GuardianForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let signed_in = match staff_member(&state, &headers, &visit, PATIENTS_PATH, desk).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let Ok(patient_id) = Uuid::parse_str(&patient_id) else { return visit.error(PageError::NotFound) };
    let language = visit.language;
    let invalid = StatusCode::UNPROCESSABLE_ENTITY;
    let mut problems = Problems::default();
    if form.guardian_health_id.trim().is_empty() {
        problems.health_id = Some(language.t("field-required"));
    }
    let chosen = relationship(&form.relationship);
    if chosen.is_none() {
        problems.relationship = Some(language.t("field-required"));
    }
    let Some(relationship) = chosen.filter(|_| !problems.any()) else {
        return redraw(&state, &visit, &signed_in, patient_id, invalid, &form, &problems).await;
    };
    let principal = &signed_in.principal;
    let application = &state.application;
    let outcome = match application.guardian_by_health_id(principal, patient_id, &form.guardian_health_id).await {
        Ok(guardian_patient_id) => {
            let command = RecordCommand::RecordGuardian(RecordGuardian {
                guardian_patient_id,
                relationship,
                today: application.today_in_cameroon(),
            });
            let submission = submission(principal.account_id, &form.nonce);
            application.execute_on_record(principal, patient_id, command, &submission).await.map(|_| ())
        }
        Err(error) => Err(error),
    };
    match outcome.map_err(|error| problems_of(language, error)) {
        Ok(()) => see_other(&here(patient_id)),
        Err(Ok(problems)) => redraw(&state, &visit, &signed_in, patient_id, invalid, &form, &problems).await,
        Err(Err(error)) => visit.error(error),
    }
}

pub(crate) async fn end(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((patient_id, guardian_id)): Path<(String, String)>,
    form: Result<Form<EndForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let signed_in = match staff_member(&state, &headers, &visit, PATIENTS_PATH, desk).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let (Ok(patient_id), Ok(guardian_patient_id)) = (Uuid::parse_str(&patient_id), Uuid::parse_str(&guardian_id))
    else {
        return visit.error(PageError::NotFound);
    };
    let language = visit.language;
    let command = RecordCommand::EndGuardianship(EndGuardianship { guardian_patient_id, reason: form.reason });
    let submission = submission(signed_in.principal.account_id, &form.nonce);
    match state.application.execute_on_record(&signed_in.principal, patient_id, command, &submission).await {
        Ok(_) => see_other(&here(patient_id)),
        Err(ApplicationError::Invalid(errors)) => {
            let message = errors
                .iter()
                .map(|error| match error.field {
                    "/reason" => language.t("ws-guardian-end-reason-short"),
                    _ => domain_message(language, &error.message),
                })
                .collect::<Vec<_>>()
                .join(" ");
            let problems = Problems { end: Some((guardian_id, message)), ..Problems::default() };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            redraw(&state, &visit, &signed_in, patient_id, status, &GuardianForm::default(), &problems).await
        }
        Err(error) => visit.error(error.into()),
    }
}
