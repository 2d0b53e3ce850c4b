//! The append pipeline: one producer plans the network and then patients in order, and concurrent
//! appenders take each stream's appends from a queue and write them to the ledger.

use super::calendar::Clock;
use super::life::Life;
use super::network::{level_rank, Network};
use super::rng::Rng;
use super::tables::Tables;
use super::{Census, DemoArgs};
use crate::progress;
use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, NaiveDate, Utc};
use event_schema::events::patient::Sex;
use event_schema::ledger_events::KEY_STREAM;
use event_schema::{Actor, StreamId};
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Arc;
use tokio::sync::{mpsc, Mutex};

/// One stream's appends, in order; an appender writes them one after the other.
pub(super) struct Job {
    pub(super) stream: String,
    pub(super) appends: Vec<AppendRequest>,
}

impl Job {
    pub(super) fn events(&self) -> u64 {
        self.appends.iter().map(|append| append.events.len() as u64).sum()
    }
}

/// Plans and appends the data; returns the census and how many events were appended.
pub(super) async fn write(
    ledger: &Ledger,
    tables: &'static Tables,
    args: &DemoArgs,
    as_of: NaiveDate,
) -> anyhow::Result<(Census, u64)> {
    refuse_unless_new(ledger).await?;
    let bar = progress::entries(Some(args.events), "writing");
    let failed = Arc::new(AtomicBool::new(false));
    let (jobs, queue) = mpsc::channel::<Job>(args.writers * 2);
    let (seed, target) = (args.seed, args.events);
    let producer = {
        let failed = failed.clone();
        tokio::task::spawn_blocking(move || produce(tables, seed, target, as_of, &jobs, &failed))
    };
    let queue = Arc::new(Mutex::new(queue));
    let appenders: Vec<_> = (0..args.writers)
        .map(|_| tokio::spawn(append_jobs(ledger.clone(), queue.clone(), bar.clone(), failed.clone())))
        .collect();
    drop(queue);
    let mut appended = 0;
    let mut first_error = None;
    for appender in appenders {
        match appender.await {
            Ok(Ok(events)) => appended += events,
            Ok(Err(error)) => {
                first_error.get_or_insert(error);
            }
            Err(error) => {
                first_error.get_or_insert(anyhow!(error).context("an appender stopped unexpectedly"));
            }
        }
    }
    let produced = producer.await.context("the planner stopped unexpectedly");
    bar.finish_and_clear();
    // An appender's error is the cause; the planner then only saw the queue close.
    if let Some(error) = first_error {
        return Err(error);
    }
    let census = produced??;
    Ok((census, appended))
}

/// Refuses a ledger holding anything but its key registry.
async fn refuse_unless_new(ledger: &Ledger) -> anyhow::Result<()> {
    let head = ledger.head().await.context("cannot read the ledger")?;
    let registry = ledger.read_stream(&StreamId::parse(KEY_STREAM)?, 0, u32::MAX).await?;
    let others = head.position.saturating_sub(registry.len() as u64);
    if others > 0 {
        bail!(
            "the ledger already holds {others} entries besides its key registry; demo data goes only into a new \
             ledger, since synthetic patients could never be removed from real ones (use a new --data-dir, or a \
             new database)"
        );
    }
    Ok(())
}

/// Takes jobs from the queue and appends each stream's appends in order. Returns the events appended.
async fn append_jobs(
    ledger: Ledger,
    queue: Arc<Mutex<mpsc::Receiver<Job>>>,
    bar: indicatif::ProgressBar,
    failed: Arc<AtomicBool>,
) -> anyhow::Result<u64> {
    let mut appended = 0;
    while !failed.load(AtomicOrdering::Relaxed) {
        let job = queue.lock().await.recv().await;
        let Some(job) = job else { break };
        for request in job.appends {
            let events = request.events.len() as u64;
            if let Err(error) = ledger.append(request).await {
                failed.store(true, AtomicOrdering::Relaxed);
                return Err(anyhow!(error).context(format!("cannot append to {}", job.stream)));
            }
            appended += events;
            bar.inc(events);
        }
    }
    Ok(appended)
}

/// Plans everything in order and queues it: the network first, then patients until about `target`
/// events are planned.
pub(super) fn produce(
    tables: &'static Tables,
    seed: u64,
    target: u64,
    as_of: NaiveDate,
    jobs: &mpsc::Sender<Job>,
    failed: &AtomicBool,
) -> anyhow::Result<Census> {
    let send = |job: Job| -> anyhow::Result<()> {
        if failed.load(AtomicOrdering::Relaxed) || jobs.blocking_send(job).is_err() {
            bail!("the appenders stopped");
        }
        Ok(())
    };
    let clock = Clock::new(as_of);
    let (mut network, setup) = Network::build(tables, seed, target, &clock)?;
    let by_region = vec![0; tables.regions.len()];
    let outbreak_cases = vec![0; tables.outbreaks.list.len()];
    let mut census =
        Census { logins: std::mem::take(&mut network.logins), by_region, outbreak_cases, ..Census::default() };
    for facility in &network.facilities {
        census.facilities[level_rank(facility.level)] += 1;
        census.staff[0] += facility.team.doctors.len() as u64;
        census.staff[1] += facility.team.nurses.len() as u64;
        census.staff[2] += facility.team.laboratory.len() as u64;
        census.staff[3] += facility.team.clerks.len() as u64;
        census.staff[4] += 1;
    }
    let mut planned = 0;
    for job in setup {
        planned += job.events();
        send(job)?;
    }
    let mut index = 0;
    while planned < target || index == 0 {
        let (job, person) = Life::plan(&network, &clock, seed, index)?;
        let events = job.events();
        planned += events;
        census.patients += 1;
        census.by_region[person.region] += 1;
        match person.sex {
            Sex::Female => census.female += 1,
            _ => census.male += 1,
        }
        if (clock.as_of - person.birth).num_days() < 5 * 365 {
            census.under_five += 1;
        }
        if person.national_id {
            census.with_national_id += 1;
        }
        census.deaths += u64::from(person.died);
        for (count, case) in census.outbreak_cases.iter_mut().zip(&person.outbreak_cases) {
            *count += u64::from(*case);
        }
        if index == 0 {
            census.showcase_id = person.id;
            census.showcase_health_id = person.health_id.clone();
            census.showcase_entries = events;
        }
        send(job)?;
        index += 1;
    }
    Ok(census)
}

/// A stream with one append.
pub(super) fn single_append(
    rng: &mut Rng,
    stream: String,
    actor: &Actor,
    at: DateTime<Utc>,
    events: Vec<NewEvent>,
) -> anyhow::Result<Job> {
    let stream_id = StreamId::parse(stream.clone())?;
    let command_id = rng.uuid_at(at);
    let append = AppendRequest {
        stream_id,
        expected: ExpectedVersion::NoStream,
        events,
        command_id,
        actor: actor.clone(),
        correlation_id: command_id,
        causation_id: None,
    };
    Ok(Job { stream, appends: vec![append] })
}
