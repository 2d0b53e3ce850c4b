//! `cloudmedi bench`: durable append throughput with 1, 8 and 64 concurrent writers on both backends,
//! against a baseline measured in the same run, and verify throughput against the cost of the
//! signature checks alone.
//!
//! The append baseline stores the same events through the same group-commit shape (one writer task,
//! batches drained from a queue, one transaction per batch) into a plain table (`ledger::baseline`,
//! which holds its statements): no hash chain, no signature, no head lock, no version or idempotency
//! checks. The ratio is what the ledger's guarantees cost. Each run uses a fresh database.

use crate::{Location, Outcome};
use anyhow::Context;
use clap::{Args, ValueEnum};
use event_schema::verify::verify_entry_signature;
use event_schema::{Actor, Catalog, Entry, EventPayload, KeyPair, Role, StreamId};
use ledger::audit::verify_storage;
use ledger::baseline::{PlainEvent, PlainLog};
use ledger::testing::{admin_url, ScratchDatabase};
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent, PgStorage, SqliteStorage, Storage};
use rayon::prelude::*;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};
use uuid::Uuid;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BenchBackend {
    Sqlite,
    Postgres,
    All,
}

#[derive(Args)]
pub struct BenchArgs {
    /// Which backends to measure.
    #[arg(long, value_enum, default_value = "all")]
    backend: BenchBackend,
    /// Concurrent writer counts to measure.
    #[arg(long, value_delimiter = ',', default_value = "1,8,64")]
    writers: Vec<usize>,
    /// Events appended per run with many writers (a single writer appends a tenth of this: each of its
    /// appends waits for its own commit).
    #[arg(long, default_value_t = 40_000)]
    events: u64,
    /// Where the SQLite scratch databases go (a real disk, so that fsync means something).
    #[arg(long)]
    scratch_dir: Option<PathBuf>,
    /// Measure the read side instead: projection rebuild throughput and GraphQL latency for a full
    /// patient record, over a ledger of synthetic data.
    #[arg(long)]
    read: bool,
    /// With `--read` or `--pages`: how many events of synthetic data the ledger holds.
    #[arg(long, default_value_t = 1_000_000)]
    ledger_events: u64,
    /// With `--read`: how many full-record queries are timed.
    #[arg(long, default_value_t = 1_000)]
    samples: usize,
    /// Measure the reminders instead: deciding and queuing this many reminders due in one round, then
    /// delivering them (`--reminders 100000`: a national day's).
    #[arg(long)]
    reminders: Option<u64>,
    /// With `--reminders`: also deliver `--through-servers` e-mails through this mail server (as
    /// `email_smtp_url` names one), to measure delivery to a real server.
    #[arg(long)]
    email_smtp_url: Option<String>,
    /// With `--reminders`: also deliver `--through-servers` texts through this Kannel `sendsms`
    /// interface (as `sms_gateway_url` names one).
    #[arg(long)]
    sms_gateway_url: Option<String>,
    /// With `--email-smtp-url` or `--sms-gateway-url`: how many messages go through each server.
    #[arg(long, default_value_t = 2_000)]
    through_servers: u64,
    /// Measure the web pages instead: pages served per second and latency of a 200-entry patient's
    /// record page, over real HTTP against the server, against `GET /health` on the same server.
    #[arg(long)]
    pages: bool,
    /// Measure the write path instead: HTTP commands per second and their latency, on short and long
    /// records, with the record's decision state kept in memory and without, against an authenticated
    /// no-op on the same server.
    #[arg(long)]
    http: bool,
    /// With `--http`: how many entries a long record holds.
    #[arg(long, default_value_t = 5_000)]
    record_entries: u64,
    /// With `--pages` or `--http`: the numbers of concurrent connections to load the server with.
    #[arg(long, value_delimiter = ',', default_value = "1,8")]
    connections: Vec<usize>,
    /// With `--pages` or `--http`: how long each scenario is loaded, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

/// A vital-sign observation with a free-text note: about 500 bytes once canonical, like a typical
/// clinical event.
#[derive(Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
struct Observation {
    patient_id: Uuid,
    loinc_code: String,
    value: String,
    unit: String,
    note: String,
}

impl EventPayload for Observation {
    const EVENT_TYPE: &'static str = "bench.observation_recorded";
    const SCHEMA_VERSION: u32 = 1;
}

fn observation(writer: usize, i: u64) -> Observation {
    Observation {
        patient_id: Uuid::now_v7(),
        loinc_code: "8867-4".into(),
        value: format!("{}", 60 + (i % 40)),
        unit: "/min".into(),
        note: format!(
            "Writer {writer}, observation {i}. Patient seen at the district hospital for follow-up; pulse taken \
             at rest after ten minutes seated, regular rhythm, no distress. Temperature and blood pressure \
             recorded separately. Advised to return in two weeks or earlier if symptoms recur; next of kin \
             informed of the plan. Medication unchanged pending laboratory results."
        ),
    }
}

pub async fn run(location: &Location, args: BenchArgs) -> anyhow::Result<Outcome> {
    let backends: &[BenchBackend] = match args.backend {
        BenchBackend::All => &[BenchBackend::Sqlite, BenchBackend::Postgres],
        BenchBackend::Sqlite => &[BenchBackend::Sqlite],
        BenchBackend::Postgres => &[BenchBackend::Postgres],
    };
    let admin = location.database_url.clone().unwrap_or_else(|| admin_url().into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if let Some(reminders) = args.reminders {
        let settings = crate::bench_reminders::RemindersBench {
            admin_url: admin,
            reminders: reminders.max(1),
            scratch_dir: args.scratch_dir.clone(),
            email_smtp_url: args.email_smtp_url.clone().map(SecretString::from),
            sms_gateway_url: args.sms_gateway_url.clone().map(SecretString::from),
            through_servers: args.through_servers.max(1),
        };
        outln!("CloudMedi reminders benchmark ({cores} cores)");
        for &backend in backends {
            let name = if backend == BenchBackend::Postgres { "postgres" } else { "sqlite" };
            crate::bench_reminders::run(&settings, name).await?;
            outln!();
        }
        return Ok(Outcome::Success);
    }
    if args.http {
        let settings = crate::bench_http::HttpBench {
            admin_url: admin,
            events: args.ledger_events,
            connections: args.connections.clone(),
            duration: std::time::Duration::from_secs(args.seconds.max(1)),
            record_entries: args.record_entries.max(1),
            scratch_dir: args.scratch_dir.clone(),
        };
        outln!("CloudMedi write path benchmark ({cores} cores)");
        for &backend in backends {
            let name = if backend == BenchBackend::Postgres { "postgres" } else { "sqlite" };
            crate::bench_http::run(&settings, name).await?;
            outln!();
        }
        return Ok(Outcome::Success);
    }
    if args.pages {
        let settings = crate::bench_pages::PagesBench {
            admin_url: admin,
            events: args.ledger_events,
            connections: args.connections.clone(),
            duration: std::time::Duration::from_secs(args.seconds.max(1)),
            scratch_dir: args.scratch_dir.clone(),
        };
        outln!("CloudMedi web pages benchmark ({cores} cores)");
        for &backend in backends {
            let name = if backend == BenchBackend::Postgres { "postgres" } else { "sqlite" };
            crate::bench_pages::run(&settings, name).await?;
            outln!();
        }
        return Ok(Outcome::Success);
    }
    if args.read {
        let settings = crate::bench_read::ReadBench {
            admin_url: admin,
            events: args.ledger_events,
            samples: args.samples.max(1),
            scratch_dir: args.scratch_dir.clone(),
        };
        outln!("CloudMedi read-side benchmark ({cores} cores)");
        for &backend in backends {
            let name = if backend == BenchBackend::Postgres { "postgres" } else { "sqlite" };
            crate::bench_read::run(&settings, name).await?;
            outln!();
        }
        return Ok(Outcome::Success);
    }
    let sample = event_schema::CanonicalPayload::from_typed(&observation(0, 0))?;
    outln!("CloudMedi ledger benchmark ({cores} cores)");
    outln!("event payload: {} bytes canonical; each append carries one event", sample.canonical.len());
    for &backend in backends {
        let mut bench = Bench { backend, admin: admin.clone(), scratch_dir: args.scratch_dir.clone() };
        bench.describe().await?;
        outln!(
            "{:<9} {:>7} {:>10} {:>14} {:>14} {:>7}",
            "backend",
            "writers",
            "events",
            "ledger ev/s",
            "baseline ev/s",
            "ratio"
        );
        let mut largest: Option<Scratch> = None;
        for &writers in &args.writers {
            let events = if writers == 1 { (args.events / 10).max(100) } else { args.events };
            let (ledger_rate, scratch) = bench.ledger_run(writers, events).await?;
            let baseline_rate = bench.baseline_run(writers, events).await?;
            outln!(
                "{:<9} {:>7} {:>10} {:>14.0} {:>14.0} {:>7.2}",
                bench.name(),
                writers,
                events,
                ledger_rate,
                baseline_rate,
                ledger_rate / baseline_rate
            );
            if largest.as_ref().is_none_or(|current| current.entries < events) {
                if let Some(old) = largest.replace(scratch) {
                    old.dispose().await;
                }
            } else {
                scratch.dispose().await;
            }
        }
        if let Some(scratch) = largest {
            bench.verify_run(&scratch).await?;
            scratch.dispose().await;
        }
        outln!();
    }
    Ok(Outcome::Success)
}

struct Bench {
    backend: BenchBackend,
    /// The server scratch databases are created on (its URL may hold a password).
    admin: SecretString,
    scratch_dir: Option<PathBuf>,
}

/// A scratch database with a ledger in it, kept for the verify run.
struct Scratch {
    storage: Arc<dyn Storage>,
    root: KeyPair,
    entries: u64,
    postgres: Option<ScratchDatabase>,
    _dir: Option<tempfile::TempDir>,
}

impl Scratch {
    async fn dispose(self) {
        drop(self.storage);
        if let Some(database) = self.postgres {
            if let Err(error) = database.drop_database().await {
                errln!("warning: could not drop scratch database: {error}");
            }
        }
    }
}

impl Bench {
    fn name(&self) -> &'static str {
        match self.backend {
            BenchBackend::Postgres => "postgres",
            _ => "sqlite",
        }
    }

    async fn describe(&mut self) -> anyhow::Result<()> {
        match self.backend {
            BenchBackend::Postgres => {
                let (storage, postgres, _) = self.fresh().await?;
                if let Some(settings) = ledger::baseline::durability(&storage.database()).await? {
                    outln!(
                        "postgres: synchronous_commit = {}, fsync = {}; one head-row lock per batch",
                        settings.synchronous_commit,
                        settings.fsync
                    );
                }
                storage.close().await;
                if let Some(database) = postgres {
                    database.drop_database().await?;
                }
            }
            _ => outln!("sqlite: WAL journal, synchronous = FULL (every commit is fsynced)"),
        }
        Ok(())
    }

    /// A fresh empty database: its storage, and what to clean up.
    async fn fresh(&self) -> anyhow::Result<(Arc<dyn Storage>, Option<ScratchDatabase>, Option<tempfile::TempDir>)> {
        match self.backend {
            BenchBackend::Postgres => {
                let database = ScratchDatabase::create_on(self.admin.expose_secret(), "cloudmedi_bench")
                    .await
                    .context("cannot create a scratch PostgreSQL database (is the server running?)")?;
                let storage = PgStorage::connect(database.url()).await?;
                Ok((Arc::new(storage), Some(database), None))
            }
            _ => {
                let dir = match &self.scratch_dir {
                    Some(parent) => tempfile::Builder::new().prefix("cloudmedi-bench-").tempdir_in(parent)?,
                    None => tempfile::Builder::new().prefix("cloudmedi-bench-").tempdir()?,
                };
                let storage = SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await?;
                Ok((Arc::new(storage), None, Some(dir)))
            }
        }
    }

    async fn ledger_run(&self, writers: usize, events: u64) -> anyhow::Result<(f64, Scratch)> {
        let (storage, postgres, dir) = self.fresh().await?;
        // Every table a node's database holds, as `cloudmedi init` creates them, so the appends are
        // measured against the database they meet in production.
        crate::datadir::migrate(storage.as_ref()).await?;
        let root = ledger::system::new_key_pair();
        let node = ledger::system::new_key_pair();
        Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "bench").await?;
        let catalog = Catalog::new().register::<Observation>();
        let ledger = Ledger::open(storage.clone(), root.public_key(), node, catalog).await?;
        let actor = Actor { account_id: Uuid::now_v7(), role: Role::Nurse, facility_id: Some(Uuid::now_v7()) };
        let started = Instant::now();
        let mut tasks = Vec::new();
        for writer in 0..writers {
            let ledger = ledger.clone();
            let actor = actor.clone();
            let share = events / writers as u64 + u64::from((writer as u64) < events % writers as u64);
            tasks.push(tokio::spawn(async move {
                let stream = StreamId::parse(format!("patient:bench-{writer}"))?;
                for i in 0..share {
                    let event = NewEvent::typed(&observation(writer, i), ledger::system::now())?;
                    let request =
                        AppendRequest::new(stream.clone(), ExpectedVersion::Exactly(i), actor.clone(), vec![event]);
                    ledger.append(request).await?;
                }
                anyhow::Ok(())
            }));
        }
        for task in tasks {
            task.await??;
        }
        let elapsed = started.elapsed();
        ledger.close().await;
        let entries = events + 2;
        Ok((events as f64 / elapsed.as_secs_f64(), Scratch { storage, root, entries, postgres, _dir: dir }))
    }

