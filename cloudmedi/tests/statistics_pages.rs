//! The statistics exports and the dashboard end to end, on both backends: clinicians record doses,
//! visits and a cholera case over HTTP; an analyst exports tables as CSV and as a DHIS2 data value set,
//! and opens the dashboard. Every figure an export or the page shows equals what GraphQL's
//! `statistics` answers for the same parameters, no suppressed figure shows its value anywhere (not in
//! a cell, an attribute, a title or a bar's geometry), every table read is in the ledger, clinicians
//! are refused, and bad parameters are named.
//!
//! The dashboard is rendered in headless Chromium (Debian's `chromium`), driven over the DevTools
//! protocol so that it can send the bearer token with every request, on a phone's screen and a
//! desktop's. Rendering does not depend on the storage backend, so the browser runs on the embedded
//! default only; the page's source is checked on both. Set `CLOUDMEDI_SCREENSHOTS` to a directory to
//! keep the screenshots.

mod support;

use chrono::{Datelike, Days, NaiveDate};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use support::{bootstrap, national, problem, token, Api, GENEROUS};

/// The publication threshold the server runs with (its default).
const K: i64 = 5;

async fn graphql(api: &Api, bearer: &str, query: &str, variables: Value) -> Value {
    let response = api
        .client
        .post(api.server.url("/graphql"))
        .bearer_auth(bearer)
        .json(&json!({"query": query, "variables": variables}))
        .send()
        .await
        .unwrap();
    let body: Value = response.json().await.unwrap();
    assert!(body["errors"].is_null(), "{body}");
    body
}

async fn get(api: &Api, path: &str, bearer: Option<&str>) -> reqwest::Response {
    let mut request = api.client.get(api.server.url(path));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    request.send().await.unwrap()
}

/// A facility in a health district of the Littoral with a nurse and a doctor; their tokens.
async fn facility(api: &mut Api, admin: &str, district: &str, prefix: &str, phone: u32) -> (String, String) {
    let body = json!({"name": format!("CSI de {district}"), "level": "health_centre", "ownership": "public",
                      "region": "LT", "health_district": district});
    let response = api.post("/api/v1/facilities", Some(admin), body).await;
    assert_eq!(response.status(), 201);
    let facility: Value = response.json().await.unwrap();
    let id = facility["facility_id"].as_str().unwrap().to_owned();
    let manager =
        api.staff_member(admin, &id, &format!("{prefix}-ADM"), "facility_administrator", &phone.to_string()).await;
    let manager = token(&manager).to_owned();
    let nurse = api.staff_member(&manager, &id, &format!("{prefix}-INF"), "nurse", &(phone + 1).to_string()).await;
    let doctor = api.staff_member(&manager, &id, &format!("{prefix}-MED"), "doctor", &(phone + 2).to_string()).await;
    (token(&nurse).to_owned(), token(&doctor).to_owned())
}

/// Registers a child born in March 2025 living in `district`, a girl when `n` is even.
async fn child(api: &Api, clerk: &str, n: usize, district: &str) -> String {
    let registration = json!({"family_name": format!("Enfant{n}"), "given_names": "Test",
                              "sex": if n % 2 == 0 { "female" } else { "male" },
                              "birth_date": {"date": format!("2025-03-{:02}", n + 1), "estimated": false},
                              "region": "LT", "health_district": district});
    api.register_patient(clerk, registration).await["patient_id"].as_str().unwrap().to_owned()
}

async fn penta1(api: &Api, nurse: &str, patient: &str, given_on: &str) {
    let body = json!({"antigen": "PENTA", "dose_number": 1, "lot": "PEN-25-1", "given_on": given_on});
    let response = api.post(&format!("/api/v1/patients/{patient}/immunizations"), Some(nurse), body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

async fn visit(api: &Api, doctor: &str, patient: &str, date: &str) {
    let body = json!({"date": date, "reason": "consultation de suivi"});
    let response = api.post(&format!("/api/v1/patients/{patient}/encounters"), Some(doctor), body).await;
    assert_eq!(response.status(), 201, "{}", response.text().await.unwrap());
}

/// How many statistics reads the ledger holds, as an auditor browses them.
async fn statistics_reads(api: &Api, auditor: &str) -> usize {
    support::caught_up(api);
    let mut count = 0;
    let mut after = Value::Null;
    loop {
        let page = graphql(
            api,
            auditor,
            r#"query($after: String) { ledgerEntries(type: "access.statistics_read", first: 100, after: $after) {
                 edges { node { type actor { role } } } pageInfo { hasNextPage endCursor } } }"#,
            json!({"after": after}),
        )
        .await;
        let entries = &page["data"]["ledgerEntries"];
        for edge in entries["edges"].as_array().unwrap() {
            assert_eq!(edge["node"]["type"], "access.statistics_read");
            assert_eq!(edge["node"]["actor"]["role"], "health_authority_analyst", "{edge}");
            count += 1;
        }
        if entries["pageInfo"]["hasNextPage"] != true {
            return count;
        }
        after = entries["pageInfo"]["endCursor"].clone();
    }
}

