//! The clinical record end to end, on both backends: a patient registered in Douala is seen by a
//! doctor who records a consultation with a diagnosis, a prescription and (by a nurse) a vaccination,
//! corrects an entry, and refers the patient to Garoua, where a second doctor continues the record. A
//! doctor without a care relationship is refused until they break the glass, which is recorded and
//! told to the patient. Retries with an idempotency key record nothing twice; stale versions and bad
//! input are refused with nothing written; the ledger verifies afterwards.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use support::{bootstrap, cloudmedi, path, problem, token};

async fn a_record_follows_the_patient(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, douala_admin) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let (garoua, garoua_admin) =
        api.facility_with_administrator(&admin, "Hôpital régional de Garoua", "NO", "HRG", "690000002").await;
    let doctor = api.staff_member(&douala_admin, &douala, "LAQ-MED-1", "doctor", "690000011").await;
    let nurse = api.staff_member(&douala_admin, &douala, "LAQ-INF-1", "nurse", "690000012").await;
    let garoua_doctor = api.staff_member(&garoua_admin, &garoua, "HRG-MED-1", "doctor", "690000021").await;
    let lab = api.staff_member(&douala_admin, &douala, "LAQ-LAB-1", "lab_technician", "690000013").await;
    let lab = token(&lab).to_owned();
    let (doctor, nurse, garoua_doctor) =
        (token(&doctor).to_owned(), token(&nurse).to_owned(), token(&garoua_doctor).to_owned());

    let response = api
        .post(
            "/api/v1/patients",
            Some(&doctor),
            json!({"family_name": "Mbarga", "given_names": "Junior", "sex": "male",
                   "birth_date": {"date": "2025-01-10", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655443322"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let patient: Value = response.json().await.unwrap();
    let record = format!("/api/v1/patients/{}", patient["patient_id"].as_str().unwrap());

    // Registered again by mistake: flagged as a probable duplicate, then merged; nothing is deleted and
    // the merged record takes no new entries.
    let again = api
        .post(
            "/api/v1/patients",
            Some(&doctor),
            json!({"family_name": "MBARGA", "given_names": "junior", "sex": "male",
                   "birth_date": {"date": "2025-01-10", "estimated": false}, "region": "LT",
                   "health_district": "deido"}),
        )
        .await;
    assert_eq!(again.status(), 201);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["probable_duplicates"], json!([patient["patient_id"]]));
    let duplicate = format!("/api/v1/patients/{}", again["patient_id"].as_str().unwrap());
    let merge = json!({"into": patient["patient_id"], "reason": "same child, registered twice at the desk"});
    assert_eq!(api.post(&format!("{duplicate}/merge"), Some(&doctor), merge.clone()).await.status(), 201);
    problem(api.post(&format!("{duplicate}/merge"), Some(&doctor), merge).await, 409).await;
    let closed = api
        .post(&format!("{duplicate}/encounters"), Some(&doctor), json!({"date": "2026-11-24", "reason": "x y"}))
        .await;
    let closed = problem(closed, 409).await;
    assert!(closed["detail"].as_str().unwrap().contains(patient["patient_id"].as_str().unwrap()), "{closed}");

    // A consultation: the encounter, a diagnosis made in it, a prescription.
    let response = api
        .post(
            &format!("{record}/encounters"),
            Some(&doctor),
            json!({"date": "2026-11-24", "reason": "fever for three days"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let encounter: Value = response.json().await.unwrap();
    let encounter_id = encounter["entry_id"].as_str().unwrap().to_owned();
    let response = api
        .post(
            &format!("{record}/conditions"),
            Some(&doctor),
            json!({"icd10": "b509", "description": "uncomplicated falciparum malaria", "status": "active",
                   "encounter_id": encounter_id}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let diagnosis: Value = response.json().await.unwrap();
    let prescription = json!({"medicine": "artemether-lumefantrine", "dose": {"amount": "1", "unit": "tablet"},
                              "route": "oral", "times_per_day": 2, "duration_days": 3, "encounter_id": encounter_id});
    let key = [("idempotency-key", "consultation-42-prescription-1")];
    let first = api.post_with(&format!("{record}/prescriptions"), &doctor, &key, prescription.clone()).await;
    assert_eq!(first.status(), 201);
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let first: Value = first.json().await.unwrap();
    assert_eq!(etag, format!("\"{}\"", first["version"]));
    // A retry with the same key answers the same and records nothing.
    let position = api.ledger_position().await;
    let retry = api.post_with(&format!("{record}/prescriptions"), &doctor, &key, prescription.clone()).await;
    assert_eq!(retry.status(), 201);
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry, first);
    assert_eq!(api.ledger_position().await, position);

    // The nurse gives the first pentavalent dose; nurses do not prescribe.
    let response = api
        .post(
            &format!("{record}/immunizations"),
            Some(&nurse),
            json!({"antigen": "PENTA", "dose_number": 1, "lot": "PV-24-117", "given_on": "2025-02-21"}),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    problem(api.post(&format!("{record}/prescriptions"), Some(&nurse), prescription.clone()).await, 403).await;

    // Vital signs by the nurse; a smear ordered by the doctor, its result by the lab, the patient told.
    let vitals = json!({"measured_at": "2026-11-24T09:30:00+01:00", "temperature_decicelsius": 391,
                        "pulse_per_minute": 130, "weight_grams": 9800});
    assert_eq!(api.post(&format!("{record}/vital-signs"), Some(&nurse), vitals).await.status(), 201);
    let order = api
        .post(
            &format!("{record}/lab-orders"),
            Some(&doctor),
            json!({"test": "thick blood smear", "loinc": "32700-7", "encounter_id": encounter_id}),
        )
        .await;
    assert_eq!(order.status(), 201);
    let order: Value = order.json().await.unwrap();
    let result = json!({"order_id": order["entry_id"], "test": "thick blood smear", "loinc": "32700-7",
                        "value": "P. falciparum ++", "interpretation": "positive",
                        "attachments": [{"sha256": "ab".repeat(32), "media_type": "application/pdf", "name": "smear.pdf"}]});
    problem(api.post(&format!("{record}/lab-results"), Some(&nurse), result.clone()).await, 403).await;
    assert_eq!(api.post(&format!("{record}/lab-results"), Some(&lab), result).await.status(), 201);
    // Told by the reminder scheduler, in French (the facility of registration is in the Littoral).
    api.message_to("sms", "+237655443322", "nouveaux résultats d'analyses", 0).await;
    // Operators see it in the metrics: counts only, never a number or a text.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let metrics = api.client.get(api.server.url("/metrics")).send().await.unwrap();
        assert_eq!(metrics.status(), 200);
        let metrics = metrics.text().await.unwrap();
        assert!(!metrics.contains("655443322") && !metrics.contains("résultats"), "{metrics}");
        assert!(metrics.contains("cloudmedi_outbox_messages{channel=\"sms\",state=\"sent\"}"), "{metrics}");
        let delivered = metrics
            .lines()
            .find_map(|line| line.strip_prefix("cloudmedi_reminders{outcome=\"delivered\"} "))
            .and_then(|n| n.parse::<u64>().ok());
        if delivered.is_some_and(|n| n >= 1) {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the delivered reminder is counted: {metrics}");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // A follow-up visit booked, moved, then cancelled.
    let booked = api
        .post(
            &format!("{record}/appointments"),
            Some(&doctor),
            json!({"starts_at": "2099-01-05T08:30:00+01:00", "reason": "follow-up"}),
        )
        .await;
    let booked_status = booked.status();
    let booked: Value = booked.json().await.unwrap();
    assert_eq!(booked_status, 422, "more than two years ahead, a rule: {booked}");
    let in_a_week = (chrono::Utc::now() + chrono::Duration::days(7)).to_rfc3339();
    let booked: Value = api
        .post(&format!("{record}/appointments"), Some(&doctor), json!({"starts_at": in_a_week, "reason": "follow-up"}))
        .await
        .json()
        .await
        .unwrap();
    let appointment = format!("{record}/appointments/{}", booked["entry_id"].as_str().unwrap());
    let in_ten_days = (chrono::Utc::now() + chrono::Duration::days(10)).to_rfc3339();
    let moved = api.post(&format!("{appointment}/reschedule"), Some(&doctor), json!({"starts_at": in_ten_days})).await;
    assert_eq!(moved.status(), 201);
    let closed = api
        .post(
            &format!("{appointment}/close"),
            Some(&doctor),
            json!({"outcome": "cancelled", "reason": "admitted instead"}),
        )
        .await;
    assert_eq!(closed.status(), 201);
    problem(api.post(&format!("{appointment}/close"), Some(&doctor), json!({"outcome": "attended"})).await, 409).await;

    // A correction: the diagnosis is amended; the original cannot be amended twice. A stale version is
    // refused.
    let amended = json!({"icd10": "B54", "description": "malaria, unconfirmed species", "status": "active",
                         "amends": {"entry_id": diagnosis["entry_id"], "reason": "the smear did not show the species"}});
    let stale =
        api.post_with(&format!("{record}/conditions"), &doctor, &[("if-match", "\"1\"")], amended.clone()).await;
    let refused = problem(stale, 412).await;
    assert_eq!(refused["type"], "/problems/precondition-failed", "{refused}");
    let response = api.post(&format!("{record}/conditions"), Some(&doctor), amended.clone()).await;
    assert_eq!(response.status(), 201);
    problem(api.post(&format!("{record}/conditions"), Some(&doctor), amended).await, 409).await;
    // An allergy recorded on the wrong patient is withdrawn.
    let response = api
        .post(
            &format!("{record}/allergies"),
            Some(&doctor),
            json!({"substance": "penicillin", "category": "medication", "severity": "severe", "status": "confirmed"}),
        )
        .await;
    let allergy: Value = response.json().await.unwrap();
    let withdrawn = api
        .post(
            &format!("{record}/entries/{}/entered-in-error", allergy["entry_id"].as_str().unwrap()),
            Some(&doctor),
            json!({"reason": "recorded on the wrong patient"}),
        )
        .await;
    assert_eq!(withdrawn.status(), 201);

    // Bad input: a clear field error and nothing written.
    let position = api.ledger_position().await;
    // Not an ICD-10 code at all breaks the schema's pattern (400); the rest keep to the schema and break
    // a rule of the record (422).
    for (section, body, field, status) in [
        ("conditions", json!({"icd10": "paludisme", "description": "x y", "status": "active"}), "/icd10", 400),
        ("encounters", json!({"date": "2099-01-01", "reason": "from the future"}), "/date", 422),
        (
            "prescriptions",
            json!({"medicine": "paracetamol", "dose": {"amount": "5000", "unit": "g"}, "route": "oral",
                                  "times_per_day": 3, "duration_days": 5}),
            "/dose/amount",
            422,
        ),
        (
            "immunizations",
            json!({"antigen": "PENTA", "dose_number": 7, "lot": "x", "given_on": "2025-03-01"}),
            "/dose_number",
            422,
        ),
    ] {
        let token = if section == "immunizations" { &nurse } else { &doctor };
        let refused = problem(api.post(&format!("{record}/{section}"), Some(token), body).await, status).await;
        assert_eq!(refused["errors"][0]["field"], field, "{refused}");
    }
    let unknown = format!("/api/v1/patients/{}/encounters", uuid::Uuid::now_v7());
    problem(api.post(&unknown, Some(&doctor), json!({"date": "2026-11-24", "reason": "checkup"})).await, 404).await;
    assert_eq!(api.ledger_position().await, position, "nothing was written");

    // In Garoua, a doctor with no care relationship is refused, as if the record did not exist...
    let visit = json!({"date": "2026-11-25", "reason": "collapsed at the market"});
    problem(api.post(&format!("{record}/encounters"), Some(&garoua_doctor), visit.clone()).await, 404).await;
    // ...until they break the glass, which the patient is told about.
    let glass = api
        .post(
            &format!("{record}/break-glass"),
            Some(&garoua_doctor),
            json!({"reason": "unconscious, no relative present"}),
        )
        .await;
    assert_eq!(glass.status(), 201);
    api.message_to("sms", "+237655443322", "opened in an emergency", 0).await;
    let alert = api.message_to("sms", "+237690000002", "break-the-glass", 0).await;
    assert!(!alert.contains("Mbarga"), "the administrators' alert names no patient: {alert}");
    assert_eq!(api.post(&format!("{record}/encounters"), Some(&garoua_doctor), visit).await.status(), 201);
    problem(
        api.post(&format!("{record}/break-glass"), Some(&nurse), json!({"reason": "just curious about him"})).await,
        403,
    )
    .await;

    // The Douala doctor refers the patient to Garoua, where the record continues.
    let referral = api
        .post(
            &format!("{record}/referrals"),
            Some(&doctor),
            json!({"kind": "transfer", "to_facility_id": garoua, "reason": "suspected sickle-cell crisis", "urgency": "urgent"}),
        )
        .await;
    assert_eq!(referral.status(), 201);
    let follow_up = api
        .post(
            &format!("{record}/encounters"),
            Some(&garoua_doctor),
            json!({"date": "2026-11-25", "reason": "referred from Douala"}),
        )
        .await;
    assert_eq!(follow_up.status(), 201);
    let cancelled = api
        .post(
            &format!("{record}/prescriptions/{}/cancel", first["entry_id"].as_str().unwrap()),
            Some(&garoua_doctor),
            json!({"reason": "switched to intravenous artesunate"}),
        )
        .await;
    assert_eq!(cancelled.status(), 201);

    api.server.stop();
    let verify = cloudmedi(&["verify", "--data-dir", path(&api.data)], database_url);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_on_sqlite() {
    a_record_follows_the_patient(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_record").await.expect("PostgreSQL must be running");
    a_record_follows_the_patient(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
