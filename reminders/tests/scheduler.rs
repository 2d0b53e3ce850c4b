//! The scheduler end to end, on SQLite and on PostgreSQL: the real ledger, read models and outbox,
//! a clock set by hand walking through the days, and the outbox's dispatcher delivering through a
//! channel that notes what reached it and when.

use application::reminders::ReminderPreferences;
use application::Application;
use async_trait::async_trait;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::access::Principal;
use domain::record::vaccination::{vaccination_plan, Vaccinee};
use domain::reminders::{local_day, QuietHours};
use event_schema::events::facility::{FacilityLevel, FacilityOwnership, FacilityRegistered};
use event_schema::events::patient::{BirthDate, NextOfKin, PatientMerged, PatientRegistered, Sex};
use event_schema::events::record::{
    AppointmentBooked, AppointmentClosed, AppointmentOutcome, AppointmentRescheduled, DeathRecorded,
    ImmunizationRecorded, Interpretation, LabResultRecorded, PlaceOfDeath,
};
use event_schema::events::reminder::{ReminderChannel, ReminderDecided, ReminderKind, ReminderLanguage};
use event_schema::{events, Actor, EventPayload, Role, StreamId, Timestamp};
use ledger::outbox::{Channel, ChannelKind, Dispatcher, Queued};
use ledger::system::SetClock;
use ledger::testing::ScratchDatabase;
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent, PgStorage, SqliteStorage, Storage};
use projections::read::ReadModels;
use projections::Runner;
use reminders::templates::Templates;
use reminders::{quiet_hours_rule, Scheduler, Settings};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// A message as it reached the gateway, with the clock's time then.
#[derive(Debug, Clone)]
struct Sent {
    at: DateTime<Utc>,
    id: Uuid,
    recipient: String,
    body: String,
}

/// A gateway that notes every message it accepts, or refuses all while `down`.
struct Gateway {
    kind: ChannelKind,
    clock: SetClock,
    sent: Arc<Mutex<Vec<Sent>>>,
    down: Arc<AtomicBool>,
}

#[async_trait]
impl Channel for Gateway {
    fn kind(&self) -> ChannelKind {
        self.kind
    }

    async fn deliver(&self, message: &Queued) -> Result<(), String> {
        if self.down.load(Ordering::SeqCst) {
            return Err("the gateway is unreachable".into());
        }
        use event_schema::Clock;
        self.sent.lock().unwrap().push(Sent {
            at: self.clock.now().as_datetime(),
            id: message.id,
            recipient: message.recipient.clone(),
            body: message.body.clone(),
        });
        Ok(())
    }
}

struct World {
    application: Application,
    ledger: Ledger,
    storage: Arc<dyn Storage>,
    runner: Runner,
    scheduler: Scheduler,
    dispatcher: Dispatcher,
    clock: SetClock,
    sent: Arc<Mutex<Vec<Sent>>>,
    down: Arc<AtomicBool>,
    nurse: Actor,
    /// The keys the ledger was opened with, to open it again as another process would.
    keys: (event_schema::VerifyingKey, event_schema::KeyPair),
    /// A health centre of the Centre region (French) and one of the North-West (English).
    centre: Uuid,
    north_west: Uuid,
    _dir: tempfile::TempDir,
    _scratch: Option<ScratchDatabase>,
}

