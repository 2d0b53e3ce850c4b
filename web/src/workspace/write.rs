//! The forms that write to a patient's record: an encounter, a diagnosis (with a search of WHO's
//! ICD-10 list), a prescription, a dose of vaccine (the doses due offered from the vaccination
//! card), an allergy, vital signs, a laboratory order and its result (with an attached file's name,
//! media type and SHA-256), a referral to a facility of the directory, an appointment booked, moved
//! or closed; correcting an entry (its form filled with what it recorded, and a reason: the domain's
//! `amends`); withdrawing an entry recorded by mistake; breaking the glass.
//!
//! Each builds the application's `RecordCommand` exactly as the JSON API's handler does and hands it
//! to `Application::execute_on_record`, with the record version the form was drawn at: a record that
//! changed meanwhile is refused by the application (`PreconditionFailed`), and the form comes back
//! saying so plainly, listing what was recorded since, with what was typed kept. A form also carries
//! a random nonce from which its command id is derived, so a form posted twice records once.

use super::record::{entry_item, record_query, SECTIONS};
use super::{caregiver, domain_message, nodes, query, staff_member, text, PATIENTS_PATH};
use crate::i18n::Language;
use crate::pages::{check_form, required, see_other, PageError, Visit};
use crate::session::SignedIn;
use crate::{time, WebState};
use application::access::acting_facility;
use application::record::{RecordCommand, Submission};
use application::ApplicationError;
use axum::extract::rejection::FormRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use domain::record::appointments::BookAppointment;
use domain::record::clinical::{
    Correction, DiagnoseCondition, MarkEnteredInError, PrescribeMedicine, RecordAllergy, RecordEncounter,
    RecordImmunization, ReferPatient,
};
use domain::record::consent::BreakGlass;
use domain::record::observations::{OrderLab, RecordLabResult, RecordVitalSigns};
use event_schema::events::record::{AppointmentOutcome, Attachment};
use event_schema::{Role, Timestamp};
use maud::{html, Markup};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use uuid::Uuid;

/// Names the command ids the pages derive from a form's nonce (a fixed UUID, so that the same
/// account and nonce always give the same command).
const COMMAND_NAMESPACE: Uuid = Uuid::from_u128(0x6a0f_3c1e_58b2_4d7a_9e41_c2d5_f8a0_b317);

/// How many ICD-10 codes a search lists.
const ICD10_MATCHES: usize = 20;

pub(super) const SEVERITIES: [(&str, &str); 4] = [
    ("mild", id!("allergy-severity-mild")),
    ("moderate", id!("allergy-severity-moderate")),
    ("severe", id!("allergy-severity-severe")),
    ("life_threatening", id!("allergy-severity-life-threatening")),
];
pub(super) const ALLERGY_STATUSES: [(&str, &str); 4] = [
    ("unconfirmed", id!("allergy-status-unconfirmed")),
    ("confirmed", id!("allergy-status-confirmed")),
    ("resolved", id!("allergy-status-resolved")),
    ("refuted", id!("allergy-status-refuted")),
];
pub(super) const ALLERGY_CATEGORIES: [(&str, &str); 4] = [
    ("medication", id!("allergy-category-medication")),
    ("food", id!("allergy-category-food")),
    ("environment", id!("allergy-category-environment")),
    ("other", id!("allergy-category-other")),
];
pub(super) const CONDITION_STATUSES: [(&str, &str); 4] = [
    ("active", id!("condition-status-active")),
    ("recurrence", id!("condition-status-recurrence")),
    ("remission", id!("condition-status-remission")),
    ("resolved", id!("condition-status-resolved")),
];
pub(super) const DOSE_UNITS: [(&str, &str); 10] = [
    ("mg", id!("ws-unit-mg")),
    ("g", id!("ws-unit-g")),
    ("mcg", id!("ws-unit-mcg")),
    ("ml", id!("ws-unit-ml")),
    ("iu", id!("ws-unit-iu")),
    ("tablet", id!("ws-unit-tablet")),
    ("capsule", id!("ws-unit-capsule")),
    ("drop", id!("ws-unit-drop")),
    ("puff", id!("ws-unit-puff")),
    ("sachet", id!("ws-unit-sachet")),
];
const ROUTES: [(&str, &str); 12] = [
    ("oral", id!("ws-route-oral")),
    ("sublingual", id!("ws-route-sublingual")),
    ("intravenous", id!("ws-route-intravenous")),
    ("intramuscular", id!("ws-route-intramuscular")),
    ("subcutaneous", id!("ws-route-subcutaneous")),
    ("topical", id!("ws-route-topical")),
    ("inhaled", id!("ws-route-inhaled")),
    ("nasal", id!("ws-route-nasal")),
    ("ophthalmic", id!("ws-route-ophthalmic")),
    ("otic", id!("ws-route-otic")),
    ("rectal", id!("ws-route-rectal")),
    ("vaginal", id!("ws-route-vaginal")),
];
const CLASSES: [(&str, &str); 6] = [
    ("outpatient", id!("ws-class-outpatient")),
    ("emergency", id!("ws-class-emergency")),
    ("inpatient", id!("ws-class-inpatient")),
    ("home_visit", id!("ws-class-home-visit")),
    ("outreach", id!("ws-class-outreach")),
    ("teleconsultation", id!("ws-class-teleconsultation")),
];

/// How a field is typed and checked.
#[derive(Clone, Copy)]
enum Input {
    /// Free text of at most this many characters.
    Text(usize),
    /// Longer free text.
    Area(usize),
    /// A day, `YYYY-MM-DD`, today by default.
    Date,
    /// A whole number from 1 to this.
    Whole(u32),
    /// A decimal number with at most this many decimals, in the unit the label names.
    Decimal(u32),
    /// One of a stored enumeration's values.
    Choice(&'static [(&'static str, &'static str)]),
    /// A dose of the vaccination card, offered from the patient's card.
    CardDose,
    /// A time of day, `HH:MM`, in Cameroon time.
    Time,
    /// One of the choices read for this form (the record's lab orders, the facility directory).
    Offered,
}

struct Spec {
    name: &'static str,
    label: &'static str,
    input: Input,
    required: bool,
}

const fn spec(name: &'static str, label: &'static str, input: Input, required: bool) -> Spec {
    Spec { name, label, input, required }
}

/// What a form offers to choose from besides its fixed choices, read when it is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Offers {
    Nothing,
    /// The doses the vaccination card offers.
    Doses,
    /// The record's current lab orders, which a result may answer.
    LabOrders,
    /// The facility directory, which a referral goes to.
    Facilities,
}

/// A form of the record: its path segment, its title, the section it writes, and its fields.
struct Kind {
    key: &'static str,
    title: &'static str,
    /// The record's GraphQL field of the section it writes.
    section: &'static str,
    fields: &'static [Spec],
    offers: Offers,
    /// Whether it changes one booked appointment (named by the form's `target`) rather than adding
    /// to the record.
    on_appointment: bool,
    /// Whether it may correct an entry of its section (the command carries `amends`).
    corrects: bool,
}

pub(super) const INTERPRETATIONS: [(&str, &str); 8] = [
    ("normal", id!("ws-interpretation-normal")),
    ("low", id!("ws-interpretation-low")),
    ("high", id!("ws-interpretation-high")),
    ("critically_low", id!("ws-interpretation-critically-low")),
    ("critically_high", id!("ws-interpretation-critically-high")),
    ("abnormal", id!("ws-interpretation-abnormal")),
    ("positive", id!("ws-interpretation-positive")),
    ("negative", id!("ws-interpretation-negative")),
];
pub(super) const URGENCIES: [(&str, &str); 3] = [
    ("routine", id!("ws-urgency-routine")),
    ("urgent", id!("ws-urgency-urgent")),
    ("emergency", id!("ws-urgency-emergency")),
];
pub(super) const REFERRAL_KINDS: [(&str, &str); 2] =
    [("referral", id!("ws-referral-kind-referral")), ("transfer", id!("ws-referral-kind-transfer"))];
const OUTCOMES: [(&str, &str); 3] = [
    ("attended", id!("ws-outcome-attended")),
    ("missed", id!("ws-outcome-missed")),
    ("cancelled", id!("ws-outcome-cancelled")),
];

