//! `cloudmedi demo`: fills a new ledger with realistic synthetic data, for demonstrations and benchmarks.
//!
//! The data is a health system across Cameroon's ten regions: facilities, their staff, and patients
//! whose records grow over the five years before `--as-of`: registration, immunisations following the
//! schedule (most on time, some late, some missed), consultations with ICD-10 diagnoses, vital signs,
//! prescriptions, laboratory orders and results with LOINC codes, appointments kept, missed, cancelled
//! or moved, long-term treatments, referrals, and corrections. One showcase patient has about 200
//! entries, for a benchmark that reads a whole record.
//!
//! Every patient event is decided by the domain's own functions against the record folded so far,
//! with the simulated day as `today` and the simulated instant as `now`, and every author is checked
//! against the access policy first, so the ledger holds only what the command API could have
//! recorded. Facilities and staff are decided by the domain too. Appends carry the events one author
//! recorded at one sitting (a triage, a consultation, a laboratory's results), up to a visit's worth.
//!
//! Generation is deterministic: a seed and an `--as-of` day give the same facilities, staff, patients
//! and entries whatever order the concurrent appenders commit in; only what the ledger assigns
//! (positions, event ids, commit times, hashes and signatures) differs between runs. A single producer
//! plans patients in order and the appenders take them from a queue, so where the run stops is decided
//! by the plan alone.
//!
//! It writes only into a ledger that holds nothing but its key registry: the ledger is append-only,
//! and synthetic patients mixed into real records could never be taken out again.

use crate::datadir::{open_storage, DataDir};
use crate::demo_accounts::{self, DemoLogin};
use crate::{progress, Location, Outcome};
use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use clap::Args;
use domain::access::{authorize, Action, Decision, Facts, Principal, Section};
use domain::facility::{self, FacilityEvent, RegisterFacility};
use domain::health_id::HealthId;
use domain::patient::{self, PatientEvent, RegisterPatient};
use domain::record::appointments::{self, BookAppointment};
use domain::record::care::care_basis;
use domain::record::clinical::{
    self, CancelPrescription, Correction, DiagnoseCondition, MarkEnteredInError, PrescribeMedicine, RecordAllergy,
    RecordEncounter, RecordImmunization, ReferPatient,
};
use domain::record::history::{self, RecordFamilyHistory, RecordMedicalHistory, RecordTreatment, StopTreatment};
use domain::record::observations::{self, OrderLab, RecordLabResult, RecordVitalSigns};
use domain::record::{self as patient_record, schedule, PatientRecord, RecordError, RecordEvent};
use domain::reference;
use domain::staff::{self, ActivationDelivery, RegisterStaff, StaffEvent};
use event_schema::events::facility::{FacilityLevel, FacilityOwnership};
use event_schema::events::patient::{BirthDate, NextOfKin, Sex};
use event_schema::events::record::{
    AllergyCategory, AllergyStatus, AppointmentOutcome, Attachment, ConditionStatus, Dose, DoseUnit, HistoryKind,
    Interpretation, ReferralKind, Route, Severity, Urgency,
};
use event_schema::ledger_events::KEY_STREAM;
use event_schema::{events, Actor, Role, StreamId, Timestamp};
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent};
use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, Mutex};
use uuid::Uuid;

#[derive(Args)]
pub struct DemoArgs {
    /// About how many events to write (the last patient's record is always written whole). The default
    /// makes a network of about twenty facilities and a few hundred patients in seconds, enough for a
    /// first try; `cloudmedi bench --read` asks for a million.
    #[arg(long, default_value_t = 50_000)]
    events: u64,
    /// The same seed and --as-of day give the same facilities, staff, patients and entries.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Concurrent appenders, whose appends the ledger commits together.
    #[arg(long, default_value_t = 64)]
    writers: usize,
    /// The day the data leads up to, YYYY-MM-DD (default: today in Cameroon); every event falls in the
    /// five years before it, and only appointments may lie after it.
    #[arg(long)]
    as_of: Option<NaiveDate>,
}

/// Fewer events than this cannot hold the facilities, their staff and the showcase patient.
const MIN_EVENTS: u64 = 1_000;
/// The system administrator, the auditor and the analyst.
const NATIONAL_STAFF: u64 = 3;
/// How far back the simulated history reaches.
const HISTORY_DAYS: i64 = 5 * 365;
/// The showcase patient's record is written until it holds about this many entries.
const SHOWCASE_ENTRIES: u64 = 200;
/// The most events any other patient's record gets, so one long life cannot take a small run's budget.
const PATIENT_EVENTS_MAX: u64 = 400;

pub async fn run(location: &Location, args: DemoArgs) -> anyhow::Result<Outcome> {
    if args.events < MIN_EVENTS {
        bail!("--events must be at least {MIN_EVENTS}: the facilities, their staff and the showcase patient need that many");
    }
    if args.writers == 0 {
        bail!("--writers must be at least 1");
    }
    // The clock is the command API's, so that "today" means the same day here as in the server.
    let today = NaiveDate::parse_from_str(&application::clock::today_in_cameroon(), "%Y-%m-%d")
        .context("cannot read today's date")?;
    let as_of = args.as_of.unwrap_or(today);
    if as_of > today {
        bail!("--as-of {as_of} is after today ({today}): every event of the demo must lie in the past");
    }
    let dir = DataDir::new(&location.data_dir);
    crate::datadir::initialise_embedded_default(location, &dir).await?;
    let storage = open_storage(location, &dir, false).await?;
    let ledger = Ledger::open(storage, dir.root_public_key()?, dir.node_key_pair()?, events::catalog())
        .await
        .context("cannot open the ledger")?;
    let started = Instant::now();
    let written = write(&ledger, &args, as_of).await;
    let elapsed = started.elapsed().as_secs_f64().max(1e-9);
    let issued = match &written {
        Ok((census, _)) => demo_accounts::issue(&ledger, &census.logins).await,
        Err(_) => Ok(Vec::new()),
    };
    // Whatever happened, appends already queued are committed before the summary (or the error).
    ledger.close().await;
    let (census, events) = written?;
    let issued = issued?;
    report(&census, events, elapsed, &args, as_of);
    demo_accounts::print(&issued, &location.data_dir);
    outln!("showcase patient {} {}", census.showcase_id, census.showcase_health_id);
    Ok(Outcome::Success)
}

fn report(census: &Census, events: u64, elapsed: f64, args: &DemoArgs, as_of: NaiveDate) {
    outln!(
        "demo data written: {events} events in {elapsed:.1} s ({:.0} events/s, {} writers, seed {}, as of {as_of})",
        events as f64 / elapsed,
        args.writers,
        args.seed
    );
    let levels = &census.facilities;
    outln!(
        "  facilities: {} ({} reference hospitals, {} regional hospitals, {} district hospitals, {} health centres, {} private clinics)",
        levels.iter().sum::<u64>(),
        levels[0],
        levels[1],
        levels[2],
        levels[3],
        levels[4]
    );
    let staff = &census.staff;
    outln!(
        "  staff: {} ({} doctors, {} nurses, {} laboratory technicians, {} registration clerks, {} facility \
         administrators, and at national level a system administrator, an auditor and an analyst)",
        staff.iter().sum::<u64>() + NATIONAL_STAFF,
        staff[0],
        staff[1],
        staff[2],
        staff[3],
        staff[4]
    );
    outln!(
        "  patients: {} ({} female, {} male; {} under five; {} with a national ID number)",
        census.patients,
        census.female,
        census.male,
        census.under_five,
        census.with_national_id
    );
    let regions: Vec<String> =
        REGIONS.iter().zip(&census.by_region).map(|(region, count)| format!("{} {count}", region.code)).collect();
    outln!("  patients by region: {}", regions.join(", "));
    outln!("  showcase: {} entries in stream patient:{}", census.showcase_entries, census.showcase_id);
}

/// What a run wrote, for the summary.
#[derive(Default)]
struct Census {
    /// By level: reference, regional, district, health centre, private clinic.
    facilities: [u64; 5],
    /// Doctors, nurses, laboratory technicians, registration clerks, facility administrators.
    staff: [u64; 5],
    patients: u64,
    by_region: [u64; 10],
    female: u64,
    male: u64,
    under_five: u64,
    with_national_id: u64,
    showcase_id: Uuid,
    showcase_health_id: String,
    showcase_entries: u64,
    /// The members of staff who get a development account.
    logins: Vec<DemoLogin>,
}

/// One stream's appends, in order; an appender writes them one after the other.
struct Job {
    stream: String,
    appends: Vec<AppendRequest>,
}

impl Job {
    fn events(&self) -> u64 {
        self.appends.iter().map(|append| append.events.len() as u64).sum()
    }
}

/// Plans and appends the data; returns the census and how many events were appended.
async fn write(ledger: &Ledger, args: &DemoArgs, as_of: NaiveDate) -> anyhow::Result<(Census, u64)> {
    refuse_unless_new(ledger).await?;
    let bar = progress::entries(Some(args.events), "writing");
    let failed = Arc::new(AtomicBool::new(false));
    let (jobs, queue) = mpsc::channel::<Job>(args.writers * 2);
    let (seed, target) = (args.seed, args.events);
    let producer = {
        let failed = failed.clone();
        tokio::task::spawn_blocking(move || produce(seed, target, as_of, &jobs, &failed))
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
fn produce(
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
    let (mut network, setup) = Network::build(seed, target, &clock)?;
    let mut census = Census { logins: std::mem::take(&mut network.logins), ..Census::default() };
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

// ---------------------------------------------------------------------------------------------------
// Randomness and time
// ---------------------------------------------------------------------------------------------------

/// A small deterministic generator (SplitMix64). It is written out here rather than taken from a
/// crate so that a seed keeps meaning the same data across dependency upgrades, which may change a
/// library's algorithms or its ways of drawing from ranges.
struct Rng {
    state: u64,
}

impl Rng {
    /// The generator of one independent stream of a seed: the network, or one patient.
    fn new(seed: u64, stream: u64) -> Self {
        let mut mixer = Rng { state: seed ^ 0x6A09_E667_F3BC_C908 };
        let base = mixer.next_u64();
        let mut mixer = Rng { state: base ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15) };
        Rng { state: mixer.next_u64() }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: i64, high: i64) -> i64 {
        if high <= low {
            return low;
        }
        low + self.below((high - low) as u64 + 1) as i64
    }

    /// A number in `low..=high`, for measures.
    fn within(&mut self, low: u32, high: u32) -> u32 {
        self.between(i64::from(low), i64::from(high)) as u32
    }

    /// A uniform fraction in `[0, 1)`.
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    fn chance(&mut self, probability: f64) -> bool {
        self.unit() < probability
    }

    /// One item of a table. Every table here is a non-empty constant; an empty one would give `None`.
    fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len() as u64) as usize)
    }

    /// The index of an item drawn with the given weights (the last one if every weight is 0).
    fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut draw = self.unit() * total;
        for (index, weight) in weights.iter().enumerate() {
            if draw < *weight {
                return index;
            }
            draw -= weight;
        }
        weights.len().saturating_sub(1)
    }

    /// Years until the next event of a process happening `rate` times a year.
    fn years_until(&mut self, rate: f64) -> f64 {
        -(1.0 - self.unit()).ln() / rate.max(1e-6)
    }

    /// A random (version 4) UUID, for entry ids.
    fn uuid(&mut self) -> Uuid {
        let mut bytes = [0u8; 16];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// A time-ordered (version 7) UUID stamped `at`, as the command API makes ids when a thing is
    /// created, but with the simulated time and random bits from the seed.
    fn uuid_at(&mut self, at: DateTime<Utc>) -> Uuid {
        let mut bytes = [0u8; 10];
        bytes[..8].copy_from_slice(&self.next_u64().to_le_bytes());
        bytes[8..].copy_from_slice(&self.next_u64().to_le_bytes()[..2]);
        let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(millis, &bytes).into_uuid()
    }

    /// Lower-case hex of 32 random bytes: an attachment's digest.
    fn sha256_hex(&mut self) -> String {
        (0..4).map(|_| format!("{:016x}", self.next_u64())).collect()
    }
}

/// Picks from a constant table, which is never empty; the fallback only keeps the code free of panics.
fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    rng.pick(items).copied().unwrap_or("")
}

/// The simulated calendar: Cameroon's time (UTC+1, no daylight saving), the day the data leads up
/// to, and the window history falls in.
struct Clock {
    as_of: NaiveDate,
    /// The network's first day.
    go_live: NaiveDate,
    /// The first day patients are registered, once facilities and staff exist.
    first_patient_day: NaiveDate,
    /// No event at or after this instant: the start of `as_of` in Cameroon.
    end: DateTime<Utc>,
}

impl Clock {
    fn new(as_of: NaiveDate) -> Self {
        let go_live = as_of - Duration::days(HISTORY_DAYS);
        Clock { as_of, go_live, first_patient_day: go_live + Duration::days(75), end: instant(as_of, 0) }
    }
}

/// The instant `minutes` after midnight of `day` in Cameroon.
fn instant(day: NaiveDate, minutes: i64) -> DateTime<Utc> {
    day.and_time(NaiveTime::MIN).and_utc() + Duration::minutes(minutes - 60)
}

/// The day in Cameroon at an instant, as the domain's `today`.
fn cameroon_day(at: DateTime<Utc>) -> NaiveDate {
    (at + Duration::hours(1)).date_naive()
}

fn ymd(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// The first weekday on or after `day`: planned care (appointments, vaccinations) happens on weekdays.
fn weekday_from(day: NaiveDate) -> NaiveDate {
    match day.weekday() {
        Weekday::Sat => day + Duration::days(2),
        Weekday::Sun => day + Duration::days(1),
        _ => day,
    }
}

/// A time during a clinic's working hours (07:30 to 15:30) on `day`.
fn clinic_time(rng: &mut Rng, day: NaiveDate) -> DateTime<Utc> {
    instant(day, 450 + rng.between(0, 480))
}

// ---------------------------------------------------------------------------------------------------
// Reference tables
// ---------------------------------------------------------------------------------------------------

/// A region as the demo peoples it: relative population, the health districts used (the capital's
/// first), which family names are most common, and the language its facilities write in.
struct RegionData {
    code: &'static str,
    population: f64,
    districts: &'static [&'static str],
    families: Families,
    english: bool,
    /// In the north, most given names are Muslim ones, and meningitis and cholera occur.
    northern: bool,
}

#[derive(Clone, Copy)]
enum Families {
    Forest,
    Coast,
    Grassfields,
    Anglophone,
    North,
}

const REGIONS: [RegionData; 10] = [
    RegionData {
        code: "AD",
        population: 12.0,
        districts: &[
            "Ngaoundéré Urbain",
            "Ngaoundéré Rural",
            "Meiganga",
            "Tibati",
            "Banyo",
            "Tignère",
            "Djohong",
            "Bankim",
            "Mayo-Baléo",
        ],
        families: Families::North,
        english: false,
        northern: true,
    },
    RegionData {
        code: "CE",
        population: 45.0,
        districts: &[
            "Djoungolo",
            "Biyem-Assi",
            "Cité Verte",
            "Efoulan",
            "Nkolndongo",
            "Nkolbisson",
            "Mfou",
            "Mbalmayo",
            "Obala",
            "Bafia",
            "Nanga-Eboko",
            "Akonolinga",
            "Monatélé",
            "Soa",
            "Odza",
            "Ntui",
            "Eséka",
        ],
        families: Families::Forest,
        english: false,
        northern: false,
    },
    RegionData {
        code: "ES",
        population: 9.0,
        districts: &[
            "Bertoua",
            "Abong-Mbang",
            "Batouri",
            "Yokadouma",
            "Garoua-Boulaï",
            "Kette",
            "Lomié",
            "Moloundou",
            "Doumé",
            "Betaré-Oya",
            "Nguelemendouka",
        ],
        families: Families::Forest,
        english: false,
        northern: false,
    },
    RegionData {
        code: "EN",
        population: 40.0,
        districts: &[
            "Maroua I",
            "Maroua II",
            "Maroua III",
            "Kousseri",
            "Mokolo",
            "Mora",
            "Yagoua",
            "Kaélé",
            "Guidiguis",
            "Mindif",
            "Méri",
            "Kolofata",
            "Koza",
            "Makary",
            "Bogo",
            "Goulfey",
            "Mada",
            "Moutourwa",
        ],
        families: Families::North,
        english: false,
        northern: true,
    },
    RegionData {
        code: "LT",
        population: 35.0,
        districts: &[
            "Deido",
            "Bonassama",
            "New Bell",
            "Logbaba",
            "Cité des Palmiers",
            "Nylon",
            "Japoma",
            "Boko",
            "Bangué",
            "Nkongsamba",
            "Edéa",
            "Loum",
            "Manjo",
            "Mbanga",
            "Melong",
            "Yabassi",
            "Dibombari",
        ],
        families: Families::Coast,
        english: false,
        northern: false,
    },
    RegionData {
        code: "NO",
        population: 25.0,
        districts: &[
            "Garoua I",
            "Garoua II",
            "Guider",
            "Pitoa",
            "Figuil",
            "Poli",
            "Tcholliré",
            "Touboro",
            "Lagdo",
            "Mayo-Oulo",
            "Bibémi",
            "Golombe",
            "Rey-Bouba",
            "Gaschiga",
        ],
        families: Families::North,
        english: false,
        northern: true,
    },
    RegionData {
        code: "NW",
        population: 20.0,
        districts: &[
            "Bamenda",
            "Kumbo East",
            "Kumbo West",
            "Ndop",
            "Wum",
            "Nkambe",
            "Mbengwi",
            "Bali",
            "Batibo",
            "Santa",
            "Tubah",
            "Fundong",
            "Ndu",
            "Bafut",
            "Benakuma",
            "Oku",
            "Ako",
            "Njikwa",
        ],
        families: Families::Anglophone,
        english: true,
        northern: false,
    },
    RegionData {
        code: "SU",
        population: 8.0,
        districts: &[
            "Ebolowa",
            "Kribi",
            "Sangmélima",
            "Ambam",
            "Lolodorf",
            "Mvangan",
            "Djoum",
            "Meyomessala",
            "Zoétélé",
            "Olamze",
        ],
        families: Families::Forest,
        english: false,
        northern: false,
    },
    RegionData {
        code: "SW",
        population: 16.0,
        districts: &[
            "Buea",
            "Limbe",
            "Kumba",
            "Mamfe",
            "Tiko",
            "Muyuka",
            "Mundemba",
            "Bangem",
            "Tombel",
            "Konye",
            "Akwaya",
            "Ekondo-Titi",
            "Eyumojock",
            "Fontem",
            "Wabane",
            "Mbonge",
        ],
        families: Families::Anglophone,
        english: true,
        northern: false,
    },
    RegionData {
        code: "OU",
        population: 20.0,
        districts: &[
            "Bafoussam",
            "Dschang",
            "Mbouda",
            "Bafang",
            "Bangangté",
            "Foumban",
            "Foumbot",
            "Bandjoun",
            "Baham",
            "Kékem",
            "Malentouen",
            "Penka-Michel",
            "Galim",
            "Kouoptamo",
            "Massangam",
        ],
        families: Families::Grassfields,
        english: false,
        northern: false,
    },
];

