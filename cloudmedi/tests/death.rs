//! A patient's death end to end, on both backends: only a doctor records it; a day in the future or
//! before the birth is refused naming the field, and nothing is written; a second death is a conflict
//! while an amendment corrects the date; once it stands, no appointment is booked, the one booked for
//! after it is cancelled by it, and no care is dated after it; the record shows the death with its
//! cause's title; the ledger verifies afterwards.

mod support;

use chrono::{Duration, NaiveDate, Utc};
use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use std::time::Instant;
use support::{bootstrap, cloudmedi, path, problem, token, Api};

/// Today in Cameroon (UTC+01:00 all year), and the day `days` after it.
fn day(days: i64) -> String {
    let today: NaiveDate = (Utc::now() + Duration::hours(1)).date_naive();
    (today + Duration::days(days)).format("%Y-%m-%d").to_string()
}

/// The one field error of a 422, as `(field, message)`.
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
    let deadline = Instant::now() + std::time::Duration::from_secs(30);
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
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn a_death_closes_the_record(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, douala_admin) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = token(&api.staff_member(&douala_admin, &douala, "LAQ-MED-1", "doctor", "690000011").await).to_owned();
    let nurse = token(&api.staff_member(&douala_admin, &douala, "LAQ-INF-1", "nurse", "690000012").await).to_owned();

    let patient = api
        .register_patient(
            &doctor,
            json!({"family_name": "Essomba", "given_names": "Jean", "sex": "male",
                   "birth_date": {"date": "1958-03-02", "estimated": false}, "region": "LT",
                   "health_district": "Deido"}),
        )
        .await;
    let patient_id = patient["patient_id"].as_str().unwrap().to_owned();
    let record = format!("/api/v1/patients/{patient_id}");
    // A check-up booked a week ahead, before anyone knew.
    let in_a_week = (Utc::now() + Duration::days(7)).to_rfc3339();
    let booked = api
        .post(&format!("{record}/appointments"), Some(&doctor), json!({"starts_at": in_a_week, "reason": "check-up"}))
        .await;
    assert_eq!(booked.status(), 201);
    let booked: Value = booked.json().await.unwrap();
    let appointment = format!("{record}/appointments/{}", booked["entry_id"].as_str().unwrap());

    let death = |died_on: &str| {
        json!({"died_on": died_on, "place": "facility", "facility_id": douala,
               "underlying_cause": "b509"})
    };
    let position = api.ledger_position().await;
    // A nurse records no death, whatever the request says.
    problem(api.post(&format!("{record}/death"), Some(&nurse), death(&day(-2))).await, 403).await;
    problem(api.post(&format!("{record}/death"), Some(&nurse), json!({"nonsense": true})).await, 403).await;
    // A day not yet come, and one before the birth, each named.
    let (field, message) = refusal(api.post(&format!("{record}/death"), Some(&doctor), death(&day(1))).await).await;
    assert_eq!((field.as_str(), message.as_str()), ("/died_on", "cannot be in the future"));
    let (field, message) =
        refusal(api.post(&format!("{record}/death"), Some(&doctor), death("1958-03-01")).await).await;
    assert_eq!(field, "/died_on");
    assert!(message.starts_with("cannot be before the patient's birth (1958-03-02) / "), "{message}");
    // A death at home names no facility; a facility that does not exist is refused.
    let at_home = json!({"died_on": day(-2), "place": "home", "facility_id": douala, "underlying_cause": "B50.9"});
    let (field, _) = refusal(api.post(&format!("{record}/death"), Some(&doctor), at_home).await).await;
    assert_eq!(field, "/facility_id");
    let nowhere = json!({"died_on": day(-2), "place": "facility", "facility_id": uuid::Uuid::now_v7(),
                         "underlying_cause": "B50.9"});
    let (field, _) = refusal(api.post(&format!("{record}/death"), Some(&doctor), nowhere).await).await;
    assert_eq!(field, "/facility_id");
    assert_eq!(api.ledger_position().await, position, "nothing refused was written");

    // The doctor records it.
    let recorded = api.post(&format!("{record}/death"), Some(&doctor), death(&day(-1))).await;
    assert_eq!(recorded.status(), 201);
    let recorded: Value = recorded.json().await.unwrap();
    let entry_id = recorded["entry_id"].as_str().unwrap().to_owned();

    // A second death is a conflict with the record, which points at the one to amend.
    let second = problem(api.post(&format!("{record}/death"), Some(&doctor), death(&day(-3))).await, 409).await;
    assert!(second["detail"].as_str().unwrap().contains(&entry_id), "{second}");
    // Nothing is booked after the death, and the appointment booked for after it is cancelled by it.
    let later = (Utc::now() + Duration::days(9)).to_rfc3339();
    let (field, message) = refusal(
        api.post(&format!("{record}/appointments"), Some(&doctor), json!({"starts_at": later, "reason": "review"}))
            .await,
    )
    .await;
    assert_eq!(field, "/starts_at");
    assert!(message.contains("no appointment can be booked after their death"), "{message}");
    let (field, message) =
        refusal(api.post(&format!("{appointment}/close"), Some(&doctor), json!({"outcome": "attended"})).await).await;
    assert_eq!(field, "/outcome");
    assert!(message.starts_with("the appointment was cancelled by the patient's death"), "{message}");
    // No care is dated after the death.
    let visit = json!({"date": day(0), "reason": "certificate of death"});
    let (field, message) = refusal(api.post(&format!("{record}/encounters"), Some(&doctor), visit).await).await;
    assert_eq!(field, "/date");
    assert!(message.starts_with("cannot be after the patient's death"), "{message}");

    // An amendment corrects the date.
    let mut amended = death(&day(-2));
    amended["amends"] = json!({"entry_id": entry_id, "reason": "the death certificate gives the day before"});
    let corrected = api.post(&format!("{record}/death"), Some(&doctor), amended).await;
    assert_eq!(corrected.status(), 201);
    let corrected: Value = corrected.json().await.unwrap();

    // The record shows the death as it stands, with its cause's title, to the doctor and the nurse.
    let query = "query($id: ID!) { patient(id: $id) { death { diedOn place underlyingCause underlyingCauseTitle \
                 facility { name } entry { id amends } } deaths { edges { node { id status } } } } }";
    for reader in [&doctor, &nurse] {
        let answer = eventually(&api, reader, query, &patient_id, |body| {
            body["data"]["patient"]["death"]["entry"]["id"] == corrected["entry_id"]
        })
        .await;
        let shown = &answer["data"]["patient"]["death"];
        assert_eq!(shown["diedOn"], day(-2), "{answer}");
        assert_eq!(shown["place"], "FACILITY");
        assert_eq!(shown["underlyingCause"], "B50.9");
        assert_eq!(shown["underlyingCauseTitle"], "Plasmodium falciparum malaria, unspecified");
        assert_eq!(shown["facility"]["name"], "Hôpital Laquintinie");
        assert_eq!(shown["entry"]["amends"], entry_id);
        let history = &answer["data"]["patient"]["deaths"]["edges"];
        assert_eq!(history[0]["node"], json!({"id": entry_id, "status": "AMENDED"}), "{answer}");
    }

    // A child's vaccination card lists doses due while she lives, and after her death only the dose she
    // was given: nothing is due from the dead.
    let born = day(-120);
    let child = api
        .register_patient(
            &doctor,
            json!({"family_name": "Essomba", "given_names": "Marie", "sex": "female",
                   "birth_date": {"date": born, "estimated": false}, "region": "LT", "health_district": "Deido"}),
        )
        .await;
    let child_id = child["patient_id"].as_str().unwrap().to_owned();
    let child_record = format!("/api/v1/patients/{child_id}");
    let dose = json!({"antigen": "BCG", "dose_number": 1, "lot": "BCG-25-3", "given_on": born});
    assert_eq!(api.post(&format!("{child_record}/immunizations"), Some(&doctor), dose).await.status(), 201);
    let card = "query($id: ID!) { patient(id: $id) { death { diedOn } \
                vaccinationCard { doses { antigen doseNumber status } } } }";
    let living = eventually(&api, &doctor, card, &child_id, |body| {
        body["data"]["patient"]["vaccinationCard"]["doses"]
            .as_array()
            .is_some_and(|doses| doses.iter().any(|dose| dose["status"] == "GIVEN"))
    })
    .await;
    let doses = living["data"]["patient"]["vaccinationCard"]["doses"].as_array().unwrap().clone();
    assert!(doses.iter().any(|dose| dose["status"] == "OVERDUE" || dose["status"] == "DUE"), "{living}");
    let at_home = json!({"died_on": day(-1), "place": "home", "underlying_cause": "A09.0"});
    let died = api.post(&format!("{child_record}/death"), Some(&doctor), at_home).await;
    assert_eq!(died.status(), 201, "{}", died.text().await.unwrap());
    let after = eventually(&api, &doctor, card, &child_id, |body| !body["data"]["patient"]["death"].is_null()).await;
    assert_eq!(
        after["data"]["patient"]["vaccinationCard"]["doses"],
        json!([{"antigen": "BCG", "doseNumber": 1, "status": "GIVEN"}]),
        "{after}"
    );

    api.server.stop();
    let verify = cloudmedi(&["verify", "--data-dir", path(&api.data)], database_url);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn death_on_sqlite() {
    a_death_closes_the_record(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn death_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_death").await.expect("PostgreSQL must be running");
    a_death_closes_the_record(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
