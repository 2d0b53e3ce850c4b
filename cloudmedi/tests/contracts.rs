//! The published contracts say what the server does, on both backends: the order in which a request is
//! refused (401, then 403 before anything of the request is read, then 400 for what the schema states,
//! then the record, then 422 for a rule the schema cannot state), conditional requests per RFC 9110,
//! counts as JSON Schema's integers, and GraphQL arguments refused alike wherever they are given.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use support::{bootstrap, graphql_codes as codes, problem, token, Api};

/// A doctor, a nurse and a patient at one facility, and the patient's record.
struct People {
    doctor: String,
    nurse: String,
    patient: String,
    patient_id: String,
}

async fn people(api: &mut Api, admin: &str) -> People {
    let (facility_id, manager) =
        api.facility_with_administrator(admin, "Hôpital de district de Deido", "LT", "DEI", "690000101").await;
    let doctor = api.staff_member(&manager, &facility_id, "DEI-MED-1", "doctor", "690000102").await;
    let doctor = token(&doctor).to_owned();
    let nurse = api.staff_member(&manager, &facility_id, "DEI-INF-1", "nurse", "690000103").await;
    let nurse = token(&nurse).to_owned();
    let registered = api
        .register_patient(
            &doctor,
            json!({"family_name": "Ekambi", "given_names": "Rose", "sex": "female",
                   "birth_date": {"date": "2024-03-02", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655001122"}),
        )
        .await;
    let patient_id = registered["patient_id"].as_str().unwrap().to_owned();
    let health_id = registered["health_id"].as_str().unwrap();
    let patient = api.patient_session(health_id, "+237655001122", "Rose keeps her booklet dry").await;
    People { doctor, nurse, patient, patient_id }
}

async fn contracts(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let people = people(&mut api, &admin).await;
    let record = format!("/api/v1/patients/{}", people.patient_id);

    // Who may not send a request is told so before anything in it is read: a nurse merging records, a
    // patient recording an allergy, each with a body that would not even parse, a malformed path id and
    // a malformed If-Match.
    let garbage = json!({"not": "a merge"});
    for (token, path) in [(&people.nurse, format!("{record}/merge")), (&people.patient, format!("{record}/allergies"))]
    {
        let refused = problem(api.post(&path, Some(token), garbage.clone()).await, 403).await;
        assert_eq!(refused["type"], "/problems/forbidden", "{refused}");
        let malformed_path = path.replace(&people.patient_id, "not-an-id");
        problem(api.post_with(&malformed_path, token, &[("if-match", "W/\"1\"")], garbage.clone()).await, 403).await;
    }
    // Nobody at all: 401 first, whatever the body.
    problem(api.post(&format!("{record}/merge"), None, garbage.clone()).await, 401).await;
    // A role that may: now the body is read, and its faults named.
    let malformed = problem(api.post(&format!("{record}/allergies"), Some(&people.nurse), garbage).await, 400).await;
    assert_eq!(malformed["type"], "/problems/invalid-request", "{malformed}");

    // Conditional requests: the ETag of an answer, quoted, is what If-Match takes.
    let vitals = json!({"measured_at": "2026-11-24T10:30:00+01:00", "pulse_per_minute": 90});
    let first =
        api.post_with(&format!("{record}/vital-signs"), &people.doctor, &[("if-match", "*")], vitals.clone()).await;
    assert_eq!(first.status(), 201);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let next =
        api.post_with(&format!("{record}/vital-signs"), &people.doctor, &[("if-match", &etag)], vitals.clone()).await;
    assert_eq!(next.status(), 201, "the current version is taken");
    // The same tag again names a version the record has moved past.
    let stale = problem(
        api.post_with(&format!("{record}/vital-signs"), &people.doctor, &[("if-match", &etag)], vitals.clone()).await,
        412,
    )
    .await;
    assert_eq!(stale["type"], "/problems/precondition-failed", "{stale}");
    let version = api.ledger_position().await;
    for malformed in [format!("W/{etag}"), format!("v{}", etag.trim_matches('"')), "\"two\"".to_owned()] {
        let refused = problem(
            api.post_with(
                &format!("{record}/vital-signs"),
                &people.doctor,
                &[("if-match", &malformed)],
                vitals.clone(),
            )
            .await,
            400,
        )
        .await;
        assert_eq!(refused["type"], "/problems/invalid-precondition", "{malformed}: {refused}");
    }
    assert_eq!(api.ledger_position().await, version, "nothing was recorded by a refused request");

    // 400 for what the schema states, 422 for a rule it cannot.
    let too_long =
        json!({"substance": "p".repeat(121), "category": "medication", "severity": "mild", "status": "confirmed"});
    let refused = problem(api.post(&format!("{record}/allergies"), Some(&people.doctor), too_long).await, 400).await;
    assert_eq!(refused["errors"][0]["field"], "/substance", "{refused}");
    let blank = json!({"substance": "   ", "category": "medication", "severity": "mild", "status": "confirmed"});
    let refused = problem(api.post(&format!("{record}/allergies"), Some(&people.doctor), blank).await, 422).await;
    assert_eq!(refused["type"], "/problems/rule-violated", "{refused}");
    assert_eq!(refused["errors"][0]["field"], "/substance", "{refused}");
    let past = json!({"starts_at": "2020-01-06T09:00:00+01:00", "reason": "vaccination follow-up"});
    let refused = problem(api.post(&format!("{record}/appointments"), Some(&people.doctor), past).await, 422).await;
    assert_eq!(refused["errors"][0]["field"], "/starts_at", "{refused}");
    let nowhere = json!({"to_facility_id": uuid::Uuid::now_v7(), "kind": "referral", "urgency": "routine",
                         "reason": "needs a paediatrician"});
    let refused = problem(api.post(&format!("{record}/referrals"), Some(&people.doctor), nowhere).await, 422).await;
    assert_eq!(refused["errors"][0]["field"], "/to_facility_id", "{refused}");
    let nul =
        json!({"substance": "pen\u{0}icillin", "category": "medication", "severity": "mild", "status": "confirmed"});
    let refused = problem(api.post(&format!("{record}/allergies"), Some(&people.doctor), nul).await, 422).await;
    assert_eq!(refused["errors"][0]["message"], "must not contain the character U+0000", "{refused}");

    // A count is JSON Schema's integer: 1.0 is 1.
    let dose = json!({"antigen": "BCG", "dose_number": 1.0, "lot": "BCG-2024-11", "given_on": "2024-03-02"});
    let given = api.post(&format!("{record}/immunizations"), Some(&people.doctor), dose).await;
    assert_eq!(given.status(), 201, "{}", given.text().await.unwrap());
    let half = json!({"antigen": "BCG", "dose_number": 1.5, "lot": "BCG-2024-11", "given_on": "2024-03-02"});
    problem(api.post(&format!("{record}/immunizations"), Some(&people.doctor), half).await, 400).await;

    graphql_arguments(&api, &people).await;
    api.server.stop();
}

async fn graphql(api: &Api, bearer: Option<&str>, query: &str) -> Value {
    let mut request = api.client.post(api.server.url("/graphql")).json(&json!({"query": query}));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    request.send().await.unwrap().json().await.unwrap()
}

/// GraphQL: authentication before arguments, and one code for one situation.
async fn graphql_arguments(api: &Api, people: &People) {
    // Anonymous: UNAUTHENTICATED, whatever the arguments hold.
    for query in [
        r#"{ breakGlassAlerts(facilityId: "x") { edges { node { openedAt } } } }"#,
        r#"{ patient(id: "") { familyName } }"#,
        r#"{ facilities(first: 0) { edges { node { name } } } }"#,
    ] {
        assert_eq!(codes(&graphql(api, None, query).await), ["UNAUTHENTICATED"], "{query}");
    }
    // A malformed id is the client's mistake wherever it is given; a well-formed unknown one is not found.
    let manager_query = r#"{ breakGlassAlerts(facilityId: "") { edges { node { openedAt } } } }"#;
    let doctor = Some(people.doctor.as_str());
    assert_eq!(codes(&graphql(api, doctor, r#"{ patient(id: "") { familyName } }"#).await), ["BAD_USER_INPUT"]);
    let alerts = graphql(api, doctor, manager_query).await;
    assert!(matches!(codes(&alerts).as_slice(), [code] if code == "BAD_USER_INPUT" || code == "FORBIDDEN"), "{alerts}");
    let unknown = format!(r#"{{ patient(id: "{}") {{ familyName }} }}"#, uuid::Uuid::now_v7());
    assert_eq!(codes(&graphql(api, doctor, &unknown).await), ["NOT_FOUND"]);
    // Scalars state their rules: out of range, refused while the request is validated.
    for query in [
        r#"{ facilities(first: 0) { edges { node { name } } } }"#,
        r#"{ facilities(first: 101) { edges { node { name } } } }"#,
        r#"{ facilities(region: "XX") { edges { node { name } } } }"#,
        r#"{ patientByHealthId(healthId: "CM1234567890") { familyName } }"#,
    ] {
        let refused = graphql(api, doctor, query).await;
        let mut refusals = codes(&refused);
        refusals.dedup();
        assert_eq!(refusals, ["GRAPHQL_VALIDATION_FAILED"], "{query}: {refused}");
        assert!(refused["data"].is_null(), "{refused}");
    }
    let page = graphql(api, doctor, r#"{ facilities(first: 100, region: "LT") { edges { node { name } } } }"#).await;
    assert!(page["errors"].is_null(), "{page}");
    assert_eq!(page["data"]["facilities"]["edges"][0]["node"]["name"], "Hôpital de district de Deido");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contracts_hold_on_sqlite() {
    contracts(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn contracts_hold_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_contracts").await.expect("PostgreSQL must be running");
    contracts(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
