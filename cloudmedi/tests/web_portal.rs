//! The patient portal end to end, against the real server on both backends: a doctor records lab
//! results, prescriptions and appointments through the API and reads the record; a doctor of another
//! hospital breaks the glass; the patient then signs in on the web pages and sees their results (with
//! the attachment's fingerprint), prescriptions (the cancelled one marked), appointments (upcoming
//! first), who read the record (the emergency access highlighted with its reason), in French and in
//! English; grants a facility access and revokes it (the ledger holds both, and that facility's
//! doctor can read the record only in between); views her daughter's record as her guardian (the
//! card, the access log where her reads are recorded) and comes back to her own; signs out
//! everywhere, chooses codes by SMS, and sets up an authenticator app, which the next sign-in asks for. Forms without a token are refused and
//! write nothing; every page carries the browser protections and weighs less than 60 KB.
//!
//! Over plain HTTP (cookies kept by hand, as a browser without JavaScript) on both backends, and in
//! headless Chromium at 400 px on the embedded default, whose screenshots are kept in
//! `target/web-screenshots/portal-*.png`.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::browser::{self, Page, Visitor};
use support::{bootstrap, code_in, national, token, Api};

/// The pages' policy: nothing but this origin's style sheet, `data:` images and forms to this origin.
const STRICT: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                      frame-ancestors 'none'; base-uri 'none'";

/// The heaviest a page may be on first load, its style sheet included.
const PAGE_BUDGET: usize = 60 * 1024;

const PATIENT_PASSWORD: &str = "Esther grows up in Deido";
const STAFF_PASSWORD: &str = "steady hands on the night rota";
const EMERGENCY_REASON: &str = "inconsciente à l'arrivée aux urgences";
const FINGERPRINT: &str = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

/// The first appointment's day: two months ahead (appointments are booked at most two years ahead),
/// never the first of a month (which French writes `1er`).
fn appointment_day() -> chrono::NaiveDate {
    let day = chrono::Utc::now().date_naive() + chrono::Days::new(60);
    if chrono::Datelike::day(&day) == 1 {
        day + chrono::Days::new(1)
    } else {
        day
    }
}

/// The first appointment as the page writes it, in French and in English.
fn appointment_shown() -> (String, String) {
    use chrono::Datelike;
    const MOIS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let day = appointment_day();
    let month = day.month0() as usize;
    (
        format!("{} {} {} à 09:30 (UTC+01:00)", day.day(), MOIS[month], day.year()),
        format!("{} {} {} at 09:30 (UTC+01:00)", day.day(), MONTHS[month], day.year()),
    )
}