/// A published figure: its value, or `None` when suppressed.
type Figure = Option<i64>;

fn figure(value: &Value) -> Figure {
    if value["suppressed"] == true {
        assert!(value["value"].is_null(), "a suppressed figure has no value: {value}");
        None
    } else {
        Some(value["value"].as_i64().unwrap_or_else(|| panic!("a shown figure has a value: {value}")))
    }
}

/// No shown figure counts 1 to k − 1 people.
fn no_small_count(figures: impl IntoIterator<Item = Figure>, what: &str) {
    for value in figures.into_iter().flatten() {
        assert!(value == 0 || value >= K, "{what}: {value} shown");
    }
}

const TABLE: &str = r#"query($indicator: StatisticsIndicator!, $rows: Breakdown!, $columns: Breakdown, $filter: StatisticsFilter!) {
  statistics { table(indicator: $indicator, rows: $rows, columns: $columns, filter: $filter) {
    columnLabels { code } body { label { code } cells { value suppressed } total { value suppressed } }
    columnTotals { value suppressed } total { value suppressed } threshold } } }"#;

/// GraphQL's table as figures by (row code, column code), margins coded `_total` as in the CSV (a table
/// without columns has an empty column code).
async fn graphql_table(api: &Api, analyst: &str, variables: Value) -> BTreeMap<(String, String), Figure> {
    let body = graphql(api, analyst, TABLE, variables).await;
    let table = &body["data"]["statistics"]["table"];
    assert_eq!(table["threshold"], K);
    let columns: Vec<String> = table["columnLabels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|label| label["code"].as_str().unwrap().to_owned())
        .collect();
    let mut figures = BTreeMap::new();
    for row in table["body"].as_array().unwrap() {
        let code = row["label"]["code"].as_str().unwrap().to_owned();
        let cells = row["cells"].as_array().unwrap();
        if columns.is_empty() {
            figures.insert((code, String::new()), figure(&cells[0]));
        } else {
            for (column, cell) in columns.iter().zip(cells) {
                figures.insert((code.clone(), column.clone()), figure(cell));
            }
            figures.insert((code, "_total".into()), figure(&row["total"]));
        }
    }
    if columns.is_empty() {
        figures.insert(("_total".into(), String::new()), figure(&table["total"]));
    } else {
        for (column, total) in columns.iter().zip(table["columnTotals"].as_array().unwrap()) {
            figures.insert(("_total".into(), column.clone()), figure(total));
        }
        figures.insert(("_total".into(), "_total".into()), figure(&table["total"]));
    }
    figures
}

/// The CSV export of a table: its lines, checked against its documented shape, as figures by (row
/// code, column code).
async fn csv_export(api: &Api, analyst: &str, query: &str) -> BTreeMap<(String, String), Figure> {
    let response = get(api, &format!("/api/v1/statistics/export.csv?{query}"), Some(analyst)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.starts_with("attachment; filename=\"cloudmedi-"), "{disposition}");
    let body = response.bytes().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_ref());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "indicator",
            "period_from",
            "period_to",
            "filters",
            "row_dimension",
            "row_code",
            "row_name_en",
            "row_name_fr",
            "column_dimension",
            "column_code",
            "column_name_en",
            "column_name_fr",
            "value",
            "suppressed",
            "threshold"
        ]
    );
    let mut figures = BTreeMap::new();
    for line in reader.records() {
        let line = line.unwrap();
        assert_eq!(&line[14], K.to_string());
        let value = match &line[13] {
            "true" => {
                assert_eq!(&line[12], "", "a suppressed figure has no value: {line:?}");
                None
            }
            "false" => Some(line[12].parse::<i64>().unwrap()),
            other => panic!("suppressed is {other}"),
        };
        let key = (line[5].to_owned(), line[9].to_owned());
        assert!(figures.insert(key, value).is_none(), "one line per figure: {line:?}");
    }
    figures
}

/// The DHIS2 mapping the server is restarted with: two districts of the Littoral and the region,
/// Penta1 doses by sex, and cholera cases.
const MAPPING: &str = r#"
data_set = "pBOMPrpg1QX"
[org_units]
national = "ImspTQPwCqd"
[org_units.regions]
LT = "O6uvpzGd5pu"
[org_units.districts]
Deido = "lc3eMKXaEfw"
Nylon = "jUb8gELQApl"
[[data_elements]]
indicator = "doses_given"
antigen = "PENTA"
dose_number = 1
uid = "s46m5MS0hxu"
category_combo = "by_sex"
[[data_elements]]
indicator = "new_diagnoses"
disease = "cholera"
uid = "x3Do5e7g4Qo"
[[category_option_combos]]
uid = "HllvX50cXC0"
[[category_option_combos]]
category_combo = "by_sex"
sex = "female"
uid = "Prlt0C1RF0s"
[[category_option_combos]]
category_combo = "by_sex"
sex = "male"
uid = "V6L425pT3A0"
"#;