/// The malaria vaccine is given only in the districts the schedule selects for it.
fn malaria_vaccine_district(region: &str, district: &str) -> bool {
    schedule::versions()
        .iter()
        .rev()
        .find_map(|version| version.antigen("MALARIA"))
        .is_some_and(|malaria| malaria.offered_in(region, district))
}

const FOREST_FAMILIES: &[&str] = &[
    "Mbarga", "Atangana", "Ndzana", "Essomba", "Owona", "Onana", "Ngono", "Mballa", "Abena", "Nkodo", "Manga", "Ateba",
    "Zang", "Ondoa", "Mvondo", "Ekani", "Fouda", "Amougou", "Ebogo", "Mengue", "Nga", "Bella", "Tsala", "Awono",
    "Eyenga", "Abessolo", "Nnanga", "Mebenga", "Ella", "Etoundi",
];
const COAST_FAMILIES: &[&str] = &[
    "Ekwalla", "Eboa", "Ngando", "Din", "Moukoko", "Kotto", "Epée", "Ebelle", "Nlend", "Mbock", "Ngue", "Nyobe",
    "Bassong", "Makon", "Dikoumé", "Ndoumbè", "Priso", "Mouangue", "Essaka", "Ekambi", "Njock", "Tonye", "Ndjock",
];
const GRASSFIELDS_FAMILIES: &[&str] = &[
    "Kamga",
    "Tchoupo",
    "Fotso",
    "Kengne",
    "Talla",
    "Nana",
    "Tchinda",
    "Djoumessi",
    "Nguefack",
    "Wamba",
    "Tagne",
    "Fokou",
    "Kamdem",
    "Tchatchoua",
    "Njoya",
    "Nsangou",
    "Njikam",
    "Mbouombouo",
    "Simo",
    "Feukeng",
    "Tsague",
    "Kenfack",
    "Ngassa",
    "Tiomo",
    "Yimga",
];
const ANGLOPHONE_FAMILIES: &[&str] = &[
    "Ngwa", "Tabi", "Fru", "Ndi", "Nfor", "Tanyi", "Ayuk", "Enow", "Tambe", "Mbah", "Achu", "Nkwenti", "Che", "Nji",
    "Awah", "Eyong", "Besong", "Agbor", "Ebai", "Ashu", "Ojong", "Egbe", "Neba", "Ngum", "Tita", "Bih", "Fomukong",
    "Ndip", "Arrey", "Ebot",
];
const NORTH_FAMILIES: &[&str] = &[
    "Hamadou",
    "Oumarou",
    "Bouba",
    "Abdoulaye",
    "Moussa",
    "Haman",
    "Adamou",
    "Bello",
    "Issa",
    "Saidou",
    "Yaya",
    "Daouda",
    "Mohamadou",
    "Aliou",
    "Amadou",
    "Djibrilla",
    "Ousmanou",
    "Sali",
    "Ahmadou",
    "Souaibou",
    "Hayatou",
    "Alioum",
    "Babba",
    "Yerima",
];
const FRENCH_WOMEN: &[&str] = &[
    "Marie",
    "Jeanne",
    "Brigitte",
    "Chantal",
    "Solange",
    "Pauline",
    "Clarisse",
    "Sandrine",
    "Estelle",
    "Nadège",
    "Josiane",
    "Christelle",
    "Larissa",
    "Vanessa",
    "Gisèle",
    "Odile",
    "Yvonne",
    "Béatrice",
    "Florence",
    "Esther",
    "Ruth",
    "Prudence",
    "Hortense",
    "Rose",
    "Cécile",
    "Danielle",
    "Aline",
    "Sylvie",
    "Françoise",
    "Murielle",
    "Laure",
    "Carine",
    "Michèle",
    "Thérèse",
    "Agathe",
];
const FRENCH_MEN: &[&str] = &[
    "Jean",
    "Paul",
    "Pierre",
    "Emmanuel",
    "Joseph",
    "François",
    "Samuel",
    "Martin",
    "André",
    "Thomas",
    "Éric",
    "Hervé",
    "Serge",
    "Armand",
    "Blaise",
    "Guy",
    "Roger",
    "Yannick",
    "Franck",
    "Patrick",
    "Christian",
    "Landry",
    "Brice",
    "Cyrille",
    "Stéphane",
    "Alain",
    "Bertrand",
    "Didier",
    "Fabrice",
    "Olivier",
    "Rodrigue",
    "Gaston",
    "Boris",
    "Arnaud",
];
const ENGLISH_WOMEN: &[&str] = &[
    "Grace",
    "Mirabelle",
    "Blessing",
    "Comfort",
    "Mercy",
    "Joy",
    "Gladys",
    "Judith",
    "Patience",
    "Doris",
    "Faith",
    "Juliet",
    "Vivian",
    "Irene",
    "Florence",
    "Esther",
    "Ruth",
    "Mary",
    "Elizabeth",
    "Sharon",
    "Precious",
    "Loveline",
    "Quinta",
    "Belinda",
    "Edith",
];
const ENGLISH_MEN: &[&str] = &[
    "John",
    "Peter",
    "Emmanuel",
    "Godlove",
    "Divine",
    "Clinton",
    "Kingsley",
    "Wilfred",
    "Godwill",
    "Derick",
    "Collins",
    "Ivo",
    "Elvis",
    "Ernest",
    "Samuel",
    "Joseph",
    "Daniel",
    "Lucas",
    "Bright",
    "Valentine",
    "Emile",
    "Cletus",
    "Fidelis",
    "Eric",
    "Julius",
];
const MUSLIM_WOMEN: &[&str] = &[
    "Aïcha",
    "Hadidja",
    "Fadimatou",
    "Aminatou",
    "Ramatou",
    "Hawaou",
    "Mariamou",
    "Asmaou",
    "Djamila",
    "Zeinabou",
    "Salamatou",
    "Habiba",
    "Adama",
    "Hadjara",
    "Oumou",
    "Fanta",
    "Nafissatou",
    "Kadidja",
    "Halimatou",
    "Maimouna",
];
const MUSLIM_MEN: &[&str] = &[
    "Ibrahim",
    "Moussa",
    "Oumarou",
    "Hamidou",
    "Abdou",
    "Alim",
    "Aboubakar",
    "Ismaïla",
    "Mohamadou",
    "Souleymanou",
    "Abdoulaye",
    "Hamadou",
    "Yaouba",
    "Bachirou",
    "Aliyou",
    "Issa",
    "Youssoufa",
    "Harouna",
    "Saliou",
    "Nassourou",
];

fn family_names(families: Families) -> &'static [&'static str] {
    match families {
        Families::Forest => FOREST_FAMILIES,
        Families::Coast => COAST_FAMILIES,
        Families::Grassfields => GRASSFIELDS_FAMILIES,
        Families::Anglophone => ANGLOPHONE_FAMILIES,
        Families::North => NORTH_FAMILIES,
    }
}

/// A plausible name for someone of `region`: most people bear the region's family names, some come
/// from elsewhere; given names follow the region's language and, in the north, mostly Islam.
fn person_name(rng: &mut Rng, region: &RegionData, sex: Sex) -> (String, String) {
    const ALL: [Families; 5] =
        [Families::Forest, Families::Coast, Families::Grassfields, Families::Anglophone, Families::North];
    let families = if rng.chance(0.8) { region.families } else { ALL[rng.below(5) as usize] };
    let family = pick(rng, family_names(families)).to_owned();
    let female = sex == Sex::Female;
    let list = if region.northern && rng.chance(0.7) {
        if female {
            MUSLIM_WOMEN
        } else {
            MUSLIM_MEN
        }
    } else if region.english {
        if female {
            ENGLISH_WOMEN
        } else {
            ENGLISH_MEN
        }
    } else if female {
        FRENCH_WOMEN
    } else {
        FRENCH_MEN
    };
    let mut given = pick(rng, list).to_owned();
    if rng.chance(0.35) {
        let second = pick(rng, list);
        if second != given {
            given.push(' ');
            given.push_str(second);
        }
    }
    (family, given)
}

/// A Cameroonian mobile number, written in one of the ways people give them at a desk.
fn mobile_number(rng: &mut Rng) -> String {
    let prefix = pick(rng, &["65", "67", "68", "69"]);
    let rest = rng.below(10_000_000);
    let digits = format!("{prefix}{rest:07}");
    match rng.below(3) {
        0 => format!("{} {} {} {} {}", &digits[..1], &digits[1..3], &digits[3..5], &digits[5..7], &digits[7..]),
        1 => format!("+237{digits}"),
        _ => digits,
    }
}

/// An e-mail address made of a person's names, kept to ASCII letters.
fn email_address(rng: &mut Rng, family: &str, given: &str) -> String {
    let ascii = |text: &str| -> String {
        text.chars()
            .filter_map(|c| match c {
                'é' | 'è' | 'ê' | 'ë' | 'É' => Some('e'),
                'ï' | 'î' => Some('i'),
                'ç' => Some('c'),
                'à' | 'â' => Some('a'),
                'ô' => Some('o'),
                c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    };
    let first = given.split(' ').next().unwrap_or(given);
    let domain = pick(rng, &["yahoo.fr", "gmail.com", "yahoo.com", "outlook.fr"]);
    format!("{}.{}{}@{domain}", ascii(first), ascii(family), rng.below(100))
}

/// Medicines as prescribed: international non-proprietary name, one dose, route, doses a day and days.
#[derive(Clone, Copy)]
struct Medicine {
    name: &'static str,
    amount: &'static str,
    unit: DoseUnit,
    route: Route,
    times_per_day: u32,
    days: u32,
    as_needed: bool,
}

const fn medicine(
    name: &'static str,
    amount: &'static str,
    unit: DoseUnit,
    route: Route,
    times_per_day: u32,
    days: u32,
) -> Medicine {
    Medicine { name, amount, unit, route, times_per_day, days, as_needed: false }
}

const fn as_needed(medicine: Medicine) -> Medicine {
    Medicine { as_needed: true, ..medicine }
}

use DoseUnit::{Capsule, Drop as Drops, Iu, Mg, Ml, Puff, Sachet, Tablet, G};
use Route::{Inhaled, Intravenous, Ophthalmic, Oral};

const PARACETAMOL: Medicine = as_needed(medicine("paracetamol", "1000", Mg, Oral, 3, 3));
const PARACETAMOL_CHILD: Medicine = as_needed(medicine("paracetamol", "5", Ml, Oral, 3, 3));
const ARTEMETHER: Medicine = medicine("artemether-lumefantrine", "4", Tablet, Oral, 2, 3);
const ARTEMETHER_CHILD: Medicine = medicine("artemether-lumefantrine", "1", Tablet, Oral, 2, 3);
const ARTESUNATE: Medicine = medicine("artesunate", "120", Mg, Intravenous, 2, 3);
const ARTESUNATE_CHILD: Medicine = medicine("artesunate", "36", Mg, Intravenous, 2, 3);
const CIPROFLOXACIN: Medicine = medicine("ciprofloxacin", "500", Mg, Oral, 2, 7);
const CEFIXIME_CHILD: Medicine = medicine("cefixime", "100", Mg, Oral, 2, 7);
const AMOXICILLIN: Medicine = medicine("amoxicillin", "1000", Mg, Oral, 3, 5);
const AMOXICILLIN_CHILD: Medicine = medicine("amoxicillin", "250", Mg, Oral, 3, 5);
const ORS: Medicine = as_needed(medicine("oral rehydration salts", "1", Sachet, Oral, 4, 3));
const ZINC: Medicine = medicine("zinc sulfate", "20", Mg, Oral, 1, 10);
const METRONIDAZOLE: Medicine = medicine("metronidazole", "500", Mg, Oral, 3, 5);
const ALBENDAZOLE: Medicine = medicine("albendazole", "400", Mg, Oral, 1, 1);
const NITROFURANTOIN: Medicine = medicine("nitrofurantoin", "100", Mg, Oral, 2, 5);
const OMEPRAZOLE: Medicine = medicine("omeprazole", "20", Mg, Oral, 1, 28);
const FERROUS: Medicine = medicine("ferrous sulfate", "200", Mg, Oral, 1, 30);
const FOLIC_ACID: Medicine = medicine("folic acid", "5", Mg, Oral, 1, 30);
const CLOXACILLIN: Medicine = medicine("cloxacillin", "500", Mg, Oral, 4, 7);
const CLOXACILLIN_CHILD: Medicine = medicine("cloxacillin", "250", Mg, Oral, 4, 7);
const EYE_DROPS: Medicine = medicine("chloramphenicol eye drops", "1", Drops, Ophthalmic, 4, 7);
const CO_AMOXICLAV: Medicine = medicine("amoxicillin-clavulanic acid", "1", G, Oral, 2, 5);
const SALBUTAMOL: Medicine = as_needed(medicine("salbutamol", "2", Puff, Inhaled, 4, 30));
const DOXYCYCLINE: Medicine = medicine("doxycycline", "300", Mg, Oral, 1, 1);
const CEFTRIAXONE: Medicine = medicine("ceftriaxone", "2", G, Intravenous, 1, 5);
const CEFTRIAXONE_CHILD: Medicine = medicine("ceftriaxone", "1", G, Intravenous, 1, 5);
const VITAMIN_A: Medicine = medicine("retinol (vitamin A)", "200000", Iu, Oral, 1, 2);
const RUTF: Medicine = medicine("ready-to-use therapeutic food", "1", Sachet, Oral, 2, 30);
const IBUPROFEN: Medicine = as_needed(medicine("ibuprofen", "400", Mg, Oral, 3, 5));
const AMLODIPINE: Medicine = medicine("amlodipine", "5", Mg, Oral, 1, 30);
const HYDROCHLOROTHIAZIDE: Medicine = medicine("hydrochlorothiazide", "25", Mg, Oral, 1, 30);
const METFORMIN: Medicine = medicine("metformin", "500", Mg, Oral, 2, 30);
const TLD: Medicine = medicine("tenofovir/lamivudine/dolutegravir", "1", Tablet, Oral, 1, 90);
const COTRIMOXAZOLE: Medicine = medicine("cotrimoxazole", "960", Mg, Oral, 1, 90);
const RHZE: Medicine = medicine("rifampicin/isoniazid/pyrazinamide/ethambutol", "4", Tablet, Oral, 1, 60);
const IRON_FOLATE: Medicine = medicine("ferrous sulfate/folic acid", "1", Tablet, Oral, 1, 90);
const SP: Medicine = medicine("sulfadoxine-pyrimethamine", "3", Tablet, Oral, 1, 1);
const OMEPRAZOLE_CAPSULE: Medicine = medicine("omeprazole", "1", Capsule, Oral, 1, 14);

/// Laboratory tests, each with its LOINC code and how its results read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Test {
    MalariaRapid,
    ThickSmear,
    Haemoglobin,
    Glucose,
    HbA1c,
    Creatinine,
    HivRapid,
    ViralLoad,
    Cd4,
    Widal,
    BloodCulture,
    UrineCulture,
    UrineProtein,
    Syphilis,
    HepatitisB,
    Tuberculosis,
    Pregnancy,
    WhiteCells,
    BloodGroup,
}

impl Test {
    #[cfg(test)]
    const ALL: [Test; 19] = [
        Test::MalariaRapid,
        Test::ThickSmear,
        Test::Haemoglobin,
        Test::Glucose,
        Test::HbA1c,
        Test::Creatinine,
        Test::HivRapid,
        Test::ViralLoad,
        Test::Cd4,
        Test::Widal,
        Test::BloodCulture,
        Test::UrineCulture,
        Test::UrineProtein,
        Test::Syphilis,
        Test::HepatitisB,
        Test::Tuberculosis,
        Test::Pregnancy,
        Test::WhiteCells,
        Test::BloodGroup,
    ];

    fn loinc(self) -> &'static str {
        match self {
            Test::MalariaRapid => "70569-9",
            Test::ThickSmear => "32700-7",
            Test::Haemoglobin => "718-7",
            Test::Glucose => "2345-7",
            Test::HbA1c => "4548-4",
            Test::Creatinine => "2160-0",
            Test::HivRapid => "80387-4",
            Test::ViralLoad => "25836-8",
            Test::Cd4 => "24467-3",
            Test::Widal => "42960-5",
            Test::BloodCulture => "600-7",
            Test::UrineCulture => "630-4",
            Test::UrineProtein => "2888-6",
            Test::Syphilis => "20507-0",
            Test::HepatitisB => "5196-1",
            Test::Tuberculosis => "38379-4",
            Test::Pregnancy => "2106-3",
            Test::WhiteCells => "6690-2",
            Test::BloodGroup => "883-9",
        }
    }

    fn name(self, english: bool) -> &'static str {
        let (fr, en) = match self {
            Test::MalariaRapid => ("TDR paludisme", "Malaria rapid diagnostic test"),
            Test::ThickSmear => ("Goutte épaisse", "Thick blood smear"),
            Test::Haemoglobin => ("Hémoglobine", "Haemoglobin"),
            Test::Glucose => ("Glycémie à jeun", "Fasting blood glucose"),
            Test::HbA1c => ("Hémoglobine glyquée", "HbA1c"),
            Test::Creatinine => ("Créatininémie", "Serum creatinine"),
            Test::HivRapid => ("Test VIH rapide", "HIV rapid test"),
            Test::ViralLoad => ("Charge virale VIH", "HIV viral load"),
            Test::Cd4 => ("Numération des CD4", "CD4 count"),
            Test::Widal => ("Sérodiagnostic de Widal", "Widal test"),
            Test::BloodCulture => ("Hémoculture", "Blood culture"),
            Test::UrineCulture => ("ECBU", "Urine culture"),
            Test::UrineProtein => ("Protéinurie (bandelette)", "Urine protein (dipstick)"),
            Test::Syphilis => ("Sérologie syphilis (RPR)", "Syphilis serology (RPR)"),
            Test::HepatitisB => ("Antigène HBs", "Hepatitis B surface antigen"),
            Test::Tuberculosis => ("Recherche moléculaire de M. tuberculosis", "Molecular test for M. tuberculosis"),
            Test::Pregnancy => ("Test de grossesse urinaire", "Urine pregnancy test"),
            Test::WhiteCells => ("Numération des globules blancs", "White blood cell count"),
            Test::BloodGroup => ("Groupe sanguin ABO", "ABO blood group"),
        };
        if english {
            en
        } else {
            fr
        }
    }
}

/// A result as a laboratory reports it.
struct Reading {
    value: String,
    unit: Option<&'static str>,
    range: Option<&'static str>,
    interpretation: Interpretation,
}

fn words(english: bool, fr: &str, en: &str) -> String {
    if english { en } else { fr }.to_owned()
}

