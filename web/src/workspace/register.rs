//! Registering a patient at the desk (`/care/register`): a doctor, nurse or registration clerk enters
//! who the patient is, and the application layer issues the health ID and the patient's account
//! (`Application::register_patient`, as `POST /api/v1/patients` does). The answer is the slip the
//! desk reads out or prints: the health ID, how the account's activation code reaches the patient
//! (the code itself only when it is to be printed, for a patient with neither phone nor e-mail), and
//! the records that look like this one, to review before anything else is recorded.

use super::{staff_member, PATIENTS_PATH};
use crate::i18n::Language;
use crate::pages::{check_form, PageError, Visit};
use crate::WebState;
use application::patients::NewPatient;
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::health_id::HealthId;
use event_schema::events::patient::{BirthDate, NextOfKin, Sex};
use event_schema::events::staff::ContactChannel;
use event_schema::Role;
use maud::html;
use serde::Deserialize;
use std::collections::BTreeMap;

pub(crate) const REGISTER_PATH: &str = "/care/register";

/// The roles that register patients at their facility's desk.
pub(crate) fn desk(role: Role) -> bool {
    matches!(role, Role::Doctor | Role::Nurse | Role::RegistrationClerk)
}

/// The form as posted: every field as typed, kept to draw the form again.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct RegistrationForm {
    form_token: Option<String>,
    #[serde(default)]
    family_name: String,
    #[serde(default)]
    given_names: String,
    #[serde(default)]
    sex: String,
    #[serde(default)]
    birth_date: String,
    birth_estimated: Option<String>,
    #[serde(default)]
    region: String,
    #[serde(default)]
    health_district: String,
    #[serde(default)]
    national_id: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    kin_name: String,
    #[serde(default)]
    kin_relationship: String,
    #[serde(default)]
    kin_phone: String,
}

/// A field's name in the form, for the domain's field (a JSON pointer), and the message that says
/// what the field needs, in the page's language.
const FIELDS: [(&str, &str, &str); 12] = [
    ("/family_name", "family_name", id!("ws-register-name-needed")),
    ("/given_names", "given_names", id!("ws-register-name-needed")),
    ("/birth_date/date", "birth_date", id!("ws-register-birth-date-needed")),
    ("/region", "region", id!("ws-register-region-needed")),
    ("/health_district", "health_district", id!("ws-register-district-needed")),
    ("/national_id", "national_id", id!("ws-register-national-id-needed")),
    ("/phone", "phone", id!("ws-register-phone-needed")),
    ("/email", "email", id!("ws-register-email-needed")),
    ("/next_of_kin/name", "kin_name", id!("ws-register-kin-needed")),
    ("/next_of_kin/relationship", "kin_relationship", id!("ws-register-kin-needed")),
    ("/next_of_kin/phone", "kin_phone", id!("ws-register-phone-needed")),
    ("/sex", "sex", id!("field-required")),
];

const SEXES: [(&str, &str); 3] =
    [("female", id!("ws-sex-female")), ("male", id!("ws-sex-male")), ("unknown", id!("ws-sex-unknown"))];

/// Each field's error, by the form's name for it.
type Problems = BTreeMap<&'static str, String>;

fn optional(value: &str) -> Option<String> {
    Some(value.trim().to_owned()).filter(|value| !value.is_empty())
}

impl RegistrationForm {
    /// The patient as the application takes them, or the fields the form itself finds missing.
    fn patient(&self, language: Language) -> Result<NewPatient, Problems> {
        let mut problems = Problems::new();
        let sex = match self.sex.as_str() {
            "female" => Some(Sex::Female),
            "male" => Some(Sex::Male),
            "unknown" => Some(Sex::Unknown),
            _ => None,
        };
        if sex.is_none() {
            problems.insert("sex", language.t("field-required"));
        }
        for (name, value) in [
            ("family_name", &self.family_name),
            ("given_names", &self.given_names),
            ("birth_date", &self.birth_date),
            ("region", &self.region),
            ("health_district", &self.health_district),
        ] {
            if value.trim().is_empty() {
                problems.insert(name, language.t("field-required"));
            }
        }
        // A next of kin is given whole or not at all.
        let kin = [&self.kin_name, &self.kin_relationship, &self.kin_phone];
        let next_of_kin = if kin.iter().all(|value| value.trim().is_empty()) {
            None
        } else {
            for (name, value) in [("kin_name", &self.kin_name), ("kin_relationship", &self.kin_relationship)] {
                if value.trim().is_empty() {
                    problems.insert(name, language.t("ws-register-kin-needed"));
                }
            }
            Some(NextOfKin {
                name: self.kin_name.trim().to_owned(),
                relationship: self.kin_relationship.trim().to_owned(),
                phone: optional(&self.kin_phone),
            })
        };
        let Some(sex) = sex.filter(|_| problems.is_empty()) else { return Err(problems) };
        Ok(NewPatient {
            national_id: optional(&self.national_id),
            family_name: self.family_name.clone(),
            given_names: self.given_names.clone(),
            sex,
            birth_date: BirthDate {
                date: self.birth_date.trim().to_owned(),
                estimated: self.birth_estimated.is_some(),
            },
            region: self.region.clone(),
            health_district: self.health_district.clone(),
            phone: optional(&self.phone),
            email: optional(&self.email),
            next_of_kin,
        })
    }
}

