//! The patient's lab results, prescriptions and appointments, each read with one GraphQL query for
//! the session's viewer.

use super::{named, navigation, nodes, query, record_in_view, signed_in, text};
use crate::i18n::Language;
use crate::pages::Visit;
use crate::time;
use crate::WebState;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::{html, Markup};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const RESULTS: &str = r#"query Results($id: ID!) {
  patient(id: $id) {
    labResults(onlyCurrent: true, first: 100) { nodes { id occurredAt details facility { name } } }
    labOrders(first: 100) { nodes { id details facility { name } } }
  }
}"#;

const PRESCRIPTIONS: &str = r#"query Prescriptions($id: ID!) {
  patient(id: $id) {
    prescriptions(first: 100) {
      nodes { id status occurredAt details facility { name } recordedBy { name } correction { reason at } }
    }
  }
}"#;

pub(super) const APPOINTMENTS: &str = r#"query Appointments($id: ID!) {
  patient(id: $id) {
    appointments(first: 100) { nodes { id startsAt reason status facility { name } practitioner { name } } }
  }
}"#;

const INTERPRETATIONS: [(&str, &str); 8] = [
    ("normal", id!("result-normal")),
    ("low", id!("result-low")),
    ("high", id!("result-high")),
    ("critically_low", id!("result-critically-low")),
    ("critically_high", id!("result-critically-high")),
    ("abnormal", id!("result-abnormal")),
    ("positive", id!("result-positive")),
    ("negative", id!("result-negative")),
];

const DOSE_UNITS: [(&str, &str); 10] = [
    ("mg", id!("dose-unit-mg")),
    ("g", id!("dose-unit-g")),
    ("mcg", id!("dose-unit-mcg")),
    ("ml", id!("dose-unit-ml")),
    ("iu", id!("dose-unit-iu")),
    ("tablet", id!("dose-unit-tablet")),
    ("capsule", id!("dose-unit-capsule")),
    ("drop", id!("dose-unit-drop")),
    ("puff", id!("dose-unit-puff")),
    ("sachet", id!("dose-unit-sachet")),
];

const APPOINTMENT_STATUSES: [(&str, &str); 5] = [
    ("booked", id!("appointment-booked")),
    ("attended", id!("appointment-attended")),
    ("missed", id!("appointment-missed")),
    ("cancelled", id!("appointment-cancelled")),
    // Booked for a day after the patient's death: never so for the patient reading this page, and
    // said as a plain cancellation should a record ever show it.
    ("cancelled_by_death", id!("appointment-cancelled")),
];

/// A page of the patient's record: the session checked, the record the patient's own, the query run,
/// then drawn by `draw` under `title_id`.
async fn record_page(
    state: &WebState,
    headers: &HeaderMap,
    here: &'static str,
    title_id: &'static str,
    text_of_query: &str,
    draw: fn(Language, &Value) -> Markup,
) -> Response {
    let signed_in = match signed_in(state, headers, here).await {
        Ok(signed_in) => signed_in,
        Err(response) => return response,
    };
    let visit = Visit::new(state, headers);
    let patient_id = match record_in_view(&signed_in) {
        Ok(patient_id) => patient_id,
        Err(error) => return visit.error(error),
    };
    let data = match query(state, &signed_in, text_of_query, json!({ "id": patient_id.to_string() })).await {
        Ok(data) => data,
        Err(error) => return visit.error(error),
    };
    let language = visit.language;
    let title = language.t(title_id);
    let main = html! {
        (navigation(&visit, &signed_in, here))
        h1 { (title) }
        (draw(language, &data["patient"]))
    };
    visit.page(StatusCode::OK, &title, here, true, main)
}

pub(crate) async fn results(State(state): State<WebState>, headers: HeaderMap) -> Response {
    record_page(&state, &headers, super::RESULTS_PATH, id!("results-title"), RESULTS, draw_results).await
}

pub(crate) async fn prescriptions(State(state): State<WebState>, headers: HeaderMap) -> Response {
    record_page(
        &state,
        &headers,
        super::PRESCRIPTIONS_PATH,
        id!("prescriptions-title"),
        PRESCRIPTIONS,
        draw_prescriptions,
    )
    .await
}