/// A plausible result of `test`: abnormal (positive, low or high, as the test goes) or not.
fn reading(rng: &mut Rng, test: Test, abnormal: bool, english: bool, sex: Sex, child: bool) -> Reading {
    let qualitative = |positive: bool, yes: (&str, &str), no: (&str, &str)| Reading {
        value: if positive { words(english, yes.0, yes.1) } else { words(english, no.0, no.1) },
        unit: None,
        range: None,
        interpretation: if positive { Interpretation::Positive } else { Interpretation::Negative },
    };
    let decimal = |tenths: u32| format!("{}.{}", tenths / 10, tenths % 10);
    let hundredths = |value: u32| format!("{}.{:02}", value / 100, value % 100);
    match test {
        Test::MalariaRapid | Test::HivRapid | Test::HepatitisB | Test::Pregnancy => {
            qualitative(abnormal, ("positif", "positive"), ("négatif", "negative"))
        }
        Test::ThickSmear => {
            let density = rng.between(2, 400) * 100;
            let positive_fr = format!("Plasmodium falciparum, {density} trophozoïtes/µL");
            let positive_en = format!("Plasmodium falciparum, {density} trophozoites/µL");
            qualitative(abnormal, (&positive_fr, &positive_en), ("absence d'hématozoaires", "no parasites seen"))
        }
        Test::Haemoglobin => {
            let (range, low, high) = match (child, sex) {
                (true, _) => ("11.0-14.0", 110, 140),
                (false, Sex::Female) => ("12.0-16.0", 120, 160),
                (false, _) => ("13.0-17.0", 130, 170),
            };
            let value = if abnormal { rng.within(55, low - 5) } else { rng.within(low, high - 5) };
            let interpretation = match (abnormal, value < 70) {
                (false, _) => Interpretation::Normal,
                (true, true) => Interpretation::CriticallyLow,
                (true, false) => Interpretation::Low,
            };
            Reading { value: decimal(value), unit: Some("g/dL"), range: Some(range), interpretation }
        }
        Test::Glucose if english => {
            let value = if abnormal { rng.within(70, 178) } else { rng.within(42, 60) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: decimal(value), unit: Some("mmol/L"), range: Some("3.9-6.1"), interpretation }
        }
        Test::Glucose => {
            let value = if abnormal { rng.within(126, 320) } else { rng.within(75, 108) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: hundredths(value), unit: Some("g/L"), range: Some("0.70-1.10"), interpretation }
        }
        Test::HbA1c => {
            let value = if abnormal { rng.within(65, 115) } else { rng.within(45, 59) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: decimal(value), unit: Some("%"), range: Some("4.0-6.0"), interpretation }
        }
        Test::Creatinine if english => {
            let value = if abnormal { rng.within(120, 260) } else { rng.within(55, 104) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: value.to_string(), unit: Some("µmol/L"), range: Some("53-106"), interpretation }
        }
        Test::Creatinine => {
            let value = if abnormal { rng.within(14, 30) } else { rng.within(6, 12) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: value.to_string(), unit: Some("mg/L"), range: Some("6-12"), interpretation }
        }
        Test::ViralLoad => {
            if abnormal {
                let value = rng.between(1_000, 250_000);
                Reading {
                    value: value.to_string(),
                    unit: Some("copies/mL"),
                    range: Some("< 1000"),
                    interpretation: Interpretation::High,
                }
            } else {
                Reading {
                    value: "< 40".into(),
                    unit: Some("copies/mL"),
                    range: Some("< 1000"),
                    interpretation: Interpretation::Normal,
                }
            }
        }
        Test::Cd4 => {
            let value = if abnormal { rng.within(80, 480) } else { rng.within(520, 1_200) };
            let interpretation = if abnormal { Interpretation::Low } else { Interpretation::Normal };
            Reading { value: value.to_string(), unit: Some("cells/µL"), range: Some("500-1500"), interpretation }
        }
        Test::Widal => {
            let titre = if abnormal { pick(rng, &["1/160", "1/320", "1/640"]) } else { pick(rng, &["1/20", "1/40"]) };
            let interpretation = if abnormal { Interpretation::Positive } else { Interpretation::Negative };
            Reading { value: titre.to_owned(), unit: None, range: Some("< 1/160"), interpretation }
        }
        Test::BloodCulture => qualitative(
            abnormal,
            ("Salmonella Typhi", "Salmonella Typhi"),
            ("stérile à 5 jours", "no growth after 5 days"),
        ),
        Test::UrineCulture => qualitative(
            abnormal,
            ("Escherichia coli > 10^5 UFC/mL", "Escherichia coli > 10^5 CFU/mL"),
            ("culture stérile", "no significant growth"),
        ),
        Test::UrineProtein => Reading {
            value: if abnormal { pick(rng, &["1+", "2+"]).to_owned() } else { words(english, "négatif", "negative") },
            unit: None,
            range: None,
            interpretation: if abnormal { Interpretation::Abnormal } else { Interpretation::Negative },
        },
        Test::Syphilis => qualitative(abnormal, ("réactif", "reactive"), ("non réactif", "non-reactive")),
        Test::Tuberculosis => qualitative(
            abnormal,
            (
                "MTB détecté, résistance à la rifampicine non détectée",
                "MTB detected, rifampicin resistance not detected",
            ),
            ("MTB non détecté", "MTB not detected"),
        ),
        Test::WhiteCells => {
            let value = if abnormal { rng.within(110, 220) } else { rng.within(45, 95) };
            let interpretation = if abnormal { Interpretation::High } else { Interpretation::Normal };
            Reading { value: decimal(value), unit: Some("10^9/L"), range: Some("4.0-10.0"), interpretation }
        }
        Test::BloodGroup => {
            let group = ["O", "A", "B", "AB"][rng.weighted(&[48.0, 25.0, 22.0, 5.0])];
            Reading { value: group.to_owned(), unit: None, range: None, interpretation: Interpretation::Normal }
        }
    }
}

/// An acute illness as seen at a consultation: its ICD-10 code, the words written, what confirms it,
/// what is prescribed, and how often it is referred or seen again.
struct Illness {
    icd10: &'static str,
    diagnosis: (&'static str, &'static str),
    complaint: (&'static str, &'static str),
    /// Relative frequency under 5, 5 to 14, 15 to 49, and 50 and over.
    weights: [f64; 4],
    fever: bool,
    tests: &'static [Test],
    /// How often the test comes back positive or abnormal.
    confirmed: f64,
    adult: &'static [Medicine],
    child: &'static [Medicine],
    /// How often a health centre refers the patient to a hospital.
    referred: f64,
    /// How often a control visit is booked.
    control: f64,
    /// Only in the northern regions (the meningitis belt, cholera along the lakes).
    northern_only: bool,
}

const MALARIA: Illness = Illness {
    icd10: "B50.9",
    diagnosis: ("Paludisme simple à P. falciparum", "Uncomplicated falciparum malaria"),
    complaint: ("Fièvre et céphalées depuis deux jours", "Fever and headache for two days"),
    weights: [30.0, 25.0, 18.0, 12.0],
    fever: true,
    tests: &[Test::MalariaRapid, Test::ThickSmear],
    confirmed: 0.85,
    adult: &[ARTEMETHER, PARACETAMOL],
    child: &[ARTEMETHER_CHILD, PARACETAMOL_CHILD],
    referred: 0.0,
    control: 0.1,
    northern_only: false,
};

const ILLNESSES: &[Illness] = &[
    MALARIA,
    Illness {
        icd10: "B50.8",
        diagnosis: ("Paludisme grave à P. falciparum", "Severe falciparum malaria"),
        complaint: ("Fièvre élevée, vomissements et prostration", "High fever, vomiting and prostration"),
        weights: [4.0, 1.0, 0.5, 0.5],
        fever: true,
        tests: &[Test::ThickSmear, Test::Haemoglobin],
        confirmed: 0.95,
        adult: &[ARTESUNATE, PARACETAMOL],
        child: &[ARTESUNATE_CHILD, PARACETAMOL_CHILD],
        referred: 0.7,
        control: 0.5,
        northern_only: false,
    },
    Illness {
        icd10: "A01.0",
        diagnosis: ("Fièvre typhoïde", "Typhoid fever"),
        complaint: ("Fièvre persistante et douleurs abdominales", "Persistent fever and abdominal pain"),
        weights: [1.0, 6.0, 8.0, 4.0],
        fever: true,
        tests: &[Test::Widal, Test::BloodCulture],
        confirmed: 0.6,
        adult: &[CIPROFLOXACIN, PARACETAMOL],
        child: &[CEFIXIME_CHILD, PARACETAMOL_CHILD],
        referred: 0.05,
        control: 0.3,
        northern_only: false,
    },
    Illness {
        icd10: "J18.9",
        diagnosis: ("Pneumonie", "Pneumonia"),
        complaint: ("Toux fébrile et difficultés respiratoires", "Fever, cough and difficult breathing"),
        weights: [12.0, 5.0, 4.0, 6.0],
        fever: true,
        tests: &[Test::WhiteCells],
        confirmed: 0.7,
        adult: &[AMOXICILLIN, PARACETAMOL],
        child: &[AMOXICILLIN_CHILD, PARACETAMOL_CHILD],
        referred: 0.1,
        control: 0.4,
        northern_only: false,
    },
    Illness {
        icd10: "J06.9",
        diagnosis: ("Infection aiguë des voies respiratoires supérieures", "Acute upper respiratory infection"),
        complaint: ("Toux et écoulement nasal", "Cough and runny nose"),
        weights: [18.0, 14.0, 10.0, 6.0],
        fever: false,
        tests: &[],
        confirmed: 0.0,
        adult: &[PARACETAMOL],
        child: &[PARACETAMOL_CHILD],
        referred: 0.0,
        control: 0.0,
        northern_only: false,
    },
    Illness {
        icd10: "A09.0",
        diagnosis: ("Gastro-entérite d'origine infectieuse", "Infectious gastroenteritis"),
        complaint: ("Diarrhée et vomissements", "Diarrhoea and vomiting"),
        weights: [16.0, 6.0, 5.0, 4.0],
        fever: false,
        tests: &[],
        confirmed: 0.0,
        adult: &[ORS, METRONIDAZOLE],
        child: &[ORS, ZINC],
        referred: 0.03,
        control: 0.1,
        northern_only: false,
    },
    Illness {
        icd10: "B82.9",
        diagnosis: ("Parasitose intestinale", "Intestinal parasitism"),
        complaint: ("Douleurs abdominales", "Abdominal pain"),
        weights: [3.0, 10.0, 4.0, 2.0],
        fever: false,
        tests: &[],
        confirmed: 0.0,
        adult: &[ALBENDAZOLE],
        child: &[ALBENDAZOLE],
        referred: 0.0,
        control: 0.0,
        northern_only: false,
    },
    Illness {
        icd10: "N39.0",
        diagnosis: ("Infection urinaire", "Urinary tract infection"),
        complaint: ("Brûlures mictionnelles", "Painful urination"),
        weights: [1.0, 2.0, 8.0, 6.0],
        fever: false,
        tests: &[Test::UrineCulture],
        confirmed: 0.65,
        adult: &[CIPROFLOXACIN],
        child: &[NITROFURANTOIN],
        referred: 0.0,
        control: 0.15,
        northern_only: false,
    },
    Illness {
        icd10: "K29.7",
        diagnosis: ("Gastrite", "Gastritis"),
        complaint: ("Douleurs épigastriques", "Epigastric pain"),
        weights: [0.0, 1.0, 7.0, 7.0],
        fever: false,
        tests: &[],
        confirmed: 0.0,
        adult: &[OMEPRAZOLE],
        child: &[OMEPRAZOLE_CAPSULE],
        referred: 0.0,
        control: 0.1,
        northern_only: false,
    },
    Illness {
        icd10: "D64.9",
        diagnosis: ("Anémie", "Anaemia"),
        complaint: ("Fatigue et pâleur", "Tiredness and pallor"),
        weights: [4.0, 2.0, 4.0, 3.0],
        fever: false,
        tests: &[Test::Haemoglobin],
        confirmed: 0.9,
        adult: &[FERROUS, FOLIC_ACID],
        child: &[FERROUS, FOLIC_ACID],
        referred: 0.05,
        control: 0.5,
        northern_only: false,
    },
    Illness {
        icd10: "L08.9",
        diagnosis: ("Infection cutanée localisée", "Local infection of the skin"),
        complaint: ("Plaie infectée", "Infected sore"),
        weights: [4.0, 4.0, 3.0, 2.0],
        fever: false,
        tests: &[],
        confirmed: 0.0,
        adult: &[CLOXACILLIN],
        child: &[CLOXACILLIN_CHILD],
        referred: 0.0,
        control: 0.2,
        northern_only: false,
    },
    Illness {
        icd10: "H10.9",
        diagnosis: ("Conjonctivite", "Conjunctivitis"),
        complaint: ("Yeux rouges et larmoiements", "Red, watering eyes"),
        weights: [3.0, 3.0, 2.0, 2.0],
        fever: false,
        tests: &[],
        confirmed: 0.0,
        adult: &[EYE_DROPS],
        child: &[EYE_DROPS],
        referred: 0.0,
        control: 0.0,
        northern_only: false,
    },
    Illness {
        icd10: "T14.1",
        diagnosis: ("Plaie ouverte", "Open wound"),
        complaint: ("Blessure par objet tranchant", "Cut by a sharp object"),
        weights: [1.0, 3.0, 4.0, 2.0],
        fever: false,
        tests: &[],
        confirmed: 0.0,
        adult: &[CO_AMOXICLAV, IBUPROFEN],
        child: &[AMOXICILLIN_CHILD, PARACETAMOL_CHILD],
        referred: 0.02,
        control: 0.3,
        northern_only: false,
    },
    Illness {
        icd10: "J45.9",
        diagnosis: ("Asthme", "Asthma"),
        complaint: ("Crise de dyspnée sifflante", "Wheezing and shortness of breath"),
        weights: [1.0, 2.0, 2.0, 1.0],
        fever: false,
        tests: &[],
        confirmed: 0.0,
        adult: &[SALBUTAMOL],
        child: &[SALBUTAMOL],
        referred: 0.05,
        control: 0.3,
        northern_only: false,
    },
    Illness {
        icd10: "M54.5",
        diagnosis: ("Lombalgie", "Low back pain"),
        complaint: ("Douleurs lombaires", "Back pain"),
        weights: [0.0, 0.0, 4.0, 6.0],
        fever: false,
        tests: &[],
        confirmed: 0.0,
        adult: &[IBUPROFEN],
        child: &[PARACETAMOL_CHILD],
        referred: 0.0,
        control: 0.0,
        northern_only: false,
    },
    Illness {
        icd10: "E44.0",
        diagnosis: ("Malnutrition aiguë modérée", "Moderate acute malnutrition"),
        complaint: ("Perte de poids et manque d'appétit", "Weight loss and poor appetite"),
        weights: [2.0, 0.0, 0.0, 0.0],
        fever: false,
        tests: &[Test::Haemoglobin],
        confirmed: 0.5,
        adult: &[RUTF],
        child: &[RUTF],
        referred: 0.1,
        control: 0.8,
        northern_only: false,
    },
    Illness {
        icd10: "B05.9",
        diagnosis: ("Rougeole", "Measles"),
        complaint: ("Fièvre, éruption cutanée et toux", "Fever, rash and cough"),
        weights: [0.6, 0.3, 0.05, 0.0],
        fever: true,
        tests: &[],
        confirmed: 0.0,
        adult: &[VITAMIN_A, PARACETAMOL],
        child: &[VITAMIN_A, PARACETAMOL_CHILD],
        referred: 0.1,
        control: 0.3,
        northern_only: false,
    },
    Illness {
        icd10: "A39.0",
        diagnosis: ("Méningite à méningocoque", "Meningococcal meningitis"),
        complaint: ("Fièvre, raideur de la nuque et céphalées", "Fever, stiff neck and headache"),
        weights: [0.6, 0.8, 0.4, 0.2],
        fever: true,
        tests: &[Test::WhiteCells],
        confirmed: 0.9,
        adult: &[CEFTRIAXONE],
        child: &[CEFTRIAXONE_CHILD],
        referred: 0.9,
        control: 0.5,
        northern_only: true,
    },
    Illness {
        icd10: "A00.9",
        diagnosis: ("Choléra", "Cholera"),
        complaint: ("Diarrhée aqueuse profuse", "Profuse watery diarrhoea"),
        weights: [0.3, 0.3, 0.3, 0.3],
        fever: false,
        tests: &[],
        confirmed: 0.0,
        adult: &[ORS, DOXYCYCLINE],
        child: &[ORS, ZINC],
        referred: 0.5,
        control: 0.2,
        northern_only: true,
    },
];

/// A condition followed over years, with its long-term treatments and reviews.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Chronic {
    Hypertension,
    Diabetes,
    Hiv,
}

impl Chronic {
    fn icd10(self) -> &'static str {
        match self {
            Chronic::Hypertension => "I10",
            Chronic::Diabetes => "E11.9",
            Chronic::Hiv => "B24",
        }
    }

    fn diagnosis(self, english: bool) -> String {
        match self {
            Chronic::Hypertension => words(english, "Hypertension artérielle essentielle", "Essential hypertension"),
            Chronic::Diabetes => words(english, "Diabète de type 2", "Type 2 diabetes mellitus"),
            Chronic::Hiv => words(english, "Infection à VIH", "HIV infection"),
        }
    }

    fn review(self, english: bool) -> String {
        match self {
            Chronic::Hypertension => words(english, "Suivi de l'hypertension artérielle", "Hypertension follow-up"),
            Chronic::Diabetes => words(english, "Suivi du diabète", "Diabetes follow-up"),
            Chronic::Hiv => words(english, "Suivi VIH, renouvellement des ARV", "HIV follow-up, antiretroviral refill"),
        }
    }

    fn treatments(self) -> &'static [Medicine] {
        match self {
            Chronic::Hypertension => &[AMLODIPINE],
            Chronic::Diabetes => &[METFORMIN],
            Chronic::Hiv => &[TLD, COTRIMOXAZOLE],
        }
    }

    /// Days between reviews.
    fn interval(self) -> (i64, i64) {
        match self {
            Chronic::Hypertension | Chronic::Diabetes => (60, 120),
            Chronic::Hiv => (90, 180),
        }
    }
}

/// Past conditions, operations and stays people report at their first consultation.
const MEDICAL_HISTORY: &[(HistoryKind, &str, &str, Option<&str>)] = &[
    (HistoryKind::Surgery, "Appendicectomie", "Appendicectomy", None),
    (HistoryKind::Surgery, "Césarienne", "Caesarean section", None),
    (HistoryKind::Surgery, "Cure de hernie inguinale", "Inguinal hernia repair", None),
    (
        HistoryKind::Hospitalisation,
        "Hospitalisation pour paludisme grave",
        "Admitted for severe malaria",
        Some("B50.8"),
    ),
    (HistoryKind::PastCondition, "Fièvre typhoïde traitée", "Treated typhoid fever", Some("A01.0")),
    (HistoryKind::PastCondition, "Tuberculose pulmonaire guérie", "Cured pulmonary tuberculosis", Some("A15.0")),
    (HistoryKind::PastCondition, "Hépatite B chronique", "Chronic hepatitis B", Some("B18.1")),
    (
        HistoryKind::Hospitalisation,
        "Fracture de la jambe après un accident de moto",
        "Leg fracture after a motorbike accident",
        Some("S82.2"),
    ),
    (HistoryKind::Other, "Transfusion sanguine", "Blood transfusion", None),
];