/// A DHIS2 export: the document, checked against DHIS2's shape, and the two counts of what it left out.
async fn dhis2_export(api: &Api, analyst: &str, query: &str) -> (Value, u64, u64) {
    let response = get(api, &format!("/api/v1/statistics/dhis2/dataValueSets?{query}"), Some(analyst)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    let count = |name: &str| response.headers()[name].to_str().unwrap().parse::<u64>().unwrap();
    let (suppressed, unmapped) = (count("statistics-suppressed-omitted"), count("statistics-unmapped-omitted"));
    let set: Value = response.json().await.unwrap();
    let keys: BTreeSet<&str> = set.as_object().unwrap().keys().map(String::as_str).collect();
    assert!(keys.is_subset(&BTreeSet::from(["dataSet", "period", "attributeOptionCombo", "dataValues"])), "{set}");
    assert_eq!(set["dataSet"], "pBOMPrpg1QX");
    for value in set["dataValues"].as_array().unwrap() {
        let fields: BTreeSet<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(fields, BTreeSet::from(["dataElement", "period", "orgUnit", "categoryOptionCombo", "value"]));
        assert!(value["value"].as_str().unwrap().chars().all(|c| c.is_ascii_digit()), "{value}");
    }
    (set, suppressed, unmapped)
}

/// The rows of the page's table `id`: each row's `data-code` and its cells, as `(class, text)`. Works on
/// the server's source and on the browser's serialisation of the page alike.
fn page_rows(html: &str, id: &str) -> Vec<(String, Vec<(String, String)>)> {
    let start = html.find(&format!("<table id=\"{id}\"")).unwrap_or_else(|| panic!("no table {id}"));
    let end = html[start..].find("</table>").unwrap() + start;
    html[start..end]
        .split("<tr")
        .skip(1)
        .filter_map(|row| {
            let code = row.split("data-code=\"").nth(1)?.split('"').next()?.to_owned();
            let cells = row
                .split("<td")
                .skip(1)
                .map(|cell| {
                    let class = cell.split("class=\"").nth(1).and_then(|class| class.split('"').next()).unwrap_or("");
                    let inner = cell.split_once('>').map_or("", |(_, rest)| rest);
                    (class.to_owned(), text(inner.split("</td>").next().unwrap_or("")))
                })
                .collect();
            Some((code, cells))
        })
        .collect()
}

/// The text of some HTML, tags left out.
fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&nbsp;", "\u{a0}")
}

/// A figure cell of the page: hidden, or its count (digits grouped by any separator).
fn page_figure((class, text): &(String, String)) -> Figure {
    if class == "masked" {
        assert!(!text.chars().any(|c| c.is_ascii_digit()), "a hidden figure shows no digit: {text}");
        return None;
    }
    assert_eq!(class, "n", "{text}");
    Some(text.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap_or_else(|_| panic!("{text}")))
}

/// A percentage cell of the page (`75,0 %` or `75.0%`), or `None` when hidden or undefined.
fn page_percent((class, text): &(String, String)) -> Option<f64> {
    if class == "masked" || text.trim() == "—" {
        return None;
    }
    let number: String = text.chars().filter(|c| c.is_ascii_digit() || *c == ',' || *c == '.').collect();
    Some(number.replace(',', ".").parse().unwrap_or_else(|_| panic!("{text}")))
}

/// The page's crosstab `id` as figures by row code: the cells, then the row's total.
fn page_crosstab(html: &str, id: &str) -> BTreeMap<String, Vec<Figure>> {
    page_rows(html, id).iter().map(|(code, cells)| (code.clone(), cells.iter().map(page_figure).collect())).collect()
}

/// What a page may never hold: a hidden figure drawn with its value. Every hatched bar has the one
/// geometry of a full-height band, every title of a hidden bar names only its period, and every figure
/// shown is 0 or at least k.
fn nothing_hidden_shows(html: &str) {
    let bars: Vec<&str> =
        html.split("<rect class=\"masked\"").skip(1).map(|rest| &rest[..rest.find('>').unwrap()]).collect();
    for bar in &bars {
        let attribute = |name: &str| bar.split(&format!(" {name}=\"")).nth(1).and_then(|rest| rest.split('"').next());
        assert_eq!((attribute("y"), attribute("height")), (Some("5.0"), Some("36.0")), "{bar}");
    }
    for title in html.split("<title>").skip(1).filter_map(|rest| rest.split("</title>").next()) {
        if title.contains("masqué") || title.contains("hidden") {
            let (_, shown) = title.split_once(" : ").unwrap_or(("", title));
            assert!(!shown.chars().any(|c| c.is_ascii_digit()), "{title}");
        }
    }
    for id in ["curve", "attendance"] {
        no_small_count(page_crosstab(html, id).into_values().flatten(), id);
    }
    let coverage = page_rows(html, "coverage");
    no_small_count(coverage.iter().flat_map(|(_, cells)| [page_figure(&cells[2]), page_figure(&cells[3])]), "coverage");
}

