//! Public-health statistics end to end, on both backends: clinicians record doses and diagnoses over
//! HTTP, the statistics projector counts them, and an analyst reads coverage, crosstabs, an epidemic
//! curve and the epidemic alerts through GraphQL. Every figure shown is the true count and never
//! counts 1 to 4 people; the small ones are suppressed, and so is whatever would give them away; every
//! table read is in the ledger; clinicians are refused; bad arguments are named.

mod support;

use serde_json::{json, Value};
use support::{bootstrap, graphql_codes as codes, national, token, Api};

async fn graphql(api: &Api, bearer: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request =
        api.client.post(api.server.url("/graphql")).json(&json!({"query": query, "variables": variables}));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert!(status.is_success() || status == 400, "{status}: {body}");
    body
}

/// A facility in a health district of the reference data, with a nurse and a doctor; their tokens.
async fn facility(
    api: &mut Api,
    admin: &str,
    name: &str,
    district: &str,
    prefix: &str,
    phone: u32,
) -> (String, String, String) {
    let body = json!({"name": name, "level": "health_centre", "ownership": "public", "region": "LT",
                      "health_district": district});
    let response = api.post("/api/v1/facilities", Some(admin), body).await;
    assert_eq!(response.status(), 201);
    let facility: Value = response.json().await.unwrap();
    let id = facility["facility_id"].as_str().unwrap().to_owned();
    let manager =
        api.staff_member(admin, &id, &format!("{prefix}-ADM"), "facility_administrator", &phone.to_string()).await;
    let manager = token(&manager).to_owned();
    let nurse = api.staff_member(&manager, &id, &format!("{prefix}-INF"), "nurse", &(phone + 1).to_string()).await;
    let doctor = api.staff_member(&manager, &id, &format!("{prefix}-MED"), "doctor", &(phone + 2).to_string()).await;
    (id, token(&nurse).to_owned(), token(&doctor).to_owned())
}

/// Registers a child born in 2025 living in `district`; returns the patient's id.
async fn child(api: &Api, clerk: &str, n: usize, district: &str) -> String {
    let registration = json!({"family_name": format!("Enfant{n}"), "given_names": "Test", "sex": if n % 2 == 0 { "female" } else { "male" },
                              "birth_date": {"date": format!("2025-03-{:02}", n + 1), "estimated": false},
                              "region": "LT", "health_district": district});
    api.register_patient(clerk, registration).await["patient_id"].as_str().unwrap().to_owned()
}