const FAMILY_HISTORY: &[(&str, &str, &str, &str, Option<&str>)] = &[
    ("mère", "mother", "Hypertension artérielle", "Hypertension", Some("I10")),
    ("père", "father", "Diabète de type 2", "Type 2 diabetes", Some("E11.9")),
    ("père", "father", "Accident vasculaire cérébral", "Stroke", Some("I64")),
    ("sœur", "sister", "Cancer du sein", "Breast cancer", Some("C50.9")),
    ("frère", "brother", "Drépanocytose", "Sickle-cell disease", Some("D57.1")),
    ("grand-mère maternelle", "maternal grandmother", "Diabète", "Diabetes", Some("E14.9")),
    ("oncle paternel", "paternal uncle", "Asthme", "Asthma", Some("J45.9")),
];

const ALLERGIES: &[(&str, AllergyCategory, &str, &str, Severity)] = &[
    ("pénicilline", AllergyCategory::Medication, "urticaire", "urticaria", Severity::Moderate),
    ("sulfamides", AllergyCategory::Medication, "éruption cutanée", "skin rash", Severity::Moderate),
    ("arachides", AllergyCategory::Food, "œdème des lèvres", "swollen lips", Severity::Severe),
    ("crevettes", AllergyCategory::Food, "démangeaisons", "itching", Severity::Mild),
    ("pollen", AllergyCategory::Environment, "rhinite", "rhinitis", Severity::Mild),
    ("aspirine", AllergyCategory::Medication, "bronchospasme", "bronchospasm", Severity::Severe),
];

/// The body's usual size at an age in days, as (weight in grams, height in mm), for children; adults
/// keep their own.
const GROWTH: &[(i64, u32, u32)] = &[
    (0, 3_300, 500),
    (30, 4_400, 545),
    (91, 6_200, 610),
    (182, 7_700, 665),
    (273, 8_700, 715),
    (365, 9_500, 750),
    (547, 10_800, 815),
    (730, 12_000, 870),
    (1_095, 14_200, 955),
    (1_460, 16_200, 1_025),
    (1_825, 18_200, 1_100),
    (2_555, 22_500, 1_220),
    (3_285, 28_000, 1_330),
    (4_015, 35_500, 1_440),
    (4_745, 45_000, 1_560),
    (5_475, 52_000, 1_630),
    (6_570, 58_000, 1_690),
];

/// Interpolates the growth table at `age_days`.
fn growth(age_days: i64) -> (f64, f64) {
    let mut previous = (0i64, 3_300.0, 500.0);
    for &(age, weight, height) in GROWTH {
        let (weight, height) = (f64::from(weight), f64::from(height));
        if age_days <= age {
            let span = (age - previous.0).max(1) as f64;
            let share = ((age_days - previous.0).max(0) as f64 / span).min(1.0);
            return (previous.1 + (weight - previous.1) * share, previous.2 + (height - previous.2) * share);
        }
        previous = (age, weight, height);
    }
    (previous.1, previous.2)
}

/// The antigen's prefix on a vial's lot number.
fn lot_number(rng: &mut Rng, antigen: &str, given: NaiveDate) -> String {
    let prefix = match antigen {
        "OPV" => "BOPV",
        "PENTA" => "PENT",
        "PCV13" => "PCV",
        "ROTA" => "RV",
        "MALARIA" => "RTS",
        other => other,
    };
    let letter = char::from(b'A' + rng.below(6) as u8);
    format!("{prefix}{:02}{letter}{:03}", given.year() % 100, rng.below(1_000))
}

fn level_rank(level: FacilityLevel) -> usize {
    match level {
        FacilityLevel::ReferenceHospital => 0,
        FacilityLevel::RegionalHospital => 1,
        FacilityLevel::DistrictHospital => 2,
        FacilityLevel::HealthCentre => 3,
        FacilityLevel::PrivateClinic => 4,
    }
}

// ---------------------------------------------------------------------------------------------------
// The network: facilities and their staff
// ---------------------------------------------------------------------------------------------------

struct Facility {
    id: Uuid,
    level: FacilityLevel,
    region: usize,
    district: usize,
    english: bool,
    team: Team,
    /// How many patients choose it, relative to others of its region.
    attraction: f64,
}

impl Facility {
    fn hospital(&self) -> bool {
        matches!(
            self.level,
            FacilityLevel::ReferenceHospital | FacilityLevel::RegionalHospital | FacilityLevel::DistrictHospital
        )
    }
}

/// A facility's clinical staff, as the actors of what they record. Every list has at least one member.
#[derive(Default)]
struct Team {
    doctors: Vec<Actor>,
    nurses: Vec<Actor>,
    laboratory: Vec<Actor>,
    clerks: Vec<Actor>,
}

struct Network {
    facilities: Vec<Facility>,
    /// The members of staff who get a development account (`demo_accounts`).
    logins: Vec<DemoLogin>,
    /// Per region, its facilities' indexes.
    by_region: Vec<Vec<usize>>,
    /// Per region, the hospital patients are referred to.
    referral: Vec<usize>,
}

impl Network {
    /// Decides the facilities and their staff, and the jobs that register them. Facilities come
    /// first in the regional capitals (so every region has a hospital), then spread by population.
    fn build(seed: u64, target: u64, clock: &Clock) -> anyhow::Result<(Network, Vec<Job>)> {
        for region in &REGIONS {
            if reference::region(region.code).is_none() {
                bail!("region {} is not in the reference data", region.code);
            }
        }
        let mut rng = Rng::new(seed, u64::MAX);
        // A regional hospital per region, then one more facility per 5,000 events.
        let count = (REGIONS.len() as u64 + target / 5_000).min(300) as usize;
        // Small runs get small teams, so that patients, not staff, make most of the data.
        let scale = (target as f64 / 400_000.0).min(1.0);
        let mut jobs = Vec::new();

        let admin_at = instant(clock.go_live - Duration::days(30), 600);
        let administrator =
            Actor { account_id: rng.uuid_at(admin_at), role: Role::SystemAdministrator, facility_id: None };
        let (family, given) = person_name(&mut rng, &REGIONS[1], Sex::Female);
        let phone = Some(mobile_number(&mut rng));
        let system_administrator = RegisterStaff {
            account_id: administrator.account_id,
            professional_id: "MINSANTE-ADM-001".into(),
            role: Role::SystemAdministrator,
            facility_id: None,
            family_name: family,
            given_names: given,
            phone,
            email: None,
            registered_by: Role::System,
            delivery: ActivationDelivery::Printed,
        };
        jobs.push(staff_job(&mut rng, &Actor::system(), admin_at, system_administrator.clone())?);

        let mut logins = vec![DemoLogin { command: system_administrator, facility: None }];
        // An auditor and an analyst, appointed by the system administrator, so that a first try can
        // see the ledger as an auditor does and the statistics as the ministry does.
        for (role, professional_id, days) in
            [(Role::Auditor, "MINSANTE-AUD-001", 2), (Role::HealthAuthorityAnalyst, "MINSANTE-ANA-001", 3)]
        {
            let appointed_at = admin_at + Duration::days(days);
            let sex = if rng.chance(0.5) { Sex::Female } else { Sex::Male };
            let (family, given) = person_name(&mut rng, &REGIONS[1], sex);
            let command = RegisterStaff {
                account_id: rng.uuid_at(appointed_at),
                professional_id: professional_id.into(),
                role,
                facility_id: None,
                family_name: family,
                given_names: given,
                phone: Some(mobile_number(&mut rng)),
                email: None,
                registered_by: Role::SystemAdministrator,
                delivery: ActivationDelivery::ToContact,
            };
            jobs.push(staff_job(&mut rng, &administrator, appointed_at, command.clone())?);
            logins.push(DemoLogin { command, facility: None });
        }
        // Accounts at the regional hospitals of the Centre (Yaoundé) and the Littoral (Douala), the first
        // district hospital and the first health centre: each kind of facility a first try would look at.
        let mut account_levels = vec![FacilityLevel::DistrictHospital, FacilityLevel::HealthCentre];

        let mut names: HashMap<String, u32> = HashMap::new();
        let mut has_district_hospital = vec![Vec::<usize>::new(); REGIONS.len()];
        let weights: Vec<f64> = REGIONS.iter().map(|region| region.population).collect();
        let mut facilities = Vec::with_capacity(count);
        for index in 0..count {
            let (region_index, level, ownership, district) = if index < REGIONS.len() {
                (index, FacilityLevel::RegionalHospital, FacilityOwnership::Public, 0)
            } else if index < REGIONS.len() + 2 && count >= 20 {
                // The two general hospitals are in the largest cities.
                let region = if index == REGIONS.len() { 1 } else { 4 };
                (region, FacilityLevel::ReferenceHospital, FacilityOwnership::Public, 0)
            } else {
                let region_index = rng.weighted(&weights);
                let districts = REGIONS[region_index].districts.len() as u64;
                let district = rng.below(districts) as usize;
                let (level, ownership) = match rng.weighted(&[20.0, 48.0, 12.0, 20.0]) {
                    0 if !has_district_hospital[region_index].contains(&district) => {
                        has_district_hospital[region_index].push(district);
                        (FacilityLevel::DistrictHospital, FacilityOwnership::Public)
                    }
                    0 | 1 => (FacilityLevel::HealthCentre, FacilityOwnership::Public),
                    2 => (FacilityLevel::HealthCentre, FacilityOwnership::FaithBased),
                    _ if rng.chance(0.3) => (FacilityLevel::PrivateClinic, FacilityOwnership::FaithBased),
                    _ => (FacilityLevel::PrivateClinic, FacilityOwnership::Private),
                };
                (region_index, level, ownership, district)
            };
            let region = &REGIONS[region_index];
            let capital = reference::region(region.code).map(|r| r.capital.as_str()).unwrap_or(region.districts[0]);
            let town = if district == 0 && level != FacilityLevel::HealthCentre {
                capital
            } else {
                region.districts[district]
            };
            let mut name = facility_name(&mut rng, level, ownership, town, region.english);
            let seen = names.entry(name.clone()).or_insert(0);
            *seen += 1;
            if *seen > 1 {
                name = format!("{name} {}", roman(*seen));
            }
            let with_accounts = index == 1 || index == 4 || account_levels.contains(&level);
            if with_accounts {
                account_levels.retain(|other| *other != level);
            }
            let facility_name = name.clone();
            let registered_on = clock.go_live + Duration::days(rng.between(0, 30));
            let registered_at = clinic_time(&mut rng, registered_on);
            let facility_id = rng.uuid_at(registered_at);
            let events = facility::decide_register(
                None,
                RegisterFacility {
                    facility_id,
                    name,
                    level,
                    ownership,
                    region: region.code.to_owned(),
                    health_district: region.districts[district].to_owned(),
                },
            )
            .map_err(|error| anyhow!("the domain refused a facility the demo planned: {error:?}"))?;
            let mut new_events = Vec::new();
            for FacilityEvent::Registered(registered) in &events {
                new_events.push(NewEvent::typed(registered, Timestamp::from_datetime(registered_at))?);
            }
            jobs.push(single_append(
                &mut rng,
                format!("facility:{facility_id}"),
                &administrator,
                registered_at,
                new_events,
            )?);

            // The facility's administrator, appointed by the system administrator, registers the rest.
            let appointed_at = registered_at + Duration::days(rng.between(1, 5));
            let prefix = format!("{}{:04}", region.code, index + 1);
            let admin_id = rng.uuid_at(appointed_at);
            let sex = if rng.chance(0.5) { Sex::Female } else { Sex::Male };
            let (family, given) = person_name(&mut rng, region, sex);
            let phone = Some(mobile_number(&mut rng));
            let appointment = RegisterStaff {
                account_id: admin_id,
                professional_id: format!("{prefix}-ADM01"),
                role: Role::FacilityAdministrator,
                facility_id: Some(facility_id),
                family_name: family,
                given_names: given,
                phone,
                email: None,
                registered_by: Role::SystemAdministrator,
                delivery: ActivationDelivery::ToContact,
            };
            if with_accounts {
                logins.push(DemoLogin { command: appointment.clone(), facility: Some(facility_name.clone()) });
            }
            jobs.push(staff_job(&mut rng, &administrator, appointed_at, appointment)?);
            let facility_admin =
                Actor { account_id: admin_id, role: Role::FacilityAdministrator, facility_id: Some(facility_id) };
            let full: [usize; 4] = match level {
                FacilityLevel::ReferenceHospital => [14, 24, 6, 5],
                FacilityLevel::RegionalHospital => [8, 16, 4, 3],
                FacilityLevel::DistrictHospital => [4, 9, 2, 2],
                FacilityLevel::HealthCentre => [1, 3, 1, 1],
                FacilityLevel::PrivateClinic => [2, 4, 1, 1],
            };
            let mut team = Team::default();
            for (kind, (role, code)) in [
                (Role::Doctor, "DR"),
                (Role::Nurse, "RN"),
                (Role::LabTechnician, "LAB"),
                (Role::RegistrationClerk, "REG"),
            ]
            .into_iter()
            .enumerate()
            {
                let members = ((full[kind] as f64 * scale).round() as usize).max(1);
                for member in 0..members {
                    let hired_on = cameroon_day(appointed_at + Duration::days(rng.between(1, 20)));
                    let hired_at = clinic_time(&mut rng, hired_on);
                    let account_id = rng.uuid_at(hired_at);
                    let sex = match role {
                        Role::Nurse if rng.chance(0.7) => Sex::Female,
                        _ if rng.chance(0.45) => Sex::Female,
                        _ => Sex::Male,
                    };
                    let (family, given) = person_name(&mut rng, region, sex);
                    let email = rng.chance(0.3).then(|| email_address(&mut rng, &family, &given));
                    let phone = Some(mobile_number(&mut rng));
                    let hire = RegisterStaff {
                        account_id,
                        professional_id: format!("{prefix}-{code}{:02}", member + 1),
                        role,
                        facility_id: Some(facility_id),
                        family_name: family,
                        given_names: given,
                        phone,
                        email,
                        registered_by: Role::FacilityAdministrator,
                        delivery: ActivationDelivery::ToContact,
                    };
                    if with_accounts && member == 0 {
                        logins.push(DemoLogin { command: hire.clone(), facility: Some(facility_name.clone()) });
                    }
                    jobs.push(staff_job(&mut rng, &facility_admin, hired_at, hire)?);
                    let actor = Actor { account_id, role, facility_id: Some(facility_id) };
                    match role {
                        Role::Doctor => team.doctors.push(actor),
                        Role::Nurse => team.nurses.push(actor),
                        Role::LabTechnician => team.laboratory.push(actor),
                        _ => team.clerks.push(actor),
                    }
                }
            }
            let attraction = match level {
                FacilityLevel::ReferenceHospital => 6.0,
                FacilityLevel::RegionalHospital => 5.0,
                FacilityLevel::DistrictHospital => 3.0,
                FacilityLevel::HealthCentre => 2.0,
                FacilityLevel::PrivateClinic => 1.0,
            };
            facilities.push(Facility {
                id: facility_id,
                level,
                region: region_index,
                district,
                english: region.english,
                team,
                attraction,
            });
        }
        let mut by_region = vec![Vec::new(); REGIONS.len()];
        for (index, facility) in facilities.iter().enumerate() {
            by_region[facility.region].push(index);
        }
        // Facilities 0 to 9 are the regional hospitals, in the order of `REGIONS`.
        let referral = (0..REGIONS.len()).collect();
        Ok((Network { facilities, by_region, referral, logins }, jobs))
    }
}

fn roman(number: u32) -> &'static str {
    match number {
        2 => "II",
        3 => "III",
        4 => "IV",
        5 => "V",
        6 => "VI",
        7 => "VII",
        8 => "VIII",
        9 => "IX",
        _ => "X",
    }
}

fn facility_name(
    rng: &mut Rng,
    level: FacilityLevel,
    ownership: FacilityOwnership,
    town: &str,
    english: bool,
) -> String {
    match (level, ownership, english) {
        (FacilityLevel::ReferenceHospital, _, _) => format!("Hôpital Général de {town}"),
        (FacilityLevel::RegionalHospital, _, false) => format!("Hôpital Régional de {town}"),
        (FacilityLevel::RegionalHospital, _, true) => format!("{town} Regional Hospital"),
        (FacilityLevel::DistrictHospital, _, false) => format!("Hôpital de District de {town}"),
        (FacilityLevel::DistrictHospital, _, true) => format!("{town} District Hospital"),
        (FacilityLevel::HealthCentre, FacilityOwnership::FaithBased, false) => {
            format!("Centre de Santé {} de {town}", pick(rng, &["Catholique", "Protestant", "Adventiste"]))
        }
        (FacilityLevel::HealthCentre, FacilityOwnership::FaithBased, true) => {
            format!("{} Health Centre {town}", pick(rng, &["Presbyterian", "Baptist", "Catholic"]))
        }
        (FacilityLevel::HealthCentre, _, false) => format!("Centre de Santé Intégré de {town}"),
        (FacilityLevel::HealthCentre, _, true) => format!("{town} Integrated Health Centre"),
        (FacilityLevel::PrivateClinic, _, false) => {
            format!(
                "Clinique {} de {town}",
                pick(rng, &["La Grâce", "Sainte-Thérèse", "Bon Samaritain", "Les Palmiers"])
            )
        }
        (FacilityLevel::PrivateClinic, _, true) => {
            format!("{} Clinic {town}", pick(rng, &["Good Shepherd", "Hope Medical", "Mount Mary", "St. Luke's"]))
        }
    }
}

