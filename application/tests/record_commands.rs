//! The application layer's command path on a real ledger, on both backends: who may write, what a
//! retry returns, who is told, that a merged record takes nothing new, that a death is recorded
//! once, by a doctor, at a facility that exists, and that a patient cancels only their own
//! appointments, before they start.

mod support;

use application::record::{RecordCommand, Submission};
use application::ApplicationError;
use domain::record::clinical::{Correction, RecordAllergy};
use domain::record::death::RecordDeath;
use domain::record::observations::RecordLabResult;
use event_schema::events::facility::{FacilityLevel, FacilityOwnership, FacilityRegistered};
use event_schema::events::patient::PatientMerged;
use event_schema::events::record::{AllergyCategory, AllergyStatus, Interpretation, PlaceOfDeath, Severity};
use event_schema::{Actor, Role, StreamId, Timestamp};
use ledger::system::SetClock;
use ledger::{AppendRequest, ExpectedVersion, NewEvent};
use std::sync::Arc;
use support::world;
use uuid::Uuid;

fn allergy(submission: &Submission) -> RecordCommand {
    RecordCommand::RecordAllergy(RecordAllergy {
        entry_id: submission.entry_id(),
        substance: "amoxicillin".into(),
        category: AllergyCategory::Medication,
        reaction: Some("urticaria".into()),
        severity: Severity::Moderate,
        status: AllergyStatus::Confirmed,
        amends: None,
    })
}

fn lab_result(submission: &Submission) -> RecordCommand {
    RecordCommand::RecordLabResult(RecordLabResult {
        entry_id: submission.entry_id(),
        order_id: None,
        test: "Malaria rapid diagnostic test".into(),
        loinc: None,
        value: "negative".into(),
        unit: None,
        reference_range: None,
        interpretation: Interpretation::Normal,
        attachments: Vec::new(),
        amends: None,
    })
}

fn keyed() -> Submission {
    Submission { command_id: Uuid::now_v7(), keyed: true, expected: None }
}

async fn a_retried_command_answers_as_the_first_and_records_nothing(postgres: bool) {
    let world = world(postgres).await;
    let patient = world.patient().await;
    let doctor = world.staff(Role::Doctor, world.facility);
    let submission = keyed();
    let first = world.application.execute_on_record(&doctor, patient, allergy(&submission), &submission).await;
    let first = first.expect("the doctor records an allergy");
    assert_eq!((first.entry_id, first.version, first.replayed), (Some(submission.entry_id()), 2, false));

    let again = world.application.execute_on_record(&doctor, patient, allergy(&submission), &submission).await;
    let again = again.expect("the retry is answered");
    assert_eq!((again.entry_id, again.version, again.replayed), (first.entry_id, 2, true));
    let loaded = world.application.load_record(patient).await.expect("load");
    assert_eq!(loaded.version, 2, "the retry appended nothing");

    // A command made against a version the record is no longer at is refused.
    let stale = Submission { expected: Some(vec![1]), ..Submission::once() };
    let refused = world.application.execute_on_record(&doctor, patient, allergy(&stale), &stale).await;
    assert!(matches!(refused, Err(ApplicationError::PreconditionFailed(_))), "{refused:?}");
}

async fn refusals_never_tell_a_hidden_record_from_a_missing_one(postgres: bool) {
    let world = world(postgres).await;
    let patient = world.patient().await;
    let once = Submission::once();
    // A clerk records no allergy for anyone: saying so tells nothing about this patient.
    let clerk = world.staff(Role::RegistrationClerk, world.facility);
    let refused = world.application.execute_on_record(&clerk, patient, allergy(&once), &once).await;
    assert!(matches!(refused, Err(ApplicationError::Forbidden)), "{refused:?}");
    // A doctor elsewhere, with no care relationship, is answered as if the record did not exist.
    let stranger = world.staff(Role::Doctor, Uuid::now_v7());
    let hidden = world.application.execute_on_record(&stranger, patient, allergy(&once), &once).await;
    assert!(matches!(hidden, Err(ApplicationError::NotFound)), "{hidden:?}");
    let doctor = world.staff(Role::Doctor, world.facility);
    let missing = world.application.execute_on_record(&doctor, Uuid::now_v7(), allergy(&once), &once).await;
    assert!(matches!(missing, Err(ApplicationError::NotFound)), "{missing:?}");
    assert_eq!(world.application.load_record(patient).await.expect("load").version, 1, "nothing was recorded");
}

async fn a_retried_result_is_recorded_once_and_left_to_the_reminders(postgres: bool) {
    let world = world(postgres).await;
    let patient = world.patient().await;
    let technician = world.staff(Role::LabTechnician, world.facility);
    let submission = keyed();
    let mut replayed = Vec::new();
    for _ in 0..2 {
        let recorded =
            world.application.execute_on_record(&technician, patient, lab_result(&submission), &submission).await;
        replayed.push(recorded.expect("the technician records a result").replayed);
    }
    assert_eq!(replayed, [false, true], "the retry answers the first result");
    assert_eq!(world.application.load_record(patient).await.expect("load").version, 2, "one result recorded");
    // The patient is told by the reminder scheduler, which follows their choice of language and
    // channel and the quiet hours; the command itself queues nothing.
    assert_eq!(world.messages_queued().await, 0);
}