    async fn baseline_run(&self, writers: usize, events: u64) -> anyhow::Result<f64> {
        let (storage, postgres, _dir) = self.fresh().await?;
        let table = PlainLog::create(storage.database()).await?;
        drop(storage);
        let (queue, receiver) = mpsc::channel::<(PlainEvent, oneshot::Sender<()>)>(8_192);
        let writer = tokio::spawn(plain_writer(table, receiver));
        let started = Instant::now();
        let mut tasks = Vec::new();
        for writer in 0..writers {
            let queue = queue.clone();
            let share = events / writers as u64 + u64::from((writer as u64) < events % writers as u64);
            tasks.push(tokio::spawn(async move {
                for i in 0..share {
                    let payload = event_schema::CanonicalPayload::from_typed(&observation(writer, i))?;
                    let event = PlainEvent {
                        event_id: Uuid::now_v7(),
                        stream_id: format!("patient:bench-{writer}"),
                        event_type: Observation::EVENT_TYPE,
                        occurred_at: ledger::system::now(),
                        payload: payload.canonical,
                    };
                    let (done, committed) = oneshot::channel();
                    queue.send((event, done)).await.map_err(|_| anyhow::anyhow!("baseline writer stopped"))?;
                    committed.await?;
                }
                anyhow::Ok(())
            }));
        }
        drop(queue);
        for task in tasks {
            task.await??;
        }
        let elapsed = started.elapsed();
        writer.await??;
        if let Some(database) = postgres {
            database.drop_database().await?;
        }
        Ok(events as f64 / elapsed.as_secs_f64())
    }

