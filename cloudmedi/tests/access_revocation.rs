//! A withdrawn consent takes effect the moment its withdrawal is answered, on both backends: nurses of
//! the facility it named keep reading the record in a loop while the patient withdraws it, and every
//! read sent after the answer is refused, however far behind the projector is. On PostgreSQL the roles
//! run as separate processes: the withdrawal goes to a command process, a projector process projects
//! it, and the nurses read through a query process.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use support::{bootstrap, graphql_codes as codes, token, Server};

/// Posts a GraphQL query; answers the response body.
async fn graphql(client: &reqwest::Client, url: &str, bearer: &str, query: &str, variables: Value) -> Value {
    let request = client.post(url).bearer_auth(bearer).json(&json!({"query": query, "variables": variables}));
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

const RECORD: &str = "query($id: ID!) { patient(id: $id) { id familyName allergies { edges { node { id } } } } }";

/// How many nurses read at once.
const READERS: usize = 4;
/// How many reads each makes after the withdrawal has been answered.
const READS_AFTER: usize = 10;

/// `separate_roles`: commands, projection and queries each run in a process of their own.
async fn every_read_after_a_withdrawal_is_refused(database_url: Option<&str>, separate_roles: bool) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, douala_admin) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let (garoua, garoua_admin) =
        api.facility_with_administrator(&admin, "Hôpital régional de Garoua", "NO", "HRG", "690000002").await;
    let doctor = token(&api.staff_member(&douala_admin, &douala, "LAQ-MED-1", "doctor", "690000011").await).to_owned();
    let nurse = token(&api.staff_member(&garoua_admin, &garoua, "HRG-INF-1", "nurse", "690000021").await).to_owned();

    // A patient of Douala grants the Garoua hospital access to her record.
    let patient = api
        .register_patient(
            &doctor,
            json!({"family_name": "Ngo Bassa", "given_names": "Esther", "sex": "female",
                   "birth_date": {"date": "1990-06-01", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655443311"}),
        )
        .await;
    let patient_id = patient["patient_id"].as_str().unwrap().to_owned();
    let health_id = patient["health_id"].as_str().unwrap().to_owned();
    let own = api.patient_session(&health_id, "+237655443311", "Esther grows up in Deido").await;
    let granted =
        api.post(&format!("/api/v1/patients/{patient_id}/consents"), Some(&own), json!({"facility_id": garoua})).await;
    assert_eq!(granted.status(), 201, "{}", granted.text().await.unwrap());
    let mut others = Vec::new();
    if separate_roles {
        // The projector process waits for the running server's leadership, which ends with it.
        others.push(Server::start_with(&api.data, database_url, &[], &["--role", "projector"]));
        others.push(Server::start_with(&api.data, database_url, &[support::GENEROUS], &["--role", "query"]));
        api.server = Server::start_with(&api.data, database_url, &[support::GENEROUS], &["--role", "command"]);
    }
    let url = others.last().unwrap_or(&api.server).url("/graphql");
    let variables = json!({"id": patient_id});
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let body = graphql(&api.client, &url, &nurse, RECORD, variables.clone()).await;
        if body["data"]["patient"]["id"] == patient_id.as_str() {
            break;
        }
        assert!(Instant::now() < deadline, "the consent never let the nurse read: {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Nurses read in a loop, noting when each read was sent and what it got.
    let answered: Arc<OnceLock<Instant>> = Arc::default();
    let reads: Arc<Mutex<Vec<(Instant, Value)>>> = Arc::default();
    let mut readers = tokio::task::JoinSet::new();
    for _ in 0..READERS {
        let (client, url, nurse, variables) = (api.client.clone(), url.clone(), nurse.clone(), variables.clone());
        let (answered, reads) = (answered.clone(), reads.clone());
        readers.spawn(async move {
            let mut after = 0;
            while after < READS_AFTER {
                let sent = Instant::now();
                let body = graphql(&client, &url, &nurse, RECORD, variables.clone()).await;
                if answered.get().is_some_and(|answered| sent > *answered) {
                    after += 1;
                }
                reads.lock().unwrap().push((sent, body));
            }
        });
    }
    // Once every nurse is reading, the patient withdraws the consent.
    while reads.lock().unwrap().len() < READERS {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let revoked = api
        .client
        .delete(api.server.url(&format!("/api/v1/patients/{patient_id}/consents/{garoua}")))
        .bearer_auth(&own)
        .send()
        .await
        .unwrap();
    let at = Instant::now();
    assert_eq!(revoked.status(), 201, "{}", revoked.text().await.unwrap());
    answered.set(at).unwrap();
    readers.join_all().await;

    let reads = reads.lock().unwrap();
    let allowed_before = reads.iter().filter(|(sent, body)| *sent < at && codes(body).is_empty()).count();
    assert!(allowed_before > 0, "the nurses read the record while the consent held");
    let after: Vec<&Value> = reads.iter().filter(|(sent, _)| *sent > at).map(|(_, body)| body).collect();
    assert!(after.len() >= READERS * READS_AFTER);
    let served: Vec<&&Value> = after.iter().filter(|body| codes(body) != ["NOT_FOUND"]).collect();
    assert!(
        served.is_empty(),
        "{} of {} reads after the withdrawal was answered were not refused: {:?}",
        served.len(),
        after.len(),
        served.first()
    );
    for body in &after {
        assert!(body["data"]["patient"].is_null(), "nothing of the record is shown: {body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_read_after_a_withdrawal_is_refused_on_sqlite() {
    every_read_after_a_withdrawal_is_refused(None, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_read_after_a_withdrawal_is_refused_on_postgres() {
    let database = ScratchDatabase::create("access_revocation").await.unwrap();
    every_read_after_a_withdrawal_is_refused(Some(database.url()), true).await;
    database.drop_database().await.unwrap();
}