fn instant(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

async fn world(postgres: bool, starts: &str) -> World {
    let dir = tempfile::tempdir().unwrap();
    let (storage, scratch): (Arc<dyn Storage>, _) = if postgres {
        let scratch = ScratchDatabase::create("cloudmedi_reminders").await.expect("PostgreSQL must be running");
        (Arc::new(PgStorage::connect(scratch.url()).await.unwrap()), Some(scratch))
    } else {
        (Arc::new(SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.unwrap()), None)
    };
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "test-node").await.unwrap();
    identity::migrate(&storage.database()).await.unwrap();
    application::migrate(&storage.database()).await.unwrap();
    projections::migrate(&storage.database()).await.unwrap();
    let keys = (root.public_key(), node.clone());
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await.unwrap();
    let clock = SetClock::at(Timestamp::from_datetime(instant(starts)));
    let application = Application::new(ledger.clone()).with_clock(Arc::new(clock.clone()));
    let runner = Runner::new(storage.database());
    let reads = ReadModels::new(storage.database());
    let scheduler =
        Scheduler::new(application.clone(), reads, Arc::new(Templates::embedded().unwrap()), Settings::default());
    let sent = Arc::new(Mutex::new(Vec::new()));
    let down = Arc::new(AtomicBool::new(false));
    let gateway = |kind| -> Arc<dyn Channel> {
        Arc::new(Gateway { kind, clock: clock.clone(), sent: sent.clone(), down: down.clone() })
    };
    let mut dispatcher =
        Dispatcher::new(application.outbox().clone(), vec![gateway(ChannelKind::Sms), gateway(ChannelKind::Email)])
            .with_quiet_hours(quiet_hours_rule(QuietHours::default()));
    dispatcher.first_retry = std::time::Duration::from_secs(600);
    // On PostgreSQL what is due is the database's clock's to say, not this test's: there the failed
    // attempts are retried at every turn, and enough attempts are allowed for an hour of them.
    dispatcher.max_attempts = 20;
    let nurse = Actor { account_id: Uuid::now_v7(), role: Role::Nurse, facility_id: None };
    let mut world = World {
        application,
        ledger,
        storage,
        runner,
        scheduler,
        dispatcher,
        clock,
        sent,
        down,
        nurse,
        keys,
        centre: Uuid::now_v7(),
        north_west: Uuid::now_v7(),
        _dir: dir,
        _scratch: scratch,
    };
    for (facility_id, name, region, district) in
        [(world.centre, "CSI d'Efoulan", "CE", "Efoulan"), (world.north_west, "Bamenda Health Centre", "NW", "Bamenda")]
    {
        let registered = FacilityRegistered {
            facility_id,
            name: name.into(),
            level: FacilityLevel::HealthCentre,
            ownership: FacilityOwnership::Public,
            region: region.into(),
            health_district: district.into(),
        };
        world.append(&StreamId::facility(facility_id), &registered).await;
    }
    world.nurse.facility_id = Some(world.centre);
    world
}

impl World {
    fn now(&self) -> DateTime<Utc> {
        use event_schema::Clock;
        self.clock.now().as_datetime()
    }

    fn set(&self, at: DateTime<Utc>) {
        self.clock.set(Timestamp::from_datetime(at));
    }

    async fn append<T: EventPayload>(&self, stream: &StreamId, payload: &T) {
        let event = NewEvent::typed(payload, Timestamp::from_datetime(self.now())).unwrap();
        let request = AppendRequest::new(stream.clone(), ExpectedVersion::Any, self.nurse.clone(), vec![event]);
        self.ledger.append(request).await.unwrap();
    }

    async fn catch_up(&self) {
        let head = self.ledger.head().await.unwrap().position;
        self.runner.catch_up(&self.ledger, head, |_| {}).await.unwrap();
    }

    /// One turn of the system: the read models catch up, the scheduler decides, the dispatcher
    /// delivers what is due, and the outcomes are recorded.
    async fn turn(&self) {
        self.catch_up().await;
        self.scheduler.run_once().await.unwrap();
        while self.dispatcher.run_once().await.unwrap() > 0 {}
        self.application.record_reminder_outcomes(500).await.unwrap();
    }

    async fn register(&self, given: &str, born: &str, phone: Option<&str>, guardian: Option<&str>, at: Uuid) -> Uuid {
        let patient_id = Uuid::now_v7();
        let registered = PatientRegistered {
            patient_id,
            health_id: "CM0000000000".into(),
            national_id: None,
            family_name: "Ngono".into(),
            given_names: given.into(),
            sex: Sex::Female,
            birth_date: BirthDate { date: born.into(), estimated: false },
            region: "CE".into(),
            health_district: "Efoulan".into(),
            phone: phone.map(str::to_owned),
            email: None,
            next_of_kin: guardian.map(|phone| NextOfKin {
                name: "Mireille Ngono".into(),
                relationship: "mother".into(),
                phone: Some(phone.into()),
            }),
            registered_at_facility: at,
        };
        self.append(&StreamId::patient(patient_id), &registered).await;
        patient_id
    }

    fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    /// Every reminder decided for `patient`, from the ledger.
    async fn decisions(&self, patient: Uuid) -> Vec<ReminderDecided> {
        let entries = self.ledger.read_stream(&StreamId::reminders_of(patient), 0, 10_000).await.unwrap();
        entries
            .iter()
            .filter(|entry| entry.event_type == ReminderDecided::EVENT_TYPE)
            .map(|entry| self.ledger.catalog().decode::<ReminderDecided>(entry).unwrap())
            .collect()
    }
}

fn patient_principal(patient_id: Uuid) -> Principal {
    Principal {
        account_id: Uuid::now_v7(),
        role: Role::Patient,
        facility_id: None,
        patient_id: Some(patient_id),
        region: None,
    }
}

/// A child's first year, walked four hours at a time: every dose of the schedule is announced once, two
/// mornings before it is due, to the mother's phone, in French; the doses given that day are then
/// never chased; the one dose missed is chased once, a week late; nothing arrives in quiet hours.
async fn a_childs_first_year(postgres: bool) {
    let world = world(postgres, "2026-01-10T09:00:00+01:00").await;
    let born = "2026-01-10";
    let child = world.register("Amina", born, None, Some("+237690000111"), world.centre).await;
    let birth = NaiveDate::parse_from_str(born, "%Y-%m-%d").unwrap();
    let plan = vaccination_plan(&Vaccinee::from_stored(born, "female", "CE", "Efoulan"), &[], born).unwrap();
    let mut due: BTreeMap<NaiveDate, Vec<(String, u32)>> = BTreeMap::new();
    for line in &plan.lines {
        if let Some(on) = line.due_on.as_deref().map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap()) {
            if on < birth + Duration::days(365) {
                due.entry(on).or_default().push((line.antigen.clone(), line.dose_number));
            }
        }
    }
    assert!(due.len() >= 4, "the schedule plans several visits in the first year: {due:?}");
    // The mother misses the last visit of the year.
    let missed_day = *due.keys().last().unwrap();
    let end = instant("2027-01-10T09:00:00+01:00");
    let mut given: Vec<NaiveDate> = Vec::new();
    let mut at = instant("2026-01-10T10:00:00+01:00");
    while at < end {
        world.set(at);
        let today = local_day(at);
        if let Some(doses) = due.get(&today) {
            if today != missed_day && !given.contains(&today) {
                for (antigen, dose_number) in doses {
                    let dose = ImmunizationRecorded {
                        entry_id: Uuid::now_v7(),
                        antigen: antigen.clone(),
                        dose_number: *dose_number,
                        lot: "L-2026".into(),
                        given_on: today.format("%Y-%m-%d").to_string(),
                        facility_id: world.centre,
                        amends: None,
                    };
                    world.append(&StreamId::patient(child), &dose).await;
                }
                given.push(today);
            }
        }
        world.turn().await;
        at += Duration::hours(4);
    }
    let sent = world.sent();
    let quiet = QuietHours::default();
    for message in &sent {
        assert!(!quiet.contains(message.at), "delivered in quiet hours at {}: {}", message.at, message.body);
        assert_eq!(message.recipient, "+237690000111", "a child's reminders go to the guardian");
        assert!(message.body.starts_with("CloudMedi : "), "in French: {}", message.body);
    }
    let decisions = world.decisions(child).await;
    let announced: Vec<&ReminderDecided> =
        decisions.iter().filter(|d| d.occasion == event_schema::events::reminder::Occasion::VaccinationDue).collect();
    let chased: Vec<&ReminderDecided> = decisions
        .iter()
        .filter(|d| d.occasion == event_schema::events::reminder::Occasion::VaccinationOverdue)
        .collect();
    // Every visit of the year is announced once, with all its doses in one message; the doses due on
    // the day of birth were given before there was anything to announce.
    let visits: Vec<(&NaiveDate, &Vec<(String, u32)>)> = due.iter().filter(|(day, _)| **day > birth).collect();
    assert_eq!(announced.len(), visits.len(), "one announcement per visit: {announced:#?}");
    for (day, doses) in visits {
        let announcement = announced.iter().find(|d| local_day(d.about.as_datetime()) == *day).unwrap();
        assert_eq!(announcement.subjects.len(), doses.len(), "every dose of {day} in one message");
        let message = sent.iter().find(|m| m.id == announcement.reminder_id).expect("the announcement was delivered");
        let two_days_before = *day - Duration::days(2);
        assert_eq!(local_day(message.at), two_days_before, "announced two days ahead: {}", message.body);
        assert!(message.body.contains(&day.format("%d/%m/%Y").to_string()), "{}", message.body);
    }
    assert_eq!(chased.len(), 1, "only the missed visit is chased: {chased:#?}");
    assert_eq!(local_day(chased[0].about.as_datetime()), missed_day);
    let chase = sent.iter().find(|m| m.id == chased[0].reminder_id).expect("the chase was delivered");
    assert_eq!(local_day(chase.at), missed_day + Duration::days(7));
    assert!(chase.body.contains("n'a pas encore reçu"), "{}", chase.body);
    assert_eq!(sent.len(), announced.len() + 1, "nothing else was sent");
    // Each delivery is recorded in the ledger, never with the number or the text.
    let reminders = world.ledger.read_stream(&StreamId::reminders_of(child), 0, 10_000).await.unwrap();
    let delivered = reminders.iter().filter(|entry| entry.event_type == "reminder.delivered").count();
    assert_eq!(delivered, sent.len());
    assert!(reminders.iter().all(|entry| !entry.payload.as_str().contains("+237690000111")));
    assert!(reminders.iter().all(|entry| !entry.payload.as_str().contains("CloudMedi")));
}

