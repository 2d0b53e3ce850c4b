//! The record's clinical rules end to end, on both backends: a dose out of the schedule's order or too
//! soon after the one before it, a vital sign dated before the patient's birth and a diagnosis with a
//! code that is not in WHO's ICD-10 are each refused with a field error that names the rule, and
//! nothing is written; the code's title is offered with the diagnosis; an adult's vaccination card
//! invents no infant dose overdue and prints every value in French and English.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{bootstrap, problem, token, Api};

/// The one field error of a refusal, as `(field, message)`.
async fn refusal(response: reqwest::Response) -> (String, String) {
    let body = problem(response, 422).await;
    assert_eq!(body["type"], "/problems/rule-violated", "{body}");
    let errors = body["errors"].as_array().cloned().unwrap_or_default();
    assert_eq!(errors.len(), 1, "{body}");
    (errors[0]["field"].as_str().unwrap_or("").to_owned(), errors[0]["message"].as_str().unwrap_or("").to_owned())
}

/// Posts a GraphQL query until `check` holds for its answer (projection follows the ledger closely,
/// but not within the same request).
async fn eventually(api: &Api, bearer: &str, query: &str, id: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let request = api
            .client
            .post(api.server.url("/graphql"))
            .bearer_auth(bearer)
            .json(&json!({"query": query, "variables": {"id": id}}));
        let body: Value = request.send().await.unwrap().json().await.unwrap();
        if check(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "the read model never showed it: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn register(api: &Api, doctor: &str, sex: &str, birth_date: Value) -> String {
    let response = api
        .post(
            "/api/v1/patients",
            Some(doctor),
            json!({"family_name": "Mbarga", "given_names": "Paul", "sex": sex, "birth_date": birth_date,
                   "region": "LT", "health_district": "Deido"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let patient: Value = response.json().await.unwrap();
    patient["patient_id"].as_str().unwrap().to_owned()
}

async fn the_record_keeps_its_clinical_rules(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, douala_admin) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = token(&api.staff_member(&douala_admin, &douala, "LAQ-MED-1", "doctor", "690000011").await).to_owned();
    let nurse = token(&api.staff_member(&douala_admin, &douala, "LAQ-INF-1", "nurse", "690000012").await).to_owned();

    let child = register(&api, &doctor, "male", json!({"date": "2025-01-10", "estimated": false})).await;
    let record = format!("/api/v1/patients/{child}");
    let dose = |antigen: &str, number: u32, given_on: &str| json!({"antigen": antigen, "dose_number": number, "lot": "PV-24-117", "given_on": given_on});
    let immunizations = format!("{record}/immunizations");
    assert_eq!(api.post(&immunizations, Some(&nurse), dose("PENTA", 1, "2025-02-21")).await.status(), 201);
    let position = api.ledger_position().await;

    // Penta 3 four days after Penta 1, dose 2 never given.
    let (field, message) = refusal(api.post(&immunizations, Some(&nurse), dose("PENTA", 3, "2025-02-25")).await).await;
    assert_eq!(field, "/dose_number");
    assert_eq!(message, "PENTA dose 3 needs dose 2 first / la dose 3 de PENTA exige d'abord la dose 2");
    // Penta 2 two weeks after Penta 1.
    let (field, message) = refusal(api.post(&immunizations, Some(&nurse), dose("PENTA", 2, "2025-03-07")).await).await;
    assert_eq!(field, "/given_on");
    assert!(message.starts_with("must be at least 4 weeks after PENTA dose 1 (given on 2025-02-21) / "), "{message}");
    // Penta 1 again, before six weeks of age.
    let (field, message) = refusal(api.post(&immunizations, Some(&nurse), dose("PENTA", 1, "2025-02-01")).await).await;
    assert_eq!(field, "/given_on");
    assert!(message.starts_with("PENTA dose 1 counts only from the age of 6 weeks (2025-02-21)"), "{message}");
    // The malaria vaccine, outside its districts.
    let (field, message) =
        refusal(api.post(&immunizations, Some(&nurse), dose("MALARIA", 1, "2025-07-14")).await).await;
    assert_eq!(field, "/antigen");
    assert!(message.contains("(Deido) is not one of them"), "{message}");

    // A vital sign measured before the patient's birth.
    let vitals = json!({"measured_at": "2024-12-31T09:30:00+01:00", "temperature_decicelsius": 371});
    let (field, message) = refusal(api.post(&format!("{record}/vital-signs"), Some(&nurse), vitals).await).await;
    assert_eq!(field, "/measured_at");
    assert_eq!(
        message,
        "cannot be before the patient's birth (2025-01-10) / ne peut précéder la naissance du patient (2025-01-10)"
    );
    // An encounter the day before the birth.
    let visit = json!({"date": "2025-01-09", "reason": "antenatal visit"});
    let (field, _) = refusal(api.post(&format!("{record}/encounters"), Some(&doctor), visit).await).await;
    assert_eq!(field, "/date");

    // A code shaped like ICD-10 that is not in it, and a category WHO subdivides.
    let diagnosis = |code: &str| json!({"icd10": code, "description": "fever", "status": "active"});
    let conditions = format!("{record}/conditions");
    let (field, message) = refusal(api.post(&conditions, Some(&doctor), diagnosis("U99.9")).await).await;
    assert_eq!((field.as_str(), message.starts_with("U99.9 is not a code of WHO ICD-10, 2019")), ("/icd10", true));
    let (field, message) = refusal(api.post(&conditions, Some(&doctor), diagnosis("A00")).await).await;
    assert_eq!(field, "/icd10");
    assert!(message.contains("e.g. A00.9 (Cholera, unspecified)"), "{message}");
    assert_eq!(api.ledger_position().await, position, "nothing refused was written");

    // Accepted, a diagnosis is shown with its code's title.
    assert_eq!(api.post(&conditions, Some(&doctor), diagnosis("b509")).await.status(), 201);
    let query = "query($id: ID!) { patient(id: $id) { conditions { edges { node { icd10Title } } } } }";
    let answer = eventually(&api, &doctor, query, &child, |body| {
        body["data"]["patient"]["conditions"]["edges"].as_array().is_some_and(|edges| !edges.is_empty())
    })
    .await;
    let title = &answer["data"]["patient"]["conditions"]["edges"][0]["node"]["icd10Title"];
    assert_eq!(title, "Plasmodium falciparum malaria, unspecified");

    // A man born around 1975 sees no infant dose on his card, let alone one overdue; the card reads his
    // sex in both languages.
    let adult = register(&api, &doctor, "male", json!({"date": "1975-07-01", "estimated": true})).await;
    let query = "query($id: ID!) { patient(id: $id) { id vaccinationCard { doses { antigen status } } } }";
    let answer = eventually(&api, &doctor, query, &adult, |body| !body["data"]["patient"]["id"].is_null()).await;
    assert_eq!(answer["data"]["patient"]["vaccinationCard"]["doses"], json!([]), "{answer}");
    let card = api.get(&format!("/api/v1/patients/{adult}/vaccination-card"), &doctor).await;
    assert_eq!(card.status(), 200);
    let html = card.text().await.unwrap();
    assert!(html.contains("Masculin<span class=\"en\" lang=\"en\"> / Male</span>"), "{html}");
    assert!(!html.contains("<dd>male</dd>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_rules_on_sqlite() {
    the_record_keeps_its_clinical_rules(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_rules_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_record_rules").await.expect("PostgreSQL must be running");
    the_record_keeps_its_clinical_rules(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
