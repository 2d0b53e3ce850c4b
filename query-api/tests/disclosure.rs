//! What each role learns before and after a care relationship: a patient search shows a clinician of
//! an unrelated facility only what confirms identity at the desk (and records the search), and the
//! reason for a break-the-glass access goes to the patient and auditors, never to the facility's
//! administrators. Also what every viewer reads alike: appointment times in Cameroon time with the
//! offset, and the facility directory.

use domain::access::Principal;
use event_schema::events::access::ReadBasis;
use event_schema::events::facility::{FacilityLevel, FacilityOwnership, FacilityRegistered};
use event_schema::events::patient::{BirthDate, PatientRegistered, Sex};
use event_schema::events::record::{AppointmentBooked, EmergencyAccessOpened};
use event_schema::{events, Actor, Role, StreamId, Timestamp};
use ledger::{AppendRequest, ExpectedVersion, Ledger, NewEvent, SqliteStorage, Storage};
use projections::read::ReadModels;
use query_api::{QueryApi, Read, ReadRecorder, Recording, TableRead, Viewer};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

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

impl Reads {
    fn take(&self) -> Vec<Read> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

async fn append(ledger: &Ledger, stream: String, actor: &Actor, events: Vec<NewEvent>) {
    let request = AppendRequest::new(StreamId::parse(stream).unwrap(), ExpectedVersion::Any, actor.clone(), events);
    ledger.append(request).await.unwrap();
}

async fn facility(ledger: &Ledger, name: &str, region: &str) -> Uuid {
    let facility = Uuid::now_v7();
    let registered = FacilityRegistered {
        facility_id: facility,
        name: name.into(),
        level: FacilityLevel::ReferenceHospital,
        ownership: FacilityOwnership::Public,
        region: region.into(),
        health_district: "Centre".into(),
    };
    let event = NewEvent::typed(&registered, ledger::system::now()).unwrap();
    append(ledger, format!("facility:{facility}"), &Actor::system(), vec![event]).await;
    facility
}

fn viewer(role: Role, facility: Option<Uuid>, patient: Option<Uuid>) -> Viewer {
    Viewer {
        principal: Principal {
            account_id: Uuid::now_v7(),
            role,
            facility_id: facility,
            patient_id: patient,
            region: None,
        },
    }
}

struct World {
    _dir: tempfile::TempDir,
    ledger: Ledger,
    api: QueryApi,
    reads: Arc<Reads>,
    douala: Uuid,
    garoua: Uuid,
    patient: Uuid,
    health_id: String,
}

/// A patient registered in Douala; a Garoua doctor broke the glass on her record.
async fn world() -> (World, Viewer) {
    let dir = tempfile::tempdir().unwrap();
    let storage: Arc<dyn Storage> =
        Arc::new(SqliteStorage::open(&dir.path().join("ledger.sqlite"), true).await.unwrap());
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "test").await.unwrap();
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await.unwrap();
    projections::migrate(&storage.database()).await.unwrap();
    let douala = facility(&ledger, "Hôpital Laquintinie", "LT").await;
    let garoua = facility(&ledger, "Hôpital régional de Garoua", "NO").await;
    let patient = Uuid::now_v7();
    let health_id = domain::health_id::HealthId::generate(patient.as_u128() as u64).as_str().to_owned();
    let registered = PatientRegistered {
        patient_id: patient,
        health_id: health_id.clone(),
        national_id: None,
        family_name: "Ngo Bassa".into(),
        given_names: "Esther Marie".into(),
        sex: Sex::Female,
        birth_date: BirthDate { date: "1990-06-01".into(), estimated: false },
        region: "LT".into(),
        health_district: "Deido".into(),
        phone: None,
        email: None,
        next_of_kin: None,
        registered_at_facility: douala,
    };
    let clerk = Actor { account_id: Uuid::now_v7(), role: Role::RegistrationClerk, facility_id: Some(douala) };
    append(
        &ledger,
        format!("patient:{patient}"),
        &clerk,
        vec![NewEvent::typed(&registered, ledger::system::now()).unwrap()],
    )
    .await;
    let glass_doctor = viewer(Role::Doctor, Some(garoua), None);
    let opened = EmergencyAccessOpened {
        account_id: glass_doctor.principal.account_id,
        facility_id: garoua,
        reason: "unconscious on arrival, suspected diabetic coma".into(),
        expires_at: Timestamp::from_datetime(chrono::Utc::now() + chrono::Duration::hours(4)),
    };
    let actor = Actor { account_id: glass_doctor.principal.account_id, role: Role::Doctor, facility_id: Some(garoua) };
    append(
        &ledger,
        format!("patient:{patient}"),
        &actor,
        vec![NewEvent::typed(&opened, ledger::system::now()).unwrap()],
    )
    .await;
    // An appointment at 09:30 in Douala on 7 December 2026, that is 08:30 UTC.
    let booked = AppointmentBooked {
        entry_id: Uuid::now_v7(),
        facility_id: douala,
        practitioner_id: None,
        starts_at: Timestamp::parse("2026-12-07T08:30:00.000000Z").unwrap(),
        reason: "follow-up".into(),
    };
    append(
        &ledger,
        format!("patient:{patient}"),
        &clerk,
        vec![NewEvent::typed(&booked, ledger::system::now()).unwrap()],
    )
    .await;
    for (name, region) in [("Centre de santé de Bonaberi", "LT"), ("Hôpital Deido", "LT")] {
        facility(&ledger, name, region).await;
    }
    let runner = projections::Runner::new(storage.database());
    let head = ledger.head().await.unwrap().position;
    runner.catch_up(&ledger, head, |_| {}).await.unwrap();
    let reads = Arc::new(Reads::default());
    let api = QueryApi::new(ReadModels::new(storage.database()), reads.clone());
    (World { _dir: dir, ledger, api, reads, douala, garoua, patient, health_id }, glass_doctor)
}

