//! What one caller may cost: a malformed query's errors are capped, introspection needs a token unless
//! a setting allows it, and each account has a cost budget per minute.

use domain::access::Principal;
use event_schema::{events, Role};
use ledger::{Ledger, SqliteStorage, Storage};
use projections::read::ReadModels;
use query_api::{QueryApi, QuerySettings, Read, ReadRecorder, Recording, TableRead, Viewer, MAX_ERRORS};
use serde_json::Value;
use std::sync::Arc;
use uuid::Uuid;

struct Discard;

impl ReadRecorder for Discard {
    fn record(&self, _: Vec<Read>) -> Recording<'_> {
        Box::pin(std::future::ready(Ok(())))
    }

    fn record_statistics(&self, _: Vec<TableRead>) -> Recording<'_> {
        Box::pin(std::future::ready(Ok(())))
    }
}

/// An empty ledger's read models, and the ledger to close at the end.
async fn read_models() -> (tempfile::TempDir, Ledger, ReadModels) {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> =
        Arc::new(SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.unwrap());
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "test").await.unwrap();
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await.unwrap();
    projections::migrate(&storage.database()).await.unwrap();
    (dir, ledger, ReadModels::new(storage.database()))
}

fn doctor() -> Viewer {
    Viewer {
        principal: Principal {
            account_id: Uuid::now_v7(),
            role: Role::Doctor,
            facility_id: Some(Uuid::now_v7()),
            patient_id: None,
            region: None,
        },
    }
}

async fn run(api: &QueryApi, query: &str, viewer: Option<Viewer>) -> (Value, usize) {
    let response = api.execute(async_graphql::Request::new(query), viewer).await;
    let text = serde_json::to_string(&response).unwrap();
    (serde_json::from_str(&text).unwrap(), text.len())
}

fn codes(body: &Value) -> Vec<&str> {
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["extensions"]["code"].as_str().unwrap_or("")).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_errors_is_capped_with_a_count_of_the_rest() {
    let (_dir, ledger, models) = read_models().await;
    let api = QueryApi::new(models, Arc::new(Discard));
    // 20,000 repeated directives, then 20,000 repeated variable definitions: each repetition an error.
    let directives = format!("{{ me{} {{ role }} }}", " @include(if: true)".repeat(20_000));
    let variables =
        format!("query({}) {{ me {{ role }} }}", (0..20_000).map(|_| "$a: Int").collect::<Vec<_>>().join(", "));
    for query in [directives, variables] {
        // Without a session, the request is refused once parsed, with one error and before validation.
        let (body, size) = run(&api, &query, None).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{}", &body.to_string()[..300.min(body.to_string().len())]);
        assert!(size < 1024, "{size} bytes");
        for viewer in [Some(doctor())] {
            let (body, size) = run(&api, &query, viewer).await;
            let errors = body["errors"]
                .as_array()
                .unwrap_or_else(|| panic!("{}", &body.to_string()[..300.min(body.to_string().len())]));
            assert_eq!(errors.len(), MAX_ERRORS + 1, "{}", &body.to_string()[..2000.min(body.to_string().len())]);
            let last = &errors[MAX_ERRORS];
            let omitted = last["extensions"]["omitted"].as_u64().unwrap();
            assert!(omitted >= 19_000, "the last error counts the others: {last}");
            assert!(last["message"].as_str().unwrap().contains(&format!("{omitted} more errors omitted")), "{last}");
            assert_eq!(last["extensions"]["code"], "GRAPHQL_VALIDATION_FAILED");
            assert!(size < 8 * 1024, "{size} bytes for a {} byte query", query.len());
        }
    }
    ledger.close().await;
}

const SCHEMA: &str = "{ __schema { queryType { name } } }";
const THROUGH_A_FRAGMENT: &str = "{ ...F } fragment F on Query { __type(name: \"Patient\") { name } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_needs_a_token_unless_allowed() {
    let (_dir, ledger, models) = read_models().await;
    let api = QueryApi::new(models.clone(), Arc::new(Discard));
    for query in [SCHEMA, THROUGH_A_FRAGMENT] {
        let (body, _) = run(&api, query, None).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{body}");
        assert!(body["data"].is_null(), "{body}");
        assert!(!body.to_string().contains("\"Query\"") && !body.to_string().contains("\"Patient\""));
    }
    // With a token, introspection works; so does the query every GraphQL tool sends first.
    let (body, _) = run(&api, SCHEMA, Some(doctor())).await;
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query", "{body}");
    let (body, _) = run(&api, THROUGH_A_FRAGMENT, Some(doctor())).await;
    assert_eq!(body["data"]["__type"]["name"], "Patient", "{body}");
    // A development server may allow it to anyone.
    let open = QueryApi::with_settings(
        models,
        Arc::new(Discard),
        QuerySettings { anonymous_introspection: true, ..QuerySettings::default() },
    );
    let (body, _) = run(&open, SCHEMA, None).await;
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query", "{body}");
    ledger.close().await;
}

/// The query GraphiQL, Apollo, graphql-core and schema-driven test tools send first, as graphql-js
/// writes it: its type references follow `ofType` seven levels down, deeper than any data query.
const INTROSPECTION_QUERY: &str = "query IntrospectionQuery { __schema { queryType { name } mutationType { name }
  subscriptionType { name } types { ...FullType } directives { name description locations args { ...InputValue } } } }
fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description
  args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason } inputFields { ...InputValue }
  interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef } }
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }";

/// `depth` fields nested in one another (they need not exist: depth is checked first).
fn nested(depth: usize) -> String {
    let open: String = (0..depth - 1).map(|level| format!("f{level} {{ ")).collect();
    format!("{{ {open}leaf {}}}", "} ".repeat(depth - 1))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_standard_introspection_query_loads_the_schema_while_deep_nesting_stays_refused() {
    let (_dir, ledger, models) = read_models().await;
    let api = QueryApi::new(models, Arc::new(Discard));
    let (body, _) = run(&api, INTROSPECTION_QUERY, Some(doctor())).await;
    assert!(body["errors"].is_null(), "{body}");
    let types = body["data"]["__schema"]["types"].as_array().expect("the schema's types");
    assert!(types.iter().any(|kind| kind["name"] == "Patient"), "the schema's own types are listed");
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");

    // Data queries still nest at most MAX_DEPTH fields deep.
    let (body, _) = run(&api, &nested(query_api::MAX_DEPTH + 1), Some(doctor())).await;
    assert_eq!(codes(&body), ["GRAPHQL_VALIDATION_FAILED"], "{body}");
    assert!(body.to_string().contains("nested too deep"), "{body}");
    let (body, _) = run(&api, &nested(query_api::MAX_DEPTH), Some(doctor())).await;
    assert!(!body.to_string().contains("nested too deep"), "refused for its unknown fields only: {body}");

    // Introspection that lists the schema again below a type reference multiplies it by itself.
    for abusive in [
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
        "{ __schema { types { ...T } } } fragment T on __Type { fields { type { ofType { fields { name } } } } }",
        "{ __type(name: \"Patient\") { fields { type { interfaces { fields { name } } } } } }",
    ] {
        let (body, _) = run(&api, abusive, Some(doctor())).await;
        assert_eq!(codes(&body), ["GRAPHQL_VALIDATION_FAILED"], "{abusive}: {body}");
        assert!(body["data"].is_null(), "{body}");
    }
    // Fragments spreading each other twice over, thirty deep, would take 2^30 steps to walk naively
    // (the schema's own check of nesting does: minutes of a worker's time for a kilobyte of text).
    let mut fragments: Vec<String> =
        (0..30).map(|n| format!("fragment F{n} on Query {{ ...F{} ...F{} }}", n + 1, n + 1)).collect();
    fragments.push("fragment F30 on Query { __typename }".into());
    let exploding = format!("{{ ...F0 }} {}", fragments.join(" "));
    let (body, _) = run(&api, &exploding, Some(doctor())).await;
    assert_eq!(codes(&body), ["GRAPHQL_VALIDATION_FAILED"], "{body}");
    ledger.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_anonymous_caller_is_refused_before_its_arguments_are_read() {
    let (_dir, ledger, models) = read_models().await;
    let api = QueryApi::new(models, Arc::new(Discard));
    for query in [
        "{ breakGlassAlerts(facilityId: \"x\") { edges { cursor } } }",
        "{ patient(id: \"x\") { id } }",
        // Arguments that break their scalars: still only UNAUTHENTICATED, before validation.
        "{ facilities(first: 0, region: \"XX\") { edges { cursor } } }",
        "{ patientByHealthId(healthId: \"CM0\") { id } }",
        "query { ... on Query { me { role } } }",
    ] {
        let (body, _) = run(&api, query, None).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{query}: {body}");
    }
    ledger.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_account_that_spent_its_budget_is_refused_until_it_refills() {
    let (_dir, ledger, models) = read_models().await;
    let settings = QuerySettings { cost_per_minute: query_api::MAX_COMPLEXITY as u32, ..QuerySettings::default() };
    let api = QueryApi::with_settings(models, Arc::new(Discard), settings);
    let health_id = domain::health_id::HealthId::generate(7).as_str().to_owned();
    // Ten searches of a hundred results each: a few thousand points.
    let query = format!(
        "{{ {} }}",
        (0..10)
            .map(|n| format!(
                "s{n}: searchPatients(healthId: \"{health_id}\", first: 100) {{ edges {{ node {{ id }} }} }}"
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let spender = doctor();
    let mut served = 0;
    let refused = loop {
        let (body, _) = run(&api, &query, Some(spender.clone())).await;
        if body["errors"].is_null() {
            served += 1;
            assert!(served < 100, "the budget never ran out");
            continue;
        }
        break body;
    };
    assert!(served >= 2, "a budget of {} points serves several such queries: {served}", settings.cost_per_minute);
    assert_eq!(codes(&refused), ["RATE_LIMITED"], "{refused}");
    assert!(refused["data"].is_null(), "a refused query runs nothing: {refused}");
    let retry_after = refused["errors"][0]["extensions"]["retryAfter"].as_u64().unwrap();
    assert!((1..=60).contains(&retry_after), "{refused}");
    // Another account's budget is its own.
    let (body, _) = run(&api, &query, Some(doctor())).await;
    assert!(body["errors"].is_null(), "{body}");
    ledger.close().await;
}
