//! Public-health statistics end to end, on both backends: clinicians record doses and diagnoses over
//! HTTP, the statistics projector counts them, and an analyst reads coverage, crosstabs, an epidemic
//! curve and the epidemic alerts through GraphQL. Every figure shown is the true count and never
//! counts 1 to 4 people; the small ones are suppressed, and so is whatever would give them away; every
//! table read is in the ledger; clinicians are refused; bad arguments are named.

mod support;

use serde_json::{json, Value};
use support::{bootstrap, graphql_codes as codes, national, national_in, token, Api};

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

/// A facility in a health district of the Littoral, with a nurse and a doctor; their tokens.
async fn facility(
    api: &mut Api,
    admin: &str,
    name: &str,
    district: &str,
    prefix: &str,
    phone: u32,
) -> (String, String, String) {
    let (id, nurse, doctor, _) = facility_in(api, admin, name, "LT", district, prefix, phone).await;
    (id, nurse, doctor)
}

/// A facility in a health district of the reference data, with a nurse and a doctor; its id and the
/// tokens of the nurse, the doctor and its administrator.
async fn facility_in(
    api: &mut Api,
    admin: &str,
    name: &str,
    region: &str,
    district: &str,
    prefix: &str,
    phone: u32,
) -> (String, String, String, String) {
    let body = json!({"name": name, "level": "health_centre", "ownership": "public", "region": region,
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
    (id, token(&nurse).to_owned(), token(&doctor).to_owned(), manager)
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
    // Today as the ledger dates a diagnosis: in Cameroon (UTC+1), which is tomorrow in UTC from 23:00.
    let today = (chrono::Utc::now() + chrono::Duration::hours(1)).date_naive();
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

const OVERDUE: &str = r#"query($region: RegionCode, $month: String!) {
  statistics { overdue(antigen: "PENTA", doseNumber: 1, month: $month, by: DISTRICT, region: $region) {
    month bornFrom bornTo threshold
    rows { area { code } due { value suppressed } vaccinated { value suppressed } overdue { value suppressed }
           overdueRate { percent suppressed } }
    total { area { code } due { value suppressed } vaccinated { value suppressed } overdue { value suppressed } }
  } }
}"#;

const REGISTRATIONS_BY_REGION: &str = r#"query($region: RegionCode, $facility: ID) {
  statistics { table(indicator: REGISTRATIONS, rows: REGION,
                     filter: {from: "2025-01-01", to: "2025-12-31", region: $region, facilityId: $facility}) {
    body { label { code } total { value suppressed } } total { value suppressed } } }
}"#;

const DOSES_BY_FACILITY: &str = r#"query($facility: ID) {
  statistics { table(indicator: DOSES_GIVEN, rows: FACILITY,
                     filter: {from: "2025-01-01", to: "2025-12-31", facilityId: $facility}) {
    body { label { code } total { value suppressed } } total { value suppressed } } }
}"#;

fn row_of<'a>(table: &'a Value, code: &str) -> &'a Value {
    table["rows"].as_array().unwrap().iter().find(|row| row["area"]["code"] == code).unwrap()
}