/// A stream with one append.
fn single_append(
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

/// Registers a member of staff as the command API does, minus the account: demo staff have no
/// credentials and never log in.
fn staff_job(rng: &mut Rng, actor: &Actor, at: DateTime<Utc>, command: RegisterStaff) -> anyhow::Result<Job> {
    let account_id = command.account_id;
    let decided = staff::decide_register(None, command)
        .map_err(|error| anyhow!("the domain refused a member of staff the demo planned: {error:?}"))?;
    let mut events = Vec::new();
    for event in &decided {
        if let StaffEvent::Registered(registered) = event {
            events.push(NewEvent::typed(registered, Timestamp::from_datetime(at))?);
        }
    }
    single_append(rng, format!("staff:{account_id}"), actor, at, events)
}

// ---------------------------------------------------------------------------------------------------
// A patient's record, decided entry by entry
// ---------------------------------------------------------------------------------------------------

/// A patient's stream as it is planned: the record folded so far, its version, and the appends.
/// Each append is one author at one sitting; `begin` starts the next.
struct Chart {
    patient_id: Uuid,
    stream: StreamId,
    record: Option<PatientRecord>,
    version: u64,
    appends: Vec<AppendRequest>,
    actor: Option<Actor>,
    at: DateTime<Utc>,
    /// The day of `at` in Cameroon, written once per sitting.
    day: String,
    pending: Vec<NewEvent>,
}

impl Chart {
    fn new(patient_id: Uuid) -> anyhow::Result<Self> {
        Ok(Chart {
            patient_id,
            stream: StreamId::for_entity("patient", patient_id)?,
            record: None,
            version: 0,
            appends: Vec::new(),
            actor: None,
            at: DateTime::<Utc>::MIN_UTC,
            day: String::new(),
            pending: Vec::new(),
        })
    }

    /// Starts an append by `actor` at `at`, closing the one before.
    fn begin(&mut self, rng: &mut Rng, actor: &Actor, at: DateTime<Utc>) {
        self.commit(rng);
        self.actor = Some(actor.clone());
        self.at = at;
        self.day = ymd(cameroon_day(at));
    }

    /// Closes the current append: the events an author recorded at one sitting, appended at the
    /// version they were decided against, as the command API appends a command's events.
    fn commit(&mut self, rng: &mut Rng) {
        let Some(actor) = self.actor.take() else { return };
        if self.pending.is_empty() {
            return;
        }
        let events = std::mem::take(&mut self.pending);
        let expected =
            if self.version == 0 { ExpectedVersion::NoStream } else { ExpectedVersion::Exactly(self.version) };
        self.version += events.len() as u64;
        let command_id = rng.uuid_at(self.at);
        self.appends.push(AppendRequest {
            stream_id: self.stream.clone(),
            expected,
            events,
            command_id,
            actor,
            correlation_id: command_id,
            causation_id: None,
        });
    }

    fn now(&self) -> Timestamp {
        Timestamp::from_datetime(self.at)
    }

    fn today(&self) -> String {
        self.day.clone()
    }

    fn events(&self) -> u64 {
        self.version + self.pending.len() as u64
    }

    /// The author of the current sitting; an entry planned outside one is a fault of the plan.
    fn author(&self) -> anyhow::Result<&Actor> {
        self.actor.as_ref().context("an entry was planned without an author")
    }

    /// Asks the access policy whether the current author may take `action`, given the care
    /// relationship the record shows, exactly as the command API asks before deciding.
    fn authorise(&self, action: Action) -> anyhow::Result<()> {
        let actor = self.author()?;
        let principal = Principal {
            account_id: actor.account_id,
            role: actor.role,
            facility_id: actor.facility_id,
            patient_id: None,
        };
        let care = self.record.as_ref().and_then(|record| care_basis(record, &principal, self.now(), &self.day));
        match authorize(&principal, &action, &Facts { care }) {
            Decision::Allow(_) => Ok(()),
            Decision::Deny(reason) => {
                bail!("the access policy refused an action the demo planned for a {}: {reason}", actor.role.as_str())
            }
        }
    }

    fn keep(&mut self, events: Vec<RecordEvent>) -> anyhow::Result<()> {
        let now = self.now();
        for event in events {
            self.pending.push(application::record::new_event(&event, now)?);
            self.record = patient_record::apply(self.record.take(), &event);
        }
        Ok(())
    }

    fn register(&mut self, command: RegisterPatient) -> anyhow::Result<()> {
        self.authorise(Action::RegisterPatient)?;
        let events = patient::decide_register(None, command)
            .map_err(|error| anyhow!("the domain refused a patient the demo planned: {error:?}"))?;
        let events = events.into_iter().map(|PatientEvent::Registered(registered)| RecordEvent::Registered(registered));
        self.keep(events.collect())
    }

    /// Decides a command on the record in `section`, after asking the access policy.
    fn write(
        &mut self,
        section: Section,
        decide: impl FnOnce(Option<&PatientRecord>) -> Result<Vec<RecordEvent>, RecordError>,
    ) -> anyhow::Result<()> {
        self.authorise(Action::WriteSection { patient: self.patient_id, section })?;
        let events = decide(self.record.as_ref())
            .map_err(|error| anyhow!("the domain refused an entry the demo planned: {error:?}"))?;
        self.keep(events)
    }
}

// ---------------------------------------------------------------------------------------------------
// A patient's life: what happens to them, in time order
// ---------------------------------------------------------------------------------------------------

/// Something due to happen to a patient at an instant.
struct Scheduled {
    at: DateTime<Utc>,
    order: u64,
    what: Happening,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.order) == (other.at, other.order)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed, so that the agenda (a max-heap) yields the earliest first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.order).cmp(&(self.at, self.order))
    }
}

/// A laboratory order waiting for its result.
struct Order {
    entry_id: Uuid,
    test: Test,
    abnormal: bool,
}

/// What becomes of a booked appointment.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Fate {
    Attended,
    Missed,
    Cancelled,
    Moved,
}

/// The care an appointment is for.
#[derive(Clone, Copy)]
enum Purpose {
    Review,
    Antenatal(u8),
    Control(&'static Illness),
}

enum Happening {
    Vaccination(usize),
    Illness,
    Results { facility: usize, orders: Vec<Order> },
    CancelPrescription { entry_id: Uuid, facility: usize },
    Appointment { id: Uuid, facility: usize, starts_at: DateTime<Utc>, fate: Fate, purpose: Purpose },
    Consultation { facility: usize, illness: &'static Illness, visit: Visit },
    Confirmation { facility: usize, diagnosis: Uuid, encounter: Uuid, onset: NaiveDate },
    Review { facility: usize },
    Diagnosis(Chronic),
    Antenatal(u8),
    Tuberculosis,
    TreatmentEnds { treatment: Uuid, why: Ending },
    Campaign,
}

/// Why a long-term treatment stops.
#[derive(Clone, Copy)]
enum Ending {
    /// The course is complete.
    Completed,
    /// It did the patient harm.
    SideEffect,
}

/// Why a patient is seen for an acute illness.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    /// Walked in with it.
    New,
    /// Sent by another facility.
    Referred,
    /// Came back as booked, to check it is clearing.
    Control,
}

/// One contact of the immunisation schedule: the doses due at one age.
struct Contact {
    doses: Vec<(&'static str, u32)>,
    /// The day the doses are given, on time or late; `None` when the contact is missed.
    given: Option<NaiveDate>,
}

/// What the census needs to know about a planned patient.
struct Person {
    id: Uuid,
    health_id: String,
    region: usize,
    sex: Sex,
    birth: NaiveDate,
    national_id: bool,
}

/// Measures taken at a sitting.
#[derive(Default, Clone, Copy)]
struct Vitals {
    temperature: Option<u32>,
    systolic: Option<u32>,
    diastolic: Option<u32>,
    pulse: Option<u32>,
    respiration: Option<u32>,
    spo2: Option<u32>,
    weight: Option<u32>,
    height: Option<u32>,
}

struct Life<'n> {
    net: &'n Network,
    rng: Rng,
    chart: Chart,
    home: usize,
    sex: Sex,
    birth: NaiveDate,
    end: DateTime<Utc>,
    agenda: BinaryHeap<Scheduled>,
    order: u64,
    contacts: Vec<Contact>,
    /// Chronic conditions with their long-term treatments' entries; a condition known before
    /// registration has none until the first consultation takes the history.
    chronic: Vec<(Chronic, Vec<Uuid>)>,
    /// Follow-up stops when a patient is lost to it.
    followed: bool,
    reviews: u32,
    /// The first consultation also takes the history.
    intake: bool,
    /// The appointment of the patient being received, closed as attended by whoever receives them.
    arriving: Option<Uuid>,
    pregnant: bool,
    /// The adult's own build; children follow the growth table scaled by it.
    build: f64,
    adult_weight: u32,
    adult_height: u32,
    showcase: bool,
    /// The soft limit of this record's events.
    budget: u64,
}

impl<'n> Life<'n> {
    /// Plans patient `index` of the seed: their registration and everything recorded about them up
    /// to the end of the window. Patient 0 is the showcase.
    fn plan(net: &'n Network, clock: &Clock, seed: u64, index: u64) -> anyhow::Result<(Job, Person)> {
        let mut rng = Rng::new(seed, index);
        let showcase = index == 0;
        // Children are over-represented among patients, as at any clinic; the ages run to 80.
        let age_years = if showcase {
            rng.between(50, 56) as f64 + rng.unit()
        } else {
            let band = rng.weighted(&[17.0, 22.0, 18.0, 14.0, 11.0, 8.0, 6.0, 4.0]);
            let (low, high) = [(0, 5), (5, 15), (15, 25), (25, 35), (35, 45), (45, 55), (55, 65), (65, 80)][band];
            f64::from(low) + rng.unit() * f64::from(high - low)
        };
        let born = clock.as_of - Duration::days((age_years * 365.25) as i64 + 1);
        let sex = if showcase || rng.chance(0.52) { Sex::Female } else { Sex::Male };
        // Every region gets patients even in a small run: the first ten patients after the showcase
        // live one in each.
        let region = if showcase {
            1
        } else if (1..=REGIONS.len() as u64).contains(&index) {
            (index - 1) as usize
        } else {
            let weights: Vec<f64> = REGIONS.iter().map(|region| region.population).collect();
            rng.weighted(&weights)
        };
        let candidates = &net.by_region[region];
        let home = if showcase {
            net.referral[region]
        } else {
            let weights: Vec<f64> = candidates.iter().map(|&f| net.facilities[f].attraction).collect();
            candidates.get(rng.weighted(&weights)).copied().unwrap_or(net.referral[region])
        };
        let facility = &net.facilities[home];
        let data = &REGIONS[region];
        let district =
            if rng.chance(0.85) { facility.district } else { rng.below(data.districts.len() as u64) as usize };

        // Births in the window happen at a facility and are registered there; others register at
        // their first visit, at a time spread over the window.
        let born_in_window = born >= clock.first_patient_day;
        let registered_on = if showcase {
            clock.first_patient_day + Duration::days(rng.between(0, 20))
        } else if born_in_window && rng.chance(0.8) {
            born
        } else {
            let earliest = born.max(clock.first_patient_day);
            let span = (clock.as_of - earliest).num_days() - 1;
            earliest + Duration::days(rng.between(0, span.max(0)))
        };
        let registered_at = clinic_time(&mut rng, registered_on);
        let patient_id = rng.uuid_at(registered_at);

        let (family, given) = person_name(&mut rng, data, sex);
        // What a person brings to the desk depends on their age then: a national ID card from 18.
        let adult = (registered_on - born).num_days() >= 18 * 365;
        let estimated = !showcase && age_years >= 40.0 && rng.chance(0.3);
        let birth = if estimated { NaiveDate::from_ymd_opt(born.year(), 1, 1).unwrap_or(born) } else { born };
        // Health IDs and national ID numbers come from a permutation of the patient's index, so no two
        // demo patients share one, as the claim index guarantees for patients registered through the API.
        let offsets = Rng::new(seed, u64::MAX - 1).next_u64();
        let health_id = HealthId::generate(permute(index, 282_475_249, offsets));
        let national_id = (adult && (showcase || rng.chance(0.65)))
            .then(|| format!("{}", 100_000_000 + permute(index, 214_358_881, offsets.rotate_left(32))));
        let phone = (adult && rng.chance(0.75)).then(|| mobile_number(&mut rng));
        let email = (adult && rng.chance(0.08)).then(|| email_address(&mut rng, &family, &given));
        let next_of_kin = if !adult {
            let (parent_family, parent_given) = person_name(&mut rng, data, Sex::Female);
            Some(NextOfKin {
                name: format!("{parent_given} {parent_family}"),
                relationship: words(data.english, "mère", "mother"),
                phone: rng.chance(0.85).then(|| mobile_number(&mut rng)),
            })
        } else if rng.chance(0.6) {
            let kin_sex = if rng.chance(0.5) { Sex::Female } else { Sex::Male };
            let (kin_family, kin_given) = person_name(&mut rng, data, kin_sex);
            let relationship = match (kin_sex, rng.below(3), data.english) {
                (Sex::Female, 0, false) => "épouse",
                (Sex::Female, 0, true) => "wife",
                (Sex::Female, 1, false) => "sœur",
                (Sex::Female, 1, true) => "sister",
                (Sex::Female, _, false) => "fille",
                (Sex::Female, _, true) => "daughter",
                (_, 0, false) => "époux",
                (_, 0, true) => "husband",
                (_, 1, false) => "frère",
                (_, 1, true) => "brother",
                (_, _, false) => "fils",
                (_, _, true) => "son",
            };
            Some(NextOfKin {
                name: format!("{kin_given} {kin_family}"),
                relationship: relationship.to_owned(),
                phone: rng.chance(0.8).then(|| mobile_number(&mut rng)),
            })
        } else {
            None
        };
        let person = Person {
            id: patient_id,
            health_id: health_id.as_str().to_owned(),
            region,
            sex,
            birth,
            national_id: national_id.is_some(),
        };
        let build = 0.88 + rng.unit() * 0.24;
        let (adult_weight, adult_height) = match sex {
            Sex::Female => (rng.within(52_000, 88_000), rng.within(1_500, 1_720)),
            _ => (rng.within(58_000, 95_000), rng.within(1_600, 1_880)),
        };
        let mut life = Life {
            net,
            rng,
            chart: Chart::new(patient_id)?,
            home,
            sex,
            birth,
            end: clock.end,
            agenda: BinaryHeap::new(),
            order: 0,
            contacts: Vec::new(),
            chronic: Vec::new(),
            followed: true,
            reviews: 0,
            intake: true,
            arriving: None,
            pregnant: false,
            build,
            adult_weight: if showcase { 84_000 } else { adult_weight },
            adult_height: if showcase { 1_630 } else { adult_height },
            showcase,
            budget: if showcase { SHOWCASE_ENTRIES + 20 } else { PATIENT_EVENTS_MAX },
        };

        // The registration desk: a clerk, or for a birth the maternity's nurse.
        let registrar = if registered_on == born { life.nurse(home) } else { life.clerk(home) };
        life.chart.begin(&mut life.rng, &registrar, registered_at);
        life.chart.register(RegisterPatient {
            patient_id,
            health_id,
            national_id,
            family_name: family,
            given_names: given,
            sex,
            birth_date: BirthDate { date: ymd(birth), estimated },
            region: data.code.to_owned(),
            health_district: data.districts[district].to_owned(),
            phone,
            email,
            next_of_kin,
            facility_id: net.facilities[home].id,
            today: ymd(registered_on),
        })?;
        // The registration stays open: a newborn's birth doses join it, and the next sitting closes it.
        life.plan_life(registered_at, malaria_vaccine_district(data.code, data.districts[district]))?;
        life.live()?;
        life.chart.commit(&mut life.rng);
        let Life { chart, .. } = life;
        Ok((Job { stream: chart.stream.as_str().to_owned(), appends: chart.appends }, person))
    }

    fn schedule(&mut self, at: DateTime<Utc>, what: Happening) {
        self.order += 1;
        self.agenda.push(Scheduled { at, order: self.order, what });
    }

    fn age_days(&self, day: NaiveDate) -> i64 {
        (day - self.birth).num_days()
    }

    fn age_years(&self, day: NaiveDate) -> f64 {
        self.age_days(day) as f64 / 365.25
    }

    fn english(&self, facility: usize) -> bool {
        self.net.facilities[facility].english
    }

    fn member(&mut self, facility: usize, role: Role) -> Actor {
        let team = &self.net.facilities[facility].team;
        let list = match role {
            Role::Doctor => &team.doctors,
            Role::Nurse => &team.nurses,
            Role::LabTechnician => &team.laboratory,
            _ => &team.clerks,
        };
        // Every team list has a member; the system actor is never reached, and the policy would
        // refuse it if it were.
        self.rng.pick(list).cloned().unwrap_or_else(Actor::system)
    }

    fn doctor(&mut self, facility: usize) -> Actor {
        self.member(facility, Role::Doctor)
    }
    fn nurse(&mut self, facility: usize) -> Actor {
        self.member(facility, Role::Nurse)
    }
    fn clerk(&mut self, facility: usize) -> Actor {
        self.member(facility, Role::RegistrationClerk)
    }
    fn technician(&mut self, facility: usize) -> Actor {
        self.member(facility, Role::LabTechnician)
    }

    /// Decides what will happen after registration: the immunisation schedule for children, acute
    /// illnesses at a rate that follows age, chronic conditions and their reviews, pregnancies.
    fn plan_life(&mut self, registered_at: DateTime<Utc>, malaria_district: bool) -> anyhow::Result<()> {
        let registered_on = cameroon_day(registered_at);
        let age = self.age_years(registered_on);
        if age < 10.0 {
            self.plan_immunisations(registered_at, malaria_district)?;
        }
        if self.showcase {
            self.chronic = vec![(Chronic::Hypertension, Vec::new()), (Chronic::Diabetes, Vec::new())];
            let at = registered_at + Duration::minutes(self.rng.between(20, 60));
            self.schedule(at, Happening::Review { facility: self.home });
            let campaign = registered_at + Duration::days(self.rng.between(300, 500));
            let at = clinic_time(&mut self.rng, weekday_from(cameroon_day(campaign)));
            self.schedule(at, Happening::Campaign);
            let onset = registered_at + Duration::days(self.rng.between(400, 700));
            self.schedule(onset, Happening::Illness);
            let later = registered_at + Duration::days(self.rng.between(900, 1_200));
            self.schedule(later, Happening::Illness);
            return Ok(());
        }
        // Conditions already known when the patient registers are reviewed from the first visit;
        // others are found later.
        let mut known = Vec::new();
        if age >= 35.0 && self.rng.chance(if age >= 50.0 { 0.35 } else { 0.18 }) {
            known.push(Chronic::Hypertension);
        }
        if age >= 40.0 && self.rng.chance(0.07) {
            known.push(Chronic::Diabetes);
        }
        if (18.0..60.0).contains(&age) && self.rng.chance(if self.sex == Sex::Female { 0.035 } else { 0.02 }) {
            known.push(Chronic::Hiv);
        }
        let end = self.end;
        let window = (end - registered_at).num_days().max(1);
        for condition in known {
            if self.rng.chance(0.5) {
                self.chronic.push((condition, Vec::new()));
            } else {
                let at = registered_at + Duration::days(self.rng.between(1, window));
                self.schedule(at, Happening::Diagnosis(condition));
            }
        }
        // The visit that brought the patient to the desk.
        let first = registered_at + Duration::minutes(self.rng.between(15, 60));
        if !self.chronic.is_empty() {
            self.schedule(first, Happening::Review { facility: self.home });
        } else if age >= 1.0 / 12.0 || self.contacts.is_empty() {
            self.schedule(first, Happening::Illness);
        }
        // Acute illnesses, at a rate that depends on age.
        let mut at = first;
        loop {
            let age = self.age_years(cameroon_day(at));
            let rate = match age {
                a if a < 1.0 => 1.4,
                a if a < 5.0 => 1.0,
                a if a < 15.0 => 0.3,
                a if a < 50.0 => {
                    if self.sex == Sex::Female {
                        0.45
                    } else {
                        0.3
                    }
                }
                _ => 0.5,
            };
            let gap = self.rng.years_until(rate);
            at += Duration::minutes((gap * 365.25 * 1_440.0) as i64);
            if at >= end {
                break;
            }
            let day = cameroon_day(at);
            let at = instant(day, 420 + self.rng.between(0, 660));
            self.schedule(at, Happening::Illness);
        }
        if self.sex == Sex::Female && (16.0..40.0).contains(&age) && self.rng.chance(0.3) {
            let at = registered_at + Duration::days(self.rng.between(20, window));
            let day = weekday_from(cameroon_day(at));
            let at = clinic_time(&mut self.rng, day);
            self.schedule(at, Happening::Antenatal(1));
        }
        if age >= 18.0 && self.rng.chance(0.006) {
            let at = registered_at + Duration::days(self.rng.between(1, window));
            self.schedule(at, Happening::Tuberculosis);
        }
        if age >= 18.0 && self.rng.chance(0.03) {
            let at = registered_at + Duration::days(self.rng.between(1, window));
            let day = weekday_from(cameroon_day(at));
            let at = clinic_time(&mut self.rng, day);
            self.schedule(at, Happening::Campaign);
        }
        Ok(())
    }