const KINDS: [Kind; 12] = [
    Kind {
        key: "encounter",
        title: id!("ws-form-encounter"),
        section: "encounters",
        fields: &[
            spec("date", id!("ws-field-date"), Input::Date, true),
            spec("class", id!("ws-field-class"), Input::Choice(&CLASSES), true),
            spec("reason", id!("ws-field-reason"), Input::Text(200), true),
            spec("notes", id!("ws-field-notes"), Input::Area(4000), false),
        ],
        offers: Offers::Nothing,
        on_appointment: false,
        corrects: true,
    },
    Kind {
        key: "diagnosis",
        title: id!("ws-form-diagnosis"),
        section: "conditions",
        fields: &[
            spec("icd10", id!("ws-field-icd10"), Input::Text(8), true),
            spec("description", id!("ws-field-description"), Input::Text(200), true),
            spec("status", id!("ws-field-condition-status"), Input::Choice(&CONDITION_STATUSES), true),
            spec("onset", id!("ws-field-onset"), Input::Date, false),
        ],
        offers: Offers::Nothing,
        on_appointment: false,
        corrects: true,
    },
    Kind {
        key: "prescription",
        title: id!("ws-form-prescription"),
        section: "prescriptions",
        fields: &[
            spec("medicine", id!("ws-field-medicine"), Input::Text(120), true),
            spec("dose_amount", id!("ws-field-dose-amount"), Input::Text(12), true),
            spec("dose_unit", id!("ws-field-dose-unit"), Input::Choice(&DOSE_UNITS), true),
            spec("route", id!("ws-field-route"), Input::Choice(&ROUTES), true),
            spec("times_per_day", id!("ws-field-times-per-day"), Input::Whole(24), true),
            spec("duration_days", id!("ws-field-duration-days"), Input::Whole(365), true),
            spec("instructions", id!("ws-field-instructions"), Input::Area(500), false),
        ],
        offers: Offers::Nothing,
        on_appointment: false,
        corrects: true,
    },
    Kind {
        key: "immunisation",
        title: id!("ws-form-immunisation"),
        section: "immunizations",
        fields: &[
            spec("dose", id!("ws-field-vaccine-dose"), Input::CardDose, true),
            spec("lot", id!("ws-field-lot"), Input::Text(40), true),
            spec("given_on", id!("ws-field-given-on"), Input::Date, true),
        ],
        offers: Offers::Doses,
        on_appointment: false,
        corrects: true,
    },
    Kind {
        key: "allergy",
        title: id!("ws-form-allergy"),
        section: "allergies",
        fields: &[
            spec("substance", id!("ws-field-substance"), Input::Text(120), true),
            spec("category", id!("ws-field-category"), Input::Choice(&ALLERGY_CATEGORIES), true),
            spec("severity", id!("ws-field-severity"), Input::Choice(&SEVERITIES), true),
            spec("status", id!("ws-field-allergy-status"), Input::Choice(&ALLERGY_STATUSES), true),
            spec("reaction", id!("ws-field-reaction"), Input::Text(200), false),
        ],
        offers: Offers::Nothing,
        on_appointment: false,
        corrects: true,
    },
    Kind {
        key: "vital-signs",
        title: id!("ws-form-vital-signs"),
        section: "vitalSigns",
        fields: &[
            spec("temperature", id!("ws-field-temperature"), Input::Decimal(1), false),
            spec("systolic", id!("ws-field-systolic"), Input::Whole(400), false),
            spec("diastolic", id!("ws-field-diastolic"), Input::Whole(300), false),
            spec("pulse", id!("ws-field-pulse"), Input::Whole(400), false),
            spec("respiratory_rate", id!("ws-field-respiratory-rate"), Input::Whole(200), false),
            spec("spo2", id!("ws-field-spo2"), Input::Whole(100), false),
            spec("weight", id!("ws-field-weight"), Input::Decimal(3), false),
            spec("height", id!("ws-field-height"), Input::Decimal(1), false),
        ],
        offers: Offers::Nothing,
        on_appointment: false,
        corrects: true,
    },
    Kind {
        key: "lab-order",
        title: id!("ws-form-lab-order"),
        section: "labOrders",
        fields: &[
            spec("test", id!("ws-field-test"), Input::Text(120), true),
            spec("loinc", id!("ws-field-loinc"), Input::Text(9), false),
        ],
        offers: Offers::Nothing,
        on_appointment: false,
        corrects: true,
    },
    Kind {
        key: "lab-result",
        title: id!("ws-form-lab-result"),
        section: "labResults",
        fields: &[
            spec("order_id", id!("ws-field-order"), Input::Offered, false),
            spec("test", id!("ws-field-test"), Input::Text(120), true),
            spec("loinc", id!("ws-field-loinc"), Input::Text(9), false),
            spec("value", id!("ws-field-value"), Input::Text(200), true),
            spec("unit", id!("ws-field-unit"), Input::Text(30), false),
            spec("reference_range", id!("ws-field-reference-range"), Input::Text(60), false),
            spec("interpretation", id!("ws-field-interpretation"), Input::Choice(&INTERPRETATIONS), true),
            spec("attachments_name", id!("ws-field-attachment-name"), Input::Text(120), false),
            spec("attachments_media_type", id!("ws-field-attachment-media-type"), Input::Text(100), false),
            spec("attachments_sha256", id!("ws-field-attachment-sha256"), Input::Text(64), false),
        ],
        offers: Offers::LabOrders,
        on_appointment: false,
        corrects: true,
    },
    Kind {
        key: "referral",
        title: id!("ws-form-referral"),
        section: "referrals",
        fields: &[
            spec("to_facility_id", id!("ws-field-to-facility"), Input::Offered, true),
            spec("kind", id!("ws-field-referral-kind"), Input::Choice(&REFERRAL_KINDS), true),
            spec("urgency", id!("ws-field-urgency"), Input::Choice(&URGENCIES), true),
            spec("reason", id!("ws-field-referral-reason"), Input::Area(500), true),
        ],
        offers: Offers::Facilities,
        on_appointment: false,
        corrects: true,
    },
    Kind {
        key: "appointment",
        title: id!("ws-form-appointment"),
        section: "appointments",
        fields: &[
            spec("date", id!("ws-field-appointment-date"), Input::Date, true),
            spec("time", id!("ws-field-appointment-time"), Input::Time, true),
            spec("reason", id!("ws-field-appointment-reason"), Input::Text(200), true),
        ],
        offers: Offers::Nothing,
        on_appointment: false,
        corrects: false,
    },
    Kind {
        key: "appointment-move",
        title: id!("ws-form-appointment-move"),
        section: "appointments",
        fields: &[
            spec("date", id!("ws-field-appointment-date"), Input::Date, true),
            spec("time", id!("ws-field-appointment-time"), Input::Time, true),
        ],
        offers: Offers::Nothing,
        on_appointment: true,
        corrects: false,
    },
    Kind {
        key: "appointment-close",
        title: id!("ws-form-appointment-close"),
        section: "appointments",
        fields: &[
            spec("outcome", id!("ws-field-outcome"), Input::Choice(&OUTCOMES), true),
            spec("reason", id!("ws-field-cancel-reason"), Input::Text(300), false),
        ],
        offers: Offers::Nothing,
        on_appointment: true,
        corrects: false,
    },
];

fn kind(key: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|kind| kind.key == key)
}

/// The title of form `key`.
pub(super) fn form_title(key: &str) -> &'static str {
    kind(key).map(|kind| kind.title).unwrap_or(id!("ws-form-encounter"))
}

/// The record's sections (GraphQL fields) a nurse records; a doctor records every one.
const NURSE_SECTIONS: [&str; 5] = ["allergies", "immunizations", "encounters", "vitalSigns", "appointments"];

/// Whether `role` is offered form `key` (the application decides in any case).
pub(super) fn may_use(role: Role, key: &str) -> bool {
    kind(key).is_some_and(|kind| may_withdraw(role, kind.section))
}

/// Whether `role` records, and so may withdraw, entries of `section`.
pub(super) fn may_withdraw(role: Role, section: &str) -> bool {
    match role {
        Role::Doctor => true,
        Role::Nurse => NURSE_SECTIONS.contains(&section),
        Role::LabTechnician => section == "labResults",
        _ => false,
    }
}

/// The vital signs of an entry, each with its unit.
pub(super) fn vital_signs_read(language: Language, details: &Value) -> Vec<String> {
    let value = |key: &str| details[key].as_u64();
    let mut read = Vec::new();
    if let Some(tenths) = value("temperature_decicelsius") {
        read.push(
            language.t_with("ws-vital-temperature", &[("value", format!("{}.{}", tenths / 10, tenths % 10).into())]),
        );
    }
    if let (Some(systolic), Some(diastolic)) = (value("systolic_mmhg"), value("diastolic_mmhg")) {
        read.push(
            language.t_with("ws-vital-pressure", &[("systolic", systolic.into()), ("diastolic", diastolic.into())]),
        );
    }
    if let Some(pulse) = value("pulse_per_minute") {
        read.push(language.t_with("ws-vital-pulse", &[("value", pulse.into())]));
    }
    if let Some(rate) = value("respiratory_rate_per_minute") {
        read.push(language.t_with("ws-vital-respiratory-rate", &[("value", rate.into())]));
    }
    if let Some(spo2) = value("spo2_percent") {
        read.push(language.t_with("ws-vital-spo2", &[("value", spo2.into())]));
    }
    if let Some(grams) = value("weight_grams") {
        read.push(
            language.t_with("ws-vital-weight", &[("value", format!("{}.{:03}", grams / 1000, grams % 1000).into())]),
        );
    }
    if let Some(mm) = value("height_mm") {
        read.push(language.t_with("ws-vital-height", &[("value", format!("{}.{}", mm / 10, mm % 10).into())]));
    }
    read
}