/// The Monday of the week holding `day`.
fn monday(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The scenario on one backend; returns the running API, the analyst's and a doctor's tokens, the
/// dashboard's path with its parameters, and the directory the data lives in.
async fn exports_and_dashboard(database_url: Option<&str>) -> (Api, String, String, String, tempfile::TempDir) {
    let (temp, mut api, admin) = bootstrap(database_url).await;
    let (deido_nurse, deido_doctor) = facility(&mut api, &admin, "Deido", "DEI", 690000100).await;
    let (nylon_nurse, nylon_doctor) = facility(&mut api, &admin, "Nylon", "NYL", 690000110).await;
    let analyst = national(&mut api, &admin, "MINSANTE-ANA-1", "health_authority_analyst", "690000120").await;
    let auditor = national(&mut api, &admin, "MINSANTE-AUD-1", "auditor", "690000130").await;

    // Deido: twelve children, six girls and six boys, each given Penta1 in June 2025 and seen in July.
    // Nylon: three children, one given Penta1, each seen in August. One case of cholera today in Deido.
    let mut deido = Vec::new();
    for n in 0..12 {
        let patient = child(&api, &deido_nurse, n, "Deido").await;
        penta1(&api, &deido_nurse, &patient, "2025-06-01").await;
        visit(&api, &deido_doctor, &patient, "2025-07-15").await;
        deido.push(patient);
    }
    for n in 12..15 {
        let patient = child(&api, &nylon_nurse, n, "Nylon").await;
        if n == 12 {
            penta1(&api, &nylon_nurse, &patient, "2025-06-02").await;
        }
        visit(&api, &nylon_doctor, &patient, "2025-08-10").await;
    }
    let cholera = api
        .post(
            &format!("/api/v1/patients/{}/conditions", deido[0]),
            Some(&deido_doctor),
            json!({"icd10": "A00.9", "description": "cholera", "status": "active"}),
        )
        .await;
    assert_eq!(cholera.status(), 201);
    let mut reads = statistics_reads(&api, &auditor).await;
    assert_eq!(reads, 0);

    // The CSV export of a crosstab: one line per figure, margins included, equal to GraphQL's table.
    let doses = "indicator=doses_given&rows=district&columns=sex&from=2025-01-01&to=2025-12-31&region=LT&antigen=PENTA&dose_number=1";
    let exported = csv_export(&api, &analyst, doses).await;
    reads += 1;
    let filter = json!({"from": "2025-01-01", "to": "2025-12-31", "region": "LT", "antigen": "PENTA", "doseNumber": 1});
    let published = graphql_table(
        &api,
        &analyst,
        json!({"indicator": "DOSES_GIVEN", "rows": "DISTRICT", "columns": "SEX", "filter": filter}),
    )
    .await;
    reads += 1;
    assert_eq!(exported, published);
    let districts = exported.keys().filter(|(row, _)| row != "_total").map(|(row, _)| row).collect::<BTreeSet<_>>();
    let sexes =
        exported.keys().filter(|(_, column)| column != "_total").map(|(_, column)| column).collect::<BTreeSet<_>>();
    assert_eq!(districts.len(), 17, "every district of the Littoral: {districts:?}");
    assert_eq!(exported.len(), (districts.len() + 1) * (sexes.len() + 1), "cells, row totals, column totals, total");
    assert!(exported.values().any(Option::is_none), "Nylon's one dose is suppressed");
    no_small_count(exported.values().copied(), "doses");
    assert_eq!(exported[&("Japoma".to_owned(), "female".to_owned())], Some(0), "zero is shown");

    // A table without columns: visits by month.
    let visits = "indicator=encounters&rows=month&from=2025-01-01&to=2025-12-31&region=LT";
    let exported = csv_export(&api, &analyst, visits).await;
    reads += 1;
    let published = graphql_table(
        &api,
        &analyst,
        json!({"indicator": "ENCOUNTERS", "rows": "MONTH", "filter": {"from": "2025-01-01", "to": "2025-12-31", "region": "LT"}}),
    )
    .await;
    reads += 1;
    assert_eq!(exported, published);
    assert_eq!(exported.len(), 13, "twelve months and the total");
    let july = exported[&("2025-07".to_owned(), String::new())];
    assert!(matches!(july, Some(12) | None), "July's twelve visits, unless hidden to protect August's three");
    no_small_count(exported.values().copied(), "visits");
    assert_eq!(statistics_reads(&api, &auditor).await, reads, "each export is a statistics read");

    // Refusals, in order: no session, a role that never reads statistics (whatever the parameters),
    // then each invalid parameter named; nothing of these is a read.
    let routes = ["/api/v1/statistics/export.csv", "/api/v1/statistics/dhis2/dataValueSets", "/statistics"];
    for route in routes {
        problem(get(&api, &format!("{route}?{doses}"), None).await, 401).await;
        problem(get(&api, &format!("{route}?{doses}"), Some(&deido_doctor)).await, 403).await;
        problem(get(&api, &format!("{route}?indicator=nope"), Some(&deido_doctor)).await, 403).await;
    }
    let csv = "/api/v1/statistics/export.csv";
    for (query, status, field) in [
        ("indicator=nope&rows=district&from=2025-01-01&to=2025-01-31", 400, "/indicator"),
        ("indicator=deaths&rows=district&from=2025-02-30&to=2025-03-31", 400, "/from"),
        ("indicator=deaths&from=2025-01-01&to=2025-01-31", 400, "/rows"),
        ("indicator=deaths&rows=sex&from=2025-01-01&to=2025-01-31&region=XX", 400, "/region"),
        ("indicator=deaths&rows=sex&from=2025-02-01&to=2025-01-31", 422, "/to"),
        ("indicator=deaths&rows=sex&from=2025-01-01&to=2025-01-31&district=Atlantis", 422, "/district"),
        ("indicator=referrals&rows=sex&from=2025-01-01&to=2025-01-31", 422, "/indicator"),
    ] {
        let body = problem(get(&api, &format!("{csv}?{query}"), Some(&analyst)).await, status).await;
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }
    let unknown = problem(get(&api, &format!("{csv}?{doses}&galaxy=far"), Some(&analyst)).await, 400).await;
    assert!(unknown["detail"].as_str().unwrap().contains("galaxy"), "{unknown}");
    let bad_page = problem(get(&api, "/statistics?lang=de", Some(&analyst)).await, 400).await;
    assert_eq!(bad_page["errors"][0]["field"], "/lang");

    // Without a mapping, the DHIS2 export says so.
    let june = "indicator=doses_given&rows=district&columns=sex&from=2025-06-01&to=2025-06-30&region=LT&antigen=PENTA&dose_number=1";
    let dhis2 = "/api/v1/statistics/dhis2/dataValueSets";
    let refused = problem(get(&api, &format!("{dhis2}?{june}"), Some(&analyst)).await, 409).await;
    assert!(refused["detail"].as_str().unwrap().contains("no DHIS2 mapping is configured"), "{refused}");
    assert_eq!(statistics_reads(&api, &auditor).await, reads, "no refused request is a read");

    // With a mapping in the data directory: only shown figures, placed by the mapping, in DHIS2's shape.
    std::fs::write(api.data.join("dhis2-mapping.toml"), MAPPING).unwrap();
    api.restart(&[GENEROUS, ("CLOUDMEDI_DHIS2_MAPPING", "dhis2-mapping.toml")]);
    let (set, suppressed, unmapped) = dhis2_export(&api, &analyst, june).await;
    reads += 1;
    let published = graphql_table(
        &api,
        &analyst,
        json!({"indicator": "DOSES_GIVEN", "rows": "DISTRICT", "columns": "SEX",
               "filter": {"from": "2025-06-01", "to": "2025-06-30", "region": "LT", "antigen": "PENTA", "doseNumber": 1}}),
    )
    .await;
    reads += 1;
    assert_eq!(set["period"], "202506", "one month, in DHIS2's syntax");
    let org_units = BTreeMap::from([("Deido", "lc3eMKXaEfw"), ("Nylon", "jUb8gELQApl")]);
    let combos = BTreeMap::from([("female", "Prlt0C1RF0s"), ("male", "V6L425pT3A0")]);
    let body: Vec<(&(String, String), &Figure)> =
        published.iter().filter(|((row, column), _)| row != "_total" && column != "_total").collect();
    let mut expected = BTreeSet::new();
    for ((district, sex), value) in &body {
        if let (Some(value), Some(org_unit), Some(combo)) =
            (value, org_units.get(district.as_str()), combos.get(sex.as_str()))
        {
            expected.insert((
                "s46m5MS0hxu".to_owned(),
                "202506".to_owned(),
                (*org_unit).to_owned(),
                (*combo).to_owned(),
                value.to_string(),
            ));
        }
    }
    let values: BTreeSet<(String, String, String, String, String)> = set["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| {
            let field = |name: &str| value[name].as_str().unwrap().to_owned();
            (field("dataElement"), field("period"), field("orgUnit"), field("categoryOptionCombo"), field("value"))
        })
        .collect();
    assert_eq!(values, expected);
    assert!(!values.is_empty(), "Deido's doses are shown: {published:?}");
    let hidden = body.iter().filter(|(_, value)| value.is_none()).count() as u64;
    assert!(hidden > 0);
    assert_eq!(suppressed, hidden, "every suppressed figure is left out and counted");
    assert_eq!(unmapped, (body.len() as u64) - hidden - values.len() as u64, "the other districts' figures");

    // Cholera in the Littoral by ISO week: periods like 2026W12, and the week of the one case left out.
    let today = (chrono::Utc::now() + chrono::Duration::hours(1)).date_naive();
    let (first, last) = (monday(today) - Days::new(14), monday(today) + Days::new(13));
    let weekly = format!("indicator=new_diagnoses&rows=week&from={first}&to={last}&region=LT&disease=cholera");
    let (set, suppressed, unmapped) = dhis2_export(&api, &analyst, &weekly).await;
    reads += 1;
    let published = graphql_table(
        &api,
        &analyst,
        json!({"indicator": "NEW_DIAGNOSES", "rows": "WEEK",
               "filter": {"from": first.to_string(), "to": last.to_string(), "region": "LT", "disease": "cholera"}}),
    )
    .await;
    reads += 1;
    assert!(set.get("period").is_none(), "a period per value");
    let mut shown_weeks = BTreeSet::new();
    for ((week, _), value) in published.iter().filter(|((row, _), _)| row != "_total") {
        if let Some(value) = value {
            let (year, number) = week.split_once("-W").unwrap();
            shown_weeks.insert((format!("{year}W{}", number.trim_start_matches('0')), value.to_string()));
        }
    }
    let exported: BTreeSet<(String, String)> = set["dataValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|value| {
            assert_eq!(value["orgUnit"], "O6uvpzGd5pu", "the region's organisation unit");
            assert_eq!(value["dataElement"], "x3Do5e7g4Qo");
            assert_eq!(value["categoryOptionCombo"], "HllvX50cXC0");
            (value["period"].as_str().unwrap().to_owned(), value["value"].as_str().unwrap().to_owned())
        })
        .collect();
    assert_eq!(exported, shown_weeks);
    assert_eq!(exported.len(), 4 - suppressed as usize);
    assert!(suppressed >= 1, "the week of the one case");
    assert_eq!(unmapped, 0);
    for (period, _) in &exported {
        let (year, week) = period.split_once('W').unwrap();
        assert!(year.len() == 4 && !week.starts_with('0') && week.parse::<u32>().is_ok(), "{period}");
    }
    // What DHIS2 cannot place, or part of a week, is refused and named.
    let chapter = format!("{dhis2}?indicator=new_diagnoses&rows=icd10_chapter&from=2025-06-01&to=2025-06-30");
    let body = problem(get(&api, &chapter, Some(&analyst)).await, 400).await;
    assert_eq!(body["errors"][0]["field"], "/rows");
    let partial = format!("{dhis2}?indicator=new_diagnoses&rows=week&from=2025-06-04&to=2025-06-29&disease=cholera");
    let body = problem(get(&api, &partial, Some(&analyst)).await, 422).await;
    assert_eq!(body["errors"][0]["field"], "/from");
    assert_eq!(statistics_reads(&api, &auditor).await, reads);

    // The dashboard's source, in French, for the Littoral and cholera: its numbers are GraphQL's.
    let (from, to) = (monday(today) - Days::new(77), monday(today) + Days::new(13));
    let page = format!("/statistics?lang=fr&year=2025&region=LT&disease=cholera&from={from}&to={to}");
    let response = get(&api, &page, Some(&analyst)).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert_eq!(response.headers()["content-language"], "fr");
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("default-src 'none'") && policy.contains("style-src 'sha256-"), "{policy}");
    assert!(!policy.contains("script-src") && !policy.contains("unsafe-inline"), "no script: {policy}");
    let html = response.text().await.unwrap();
    reads += 4;
    assert!(html.len() < 60_000, "a small page: {} bytes", html.len());
    assert!(!html.contains("<script") && !html.contains("http://") && !html.contains("https://"), "loads nothing");
    dashboard_matches_graphql(&api, &analyst, &html, from, to).await;
    reads += 4;
    nothing_hidden_shows(&html);
    assert!(html.contains("Choléra"));

    // In English, asked by `Accept-Language`; the national page with every default.
    let english = api
        .client
        .get(api.server.url("/statistics"))
        .bearer_auth(&analyst)
        .header("accept-language", "en-GB,en;q=0.9,fr;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(english.headers()["content-language"], "en");
    let english = english.text().await.unwrap();
    reads += 4;
    assert!(english.contains("<title>Public health statistics — CloudMedi</title>"));
    assert!(english.contains("Immunisation coverage") && english.contains("Epidemic curve"));
    nothing_hidden_shows(&english);
    assert_eq!(page_rows(&english, "coverage").len(), 10 + 1, "every region and the country");
    assert_eq!(statistics_reads(&api, &auditor).await, reads, "each table the page shows is a read");

    // Each export and page is in the ledger under its own name.
    let export = support::cloudmedi(&["export", "--data-dir", support::path(&api.data)], api.database_url.as_deref());
    assert_eq!(export.code, 0, "{}", export.stderr);
    for (table, times) in [
        ("export.csv:doses_given", 1),
        ("export.csv:encounters", 1),
        ("export.dhis2:doses_given", 1),
        ("export.dhis2:new_diagnoses", 1),
        ("dashboard:coverage", 2),
        ("dashboard:epidemic_curve", 2),
        ("dashboard:alerts", 2),
        ("dashboard:attendance", 2),
    ] {
        let found = export.stdout.lines().filter(|line| line.contains(&format!("\"{table}\""))).count();
        assert_eq!(found, times, "{table}");
    }

    // Signed in on the web pages, the analyst finds the dashboard on their start page and opens it with
    // the session's cookie alone, in the language of the pages; a doctor's session is refused it, and a
    // cookie that opens no session is no sign-in.
    let base = api.server.url("");
    let mut browser = support::browser::Visitor::signed_in(&base, "fr", &analyst);
    let home = browser.get("/").await;
    assert!(home.body.contains("href=\"/statistics?lang=fr\""), "{}", home.body);
    let opened = browser.get("/statistics?lang=fr").await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert!(opened.body.contains("Couverture vaccinale"), "{}", opened.body);
    nothing_hidden_shows(&opened.body);
    let refused = support::browser::Visitor::signed_in(&base, "fr", &deido_doctor).get("/statistics").await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    let stranger = support::browser::Visitor::signed_in(&base, "fr", "not-a-session").get("/statistics").await;
    assert_eq!(stranger.status, 401, "{}", stranger.body);
    (api, analyst, deido_doctor, page, temp)
}

