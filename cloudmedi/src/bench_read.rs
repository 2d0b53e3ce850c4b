//! `cloudmedi bench --read`: the read side over a ledger of realistic synthetic data (`cloudmedi demo`'s
//! generator), on each backend:
//!
//! - **rebuild**: every projector from position 0, in events per second, against a baseline measured in
//!   the same run: reading the same entries page by page with nothing projected;
//! - **full record**: the latency (p50, p99) of one GraphQL query for the showcase patient's whole
//!   record (about 200 entries, every section, with authors, facilities and the vaccination card), as a
//!   doctor of the patient's facility, through the same `QueryApi` the server runs, with the read
//!   recorded in the ledger before the answer is returned, as the server does; against two baselines:
//!   the same query with its read left unrecorded, and the bare SQL query of the record's entries;
//!   then each other query the record runs (care facts, patient row, authors, facilities,
//!   appointments), timed alone, to show where the rest goes;
//! - **statistics**: the latency (p50, p99) of two analysts' queries, each read recorded: national
//!   Penta3 coverage of last year's cohort by region, and a district's weekly malaria curve over a
//!   year; against the bare sums the read models answer for them.

use crate::demo;
use anyhow::Context;
use application::reads::ReadLog;
use domain::access::Principal;
use event_schema::{events, Role};
use ledger::testing::ScratchDatabase;
use ledger::{Ledger, PgStorage, SqliteStorage, Storage};
use projections::read::{AppointmentsOf, ReadModels};
use projections::Runner;
use query_api::{QueryApi, Read, ReadRecorder, Recording, TableRead, Viewer};
use secrecy::{ExposeSecret, SecretString};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// The query a clinician's screen sends to show a whole record.
const FULL_RECORD: &str = "query($id: ID!) { patient(id: $id) {
  id healthId familyName givenNames sex birthDate region healthDistrict registeredAtFacility { name }
  medicalHistory(first: 100) { ...entries } familyHistory(first: 100) { ...entries }
  allergies(first: 100) { ...entries } conditions(first: 100) { ...entries }
  treatments(first: 100) { ...entries } prescriptions(first: 100) { ...entries }
  labOrders(first: 100) { ...entries } labResults(first: 100) { ...entries }
  vitalSigns(first: 100) { ...entries } immunizations(first: 100) { ...entries }
  encounters(first: 100) { ...entries } referrals(first: 100) { ...entries }
  appointments(first: 100) { edges { node { id status startsAt reason } } }
  vaccinationCard { doses { antigen doseNumber dueOn status givenOn } }
} }
fragment entries on RecordEntryConnection {
  pageInfo { hasNextPage }
  edges { node { id type status amendedBy correction { reason } recordedBy { role name } facility { name }
                 occurredAt ledgerPosition details } }
}";

/// The baseline: reads left unrecorded, to show what recording them costs.
struct Discard;

impl ReadRecorder for Discard {
    fn record(&self, _: Vec<Read>) -> Recording<'_> {
        Box::pin(std::future::ready(Ok(())))
    }

    fn record_statistics(&self, _: Vec<TableRead>) -> Recording<'_> {
        Box::pin(std::future::ready(Ok(())))
    }
}

/// The settings of a read-side run.
pub struct ReadBench {
    /// The server scratch databases are created on (its URL may hold a password).
    pub admin_url: SecretString,
    pub events: u64,
    pub samples: usize,
    pub scratch_dir: Option<PathBuf>,
}

/// A scratch database for a benchmark: a PostgreSQL database of its own, or a SQLite file in a
/// temporary folder, removed when the run is over.
pub struct Scratch {
    pub storage: Arc<dyn Storage>,
    postgres: Option<ScratchDatabase>,
    directory: Option<tempfile::TempDir>,
}

impl Scratch {
    /// A scratch database on `backend` (`"sqlite"` or `"postgres"`), named after `purpose`.
    pub async fn create(
        admin_url: &SecretString,
        scratch_dir: Option<&PathBuf>,
        backend: &str,
        purpose: &str,
    ) -> anyhow::Result<Self> {
        if backend == "postgres" {
            let database = ScratchDatabase::create_on(admin_url.expose_secret(), purpose)
                .await
                .context("cannot create a scratch PostgreSQL database (is the server running?)")?;
            let storage = PgStorage::connect(database.url()).await?;
            return Ok(Self { storage: Arc::new(storage), postgres: Some(database), directory: None });
        }
        let dir = match scratch_dir {
            Some(parent) => tempfile::Builder::new().prefix("cloudmedi-bench-").tempdir_in(parent)?,
            None => tempfile::Builder::new().prefix("cloudmedi-bench-").tempdir()?,
        };
        let storage = SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await?;
        Ok(Self { storage: Arc::new(storage), postgres: None, directory: Some(dir) })
    }

