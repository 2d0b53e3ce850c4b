//! `cloudmedi bench --http`: the write path as a clinician meets it, on each backend.
//!
//! A ledger of synthetic data (`cloudmedi demo`'s generator) is served on a free port of this machine
//! by the router `cloudmedi serve` builds (`bench_pages::Served`). A doctor signs in through the JSON
//! API (password, then the SMS code read from the outbox) and the load generator keeps a number of
//! kept-alive HTTP/1 connections busy, each recording vital signs (`POST
//! /api/v1/patients/{id}/vital-signs`) for a patient of its own, one command after the other, every
//! one authenticated, authorised, decided and durably appended before it is answered `201`:
//!
//! - on **short** records (a patient just registered) and on **long** ones (`--record-entries`
//!   entries, a patient followed for years), to show whether a command costs more as the record
//!   grows;
//! - by a server keeping each record's decision state in memory (`application::record::cache`, the
//!   default) and by one folding the whole stream for every command (the cache turned off), side by
//!   side over the same ledger;
//! - against the **baseline** measured in the same run: `GET /api/v1/me`, an authenticated request
//!   that reads and writes nothing, through the same stack and client.

use crate::bench_pages::{active_doctor, client, demo_ledger, load_targets, millis, sms_code, Run, Served, Target};
use crate::bench_read::Scratch;
use anyhow::{bail, Context};
use event_schema::events::record::VitalSignsRecorded;
use event_schema::{Actor, Role, StreamId, Timestamp};
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent};
use projections::Runner;
use secrecy::SecretString;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Duration;
use uuid::Uuid;

/// The settings of an HTTP run.
pub struct HttpBench {
    /// The server scratch databases are created on (its URL may hold a password).
    pub admin_url: SecretString,
    pub events: u64,
    /// The numbers of concurrent connections to measure with.
    pub connections: Vec<usize>,
    /// How long each measurement lasts.
    pub duration: Duration,
    /// How many entries a long record holds.
    pub record_entries: u64,
    pub scratch_dir: Option<PathBuf>,
}

/// Entries appended to a long record per append.
const FILL_BATCH: usize = 200;

/// Measures the write path on `backend` (`"sqlite"` or `"postgres"`).
pub async fn run(settings: &HttpBench, backend: &str) -> anyhow::Result<()> {
    let scratch =
        Scratch::create(&settings.admin_url, settings.scratch_dir.as_ref(), backend, "cloudmedi_bench_http").await?;
    let result = measure(settings, backend, &scratch).await;
    scratch.remove().await?;
    result
}

async fn measure(settings: &HttpBench, backend: &str, scratch: &Scratch) -> anyhow::Result<()> {
    let storage = scratch.storage.clone();
    let (ledger, showcase) = demo_ledger(&storage, backend, settings.events).await?;
    let facility = showcase.facility;

    let kept = application::Application::new(ledger.clone());
    let folding = application::Application::new(ledger.clone()).with_record_cache(0);
    // One set of projectors, the kept server's, keeps the read models for both servers.
    let kept_server = Served::start(&storage, &ledger, kept.clone(), Some(Runner::new(storage.database()))).await?;
    let folding_server = Served::start(&storage, &ledger, folding, None).await?;
    let result = async {
        let token = doctor_session(&kept_server.base, &kept, &ledger, facility).await?;
        let subjects = Subjects { ledger: &ledger, base: &kept_server.base, token: &token, facility };
        compare(settings, backend, &subjects, &kept_server.base, &folding_server.base).await
    }
    .await;
    kept_server.stop().await?;
    folding_server.stop().await?;
    ledger.close().await;
    result
}

/// Where the records written to come from: patients registered through the API by the doctor, the
/// long ones then filled.
struct Subjects<'a> {
    ledger: &'a Ledger,
    base: &'a str,
    token: &'a str,
    facility: Uuid,
}

impl Subjects<'_> {
    /// `count` records of `entries` entries besides the registration: fresh ones for every scenario,
    /// since each scenario's commands lengthen the records it writes to.
    async fn records(&self, count: usize, entries: u64) -> anyhow::Result<Vec<Uuid>> {
        let patients = register(self.base, self.token, count, if entries == 0 { "Court" } else { "Long" }).await?;
        fill(self.ledger, &patients, entries, self.facility).await?;
        Ok(patients)
    }
}

/// Measures every scenario at every number of connections, and prints the table.
async fn compare(
    settings: &HttpBench,
    backend: &str,
    subjects: &Subjects<'_>,
    kept: &str,
    folding: &str,
) -> anyhow::Result<()> {
    let token = subjects.token;
    outln!(
        "{backend}: each scenario writes to records of its own, one per connection: short ones (the \
         registration only) or long ones ({} entries)",
        settings.record_entries
    );
    outln!(
        "{:<9} {:<22} {:>5} {:>9} {:>6} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "backend",
        "scenario",
        "conns",
        "requests",
        "errors",
        "per s",
        "p50",
        "p99",
        "rate ×",
        "p99 ×"
    );
    let bearer = format!("Bearer {token}");
    for &connections in &settings.connections {
        let me = Target {
            url: format!("{kept}/api/v1/me"),
            json: None,
            headers: vec![("authorization", bearer.clone())],
            expect: reqwest::StatusCode::OK,
        };
        let baseline = load_targets(vec![me], connections, settings.duration).await?;
        print(backend, "baseline GET /me", connections, &baseline, &baseline);
        for (label, base, entries) in [
            ("short, state kept", kept, 0),
            ("long, state kept", kept, settings.record_entries),
            ("short, whole stream", folding, 0),
            ("long, whole stream", folding, settings.record_entries),
        ] {
            let records = subjects.records(connections, entries).await?;
            let run = load_targets(vital_signs(base, &bearer, &records), connections, settings.duration).await?;
            print(backend, label, connections, &run, &baseline);
            if run.errors > 0 {
                bail!("{} commands ({label}) were not answered 201", run.errors);
            }
        }
    }
    Ok(())
}

