//! What `/graphql` lets a caller cost, over real HTTP: requests without a valid token are limited per
//! client address like the login routes (a bad token counts too), introspection needs a token unless
//! the server is a development one, and an account whose cost budget for the minute is spent gets 429
//! with `Retry-After` and a `RATE_LIMITED` GraphQL error.

mod support;

use serde_json::{json, Value};
use support::{bootstrap, problem, Api};

async fn post(api: &Api, bearer: Option<&str>, query: &str) -> reqwest::Response {
    let mut request = api.client.post(api.server.url("/graphql")).json(&json!({ "query": query }));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    request.send().await.unwrap()
}

const INTROSPECTION: &str = "{ __schema { queryType { name } } }";

#[tokio::test(flavor = "multi_thread")]
async fn graphql_limits_anonymous_callers_per_address_and_accounts_by_cost() {
    let (_temp, mut api, admin) = bootstrap(None).await;
    api.restart(&[
        ("CLOUDMEDI_AUTH_ATTEMPTS_BURST", "4"),
        ("CLOUDMEDI_AUTH_ATTEMPTS_PERIOD_MS", "600000"),
        ("CLOUDMEDI_GRAPHQL_COST_PER_MINUTE", "50000"),
    ]);

    // Without a token: introspection is refused (not a development server), and each request spends
    // one of the address's attempts, as a bad token does.
    let refused = post(&api, None, INTROSPECTION).await;
    assert_eq!(refused.status(), 200);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED", "{body}");
    assert!(body["data"].is_null(), "{body}");
    assert_eq!(post(&api, None, "{ me { role } }").await.status(), 200);
    problem(post(&api, Some("not-a-token"), "{ me { role } }").await, 401).await;
    assert_eq!(post(&api, None, "{ __typename }").await.status(), 200);
    let limited = post(&api, None, "{ __typename }").await;
    assert!(limited.headers().contains_key("retry-after"));
    problem(limited, 429).await;
    problem(post(&api, Some("not-a-token"), "{ me { role } }").await, 429).await;

    // A valid session is not limited by its address, but by its account's budget.
    let me = post(&api, Some(&admin), "{ me { role } }").await;
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap()["data"]["me"]["role"], "system_administrator");
    let costly = format!(
        "{{ {} }}",
        (0..10)
            .map(|n| format!(
                "s{n}: searchPatients(healthId: \"CM0000000000\", first: 100) {{ edges {{ node {{ id }} }} }}"
            ))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let mut served = 0;
    let refused = loop {
        let response = post(&api, Some(&admin), &costly).await;
        if response.status() == 200 {
            served += 1;
            assert!(served < 100, "the budget never ran out");
            continue;
        }
        break response;
    };
    assert!(served >= 2, "{served}");
    assert_eq!(refused.status(), 429);
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "RATE_LIMITED", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("budget"), "{body}");

    // A development server lets anyone introspect.
    api.restart(&[("CLOUDMEDI_DEVELOPMENT", "true")]);
    let body: Value = post(&api, None, INTROSPECTION).await.json().await.unwrap();
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query", "{body}");
}
