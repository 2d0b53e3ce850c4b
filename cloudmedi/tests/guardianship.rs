//! A parent manages a child's record from her own portal account, on both backends: the desk records
//! her as the child's guardian on her health ID; from then on her account lists the child, reads the
//! child's record (each read in the child's access log, on the grounds of guardianship), grants a
//! facility access and sets the child's reminder choices. Nobody else's account does, she cannot
//! record herself, an adult gets no guardian, and once the desk ends the guardianship her account is
//! refused as anyone's would be.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use support::{bootstrap, graphql_codes as codes, path, problem, token};

async fn graphql(api: &support::Api, bearer: &str, query: &str, variables: Value) -> Value {
    let request = api.client.post(api.server.url("/graphql")).bearer_auth(bearer);
    let response = request.json(&json!({"query": query, "variables": variables})).send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

const WARDS: &str = "{ me { wards } }";
const RECORD: &str = "query($id: ID!) { patient(id: $id) { givenNames immunizations { edges { node { id } } } } }";
const ACCESS_LOG: &str = "query($id: ID!) { accessLog(patientId: $id) { nodes { basis reader { role } parts } } }";
const GUARDIANS: &str = "query($id: ID!) { patient(id: $id) { guardians { healthId relationship until } } }";

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

async fn a_parent_manages_her_childs_record(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, douala_admin) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let (garoua, _) =
        api.facility_with_administrator(&admin, "Hôpital régional de Garoua", "NO", "HRG", "690000002").await;
    let doctor = token(&api.staff_member(&douala_admin, &douala, "LAQ-MED-1", "doctor", "690000011").await).to_owned();
    let clerk = token(&api.staff_member(&douala_admin, &douala, "LAQ-ACC-1", "registration_clerk", "690000012").await)
        .to_owned();

    let mother = api
        .register_patient(
            &clerk,
            json!({"family_name": "Ngo Bassa", "given_names": "Esther", "sex": "female",
                   "birth_date": {"date": "1994-03-02", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655443311"}),
        )
        .await;
    let child = api
        .register_patient(
            &clerk,
            json!({"family_name": "Ngo Bassa", "given_names": "Amina", "sex": "female",
                   "birth_date": {"date": "2022-08-14", "estimated": false}, "region": "LT",
                   "health_district": "Deido",
                   "next_of_kin": {"name": "Ngo Bassa Esther", "relationship": "mother", "phone": "655443311"}}),
        )
        .await;
    let (mother_id, mother_health_id) = (mother["patient_id"].as_str().unwrap(), mother["health_id"].as_str().unwrap());
    let (child_id, child_health_id) = (child["patient_id"].as_str().unwrap(), child["health_id"].as_str().unwrap());
    let esther = api.patient_session(mother_health_id, "+237655443311", "Esther grows up in Deido").await;
    let of_child = json!({"id": child_id});

    // Before the desk records her, the mother is a stranger to the child's record.
    assert_eq!(graphql(&api, &esther, WARDS, json!({})).await["data"]["me"]["wards"], json!([]));
    assert_eq!(codes(&graphql(&api, &esther, RECORD, of_child.clone()).await), ["NOT_FOUND"]);
    let guardians = format!("/api/v1/patients/{child_id}/guardians");
    let by_mother = json!({"guardian_health_id": mother_health_id, "relationship": "mother"});
    // A parent cannot declare herself.
    let herself = api.post(&guardians, Some(&esther), by_mother.clone()).await;
    problem(herself, 403).await;

    // The desk refuses what cannot be a guardianship, field by field, and records nothing.
    let before = api.ledger_position().await;
    for (body, field) in [
        (json!({"guardian_health_id": "CM0000000000", "relationship": "mother"}), "/guardian_health_id"),
        (json!({"guardian_health_id": "not an ID", "relationship": "mother"}), "/guardian_health_id"),
        (json!({"guardian_health_id": child_health_id, "relationship": "mother"}), "/guardian_health_id"),
    ] {
        let refused = problem(api.post(&guardians, Some(&clerk), body.clone()).await, 422).await;
        assert_eq!(fields(&refused), [field], "{body}: {refused}");
    }
    // The mother is of age: nobody is her guardian.
    let of_mother = format!("/api/v1/patients/{mother_id}/guardians");
    let adult =
        api.post(&of_mother, Some(&clerk), json!({"guardian_health_id": child_health_id, "relationship": "mother"}));
    assert_eq!(fields(&problem(adult.await, 422).await), ["/patient_id"]);
    assert_eq!(api.ledger_position().await, before, "nothing refused was recorded");

    let recorded = api.post(&guardians, Some(&clerk), by_mother.clone()).await;
    assert_eq!(recorded.status(), 201, "{}", recorded.text().await.unwrap());
    let twice = problem(api.post(&guardians, Some(&clerk), by_mother.clone()).await, 422).await;
    assert_eq!(fields(&twice), ["/guardian_health_id"]);

    // Her account now lists the child and reads the child's record.
    assert_eq!(graphql(&api, &esther, WARDS, json!({})).await["data"]["me"]["wards"], json!([child_id]));
    let record = graphql(&api, &esther, RECORD, of_child.clone()).await;
    assert_eq!(record["data"]["patient"]["givenNames"], "Amina", "{record}");
    // Each of her reads is in the child's access log, as a guardian's, once the log is projected.
    support::caught_up(&api);
    let log = graphql(&api, &esther, ACCESS_LOG, of_child.clone()).await;
    let reads = log["data"]["accessLog"]["nodes"].as_array().unwrap().clone();
    let by_her: Vec<&Value> = reads.iter().filter(|read| read["reader"]["role"] == "patient").collect();
    assert!(!by_her.is_empty(), "{log}");
    assert!(by_her.iter().all(|read| read["basis"] == "GUARDIAN"), "{log}");
    assert!(by_her.iter().any(|read| read["parts"].as_array().unwrap().contains(&json!("immunizations"))), "{log}");
    // Staff caring for the child see who her guardian is.
    let seen = graphql(&api, &doctor, GUARDIANS, of_child.clone()).await;
    assert_eq!(
        seen["data"]["patient"]["guardians"],
        json!([{"healthId": mother_health_id, "relationship": "mother", "until": "2043-08-13"}]),
        "{seen}"
    );

    // She acts for the child: a facility's access, the reminders' language.
    let consents = format!("/api/v1/patients/{child_id}/consents");
    let granted = api.post(&consents, Some(&esther), json!({"facility_id": garoua})).await;
    assert_eq!(granted.status(), 201, "{}", granted.text().await.unwrap());
    let choices = format!("/api/v1/patients/{child_id}/reminder-preferences");
    let chosen = api
        .client
        .put(api.server.url(&choices))
        .bearer_auth(&esther)
        .json(&json!({"language": "en", "channel": "sms", "opted_out": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), 200, "{}", chosen.text().await.unwrap());

    // The desk ends it, with a reason; her account is a stranger again.
    let end = format!("/api/v1/patients/{child_id}/guardians/{mother_id}/end");
    let short = problem(api.post(&end, Some(&clerk), json!({"reason": "no"})).await, 400).await;
    assert_eq!(fields(&short), ["/reason"]);
    let ended = api.post(&end, Some(&clerk), json!({"reason": "court order of 20 November 2026"})).await;
    assert_eq!(ended.status(), 201, "{}", ended.text().await.unwrap());
    assert_eq!(graphql(&api, &esther, WARDS, json!({})).await["data"]["me"]["wards"], json!([]));
    assert_eq!(codes(&graphql(&api, &esther, RECORD, of_child.clone()).await), ["NOT_FOUND"]);
    let again = api.post(&consents, Some(&esther), json!({"facility_id": douala})).await;
    problem(again, 404).await;
    let seen = graphql(&api, &doctor, GUARDIANS, of_child).await;
    assert_eq!(seen["data"]["patient"]["guardians"], json!([]), "{seen}");

    api.server.stop();
    let verify = support::cloudmedi(&["verify", "--data-dir", path(&api.data)], database_url);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parent_manages_her_childs_record_on_sqlite() {
    a_parent_manages_her_childs_record(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_parent_manages_her_childs_record_on_postgres() {
    let database = ScratchDatabase::create("guardianship").await.unwrap();
    a_parent_manages_her_childs_record(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