/// The dashboard's tables against GraphQL's answers for the same parameters.
async fn dashboard_matches_graphql(api: &Api, analyst: &str, html: &str, from: NaiveDate, to: NaiveDate) {
    let coverage = graphql(
        api,
        analyst,
        r#"{ statistics { coverage(birthYear: 2025, antigen: "PENTA", doseNumber: 1, by: DISTRICT, region: "LT") {
             rows { area { code } registered { value suppressed } vaccinated { value suppressed } coverage { percent suppressed } }
             total { area { code } registered { value suppressed } vaccinated { value suppressed } coverage { percent suppressed } } } } }"#,
        json!({}),
    )
    .await;
    let coverage = &coverage["data"]["statistics"]["coverage"];
    let page = page_rows(html, "coverage");
    let rows: Vec<&Value> = coverage["rows"].as_array().unwrap().iter().chain([&coverage["total"]]).collect();
    assert_eq!(page.len(), rows.len());
    for row in rows {
        let code = row["area"]["code"].as_str().unwrap();
        let (_, cells) = page.iter().find(|(found, _)| found == code).unwrap_or_else(|| panic!("no row {code}"));
        // Coverage with its bar, then the children vaccinated and registered.
        assert_eq!(page_percent(&cells[0]), row["coverage"]["percent"].as_f64(), "{code} coverage");
        assert_eq!(page_figure(&cells[2]), figure(&row["vaccinated"]), "{code} vaccinated");
        assert_eq!(page_figure(&cells[3]), figure(&row["registered"]), "{code} registered");
    }
    let deido = page.iter().find(|(code, _)| code == "Deido").unwrap();
    for figure in [page_figure(&deido.1[2]), page_figure(&deido.1[3])] {
        assert!(matches!(figure, Some(12) | None), "a shown figure is the true count: {figure:?}");
    }

    let curve = graphql(
        api,
        analyst,
        r#"query($from: String!, $to: String!) { statistics {
             epidemicCurve(disease: "cholera", from: $from, to: $to, region: "LT") {
               body { label { code } cells { value suppressed } total { value suppressed } }
               columnTotals { value suppressed } total { value suppressed } }
             alerts(from: $from, to: $to, region: "LT") { disease { code } district week level } } }"#,
        json!({"from": from.to_string(), "to": to.to_string()}),
    )
    .await;
    let statistics = &curve["data"]["statistics"];
    let mut expected: BTreeMap<String, Vec<Figure>> = BTreeMap::new();
    for row in statistics["epidemicCurve"]["body"].as_array().unwrap() {
        let mut figures: Vec<Figure> = row["cells"].as_array().unwrap().iter().map(figure).collect();
        figures.push(figure(&row["total"]));
        expected.insert(row["label"]["code"].as_str().unwrap().to_owned(), figures);
    }
    let mut totals: Vec<Figure> =
        statistics["epidemicCurve"]["columnTotals"].as_array().unwrap().iter().map(figure).collect();
    totals.push(figure(&statistics["epidemicCurve"]["total"]));
    expected.insert("_total".into(), totals);
    assert_eq!(page_crosstab(html, "curve"), expected);
    assert_eq!(expected["_total"].last(), Some(&None), "one case of cholera is not shown");

    let alerts = statistics["alerts"].as_array().unwrap();
    let page_alerts = page_rows(html, "alerts");
    assert_eq!(page_alerts.len(), alerts.len());
    assert_eq!(alerts.len(), 1, "{statistics}");
    assert_eq!(page_alerts[0].0, "cholera");
    assert_eq!(page_alerts[0].1[0].1, alerts[0]["week"].as_str().unwrap());
    assert_eq!(page_alerts[0].1[2].1, "Deido");

    let attendance = graphql_table(
        api,
        analyst,
        json!({"indicator": "ENCOUNTERS", "rows": "MONTH", "filter": {"from": "2025-01-01", "to": "2025-12-31", "region": "LT"}}),
    )
    .await;
    let expected: BTreeMap<String, Vec<Figure>> =
        attendance.into_iter().map(|((row, _), value)| (row, vec![value])).collect();
    assert_eq!(page_crosstab(html, "attendance"), expected);
}

