//! My reminders: the language and channel of the reminders I receive (vaccinations due, appointments,
//! results ready), and the kinds I do not want. Read and set through the application layer
//! (`Application::reminder_preferences`, `set_reminder_preferences`), exactly as the JSON API's
//! `/api/v1/patients/{id}/reminder-preferences` does; each change is a ledger event.

use super::{messages, navigation, record_in_view, signed_in, REMINDERS_PATH};
use crate::pages::{check_form, see_other, PageError, Visit};
use crate::session::SignedIn;
use crate::WebState;
use application::reminders::ReminderPreferences;
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use event_schema::events::reminder::{ReminderChannel, ReminderKind, ReminderLanguage};
use maud::{html, Markup};
use serde::Deserialize;

/// The form as sent: each choice's value (`""` for the default) and a box ticked per kind declined.
#[derive(Deserialize, Default)]
pub struct ChoicesForm {
    /// The form token: every post carries one.
    pub(crate) form_token: Option<String>,
    #[serde(default)]
    language: String,
    #[serde(default)]
    channel: String,
    no_vaccination: Option<String>,
    no_appointment: Option<String>,
    no_lab_result: Option<String>,
}

impl ChoicesForm {
    pub(crate) fn from_preferences(preferences: &ReminderPreferences) -> Self {
        let declined = |kind| preferences.opted_out.contains(&kind).then(|| "on".to_owned());
        Self {
            form_token: None,
            language: match preferences.language {
                Some(ReminderLanguage::French) => "fr",
                Some(ReminderLanguage::English) => "en",
                None => "",
            }
            .to_owned(),
            channel: match preferences.channel {
                Some(ReminderChannel::Sms) => "sms",
                Some(ReminderChannel::Email) => "email",
                Some(ReminderChannel::None) => "none",
                None => "",
            }
            .to_owned(),
            no_vaccination: declined(ReminderKind::Vaccination),
            no_appointment: declined(ReminderKind::Appointment),
            no_lab_result: declined(ReminderKind::LabResult),
        }
    }

    /// The choices the form states, or `None` when a value is none of the offered ones (a forged form).
    pub(crate) fn preferences(&self) -> Option<ReminderPreferences> {
        let language = match self.language.as_str() {
            "" => None,
            "fr" => Some(ReminderLanguage::French),
            "en" => Some(ReminderLanguage::English),
            _ => return None,
        };
        let channel = match self.channel.as_str() {
            "" => None,
            "sms" => Some(ReminderChannel::Sms),
            "email" => Some(ReminderChannel::Email),
            "none" => Some(ReminderChannel::None),
            _ => return None,
        };
        let opted_out = [
            (&self.no_vaccination, ReminderKind::Vaccination),
            (&self.no_appointment, ReminderKind::Appointment),
            (&self.no_lab_result, ReminderKind::LabResult),
        ]
        .into_iter()
        .filter(|(ticked, _)| ticked.is_some())
        .map(|(_, kind)| kind)
        .collect();
        Some(ReminderPreferences { language, channel, opted_out })
    }
}

pub(crate) async fn page(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let signed_in = match signed_in(&state, &headers, REMINDERS_PATH).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let visit = Visit::new(&state, &headers);
    let patient_id = match record_in_view(&signed_in) {
        Ok(patient_id) => patient_id,
        Err(error) => return visit.error(error),
    };
    match state.application.reminder_preferences(&signed_in.principal, patient_id).await {
        Ok(preferences) => {
            draw(&visit, &signed_in, StatusCode::OK, &ChoicesForm::from_preferences(&preferences), None, None)
        }
        Err(error) => visit.error(error.into()),
    }
}

fn draw(
    visit: &Visit,
    signed_in: &SignedIn,
    status: StatusCode,
    form: &ChoicesForm,
    alert: Option<&str>,
    channel_error: Option<&str>,
) -> Response {
    if let Err(error) = record_in_view(signed_in) {
        return visit.error(error);
    }
    let language = visit.language;
    let title = language.t("reminders-title");
    let main = html! {
        (navigation(visit, signed_in, REMINDERS_PATH))
        h1 { (title) }
        (messages(None, alert))
        p { (language.t("reminders-intro")) }
        (choices_form(visit, REMINDERS_PATH, form, channel_error))
    };
    visit.page(status, &title, REMINDERS_PATH, true, main)
}

/// The form of the choices, posted to `action`, with the channel's error if it has one.
pub(crate) fn choices_form(visit: &Visit, action: &str, form: &ChoicesForm, channel_error: Option<&str>) -> Markup {
    let language = visit.language;
    let option = |value: &str, chosen: &str, label: &str| {
        html! { option value=(value) selected[value == chosen] { (language.t(label)) } }
    };
    let kinds = [
        ("no_vaccination", &form.no_vaccination, id!("reminders-kind-vaccination")),
        ("no_appointment", &form.no_appointment, id!("reminders-kind-appointment")),
        ("no_lab_result", &form.no_lab_result, id!("reminders-kind-lab-result")),
    ];
    html! {
        form.page method="post" action=(action) novalidate {
            (visit.token_field())
            div.field {
                label for="language" { (language.t("reminders-language")) }
                select id="language" name="language" {
                    (option("", &form.language, id!("reminders-language-default")))
                    (option("fr", &form.language, id!("reminders-language-fr")))
                    (option("en", &form.language, id!("reminders-language-en")))
                }
            }
            div.field {
                label for="channel" { (language.t("reminders-channel")) }
                @if let Some(error) = channel_error { p.error id="channel-error" { (error) } }
                select id="channel" name="channel"
                    aria-invalid=[channel_error.map(|_| "true")]
                    aria-describedby=[channel_error.map(|_| "channel-error")] {
                    (option("", &form.channel, id!("reminders-channel-default")))
                    (option("sms", &form.channel, id!("reminders-channel-sms")))
                    (option("email", &form.channel, id!("reminders-channel-email")))
                    (option("none", &form.channel, id!("reminders-channel-none")))
                }
            }
            fieldset {
                legend { (language.t("reminders-kinds")) }
                @for (name, ticked, label) in kinds {
                    div.check {
                        input type="checkbox" id=(name) name=(name) checked[ticked.is_some()];
                        label for=(name) { (language.t(label)) }
                    }
                }
            }
            button.primary type="submit" { (language.t("reminders-save")) }
        }
    }
}

/// Sets the choices; a channel without an address on the record comes back with the field's error and
/// nothing written.
pub(crate) async fn save(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<ChoicesForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let signed_in = match signed_in(&state, &headers, REMINDERS_PATH).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let patient_id = match record_in_view(&signed_in) {
        Ok(patient_id) => patient_id,
        Err(error) => return visit.error(error),
    };
    let Some(preferences) = form.preferences() else { return visit.error(PageError::BadRequest) };
    match state.application.set_reminder_preferences(&signed_in.principal, patient_id, preferences).await {
        Ok(_) => see_other(REMINDERS_PATH),
        Err(ApplicationError::Invalid(_)) => {
            let language = visit.language;
            let (alert, error) = (language.t("form-has-errors"), language.t("reminders-channel-no-address"));
            draw(&visit, &signed_in, StatusCode::UNPROCESSABLE_ENTITY, &form, Some(&alert), Some(&error))
        }
        Err(error) => visit.error(error.into()),
    }
}
