//! `cloudmedi bench --reminders N`: a national day's reminders, on each backend. N patients each have
//! results recorded this morning (the reminder that goes at once, so every one is due in the same
//! round); then:
//!
//! - **decide**: one scheduler round deciding and queuing all N (each appended to the ledger as
//!   `reminder.decided` and queued in the outbox), in reminders per second, against a baseline
//!   measured in the same run: reading the same candidates page by page, deciding nothing;
//! - **deliver**: the dispatcher handing them all to the development channel (a file), in messages
//!   per second, against writing the same messages to a file directly.
//!
//! Delivery through a real gateway is bounded by the gateway and its configured pace
//! (`sms_per_minute`), not by CloudMedi; the file channel shows what the outbox itself costs.

use crate::bench_read::Scratch;
use anyhow::Context;
use event_schema::events::facility::{FacilityLevel, FacilityOwnership, FacilityRegistered};
use event_schema::events::patient::{BirthDate, PatientRegistered, Sex};
use event_schema::events::record::{Interpretation, LabResultRecorded};
use event_schema::{events, Actor, Role, StreamId};
use ledger::outbox::{Channel, ChannelKind, Dispatcher, FileChannel, Queued};
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent};
use projections::read::reminders::CandidateQuery;
use projections::read::ReadModels;
use projections::Runner;
use secrecy::SecretString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;
use uuid::Uuid;

/// The settings of a reminders run.
pub struct RemindersBench {
    pub admin_url: SecretString,
    pub reminders: u64,
    pub scratch_dir: Option<PathBuf>,
    /// Real servers to deliver `through_servers` messages through, each measured on its own.
    pub email_smtp_url: Option<SecretString>,
    pub sms_gateway_url: Option<SecretString>,
    pub through_servers: u64,
}

pub async fn run(settings: &RemindersBench, backend: &str) -> anyhow::Result<()> {
    let scratch =
        Scratch::create(&settings.admin_url, settings.scratch_dir.as_ref(), backend, "cloudmedi_bench_reminders")
            .await?;
    let result = measure(settings, backend, &scratch).await;
    scratch.remove().await?;
    result
}

