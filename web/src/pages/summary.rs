//! A patient's summary of their own record: allergies first (what a clinician seeing them for the
//! first time most needs), current treatments, diagnoses, recent visits, and the vaccination card.
//!
//! It is read with one GraphQL query run in-process by the query API for the session's viewer, so the
//! policy that decides what may be read, and the recording of the read, are exactly the API's.

use super::{PageError, Visit};
use crate::i18n::Language;
use crate::session::SignedIn;
use crate::time;
use crate::WebState;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use serde_json::Value;
use uuid::Uuid;

/// How many visits the summary shows, the latest first.
const RECENT_VISITS: usize = 5;

const SUMMARY: &str = r#"query Summary($id: ID!) {
  patient(id: $id) {
    healthId familyName givenNames birthDate mergedInto
    allergies(onlyCurrent: true, first: 100) { nodes { occurredAt details } }
    treatments(onlyCurrent: true, first: 100) { nodes { occurredAt details } }
    prescriptions(onlyCurrent: true, first: 100) { nodes { occurredAt details } }
    conditions(onlyCurrent: true, first: 100) { nodes { occurredAt details icd10Title } }
    encounters(onlyCurrent: true, first: 100) { nodes { occurredAt details facility { name } } }
  }
}"#;

/// The summary page of `patient_id`, as `signed_in` may read it.
pub(super) async fn page(state: &WebState, visit: &Visit, signed_in: &SignedIn, patient_id: Uuid) -> Response {
    let request = async_graphql::Request::new(SUMMARY)
        .variables(async_graphql::Variables::from_json(serde_json::json!({ "id": patient_id.to_string() })));
    let viewer = query_api::Viewer { principal: signed_in.principal.clone() };
    let response = state.queries.execute(request, Some(viewer)).await;
    if let Some(error) = response.errors.first() {
        let code = error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .and_then(|code| match code {
                async_graphql::Value::String(code) => Some(code.clone()),
                _ => None,
            })
            .unwrap_or_default();
        return visit.error(match code.as_str() {
            "NOT_FOUND" | "FORBIDDEN" => PageError::NotFound,
            "UNAVAILABLE" | "RATE_LIMITED" => PageError::Unavailable,
            _ => {
                tracing::error!(code, "web.summary.query_failed");
                PageError::Internal
            }
        });
    }
    let data = match response.data.into_json() {
        Ok(data) => data,
        Err(_) => return visit.error(PageError::Internal),
    };
    let patient = &data["patient"];
    let wards = match wards(state, signed_in).await {
        Ok(wards) => wards,
        Err(error) => return visit.error(error),
    };
    let language = visit.language;
    let title = language.t("summary-title");
    let main = html! {
        // Every page of the portal is one link away.
        (crate::portal::navigation(visit, signed_in, "/"))
        h1 { (title) }
        p { strong { (text(&patient["givenNames"])) " " (text(&patient["familyName"])) } }
        dl.identity {
            dt { (language.t("summary-health-id")) }
            dd { (text(&patient["healthId"])) }
            dt { (language.t("summary-birth-date")) }
            dd { (time::day(language, text(&patient["birthDate"]))) }
        }
        @if !patient["mergedInto"].is_null() { p.notice { (language.t("summary-merged")) } }
        (allergies(language, nodes(&patient["allergies"])))
        (treatments(language, nodes(&patient["treatments"]), nodes(&patient["prescriptions"])))
        (diagnoses(language, nodes(&patient["conditions"])))
        (visits(language, nodes(&patient["encounters"])))
        ul.links {
            li { a href=(super::card::PATH) { (language.t("summary-card-link")) } }
        }
        (wards_section(visit, &wards))
    };
    visit.page(StatusCode::OK, &title, "/", true, main)
}

