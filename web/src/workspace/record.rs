//! A patient's record (`/care/patients/{patient_id}`), for the clinicians in their care: the
//! demographics, allergies first, then every section of the record the viewer's role reads (a
//! laboratory technician: allergies, lab orders and results), current entries by default and
//! every entry (amended, entered in error, cancelled, stopped, each with its correction's reason) when
//! asked. Read with one GraphQL query run by the query API for the session's viewer; a patient the
//! policy does not let the viewer see is answered as a page that does not exist, and a doctor is
//! offered to break the glass there.

use super::{caregiver, desk, named, nodes, query, staff_member, text, write, PATIENTS_PATH};
use crate::i18n::Language;
use crate::pages::{PageError, Visit};
use crate::{time, WebState};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use event_schema::Role;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

/// What every entry of the record shows.
pub(super) const ENTRY: &str =
    "nodes { id status amends amendedBy correction { reason at by { name } } recordedBy { name } facility { name } occurredAt recordedAt details icd10Title }";

/// How many entries of a section are read (the query API answers them oldest first).
const PER_SECTION: u32 = 50;

/// How many of them the page shows, newest first: what a clinician needs at the bedside, little
/// enough that the page stays light on a slow line.
const SHOWN: usize = 10;

/// The record's sections in the order a clinician reads them (allergies first), each with its
/// GraphQL field, its title, and the form that adds to it, if there is one here.
pub(super) const SECTIONS: [(&str, &str, Option<&str>); 13] = [
    ("allergies", id!("ws-section-allergies"), Some("allergy")),
    ("conditions", id!("ws-section-conditions"), Some("diagnosis")),
    ("treatments", id!("ws-section-treatments"), None),
    ("prescriptions", id!("ws-section-prescriptions"), Some("prescription")),
    ("immunizations", id!("ws-section-immunizations"), Some("immunisation")),
    ("encounters", id!("ws-section-encounters"), Some("encounter")),
    ("vitalSigns", id!("ws-section-vital-signs"), Some("vital-signs")),
    ("labOrders", id!("ws-section-lab-orders"), Some("lab-order")),
    ("labResults", id!("ws-section-lab-results"), Some("lab-result")),
    ("referrals", id!("ws-section-referrals"), Some("referral")),
    ("medicalHistory", id!("ws-section-medical-history"), None),
    ("familyHistory", id!("ws-section-family-history"), None),
    ("deaths", id!("ws-section-death"), None),
];

/// The sections a laboratory technician reads: what a sample is for, and what it must not meet.
const LAB_READS: [&str; 3] = ["allergies", "labOrders", "labResults"];

/// Whether `role` reads the section (or the appointments) whose GraphQL field is `field`, as the
/// policy allows: asking for more would have the whole record refused.
pub(super) fn reads(role: Role, field: &str) -> bool {
    match role {
        Role::Doctor | Role::Nurse => true,
        Role::LabTechnician => LAB_READS.contains(&field),
        _ => false,
    }
}

/// The record query for `role`: demographics, every section the role reads, and the appointments
/// if it reads them.
pub(super) fn record_query(role: Role) -> String {
    let sections: String = SECTIONS
        .iter()
        .filter(|(field, _, _)| reads(role, field))
        .map(|(field, _, _)| format!("{field}(onlyCurrent: $current, first: {PER_SECTION}) {{ {ENTRY} }}\n"))
        .collect();
    let appointments = if reads(role, "appointments") {
        format!("appointments(first: {PER_SECTION}) {{ nodes {{ id startsAt reason status facility {{ name }} }} }}")
    } else {
        String::new()
    };
    format!(
        "query Record($id: ID!, $current: Boolean!) {{ patient(id: $id) {{
  id healthId nationalId familyName givenNames sex birthDate birthDateEstimated region healthDistrict mergedInto
  {sections}
  {appointments}
}} }}"
    )
}

#[derive(Deserialize)]
pub struct Shown {
    /// `all` shows every entry, corrected ones included.
    show: Option<String>,
}

