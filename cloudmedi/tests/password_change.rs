//! Changing one's password over the JSON API, on both backends: a new password the policy refuses
//! and a wrong current one are refused field by field and change nothing; a change ends every session
//! of the account (this one and another device's), the old password no longer logs in and the new one
//! does, the owner is told by SMS, and the ledger records that the password changed, by whom, and
//! never the password.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use support::{bootstrap, cloudmedi, path, problem, token};

const OLD: &str = "Esther grows up in Deido";
const NEW: &str = "a new leaf on the mango tree";

fn fields(problem: &Value) -> Vec<String> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_owned()).collect()
}

async fn a_patient_changes_her_password(database_url: Option<&str>) {
    let (temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, douala_admin) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = token(&api.staff_member(&douala_admin, &douala, "LAQ-MED-1", "doctor", "690000011").await).to_owned();
    let patient = api
        .register_patient(
            &doctor,
            json!({"family_name": "Ngo Bassa", "given_names": "Esther", "sex": "female",
                   "birth_date": {"date": "1990-06-01", "estimated": false}, "region": "LT",
                   "health_district": "Deido", "phone": "655443311"}),
        )
        .await;
    let health_id = patient["health_id"].as_str().unwrap().to_owned();
    let session = api.patient_session(&health_id, "+237655443311", OLD).await;
    let other_device = api.post("/api/v1/auth/login", None, json!({"login": health_id, "password": OLD})).await;
    let other_device = token(&other_device.json::<Value>().await.unwrap()).to_owned();
    api.secrets.push(NEW.to_owned());

    let change = "/api/v1/me/password";
    let too_short = api.post(change, Some(&session), json!({"password": OLD, "new_password": "short"})).await;
    assert_eq!(fields(&problem(too_short, 400).await), ["/new_password"]);
    // Her login (the health ID) as a password is a rule of the policy beyond the schema.
    let own_login = api.post(change, Some(&session), json!({"password": OLD, "new_password": health_id})).await;
    assert_eq!(fields(&problem(own_login, 422).await), ["/new_password"]);
    let wrong = api.post(change, Some(&session), json!({"password": "not my password at all", "new_password": NEW}));
    assert_eq!(fields(&problem(wrong.await, 422).await), ["/password"]);
    assert_eq!(api.get("/api/v1/me", &session).await.status(), 200, "nothing changed");

    let sms_before = api.delivered("sms");
    let changed = api.post(change, Some(&session), json!({"password": OLD, "new_password": NEW})).await;
    assert_eq!(changed.status(), 200);
    assert_eq!(changed.json::<Value>().await.unwrap(), json!({"sessions_ended": 2}));
    for ended in [&session, &other_device] {
        problem(api.get("/api/v1/me", ended).await, 401).await;
    }
    let old = api.post("/api/v1/auth/login", None, json!({"login": health_id, "password": OLD})).await;
    problem(old, 401).await;
    let new = api.post("/api/v1/auth/login", None, json!({"login": health_id, "password": NEW})).await;
    assert_eq!(new.status(), 200);
    api.remember_tokens(&new.json::<Value>().await.unwrap());
    api.message_to("sms", "+237655443311", "password of your account", sms_before).await;
    api.server.stop();

    let export = temp.path().join("ledger.jsonl");
    let run = cloudmedi(&["export", "--data-dir", path(&api.data), "--output", path(&export)], database_url);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let exported = std::fs::read_to_string(&export).unwrap();
    let entries: Vec<Value> = exported.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let changes: Vec<&Value> =
        entries.iter().filter(|entry| entry["event_type"] == "account.password_changed").collect();
    assert_eq!(changes.len(), 1, "one change recorded, none for the refusals");
    let logged_out = entries
        .iter()
        .position(|entry| entry["event_type"] == "auth.logged_out" && entry["payload"]["scope"] == "all_sessions");
    let changed_at = entries.iter().position(|entry| entry["event_type"] == "account.password_changed");
    assert_eq!(logged_out, changed_at.map(|at| at + 1), "every session ended in the same append");
    for secret in &api.secrets {
        assert!(!exported.contains(secret.as_str()), "a secret reached the ledger");
    }
    let verify = cloudmedi(&["verify", "--data-dir", path(&api.data)], database_url);
    assert_eq!(verify.code, 0, "{}{}", verify.stdout, verify.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patient_changes_her_password_on_sqlite() {
    a_patient_changes_her_password(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_patient_changes_her_password_on_postgres() {
    let database = ScratchDatabase::create("password_change").await.unwrap();
    a_patient_changes_her_password(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
