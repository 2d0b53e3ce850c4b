//! A full record of hundreds of entries, read through GraphQL, costs a bounded number of database
//! queries: the DataLoaders fetch every entry of the record (and of every other record in the same
//! request) in one query, whatever the number of sections and entries.

use domain::access::Principal;
use event_schema::events::facility::{FacilityLevel, FacilityOwnership, FacilityRegistered};
use event_schema::events::patient::{BirthDate, PatientRegistered, Sex};
use event_schema::events::record::{ConditionDiagnosed, ConditionStatus, EncounterRecorded, VitalSignsRecorded};
use event_schema::{events, Actor, Role, StreamId};
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent, SqliteStorage, Storage};
use projections::read::ReadModels;
use query_api::{QueryApi, Read, ReadRecorder, Recording, TableRead, Viewer};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// Keeps the reads the query API reports.
#[derive(Default)]
struct Reads(Mutex<Vec<Read>>);

impl ReadRecorder for Reads {
    fn record(&self, reads: Vec<Read>) -> Recording<'_> {
        self.0.lock().unwrap().extend(reads);
        Box::pin(std::future::ready(Ok(())))
    }

    fn record_statistics(&self, _: Vec<TableRead>) -> Recording<'_> {
        Box::pin(std::future::ready(Ok(())))
    }
}

async fn append(ledger: &Ledger, stream: String, actor: &Actor, events: Vec<NewEvent>) {
    let request = AppendRequest::new(StreamId::parse(stream).unwrap(), ExpectedVersion::Any, actor.clone(), events);
    ledger.append(request).await.unwrap();
}

/// Registers a patient at `facility` with `entries` entries in each of three sections.
async fn patient_with_entries(ledger: &Ledger, doctor: &Actor, facility: Uuid, entries: usize) -> Uuid {
    let patient = Uuid::now_v7();
    let now = ledger::system::now();
    let registered = PatientRegistered {
        patient_id: patient,
        health_id: domain::health_id::HealthId::generate(patient.as_u128() as u64).as_str().to_owned(),
        national_id: None,
        family_name: "Abena".into(),
        given_names: "Marie".into(),
        sex: Sex::Female,
        birth_date: BirthDate { date: "1970-05-04".into(), estimated: false },
        region: "CE".into(),
        health_district: "Biyem-Assi".into(),
        phone: None,
        email: None,
        next_of_kin: None,
        registered_at_facility: facility,
    };
    let stream = format!("patient:{patient}");
    append(ledger, stream.clone(), doctor, vec![NewEvent::typed(&registered, now).unwrap()]).await;
    for n in 0..entries {
        let encounter = EncounterRecorded {
            entry_id: Uuid::now_v7(),
            facility_id: facility,
            practitioner_id: doctor.account_id,
            date: "2026-01-10".into(),
            class: None,
            reason: format!("review {n} of blood pressure"),
            notes: None,
            amends: None,
        };
        let condition = ConditionDiagnosed {
            entry_id: Uuid::now_v7(),
            icd10: "I10".into(),
            description: "essential hypertension".into(),
            onset: None,
            status: ConditionStatus::Active,
            encounter_id: Some(encounter.entry_id),
            amends: None,
        };
        let vitals = VitalSignsRecorded {
            entry_id: Uuid::now_v7(),
            measured_at: now,
            temperature_decicelsius: Some(368),
            systolic_mmhg: Some(150),
            diastolic_mmhg: Some(95),
            pulse_per_minute: Some(80),
            respiratory_rate_per_minute: None,
            spo2_percent: None,
            weight_grams: None,
            height_mm: None,
            amends: None,
        };
        let events = vec![
            NewEvent::typed(&encounter, now).unwrap(),
            NewEvent::typed(&condition, now).unwrap(),
            NewEvent::typed(&vitals, now).unwrap(),
        ];
        append(ledger, stream.clone(), doctor, events).await;
    }
    patient
}