/// The record page.
pub(crate) async fn page(
    State(state): State<WebState>,
    headers: HeaderMap,
    Path(patient_id): Path<String>,
    shown: Result<Query<Shown>, QueryRejection>,
) -> Response {
    let visit = Visit::new(&state, &headers);
    let signed_in = match staff_member(&state, &headers, &visit, PATIENTS_PATH, caregiver).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let Ok(patient_id) = Uuid::parse_str(&patient_id) else { return visit.error(PageError::NotFound) };
    let history = shown.ok().and_then(|Query(shown)| shown.show).as_deref() == Some("all");
    let variables = json!({ "id": patient_id.to_string(), "current": !history });
    let data = match query(&state, &signed_in, &record_query(signed_in.principal.role), variables).await {
        Ok(data) => data,
        Err(unanswered) if unanswered.0 == "NOT_FOUND" && signed_in.principal.role == Role::Doctor => {
            return write::not_in_care(&visit, patient_id, None);
        }
        Err(unanswered) => return visit.error(unanswered.page_error()),
    };
    let patient = &data["patient"];
    let language = visit.language;
    let role = signed_in.principal.role;
    let here = format!("{PATIENTS_PATH}/{patient_id}");
    // The window's title names no one: browser histories on a shared workstation keep titles.
    let title = language.t("ws-record-title");
    let name = format!("{} {}", text(&patient["givenNames"]), text(&patient["familyName"]));
    let main = html! {
        h1 { (name) }
        (demographics(language, patient))
        nav.actions aria-label=(language.t("ws-record-actions")) {
            ul.links {
                @for (_, _, form) in SECTIONS {
                    @if let Some(form) = form {
                        @if write::may_use(role, form) {
                            li { a href=(format!("{here}/record/{form}")) { (language.t(write::form_title(form))) } }
                        }
                    }
                }
                @if write::may_use(role, "appointment") {
                    li { a href=(format!("{here}/record/appointment")) { (language.t(write::form_title("appointment"))) } }
                }
                @if desk(role) {
                    li { a href=(format!("{here}/reminders")) { (language.t("ws-reminders-title")) } }
                    li { a href=(format!("{here}/guardians")) { (language.t("ws-guardians-title")) } }
                }
            }
        }
        p {
            @if history {
                a href=(here) { (language.t("ws-record-show-current")) }
            } @else {
                a href=(format!("{here}?show=all")) { (language.t("ws-record-show-all")) }
            }
        }
        @for (field, title, _) in SECTIONS.iter().filter(|(field, _, _)| reads(role, field)) {
            (section(language, role, &here, field, title, nodes(&patient[*field])))
        }
        @if reads(role, "appointments") {
            (appointments(language, role, &here, nodes(&patient["appointments"])))
        }
        p { a href=(PATIENTS_PATH) { (language.t("ws-search-again")) } }
    };
    visit.page(StatusCode::OK, &title, PATIENTS_PATH, true, main)
}

const SEXES: [(&str, &str); 2] = [("female", id!("ws-sex-female")), ("male", id!("ws-sex-male"))];

fn demographics(language: Language, patient: &Value) -> Markup {
    html! {
        dl.identity {
            dt { (language.t("summary-health-id")) }
            dd { (text(&patient["healthId"])) }
            @if let Some(national_id) = patient["nationalId"].as_str() {
                dt { (language.t("ws-search-national-id")) }
                dd { (national_id) }
            }
            dt { (language.t("summary-birth-date")) }
            dd {
                (time::day(language, text(&patient["birthDate"])))
                @if patient["birthDateEstimated"] == true { " " span.tag { (language.t("ws-record-estimated")) } }
            }
            dt { (language.t("ws-record-sex")) }
            dd { (named(language, &SEXES, text(&patient["sex"]))) }
            dt { (language.t("ws-record-district")) }
            dd { (text(&patient["healthDistrict"])) " (" (text(&patient["region"])) ")" }
        }
        @if !patient["mergedInto"].is_null() { p.notice { (language.t("summary-merged")) } }
    }
}

const STATUSES: [(&str, &str); 5] = [
    ("CURRENT", id!("ws-status-current")),
    ("AMENDED", id!("ws-status-amended")),
    ("ENTERED_IN_ERROR", id!("ws-status-entered-in-error")),
    ("CANCELLED", id!("ws-status-cancelled")),
    ("STOPPED", id!("ws-status-stopped")),
];

fn section(language: Language, role: Role, here: &str, field: &str, title: &str, entries: &[Value]) -> Markup {
    let class = if field == "allergies" { "allergies" } else { "record" };
    html! {
        section class=(class) aria-labelledby=(format!("{field}-title")) {
            h2 id=(format!("{field}-title")) { (language.t(title)) }
            @if entries.is_empty() {
                p.empty { (language.t("ws-section-empty")) }
            } @else {
                ul.entries {
                    @for entry in entries.iter().rev().take(SHOWN) {
                        li id=(format!("entry-{}", text(&entry["id"]))) { (entry_item(language, role, here, field, entry)) }
                    }
                }
                @if entries.len() > SHOWN {
                    p.meta { (language.t_with("ws-section-older", &[("count", (entries.len() - SHOWN).into())])) }
                }
            }
        }
    }
}

