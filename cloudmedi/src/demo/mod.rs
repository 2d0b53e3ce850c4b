//! `cloudmedi demo`: fills a new ledger with realistic synthetic data, for demonstrations and benchmarks.
//!
//! The data is a health system across Cameroon's ten regions: facilities, their staff, and patients
//! whose records grow over the five years before `--as-of`: registration, immunisations following the
//! schedule (most on time, some late, some missed, far more in a region of low coverage), consultations
//! with ICD-10 diagnoses (malaria following each climate's rainy seasons, and an outbreak of measles in
//! one district a few weeks before `--as-of`), vital signs, prescriptions, laboratory orders and results
//! with LOINC codes, appointments kept, missed, cancelled or moved, long-term treatments, referrals,
//! corrections, and deaths by causes plausible for age, after which nothing more is recorded. One
//! showcase patient has about 200 entries, for a benchmark that reads a whole record.
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
//!
//! The module tree follows the way a run goes. `pipeline` plans in one thread and appends from many;
//! `network` decides the facilities and their staff; `life` plans one patient's life, happening by
//! happening, and `chart` decides each entry through the domain. The reference tables (names, regions,
//! medicines, illnesses, seasons, causes of death, outbreaks, laboratory tests, growth, history,
//! facility names) are TOML files under
//! `cloudmedi/data/demo/`, embedded in the binary and read once by `tables`; `rng` and `calendar` make a
//! seed and an `--as-of` day mean the same data on every machine.

mod calendar;
mod chart;
mod history;
mod illnesses;
mod laboratory;
mod life;
mod medicines;
mod mortality;
mod network;
mod outbreaks;
mod people;
mod pipeline;
mod rng;
mod seasons;
mod tables;

use crate::datadir::{open_storage, DataDir};
use crate::demo_accounts::{self, DemoLogin};
use crate::{Location, Outcome};
use anyhow::{bail, Context};
use chrono::NaiveDate;
use clap::Args;
use event_schema::events;
use ledger::Ledger;
use pipeline::write;
use std::time::Instant;
use tables::Tables;
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
    // A data file that does not parse is a defect of the build; it is reported before anything is written.
    let tables = tables::load()?;
    if args.events < MIN_EVENTS {
        bail!("--events must be at least {MIN_EVENTS}: the facilities, their staff and the showcase patient need that many");
    }
    if args.writers == 0 {
        bail!("--writers must be at least 1");
    }
    // Today in Cameroon by the system's clock, as the server reads it, so that "today" means the same
    // day here as there.
    let today = NaiveDate::parse_from_str(&ledger::system::now().cameroon_date(), "%Y-%m-%d")
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
    let written = write(&ledger, tables, &args, as_of).await;
    let elapsed = started.elapsed().as_secs_f64().max(1e-9);
    let issued = match &written {
        Ok((census, _)) => demo_accounts::issue(&ledger, &census.logins).await,
        Err(_) => Ok(Vec::new()),
    };
    // Whatever happened, appends already queued are committed before the summary (or the error).
    ledger.close().await;
    let (census, events) = written?;
    let issued = issued?;
    report(tables, &census, events, elapsed, &args, as_of);
    demo_accounts::print(&issued, &location.data_dir);
    outln!("showcase patient {} {}", census.showcase_id, census.showcase_health_id);
    Ok(Outcome::Success)
}

fn report(tables: &Tables, census: &Census, events: u64, elapsed: f64, args: &DemoArgs, as_of: NaiveDate) {
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
    let regions: Vec<String> = tables
        .regions
        .iter()
        .zip(&census.by_region)
        .map(|(region, count)| format!("{} {count}", region.code))
        .collect();
    outln!("  patients by region: {}", regions.join(", "));
    outln!("  deaths: {}", census.deaths);
    for (outbreak, cases) in tables.outbreaks.list.iter().zip(&census.outbreak_cases) {
        let region = &tables.regions[outbreak.region];
        let illness = &tables.illnesses.acute[outbreak.illness];
        outln!(
            "  outbreak: {} ({}) in {} ({}), {cases} cases from {}",
            illness.diagnosis.en.to_lowercase(),
            illness.icd10,
            region.districts[outbreak.district],
            region.code,
            outbreak.first_day(as_of)
        );
    }
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
    /// Per region, in the order of `regions.toml`.
    by_region: Vec<u64>,
    female: u64,
    male: u64,
    under_five: u64,
    with_national_id: u64,
    deaths: u64,
    /// Per outbreak, in the order of `outbreaks.toml`, the patients seen as its cases.
    outbreak_cases: Vec<u64>,
    showcase_id: Uuid,
    showcase_health_id: String,
    showcase_entries: u64,
    /// The members of staff who get a development account.
    logins: Vec<DemoLogin>,
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
    let tables = tables::load()?;
    let (census, events) = write(ledger, tables, &args, as_of).await?;
    Ok(Generated { events, showcase_id: census.showcase_id, showcase_entries: census.showcase_entries })
}

