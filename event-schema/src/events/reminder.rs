//! Reminders to patients (vaccinations due, appointments, results ready): what each patient chose,
//! every reminder the system decided to send, and what became of its delivery.
//!
//! These events name the patient, the kind of reminder and the channel, never the phone number, the
//! e-mail address or the text sent: the ledger is replicated and audited, and a reminder's words
//! ("Penta 3 is due") are medical content addressed to one person.

use crate::{EventPayload, Timestamp};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The stream category of a patient's reminders: `reminders:<patient_id>`. It sits beside the
/// patient's record, not in it, so that a reminder or a change of preference never moves the record's
/// version (and never makes a clinician's open form stale).
pub const STREAM_CATEGORY: &str = "reminders";

/// What a reminder is about, as a patient opts in or out of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReminderKind {
    /// Doses of the routine immunisation schedule coming due or missed.
    Vaccination,
    /// Appointments coming up, and a follow-up after one missed.
    Appointment,
    /// New laboratory results in the record.
    LabResult,
}

/// The moment a reminder is for: each kind has one or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Occasion {
    /// A dose falls due in a few days.
    VaccinationDue,
    /// A dose was not given by some days after it fell due.
    VaccinationOverdue,
    /// An appointment is about two days away.
    AppointmentAhead,
    /// An appointment is today.
    AppointmentToday,
    /// An appointment was recorded missed: a follow-up asking to book again.
    AppointmentMissed,
    /// New laboratory results are in the record.
    LabResultReady,
}

impl Occasion {
    /// Every occasion, in a fixed order.
    pub const ALL: [Occasion; 6] = [
        Occasion::VaccinationDue,
        Occasion::VaccinationOverdue,
        Occasion::AppointmentAhead,
        Occasion::AppointmentToday,
        Occasion::AppointmentMissed,
        Occasion::LabResultReady,
    ];

    /// The kind a patient opts out of to stop this occasion's reminders.
    pub fn kind(self) -> ReminderKind {
        match self {
            Self::VaccinationDue | Self::VaccinationOverdue => ReminderKind::Vaccination,
            Self::AppointmentAhead | Self::AppointmentToday | Self::AppointmentMissed => ReminderKind::Appointment,
            Self::LabResultReady => ReminderKind::LabResult,
        }
    }

    /// The occasion's name as stored (`vaccination_due`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VaccinationDue => "vaccination_due",
            Self::VaccinationOverdue => "vaccination_overdue",
            Self::AppointmentAhead => "appointment_ahead",
            Self::AppointmentToday => "appointment_today",
            Self::AppointmentMissed => "appointment_missed",
            Self::LabResultReady => "lab_result_ready",
        }
    }

    /// The occasion stored as `text`, if it is one.
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|occasion| occasion.as_str() == text)
    }
}

/// How reminders reach the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReminderChannel {
    Sms,
    Email,
    /// No reminders at all.
    None,
}

/// The language reminders are written in: both are official in Cameroon.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
pub enum ReminderLanguage {
    #[serde(rename = "fr")]
    French,
    #[serde(rename = "en")]
    English,
}

impl ReminderLanguage {
    /// The language's BCP 47 tag (`fr`, `en`).
    pub fn tag(self) -> &'static str {
        match self {
            Self::French => "fr",
            Self::English => "en",
        }
    }
}

/// Whom a reminder is addressed to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Addressee {
    /// The patient, at the contact they gave.
    Patient,
    /// A child's guardian, at the next of kin's phone recorded at registration.
    Guardian,
}

/// A patient's choices about reminders, set by the patient or at a facility's desk on the patient's
/// word. Each event replaces the previous choices whole. Stream `reminders:<patient_id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderPreferencesSet {
    pub patient_id: Uuid,
    /// The language chosen; `None` leaves it to the default (English in the North-West and South-West
    /// regions, French elsewhere, by the region of the facility where the patient registered).
    pub language: Option<ReminderLanguage>,
    /// The channel chosen; `None` leaves it to the default (SMS when a phone number is known, else
    /// e-mail).
    pub channel: Option<ReminderChannel>,
    /// The kinds of reminder the patient does not want, sorted.
    pub opted_out: Vec<ReminderKind>,
}

impl EventPayload for ReminderPreferencesSet {
    const EVENT_TYPE: &'static str = "reminder.preferences_set";
    const SCHEMA_VERSION: u32 = 1;
}

/// The system decided to send a reminder and queued it. Stream `reminders:<patient_id>`; the actor
/// is the system. The command id of the append is derived from the reminder's subject, occasion and
/// moment, so that however many schedulers run, each reminder is decided once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderDecided {
    /// The reminder's id, which is also its message's id in the outbox.
    pub reminder_id: Uuid,
    pub patient_id: Uuid,
    pub occasion: Occasion,
    /// What it is about: `<antigen>/<dose number>` for each dose due the same day (one message for
    /// all of them), the appointment's or the lab result's entry id otherwise.
    pub subjects: Vec<String>,
    /// The moment the reminder is about: the day a dose is due (its first instant in Cameroon), the
    /// appointment's start, when the result was recorded or the appointment recorded missed.
    pub about: Timestamp,
    pub channel: ReminderChannel,
    pub language: ReminderLanguage,
    pub addressee: Addressee,
    /// Not delivered before this instant (the end of quiet hours, when decided during them).
    pub not_before: Timestamp,
}

impl EventPayload for ReminderDecided {
    const EVENT_TYPE: &'static str = "reminder.decided";
    const SCHEMA_VERSION: u32 = 1;
}

/// A reminder reached the SMS gateway or the mail server. Stream `reminders:<patient_id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderDelivered {
    pub reminder_id: Uuid,
    pub patient_id: Uuid,
    pub occasion: Occasion,
    pub channel: ReminderChannel,
    /// Deliveries tried, this one included.
    pub attempts: u32,
}

impl EventPayload for ReminderDelivered {
    const EVENT_TYPE: &'static str = "reminder.delivered";
    const SCHEMA_VERSION: u32 = 1;
}

/// A reminder was given up after its last attempt failed (the dead-letter state operators see in
/// `cloudmedi outbox status`). Stream `reminders:<patient_id>`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderUndeliverable {
    pub reminder_id: Uuid,
    pub patient_id: Uuid,
    pub occasion: Occasion,
    pub channel: ReminderChannel,
    pub attempts: u32,
}

impl EventPayload for ReminderUndeliverable {
    const EVENT_TYPE: &'static str = "reminder.undeliverable";
    const SCHEMA_VERSION: u32 = 1;
}