/// One entry: what it says, its status and correction, who recorded it where and when, and the way to
/// withdraw it when it is current and the role records its section.
pub(super) fn entry_item(language: Language, role: Role, here: &str, field: &str, entry: &Value) -> Markup {
    let status = text(&entry["status"]);
    let (headline, details) = describe(language, field, entry);
    let by = entry["recordedBy"]["name"].as_str().unwrap_or_default();
    let at = entry["facility"]["name"].as_str().unwrap_or_default();
    html! {
        span.what { (headline) }
        @if status != "CURRENT" {
            " " span.tag.corrected { (named(language, &STATUSES, status)) }
        }
        @for detail in details { br; (detail) }
        @if let Some(reason) = entry["correction"]["reason"].as_str() {
            br;
            span.correction { (language.t_with("ws-entry-correction", &[("reason", reason.into())])) }
        }
        br;
        span.meta {
            (language.t_with("ws-entry-recorded", &[
                ("date", time::instant(language, text(&entry["recordedAt"])).into()),
                ("by", by.into()),
                ("facility", at.into()),
            ]))
        }
        // A correction and the entry it replaced link to each other in the record's full history,
        // where both are shown.
        @if let Some(replaced) = entry["amends"].as_str() {
            br;
            a href=(format!("{here}?show=all#entry-{replaced}")) { (language.t("ws-entry-corrects")) }
        }
        @if let Some(replacement) = entry["amendedBy"].as_str() {
            br;
            a href=(format!("{here}?show=all#entry-{replacement}")) { (language.t("ws-entry-corrected-by")) }
        }
        @if status == "CURRENT" && write::may_withdraw(role, field) {
            br;
            @if let Some(form) = SECTIONS.iter().find(|(name, _, _)| *name == field).and_then(|(_, _, form)| *form) {
                a href=(format!("{here}/record/{form}?amends={}", text(&entry["id"]))) { (language.t("ws-entry-correct")) }
                " · "
            }
            a href=(format!("{here}/entries/{}/entered-in-error", text(&entry["id"]))) {
                (language.t("ws-entry-withdraw"))
            }
        }
    }
}

const CLASSES: [(&str, &str); 6] = [
    ("outpatient", id!("ws-class-outpatient")),
    ("emergency", id!("ws-class-emergency")),
    ("inpatient", id!("ws-class-inpatient")),
    ("home_visit", id!("ws-class-home-visit")),
    ("outreach", id!("ws-class-outreach")),
    ("teleconsultation", id!("ws-class-teleconsultation")),
];