    /// The child's schedule, from the version in force at birth: each contact kept on time, late, or
    /// missed, with some children dropping out. Doses before registration are copied from the
    /// child's card when it is registered; the rest happen at visits.
    fn plan_immunisations(&mut self, registered_at: DateTime<Utc>, malaria_district: bool) -> anyhow::Result<()> {
        let version = schedule::in_force_on(&ymd(self.birth)).context("no immunisation schedule is available")?;
        let mut by_age: Vec<(u32, Vec<(&'static str, u32)>)> = Vec::new();
        for antigen in &version.antigens {
            let code: &'static str = match antigen.code.as_str() {
                "BCG" => "BCG",
                "OPV" => "OPV",
                "PENTA" => "PENTA",
                "PCV13" => "PCV13",
                "ROTA" => "ROTA",
                "IPV" => "IPV",
                "MR" => "MR",
                "YF" => "YF",
                "HPV" => "HPV",
                "MALARIA" => "MALARIA",
                // An antigen added to the schedule later is not simulated until it is listed here.
                _ => continue,
            };
            if antigen.selected_districts() && !malaria_district {
                continue;
            }
            for dose in &antigen.doses {
                match by_age.iter_mut().find(|(age, _)| *age == dose.age_days) {
                    Some((_, doses)) => doses.push((code, dose.number)),
                    None => by_age.push((dose.age_days, vec![(code, dose.number)])),
                }
            }
        }
        by_age.sort_by_key(|(age, _)| *age);
        let registered_on = cameroon_day(registered_at);
        let born_here = registered_on == self.birth;
        let mut dropped = false;
        let mut last: Option<NaiveDate> = None;
        // Per antigen, the last dose of its series planned as given and when.
        let mut series: Vec<(&'static str, u32, NaiveDate)> = Vec::new();
        for (age, mut doses) in by_age {
            let due = self.birth + Duration::days(i64::from(age));
            let hpv = doses.iter().any(|(code, _)| *code == "HPV");
            let on_time = if hpv {
                0.4
            } else if age >= 450 {
                0.55
            } else {
                0.8
            };
            let draw = self.rng.unit();
            let given = if dropped || (hpv && draw > on_time + 0.1) {
                None
            } else if draw < on_time || (age == 0 && born_here) {
                Some(due + Duration::days(if age == 0 { 0 } else { self.rng.between(0, 7) }))
            } else if draw < on_time + 0.12 {
                Some(due + Duration::days(self.rng.between(14, 70)))
            } else {
                dropped = self.rng.chance(0.4);
                None
            };
            // Doses of one series are at least four weeks apart, so a late contact pushes the next.
            let mut given = given.map(|day| match last {
                Some(previous) if age > 0 => day.max(previous + Duration::days(28)),
                _ => day,
            });
            // A contact gives each antigen's next dose of its series (a missed dose is caught up first),
            // no earlier than the schedule's minimum age and interval allow, and only to whom it is offered.
            if let Some(mut day) = given {
                let mut next = Vec::new();
                for (code, number) in doses {
                    let Some(antigen) = version.antigen(code) else { continue };
                    let done = series.iter().find(|(c, _, _)| *c == code).map(|&(_, n, on)| (n, on));
                    let mut numbers = antigen.doses.iter().map(|dose| dose.number);
                    let number = match done {
                        _ if number == 0 => 0,
                        Some((n, _)) => numbers.find(|&k| k > n).unwrap_or(number),
                        None => numbers.find(|&k| k >= 1).unwrap_or(number),
                    };
                    let preceding_on = done.map(|(_, on)| on).filter(|_| antigen.preceding(number).is_some());
                    if let Some(earliest) = antigen.earliest_on(number, self.birth, preceding_on) {
                        day = day.max(earliest);
                    }
                    next.push((code, number, antigen));
                }
                let day = weekday_from(day);
                doses = Vec::new();
                for (code, number, antigen) in next {
                    if !antigen.offered_to(self.sex, &ymd(day)) {
                        continue;
                    }
                    if number > 0 {
                        series.retain(|(c, _, _)| *c != code);
                        series.push((code, number, day));
                    }
                    doses.push((code, number));
                }
                given = (!doses.is_empty()).then_some(day);
            }
            if let Some(day) = given {
                last = Some(day);
            }
            doses.sort();
            self.contacts.push(Contact { doses, given: given.map(weekday_from) });
        }
        // The card's doses, copied at registration; a child born here gets the birth doses there and then.
        // They are always copied: a later dose of a series is refused until the doses before it are on
        // the record, so the nurse transcribes the card before vaccinating.
        let before: Vec<usize> = (0..self.contacts.len())
            .filter(|&c| self.contacts[c].given.is_some_and(|day| day < registered_on))
            .collect();
        if !before.is_empty() {
            let nurse = self.nurse(self.home);
            let at = registered_at + Duration::minutes(self.rng.between(5, 20));
            self.chart.begin(&mut self.rng, &nurse, at);
            for contact in before {
                self.immunise(contact)?;
            }
            self.chart.commit(&mut self.rng);
        }
        for contact in 0..self.contacts.len() {
            match self.contacts[contact].given {
                // The maternity's nurse who registers a newborn gives the birth doses at the same sitting.
                Some(day) if day == registered_on && born_here => self.vaccinate(contact)?,
                Some(day) if day == registered_on => {
                    let at = registered_at + Duration::minutes(self.rng.between(20, 90));
                    self.schedule(at, Happening::Vaccination(contact));
                }
                Some(day) if day > registered_on => {
                    let at = clinic_time(&mut self.rng, day);
                    self.schedule(at, Happening::Vaccination(contact));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Works through the agenda in time order until the window closes.
    fn live(&mut self) -> anyhow::Result<()> {
        while let Some(next) = self.agenda.pop() {
            if next.at >= self.end {
                continue;
            }
            // Close to its budget, a record only finishes what is under way.
            let finishing = matches!(next.what, Happening::Results { .. } | Happening::Appointment { .. });
            if self.chart.events() >= self.budget && !finishing {
                continue;
            }
            match next.what {
                Happening::Vaccination(contact) => self.vaccination(next.at, contact)?,
                Happening::Illness => self.illness(next.at)?,
                Happening::Results { facility, orders } => self.results(next.at, facility, orders)?,
                Happening::CancelPrescription { entry_id, facility } => {
                    self.cancel_prescription(next.at, entry_id, facility)?
                }
                Happening::Appointment { id, facility, starts_at, fate, purpose } => {
                    self.appointment(next.at, id, facility, starts_at, fate, purpose)?
                }
                Happening::Consultation { facility, illness, visit } => {
                    self.consultation(next.at, facility, illness, visit)?
                }
                Happening::Confirmation { facility, diagnosis, encounter, onset } => {
                    self.confirmation(next.at, facility, diagnosis, encounter, onset)?
                }
                Happening::Review { facility } => self.review(next.at, facility)?,
                Happening::Diagnosis(condition) => self.diagnose_chronic(next.at, condition)?,
                Happening::Antenatal(number) => self.antenatal(next.at, number)?,
                Happening::Tuberculosis => self.tuberculosis(next.at)?,
                Happening::TreatmentEnds { treatment, why } => self.treatment_ends(next.at, treatment, why)?,
                Happening::Campaign => self.campaign(next.at)?,
            }
            self.chart.commit(&mut self.rng);
        }
        Ok(())
    }

    // --- Entries ---------------------------------------------------------------------------------

    /// Typical measures at a sitting, for the patient's age and state.
    fn measure(&mut self, day: NaiveDate, fever: bool, blood_pressure: bool, breathless: bool) -> Vitals {
        let age_days = self.age_days(day).max(0);
        let age = age_days as f64 / 365.25;
        let rng = &mut self.rng;
        let (weight, height) = if age < 18.0 {
            let (weight, height) = growth(age_days);
            ((weight * self.build) as u32, (height * (0.97 + (self.build - 0.88) / 4.0)) as u32)
        } else {
            (self.adult_weight, self.adult_height)
        };
        let weight = (f64::from(weight) * (0.97 + rng.unit() * 0.06)) as u32;
        let temperature = if fever { rng.within(380, 402) } else { rng.within(362, 374) };
        let (pulse, respiration) = match age {
            a if a < 1.0 => (rng.within(110, 160), rng.within(30, 50)),
            a if a < 5.0 => (rng.within(90, 140), rng.within(24, 38)),
            a if a < 12.0 => (rng.within(75, 115), rng.within(18, 28)),
            _ => (rng.within(60, 96), rng.within(12, 20)),
        };
        let pulse = if fever { pulse + rng.within(10, 20) } else { pulse };
        let respiration = if breathless { respiration + rng.within(8, 14) } else { respiration };
        let spo2 = if breathless { rng.within(86, 93) } else { rng.within(95, 100) };
        let adult = age >= 15.0;
        let (systolic, diastolic) = if !adult {
            (None, None)
        } else if blood_pressure {
            (Some(rng.within(135, 185)), Some(rng.within(85, 110)))
        } else {
            (Some(rng.within(100, 135)), Some(rng.within(60, 84)))
        };
        Vitals {
            temperature: Some(temperature),
            systolic,
            diastolic,
            pulse: Some(pulse),
            respiration: (!adult || breathless).then_some(respiration),
            spo2: (breathless || rng.chance(0.3)).then_some(spo2),
            weight: Some(weight.clamp(300, 400_000)),
            height: (age < 5.0 || rng.chance(0.15)).then_some(height.clamp(200, 2_500)),
        }
    }

    fn vital_signs(&mut self, vitals: Vitals, amends: Option<Correction>) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let now = self.chart.now();
        let measured_at = Timestamp::from_datetime(self.chart.at - Duration::minutes(self.rng.between(0, 10)));
        self.chart.write(Section::VitalSigns, |record| {
            observations::decide_vital_signs(
                record,
                RecordVitalSigns {
                    entry_id,
                    measured_at,
                    temperature_decicelsius: vitals.temperature,
                    systolic_mmhg: vitals.systolic,
                    diastolic_mmhg: vitals.diastolic,
                    pulse_per_minute: vitals.pulse,
                    respiratory_rate_per_minute: vitals.respiration,
                    spo2_percent: vitals.spo2,
                    weight_grams: vitals.weight,
                    height_mm: vitals.height,
                    amends,
                    now,
                },
            )
        })?;
        Ok(entry_id)
    }

    /// Vital signs, sometimes corrected a few minutes later by whoever took them (a weight typed in
    /// the wrong unit, digits swapped).
    fn vitals_with_slips(&mut self, vitals: Vitals, facility: usize) -> anyhow::Result<()> {
        let slip = self.rng.chance(if self.showcase { 0.08 } else { 0.015 });
        if !slip {
            self.vital_signs(vitals, None)?;
            return Ok(());
        }
        let mut mistyped = vitals;
        mistyped.weight = vitals.weight.map(|grams| (grams / 10).max(300));
        let original = self.vital_signs(mistyped, None)?;
        let author = self.chart.actor.clone().unwrap_or_else(Actor::system);
        let at = self.chart.at + Duration::minutes(self.rng.between(3, 25));
        self.chart.begin(&mut self.rng, &author, at);
        let reason = words(self.english(facility), "Poids mal saisi", "Weight entered wrongly");
        self.vital_signs(vitals, Some(Correction { entry_id: original, reason }))?;
        Ok(())
    }

    fn encounter(&mut self, facility: usize, reason: String, notes: Option<String>) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let practitioner_id = self.chart.author()?.account_id;
        let (today, facility_id) = (self.chart.today(), self.net.facilities[facility].id);
        self.chart.write(Section::Encounters, |record| {
            clinical::decide_encounter(
                record,
                RecordEncounter {
                    entry_id,
                    facility_id,
                    practitioner_id,
                    date: today.clone(),
                    reason,
                    notes,
                    amends: None,
                    today,
                },
            )
        })?;
        Ok(entry_id)
    }

    fn diagnose(
        &mut self,
        icd10: &str,
        description: String,
        onset: Option<NaiveDate>,
        status: ConditionStatus,
        encounter_id: Option<Uuid>,
        amends: Option<Correction>,
    ) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let today = self.chart.today();
        let icd10 = icd10.to_owned();
        self.chart.write(Section::Conditions, |record| {
            clinical::decide_condition(
                record,
                DiagnoseCondition {
                    entry_id,
                    icd10,
                    description,
                    onset: onset.map(ymd),
                    status,
                    encounter_id,
                    amends,
                    today,
                },
            )
        })?;
        Ok(entry_id)
    }

    fn prescribe(
        &mut self,
        medicine: &Medicine,
        encounter_id: Option<Uuid>,
        instructions: Option<String>,
    ) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let prescriber_id = self.chart.author()?.account_id;
        let medicine = *medicine;
        self.chart.write(Section::Prescriptions, |record| {
            clinical::decide_prescription(
                record,
                PrescribeMedicine {
                    entry_id,
                    medicine: medicine.name.to_owned(),
                    dose: Dose { amount: medicine.amount.to_owned(), unit: medicine.unit },
                    route: medicine.route,
                    times_per_day: medicine.times_per_day,
                    as_needed: medicine.as_needed,
                    duration_days: medicine.days,
                    prescriber_id,
                    encounter_id,
                    instructions,
                    amends: None,
                },
            )
        })?;
        Ok(entry_id)
    }

    fn order(&mut self, test: Test, english: bool, encounter_id: Option<Uuid>) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        self.chart.write(Section::LabOrders, |record| {
            observations::decide_lab_order(
                record,
                OrderLab {
                    entry_id,
                    test: test.name(english).to_owned(),
                    loinc: Some(test.loinc().to_owned()),
                    encounter_id,
                    amends: None,
                },
            )
        })?;
        Ok(entry_id)
    }

    fn result(
        &mut self,
        order: &Order,
        english: bool,
        amends: Option<Correction>,
        reading: Reading,
    ) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let attachments = if self.rng.chance(0.05) {
            vec![Attachment {
                sha256: self.rng.sha256_hex(),
                media_type: "application/pdf".into(),
                name: format!("{}-{}.pdf", words(english, "resultat", "result"), self.chart.today()),
            }]
        } else {
            Vec::new()
        };
        let (order_id, test) = (order.entry_id, order.test);
        self.chart.write(Section::LabResults, |record| {
            observations::decide_lab_result(
                record,
                RecordLabResult {
                    entry_id,
                    order_id: Some(order_id),
                    test: test.name(english).to_owned(),
                    loinc: Some(test.loinc().to_owned()),
                    value: reading.value,
                    unit: reading.unit.map(str::to_owned),
                    reference_range: reading.range.map(str::to_owned),
                    interpretation: reading.interpretation,
                    attachments,
                    amends,
                },
            )
        })?;
        Ok(entry_id)
    }

    /// Books an appointment and decides now what will become of it.
    fn book(&mut self, facility: usize, after_days: (i64, i64), purpose: Purpose) -> anyhow::Result<()> {
        let day =
            weekday_from(cameroon_day(self.chart.at) + Duration::days(self.rng.between(after_days.0, after_days.1)));
        let starts_at = instant(day, 480 + 30 * self.rng.between(0, 14));
        let entry_id = self.rng.uuid();
        let english = self.english(facility);
        let reason = match purpose {
            Purpose::Review => words(english, "Consultation de suivi", "Follow-up consultation"),
            Purpose::Antenatal(number) => {
                words(english, &format!("Consultation prénatale n° {number}"), &format!("Antenatal visit {number}"))
            }
            Purpose::Control(_) => words(english, "Visite de contrôle", "Control visit"),
        };
        let practitioner_id = self.chart.actor.as_ref().map(|actor| actor.account_id);
        let (now, facility_id) = (self.chart.now(), self.net.facilities[facility].id);
        self.chart.write(Section::Appointments, |record| {
            appointments::decide_book(
                record,
                BookAppointment {
                    appointment_id: entry_id,
                    facility_id,
                    practitioner_id,
                    starts_at: Timestamp::from_datetime(starts_at),
                    reason,
                    now,
                },
            )
        })?;
        let fate =
            [Fate::Attended, Fate::Missed, Fate::Cancelled, Fate::Moved][self.rng.weighted(&[72.0, 16.0, 5.0, 7.0])];
        let at = match fate {
            Fate::Attended => starts_at - Duration::minutes(self.rng.between(0, 20)),
            Fate::Missed => instant(day + Duration::days(1), 960),
            Fate::Cancelled | Fate::Moved => instant(day - Duration::days(self.rng.between(1, 4)), 600),
        };
        self.schedule(at, Happening::Appointment { id: entry_id, facility, starts_at, fate, purpose });
        Ok(())
    }

    fn immunise(&mut self, contact: usize) -> anyhow::Result<()> {
        let Some(given) = self.contacts[contact].given else { return Ok(()) };
        let facility_id = self.net.facilities[self.home].id;
        let doses = self.contacts[contact].doses.clone();
        let amended = self.rng.chance(if self.showcase { 0.3 } else { 0.005 });
        let mut first = None;
        for (antigen, dose_number) in doses {
            let entry_id = self.rng.uuid();
            first.get_or_insert((entry_id, antigen, dose_number));
            let lot = lot_number(&mut self.rng, antigen, given);
            let today = self.chart.today();
            self.chart.write(Section::Immunizations, |record| {
                clinical::decide_immunization(
                    record,
                    RecordImmunization {
                        entry_id,
                        antigen: antigen.to_owned(),
                        dose_number,
                        lot,
                        given_on: ymd(given),
                        facility_id,
                        amends: None,
                        today,
                    },
                )
            })?;
        }
        // Now and then a lot number is copied wrongly and put right at once.
        if let (true, Some((original, antigen, dose_number))) = (amended, first) {
            let entry_id = self.rng.uuid();
            let lot = lot_number(&mut self.rng, antigen, given);
            let today = self.chart.today();
            let reason = words(self.english(self.home), "Numéro de lot corrigé", "Lot number corrected");
            self.chart.write(Section::Immunizations, |record| {
                clinical::decide_immunization(
                    record,
                    RecordImmunization {
                        entry_id,
                        antigen: antigen.to_owned(),
                        dose_number,
                        lot,
                        given_on: ymd(given),
                        facility_id,
                        amends: Some(Correction { entry_id: original, reason }),
                        today,
                    },
                )
            })?;
        }
        Ok(())
    }

    /// Marks the appointment of the patient just received as attended, in the receiver's sitting.
    fn check_in(&mut self) -> anyhow::Result<()> {
        let Some(id) = self.arriving.take() else { return Ok(()) };
        let now = self.chart.now();
        self.chart.write(Section::Appointments, |record| {
            appointments::decide_close(record, id, AppointmentOutcome::Attended, None, now)
        })
    }