async fn a_merged_record_takes_nothing_new(postgres: bool) {
    let world = world(postgres).await;
    let patient = world.patient().await;
    let survivor = world.patient().await;
    let merged = PatientMerged { patient_id: patient, merged_into: survivor, reason: "registered twice".into() };
    world.append(patient, NewEvent::typed(&merged, ledger::system::now()).expect("event")).await;
    let doctor = world.staff(Role::Doctor, world.facility);
    let once = Submission::once();
    let refused = world.application.execute_on_record(&doctor, patient, allergy(&once), &once).await;
    assert!(matches!(&refused, Err(ApplicationError::Conflict(detail)) if detail.contains(&survivor.to_string())));
}

/// Commands are stamped by the clock the application was given (a test sets it; production uses the
/// system's), while the ledger keeps its own stamp of when it recorded them.
async fn commands_are_stamped_by_the_applications_clock(postgres: bool) {
    let world = world(postgres).await;
    let patient = world.patient().await;
    let set = Timestamp::parse("2026-03-10T08:00:00.000000Z").expect("an instant");
    let application = world.application.clone().with_clock(Arc::new(SetClock::at(set)));
    assert_eq!(application.today_in_cameroon(), "2026-03-10");
    let doctor = world.staff(Role::Doctor, world.facility);
    let once = Submission::once();
    application.execute_on_record(&doctor, patient, allergy(&once), &once).await.expect("the allergy is recorded");
    let (entries, _) =
        application::streams::read_stream(&world.ledger, &StreamId::patient(patient)).await.expect("the stream");
    let recorded = entries.last().expect("the allergy's entry");
    assert_eq!(recorded.occurred_at, set, "stamped by the application's clock");
    assert!(recorded.recorded_at > set, "recorded when the ledger recorded it");
}

fn death(submission: &Submission, died_on: &str, facility_id: Uuid, amends: Option<Correction>) -> RecordCommand {
    RecordCommand::RecordDeath(RecordDeath {
        entry_id: submission.entry_id(),
        died_on: died_on.into(),
        place: PlaceOfDeath::Facility,
        facility_id: Some(facility_id),
        underlying_cause: "B50.9".into(),
        amends,
        today: "2026-11-25".into(),
    })
}

async fn a_death_is_recorded_once_by_a_doctor_at_a_facility_that_exists(postgres: bool) {
    let world = world(postgres).await;
    let patient = world.patient().await;
    let application = world
        .application
        .clone()
        .with_clock(Arc::new(SetClock::at(Timestamp::parse("2026-11-25T08:00:00.000000Z").expect("an instant"))));
    // The world's facility, registered in the ledger as the system registers one.
    let registered = FacilityRegistered {
        facility_id: world.facility,
        name: "Hôpital Laquintinie".into(),
        level: FacilityLevel::ReferenceHospital,
        ownership: FacilityOwnership::Public,
        region: "LT".into(),
        health_district: "Deido".into(),
    };
    let stream = StreamId::facility(world.facility);
    let event = NewEvent::typed(&registered, ledger::system::now()).expect("event");
    let request = AppendRequest::new(stream, ExpectedVersion::Any, Actor::system(), vec![event]);
    world.ledger.append(request).await.expect("the facility is registered");

    // A nurse records no death, for anyone.
    let nurse = world.staff(Role::Nurse, world.facility);
    let once = Submission::once();
    let refused =
        application.execute_on_record(&nurse, patient, death(&once, "2026-11-20", world.facility, None), &once);
    assert!(matches!(refused.await, Err(ApplicationError::Forbidden)));
    // A facility that does not exist is named as such.
    let doctor = world.staff(Role::Doctor, world.facility);
    let nowhere = death(&once, "2026-11-20", Uuid::now_v7(), None);
    let refused = application.execute_on_record(&doctor, patient, nowhere, &once).await;
    assert!(matches!(&refused, Err(ApplicationError::Invalid(errors)) if errors[0].field == "/facility_id"));

    let first = Submission::once();
    let recorded =
        application.execute_on_record(&doctor, patient, death(&first, "2026-11-20", world.facility, None), &first);
    let recorded = recorded.await.expect("the doctor records the death");
    assert_eq!(recorded.entry_id, Some(first.entry_id()));
    // A second death is a conflict with the record; an amendment of the first corrects it.
    let second = Submission::once();
    let refused = application
        .execute_on_record(&doctor, patient, death(&second, "2026-11-21", world.facility, None), &second)
        .await;
    assert!(matches!(&refused, Err(ApplicationError::Conflict(detail)) if detail.contains("already recorded")));
    let correction = Correction { entry_id: first.entry_id(), reason: "the certificate gives the 19th".into() };
    let amended = death(&second, "2026-11-19", world.facility, Some(correction));
    application.execute_on_record(&doctor, patient, amended, &second).await.expect("the death is corrected");
    let record = application.load_record(patient).await.expect("load").record.expect("the record");
    assert_eq!(record.death().map(|death| death.died_on.as_str()), Some("2026-11-19"));

    // Results recorded afterwards are not announced to the patient's phone.
    let technician = world.staff(Role::LabTechnician, world.facility);
    let once = Submission::once();
    application.execute_on_record(&technician, patient, lab_result(&once), &once).await.expect("a result");
    assert_eq!(world.messages_queued().await, 0, "nothing is sent to a patient who died");
}

