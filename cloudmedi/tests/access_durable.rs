//! A read of medical data is answered only once its record is durable, on both backends: the server is
//! killed (SIGKILL, no chance to finish anything) the instant the last of several reads is answered,
//! and after a restart the patient's access log holds every one of them.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{bootstrap, token, Api, Server};

/// Posts a GraphQL query; answers the response body.
async fn graphql(api: &Api, bearer: &str, query: &str, variables: Value) -> Value {
    let request = api
        .client
        .post(api.server.url("/graphql"))
        .bearer_auth(bearer)
        .json(&json!({"query": query, "variables": variables}));
    let response = request.send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

const RECORD: &str = "query($id: ID!) { patient(id: $id) { id familyName encounters { edges { node { id } } } } }";

const ACCESS_LOG: &str =
    "query($id: ID!) { accessLog(patientId: $id, first: 100) { edges { node { ledgerPosition reader { role } } } } }";

/// How many reads the doctor makes at once before the server is killed.
const READS: usize = 8;

/// The positions of the doctor's reads in the patient's access log.
fn doctor_reads(log: &Value) -> Vec<u64> {
    let edges = log["data"]["accessLog"]["edges"].as_array().unwrap_or_else(|| panic!("{log}"));
    edges
        .iter()
        .filter(|edge| edge["node"]["reader"]["role"] == "doctor")
        .map(|edge| edge["node"]["ledgerPosition"].as_u64().unwrap())
        .collect()
}

async fn a_served_read_survives_a_kill(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, manager) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = token(&api.staff_member(&manager, &douala, "LAQ-MED-1", "doctor", "690000011").await).to_owned();
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

    // The doctor reads the record several times at once; the moment the last answer is in, the server
    // is killed.
    let mut reads = tokio::task::JoinSet::new();
    for _ in 0..READS {
        let request = api
            .client
            .post(api.server.url("/graphql"))
            .bearer_auth(&doctor)
            .json(&json!({"query": RECORD, "variables": {"id": patient_id}}));
        reads.spawn(async move { request.send().await.unwrap().json::<Value>().await.unwrap() });
    }
    for answer in reads.join_all().await {
        assert_eq!(answer["data"]["patient"]["id"], patient_id.as_str(), "{answer}");
    }
    api.server.child.kill().unwrap();
    api.server.child.wait().unwrap();

    // Restarted, the server projects what the ledger holds. One more read by the doctor, recorded after
    // every earlier one, tells when the access log has caught up with them.
    api.server = Server::start(&api.data, database_url, &[support::GENEROUS]);
    let before_restart = api.ledger_position().await;
    let answer = graphql(&api, &doctor, RECORD, json!({"id": patient_id})).await;
    assert_eq!(answer["data"]["patient"]["id"], patient_id.as_str(), "{answer}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let log = loop {
        let log = graphql(&api, &own, ACCESS_LOG, json!({"id": patient_id})).await;
        if doctor_reads(&log).iter().any(|position| *position > before_restart) {
            break log;
        }
        assert!(Instant::now() < deadline, "the read after the restart never reached the access log: {log}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let served_before_the_kill = doctor_reads(&log).into_iter().filter(|position| *position <= before_restart).count();
    assert_eq!(served_before_the_kill, READS, "every read answered before the kill is in the access log: {log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_served_read_survives_a_kill_on_sqlite() {
    a_served_read_survives_a_kill(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_served_read_survives_a_kill_on_postgres() {
    let database = ScratchDatabase::create("access_durable").await.unwrap();
    a_served_read_survives_a_kill(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
