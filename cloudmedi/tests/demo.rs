//! `cloudmedi demo` as a benchmark sets up with it: synthetic data in a new ledger that verifies,
//! covers all ten regions, names a showcase patient whose record is long and varied, comes out the
//! same for the same seed, and is never mixed into a ledger already in use. On SQLite and PostgreSQL.

mod support;

use ledger::testing::ScratchDatabase;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use support::{cloudmedi, Run};

const EVENTS: u64 = 3_000;
/// A fixed day, so that two runs with one seed are comparable whatever day the tests run.
const AS_OF: &str = "2025-06-30";
/// The start of that day in Cameroon (UTC+1): every entry the demo writes happened before it.
const END: &str = "2025-06-29T23:00:00.000000Z";
const REGIONS: [&str; 10] = ["AD", "CE", "EN", "ES", "LT", "NO", "NW", "OU", "SU", "SW"];

fn path(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

fn demo(data: &Path, seed: &str, database_url: Option<&str>) -> Run {
    let events = EVENTS.to_string();
    let args = ["demo", "--data-dir", path(data), "--events", &events, "--seed", seed, "--as-of", AS_OF];
    cloudmedi(&args, database_url)
}

/// Every entry of the ledger, from `cloudmedi export`.
fn exported(data: &Path, database_url: Option<&str>) -> Vec<Value> {
    let run = cloudmedi(&["export", "--data-dir", path(data)], database_url);
    assert_eq!(run.code, 0, "export failed: {}", run.stderr);
    run.stdout.lines().map(|line| serde_json::from_str(line).expect("an exported line is JSON")).collect()
}

/// The showcase patient's id and health ID, from the last line of the summary.
fn showcase(stdout: &str) -> (String, String) {
    let last = stdout.lines().last().unwrap_or_default();
    let words: Vec<&str> = last.split(' ').collect();
    assert_eq!(words.len(), 4, "the last line names the showcase: {last:?}");
    assert_eq!(&words[..2], ["showcase", "patient"], "{last:?}");
    assert!(uuid::Uuid::parse_str(words[2]).is_ok(), "{last:?}");
    let health_id = words[3];
    assert!(
        health_id.len() == 12 && health_id.starts_with("CM") && health_id[2..].bytes().all(|b| b.is_ascii_digit()),
        "{last:?}"
    );
    (words[2].to_owned(), health_id.to_owned())
}

fn event_type(entry: &Value) -> &str {
    entry["event_type"].as_str().unwrap_or_default()
}

/// Writes demo data into a new ledger and checks what a benchmark relies on.
fn writes_a_verifiable_realistic_ledger(database_url: Option<&str>) {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    if database_url.is_some() {
        let run = cloudmedi(&["init", "--data-dir", path(&data)], database_url);
        assert_eq!(run.code, 0, "init failed: {}", run.stderr);
    }
    let run = demo(&data, "7", database_url);
    assert_eq!(run.code, 0, "demo failed: {}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("demo data written: "), "{}", run.stdout);
    assert!(run.stdout.contains("  patients: "), "{}", run.stdout);
    let (patient, health_id) = showcase(&run.stdout);

    let run = cloudmedi(&["verify", "--data-dir", path(&data)], database_url);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("ledger verified"), "{}", run.stdout);

    let entries = exported(&data, database_url);
    let written = entries.iter().filter(|entry| !event_type(entry).starts_with("ledger.")).count() as u64;
    assert!((EVENTS..EVENTS + 500).contains(&written), "about {EVENTS} events, not {written}");

    let registered: Vec<&Value> = entries.iter().filter(|e| event_type(e) == "patient.registered").collect();
    let regions: BTreeSet<&str> = registered.iter().filter_map(|e| e["payload"]["region"].as_str()).collect();
    assert_eq!(regions, REGIONS.into_iter().collect(), "patients live in every region");
    let facilities: BTreeSet<&str> = entries
        .iter()
        .filter(|e| event_type(e) == "facility.registered")
        .filter_map(|e| e["payload"]["region"].as_str())
        .collect();
    assert_eq!(facilities, REGIONS.into_iter().collect(), "every region has a facility");
    let staff: BTreeSet<&str> = entries
        .iter()
        .filter(|e| event_type(e) == "staff.registered")
        .filter_map(|e| e["payload"]["role"].as_str())
        .collect();
    for role in ["doctor", "nurse", "lab_technician", "registration_clerk", "facility_administrator"] {
        assert!(staff.contains(role), "a {role} is registered");
    }

    for entry in entries.iter().filter(|e| e["stream_id"].as_str().is_some_and(|s| s.starts_with("patient:"))) {
        let occurred = entry["occurred_at"].as_str().unwrap_or_default();
        assert!(occurred < END, "{} occurred at {occurred}, after the as-of day", event_type(entry));
        let role = entry["actor"]["role"].as_str().unwrap_or_default();
        assert!(
            ["doctor", "nurse", "lab_technician", "registration_clerk"].contains(&role),
            "clinical entries are recorded by clinical staff, not a {role}"
        );
    }

    let stream = format!("patient:{patient}");
    let record: Vec<&Value> = entries.iter().filter(|e| e["stream_id"] == stream.as_str()).collect();
    assert!((150..=250).contains(&record.len()), "about 200 entries for the showcase, not {}", record.len());
    assert_eq!(record[0]["payload"]["health_id"], health_id.as_str());
    let kinds: BTreeSet<&str> = record.iter().map(|e| event_type(e)).collect();
    for kind in [
        "record.encounter_recorded",
        "record.condition_diagnosed",
        "record.prescription_issued",
        "record.prescription_cancelled",
        "record.vital_signs_recorded",
        "record.lab_ordered",
        "record.lab_result_recorded",
        "record.immunization_recorded",
        "record.allergy_recorded",
        "record.medical_history_recorded",
        "record.family_history_recorded",
        "record.treatment_recorded",
        "record.treatment_stopped",
        "record.appointment_booked",
        "record.appointment_closed",
        "record.referral_made",
        "record.entry_entered_in_error",
    ] {
        assert!(kinds.contains(kind), "the showcase's record has a {kind}");
    }
    assert!(record.iter().any(|e| e["payload"]["amends"].is_object()), "some of the showcase's entries are amended");
}

#[test]
fn demo_data_on_sqlite() {
    writes_a_verifiable_realistic_ledger(None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_data_on_postgres() {
    let database = ScratchDatabase::create("cloudmedi_demo").await.expect("PostgreSQL must be running");
    let url = database.url().to_owned();
    tokio::task::spawn_blocking(move || writes_a_verifiable_realistic_ledger(Some(&url))).await.unwrap();
    database.drop_database().await.unwrap();
}

/// What a seed decides, leaving out what the ledger assigns (positions, event ids, commit times,
/// hashes, signatures).
fn decided(entries: &[Value]) -> Vec<String> {
    let mut decided: Vec<String> = entries
        .iter()
        .filter(|entry| !event_type(entry).starts_with("ledger."))
        .map(|entry| {
            let fields = ["stream_id", "stream_version", "event_type", "occurred_at", "actor", "command_id", "payload"];
            let kept: Vec<String> = fields.iter().map(|field| entry[field].to_string()).collect();
            kept.join(" ")
        })
        .collect();
    decided.sort();
    decided
}

#[test]
fn the_same_seed_gives_the_same_data_and_a_ledger_in_use_is_refused() {
    let temp = tempfile::tempdir().unwrap();
    let (first, second, other) = (temp.path().join("first"), temp.path().join("second"), temp.path().join("other"));
    let runs = [demo(&first, "11", None), demo(&second, "11", None), demo(&other, "12", None)];
    for run in &runs {
        assert_eq!(run.code, 0, "demo failed: {}{}", run.stdout, run.stderr);
    }
    assert_eq!(showcase(&runs[0].stdout), showcase(&runs[1].stdout));
    assert_ne!(showcase(&runs[0].stdout), showcase(&runs[2].stdout));
    let (first_entries, second_entries) = (exported(&first, None), exported(&second, None));
    assert!(decided(&first_entries) == decided(&second_entries), "one seed, one data set");
    assert!(decided(&first_entries) != decided(&exported(&other, None)), "another seed, other data");

    // Demo data never joins a ledger holding anything but its key registry: it could not be removed.
    let run = demo(&first, "13", None);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("already holds"), "{}", run.stderr);
    assert_eq!(exported(&first, None).len(), first_entries.len(), "nothing was written");
}