async fn measure(settings: &RemindersBench, backend: &str, scratch: &Scratch) -> anyhow::Result<()> {
    let storage = scratch.storage.clone();
    crate::datadir::migrate(storage.as_ref()).await?;
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "bench").await?;
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await?;
    let clerk = Actor { account_id: Uuid::now_v7(), role: Role::LabTechnician, facility_id: None };
    let facility = Uuid::now_v7();
    let now = ledger::system::now();
    let registered = FacilityRegistered {
        facility_id: facility,
        name: "Hôpital de district de Bertoua".into(),
        level: FacilityLevel::DistrictHospital,
        ownership: FacilityOwnership::Public,
        region: "ES".into(),
        health_district: "Bertoua".into(),
    };
    let event = NewEvent::typed(&registered, now)?;
    ledger
        .append(AppendRequest::new(StreamId::facility(facility), ExpectedVersion::NoStream, clerk.clone(), vec![event]))
        .await?;

    // Each patient registered and given results in one append, from several writers at once.
    let started = Instant::now();
    let writers = 16u64;
    let mut tasks = Vec::new();
    for writer in 0..writers {
        let ledger = ledger.clone();
        let clerk = clerk.clone();
        let count = settings.reminders / writers + u64::from(writer < settings.reminders % writers);
        tasks.push(tokio::spawn(async move {
            for n in 0..count {
                let patient_id = Uuid::now_v7();
                let registered = PatientRegistered {
                    patient_id,
                    health_id: "CM0000000000".into(),
                    national_id: None,
                    family_name: "Ndjock".into(),
                    given_names: "Esther".into(),
                    sex: Sex::Female,
                    birth_date: BirthDate { date: "1988-04-12".into(), estimated: false },
                    region: "ES".into(),
                    health_district: "Bertoua".into(),
                    phone: Some(format!("+2376{writer:02}{n:06}")),
                    email: None,
                    next_of_kin: None,
                    registered_at_facility: facility,
                };
                let result = LabResultRecorded {
                    entry_id: Uuid::now_v7(),
                    order_id: None,
                    test: "Malaria RDT".into(),
                    loinc: None,
                    value: "negative".into(),
                    unit: None,
                    reference_range: None,
                    interpretation: Interpretation::Negative,
                    attachments: vec![],
                    amends: None,
                };
                let at = ledger::system::now();
                let events = vec![NewEvent::typed(&registered, at)?, NewEvent::typed(&result, at)?];
                let request =
                    AppendRequest::new(StreamId::patient(patient_id), ExpectedVersion::NoStream, clerk.clone(), events);
                ledger.append(request).await?;
            }
            Ok::<(), anyhow::Error>(())
        }));
    }
    for task in tasks {
        task.await.context("a writer stopped")??;
    }
    let head = ledger.head().await?.position;
    let runner = Runner::new(storage.database());
    runner.catch_up(&ledger, head, |_| {}).await?;
    outln!(
        "{backend}: {} patients with results recorded and projected in {:.1} s (ledger head {head})",
        settings.reminders,
        started.elapsed().as_secs_f64()
    );

    // Baseline: the candidates read page by page, nothing decided.
    let reads = ReadModels::new(storage.database());
    let now = ledger::system::now().as_datetime();
    let occasion = event_schema::events::reminder::Occasion::LabResultReady;
    let (from, to) = domain::reminders::about_window(occasion, &domain::reminders::Timing::default(), now);
    let started = Instant::now();
    let mut after: Option<(i64, String)> = None;
    let mut candidates = 0;
    loop {
        let query = CandidateQuery {
            kind: "result",
            occasion: occasion.as_str(),
            from: from.timestamp_micros(),
            to: to.timestamp_micros(),
            after: after.as_ref().map(|(about, key)| (*about, key.as_str())),
            limit: 500,
        };
        let page = reads.reminder_candidates(&query).await?;
        candidates += page.len();
        match page.last() {
            Some(last) if page.len() == 500 => after = Some((last.about, last.subject_key.clone())),
            _ => break,
        }
    }
    let read_seconds = started.elapsed().as_secs_f64();

    let application = application::Application::new(ledger.clone());
    let quiet = domain::reminders::QuietHours { start: chrono::NaiveTime::MIN, end: chrono::NaiveTime::MIN };
    let scheduler = reminders::Scheduler::new(
        application.clone(),
        reads,
        Arc::new(reminders::templates::Templates::embedded()?),
        reminders::Settings { quiet, ..reminders::Settings::default() },
    );
    let started = Instant::now();
    let round = scheduler.run_once().await?;
    let decide_seconds = started.elapsed().as_secs_f64();
    if round.decided as u64 != settings.reminders {
        anyhow::bail!("decided {} reminders of {}", round.decided, settings.reminders);
    }

    // Delivery to the development channel, against writing the same lines to a file directly.
    let folder = tempfile::tempdir()?;
    let baseline = FileChannel::new(ChannelKind::Sms, folder.path().join("baseline.jsonl"));
    let sample = Queued {
        id: Uuid::now_v7(),
        claim: Uuid::now_v7(),
        channel: ChannelKind::Sms,
        recipient: "+237600000000".into(),
        subject: None,
        body: "CloudMedi : de nouveaux résultats d'analyses sont disponibles dans votre dossier.".into(),
        attempts: 0,
        topic: None,
    };
    let started = Instant::now();
    for _ in 0..settings.reminders {
        baseline.deliver(&sample).await.map_err(anyhow::Error::msg)?;
    }
    let file_seconds = started.elapsed().as_secs_f64();
    let channel: Arc<dyn Channel> = Arc::new(FileChannel::new(ChannelKind::Sms, folder.path().join("sms.jsonl")));
    let dispatcher = Dispatcher::new(application.outbox().clone(), vec![channel]);
    let (delivered, deliver_seconds) = deliver_all(&dispatcher).await?;
    let recorded = application.record_reminder_outcomes(u32::MAX).await?;

    // Through the real servers given, each alone: the same outbox and dispatcher, another channel.
    let mut servers = Vec::new();
    if let Some(url) = &settings.email_smtp_url {
        let channel = delivery::EmailChannel::new(url, "CloudMedi <no-reply@cloudmedi.test>")?;
        let rate = through_server(application.outbox(), Arc::new(channel), settings.through_servers).await?;
        servers.push(("mail server", rate));
    }
    if let Some(url) = &settings.sms_gateway_url {
        let channel = delivery::SmsChannel::new(url, "CloudMedi")?;
        let rate = through_server(application.outbox(), Arc::new(channel), settings.through_servers).await?;
        servers.push(("SMS gateway", rate));
    }
    ledger.close().await;

    let rate = |n: f64, seconds: f64| n / seconds.max(1e-9);
    let n = settings.reminders as f64;
    outln!(
        "{:<9} {:>9} {:>14} {:>14} {:>7} {:>14} {:>14} {:>7}",
        "backend",
        "reminders",
        "decided /s",
        "read-only /s",
        "ratio",
        "delivered /s",
        "file-only /s",
        "ratio"
    );
    outln!(
        "{:<9} {:>9} {:>14.0} {:>14.0} {:>7.3} {:>14.0} {:>14.0} {:>7.3}",
        backend,
        round.decided,
        rate(n, decide_seconds),
        rate(candidates as f64, read_seconds),
        rate(n, decide_seconds) / rate(candidates as f64, read_seconds),
        rate(delivered as f64, deliver_seconds),
        rate(n, file_seconds),
        rate(delivered as f64, deliver_seconds) / rate(n, file_seconds)
    );
    outln!(
        "decided in {decide_seconds:.1} s; delivered {delivered} in {deliver_seconds:.1} s; {recorded} outcomes then recorded"
    );
    for (server, per_second) in servers {
        outln!(
            "through the {server}: {} messages at {per_second:.0}/s, {:.3} of the file channel's pace",
            settings.through_servers,
            per_second / rate(delivered as f64, deliver_seconds)
        );
    }
    Ok(())
}

