//! A patient's record as it is planned, decided entry by entry by the domain after the access policy
//! allows the author, and cut into the appends the command API would have made.

use super::calendar::{cameroon_day, ymd};
use super::rng::Rng;
use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, Utc};
use domain::access::{authorize, Action, Decision, Facts, Principal, Section};
use domain::patient::{self, PatientEvent, RegisterPatient};
use domain::record::care::care_basis;
use domain::record::{self as patient_record, PatientRecord, RecordError, RecordEvent};
use event_schema::{Actor, StreamId, Timestamp};
use ledger::{AppendRequest, ExpectedVersion, NewEvent};
use uuid::Uuid;

/// A patient's stream as it is planned: the record folded so far, its version, and the appends.
/// Each append is one author at one sitting; `begin` starts the next.
pub(super) struct Chart {
    patient_id: Uuid,
    pub(super) stream: StreamId,
    pub(super) record: Option<PatientRecord>,
    version: u64,
    pub(super) appends: Vec<AppendRequest>,
    pub(super) actor: Option<Actor>,
    pub(super) at: DateTime<Utc>,
    /// The day of `at` in Cameroon, written once per sitting.
    day: String,
    pending: Vec<NewEvent>,
}

impl Chart {
    pub(super) fn new(patient_id: Uuid) -> anyhow::Result<Self> {
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
    pub(super) fn begin(&mut self, rng: &mut Rng, actor: &Actor, at: DateTime<Utc>) {
        self.commit(rng);
        self.actor = Some(actor.clone());
        self.at = at;
        self.day = ymd(cameroon_day(at));
    }

    /// Closes the current append: the events an author recorded at one sitting, appended at the
    /// version they were decided against, as the command API appends a command's events.
    pub(super) fn commit(&mut self, rng: &mut Rng) {
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

    pub(super) fn now(&self) -> Timestamp {
        Timestamp::from_datetime(self.at)
    }

    pub(super) fn today(&self) -> String {
        self.day.clone()
    }

    pub(super) fn events(&self) -> u64 {
        self.version + self.pending.len() as u64
    }

    /// The author of the current sitting; an entry planned outside one is a fault of the plan.
    pub(super) fn author(&self) -> anyhow::Result<&Actor> {
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
            region: None,
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

    pub(super) fn register(&mut self, command: RegisterPatient) -> anyhow::Result<()> {
        self.authorise(Action::RegisterPatient)?;
        let events = patient::decide_register(None, command)
            .map_err(|error| anyhow!("the domain refused a patient the demo planned: {error:?}"))?;
        let events = events.into_iter().map(|PatientEvent::Registered(registered)| RecordEvent::Registered(registered));
        self.keep(events.collect())
    }

    /// Decides a command on the record in `section`, after asking the access policy.
    pub(super) fn write(
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