/// What the form was drawn at: the record's version, the instant, and the nonce of its command.
struct Drawn {
    version: u64,
    seen_at: String,
    nonce: String,
}

impl Drawn {
    async fn now(state: &WebState, patient_id: Uuid) -> Result<Self, PageError> {
        // The version is taken before the record is read for the page, so that the form never
        // claims a version newer than what was shown.
        let version = state.application.load_record(patient_id).await?.version;
        Ok(Self { version, seen_at: chrono::Utc::now().to_rfc3339(), nonce: Uuid::new_v4().to_string() })
    }

    fn fields(&self) -> Markup {
        html! {
            input type="hidden" name="version" value=(self.version);
            input type="hidden" name="seen_at" value=(self.seen_at);
            input type="hidden" name="nonce" value=(self.nonce);
        }
    }

    fn of(values: &HashMap<String, String>) -> Option<Self> {
        Some(Self {
            version: values.get("version")?.parse().ok()?,
            seen_at: values.get("seen_at")?.clone(),
            nonce: values.get("nonce").filter(|nonce| Uuid::parse_str(nonce).is_ok())?.clone(),
        })
    }

    /// The command as the application takes it: named by the account and the form's nonce (so a
    /// form posted twice records once), on the version the form was drawn at.
    fn submission(&self, account_id: Uuid) -> Submission {
        let name = format!("{account_id}:{}", self.nonce);
        Submission {
            command_id: Uuid::new_v5(&COMMAND_NAMESPACE, name.as_bytes()),
            keyed: true,
            expected: Some(vec![self.version]),
        }
    }
}

/// What a form shows besides its fields.
#[derive(Default)]
struct Shown {
    alert: Option<String>,
    errors: HashMap<&'static str, String>,
    /// What was recorded since the form was drawn, when the record changed meanwhile.
    changes: Option<Markup>,
    /// The ICD-10 codes a search found.
    matches: Option<Vec<(String, &'static str)>>,
}

/// The patient as the form's heading names them, with what the form offers to choose from (the
/// doses their card offers, their current lab orders, the facility directory) and their
/// appointments (for a form that changes one), read through the query API.
const HEADING: &str = r#"query Heading($id: ID!, $card: Boolean!, $orders: Boolean!, $facilities: Boolean!, $appointments: Boolean!) {
  patient(id: $id) {
    healthId familyName givenNames birthDate
    vaccinationCard @include(if: $card) { doses { antigen antigenName doseNumber dueOn status } }
    labOrders(onlyCurrent: true, first: 50) @include(if: $orders) { nodes { id recordedAt details } }
    appointments(first: 50) @include(if: $appointments) { nodes { id startsAt reason status } }
  }
  facilities(first: 100) @include(if: $facilities) { nodes { id name } }
}"#;

struct Patient {
    name: String,
    health_id: String,
    /// What the form offers to choose from: value and label (`ANTIGEN:number` for a dose, an id for
    /// a lab order or a facility).
    offered: Vec<(String, String)>,
    /// The appointments, for a form that changes one.
    appointments: Vec<Value>,
}

async fn patient(
    state: &WebState,
    signed_in: &SignedIn,
    language: Language,
    patient_id: Uuid,
    kind: &Kind,
) -> Result<Patient, PageError> {
    let variables = json!({
        "id": patient_id.to_string(),
        "card": kind.offers == Offers::Doses,
        "orders": kind.offers == Offers::LabOrders,
        "facilities": kind.offers == Offers::Facilities,
        "appointments": kind.on_appointment,
    });
    let data = query(state, signed_in, HEADING, variables).await.map_err(|unanswered| unanswered.page_error())?;
    let patient = &data["patient"];
    let offered = match kind.offers {
        Offers::Nothing => Vec::new(),
        Offers::Doses => doses_offered(language, patient),
        Offers::LabOrders => nodes(&patient["labOrders"])
            .iter()
            .rev()
            .map(|order| {
                let label = language.t_with(
                    "ws-order-offered",
                    &[
                        ("test", text(&order["details"]["test"]).to_owned().into()),
                        ("date", time::instant(language, text(&order["recordedAt"])).into()),
                    ],
                );
                (text(&order["id"]).to_owned(), label)
            })
            .collect(),
        Offers::Facilities => {
            let own = signed_in.principal.facility_id.map(|id| id.to_string()).unwrap_or_default();
            nodes(&data["facilities"])
                .iter()
                .filter(|facility| text(&facility["id"]) != own)
                .map(|facility| (text(&facility["id"]).to_owned(), text(&facility["name"]).to_owned()))
                .collect()
        }
    };
    Ok(Patient {
        name: format!("{} {}", text(&patient["givenNames"]), text(&patient["familyName"])),
        health_id: text(&patient["healthId"]).to_owned(),
        offered,
        appointments: nodes(&patient["appointments"]).to_vec(),
    })
}

/// The doses the card offers, those due now first, then those overdue, then the next upcoming ones.
fn doses_offered(language: Language, patient: &Value) -> Vec<(String, String)> {
    let mut doses: Vec<&Value> = patient["vaccinationCard"]["doses"]
        .as_array()
        .map(|doses| doses.iter().filter(|dose| dose["status"] != "GIVEN").collect())
        .unwrap_or_default();
    let rank = |dose: &Value| match text(&dose["status"]) {
        "DUE" => 0,
        "OVERDUE" => 1,
        _ => 2,
    };
    doses.sort_by(|a, b| rank(a).cmp(&rank(b)).then(text(&a["dueOn"]).cmp(text(&b["dueOn"]))));
    doses
        .into_iter()
        .take(12)
        .map(|dose| {
            let value = format!("{}:{}", text(&dose["antigen"]), dose["doseNumber"].as_u64().unwrap_or(0));
            let status = match text(&dose["status"]) {
                "DUE" => language.t("ws-dose-due"),
                "OVERDUE" => language.t("ws-dose-overdue"),
                _ => language.t("ws-dose-upcoming"),
            };
            let label = language.t_with(
                "ws-dose-offered",
                &[
                    ("antigen", text(&dose["antigenName"]).to_owned().into()),
                    ("dose", dose["doseNumber"].as_u64().unwrap_or(0).into()),
                    ("due", time::day(language, text(&dose["dueOn"])).into()),
                    ("status", status.into()),
                ],
            );
            (value, label)
        })
        .collect()
}

/// What a form is aimed at, when it is not a new entry: the entry it corrects, or the appointment it
/// changes.
#[derive(Deserialize, Default)]
pub struct Aimed {
    amends: Option<String>,
    target: Option<String>,
}

/// The booked appointment `target` of the patient's, if there is one.
fn booked_appointment<'p>(patient: &'p Patient, target: &str) -> Option<&'p Value> {
    patient.appointments.iter().find(|appointment| appointment["id"] == target && appointment["status"] == "booked")
}

/// A form of the record: empty (dates today), or filled with the entry it corrects, or naming the
/// appointment it changes.
pub(crate) async fn form(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((patient_id, key)): Path<(String, String)>,
    aimed: Result<Query<Aimed>, QueryRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let signed_in = match staff_member(&state, &headers, &visit, PATIENTS_PATH, caregiver).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let (Ok(patient_id), Some(kind)) = (Uuid::parse_str(&patient_id), kind(&key)) else {
        return visit.error(PageError::NotFound);
    };
    if !may_use(signed_in.principal.role, kind.key) {
        return visit.error(PageError::NotFound);
    }
    let aimed = aimed.map(|Query(aimed)| aimed).unwrap_or_default();
    let drawn = match Drawn::now(&state, patient_id).await {
        Ok(drawn) => drawn,
        Err(error) => return visit.error(error),
    };
    let language = visit.language;
    let patient = match patient(&state, &signed_in, language, patient_id, kind).await {
        Ok(patient) => patient,
        Err(error) => return visit.error(error),
    };
    let today = time::today();
    let mut values: HashMap<String, String> = kind
        .fields
        .iter()
        .filter(|field| matches!(field.input, Input::Date) && field.required)
        .map(|field| (field.name.to_owned(), today.format("%Y-%m-%d").to_string()))
        .collect();
    // Most visits are outpatient ones, most diagnoses active, most referrals routine; an
    // appointment is most often booked for a morning to come.
    for (name, usual) in [("class", "outpatient"), ("status", "active"), ("kind", "referral"), ("urgency", "routine")] {
        values.insert(name.to_owned(), usual.to_owned());
    }
    if kind.key == "appointment" {
        let tomorrow = today.succ_opt().unwrap_or(today);
        values.insert("date".to_owned(), tomorrow.format("%Y-%m-%d").to_string());
        values.insert("time".to_owned(), "09:00".to_owned());
    }
    if kind.on_appointment {
        let Some(appointment) = aimed.target.as_deref().and_then(|target| booked_appointment(&patient, target)) else {
            return visit.error(PageError::NotFound);
        };
        values.insert("target".to_owned(), text(&appointment["id"]).to_owned());
        if kind.key == "appointment-move" {
            // `startsAt` is written in Cameroon time with its offset: its day and time are the form's.
            let starts_at = text(&appointment["startsAt"]);
            values.insert("date".to_owned(), starts_at.get(..10).unwrap_or_default().to_owned());
            values.insert("time".to_owned(), starts_at.get(11..16).unwrap_or_default().to_owned());
        }
    } else if aimed.target.is_some() {
        return visit.error(PageError::NotFound);
    }
    if let Some(amends) = aimed.amends {
        if !kind.corrects {
            return visit.error(PageError::NotFound);
        }
        match entry(&state, &signed_in, patient_id, &amends).await {
            Ok((field, entry)) if field == kind.section && entry["status"] == "CURRENT" => {
                values = prefilled(kind, &entry);
                values.insert("amends".to_owned(), amends);
            }
            Ok(_) => return visit.error(PageError::NotFound),
            Err(error) => return visit.error(error),
        }
    }
    render(&visit, StatusCode::OK, patient_id, kind, &patient, &drawn, &values, Shown::default())
}

