//! The statistics projector keeps counts per cell and follows the record's corrections: what a doctor
//! amends or enters in error is taken out of its cells, a merged duplicate out of the registrations,
//! and a correction of an entry no longer current changes nothing. Folded one entry at a time or all
//! at once, and rebuilt from position 0, it gives the same cells. On both backends, on a real SQLite
//! file and a real PostgreSQL database.

use event_schema::events::facility::{FacilityLevel, FacilityOwnership, FacilityRegistered};
use event_schema::events::patient::{BirthDate, PatientMerged, PatientRegistered, Sex};
use event_schema::events::record::{
    Amends, AppointmentBooked, ConditionDiagnosed, ConditionStatus, DeathRecorded, EncounterClass, EncounterRecorded,
    EntryEnteredInError, ImmunizationRecorded, PlaceOfDeath, ReferralKind, ReferralMade, Urgency,
};
use event_schema::{events, Actor, EventPayload, Role, StreamId, Timestamp};
use ledger::testing::ScratchDatabase;
use ledger::{AppendRequest, Database, ExpectedVersion, Ledger, NewEvent, PgStorage, SqliteStorage, Storage};
use projections::Runner;
use std::sync::Arc;
use uuid::Uuid;

struct World {
    ledger: Ledger,
    database: Database,
    runner: Runner,
    doctor: Actor,
    facility: Uuid,
}

impl World {
    async fn append<T: EventPayload>(&self, stream: &str, at: &str, payload: &T) -> anyhow::Result<()> {
        let at = at.replace('Z', ".000000Z");
        let event = NewEvent::typed(payload, Timestamp::parse(&at)?)?;
        let request =
            AppendRequest::new(StreamId::parse(stream)?, ExpectedVersion::Any, self.doctor.clone(), vec![event]);
        let appended = self.ledger.append(request).await?;
        // Live projection: each entry folded in a page of its own.
        self.runner.catch_up(&self.ledger, appended.last_position, |_| {}).await?;
        Ok(())
    }

    async fn register(&self, sex: Sex, born: &str, district: &str) -> anyhow::Result<Uuid> {
        let patient_id = Uuid::now_v7();
        let registered = PatientRegistered {
            patient_id,
            health_id: "CM0000000000".into(),
            national_id: None,
            family_name: "Test".into(),
            given_names: "Person".into(),
            sex,
            birth_date: BirthDate { date: born.into(), estimated: false },
            region: "CE".into(),
            health_district: district.into(),
            phone: None,
            email: None,
            next_of_kin: None,
            registered_at_facility: self.facility,
        };
        self.append(&format!("patient:{patient_id}"), "2026-01-05T09:00:00Z", &registered).await?;
        Ok(patient_id)
    }

    async fn dose(
        &self,
        patient: Uuid,
        antigen: &str,
        dose: u32,
        on: &str,
        amends: Option<Uuid>,
    ) -> anyhow::Result<Uuid> {
        let entry_id = Uuid::now_v7();
        let e = ImmunizationRecorded {
            entry_id,
            antigen: antigen.into(),
            dose_number: dose,
            lot: "L1".into(),
            given_on: on.into(),
            facility_id: self.facility,
            amends: amends.map(|entry_id| Amends { entry_id, reason: "wrong dose".into() }),
        };
        self.append(&format!("patient:{patient}"), &format!("{on}T10:00:00Z"), &e).await?;
        Ok(entry_id)
    }

    async fn diagnose(&self, patient: Uuid, icd10: &str, at: &str, amends: Option<Uuid>) -> anyhow::Result<Uuid> {
        let entry_id = Uuid::now_v7();
        let e = ConditionDiagnosed {
            entry_id,
            icd10: icd10.into(),
            description: "as seen".into(),
            onset: None,
            status: ConditionStatus::Active,
            encounter_id: None,
            amends: amends.map(|entry_id| Amends { entry_id, reason: "lab result".into() }),
        };
        self.append(&format!("patient:{patient}"), at, &e).await?;
        Ok(entry_id)
    }

    async fn withdraw(&self, patient: Uuid, entry_id: Uuid) -> anyhow::Result<()> {
        let e = EntryEnteredInError { entry_id, reason: "wrong patient".into() };
        self.append(&format!("patient:{patient}"), "2026-03-01T08:00:00Z", &e).await
    }

    /// The statuses of a patient's appointments, by start.
    async fn appointments(&self, patient: Uuid) -> anyhow::Result<Vec<String>> {
        let sql = "SELECT status FROM rm_appointments WHERE patient_id = $1 ORDER BY starts_at";
        Ok(match &self.database {
            Database::Sqlite(pool) => sqlx::query_scalar(sql).bind(patient.to_string()).fetch_all(pool).await?,
            Database::Postgres(pool) => sqlx::query_scalar(sql).bind(patient.to_string()).fetch_all(pool).await?,
        })
    }

