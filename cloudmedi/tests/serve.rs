//! `cloudmedi serve` as an operator runs it: a real process on a free port, driven over real HTTP,
//! on the embedded default and on PostgreSQL, stopped with SIGTERM.

mod support;

use ledger::testing::ScratchDatabase;
use std::process::Command;
use support::Server;

/// A body limit small enough that an over-limit request is sent whole before it is refused.
const SMALL_BODIES: (&str, &str) = ("CLOUDMEDI_REQUEST_BODY_LIMIT", "4096");

async fn problem(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert!(response.headers().contains_key("x-request-id"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    body
}

async fn exercise(server: &Server) {
    let client = reqwest::Client::new();
    let health = client.get(server.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert_eq!(health.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    let ready = client.get(server.url("/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.json::<serde_json::Value>().await.unwrap()["ledger_position"], 2);

    problem(client.get(server.url("/no/such/thing")).send().await.unwrap(), 404).await;
    let not_allowed = client.delete(server.url("/health")).send().await.unwrap();
    assert_eq!(not_allowed.headers()["allow"], "GET,HEAD", "the converted problem keeps the response's headers");
    problem(not_allowed, 405).await;
    // The request id is the server's own, whatever the client sends.
    let echoed = client.get(server.url("/health")).header("x-request-id", "client-chosen").send().await.unwrap();
    let request_id = echoed.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(request_id != "client-chosen" && uuid::Uuid::parse_str(&request_id).is_ok(), "{request_id}");
    // Over the limit the servers below are started with (small, so the whole body is sent before the
    // server answers and closes the connection).
    problem(client.post(server.url("/health")).body(vec![b'x'; 8 * 1024]).send().await.unwrap(), 413).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_on_the_embedded_default_and_stops_cleanly() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    // No init: serve creates the embedded data directory itself.
    let server = Server::start(&data, None, &[SMALL_BODIES]);
    exercise(&server).await;
    server.stop();
    assert!(data.join("keys/root.pub").is_file());
    assert!(data.join("outbox").is_dir(), "the development delivery channels write here");

    // Restarting reuses the same ledger.
    let server = Server::start(&data, None, &[]);
    let ready: serde_json::Value = reqwest::get(server.url("/ready")).await.unwrap().json().await.unwrap();
    assert_eq!(ready["ledger_position"], 2);
    server.stop();
    let verify = Command::new(env!("CARGO_BIN_EXE_cloudmedi"))
        .args(["verify", "--data-dir", data.to_str().unwrap()])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stdout));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_its_openapi_document_and_interactive_docs() {
    let temp = tempfile::tempdir().unwrap();
    let server = Server::start(&temp.path().join("data"), None, &[]);
    let client = reqwest::Client::new();

    let document = client.get(server.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(document.status(), 200);
    assert_eq!(document.headers()["content-type"], "application/json");
    let document: serde_json::Value = document.json().await.unwrap();
    assert!(document["openapi"].as_str().is_some_and(|version| version.starts_with("3.1")), "{}", document["openapi"]);
    assert!(document["paths"]["/api/v1/auth/login"]["post"].is_object());

    let docs = client.get(server.url("/api/v1/docs")).send().await.unwrap();
    assert_eq!(docs.status(), 200);
    let content_type = docs.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let page = docs.text().await.unwrap();
    assert!(page.contains("CloudMedi command API") && page.contains("/assets/cloudmedi/docs-start.js"), "{page}");
    let start = client.get(server.url("/assets/cloudmedi/docs-start.js")).send().await.unwrap();
    assert_eq!(start.status(), 200);
    assert!(start.text().await.unwrap().contains("/api/v1/openapi.json"), "the page shows the served document");
    server.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_serve").await.expect("PostgreSQL must be running");
    let url = database.url().to_owned();
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");

    // A PostgreSQL ledger is never created implicitly.
    let refused = Command::new(env!("CARGO_BIN_EXE_cloudmedi"))
        .args(["serve", "--data-dir", data.to_str().unwrap(), "--listen", "127.0.0.1:0"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("cloudmedi init --database-url"));

    let init = Command::new(env!("CARGO_BIN_EXE_cloudmedi"))
        .args(["init", "--data-dir", data.to_str().unwrap()])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", String::from_utf8_lossy(&init.stderr));
    let server = Server::start(&data, Some(&url), &[SMALL_BODIES]);
    exercise(&server).await;
    server.stop();
    database.drop_database().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_is_layered_file_then_environment_then_flags() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let init = Command::new(env!("CARGO_BIN_EXE_cloudmedi"))
        .args(["init", "--data-dir", data.to_str().unwrap()])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert!(init.status.success());
    // The file asks for a listen address the flag overrides, and a body limit the environment overrides.
    std::fs::write(data.join("cloudmedi.toml"), "listen = \"127.0.0.1:1\"\nrequest_body_limit = 100\n").unwrap();

    let server = Server::start(&data, None, &[]);
    let client = reqwest::Client::new();
    problem(client.post(server.url("/health")).body(vec![b'x'; 200]).send().await.unwrap(), 413).await;
    server.stop();

    let server = Server::start(&data, None, &[("CLOUDMEDI_REQUEST_BODY_LIMIT", "1000")]);
    problem(client.post(server.url("/health")).body(vec![b'x'; 200]).send().await.unwrap(), 405).await;
    server.stop();

    std::fs::write(data.join("cloudmedi.toml"), "listen = \"127.0.0.1:0\"\nno_such_setting = 1\n").unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_cloudmedi"))
        .args(["serve", "--data-dir", data.to_str().unwrap()])
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("invalid configuration") && stderr.contains("no_such_setting"), "{stderr}");
}