/// A patient cancels their own appointment until it starts, and nothing else: not another patient's,
/// not one that has started (which the facility closes), and never with another outcome.
async fn a_patient_cancels_only_their_own_upcoming_appointments(postgres: bool) {
    use domain::access::Principal;
    use domain::record::appointments::BookAppointment;
    use event_schema::events::record::AppointmentOutcome;

    let world = world(postgres).await;
    let patient = world.patient().await;
    let booked_at = Timestamp::parse("2026-03-10T08:00:00.000000Z").expect("an instant");
    let later = |hours: i64| Timestamp::from_datetime(booked_at.as_datetime() + chrono::Duration::hours(hours));
    let at = |now: Timestamp| world.application.clone().with_clock(Arc::new(SetClock::at(now)));
    let doctor = world.staff(Role::Doctor, world.facility);
    let book = |starts_at: Timestamp| {
        let once = Submission::once();
        let command = RecordCommand::BookAppointment(BookAppointment {
            appointment_id: once.entry_id(),
            facility_id: world.facility,
            practitioner_id: Some(doctor.account_id),
            starts_at,
            reason: "follow-up".into(),
            now: booked_at,
        });
        (once, command)
    };
    let (tomorrow, command) = book(later(24));
    at(booked_at).execute_on_record(&doctor, patient, command, &tomorrow).await.expect("booked for tomorrow");
    let (soon, command) = book(later(2));
    at(booked_at).execute_on_record(&doctor, patient, command, &soon).await.expect("booked for this morning");
    let own = Principal {
        account_id: Uuid::now_v7(),
        role: Role::Patient,
        facility_id: None,
        patient_id: Some(patient),
        region: None,
    };
    let other = Principal { account_id: Uuid::now_v7(), patient_id: Some(Uuid::now_v7()), ..own.clone() };
    let now = later(3);
    let close = |who: &Principal, id: Uuid, outcome| {
        RecordCommand::close_appointment(who, id, outcome, Some("travelling".into()), now)
    };
    let once = Submission::once();
    let attended = close(&own, tomorrow.entry_id(), AppointmentOutcome::Attended);
    assert!(matches!(attended, RecordCommand::CloseAppointment { .. }), "only a cancellation is the patient's own");
    let refused = at(now).execute_on_record(&own, patient, attended, &once).await;
    assert!(matches!(refused, Err(ApplicationError::Forbidden)), "{refused:?}");
    let theirs = close(&other, tomorrow.entry_id(), AppointmentOutcome::Cancelled);
    let refused = at(now).execute_on_record(&other, patient, theirs, &once).await;
    assert!(matches!(refused, Err(ApplicationError::NotFound)), "{refused:?}");
    let started = close(&own, soon.entry_id(), AppointmentOutcome::Cancelled);
    let refused = at(now).execute_on_record(&own, patient, started, &once).await;
    assert!(matches!(refused, Err(ApplicationError::NotFound)), "started two hours ago: {refused:?}");
    let cancelled = close(&own, tomorrow.entry_id(), AppointmentOutcome::Cancelled);
    assert!(matches!(cancelled, RecordCommand::CancelOwnAppointment { .. }));
    at(now).execute_on_record(&own, patient, cancelled, &once).await.expect("the patient cancels tomorrow's");
    let record = world.application.load_record(patient).await.expect("load").record.expect("the record");
    assert_eq!(record.appointments[&tomorrow.entry_id()].outcome, Some(AppointmentOutcome::Cancelled));
    assert_eq!(record.appointments[&soon.entry_id()].outcome, None, "the started one waits for the facility");
    let missed = close(&doctor, soon.entry_id(), AppointmentOutcome::Missed);
    at(now).execute_on_record(&doctor, patient, missed, &Submission::once()).await.expect("the facility closes it");
}

on_both_backends!(
    a_patient_cancels_only_their_own_upcoming_appointments,
    a_death_is_recorded_once_by_a_doctor_at_a_facility_that_exists,
    commands_are_stamped_by_the_applications_clock,
    a_retried_command_answers_as_the_first_and_records_nothing,
    refusals_never_tell_a_hidden_record_from_a_missing_one,
    a_retried_result_is_recorded_once_and_left_to_the_reminders,
    a_merged_record_takes_nothing_new,
);