/// The minors in the guardian's charge, as the guardian may read them (each read recorded in the
/// minor's access log): shown on the guardian's own summary only, not while one of them is viewed.
async fn wards(state: &WebState, signed_in: &SignedIn) -> Result<Vec<(Uuid, Value)>, PageError> {
    let Some(own) = signed_in.principal.patient_id.filter(|_| signed_in.ward.is_none()) else {
        return Ok(Vec::new());
    };
    let ids = crate::session::wards_of(state, own).await?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // One query for them all, each under an alias; the ids are the read model's, so they are UUIDs.
    let fields: String = ids
        .iter()
        .enumerate()
        .map(|(n, id)| format!("w{n}: patient(id: \"{id}\") {{ givenNames familyName birthDate }} "))
        .collect();
    let request = async_graphql::Request::new(format!("{{ {fields}}}"));
    let viewer = query_api::Viewer { principal: signed_in.principal.clone() };
    let response = state.queries.execute(request, Some(viewer)).await;
    // A minor whose guardianship ended meanwhile is refused and left out; the others are shown.
    let data = response.data.into_json().map_err(|_| PageError::Internal)?;
    Ok(ids
        .into_iter()
        .enumerate()
        .filter_map(|(n, id)| {
            let ward = data.get(format!("w{n}")).filter(|ward| !ward.is_null())?;
            Some((id, ward.clone()))
        })
        .collect())
}

