//! Appointment times as people in Cameroon read them: the appointment commands accept a time in UTC or
//! with an offset, and answer it, as GraphQL does, in Africa/Douala time with the offset.

mod support;

use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{bootstrap, token};

#[tokio::test(flavor = "multi_thread")]
async fn appointment_times_are_answered_in_cameroon_time() {
    let (_temp, mut api, admin) = bootstrap(None).await;
    let (douala, douala_admin) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = api.staff_member(&douala_admin, &douala, "LAQ-MED-1", "doctor", "690000011").await;
    let doctor = token(&doctor).to_owned();
    let patient = api
        .register_patient(
            &doctor,
            json!({"family_name": "Mbarga", "given_names": "Junior", "sex": "male",
                   "birth_date": {"date": "2025-01-10", "estimated": false}, "region": "LT",
                   "health_district": "Deido"}),
        )
        .await;
    let patient_id = patient["patient_id"].as_str().unwrap().to_owned();
    let record = format!("/api/v1/patients/{patient_id}");

    // Booked in UTC: 08:30 UTC is 09:30 in Douala.
    let day = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
    let booked = api
        .post(
            &format!("{record}/appointments"),
            Some(&doctor),
            json!({"starts_at": format!("{day}T08:30:00Z"), "reason": "follow-up"}),
        )
        .await;
    assert_eq!(booked.status(), 201);
    let booked: Value = booked.json().await.unwrap();
    assert_eq!(booked["starts_at"], format!("{day}T09:30:00+01:00"), "{booked}");

    // Moved, given in Cameroon time.
    let appointment = format!("{record}/appointments/{}", booked["entry_id"].as_str().unwrap());
    let moved = api
        .post(
            &format!("{appointment}/reschedule"),
            Some(&doctor),
            json!({"starts_at": format!("{day}T11:00:00+01:00")}),
        )
        .await;
    assert_eq!(moved.status(), 201);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["starts_at"], format!("{day}T11:00:00+01:00"), "{moved}");

    // GraphQL answers the same, once projected.
    let query = "query($id: ID!) { patient(id: $id) { appointments { edges { node { startsAt } } } } }";
    let expected = json!(format!("{day}T11:00:00+01:00"));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let body: Value = api
            .client
            .post(api.server.url("/graphql"))
            .bearer_auth(&doctor)
            .json(&json!({"query": query, "variables": {"id": patient_id}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if body["data"]["patient"]["appointments"]["edges"][0]["node"]["startsAt"] == expected {
            break;
        }
        assert!(Instant::now() < deadline, "the read model never showed it: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
