//! The application layer's command path on a real ledger, on both backends: who may write, what a
//! retry returns, who is told, and that a merged record takes nothing new.

mod support;

use application::record::{RecordCommand, Submission};
use application::ApplicationError;
use domain::record::clinical::RecordAllergy;
use domain::record::observations::RecordLabResult;
use event_schema::events::patient::PatientMerged;
use event_schema::events::record::{AllergyCategory, AllergyStatus, Interpretation, Severity};
use event_schema::{Role, StreamId, Timestamp};
use ledger::system::SetClock;
use ledger::NewEvent;
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

async fn the_patient_is_told_of_results_once_even_when_the_command_is_retried(postgres: bool) {
    let world = world(postgres).await;
    let patient = world.patient().await;
    let technician = world.staff(Role::LabTechnician, world.facility);
    let submission = keyed();
    for _ in 0..2 {
        let recorded =
            world.application.execute_on_record(&technician, patient, lab_result(&submission), &submission).await;
        recorded.expect("the technician records a result");
    }
    assert_eq!(world.messages_queued().await, 1, "one message, not one per retry");
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

on_both_backends!(
    commands_are_stamped_by_the_applications_clock,
    a_retried_command_answers_as_the_first_and_records_nothing,
    refusals_never_tell_a_hidden_record_from_a_missing_one,
    the_patient_is_told_of_results_once_even_when_the_command_is_retried,
    a_merged_record_takes_nothing_new,
);