/// An analyst of a regional delegation reads their region's statistics and no other's; a facility's
/// administrator their own facility's, and the epidemic alerts; children overdue for a dose are the
/// children due who did not receive it by the end of the month.
async fn statistics_reach_no_further_than_the_account(database_url: Option<&str>) {
    let (_temp, mut api, admin) = bootstrap(database_url).await;
    let (deido, deido_nurse, _, deido_manager) =
        facility_in(&mut api, &admin, "CSI de Deido", "LT", "Deido", "DEI", 690000200).await;
    let (_nylon, nylon_nurse, _, _) =
        facility_in(&mut api, &admin, "CSI de Nylon", "LT", "Nylon", "NYL", 690000210).await;
    let (soa, soa_nurse, _, _) = facility_in(&mut api, &admin, "CSI de Soa", "CE", "Soa", "SOA", 690000220).await;
    // Deido: six children born in March 2025, each given Penta1 in June. Nylon: five, none given it.
    // Soa (Centre): five, each given it.
    // Each is seen once as an outpatient.
    for n in 0..6 {
        let patient = child(&api, &deido_nurse, n, "Deido").await;
        penta1(&api, &deido_nurse, &patient).await;
        let visit = json!({"date": "2025-06-01", "class": "outpatient", "reason": "vaccination"});
        let response = api.post(&format!("/api/v1/patients/{patient}/encounters"), Some(&deido_nurse), visit).await;
        assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
    }
    for n in 6..11 {
        child(&api, &nylon_nurse, n, "Nylon").await;
    }
    for n in 11..16 {
        let registration = json!({"family_name": format!("Enfant{n}"), "given_names": "Test", "sex": "female",
                                  "birth_date": {"date": format!("2025-03-{:02}", n + 1), "estimated": false},
                                  "region": "CE", "health_district": "Soa"});
        let patient = api.register_patient(&soa_nurse, registration).await["patient_id"].as_str().unwrap().to_owned();
        penta1(&api, &soa_nurse, &patient).await;
    }

    // Only an analyst is limited to a region (a rule), and only to one of the codes the document lists
    // (its enumeration).
    for (role, region, status) in [("auditor", "LT", 422), ("health_authority_analyst", "XX", 400)] {
        let body = json!({"professional_id": format!("REG-{role}-{region}"), "role": role, "family_name": "Tester",
                          "given_names": "Refused", "phone": "690000290", "region": region});
        let response = api.post("/api/v1/staff", Some(&admin), body).await;
        let problem: Value = response.json().await.unwrap();
        assert_eq!(problem["status"], status, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "/region", "{problem}");
    }
    let littoral =
        national_in(&mut api, &admin, "DRSP-LT-ANA", "health_authority_analyst", "690000230", Some("LT")).await;
    let analyst = national(&mut api, &admin, "MINSANTE-ANA-2", "health_authority_analyst", "690000240").await;
    let staff = api.get("/api/v1/staff", &admin).await;
    let staff: Value = staff.json().await.unwrap();
    let listed = staff["staff"].as_array().or(staff.as_array()).unwrap().clone();
    let regional = listed.iter().find(|member| member["login"] == "DRSP-LT-ANA").unwrap();
    assert_eq!(regional["region"], "LT", "{regional}");
    support::caught_up(&api);

    // The regional analyst's table names no region: it is theirs. The national analyst's is the
    // country's.
    let theirs = graphql(&api, Some(&littoral), REGISTRATIONS_BY_REGION, json!({})).await;
    assert!(theirs["errors"].is_null(), "{theirs}");
    let rows = theirs["data"]["statistics"]["table"]["body"].as_array().unwrap();
    assert!(rows.iter().all(|row| row["label"]["code"] == "LT"), "{theirs}");
    assert_eq!(theirs["data"]["statistics"]["table"]["total"]["value"], 11, "{theirs}");
    let country = graphql(&api, Some(&analyst), REGISTRATIONS_BY_REGION, json!({})).await;
    assert_eq!(country["data"]["statistics"]["table"]["total"]["value"], 16, "{country}");

    // Another region, by name or through one of its districts, is refused saying what they read.
    let epidemic_curve = r#"{ statistics { epidemicCurve(disease: "cholera", from: "2025-01-01", to: "2025-03-01",
                                                       district: "Soa") { threshold } } }"#;
    for (query, variables) in [
        (REGISTRATIONS_BY_REGION, json!({"region": "CE"})),
        (COVERAGE, json!({"region": "CE"})),
        (OVERDUE, json!({"region": "CE", "month": "2025-09"})),
        (epidemic_curve, json!({})),
    ] {
        let body = graphql(&api, Some(&littoral), query, variables).await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("region LT"), "{body}");
        assert!(body["data"].is_null() || body["data"]["statistics"].is_null(), "{body}");
    }
    let export = api
        .get(
            "/api/v1/statistics/export.csv?indicator=registrations&rows=region&from=2025-01-01&to=2025-12-31&region=CE",
            &littoral,
        )
        .await;
    let problem = support::problem(export, 403).await;
    assert!(problem["detail"].as_str().unwrap().contains("region LT"), "{problem}");
    let export = api
        .get(
            "/api/v1/statistics/export.csv?indicator=registrations&rows=region&from=2025-01-01&to=2025-12-31",
            &littoral,
        )
        .await;
    assert_eq!(export.status(), 200);
    let csv = export.text().await.unwrap();
    assert!(csv.lines().skip(1).all(|line| line.contains(",LT,") || line.contains("_total")), "{csv}");

    // A facility's administrator reads their facility's tables, and the alerts, and no other's.
    let own = graphql(&api, Some(&deido_manager), DOSES_BY_FACILITY, json!({})).await;
    assert!(own["errors"].is_null(), "{own}");
    let rows = own["data"]["statistics"]["table"]["body"].as_array().unwrap();
    assert!(rows.iter().all(|row| row["label"]["code"] == deido.as_str()), "{own}");
    assert_eq!(own["data"]["statistics"]["table"]["total"]["value"], 6, "{own}");
    let visits = r#"{ statistics { table(indicator: ENCOUNTERS, rows: ENCOUNTER_CLASS,
                                           filter: {from: "2025-01-01", to: "2025-12-31"}) {
        body { label { code nameFr } total { value } } } } }"#;
    let visits = graphql(&api, Some(&deido_manager), visits, json!({})).await;
    let by_class: Vec<(String, i64)> = visits["data"]["statistics"]["table"]["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| (row["label"]["code"].as_str().unwrap().to_owned(), row["total"]["value"].as_i64().unwrap()))
        .collect();
    assert!(by_class.contains(&("outpatient".to_owned(), 6)), "{visits}");
    assert!(by_class.contains(&("not_stated".to_owned(), 0)), "{visits}");
    assert_eq!(by_class.iter().map(|(_, n)| n).sum::<i64>(), 6, "{visits}");
    let other = graphql(&api, Some(&deido_manager), DOSES_BY_FACILITY, json!({"facility": soa})).await;
    assert_eq!(codes(&other), ["FORBIDDEN"], "{other}");
    let cohort = graphql(&api, Some(&deido_manager), COVERAGE, json!({})).await;
    assert_eq!(codes(&cohort), ["FORBIDDEN"], "{cohort}");
    assert!(cohort["errors"][0]["message"].as_str().unwrap().contains("where children live"), "{cohort}");
    let alerts = r#"{ statistics { alerts(from: "2025-01-01", to: "2025-12-31") { week } } }"#;
    for reader in [&deido_manager, &littoral] {
        let body = graphql(&api, Some(reader), alerts, json!({})).await;
        assert!(body["errors"].is_null(), "{body}");
    }

    // Overdue for Penta1 at the end of September 2025: the March cohort, due since early June.
    let overdue = graphql(&api, Some(&analyst), OVERDUE, json!({"region": "LT", "month": "2025-09"})).await;
    assert!(overdue["errors"].is_null(), "{overdue}");
    disclosure_holds(&overdue);
    let table = &overdue["data"]["statistics"]["overdue"];
    assert_eq!((&table["bornFrom"], &table["bornTo"]), (&json!("2020-10"), &json!("2025-06")), "{table}");
    let deido_row = row_of(table, "Deido");
    assert_eq!((&deido_row["due"]["value"], &deido_row["overdue"]["value"]), (&json!(6), &json!(0)), "{table}");
    let nylon_row = row_of(table, "Nylon");
    assert_eq!((&nylon_row["due"]["value"], &nylon_row["overdue"]["value"]), (&json!(5), &json!(5)), "{table}");
    assert_eq!(nylon_row["overdueRate"]["percent"], 100.0, "{table}");
    assert_eq!(table["total"]["overdue"]["value"], 5, "{table}");
    // The regional analyst reads the same without naming the region.
    let same = graphql(&api, Some(&littoral), OVERDUE, json!({"month": "2025-09"})).await;
    assert_eq!(same["data"]["statistics"]["overdue"]["total"], table["total"], "{same}");
    // Before the cohort is due, nobody is overdue; an antigen not offered to every child is refused.
    let early = graphql(&api, Some(&analyst), OVERDUE, json!({"region": "LT", "month": "2025-05"})).await;
    assert_eq!(early["data"]["statistics"]["overdue"]["total"]["due"]["value"], 0, "{early}");
    let hpv = r#"{ statistics { overdue(antigen: "HPV", doseNumber: 1, month: "2025-09") { threshold } } }"#;
    let refused = graphql(&api, Some(&analyst), hpv, json!({})).await;
    assert_eq!(codes(&refused), ["BAD_USER_INPUT"], "{refused}");
}

#[tokio::test(flavor = "multi_thread")]
async fn statistics_reach_no_further_than_the_account_on_sqlite() {
    statistics_reach_no_further_than_the_account(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn statistics_reach_no_further_than_the_account_on_postgres() {
    let database = ledger::testing::ScratchDatabase::create("cloudmedi_statistics_reach").await.unwrap();
    statistics_reach_no_further_than_the_account(Some(database.url())).await;
    database.drop_database().await.unwrap();
}