/// The application's refusal as the form shows it: each field's need in the page's language.
fn problems_of(language: Language, error: ApplicationError) -> Result<Problems, PageError> {
    match error {
        ApplicationError::Invalid(errors) => {
            let mut problems = Problems::new();
            for error in errors {
                let (name, message) = FIELDS
                    .iter()
                    .find(|(pointer, _, _)| *pointer == error.field)
                    .map(|(_, name, message)| (*name, language.t(message)))
                    .unwrap_or(("", language.t("ws-error-rule")));
                problems.entry(name).or_insert(message);
            }
            Ok(problems)
        }
        // The national ID card number belongs to someone already registered.
        ApplicationError::Conflict(_) => {
            Ok(Problems::from([("national_id", language.t("ws-register-national-id-taken"))]))
        }
        other => Err(other.into()),
    }
}

fn draw(visit: &Visit, status: StatusCode, form: &RegistrationForm, problems: &Problems) -> Response {
    let language = visit.language;
    let title = language.t("ws-register-title");
    let field = |name: &'static str, label: &str, kind: &'static str, value: &str, hint: Option<String>| {
        let error = problems.get(name);
        let error_id = format!("{name}-error");
        let hint_id = format!("{name}-hint");
        let described = match (error.is_some(), hint.is_some()) {
            (true, true) => Some(format!("{error_id} {hint_id}")),
            (true, false) => Some(error_id.clone()),
            (false, true) => Some(hint_id.clone()),
            (false, false) => None,
        };
        html! {
            div.field {
                label for=(name) { (label) }
                @if let Some(hint) = &hint { p.hint id=(hint_id) { (hint) } }
                @if let Some(error) = error { p.error id=(error_id) { (error) } }
                input type=(kind) id=(name) name=(name) value=(value) autocomplete="off"
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[described];
            }
        }
    };
    let choice = |name: &'static str, label: &str, chosen: &str, options: Vec<(String, String)>| {
        let error = problems.get(name);
        let error_id = format!("{name}-error");
        html! {
            div.field {
                label for=(name) { (label) }
                @if let Some(error) = error { p.error id=(error_id) { (error) } }
                select id=(name) name=(name) aria-invalid=[error.map(|_| "true")]
                    aria-describedby=[error.map(|_| error_id.clone())] {
                    option value="" { "—" }
                    @for (value, label) in &options {
                        option value=(value) selected[value == chosen] { (label) }
                    }
                }
            }
        }
    };
    let sexes = SEXES.iter().map(|(value, label)| ((*value).to_owned(), language.t(label))).collect();
    let regions = domain::reference::regions()
        .iter()
        .map(|region| {
            let name = if language == Language::French { &region.name_fr } else { &region.name_en };
            (region.code.clone(), name.clone())
        })
        .collect();
    let main = html! {
        h1 { (title) }
        @if !problems.is_empty() { p.alert role="alert" { (language.t("form-has-errors")) } }
        p { (language.t("ws-register-intro")) }
        form.page method="post" action=(REGISTER_PATH) novalidate {
            (visit.token_field())
            fieldset {
                legend { (language.t("ws-register-identity")) }
                (field("family_name", &language.t("ws-register-family-name"), "text", &form.family_name, None))
                (field("given_names", &language.t("ws-register-given-names"), "text", &form.given_names, None))
                (choice("sex", &language.t("ws-register-sex"), &form.sex, sexes))
                (field("birth_date", &language.t("ws-register-birth-date"), "date", &form.birth_date, None))
                div.check {
                    input type="checkbox" id="birth_estimated" name="birth_estimated" checked[form.birth_estimated.is_some()];
                    label for="birth_estimated" { (language.t("ws-register-birth-estimated")) }
                }
                (field("national_id", &language.t("ws-register-national-id"), "text", &form.national_id,
                    Some(language.t("ws-register-optional"))))
            }
            fieldset {
                legend { (language.t("ws-register-where")) }
                (choice("region", &language.t("ws-register-region"), &form.region, regions))
                (field("health_district", &language.t("ws-register-district"), "text", &form.health_district, None))
            }
            fieldset {
                legend { (language.t("ws-register-contact")) }
                p { (language.t("ws-register-contact-intro")) }
                (field("phone", &language.t("ws-register-phone"), "tel", &form.phone, Some(language.t("ws-register-optional"))))
                (field("email", &language.t("ws-register-email"), "email", &form.email, Some(language.t("ws-register-optional"))))
            }
            fieldset {
                legend { (language.t("ws-register-kin")) }
                (field("kin_name", &language.t("ws-register-kin-name"), "text", &form.kin_name, None))
                (field("kin_relationship", &language.t("ws-register-kin-relationship"), "text", &form.kin_relationship, None))
                (field("kin_phone", &language.t("ws-register-kin-phone"), "tel", &form.kin_phone, None))
            }
            button.primary type="submit" { (language.t("ws-register-submit")) }
        }
        p { a href="/" { (language.t("back-home")) } }
    };
    visit.page(status, &title, REGISTER_PATH, true, main)
}