    // --- Happenings ------------------------------------------------------------------------------

    /// A vaccination session: the nurse weighs the child and gives the doses due.
    fn vaccination(&mut self, at: DateTime<Utc>, contact: usize) -> anyhow::Result<()> {
        let nurse = self.nurse(self.home);
        self.chart.begin(&mut self.rng, &nurse, at);
        self.vaccinate(contact)
    }

    /// The doses of a contact, after weighing the child, in the current sitting.
    fn vaccinate(&mut self, contact: usize) -> anyhow::Result<()> {
        let mut vitals = self.measure(cameroon_day(self.chart.at), false, false, false);
        vitals.pulse = None;
        vitals.respiration = None;
        vitals.spo2 = None;
        self.vital_signs(vitals, None)?;
        self.immunise(contact)
    }

    /// An acute illness, drawn for the patient's age and region, seen at the home facility.
    fn illness(&mut self, at: DateTime<Utc>) -> anyhow::Result<()> {
        let age = self.age_years(cameroon_day(at));
        let band = match age {
            a if a < 5.0 => 0,
            a if a < 15.0 => 1,
            a if a < 50.0 => 2,
            _ => 3,
        };
        let northern = REGIONS[self.net.facilities[self.home].region].northern;
        let weights: Vec<f64> = ILLNESSES
            .iter()
            .map(|illness| {
                let mut weight = illness.weights[band];
                if illness.northern_only && !northern {
                    weight = 0.0;
                }
                if illness.icd10 == "N39.0" && self.sex == Sex::Female {
                    weight *= 3.0;
                }
                weight
            })
            .collect();
        let illness = ILLNESSES.get(self.rng.weighted(&weights)).unwrap_or(&MALARIA);
        self.consultation(at, self.home, illness, Visit::New)
    }

    /// A consultation for an acute illness: triage at hospitals, then the doctor's encounter,
    /// diagnosis, tests and prescriptions, perhaps a control visit or a referral; results follow.
    /// A control visit checks the illness is clearing, without a new diagnosis.
    fn consultation(
        &mut self,
        at: DateTime<Utc>,
        facility: usize,
        illness: &'static Illness,
        visit: Visit,
    ) -> anyhow::Result<()> {
        let english = self.english(facility);
        let day = cameroon_day(at);
        let child = self.age_years(day) < 12.0;
        let breathless = visit != Visit::Control && matches!(illness.icd10, "J18.9" | "J45.9");
        let vitals = self.measure(day, illness.fever && visit != Visit::Control, false, breathless);
        let hospital = self.net.facilities[facility].hospital();
        // Hospitals triage new patients; a patient back for a control sees the doctor directly.
        let triage = hospital && visit != Visit::Control;
        let mut at = at;
        if triage {
            let nurse = self.nurse(facility);
            self.chart.begin(&mut self.rng, &nurse, at);
            self.check_in()?;
            self.vitals_with_slips(vitals, facility)?;
            at = self.chart.at + Duration::minutes(self.rng.between(20, 120));
        }
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        self.check_in()?;
        if !triage {
            self.vitals_with_slips(vitals, facility)?;
        }
        let (diagnosis_fr, diagnosis_en) = illness.diagnosis;
        let reason = match visit {
            Visit::New => words(english, illness.complaint.0, illness.complaint.1),
            Visit::Referred => words(
                english,
                &format!("Référé(e) pour {}", diagnosis_fr.to_lowercase()),
                &format!("Referred for {}", diagnosis_en.to_lowercase()),
            ),
            Visit::Control => words(
                english,
                &format!("Contrôle: {}", diagnosis_fr.to_lowercase()),
                &format!("Control: {}", diagnosis_en.to_lowercase()),
            ),
        };
        if visit == Visit::Control {
            let notes = Some(words(english, "Évolution favorable.", "Improving well."));
            self.encounter(facility, reason, notes)?;
            return Ok(());
        }
        let notes = self.rng.chance(0.25).then(|| {
            words(
                english,
                "Examen clinique réalisé; conseils donnés au patient et à la famille.",
                "Examined; advice given to the patient and family.",
            )
        });
        let encounter = self.encounter(facility, reason, notes)?;
        self.take_history(english)?;
        // Tests: at a hospital nearly always, at a health centre often.
        let mut orders = Vec::new();
        let test_chance = if hospital { 0.9 } else { 0.6 };
        if let Some(&test) = self.rng.pick(illness.tests) {
            if self.rng.chance(test_chance) {
                let entry_id = self.order(test, english, Some(encounter))?;
                orders.push(Order { entry_id, test, abnormal: self.rng.chance(illness.confirmed) });
            }
        }
        // Malaria is diagnosed clinically when no test is done; when the smear is read after the
        // consultation, the clinical diagnosis is sometimes recorded first and amended once confirmed.
        let malaria = illness.icd10 == MALARIA.icd10;
        let confirmed_later = malaria
            && orders.first().is_some_and(|order| order.abnormal)
            && self.rng.chance(if self.showcase { 0.5 } else { 0.05 });
        let clinical = malaria && (orders.is_empty() || confirmed_later);
        let (icd10, description) = if clinical {
            ("B54", words(english, "Paludisme (diagnostic clinique)", "Malaria, clinically diagnosed"))
        } else {
            (illness.icd10, words(english, diagnosis_fr, diagnosis_en))
        };
        let onset = (day - Duration::days(self.rng.between(1, 4))).max(self.birth);
        let diagnosis =
            self.diagnose(icd10, description, Some(onset), ConditionStatus::Active, Some(encounter), None)?;
        let medicines = if child { illness.child } else { illness.adult };
        let mut prescriptions = Vec::new();
        for medicine in medicines {
            let instructions =
                medicine.as_needed.then(|| words(english, "En cas de fièvre ou de douleur", "If fever or pain"));
            prescriptions.push(self.prescribe(medicine, Some(encounter), instructions)?);
        }
        let referral_chance = if visit == Visit::Referred || hospital { 0.0 } else { illness.referred };
        if self.rng.chance(referral_chance) {
            let to = self.net.referral[self.net.facilities[facility].region];
            if to != facility {
                self.refer(facility, to, illness, encounter, english)?;
                let next = self.chart.at + Duration::hours(self.rng.between(2, 20));
                self.schedule(next, Happening::Consultation { facility: to, illness, visit: Visit::Referred });
            }
        } else if self.rng.chance(illness.control) {
            self.book(facility, (5, 14), Purpose::Control(illness))?;
        }
        // Slips and changes of mind: a prescription recorded on the wrong record and withdrawn, or
        // stopped days later (a reaction, a change of treatment).
        if let Some(&first) = prescriptions.first() {
            if self.rng.chance(if self.showcase { 0.06 } else { 0.005 }) {
                let at = self.chart.at + Duration::minutes(self.rng.between(5, 60));
                self.chart.begin(&mut self.rng, &doctor, at);
                let reason = words(
                    english,
                    "Prescription saisie dans le mauvais dossier",
                    "Prescription entered in the wrong record",
                );
                self.chart.write(Section::Prescriptions, |record| {
                    clinical::decide_entered_in_error(record, MarkEnteredInError { entry_id: first, reason })
                })?;
            } else if self.rng.chance(if self.showcase { 0.06 } else { 0.02 }) {
                let at = self.chart.at + Duration::days(self.rng.between(1, 3));
                self.schedule(at, Happening::CancelPrescription { entry_id: first, facility });
            }
        }
        if !orders.is_empty() {
            let at = self.chart.at + Duration::minutes(self.rng.between(45, 300));
            self.schedule(at, Happening::Results { facility, orders });
            if confirmed_later {
                let at = at + Duration::minutes(self.rng.between(10, 60));
                self.schedule(at, Happening::Confirmation { facility, diagnosis, encounter, onset });
            }
        }
        Ok(())
    }

    /// The doctor amends a clinical malaria diagnosis once the smear confirms falciparum malaria.
    fn confirmation(
        &mut self,
        at: DateTime<Utc>,
        facility: usize,
        diagnosis: Uuid,
        encounter: Uuid,
        onset: NaiveDate,
    ) -> anyhow::Result<()> {
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        let reason = words(english, "Confirmé par la goutte épaisse", "Confirmed by the blood smear");
        let description = words(english, MALARIA.diagnosis.0, MALARIA.diagnosis.1);
        let amends = Some(Correction { entry_id: diagnosis, reason });
        self.diagnose(MALARIA.icd10, description, Some(onset), ConditionStatus::Active, Some(encounter), amends)?;
        Ok(())
    }

    fn refer(
        &mut self,
        from: usize,
        to: usize,
        illness: &Illness,
        encounter: Uuid,
        english: bool,
    ) -> anyhow::Result<()> {
        let entry_id = self.rng.uuid();
        let severe = illness.referred >= 0.5;
        let (from_facility_id, to_facility_id) = (self.net.facilities[from].id, self.net.facilities[to].id);
        let reason = words(
            english,
            &format!("{}: prise en charge hospitalière nécessaire", illness.diagnosis.0),
            &format!("{}: needs hospital care", illness.diagnosis.1),
        );
        self.chart.write(Section::Referrals, |record| {
            clinical::decide_referral(
                record,
                ReferPatient {
                    entry_id,
                    kind: if severe { ReferralKind::Transfer } else { ReferralKind::Referral },
                    from_facility_id,
                    to_facility_id,
                    reason,
                    urgency: if severe { Urgency::Emergency } else { Urgency::Urgent },
                    encounter_id: Some(encounter),
                    amends: None,
                },
            )
        })
    }

    /// At an adult's first consultation the doctor takes the history: past conditions and
    /// operations, the family's conditions, allergies, and long-term treatments already taken.
    fn take_history(&mut self, english: bool) -> anyhow::Result<()> {
        if !self.intake || self.age_years(cameroon_day(self.chart.at)) < 16.0 {
            return Ok(());
        }
        self.intake = false;
        let today = cameroon_day(self.chart.at);
        let (history, family, allergies) = if self.showcase {
            (4, 3, 2)
        } else {
            (
                usize::from(self.rng.chance(0.25)) + usize::from(self.rng.chance(0.05)),
                usize::from(self.rng.chance(0.15)),
                usize::from(self.rng.chance(0.04)),
            )
        };
        let born = self.birth.year();
        for item in 0..history {
            let Some(&(kind, fr, en, icd10)) =
                (if self.showcase { MEDICAL_HISTORY.get(item) } else { self.rng.pick(MEDICAL_HISTORY) })
            else {
                continue;
            };
            let entry_id = self.rng.uuid();
            // Some year since adolescence, or since birth for the youngest adults.
            let this_year = i64::from(today.year());
            let year = u32::try_from(self.rng.between((i64::from(born) + 15).min(this_year), this_year)).ok();
            let today_text = ymd(today);
            self.chart.write(Section::MedicalHistory, |record| {
                history::decide_medical_history(
                    record,
                    RecordMedicalHistory {
                        entry_id,
                        kind,
                        description: words(english, fr, en),
                        icd10: icd10.map(str::to_owned),
                        year,
                        amends: None,
                        today: today_text,
                    },
                )
            })?;
        }
        for item in 0..family {
            let Some(&(fr_relative, en_relative, fr, en, icd10)) =
                (if self.showcase { FAMILY_HISTORY.get(item) } else { self.rng.pick(FAMILY_HISTORY) })
            else {
                continue;
            };
            let entry_id = self.rng.uuid();
            self.chart.write(Section::FamilyHistory, |record| {
                history::decide_family_history(
                    record,
                    RecordFamilyHistory {
                        entry_id,
                        relationship: words(english, fr_relative, en_relative),
                        condition: words(english, fr, en),
                        icd10: icd10.map(str::to_owned),
                        amends: None,
                    },
                )
            })?;
        }
        for item in 0..allergies {
            let Some(&(substance, category, fr, en, severity)) =
                (if self.showcase { ALLERGIES.get(item * 2) } else { self.rng.pick(ALLERGIES) })
            else {
                continue;
            };
            let entry_id = self.rng.uuid();
            let status = if self.rng.chance(0.7) { AllergyStatus::Confirmed } else { AllergyStatus::Unconfirmed };
            let status = if self.showcase && item == 1 { AllergyStatus::Unconfirmed } else { status };
            self.chart.write(Section::Allergies, |record| {
                clinical::decide_allergy(
                    record,
                    RecordAllergy {
                        entry_id,
                        substance: substance.to_owned(),
                        category,
                        reaction: Some(words(english, fr, en)),
                        severity,
                        status,
                        amends: None,
                    },
                )
            })?;
            // An allergy suspected at intake and later ruled out is amended, not deleted.
            if status == AllergyStatus::Unconfirmed && (self.showcase || self.rng.chance(0.3)) {
                let amendment = self.rng.uuid();
                let reason = words(
                    english,
                    "Allergie écartée après test de provocation",
                    "Allergy ruled out after a challenge test",
                );
                self.chart.write(Section::Allergies, |record| {
                    clinical::decide_allergy(
                        record,
                        RecordAllergy {
                            entry_id: amendment,
                            substance: substance.to_owned(),
                            category,
                            reaction: None,
                            severity,
                            status: AllergyStatus::Refuted,
                            amends: Some(Correction { entry_id, reason }),
                        },
                    )
                })?;
            }
        }
        // Chronic conditions known before registration, with the treatments the patient already takes.
        let known: Vec<Chronic> = self
            .chronic
            .iter()
            .filter(|(_, treatments)| treatments.is_empty())
            .map(|(condition, _)| *condition)
            .collect();
        for condition in known {
            // Known for one to eight years, and not before adulthood.
            let onset = (today - Duration::days(self.rng.between(200, 3_000))).max(self.birth + Duration::days(6_575));
            let onset = onset.min(today);
            self.diagnose(
                condition.icd10(),
                condition.diagnosis(english),
                Some(onset),
                ConditionStatus::Active,
                None,
                None,
            )?;
            let treatments = self.start_treatments(condition, Some(onset + Duration::days(14)))?;
            if let Some(entry) = self.chronic.iter_mut().find(|(c, _)| *c == condition) {
                entry.1 = treatments;
            }
        }
        Ok(())
    }

    fn start_treatments(&mut self, condition: Chronic, started: Option<NaiveDate>) -> anyhow::Result<Vec<Uuid>> {
        let today = self.chart.today();
        let started = started.map(|day| ymd(day.min(cameroon_day(self.chart.at))));
        let mut entries = Vec::new();
        for medicine in condition.treatments() {
            let entry_id = self.rng.uuid();
            let medicine = *medicine;
            let (today, started) = (today.clone(), started.clone());
            self.chart.write(Section::Treatments, |record| {
                history::decide_treatment(
                    record,
                    RecordTreatment {
                        entry_id,
                        medicine: medicine.name.to_owned(),
                        dose: Dose { amount: medicine.amount.to_owned(), unit: medicine.unit },
                        route: medicine.route,
                        times_per_day: medicine.times_per_day,
                        started_on: started,
                        amends: None,
                        today,
                    },
                )
            })?;
            entries.push(entry_id);
        }
        Ok(entries)
    }

    /// The laboratory reports the results of one consultation's orders; some reports are corrected
    /// after quality control.
    fn results(&mut self, at: DateTime<Utc>, facility: usize, orders: Vec<Order>) -> anyhow::Result<()> {
        let english = self.english(facility);
        let technician = self.technician(facility);
        self.chart.begin(&mut self.rng, &technician, at);
        let child = self.age_years(cameroon_day(at)) < 12.0;
        for order in &orders {
            // Now and then the sample never reaches the laboratory.
            if !self.showcase && self.rng.chance(0.03) {
                continue;
            }
            let report = reading(&mut self.rng, order.test, order.abnormal, english, self.sex, child);
            let entry = self.result(order, english, None, report)?;
            if self.rng.chance(if self.showcase { 0.05 } else { 0.01 }) {
                // The same kind of result, read afresh.
                let report = reading(&mut self.rng, order.test, order.abnormal, english, self.sex, child);
                let reason = words(
                    english,
                    "Résultat corrigé après contrôle de qualité",
                    "Result corrected after quality control",
                );
                self.result(order, english, Some(Correction { entry_id: entry, reason }), report)?;
            }
        }
        Ok(())
    }

    fn cancel_prescription(&mut self, at: DateTime<Utc>, entry_id: Uuid, facility: usize) -> anyhow::Result<()> {
        let stopped = self
            .chart
            .record
            .as_ref()
            .and_then(|record| record.entries.get(&entry_id))
            .is_some_and(|entry| entry.status != patient_record::EntryStatus::Current);
        if stopped {
            return Ok(());
        }
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        let english = self.english(facility);
        let reason = if self.rng.chance(0.5) {
            words(english, "Réaction cutanée, traitement arrêté", "Skin reaction, treatment stopped")
        } else {
            words(english, "Traitement modifié après résultats", "Treatment changed after results")
        };
        self.chart.write(Section::Prescriptions, |record| {
            clinical::decide_cancel_prescription(record, CancelPrescription { entry_id, reason })
        })
    }

    /// A booked appointment's time comes: the patient is received for the visit, whose first sitting
    /// marks it attended; or the clerk records it missed, cancelled or moved, and a missed review is
    /// made up by a later walk-in for those still followed.
    fn appointment(
        &mut self,
        at: DateTime<Utc>,
        id: Uuid,
        facility: usize,
        starts_at: DateTime<Utc>,
        fate: Fate,
        purpose: Purpose,
    ) -> anyhow::Result<()> {
        if fate == Fate::Attended {
            let visit = starts_at + Duration::minutes(self.rng.between(10, 60));
            self.arriving = Some(id);
            // A record at its budget keeps the appointment but no longer grows with the visit.
            if self.chart.events() < self.budget && visit < self.end {
                match purpose {
                    Purpose::Review => self.review(visit, facility)?,
                    Purpose::Antenatal(number) => self.antenatal(visit, number)?,
                    Purpose::Control(illness) => self.consultation(visit, facility, illness, Visit::Control)?,
                }
            }
            // A visit that had nothing left to record still leaves the appointment closed, at the desk.
            if self.arriving.is_some() {
                let clerk = self.clerk(facility);
                self.chart.begin(&mut self.rng, &clerk, at);
                self.check_in()?;
            }
            return Ok(());
        }
        let clerk = self.clerk(facility);
        self.chart.begin(&mut self.rng, &clerk, at);
        let english = self.english(facility);
        let now = self.chart.now();
        match fate {
            Fate::Moved => {
                let moved = weekday_from(cameroon_day(starts_at) + Duration::days(self.rng.between(5, 14)));
                let new_start = instant(moved, 480 + 30 * self.rng.between(0, 14));
                let new_at = Timestamp::from_datetime(new_start);
                self.chart
                    .write(Section::Appointments, |record| appointments::decide_reschedule(record, id, new_at, now))?;
                let fate = if self.rng.chance(0.8) { Fate::Attended } else { Fate::Missed };
                let at = match fate {
                    Fate::Missed => instant(moved + Duration::days(1), 960),
                    _ => new_start - Duration::minutes(self.rng.between(0, 20)),
                };
                self.schedule(at, Happening::Appointment { id, facility, starts_at: new_start, fate, purpose });
                return Ok(());
            }
            Fate::Cancelled => {
                let reason = Some(words(english, "Le patient est en voyage", "The patient is travelling"));
                self.chart.write(Section::Appointments, |record| {
                    appointments::decide_close(record, id, AppointmentOutcome::Cancelled, reason, now)
                })?;
            }
            Fate::Missed => {
                self.chart.write(Section::Appointments, |record| {
                    appointments::decide_close(record, id, AppointmentOutcome::Missed, None, now)
                })?;
            }
            Fate::Attended => {}
        }
        // A missed or cancelled review is made up by a walk-in, unless the patient is lost to follow-up.
        if let Purpose::Review = purpose {
            if self.rng.chance(if self.showcase { 1.0 } else { 0.75 }) {
                let later = starts_at + Duration::days(self.rng.between(7, 45));
                let day = weekday_from(cameroon_day(later));
                let at = clinic_time(&mut self.rng, day);
                self.schedule(at, Happening::Review { facility });
            } else {
                self.followed = false;
            }
        }
        Ok(())
    }

