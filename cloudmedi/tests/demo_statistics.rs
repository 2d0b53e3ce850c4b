//! What an analyst sees of `cloudmedi demo` data: the measles outbreak the demo places in Mokolo (Far
//! North) a few weeks before the as-of day crosses the epidemic threshold in the alerts, and deaths are
//! counted. On SQLite and PostgreSQL.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use std::path::Path;
use std::time::{Duration, Instant};
use support::{cloudmedi, code_in, path, Server};

const AS_OF: &str = "2025-06-30";
/// Twelve weeks before the as-of day: what the dashboard's alerts show by default.
const ALERTS_FROM: &str = "2025-04-07";

/// The analyst's login and activation code, from the accounts the demo prints.
fn analyst(stdout: &str) -> (String, String) {
    let line = stdout.lines().find(|line| line.trim_start().starts_with("health_authority_analyst")).unwrap();
    let words: Vec<&str> = line.split_whitespace().collect();
    (words[1].to_owned(), words[2].to_owned())
}

/// Activates the analyst's account and logs in with the code sent to its phone; returns the token.
async fn log_in(server: &Server, outbox: &Path, login: &str, activation_code: &str) -> String {
    let client = reqwest::Client::new();
    let password = "a long demo passphrase 42";
    let body = json!({"login": login, "activation_code": activation_code, "password": password});
    let activated = client.post(server.url("/api/v1/auth/activate")).json(&body).send().await.unwrap();
    assert_eq!(activated.status(), 200, "{}", activated.text().await.unwrap());
    let sent_before = std::fs::read_to_string(outbox.join("sms.jsonl")).unwrap_or_default().lines().count();
    let body = json!({"login": login, "password": password});
    let challenge: Value =
        client.post(server.url("/api/v1/auth/login")).json(&body).send().await.unwrap().json().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let code = loop {
        let text = std::fs::read_to_string(outbox.join("sms.jsonl")).unwrap_or_default();
        let sent = text.lines().skip(sent_before).filter_map(|line| serde_json::from_str::<Value>(line).ok());
        let body = sent.filter_map(|message| message["body"].as_str().map(str::to_owned)).last();
        if let Some(body) = body.filter(|body| body.contains("login code is")) {
            break code_in(&body, "login code is ");
        }
        assert!(Instant::now() < deadline, "no login code in the outbox");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let body = json!({"challenge_id": challenge["challenge_id"], "method": "sms", "code": code});
    let tokens: Value = client
        .post(server.url("/api/v1/auth/login/second-factor"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    tokens["access_token"].as_str().unwrap_or_else(|| panic!("the analyst logged in: {tokens}")).to_owned()
}

async fn graphql(server: &Server, token: &str, query: &str) -> Value {
    let response = reqwest::Client::new()
        .post(server.url("/graphql"))
        .bearer_auth(token)
        .json(&json!({"query": query}))
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let body: Value = response.json().await.unwrap();
    assert!(body["errors"].is_null(), "{body}");
    body
}

async fn an_analyst_sees_the_demo_outbreak_and_deaths(database_url: Option<&str>) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    if database_url.is_some() {
        let run = cloudmedi(&["init", "--data-dir", path(&data)], database_url);
        assert_eq!(run.code, 0, "init failed: {}", run.stderr);
    }
    let args = ["demo", "--data-dir", path(&data), "--events", "20000", "--seed", "5", "--as-of", AS_OF];
    let run = cloudmedi(&args, database_url);
    assert_eq!(run.code, 0, "demo failed: {}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("  outbreak: measles (B05.9) in Mokolo (EN)"), "{}", run.stdout);
    let (login, activation_code) = analyst(&run.stdout);

    let server = Server::start(&data, database_url, &[]);
    let token = log_in(&server, &data.join("outbox"), &login, &activation_code).await;
    let query = format!(
        r#"{{ statistics {{
             alerts(from: "{ALERTS_FROM}", to: "{AS_OF}") {{ disease {{ code }} district region {{ code }} week level }}
             deaths: table(indicator: DEATHS, rows: REGION, filter: {{from: "2020-07-01", to: "{AS_OF}"}}) {{
               total {{ value suppressed }} }} }} }}"#
    );
    // The projectors fold the demo's entries once the server runs, page by page; the outbreak's weeks
    // may be folded before the last deaths are, so the answer is awaited until it shows both.
    let deadline = Instant::now() + Duration::from_secs(60);
    let body = loop {
        let body = graphql(&server, &token, &query).await;
        let alerts = body["data"]["statistics"]["alerts"].as_array().cloned().unwrap_or_default();
        let epidemic = alerts.iter().any(|alert| {
            alert["disease"]["code"] == "measles"
                && alert["district"] == "Mokolo"
                && alert["region"]["code"] == "EN"
                && alert["level"] == "EPIDEMIC"
        });
        let deaths = &body["data"]["statistics"]["deaths"]["total"];
        let counted = deaths["suppressed"] == false && deaths["value"].as_i64().is_some_and(|n| n >= 5);
        if epidemic && counted {
            break body;
        }
        assert!(
            Instant::now() < deadline,
            "no measles epidemic in Mokolo among the alerts, or deaths not counted: {body}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let deaths = &body["data"]["statistics"]["deaths"]["total"];
    assert_eq!(deaths["suppressed"], false, "{body}");
    assert!(deaths["value"].as_i64().is_some_and(|n| n >= 5), "deaths are counted: {body}");
    server.stop();
}

#[tokio::test]
async fn an_analyst_sees_the_demo_outbreak_and_deaths_on_sqlite() {
    an_analyst_sees_the_demo_outbreak_and_deaths(None).await;
}

#[tokio::test]
async fn an_analyst_sees_the_demo_outbreak_and_deaths_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_demo_statistics").await.unwrap();
    an_analyst_sees_the_demo_outbreak_and_deaths(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