/// Queues `count` messages for `channel`'s kind and delivers them all through it; messages per second.
/// A message the server does not take stops the measurement, since its figure would mean nothing.
async fn through_server(outbox: &ledger::outbox::Outbox, channel: Arc<dyn Channel>, count: u64) -> anyhow::Result<f64> {
    let kind = channel.kind();
    let recipient = match kind {
        ChannelKind::Email => "parent@example.cm",
        ChannelKind::Sms => "+237690000000",
    };
    for _ in 0..count {
        let message = ledger::outbox::Message {
            channel: kind,
            recipient: recipient.into(),
            subject: Some("Rappel : vaccination prévue".into()),
            body: "CloudMedi : le vaccin Penta 3 de votre enfant est prévu le 12 décembre au CSI de Nkolbisson.".into(),
            not_before: None,
        };
        outbox.enqueue(&message).await?;
    }
    let mut dispatcher = Dispatcher::new(outbox.clone(), vec![channel]);
    // A failure is not retried within the measurement.
    dispatcher.max_attempts = 1;
    let (delivered, seconds) = deliver_all(&dispatcher).await?;
    if delivered as u64 != count {
        anyhow::bail!("the server took {delivered} of {count} messages; is it running and configured?");
    }
    Ok(delivered as f64 / seconds.max(1e-9))
}

/// Runs `dispatcher` until a round delivers nothing: how many it delivered, in how many seconds.
async fn deliver_all(dispatcher: &Dispatcher) -> anyhow::Result<(usize, f64)> {
    let started = Instant::now();
    let mut delivered = 0;
    loop {
        let now = dispatcher.run_once().await?;
        if now == 0 {
            return Ok((delivered, started.elapsed().as_secs_f64()));
        }
        delivered += now;
    }
}