async fn run(world: &World, viewer: &Viewer, query: &str, variables: Value) -> Value {
    let request = async_graphql::Request::new(query).variables(async_graphql::Variables::from_json(variables));
    let response = world.api.execute(request, Some(viewer.clone())).await;
    serde_json::to_value(&response).unwrap()
}

fn codes(body: &Value) -> Vec<&str> {
    body["errors"]
        .as_array()
        .map(|errors| errors.iter().map(|e| e["extensions"]["code"].as_str().unwrap_or("")).collect())
        .unwrap_or_default()
}

const SEARCH: &str = "query($h: HealthId) { searchPatients(healthId: $h) { edges { node {
    id healthId initials birthYear inCare familyName givenNames sex birthDate region healthDistrict } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_reveals_only_identity_before_a_care_relationship_and_is_recorded() {
    let (world, _) = world().await;
    let (douala, garoua) = (world.douala, world.garoua);
    let variables = json!({"h": world.health_id});

    // Staff of the facility where she is registered see who she is.
    for role in [Role::Doctor, Role::Nurse, Role::RegistrationClerk, Role::LabTechnician] {
        let body = run(&world, &viewer(role, Some(douala), None), SEARCH, variables.clone()).await;
        let node = &body["data"]["searchPatients"]["edges"][0]["node"];
        assert_eq!(node["inCare"], true, "{role:?}: {body}");
        assert_eq!(node["familyName"], "Ngo Bassa", "{role:?}");
        assert_eq!(node["birthDate"], "1990-06-01", "{role:?}");
        assert_eq!(node["sex"], "female", "{role:?}");
    }

    // Clinicians of an unrelated facility: that the record exists, its ids, initials, year of birth.
    world.reads.take();
    for role in [Role::Doctor, Role::Nurse, Role::RegistrationClerk, Role::LabTechnician] {
        // Another account than the doctor who broke the glass: break-the-glass is personal.
        let searcher = viewer(role, Some(garoua), None);
        let body = run(&world, &searcher, SEARCH, variables.clone()).await;
        assert!(body["errors"].is_null(), "{body}");
        let node = &body["data"]["searchPatients"]["edges"][0]["node"];
        assert_eq!(node["id"], world.patient.to_string(), "{role:?}");
        assert_eq!(node["healthId"], world.health_id, "{role:?}");
        assert_eq!(node["initials"], "E. N.", "{role:?}");
        assert_eq!(node["birthYear"], 1990, "{role:?}");
        assert_eq!(node["inCare"], false, "{role:?}");
        for field in ["familyName", "givenNames", "sex", "birthDate", "region", "healthDistrict"] {
            assert!(node[field].is_null(), "{role:?} sees no {field}: {body}");
        }
        let text = body.to_string();
        assert!(!text.contains("Bassa") && !text.contains("Esther") && !text.contains("1990-06-01"), "{text}");
        // The search is in her access log, as a search that showed no demographics.
        let reads = world.reads.take();
        assert_eq!(reads.len(), 1, "{role:?}");
        assert_eq!(reads[0].patient_id, world.patient);
        assert_eq!(reads[0].basis, ReadBasis::Search);
        assert_eq!(reads[0].reader.account_id, searcher.principal.account_id);
        assert_eq!(reads[0].parts.iter().map(String::as_str).collect::<Vec<_>>(), ["search_result"], "{role:?}");
    }

    // Roles that never search patients.
    for searcher in [
        viewer(Role::FacilityAdministrator, Some(douala), None),
        viewer(Role::HealthAuthorityAnalyst, None, None),
        viewer(Role::Auditor, None, None),
        viewer(Role::SystemAdministrator, None, None),
        viewer(Role::Patient, None, Some(world.patient)),
    ] {
        let body = run(&world, &searcher, SEARCH, variables.clone()).await;
        assert_eq!(codes(&body), ["FORBIDDEN"], "{:?}: {body}", searcher.principal.role);
        assert!(!body.to_string().contains(&world.health_id));
    }
    world.ledger.close().await;
}

