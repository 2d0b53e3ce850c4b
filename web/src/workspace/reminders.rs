//! A patient's reminder choices at the desk: a doctor or nurse sets them on the patient's word (the
//! language, the channel, the kinds declined), through the application layer exactly as the patient
//! does on the portal and the JSON API does; the policy decides who may (`SetReminderPreferences`:
//! staff with the patient in their ordinary care, the registration desk included).

use super::{caregiver, desk, staff_member, PATIENTS_PATH};
use crate::pages::{check_form, see_other, PageError, Visit};
use crate::portal::reminders::{choices_form, ChoicesForm};
use crate::WebState;
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use event_schema::Role;
use maud::html;
use uuid::Uuid;

fn here(patient_id: Uuid) -> String {
    format!("{PATIENTS_PATH}/{patient_id}/reminders")
}

fn draw(
    visit: &Visit,
    role: Role,
    patient_id: Uuid,
    status: StatusCode,
    form: &ChoicesForm,
    channel_error: Option<&str>,
) -> Response {
    let language = visit.language;
    let title = language.t("ws-reminders-title");
    let alert = channel_error.map(|_| language.t("form-has-errors"));
    let main = html! {
        h1 { (title) }
        @if let Some(alert) = &alert { p.alert role="alert" { (alert) } }
        p { (language.t("ws-reminders-intro")) }
        (choices_form(visit, &here(patient_id), form, channel_error))
        @if caregiver(role) {
            p { a href=(format!("{PATIENTS_PATH}/{patient_id}")) { (language.t("ws-back-to-record")) } }
        } @else {
            p { a href="/" { (language.t("back-home")) } }
        }
    };
    visit.page(status, &title, PATIENTS_PATH, true, main)
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
    match state.application.reminder_preferences(&signed_in.principal, patient_id).await {
        Ok(preferences) => draw(
            &visit,
            signed_in.principal.role,
            patient_id,
            StatusCode::OK,
            &ChoicesForm::from_preferences(&preferences),
            None,
        ),
        Err(error) => visit.error(error.into()),
    }
}

pub(crate) async fn save(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(patient_id): Path<String>,
    form: Result<Form<ChoicesForm>, FormRejection>,
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
    let Some(preferences) = form.preferences() else { return visit.error(PageError::BadRequest) };
    match state.application.set_reminder_preferences(&signed_in.principal, patient_id, preferences).await {
        // Back to the record, for those who read it; the desk sees its choices saved.
        Ok(_) if caregiver(signed_in.principal.role) => see_other(&format!("{PATIENTS_PATH}/{patient_id}")),
        Ok(_) => see_other(&here(patient_id)),
        Err(ApplicationError::Invalid(_)) => {
            let error = visit.language.t("reminders-channel-no-address");
            draw(&visit, signed_in.principal.role, patient_id, StatusCode::UNPROCESSABLE_ENTITY, &form, Some(&error))
        }
        Err(error) => visit.error(error.into()),
    }
}