/// An adult who chose English and asks for appointment reminders: an appointment moved gets its
/// reminder at the new time, one cancelled gets none, one missed gets a follow-up the next morning,
/// and results recorded at night are told in the morning.
async fn appointments_moved_cancelled_and_missed(postgres: bool) {
    let world = world(postgres, "2026-03-02T09:00:00+01:00").await;
    let patient = world.register("Paul", "1980-05-05", Some("+237677000222"), None, world.centre).await;
    world.catch_up().await;
    let choices = ReminderPreferences { language: Some(ReminderLanguage::English), channel: None, opted_out: vec![] };
    world.application.set_reminder_preferences(&patient_principal(patient), patient, choices).await.unwrap();
    let appointment = Uuid::now_v7();
    let booked = AppointmentBooked {
        entry_id: appointment,
        facility_id: world.centre,
        practitioner_id: None,
        starts_at: Timestamp::from_datetime(instant("2026-03-10T10:30:00+01:00")),
        reason: "follow-up".into(),
    };
    world.append(&StreamId::patient(patient), &booked).await;
    let mut at = instant("2026-03-02T10:00:00+01:00");
    let step = Duration::hours(2);
    let walk_until = |until: &str| instant(until);
    while at < walk_until("2026-03-06T10:00:00+01:00") {
        world.set(at);
        world.turn().await;
        at += step;
    }
    assert!(world.sent().is_empty(), "nothing yet: {:?}", world.sent());
    // Moved two days later, then walked past the first time: the reminder follows the new time.
    let moved = AppointmentRescheduled {
        entry_id: appointment,
        starts_at: Timestamp::from_datetime(instant("2026-03-12T10:30:00+01:00")),
    };
    world.append(&StreamId::patient(patient), &moved).await;
    while at < walk_until("2026-03-11T10:00:00+01:00") {
        world.set(at);
        world.turn().await;
        at += step;
    }
    let sent = world.sent();
    assert_eq!(sent.len(), 1, "{sent:#?}");
    assert_eq!(sent[0].body, "CloudMedi: reminder of your appointment on 12/03/2026 at 10:30, CSI d'Efoulan.");
    assert!(sent[0].at >= instant("2026-03-10T10:30:00+01:00") && sent[0].at < instant("2026-03-10T13:00:00+01:00"));
    // Cancelled the day before: no reminder on the morning of.
    let cancelled = AppointmentClosed {
        entry_id: appointment,
        outcome: AppointmentOutcome::Cancelled,
        reason: Some("travel".into()),
    };
    world.append(&StreamId::patient(patient), &cancelled).await;
    // Another, missed: a follow-up the next morning.
    let second = Uuid::now_v7();
    world
        .append(
            &StreamId::patient(patient),
            &AppointmentBooked {
                entry_id: second,
                facility_id: world.centre,
                practitioner_id: None,
                starts_at: Timestamp::from_datetime(instant("2026-03-11T15:00:00+01:00")),
                reason: "dressing".into(),
            },
        )
        .await;
    while at < walk_until("2026-03-11T18:00:00+01:00") {
        world.set(at);
        world.turn().await;
        at += step;
    }
    world
        .append(
            &StreamId::patient(patient),
            &AppointmentClosed { entry_id: second, outcome: AppointmentOutcome::Missed, reason: None },
        )
        .await;
    // Results recorded at half past nine at night.
    world.set(instant("2026-03-11T21:30:00+01:00"));
    let result = LabResultRecorded {
        entry_id: Uuid::now_v7(),
        order_id: None,
        test: "Haemoglobin".into(),
        loinc: None,
        value: "12.1".into(),
        unit: Some("g/dL".into()),
        reference_range: None,
        interpretation: Interpretation::Normal,
        attachments: vec![],
        amends: None,
    };
    world.append(&StreamId::patient(patient), &result).await;
    let mut at = instant("2026-03-11T21:30:00+01:00");
    while at < walk_until("2026-03-13T12:00:00+01:00") {
        world.set(at);
        world.turn().await;
        at += Duration::hours(1);
    }
    let sent = world.sent();
    let bodies: Vec<&str> = sent.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(sent.len(), 4, "{bodies:#?}");
    assert!(bodies.iter().all(|body| !body.contains("today at 10:30")), "no reminder for the cancelled one");
    let today = sent.iter().find(|m| m.body.contains("today at 15:00")).expect("the second appointment's morning");
    assert_eq!(local_day(today.at), NaiveDate::from_ymd_opt(2026, 3, 11).unwrap());
    let results = sent.iter().find(|m| m.body.contains("laboratory results")).expect("results told");
    assert_eq!(
        results.at,
        instant("2026-03-12T07:30:00+01:00"),
        "held until the quiet hours ended, then the next turn"
    );
    let missed = sent.iter().find(|m| m.body.contains("missed your appointment")).expect("missed followed up");
    assert_eq!(missed.at, instant("2026-03-12T08:30:00+01:00"));
    // Opting out of appointment reminders stops them.
    let choices = ReminderPreferences { opted_out: vec![ReminderKind::Appointment], ..Default::default() };
    world.application.set_reminder_preferences(&patient_principal(patient), patient, choices).await.unwrap();
    world
        .append(
            &StreamId::patient(patient),
            &AppointmentBooked {
                entry_id: Uuid::now_v7(),
                facility_id: world.centre,
                practitioner_id: None,
                starts_at: Timestamp::from_datetime(instant("2026-03-14T09:00:00+01:00")),
                reason: "review".into(),
            },
        )
        .await;
    world.set(instant("2026-03-13T12:00:00+01:00"));
    world.turn().await;
    assert_eq!(world.sent().len(), 4, "opted out of appointment reminders");
}