/// The doctor who broke the glass is in (emergency) care: the search shows who she is, recorded with
/// the demographics it showed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_doctor_who_broke_the_glass_finds_the_patient_in_full() {
    let (world, glass_doctor) = world().await;
    world.reads.take();
    let body = run(&world, &glass_doctor, SEARCH, json!({"h": world.health_id})).await;
    let node = &body["data"]["searchPatients"]["edges"][0]["node"];
    assert_eq!(node["inCare"], true, "{body}");
    assert_eq!(node["givenNames"], "Esther Marie");
    let reads = world.reads.take();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].parts.iter().map(String::as_str).collect::<Vec<_>>(), ["demographics", "search_result"]);
    world.ledger.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reason_for_breaking_the_glass_goes_to_the_patient_and_auditors_only() {
    let (world, glass_doctor) = world().await;
    let reason = "unconscious on arrival, suspected diabetic coma";

    // The Garoua administrator sees that an access happened, by whom and when; not why.
    let administrator = viewer(Role::FacilityAdministrator, Some(world.garoua), None);
    let alerts = "query($f: ID!) { breakGlassAlerts(facilityId: $f) { edges { node {
        practitioner { accountId } openedAt expiresAt } } } }";
    let body = run(&world, &administrator, alerts, json!({"f": world.garoua})).await;
    let alert = &body["data"]["breakGlassAlerts"]["edges"][0]["node"];
    assert_eq!(alert["practitioner"]["accountId"], glass_doctor.principal.account_id.to_string(), "{body}");
    assert!(alert["openedAt"].is_string() && alert["expiresAt"].is_string(), "{body}");
    let asking_why = "query($f: ID!) { breakGlassAlerts(facilityId: $f) { edges { node { reason } } } }";
    let body = run(&world, &administrator, asking_why, json!({"f": world.garoua})).await;
    assert_eq!(codes(&body), ["GRAPHQL_VALIDATION_FAILED"], "an alert has no reason: {body}");
    let accesses = "query($p: ID!) { emergencyAccesses(patientId: $p) {
        practitioner { accountId } facility { name } openedAt expiresAt reason } }";
    let body = run(&world, &administrator, accesses, json!({"p": world.patient})).await;
    assert_eq!(codes(&body), ["FORBIDDEN"], "{body}");
    assert!(!body.to_string().contains("diabetic"));

    // The patient and auditors see why.
    world.reads.take();
    for reader in [viewer(Role::Patient, None, Some(world.patient)), viewer(Role::Auditor, None, None)] {
        let body = run(&world, &reader, accesses, json!({"p": world.patient})).await;
        let access = &body["data"]["emergencyAccesses"][0];
        assert_eq!(access["reason"], reason, "{:?}: {body}", reader.principal.role);
        assert_eq!(access["facility"]["name"], "Hôpital régional de Garoua");
        assert_eq!(access["practitioner"]["accountId"], glass_doctor.principal.account_id.to_string());
    }
    // The auditor's look is recorded; the patient's own is not.
    let reads = world.reads.take();
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].basis, ReadBasis::Audit);
    assert!(reads[0].parts.contains("emergency_accesses"));

    // Nobody else sees why: not another patient, not a clinician (even the one who broke the glass),
    // not an analyst.
    for reader in [
        viewer(Role::Patient, None, Some(Uuid::now_v7())),
        glass_doctor.clone(),
        viewer(Role::Doctor, Some(world.douala), None),
        viewer(Role::Nurse, Some(world.douala), None),
        viewer(Role::HealthAuthorityAnalyst, None, None),
        viewer(Role::SystemAdministrator, None, None),
    ] {
        let body = run(&world, &reader, accesses, json!({"p": world.patient})).await;
        assert!(!codes(&body).is_empty(), "{:?}: {body}", reader.principal.role);
        assert!(!body.to_string().contains("diabetic"), "{:?}: {body}", reader.principal.role);
    }
    world.ledger.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appointment_times_are_given_in_cameroon_time_with_the_offset() {
    let (world, _) = world().await;
    let clerk = viewer(Role::RegistrationClerk, Some(world.douala), None);
    let query = "query($f: ID!, $p: ID!) {
        appointments(facilityId: $f, from: \"2026-12-07\", to: \"2026-12-07\") { edges { node { startsAt } } }
        patient(id: $p) { appointments { edges { node { startsAt } } } } }";
    let body = run(&world, &clerk, query, json!({"f": world.douala, "p": world.patient})).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["appointments"]["edges"][0]["node"]["startsAt"], "2026-12-07T09:30:00+01:00");
    assert_eq!(body["data"]["patient"]["appointments"]["edges"][0]["node"]["startsAt"], "2026-12-07T09:30:00+01:00");

    // An instant given as input may be in UTC or carry an offset: both name the same moment.
    let auditor = viewer(Role::Auditor, None, None);
    let entries =
        "query($from: String!) { ledgerEntries(recordedFrom: $from, first: 1) { edges { node { position } } } }";
    let utc = run(&world, &auditor, entries, json!({"from": "2000-01-01T00:00:00Z"})).await;
    let local = run(&world, &auditor, entries, json!({"from": "2000-01-01T01:00:00+01:00"})).await;
    assert!(utc["errors"].is_null() && local["errors"].is_null(), "{utc} {local}");
    assert_eq!(utc["data"], local["data"]);
    let bad = run(&world, &auditor, entries, json!({"from": "yesterday"})).await;
    assert_eq!(codes(&bad), ["BAD_USER_INPUT"]);
    world.ledger.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_facility_directory_pages_in_name_order_and_filters_by_region() {
    let (world, _) = world().await;
    let query = "query($region: RegionCode, $after: String) { facilities(region: $region, first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } edges { node { id name region healthDistrict } } } }";
    let names = |body: &Value| -> Vec<String> {
        body["data"]["facilities"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|edge| edge["node"]["name"].as_str().unwrap().to_owned())
            .collect()
    };
    // Any role with a session may list facilities: they name places, not people.
    for reader in [
        viewer(Role::Patient, None, Some(world.patient)),
        viewer(Role::HealthAuthorityAnalyst, None, None),
        viewer(Role::Doctor, Some(world.garoua), None),
    ] {
        let first = run(&world, &reader, query, json!({"region": "LT"})).await;
        assert!(first["errors"].is_null(), "{first}");
        assert_eq!(names(&first), ["Centre de santé de Bonaberi", "Hôpital Deido"]);
        assert_eq!(first["data"]["facilities"]["pageInfo"]["hasNextPage"], true);
        let after = first["data"]["facilities"]["pageInfo"]["endCursor"].clone();
        let second = run(&world, &reader, query, json!({"region": "LT", "after": after})).await;
        assert_eq!(names(&second), ["Hôpital Laquintinie"], "{second}");
        assert_eq!(second["data"]["facilities"]["pageInfo"]["hasNextPage"], false);
        assert_eq!(second["data"]["facilities"]["edges"][0]["node"]["id"], world.douala.to_string());
        assert_eq!(second["data"]["facilities"]["edges"][0]["node"]["region"], "LT");
    }
    let north = run(&world, &viewer(Role::Auditor, None, None), query, json!({"region": "NO"})).await;
    assert_eq!(names(&north), ["Hôpital régional de Garoua"]);
    let all = run(&world, &viewer(Role::Auditor, None, None), &query.replace("first: 2", "first: 10"), json!({})).await;
    assert_eq!(names(&all).len(), 4, "{all}");
    // Not a region code breaks the `RegionCode` scalar: refused while the request is validated.
    let unknown = run(&world, &viewer(Role::Auditor, None, None), query, json!({"region": "XX"})).await;
    assert_eq!(codes(&unknown), ["GRAPHQL_VALIDATION_FAILED"], "{unknown}");
    let anonymous =
        world.api.execute(async_graphql::Request::new("{ facilities { edges { node { id } } } }"), None).await;
    assert_eq!(serde_json::to_value(&anonymous).unwrap()["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    world.ledger.close().await;
}