async fn penta1(api: &Api, nurse: &str, patient: &str) {
    let body = json!({"antigen": "PENTA", "dose_number": 1, "lot": "PEN-25-1", "given_on": "2025-06-01"});
    let response = api.post(&format!("/api/v1/patients/{patient}/immunizations"), Some(nurse), body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

/// Every figure of an answer: objects with `value` and `suppressed`.
fn figures(value: &Value, out: &mut Vec<(Option<i64>, bool)>) {
    match value {
        Value::Object(map) if map.contains_key("suppressed") && map.contains_key("value") => {
            out.push((map["value"].as_i64(), map["suppressed"].as_bool().unwrap()));
        }
        Value::Object(map) => map.values().for_each(|v| figures(v, out)),
        Value::Array(items) => items.iter().for_each(|v| figures(v, out)),
        _ => {}
    }
}

/// No figure shown counts 1 to 4 people, and a suppressed figure carries no value.
fn disclosure_holds(body: &Value) {
    let mut all = Vec::new();
    figures(&body["data"], &mut all);
    assert!(!all.is_empty(), "{body}");
    for (value, suppressed) in all {
        if suppressed {
            assert_eq!(value, None, "a suppressed figure has no value: {body}");
        } else {
            let value = value.unwrap();
            assert!(value == 0 || value >= 5, "{value} shown: {body}");
        }
    }
}

const COVERAGE: &str = r#"query($region: RegionCode) {
  statistics { coverage(birthYear: 2025, antigen: "PENTA", doseNumber: 1, by: DISTRICT, region: $region) {
    threshold targetSource
    rows { area { code } registered { value suppressed } vaccinated { value suppressed }
           coverage { percent suppressed } targetPopulation coverageOfTarget { percent suppressed } }
    total { area { code nameFr } registered { value suppressed } vaccinated { value suppressed } coverage { percent suppressed } }
  } }
}"#;

async fn an_analyst_reads_protected_statistics(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (_deido, deido_nurse, deido_doctor) =
        facility(&mut api, &admin, "CSI de Deido", "Deido", "DEI", 690000100).await;
    let (_nylon, nylon_nurse, _) = facility(&mut api, &admin, "CSI de Nylon", "Nylon", "NYL", 690000110).await;
    let analyst = national(&mut api, &admin, "MINSANTE-ANA-1", "health_authority_analyst", "690000120").await;

    // Deido: seven children, every one given Penta1. Nylon: three children, one given it.
    let mut deido = Vec::new();
    for n in 0..7 {
        let patient = child(&api, &deido_nurse, n, "Deido").await;
        penta1(&api, &deido_nurse, &patient).await;
        deido.push(patient);
    }
    for n in 7..10 {
        let patient = child(&api, &nylon_nurse, n, "Nylon").await;
        if n == 7 {
            penta1(&api, &nylon_nurse, &patient).await;
        }
    }
    // One case of cholera, diagnosed today in Deido: a single case is an alert.
    let cholera = api
        .post(
            &format!("/api/v1/patients/{}/conditions", deido[0]),
            Some(&deido_doctor),
            json!({"icd10": "A00.9", "description": "cholera", "status": "active"}),
        )
        .await;
    assert_eq!(cholera.status(), 201);

    support::caught_up(&api);
    let coverage = graphql(&api, Some(&analyst), COVERAGE, json!({"region": "LT"})).await;
    assert!(coverage["errors"].is_null(), "{coverage}");
    disclosure_holds(&coverage);
    let table = &coverage["data"]["statistics"]["coverage"];
    assert_eq!(table["threshold"], 5);
    assert!(table["targetSource"].as_str().unwrap().contains("2005"), "{table}");
    let row =
        |code: &str| table["rows"].as_array().unwrap().iter().find(|row| row["area"]["code"] == code).unwrap().clone();
    // Every district of the Littoral is listed, counted or not.
    assert_eq!(table["rows"].as_array().unwrap().len(), 17, "{table}");
    let nylon = row("Nylon");
    assert_eq!(nylon["registered"]["suppressed"], true, "three children are too few to show: {nylon}");
    assert_eq!(nylon["vaccinated"]["suppressed"], true, "{nylon}");
    assert_eq!(nylon["coverage"]["suppressed"], true, "a rate of a hidden count is hidden: {nylon}");
    let deido_row = row("Deido");
    for (figure, truth) in [(&deido_row["registered"], 7), (&deido_row["vaccinated"], 7)] {
        if figure["suppressed"] == false {
            assert_eq!(figure["value"], truth, "a shown figure is the true count: {deido_row}");
        }
    }
    assert_eq!(row("Japoma")["registered"]["value"], 0, "zero is shown");
    assert!(row("Deido")["targetPopulation"].as_i64().unwrap() > 0);
    assert_eq!(table["total"]["area"]["nameFr"], "Littoral");

    // The epidemic curve of cholera in the Littoral: one case, suppressed; the alert list names the
    // district and the week, and no count.
    let today = chrono::Utc::now().date_naive();
    let (from, to) = ((today - chrono::Days::new(14)).to_string(), today.to_string());
    let curve = graphql(
        &api,
        Some(&analyst),
        r#"query($from: String!, $to: String!) { statistics {
             epidemicCurve(disease: "cholera", from: $from, to: $to, region: "LT") {
               rows columns columnLabels { code } body { label { code } cells { value suppressed } total { value suppressed } }
               columnTotals { value suppressed } total { value suppressed } }
             alerts(from: $from, to: $to) { disease { code nameFr } district region { code } week level } } }"#,
        json!({"from": from, "to": to}),
    )
    .await;
    assert!(curve["errors"].is_null(), "{curve}");
    disclosure_holds(&curve);
    let epidemic = &curve["data"]["statistics"]["epidemicCurve"];
    assert_eq!(epidemic["rows"], "DISTRICT");
    assert_eq!(epidemic["columns"], "WEEK");
    let week = domain::statistics::period::iso_week(today);
    assert!(epidemic["columnLabels"].as_array().unwrap().iter().any(|label| label["code"] == week.as_str()));
    assert_eq!(epidemic["total"]["suppressed"], true, "one case is not shown: {epidemic}");
    let alerts = curve["data"]["statistics"]["alerts"].as_array().unwrap();
    assert_eq!(alerts.len(), 1, "{curve}");
    assert_eq!(alerts[0]["disease"]["code"], "cholera");
    assert_eq!(alerts[0]["disease"]["nameFr"], "Choléra");
    assert_eq!(alerts[0]["district"], "Deido");
    assert_eq!(alerts[0]["region"]["code"], "LT");
    assert_eq!(alerts[0]["week"], week.as_str());
    assert_eq!(alerts[0]["level"], "ALERT");

    // A crosstab: doses given by district and sex.
    let doses = graphql(
        &api,
        Some(&analyst),
        r#"{ statistics { table(indicator: DOSES_GIVEN, rows: DISTRICT, columns: SEX,
               filter: {from: "2025-01-01", to: "2025-12-31", region: "LT", antigen: "PENTA"}) {
             columnLabels { code nameFr } body { label { code } cells { value suppressed } total { value suppressed } }
             total { value suppressed } threshold } } }"#,
        json!({}),
    )
    .await;
    assert!(doses["errors"].is_null(), "{doses}");
    disclosure_holds(&doses);
    let crosstab = &doses["data"]["statistics"]["table"];
    assert_eq!(crosstab["columnLabels"][0]["nameFr"], "féminin");
    let total = &crosstab["total"];
    assert!(total["suppressed"] == true || total["value"] == 8, "{crosstab}");

    // Every table read is in the ledger, in the analyst's name, before it was answered.
    let auditor = national(&mut api, &admin, "MINSANTE-AUD-1", "auditor", "690000130").await;
    let reads = graphql(
        &api,
        Some(&auditor),
        r#"{ ledgerEntries(type: "access.statistics_read", first: 100) { edges { node { actor { role } streamId } } } }"#,
        json!({}),
    )
    .await;
    let edges = reads["data"]["ledgerEntries"]["edges"].as_array().unwrap_or_else(|| panic!("{reads}"));
    assert!(edges.len() >= 3, "{reads}");
    assert!(edges.iter().all(|edge| edge["node"]["actor"]["role"] == "health_authority_analyst"), "{reads}");

    // Only analysts read statistics; nobody reads them anonymously.
    let refused = graphql(&api, Some(&deido_doctor), COVERAGE, json!({})).await;
    assert_eq!(codes(&refused), ["FORBIDDEN"], "{refused}");
    assert!(refused["data"]["statistics"].is_null());
    assert_eq!(codes(&graphql(&api, None, COVERAGE, json!({})).await), ["UNAUTHENTICATED"]);

    // Bad arguments are named, and nothing is answered.
    for (query, fragment) in [
        (r#"{ statistics { coverage(birthYear: 2025, antigen: "NOPE", doseNumber: 1) { threshold } } }"#, "antigen"),
        (
            r#"{ statistics { epidemicCurve(disease: "flu", from: "2026-01-01", to: "2026-02-01") { threshold } } }"#,
            "disease",
        ),
        (r#"{ statistics { alerts(from: "2026-02-01", to: "2026-01-01") { week } } }"#, "before"),
        (
            r#"{ statistics { coverage(birthYear: 562949953421312, antigen: "PENTA", doseNumber: 1) { threshold } } }"#,
            "Int",
        ),
        (r#"{ statistics { alerts(from: "2000-01-01", to: "2026-01-01") { week } } }"#, "five years"),
        (
            r#"{ statistics { table(indicator: DEATHS, rows: DISTRICT, filter: {from: "2026-01-01", to: "2026-02-01", district: "Atlantis"}) { threshold } } }"#,
            "district",
        ),
        (
            r#"{ statistics { table(indicator: REFERRALS, rows: SEX, filter: {from: "2026-01-01", to: "2026-02-01"}) { threshold } } }"#,
            "referrals",
        ),
        (
            r#"{ statistics { table(indicator: ENCOUNTERS, rows: DAY, filter: {from: "2024-01-01", to: "2026-02-01"}) { threshold } } }"#,
            "days",
        ),
    ] {
        let body = graphql(&api, Some(&analyst), query, json!({})).await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{query}: {body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains(fragment), "{body}");
        assert!(body["data"]["statistics"].is_null() || body["data"].is_null(), "{body}");
    }
    let unknown_region = graphql(&api, Some(&analyst), COVERAGE, json!({"region": "XX"})).await;
    assert!(!codes(&unknown_region).is_empty(), "{unknown_region}");
    assert!(unknown_region["data"].is_null(), "{unknown_region}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_analyst_reads_protected_statistics_on_sqlite() {
    an_analyst_reads_protected_statistics(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_analyst_reads_protected_statistics_on_postgres() {
    let database = ledger::testing::ScratchDatabase::create("cloudmedi_statistics_e2e").await.unwrap();
    an_analyst_reads_protected_statistics(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
