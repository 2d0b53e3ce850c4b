//! The login lockout as a user meets it, on both backends: only failures count towards it, so a user
//! who mistypes their password four times and then gets it right (and proves their code) is let in;
//! five failures lock the account, the right password included.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::json;
use support::{bootstrap, Api};

async fn login(api: &Api, login: &str, password: &str) -> u16 {
    let response = api.post("/api/v1/auth/login", None, json!({"login": login, "password": password})).await;
    response.status().as_u16()
}

async fn five_failures_lock_an_account(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, manager) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    api.staff_member(&manager, &douala, "LAQ-MED-1", "doctor", "690000011").await;

    // Four wrong passwords, then the right password and the right code: logged in.
    let password = "steady hands on the night rota";
    for _ in 0..4 {
        assert_eq!(login(&api, "LAQ-MED-1", "not my password at all").await, 401);
    }
    api.login_with_code("LAQ-MED-1", password, "sms", "+237690000011").await;
    // The completed login forgot the failures: four more are still not a lockout.
    for _ in 0..4 {
        assert_eq!(login(&api, "LAQ-MED-1", "not my password at all").await, 401);
    }
    api.login_with_code("LAQ-MED-1", password, "sms", "+237690000011").await;
    // Five failures lock the account, the right password included.
    for attempt in 1..=5 {
        let expected = if attempt < 5 { 401 } else { 429 };
        assert_eq!(login(&api, "LAQ-MED-1", "not my password at all").await, expected, "attempt {attempt}");
    }
    assert_eq!(login(&api, "LAQ-MED-1", password).await, 429);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lockout_on_sqlite() {
    five_failures_lock_an_account(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lockout_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_lockout").await.expect("PostgreSQL must be running");
    five_failures_lock_an_account(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