/// What the browser saw.
struct Rendered {
    french_title: String,
    french: String,
    english_title: String,
    english: String,
    refused: String,
    screenshots: Vec<(String, Vec<u8>)>,
}

/// Opens the dashboard in headless Chromium on a phone's screen (360 × 740) and on a desktop's, in
/// French and in English, as the analyst; then as a doctor.
fn render(base: &str, page: &str, analyst: &str, doctor: &str) -> Rendered {
    use headless_chrome::protocol::cdp::Page;
    use std::collections::HashMap;

    let (browser, _profile) = support::browser::chromium(360, 740);
    let open = |bearer: &str, url: &str| {
        let tab = browser.new_tab().unwrap();
        let authorization = format!("Bearer {bearer}");
        tab.set_extra_http_headers(HashMap::from([("Authorization", authorization.as_str())])).unwrap();
        tab.navigate_to(url).unwrap().wait_until_navigated().unwrap();
        tab
    };
    let screen = |tab: &headless_chrome::Tab, width: u32, height: u32, mobile: bool| {
        let metrics = |height: u32| support::browser::screen(width, height, mobile);
        tab.call_method(metrics(height)).unwrap();
        // The whole page, however long, at the screen's width.
        let full = tab.evaluate("document.documentElement.scrollHeight", false).unwrap();
        let full = full.value.and_then(|value| value.as_u64()).and_then(|full| u32::try_from(full).ok());
        tab.call_method(metrics(full.unwrap_or(height).max(height))).unwrap();
        tab.capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true).unwrap()
    };
    let french = open(analyst, &format!("{base}{page}"));
    let phone = screen(&french, 360, 740, true);
    let desktop = screen(&french, 1280, 900, false);
    let english = open(analyst, &format!("{base}{}", page.replace("lang=fr", "lang=en")));
    let refused = open(doctor, &format!("{base}{page}"));
    Rendered {
        french_title: french.get_title().unwrap(),
        french: french.get_content().unwrap(),
        english_title: english.get_title().unwrap(),
        english: english.get_content().unwrap(),
        refused: refused.get_content().unwrap(),
        screenshots: vec![("phone".into(), phone), ("desktop".into(), desktop)],
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_and_the_dashboard_on_sqlite() {
    let (api, analyst, doctor, page, _temp) = exports_and_dashboard(None).await;
    let base = api.server.url("");
    let rendered = tokio::task::spawn_blocking({
        let (page, analyst, doctor) = (page.clone(), analyst.clone(), doctor.clone());
        move || render(&base, &page, &analyst, &doctor)
    })
    .await
    .unwrap();
    assert_eq!(rendered.french_title, "Statistiques de santé publique — CloudMedi");
    assert_eq!(rendered.english_title, "Public health statistics — CloudMedi");
    for (html, heading) in [(&rendered.french, "Couverture vaccinale"), (&rendered.english, "Immunisation coverage")] {
        assert!(html.contains(heading));
        for id in ["coverage", "curve", "alerts", "attendance"] {
            assert!(html.contains(&format!("<table id=\"{id}\"")), "{id}");
        }
        nothing_hidden_shows(html);
    }
    // What the browser shows is what GraphQL answers.
    let (from, to) =
        page.split('&').filter_map(|pair| pair.split_once('=')).fold((None, None), |(from, to), (name, value)| {
            match name {
                "from" => (value.parse().ok(), to),
                "to" => (from, value.parse().ok()),
                _ => (from, to),
            }
        });
    dashboard_matches_graphql(&api, &analyst, &rendered.french, from.unwrap(), to.unwrap()).await;
    assert!(rendered.refused.contains("\"status\":403"), "a doctor is refused: {}", rendered.refused);
    for (name, png) in &rendered.screenshots {
        assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000, "{name}: {} bytes", png.len());
        if let Ok(directory) = std::env::var("CLOUDMEDI_SCREENSHOTS") {
            std::fs::write(std::path::Path::new(&directory).join(format!("statistics-{name}.png")), png).unwrap();
        }
    }
    api.server.stop();
}

#[tokio::test(flavor = "multi_thread")]
async fn exports_and_the_dashboard_on_postgres() {
    let database = ledger::testing::ScratchDatabase::create("cloudmedi_statistics_pages_e2e").await.unwrap();
    let (api, ..) = exports_and_dashboard(Some(database.url())).await;
    api.server.stop();
    database.drop_database().await.unwrap();
}