/// The gateway down for an hour, then back: every reminder is delivered once, none lost.
async fn a_gateway_down_for_an_hour(postgres: bool) {
    let world = world(postgres, "2026-05-04T08:00:00+01:00").await;
    let mut patients = Vec::new();
    for n in 0..5 {
        let patient =
            world.register("Awa", "1975-01-01", Some(&format!("+23767000100{n}")), None, world.north_west).await;
        patients.push(patient);
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
        world.append(&StreamId::patient(patient), &result).await;
    }
    world.down.store(true, Ordering::SeqCst);
    let mut at = instant("2026-05-04T08:10:00+01:00");
    while at < instant("2026-05-04T09:10:00+01:00") {
        world.set(at);
        world.turn().await;
        at += Duration::minutes(5);
    }
    assert!(world.sent().is_empty());
    world.down.store(false, Ordering::SeqCst);
    while at < instant("2026-05-04T12:00:00+01:00") {
        world.set(at);
        world.turn().await;
        at += Duration::minutes(5);
    }
    let sent = world.sent();
    assert_eq!(sent.len(), 5, "{sent:#?}");
    let mut recipients: Vec<&str> = sent.iter().map(|m| m.recipient.as_str()).collect();
    recipients.sort();
    recipients.dedup();
    assert_eq!(recipients.len(), 5, "each patient once");
    assert!(
        sent.iter().all(|m| m.body == "CloudMedi: new laboratory results are ready in your record."),
        "English in the North-West"
    );
    let summary = world.application.outbox().summary().await.unwrap();
    assert_eq!(summary.iter().map(|c| c.sent).sum::<u64>(), 5);
    assert_eq!(summary.iter().map(|c| c.pending + c.given_up).sum::<u64>(), 0);
    for patient in patients {
        let entries = world.ledger.read_stream(&StreamId::reminders_of(patient), 0, 100).await.unwrap();
        let types: Vec<&str> = entries.iter().map(|entry| entry.event_type.as_str()).collect();
        assert_eq!(types, ["reminder.decided", "reminder.delivered"]);
        let delivered: event_schema::events::reminder::ReminderDelivered =
            world.ledger.catalog().decode(&entries[1]).unwrap();
        assert!(delivered.attempts > 1, "it took retries: {}", delivered.attempts);
        assert_eq!(delivered.channel, ReminderChannel::Sms);
    }
}