/// The form's fields filled with what `entry` recorded, for its correction.
fn prefilled(kind: &Kind, entry: &Value) -> HashMap<String, String> {
    let details = &entry["details"];
    let mut values = HashMap::new();
    let mut put = |name: &str, value: &Value| match value {
        Value::String(text) => {
            values.insert(name.to_owned(), text.clone());
        }
        Value::Number(number) => {
            values.insert(name.to_owned(), number.to_string());
        }
        _ => {}
    };
    for field in kind.fields {
        put(field.name, &details[field.name]);
    }
    match kind.key {
        "prescription" => {
            put("dose_amount", &details["dose"]["amount"]);
            put("dose_unit", &details["dose"]["unit"]);
        }
        "immunisation" => {
            let dose = format!("{}:{}", text(&details["antigen"]), details["dose_number"].as_u64().unwrap_or(0));
            put("dose", &Value::String(dose));
        }
        "vital-signs" => {
            for (name, stored, decimals) in VITAL_SIGNS {
                if let Some(number) = details[stored].as_u64() {
                    put(name, &Value::String(decimal(number, decimals)));
                }
            }
            put("measured_at", &details["measured_at"]);
        }
        "lab-result" => {
            let attachment = &details["attachments"][0];
            for (name, stored) in [
                ("attachments_name", "name"),
                ("attachments_media_type", "media_type"),
                ("attachments_sha256", "sha256"),
            ] {
                put(name, &attachment[stored]);
            }
        }
        _ => {}
    }
    values
}

/// The vital signs' fields, the record's names for them, and the decimals each is typed with.
const VITAL_SIGNS: [(&str, &str, u32); 8] = [
    ("temperature", "temperature_decicelsius", 1),
    ("systolic", "systolic_mmhg", 0),
    ("diastolic", "diastolic_mmhg", 0),
    ("pulse", "pulse_per_minute", 0),
    ("respiratory_rate", "respiratory_rate_per_minute", 0),
    ("spo2", "spo2_percent", 0),
    ("weight", "weight_grams", 3),
    ("height", "height_mm", 1),
];

/// A whole number of a unit's `decimals`-th parts written as a decimal (`375`, 1 → `37.5`).
fn decimal(number: u64, decimals: u32) -> String {
    let scale = 10u64.pow(decimals);
    if decimals == 0 {
        number.to_string()
    } else {
        format!("{}.{:0width$}", number / scale, number % scale, width = decimals as usize)
    }
}

/// A form of the record posted: checked, then handed to the application; or, for the ICD-10 search,
/// the same form again with the codes found.
pub(crate) async fn submit(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((patient_id, key)): Path<(String, String)>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(values)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, values.get(crate::forms::TOKEN_FIELD).map(String::as_str)) {
        return visit.error(refused);
    }
    let signed_in = match staff_member(&state, &headers, &visit, PATIENTS_PATH, caregiver).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let (Ok(patient_id), Some(kind)) = (Uuid::parse_str(&patient_id), kind(&key)) else {
        return visit.error(PageError::NotFound);
    };
    if !may_use(signed_in.principal.role, kind.key) {
        return visit.error(PageError::NotFound);
    }
    let Some(drawn) = Drawn::of(&values) else { return visit.error(PageError::BadRequest) };
    let amends = match values.get("amends").filter(|amends| !amends.is_empty()) {
        Some(amends) if kind.corrects => match Uuid::parse_str(amends) {
            Ok(amends) => Some(amends),
            Err(_) => return visit.error(PageError::BadRequest),
        },
        Some(_) => return visit.error(PageError::BadRequest),
        None => None,
    };
    let language = visit.language;
    let patient = match patient(&state, &signed_in, language, patient_id, kind).await {
        Ok(patient) => patient,
        Err(error) => return visit.error(error),
    };
    // The appointment a form changes must be one of the patient's; whether it may still change is
    // the application's decision on the record as it stands (and a form posted twice answers as
    // the first post did).
    let target = match values.get("target") {
        Some(target) if kind.on_appointment => match Uuid::parse_str(target) {
            Ok(id) if patient.appointments.iter().any(|appointment| appointment["id"] == target.as_str()) => Some(id),
            _ => return visit.error(PageError::NotFound),
        },
        None if !kind.on_appointment => None,
        _ => return visit.error(PageError::BadRequest),
    };
    let mut values = values;
    if kind.key == "diagnosis" {
        if let Some(code) = values.get("icd10_pick").cloned() {
            values.insert("icd10".to_owned(), code);
            return render(&visit, StatusCode::OK, patient_id, kind, &patient, &drawn, &values, Shown::default());
        }
        if values.contains_key("find") {
            let terms = values.get("icd10_query").map(String::as_str).unwrap_or_default();
            let shown = Shown { matches: Some(icd10_search(terms)), ..Shown::default() };
            return render(&visit, StatusCode::OK, patient_id, kind, &patient, &drawn, &values, shown);
        }
    }
    let errors = check(language, kind, &patient, &values);
    if !errors.is_empty() {
        let shown = Shown { alert: Some(language.t("form-has-errors")), errors, ..Shown::default() };
        return render(&visit, StatusCode::UNPROCESSABLE_ENTITY, patient_id, kind, &patient, &drawn, &values, shown);
    }
    let submission = drawn.submission(signed_in.principal.account_id);
    let correction = amends
        .map(|entry_id| Correction { entry_id, reason: values.get("amends_reason").cloned().unwrap_or_default() });
    let aimed_at = Aim { correction, target };
    let command = match command(&state, &signed_in, kind, &values, submission.entry_id(), aimed_at) {
        Ok(command) => command,
        Err(error) => return visit.error(error),
    };
    let outcome = state.application.execute_on_record(&signed_in.principal, patient_id, command, &submission).await;
    match outcome {
        Ok(_) => see_other(&format!("{PATIENTS_PATH}/{patient_id}")),
        Err(error) => {
            let refused = refusal(&state, &signed_in, &visit, patient_id, kind.fields, &drawn, error).await;
            match refused {
                Ok((status, shown, redrawn)) => {
                    render(&visit, status, patient_id, kind, &patient, &redrawn, &values, shown)
                }
                Err(error) => visit.error(error),
            }
        }
    }
}

/// How a refused command is shown on its form: each field's error, or that the record changed since
/// the form was drawn (with what changed, and the form drawn again at the record's version, so that
/// posting it again records it), or that the record's content does not allow it. Anything else is an
/// error page.
async fn refusal(
    state: &WebState,
    signed_in: &SignedIn,
    visit: &Visit,
    patient_id: Uuid,
    fields: &[Spec],
    drawn: &Drawn,
    error: ApplicationError,
) -> Result<(StatusCode, Shown, Drawn), PageError> {
    let language = visit.language;
    let same = || Drawn { version: drawn.version, seen_at: drawn.seen_at.clone(), nonce: drawn.nonce.clone() };
    match error {
        ApplicationError::Invalid(problems) => {
            let mut shown = Shown { alert: Some(language.t("form-has-errors")), ..Shown::default() };
            let mut unplaced = Vec::new();
            for problem in problems {
                let message = domain_message(language, &problem.message);
                match field_of(fields, problem.field) {
                    Some(field) => {
                        shown.errors.insert(field, message);
                    }
                    None => unplaced.push(message),
                }
            }
            if !unplaced.is_empty() {
                shown.alert = Some(format!("{} {}", language.t("form-has-errors"), unplaced.join(" ")));
            }
            Ok((StatusCode::UNPROCESSABLE_ENTITY, shown, same()))
        }
        ApplicationError::PreconditionFailed(_) => {
            let changes = changes_since(state, signed_in, language, patient_id, &drawn.seen_at).await?;
            let redrawn = Drawn::now(state, patient_id).await?;
            let redrawn = Drawn { nonce: drawn.nonce.clone(), ..redrawn };
            let shown = Shown { alert: Some(language.t("ws-conflict")), changes: Some(changes), ..Shown::default() };
            Ok((StatusCode::CONFLICT, shown, redrawn))
        }
        ApplicationError::Conflict(_) => Ok((
            StatusCode::CONFLICT,
            Shown { alert: Some(language.t("ws-conflict-content")), ..Shown::default() },
            same(),
        )),
        error => Err(error.into()),
    }
}