    /// Every cell of `table`, as `key columns | n` lines in key order.
    async fn cells(&self, table: &str) -> anyhow::Result<Vec<String>> {
        let sql = format!("SELECT * FROM {table}");
        let mut lines: Vec<String> = match &self.database {
            Database::Sqlite(pool) => sqlx::query(&sql).fetch_all(pool).await?.iter().map(sqlite_line).collect(),
            Database::Postgres(pool) => sqlx::query(&sql).fetch_all(pool).await?.iter().map(postgres_line).collect(),
        };
        lines.sort();
        Ok(lines)
    }
}

fn sqlite_line(row: &sqlx::sqlite::SqliteRow) -> String {
    use sqlx::{Column, Row};
    (0..row.len())
        .map(|i| {
            if matches!(row.columns()[i].name(), "n" | "dose_number") {
                row.try_get::<i64, _>(i).map(|n| n.to_string()).unwrap_or_default()
            } else {
                row.try_get::<String, _>(i).unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

fn postgres_line(row: &sqlx::postgres::PgRow) -> String {
    use sqlx::{Column, Row};
    (0..row.len())
        .map(|i| {
            if matches!(row.columns()[i].name(), "n" | "dose_number") {
                row.try_get::<i64, _>(i).map(|n| n.to_string()).unwrap_or_default()
            } else {
                row.try_get::<String, _>(i).unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join("|")
}

async fn corrections_are_followed_and_a_rebuild_gives_the_same_cells(storage: Arc<dyn Storage>) -> anyhow::Result<()> {
    let (root, node) = (ledger::system::new_key_pair(), ledger::system::new_key_pair());
    Ledger::initialise(storage.as_ref(), &root, &node.public_key(), "test").await?;
    projections::migrate(&storage.database()).await?;
    let ledger = Ledger::open(storage.clone(), root.public_key(), node, events::catalog()).await?;
    let runner = Runner::new(storage.database());
    let (facility, other_facility) = (Uuid::now_v7(), Uuid::now_v7());
    let world = World {
        ledger,
        database: storage.database(),
        runner,
        doctor: Actor { account_id: Uuid::now_v7(), role: Role::Doctor, facility_id: Some(facility) },
        facility,
    };
    for (id, name) in [(facility, "CSI Efoulan"), (other_facility, "Hôpital Central")] {
        let registered = FacilityRegistered {
            facility_id: id,
            name: name.into(),
            level: FacilityLevel::HealthCentre,
            ownership: FacilityOwnership::Public,
            region: "CE".into(),
            health_district: "Efoulan".into(),
        };
        world.append(&format!("facility:{id}"), "2026-01-01T08:00:00Z", &registered).await?;
    }

    let ada = world.register(Sex::Female, "2025-11-20", "Efoulan").await?;
    let ben = world.register(Sex::Male, "2025-11-02", "Efoulan").await?;
    let twin = world.register(Sex::Male, "2025-11-02", "Efoulan").await?;
    let grandmother = world.register(Sex::Female, "1950-06-01", "Mfou").await?;

    world.dose(ada, "PENTA", 1, "2026-01-02", None).await?;
    let wrong = world.dose(ben, "PENTA", 2, "2026-01-14", None).await?;
    world.dose(ben, "PENTA", 1, "2026-01-14", Some(wrong)).await?;
    // Withdrawing the entry that was amended takes nothing out: it is no longer current.
    world.withdraw(ben, wrong).await?;
    let withdrawn = world.dose(twin, "PENTA", 1, "2026-02-03", None).await?;
    world.withdraw(twin, withdrawn).await?;
    world.withdraw(twin, withdrawn).await?; // twice: taken out once

    let suspected = world.diagnose(grandmother, "B54", "2026-01-31T23:30:00Z", None).await?; // 00:30 in Cameroon
    world.diagnose(grandmother, "B50.9", "2026-02-01T10:00:00Z", Some(suspected)).await?;
    let encounter = EncounterRecorded {
        entry_id: Uuid::now_v7(),
        facility_id: facility,
        practitioner_id: world.doctor.account_id,
        date: "2026-02-01".into(),
        class: Some(EncounterClass::Emergency),
        reason: "fever".into(),
        notes: None,
        amends: None,
    };
    world.append(&format!("patient:{grandmother}"), "2026-02-01T09:00:00Z", &encounter).await?;
    let referral = ReferralMade {
        entry_id: Uuid::now_v7(),
        kind: ReferralKind::Transfer,
        from_facility_id: facility,
        to_facility_id: other_facility,
        reason: "severe malaria".into(),
        urgency: Urgency::Urgent,
        encounter_id: None,
        amends: None,
    };
    world.append(&format!("patient:{grandmother}"), "2026-02-01T11:00:00Z", &referral).await?;
    // Appointments booked for the day of death (it stays booked: the facility may record it attended)
    // and for a later day (a death cancels it).
    let mut booked = Vec::new();
    for starts_at in ["2026-02-03T14:00:00.000000Z", "2026-02-10T08:00:00.000000Z"] {
        let entry_id = Uuid::now_v7();
        let booking = AppointmentBooked {
            entry_id,
            facility_id: facility,
            practitioner_id: None,
            starts_at: Timestamp::parse(starts_at)?,
            reason: "follow-up".into(),
        };
        world.append(&format!("patient:{grandmother}"), "2026-02-01T12:00:00Z", &booking).await?;
        booked.push(entry_id);
    }
    let first_death = DeathRecorded {
        entry_id: Uuid::now_v7(),
        died_on: "2026-02-02".into(),
        place: PlaceOfDeath::Home,
        facility_id: None,
        underlying_cause: "B50.9".into(),
        amends: None,
    };
    world.append(&format!("patient:{grandmother}"), "2026-02-03T07:00:00Z", &first_death).await?;
    assert_eq!(
        world.appointments(grandmother).await?,
        ["cancelled_by_death", "cancelled_by_death"],
        "both fall after the day of death"
    );
    let death = DeathRecorded {
        amends: Some(Amends { entry_id: first_death.entry_id, reason: "the certificate's date".into() }),
        entry_id: Uuid::now_v7(),
        died_on: "2026-02-03".into(),
        place: PlaceOfDeath::Facility,
        facility_id: Some(other_facility),
        underlying_cause: "B50.9".into(),
    };
    world.append(&format!("patient:{grandmother}"), "2026-02-03T16:00:00Z", &death).await?;
    assert_eq!(
        world.appointments(grandmother).await?,
        ["booked", "cancelled_by_death"],
        "the amended day of death gives back the appointment on that day"
    );
    let merged = PatientMerged { patient_id: twin, merged_into: ben, reason: "the same child".into() };
    world.append(&format!("patient:{twin}"), "2026-03-02T08:00:00Z", &merged).await?;

    let f = facility.to_string();
    assert_eq!(
        world.cells("st_registrations").await?,
        ["1950-06|CE|Mfou|female|1", "2025-11|CE|Efoulan|female|1", "2025-11|CE|Efoulan|male|1"],
        "the merged duplicate is no longer counted"
    );
    assert_eq!(
        world.cells("st_cohort_doses").await?,
        ["2025-11|CE|Efoulan|female|PENTA|1|2026-01|1", "2025-11|CE|Efoulan|male|PENTA|1|2026-01|1"],
        "the amended dose counts as its amendment, the withdrawn one not at all"
    );
    assert_eq!(
        world.cells("st_doses").await?,
        [format!("2026-01-02|2026-W01|{f}|PENTA|1|female|0|1"), format!("2026-01-14|2026-W03|{f}|PENTA|1|male|0|1"),]
    );
    assert_eq!(
        world.cells("st_diagnoses").await?,
        [format!("2026-02-01|2026-W05|{f}|B50.9|female|65+|1")],
        "the amended diagnosis is counted once, under its corrected code, on the day in Cameroon"
    );
    assert_eq!(world.cells("st_encounters").await?, [format!("2026-02-01|2026-W05|{f}|emergency|female|65+|1")]);
    assert_eq!(world.cells("st_referrals").await?, [format!("2026-02-01|2026-W05|transfer|{f}|{}|1", other_facility)]);
    assert_eq!(world.cells("st_deaths").await?, ["2026-02-03|2026-W06|CE|Mfou|B50.9|female|65+|facility|1"]);

    // All at once, from position 0: the same cells.
    let live = world.runner.digest().await?;
    world.runner.reset(Some("statistics")).await?;
    let head = world.ledger.head().await?.position;
    world.runner.catch_up(&world.ledger, head, |_| {}).await?;
    assert_eq!(world.runner.digest().await?, live, "a rebuild gives the cells live projection gave");
    world.ledger.close().await;
    Ok(())
}

async fn sqlite() -> anyhow::Result<(tempfile::TempDir, Arc<dyn Storage>)> {
    let directory = tempfile::tempdir()?;
    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&directory.path().join("ledger.sqlite"), true).await?);
    Ok((directory, storage))
}

#[tokio::test]
async fn corrections_are_followed_on_sqlite() -> anyhow::Result<()> {
    let (_directory, storage) = sqlite().await?;
    corrections_are_followed_and_a_rebuild_gives_the_same_cells(storage.clone()).await?;
    storage.close().await;
    Ok(())
}

#[tokio::test]
async fn corrections_are_followed_on_postgres() -> anyhow::Result<()> {
    let database = ScratchDatabase::create("cloudmedi_statistics").await?;
    let storage: Arc<dyn Storage> = Arc::new(PgStorage::connect(database.url()).await?);
    corrections_are_followed_and_a_rebuild_gives_the_same_cells(storage.clone()).await?;
    storage.close().await;
    database.drop_database().await?;
    Ok(())
}
