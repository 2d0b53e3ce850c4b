//! The patient's stream as the record's events, and back: the one table that says which stored event
//! type is which `RecordEvent`, written once and expanded into both directions.

use crate::error::ApplicationError;
use crate::streams::decode;
use domain::record::RecordEvent;
use event_schema::events::patient::{DuplicateSuspected, PatientMerged, PatientRegistered};
use event_schema::events::record::{
    AccessGranted, AccessRevoked, AllergyRecorded, AppointmentBooked, AppointmentClosed, AppointmentRescheduled,
    ConditionDiagnosed, DeathRecorded, EmergencyAccessOpened, EncounterRecorded, EntryEnteredInError,
    FamilyHistoryRecorded, GuardianRecorded, GuardianshipEnded, ImmunizationRecorded, LabOrdered, LabResultRecorded,
    MedicalHistoryRecorded, PrescriptionCancelled, PrescriptionIssued, ReferralMade, TreatmentRecorded,
    TreatmentStopped, VitalSignsRecorded,
};
use event_schema::{Entry, EventPayload, Timestamp};
use ledger::{Ledger, LedgerError, NewEvent};

macro_rules! record_events {
    ($($variant:ident => $payload:ident),* $(,)?) => {
        /// The record's event an entry of the patient's stream holds; `None` for an entry of a kind the
        /// record does not fold (a read of the record, say).
        pub fn record_event(ledger: &Ledger, entry: &Entry) -> Result<Option<RecordEvent>, ApplicationError> {
            Ok(Some(match entry.event_type.as_str() {
                $($payload::EVENT_TYPE => RecordEvent::$variant(decode(ledger, entry)?),)*
                _ => return Ok(None),
            }))
        }

        /// A record's event as the ledger appends it, stamped `occurred_at`.
        pub fn new_event(event: &RecordEvent, occurred_at: Timestamp) -> Result<NewEvent, LedgerError> {
            match event {
                $(RecordEvent::$variant(payload) => NewEvent::typed(payload, occurred_at),)*
            }
        }
    };
}

record_events! {
    Registered => PatientRegistered,
    DuplicateSuspected => DuplicateSuspected,
    Merged => PatientMerged,
    Allergy => AllergyRecorded,
    Condition => ConditionDiagnosed,
    Immunization => ImmunizationRecorded,
    Encounter => EncounterRecorded,
    Prescription => PrescriptionIssued,
    PrescriptionCancelled => PrescriptionCancelled,
    Referral => ReferralMade,
    MedicalHistory => MedicalHistoryRecorded,
    FamilyHistory => FamilyHistoryRecorded,
    Treatment => TreatmentRecorded,
    TreatmentStopped => TreatmentStopped,
    VitalSigns => VitalSignsRecorded,
    LabOrder => LabOrdered,
    LabResult => LabResultRecorded,
    AppointmentBooked => AppointmentBooked,
    AppointmentRescheduled => AppointmentRescheduled,
    AppointmentClosed => AppointmentClosed,
    Death => DeathRecorded,
    EnteredInError => EntryEnteredInError,
    AccessGranted => AccessGranted,
    AccessRevoked => AccessRevoked,
    EmergencyAccess => EmergencyAccessOpened,
    GuardianRecorded => GuardianRecorded,
    GuardianshipEnded => GuardianshipEnded,
}
