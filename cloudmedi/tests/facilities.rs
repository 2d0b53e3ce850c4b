//! The facility directory end to end, on both backends: a member of staff finds facilities by region
//! and by the start of their name, a page at a time, without knowing their ids beforehand.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use support::{bootstrap, problem, token, Api};

async fn register(api: &Api, admin: &str, name: &str, region: &str) -> String {
    let body = json!({"name": name, "level": "district_hospital", "ownership": "public", "region": region,
                      "health_district": "Centre"});
    let response = api.post("/api/v1/facilities", Some(admin), body).await;
    assert_eq!(response.status(), 201);
    response.json::<Value>().await.unwrap()["facility_id"].as_str().unwrap().to_owned()
}

/// The names of a page of the directory.
async fn names(api: &Api, token: &str, query: &str) -> (Vec<String>, Option<String>) {
    let response = api.get(&format!("/api/v1/facilities{query}"), token).await;
    assert_eq!(response.status(), 200, "{query}");
    let page: Value = response.json().await.unwrap();
    let names = page["facilities"].as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap().to_owned());
    (names.collect(), page["next"].as_str().map(str::to_owned))
}

async fn the_directory_lists_facilities(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (douala, manager) =
        api.facility_with_administrator(&admin, "Hôpital Laquintinie", "LT", "LAQ", "690000001").await;
    let nurse = api.staff_member(&manager, &douala, "LAQ-INF-1", "nurse", "690000012").await;
    let nurse = token(&nurse).to_owned();
    register(&api, &admin, "Hôpital de district de Deido", "LT").await;
    register(&api, &admin, "Centre de santé de Bonassama", "LT").await;
    let garoua = register(&api, &admin, "Hôpital régional de Garoua", "NO").await;

    // The directory is a read model: wait until the last registration is projected.
    let deadline = Instant::now() + Duration::from_secs(30);
    while names(&api, &nurse, "").await.0.len() < 4 {
        assert!(Instant::now() < deadline, "the facilities reach the directory");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // In name order (by the database's collation, which the order of pages follows too).
    let (all, next) = names(&api, &nurse, "").await;
    assert_eq!(all.len(), 4);
    assert_eq!(all[0], "Centre de santé de Bonassama");
    assert_eq!(next, None, "one page holds them all");
    let (littoral, _) = names(&api, &nurse, "?region=LT").await;
    assert_eq!(littoral.len(), 3);
    assert!(!littoral.iter().any(|name| name.contains("Garoua")));
    let (mut hospitals, _) = names(&api, &nurse, "?region=LT&name=h%C3%B4PITAL").await;
    hospitals.sort();
    assert_eq!(hospitals, ["Hôpital Laquintinie", "Hôpital de district de Deido"].map(str::to_owned));

    // A page at a time.
    let (first, next) = names(&api, &nurse, "?limit=2").await;
    assert_eq!(first, all[..2]);
    let (second, last) = names(&api, &nurse, &format!("?limit=2&after={}", next.unwrap())).await;
    assert_eq!(second, all[2..]);
    assert_eq!(last, None);

    // The entries carry the id to ask for the rest.
    let page: Value = api.get("/api/v1/facilities?region=NO", &nurse).await.json().await.unwrap();
    assert_eq!(page["facilities"][0]["facility_id"], garoua);
    assert_eq!(page["facilities"][0]["health_district"], "Centre");

    let refused = problem(api.get("/api/v1/facilities?limit=0", &nurse).await, 400).await;
    assert_eq!(refused["errors"][0]["field"], "/limit", "{refused}");
    problem(api.get("/api/v1/facilities?after=not-an-id", &nurse).await, 400).await;
    let anonymous = api.client.get(api.server.url("/api/v1/facilities")).send().await.unwrap();
    problem(anonymous, 401).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facilities_on_sqlite() {
    the_directory_lists_facilities(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn facilities_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_facilities").await.expect("PostgreSQL must be running");
    the_directory_lists_facilities(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