/// The form field a domain error names (a JSON pointer such as `/dose/amount` or
/// `/temperature_decicelsius`).
fn field_of(fields: &[Spec], pointer: &str) -> Option<&'static str> {
    let name = pointer.trim_start_matches('/').replace('/', "_");
    let name = match name.as_str() {
        "antigen" => "dose_number".to_owned(),
        "starts_at" => "date".to_owned(),
        // The correction's reason is a field of every form that corrects an entry.
        "amends_reason" => return Some("amends_reason"),
        _ => name,
    };
    fields
        .iter()
        .find(|field| field.name == name)
        .or_else(|| fields.iter().find(|field| name.starts_with(field.name)))
        .map(|field| field.name)
}

/// Every entry recorded since `seen_at`, newest first, read through the query API.
async fn changes_since(
    state: &WebState,
    signed_in: &SignedIn,
    language: Language,
    patient_id: Uuid,
    seen_at: &str,
) -> Result<Markup, PageError> {
    let data = query(
        state,
        signed_in,
        &record_query(signed_in.principal.role),
        json!({ "id": patient_id.to_string(), "current": false }),
    )
    .await
    .map_err(|unanswered| unanswered.page_error())?;
    let seen = chrono::DateTime::parse_from_rfc3339(seen_at).ok();
    let here = format!("{PATIENTS_PATH}/{patient_id}");
    let mut changed: Vec<(&str, &Value)> = Vec::new();
    for (field, _, _) in SECTIONS {
        for entry in nodes(&data["patient"][field]) {
            let recorded = chrono::DateTime::parse_from_rfc3339(text(&entry["recordedAt"])).ok();
            if matches!((recorded, seen), (Some(recorded), Some(seen)) if recorded > seen) || seen.is_none() {
                changed.push((field, entry));
            }
        }
    }
    changed.sort_by(|a, b| text(&b.1["recordedAt"]).cmp(text(&a.1["recordedAt"])));
    let role = signed_in.principal.role;
    Ok(html! {
        section.changes aria-labelledby="changes-title" {
            h2 id="changes-title" { (language.t("ws-conflict-changes")) }
            @if changed.is_empty() {
                p.empty { (language.t("ws-conflict-no-entry")) }
            } @else {
                ul.entries {
                    @for (field, entry) in changed {
                        li {
                            @if let Some((_, title, _)) = SECTIONS.iter().find(|(name, _, _)| *name == field) {
                                span.tag { (language.t(title)) } " "
                            }
                            (entry_item(language, role, &here, field, entry))
                        }
                    }
                }
            }
        }
    })
}

/// Each field's error, checked before anything is sent: required fields, lengths, days, numbers
/// and choices.
fn check(
    language: Language,
    kind: &Kind,
    patient: &Patient,
    values: &HashMap<String, String>,
) -> HashMap<&'static str, String> {
    let mut errors = HashMap::new();
    for field in kind.fields {
        let value = values.get(field.name).map(|value| value.trim()).unwrap_or_default();
        if value.is_empty() {
            if field.required {
                errors.insert(field.name, language.t("field-required"));
            }
            continue;
        }
        let error = match field.input {
            Input::Text(max) | Input::Area(max) => required(language, value, max),
            Input::Date => {
                chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_err().then(|| language.t("ws-error-date"))
            }
            Input::Whole(max) => match value.parse::<u32>() {
                Ok(number) if (1..=max).contains(&number) => None,
                _ => Some(language.t_with("ws-error-whole", &[("max", max.into())])),
            },
            Input::Decimal(decimals) => fixed(value, decimals)
                .is_none()
                .then(|| language.t_with("ws-error-decimal", &[("decimals", decimals.into())])),
            Input::Choice(choices) => {
                (!choices.iter().any(|(stored, _)| *stored == value)).then(|| language.t("ws-error-choice"))
            }
            // The card offers the doses due; whether a dose may be given is the schedule's rule, which
            // the domain applies (a form posted twice still names the dose it recorded).
            Input::CardDose => {
                let offered = patient.offered.iter().any(|(offered, _)| offered == value);
                let named = value.split_once(':').is_some_and(|(antigen, number)| {
                    !antigen.is_empty() && antigen.len() <= 20 && number.parse::<u32>().is_ok()
                });
                (!offered && !named).then(|| language.t("ws-error-choice"))
            }
            Input::Time => time_of_day(value).is_none().then(|| language.t("ws-error-time")),
            Input::Offered => {
                (!patient.offered.iter().any(|(offered, _)| offered == value)).then(|| language.t("ws-error-choice"))
            }
        };
        if let Some(error) = error {
            errors.insert(field.name, error);
        }
    }
    let given = |name: &str| values.get(name).is_some_and(|value| !value.trim().is_empty());
    // A file is described whole or not at all: its name, its media type and its SHA-256.
    let attachment = ["attachments_name", "attachments_media_type", "attachments_sha256"];
    if kind.key == "lab-result" && attachment.iter().any(|name| given(name)) {
        for name in attachment {
            if !given(name) {
                errors.entry(name).or_insert_with(|| language.t("ws-error-attachment-whole"));
            }
        }
    }
    // Only a cancellation needs a reason, which the patient is shown.
    if kind.key == "appointment-close"
        && values.get("outcome").map(String::as_str) == Some("cancelled")
        && values.get("reason").is_none_or(|reason| reason.trim().chars().count() < 3)
    {
        errors.entry("reason").or_insert_with(|| language.t("ws-error-reason"));
    }
    if values.get("amends").is_some_and(|amends| !amends.is_empty()) {
        let reason = values.get("amends_reason").map(|reason| reason.trim()).unwrap_or_default();
        let short = reason.chars().count() < 3;
        if let Some(error) = required(language, reason, 500).or_else(|| short.then(|| language.t("ws-error-reason"))) {
            errors.insert("amends_reason", error);
        }
    }
    errors
}

/// A time of day as a browser's time field sends it (`09:30`, or `09:30:00`).
fn time_of_day(value: &str) -> Option<chrono::NaiveTime> {
    chrono::NaiveTime::parse_from_str(value, "%H:%M")
        .or_else(|_| chrono::NaiveTime::parse_from_str(value, "%H:%M:%S"))
        .ok()
}

/// The instant a day and a time of day in Cameroon (UTC+01:00, no daylight saving) name.
fn cameroon_instant(day: &str, time_of: &str) -> Option<Timestamp> {
    let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    let local = day.and_time(time_of_day(time_of)?);
    let offset = chrono::FixedOffset::east_opt(3600)?;
    let at = local.and_local_timezone(offset).single()?;
    Some(Timestamp::from_datetime(at.with_timezone(&chrono::Utc)))
}

/// A decimal written with a point or a comma, as a whole number of its smallest unit (`37.5` with
/// one decimal is 375); no float is involved, so nothing is rounded.
fn fixed(text: &str, decimals: u32) -> Option<u32> {
    let (whole, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    if whole.is_empty() || fraction.len() > decimals as usize {
        return None;
    }
    if !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
        return None;
    }
    let padded = format!("{fraction:0<width$}", width = decimals as usize);
    let scale = 10u32.checked_pow(decimals)?;
    whole.parse::<u32>().ok()?.checked_mul(scale)?.checked_add(if padded.is_empty() {
        0
    } else {
        padded.parse().ok()?
    })
}

/// A stored enumeration's value from a form's text (which the checks found among its choices).
fn choice<T: DeserializeOwned>(value: &str) -> Result<T, PageError> {
    serde_json::from_value(Value::String(value.to_owned())).map_err(|_| PageError::BadRequest)
}

/// The command a checked form asks for, built as the JSON API's handler builds it.
/// What a command is aimed at besides its fields: the entry it corrects, the appointment it changes.
struct Aim {
    correction: Option<Correction>,
    target: Option<Uuid>,
}

