//! A first try with demo data: `cloudmedi demo` prints development accounts (a system administrator,
//! an auditor, an analyst, and one member of each role at a few facilities) with their activation
//! codes, and a new user activates one and logs in with the code the outbox received, without creating
//! a chain of administrators first. On SQLite and PostgreSQL.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{cloudmedi, code_in, path, Server};

/// A printed account: role, login, activation code.
struct Printed {
    role: String,
    login: String,
    code: String,
}

fn printed_accounts(stdout: &str) -> Vec<Printed> {
    stdout
        .lines()
        .skip_while(|line| !line.starts_with("development accounts"))
        .skip(1)
        .map_while(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let is_account = line.starts_with("  ") && words.len() >= 4 && words[2].matches('-').count() == 2;
            is_account.then(|| Printed { role: words[0].into(), login: words[1].into(), code: words[2].into() })
        })
        .collect()
}

/// The newest `sms` message after the first `after` holding a login code, waiting for the dispatcher.
async fn login_code(outbox: &Path, after: usize) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = std::fs::read_to_string(outbox.join("sms.jsonl")).unwrap_or_default();
        let found = text
            .lines()
            .skip(after)
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter_map(|message| message["body"].as_str().map(str::to_owned))
            .filter(|body| body.contains("login code is"))
            .last();
        if let Some(body) = found {
            return code_in(&body, "login code is ");
        }
        assert!(Instant::now() < deadline, "no login code in the outbox");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn demo_accounts_let_a_new_user_in(database_url: Option<&str>) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    if database_url.is_some() {
        let run = cloudmedi(&["init", "--data-dir", path(&data)], database_url);
        assert_eq!(run.code, 0, "init failed: {}", run.stderr);
    }
    let run =
        cloudmedi(&["demo", "--data-dir", path(&data), "--events", "3000", "--as-of", "2025-06-30"], database_url);
    assert_eq!(run.code, 0, "demo failed: {}{}", run.stdout, run.stderr);
    let accounts = printed_accounts(&run.stdout);
    let roles: Vec<&str> = accounts.iter().map(|account| account.role.as_str()).collect();
    for role in [
        "system_administrator",
        "auditor",
        "health_authority_analyst",
        "facility_administrator",
        "doctor",
        "nurse",
        "lab_technician",
        "registration_clerk",
    ] {
        assert!(roles.contains(&role), "an account for a {role}: {}", run.stdout);
    }
    assert!(roles.iter().filter(|role| **role == "doctor").count() >= 2, "doctors at a few facilities: {roles:?}");
    assert!(run.stdout.contains("/api/v1/auth/activate"), "says how to log in: {}", run.stdout);
    assert!(run.stdout.lines().last().unwrap_or_default().starts_with("showcase patient "), "{}", run.stdout);

    let server = Server::start(&data, database_url, &[]);
    let client = reqwest::Client::new();
    let outbox = data.join("outbox");
    for role in ["doctor", "auditor", "health_authority_analyst"] {
        let account = accounts.iter().find(|account| account.role == role).unwrap();
        let password = "a long demo passphrase 42";
        let activated = client
            .post(server.url("/api/v1/auth/activate"))
            .json(&json!({"login": account.login, "activation_code": account.code, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(activated.status(), 200, "{}", activated.text().await.unwrap());
        let before = std::fs::read_to_string(outbox.join("sms.jsonl")).unwrap_or_default().lines().count();
        let challenge: Value = client
            .post(server.url("/api/v1/auth/login"))
            .json(&json!({"login": account.login, "password": password}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(challenge["code_sent_by"], "sms", "{challenge}");
        let code = login_code(&outbox, before).await;
        let tokens: Value = client
            .post(server.url("/api/v1/auth/login/second-factor"))
            .json(&json!({"challenge_id": challenge["challenge_id"], "method": "sms", "code": code}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = tokens["access_token"].as_str().unwrap_or_else(|| panic!("{role} logged in: {tokens}"));
        let me: Value =
            client.get(server.url("/api/v1/me")).bearer_auth(token).send().await.unwrap().json().await.unwrap();
        assert_eq!(me["role"], role, "{me}");
    }
    server.stop();
}

#[tokio::test]
async fn demo_accounts_on_sqlite() {
    demo_accounts_let_a_new_user_in(None).await;
}

#[tokio::test]
async fn demo_accounts_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_demo_accounts").await.unwrap();
    demo_accounts_let_a_new_user_in(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
