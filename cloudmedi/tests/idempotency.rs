//! `Idempotency-Key` end to end, on both backends: the same request retried with the same key gets the
//! first answer and writes nothing; the same key with another patient, another route or another body is
//! refused with 422 and writes nothing, rather than being answered with the first request's result.

mod support;

use ledger::testing::ScratchDatabase;
use reqwest::Response;
use serde_json::{json, Value};
use support::{bootstrap, problem, token, Api};

/// Registers a patient; returns the path of their record.
async fn patient(api: &Api, doctor: &str, family_name: &str) -> String {
    let response = api
        .post(
            "/api/v1/patients",
            Some(doctor),
            json!({"family_name": family_name, "given_names": "Awa", "sex": "female",
                   "birth_date": {"date": "1990-03-14", "estimated": false}, "region": "LT",
                   "health_district": "Deido"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let patient: Value = response.json().await.unwrap();
    format!("/api/v1/patients/{}", patient["patient_id"].as_str().unwrap())
}

/// Sends `body` as it is written, with an idempotency key.
async fn keyed(api: &Api, path: &str, doctor: &str, key: &str, body: &str) -> Response {
    api.client
        .post(api.server.url(path))
        .bearer_auth(doctor)
        .header("idempotency-key", key)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

async fn a_key_names_one_request(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (facility, manager) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = api.staff_member(&manager, &facility, "LAQ-MED-1", "doctor", "690000011").await;
    let doctor = token(&doctor).to_owned();
    let first_patient = patient(&api, &doctor, "Ngo Biyong").await;
    let second_patient = patient(&api, &doctor, "Ekambi").await;

    let vitals = r#"{"measured_at": "2026-11-24T09:30:00+01:00", "pulse_per_minute": 88}"#;
    let first = keyed(&api, &format!("{first_patient}/vital-signs"), &doctor, "triage-7", vitals).await;
    assert_eq!(first.status(), 201);
    let etag = first.headers()["etag"].clone();
    let first: Value = first.json().await.unwrap();

    // The same request again, laid out differently: the first answer, nothing written.
    let position = api.ledger_position().await;
    let same = r#"{ "pulse_per_minute":88,
                    "measured_at":"2026-11-24T09:30:00+01:00" }"#;
    let retry = keyed(&api, &format!("{first_patient}/vital-signs"), &doctor, "triage-7", same).await;
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["etag"], etag);
    assert_eq!(retry.json::<Value>().await.unwrap(), first);
    assert_eq!(api.ledger_position().await, position, "a retry writes nothing");

    // The same key for another patient, another route, another body: refused, nothing written.
    let other_patient = keyed(&api, &format!("{second_patient}/vital-signs"), &doctor, "triage-7", vitals).await;
    let allergy =
        r#"{"substance": "penicillin", "category": "medication", "severity": "severe", "status": "confirmed"}"#;
    let other_route = keyed(&api, &format!("{first_patient}/allergies"), &doctor, "triage-7", allergy).await;
    let other_body = r#"{"measured_at": "2026-11-24T09:30:00+01:00", "pulse_per_minute": 92}"#;
    let other_body = keyed(&api, &format!("{first_patient}/vital-signs"), &doctor, "triage-7", other_body).await;
    for refused in [other_patient, other_route, other_body] {
        let refused = problem(refused, 422).await;
        assert_eq!(refused["type"], "/problems/idempotency-key-reused", "{refused}");
        let detail = refused["detail"].as_str().unwrap();
        assert!(detail.contains("this Idempotency-Key was already used for another request"), "{refused}");
        assert!(refused.get("version").is_none(), "no other request's result: {refused}");
    }
    assert_eq!(api.ledger_position().await, position, "nothing written under a reused key");

    // The second patient's record is untouched: a new key records there, at the record's next version.
    let recorded = keyed(&api, &format!("{second_patient}/vital-signs"), &doctor, "triage-8", vitals).await;
    assert_eq!(recorded.status(), 201);
    let recorded: Value = recorded.json().await.unwrap();
    assert_eq!(recorded["patient_id"].as_str(), second_patient.rsplit('/').next());
    assert_ne!(recorded["entry_id"], first["entry_id"]);
    assert_eq!(api.ledger_position().await, position + 1);

    // A request refused for its content records nothing and does not use up its key: corrected, it
    // goes through under the same key.
    let invalid = r#"{"measured_at": "2026-11-24T09:30:00+01:00", "pulse_per_minute": 900}"#;
    problem(keyed(&api, &format!("{first_patient}/vital-signs"), &doctor, "triage-9", invalid).await, 400).await;
    let corrected = r#"{"measured_at": "2026-11-24T09:30:00+01:00", "pulse_per_minute": 90}"#;
    let corrected = keyed(&api, &format!("{first_patient}/vital-signs"), &doctor, "triage-9", corrected).await;
    assert_eq!(corrected.status(), 201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_on_sqlite() {
    a_key_names_one_request(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idempotency_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_idempotency").await.expect("PostgreSQL must be running");
    a_key_names_one_request(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
