//! My appointments: upcoming ones first, each with the way to cancel it, then past or cancelled ones
//! with their outcome. A cancellation is the command the JSON API's close route builds for a patient
//! (`RecordCommand::close_appointment`: cancelled, with the patient's reason), handed to
//! `Application::execute_on_record`; the policy lets a patient cancel only their own appointment, and
//! only before it starts.

use super::record::{draw_appointments, APPOINTMENTS};
use super::{messages, navigation, query, record_in_view, signed_in, APPOINTMENTS_PATH};
use crate::pages::{check_form, see_other, PageError, Visit};
use crate::session::SignedIn;
use crate::WebState;
use application::record::{RecordCommand, Submission};
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use event_schema::events::record::AppointmentOutcome;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

pub(crate) const CANCEL_PATH: &str = "/my/appointments/cancel";

/// Names the command ids derived from a cancellation form's nonce, so a form posted twice cancels once.
const COMMAND_NAMESPACE: Uuid = Uuid::from_u128(0x1d7c_52a9_0b3e_4f61_8a2d_94e6_c0b7_5f18);

/// The shortest and longest reason the domain accepts for a cancellation.
const REASON_MIN: usize = 3;
const REASON_MAX: usize = 300;

/// What the cancellation form was sent with, and what is wrong with it.
#[derive(Default)]
struct Problems {
    alert: Option<String>,
    /// The appointment whose form has an error, and the error.
    reason: Option<(String, String)>,
    /// What was typed, kept for the form it was typed in.
    typed: Option<(String, String)>,
}

#[derive(Deserialize)]
pub struct CancelForm {
    form_token: Option<String>,
    #[serde(default)]
    appointment_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    nonce: String,
}

pub(crate) async fn page(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let signed_in = match signed_in(&state, &headers, APPOINTMENTS_PATH).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let visit = Visit::new(&state, &headers);
    match drawn(&state, &visit, &signed_in, StatusCode::OK, Problems::default()).await {
        Ok(response) => response,
        Err(error) => visit.error(error),
    }
}

/// The page, read for the session's viewer through the query API.
async fn drawn(
    state: &WebState,
    visit: &Visit,
    signed_in: &SignedIn,
    status: StatusCode,
    problems: Problems,
) -> Result<Response, PageError> {
    let patient_id = record_in_view(signed_in)?;
    let data = query(state, signed_in, APPOINTMENTS, json!({ "id": patient_id.to_string() })).await?;
    let language = visit.language;
    let title = language.t("appointments-title");
    let cancel = |appointment: &Value| cancel_form(visit, appointment, &problems);
    let main = html! {
        (navigation(visit, signed_in, APPOINTMENTS_PATH))
        h1 { (title) }
        (messages(None, problems.alert.as_deref()))
        (draw_appointments(language, &data["patient"], &cancel))
    };
    Ok(visit.page(status, &title, APPOINTMENTS_PATH, true, main))
}

/// The way to cancel one upcoming appointment, folded so that the list stays short: a reason, which
/// the facility reads, then the button.
fn cancel_form(visit: &Visit, appointment: &Value, problems: &Problems) -> Markup {
    let language = visit.language;
    let id = appointment["id"].as_str().unwrap_or_default();
    let field = format!("reason-{id}");
    let error = problems.reason.as_ref().filter(|(for_id, _)| for_id == id).map(|(_, error)| error);
    let typed = problems.typed.as_ref().filter(|(for_id, _)| for_id == id).map(|(_, typed)| typed.as_str());
    let error_id = format!("{field}-error");
    html! {
        details.cancel open[error.is_some()] {
            summary { (language.t("appointment-cancel")) }
            form.page method="post" action=(CANCEL_PATH) {
                (visit.token_field())
                input type="hidden" name="appointment_id" value=(id);
                input type="hidden" name="nonce" value=(Uuid::new_v4());
                div.field {
                    label for=(field) { (language.t("appointment-cancel-reason")) }
                    @if let Some(error) = error { p.error id=(error_id) { (error) } }
                    textarea id=(field) name="reason" rows="2" required minlength=(REASON_MIN) maxlength=(REASON_MAX)
                        aria-invalid=[error.map(|_| "true")] aria-describedby=[error.map(|_| error_id.as_str())] {
                        (typed.unwrap_or_default())
                    }
                }
                button.primary.danger type="submit" { (language.t("appointment-cancel-submit")) }
            }
        }
    }
}

/// Cancels one of the patient's own upcoming appointments, with their reason.
pub(crate) async fn cancel(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<CancelForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let signed_in = match signed_in(&state, &headers, APPOINTMENTS_PATH).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let patient_id = match record_in_view(&signed_in) {
        Ok(patient_id) => patient_id,
        Err(error) => return visit.error(error),
    };
    let (Ok(appointment_id), Ok(nonce)) = (Uuid::parse_str(&form.appointment_id), Uuid::parse_str(&form.nonce)) else {
        return visit.error(PageError::BadRequest);
    };
    let language = visit.language;
    let reason = form.reason.trim().to_owned();
    let length = reason.chars().count();
    if !(REASON_MIN..=REASON_MAX).contains(&length) {
        let error = if length == 0 {
            language.t("field-required")
        } else {
            language
                .t_with("appointment-cancel-reason-length", &[("min", REASON_MIN.into()), ("max", REASON_MAX.into())])
        };
        let problems = Problems {
            alert: Some(language.t("form-has-errors")),
            reason: Some((form.appointment_id.clone(), error)),
            typed: Some((form.appointment_id.clone(), reason)),
        };
        return again(&state, &visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, problems).await;
    }
    let name = format!("{}:{nonce}", signed_in.principal.account_id);
    // A cancellation is about one appointment, not the record's content: it stands on whatever
    // version the record is at.
    let submission =
        Submission { command_id: Uuid::new_v5(&COMMAND_NAMESPACE, name.as_bytes()), keyed: true, expected: None };
    let command = RecordCommand::close_appointment(
        &signed_in.principal,
        appointment_id,
        AppointmentOutcome::Cancelled,
        Some(reason.clone()),
        state.application.now(),
    );
    let outcome = state.application.execute_on_record(&signed_in.principal, patient_id, command, &submission).await;
    match outcome {
        Ok(_) => see_other(APPOINTMENTS_PATH),
        Err(ApplicationError::Invalid(_)) => {
            let problems = Problems {
                alert: Some(language.t("form-has-errors")),
                reason: Some((form.appointment_id.clone(), language.t("appointment-cancel-refused"))),
                typed: Some((form.appointment_id.clone(), reason)),
            };
            again(&state, &visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, problems).await
        }
        // Closed meanwhile, started, or not the patient's: nothing was cancelled, and the page says
        // so without telling which.
        Err(ApplicationError::Conflict(_) | ApplicationError::NotFound | ApplicationError::Forbidden) => {
            let problems = Problems { alert: Some(language.t("appointment-cancel-too-late")), ..Problems::default() };
            again(&state, &visit, &signed_in, StatusCode::CONFLICT, problems).await
        }
        Err(error) => visit.error(error.into()),
    }
}

/// The page again, with what the post got wrong.
async fn again(
    state: &WebState,
    visit: &Visit,
    signed_in: &SignedIn,
    status: StatusCode,
    problems: Problems,
) -> Response {
    match drawn(state, visit, signed_in, status, problems).await {
        Ok(response) => response,
        Err(error) => visit.error(error),
    }
}