#[cfg(test)]
mod tests {
    use super::calendar::{cameroon_day, Clock};
    use super::life::{Life, Person};
    use super::network::Network;
    use super::pipeline::Job;
    use super::*;
    use chrono::{Datelike, Duration};
    use domain::statistics::period::iso_week;
    use domain::statistics::population;
    use domain::statistics::surveillance::{self, Level};
    use ledger::NewEvent;
    use std::collections::BTreeMap;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// Patients 0 to `count` − 1 of a seed, over the network a run of `events` events builds.
    fn patients(seed: u64, as_of: NaiveDate, events: u64, count: u64) -> (Network, Vec<(Job, Person)>) {
        let clock = Clock::new(as_of);
        let (network, _) = Network::build(tables::load().unwrap(), seed, events, &clock).unwrap();
        let planned = (0..count).map(|index| Life::plan(&network, &clock, seed, index).unwrap()).collect();
        (network, planned)
    }

    fn events(job: &Job) -> impl Iterator<Item = &NewEvent> {
        job.appends.iter().flat_map(|append| &append.events)
    }

    /// Even the smallest run has the outbreak's cases in its district, enough for an epidemic in the
    /// twelve weeks before the as-of day that the dashboard shows by default.
    #[test]
    fn the_outbreak_makes_an_epidemic_in_its_district_in_the_weeks_before_as_of() {
        let tables = tables::load().unwrap();
        let outbreak = &tables.outbreaks.list[0];
        let region = &tables.regions[outbreak.region];
        let district = &region.districts[outbreak.district];
        let disease = surveillance::disease_of(&tables.illnesses.acute[outbreak.illness].icd10).unwrap();
        for (seed, as_of) in [(1, "2026-11-25"), (7, "2025-06-30"), (42, "2022-03-01")] {
            let as_of = day(as_of);
            let (network, planned) = patients(seed, as_of, MIN_EVENTS, 40);
            let mut weekly: BTreeMap<String, u64> = BTreeMap::new();
            for (job, _) in &planned {
                for append in &job.appends {
                    let seen_at = network.facilities.iter().find(|f| Some(f.id) == append.actor.facility_id);
                    if seen_at.is_none_or(|f| (f.region, f.district) != (outbreak.region, outbreak.district)) {
                        continue;
                    }
                    for event in append.events.iter().filter(|e| e.event_type == "record.condition_diagnosed") {
                        if disease.matches(event.payload["icd10"].as_str().unwrap()) {
                            let on = cameroon_day(event.occurred_at.as_datetime());
                            *weekly.entry(iso_week(on)).or_default() += 1;
                        }
                    }
                }
            }
            let weekly: Vec<(String, u64)> = weekly.into_iter().collect();
            let people = population::target(district, as_of.year()).map(|target| target.population);
            let levels = surveillance::judge(disease, &region.code, people, &weekly);
            let recent = iso_week(as_of - Duration::weeks(12));
            assert!(
                levels
                    .iter()
                    .any(|(week, level)| *level == Level::Epidemic && *week >= recent && *week < iso_week(as_of)),
                "seed {seed}, as of {as_of}: {weekly:?} give {levels:?}"
            );
        }
    }

    /// A death is the last entry of a record; its cause fits the age (newborns' conditions in the first
    /// weeks, cancers and heart disease in adults), and deaths happen at every age.
    #[test]
    fn a_death_ends_the_record_with_a_cause_plausible_for_the_age() {
        let mut deaths: BTreeMap<String, u64> = BTreeMap::new();
        for (seed, as_of) in [(1, "2026-11-25"), (7, "2025-06-30")] {
            let (_, planned) = patients(seed, day(as_of), 1_000_000, 2_500);
            for (job, person) in &planned {
                let events: Vec<&NewEvent> = events(job).collect();
                let death = events.iter().position(|e| e.event_type == "record.death_recorded");
                assert_eq!(death.is_some(), person.died);
                let Some(position) = death else { continue };
                assert_eq!(position, events.len() - 1, "nothing is recorded after a death");
                let payload = &events[position].payload;
                let cause = payload["underlying_cause"].as_str().unwrap().to_owned();
                let died_on = day(payload["died_on"].as_str().unwrap());
                let age_days = (died_on - person.birth).num_days();
                // Every appointment up to the day of death was closed; later ones the death cancels.
                let mut open = BTreeMap::new();
                for event in &events {
                    let id = event.payload["entry_id"].as_str().unwrap_or_default();
                    match event.event_type.as_str() {
                        "record.appointment_booked" | "record.appointment_rescheduled" => {
                            let starts_at = event.payload["starts_at"].as_str().unwrap();
                            let starts_at = chrono::DateTime::parse_from_rfc3339(starts_at).unwrap().to_utc();
                            open.insert(id, cameroon_day(starts_at));
                        }
                        "record.appointment_closed" => {
                            open.remove(id);
                        }
                        _ => {}
                    }
                }
                assert!(open.values().all(|&on| on > died_on), "an appointment left open before the death: {open:?}");
                if cause.starts_with('P') {
                    assert!(age_days < 28, "{cause} at {age_days} days");
                }
                if cause.starts_with('C') || cause.starts_with('I') || cause.starts_with("E11") {
                    assert!(age_days >= 30 * 365, "{cause} at {age_days} days");
                }
                let band = match age_days / 365 {
                    0..5 => "under 5",
                    5..15 => "5 to 14",
                    15..50 => "15 to 49",
                    _ => "50 and over",
                };
                *deaths.entry(band.to_owned()).or_default() += 1;
            }
        }
        for band in ["under 5", "5 to 14", "15 to 49", "50 and over"] {
            assert!(deaths.get(band).is_some_and(|&n| n > 0), "no death {band}: {deaths:?}");
        }
    }