/// A scheduler stopped in the middle of a round, then started again, and two schedulers running at
/// once: each reminder is decided once and queued once.
async fn restarts_and_rivals_decide_each_reminder_once(postgres: bool) {
    let world = world(postgres, "2026-06-01T09:00:00+01:00").await;
    let mut patients = Vec::new();
    for n in 0..30 {
        let patient = world.register("Eric", "1990-01-01", Some(&format!("+2376990{n:05}")), None, world.centre).await;
        let result = LabResultRecorded {
            entry_id: Uuid::now_v7(),
            order_id: None,
            test: "Glucose".into(),
            loinc: None,
            value: "5.2".into(),
            unit: Some("mmol/L".into()),
            reference_range: None,
            interpretation: Interpretation::Normal,
            attachments: vec![],
            amends: None,
        };
        world.append(&StreamId::patient(patient), &result).await;
        patients.push(patient);
    }
    world.set(instant("2026-06-01T10:00:00+01:00"));
    world.catch_up().await;
    // Stopped part-way: the round is dropped at its first pause after some reminders were queued.
    let small = Settings { page: 3, ..Settings::default() };
    let interrupted = Scheduler::new(
        world.application.clone(),
        ReadModels::new(world.storage.database()),
        Arc::new(Templates::embedded().unwrap()),
        small,
    );
    let round = tokio::spawn(async move { interrupted.run_once().await });
    loop {
        let queued = world.application.outbox().summary().await.unwrap().iter().map(|c| c.pending).sum::<u64>();
        if queued >= 5 || round.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    round.abort();
    let _ = round.await;
    // Two schedulers at once, then again once the read models hold what the first two decided. On
    // PostgreSQL the second opens the ledger on connections of its own, as a second server would.
    world.catch_up().await;
    let other = match &world._scratch {
        Some(scratch) => {
            let storage: Arc<dyn Storage> = Arc::new(PgStorage::connect(scratch.url()).await.unwrap());
            let (root, node) = world.keys.clone();
            Ledger::open(storage, root, node, events::catalog()).await.unwrap()
        }
        None => world.ledger.clone(),
    };
    let second = Application::new(other).with_clock(Arc::new(world.clock.clone()));
    let rival = Scheduler::new(
        second,
        ReadModels::new(world.storage.database()),
        Arc::new(Templates::embedded().unwrap()),
        small,
    );
    // The projectors follow the ledger meanwhile, as a server's do: a round that starts after its
    // rival's first appends waits for the read model to hold them.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let follower = {
        let (runner, ledger) = (world.runner.clone(), world.ledger.clone());
        tokio::spawn(async move { runner.follow(&ledger, stopped).await })
    };
    let (a, b) = tokio::join!(world.scheduler.run_once(), rival.run_once());
    a.unwrap();
    b.unwrap();
    let (a, b) = tokio::join!(world.scheduler.run_once(), rival.run_once());
    assert_eq!(a.unwrap().decided + b.unwrap().decided, 0, "nothing left to decide");
    let _ = stop.send(true);
    follower.await.unwrap();
    while world.dispatcher.run_once().await.unwrap() > 0 {}
    let sent = world.sent();
    assert_eq!(sent.len(), 30, "one message each");
    let mut ids: Vec<Uuid> = sent.iter().map(|m| m.id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 30);
    for patient in patients {
        assert_eq!(world.decisions(patient).await.len(), 1, "one decision in the ledger");
    }
}