const RECORD: &str = "query($a: ID!, $b: ID!) {
  a: patient(id: $a) { familyName
    encounters(first: 100) { edges { node { id recordedBy { name } facility { name } } } }
    conditions(first: 100) { edges { node { id details } } }
    vitalSigns(first: 100) { edges { node { id } } }
    allergies { edges { node { id } } } immunizations { edges { node { id } } } vaccinationCard { asOf } }
  b: patient(id: $b) { familyName
    encounters(first: 100) { edges { node { id recordedBy { name } facility { name } } } }
    conditions(first: 100) { edges { node { id } } } }
}";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_of_hundreds_of_entries_costs_a_bounded_number_of_queries() {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> =
        Arc::new(SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.unwrap());
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "test").await.unwrap();
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await.unwrap();
    projections::migrate(&storage.database()).await.unwrap();
    let facility = Uuid::now_v7();
    let doctor = Actor { account_id: Uuid::now_v7(), role: Role::Doctor, facility_id: Some(facility) };
    let registered = FacilityRegistered {
        facility_id: facility,
        name: "Hôpital central de Yaoundé".into(),
        level: FacilityLevel::ReferenceHospital,
        ownership: FacilityOwnership::Public,
        region: "CE".into(),
        health_district: "Cité Verte".into(),
    };
    append(
        &ledger,
        format!("facility:{facility}"),
        &Actor::system(),
        vec![NewEvent::typed(&registered, ledger::system::now()).unwrap()],
    )
    .await;
    let a = patient_with_entries(&ledger, &doctor, facility, 80).await;
    let b = patient_with_entries(&ledger, &doctor, facility, 20).await;
    let runner = projections::Runner::new(storage.database());
    let head = ledger.head().await.unwrap().position;
    runner.catch_up(&ledger, head, |_| {}).await.unwrap();

    let models = ReadModels::new(storage.database());
    let reads = Arc::new(Reads::default());
    let api = QueryApi::new(models.clone(), reads.clone());
    let viewer = Viewer {
        principal: Principal {
            account_id: doctor.account_id,
            role: Role::Doctor,
            facility_id: Some(facility),
            patient_id: None,
            region: None,
        },
    };
    let request = async_graphql::Request::new(RECORD)
        .variables(async_graphql::Variables::from_json(serde_json::json!({"a": a, "b": b})));
    let before = models.queries_run();
    let response = api.execute(request, Some(viewer)).await;
    let queries = models.queries_run() - before;
    assert!(response.errors.is_empty(), "{:?}", response.errors);
    let data = response.data.into_json().unwrap();
    assert_eq!(data["a"]["encounters"]["edges"].as_array().unwrap().len(), 80);
    assert_eq!(data["a"]["conditions"]["edges"].as_array().unwrap().len(), 80);
    assert_eq!(data["a"]["vitalSigns"]["edges"].as_array().unwrap().len(), 80);
    assert_eq!(data["b"]["encounters"]["edges"].as_array().unwrap().len(), 20);
    assert_eq!(data["a"]["encounters"]["edges"][0]["node"]["facility"]["name"], "Hôpital central de Yaoundé");
    // 340 entries over two records, and one author and one facility behind all of them: fetched entry by
    // entry, that would be hundreds of queries. Batched, it is one query per record opened by id for
    // each of its care facts, row and entries, and one per loader (staff, facilities) and per batch for
    // the rest: about a dozen on a quiet machine. A batch splits when its loads arrive in separate
    // scheduler ticks, which a busy machine makes likelier (17 was seen under a full test run), so the
    // bound allows for several splits while staying far below one query per entry, which is what a
    // reader of a long record would notice.
    assert!(queries <= 24, "{queries} queries for 340 entries in two records");
    // Each record read once, with every part the doctor read.
    let reads = std::mem::take(&mut *reads.0.lock().unwrap());
    assert_eq!(reads.len(), 2);
    let of_a = reads.iter().find(|read| read.patient_id == a).unwrap();
    let parts: Vec<&str> = of_a.parts.iter().map(String::as_str).collect();
    assert_eq!(
        parts,
        ["allergies", "conditions", "demographics", "encounters", "immunizations", "vaccination_card", "vital_signs"]
    );
    ledger.close().await;
}