    async fn verify_run(&self, scratch: &Scratch) -> anyhow::Result<()> {
        let started = Instant::now();
        let summary = verify_storage(scratch.storage.as_ref(), scratch.root.public_key(), |_| {}).await?;
        let verify_rate = summary.entries as f64 / started.elapsed().as_secs_f64();
        // The same signatures checked alone, on every core, each strictly as verification checks them:
        // the floor under verification's cost.
        let started = Instant::now();
        let mut entries: Vec<Entry> = Vec::with_capacity(summary.entries as usize);
        let mut after = 0;
        loop {
            let page = scratch.storage.read_all(after, 8_192).await?;
            let Some(last) = page.last() else { break };
            after = last.position;
            entries.extend(page);
        }
        let read_rate = entries.len() as f64 / started.elapsed().as_secs_f64();
        let started = Instant::now();
        let hashed: Vec<_> = entries.par_iter().map(Entry::compute_hash).collect();
        anyhow::ensure!(hashed.iter().all(Result::is_ok), "an entry could not be hashed");
        let hash_rate = entries.len() as f64 / started.elapsed().as_secs_f64();
        let keys: Vec<_> =
            entries
                .iter()
                .map(|entry| {
                    if entry.event_type.starts_with("ledger.") {
                        scratch.root.public_key()
                    } else {
                        node_key(&entries)
                    }
                })
                .collect();
        let started = Instant::now();
        let all_good = tokio::task::spawn_blocking(move || {
            entries.par_iter().zip(keys.par_iter()).all(|(entry, key)| verify_entry_signature(key, entry))
        })
        .await?;
        anyhow::ensure!(all_good, "signature-only baseline found a bad signature");
        let signature_rate = summary.entries as f64 / started.elapsed().as_secs_f64();
        outln!(
            "{:<9} verify: {} entries at {:.0} entries/s; signature checks alone {:.0}/s; ratio {:.2}",
            self.name(),
            summary.entries,
            verify_rate,
            signature_rate,
            verify_rate / signature_rate
        );
        outln!(
            "{:<9} verify stages alone: read {:.0} entries/s, hash {:.0} entries/s (all cores)",
            self.name(),
            read_rate,
            hash_rate
        );
        Ok(())
    }
}

/// The node key that signed the benchmark's events (the registry's only node key).
fn node_key(entries: &[Entry]) -> event_schema::VerifyingKey {
    entries
        .iter()
        .find_map(|entry| {
            let registered: event_schema::ledger_events::NodeKeyRegistered =
                serde_json::from_str(entry.payload.as_str()).ok()?;
            event_schema::keys::parse_public_key(&registered.public_key).ok()
        })
        .unwrap_or_else(|| ledger::system::new_key_pair().public_key())
}

/// The baseline's group-commit writer: the ledger's batching, without the ledger.
async fn plain_writer(
    table: PlainLog,
    mut queue: mpsc::Receiver<(PlainEvent, oneshot::Sender<()>)>,
) -> anyhow::Result<()> {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < ledger::MAX_EVENTS_PER_APPEND * 4 {
            match queue.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let events: Vec<&PlainEvent> = batch.iter().map(|(event, _)| event).collect();
        table.insert_batch(&events).await?;
        for (_, done) in batch {
            let _ = done.send(());
        }
    }
    Ok(())
}