/// The slip: the health ID, how the account's code reaches the patient, and possible duplicates.
fn slip(visit: &Visit, role: Role, registration: &application::patients::PatientRegistration) -> Response {
    let language = visit.language;
    let registered = &registration.registered;
    let title = language.t("ws-register-done-title");
    let grouped =
        HealthId::parse(&registered.health_id).map(|id| id.display_grouped()).unwrap_or(registered.health_id.clone());
    let record = format!("{PATIENTS_PATH}/{}", registered.patient_id);
    let sent = match registration.activation_sent_by {
        ContactChannel::Sms => id!("ws-register-code-sms"),
        ContactChannel::Email => id!("ws-register-code-email"),
        ContactChannel::Printed => id!("ws-register-code-printed"),
    };
    let main = html! {
        h1 { (title) }
        p.notice role="status" {
            (language.t_with("ws-register-done", &[
                ("name", format!("{} {}", registered.given_names, registered.family_name).into()),
            ]))
        }
        dl.identity {
            dt { (language.t("summary-health-id")) }
            dd.health-id { (grouped) }
        }
        p { (language.t(sent)) }
        @if let Some(code) = &registration.printed_code {
            p { (language.t("ws-register-code")) " " strong.code { (code) } }
        }
        @if !registration.probable_duplicates.is_empty() {
            section.duplicates {
                h2 { (language.t("ws-register-duplicates")) }
                p { (language.t("ws-register-duplicates-intro")) }
                ul {
                    @for id in &registration.probable_duplicates {
                        li { a href=(format!("{PATIENTS_PATH}/{id}")) { (language.t("ws-register-duplicate")) } }
                    }
                }
            }
        }
        ul.links {
            @if super::caregiver(role) {
                li { a href=(record) { (language.t("ws-register-open-record")) } }
            }
            li { a href=(format!("{record}/guardians")) { (language.t("ws-guardians-title")) } }
            li { a href=(format!("{record}/reminders")) { (language.t("ws-reminders-title")) } }
            li { a href=(REGISTER_PATH) { (language.t("ws-register-another")) } }
        }
    };
    visit.page(StatusCode::CREATED, &title, REGISTER_PATH, true, main)
}

pub(crate) async fn form(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let visit = Visit::new(&state, &headers);
    if let Err(response) = staff_member(&state, &headers, &visit, REGISTER_PATH, desk).await {
        return response;
    }
    draw(&visit, StatusCode::OK, &RegistrationForm::default(), &Problems::new())
}

fn form_page(visit: &Visit, form: &RegistrationForm, problems: &Problems) -> Response {
    draw(visit, StatusCode::UNPROCESSABLE_ENTITY, form, problems)
}

pub(crate) async fn submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    form: Result<Form<RegistrationForm>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(form)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, form.form_token.as_deref()) {
        return visit.error(refused);
    }
    let signed_in = match staff_member(&state, &headers, &visit, REGISTER_PATH, desk).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let language = visit.language;
    let patient = match form.patient(language) {
        Ok(patient) => patient,
        Err(problems) => return form_page(&visit, &form, &problems),
    };
    match state.application.register_patient(&signed_in.principal, patient).await {
        Ok(registration) => slip(&visit, signed_in.principal.role, &registration),
        Err(error) => match problems_of(language, error) {
            Ok(problems) => form_page(&visit, &form, &problems),
            Err(error) => visit.error(error),
        },
    }
}
