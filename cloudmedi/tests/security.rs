//! What an attacker or a careful client would try, end to end on both backends: a write to a record
//! one may not see is answered exactly like a write to a record that does not exist; `If-Match: *` and
//! media types are read as RFC 9110 says.

mod support;

use ledger::testing::ScratchDatabase;
use reqwest::Response;
use serde_json::{json, Value};
use support::{bootstrap, problem, token, Api};

/// Registers a patient at the doctor's facility; returns the record's path.
async fn patient(api: &Api, doctor: &str, family_name: &str) -> String {
    let response = api
        .post(
            "/api/v1/patients",
            Some(doctor),
            json!({"family_name": family_name, "given_names": "Paul", "sex": "male",
                   "birth_date": {"date": "2024-06-01", "estimated": false}, "region": "LT",
                   "health_district": "Deido"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let patient: Value = response.json().await.unwrap();
    format!("/api/v1/patients/{}", patient["patient_id"].as_str().unwrap())
}

/// The status and the whole body of an answer, to compare two refusals byte for byte.
async fn answer(response: Response) -> (u16, String) {
    (response.status().as_u16(), response.text().await.unwrap())
}

async fn an_attacker_learns_nothing(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, douala_admin) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let (garoua, garoua_admin) =
        api.facility_with_administrator(&admin, "Hôpital régional de Garoua", "NO", "HRG", "690000002").await;
    let doctor = api.staff_member(&douala_admin, &douala, "LAQ-MED-1", "doctor", "690000011").await;
    let nurse = api.staff_member(&douala_admin, &douala, "LAQ-INF-1", "nurse", "690000012").await;
    let stranger = api.staff_member(&garoua_admin, &garoua, "HRG-MED-1", "doctor", "690000021").await;
    let (doctor, nurse, stranger) = (token(&doctor).to_owned(), token(&nurse).to_owned(), token(&stranger).to_owned());

    // Writes to a record the caller may not see are answered exactly like writes to no record at all,
    // whatever the route.
    let record = patient(&api, &doctor, "Mbarga").await;
    let unknown = format!("/api/v1/patients/{}", uuid::Uuid::now_v7());
    let prescription = json!({"medicine": "amoxicillin", "dose": {"amount": "250", "unit": "mg"},
                              "route": "oral", "times_per_day": 3, "duration_days": 5});
    let issued: Value =
        api.post(&format!("{record}/prescriptions"), Some(&doctor), prescription.clone()).await.json().await.unwrap();
    let entry = issued["entry_id"].as_str().unwrap().to_owned();
    let survivor = patient(&api, &doctor, "Mbarga Junior").await;
    let survivor_id = survivor.rsplit('/').next().unwrap().to_owned();
    let position = api.ledger_position().await;
    let writes = [
        ("vital-signs".to_owned(), json!({"measured_at": "2026-11-24T09:30:00+01:00", "pulse_per_minute": 88})),
        ("prescriptions".to_owned(), prescription.clone()),
        (format!("prescriptions/{entry}/cancel"), json!({"reason": "no longer needed"})),
        (format!("entries/{entry}/entered-in-error"), json!({"reason": "recorded on the wrong patient"})),
        ("merge".to_owned(), json!({"into": survivor_id, "reason": "the same child, registered twice"})),
    ];
    for (route, body) in &writes {
        let real = answer(api.post(&format!("{record}/{route}"), Some(&stranger), body.clone()).await).await;
        let none = answer(api.post(&format!("{unknown}/{route}"), Some(&stranger), body.clone()).await).await;
        assert_eq!(real.0, 404, "{route}: {real:?}");
        assert_eq!(real, none, "{route}: a record one may not see is answered as no record");
    }
    // A role that never takes an action is told so, for any id, real or not.
    for (caller, route, body) in [
        (&nurse, "prescriptions", prescription.clone()),
        (&nurse, "break-glass", json!({"reason": "just curious about him"})),
    ] {
        let real = answer(api.post(&format!("{record}/{route}"), Some(caller), body.clone()).await).await;
        let none = answer(api.post(&format!("{unknown}/{route}"), Some(caller), body.clone()).await).await;
        assert_eq!(real.0, 403, "{route}: {real:?}");
        assert_eq!(real, none, "{route}");
    }
    assert_eq!(api.ledger_position().await, position, "nothing was written");
    // Merging into a record one may not see is refused as merging into one that does not exist.
    let elsewhere = {
        let response = api
            .post(
                "/api/v1/patients",
                Some(&stranger),
                json!({"family_name": "Mbarga", "given_names": "Paul", "sex": "male",
                       "birth_date": {"date": "2024-06-01", "estimated": false}, "region": "NO",
                       "health_district": "Garoua"}),
            )
            .await;
        assert_eq!(response.status(), 201);
        response.json::<Value>().await.unwrap()["patient_id"].as_str().unwrap().to_owned()
    };
    let merge = |into: &str| json!({"into": into, "reason": "the same child, registered twice"});
    let hidden = answer(api.post(&format!("{record}/merge"), Some(&doctor), merge(&elsewhere)).await).await;
    let missing =
        answer(api.post(&format!("{record}/merge"), Some(&doctor), merge(&uuid::Uuid::now_v7().to_string())).await)
            .await;
    assert_eq!(hidden.0, 422, "{hidden:?}");
    assert_eq!(hidden, missing);

    // If-Match: `*` matches any version of a record that exists, and only one that exists.
    let vitals = json!({"measured_at": "2026-11-24T10:30:00+01:00", "pulse_per_minute": 90});
    let any = api.post_with(&format!("{record}/vital-signs"), &doctor, &[("if-match", "*")], vitals.clone()).await;
    assert_eq!(any.status(), 201, "{}", any.text().await.unwrap());
    let none = api.post_with(&format!("{unknown}/vital-signs"), &doctor, &[("if-match", "*")], vitals.clone()).await;
    problem(none, 404).await;
    // JSON in another encoding than UTF-8 is a media type this API does not take.
    let utf16 = api
        .client
        .post(api.server.url(&format!("{record}/vital-signs")))
        .bearer_auth(&doctor)
        .header("content-type", "application/json; charset=utf-16")
        .body(vitals.to_string())
        .send()
        .await
        .unwrap();
    problem(utf16, 415).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_on_sqlite() {
    an_attacker_learns_nothing(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_security").await.expect("PostgreSQL must be running");
    an_attacker_learns_nothing(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