/// The results, latest first. The ordering facility is the order's, when the result answers an order
/// in this record; else the facility that recorded the result.
fn draw_results(language: Language, patient: &Value) -> Markup {
    let ordered_at: BTreeMap<&str, &str> = nodes(&patient["labOrders"])
        .iter()
        .filter_map(|order| Some((order["id"].as_str()?, order["facility"]["name"].as_str()?)))
        .collect();
    let mut results: Vec<&Value> = nodes(&patient["labResults"]).iter().collect();
    results.sort_by(|a, b| text(&b["occurredAt"]).cmp(text(&a["occurredAt"])));
    if results.is_empty() {
        return html! { p.empty { (language.t("results-none")) } };
    }
    html! {
        ul.entries.results {
            @for result in results {
                @let details = &result["details"];
                @let interpretation = text(&details["interpretation"]);
                @let flagged = !matches!(interpretation, "normal" | "negative" | "");
                @let facility = details["order_id"].as_str().and_then(|order| ordered_at.get(order).copied())
                    .or(result["facility"]["name"].as_str());
                li {
                    span.what { (text(&details["test"])) }
                    " "
                    span.tag.severe[flagged] { (named(language, &INTERPRETATIONS, interpretation)) }
                    dl.facts {
                        dt { (language.t("result-value")) }
                        dd.value {
                            (text(&details["value"]))
                            @if let Some(unit) = details["unit"].as_str() { " " (unit) }
                        }
                        dt { (language.t("result-range")) }
                        dd { (details["reference_range"].as_str().map(str::to_owned).unwrap_or_else(|| language.t("result-no-range"))) }
                        dt { (language.t("result-date")) }
                        dd { (time::instant(language, text(&result["occurredAt"]))) }
                        @if let Some(facility) = facility {
                            dt { (language.t("result-facility")) }
                            dd { (facility) }
                        }
                    }
                    @if let Some(attachments) = details["attachments"].as_array().filter(|list| !list.is_empty()) {
                        p.meta { (language.t("result-attachments")) }
                        ul.attachments {
                            @for attachment in attachments {
                                li {
                                    (text(&attachment["name"])) " (" (text(&attachment["media_type"])) ")"
                                    br;
                                    span.fingerprint { (language.t_with("result-attachment-fingerprint", &[("sha256", text(&attachment["sha256"]).into())])) }
                                }
                            }
                        }
                        p.meta { (language.t("result-attachment-elsewhere")) }
                    }
                }
            }
        }
    }
}

/// A dose and how often, e.g. `4 tablets, twice a day`.
fn dosage(language: Language, details: &Value) -> String {
    let amount = text(&details["dose"]["amount"]);
    let count = fluent_bundle::FluentValue::try_number(amount);
    let unit = DOSE_UNITS
        .iter()
        .find(|(stored, _)| *stored == text(&details["dose"]["unit"]))
        .map(|(_, id)| language.t_with(id, &[("amount", count)]))
        .unwrap_or_else(|| text(&details["dose"]["unit"]).to_owned());
    let times = details["times_per_day"].as_u64().unwrap_or(1);
    let mut dosage = format!("{amount} {unit}, {}", language.t_with("dose-frequency", &[("times", times.into())]));
    if details["as_needed"] == true {
        dosage.push_str(&format!(", {}", language.t("prescription-as-needed")));
    }
    dosage
}

