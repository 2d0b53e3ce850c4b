//! The decision state kept in memory (`record/cache.rs`) against the fold of the whole stream, on a
//! real ledger: over generated sequences of commands on one record — entries recorded, amended and
//! withdrawn, some through another application over the same ledger (another server process, whose
//! appends this one's cache has not seen) — the state an application with the cache loads equals the
//! one an application without it folds, at every step, and so do the events a decision on either
//! gives.

mod support;

use application::record::{RecordCommand, Submission};
use application::Application;
use domain::record::clinical::{Correction, MarkEnteredInError, RecordAllergy};
use domain::record::observations::RecordLabResult;
use event_schema::events::record::{AllergyCategory, AllergyStatus, Interpretation, Severity};
use event_schema::Role;
use proptest::prelude::*;
use support::world;
use uuid::Uuid;

/// One step of a generated sequence.
#[derive(Debug, Clone)]
enum Step {
    Allergy,
    LabResult,
    /// Amends the n-th entry recorded so far (modulo their number), as an allergy.
    Amend(usize),
    /// Withdraws the n-th entry recorded so far.
    Withdraw(usize),
}

fn step() -> impl Strategy<Value = (Step, bool)> {
    let step = prop_oneof![
        Just(Step::Allergy),
        Just(Step::LabResult),
        (0usize..16).prop_map(Step::Amend),
        (0usize..16).prop_map(Step::Withdraw),
    ];
    // Whether the step goes through the other application.
    (step, any::<bool>())
}

fn allergy(entry_id: Uuid, amends: Option<Correction>) -> RecordCommand {
    RecordCommand::RecordAllergy(RecordAllergy {
        entry_id,
        substance: "amoxicillin".into(),
        category: AllergyCategory::Medication,
        reaction: Some("urticaria".into()),
        severity: Severity::Moderate,
        status: AllergyStatus::Confirmed,
        amends,
    })
}

fn command(step: &Step, submission: &Submission, entries: &[Uuid]) -> RecordCommand {
    let pick = |n: usize| entries.get(n % entries.len().max(1)).copied().unwrap_or_else(Uuid::now_v7);
    match step {
        Step::Allergy => allergy(submission.entry_id(), None),
        Step::LabResult => RecordCommand::RecordLabResult(RecordLabResult {
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
        }),
        Step::Amend(n) => allergy(
            submission.entry_id(),
            Some(Correction { entry_id: pick(*n), reason: "wrong substance written".into() }),
        ),
        Step::Withdraw(n) => RecordCommand::MarkEnteredInError(MarkEnteredInError {
            entry_id: pick(*n),
            reason: "recorded on the wrong patient".into(),
        }),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn a_decision_from_the_kept_state_is_the_decision_from_the_whole_stream(
        steps in proptest::collection::vec(step(), 1..14)
    ) {
        let runtime = tokio::runtime::Runtime::new().expect("a runtime");
        runtime.block_on(async {
            let world = world(false).await;
            let cached = world.application.clone();
            let folding = Application::new(world.ledger.clone()).with_record_cache(0);
            let other_process = Application::new(world.ledger.clone());
            let patient = world.patient().await;
            let doctor = world.staff(Role::Doctor, world.facility);
            let mut entries = Vec::new();
            for (step, elsewhere) in &steps {
                let submission = Submission::once();
                let command = command(step, &submission, &entries);
                let by = if *elsewhere { &other_process } else { &cached };
                // A refusal (an entry already corrected, say) is a step too: nothing is appended.
                if let Ok(recorded) = by.execute_on_record(&doctor, patient, command, &submission).await {
                    entries.extend(recorded.entry_id);
                }
                let kept = cached.load_record(patient).await.expect("the kept state");
                let whole = folding.load_record(patient).await.expect("the whole stream");
                prop_assert_eq!(kept.version, whole.version);
                prop_assert_eq!(kept.commands(), whole.commands());
                prop_assert_eq!(&kept.record, &whole.record);
                let probe = Submission::once();
                let next = allergy(probe.entry_id(), entries.first().map(|entry_id| Correction {
                    entry_id: *entry_id,
                    reason: "probe".into(),
                }));
                let (kept, whole) = (kept.record.expect("registered"), whole.record.expect("registered"));
                prop_assert_eq!(next.decide(&kept, None), next.decide(&whole, None));
            }
            Ok(())
        })?;
    }
}