/// Three babies born the same day: one dies a week later, one is found to be the same child as the
/// third and merged into it. Over their first ten weeks only the surviving record's mother hears of
/// vaccinations: nothing is decided for the dead child or for the merged record.
async fn nothing_for_the_dead_or_a_merged_duplicate(postgres: bool) {
    let world = world(postgres, "2026-01-10T09:00:00+01:00").await;
    let born = "2026-01-10";
    let died = world.register("Awa", born, None, Some("+237690000301"), world.centre).await;
    let duplicate = world.register("Bintou", born, None, Some("+237690000302"), world.centre).await;
    let survivor = world.register("Bintou", born, None, Some("+237690000303"), world.centre).await;
    world.set(instant("2026-01-17T10:00:00+01:00"));
    let death = DeathRecorded {
        entry_id: Uuid::now_v7(),
        died_on: "2026-01-17".into(),
        place: PlaceOfDeath::Home,
        facility_id: None,
        underlying_cause: "A09.0".into(),
        amends: None,
    };
    world.append(&StreamId::patient(died), &death).await;
    let merged = PatientMerged { patient_id: duplicate, merged_into: survivor, reason: "registered twice".into() };
    world.append(&StreamId::patient(duplicate), &merged).await;
    let mut at = instant("2026-01-17T11:00:00+01:00");
    while at < instant("2026-03-25T09:00:00+01:00") {
        world.set(at);
        world.turn().await;
        at += Duration::hours(8);
    }
    assert!(world.decisions(died).await.is_empty(), "nothing for a child who has died");
    assert!(world.decisions(duplicate).await.is_empty(), "nothing for a record merged into another");
    assert!(!world.decisions(survivor).await.is_empty(), "the surviving record's reminders go on");
    let sent = world.sent();
    assert!(!sent.is_empty() && sent.iter().all(|message| message.recipient == "+237690000303"), "{sent:#?}");
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread")]
            async fn $name() {
                super::$name(false).await
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread")]
            async fn $name() {
                super::$name(true).await
            })*
        }
    };
}

on_both_backends!(
    a_childs_first_year,
    appointments_moved_cancelled_and_missed,
    a_gateway_down_for_an_hour,
    restarts_and_rivals_decide_each_reminder_once,
    nothing_for_the_dead_or_a_merged_duplicate,
);
