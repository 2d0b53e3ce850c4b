//! The clinician's workspace end to end, against the real server on both backends: a nurse finds a
//! child by health ID and records the dose of vaccine the card offers; a doctor finds a patient by
//! name and date of birth, records an encounter, a diagnosis found by an ICD-10 search and a
//! prescription, posts a form after the record changed through the API and is told so plainly,
//! then marks an entry entered in error; a doctor of another facility is refused the record, as the
//! API refuses it, and breaks the glass; the facility's administrator sees the emergency access
//! (who and when, never why), suspends the nurse, whose open pages then go to sign-in, and never
//! sees clinical content. Forms without a token are refused and write nothing; every page carries
//! the browser protections and weighs less than 60 KB; every write is in the ledger, as the API
//! reads it. Then the doctor's way from finding a patient to recording an encounter in headless
//! Chromium on a 400 px wide screen, with screenshots in `target/web-screenshots/workspace-*.png`.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::browser::{self, Page, Visitor};
use support::{bootstrap, code_in, token, Api};

/// The pages' policy: nothing but this origin's style sheet, `data:` images and forms to this origin.
const STRICT: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
                      frame-ancestors 'none'; base-uri 'none'";

/// The heaviest a page may be on first load, its style sheet included.
const PAGE_BUDGET: usize = 60 * 1024;

const STAFF_PASSWORD: &str = "steady hands on the night rota";

/// The policy of the patient search, the one page that loads a script (its QR code reader, from
/// this origin): the pages' policy with `script-src 'self'`, still nothing inline.
const WITH_SCRIPT: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                           form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// The QR code reader's path on the patient search.
const SCRIPT_AT: &str = "<script src=\"/web/assets/scan.";

