//! Reminders, as commands: the patient's choices about them, a reminder decided and queued, and the
//! outcome of its delivery. Deciding *which* reminders are due is the scheduler's (the `reminders`
//! crate), which reads the read models; everything it changes goes through here.

use crate::access::authorize_on_patient;
use crate::error::ApplicationError;
use crate::record::actor_of;
use crate::streams::{decode, new_events, read_stream};
use crate::Application;
use domain::access::{Action, Facts, Principal};
use domain::record::care::care_basis;
use domain::record::PatientRecord;
use event_schema::events::reminder::{
    Occasion, ReminderChannel, ReminderDecided, ReminderDelivered, ReminderKind, ReminderLanguage,
    ReminderPreferencesSet, ReminderUndeliverable,
};
use event_schema::{Actor, EventPayload, StreamId};
use ledger::outbox::Message;
use ledger::{AppendRequest, ExpectedVersion};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a patient chose about their reminders; `None` leaves a choice to its default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReminderPreferences {
    pub language: Option<ReminderLanguage>,
    pub channel: Option<ReminderChannel>,
    pub opted_out: Vec<ReminderKind>,
}

/// What an outbox message queued for a reminder says it is about: enough to record its outcome in the
/// ledger, nothing to reach the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReminderTopic {
    pub patient_id: Uuid,
    pub occasion: Occasion,
    pub channel: ReminderChannel,
}

/// The namespace of the command ids under which reminders' outcomes are recorded.
const OUTCOME_NAMESPACE: Uuid = Uuid::from_u128(0x2b51_7c0d_94e3_4f6a_8e1b_5d3c_7a90_1f24);

impl Application {
    /// Sets a patient's reminder choices, for the patient or a facility's desk on their word. A channel
    /// the record has no address for is refused on `/channel`, so nobody believes they will be texted
    /// when no number is known.
    pub async fn set_reminder_preferences(
        &self,
        principal: &Principal,
        patient_id: Uuid,
        preferences: ReminderPreferences,
    ) -> Result<ReminderPreferencesSet, ApplicationError> {
        let record = self.record_for_reminder_choices(principal, patient_id).await?;
        if record.merged_into.is_some() {
            return Err(ApplicationError::Conflict(
                "this record was merged into another; set the choices on the surviving record".into(),
            ));
        }
        let patient = &record.patient;
        let guardian_phone = patient.next_of_kin.as_ref().and_then(|kin| kin.phone.as_ref());
        match preferences.channel {
            Some(ReminderChannel::Sms) if patient.phone.is_none() && guardian_phone.is_none() => {
                return Err(ApplicationError::invalid_field(
                    "/channel",
                    "no phone number is recorded for this patient / aucun numéro de téléphone n'est enregistré",
                ));
            }
            Some(ReminderChannel::Email) if patient.email.is_none() => {
                return Err(ApplicationError::invalid_field(
                    "/channel",
                    "no e-mail address is recorded for this patient / aucune adresse e-mail n'est enregistrée",
                ));
            }
            _ => {}
        }
        let mut opted_out = preferences.opted_out;
        opted_out.sort();
        opted_out.dedup();
        let event = ReminderPreferencesSet {
            patient_id,
            language: preferences.language,
            channel: preferences.channel,
            opted_out,
        };
        self.record(StreamId::reminders_of(patient_id), ExpectedVersion::Any, actor_of(principal), &event).await?;
        Ok(event)
    }

    /// A patient's reminder choices as last set; the defaults when never set. Read for the patient
    /// themselves or a desk that may set them.
    pub async fn reminder_preferences(
        &self,
        principal: &Principal,
        patient_id: Uuid,
    ) -> Result<ReminderPreferences, ApplicationError> {
        self.record_for_reminder_choices(principal, patient_id).await?;
        let (entries, _) = read_stream(self.ledger(), &StreamId::reminders_of(patient_id)).await?;
        let mut preferences = ReminderPreferences::default();
        for entry in entries.iter().filter(|entry| entry.event_type == ReminderPreferencesSet::EVENT_TYPE) {
            let set: ReminderPreferencesSet = decode(self.ledger(), entry)?;
            preferences =
                ReminderPreferences { language: set.language, channel: set.channel, opted_out: set.opted_out };
        }
        Ok(preferences)
    }

