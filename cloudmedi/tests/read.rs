//! The read side end to end, on both backends: clinicians, a patient, an administrator, an analyst and
//! an auditor query one record through GraphQL and each sees exactly what the access policy allows;
//! every read by someone other than the patient lands in the patient's access log; the auditor matches
//! the record's audit trail against an export; a rebuild of every read model gives exactly what live
//! projection gave. On PostgreSQL, a second projector process takes over when the leader dies.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{bootstrap, cloudmedi, graphql_codes as codes, path, problem, token, Api, Server};

/// Posts a GraphQL query; answers the response body.
async fn graphql(api: &Api, bearer: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request =
        api.client.post(api.server.url("/graphql")).json(&json!({"query": query, "variables": variables}));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success() || status == 400, "{status}: {body}");
    body
}

/// Waits until `check` holds for the answer to `query` (projection follows the ledger closely, but not
/// within the same request).
async fn eventually(api: &Api, bearer: &str, query: &str, variables: Value, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let body = graphql(api, Some(bearer), query, variables.clone()).await;
        if check(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "the read model never showed it: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const RECORD: &str = r#"query Record($id: ID!) {
  patient(id: $id) {
    id healthId familyName birthDate
    conditions { edges { node { id status amends amendedBy correction { reason by { accountId } }
                                 recordedBy { accountId role name } facility { name } ledgerPosition details } } }
    allergies { edges { node { id status details } } }
    encounters { edges { node { id details } } }
    labResults { edges { node { id details } } }
    immunizations { edges { node { id details } } }
    appointments { edges { node { id status startsAt } } }
    vaccinationCard { scheduleEffectiveFrom doses { antigen doseNumber dueOn status givenOn } }
  }
}"#;

async fn each_role_reads_what_the_policy_allows(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, douala_admin) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let (garoua, garoua_admin) =
        api.facility_with_administrator(&admin, "Hôpital régional de Garoua", "NO", "HRG", "690000002").await;
    let staff = |value: &Value| token(value).to_owned();
    let doctor = staff(&api.staff_member(&douala_admin, &douala, "LAQ-MED-1", "doctor", "690000011").await);
    let nurse = staff(&api.staff_member(&douala_admin, &douala, "LAQ-INF-1", "nurse", "690000012").await);
    let lab = staff(&api.staff_member(&douala_admin, &douala, "LAQ-LAB-1", "lab_technician", "690000013").await);
    let clerk = staff(&api.staff_member(&douala_admin, &douala, "LAQ-REG-1", "registration_clerk", "690000014").await);
    let garoua_doctor = staff(&api.staff_member(&garoua_admin, &garoua, "HRG-MED-1", "doctor", "690000021").await);
    let auditor = support::national(&mut api, &admin, "MINSANTE-AUD-1", "auditor", "690000031").await;
    let analyst = support::national(&mut api, &admin, "MINSANTE-ANA-1", "health_authority_analyst", "690000032").await;

    // A child registered in Douala, seen, diagnosed (then the diagnosis corrected), vaccinated, tested.
    let response = api
        .post(
            "/api/v1/patients",
            Some(&doctor),
            json!({"national_id": "1122 33445", "family_name": "Ngo Bassa", "given_names": "Esther", "sex": "female",
                   "birth_date": {"date": "2025-06-01", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655443311"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let patient: Value = response.json().await.unwrap();
    let patient_id = patient["patient_id"].as_str().unwrap().to_owned();
    let health_id = patient["health_id"].as_str().unwrap().to_owned();
    let record = format!("/api/v1/patients/{patient_id}");
    let created = |response: reqwest::Response| async move {
        assert_eq!(response.status(), 201);
        response.json::<Value>().await.unwrap()["entry_id"].as_str().unwrap().to_owned()
    };
    created(
        api.post(
            &format!("{record}/encounters"),
            Some(&doctor),
            json!({"date": "2026-11-20", "reason": "fever and cough"}),
        )
        .await,
    )
    .await;
    let diagnosis = created(
        api.post(
            &format!("{record}/conditions"),
            Some(&doctor),
            json!({"icd10": "J18.9", "description": "pneumonia", "status": "active"}),
        )
        .await,
    )
    .await;
    let corrected = created(
        api.post(
            &format!("{record}/conditions"),
            Some(&doctor),
            json!({"icd10": "B54", "description": "malaria, confirmed by smear", "status": "active",
                   "amends": {"entry_id": diagnosis, "reason": "smear positive, chest clear"}}),
        )
        .await,
    )
    .await;
    created(
        api.post(
            &format!("{record}/allergies"),
            Some(&nurse),
            json!({"substance": "penicillin", "category": "medication", "severity": "severe", "status": "confirmed"}),
        )
        .await,
    )
    .await;
    created(
        api.post(
            &format!("{record}/immunizations"),
            Some(&nurse),
            json!({"antigen": "BCG", "dose_number": 1, "lot": "BCG-25-3", "given_on": "2025-06-01"}),
        )
        .await,
    )
    .await;
    created(
        api.post(
            &format!("{record}/lab-results"),
            Some(&lab),
            json!({"test": "Malaria smear", "value": "positive", "interpretation": "abnormal"}),
        )
        .await,
    )
    .await;
    created(
        api.post(
            &format!("{record}/appointments"),
            Some(&clerk),
            json!({"starts_at": "2027-01-05T09:00:00+01:00", "reason": "follow-up of the malaria treatment"}),
        )
        .await,
    )
    .await;

    // Another patient, registered in Garoua only.
    let response = api
        .post(
            "/api/v1/patients",
            Some(&garoua_doctor),
            json!({"family_name": "Hamadou", "given_names": "Aissatou", "sex": "female",
                   "birth_date": {"date": "1988-02-02", "estimated": true}, "region": "NO", "health_district": "Garoua"}),
        )
        .await;
    let elsewhere: Value = response.json().await.unwrap();
    let elsewhere_id = elsewhere["patient_id"].as_str().unwrap().to_owned();

    // The doctor reads the whole record once projection has caught up.
    let body = eventually(&api, &doctor, RECORD, json!({"id": patient_id}), |body| {
        body["data"]["patient"]["appointments"]["edges"].as_array().is_some_and(|edges| edges.len() == 1)
            && body["data"]["patient"]["labResults"]["edges"].as_array().is_some_and(|edges| edges.len() == 1)
    })
    .await;
    assert!(body["errors"].is_null(), "{body}");
    let record_view = &body["data"]["patient"];
    assert_eq!(record_view["healthId"], health_id.as_str());
    let conditions = record_view["conditions"]["edges"].as_array().unwrap();
    assert_eq!(conditions.len(), 2, "the corrected diagnosis stays, marked as such");
    let original = &conditions[0]["node"];
    assert_eq!(original["id"], diagnosis.as_str());
    assert_eq!(original["status"], "AMENDED");
    assert_eq!(original["amendedBy"], corrected.as_str());
    assert_eq!(original["correction"]["reason"], "smear positive, chest clear");
    assert_eq!(original["recordedBy"]["role"], "doctor");
    assert_eq!(original["recordedBy"]["name"], "LAQ-MED-1 Tester");
    assert_eq!(original["facility"]["name"], "Hôpital Laquintinie");
    let replacement = &conditions[1]["node"];
    assert_eq!(replacement["status"], "CURRENT");
    assert_eq!(replacement["amends"], diagnosis.as_str());
    assert_eq!(replacement["details"]["icd10"], "B54");
    assert_eq!(record_view["allergies"]["edges"][0]["node"]["details"]["substance"], "penicillin");
    // The card: BCG given at birth; the 6-week doses long overdue for a child born in June 2025.
    let doses = record_view["vaccinationCard"]["doses"].as_array().unwrap();
    let dose = |antigen: &str, number: u64| {
        doses.iter().find(|dose| dose["antigen"] == antigen && dose["doseNumber"] == number).cloned().unwrap()
    };
    assert_eq!(dose("BCG", 1)["status"], "GIVEN");
    assert_eq!(dose("BCG", 1)["givenOn"], "2025-06-01");
    assert_eq!(dose("PENTA", 1)["status"], "OVERDUE");
    assert_eq!(dose("PENTA", 1)["dueOn"], "2025-07-13");
    assert_eq!(record_view["vaccinationCard"]["scheduleEffectiveFrom"], "2024-01-22");
    let only_current = graphql(
        &api,
        Some(&doctor),
        "query($id: ID!) { patient(id: $id) { conditions(onlyCurrent: true) { edges { node { id } } } } }",
        json!({"id": patient_id}),
    )
    .await;
    assert_eq!(only_current["data"]["patient"]["conditions"]["edges"].as_array().unwrap().len(), 1);

    // Each role sees what the policy allows, and no more.
    let sections = "query($id: ID!) { patient(id: $id) { familyName conditions { edges { node { id } } } \
                    labResults { edges { node { id } } } allergies { edges { node { id } } } } }";
    let nurse_view = graphql(&api, Some(&nurse), sections, json!({"id": patient_id})).await;
    assert!(nurse_view["errors"].is_null(), "{nurse_view}");
    assert_eq!(nurse_view["data"]["patient"]["conditions"]["edges"].as_array().unwrap().len(), 2);
    let lab_view = graphql(&api, Some(&lab), sections, json!({"id": patient_id})).await;
    assert_eq!(codes(&lab_view), ["FORBIDDEN"], "{lab_view}");
    assert_eq!(lab_view["errors"][0]["path"], json!(["patient", "conditions"]));
    assert_eq!(lab_view["data"]["patient"]["labResults"]["edges"].as_array().unwrap().len(), 1);
    let clerk_view = graphql(&api, Some(&clerk), sections, json!({"id": patient_id})).await;
    assert_eq!(codes(&clerk_view), ["FORBIDDEN", "FORBIDDEN", "FORBIDDEN"], "{clerk_view}");
    assert_eq!(clerk_view["data"]["patient"]["familyName"], "Ngo Bassa");
    for (who, bearer) in [("facility administrator", &douala_admin), ("analyst", &analyst), ("auditor", &auditor)] {
        let view = graphql(&api, Some(bearer), sections, json!({"id": patient_id})).await;
        assert_eq!(codes(&view), ["FORBIDDEN"], "{who}: {view}");
        assert!(view["data"].is_null(), "{who} sees nothing of the record: {view}");
    }
    // A record one may not see is answered exactly like one that does not exist.
    let hidden = graphql(
        &api,
        Some(&doctor),
        "query($id: ID!) { patient(id: $id) { familyName } }",
        json!({"id": elsewhere_id}),
    )
    .await;
    let unknown = graphql(
        &api,
        Some(&doctor),
        "query($id: ID!) { patient(id: $id) { familyName } }",
        json!({"id": "0193c1a2-0000-7000-8000-000000000000"}),
    )
    .await;
    assert_eq!(codes(&hidden), ["NOT_FOUND"]);
    assert_eq!(hidden["errors"][0]["message"], unknown["errors"][0]["message"]);
    assert_eq!(codes(&unknown), ["NOT_FOUND"]);
    let unauthenticated = graphql(&api, None, "{ me { role } }", json!({})).await;
    assert_eq!(codes(&unauthenticated), ["UNAUTHENTICATED"]);

    // Search, for staff with a reason to search.
    let search = "query($name: String, $birth: String, $health: HealthId) { searchPatients(familyName: $name, \
                  birthDate: $birth, healthId: $health) { edges { node { id healthId } } } }";
    let found = graphql(&api, Some(&clerk), search, json!({"name": "NGO-BASSA", "birth": "2025-06-01"})).await;
    assert_eq!(found["data"]["searchPatients"]["edges"][0]["node"]["id"], patient_id.as_str(), "{found}");
    let found = graphql(&api, Some(&garoua_doctor), search, json!({"health": health_id})).await;
    assert_eq!(found["data"]["searchPatients"]["edges"][0]["node"]["id"], patient_id.as_str(), "{found}");
    assert_eq!(codes(&graphql(&api, Some(&analyst), search, json!({"health": health_id})).await), ["FORBIDDEN"]);
    let ambiguous = graphql(&api, Some(&clerk), search, json!({"name": "Ngo", "health": health_id})).await;
    assert_eq!(codes(&ambiguous), ["BAD_USER_INPUT"]);

    // The Garoua doctor cannot read the record until breaking the glass.
    let view = graphql(&api, Some(&garoua_doctor), sections, json!({"id": patient_id})).await;
    assert_eq!(codes(&view), ["NOT_FOUND"]);
    let glass = api
        .post(
            &format!("{record}/break-glass"),
            Some(&garoua_doctor),
            json!({"reason": "unconscious on arrival at the emergency ward"}),
        )
        .await;
    assert_eq!(glass.status(), 201, "{}", glass.text().await.unwrap());
    eventually(&api, &garoua_doctor, sections, json!({"id": patient_id}), |body| body["errors"].is_null()).await;
    // The administrator sees who broke the glass and when; the reason goes to the patient and auditors.
    let alerts = graphql(
        &api,
        Some(&garoua_admin),
        "query($f: ID!) { breakGlassAlerts(facilityId: $f) { edges { node { openedAt practitioner { role } } } } }",
        json!({"f": garoua}),
    )
    .await;
    assert_eq!(alerts["data"]["breakGlassAlerts"]["edges"][0]["node"]["practitioner"]["role"], "doctor", "{alerts}");
    assert!(!alerts.to_string().contains("unconscious"), "{alerts}");
    let reasons = "query($p: ID!) { emergencyAccesses(patientId: $p) { reason } }";
    assert_eq!(codes(&graphql(&api, Some(&garoua_admin), reasons, json!({"p": patient_id})).await), ["FORBIDDEN"]);
    let audited = graphql(&api, Some(&auditor), reasons, json!({"p": patient_id})).await;
    assert_eq!(audited["data"]["emergencyAccesses"][0]["reason"], "unconscious on arrival at the emergency ward");
    assert_eq!(
        codes(
            &graphql(
                &api,
                Some(&douala_admin),
                "query($f: ID!) { breakGlassAlerts(facilityId: $f) { edges { node { openedAt } } } }",
                json!({"f": garoua})
            )
            .await
        ),
        ["FORBIDDEN"]
    );

    // The printable card: HTML with the health ID and its QR code.
    let card = api.get(&format!("{record}/vaccination-card"), &nurse).await;
    assert_eq!(card.status(), 200);
    assert!(card.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = card.text().await.unwrap();
    assert!(html.contains(&health_id) && html.contains("<svg"), "the card shows the health ID and its QR code");
    problem(api.get(&format!("{record}/vaccination-card"), &analyst).await, 403).await;
    problem(api.get(&format!("/api/v1/patients/{elsewhere_id}/vaccination-card"), &doctor).await, 404).await;

    // The patient activates their account and reads their own record and its access log.
    let own = api.patient_session(&health_id, "+237655443311", "Esther grows up in Deido").await;
    let mine = graphql(&api, Some(&own), sections, json!({"id": patient_id})).await;
    assert!(mine["errors"].is_null(), "{mine}");
    assert_eq!(codes(&graphql(&api, Some(&own), sections, json!({"id": elsewhere_id})).await), ["NOT_FOUND"]);
    let log_query =
        "query($id: ID!) { accessLog(patientId: $id, first: 100) { edges { node { readAt basis breakGlass parts \
                     reader { accountId role name } facility { name } ledgerPosition } } } }";
    let log = eventually(&api, &own, log_query, json!({"id": patient_id}), |body| {
        body["data"]["accessLog"]["edges"].as_array().is_some_and(|edges| {
            edges.iter().any(|edge| edge["node"]["breakGlass"] == true)
                && edges.iter().any(|edge| edge["node"]["reader"]["role"] == "lab_technician")
        })
    })
    .await;
    let reads = log["data"]["accessLog"]["edges"].as_array().unwrap();
    let roles: std::collections::BTreeSet<&str> =
        reads.iter().map(|edge| edge["node"]["reader"]["role"].as_str().unwrap()).collect();
    for role in ["doctor", "nurse", "lab_technician", "registration_clerk"] {
        assert!(roles.contains(role), "{role} read the record: {log}");
    }
    assert!(!roles.contains("patient"), "the patient's own reads are not logged");
    let glass = reads.iter().find(|edge| edge["node"]["breakGlass"] == true).unwrap();
    assert_eq!(glass["node"]["facility"]["name"], "Hôpital régional de Garoua");
    assert_eq!(glass["node"]["basis"], "BREAK_GLASS");
    let lab_read = reads.iter().find(|edge| edge["node"]["reader"]["role"] == "lab_technician").unwrap();
    assert!(lab_read["node"]["parts"].as_array().unwrap().contains(&json!("lab_results")));
    assert!(
        !lab_read["node"]["parts"].as_array().unwrap().contains(&json!("conditions")),
        "a refused section is no read"
    );
    assert_eq!(codes(&graphql(&api, Some(&doctor), log_query, json!({"id": patient_id})).await), ["FORBIDDEN"]);

    // The auditor traces the record's changes and matches them against an export.
    let trail_query = "query($id: ID!) { auditTrail(patientId: $id, first: 100) { edges { node { position hash type \
                       streamId payloadFields payloadDigest actor { role } facility { name } } } } }";
    let trail = graphql(&api, Some(&auditor), trail_query, json!({"id": patient_id})).await;
    assert!(trail["errors"].is_null(), "{trail}");
    let trail = trail["data"]["auditTrail"]["edges"].as_array().unwrap().clone();
    let diagnosed: Vec<&Value> =
        trail.iter().filter(|edge| edge["node"]["type"] == "record.condition_diagnosed").collect();
    assert_eq!(diagnosed.len(), 2);
    assert!(diagnosed[0]["node"]["payloadFields"].as_array().unwrap().contains(&json!("icd10")));
    let shown = serde_json::to_string(&trail).unwrap();
    assert!(!shown.contains("malaria") && !shown.contains("penicillin"), "no clinical content reaches the auditor");
    assert_eq!(codes(&graphql(&api, Some(&doctor), trail_query, json!({"id": patient_id})).await), ["FORBIDDEN"]);
    let export = cloudmedi(&["export", "--data-dir", path(&api.data)], api.database_url.as_deref());
    assert_eq!(export.code, 0, "{}", export.stderr);
    for edge in &diagnosed {
        let position = edge["node"]["position"].as_u64().unwrap();
        let line: Value = export
            .stdout
            .lines()
            .map(|line| serde_json::from_str::<Value>(line).unwrap())
            .find(|entry| entry["position"] == position)
            .unwrap();
        assert_eq!(line["hash"], edge["node"]["hash"], "the trail's hash is the exported entry's");
        assert_eq!(line["stream_id"], format!("patient:{patient_id}"));
    }
    let browse = graphql(
        &api,
        Some(&auditor),
        "{ ledgerEntries(type: \"access.record_read\", first: 100) { edges { node { streamId actor { role } } } } }",
        json!({}),
    )
    .await;
    assert!(browse["data"]["ledgerEntries"]["edges"].as_array().unwrap().len() >= 4, "{browse}");
    assert_eq!(
        codes(&graphql(&api, Some(&analyst), "{ ledgerEntries { edges { node { position } } } }", json!({})).await),
        ["FORBIDDEN"]
    );

    // Bad input: a clear error, nothing more.
    assert_eq!(codes(&graphql(&api, Some(&doctor), "{ patient(id: ", json!({})).await), ["GRAPHQL_VALIDATION_FAILED"]);
    let huge = graphql(
        &api,
        Some(&doctor),
        "query($id: ID!) { patient(id: $id) { conditions(first: 100000) { edges { node { id } } } } }",
        json!({"id": patient_id}),
    )
    .await;
    // A page size out of range breaks the `PageSize` scalar: refused while the request is validated.
    assert_eq!(codes(&huge), ["GRAPHQL_VALIDATION_FAILED"], "{huge}");
    let deep = format!("{{ me {} }}", "{ role ".repeat(20) + &"}".repeat(20));
    assert_eq!(codes(&graphql(&api, Some(&doctor), &deep, json!({})).await), ["GRAPHQL_VALIDATION_FAILED"]);
    let costly = format!(
        "query($id: ID!) {{ {} }}",
        (0..400)
            .map(|n| format!(
                "p{n}: patient(id: $id) {{ conditions(first: 100) {{ edges {{ node {{ id details }} }} }} encounters(first: 100) {{ edges {{ node {{ id }} }} }} allergies(first: 100) {{ edges {{ node {{ id }} }} }} }}"
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let costly = graphql(&api, Some(&doctor), &costly, json!({"id": patient_id})).await;
    assert_eq!(codes(&costly), ["GRAPHQL_VALIDATION_FAILED"], "{costly}");
    assert!(costly["data"].is_null());

    // A transfer to Garoua and a death in Garoua, so that every statistics table has cells to rebuild.
    let transfer = api
        .post(
            &format!("{record}/referrals"),
            Some(&doctor),
            json!({"kind": "transfer", "to_facility_id": garoua, "reason": "surgery", "urgency": "routine"}),
        )
        .await;
    assert_eq!(transfer.status(), 201);
    let died = api
        .post(
            &format!("/api/v1/patients/{elsewhere_id}/death"),
            Some(&garoua_doctor),
            json!({"died_on": "2026-11-30", "place": "home", "underlying_cause": "I64"}),
        )
        .await;
    assert_eq!(died.status(), 201, "{}", died.text().await.unwrap());

    // Rebuilding every read model from position 0 gives exactly what live projection gave.
    let data = api.data.clone();
    let url = api.database_url.clone();
    let status = || cloudmedi(&["projections", "status", "--data-dir", path(&data)], url.as_deref());
    api.restart(&[support::GENEROUS]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = status();
        assert_eq!(run.code, 0, "{}", run.stderr);
        let lags: Vec<&str> = run.stdout.lines().skip(2).filter_map(|line| line.split_whitespace().nth(2)).collect();
        if lags.len() == projections::all().len() && lags.iter().all(|lag| *lag == "0") {
            break;
        }
        assert!(Instant::now() < deadline, "the projectors never caught up: {}", run.stdout);
        std::thread::sleep(Duration::from_millis(200));
    }
    let Api { server, .. } = api;
    server.stop();
    let live = cloudmedi(&["projections", "digest", "--data-dir", path(&data)], url.as_deref());
    assert_eq!(live.code, 0, "{}", live.stderr);
    assert!(live.stdout.lines().all(|line| !line.contains(" 0 rows")), "every read model has rows: {}", live.stdout);
    let rebuilt = cloudmedi(&["projections", "rebuild", "--data-dir", path(&data)], url.as_deref());
    assert_eq!(rebuilt.code, 0, "{}", rebuilt.stderr);
    assert!(rebuilt.stdout.contains("rebuilt directory, patients, records"), "{}", rebuilt.stdout);
    let again = cloudmedi(&["projections", "digest", "--data-dir", path(&data)], url.as_deref());
    assert_eq!(again.stdout, live.stdout, "a rebuild equals live projection");
    let one = cloudmedi(&["projections", "rebuild", "records", "--data-dir", path(&data)], url.as_deref());
    assert_eq!(one.code, 0, "{}", one.stderr);
    assert_eq!(cloudmedi(&["projections", "digest", "--data-dir", path(&data)], url.as_deref()).stdout, live.stdout);
    let unknown = cloudmedi(&["projections", "rebuild", "nonsense", "--data-dir", path(&data)], url.as_deref());
    assert_eq!(unknown.code, 2);
    assert!(unknown.stderr.contains("no projector is named nonsense"), "{}", unknown.stderr);
    let verify = cloudmedi(&["verify", "--data-dir", path(&data)], url.as_deref());
    assert_eq!(verify.code, 0, "{}", verify.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_reads_what_the_policy_allows_on_sqlite() {
    each_role_reads_what_the_policy_allows(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn each_role_reads_what_the_policy_allows_on_postgres() {
    let database = ScratchDatabase::create("read").await.unwrap();
    each_role_reads_what_the_policy_allows(Some(database.url())).await;
    database.drop_database().await.unwrap();
}

/// Two projector processes share a PostgreSQL database: one leads, the other waits; when the leader is
/// killed the other takes over and the read models keep following the ledger.
#[tokio::test(flavor = "multi_thread")]
async fn a_waiting_projector_takes_over_when_the_leader_dies() {
    let database = ScratchDatabase::create("read").await.unwrap();
    let url = database.url();
    let (temp, mut api, admin) = bootstrap(Some(url)).await;
    // The API process serves commands only; two more processes run the projectors.
    api.server = Server::start_with(&api.data, Some(url), &[support::GENEROUS], &["--role", "command"]);
    let second = temp.path().join("second");
    let copied = std::process::Command::new("cp").args(["-r", path(&api.data), path(&second)]).status().unwrap();
    assert!(copied.success());
    let first = Server::start_with(&api.data, Some(url), &[], &["--role", "projector"]);
    let log_of = |data: &std::path::Path| std::fs::read_to_string(support::server_log(data)).unwrap_or_default();
    let acquired = |data: &std::path::Path| log_of(data).matches("projections.leader.acquired").count();
    let deadline = Instant::now() + Duration::from_secs(30);
    while acquired(&api.data) == 0 {
        assert!(Instant::now() < deadline, "the first projector never led");
        std::thread::sleep(Duration::from_millis(100));
    }
    let standby = Server::start_with(&second, Some(url), &[], &["--role", "projector"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    while !log_of(&second).contains("projections.leader.waiting") {
        assert!(Instant::now() < deadline, "the second projector did not wait: {}", log_of(&second));
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(acquired(&second), 0, "only one process leads");

    // The leader dies without a word; the standby takes over and projects what comes next.
    drop(first);
    let deadline = Instant::now() + Duration::from_secs(30);
    while acquired(&second) == 0 {
        assert!(Instant::now() < deadline, "the standby never took over: {}", log_of(&second));
        std::thread::sleep(Duration::from_millis(100));
    }
    let body = json!({"name": "CSI de Bonaberi", "level": "health_centre", "ownership": "public", "region": "LT",
                      "health_district": "Bonassama"});
    assert_eq!(api.post("/api/v1/facilities", Some(&admin), body).await.status(), 201);
    let head = api.ledger_position().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let run = cloudmedi(&["projections", "status", "--data-dir", path(&second)], Some(url));
        let positions: Vec<u64> =
            run.stdout.lines().skip(2).filter_map(|line| line.split_whitespace().nth(1)?.parse().ok()).collect();
        if positions.len() == projections::all().len() && positions.iter().all(|position| *position >= head) {
            break;
        }
        assert!(Instant::now() < deadline, "the new leader did not follow the ledger: {}", run.stdout);
        std::thread::sleep(Duration::from_millis(200));
    }
    standby.stop();
    drop(api);
    database.drop_database().await.unwrap();
}
