//! Commands on a patient's record: load the patient's stream, work out the caller's care relationship
//! from it, ask the access policy, let the domain decide, append at the version decided on, and retake
//! the decision if another append landed in between. Then tell the patient what they should know.

pub(crate) mod cache;
mod command;
mod events;
mod notify;

pub use command::{CommandKind, RecordCommand};
pub use events::{new_event, record_event};

use crate::access::authorize_on_patient;
use crate::error::ApplicationError;
use crate::streams::read_stream_after;
use crate::{facilities, Application};
use domain::access::{Action, CareBasis, Facts, Principal};
use domain::record::care::care_basis;
use domain::record::death::RecordDeath;
use domain::record::{self as patient_record, PatientRecord};
use event_schema::{Actor, StreamId};
use ledger::{AppendRequest, ExpectedVersion};
use std::sync::Arc;
use uuid::Uuid;

/// How many times a decision is retaken when another append to the record lands in between.
const DECISION_ATTEMPTS: usize = 3;

/// How a command was submitted: its id in the ledger, whether the submitter named it (so a retry
/// answers with the first outcome), and the record versions the submitter accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub command_id: Uuid,
    /// Whether `command_id` names the command across retries (an idempotency key was given), as
    /// opposed to a fresh id for this one attempt.
    pub keyed: bool,
    /// The record versions the submitter saw; `None` for any version of an existing record.
    pub expected: Option<Vec<u64>>,
}

impl Submission {
    /// A command submitted once, on whatever version the record is at.
    pub fn once() -> Self {
        Self { command_id: Uuid::now_v7(), keyed: false, expected: None }
    }

    /// The id of the entry the command creates: derived from the command id, so a retried command
    /// answers with the same entry.
    pub fn entry_id(&self) -> Uuid {
        Uuid::new_v5(&self.command_id, b"entry")
    }

    fn admits(&self, version: u64) -> bool {
        self.expected.as_ref().is_none_or(|versions| versions.contains(&version))
    }
}

/// What a command on a record did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub patient_id: Uuid,
    /// The entry created, when the command creates one.
    pub entry_id: Option<Uuid>,
    /// The record's version after the command.
    pub version: u64,
    /// Whether this was a retry of a command already recorded: nothing new was appended, and nobody is
    /// told twice.
    pub replayed: bool,
}

/// A patient's record as its stream describes it, the stream's version, and the command ids already in
/// it (for answering retries).
///
/// The record and the command ids are shared with the state kept in memory (`cache.rs`): copying a
/// `Loaded` copies two pointers, and folding more entries into one copies the record only while
/// another holds it.
#[derive(Clone)]
pub struct Loaded {
    pub record: Option<Arc<PatientRecord>>,
    pub version: u64,
    commands: Arc<Vec<(Uuid, u64)>>,
}

impl Loaded {
    /// The command ids in the stream, each with the version its last entry made.
    pub fn commands(&self) -> &[(Uuid, u64)] {
        &self.commands
    }
}

/// The actor recorded on every event a principal causes.
pub fn actor_of(principal: &Principal) -> Actor {
    Actor { account_id: principal.account_id, role: principal.role, facility_id: principal.facility_id }
}

impl Application {
    /// Folds a patient's stream: from the state kept of it (`cache.rs`), the entries appended since;
    /// without one, the whole stream.
    ///
    /// The kept state is taken out of the cache while its tail is folded, so that it is usually held
    /// once and folded in place (the command that loaded it last has finished with its copy); it is
    /// put back, shared with the caller, before the caller decides.
    pub async fn load_record(&self, patient_id: Uuid) -> Result<Loaded, ApplicationError> {
        let kept = self.records.take(patient_id);
        let from = kept.as_ref().map(|kept| kept.version).unwrap_or(0);
        let mut loaded = kept.unwrap_or(Loaded { record: None, version: 0, commands: Arc::default() });
        let tail = read_stream_after(&self.ledger, &StreamId::patient(patient_id), from).await?;
        if !tail.is_empty() {
            let commands = Arc::make_mut(&mut loaded.commands);
            let mut record = loaded.record.take().map(Arc::unwrap_or_clone);
            for entry in &tail {
                commands.push((entry.command_id, entry.stream_version));
                loaded.version = entry.stream_version;
                if let Some(event) = record_event(&self.ledger, entry)? {
                    record = patient_record::apply(record, &event);
                }
            }
            loaded.record = record.map(Arc::new);
        }
        self.records.put(patient_id, &loaded);
        Ok(loaded)
    }

    /// Carries out one command on a patient's record for `principal`. The caller is authorised before
    /// the command is looked at, so a refusal says nothing about the record's content.
    #[tracing::instrument(name = "application.record.execute", skip_all, fields(command = command.name()))]
    pub async fn execute_on_record(
        &self,
        principal: &Principal,
        patient_id: Uuid,
        command: RecordCommand,
        submission: &Submission,
    ) -> Result<Recorded, ApplicationError> {
        let survivor = self.prepare(principal, patient_id, &command).await?;
        let (recorded, record) = self.decide_and_append(principal, patient_id, &command, survivor, submission).await?;
        if !recorded.replayed {
            self.tell_patient(&command, &record).await?;
        }
        Ok(recorded)
    }

