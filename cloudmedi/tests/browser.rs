//! The protections a browser applies when the server asks, checked on every kind of answer: JSON, a
//! problem, and each HTML page (the printable vaccination card, GraphiQL, the API reference). The
//! headers do not depend on the storage backend, so this runs on the embedded default only.

mod support;

use serde_json::{json, Value};
use support::{bootstrap, token};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_carries_the_browser_protections() {
    let (_temp, mut api, admin) = bootstrap(None).await;
    let (douala, manager) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let doctor = api.staff_member(&manager, &douala, "LAQ-MED-1", "doctor", "690000011").await;
    let doctor = token(&doctor).to_owned();
    let response = api
        .post(
            "/api/v1/patients",
            Some(&doctor),
            json!({"family_name": "Mbarga", "given_names": "Paul", "sex": "male",
                   "birth_date": {"date": "2024-06-01", "estimated": false}, "region": "LT",
                   "health_district": "Deido"}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let patient: Value = response.json().await.unwrap();
    let record = format!("/api/v1/patients/{}", patient["patient_id"].as_str().unwrap());

    // JSON and problems: nothing to load, nothing to run, never framed.
    let health = api.client.get(api.server.url("/health")).send().await.unwrap();
    let missing = api.client.get(api.server.url("/no/such/page")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    for response in [&health, &missing] {
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(headers["referrer-policy"], "no-referrer");
        let policy = headers["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "{policy}");
    }

    // The card runs no script and uses only its own style sheet, allowed by its hash.
    let card = api.get(&format!("{record}/vaccination-card"), &doctor).await;
    assert_eq!(card.status(), 200);
    assert_eq!(card.headers()["x-content-type-options"], "nosniff");
    assert_eq!(card.headers()["referrer-policy"], "no-referrer");
    let policy = card.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("default-src 'none'"), "{policy}");
    assert!(policy.contains("frame-ancestors 'none'"), "{policy}");
    assert!(policy.contains("style-src 'sha256-"), "the card's style sheet is allowed by its hash: {policy}");
    assert!(!policy.contains("unsafe-inline") && !policy.contains("script-src"), "the card runs no script: {policy}");

    // GraphiQL and the API reference run scripts from this origin only.
    for page in ["/graphql", "/api/v1/docs"] {
        let response = api.client.get(api.server.url(page)).header("accept", "text/html").send().await.unwrap();
        assert_eq!(response.status(), 200, "{page}");
        assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"), "{page}");
        assert_eq!(response.headers()["x-content-type-options"], "nosniff");
        assert_eq!(response.headers()["referrer-policy"], "no-referrer");
        let policy = response.headers()["content-security-policy"].to_str().unwrap();
        let scripts = policy.split(';').find(|directive| directive.trim().starts_with("script-src")).unwrap();
        assert!(!scripts.contains("unsafe") && !scripts.contains("http"), "{page}: {policy}");
        assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "{page}");
    }
}
