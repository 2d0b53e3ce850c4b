//! Identity end to end, as people meet it: a real `cloudmedi serve` process on a free port, real HTTP,
//! real SQLite files and the real PostgreSQL server. The first system administrator is issued at the
//! console, registers a facility and its administrator, who registers a doctor and a nurse; a patient
//! is registered and creates their account. Everyone logs in with a second factor read from the
//! development delivery channels; wrong passwords lock out; a suspended nurse's live token stops
//! working; every step is in the ledger, no secret is, and `cloudmedi verify` passes afterwards.
//!
//! One file on purpose: its main test is one story told against one server, in order (each step needs
//! the accounts the previous one made), and splitting it would mean starting that server and its
//! accounts again.

mod support;

use ledger::testing::ScratchDatabase;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use std::time::Duration;
use support::{cloudmedi, code_in, path, problem, token, Api, Server, GENEROUS, STRONG};

/// The whole story on one backend.
async fn people_log_in_with_a_second_factor_and_everything_is_traced(database_url: Option<&str>) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let init = cloudmedi(&["init", "--data-dir", path(&data)], database_url);
    assert_eq!(init.code, 0, "{}", init.stderr);

    // The first system administrator, at the console: a one-time code, no default password.
    let issued = cloudmedi(
        &[
            "admin",
            "create-system-administrator",
            "--data-dir",
            path(&data),
            "--login",
            "minsante-adm-1",
            "--family-name",
            "Ngono",
            "--given-names",
            "Paul",
            "--email",
            "adm@minsante.cm",
        ],
        database_url,
    );
    assert_eq!(issued.code, 0, "{}", issued.stderr);
    let admin_code = code_in(&issued.stdout, "activation code: ").trim().to_owned();
    assert_eq!(admin_code.len(), 14, "{}", issued.stdout);

    let server = Server::start(&data, database_url, &[GENEROUS]);
    let mut api = Api {
        client: Client::new(),
        server,
        data: data.clone(),
        database_url: database_url.map(str::to_owned),
        outbox: data.join("outbox"),
        secrets: Vec::new(),
    };

    // A wrong activation code is refused, and so is a weak password, with a field error.
    problem(
        api.post(
            "/api/v1/auth/activate",
            None,
            json!({"login": "MINSANTE-ADM-1", "activation_code": "0000-0000-0000", "password": STRONG}),
        )
        .await,
        401,
    )
    .await;
    let weak = problem(
        api.post(
            "/api/v1/auth/activate",
            None,
            json!({"login": "MINSANTE-ADM-1", "activation_code": admin_code, "password": "password123"}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(weak["errors"][0]["field"], "/password");
    let activated = api.activate("Minsante-Adm-1", &admin_code, "Ndole and plantains on Sunday").await;
    assert_eq!(activated["role"], "system_administrator");
    assert_eq!(activated["second_factor_required"], true);
    // An activation code works once.
    problem(
        api.post(
            "/api/v1/auth/activate",
            None,
            json!({"login": "MINSANTE-ADM-1", "activation_code": admin_code, "password": STRONG}),
        )
        .await,
        401,
    )
    .await;
    let admin =
        api.login_with_code("minsante-adm-1", "Ndole and plantains on Sunday", "email", "adm@minsante.cm").await;
    let admin_token = token(&admin).to_owned();

    // The system administrator registers a facility and appoints its administrator.
    let response = api
        .post(
            "/api/v1/facilities",
            Some(&admin_token),
            json!({"name": "Hôpital Laquintinie", "level": "reference_hospital", "ownership": "public",
                   "region": "LT", "health_district": "Deido"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let facility: Value = response.json().await.unwrap();
    let facility_id = facility["facility_id"].as_str().unwrap().to_owned();
    let staff_path = format!("/api/v1/facilities/{facility_id}/staff");
    let response = api
        .post(
            &staff_path,
            Some(&admin_token),
            json!({"professional_id": "LAQ-ADM-01", "role": "facility_administrator", "family_name": "Ekambi",
                   "given_names": "Marthe", "phone": "699 00 00 01"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body = api.message_to("sms", "+237699000001", "activation code", 0).await;
    api.activate("LAQ-ADM-01", &code_in(&body, "activation code is "), "Marthe keeps the keys of Deido").await;
    let manager = api.login_with_code("laq-adm-01", "Marthe keeps the keys of Deido", "sms", "+237699000001").await;
    let manager_token = token(&manager).to_owned();
    // A facility administrator cannot register facilities, nor act for another facility.
    let facility_body = json!({"name": "Clinique X", "level": "private_clinic", "ownership": "private",
                               "region": "CE", "health_district": "Biyem-Assi"});
    problem(api.post("/api/v1/facilities", Some(&manager_token), facility_body).await, 403).await;
    let other = format!("/api/v1/facilities/{}/staff", uuid::Uuid::now_v7());
    let refused = api
        .post(
            &other,
            Some(&manager_token),
            json!({"professional_id": "X-1", "role": "doctor", "family_name": "A", "given_names": "B",
                   "phone": "699000009"}),
        )
        .await;
    problem(refused, 403).await;

    // The facility administrator registers a doctor and a nurse.
    for (id, role, family, contact) in [
        ("LAQ-MED-07", "doctor", "Fotso", json!({"phone": "+237 677 12 34 56"})),
        ("LAQ-INF-12", "nurse", "Abena", json!({"email": "Abena@Laquintinie.cm"})),
    ] {
        let mut body = json!({"professional_id": id, "role": role, "family_name": family, "given_names": "Claire"});
        body.as_object_mut().unwrap().extend(contact.as_object().unwrap().clone());
        let response = api.post(&staff_path, Some(&manager_token), body).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
    let duplicate = api
        .post(
            &staff_path,
            Some(&manager_token),
            json!({"professional_id": "laq-med-07", "role": "nurse", "family_name": "Autre", "given_names": "A",
                   "phone": "699000002"}),
        )
        .await;
    assert_eq!(problem(duplicate, 422).await["errors"][0]["field"], "/professional_id");
    let staff: Vec<Value> = api.get(&staff_path, &manager_token).await.json().await.unwrap();
    assert_eq!(staff.len(), 3, "{staff:?}");

    // The doctor activates, logs in with an SMS code, then enrols an authenticator app.
    let body = api.message_to("sms", "+237677123456", "activation code", 0).await;
    api.activate("LAQ-MED-07", &code_in(&body, "activation code is "), "Fotso reads the charts twice").await;
    let doctor = api.login_with_code("LAQ-MED-07", "Fotso reads the charts twice", "sms", "+237677123456").await;
    let doctor_token = token(&doctor).to_owned();
    // Changing the second factor needs the password again: a stolen access token is not enough.
    let refused = api.post("/api/v1/me/totp", Some(&doctor_token), json!({"password": "not the password 1"})).await;
    assert_eq!(problem(refused, 422).await["errors"][0]["field"], "/password");
    let enrolment: Value = api
        .post("/api/v1/me/totp", Some(&doctor_token), json!({"password": "Fotso reads the charts twice"}))
        .await
        .json()
        .await
        .unwrap();
    let uri = enrolment["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/CloudMedi:LAQ-MED-07?"), "{uri}");
    let secret = base32_decode(enrolment["secret"].as_str().unwrap());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let code = identity::totp::code_at(&secret, now).unwrap();
    api.secrets.push(code.clone());
    let response = api.post("/api/v1/me/totp/confirm", Some(&doctor_token), json!({"code": code})).await;
    assert_eq!(response.status(), 200);
    let recovery: Value = response.json().await.unwrap();
    let recovery_codes: Vec<String> =
        recovery["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(recovery_codes.len(), 10);
    api.secrets.extend(recovery_codes.iter().cloned());

    // With an app, logging in sends no SMS and asks for the app's code; an observed code is not
    // accepted twice.
    let response = api
        .post("/api/v1/auth/login", None, json!({"login": "LAQ-MED-07", "password": "Fotso reads the charts twice"}))
        .await;
    let challenge: Value = response.json().await.unwrap();
    assert_eq!(challenge["code_sent_by"], Value::Null);
    assert_eq!(challenge["methods"], json!(["totp", "recovery_code"]));
    let next = identity::totp::code_at(&secret, now + 30).unwrap();
    api.secrets.push(next.clone());
    let response = api
        .post(
            "/api/v1/auth/login/second-factor",
            None,
            json!({"challenge_id": challenge["challenge_id"], "method": "totp", "code": next}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let tokens: Value = response.json().await.unwrap();
    api.remember_tokens(&tokens);
    let response = api
        .post("/api/v1/auth/login", None, json!({"login": "LAQ-MED-07", "password": "Fotso reads the charts twice"}))
        .await;
    let challenge: Value = response.json().await.unwrap();
    let replayed = api
        .post(
            "/api/v1/auth/login/second-factor",
            None,
            json!({"challenge_id": challenge["challenge_id"], "method": "totp", "code": next}),
        )
        .await;
    problem(replayed, 401).await;
    // A recovery code stands in for the app, once.
    let response = api
        .post(
            "/api/v1/auth/login/second-factor",
            None,
            json!({"challenge_id": challenge["challenge_id"], "method": "recovery_code", "code": recovery_codes[0]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    api.remember_tokens(&response.json().await.unwrap());

    // Refresh tokens rotate; presenting a spent one ends its session.
    let response = api.post("/api/v1/auth/refresh", None, json!({"refresh_token": doctor["refresh_token"]})).await;
    assert_eq!(response.status(), 200);
    let rotated: Value = response.json().await.unwrap();
    api.remember_tokens(&rotated);
    assert_eq!(api.get("/api/v1/me", &doctor_token).await.status(), 401, "the old access token ended with rotation");
    assert_eq!(api.get("/api/v1/me", token(&rotated)).await.status(), 200);
    let reused = api.post("/api/v1/auth/refresh", None, json!({"refresh_token": doctor["refresh_token"]})).await;
    problem(reused, 401).await;
    assert_eq!(api.get("/api/v1/me", token(&rotated)).await.status(), 401, "reuse revoked the session");

    // The doctor registers a patient, who creates their account and logs in.
    let doctor = api.doctor_logs_in_with_a_recovery_code().await;
    let response = api
        .post(
            "/api/v1/patients",
            Some(token(&doctor)),
            json!({"national_id": "1234 56789", "family_name": "Mbarga", "given_names": "Jeanne", "sex": "female",
                   "birth_date": {"date": "1990-03-21", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655 44 33 22"}),
        )
        .await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    let patient: Value = response.json().await.unwrap();
    let health_id = patient["health_id"].as_str().unwrap().to_owned();
    assert_eq!(patient["account_activation"]["sent_by"], "sms");
    assert!(patient["account_activation"].get("code").is_none(), "a code sent by SMS is not shown to the desk");
    let again = api
        .post(
            "/api/v1/patients",
            Some(token(&doctor)),
            json!({"national_id": "123456789", "family_name": "Mbarga", "given_names": "J", "sex": "female",
                   "birth_date": {"date": "1990-03-21", "estimated": false}, "region": "LT",
                   "health_district": "Deido"}),
        )
        .await;
    let conflict = problem(again, 409).await;
    let detail = conflict["detail"].as_str().unwrap();
    assert!(detail.contains(patient["patient_id"].as_str().unwrap()), "{conflict}");
    assert!(!detail.contains(&health_id), "the pointer is not a login");
    let body = api.message_to("sms", "+237655443322", "activation code", 0).await;
    let grouped = patient["health_id_display"].as_str().unwrap().to_owned();
    api.activate(&grouped, &code_in(&body, "activation code is "), "Jeanne walks to Akwa market").await;
    // Without a second factor enrolled, a patient logs in with the password alone (by national ID too).
    let response = api
        .post("/api/v1/auth/login", None, json!({"login": "123456789", "password": "Jeanne walks to Akwa market"}))
        .await;
    let tokens: Value = response.json().await.unwrap();
    assert_eq!(tokens["account"]["role"], "patient", "{tokens}");
    api.remember_tokens(&tokens);
    // She turns on codes by SMS; from then on her login asks for one.
    let response = api
        .client
        .put(api.server.url("/api/v1/me/second-factor"))
        .bearer_auth(token(&tokens))
        .json(&json!({"method": "sms", "password": "Jeanne walks to Akwa market"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let patient_tokens = api.login_with_code(&health_id, "Jeanne walks to Akwa market", "sms", "+237655443322").await;
    let me: Value = api.get("/api/v1/me", token(&patient_tokens)).await.json().await.unwrap();
    assert_eq!(me["patient_id"], patient["patient_id"]);
    // Two requests racing with one code: exactly one gets in.
    let before = api.delivered("sms");
    let response = api
        .post("/api/v1/auth/login", None, json!({"login": health_id, "password": "Jeanne walks to Akwa market"}))
        .await;
    let challenge: Value = response.json().await.unwrap();
    let body = api.message_to("sms", "+237655443322", "login code is", before).await;
    let code = code_in(&body, "login code is ");
    api.secrets.push(code.clone());
    let attempt = json!({"challenge_id": challenge["challenge_id"], "method": "sms", "code": code});
    let statuses = api.concurrently("/api/v1/auth/login/second-factor", attempt, 2).await;
    assert_eq!(statuses.iter().filter(|status| **status == 200).count(), 1, "{statuses:?}");

    // A patient may not register patients or see staff.
    problem(api.get(&staff_path, token(&patient_tokens)).await, 403).await;

    // The nurse logs in; suspended, her live token stops working at once.
    let body = api.message_to("email", "Abena@laquintinie.cm", "activation code", 0).await;
    api.activate("LAQ-INF-12", &code_in(&body, "activation code is "), "Abena counts every dose").await;
    let nurse = api.login_with_code("LAQ-INF-12", "Abena counts every dose", "email", "Abena@laquintinie.cm").await;
    assert_eq!(api.get("/api/v1/me", token(&nurse)).await.status(), 200);
    let nurse_id = nurse["account"]["id"].as_str().unwrap().to_owned();
    let suspend_path = format!("/api/v1/staff/{nurse_id}/suspend");
    let bad_reason = api.post(&suspend_path, Some(&manager_token), json!({"reason": ""})).await;
    assert_eq!(problem(bad_reason, 400).await["errors"][0]["field"], "/reason");
    let response = api.post(&suspend_path, Some(&manager_token), json!({"reason": "left the hospital"})).await;
    assert_eq!(response.status(), 200);
    let suspended: Value = response.json().await.unwrap();
    assert_eq!(suspended["sessions_revoked"], 1);
    problem(api.get("/api/v1/me", token(&nurse)).await, 401).await;
    let refused = api.post("/api/v1/auth/refresh", None, json!({"refresh_token": nurse["refresh_token"]})).await;
    problem(refused, 401).await;
    let refused = api
        .post("/api/v1/auth/login", None, json!({"login": "LAQ-INF-12", "password": "Abena counts every dose"}))
        .await;
    problem(refused, 401).await;
    // A doctor manages no staff at all: told so before the request is read, whoever it names.
    problem(api.post(&suspend_path, Some(token(&doctor)), json!({"reason": "not mine"})).await, 403).await;
    let nobody = format!("/api/v1/staff/{}/suspend", uuid::Uuid::now_v7());
    problem(api.post(&nobody, Some(token(&doctor)), json!({"not": "a suspension"})).await, 403).await;

    // The facility administrator lifts the suspension and the nurse is back.
    let reinstate_path = format!("/api/v1/staff/{nurse_id}/reinstate");
    let response = api.post(&reinstate_path, Some(&manager_token), json!({})).await;
    assert_eq!(response.status(), 200);
    problem(api.post(&reinstate_path, Some(&manager_token), json!({})).await, 409).await;
    let nurse = api.login_with_code("LAQ-INF-12", "Abena counts every dose", "email", "Abena@laquintinie.cm").await;
    assert_eq!(api.get("/api/v1/me", token(&nurse)).await.status(), 200);

    // Logging in again with the right password does not reset the count of wrong codes (nor add to
    // it): the fifth wrong code locks the login.
    let login = json!({"login": "LAQ-INF-12", "password": "Abena counts every dose"});
    let challenge: Value = api.post("/api/v1/auth/login", None, login.clone()).await.json().await.unwrap();
    for _ in 0..3 {
        let wrong = json!({"challenge_id": challenge["challenge_id"], "method": "email", "code": "000000"});
        problem(api.post("/api/v1/auth/login/second-factor", None, wrong).await, 401).await;
    }
    let challenge: Value = api.post("/api/v1/auth/login", None, login.clone()).await.json().await.unwrap();
    assert_eq!(challenge["second_factor_required"], true);
    let wrong = json!({"challenge_id": challenge["challenge_id"], "method": "email", "code": "000000"});
    problem(api.post("/api/v1/auth/login/second-factor", None, wrong.clone()).await, 401).await;
    problem(api.post("/api/v1/auth/login/second-factor", None, wrong).await, 429).await;
    problem(api.post("/api/v1/auth/login", None, login).await, 429).await;

    // Administrators hand out only the roles below them.
    for (role, status) in [("facility_administrator", 403), ("system_administrator", 422), ("auditor", 422)] {
        let body = json!({"professional_id": "LAQ-X-1", "role": role, "family_name": "X", "given_names": "Y",
                          "phone": "699000003"});
        problem(api.post(&staff_path, Some(&manager_token), body).await, status).await;
    }
    let peer = json!({"professional_id": "MINSANTE-ADM-2", "role": "system_administrator", "family_name": "X",
                      "given_names": "Y", "email": "adm2@minsante.cm"});
    let refused = problem(api.post("/api/v1/staff", Some(&admin_token), peer).await, 422).await;
    assert_eq!(refused["errors"][0]["field"], "/role", "system administrators are made only at the console");

    // Logging out everywhere ends every session of the account.
    let response =
        api.client.post(api.server.url("/api/v1/auth/logout-all")).bearer_auth(token(&doctor)).send().await.unwrap();
    assert_eq!(response.status(), 204);
    problem(api.get("/api/v1/me", token(&doctor)).await, 401).await;

    // Guesses racing each other are counted before any is checked: four are answered, the rest refused.
    let guess = json!({"login": "RACE-1", "password": "wrong guess 1234"});
    let mut statuses = api.concurrently("/api/v1/auth/login", guess, 10).await;
    statuses.sort();
    assert_eq!(statuses, [401, 401, 401, 401, 429, 429, 429, 429, 429, 429]);

    // Wrong passwords lock the login out, known or not, for a while: even the right one is refused.
    for login in ["LAQ-MED-07", "NOBODY-99"] {
        for _ in 0..4 {
            let response =
                api.post("/api/v1/auth/login", None, json!({"login": login, "password": "wrong guess 1234"})).await;
            let body = problem(response, 401).await;
            assert_eq!(body["title"], "The credentials were not accepted");
        }
        let locking =
            api.post("/api/v1/auth/login", None, json!({"login": login, "password": "wrong guess 1234"})).await;
        assert_eq!(locking.status(), StatusCode::TOO_MANY_REQUESTS);
        let locked = api
            .post("/api/v1/auth/login", None, json!({"login": login, "password": "Fotso reads the charts twice"}))
            .await;
        assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "{login}");
        assert!(locked.headers().contains_key("retry-after"));
    }

    // Logging out ends the session.
    let response =
        api.client.post(api.server.url("/api/v1/auth/logout")).bearer_auth(&manager_token).send().await.unwrap();
    assert_eq!(response.status(), 204);
    problem(api.get(&staff_path, &manager_token).await, 401).await;

    // Restarted with one-second access tokens, the server lets them expire; the refresh token still
    // renews the session.
    api.restart(&[("CLOUDMEDI_ACCESS_TOKEN_TTL_SECS", "1"), GENEROUS]);
    let tokens = api.login_with_code(&health_id, "Jeanne walks to Akwa market", "sms", "+237655443322").await;
    assert_eq!(tokens["expires_in"], 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    problem(api.get("/api/v1/me", token(&tokens)).await, 401).await;
    let response = api.post("/api/v1/auth/refresh", None, json!({"refresh_token": tokens["refresh_token"]})).await;
    assert_eq!(response.status(), 200);
    let renewed: Value = response.json().await.unwrap();
    api.remember_tokens(&renewed);
    assert_eq!(api.get("/api/v1/me", token(&renewed)).await.status(), 200);
    api.server.stop();

    // Every step is in the ledger, which verifies, and no secret is.
    let verify = cloudmedi(&["verify", "--data-dir", path(&data)], database_url);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
    let export = temp.path().join("ledger.jsonl");
    let run = cloudmedi(&["export", "--data-dir", path(&data), "--output", path(&export)], database_url);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let exported = std::fs::read_to_string(&export).unwrap();
    let types: Vec<String> = exported
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["event_type"].as_str().unwrap().to_owned())
        .collect();
    for expected in [
        "staff.registered",
        "account.activated",
        "auth.second_factor_challenged",
        "auth.login_succeeded",
        "auth.login_failed",
        "auth.locked_out",
        "auth.refresh_token_reused",
        "account.second_factor_enrolled",
        "staff.suspended",
        "staff.reinstated",
        "auth.logged_out",
        "facility.registered",
        "patient.registered",
    ] {
        assert!(types.iter().any(|t| t == expected), "no {expected} in the ledger");
    }
    let lockouts = types.iter().filter(|t| *t == "auth.locked_out").count();
    assert_eq!(lockouts, 2, "the doctor's and the nurse's lockouts, once each; unknown logins lock no one's account");
    for secret in &api.secrets {
        assert!(!exported.contains(secret.as_str()), "a secret reached the ledger");
    }
    // The server's logs hold neither secrets nor anything about the patient.
    let logs = std::fs::read_to_string(support::server_log(&data)).unwrap();
    assert!(logs.contains("http.request"), "the server logged its requests");
    for secret in &api.secrets {
        assert!(!logs.contains(secret.as_str()), "a secret reached the logs");
    }
    for personal in ["Mbarga", "Jeanne", "655443322", health_id.as_str(), "123456789", "Abena@", "677123456"] {
        assert!(!logs.contains(personal), "personal data reached the logs: {personal}");
    }
}

impl Api {
    /// The doctor again, after the session above was revoked. The app's codes for this step and the
    /// next were used above, so without waiting for a new step a recovery code is the way in.
    async fn doctor_logs_in_with_a_recovery_code(&mut self) -> Value {
        let response = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"login": "LAQ-MED-07", "password": "Fotso reads the charts twice"}),
            )
            .await;
        let challenge: Value = response.json().await.unwrap();
        let codes =
            self.secrets.iter().filter(|s| s.len() == 19 && s.matches('-').count() == 3).cloned().collect::<Vec<_>>();
        let response = self
            .post(
                "/api/v1/auth/login/second-factor",
                None,
                json!({"challenge_id": challenge["challenge_id"], "method": "recovery_code", "code": codes[1]}),
            )
            .await;
        assert_eq!(response.status(), 200);
        let tokens: Value = response.json().await.unwrap();
        self.remember_tokens(&tokens);
        tokens
    }
}

/// RFC 4648 base 32 without padding, as authenticator apps read secrets.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut bits = 0u64;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.trim_end_matches('=').bytes() {
        let value = ALPHABET.iter().position(|a| *a == c.to_ascii_uppercase()).expect("base 32") as u64;
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}

/// Malformed, missing, overlong and forged input: a clear problem, nothing written, no crash.
async fn bad_input_is_refused_clearly(database_url: Option<&str>) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let init = cloudmedi(&["init", "--data-dir", path(&data)], database_url);
    assert_eq!(init.code, 0, "{}", init.stderr);
    let server = Server::start(&data, database_url, &[]);
    let mut api = Api {
        client: Client::new(),
        server,
        data: data.clone(),
        database_url: database_url.map(str::to_owned),
        outbox: data.join("outbox"),
        secrets: Vec::new(),
    };
    let login = "/api/v1/auth/login";

    let malformed = api
        .client
        .post(api.server.url(login))
        .header("content-type", "application/json")
        .body("{\"login\": ")
        .send()
        .await
        .unwrap();
    problem(malformed, 400).await;
    let not_json = api.client.post(api.server.url(login)).body("login=a&password=b").send().await.unwrap();
    problem(not_json, 415).await;
    let missing = problem(api.post(login, None, json!({"login": "CM1"})).await, 400).await;
    assert!(missing["errors"][0]["message"].as_str().unwrap().contains("password"), "{missing}");
    let wrong_type = problem(api.post(login, None, json!({"login": "CM1", "password": 1234567})).await, 400).await;
    assert_eq!(wrong_type["errors"][0]["field"], "/password");
    assert!(!wrong_type.to_string().contains("1234567"), "the value is not echoed");
    let overlong = problem(api.post(login, None, json!({"login": "x".repeat(500), "password": "p"})).await, 400).await;
    assert_eq!(overlong["errors"][0]["field"], "/login");
    let unknown_field = api.post(login, None, json!({"login": "a", "password": "b", "role": "admin"})).await;
    problem(unknown_field, 400).await;
    // The null character, which PostgreSQL cannot hold in text, is refused on every backend, wherever
    // it is: a rule of every string, which the document states once (422).
    let activation = json!({"login": "CM\u{0}1", "activation_code": "abcd-efgh-ijkl", "password": STRONG});
    for (path, body) in
        [(login, json!({"login": "CM\u{0}1", "password": STRONG})), ("/api/v1/auth/activate", activation)]
    {
        let refused = problem(api.post(path, None, body).await, 422).await;
        assert_eq!(refused["errors"][0]["field"], "/login", "{refused}");
        assert_eq!(refused["type"], "/problems/rule-violated", "{refused}");
    }
    // An unknown account and a wrong password get the very same answer.
    let unknown =
        problem(api.post(login, None, json!({"login": "CM 000 000 000 0", "password": STRONG})).await, 401).await;
    assert_eq!(unknown["title"], "The credentials were not accepted");
    // Forged and malformed tokens, and codes for challenges that do not exist.
    for header in ["Bearer forged-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer ☃"] {
        let response = api.client.get(api.server.url("/api/v1/me")).header("authorization", header).send().await;
        if let Ok(response) = response {
            problem(response, 401).await;
        }
    }
    let response = api.client.get(api.server.url("/api/v1/me")).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    problem(response, 401).await;
    let challenge = json!({"challenge_id": uuid::Uuid::now_v7(), "method": "sms", "code": "123456"});
    problem(api.post("/api/v1/auth/login/second-factor", None, challenge).await, 401).await;
    let bad_method = json!({"challenge_id": uuid::Uuid::now_v7(), "method": "carrier_pigeon", "code": "1"});
    let bad = problem(api.post("/api/v1/auth/login/second-factor", None, bad_method).await, 400).await;
    assert_eq!(bad["errors"][0]["field"], "/method");
    problem(api.post("/api/v1/auth/refresh", None, json!({"refresh_token": "forged"})).await, 401).await;
    problem(api.post("/api/v1/facilities", None, json!({})).await, 401).await;

    // One address may make only so many unauthenticated attempts in a row, whatever logins it tries.
    api.restart(&[("CLOUDMEDI_AUTH_ATTEMPTS_BURST", "3"), ("CLOUDMEDI_AUTH_ATTEMPTS_PERIOD_MS", "60000")]);
    for n in 0..3 {
        let body = json!({"login": format!("SPRAY-{n}"), "password": STRONG});
        problem(api.post(login, None, body).await, 401).await;
    }
    let limited = api.post(login, None, json!({"login": "SPRAY-9", "password": STRONG})).await;
    assert!(limited.headers().contains_key("retry-after"));
    problem(limited, 429).await;
    // Authenticated requests and health checks are not held back by it.
    assert_eq!(api.client.get(api.server.url("/health")).send().await.unwrap().status(), 200);

    api.server.stop();
    let verify = cloudmedi(&["verify", "--data-dir", path(&data)], database_url);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_on_sqlite() {
    people_log_in_with_a_second_factor_and_everything_is_traced(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_identity").await.expect("PostgreSQL must be running");
    people_log_in_with_a_second_factor_and_everything_is_traced(Some(database.url())).await;
    database.drop_database().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_on_sqlite() {
    bad_input_is_refused_clearly(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_identity_input").await.expect("PostgreSQL must be running");
    bad_input_is_refused_clearly(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