    /// What a command needs checked or loaded before the record is: the facilities it names exist (a
    /// referral's, a consent's, a place of death's), and for a merge, the record it merges into (as far
    /// as the caller may update it).
    async fn prepare(
        &self,
        principal: &Principal,
        patient_id: Uuid,
        command: &RecordCommand,
    ) -> Result<Option<Arc<PatientRecord>>, ApplicationError> {
        match command {
            RecordCommand::GrantAccess(grant) => {
                // Only the patient (or their guardian) may grant; a stranger learns nothing of which
                // facilities exist.
                let action = Action::ManageConsent { patient: patient_id };
                let care = self.care_of(principal, patient_id).await?;
                authorize_on_patient(principal, &action, &Facts { care }, Some(&action))?;
                if facilities::load(&self.ledger, grant.facility_id).await?.is_none() {
                    return Err(ApplicationError::invalid_field("/facility_id", "no such facility"));
                }
                Ok(None)
            }
            RecordCommand::Refer(referral) => {
                if facilities::load(&self.ledger, referral.to_facility_id).await?.is_none() {
                    return Err(ApplicationError::invalid_field("/to_facility_id", "no such facility"));
                }
                Ok(None)
            }
            RecordCommand::RecordDeath(RecordDeath { facility_id: Some(facility_id), .. }) => {
                // Whether a facility belongs with the place of death is the domain's rule; that it exists
                // is known only here.
                if facilities::load(&self.ledger, *facility_id).await?.is_none() {
                    return Err(ApplicationError::invalid_field(
                        "/facility_id",
                        "no such facility / formation sanitaire inconnue",
                    ));
                }
                Ok(None)
            }
            RecordCommand::RecordGuardian(guardian) => {
                // Whether the guardian's record exists is told only to someone who may record one.
                let action = Action::ManageGuardianship { patient: patient_id };
                let care = self.care_of(principal, patient_id).await?;
                authorize_on_patient(principal, &action, &Facts { care }, Some(&action))?;
                // The guardian is a patient with a record of their own, open to new entries.
                let field = "/guardian_health_id";
                match self.load_record(guardian.guardian_patient_id).await?.record {
                    None => Err(ApplicationError::invalid_field(field, "no patient has this health ID")),
                    Some(record) if record.merged_into.is_some() => Err(ApplicationError::invalid_field(
                        field,
                        "this record was merged into another; give the health ID of the record kept",
                    )),
                    Some(_) => Ok(None),
                }
            }
            RecordCommand::Merge(merge) => {
                // A survivor the caller may not update is answered as no such patient, like an unknown id.
                let survivor = self.load_record(merge.into).await?.record.filter(|survivor| {
                    let care = care_basis(survivor, principal, self.now(), &self.today_in_cameroon());
                    let action = Action::UpdateDemographics { patient: merge.into };
                    crate::access::authorize(principal, &action, &Facts { care }).is_ok()
                });
                Ok(survivor)
            }
            _ => Ok(None),
        }
    }

    /// How `principal` stands to the patient now, read off the record (`None` for a record that does
    /// not exist, which the policy then refuses like one the principal may not see).
    pub(crate) async fn care_of(
        &self,
        principal: &Principal,
        patient_id: Uuid,
    ) -> Result<Option<CareBasis>, ApplicationError> {
        let record = self.load_record(patient_id).await?.record;
        Ok(record.as_ref().and_then(|record| care_basis(record, principal, self.now(), &self.today_in_cameroon())))
    }

    async fn decide_and_append(
        &self,
        principal: &Principal,
        patient_id: Uuid,
        command: &RecordCommand,
        survivor: Option<Arc<PatientRecord>>,
        submission: &Submission,
    ) -> Result<(Recorded, Arc<PatientRecord>), ApplicationError> {
        let entry_id = command.new_entry();
        let probe = command.action(patient_id, None);
        for _ in 0..DECISION_ATTEMPTS {
            let loaded = self.load_record(patient_id).await?;
            // A record that does not exist is refused exactly like one the caller may not see.
            let action = command.action(patient_id, loaded.record.as_deref()).ok_or(ApplicationError::NotFound)?;
            let care = loaded
                .record
                .as_ref()
                .and_then(|record| care_basis(record, principal, self.now(), &self.today_in_cameroon()));
            authorize_on_patient(principal, &action, &Facts { care }, probe.as_ref())?;
            let Some(record) = loaded.record else { return Err(ApplicationError::NotFound) };
            if submission.keyed {
                let earlier = loaded.commands.iter().rev().find(|(id, _)| *id == submission.command_id);
                if let Some((_, version)) = earlier {
                    // A retry of a command that already committed: the first answer, nothing recorded.
                    let recorded = Recorded { patient_id, entry_id, version: *version, replayed: true };
                    return Ok((recorded, record));
                }
            }
            // The request's own checks come first, as RFC 9110 §13.2.1 orders them: a request that is
            // invalid whatever the record's version is refused as such, not as a stale precondition.
            let events = command.decide(&record, survivor.as_deref())?;
            if !submission.admits(loaded.version) {
                return Err(ApplicationError::PreconditionFailed(format!(
                    "the record is at version {}, not the one given",
                    loaded.version
                )));
            }
            let now = self.now();
            let new_events = events.iter().map(|event| new_event(event, now)).collect::<Result<Vec<_>, _>>()?;
            let request = AppendRequest::new(
                StreamId::patient(patient_id),
                ExpectedVersion::Exactly(loaded.version),
                actor_of(principal),
                new_events,
            )
            .with_command_id(submission.command_id);
            match self.ledger.append(request).await {
                Ok(appended) => {
                    let recorded = Recorded { patient_id, entry_id, version: appended.stream_version, replayed: false };
                    return Ok((recorded, record));
                }
                Err(ledger::LedgerError::Conflict { .. }) if submission.expected.is_none() => continue,
                // Another append landed after the version the submitter saw was checked.
                Err(ledger::LedgerError::Conflict { actual, .. }) => {
                    return Err(ApplicationError::PreconditionFailed(format!(
                        "the record is at version {actual}, not the one given"
                    )))
                }
                Err(error) => return Err(error.into()),
            }
        }
        Err(ApplicationError::Conflict("the record kept changing; try again".into()))
    }
}