/// The list of [`wards`], each with the button that views their record.
fn wards_section(visit: &Visit, wards: &[(Uuid, Value)]) -> Markup {
    let language = visit.language;
    html! {
        @if !wards.is_empty() {
            section.wards {
                h2 { (language.t("summary-wards")) }
                ul.entries {
                    @for (id, ward) in wards {
                        li {
                            strong { (text(&ward["givenNames"])) " " (text(&ward["familyName"])) }
                            " · " (time::day(language, text(&ward["birthDate"])))
                            form.inline method="post" action=(crate::portal::VIEWING_PATH) {
                                (visit.token_field())
                                input type="hidden" name="patient_id" value=(id.to_string());
                                button type="submit" { (language.t("summary-view-ward")) }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn nodes(connection: &Value) -> &[Value] {
    connection["nodes"].as_array().map(Vec::as_slice).unwrap_or_default()
}

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

/// A section: its title, its entries, or what says there are none.
fn section(class: &str, title: String, empty: String, entries: Vec<Markup>) -> Markup {
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

/// The message of a stored enumeration's value (`details.severity`, …), looked up in `names`; a value
/// the table does not know is shown as stored.
fn named(language: Language, names: &[(&str, &'static str)], value: &Value) -> String {
    let value = text(value);
    names.iter().find(|(stored, _)| *stored == value).map(|(_, id)| language.t(id)).unwrap_or_else(|| value.to_owned())
}

const SEVERITIES: [(&str, &str); 4] = [
    ("mild", id!("allergy-severity-mild")),
    ("moderate", id!("allergy-severity-moderate")),
    ("severe", id!("allergy-severity-severe")),
    ("life_threatening", id!("allergy-severity-life-threatening")),
];
const ALLERGY_STATUSES: [(&str, &str); 4] = [
    ("unconfirmed", id!("allergy-status-unconfirmed")),
    ("confirmed", id!("allergy-status-confirmed")),
    ("resolved", id!("allergy-status-resolved")),
    ("refuted", id!("allergy-status-refuted")),
];
const ALLERGY_CATEGORIES: [(&str, &str); 4] = [
    ("medication", id!("allergy-category-medication")),
    ("food", id!("allergy-category-food")),
    ("environment", id!("allergy-category-environment")),
    ("other", id!("allergy-category-other")),
];
const CONDITION_STATUSES: [(&str, &str); 4] = [
    ("active", id!("condition-status-active")),
    ("recurrence", id!("condition-status-recurrence")),
    ("remission", id!("condition-status-remission")),
    ("resolved", id!("condition-status-resolved")),
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

fn allergies(language: Language, entries: &[Value]) -> Markup {
    // Refuted allergies were ruled out; they stay in the record but not in a summary of what holds.
    let shown = entries.iter().filter(|entry| entry["details"]["status"] != "refuted").map(|entry| {
        let details = &entry["details"];
        let severe = matches!(text(&details["severity"]), "severe" | "life_threatening");
        html! {
            span.what { (text(&details["substance"])) }
            " "
            span.tag.severe[severe] { (named(language, &SEVERITIES, &details["severity"])) }
            " "
            span.tag { (named(language, &ALLERGY_STATUSES, &details["status"])) }
            " "
            span.tag { (named(language, &ALLERGY_CATEGORIES, &details["category"])) }
            @if let Some(reaction) = details["reaction"].as_str() {
                br;
                (language.t_with("allergy-reaction", &[("reaction", reaction.into())]))
            }
            br;
            span.meta { (language.t_with("recorded-on", &[("date", time::instant(language, text(&entry["occurredAt"])).into())])) }
        }
    });
    section("allergies", language.t("allergies-title"), language.t("allergies-none"), shown.collect())
}

/// A dose and how often, e.g. `500 mg, 3 times a day`.
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

fn treatments(language: Language, long_term: &[Value], prescriptions: &[Value]) -> Markup {
    let today = time::today();
    let mut entries: Vec<Markup> = long_term
        .iter()
        .map(|entry| {
            let details = &entry["details"];
            let since = match details["started_on"].as_str() {
                Some(day) => language.t_with("treatment-long-term", &[("date", time::day(language, day).into())]),
                None => language.t("treatment-long-term-undated"),
            };
            html! {
                span.what { (text(&details["medicine"])) }
                br;
                (dosage(language, details))
                br;
                span.meta { (since) }
            }
        })
        .collect();
    // A prescription is current from the day it was written for its number of days.
    for entry in prescriptions {
        let details = &entry["details"];
        let Some(written) = time::cameroon_day(text(&entry["occurredAt"])) else { continue };
        let days = details["duration_days"].as_u64().unwrap_or(0);
        let Some(until) = written.checked_add_days(chrono::Days::new(days)) else { continue };
        if until < today {
            continue;
        }
        let period = language.t_with(
            "prescription-until",
            &[("date", time::long_date(language, written).into()), ("until", time::long_date(language, until).into())],
        );
        entries.push(html! {
            span.what { (text(&details["medicine"])) }
            br;
            (dosage(language, details))
            br;
            span.meta { (period) }
        });
    }
    section("treatments", language.t("treatments-title"), language.t("treatments-none"), entries)
}

fn diagnoses(language: Language, entries: &[Value]) -> Markup {
    let shown = entries.iter().map(|entry| {
        let details = &entry["details"];
        html! {
            span.what { (text(&details["description"])) }
            " "
            span.tag { (named(language, &CONDITION_STATUSES, &details["status"])) }
            br;
            span.meta {
                (text(&details["icd10"]))
                @if let Some(title) = entry["icd10Title"].as_str() { " — " (title) }
                @if let Some(onset) = details["onset"].as_str() {
                    br;
                    (language.t_with("condition-since", &[("date", time::day(language, onset).into())]))
                }
            }
        }
    });
    section("diagnoses", language.t("diagnoses-title"), language.t("diagnoses-none"), shown.collect())
}

fn visits(language: Language, entries: &[Value]) -> Markup {
    let mut latest: Vec<&Value> = entries.iter().collect();
    latest.sort_by(|a, b| text(&b["details"]["date"]).cmp(text(&a["details"]["date"])));
    let shown = latest.into_iter().take(RECENT_VISITS).map(|entry| {
        let details = &entry["details"];
        html! {
            span.what { (time::day(language, text(&details["date"]))) }
            br;
            (text(&details["reason"]))
            @if let Some(facility) = entry["facility"]["name"].as_str() {
                br;
                span.meta { (language.t_with("encounter-at", &[("facility", facility.into())])) }
            }
        }
    });
    section("encounters", language.t("encounters-title"), language.t("encounters-none"), shown.collect())
}