    /// A chronic condition found at a visit: diagnosed with its confirming test, and treated.
    fn diagnose_chronic(&mut self, at: DateTime<Utc>, condition: Chronic) -> anyhow::Result<()> {
        if self.chronic.iter().any(|(c, _)| *c == condition) {
            return Ok(());
        }
        let facility = self.home;
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        let day = cameroon_day(at);
        self.chart.begin(&mut self.rng, &doctor, at);
        let vitals = self.measure(day, false, condition == Chronic::Hypertension, false);
        self.vitals_with_slips(vitals, facility)?;
        let reason = match condition {
            Chronic::Hypertension => words(english, "Céphalées et vertiges", "Headaches and dizziness"),
            Chronic::Diabetes => words(english, "Soif intense et polyurie", "Excessive thirst and frequent urination"),
            Chronic::Hiv => words(english, "Dépistage volontaire du VIH", "Voluntary HIV testing"),
        };
        let encounter = self.encounter(facility, reason, None)?;
        self.take_history(english)?;
        let tests: &[Test] = match condition {
            Chronic::Hypertension => &[Test::Creatinine],
            Chronic::Diabetes => &[Test::Glucose, Test::HbA1c],
            Chronic::Hiv => &[Test::HivRapid, Test::Cd4],
        };
        let mut orders = Vec::new();
        for &test in tests {
            let entry_id = self.order(test, english, Some(encounter))?;
            let abnormal = test != Test::Creatinine || self.rng.chance(0.2);
            let abnormal = abnormal && !(test == Test::Cd4 && self.rng.chance(0.4));
            orders.push(Order { entry_id, test, abnormal });
        }
        self.diagnose(
            condition.icd10(),
            condition.diagnosis(english),
            Some(day),
            ConditionStatus::Active,
            Some(encounter),
            None,
        )?;
        let treatments = self.start_treatments(condition, Some(day))?;
        self.chronic.push((condition, treatments));
        let at = self.chart.at + Duration::minutes(self.rng.between(45, 240));
        self.schedule(at, Happening::Results { facility, orders });
        self.followed = true;
        self.book(facility, condition.interval(), Purpose::Review)
    }

    /// A review of the chronic conditions: blood pressure, refills, the periodic tests, and the next
    /// appointment.
    fn review(&mut self, at: DateTime<Utc>, facility: usize) -> anyhow::Result<()> {
        if self.chronic.is_empty() || !self.followed {
            return Ok(());
        }
        self.reviews += 1;
        let english = self.english(facility);
        let day = cameroon_day(at);
        let hospital = self.net.facilities[facility].hospital();
        let hypertensive = self.chronic.iter().any(|(c, _)| *c == Chronic::Hypertension) && self.rng.chance(0.5);
        let vitals = self.measure(day, false, hypertensive, false);
        let mut at = at;
        if hospital {
            let nurse = self.nurse(facility);
            self.chart.begin(&mut self.rng, &nurse, at);
            self.check_in()?;
            self.vitals_with_slips(vitals, facility)?;
            at = self.chart.at + Duration::minutes(self.rng.between(15, 90));
        }
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        self.check_in()?;
        if !hospital {
            self.vitals_with_slips(vitals, facility)?;
        }
        let conditions: Vec<Chronic> = self.chronic.iter().map(|(c, _)| *c).collect();
        let reason = conditions.iter().map(|c| c.review(english)).collect::<Vec<_>>().join("; ");
        let encounter = self.encounter(facility, reason, None)?;
        self.take_history(english)?;
        let mut orders = Vec::new();
        let mut refills = Vec::new();
        for condition in &conditions {
            for medicine in condition.treatments() {
                refills.push(self.prescribe(medicine, Some(encounter), None)?);
            }
            let tests: &[Test] = match condition {
                Chronic::Hypertension if self.reviews % 4 == 1 => &[Test::Creatinine],
                Chronic::Diabetes if self.reviews % 2 == 0 => &[Test::Glucose, Test::HbA1c],
                Chronic::Diabetes => &[Test::Glucose],
                Chronic::Hiv if self.reviews % 2 == 0 => &[Test::ViralLoad],
                _ => &[],
            };
            for &test in tests {
                let entry_id = self.order(test, english, Some(encounter))?;
                orders.push(Order { entry_id, test, abnormal: self.rng.chance(0.35) });
            }
        }
        // Blood pressure that stays high gets a second medicine; one that falls too low loses it.
        // The showcase's record holds every kind of correction a benchmark may meet: a second
        // antihypertensive added and later stopped, a refill recorded twice and withdrawn, another
        // cancelled.
        if self.showcase && self.reviews == 3 {
            let added = self.start_treatments_of(&[HYDROCHLOROTHIAZIDE], day)?;
            let ends = at + Duration::days(self.rng.between(200, 300));
            self.schedule(ends, Happening::TreatmentEnds { treatment: added, why: Ending::SideEffect });
        }
        let first_medicine = conditions.first().and_then(|condition| condition.treatments().first());
        if let (true, 5, Some(medicine)) = (self.showcase, self.reviews, first_medicine) {
            let again = self.prescribe(medicine, Some(encounter), None)?;
            let reason = words(english, "Prescription saisie deux fois", "Prescription entered twice");
            self.chart.write(Section::Prescriptions, |record| {
                clinical::decide_entered_in_error(record, MarkEnteredInError { entry_id: again, reason })
            })?;
        }
        if let (true, 7, Some(&refill)) = (self.showcase, self.reviews, refills.last()) {
            let at = self.chart.at + Duration::days(self.rng.between(2, 6));
            self.schedule(at, Happening::CancelPrescription { entry_id: refill, facility });
        }
        if !orders.is_empty() {
            let at = self.chart.at + Duration::minutes(self.rng.between(45, 240));
            self.schedule(at, Happening::Results { facility, orders });
        }
        // A patient seen for a complication is sometimes referred to the regional hospital's specialists.
        if self.showcase && self.reviews == 8 {
            // To the general hospital when the network has one, else to Douala's regional hospital.
            let general =
                self.net.facilities.get(REGIONS.len()).filter(|f| f.level == FacilityLevel::ReferenceHospital);
            let to = if general.is_some() { REGIONS.len() } else { 4 };
            let entry_id = self.rng.uuid();
            let (from_facility_id, to_facility_id) = (self.net.facilities[facility].id, self.net.facilities[to].id);
            let reason = words(english, "Dépistage de la rétinopathie diabétique", "Diabetic retinopathy screening");
            self.chart.write(Section::Referrals, |record| {
                clinical::decide_referral(
                    record,
                    ReferPatient {
                        entry_id,
                        kind: ReferralKind::Referral,
                        from_facility_id,
                        to_facility_id,
                        reason,
                        urgency: Urgency::Routine,
                        encounter_id: Some(encounter),
                        amends: None,
                    },
                )
            })?;
            let visit = weekday_from(day + Duration::days(self.rng.between(10, 30)));
            let at = clinic_time(&mut self.rng, visit);
            self.schedule(at, Happening::Consultation { facility: to, illness: &RETINOPATHY, visit: Visit::Referred });
        }
        if self.reviews < if self.showcase { 60 } else { 20 } {
            let interval = if self.showcase {
                self.showcase_interval(at)
            } else {
                conditions.iter().map(|c| c.interval()).min().unwrap_or((60, 120))
            };
            self.book(facility, interval, Purpose::Review)?;
        }
        Ok(())
    }

    /// Days until the showcase's next review, paced so that its record reaches about
    /// `SHOWCASE_ENTRIES` entries near the end of the window, whatever its seed draws along the way.
    fn showcase_interval(&self, at: DateTime<Utc>) -> (i64, i64) {
        let days_left = (self.end - at).num_days().max(1) as f64;
        let per_review = self.chart.events() as f64 / f64::from(self.reviews.max(1));
        let entries_left = SHOWCASE_ENTRIES.saturating_sub(self.chart.events()).max(1) as f64;
        let days = (days_left * per_review / entries_left).clamp(30.0, 120.0) as i64;
        (days - 7, days + 7)
    }

    fn start_treatments_of(&mut self, medicines: &[Medicine], day: NaiveDate) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let today = self.chart.today();
        let medicine = medicines.first().copied().unwrap_or(AMLODIPINE);
        self.chart.write(Section::Treatments, |record| {
            history::decide_treatment(
                record,
                RecordTreatment {
                    entry_id,
                    medicine: medicine.name.to_owned(),
                    dose: Dose { amount: medicine.amount.to_owned(), unit: medicine.unit },
                    route: medicine.route,
                    times_per_day: medicine.times_per_day,
                    started_on: Some(ymd(day)),
                    amends: None,
                    today,
                },
            )
        })?;
        Ok(entry_id)
    }

    /// An antenatal visit: the pregnancy diagnosed at the first, tests at the first, intermittent
    /// preventive treatment of malaria from the second, iron and folate, and the next visit booked.
    fn antenatal(&mut self, at: DateTime<Utc>, number: u8) -> anyhow::Result<()> {
        if number == 1 && self.pregnant {
            return Ok(());
        }
        self.pregnant = true;
        let facility = self.home;
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        let day = cameroon_day(at);
        self.chart.begin(&mut self.rng, &doctor, at);
        self.check_in()?;
        let mut vitals = self.measure(day, false, false, false);
        vitals.weight = vitals.weight.map(|grams| grams + 2_000 * u32::from(number));
        self.vitals_with_slips(vitals, facility)?;
        let reason =
            words(english, &format!("Consultation prénatale n° {number}"), &format!("Antenatal visit {number}"));
        let encounter = self.encounter(facility, reason, None)?;
        self.take_history(english)?;
        if number == 1 {
            let onset = day - Duration::days(self.rng.between(70, 110));
            let description = words(english, "Grossesse évolutive", "Ongoing pregnancy");
            self.diagnose(
                "Z34.9",
                description,
                Some(onset.max(self.birth + Duration::days(1))),
                ConditionStatus::Active,
                Some(encounter),
                None,
            )?;
            let mut orders = Vec::new();
            let tests = [
                Test::Pregnancy,
                Test::Haemoglobin,
                Test::HivRapid,
                Test::Syphilis,
                Test::HepatitisB,
                Test::UrineProtein,
                Test::BloodGroup,
            ];
            for test in tests {
                let entry_id = self.order(test, english, Some(encounter))?;
                let abnormal = match test {
                    Test::Pregnancy => true,
                    Test::Haemoglobin => self.rng.chance(0.35),
                    Test::HepatitisB => self.rng.chance(0.06),
                    Test::HivRapid | Test::Syphilis | Test::UrineProtein => self.rng.chance(0.03),
                    _ => false,
                };
                // A positive HIV test at the first antenatal visit starts care a few days later.
                if test == Test::HivRapid && abnormal {
                    let at = self.chart.at + Duration::days(self.rng.between(3, 10));
                    let day = weekday_from(cameroon_day(at));
                    let at = clinic_time(&mut self.rng, day);
                    self.schedule(at, Happening::Diagnosis(Chronic::Hiv));
                }
                orders.push(Order { entry_id, test, abnormal });
            }
            let at = self.chart.at + Duration::minutes(self.rng.between(60, 300));
            self.schedule(at, Happening::Results { facility, orders });
            self.prescribe(&IRON_FOLATE, Some(encounter), None)?;
        } else {
            let instructions = words(english, "Prise supervisée au centre", "Taken under supervision at the clinic");
            self.prescribe(&SP, Some(encounter), Some(instructions))?;
        }
        if number < 4 {
            self.book(facility, (42, 63), Purpose::Antenatal(number + 1))?;
        }
        Ok(())
    }

    /// Pulmonary tuberculosis: confirmed by the molecular test, treated for six months, then cured.
    fn tuberculosis(&mut self, at: DateTime<Utc>) -> anyhow::Result<()> {
        let facility = self.home;
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        let day = cameroon_day(at);
        self.chart.begin(&mut self.rng, &doctor, at);
        let vitals = self.measure(day, true, false, false);
        self.vitals_with_slips(vitals, facility)?;
        let reason = words(
            english,
            "Toux depuis plus de deux semaines, amaigrissement",
            "Cough for over two weeks, weight loss",
        );
        let encounter = self.encounter(facility, reason, None)?;
        self.take_history(english)?;
        let entry_id = self.order(Test::Tuberculosis, english, Some(encounter))?;
        let description =
            words(english, "Tuberculose pulmonaire confirmée", "Bacteriologically confirmed pulmonary tuberculosis");
        self.diagnose(
            "A15.0",
            description,
            Some(day - Duration::days(20)),
            ConditionStatus::Active,
            Some(encounter),
            None,
        )?;
        let treatment = self.start_treatments_of(&[RHZE], day)?;
        let reported = at + Duration::minutes(self.rng.between(120, 600));
        let orders = vec![Order { entry_id, test: Test::Tuberculosis, abnormal: true }];
        self.schedule(reported, Happening::Results { facility, orders });
        let cured = weekday_from(day + Duration::days(182));
        let at = clinic_time(&mut self.rng, cured);
        self.schedule(at, Happening::TreatmentEnds { treatment, why: Ending::Completed });
        Ok(())
    }

    /// A treatment comes to its end: the tuberculosis course completed, or a second antihypertensive
    /// stopped.
    fn treatment_ends(&mut self, at: DateTime<Utc>, treatment: Uuid, why: Ending) -> anyhow::Result<()> {
        let current = self
            .chart
            .record
            .as_ref()
            .and_then(|record| record.entries.get(&treatment))
            .is_some_and(|entry| entry.status == patient_record::EntryStatus::Current);
        if !current {
            return Ok(());
        }
        let facility = self.home;
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        let today = self.chart.today();
        let reason = match why {
            Ending::SideEffect => words(english, "Hypokaliémie; traitement arrêté", "Low potassium; treatment stopped"),
            Ending::Completed => words(
                english,
                "Traitement de six mois terminé, patient guéri",
                "Six-month course completed, patient cured",
            ),
        };
        self.chart.write(Section::Treatments, |record| {
            history::decide_stop_treatment(
                record,
                StopTreatment { entry_id: treatment, stopped_on: today.clone(), reason, today },
            )
        })
    }

    /// A yellow fever vaccination campaign reaches an adult.
    fn campaign(&mut self, at: DateTime<Utc>) -> anyhow::Result<()> {
        let facility = self.home;
        let nurse = self.nurse(facility);
        self.chart.begin(&mut self.rng, &nurse, at);
        let given = cameroon_day(at);
        self.contacts.push(Contact { doses: vec![("YF", 1)], given: Some(given) });
        self.immunise(self.contacts.len() - 1)
    }
}

/// The eye examination the showcase patient is referred for.
const RETINOPATHY: Illness = Illness {
    icd10: "E11.3",
    diagnosis: ("Diabète de type 2 avec rétinopathie débutante", "Type 2 diabetes with early retinopathy"),
    complaint: ("Baisse de l'acuité visuelle", "Blurred vision"),
    weights: [0.0, 0.0, 0.0, 0.0],
    fever: false,
    tests: &[],
    confirmed: 0.0,
    adult: &[],
    child: &[],
    referred: 0.0,
    control: 0.0,
    northern_only: false,
};

/// Maps `index` to a distinct number below 900,000,000 for every index below that: multiplying by a
/// number coprime with 900,000,000 (not divisible by 2, 3 or 5) permutes the residues.
fn permute(index: u64, multiplier: u64, seed: u64) -> u64 {
    const RANGE: u64 = 900_000_000;
    ((u128::from(index % RANGE) * u128::from(multiplier) + u128::from(seed % RANGE)) % u128::from(RANGE)) as u64
}

/// What [`generate`] wrote: how many events, and the showcase patient.
pub struct Generated {
    pub events: u64,
    pub showcase_id: Uuid,
    pub showcase_entries: u64,
}

/// Fills `ledger` (new: only its key registry) with about `events` events of synthetic data, as
/// `cloudmedi demo` does, for the read-side benchmark.
pub async fn generate(ledger: &Ledger, events: u64, seed: u64, as_of: NaiveDate) -> anyhow::Result<Generated> {
    let args = DemoArgs { events: events.max(MIN_EVENTS), seed, writers: 64, as_of: Some(as_of) };
    let (census, events) = write(ledger, &args, as_of).await?;
    Ok(Generated { events, showcase_id: census.showcase_id, showcase_entries: census.showcase_entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_in_the_tables_is_one_the_domain_accepts() {
        for test in Test::ALL {
            assert!(observations::is_loinc(test.loinc()), "{test:?} {}", test.loinc());
        }
        for illness in ILLNESSES.iter().chain([&RETINOPATHY]) {
            assert!(clinical::normalise_icd10(illness.icd10).as_deref() == Some(illness.icd10), "{}", illness.icd10);
        }
        for region in &REGIONS {
            assert!(reference::region(region.code).is_some(), "{}", region.code);
            assert!(!region.districts.is_empty());
        }
    }

    /// Planning decides every entry through the domain and the access policy, so planning many
    /// patients for several seeds and days shows the domain accepts everything the demo writes.
    #[test]
    fn the_domain_accepts_every_planned_patient() {
        for (seed, as_of) in [(1, "2026-11-25"), (7, "2025-06-30"), (42, "2022-03-01")] {
            let as_of = NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap();
            let clock = Clock::new(as_of);
            let (network, jobs) = Network::build(seed, 1_000_000, &clock).unwrap();
            assert!(jobs.len() > 1_000, "facilities and staff for a million events");
            for index in 0..2_500 {
                let (job, person) = Life::plan(&network, &clock, seed, index).unwrap();
                assert!(!job.appends.is_empty());
                assert!(person.birth < as_of);
                for append in &job.appends {
                    assert!(append.events.iter().all(|event| event.occurred_at.as_datetime() < clock.end));
                }
            }
        }
    }

    #[test]
    fn the_permutation_gives_distinct_numbers() {
        let mut seen = std::collections::HashSet::new();
        for index in 0..200_000 {
            assert!(seen.insert(permute(index, 282_475_249, 7)));
        }
    }
}
