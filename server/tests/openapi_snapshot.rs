//! The OpenAPI document is committed as `server/openapi.json`, so that a change to the API's shape
//! shows up in review as a change to that file: this test fails when the document the handlers'
//! annotations produce drifts from the snapshot without it being regenerated on purpose.
//!
//! To regenerate after a deliberate change:
//! `CLOUDMEDI_UPDATE_SNAPSHOTS=1 cargo test -p server --test openapi_snapshot`, then review the diff.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn snapshot_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

fn document() -> serde_json::Value {
    serde_json::to_value(server::openapi()).expect("the document serialises")
}

#[test]
fn the_openapi_document_matches_its_committed_snapshot() {
    let text = serde_json::to_string_pretty(&server::openapi()).expect("the document serialises") + "\n";
    if std::env::var("CLOUDMEDI_UPDATE_SNAPSHOTS").is_ok_and(|value| value == "1") {
        std::fs::write(snapshot_path(), &text).expect("write the snapshot");
        return;
    }
    let committed = std::fs::read_to_string(snapshot_path()).unwrap_or_default();
    assert!(
        committed == text,
        "the OpenAPI document differs from {}. If the change to the API is deliberate, run\n  \
         CLOUDMEDI_UPDATE_SNAPSHOTS=1 cargo test -p server --test openapi_snapshot\nand commit the \
         reviewed snapshot.",
        snapshot_path().display()
    );
}

/// Every route the application serves, as `METHOD path`, except the document's own two (the JSON and
/// the docs page). The routers register handlers only through their annotations, so a route missing
/// here or in the document means one of the two is out of date.
const ROUTES: &[&str] = &[
    "GET /health",
    "GET /ready",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/login/second-factor",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/logout",
    "POST /api/v1/auth/logout-all",
    "POST /api/v1/auth/activate",
    "GET /api/v1/me",
    "POST /api/v1/me/totp",
    "POST /api/v1/me/totp/confirm",
    "PUT /api/v1/me/second-factor",
    "POST /api/v1/me/password",
    "POST /api/v1/facilities",
    "GET /api/v1/facilities",
    "GET /api/v1/facilities/{facility_id}",
    "POST /api/v1/facilities/{facility_id}/staff",
    "GET /api/v1/facilities/{facility_id}/staff",
    "POST /api/v1/staff",
    "GET /api/v1/staff",
    "POST /api/v1/staff/{account_id}/suspend",
    "POST /api/v1/staff/{account_id}/reinstate",
    "POST /api/v1/staff/{account_id}/activation",
    "POST /api/v1/patients",
    "POST /api/v1/patients/{patient_id}/allergies",
    "POST /api/v1/patients/{patient_id}/conditions",
    "POST /api/v1/patients/{patient_id}/immunizations",
    "POST /api/v1/patients/{patient_id}/encounters",
    "POST /api/v1/patients/{patient_id}/prescriptions",
    "POST /api/v1/patients/{patient_id}/prescriptions/{entry_id}/cancel",
    "POST /api/v1/patients/{patient_id}/referrals",
    "POST /api/v1/patients/{patient_id}/entries/{entry_id}/entered-in-error",
    "POST /api/v1/patients/{patient_id}/consents",
    "DELETE /api/v1/patients/{patient_id}/consents/{facility_id}",
    "POST /api/v1/patients/{patient_id}/guardians",
    "POST /api/v1/patients/{patient_id}/guardians/{guardian_patient_id}/end",
    "POST /api/v1/patients/{patient_id}/break-glass",
    "POST /api/v1/patients/{patient_id}/medical-history",
    "POST /api/v1/patients/{patient_id}/family-history",
    "POST /api/v1/patients/{patient_id}/treatments",
    "POST /api/v1/patients/{patient_id}/treatments/{entry_id}/stop",
    "POST /api/v1/patients/{patient_id}/vital-signs",
    "POST /api/v1/patients/{patient_id}/lab-orders",
    "POST /api/v1/patients/{patient_id}/lab-results",
    "POST /api/v1/patients/{patient_id}/appointments",
    "POST /api/v1/patients/{patient_id}/appointments/{entry_id}/reschedule",
    "POST /api/v1/patients/{patient_id}/appointments/{entry_id}/close",
    "POST /api/v1/patients/{patient_id}/death",
    "POST /api/v1/patients/{patient_id}/merge",
    "GET /api/v1/patients/{patient_id}/vaccination-card",
    "GET /api/v1/patients/{patient_id}/reminder-preferences",
    "PUT /api/v1/patients/{patient_id}/reminder-preferences",
    "GET /api/v1/statistics/export.csv",
    "GET /api/v1/statistics/dhis2/dataValueSets",
    "GET /statistics",
    "GET /metrics",
];

/// The routes anyone may call without a session.
const PUBLIC: &[&str] = &[
    "GET /health",
    "GET /ready",
    "GET /metrics",
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/login/second-factor",
    "POST /api/v1/auth/refresh",
    "POST /api/v1/auth/activate",
];

/// Every operation of the document, as `METHOD path`, with the operation itself.
fn operations(document: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    let mut operations = BTreeMap::new();
    for (path, item) in document["paths"].as_object().expect("the document has paths") {
        for (method, operation) in item.as_object().expect("a path item is an object") {
            operations.insert(format!("{} {path}", method.to_uppercase()), operation.clone());
        }
    }
    operations
}