    /// Closes the database and removes it.
    pub async fn remove(self) -> anyhow::Result<()> {
        self.storage.close().await;
        if let Some(database) = self.postgres {
            database.drop_database().await?;
        }
        drop(self.directory);
        Ok(())
    }
}

/// Measures the read side on `backend` (`"sqlite"` or `"postgres"`).
pub async fn run(settings: &ReadBench, backend: &str) -> anyhow::Result<()> {
    let scratch =
        Scratch::create(&settings.admin_url, settings.scratch_dir.as_ref(), backend, "cloudmedi_bench_read").await?;
    let result = measure(settings, backend, scratch.storage.clone()).await;
    scratch.remove().await?;
    result
}

async fn measure(settings: &ReadBench, backend: &str, storage: Arc<dyn Storage>) -> anyhow::Result<()> {
    crate::datadir::migrate(storage.as_ref()).await?;
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "bench").await?;
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await?;
    let as_of = chrono::Utc::now().date_naive();
    let generating = Instant::now();
    let generated = demo::generate(&ledger, settings.events, 1, as_of).await?;
    let head = ledger.head().await?.position;
    outln!(
        "{backend}: {} events of synthetic data generated in {:.1} s (ledger head {head}); showcase record {} entries",
        generated.events,
        generating.elapsed().as_secs_f64(),
        generated.showcase_entries
    );

    // Baseline: read every entry, nothing projected.
    let started = Instant::now();
    let mut after = 0;
    while after < head {
        let page = ledger.read_all(after, 2_000).await?;
        let Some(last) = page.last() else { break };
        after = last.position;
    }
    let read_rate = head as f64 / started.elapsed().as_secs_f64().max(1e-9);

    let runner = Runner::new(storage.database());
    runner.reset(None).await?;
    let started = Instant::now();
    let read = runner.catch_up(&ledger, head, |_| {}).await?;
    let rebuild_rate = read as f64 / started.elapsed().as_secs_f64().max(1e-9);
    // The statistics projector alone, the others left caught up: its share of the rebuild.
    runner.reset(Some("statistics")).await?;
    let started = Instant::now();
    let replayed = runner.catch_up(&ledger, head, |_| {}).await?;
    let statistics_rate = replayed as f64 / started.elapsed().as_secs_f64().max(1e-9);
    outln!(
        "{:<9} {:>10} {:>14} {:>16} {:>7} {:>16}",
        "backend",
        "entries",
        "rebuild ev/s",
        "read-only ev/s",
        "ratio",
        "statistics ev/s"
    );
    outln!(
        "{:<9} {:>10} {:>14.0} {:>16.0} {:>7.2} {:>16.0}",
        backend,
        read,
        rebuild_rate,
        read_rate,
        rebuild_rate / read_rate,
        statistics_rate
    );

    // The full record, as a doctor of the facility the showcase patient is registered at.
    let models = ReadModels::new(storage.database());
    let patient = generated.showcase_id;
    let row = models.patients(&[patient]).await?.into_iter().next().context("the showcase patient is projected")?;
    let facility = Uuid::parse_str(&row.registered_at_facility)?;
    // The bench measures queries, not the per-account budget that would refuse most of its samples.
    let unlimited = query_api::QuerySettings { cost_per_minute: u32::MAX, ..query_api::QuerySettings::default() };
    // Each read is appended to the ledger before its answer returns, as the server does.
    let api = QueryApi::with_settings(models.clone(), Arc::new(ReadLog::new(ledger.clone())), unlimited);
    let unrecorded = QueryApi::with_settings(models.clone(), Arc::new(Discard), unlimited);
    let viewer = Viewer {
        principal: Principal {
            account_id: Uuid::now_v7(),
            role: Role::Doctor,
            facility_id: Some(facility),
            patient_id: None,
            region: None,
        },
    };
    let variables = async_graphql::Variables::from_json(serde_json::json!({ "id": patient }));
    let query = || async_graphql::Request::new(FULL_RECORD).variables(variables.clone());
    let first = api.execute(query(), Some(viewer.clone())).await;
    if !first.errors.is_empty() {
        anyhow::bail!("the full record query failed: {:?}", first.errors);
    }
    let shown = count_entries(&first.data.into_json()?);
    for _ in 0..settings.samples.min(20) {
        api.execute(query(), Some(viewer.clone())).await;
    }
    // Recorded and unrecorded samples alternate, so that both see the same database.
    let mut graphql = Vec::with_capacity(settings.samples);
    let mut bare = Vec::with_capacity(settings.samples);
    for _ in 0..settings.samples {
        for (apis, times) in [(&api, &mut graphql), (&unrecorded, &mut bare)] {
            let started = Instant::now();
            let response = apis.execute(query(), Some(viewer.clone())).await;
            times.push(started.elapsed());
            if !response.errors.is_empty() {
                anyhow::bail!("the full record query failed: {:?}", response.errors);
            }
        }
    }
    let record = [patient];
    let (graphql_p50, graphql_p99) = percentiles(&mut graphql);
    let (bare_p50, bare_p99) = percentiles(&mut bare);
    let (sql_p50, sql_p99) = timed(settings.samples, || models.entries(&record)).await?;

    // Where the rest goes: each other query a full record runs, alone, with the record's own ids.
    let entries = models.entries(&[patient]).await?;
    let mut authors: Vec<Uuid> =
        entries.iter().filter_map(|entry| Uuid::parse_str(&entry.author_account_id).ok()).collect();
    authors.sort_unstable();
    authors.dedup();
    let mut facilities: Vec<Uuid> = entries
        .iter()
        .filter_map(|entry| entry.facility_id.as_deref().and_then(|id| Uuid::parse_str(id).ok()))
        .collect();
    facilities.sort_unstable();
    facilities.dedup();
    let samples = settings.samples;
    let care = timed(samples, || models.care(&record)).await?;
    let row = timed(samples, || models.patients(&record)).await?;
    let staff = timed(samples, || models.staff(&authors)).await?;
    let places = timed(samples, || models.facilities(&facilities)).await?;
    let appointments =
        timed(samples, || models.appointments(AppointmentsOf::Patient(patient), i64::MIN, i64::MAX, None, 101)).await?;
    outln!(
        "{:<9} {:>8} {:>9} {:>12} {:>12} {:>13} {:>13} {:>9}",
        "backend",
        "entries",
        "samples",
        "graphql p50",
        "graphql p99",
        "entries p50",
        "entries p99",
        "p99 ratio"
    );
    outln!(
        "{:<9} {:>8} {:>9} {:>10.2}ms {:>10.2}ms {:>11.2}ms {:>11.2}ms {:>9.1}",
        backend,
        shown,
        settings.samples,
        millis(graphql_p50),
        millis(graphql_p99),
        millis(sql_p50),
        millis(sql_p99),
        millis(graphql_p99) / millis(sql_p99).max(1e-9)
    );
    outln!(
        "{:<9} {:>24} {:>24} {:>13} {:>13}",
        "backend",
        "unrecorded graphql p50",
        "unrecorded graphql p99",
        "p50 ratio",
        "p99 ratio"
    );
    outln!(
        "{:<9} {:>22.2}ms {:>22.2}ms {:>13.2} {:>13.2}",
        backend,
        millis(bare_p50),
        millis(bare_p99),
        millis(graphql_p50) / millis(bare_p50).max(1e-9),
        millis(graphql_p99) / millis(bare_p99).max(1e-9)
    );
    outln!(
        "{:<9} {:>18} {:>18} {:>18} {:>18} {:>18}",
        "backend",
        "care",
        "patient",
        "staff",
        "facilities",
        "appointments"
    );
    let cell = |(p50, p99): (Duration, Duration)| format!("{:.2}/{:.2}ms", millis(p50), millis(p99));
    outln!(
        "{:<9} {:>18} {:>18} {:>18} {:>18} {:>18}",
        backend,
        cell(care),
        cell(row),
        cell(staff),
        cell(places),
        cell(appointments)
    );
    statistics(settings, backend, &api, &models, as_of).await?;
    ledger.close().await;
    Ok(())
}