fn command(
    state: &WebState,
    signed_in: &SignedIn,
    kind: &Kind,
    values: &HashMap<String, String>,
    entry_id: Uuid,
    aim: Aim,
) -> Result<RecordCommand, PageError> {
    let Aim { correction: amends, target } = aim;
    let get = |name: &str| values.get(name).map(|value| value.trim().to_owned()).unwrap_or_default();
    let optional = |name: &str| Some(get(name)).filter(|value| !value.is_empty());
    let whole = |name: &str| get(name).parse::<u32>().map_err(|_| PageError::BadRequest);
    let measure = |name: &str, decimals: u32| optional(name).and_then(|value| fixed(&value, decimals));
    let principal = &signed_in.principal;
    let today = state.application.today_in_cameroon();
    Ok(match kind.key {
        "encounter" => RecordCommand::RecordEncounter(RecordEncounter {
            entry_id,
            facility_id: acting_facility(principal)?,
            practitioner_id: principal.account_id,
            date: get("date"),
            class: Some(choice(&get("class"))?),
            reason: get("reason"),
            notes: optional("notes"),
            amends: amends.clone(),
            today,
        }),
        "diagnosis" => RecordCommand::DiagnoseCondition(DiagnoseCondition {
            entry_id,
            icd10: get("icd10"),
            description: get("description"),
            onset: optional("onset"),
            status: choice(&get("status"))?,
            encounter_id: None,
            amends: amends.clone(),
            today,
        }),
        "prescription" => RecordCommand::Prescribe(PrescribeMedicine {
            entry_id,
            medicine: get("medicine"),
            dose: event_schema::events::record::Dose {
                amount: get("dose_amount").replace(',', "."),
                unit: choice(&get("dose_unit"))?,
            },
            route: choice(&get("route"))?,
            times_per_day: whole("times_per_day")?,
            as_needed: false,
            duration_days: whole("duration_days")?,
            prescriber_id: principal.account_id,
            encounter_id: None,
            instructions: optional("instructions"),
            amends: amends.clone(),
        }),
        "immunisation" => {
            let dose = get("dose");
            let (antigen, number) = dose.split_once(':').ok_or(PageError::BadRequest)?;
            RecordCommand::RecordImmunization(RecordImmunization {
                entry_id,
                antigen: antigen.to_owned(),
                dose_number: number.parse().map_err(|_| PageError::BadRequest)?,
                lot: get("lot"),
                given_on: get("given_on"),
                facility_id: acting_facility(principal)?,
                amends: amends.clone(),
                today,
            })
        }
        "allergy" => RecordCommand::RecordAllergy(RecordAllergy {
            entry_id,
            substance: get("substance"),
            category: choice(&get("category"))?,
            reaction: optional("reaction"),
            severity: choice(&get("severity"))?,
            status: choice(&get("status"))?,
            amends: amends.clone(),
        }),
        "vital-signs" => RecordCommand::RecordVitalSigns(RecordVitalSigns {
            entry_id,
            // A correction keeps the time the signs were measured at; new ones are measured now.
            measured_at: match (&amends, optional("measured_at")) {
                (Some(_), Some(at)) => Timestamp::parse(&at).map_err(|_| PageError::BadRequest)?,
                _ => state.application.now(),
            },
            temperature_decicelsius: measure("temperature", 1),
            systolic_mmhg: measure("systolic", 0),
            diastolic_mmhg: measure("diastolic", 0),
            pulse_per_minute: measure("pulse", 0),
            respiratory_rate_per_minute: measure("respiratory_rate", 0),
            spo2_percent: measure("spo2", 0),
            weight_grams: measure("weight", 3),
            height_mm: measure("height", 1),
            amends: amends.clone(),
            now: state.application.now(),
        }),
        "lab-order" => RecordCommand::OrderLab(OrderLab {
            entry_id,
            test: get("test"),
            loinc: optional("loinc"),
            encounter_id: None,
            amends,
        }),
        "lab-result" => RecordCommand::RecordLabResult(RecordLabResult {
            entry_id,
            order_id: optional("order_id")
                .map(|id| Uuid::parse_str(&id))
                .transpose()
                .map_err(|_| PageError::BadRequest)?,
            test: get("test"),
            loinc: optional("loinc"),
            value: get("value"),
            unit: optional("unit"),
            reference_range: optional("reference_range"),
            interpretation: choice(&get("interpretation"))?,
            attachments: match optional("attachments_sha256") {
                Some(sha256) => vec![Attachment {
                    sha256,
                    media_type: get("attachments_media_type"),
                    name: get("attachments_name"),
                }],
                None => Vec::new(),
            },
            amends,
        }),
        "referral" => RecordCommand::Refer(ReferPatient {
            entry_id,
            kind: choice(&get("kind"))?,
            from_facility_id: acting_facility(principal)?,
            to_facility_id: Uuid::parse_str(&get("to_facility_id")).map_err(|_| PageError::BadRequest)?,
            reason: get("reason"),
            urgency: choice(&get("urgency"))?,
            encounter_id: None,
            amends,
        }),
        "appointment" => RecordCommand::BookAppointment(BookAppointment {
            appointment_id: entry_id,
            facility_id: acting_facility(principal)?,
            practitioner_id: Some(principal.account_id),
            starts_at: cameroon_instant(&get("date"), &get("time")).ok_or(PageError::BadRequest)?,
            reason: get("reason"),
            now: state.application.now(),
        }),
        "appointment-move" => RecordCommand::RescheduleAppointment {
            appointment_id: target.ok_or(PageError::BadRequest)?,
            starts_at: cameroon_instant(&get("date"), &get("time")).ok_or(PageError::BadRequest)?,
            now: state.application.now(),
        },
        "appointment-close" => {
            let outcome: AppointmentOutcome = choice(&get("outcome"))?;
            RecordCommand::CloseAppointment {
                appointment_id: target.ok_or(PageError::BadRequest)?,
                outcome,
                // A reason is kept for a cancellation only, as the domain records it.
                reason: optional("reason").filter(|_| outcome == AppointmentOutcome::Cancelled),
                now: state.application.now(),
            }
        }
        _ => return Err(PageError::NotFound),
    })
}

/// WHO's ICD-10 codes whose code starts with `terms`, or whose title holds every word of it, in code
/// order: the list is walked category by category through the domain's table, and a category WHO
/// subdivides is offered by its subcategories, since only those may be recorded.
fn icd10_search(terms: &str) -> Vec<(String, &'static str)> {
    let terms = terms.trim().to_lowercase();
    if terms.chars().count() < 2 {
        return Vec::new();
    }
    let code = terms.to_uppercase();
    let words: Vec<&str> = terms.split_whitespace().collect();
    let matches = |listed: &str, title: &str| {
        let title = title.to_lowercase();
        listed.starts_with(&code) || words.iter().all(|word| title.contains(word))
    };
    let mut found = Vec::new();
    for letter in 'A'..='Z' {
        for number in 0..100 {
            let category = format!("{letter}{number:02}");
            let Some(title) = domain::record::icd10::title(&category) else { continue };
            let mut subcategories = domain::record::icd10::subcategories(&category).peekable();
            if subcategories.peek().is_none() {
                if matches(&category, title) {
                    found.push((category.clone(), title));
                }
            } else {
                found.extend(
                    subcategories
                        .filter(|(listed, title)| matches(listed, title))
                        .map(|(listed, title)| (listed.to_owned(), title)),
                );
            }
            if found.len() >= ICD10_MATCHES {
                found.truncate(ICD10_MATCHES);
                return found;
            }
        }
    }
    found
}