/// Current prescriptions (written, not cancelled, not yet over), then past ones, latest first, the
/// cancelled ones marked. Prescriptions replaced by a correction or entered in error are not the
/// patient's treatment and are left out.
fn draw_prescriptions(language: Language, patient: &Value) -> Markup {
    let today = time::today();
    let mut current = Vec::new();
    let mut past = Vec::new();
    let mut all: Vec<&Value> = nodes(&patient["prescriptions"]).iter().collect();
    all.sort_by(|a, b| text(&b["occurredAt"]).cmp(text(&a["occurredAt"])));
    for entry in all {
        let status = text(&entry["status"]);
        if !matches!(status, "CURRENT" | "CANCELLED") {
            continue;
        }
        let details = &entry["details"];
        let written = time::cameroon_day(text(&entry["occurredAt"]));
        let days = details["duration_days"].as_u64().unwrap_or(0);
        let until = written.and_then(|day| day.checked_add_days(chrono::Days::new(days)));
        let cancelled = status == "CANCELLED";
        let period = match (written, until) {
            (Some(written), Some(until)) => language.t_with(
                "prescription-until",
                &[
                    ("date", time::long_date(language, written).into()),
                    ("until", time::long_date(language, until).into()),
                ],
            ),
            _ => time::instant(language, text(&entry["occurredAt"])),
        };
        let item = html! {
            span.what { (text(&details["medicine"])) }
            @if cancelled { " " span.tag.severe { (language.t("prescription-cancelled")) } }
            br;
            (dosage(language, details))
            @if let Some(instructions) = details["instructions"].as_str() { br; (instructions) }
            br;
            span.meta {
                (period)
                @if let Some(facility) = entry["facility"]["name"].as_str() {
                    br; (language.t_with("portal-at-facility", &[("facility", facility.into())]))
                }
                @if let Some(prescriber) = entry["recordedBy"]["name"].as_str() {
                    br; (language.t_with("prescription-by", &[("name", prescriber.into())]))
                }
                @if cancelled {
                    @if let Some(reason) = entry["correction"]["reason"].as_str() {
                        br; (language.t_with("prescription-cancel-reason", &[("reason", reason.into())]))
                    }
                }
            }
        };
        if !cancelled && until.is_some_and(|until| until >= today) {
            current.push(item);
        } else {
            past.push(item);
        }
    }
    html! {
        (list("current", language.t("prescriptions-current"), language.t("prescriptions-current-none"), current))
        (list("past", language.t("prescriptions-past"), language.t("prescriptions-past-none"), past))
    }
}

/// A section with its title and entries, or what says there are none.
fn list(class: &str, title: String, empty: String, entries: Vec<Markup>) -> Markup {
    html! {
        section class=(class) {
            h2 { (title) }
            @if entries.is_empty() {
                p.empty { (empty) }
            } @else {
                ul.entries { @for entry in entries { li { (entry) } } }
            }
        }
    }
}

/// Upcoming appointments first (soonest first), each with what `upcoming` adds to it (the way to
/// cancel it), then past ones with their outcome (latest first). An appointment entered in error
/// never was one, and is left out.
pub(super) fn draw_appointments(
    language: Language,
    patient: &Value,
    upcoming_extra: &dyn Fn(&Value) -> Markup,
) -> Markup {
    let now = chrono::Utc::now();
    let mut upcoming = Vec::new();
    let mut past = Vec::new();
    for appointment in nodes(&patient["appointments"]) {
        let status = text(&appointment["status"]);
        if status == "entered_in_error" {
            continue;
        }
        let starts = chrono::DateTime::parse_from_rfc3339(text(&appointment["startsAt"])).ok();
        let coming = status == "booked" && starts.is_some_and(|starts| starts >= now);
        // A booked appointment whose time has passed waits for its outcome to be recorded.
        let label = if status == "booked" && !coming {
            language.t("appointment-no-outcome")
        } else {
            named(language, &APPOINTMENT_STATUSES, status)
        };
        let item = html! {
            span.what { (time::instant(language, text(&appointment["startsAt"]))) }
            " "
            span.tag.severe[matches!(status, "missed" | "cancelled" | "cancelled_by_death")] { (label) }
            br;
            (text(&appointment["reason"]))
            span.meta {
                @if let Some(facility) = appointment["facility"]["name"].as_str() {
                    br; (language.t_with("portal-at-facility", &[("facility", facility.into())]))
                }
                @if let Some(practitioner) = appointment["practitioner"]["name"].as_str() {
                    br; (language.t_with("appointment-with", &[("name", practitioner.into())]))
                }
            }
            @if coming { (upcoming_extra(appointment)) }
        };
        if coming {
            upcoming.push(item);
        } else {
            past.push(item);
        }
    }
    // The query answers soonest first; past ones read best latest first.
    past.reverse();
    html! {
        (list("upcoming", language.t("appointments-upcoming"), language.t("appointments-upcoming-none"), upcoming))
        (list("past", language.t("appointments-past"), language.t("appointments-past-none"), past))
    }
}