const NATIONAL_COVERAGE: &str = r#"query($year: Int!) { statistics { coverage(birthYear: $year, antigen: "PENTA", doseNumber: 3) {
  rows { area { code } registered { value suppressed } vaccinated { value suppressed } coverage { percent suppressed }
         targetPopulation coverageOfTarget { percent suppressed } }
  total { registered { value } vaccinated { value } } } } }"#;

const DISTRICT_CURVE: &str = r#"query($district: String!, $from: String!, $to: String!) { statistics {
  epidemicCurve(disease: "malaria", from: $from, to: $to, district: $district) {
    columnLabels { code } body { cells { value suppressed } total { value suppressed } } total { value } } } }"#;

/// Statistics as an analyst reads them, each read recorded: the national coverage of Penta3 in last
/// year's birth cohort by region, and a year's weekly malaria curve of the district with the most
/// diagnoses; each against the bare sum the read models answer for it, with no layout and no
/// disclosure control.
async fn statistics(
    settings: &ReadBench,
    backend: &str,
    api: &QueryApi,
    models: &ReadModels,
    as_of: chrono::NaiveDate,
) -> anyhow::Result<()> {
    use projections::read::statistics::{Dimension, Filter, Source, Tally};
    let analyst = Viewer {
        principal: Principal {
            account_id: Uuid::now_v7(),
            role: Role::HealthAuthorityAnalyst,
            facility_id: None,
            patient_id: None,
            region: None,
        },
    };
    let year = chrono::Datelike::year(&as_of) - 1;
    let busiest = Tally { source: Source::Diagnoses, by: vec![Dimension::District], filters: vec![] };
    let district = models
        .tally(&busiest)
        .await?
        .into_iter()
        .max_by_key(|group| group.n)
        .and_then(|group| group.key.into_iter().next())
        .context("the synthetic data holds diagnoses")?;
    let (from, to) = ((as_of - chrono::Days::new(364)).to_string(), as_of.to_string());
    let coverage_variables = async_graphql::Variables::from_json(serde_json::json!({ "year": year }));
    let curve_variables =
        async_graphql::Variables::from_json(serde_json::json!({ "district": district, "from": from, "to": to }));
    let coverage_sums = [
        Tally { source: Source::Registrations, by: vec![Dimension::Region], filters: vec![Filter::BirthYear(year)] },
        Tally {
            source: Source::CohortDoses,
            by: vec![Dimension::Region],
            filters: vec![Filter::BirthYear(year), Filter::Antigen("PENTA".into()), Filter::DoseNumber(3)],
        },
    ];
    let curve_sum = Tally {
        source: Source::Diagnoses,
        by: vec![Dimension::District, Dimension::Week],
        filters: vec![
            Filter::Days(from.clone(), to.clone()),
            Filter::District(district.clone()),
            Filter::Icd10 {
                codes: vec![],
                categories: ["B50", "B51", "B52", "B53", "B54"].map(str::to_owned).to_vec(),
            },
        ],
    };
    let mut timings = Vec::new();
    for (name, query, variables) in [
        ("national coverage", NATIONAL_COVERAGE, coverage_variables),
        ("district curve", DISTRICT_CURVE, curve_variables),
    ] {
        let request = || async_graphql::Request::new(query).variables(variables.clone());
        let mut published = Vec::with_capacity(settings.samples);
        let mut sums = Vec::with_capacity(settings.samples);
        for _ in 0..settings.samples {
            let started = Instant::now();
            let response = api.execute(request(), Some(analyst.clone())).await;
            published.push(started.elapsed());
            if !response.errors.is_empty() {
                anyhow::bail!("the {name} query failed: {:?}", response.errors);
            }
            let started = Instant::now();
            if name == "national coverage" {
                for tally in &coverage_sums {
                    models.tally(tally).await?;
                }
            } else {
                models.tally(&curve_sum).await?;
            }
            sums.push(started.elapsed());
        }
        timings.push((name, percentiles(&mut published), percentiles(&mut sums)));
    }
    outln!(
        "{:<9} {:<18} {:>13} {:>13} {:>11} {:>11} {:>9}",
        "backend",
        "statistics",
        "graphql p50",
        "graphql p99",
        "sums p50",
        "sums p99",
        "p99 ratio"
    );
    for (name, (p50, p99), (sum50, sum99)) in timings {
        outln!(
            "{:<9} {:<18} {:>11.2}ms {:>11.2}ms {:>9.2}ms {:>9.2}ms {:>9.2}",
            backend,
            name,
            millis(p50),
            millis(p99),
            millis(sum50),
            millis(sum99),
            millis(p99) / millis(sum99).max(1e-9)
        );
    }
    Ok(())
}

/// The p50 and p99 of `samples` runs of `query`.
async fn timed<T, F, Fut>(samples: usize, mut query: F) -> anyhow::Result<(Duration, Duration)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, projections::ProjectionError>>,
{
    let mut times = Vec::with_capacity(samples);
    for _ in 0..samples {
        let started = Instant::now();
        query().await?;
        times.push(started.elapsed());
    }
    Ok(percentiles(&mut times))
}

/// The entries (and appointments) a full-record answer shows.
fn count_entries(data: &serde_json::Value) -> usize {
    let Some(patient) = data["patient"].as_object() else { return 0 };
    patient.values().filter_map(|section| section["edges"].as_array()).map(Vec::len).sum()
}

fn percentiles(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort();
    let at = |fraction: f64| {
        let index =
            ((samples.len() as f64 * fraction).ceil() as usize).saturating_sub(1).min(samples.len().saturating_sub(1));
        samples.get(index).copied().unwrap_or_default()
    };
    (at(0.50), at(0.99))
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1_000.0
}