    /// Malaria follows the rains (two seasons in the south, one in the north), and the Far North's
    /// children miss far more doses than others'.
    #[test]
    fn malaria_follows_the_seasons_and_the_far_north_is_less_covered() {
        let tables = tables::load().unwrap();
        let as_of = day("2025-12-31");
        let (_, planned) = patients(3, as_of, 1_000_000, 6_000);
        let mut malaria: BTreeMap<&str, [u64; 12]> = BTreeMap::new();
        // Per region group, children born one to four years before: all, with Penta1, with Penta3.
        let mut penta: BTreeMap<bool, [u64; 3]> = BTreeMap::new();
        for (job, person) in &planned {
            let region = &tables.regions[person.region];
            let climate = region.climate.as_str();
            for event in events(job).filter(|e| e.event_type == "record.condition_diagnosed") {
                let code = event.payload["icd10"].as_str().unwrap();
                if code.starts_with("B50") || code == "B54" {
                    let month = cameroon_day(event.occurred_at.as_datetime()).month0() as usize;
                    malaria.entry(climate).or_default()[month] += 1;
                }
            }
            let age = (as_of - person.birth).num_days();
            if (365..4 * 365).contains(&age) {
                let dose = |number: u64| {
                    events(job).any(|e| {
                        e.event_type == "record.immunization_recorded"
                            && e.payload["antigen"] == "PENTA"
                            && e.payload["dose_number"] == number
                    })
                };
                let counts = penta.entry(region.code == "EN").or_default();
                counts[0] += 1;
                counts[1] += u64::from(dose(1));
                counts[2] += u64::from(dose(3));
            }
        }
        let south = malaria["equatorial"];
        let months = |curve: [u64; 12], list: &[usize]| list.iter().map(|&m| curve[m]).sum::<u64>() as f64;
        assert!(months(south, &[3, 4]) > 1.4 * months(south, &[0, 1]), "south, April and May: {south:?}");
        assert!(months(south, &[9, 10]) > 1.4 * months(south, &[6, 7]), "south, October and November: {south:?}");
        let north = malaria["sudano_sahelian"];
        assert!(months(north, &[7, 8, 9]) > 4.0 * months(north, &[1, 2, 3]), "north, August to October: {north:?}");

        let share = |counts: [u64; 3], dose: usize| counts[dose] as f64 / counts[0].max(1) as f64;
        let dropout = |counts: [u64; 3]| 1.0 - counts[2] as f64 / counts[1].max(1) as f64;
        let (far_north, elsewhere) = (penta[&true], penta[&false]);
        assert!((0.5..0.7).contains(&share(far_north, 2)), "Far North Penta3: {far_north:?}");
        assert!(dropout(far_north) > 0.1, "Far North dropout: {far_north:?}");
        assert!(share(elsewhere, 2) > 0.8, "Penta3 elsewhere: {elsewhere:?}");
        assert!(dropout(elsewhere) < 0.1, "dropout elsewhere: {elsewhere:?}");
    }

    /// Planning decides every entry through the domain and the access policy, so planning many
    /// patients for several seeds and days shows the domain accepts everything the demo writes.
    #[test]
    fn the_domain_accepts_every_planned_patient() {
        let tables = tables::load().unwrap();
        for (seed, as_of) in [(1, "2026-11-25"), (7, "2025-06-30"), (42, "2022-03-01")] {
            let as_of = NaiveDate::parse_from_str(as_of, "%Y-%m-%d").unwrap();
            let clock = Clock::new(as_of);
            let (network, jobs) = Network::build(tables, seed, 1_000_000, &clock).unwrap();
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
}
