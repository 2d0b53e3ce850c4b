//! What people are told after a command on a record: never medical content, only that something
//! happened and where to look.

use crate::error::ApplicationError;
use crate::record::RecordCommand;
use crate::{facilities, Application};
use domain::record::PatientRecord;
use identity::Contact;
use ledger::outbox::{ChannelKind, Message};

impl Application {
    /// Tells the patient (and for an emergency access, the facility's administrators) what the command
    /// means for them.
    pub(super) async fn tell_patient(
        &self,
        command: &RecordCommand,
        record: &PatientRecord,
    ) -> Result<(), ApplicationError> {
        // Results ready are a reminder like the others (the `reminders` crate), which follows the
        // patient's choices of language and channel.
        match command {
            RecordCommand::BreakGlass(glass) => self.tell_of_emergency_access(glass.facility_id, record).await,
            _ => Ok(()),
        }
    }

    /// An emergency access is told to the patient through their usual channel, and to the facility's
    /// administrators (without naming the patient), so every one is reviewed.
    async fn tell_of_emergency_access(
        &self,
        facility_id: uuid::Uuid,
        record: &PatientRecord,
    ) -> Result<(), ApplicationError> {
        let facility = facilities::load(&self.ledger, facility_id).await?.map(|facility| facility.name);
        let facility = facility.unwrap_or_else(|| "a health facility".into());
        let today = self.today_in_cameroon();
        let to_patient = format!(
            "CloudMedi: your medical record was opened in an emergency by a doctor at {facility} on {today}. You \
             can see who read your record in the CloudMedi app."
        );
        self.notify_patient(record, &to_patient, "Your record was opened in an emergency").await?;
        let to_administrators = format!(
            "CloudMedi: a doctor of {facility} opened a patient's record in an emergency (break-the-glass) on \
             {today}. Review it in the audit trail."
        );
        for Contact { channel, recipient } in self.identity.administrators_contacts(facility_id).await? {
            let subject = (channel == ChannelKind::Email).then(|| "Emergency access to a record".to_owned());
            let message = Message { channel, recipient, subject, body: to_administrators.clone(), not_before: None };
            self.outbox.enqueue(&message).await?;
        }
        Ok(())
    }

    /// Sends the patient a short message without medical content, by SMS or e-mail if they gave either.
    /// A patient whose death the record holds is sent nothing: the message would reach whoever now
    /// holds their phone or mailbox. What it would have said stays in the record (the results, the
    /// access log).
    async fn notify_patient(&self, record: &PatientRecord, body: &str, subject: &str) -> Result<(), ApplicationError> {
        if record.death().is_some() {
            return Ok(());
        }
        let contact = match (&record.patient.phone, &record.patient.email) {
            (Some(phone), _) => Some((ChannelKind::Sms, phone.clone())),
            (None, Some(email)) => Some((ChannelKind::Email, email.clone())),
            (None, None) => None,
        };
        if let Some((channel, recipient)) = contact {
            let subject = (channel == ChannelKind::Email).then(|| subject.to_owned());
            let message = Message { channel, recipient, subject, body: body.to_owned(), not_before: None };
            self.outbox.enqueue(&message).await?;
        }
        Ok(())
    }
}