/// The browser protections every page carries, and its weight with its style sheet (and its script,
/// on the one page that has one).
async fn checked(visitor: &mut Visitor, page: &Page, what: &str) {
    assert!(page.header("content-type").starts_with("text/html"), "{what}: {}", page.header("content-type"));
    let scripted = page.body.contains(SCRIPT_AT);
    assert_eq!(page.header("content-security-policy"), if scripted { WITH_SCRIPT } else { STRICT }, "{what}");
    assert_eq!(page.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(page.header("referrer-policy"), "same-origin", "{what}");
    assert_eq!(page.header("x-frame-options"), "DENY", "{what}");
    assert_eq!(page.header("cache-control"), "no-store", "{what}");
    assert_eq!(page.body.matches("<script").count(), usize::from(scripted), "{what}: no inline script");
    assert!(!page.body.contains("style=\""), "{what}: no inline style");
    let mut weight = page.body.len();
    for marker in ["href=\"/web/assets/style.", "src=\"/web/assets/scan."] {
        let Some(at) = page.body.find(marker) else { continue };
        let rest = &page.body[at + marker.find('"').unwrap() + 1..];
        let path = rest[..rest.find('"').unwrap()].to_owned();
        let asset = visitor.get(&path).await;
        assert_eq!(asset.status, 200, "{path}");
        assert_eq!(asset.header("cache-control"), "public, max-age=31536000, immutable", "{path}");
        weight += asset.body.len();
    }
    assert!(page.body.contains("href=\"/web/assets/style."), "{what} links its style sheet");
    assert!(weight < PAGE_BUDGET, "{what} weighs {weight} bytes with its assets");
}

/// Today in Cameroon (UTC+01:00), `YYYY-MM-DD`, and `days` before it.
fn cameroon_day(days_before: i64) -> String {
    let now = chrono::Utc::now() + chrono::Duration::hours(1) - chrono::Duration::days(days_before);
    now.format("%Y-%m-%d").to_string()
}

/// A GraphQL query as the API answers it to `token`.
async fn graphql(api: &Api, token: &str, query: &str, variables: Value) -> Value {
    let response = api.post("/graphql", Some(token), json!({ "query": query, "variables": variables })).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The entries of a section of a patient's record (every one, corrected ones included), as the API
/// reads them to `token`.
async fn section(api: &Api, token: &str, patient_id: &str, field: &str) -> Vec<Value> {
    // The read models follow the ledger a moment later; what was written is read once they caught up.
    support::caught_up(api);
    let query = format!(
        "query($id: ID!) {{ patient(id: $id) {{ {field}(first: 100) {{ nodes {{ id status details correction {{ reason }} }} }} }} }}"
    );
    let answer = graphql(api, token, &query, json!({ "id": patient_id })).await;
    answer["data"]["patient"][field]["nodes"].as_array().unwrap_or_else(|| panic!("{answer}")).clone()
}

/// A hospital with its administrator, a doctor and a nurse; another hospital with a doctor; an adult
/// patient and a seven-week-old child registered at the first.
struct Story {
    api: Api,
    facility_id: String,
    manager: String,
    other_manager: String,
    doctor: String,
    nurse: String,
    other_doctor: String,
    adult_id: String,
    adult_health_id: String,
    child_id: String,
    child_health_id: String,
    _temp: tempfile::TempDir,
}

async fn story(database_url: Option<&str>) -> Story {
    let (temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, manager) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = token(&api.staff_member(&manager, &douala, "LAQ-MED-1", "doctor", "690000011").await).to_owned();
    let nurse = token(&api.staff_member(&manager, &douala, "LAQ-INF-1", "nurse", "690000012").await).to_owned();
    let (yaounde, other_manager) =
        api.facility_with_administrator(&admin, "Hôpital Central", "CE", "HCY", "690000002").await;
    let other_doctor =
        token(&api.staff_member(&other_manager, &yaounde, "HCY-MED-1", "doctor", "690000021").await).to_owned();
    let adult = api
        .register_patient(
            &doctor,
            json!({"family_name": "Mbarga", "given_names": "Jean-Paul", "sex": "male",
                   "birth_date": {"date": "1978-02-14", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655443312"}),
        )
        .await;
    let child = api
        .register_patient(
            &nurse,
            json!({"family_name": "Ekane", "given_names": "Grâce", "sex": "female",
                   "birth_date": {"date": cameroon_day(50), "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655443313"}),
        )
        .await;
    support::caught_up(&api);
    // The child's vaccination reminders are decided and sent in the background: done before the
    // pages are checked for writing nothing.
    support::settled(&api).await;
    Story {
        facility_id: douala,
        manager,
        other_manager,
        doctor,
        nurse,
        other_doctor,
        adult_id: adult["patient_id"].as_str().unwrap().to_owned(),
        adult_health_id: adult["health_id"].as_str().unwrap().to_owned(),
        child_id: child["patient_id"].as_str().unwrap().to_owned(),
        child_health_id: child["health_id"].as_str().unwrap().to_owned(),
        api,
        _temp: temp,
    }
}

/// The nurse finds the child by health ID and records the dose the vaccination card offers first.
async fn nurse_vaccinates(story: &Story, nurse: &mut Visitor) {
    let home = nurse.get("/").await;
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("href=\"/care/patients\""), "{}", home.body);
    assert!(!home.body.contains("href=\"/care/staff\""), "a nurse manages no staff");
    let search = nurse.get("/care/patients").await;
    assert_eq!(search.status, 200);
    checked(nurse, &search, "the search").await;
    // The search, and no other page, loads the QR code reader; without it the page is the same.
    assert!(search.body.contains(SCRIPT_AT), "{}", search.body);
    assert!(search.body.contains("id=\"scan\" hidden"), "shown only by the script: {}", search.body);
    let script = search.after(SCRIPT_AT, "src");
    let reader = nurse.get(&script).await;
    assert_eq!(reader.header("content-type"), "text/javascript; charset=utf-8");
    assert!(reader.body.contains("BarcodeDetector") && reader.body.contains("getUserMedia"), "{}", reader.body);
    assert!(!reader.body.contains("http"), "the reader loads nothing from anywhere");
    // A mistyped health ID is refused beside its field, in the nurse's language.
    let typo = nurse.post("/care/patients", &[("health_id", "CM12"), ("form_token", &search.token())]).await;
    assert_eq!(typo.status, 422);
    assert!(
        typo.body.contains("Ce n&#39;est pas un identifiant de santé valide")
            || typo.body.contains("Ce n'est pas un identifiant de santé valide"),
        "{}",
        typo.body
    );
    let found =
        nurse.post("/care/patients", &[("health_id", &story.child_health_id), ("form_token", &search.token())]).await;
    assert_eq!(found.status, 200, "{}", found.body);
    assert!(found.body.contains("Grâce Ekane"), "{}", found.body);
    let record_path = format!("/care/patients/{}", story.child_id);
    assert!(found.body.contains(&format!("href=\"{record_path}\"")), "{}", found.body);
    checked(nurse, &found, "the search's results").await;

    let record = nurse.get(&record_path).await;
    assert_eq!(record.status, 200, "{}", record.body);
    checked(nurse, &record, "the child's record").await;
    let form_path = format!("{record_path}/record/immunisation");
    assert!(record.body.contains(&format!("href=\"{form_path}\"")), "{}", record.body);
    assert!(!record.body.contains("/record/prescription"), "a nurse is not offered to prescribe");
    let form = nurse.get(&form_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(nurse, &form, "the immunisation form").await;
    assert!(form.body.contains("à faire maintenant"), "{}", form.body);
    let dose = form.after("name=\"dose\"", "value");
    let (antigen, number) = dose.split_once(':').unwrap();
    let today = cameroon_day(0);
    let fields = [
        ("dose", dose.as_str()),
        ("lot", "LOT-2026-117"),
        ("given_on", today.as_str()),
        ("version", &form.hidden("version")),
        ("seen_at", &form.hidden("seen_at")),
        ("nonce", &form.hidden("nonce")),
        ("form_token", &form.token()),
    ];
    let recorded = nurse.post(&form_path, &fields).await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    assert_eq!(recorded.header("location"), record_path);
    // The same form posted twice records once.
    let again = nurse.post(&form_path, &fields).await;
    assert_eq!(again.status, 303, "{}", again.body);
    let given = section(&story.api, &story.nurse, &story.child_id, "immunizations").await;
    assert_eq!(given.len(), 1, "{given:?}");
    assert_eq!(given[0]["details"]["antigen"], antigen);
    assert_eq!(given[0]["details"]["dose_number"].to_string(), number);
    assert_eq!(given[0]["details"]["lot"], "LOT-2026-117");
    support::caught_up(&story.api);
    let record = nurse.get(&record_path).await;
    assert!(record.body.contains("LOT-2026-117"), "{}", record.body);

    // At the desk, the mother's choices for the child's reminders, on her word.
    let reminders_path = format!("{record_path}/reminders");
    assert!(record.body.contains(&format!("href=\"{reminders_path}\"")), "the record links the reminders");
    let page = nurse.get(&reminders_path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    checked(nurse, &page, "the patient's reminders").await;
    let position = story.api.ledger_position().await;
    let no_email = nurse.post(&reminders_path, &[("channel", "email"), ("form_token", &page.token())]).await;
    assert_eq!(no_email.status, 422);
    assert!(no_email.body.contains("Aucune adresse n'est enregistrée pour ce moyen."), "{}", no_email.body);
    assert_eq!(story.api.ledger_position().await, position, "nothing written");
    let fields = [("language", "fr"), ("channel", "sms"), ("no_lab_result", "on"), ("form_token", &page.token())];
    let saved = nurse.post(&reminders_path, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(saved.header("location"), record_path);
    let api = &story.api;
    let chosen = api.get(&format!("/api/v1/patients/{}/reminder-preferences", story.child_id), &story.nurse).await;
    let chosen: Value = chosen.json().await.unwrap();
    assert_eq!(chosen, json!({"language": "fr", "channel": "sms", "opted_out": ["lab_result"]}));
}

/// At the desk, the nurse records the child's father as her guardian on his health ID, after a
/// mistaken form (named per field, nothing written), and ends the guardianship with a reason.
async fn guardians_at_the_desk(story: &Story, nurse: &mut Visitor) {
    let record_path = format!("/care/patients/{}", story.child_id);
    let path = format!("{record_path}/guardians");
    let record = nurse.get(&record_path).await;
    assert!(record.body.contains(&format!("href=\"{path}\"")), "the record links its guardians");
    let page = nurse.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    checked(nurse, &page, "the guardians").await;
    assert!(page.body.contains("Aucun tuteur n'est enregistré."), "{}", page.body);
    let empty =
        nurse.post(&path, &[("guardian_health_id", ""), ("relationship", ""), ("form_token", &page.token())]).await;
    assert_eq!(empty.status, 422);
    assert_eq!(empty.body.matches("Ce champ est obligatoire.").count(), 2, "{}", empty.body);
    assert!(empty.body.contains("aria-invalid=\"true\""));
    let fields = [("guardian_health_id", "CM0000000000"), ("relationship", "father"), ("form_token", &page.token())];
    let unknown = nurse.post(&path, &fields).await;
    assert_eq!(unknown.status, 422);
    assert!(unknown.body.contains("identifiant inconnu"), "{}", unknown.body);
    // Nothing was recorded (the pages drawn again were reads, recorded as such).
    let guardians = "query($id: ID!) { patient(id: $id) { guardians { healthId } } }";
    let read = graphql(&story.api, &story.nurse, guardians, json!({"id": story.child_id})).await;
    assert_eq!(read["data"]["patient"]["guardians"], json!([]), "{read}");

    let fields = [
        ("guardian_health_id", story.adult_health_id.as_str()),
        ("relationship", "father"),
        ("form_token", &page.token()),
    ];
    let recorded = nurse.post(&path, &fields).await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let page = nurse.follow(&recorded).await;
    assert!(page.body.contains("Père"), "{}", page.body);
    assert!(page.body.contains(&story.adult_health_id), "{}", page.body);
    let end = format!("{path}/{}/end", story.adult_id);
    let short = nurse.post(&end, &[("reason", "erreur"), ("form_token", &page.token())]).await;
    assert_eq!(short.status, 422);
    assert!(short.body.contains("Donnez un motif d'au moins 10 caractères."), "{}", short.body);
    let ended =
        nurse.post(&end, &[("reason", "enregistré sur le mauvais dossier"), ("form_token", &page.token())]).await;
    assert_eq!(ended.status, 303, "{}", ended.body);
    let page = nurse.follow(&ended).await;
    assert!(page.body.contains("Aucun tuteur n'est enregistré."), "{}", page.body);
}

/// The registration clerk's start page offers the registration desk, and only that; a mistaken form
/// comes back with each field's need and registers no one; a card number already registered is
/// named on its field; a patient with neither phone nor e-mail gets the code on the slip; the clerk
/// then records the child's mother (the adult) as her guardian. A facility administrator may not
/// register anyone.
async fn clerk_registers(story: &Story, clerk: &mut Visitor, manager: &mut Visitor) {
    let home = clerk.get("/").await;
    assert!(home.body.contains("href=\"/care/register\""), "{}", home.body);
    assert!(!home.body.contains("href=\"/care/patients\""), "{}", home.body);
    let form = clerk.get("/care/register").await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(clerk, &form, "the registration desk").await;
    for label in ["<label for=\"family_name\">", "<label for=\"birth_date\">", "<label for=\"region\">"] {
        assert!(form.body.contains(label), "{label}");
    }
    let position = story.api.ledger_position().await;
    let token = form.token();
    let mistaken = clerk
        .post(
            "/care/register",
            &[
                ("family_name", "Abega"),
                ("given_names", ""),
                ("sex", "female"),
                ("birth_date", "2090-01-01"),
                ("region", "LT"),
                ("health_district", "Deido"),
                ("phone", "12"),
                ("form_token", &token),
            ],
        )
        .await;
    assert_eq!(mistaken.status, 422);
    assert!(mistaken.body.contains("Ce champ est obligatoire."), "{}", mistaken.body);
    let mistaken = clerk
        .post(
            "/care/register",
            &[
                ("family_name", "Abega"),
                ("given_names", "Odile"),
                ("sex", "female"),
                ("birth_date", "2090-01-01"),
                ("region", "LT"),
                ("health_district", "Deido"),
                ("phone", "12"),
                ("form_token", &token),
            ],
        )
        .await;
    assert_eq!(mistaken.status, 422);
    for need in ["Saisissez une date réelle", "Saisissez un numéro de téléphone camerounais"] {
        assert!(mistaken.body.contains(need), "{need}: {}", mistaken.body);
    }
    assert!(mistaken.body.contains("value=\"Odile\""), "the form keeps what was typed");
    assert_eq!(story.api.ledger_position().await, position, "no one registered");

    let registered = clerk
        .post(
            "/care/register",
            &[
                ("family_name", "Abega"),
                ("given_names", "Odile"),
                ("sex", "female"),
                ("birth_date", "1969-05-20"),
                ("birth_estimated", "on"),
                ("region", "LT"),
                ("health_district", "Deido"),
                ("national_id", "112233445"),
                ("form_token", &token),
            ],
        )
        .await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    checked(clerk, &registered, "the registration slip").await;
    assert!(registered.body.contains("Odile Abega est enregistré."), "{}", registered.body);
    assert!(registered.body.contains("remettez-lui ce code d'activation"), "{}", registered.body);
    assert!(registered.body.contains("class=\"code\""), "the code to print is on the slip");
    let again = clerk
        .post(
            "/care/register",
            &[
                ("family_name", "Abega"),
                ("given_names", "Odile"),
                ("sex", "female"),
                ("birth_date", "1969-05-20"),
                ("region", "LT"),
                ("health_district", "Deido"),
                ("national_id", "112233445"),
                ("form_token", &token),
            ],
        )
        .await;
    assert_eq!(again.status, 422);
    assert!(again.body.contains("Ce numéro de carte nationale d'identité est déjà enregistré"), "{}", again.body);

    // At the desk, the clerk records the adult as the child's guardian; the way back is the start page.
    let path = format!("/care/patients/{}/guardians", story.child_id);
    let page = clerk.get(&path).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("href=\"/\""), "{}", page.body);
    let fields = [
        ("guardian_health_id", story.adult_health_id.as_str()),
        ("relationship", "mother"),
        ("form_token", &page.token()),
    ];
    let recorded = clerk.post(&path, &fields).await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    assert!(clerk.follow(&recorded).await.body.contains("Mère"));

    assert_eq!(manager.get("/care/register").await.status, 404);
}

/// A laboratory technician finds the patient, reads the sections their work needs and nothing else
/// (no diagnosis, no appointment, no form but the result's), and records the result of the order.
async fn lab_technician_records_a_result(story: &Story, lab: &mut Visitor) {
    let record_path = format!("/api/v1/patients/{}", story.adult_id);
    let order = json!({"test": "Glycémie à jeun"});
    let ordered = story.api.post(&format!("{record_path}/lab-orders"), Some(&story.doctor), order).await;
    assert_eq!(ordered.status(), 201);
    let order_id = ordered.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_owned();
    support::caught_up(&story.api);

    let home = lab.get("/").await;
    assert!(home.body.contains("href=\"/care/patients\""), "{}", home.body);
    let search = lab.get("/care/patients").await;
    assert_eq!(search.status, 200);
    let record_path = format!("/care/patients/{}", story.adult_id);
    let record = lab.get(&record_path).await;
    assert_eq!(record.status, 200, "{}", record.body);
    checked(lab, &record, "the record, for a laboratory").await;
    for shown in ["id=\"labOrders-title\"", "id=\"labResults-title\"", "id=\"allergies-title\"", "Glycémie à jeun"] {
        assert!(record.body.contains(shown), "{shown}: {}", record.body);
    }
    for hidden in [
        "id=\"conditions-title\"",
        "id=\"prescriptions-title\"",
        "/record/diagnosis",
        "/record/lab-order",
        "/reminders",
    ] {
        assert!(!record.body.contains(hidden), "{hidden}: {}", record.body);
    }
    assert_eq!(lab.get(&format!("{record_path}/record/diagnosis")).await.status, 404);
    let result_path = format!("{record_path}/record/lab-result");
    assert!(record.body.contains(&format!("href=\"{result_path}\"")), "{}", record.body);
    let form = lab.get(&result_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    let result = [
        ("order_id", order_id.as_str()),
        ("test", "Glycémie à jeun"),
        ("value", "5.4"),
        ("unit", "mmol/L"),
        ("interpretation", "normal"),
    ];
    let recorded = lab.post(&result_path, &pairs(&filled(&form, &result))).await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let results = section(&story.api, &story.doctor, &story.adult_id, "labResults").await;
    assert!(results.iter().any(|result| result["details"]["order_id"] == order_id.as_str()), "{results:?}");
}

/// The doctor finds the adult by name and date of birth, records an encounter, a diagnosis and a
/// prescription (after the record changed meanwhile), and withdraws an entry recorded by mistake.
async fn doctor_records(story: &Story, doctor: &mut Visitor) {
    let search = doctor.get("/care/patients").await;
    let found = doctor
        .post(
            "/care/patients",
            &[("family_name", "Mbarga"), ("birth_date", "1978-02-14"), ("form_token", &search.token())],
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.body);
    let record_path = format!("/care/patients/{}", story.adult_id);
    assert!(found.body.contains(&format!("href=\"{record_path}\"")), "{}", found.body);
    assert!(found.body.contains("Jean-Paul Mbarga"));

    // A form with mistakes comes back with each field's error, and writes nothing.
    let encounter_path = format!("{record_path}/record/encounter");
    let form = doctor.get(&encounter_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(doctor, &form, "the encounter form").await;
    let today = cameroon_day(0);
    let drawn = |form: &Page| {
        vec![
            ("version", form.hidden("version")),
            ("seen_at", form.hidden("seen_at")),
            ("nonce", form.hidden("nonce")),
            ("form_token", form.token()),
        ]
    };
    let with = |fields: &[(&'static str, &str)], form: &Page| {
        let mut all: Vec<(&'static str, String)> =
            fields.iter().map(|(name, value)| (*name, (*value).to_owned())).collect();
        all.extend(drawn(form));
        all
    };
    let mistaken = with(&[("date", "07/12/2026"), ("class", "outpatient"), ("reason", "")], &form);
    let refused = doctor.post(&encounter_path, &pairs(&mistaken)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Ce champ est obligatoire."), "{}", refused.body);
    assert!(refused.body.contains("Indiquez un jour"), "{}", refused.body);
    // (Showing the form again recorded the read of the patient's name, as every read is; nothing else.)
    let encounters = section(&story.api, &story.doctor, &story.adult_id, "encounters").await;
    assert!(encounters.is_empty(), "nothing is written for a form with mistakes: {encounters:?}");

    // Without a form token: refused before it is read, nothing written, nothing read.
    let position = story.api.ledger_position().await;
    let mut unsigned = with(&[("date", &today), ("class", "emergency"), ("reason", "douleur thoracique")], &form);
    unsigned.retain(|(name, _)| *name != "form_token");
    let forged = doctor.post(&encounter_path, &pairs(&unsigned)).await;
    assert_eq!(forged.status, 403, "{}", forged.body);
    checked(doctor, &forged, "a refused form").await;
    assert_eq!(story.api.ledger_position().await, position, "a refused form writes nothing");

    let visit = with(&[("date", &today), ("class", "emergency"), ("reason", "douleur thoracique")], &form);
    let recorded = doctor.post(&encounter_path, &pairs(&visit)).await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);

    // A diagnosis, its code found by searching WHO's list.
    let diagnosis_path = format!("{record_path}/record/diagnosis");
    let form = doctor.get(&diagnosis_path).await;
    checked(doctor, &form, "the diagnosis form").await;
    let search = with(&[("icd10_query", "falciparum"), ("find", "1"), ("description", "paludisme grave")], &form);
    let listed = doctor.post(&diagnosis_path, &pairs(&search)).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert!(listed.body.contains("B50.9"), "{}", listed.body);
    assert!(listed.body.contains("value=\"paludisme grave\""), "what was typed is kept");
    let unknown = with(&[("icd10", "B50"), ("description", "paludisme grave"), ("status", "active")], &form);
    let refused = doctor.post(&diagnosis_path, &pairs(&unknown)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("B50.9"), "the domain names a subcategory: {}", refused.body);
    let diagnosis = with(&[("icd10", "B50.9"), ("description", "paludisme grave"), ("status", "active")], &form);
    assert_eq!(doctor.post(&diagnosis_path, &pairs(&diagnosis)).await.status, 303);

    // The prescription form is drawn, then the record changes through the API before it is posted.
    let prescription_path = format!("{record_path}/record/prescription");
    let form = doctor.get(&prescription_path).await;
    checked(doctor, &form, "the prescription form").await;
    let allergy = story
        .api
        .post(
            &format!("/api/v1/patients/{}/allergies", story.adult_id),
            Some(&story.doctor),
            json!({"substance": "arachide", "category": "food", "severity": "moderate", "status": "unconfirmed"}),
        )
        .await;
    assert_eq!(allergy.status(), 201);
    support::caught_up(&story.api);
    let prescription = with(
        &[
            ("medicine", "artesunate"),
            ("dose_amount", "120"),
            ("dose_unit", "mg"),
            ("route", "intravenous"),
            ("times_per_day", "1"),
            ("duration_days", "3"),
        ],
        &form,
    );
    let conflict = doctor.post(&prescription_path, &pairs(&prescription)).await;
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    assert!(
        conflict.body.contains("Le dossier a changé depuis l&#39;affichage de ce formulaire")
            || conflict.body.contains("Le dossier a changé depuis l'affichage de ce formulaire"),
        "{}",
        conflict.body
    );
    assert!(conflict.body.contains("arachide"), "what changed is shown: {}", conflict.body);
    assert!(conflict.body.contains("value=\"artesunate\""), "what was typed is kept");
    let prescriptions = section(&story.api, &story.doctor, &story.adult_id, "prescriptions").await;
    assert!(prescriptions.is_empty(), "nothing is written on a conflict: {prescriptions:?}");
    checked(doctor, &conflict, "a conflict").await;
    // Posted again from the page that said so, it is recorded.
    let again = with(
        &[
            ("medicine", "artesunate"),
            ("dose_amount", "120"),
            ("dose_unit", "mg"),
            ("route", "intravenous"),
            ("times_per_day", "1"),
            ("duration_days", "3"),
        ],
        &conflict,
    );
    let recorded = doctor.post(&prescription_path, &pairs(&again)).await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);

    // Vital signs, as a clinician writes them (a decimal comma), stored exactly in small units.
    let vitals_path = format!("{record_path}/record/vital-signs");
    let form = doctor.get(&vitals_path).await;
    checked(doctor, &form, "the vital signs form").await;
    let mistaken = with(&[("temperature", "38,55"), ("pulse", "fast")], &form);
    let refused = doctor.post(&vitals_path, &pairs(&mistaken)).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("Un nombre, avec au plus une décimale."), "{}", refused.body);
    assert!(refused.body.contains("Un nombre entier de 1 à 400."), "{}", refused.body);
    let measured = with(&[("temperature", "38,5"), ("pulse", "96"), ("weight", "71.4")], &form);
    assert_eq!(doctor.post(&vitals_path, &pairs(&measured)).await.status, 303);
    let vitals = section(&story.api, &story.doctor, &story.adult_id, "vitalSigns").await;
    assert_eq!(vitals.len(), 1);
    assert_eq!(vitals[0]["details"]["temperature_decicelsius"], 385);
    assert_eq!(vitals[0]["details"]["pulse_per_minute"], 96);
    assert_eq!(vitals[0]["details"]["weight_grams"], 71400);

    // Each write is in the ledger, as the API reads it.
    let encounters = section(&story.api, &story.doctor, &story.adult_id, "encounters").await;
    assert_eq!(encounters.len(), 1);
    assert_eq!(encounters[0]["details"]["class"], "emergency");
    assert_eq!(encounters[0]["details"]["reason"], "douleur thoracique");
    let conditions = section(&story.api, &story.doctor, &story.adult_id, "conditions").await;
    assert_eq!(conditions.len(), 1);
    assert_eq!(conditions[0]["details"]["icd10"], "B50.9");
    let prescriptions = section(&story.api, &story.doctor, &story.adult_id, "prescriptions").await;
    assert_eq!(prescriptions.len(), 1);
    assert_eq!(prescriptions[0]["details"]["dose"], json!({"amount": "120", "unit": "mg"}));

    // The allergy was recorded by mistake: the doctor withdraws it, with a reason.
    support::caught_up(&story.api);
    let record = doctor.get(&record_path).await;
    assert_eq!(record.status, 200);
    checked(doctor, &record, "the record").await;
    let body = &record.body;
    for shown in ["arachide", "douleur thoracique", "B50.9", "artesunate", "urgence", "Température 38.5 °C"] {
        assert!(body.contains(shown), "{shown} in {body}");
    }
    assert!(body.find("Allergies et intolérances").unwrap() < body.find("Diagnostics").unwrap(), "allergies first");
    let title = &body[..body.find("</title>").unwrap()];
    assert!(!title.contains("Mbarga"), "a window's title, kept in histories, names no one: {title}");
    // Each current entry offers its correction, then its withdrawal.
    let correct_path = record.after("arachide", "href");
    assert!(correct_path.contains("/record/allergy?amends="), "{correct_path}");
    let withdraw_path = record.after(&correct_path, "href");
    assert!(withdraw_path.ends_with("/entered-in-error"), "{withdraw_path}");
    let form = doctor.get(&withdraw_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(doctor, &form, "withdrawing an entry").await;
    let withdrawal = with(&[("reason", "saisi dans le mauvais dossier")], &form);
    let withdrawn = doctor.post(&withdraw_path, &pairs(&withdrawal)).await;
    assert_eq!(withdrawn.status, 303, "{}", withdrawn.body);
    let allergies = section(&story.api, &story.doctor, &story.adult_id, "allergies").await;
    assert_eq!(allergies[0]["status"], "ENTERED_IN_ERROR");
    assert_eq!(allergies[0]["correction"]["reason"], "saisi dans le mauvais dossier");
    support::caught_up(&story.api);
    let current = doctor.get(&record_path).await;
    assert!(!current.body.contains("arachide"), "a withdrawn entry is not current");
    let history = doctor.get(&format!("{record_path}?show=all")).await;
    assert!(history.body.contains("arachide"), "{}", history.body);
    assert!(history.body.contains("saisie par erreur"));
    assert!(history.body.contains("saisi dans le mauvais dossier"));
}

/// Fields as `post` takes them.
fn pairs<'a>(fields: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    fields.iter().map(|(name, value)| (*name, value.as_str())).collect()
}

/// The doctor of another facility is refused the record as the API refuses it, then breaks the glass.
async fn other_doctor_breaks_the_glass(story: &Story, other: &mut Visitor) {
    let record_path = format!("/care/patients/{}", story.adult_id);
    let refused = other.get(&record_path).await;
    assert_eq!(refused.status, 404, "{}", refused.body);
    checked(other, &refused, "a record not in care").await;
    assert_eq!(other.get(&format!("{record_path}/reminders")).await.status, 404, "nor its reminders");
    assert!(!refused.body.contains("Mbarga") && !refused.body.contains("B50.9"), "{}", refused.body);
    let api =
        story.api.get(&format!("/api/v1/patients/{}/vaccination-card", story.adult_id), &story.other_doctor).await;
    assert_eq!(api.status(), 404, "the API answers alike");
    let break_glass = format!("{record_path}/break-glass");
    let short = other
        .post(
            &break_glass,
            &[("reason", "urgent"), ("nonce", &refused.hidden("nonce")), ("form_token", &refused.token())],
        )
        .await;
    assert_eq!(short.status, 422, "{}", short.body);
    let reason = "patient inconscient aux urgences, antécédents inconnus";
    let opened = other
        .post(
            &break_glass,
            &[("reason", reason), ("nonce", &refused.hidden("nonce")), ("form_token", &refused.token())],
        )
        .await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    support::caught_up(&story.api);
    let record = other.follow(&opened).await;
    assert_eq!(record.status, 200, "{}", record.body);
    assert!(record.body.contains("Jean-Paul Mbarga") && record.body.contains("B50.9"), "{}", record.body);
}

/// The administrator sees the emergency access and the staff, suspends the nurse (whose open pages
/// then go to sign-in), and never sees clinical content.
async fn administrator_manages(story: &Story, manager: &mut Visitor, nurse: &mut Visitor) {
    let home = manager.get("/").await;
    assert!(home.body.contains("href=\"/care/staff\"") && home.body.contains("href=\"/care/alerts\""), "{}", home.body);
    assert!(!home.body.contains("href=\"/care/patients\""), "{}", home.body);
    let record = manager.get(&format!("/care/patients/{}", story.adult_id)).await;
    assert_eq!(record.status, 404, "an administrator never opens a record");
    assert_eq!(manager.get("/care/patients").await.status, 404);

    let staff = manager.get("/care/staff").await;
    assert_eq!(staff.status, 200, "{}", staff.body);
    checked(manager, &staff, "the staff").await;
    assert!(staff.body.contains("LAQ-INF-1") && staff.body.contains("LAQ-MED-1"), "{}", staff.body);
    let alerts = manager.get("/care/alerts").await;
    assert_eq!(alerts.status, 200, "{}", alerts.body);
    checked(manager, &alerts, "the alerts").await;
    // The emergency access was opened from the other hospital: its administrators are told, not these.
    assert!(alerts.body.contains("Aucun accès d'urgence."), "{}", alerts.body);
    let mut other_manager = Visitor::signed_in(&manager.base, "fr", &story.other_manager);
    let theirs = other_manager.get("/care/alerts").await;
    assert_eq!(theirs.status, 200, "{}", theirs.body);
    assert!(theirs.body.contains("HCY-MED-1"), "who opened a record: {}", theirs.body);
    assert!(theirs.body.contains("Ouvert le"), "{}", theirs.body);
    for never in ["inconscient", "Mbarga", "B50.9"] {
        assert!(!theirs.body.contains(never), "{never}: never why, nor whose");
    }
    for clinical in ["Mbarga", "Ekane", "B50.9", "arachide", "artesunate", "inconscient"] {
        assert!(
            !staff.body.contains(clinical) && !alerts.body.contains(clinical),
            "{clinical} shown to an administrator"
        );
    }

    // The nurse's page is open; the administrator suspends her; her next page is the sign-in.
    assert_eq!(nurse.get("/care/patients").await.status, 200);
    let suspend = staff.after("LAQ-INF-1", "action");
    assert!(suspend.ends_with("/suspend"), "{suspend}");
    let unsigned = manager.post(&suspend, &[("reason", "fin de contrat")]).await;
    assert_eq!(unsigned.status, 403, "no token, no suspension");
    assert_eq!(nurse.get("/care/patients").await.status, 200, "still active");
    let suspended = manager.post(&suspend, &[("reason", "fin de contrat"), ("form_token", &staff.token())]).await;
    assert_eq!(suspended.status, 303, "{}", suspended.body);
    let after = nurse.get("/care/patients").await;
    assert_eq!(after.status, 303, "{}", after.body);
    assert_eq!(after.header("location"), "/sign-in?next=%2Fcare%2Fpatients");
    let listed = manager.follow(&suspended).await;
    assert!(listed.body.contains("suspendu"), "{}", listed.body);
    let reinstate = listed.after("LAQ-INF-1", "action");
    assert!(reinstate.ends_with("/reinstate"), "{reinstate}");
    let reinstated = manager.post(&reinstate, &[("form_token", &listed.token())]).await;
    assert_eq!(reinstated.status, 303, "{}", reinstated.body);
    let listed = manager.follow(&reinstated).await;
    assert!(!listed.body.contains("suspendu"), "{}", listed.body);
    assert_eq!(nurse.get("/care/patients").await.status, 303, "the sessions a suspension ended stay ended");

    // A member of staff registered from the page: mistakes first, each beside its field.
    let missing = manager
        .post(
            "/care/staff",
            &[
                ("role", "lab_technician"),
                ("professional_id", ""),
                ("family_name", "Nkoulou"),
                ("given_names", "Aline"),
                ("phone", "690000013"),
                ("form_token", &listed.token()),
            ],
        )
        .await;
    assert_eq!(missing.status, 422, "{}", missing.body);
    assert!(missing.body.contains("Ce champ est obligatoire."), "{}", missing.body);
    assert!(missing.body.contains("value=\"Nkoulou\""), "what was typed is kept");
    let registered = manager
        .post(
            "/care/staff",
            &[
                ("role", "lab_technician"),
                ("professional_id", "LAQ-LAB-1"),
                ("family_name", "Nkoulou"),
                ("given_names", "Aline"),
                ("phone", "690000013"),
                ("form_token", &listed.token()),
            ],
        )
        .await;
    assert_eq!(registered.status, 303, "{}", registered.body);
    let listed = manager.follow(&registered).await;
    assert!(listed.body.contains("LAQ-LAB-1") && listed.body.contains("en attente d'activation"), "{}", listed.body);
    let api_list = story.api.get(&format!("/api/v1/facilities/{}/staff", story.facility_id), &story.manager).await;
    let api_list: Value = api_list.json().await.unwrap();
    assert!(api_list.to_string().contains("LAQ-LAB-1"), "{api_list}");
    story.api.message_to("sms", "+237690000013", "activation code", 0).await;
}

/// The value of the `<option>` whose label is `label`.
fn option_for(page: &Page, label: &str) -> String {
    let end = page.body.find(&format!(">{label}</option>")).unwrap_or_else(|| panic!("no {label} in {}", page.body));
    let start = page.body[..end].rfind("value=\"").unwrap() + "value=\"".len();
    page.body[start..page.body[start..].find('"').unwrap() + start].to_owned()
}

/// The patient's appointments, as the API reads them to `token`.
async fn appointments(api: &Api, token: &str, patient_id: &str) -> Vec<Value> {
    support::caught_up(api);
    let query =
        "query($id: ID!) { patient(id: $id) { appointments(first: 50) { nodes { id startsAt reason status } } } }";
    let answer = graphql(api, token, query, json!({ "id": patient_id })).await;
    answer["data"]["patient"]["appointments"]["nodes"].as_array().unwrap_or_else(|| panic!("{answer}")).clone()
}

/// The drawn form's hidden fields with `fields`, as `post` takes them.
fn filled(form: &Page, fields: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
    let mut all: Vec<(&'static str, String)> =
        fields.iter().map(|(name, value)| (*name, (*value).to_owned())).collect();
    for name in ["version", "seen_at", "nonce", "target", "amends", "measured_at"] {
        let pattern = format!("name=\"{name}\" value=\"");
        if form.body.contains(&pattern) {
            all.push((name, form.hidden(name)));
        }
    }
    all.push(("form_token", form.token()));
    all
}

/// The doctor orders a test and records its result with an attached report, refers the patient to
/// the other hospital chosen from the directory, books, moves and cancels an appointment (after
/// the record changed meanwhile, which the form says), and corrects the order with a reason, the
/// original and its correction linked on the record.
async fn doctor_orders_refers_and_books(story: &Story, doctor: &mut Visitor) {
    let record_path = format!("/care/patients/{}", story.adult_id);
    let record = doctor.get(&record_path).await;
    for form in ["lab-order", "lab-result", "referral", "appointment"] {
        assert!(record.body.contains(&format!("href=\"{record_path}/record/{form}\"")), "{form}: {}", record.body);
    }

    // A laboratory order: a missing test is refused beside its field and writes nothing.
    let order_path = format!("{record_path}/record/lab-order");
    let form = doctor.get(&order_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(doctor, &form, "the lab order form").await;
    let refused = doctor.post(&order_path, &pairs(&filled(&form, &[("test", ""), ("loinc", "32700-7")]))).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("id=\"test-error\""), "{}", refused.body);
    assert!(refused.body.contains("value=\"32700-7\""), "what was typed is kept");
    let wrong =
        doctor.post(&order_path, &pairs(&filled(&form, &[("test", "goutte épaisse"), ("loinc", "32700-8")]))).await;
    assert_eq!(wrong.status, 422, "the domain's check digit: {}", wrong.body);
    assert!(wrong.body.contains("id=\"loinc-error\""), "{}", wrong.body);
    assert!(section(&story.api, &story.doctor, &story.adult_id, "labOrders").await.is_empty());
    let ordered =
        doctor.post(&order_path, &pairs(&filled(&form, &[("test", "goutte épaisse"), ("loinc", "32700-7")]))).await;
    assert_eq!(ordered.status, 303, "{}", ordered.body);
    let orders = section(&story.api, &story.doctor, &story.adult_id, "labOrders").await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(orders[0]["details"]["loinc"], "32700-7");
    let order_id = orders[0]["id"].as_str().unwrap().to_owned();
    support::caught_up(&story.api);

    // Its result, answering the order offered, with a report described by its SHA-256.
    let result_path = format!("{record_path}/record/lab-result");
    let form = doctor.get(&result_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(doctor, &form, "the lab result form").await;
    assert!(form.body.contains(&format!("value=\"{order_id}\"")), "the order is offered: {}", form.body);
    let sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    let mut result = vec![
        ("order_id", order_id.as_str()),
        ("test", "goutte épaisse"),
        ("value", "positive"),
        ("interpretation", "positive"),
        ("attachments_name", "rapport.pdf"),
    ];
    let half = doctor.post(&result_path, &pairs(&filled(&form, &result))).await;
    assert_eq!(half.status, 422, "{}", half.body);
    assert!(half.body.contains("Décrivez le fichier joint en entier"), "{}", half.body);
    assert!(section(&story.api, &story.doctor, &story.adult_id, "labResults").await.is_empty());
    result.extend([("attachments_media_type", "application/pdf"), ("attachments_sha256", sha)]);
    let recorded = doctor.post(&result_path, &pairs(&filled(&form, &result))).await;
    assert_eq!(recorded.status, 303, "{}", recorded.body);
    let results = section(&story.api, &story.doctor, &story.adult_id, "labResults").await;
    assert_eq!(results.len(), 1, "{results:?}");
    assert_eq!(results[0]["details"]["order_id"], order_id.as_str());
    assert_eq!(results[0]["details"]["interpretation"], "positive");
    assert_eq!(
        results[0]["details"]["attachments"],
        json!([{"name": "rapport.pdf", "media_type": "application/pdf", "sha256": sha}])
    );

    // A referral to the other hospital, chosen from the directory (never to the doctor's own).
    let referral_path = format!("{record_path}/record/referral");
    let form = doctor.get(&referral_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(doctor, &form, "the referral form").await;
    assert!(!form.body.contains(">Hôpital Laquintinie</option>"), "{}", form.body);
    let central = option_for(&form, "Hôpital Central");
    let referral = [
        ("to_facility_id", central.as_str()),
        ("kind", "referral"),
        ("urgency", "urgent"),
        ("reason", "échocardiographie"),
    ];
    let referred = doctor.post(&referral_path, &pairs(&filled(&form, &referral))).await;
    assert_eq!(referred.status, 303, "{}", referred.body);
    let referrals = section(&story.api, &story.doctor, &story.adult_id, "referrals").await;
    assert_eq!(referrals.len(), 1, "{referrals:?}");
    assert_eq!(referrals[0]["details"]["to_facility_id"], central.as_str());
    assert_eq!(referrals[0]["details"]["urgency"], "urgent");

    // An appointment: one in the past is refused beside its day; a form drawn before the record
    // changed is told so, with what was typed kept; posted again, it is booked.
    let booking_path = format!("{record_path}/record/appointment");
    let form = doctor.get(&booking_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(doctor, &form, "the appointment form").await;
    let yesterday = cameroon_day(1);
    let past = doctor
        .post(&booking_path, &pairs(&filled(&form, &[("date", &yesterday), ("time", "10:30"), ("reason", "contrôle")])))
        .await;
    assert_eq!(past.status, 422, "{}", past.body);
    assert!(past.body.contains("id=\"date-error\""), "{}", past.body);
    let allergy = story
        .api
        .post(
            &format!("/api/v1/patients/{}/allergies", story.adult_id),
            Some(&story.doctor),
            json!({"substance": "latex", "category": "environment", "severity": "mild", "status": "unconfirmed"}),
        )
        .await;
    assert_eq!(allergy.status(), 201);
    support::caught_up(&story.api);
    let tomorrow = cameroon_day(-1);
    let booking = [("date", tomorrow.as_str()), ("time", "10:30"), ("reason", "contrôle du traitement")];
    let conflict = doctor.post(&booking_path, &pairs(&filled(&form, &booking))).await;
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    assert!(conflict.body.contains("value=\"contrôle du traitement\""), "what was typed is kept");
    assert!(appointments(&story.api, &story.doctor, &story.adult_id).await.is_empty(), "nothing booked on a conflict");
    let booked = doctor.post(&booking_path, &pairs(&filled(&conflict, &booking))).await;
    assert_eq!(booked.status, 303, "{}", booked.body);
    let listed = appointments(&story.api, &story.doctor, &story.adult_id).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["startsAt"], format!("{tomorrow}T10:30:00+01:00"));
    support::caught_up(&story.api);

    // Moved, then cancelled with a reason the patient is shown.
    let record = doctor.get(&record_path).await;
    let move_path = record.after("contrôle du traitement", "href").replace("&amp;", "&");
    assert!(move_path.contains("/record/appointment-move?target="), "{move_path}");
    let form = doctor.get(&move_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(doctor, &form, "moving an appointment").await;
    assert!(form.body.contains("value=\"10:30\""), "the time booked is filled in: {}", form.body);
    let moved = doctor
        .post(
            &format!("{record_path}/record/appointment-move"),
            &pairs(&filled(&form, &[("date", &tomorrow), ("time", "11:15")])),
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    assert_eq!(
        appointments(&story.api, &story.doctor, &story.adult_id).await[0]["startsAt"],
        format!("{tomorrow}T11:15:00+01:00")
    );
    let close_path = move_path.replace("appointment-move", "appointment-close");
    let form = doctor.get(&close_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(doctor, &form, "closing an appointment").await;
    let close = format!("{record_path}/record/appointment-close");
    let unexplained = doctor.post(&close, &pairs(&filled(&form, &[("outcome", "cancelled"), ("reason", "")]))).await;
    assert_eq!(unexplained.status, 422, "{}", unexplained.body);
    assert!(unexplained.body.contains("id=\"reason-error\""), "{}", unexplained.body);
    let early = doctor.post(&close, &pairs(&filled(&form, &[("outcome", "missed")]))).await;
    assert_eq!(early.status, 422, "missed only once its time has passed: {}", early.body);
    let cancelled = doctor
        .post(&close, &pairs(&filled(&form, &[("outcome", "cancelled"), ("reason", "patient hospitalisé")])))
        .await;
    assert_eq!(cancelled.status, 303, "{}", cancelled.body);
    assert_eq!(appointments(&story.api, &story.doctor, &story.adult_id).await[0]["status"], "cancelled");

    // The order is corrected: its form filled with what was recorded, a reason required.
    support::caught_up(&story.api);
    let record = doctor.get(&record_path).await;
    let correct_path = format!("{record_path}/record/lab-order?amends={order_id}");
    assert!(record.body.contains(&correct_path.replace('&', "&amp;")), "{}", record.body);
    let form = doctor.get(&correct_path).await;
    assert_eq!(form.status, 200, "{}", form.body);
    checked(doctor, &form, "correcting an entry").await;
    assert!(form.body.contains("value=\"goutte épaisse\""), "{}", form.body);
    assert_eq!(form.hidden("amends"), order_id);
    let corrected = [("test", "goutte épaisse et frottis"), ("loinc", "32700-7")];
    let unexplained = doctor.post(&order_path, &pairs(&filled(&form, &corrected))).await;
    assert_eq!(unexplained.status, 422, "{}", unexplained.body);
    assert!(unexplained.body.contains("id=\"amends_reason-error\""), "{}", unexplained.body);
    let mut explained = corrected.to_vec();
    explained.push(("amends_reason", "frottis demandé aussi"));
    let done = doctor.post(&order_path, &pairs(&filled(&form, &explained))).await;
    assert_eq!(done.status, 303, "{}", done.body);
    let orders = section(&story.api, &story.doctor, &story.adult_id, "labOrders").await;
    assert_eq!(orders.len(), 2, "{orders:?}");
    let original = orders.iter().find(|order| order["id"] == order_id.as_str()).unwrap();
    assert_eq!(original["status"], "AMENDED");
    assert_eq!(original["correction"]["reason"], "frottis demandé aussi");
    let correction = orders.iter().find(|order| order["id"] != order_id.as_str()).unwrap();
    assert_eq!(correction["details"]["test"], "goutte épaisse et frottis");
    support::caught_up(&story.api);
    let history = doctor.get(&format!("{record_path}?show=all")).await;
    assert!(history.body.contains(&format!("id=\"entry-{order_id}\"")), "{}", history.body);
    assert!(history.body.contains(&format!("#entry-{}", correction["id"].as_str().unwrap())), "{}", history.body);
    assert!(history.body.contains(&format!("#entry-{order_id}")), "{}", history.body);
    assert!(history.body.contains("frottis demandé aussi"), "{}", history.body);
    // An entry already corrected is not offered for correction again.
    assert_eq!(doctor.get(&correct_path).await.status, 404);
}

async fn the_workspace(database_url: Option<&str>) {
    let mut story = story(database_url).await;
    let base = story.api.server.url("");
    let mut nurse = Visitor::signed_in(&base, "fr-CM,fr;q=0.9", &story.nurse);
    nurse_vaccinates(&story, &mut nurse).await;
    guardians_at_the_desk(&story, &mut nurse).await;
    let mut doctor = Visitor::signed_in(&base, "fr-CM,fr;q=0.9", &story.doctor);
    doctor_records(&story, &mut doctor).await;
    let mut other = Visitor::signed_in(&base, "fr", &story.other_doctor);
    other_doctor_breaks_the_glass(&story, &mut other).await;
    let mut manager = Visitor::signed_in(&base, "fr", &story.manager);
    administrator_manages(&story, &mut manager, &mut nurse).await;
    let (manager_token, facility) = (story.manager.clone(), story.facility_id.clone());
    let clerk = story.api.staff_member(&manager_token, &facility, "LAQ-ACC-1", "registration_clerk", "690000014").await;
    let mut clerk = Visitor::signed_in(&base, "fr-CM,fr;q=0.9", token(&clerk));
    clerk_registers(&story, &mut clerk, &mut manager).await;
    // Last, since the referral brings the other hospital into the patient's care.
    doctor_orders_refers_and_books(&story, &mut doctor).await;
    let lab = story.api.staff_member(&manager_token, &facility, "LAQ-LAB-2", "lab_technician", "690000015").await;
    let mut lab = Visitor::signed_in(&base, "fr-CM,fr;q=0.9", token(&lab));
    lab_technician_records_a_result(&story, &mut lab).await;
    story.api.server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_on_sqlite() {
    the_workspace(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_on_postgres() {
    let database = ledger::testing::ScratchDatabase::create("cloudmedi_web_workspace").await.unwrap();
    the_workspace(Some(database.url())).await;
    database.drop_database().await.unwrap();
}

/// The latest code sent by SMS to `recipient` after the `after`th message, as a phone receives it.
fn code_sent(outbox: &std::path::Path, recipient: &str, after: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(outbox.join("sms.jsonl")).unwrap_or_default();
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
        assert!(Instant::now() < deadline, "no SMS to {recipient}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The doctor, on a phone's screen (400 px wide), signs in, finds the patient by name and date of
/// birth, opens the record and records an encounter.
fn in_chromium(base: &str, outbox: &std::path::Path, health_id: &str) {
    use std::collections::HashMap;

    let (browser, _profile) = browser::chromium(400, 800);
    let tab = browser.new_tab().unwrap();
    tab.set_extra_http_headers(HashMap::from([("Accept-Language", "fr-CM,fr;q=0.9")])).unwrap();
    tab.call_method(browser::screen(400, 800, true)).unwrap();
    let shoot = |name: &str| browser::shoot(&tab, &format!("workspace-{name}"));
    // Nothing is wider than the screen: no sideways scrolling on a phone.
    let fits = |what: &str| {
        let width = tab.evaluate("document.documentElement.scrollWidth", false).unwrap();
        let width = width.value.and_then(|value| value.as_u64()).unwrap_or(0);
        assert!(width <= 400, "{what} is {width} px wide");
    };
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

    // The record is read from the read models, which follow the ledger a moment later.
    let shown_after_reloads = |text: &str| {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !tab.get_content().unwrap().contains(text) {
            assert!(Instant::now() < deadline, "{text} never shown: {}", tab.get_content().unwrap());
            std::thread::sleep(Duration::from_millis(200));
            tab.reload(false, None).unwrap();
            tab.wait_until_navigated().unwrap();
        }
    };

    let before = std::fs::read_to_string(outbox.join("sms.jsonl")).unwrap_or_default().lines().count();
    tab.navigate_to(&format!("{base}/care/patients")).unwrap().wait_until_navigated().unwrap();
    arrived("Connexion — CloudMedi");
    fill("#login", "LAQ-MED-1");
    fill("#password", STAFF_PASSWORD);
    submit("form.page button[type=submit]");
    arrived("Deuxième étape de la connexion — CloudMedi");
    fill("#code", &code_sent(outbox, "+237690000011", before));
    submit("form.page button[type=submit]");
    arrived("Trouver un patient — CloudMedi");
    fits("the search");
    browser::accessible(&tab, "the search");
    // The registration desk, on a phone's screen, its mistakes shown beside their fields.
    tab.navigate_to(&format!("{base}/care/register")).unwrap().wait_until_navigated().unwrap();
    arrived("Enregistrer un patient — CloudMedi");
    fits("the registration desk");
    browser::accessible(&tab, "the registration desk");
    fill("#family_name", "Abega");
    submit("form.page button.primary");
    let content = arrived("Enregistrer un patient — CloudMedi");
    assert!(content.contains("aria-invalid=\"true\""), "{content}");
    fits("the registration desk's mistakes");
    shoot("register");
    browser::accessible(&tab, "the registration desk's mistakes");
    tab.navigate_to(&format!("{base}/care/patients")).unwrap().wait_until_navigated().unwrap();
    arrived("Trouver un patient — CloudMedi");
    // The check bites: a field without a label, slipped into the page, is a critical violation.
    tab.evaluate("document.querySelector('form.page').append(Object.assign(document.createElement('input'), { id: 'unlabelled' }))", false)
        .unwrap();
    let caught =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| browser::accessible(&tab, "a planted fault")));
    let message = caught.expect_err("an unlabelled field is found");
    let message = message.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("label") && message.contains("#unlabelled"), "{message}");
    tab.evaluate("document.getElementById('unlabelled').remove()", false).unwrap();
    // This browser reads no QR code (no BarcodeDetector here): the reader stays hidden and the
    // page is the plain form.
    let hidden = |selector: &str| {
        let answer = tab.evaluate(&format!("document.querySelector('{selector}').hidden"), false).unwrap();
        answer.value.and_then(|value| value.as_bool()).unwrap()
    };
    assert!(hidden("#scan"), "no reader where the browser cannot read QR codes");
    // Given a camera and a QR code reader (stand-ins that see a card's code, written as a person
    // might copy it), the reader appears, and one press fills the health ID in its canonical form.
    let spaced = format!("{} {}", health_id[..2].to_lowercase(), &health_id[2..]);
    let stand_ins = format!(
        "(() => {{
            window.BarcodeDetector = class {{ detect() {{ return Promise.resolve([{{ rawValue: '{spaced}' }}]); }} }};
            if (!navigator.mediaDevices) {{ Object.defineProperty(navigator, 'mediaDevices', {{ value: {{}} }}); }}
            navigator.mediaDevices.getUserMedia = () => Promise.resolve(new MediaStream());
            const reader = document.createElement('script');
            reader.src = document.querySelector('script[src*=\"/web/assets/scan.\"]').src;
            document.head.appendChild(reader);
            return true;
        }})()"
    );
    tab.evaluate(&stand_ins, false).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while hidden("#scan") {
        assert!(Instant::now() < deadline, "the reader did not appear");
        std::thread::sleep(Duration::from_millis(50));
    }
    shoot("search-reader");
    browser::accessible(&tab, "the search with its QR code reader");
    tab.wait_for_element("#scan button").unwrap().click().unwrap();
    let read = || {
        let value = tab.evaluate("document.getElementById('health_id').value", false).unwrap();
        value.value.and_then(|value| value.as_str().map(str::to_owned)).unwrap_or_default()
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while read() != health_id {
        assert!(Instant::now() < deadline, "the health ID was not filled: {:?}", read());
        std::thread::sleep(Duration::from_millis(50));
    }
    submit("form.page button.primary");
    let results = arrived("Trouver un patient — CloudMedi");
    assert!(results.contains("Jean-Paul Mbarga"), "found by the scanned health ID: {results}");
    shoot("search-scanned");
    tab.navigate_to(&format!("{base}/care/patients")).unwrap().wait_until_navigated().unwrap();
    arrived("Trouver un patient — CloudMedi");
    fill("#family_name", "Mbarga");
    // A date field takes the day as typed in the browser's locale; the form's value is set directly.
    tab.evaluate("document.getElementById('birth_date').value = '1978-02-14'", false).unwrap();
    submit("form.page button[type=submit]");
    let results = arrived("Trouver un patient — CloudMedi");
    assert!(results.contains("Jean-Paul Mbarga"), "{results}");
    shoot("search");
    submit("section.results a.what");
    let record = arrived("Dossier du patient — CloudMedi");
    assert!(record.contains("Allergies et intolérances"), "{record}");
    fits("the record");
    shoot("record");
    browser::accessible(&tab, "the record");
    submit("a[href$='/record/encounter']");
    arrived("Enregistrer une consultation — CloudMedi");
    fits("the encounter form");
    fill("#reason", "contrôle de tension");
    shoot("encounter");
    browser::accessible(&tab, "the encounter form");
    submit("form.page button.primary");
    let recorded = arrived("Dossier du patient — CloudMedi");
    assert!(recorded.contains("contrôle de tension") || recorded.contains("Consultations"), "{recorded}");
    shoot("record-after");
    // A laboratory test ordered, then an appointment booked (the day and time offered are
    // tomorrow's morning), each from the record's links.
    submit("a[href$='/record/lab-order']");
    arrived("Prescrire un examen de laboratoire — CloudMedi");
    fits("the lab order form");
    fill("#test", "glycémie à jeun");
    shoot("lab-order");
    browser::accessible(&tab, "the lab order form");
    submit("form.page button.primary");
    arrived("Dossier du patient — CloudMedi");
    shown_after_reloads("glycémie à jeun");
    submit("a[href$='/record/appointment']");
    arrived("Fixer un rendez-vous — CloudMedi");
    fits("the appointment form");
    fill("#reason", "résultats de la glycémie");
    shoot("appointment");
    browser::accessible(&tab, "the appointment form");
    submit("form.page button.primary");
    arrived("Dossier du patient — CloudMedi");
    shown_after_reloads("résultats de la glycémie");
    fits("the record with its appointment");
    shoot("record-appointment");
    browser::accessible(&tab, "the record with its appointment");
    // The other new forms, as drawn: a result (the order offered), a referral (the directory offered).
    let record_url = tab.get_url();
    for (form, title) in [
        ("lab-result", "Enregistrer un résultat de laboratoire — CloudMedi"),
        ("referral", "Référer vers une autre formation sanitaire — CloudMedi"),
    ] {
        submit(&format!("a[href$='/record/{form}']"));
        let content = arrived(title);
        assert!(!form.starts_with("lab") || content.contains("glycémie à jeun"), "the order is offered: {content}");
        fits(form);
        shoot(form);
        browser::accessible(&tab, form);
        tab.navigate_to(&record_url).unwrap().wait_until_navigated().unwrap();
        arrived("Dossier du patient — CloudMedi");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workspace_in_chromium() {
    let (temp, mut api, admin) = bootstrap(None).await;
    let (douala, manager) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = api.staff_member(&manager, &douala, "LAQ-MED-1", "doctor", "690000011").await;
    let patient = api
        .register_patient(
            token(&doctor),
            json!({"family_name": "Mbarga", "given_names": "Jean-Paul", "sex": "male",
                   "birth_date": {"date": "1978-02-14", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655443312"}),
        )
        .await;
    support::caught_up(&api);
    let base = api.server.url("").trim_end_matches('/').to_owned();
    let outbox = api.outbox.clone();
    let health_id = patient["health_id"].as_str().unwrap().to_owned();
    tokio::task::spawn_blocking(move || in_chromium(&base, &outbox, &health_id)).await.unwrap();
    api.server.stop();
    drop(temp);
}
