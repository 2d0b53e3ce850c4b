//! Who read my record: the access log (each read, newest first: the reader's role, their facility,
//! the basis that allowed it), emergency (break-the-glass) reads highlighted, and the emergency
//! accesses with the reason each practitioner stated, which the query API shows only to the patient
//! and to auditors.

use super::{named, navigation, nodes, query, record_in_view, signed_in, text, ACCESS_LOG_PATH};
use crate::i18n::Language;
use crate::pages::Visit;
use crate::time;
use crate::WebState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{html, Markup};
use serde_json::{json, Value};

const ACCESS_LOG: &str = r#"query AccessLog($id: ID!) {
  accessLog(patientId: $id, first: 100) {
    nodes { readAt reader { role name } facility { name } basis breakGlass }
  }
  emergencyAccesses(patientId: $id) { practitioner { role name } facility { name } openedAt expiresAt reason }
}"#;

const BASES: [(&str, &str); 7] = [
    ("FACILITY", id!("basis-facility")),
    ("REFERRAL", id!("basis-referral")),
    ("CONSENT", id!("basis-consent")),
    ("BREAK_GLASS", id!("basis-break-glass")),
    ("AUDIT", id!("basis-audit")),
    ("SEARCH", id!("basis-search")),
    ("GUARDIAN", id!("basis-guardian")),
];

const ROLES: [(&str, &str); 9] = [
    ("doctor", id!("reader-doctor")),
    ("nurse", id!("reader-nurse")),
    ("lab_technician", id!("reader-lab-technician")),
    ("registration_clerk", id!("reader-registration-clerk")),
    ("facility_administrator", id!("reader-facility-administrator")),
    ("health_authority_analyst", id!("reader-health-authority-analyst")),
    ("auditor", id!("reader-auditor")),
    ("system_administrator", id!("reader-system-administrator")),
    ("patient", id!("reader-patient")),
];

pub(crate) async fn page(State(state): State<WebState>, headers: HeaderMap) -> Response {
    let signed_in = match signed_in(&state, &headers, ACCESS_LOG_PATH).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let visit = Visit::new(&state, &headers);
    let patient_id = match record_in_view(&signed_in) {
        Ok(patient_id) => patient_id,
        Err(error) => return visit.error(error),
    };
    let data = match query(&state, &signed_in, ACCESS_LOG, json!({ "id": patient_id.to_string() })).await {
        Ok(data) => data,
        Err(error) => return visit.error(error),
    };
    let language = visit.language;
    let title = language.t("access-log-title");
    let emergencies = data["emergencyAccesses"].as_array().map(Vec::as_slice).unwrap_or_default();
    let reads = nodes(&data["accessLog"]);
    let main = html! {
        (navigation(&visit, &signed_in, ACCESS_LOG_PATH))
        h1 { (title) }
        p { (language.t("access-log-intro")) }
        section.emergencies {
            h2 { (language.t("emergency-title")) }
            @if emergencies.is_empty() {
                p.empty { (language.t("emergency-none")) }
            } @else {
                ul.entries { @for access in emergencies { li.emergency { (emergency(language, access)) } } }
            }
        }
        section.reads {
            h2 { (language.t("reads-title")) }
            @if reads.is_empty() {
                p.empty { (language.t("reads-none")) }
            } @else {
                ul.entries { @for read in reads { (one_read(language, read)) } }
            }
        }
    };
    visit.page(StatusCode::OK, &title, ACCESS_LOG_PATH, true, main)
}

/// Who, in which role: the reader's name when the directory knows them, else their role alone.
fn who(language: Language, person: &Value) -> String {
    let role = named(language, &ROLES, text(&person["role"]));
    match person["name"].as_str() {
        Some(name) => language.t_with("reader-named", &[("name", name.into()), ("role", role.into())]),
        None => role,
    }
}

fn emergency(language: Language, access: &Value) -> Markup {
    html! {
        span.what { (who(language, &access["practitioner"])) }
        " "
        span.tag.severe { (language.t("emergency-tag")) }
        br;
        (language.t_with("emergency-opened", &[("date", time::instant(language, text(&access["openedAt"])).into())]))
        @if let Some(facility) = access["facility"]["name"].as_str() {
            br; (language.t_with("portal-at-facility", &[("facility", facility.into())]))
        }
        @if let Some(expires) = access["expiresAt"].as_str() {
            br; span.meta { (language.t_with("emergency-until", &[("date", time::instant(language, expires).into())])) }
        }
        p.reason {
            strong { (language.t("emergency-reason")) } " "
            (access["reason"].as_str().map(str::to_owned).unwrap_or_else(|| language.t("emergency-no-reason")))
        }
    }
}

fn one_read(language: Language, read: &Value) -> Markup {
    let emergency = read["breakGlass"] == true;
    html! {
        li.emergency[emergency] {
            span.what { (time::instant(language, text(&read["readAt"]))) }
            @if emergency { " " span.tag.severe { (language.t("emergency-tag")) } }
            br;
            (who(language, &read["reader"]))
            @if let Some(facility) = read["facility"]["name"].as_str() {
                br; (language.t_with("portal-at-facility", &[("facility", facility.into())]))
            }
            br;
            span.meta { (language.t_with("read-basis", &[("basis", named(language, &BASES, text(&read["basis"])).into())])) }
        }
    }
}