/// The browser protections every page carries.
fn protected(page: &Page, what: &str) {
    assert!(page.header("content-type").starts_with("text/html"), "{what}: {}", page.header("content-type"));
    assert_eq!(page.header("content-security-policy"), STRICT, "{what}");
    assert_eq!(page.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(page.header("referrer-policy"), "same-origin", "{what}");
    assert_eq!(page.header("x-frame-options"), "DENY", "{what}");
    assert_eq!(page.header("cache-control"), "no-store", "{what}");
    assert!(!page.body.contains("<script"), "{what}: no page needs a script");
    assert!(!page.body.contains("style=\""), "{what}: no inline style");
}

/// A page's weight with its style sheet.
async fn light(visitor: &mut Visitor, page: &Page, what: &str) {
    let at = page.body.find("href=\"/web/assets/style.").expect("the page links its style sheet");
    let rest = &page.body[at + "href=\"".len()..];
    let path = rest[..rest.find('"').unwrap()].to_owned();
    let sheet = visitor.get(&path).await;
    assert_eq!(sheet.status, 200);
    let weight = page.body.len() + sheet.body.len();
    assert!(weight < PAGE_BUDGET, "{what} weighs {weight} bytes with its style sheet");
}

/// A page of the portal, shown with the protections and under the weight budget.
async fn shown(visitor: &mut Visitor, path: &str) -> Page {
    let page = visitor.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    protected(&page, path);
    light(visitor, &page, path).await;
    page
}

fn contains_all(page: &Page, texts: &[&str], what: &str) {
    for text in texts {
        assert!(page.body.contains(text), "{what}: no {text:?} in {}", page.body);
    }
}

async fn graphql(api: &Api, bearer: &str, query: &str, variables: Value) -> Value {
    let request = api.client.post(api.server.url("/graphql")).json(&json!({"query": query, "variables": variables}));
    let response = request.bearer_auth(bearer).send().await.unwrap();
    response.json().await.unwrap()
}

const READ: &str = "query($id: ID!) { patient(id: $id) { familyName labResults(first: 10) { nodes { id } } } }";

/// Whether `bearer` may read the record, waiting for the answer to become `allowed`.
async fn can_read_eventually(api: &Api, bearer: &str, patient_id: &str, allowed: bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let body = graphql(api, bearer, READ, json!({"id": patient_id})).await;
        let read = body["errors"].is_null() && body["data"]["patient"]["familyName"] == "Ngo Bassa";
        if read == allowed {
            if !allowed {
                assert_eq!(support::graphql_codes(&body), ["NOT_FOUND"], "{body}");
            }
            return;
        }
        assert!(Instant::now() < deadline, "the read never became {allowed}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes().filter(|c| *c != b' ') {
        let value = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase()).expect("base 32") as u64;
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

fn unix_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

/// The latest code sent by `channel` to `recipient` after the `after`th message.
fn code_sent(outbox: &std::path::Path, channel: &str, recipient: &str, after: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(outbox.join(format!("{channel}.jsonl"))).unwrap_or_default();
        let found = text
            .lines()
            .skip(after)
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|message| message["recipient"] == recipient)
            .filter_map(|message| message["body"].as_str().map(str::to_owned))
            .filter(|body| body.contains("login code is"))
            .last();
        if let Some(body) = found {
            return code_in(&body, "login code is ");
        }
        assert!(Instant::now() < deadline, "no {channel} message to {recipient}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What the story needs from the API's side.
struct Story {
    api: Api,
    doctor: String,
    patient_id: String,
    health_id: String,
    bonassama: String,
    bonassama_doctor: String,
    auditor: String,
    _temp: tempfile::TempDir,
}

/// Three hospitals, each with a doctor; a patient registered at Laquintinie, whose doctor records a
/// lab order and its result (with an attachment), two prescriptions (one cancelled), two appointments
/// (one cancelled) and reads the record; the Garoua doctor breaks the glass and reads it too. The
/// patient's account is activated.
async fn story(database_url: Option<&str>) -> Story {
    let (temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, manager) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = token(&api.staff_member(&manager, &douala, "LAQ-MED-1", "doctor", "690000011").await).to_owned();
    let (garoua, garoua_admin) =
        api.facility_with_administrator(&admin, "Hôpital régional de Garoua", "NO", "HRG", "690000002").await;
    let garoua_doctor =
        token(&api.staff_member(&garoua_admin, &garoua, "HRG-MED-1", "doctor", "690000021").await).to_owned();
    let (bonassama, bonassama_admin) =
        api.facility_with_administrator(&admin, "Hôpital de district de Bonassama", "LT", "BON", "690000003").await;
    let bonassama_doctor =
        token(&api.staff_member(&bonassama_admin, &bonassama, "BON-MED-1", "doctor", "690000031").await).to_owned();
    let auditor = national(&mut api, &admin, "MINSANTE-AUD-1", "auditor", "690000041").await;
    let patient = api
        .register_patient(
            &doctor,
            json!({"family_name": "Ngo Bassa", "given_names": "Esther", "sex": "female",
                   "birth_date": {"date": "1990-06-01", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655443311"}),
        )
        .await;
    let patient_id = patient["patient_id"].as_str().unwrap().to_owned();
    let record = format!("/api/v1/patients/{patient_id}");
    let created = |response: reqwest::Response| async move {
        let status = response.status();
        let body: Value = response.json().await.unwrap();
        assert_eq!(status, 201, "{body}");
        body["entry_id"].as_str().unwrap_or_default().to_owned()
    };
    let order =
        created(api.post(&format!("{record}/lab-orders"), Some(&doctor), json!({"test": "Numération sanguine"})).await)
            .await;
    created(
        api.post(
            &format!("{record}/lab-results"),
            Some(&doctor),
            json!({"order_id": order, "test": "Hémoglobine", "value": "9.8", "unit": "g/dL",
                   "reference_range": "12.0-16.0", "interpretation": "low",
                   "attachments": [{"sha256": FINGERPRINT, "media_type": "application/pdf", "name": "nfs-esther.pdf"}]}),
        )
        .await,
    )
    .await;
    created(
        api.post(
            &format!("{record}/prescriptions"),
            Some(&doctor),
            json!({"medicine": "artemether-lumefantrine", "dose": {"amount": "4", "unit": "tablet"},
                   "route": "oral", "times_per_day": 2, "duration_days": 3}),
        )
        .await,
    )
    .await;
    let stopped = created(
        api.post(
            &format!("{record}/prescriptions"),
            Some(&doctor),
            json!({"medicine": "ibuprofène", "dose": {"amount": "400", "unit": "mg"},
                   "route": "oral", "times_per_day": 3, "duration_days": 5}),
        )
        .await,
    )
    .await;
    created(
        api.post(
            &format!("{record}/prescriptions/{stopped}/cancel"),
            Some(&doctor),
            json!({"reason": "contre-indiqué pendant la grossesse"}),
        )
        .await,
    )
    .await;
    created(
        api.post(
            &format!("{record}/appointments"),
            Some(&doctor),
            json!({"starts_at": format!("{}T09:30:00+01:00", appointment_day()), "reason": "contrôle du traitement"}),
        )
        .await,
    )
    .await;
    let cancelled = created(
        api.post(
            &format!("{record}/appointments"),
            Some(&doctor),
            json!({"starts_at": format!("{}T10:00:00+01:00", appointment_day() + chrono::Days::new(7)),
                   "reason": "bilan sanguin"}),
        )
        .await,
    )
    .await;
    created(
        api.post(
            &format!("{record}/appointments/{cancelled}/close"),
            Some(&doctor),
            json!({"outcome": "cancelled", "reason": "la patiente sera en voyage"}),
        )
        .await,
    )
    .await;
    support::caught_up(&api);
    // The doctor opens the record; the Garoua doctor may only after breaking the glass.
    can_read_eventually(&api, &doctor, &patient_id, true).await;
    can_read_eventually(&api, &garoua_doctor, &patient_id, false).await;
    created(
        api.post(&format!("{record}/break-glass"), Some(&garoua_doctor), json!({"reason": EMERGENCY_REASON})).await,
    )
    .await;
    can_read_eventually(&api, &garoua_doctor, &patient_id, true).await;
    let message = api.message_to("sms", "+237655443311", "activation code", 0).await;
    let health_id = patient["health_id"].as_str().unwrap().to_owned();
    api.activate(&health_id, &code_in(&message, "activation code is "), PATIENT_PASSWORD).await;
    // The lab result's reminder is decided, sent and its outcome recorded in the background: done
    // before the pages are checked for writing nothing.
    support::settled(&api).await;
    Story { api, doctor, patient_id, health_id, bonassama, bonassama_doctor, auditor, _temp: temp }
}

/// The record's pages, in French then in English.
async fn record_pages(visitor: &mut Visitor) {
    let summary = shown(visitor, "/").await;
    for path in [
        "/my/results",
        "/my/prescriptions",
        "/my/appointments",
        "/my/access-log",
        "/my/consents",
        "/my/reminders",
        "/my/account",
    ] {
        assert!(summary.body.contains(&format!("href=\"{path}\"")), "the summary links {path}");
    }

    let results = shown(visitor, "/my/results").await;
    contains_all(
        &results,
        &[
            "<title>Mes résultats d'analyses — CloudMedi</title>",
            "aria-current=\"page\"",
            "Hémoglobine",
            "9.8 g/dL",
            "12.0-16.0",
            "bas",
            "Demandé à",
            "Hôpital Laquintinie",
            "(UTC+01:00)",
            "nfs-esther.pdf",
            FINGERPRINT,
            "Le dossier ne garde que le nom et l'empreinte de chaque document",
        ],
        "results",
    );

    let prescriptions = shown(visitor, "/my/prescriptions").await;
    let body = &prescriptions.body;
    contains_all(
        &prescriptions,
        &["Ordonnances en cours", "artemether-lumefantrine", "4 comprimés, 2 fois par jour", "ibuprofène", "annulée"],
        "prescriptions",
    );
    let current = body.find("artemether-lumefantrine").unwrap();
    assert!(current < body.find("Ordonnances passées").unwrap(), "the current one is under current");
    assert!(body.find("Ordonnances passées").unwrap() < body.find("ibuprofène").unwrap(), "cancelled is past");

    let (french_day, english_day) = appointment_shown();
    let appointments = shown(visitor, "/my/appointments").await;
    let body = &appointments.body;
    contains_all(
        &appointments,
        &[&french_day, "contrôle du traitement", "prévu", "bilan sanguin", "annulé"],
        "appointments",
    );
    assert!(body.find("contrôle du traitement").unwrap() < body.find("bilan sanguin").unwrap(), "upcoming first");

    let log = shown(visitor, "/my/access-log").await;
    contains_all(
        &log,
        &[
            "Qui a lu mon dossier",
            "Accès d'urgence",
            "HRG-MED-1 Tester (médecin)",
            "Hôpital régional de Garoua",
            "Motif donné :",
            "inconsciente à l'arrivée aux urgences",
            "LAQ-MED-1 Tester (médecin)",
            "soins dans cette formation sanitaire",
            "class=\"emergency\"",
        ],
        "access log",
    );
    // The emergency access comes before the ordinary reads, highlighted.
    assert!(log.body.find(EMERGENCY_REASON).unwrap() < log.body.find("Lectures de mon dossier").unwrap());

    // In English, once chosen.
    let switched =
        visitor.post("/language", &[("lang", "en"), ("next", "/my/results"), ("form_token", &results.token())]).await;
    assert_eq!(switched.header("location"), "/my/results", "the language switch stays on the page");
    let results = visitor.follow(&switched).await;
    contains_all(
        &results,
        &["<html lang=\"en\">", "My lab results", "Reference range", "low", "Ordered at"],
        "results",
    );
    let prescriptions = shown(visitor, "/my/prescriptions").await;
    contains_all(&prescriptions, &["Current prescriptions", "4 tablets, twice a day", "cancelled"], "prescriptions");
    let appointments = shown(visitor, "/my/appointments").await;
    contains_all(&appointments, &[&english_day, "Upcoming appointments", "booked"], "appts");
    let log = shown(visitor, "/my/access-log").await;
    contains_all(&log, &["Emergency accesses", "Reason given:", EMERGENCY_REASON, "care at this facility"], "log");
    let back = visitor.post("/language", &[("lang", "fr"), ("next", "/"), ("form_token", &log.token())]).await;
    assert_eq!(back.status, 303);
}

/// The vaccination card's QR code holds the health ID printed under it (the card's own test checks
/// they are the same text), in its canonical form: exactly what the workspace's search takes.
async fn health_id_card(story: &Story, visitor: &mut Visitor) {
    let card = visitor.get("/my/vaccination-card").await;
    assert_eq!(card.status, 200, "{}", card.body);
    let printed = card.inside("<p class=\"code\">");
    assert_eq!(printed, story.health_id);
    assert_eq!(domain::health_id::HealthId::parse(&printed).unwrap().as_str(), printed, "the canonical form");
    let mut doctor = Visitor::signed_in(&visitor.base, "fr", &story.doctor);
    let search = doctor.get("/care/patients").await;
    let found = doctor.post("/care/patients", &[("health_id", &printed), ("form_token", &search.token())]).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(found.body.contains(&format!("href=\"/care/patients/{}\"", story.patient_id)), "{}", found.body);
}

/// The patient's appointments as the API reads them to `bearer`.
async fn appointment_statuses(api: &Api, bearer: &str, patient_id: &str) -> Vec<(String, String)> {
    support::caught_up(api);
    let query = "query($id: ID!) { patient(id: $id) { appointments(first: 20) { nodes { reason status } } } }";
    let body = graphql(api, bearer, query, json!({ "id": patient_id })).await;
    let nodes = body["data"]["patient"]["appointments"]["nodes"].as_array().unwrap_or_else(|| panic!("{body}"));
    nodes
        .iter()
        .map(|node| (node["reason"].as_str().unwrap().to_owned(), node["status"].as_str().unwrap().to_owned()))
        .collect()
}

/// The patient cancels an upcoming appointment from the page, with a reason (a post without one, or
/// without a token, changes nothing); the ledger names the patient as who cancelled it. Through the
/// JSON API, the same patient cancels another and may not say one was attended.
async fn cancels_appointments(story: &Story, visitor: &mut Visitor) {
    let api = &story.api;
    let page = shown(visitor, "/my/appointments").await;
    assert_eq!(page.body.matches("Annuler ce rendez-vous").count(), 1, "only the upcoming one: {}", page.body);
    let appointment_id = page.hidden("appointment_id");
    let fields = |reason: &'static str, page: &Page| {
        vec![
            ("appointment_id", page.hidden("appointment_id")),
            ("nonce", page.hidden("nonce")),
            ("reason", reason.to_owned()),
            ("form_token", page.token()),
        ]
    };
    let position = api.ledger_position().await;
    let mut unsigned = fields("je serai en voyage", &page);
    unsigned.retain(|(name, _)| *name != "form_token");
    let refused = visitor.post("/my/appointments/cancel", &borrowed(&unsigned)).await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let empty = visitor.post("/my/appointments/cancel", &borrowed(&fields("", &page))).await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert!(empty.body.contains("Ce champ est obligatoire."), "{}", empty.body);
    assert!(empty.body.contains(&format!("id=\"reason-{appointment_id}-error\"")), "{}", empty.body);
    assert_eq!(api.ledger_position().await, position, "nothing written for a refused cancellation");
    let patient = visitor.cookies[browser::SESSION].clone();
    let statuses = appointment_statuses(api, &patient, &story.patient_id).await;
    assert!(statuses.contains(&("contrôle du traitement".to_owned(), "booked".to_owned())), "{statuses:?}");
    let cancel = fields("je serai en voyage", &page);
    let cancelled = visitor.post("/my/appointments/cancel", &borrowed(&cancel)).await;
    assert_eq!(cancelled.status, 303, "{}", cancelled.body);
    // Posted twice, it cancels once.
    assert_eq!(visitor.post("/my/appointments/cancel", &borrowed(&cancel)).await.status, 303);
    support::caught_up(api);
    let statuses = appointment_statuses(api, &patient, &story.patient_id).await;
    assert!(statuses.contains(&("contrôle du traitement".to_owned(), "cancelled".to_owned())), "{statuses:?}");
    let after = shown(visitor, "/my/appointments").await;
    assert!(!after.body.contains("Annuler ce rendez-vous"), "nothing upcoming is left to cancel: {}", after.body);
    let query = "query($patient: ID!) { ledgerEntries(patientId: $patient, type: \"record.appointment_closed\", first: 10) { edges { node { actor { role } } } } }";
    let body = graphql(api, &story.auditor, query, json!({ "patient": story.patient_id })).await;
    let roles: Vec<&str> = body["data"]["ledgerEntries"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|edge| edge["node"]["actor"]["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles.iter().filter(|role| **role == "patient").count(), 1, "{body}");

    // Through the JSON API: the same command for the same patient.
    let record = format!("/api/v1/patients/{}", story.patient_id);
    let starts_at = format!("{}T08:00:00+01:00", appointment_day() + chrono::Days::new(3));
    let booked = api
        .post(
            &format!("{record}/appointments"),
            Some(&story.doctor),
            json!({"starts_at": starts_at, "reason": "échographie"}),
        )
        .await;
    assert_eq!(booked.status(), 201);
    let booked: Value = booked.json().await.unwrap();
    let close = format!("{record}/appointments/{}/close", booked["entry_id"].as_str().unwrap());
    let attended = api.post(&close, Some(&patient), json!({"outcome": "attended"})).await;
    assert_eq!(attended.status(), 403, "only the facility says an appointment was attended");
    let elsewhere = format!(
        "/api/v1/patients/00000000-0000-4000-8000-000000000000/appointments/{}/close",
        booked["entry_id"].as_str().unwrap()
    );
    let theirs = api.post(&elsewhere, Some(&patient), json!({"outcome": "cancelled", "reason": "pas le mien"})).await;
    assert_eq!(theirs.status(), 404, "another record is not found");
    let cancelled = api.post(&close, Some(&patient), json!({"outcome": "cancelled", "reason": "empêchement"})).await;
    assert_eq!(cancelled.status(), 201, "{}", cancelled.text().await.unwrap());
    support::caught_up(api);
    let statuses = appointment_statuses(api, &patient, &story.patient_id).await;
    assert!(statuses.contains(&("échographie".to_owned(), "cancelled".to_owned())), "{statuses:?}");
}

/// Fields as `post` takes them.
fn borrowed<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(name, value)| (*name, value.as_str())).collect()
}

/// Granting and revoking a facility's access: mistakes named per field and nothing written; a post
/// without a token refused; the ledger holds both changes, and the facility's doctor reads only in
/// between.
async fn consents(story: &Story, visitor: &mut Visitor) {
    let api = &story.api;
    can_read_eventually(api, &story.bonassama_doctor, &story.patient_id, false).await;
    let page = shown(visitor, "/my/consents").await;
    contains_all(
        &page,
        &["Vous n'avez autorisé aucune formation sanitaire.", "<label for=\"facility_id\">", "<label for=\"until\">"],
        "consents",
    );
    assert!(page.body.contains(&format!("<option value=\"{}\">Hôpital de district de Bonassama", story.bonassama)));
    let position = api.ledger_position().await;
    let token = page.token();

    let without = visitor.post("/my/consents/grant", &[("facility_id", &story.bonassama)]).await;
    assert_eq!(without.status, 403);
    protected(&without, "a refused form");
    let mistaken = visitor
        .post("/my/consents/grant", &[("facility_id", ""), ("until", "2020-01-01"), ("form_token", &token)])
        .await;
    assert_eq!(mistaken.status, 422);
    contains_all(
        &mistaken,
        &["Choisissez une formation sanitaire.", "Le dernier jour ne peut pas être passé.", "aria-invalid=\"true\""],
        "a mistaken grant",
    );
    let malformed = visitor
        .post("/my/consents/grant", &[("facility_id", &story.bonassama), ("until", "bientôt"), ("form_token", &token)])
        .await;
    assert_eq!(malformed.status, 422);
    assert!(malformed.body.contains("Indiquez une date, par exemple 2027-03-31."));
    let nowhere = "00000000-0000-4000-8000-000000000000";
    let unknown = visitor.post("/my/consents/grant", &[("facility_id", nowhere), ("form_token", &token)]).await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("Cette formation sanitaire n'est pas dans l'annuaire."), "{}", unknown.body);
    assert_eq!(api.ledger_position().await, position, "nothing is written for a refused or mistaken form");

    let granted =
        visitor.post("/my/consents/grant", &[("facility_id", &story.bonassama), ("form_token", &token)]).await;
    let page = visitor.follow(&granted).await;
    contains_all(&page, &["Hôpital de district de Bonassama", "Jusqu'à ce que je le retire"], "granted");
    can_read_eventually(api, &story.bonassama_doctor, &story.patient_id, true).await;

    let revoked =
        visitor.post("/my/consents/revoke", &[("facility_id", &story.bonassama), ("form_token", &page.token())]).await;
    let page = visitor.follow(&revoked).await;
    assert!(page.body.contains("Vous n'avez autorisé aucune formation sanitaire."), "{}", page.body);
    can_read_eventually(api, &story.bonassama_doctor, &story.patient_id, false).await;
    // Revoking again says it is already done, and writes nothing.
    let position = api.ledger_position().await;
    let again =
        visitor.post("/my/consents/revoke", &[("facility_id", &story.bonassama), ("form_token", &page.token())]).await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("Cette formation sanitaire n'a plus accès à votre dossier."));
    assert_eq!(api.ledger_position().await, position);

    let trail = "query($p: ID!, $t: String!) { ledgerEntries(patientId: $p, type: $t, first: 10) { edges { node { type actor { role } } } } }";
    for kind in ["record.access_granted", "record.access_revoked"] {
        let body = graphql(api, &story.auditor, trail, json!({"p": story.patient_id, "t": kind})).await;
        let edges = body["data"]["ledgerEntries"]["edges"].as_array().unwrap_or_else(|| panic!("{body}"));
        assert_eq!(edges.len(), 1, "{kind}: {body}");
        assert_eq!(edges[0]["node"]["actor"]["role"], "patient", "{body}");
    }
}

/// The patient's daughter, registered at the doctor's hospital with her first dose of BCG, and the
/// patient recorded as her mother by that doctor. Returns the daughter's record id.
async fn daughter(story: &Story) -> String {
    let api = &story.api;
    let child = api
        .register_patient(
            &story.doctor,
            json!({"family_name": "Ngo Bassa", "given_names": "Amina", "sex": "female",
                   "birth_date": {"date": "2024-02-10", "estimated": false}, "region": "LT",
                   "health_district": "Deido"}),
        )
        .await;
    let child_id = child["patient_id"].as_str().unwrap().to_owned();
    let record = format!("/api/v1/patients/{child_id}");
    let dose = json!({"antigen": "BCG", "dose_number": 1, "lot": "BCG-2024-02", "given_on": "2024-02-11"});
    let given = api.post(&format!("{record}/immunizations"), Some(&story.doctor), dose).await;
    assert_eq!(given.status(), 201, "{}", given.text().await.unwrap());
    let guardian = json!({"guardian_health_id": story.health_id, "relationship": "mother"});
    let recorded = api.post(&format!("{record}/guardians"), Some(&story.doctor), guardian).await;
    assert_eq!(recorded.status(), 201, "{}", recorded.text().await.unwrap());
    child_id
}

/// The mother views her daughter's record from her own summary: the summary, the card and the
/// access log are the daughter's, under a notice saying so, and her reads are in that log on the
/// grounds of guardianship; then she comes back to her own. A record not in her charge cannot be
/// chosen, nor can one be chosen without the form's token.
async fn guardianship(story: &Story, visitor: &mut Visitor) {
    let child_id = daughter(story).await;
    let own = shown(visitor, "/").await;
    contains_all(&own, &["Enfants dont j’ai la charge", "Amina Ngo Bassa", "Voir son dossier"], "the wards listed");
    let token = own.token();
    let without = visitor.post("/my/viewing", &[("patient_id", &child_id)]).await;
    assert_eq!(without.status, 403);
    let nobody = "00000000-0000-4000-8000-000000000000";
    let forged = visitor.post("/my/viewing", &[("patient_id", nobody), ("form_token", &token)]).await;
    assert_eq!(forged.status, 404);

    let chosen = visitor.post("/my/viewing", &[("patient_id", &child_id), ("form_token", &token)]).await;
    assert_eq!(chosen.status, 303);
    let summary = visitor.follow(&chosen).await;
    assert_eq!(summary.status, 200);
    contains_all(
        &summary,
        &["Vous consultez le dossier d’un mineur", "Amina", "Revenir à mon propre dossier"],
        "the daughter's summary",
    );
    assert!(!summary.body.contains(&story.health_id), "the summary is the daughter's, not the mother's");
    let card = visitor.get("/my/vaccination-card").await;
    assert_eq!(card.status, 200);
    contains_all(&card, &["Amina", "BCG"], "the daughter's card");
    let log = shown(visitor, "/my/access-log").await;
    contains_all(&log, &["la tutelle d’un mineur", "Vous consultez le dossier d’un mineur"], "the daughter's log");

    let back = visitor.post("/my/viewing", &[("patient_id", ""), ("form_token", &log.token())]).await;
    let own = visitor.follow(&back).await;
    assert!(own.body.contains("Esther"), "{}", own.body);
    assert!(!own.body.contains("Vous consultez le dossier d’un mineur"), "{}", own.body);
}

/// The account page: signing out everywhere, codes by SMS, and an authenticator app set up end to end.
async fn account(story: &Story, visitor: &mut Visitor) {
    let api = &story.api;
    // Another device, signed in too, is signed out by "everywhere".
    let mut phone = Visitor::new(&visitor.base, "fr");
    assert_eq!(phone.sign_in(&story.health_id, PATIENT_PASSWORD).await.status, 200);
    let page = shown(visitor, "/my/account").await;
    contains_all(&page, &["Mon compte", "Me déconnecter partout", "<label for=\"totp-password\">"], "account");
    let out = visitor.post("/my/account/sign-out-everywhere", &[]).await;
    assert_eq!(out.status, 403, "no token, no sign-out");
    let out = visitor.post("/my/account/sign-out-everywhere", &[("form_token", &page.token())]).await;
    assert_eq!(out.header("location"), "/sign-in");
    assert!(!visitor.cookies.contains_key("__Host-cloudmedi-session"));
    assert_eq!(phone.get("/my/results").await.status, 303, "the other device is signed out");
    assert_eq!(visitor.get("/my/account").await.header("location"), "/sign-in?next=%2Fmy%2Faccount");
    assert_eq!(visitor.sign_in(&story.health_id, PATIENT_PASSWORD).await.status, 200);

    // Codes by SMS, after the password again.
    let page = shown(visitor, "/my/account").await;
    let token = page.token();
    let position = api.ledger_position().await;
    let empty =
        visitor.post("/my/account/codes", &[("method", "sms"), ("codes-password", ""), ("form_token", &token)]).await;
    assert_eq!(empty.status, 422);
    assert!(empty.body.contains("Ce champ est obligatoire."));
    assert_eq!(api.ledger_position().await, position, "nothing is written for a form with mistakes");
    let fields = [("method", "sms"), ("codes-password", PATIENT_PASSWORD), ("form_token", &token)];
    let chosen = visitor.post("/my/account/codes", &fields).await;
    assert_eq!(chosen.status, 200, "{}", chosen.body);
    assert!(chosen.body.contains("Les codes de connexion vous seront désormais envoyés par SMS."));

    // An authenticator app: the password again, then the secret as a QR code and as text, then a code.
    let wrong = visitor
        .post("/my/account/authenticator", &[("totp-password", "not my password at all"), ("form_token", &token)])
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Ce n'est pas votre mot de passe."), "{}", wrong.body);
    let step =
        visitor.post("/my/account/authenticator", &[("totp-password", PATIENT_PASSWORD), ("form_token", &token)]).await;
    assert_eq!(step.status, 200, "{}", step.body);
    protected(&step, "the authenticator app's step");
    light(visitor, &step, "the authenticator app's step").await;
    assert!(step.body.contains("<svg"), "the QR code is drawn in the page");
    let secret = base32_decode(&step.inside("<code class=\"secret\">"));
    assert_eq!(secret.len(), 20, "a 160-bit secret");
    let mistaken =
        visitor.post("/my/account/authenticator/confirm", &[("code", "000000"), ("form_token", &token)]).await;
    assert_eq!(mistaken.status, 422);
    assert!(mistaken.body.contains("Ce code ne correspond pas."), "{}", mistaken.body);
    assert!(mistaken.body.contains("<svg"), "the secret is shown again");
    let now = unix_now();
    let code = identity::totp::code_at(&secret, now).unwrap();
    let done = visitor.post("/my/account/authenticator/confirm", &[("code", &code), ("form_token", &token)]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Vos codes de secours"));
    assert_eq!(done.body.matches("<li><code>").count(), 10, "ten recovery codes, shown once");
    let page = shown(visitor, "/my/account").await;
    assert!(page.body.contains("Code de votre application d'authentification"), "{}", page.body);

    // The next sign-in asks for the app's code.
    let home = visitor.get("/").await;
    visitor.post("/sign-out", &[("form_token", &home.token())]).await;
    let form = visitor.get("/sign-in").await;
    let challenge = visitor
        .post("/sign-in", &[("login", &story.health_id), ("password", PATIENT_PASSWORD), ("form_token", &form.token())])
        .await;
    assert_eq!(challenge.status, 200, "{}", challenge.body);
    let next = identity::totp::code_at(&secret, now + 30).unwrap();
    let (challenge_id, methods) = (challenge.hidden("challenge_id"), challenge.hidden("methods"));
    assert_eq!(methods, "totp,recovery_code");
    let opened = visitor
        .post(
            "/sign-in/second-factor",
            &[
                ("challenge_id", &challenge_id),
                ("method", "totp"),
                ("methods", &methods),
                ("code", &next),
                ("form_token", &challenge.token()),
            ],
        )
        .await;
    let summary = visitor.follow(&opened).await;
    assert!(summary.body.contains("Résumé de mon dossier"), "{}", summary.body);
}

/// The password changed from the account page: the policy named rule by rule; mistakes (a rule
/// broken, the two differing, the current one wrong) named beside their field and the password
/// unchanged; then changed, every session of the account ended (its token refused by the API too),
/// the owner told, and only the new password works.
async fn changes_password(story: &Story, visitor: &mut Visitor) {
    const NEW_PASSWORD: &str = "a new leaf on the mango tree";
    let api = &story.api;
    let mut phone = Visitor::new(&visitor.base, "fr");
    let form = phone.get("/sign-in").await;
    let login = [("login", story.health_id.as_str()), ("password", PATIENT_PASSWORD), ("form_token", &form.token())];
    assert!(phone.post("/sign-in", &login).await.body.contains("challenge_id"), "the password works, a code is asked");
    let page = shown(visitor, "/my/account").await;
    contains_all(
        &page,
        &[
            "Changer mon mot de passe",
            "compte de 12 à 128 caractères",
            "ne contient pas votre identifiant",
            "<label for=\"new-password\">",
        ],
        "the password's form",
    );
    let token = page.token();
    let change = |current: &'static str, new: &'static str, again: &'static str| {
        vec![("current-password", current), ("new-password", new), ("new-password-again", again)]
    };
    let unsigned = visitor.post("/my/account/password", &change(PATIENT_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)).await;
    assert_eq!(unsigned.status, 403, "no token, no change");
    let mut fields = change(PATIENT_PASSWORD, "short one", "short one");
    fields.push(("form_token", &token));
    let short = visitor.post("/my/account/password", &fields).await;
    assert_eq!(short.status, 422, "{}", short.body);
    assert!(short.body.contains("id=\"new-password-error\">Au moins 12 caractères."), "{}", short.body);
    let mut fields = change(PATIENT_PASSWORD, NEW_PASSWORD, "a new leaf on the mango");
    fields.push(("form_token", &token));
    let differing = visitor.post("/my/account/password", &fields).await;
    assert_eq!(differing.status, 422, "{}", differing.body);
    assert!(differing.body.contains("Les deux mots de passe sont différents."), "{}", differing.body);
    let mut fields = change("not my password at all", NEW_PASSWORD, NEW_PASSWORD);
    fields.push(("form_token", &token));
    let wrong = visitor.post("/my/account/password", &fields).await;
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("id=\"current-password-error\">Ce n'est pas votre mot de passe."), "{}", wrong.body);
    assert_eq!(visitor.get("/my/account").await.status, 200, "still signed in, nothing changed");

    let bearer = visitor.cookies[browser::SESSION].clone();
    assert!(graphql(api, &bearer, READ, json!({ "id": story.patient_id })).await["errors"].is_null());
    let before = api.delivered("sms");
    let mut fields = change(PATIENT_PASSWORD, NEW_PASSWORD, NEW_PASSWORD);
    fields.push(("form_token", &token));
    let changed = visitor.post("/my/account/password", &fields).await;
    assert_eq!(changed.status, 200, "{}", changed.body);
    assert!(changed.body.contains("Mot de passe changé"), "{}", changed.body);
    protected(&changed, "the password changed");
    assert!(!visitor.cookies.contains_key(browser::SESSION), "this session ended");
    assert_eq!(visitor.get("/my/account").await.status, 303, "signed out here");
    let answer = graphql(api, &bearer, READ, json!({ "id": story.patient_id })).await;
    assert_eq!(answer["status"], 401, "the session's token is refused: {answer}");
    api.message_to("sms", "+237655443311", "was changed", before).await;
    let form = phone.get("/sign-in").await;
    let old = [("login", story.health_id.as_str()), ("password", PATIENT_PASSWORD), ("form_token", &form.token())];
    let refused = phone.post("/sign-in", &old).await;
    assert!(!refused.body.contains("challenge_id"), "the old password no longer works: {}", refused.body);
    let new = [("login", story.health_id.as_str()), ("password", NEW_PASSWORD), ("form_token", &form.token())];
    assert!(phone.post("/sign-in", &new).await.body.contains("challenge_id"), "the new one does");
}

/// A member of staff has the account page, and none of a patient's pages.
async fn staff(story: &Story) {
    let api = &story.api;
    let mut doctor = Visitor::new(&api.server.url(""), "en");
    let form = doctor.get("/sign-in").await;
    let before = api.delivered("sms");
    let challenge = doctor
        .post("/sign-in", &[("login", "BON-MED-1"), ("password", STAFF_PASSWORD), ("form_token", &form.token())])
        .await;
    let code = code_sent(&api.outbox, "sms", "+237690000031", before);
    let fields = [
        ("challenge_id", challenge.hidden("challenge_id")),
        ("method", "sms".to_owned()),
        ("methods", challenge.hidden("methods")),
        ("code", code),
        ("form_token", challenge.token()),
    ];
    let fields: Vec<(&str, &str)> = fields.iter().map(|(name, value)| (*name, value.as_str())).collect();
    let opened = doctor.post("/sign-in/second-factor", &fields).await;
    assert_eq!(doctor.follow(&opened).await.status, 200);
    let account = shown(&mut doctor, "/my/account").await;
    contains_all(&account, &["My account", "Sign out everywhere", "Code received by SMS"], "a doctor's account");
    assert!(!account.body.contains("Who read my record"), "no patient navigation for staff");
    for path in
        ["/my/results", "/my/prescriptions", "/my/appointments", "/my/access-log", "/my/consents", "/my/reminders"]
    {
        let refused = doctor.get(path).await;
        assert_eq!(refused.status, 404, "{path}");
        protected(&refused, path);
    }
}

/// The patient's reminder choices: the defaults shown first; a channel with no address refused on its
/// field with nothing written; a post without a token refused; then saved, shown again, and the same
/// through the JSON API the desk uses.
async fn reminder_choices(story: &Story, visitor: &mut Visitor) {
    let api = &story.api;
    let page = shown(visitor, "/my/reminders").await;
    contains_all(
        &page,
        &[
            "<title>Mes rappels — CloudMedi</title>",
            "<option value=\"\" selected>Selon la région de mon centre de santé</option>",
            "<label for=\"no_appointment\">Rendez-vous</label>",
        ],
        "the reminders page",
    );
    let position = api.ledger_position().await;
    let without = visitor.post("/my/reminders", &[("language", "en")]).await;
    assert_eq!(without.status, 403);
    let no_email = visitor.post("/my/reminders", &[("channel", "email"), ("form_token", &page.token())]).await;
    assert_eq!(no_email.status, 422);
    contains_all(
        &no_email,
        &[
            "Aucune adresse n'est enregistrée pour ce moyen.",
            "aria-invalid=\"true\"",
            "<option value=\"email\" selected>",
        ],
        "a channel with no address",
    );
    assert_eq!(api.ledger_position().await, position, "nothing is written for a refused or mistaken form");
    let fields = [("language", "en"), ("channel", "sms"), ("no_appointment", "on"), ("form_token", &page.token())];
    let saved = visitor.post("/my/reminders", &fields).await;
    let page = visitor.follow(&saved).await;
    contains_all(
        &page,
        &[
            "<option value=\"en\" selected>",
            "<option value=\"sms\" selected>",
            "id=\"no_appointment\" name=\"no_appointment\" checked",
        ],
        "the choices saved",
    );
    assert!(!page.body.contains("id=\"no_vaccination\" name=\"no_vaccination\" checked"));
    let path = format!("/api/v1/patients/{}/reminder-preferences", story.patient_id);
    let read = api.get(&path, &story.doctor).await;
    assert_eq!(read.status(), 200);
    let read: serde_json::Value = read.json().await.unwrap();
    assert_eq!(read, json!({"language": "en", "channel": "sms", "opted_out": ["appointment"]}));
    // Put back as they were, through the API, as a desk would on the patient's word.
    let reset = api
        .client
        .put(api.server.url(&path))
        .bearer_auth(&story.doctor)
        .json(&json!({"language": null, "channel": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    let page = shown(visitor, "/my/reminders").await;
    assert!(page.body.contains("<option value=\"\" selected>Selon la région"), "{}", page.body);
}

async fn the_portal(database_url: Option<&str>) {
    let story = story(database_url).await;
    let mut visitor = Visitor::new(&story.api.server.url(""), "fr-CM,fr;q=0.9,en;q=0.5");
    // Signed out, a portal page sends to sign in and comes back.
    let away = visitor.get("/my/access-log").await;
    assert_eq!(away.header("location"), "/sign-in?next=%2Fmy%2Faccess-log");
    let form = visitor.follow(&away).await;
    let signed_in = visitor
        .post(
            "/sign-in",
            &[
                ("login", &story.health_id),
                ("password", PATIENT_PASSWORD),
                ("next", "/my/access-log"),
                ("form_token", &form.token()),
            ],
        )
        .await;
    assert_eq!(signed_in.header("location"), "/my/access-log");
    record_pages(&mut visitor).await;
    health_id_card(&story, &mut visitor).await;
    cancels_appointments(&story, &mut visitor).await;
    consents(&story, &mut visitor).await;
    reminder_choices(&story, &mut visitor).await;
    guardianship(&story, &mut visitor).await;
    staff(&story).await;
    account(&story, &mut visitor).await;
    changes_password(&story, &mut visitor).await;
    story.api.server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_on_sqlite() {
    the_portal(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_on_postgres() {
    let database = ledger::testing::ScratchDatabase::create("cloudmedi_web_portal_e2e").await.unwrap();
    the_portal(Some(database.url())).await;
    database.drop_database().await.unwrap();
}

/// The patient walks the portal in headless Chromium on a phone's screen (400 px wide), by its links.
fn in_chromium(base: &str, health_id: &str) {
    use std::collections::HashMap;

    let (browser, _profile) = browser::chromium(400, 800);
    let tab = browser.new_tab().unwrap();
    tab.set_extra_http_headers(HashMap::from([("Accept-Language", "fr-CM,fr;q=0.9")])).unwrap();
    tab.call_method(browser::screen(400, 800, true)).unwrap();
    let shoot = |name: &str| browser::shoot(&tab, &format!("portal-{name}"));
    let submit = |selector: &str| {
        tab.wait_for_element(selector).unwrap().click().unwrap();
        tab.wait_until_navigated().unwrap();
    };
    let fill = |selector: &str, text: &str| {
        tab.wait_for_element(selector).unwrap().click().unwrap();
        tab.type_str(text).unwrap();
    };
    let arrived = |title: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while tab.get_title().unwrap() != title {
            assert!(Instant::now() < deadline, "{title}: {}", tab.get_content().unwrap());
            std::thread::sleep(Duration::from_millis(50));
        }
        tab.get_content().unwrap()
    };
    // Nothing is wider than the phone's screen.
    let fits = |what: &str| {
        let width = tab.evaluate("document.documentElement.scrollWidth", false).unwrap();
        let width = width.value.and_then(|value| value.as_u64()).unwrap_or(u64::MAX);
        assert!(width <= 400, "{what} is {width} px wide");
    };

    tab.navigate_to(&format!("{base}/sign-in")).unwrap().wait_until_navigated().unwrap();
    arrived("Connexion — CloudMedi");
    fill("#login", health_id);
    fill("#password", PATIENT_PASSWORD);
    submit("form.page button[type=submit]");
    arrived("Résumé de mon dossier — CloudMedi");
    shoot("summary");
    browser::accessible(&tab, "the summary");
    // Her daughter's record, viewed as her guardian, and back to her own.
    let showing = |text: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let content = tab.get_content().unwrap();
            if content.contains(text) {
                return content;
            }
            assert!(Instant::now() < deadline, "{text}: {content}");
            std::thread::sleep(Duration::from_millis(50));
        }
    };
    submit("section.wards form button");
    showing("Vous consultez le dossier d’un mineur");
    fits("the daughter's summary");
    shoot("ward-summary");
    browser::accessible(&tab, "the daughter's summary");
    submit("div.notice form button");
    showing("Enfants dont j’ai la charge");
    let walk = [
        ("/my/results", "Mes résultats d'analyses — CloudMedi", "results", "Hémoglobine"),
        ("/my/prescriptions", "Mes ordonnances — CloudMedi", "prescriptions", "artemether-lumefantrine"),
        ("/my/appointments", "Mes rendez-vous — CloudMedi", "appointments", "contrôle du traitement"),
        ("/my/access-log", "Qui a lu mon dossier — CloudMedi", "access-log", EMERGENCY_REASON),
        ("/my/consents", "Mes autorisations — CloudMedi", "consents", "Hôpital de district de Bonassama"),
        ("/my/reminders", "Mes rappels — CloudMedi", "reminders", "Langue des rappels"),
        ("/my/account", "Mon compte — CloudMedi", "account", "Me déconnecter partout"),
    ];
    for (path, title, name, shown) in walk {
        submit(&format!("nav.portal a[href='{path}']"));
        let content = arrived(title);
        assert!(content.contains(shown), "{name}: {content}");
        fits(name);
        shoot(name);
        browser::accessible(&tab, name);
    }
    // The authenticator app's step, with its QR code.
    fill("#totp-password", PATIENT_PASSWORD);
    submit("form[action='/my/account/authenticator'] button");
    let content = arrived("Application d'authentification — CloudMedi");
    assert!(content.contains("<svg"), "{content}");
    fits("authenticator");
    shoot("authenticator");
    browser::accessible(&tab, "the authenticator app's step");

    // An upcoming appointment cancelled, its form unfolded from the list.
    tab.navigate_to(&format!("{base}/my/appointments")).unwrap().wait_until_navigated().unwrap();
    arrived("Mes rendez-vous — CloudMedi");
    tab.wait_for_element("details.cancel summary").unwrap().click().unwrap();
    fill("details.cancel textarea", "je serai en déplacement");
    fits("cancelling an appointment");
    shoot("appointment-cancel");
    browser::accessible(&tab, "cancelling an appointment");
    submit("details.cancel button.primary");
    let content = arrived("Mes rendez-vous — CloudMedi");
    assert!(!content.contains("details class=\"cancel\""), "nothing left to cancel: {content}");
    shoot("appointment-cancelled");

    // The password changed, which ends the session.
    submit("nav.portal a[href='/my/account']");
    arrived("Mon compte — CloudMedi");
    fill("#current-password", PATIENT_PASSWORD);
    fill("#new-password", "a new leaf on the mango tree");
    fill("#new-password-again", "a new leaf on the mango tree");
    submit("form[action='/my/account/password'] button");
    let content = arrived("Mot de passe changé — CloudMedi");
    assert!(content.contains("href=\"/sign-in\""), "{content}");
    fits("the password changed");
    shoot("password-changed");
    browser::accessible(&tab, "the password changed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_portal_in_chromium() {
    let story = story(None).await;
    daughter(&story).await;
    let base = story.api.server.url("").trim_end_matches('/').to_owned();
    let health_id = story.health_id.clone();
    tokio::task::spawn_blocking(move || in_chromium(&base, &health_id)).await.unwrap();
    story.api.server.stop();
}