/// What an entry says: a headline and a few lines, by section. Values of stored enumerations are
/// named in the page's language; free text is shown as written.
fn describe(language: Language, field: &str, entry: &Value) -> (String, Vec<String>) {
    let details = &entry["details"];
    let get = |key: &str| details[key].as_str().unwrap_or_default().to_owned();
    let number = |key: &str| details[key].as_u64();
    let mut lines = Vec::new();
    let headline = match field {
        "allergies" => {
            lines.push(format!(
                "{} · {} · {}",
                named(language, &write::SEVERITIES, &get("severity")),
                named(language, &write::ALLERGY_STATUSES, &get("status")),
                named(language, &write::ALLERGY_CATEGORIES, &get("category"))
            ));
            if let Some(reaction) = details["reaction"].as_str() {
                lines.push(language.t_with("allergy-reaction", &[("reaction", reaction.into())]));
            }
            get("substance")
        }
        "conditions" | "medicalHistory" | "familyHistory" => {
            if let Some(code) = details["icd10"].as_str() {
                let title = entry["icd10Title"].as_str().unwrap_or_default();
                lines.push(format!("{code} {title}"));
            }
            if let Some(status) = details["status"].as_str() {
                lines.push(named(language, &write::CONDITION_STATUSES, status));
            }
            if let Some(onset) = details["onset"].as_str() {
                lines.push(language.t_with("condition-since", &[("date", time::day(language, onset).into())]));
            }
            get("description")
        }
        "treatments" | "prescriptions" => {
            let times = number("times_per_day").unwrap_or(1);
            lines.push(format!(
                "{} {} · {}",
                text(&details["dose"]["amount"]),
                named(language, &write::DOSE_UNITS, text(&details["dose"]["unit"])),
                language.t_with("dose-frequency", &[("times", times.into())])
            ));
            if let Some(days) = number("duration_days") {
                lines.push(language.t_with("ws-entry-days", &[("days", days.into())]));
            }
            if let Some(instructions) = details["instructions"].as_str() {
                lines.push(instructions.to_owned());
            }
            get("medicine")
        }
        "immunizations" => {
            lines.push(language.t_with("ws-entry-given-on", &[("date", time::day(language, &get("given_on")).into())]));
            lines.push(language.t_with("ws-entry-lot", &[("lot", get("lot").into())]));
            language.t_with(
                "ws-entry-dose",
                &[("antigen", get("antigen").into()), ("dose", number("dose_number").unwrap_or(0).into())],
            )
        }
        "encounters" => {
            if let Some(class) = details["class"].as_str() {
                lines.push(named(language, &CLASSES, class));
            }
            lines.push(get("reason"));
            if let Some(notes) = details["notes"].as_str() {
                lines.push(notes.to_owned());
            }
            time::day(language, &get("date"))
        }
        "vitalSigns" => {
            lines.extend(write::vital_signs_read(language, details));
            time::instant(language, text(&entry["occurredAt"]))
        }
        "labOrders" => {
            if let Some(loinc) = details["loinc"].as_str() {
                lines.push(language.t_with("ws-entry-loinc", &[("code", loinc.into())]));
            }
            get("test")
        }
        "labResults" => {
            lines.push(format!(
                "{} {} · {}",
                get("value"),
                get("unit"),
                named(language, &write::INTERPRETATIONS, &get("interpretation"))
            ));
            if let Some(range) = details["reference_range"].as_str() {
                lines.push(language.t_with("ws-entry-reference-range", &[("range", range.into())]));
            }
            for attachment in details["attachments"].as_array().map(Vec::as_slice).unwrap_or_default() {
                lines.push(language.t_with(
                    "ws-entry-attachment",
                    &[
                        ("name", text(&attachment["name"]).to_owned().into()),
                        ("type", text(&attachment["media_type"]).to_owned().into()),
                        ("sha256", text(&attachment["sha256"]).to_owned().into()),
                    ],
                ));
            }
            get("test")
        }
        "referrals" => {
            lines.push(format!(
                "{} · {}",
                named(language, &write::REFERRAL_KINDS, &get("kind")),
                named(language, &write::URGENCIES, &get("urgency"))
            ));
            get("reason")
        }
        "deaths" => {
            let cause = details["underlying_cause"].as_str().unwrap_or_default();
            lines.push(format!("{cause} {}", entry["icd10Title"].as_str().unwrap_or_default()));
            time::day(language, &get("died_on"))
        }
        _ => String::new(),
    };
    (headline, lines)
}

const APPOINTMENT_STATUSES: [(&str, &str); 6] = [
    ("booked", id!("ws-appointment-booked")),
    ("cancelled", id!("ws-appointment-cancelled")),
    ("attended", id!("ws-appointment-attended")),
    ("missed", id!("ws-appointment-missed")),
    ("entered_in_error", id!("ws-status-entered-in-error")),
    ("cancelled_by_death", id!("ws-appointment-cancelled")),
];

fn appointments(language: Language, role: Role, here: &str, entries: &[Value]) -> Markup {
    html! {
        section.record aria-labelledby="appointments-title" {
            h2 id="appointments-title" { (language.t("ws-section-appointments")) }
            @if entries.is_empty() {
                p.empty { (language.t("ws-section-empty")) }
            } @else {
                ul.entries {
                    @for appointment in entries {
                        li {
                            span.what { (time::instant(language, text(&appointment["startsAt"]))) }
                            " " span.tag { (named(language, &APPOINTMENT_STATUSES, text(&appointment["status"]))) }
                            br; (text(&appointment["reason"]))
                            @if let Some(facility) = appointment["facility"]["name"].as_str() {
                                br; span.meta { (language.t_with("encounter-at", &[("facility", facility.into())])) }
                            }
                            @if appointment["status"] == "booked" && write::may_use(role, "appointment-move") {
                                @let id = text(&appointment["id"]);
                                br;
                                a href=(format!("{here}/record/appointment-move?target={id}")) { (language.t("ws-appointment-move")) }
                                " · "
                                a href=(format!("{here}/record/appointment-close?target={id}")) { (language.t("ws-appointment-close")) }
                            }
                        }
                    }
                }
            }
        }
    }
}