#[allow(clippy::too_many_arguments)]
fn render(
    visit: &Visit,
    status: StatusCode,
    patient_id: Uuid,
    kind: &Kind,
    patient: &Patient,
    drawn: &Drawn,
    values: &HashMap<String, String>,
    shown: Shown,
) -> Response {
    let language = visit.language;
    let value = |name: &str| values.get(name).map(String::as_str).unwrap_or_default();
    let correcting = !value("amends").is_empty();
    let title = if correcting {
        language.t_with("ws-form-correct", &[("form", language.t(kind.title).into())])
    } else {
        language.t(kind.title)
    };
    let here = format!("{PATIENTS_PATH}/{patient_id}");
    let action = format!("{here}/record/{}", kind.key);
    let appointment = patient.appointments.iter().find(|appointment| appointment["id"] == value("target"));
    let reason_error = shown.errors.get("amends_reason");
    let main = html! {
        h1 { (title) }
        p.patient { strong { (patient.name) } " · " (patient.health_id) }
        @if let Some(alert) = &shown.alert { p.alert role="alert" { (alert) } }
        @if let Some(changes) = &shown.changes { (changes) }
        @if kind.key == "immunisation" && patient.offered.is_empty() && !correcting {
            p.notice { (language.t("ws-dose-none")) }
        }
        @if correcting { p.notice { (language.t("ws-correct-intro")) } }
        @if let Some(appointment) = appointment {
            p.notice {
                (language.t_with("ws-appointment-changed", &[
                    ("date", time::instant(language, text(&appointment["startsAt"])).into()),
                    ("reason", text(&appointment["reason"]).to_owned().into()),
                ]))
            }
        }
        form.page method="post" action=(action) {
            (visit.token_field())
            (drawn.fields())
            @for hidden in ["target", "amends", "measured_at"] {
                @if !value(hidden).is_empty() { input type="hidden" name=(hidden) value=(value(hidden)); }
            }
            @if correcting {
                div.field {
                    label for="amends_reason" { (language.t("ws-field-correction-reason")) }
                    @if let Some(error) = reason_error { p.error id="amends_reason-error" { (error) } }
                    textarea id="amends_reason" name="amends_reason" rows="2" required maxlength="500"
                        aria-invalid=[reason_error.map(|_| "true")]
                        aria-describedby=[reason_error.map(|_| "amends_reason-error")] { (value("amends_reason")) }
                }
            }
            @for field in kind.fields {
                (input(language, field, value(field.name), shown.errors.get(field.name), patient))
            }
            @if kind.key == "diagnosis" {
                fieldset.icd10 {
                    legend { (language.t("ws-icd10-search")) }
                    div.field {
                        label for="icd10_query" { (language.t("ws-icd10-query")) }
                        input type="text" id="icd10_query" name="icd10_query" value=(value("icd10_query")) autocomplete="off";
                    }
                    button type="submit" name="find" value="1" { (language.t("ws-icd10-find")) }
                    @if let Some(matches) = &shown.matches {
                        @if matches.is_empty() {
                            p.empty { (language.t("ws-icd10-none")) }
                        } @else {
                            ul.matches {
                                @for (code, code_title) in matches {
                                    li {
                                        button type="submit" name="icd10_pick" value=(code) {
                                            (code) " — " (code_title)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            button.primary type="submit" name="save" value="1" { (language.t("ws-form-save")) }
        }
        p { a href=(here) { (language.t("ws-back-to-record")) } }
    };
    visit.page(status, &title, PATIENTS_PATH, true, main)
}

/// One field, labelled, with its error.
fn input(language: Language, field: &Spec, value: &str, error: Option<&String>, patient: &Patient) -> Markup {
    let error_id = format!("{}-error", field.name);
    let described = error.map(|_| error_id.clone());
    let invalid = error.map(|_| "true");
    html! {
        div.field {
            label for=(field.name) {
                (language.t(field.label))
                @if !field.required { " " span.optional { (language.t("ws-optional")) } }
            }
            @if let Some(error) = error { p.error id=(error_id) { (error) } }
            @match field.input {
                Input::Area(_) => {
                    textarea id=(field.name) name=(field.name) rows="4" aria-invalid=[invalid]
                        aria-describedby=[described] { (value) }
                }
                Input::Choice(choices) => {
                    select id=(field.name) name=(field.name) required[field.required] aria-invalid=[invalid]
                        aria-describedby=[described] {
                        @if !field.required || value.is_empty() { option value="" { "—" } }
                        @for (stored, label) in choices {
                            option value=(stored) selected[*stored == value] { (language.t(label)) }
                        }
                    }
                }
                Input::CardDose => {
                    select id=(field.name) name=(field.name) required aria-invalid=[invalid]
                        aria-describedby=[described] {
                        // A dose the card no longer offers (the one a correction replaces) stays
                        // chosen, named as the record names it.
                        @if !value.is_empty() && !patient.offered.iter().any(|(offered, _)| offered == value) {
                            option value=(value) selected { (value) }
                        }
                        @for (offered, label) in &patient.offered {
                            option value=(offered) selected[offered == value] { (label) }
                        }
                    }
                }
                Input::Offered => {
                    select id=(field.name) name=(field.name) required[field.required] aria-invalid=[invalid]
                        aria-describedby=[described] {
                        @if !field.required || value.is_empty() { option value="" { "—" } }
                        @for (offered, label) in &patient.offered {
                            option value=(offered) selected[offered == value] { (label) }
                        }
                    }
                }
                Input::Time => {
                    input type="time" id=(field.name) name=(field.name) value=(value) required[field.required]
                        aria-invalid=[invalid] aria-describedby=[described];
                }
                Input::Date => {
                    input type="date" id=(field.name) name=(field.name) value=(value) required[field.required]
                        aria-invalid=[invalid] aria-describedby=[described];
                }
                Input::Whole(max) => {
                    input type="number" id=(field.name) name=(field.name) value=(value) min="1" max=(max)
                        inputmode="numeric" required[field.required] aria-invalid=[invalid] aria-describedby=[described];
                }
                Input::Decimal(_) => {
                    input type="text" id=(field.name) name=(field.name) value=(value) inputmode="decimal"
                        required[field.required] aria-invalid=[invalid] aria-describedby=[described];
                }
                Input::Text(_) => {
                    input type="text" id=(field.name) name=(field.name) value=(value) required[field.required]
                        autocomplete="off" aria-invalid=[invalid] aria-describedby=[described];
                }
            }
        }
    }
}

/// The page a doctor reaches on a record not in their care: not found, as the API answers, with
/// the way to break the glass, stating a reason.
pub(super) fn not_in_care(visit: &Visit, patient_id: Uuid, error: Option<String>) -> Response {
    let language = visit.language;
    let title = language.t("error-not-found-title");
    let nonce = Uuid::new_v4().to_string();
    let described = error.as_ref().map(|_| "reason-error");
    let main = html! {
        h1 { (title) }
        p.alert { (language.t("ws-not-in-care")) }
        form.page.break-glass method="post" action=(format!("{PATIENTS_PATH}/{patient_id}/break-glass")) {
            (visit.token_field())
            input type="hidden" name="nonce" value=(nonce);
            h2 { (language.t("ws-break-glass-title")) }
            p { (language.t("ws-break-glass-intro")) }
            div.field {
                label for="reason" { (language.t("ws-break-glass-reason")) }
                @if let Some(error) = &error { p.error id="reason-error" { (error) } }
                textarea id="reason" name="reason" rows="3" required minlength="10" maxlength="500"
                    aria-invalid=[error.as_ref().map(|_| "true")] aria-describedby=[described] {}
            }
            button.primary.danger type="submit" { (language.t("ws-break-glass-submit")) }
        }
        p { a href=(PATIENTS_PATH) { (language.t("ws-search-again")) } }
    };
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::NOT_FOUND };
    visit.page(status, &title, PATIENTS_PATH, true, main)
}

fn doctor(role: Role) -> bool {
    role == Role::Doctor
}

/// A doctor breaks the glass: the application records the access (and tells the patient and the
/// facility's administrators), as `/api/v1/patients/{id}/break-glass` does; then the record opens.
pub(crate) async fn break_glass(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(patient_id): Path<String>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(values)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, values.get(crate::forms::TOKEN_FIELD).map(String::as_str)) {
        return visit.error(refused);
    }
    let signed_in = match staff_member(&state, &headers, &visit, PATIENTS_PATH, doctor).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let Ok(patient_id) = Uuid::parse_str(&patient_id) else { return visit.error(PageError::NotFound) };
    let language = visit.language;
    let reason = values.get("reason").map(|reason| reason.trim().to_owned()).unwrap_or_default();
    let short = reason.chars().count() < 10;
    if let Some(error) = required(language, &reason, 500).or_else(|| short.then(|| language.t("ws-break-glass-short")))
    {
        return not_in_care(&visit, patient_id, Some(error));
    }
    let nonce = values.get("nonce").and_then(|nonce| Uuid::parse_str(nonce).ok()).unwrap_or_else(Uuid::new_v4);
    let name = format!("{}:{nonce}", signed_in.principal.account_id);
    // Breaking the glass is about access, not content: it stands on whatever version the record is at.
    let submission =
        Submission { command_id: Uuid::new_v5(&COMMAND_NAMESPACE, name.as_bytes()), keyed: true, expected: None };
    let facility_id = match acting_facility(&signed_in.principal) {
        Ok(facility_id) => facility_id,
        Err(error) => return visit.error(error.into()),
    };
    let command = RecordCommand::BreakGlass(BreakGlass {
        account_id: signed_in.principal.account_id,
        facility_id,
        reason,
        now: state.application.now(),
    });
    match state.application.execute_on_record(&signed_in.principal, patient_id, command, &submission).await {
        Ok(_) => see_other(&format!("{PATIENTS_PATH}/{patient_id}")),
        Err(ApplicationError::Invalid(problems)) => {
            let message = problems.first().map(|problem| domain_message(language, &problem.message));
            not_in_care(&visit, patient_id, message)
        }
        Err(error) => visit.error(error.into()),
    }
}

/// The entry `entry_id` of the record, as the query API shows it, with its section's field.
async fn entry(
    state: &WebState,
    signed_in: &SignedIn,
    patient_id: Uuid,
    entry_id: &str,
) -> Result<(&'static str, Value), PageError> {
    let data = query(
        state,
        signed_in,
        &record_query(signed_in.principal.role),
        json!({ "id": patient_id.to_string(), "current": true }),
    )
    .await
    .map_err(|unanswered| unanswered.page_error())?;
    for (field, _, _) in SECTIONS {
        if let Some(entry) = nodes(&data["patient"][field]).iter().find(|entry| entry["id"] == entry_id) {
            return Ok((field, entry.clone()));
        }
    }
    Err(PageError::NotFound)
}

/// The form to withdraw an entry recorded by mistake, with a reason.
pub(crate) async fn withdrawal_form(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((patient_id, entry_id)): Path<(String, String)>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let signed_in = match staff_member(&state, &headers, &visit, PATIENTS_PATH, caregiver).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let Ok(patient_id) = Uuid::parse_str(&patient_id) else { return visit.error(PageError::NotFound) };
    let drawn = match Drawn::now(&state, patient_id).await {
        Ok(drawn) => drawn,
        Err(error) => return visit.error(error),
    };
    match entry(&state, &signed_in, patient_id, &entry_id).await {
        Ok((field, entry)) if may_withdraw(signed_in.principal.role, field) => {
            withdrawal(&visit, &signed_in, StatusCode::OK, patient_id, (field, &entry), &drawn, "", Shown::default())
        }
        Ok(_) => visit.error(PageError::NotFound),
        Err(error) => visit.error(error),
    }
}

/// Withdraws an entry: `record.entry_entered_in_error`, through the application, on the version the
/// form was drawn at.
pub(crate) async fn withdraw(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path((patient_id, entry_id)): Path<(String, String)>,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let Ok(Form(values)) = form else { return visit.error(PageError::BadRequest) };
    if let Err(refused) = check_form(&state, &headers, values.get(crate::forms::TOKEN_FIELD).map(String::as_str)) {
        return visit.error(refused);
    }
    let signed_in = match staff_member(&state, &headers, &visit, PATIENTS_PATH, caregiver).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let (Ok(patient_id), Ok(target)) = (Uuid::parse_str(&patient_id), Uuid::parse_str(&entry_id)) else {
        return visit.error(PageError::NotFound);
    };
    let Some(drawn) = Drawn::of(&values) else { return visit.error(PageError::BadRequest) };
    let (field, shown_entry) = match entry(&state, &signed_in, patient_id, &entry_id).await {
        Ok(found) if may_withdraw(signed_in.principal.role, found.0) => found,
        Ok(_) => return visit.error(PageError::NotFound),
        Err(error) => return visit.error(error),
    };
    let language = visit.language;
    let reason = values.get("reason").map(|reason| reason.trim().to_owned()).unwrap_or_default();
    let short = reason.chars().count() < 3;
    if let Some(error) = required(language, &reason, 500).or_else(|| short.then(|| language.t("ws-error-reason"))) {
        let shown = Shown {
            alert: Some(language.t("form-has-errors")),
            errors: HashMap::from([("reason", error)]),
            ..Shown::default()
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return withdrawal(&visit, &signed_in, status, patient_id, (field, &shown_entry), &drawn, &reason, shown);
    }
    let submission = drawn.submission(signed_in.principal.account_id);
    let command = RecordCommand::MarkEnteredInError(MarkEnteredInError { entry_id: target, reason: reason.clone() });
    match state.application.execute_on_record(&signed_in.principal, patient_id, command, &submission).await {
        Ok(_) => see_other(&format!("{PATIENTS_PATH}/{patient_id}?show=all")),
        Err(error) => {
            const REASON: [Spec; 1] = [spec("reason", id!("ws-field-withdraw-reason"), Input::Area(500), true)];
            match refusal(&state, &signed_in, &visit, patient_id, &REASON, &drawn, error).await {
                Ok((status, shown, redrawn)) => {
                    withdrawal(&visit, &signed_in, status, patient_id, (field, &shown_entry), &redrawn, &reason, shown)
                }
                Err(error) => visit.error(error),
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn withdrawal(
    visit: &Visit,
    signed_in: &SignedIn,
    status: StatusCode,
    patient_id: Uuid,
    (field, entry): (&str, &Value),
    drawn: &Drawn,
    reason: &str,
    shown: Shown,
) -> Response {
    let language = visit.language;
    let title = language.t("ws-withdraw-title");
    let here = format!("{PATIENTS_PATH}/{patient_id}");
    let action = format!("{here}/entries/{}/entered-in-error", text(&entry["id"]));
    let error = shown.errors.get("reason");
    let described = error.map(|_| "reason-error");
    let main = html! {
        h1 { (title) }
        @if let Some(alert) = &shown.alert { p.alert role="alert" { (alert) } }
        @if let Some(changes) = &shown.changes { (changes) }
        ul.entries { li { (entry_item(language, signed_in.principal.role, &here, field, entry)) } }
        form.page method="post" action=(action) {
            (visit.token_field())
            (drawn.fields())
            div.field {
                label for="reason" { (language.t("ws-field-withdraw-reason")) }
                @if let Some(error) = error { p.error id="reason-error" { (error) } }
                textarea id="reason" name="reason" rows="3" required maxlength="500"
                    aria-invalid=[error.map(|_| "true")] aria-describedby=[described] { (reason) }
            }
            button.primary.danger type="submit" { (language.t("ws-withdraw-submit")) }
        }
        p { a href=(here) { (language.t("ws-back-to-record")) } }
    };
    visit.page(status, &title, PATIENTS_PATH, true, main)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_read_exactly() {
        assert_eq!(fixed("37.5", 1), Some(375));
        assert_eq!(fixed("37,5", 1), Some(375));
        assert_eq!(fixed("38", 1), Some(380));
        assert_eq!(fixed("12.25", 3), Some(12250));
        assert_eq!(fixed("37.55", 1), None);
        assert_eq!(fixed("-1", 1), None);
        assert_eq!(fixed("", 1), None);
        assert_eq!(fixed("120", 0), Some(120));
    }

    #[test]
    fn an_appointment_is_at_the_day_and_time_of_cameroon() {
        let at = cameroon_instant("2026-12-08", "09:30").unwrap();
        assert_eq!(at.as_datetime().to_rfc3339(), "2026-12-08T08:30:00+00:00");
        assert_eq!(cameroon_instant("2026-12-08", "09:30:00"), Some(at), "a time field may send seconds");
        assert_eq!(cameroon_instant("2026-12-08", "9h30"), None);
        assert_eq!(cameroon_instant("08/12/2026", "09:30"), None);
    }

    #[test]
    fn a_correction_is_filled_with_what_the_entry_recorded() {
        let vital = json!({ "details": { "temperature_decicelsius": 385, "weight_grams": 71400, "pulse_per_minute": 96,
                                         "measured_at": "2026-12-07T08:00:00Z" } });
        let values = prefilled(&KINDS[5], &vital);
        assert_eq!(values["temperature"], "38.5");
        assert_eq!(values["weight"], "71.400");
        assert_eq!(values["pulse"], "96");
        assert_eq!(values["measured_at"], "2026-12-07T08:00:00Z");
        assert_eq!(fixed(&values["weight"], 3), Some(71400), "what is shown reads back exactly");
        let prescription = json!({ "details": { "medicine": "artesunate", "dose": { "amount": "120", "unit": "mg" }, "times_per_day": 1 } });
        let values = prefilled(&KINDS[2], &prescription);
        assert_eq!((values["medicine"].as_str(), values["dose_amount"].as_str()), ("artesunate", "120"));
        assert_eq!((values["dose_unit"].as_str(), values["times_per_day"].as_str()), ("mg", "1"));
        let result = json!({ "details": { "test": "goutte épaisse", "order_id": "0193", "interpretation": "positive",
            "attachments": [{ "name": "rapport.pdf", "media_type": "application/pdf", "sha256": "ab" }] } });
        let values = prefilled(kind("lab-result").unwrap(), &result);
        assert_eq!(values["order_id"], "0193");
        assert_eq!(values["attachments_media_type"], "application/pdf");
    }

    #[test]
    fn icd10_is_searched_by_code_and_by_words_of_the_title() {
        let by_code = icd10_search("B50");
        assert!(by_code.iter().any(|(code, _)| *code == "B50.9"), "{by_code:?}");
        assert!(by_code.iter().all(|(code, _)| code.starts_with("B50")));
        let by_words = icd10_search("falciparum malaria");
        assert!(by_words.iter().any(|(code, _)| code.starts_with("B50")), "{by_words:?}");
        assert!(icd10_search("x").is_empty());
    }

    #[test]
    fn domain_errors_find_their_field() {
        let vital = &KINDS[5];
        assert_eq!(field_of(vital.fields, "/temperature_decicelsius"), Some("temperature"));
        assert_eq!(field_of(KINDS[2].fields, "/dose/amount"), Some("dose_amount"));
        assert_eq!(field_of(KINDS[3].fields, "/dose_number"), Some("dose"));
        assert_eq!(field_of(KINDS[3].fields, "/antigen"), Some("dose"));
        assert_eq!(field_of(KINDS[0].fields, "/somewhere"), None);
        let result = kind("lab-result").unwrap();
        assert_eq!(field_of(result.fields, "/attachments/sha256"), Some("attachments_sha256"));
        assert_eq!(field_of(result.fields, "/amends/reason"), Some("amends_reason"));
        assert_eq!(field_of(kind("appointment").unwrap().fields, "/starts_at"), Some("date"));
        assert_eq!(field_of(kind("referral").unwrap().fields, "/to_facility_id"), Some("to_facility_id"));
    }
}