fn print(backend: &str, scenario: &str, connections: usize, run: &Run, baseline: &Run) {
    outln!(
        "{:<9} {:<22} {:>5} {:>9} {:>6} {:>9.1} {:>7.2}ms {:>7.2}ms {:>9.3} {:>9.1}",
        backend,
        scenario,
        connections,
        run.latencies.len(),
        run.errors,
        run.rate(),
        millis(run.percentile(0.50)),
        millis(run.percentile(0.99)),
        run.rate() / baseline.rate().max(1e-9),
        millis(run.percentile(0.99)) / millis(baseline.percentile(0.99)).max(1e-9)
    );
}

/// A connection per record, each recording vital signs on its own: different patients, as in a
/// clinic, so that no command waits on another's record.
fn vital_signs(base: &str, bearer: &str, records: &[Uuid]) -> Vec<Target> {
    let measured_at = (chrono::Utc::now() - chrono::Days::new(1)).format("%Y-%m-%dT10:30:00+01:00").to_string();
    let body = json!({"measured_at": measured_at, "pulse_per_minute": 84, "temperature_decicelsius": 372});
    records
        .iter()
        .map(|patient| Target {
            url: format!("{base}/api/v1/patients/{patient}/vital-signs"),
            json: Some(body.to_string()),
            headers: vec![("authorization", bearer.to_owned())],
            expect: reqwest::StatusCode::CREATED,
        })
        .collect()
}

/// Issues an account to a new doctor of `facility`, activates it, and logs in through the JSON API
/// with the SMS code from the outbox; answers the access token.
async fn doctor_session(
    base: &str,
    application: &application::Application,
    ledger: &Ledger,
    facility: Uuid,
) -> anyhow::Result<String> {
    let (login, password) = active_doctor(application, facility, ("BENCH-HTTP-1", "Ewane", "Paul")).await?;
    let client = client()?;
    let login = json!({"login": login, "password": password});
    let challenge: Value = client.post(format!("{base}/api/v1/auth/login")).json(&login).send().await?.json().await?;
    let challenge_id = challenge["challenge_id"].as_str().context("the login asks for no second factor")?;
    let code = sms_code(ledger).await?;
    let second = json!({"challenge_id": challenge_id, "method": "sms", "code": code});
    let tokens: Value =
        client.post(format!("{base}/api/v1/auth/login/second-factor")).json(&second).send().await?.json().await?;
    Ok(tokens["access_token"].as_str().context("the second factor gave no session")?.to_owned())
}

/// Registers `count` patients at the doctor's facility through the API; answers their ids.
async fn register(base: &str, token: &str, count: usize, family_name: &str) -> anyhow::Result<Vec<Uuid>> {
    let client = client()?;
    let mut patients = Vec::with_capacity(count);
    for n in 0..count {
        let registration = json!({"family_name": family_name, "given_names": format!("Patient {n}"),
            "sex": "female", "birth_date": {"date": "1980-01-01", "estimated": true}, "region": "LT",
            "health_district": "Deido"});
        let answer =
            client.post(format!("{base}/api/v1/patients")).bearer_auth(token).json(&registration).send().await?;
        let status = answer.status();
        let body: Value = answer.json().await?;
        let id = body["patient_id"].as_str().with_context(|| format!("registering answered {status}: {body}"))?;
        patients.push(Uuid::parse_str(id)?);
    }
    Ok(patients)
}

/// Gives each of `patients` a record of `entries` vital signs, appended as a doctor of `facility`
/// records them, directly to the ledger (a record followed for years, built in seconds).
async fn fill(ledger: &Ledger, patients: &[Uuid], entries: u64, facility: Uuid) -> anyhow::Result<()> {
    let doctor = Actor { account_id: Uuid::now_v7(), role: Role::Doctor, facility_id: Some(facility) };
    let measured_at = Timestamp::from_datetime(chrono::Utc::now() - chrono::Days::new(2));
    for patient in patients {
        let mut left = entries;
        while left > 0 {
            let batch = left.min(FILL_BATCH as u64);
            let events = (0..batch)
                .map(|_| {
                    let vitals = VitalSignsRecorded {
                        entry_id: Uuid::now_v7(),
                        measured_at,
                        temperature_decicelsius: Some(368),
                        systolic_mmhg: Some(120),
                        diastolic_mmhg: Some(80),
                        pulse_per_minute: Some(72),
                        respiratory_rate_per_minute: None,
                        spo2_percent: Some(98),
                        weight_grams: None,
                        height_mm: None,
                        amends: None,
                    };
                    NewEvent::typed(&vitals, ledger::system::now())
                })
                .collect::<Result<Vec<_>, _>>()?;
            let request = AppendRequest::new(StreamId::patient(*patient), ExpectedVersion::Any, doctor.clone(), events);
            ledger.append(request).await?;
            left -= batch;
        }
    }
    Ok(())
}