#[test]
fn the_document_describes_every_route_and_only_those() {
    let document = document();
    let described: BTreeSet<String> = operations(&document).into_keys().collect();
    let served: BTreeSet<String> = ROUTES.iter().map(|route| route.to_string()).collect();
    assert_eq!(described, served);
}

/// Operation ids default to the handler's name, and two modules may both have a `register`: clients
/// generated from the document name their methods after these ids, so each must be unique.
#[test]
fn operation_ids_are_unique() {
    let mut seen = BTreeMap::new();
    for (route, operation) in operations(&document()) {
        let id = operation["operationId"].as_str().unwrap_or_else(|| panic!("{route} has an operation id")).to_owned();
        if let Some(earlier) = seen.insert(id.clone(), route.clone()) {
            panic!("{earlier} and {route} are both `{id}`");
        }
    }
}

/// Sends each route of [`ROUTES`] to the application as a client without a session or a body would:
/// the routes that need a session answer 401, the public ones that take a body 415, and health and
/// readiness 200. None may answer 404 or 405, which would mean the router does not serve it as
/// described.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_described_route_is_served_as_described() {
    use axum::body::Body;
    use axum::http::{Method, Request};
    use tower::ServiceExt;

    let (_dir, app) = support::app().await;

    for route in ROUTES {
        let (method, path) = route.split_once(' ').expect("METHOD path");
        let uri = path
            .replace("{facility_id}", &uuid::Uuid::nil().to_string())
            .replace("{account_id}", &uuid::Uuid::nil().to_string());
        let request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("a method"))
            .uri(uri)
            .body(Body::empty())
            .expect("a request");
        let status = app.clone().oneshot(request).await.expect("an answer").status().as_u16();
        let expected = match *route {
            _ if !PUBLIC.contains(route) => 401,
            _ if method == "GET" => 200,
            _ => 415,
        };
        assert_eq!(status, expected, "{route}");
    }
}

#[test]
fn every_operation_is_tagged_summarised_and_secured_as_it_is_served() {
    let document = document();
    assert!(document["openapi"].as_str().is_some_and(|version| version.starts_with("3.1")));
    assert_eq!(document["info"]["title"], "CloudMedi command API");
    assert_eq!(document["info"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(document["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    for (route, operation) in operations(&document) {
        let tags = operation["tags"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(tags, 1, "{route} has one tag");
        assert!(operation["summary"].as_str().is_some_and(|summary| !summary.is_empty()), "{route} has a summary");
        let secured = operation["security"]
            .as_array()
            .is_some_and(|requirements| requirements.iter().any(|requirement| requirement.get("bearer").is_some()));
        assert_eq!(secured, !PUBLIC.contains(&route.as_str()), "{route}: bearer security as served");
        let responses = operation["responses"].as_object().expect("responses");
        if secured {
            assert!(responses.contains_key("401"), "{route} documents its 401");
        }
        for (status, response) in responses {
            if status.starts_with('4') || status.starts_with('5') {
                let content = response.get("content").or_else(|| {
                    let name = response["$ref"].as_str()?.strip_prefix("#/components/responses/")?;
                    document["components"]["responses"][name].get("content")
                });
                let problem = content.and_then(|content| content.get("application/problem+json"));
                assert!(problem.is_some(), "{route} answers {status} as problem+json");
            }
        }
    }
}

/// Every `$ref` in `value`.
fn references(value: &serde_json::Value, found: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::String(reference)) = map.get("$ref") {
                found.insert(reference.clone());
            }
            map.values().for_each(|value| references(value, found));
        }
        serde_json::Value::Array(values) => values.iter().for_each(|value| references(value, found)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let document = document();
    let mut found = BTreeSet::new();
    references(&document, &mut found);
    assert!(!found.is_empty());
    for reference in found {
        let pointer = reference.strip_prefix('#').unwrap_or_else(|| panic!("{reference} is not local"));
        assert!(document.pointer(pointer).is_some(), "{reference} names nothing in the document");
    }
}

/// Schemas are named after their Rust type; two modules with a type of the same name (each has a
/// `RegisterRequest`) would otherwise silently share one schema, the first merged.
#[test]
fn no_two_route_modules_give_different_schemas_one_name() {
    use command_api::routes;
    use utoipa::OpenApi;
    let modules = [
        ("the document's base", http_shell::document::ApiDoc::openapi()),
        ("health", server::health::router().into_openapi()),
        ("auth", routes::auth::router(None).into_openapi()),
        ("me", routes::me::router().into_openapi()),
        ("facilities", routes::facilities::router().into_openapi()),
        ("staff", routes::staff::router().into_openapi()),
        ("patients", routes::patients::router().into_openapi()),
        ("clinical", routes::clinical::router().into_openapi()),
        ("the read side", query_api::http::routes().into_openapi()),
    ];
    let mut seen: BTreeMap<String, (&str, serde_json::Value)> = BTreeMap::new();
    for (module, document) in &modules {
        let schemas = document.components.as_ref().map(|components| components.schemas.clone()).unwrap_or_default();
        for (name, schema) in schemas {
            let schema = serde_json::to_value(schema).expect("a schema serialises");
            match seen.get(&name) {
                Some((first, earlier)) => {
                    assert_eq!(earlier, &schema, "`{name}` means different things in {first} and {module}")
                }
                None => {
                    seen.insert(name, (module, schema));
                }
            }
        }
    }
}