    /// The patient's record, if `principal` may read and set their reminder choices.
    async fn record_for_reminder_choices(
        &self,
        principal: &Principal,
        patient_id: Uuid,
    ) -> Result<PatientRecord, ApplicationError> {
        let record = self.load_record(patient_id).await?.record.ok_or(ApplicationError::NotFound)?;
        let care = care_basis(&record, principal, self.now(), &self.today_in_cameroon());
        let action = Action::SetReminderPreferences { patient: patient_id };
        authorize_on_patient(principal, &action, &Facts { care }, Some(&action))?;
        Ok(std::sync::Arc::unwrap_or_clone(record))
    }

    /// Queues a reminder's message and records that it is decided, under the reminder's id both times:
    /// a second scheduler, or this one again after a crash between the two steps, finds the message
    /// already queued and the decision already in the ledger, and nothing is sent twice. The message
    /// is queued first: a crash before the decision is recorded leaves the reminder undecided in the
    /// read models, so the next round decides it again, queuing nothing new and recording the
    /// decision; the other order could record a decision whose message was never queued. Returns
    /// whether this call decided it.
    pub async fn decide_reminder(
        &self,
        decided: &ReminderDecided,
        message: &Message,
    ) -> Result<bool, ApplicationError> {
        let events = new_events(std::slice::from_ref(decided), self.now())?;
        let stream = StreamId::reminders_of(decided.patient_id);
        let request = AppendRequest::new(stream, ExpectedVersion::Any, Actor::system(), events)
            .with_command_id(decided.reminder_id);
        let topic =
            ReminderTopic { patient_id: decided.patient_id, occasion: decided.occasion, channel: decided.channel };
        let topic =
            serde_json::to_string(&topic).map_err(|error| ApplicationError::internal("a reminder's topic", error))?;
        self.outbox().enqueue_once(decided.reminder_id, message, &topic).await?;
        let appended = self.ledger().append(request).await?;
        Ok(!appended.replayed)
    }

    /// Records in the ledger what became of up to `limit` reminders delivered or given up since last
    /// asked, several at a time so that their appends share the ledger's commits; returns how many.
    /// Messages of other topics are only marked seen.
    pub async fn record_reminder_outcomes(&self, limit: u32) -> Result<usize, ApplicationError> {
        use futures::stream::{self, StreamExt, TryStreamExt};
        let settled = self.outbox().unrecorded_outcomes(limit).await?;
        stream::iter(settled)
            .map(|message| self.record_outcome(message))
            .buffer_unordered(32)
            .try_fold(0, |recorded, this| async move { Ok(recorded + usize::from(this)) })
            .await
    }

    /// Records one message's outcome, if it is a reminder's; returns whether it was.
    async fn record_outcome(&self, message: ledger::outbox::Settled) -> Result<bool, ApplicationError> {
        let Ok(topic) = serde_json::from_str::<ReminderTopic>(&message.topic) else {
            self.outbox().outcome_recorded(message.id).await?;
            return Ok(false);
        };
        let stream = StreamId::reminders_of(topic.patient_id);
        let command_id = Uuid::new_v5(&OUTCOME_NAMESPACE, message.id.as_bytes());
        let now = self.now();
        let events = if message.delivered {
            new_events(
                &[ReminderDelivered {
                    reminder_id: message.id,
                    patient_id: topic.patient_id,
                    occasion: topic.occasion,
                    channel: topic.channel,
                    attempts: message.attempts,
                }],
                now,
            )?
        } else {
            new_events(
                &[ReminderUndeliverable {
                    reminder_id: message.id,
                    patient_id: topic.patient_id,
                    occasion: topic.occasion,
                    channel: topic.channel,
                    attempts: message.attempts,
                }],
                now,
            )?
        };
        let request =
            AppendRequest::new(stream, ExpectedVersion::Any, Actor::system(), events).with_command_id(command_id);
        self.ledger().append(request).await?;
        self.outbox().outcome_recorded(message.id).await?;
        Ok(true)
    }
}
