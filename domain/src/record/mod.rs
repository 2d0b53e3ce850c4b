//! The patient's record: every event of the patient's stream folded into one state, from which the
//! commands on the record are decided and the care relationships (who may act on the patient) follow.
//!
//! The record keeps every entry, current or not: an amended entry points at its replacement and an
//! entry entered in error is marked so; nothing recorded ever disappears.

pub mod appointments;
pub mod care;
pub mod clinical;
pub mod consent;
pub mod death;
pub mod guardianship;
pub mod history;
pub mod icd10;
pub mod merge;
pub mod observations;
pub mod schedule;
pub mod vaccination;

use crate::access::Section;
use crate::patient::{self, Patient, PatientEvent};
use crate::{tidy, FieldError};
use chrono::{Datelike, NaiveDate};
use event_schema::events::patient::{DuplicateSuspected, PatientMerged, PatientRegistered};
use event_schema::events::record::{
    AccessGranted, AccessRevoked, AllergyRecorded, ConditionDiagnosed, EmergencyAccessOpened, EncounterRecorded,
    EntryEnteredInError, GuardianRecorded, GuardianshipEnded, ImmunizationRecorded, PrescriptionCancelled,
    PrescriptionIssued, ReferralMade,
};
use event_schema::events::record::{
    AppointmentBooked, AppointmentClosed, AppointmentOutcome, AppointmentRescheduled, DeathRecorded,
    FamilyHistoryRecorded, LabOrdered, LabResultRecorded, MedicalHistoryRecorded, TreatmentRecorded, TreatmentStopped,
    VitalSignsRecorded,
};
use event_schema::Timestamp;
use std::collections::{BTreeMap, BTreeSet};
use uuid::Uuid;

/// The events of a patient's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordEvent {
    Registered(PatientRegistered),
    DuplicateSuspected(DuplicateSuspected),
    Merged(PatientMerged),
    Allergy(AllergyRecorded),
    Condition(ConditionDiagnosed),
    Immunization(ImmunizationRecorded),
    Encounter(EncounterRecorded),
    Prescription(PrescriptionIssued),
    PrescriptionCancelled(PrescriptionCancelled),
    Referral(ReferralMade),
    MedicalHistory(MedicalHistoryRecorded),
    FamilyHistory(FamilyHistoryRecorded),
    Treatment(TreatmentRecorded),
    TreatmentStopped(TreatmentStopped),
    VitalSigns(VitalSignsRecorded),
    LabOrder(LabOrdered),
    LabResult(LabResultRecorded),
    AppointmentBooked(AppointmentBooked),
    AppointmentRescheduled(AppointmentRescheduled),
    AppointmentClosed(AppointmentClosed),
    Death(DeathRecorded),
    EnteredInError(EntryEnteredInError),
    AccessGranted(AccessGranted),
    AccessRevoked(AccessRevoked),
    EmergencyAccess(EmergencyAccessOpened),
    GuardianRecorded(GuardianRecorded),
    GuardianshipEnded(GuardianshipEnded),
}

/// Where an entry stands in the current record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryStatus {
    Current,
    /// Replaced by the entry with this id.
    AmendedBy(Uuid),
    EnteredInError,
    /// A prescription stopped before its end.
    Cancelled,
    /// A current treatment that ended.
    Stopped,
}

/// An appointment: when, and what became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub facility_id: Uuid,
    pub starts_at: Timestamp,
    /// What was recorded of it: `None` until it is closed.
    pub outcome: Option<AppointmentOutcome>,
    /// Whether the patient's recorded death falls before the appointment's day, which cancels it
    /// though nobody closed it. It follows the death: an amended date of death or a death entered in
    /// error changes it.
    pub cancelled_by_death: bool,
}

impl Appointment {
    /// Whether the appointment is still expected to take place: neither closed nor cancelled by the
    /// patient's death.
    pub fn is_booked(&self) -> bool {
        self.outcome.is_none() && !self.cancelled_by_death
    }
}

/// One clinical entry, as far as decisions need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryInfo {
    pub section: Section,
    pub status: EntryStatus,
    /// The latest day of care the entry states (an onset, a dose given, an encounter, a measure, a
    /// treatment started or stopped), which a date of death may not precede.
    pub dated: Option<NaiveDate>,
}

/// A break-the-glass access.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyAccess {
    pub account_id: Uuid,
    pub facility_id: Uuid,
    pub expires_at: Timestamp,
}

/// The record as its events describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientRecord {
    pub patient: Patient,
    /// Facilities where the patient is registered or was seen.
    pub seen_at: BTreeSet<Uuid>,
    /// Facilities the patient was referred to.
    pub referred_to: BTreeSet<Uuid>,
    /// Facilities the patient granted access, with the last day it holds (`None`: until revoked).
    pub consents: BTreeMap<Uuid, Option<String>>,
    pub emergency_accesses: Vec<EmergencyAccess>,
    /// The patient's guardians (other patients' records), each with the last day the guardianship
    /// holds (`YYYY-MM-DD`).
    pub guardians: BTreeMap<Uuid, String>,
    pub entries: BTreeMap<Uuid, EntryInfo>,
    pub appointments: BTreeMap<Uuid, Appointment>,
    /// Other records that looked like this one at registration.
    pub suspected_duplicates: BTreeSet<Uuid>,
    /// The record this one was merged into: closed to new entries.
    pub merged_into: Option<Uuid>,
    /// Every dose of vaccine recorded, by entry; whether it still stands is in `entries`.
    pub immunizations: BTreeMap<Uuid, vaccination::GivenDose>,
    /// Every death recorded, by entry; at most one stands (see [`PatientRecord::death`]).
    pub deaths: BTreeMap<Uuid, DeathRecorded>,
}

/// Why a command on the record is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("no such patient")]
    UnknownPatient,
    #[error("no such entry in this record")]
    UnknownEntry,
    #[error("the entry was already corrected or withdrawn")]
    AlreadyCorrected,
    #[error("the entry belongs to another section of the record")]
    WrongSection,
    #[error("the command is invalid")]
    Invalid(Vec<FieldError>),
    /// The record was merged into another, which takes every new entry.
    #[error("this record was merged into patient {0}; record there")]
    Merged(Uuid),
    /// The patient's death is already recorded; only an amendment of that entry may change it.
    #[error(
        "the patient's death is already recorded (entry {entry_id}, died on {died_on}); amend that entry to \
         correct it / le décès du patient est déjà enregistré (entrée {entry_id}, décès le {died_on}) ; modifiez \
         cette entrée pour le corriger"
    )]
    DeathAlreadyRecorded { entry_id: Uuid, died_on: String },
}

/// The record a decision works on: it must exist, and must not have been merged into another, which
/// takes every new entry. Every decision on a record starts here, so no caller can forget the rule.
pub(crate) fn open_record(record: Option<&PatientRecord>) -> Result<&PatientRecord, RecordError> {
    let record = record.ok_or(RecordError::UnknownPatient)?;
    record.open()?;
    Ok(record)
}

impl PatientRecord {
    /// Refuses anything new on a record merged into another.
    pub fn open(&self) -> Result<(), RecordError> {
        match self.merged_into {
            Some(into) => Err(RecordError::Merged(into)),
            None => Ok(()),
        }
    }

    /// The entry a correction points at, if it can still be corrected and belongs to `section`.
    pub fn correctable(&self, entry_id: Uuid, section: Section) -> Result<(), RecordError> {
        let entry = self.entries.get(&entry_id).ok_or(RecordError::UnknownEntry)?;
        if entry.section != section {
            return Err(RecordError::WrongSection);
        }
        if entry.status != EntryStatus::Current {
            return Err(RecordError::AlreadyCorrected);
        }
        Ok(())
    }

    /// The doses recorded and still standing (neither amended nor entered in error), leaving out
    /// `except`, the entry a correction replaces.
    pub fn doses_given(&self, except: Option<Uuid>) -> impl Iterator<Item = &vaccination::GivenDose> {
        self.immunizations.iter().filter_map(move |(id, dose)| {
            let standing = self.entries.get(id).is_some_and(|entry| entry.status == EntryStatus::Current);
            (standing && Some(*id) != except).then_some(dose)
        })
    }

    /// The death that stands in the record: recorded, and neither amended nor entered in error.
    pub fn death(&self) -> Option<&DeathRecorded> {
        self.deaths.iter().rev().find_map(|(id, death)| {
            self.entries.get(id).is_some_and(|entry| entry.status == EntryStatus::Current).then_some(death)
        })
    }

    /// The day of the standing death, if one stands and its date reads.
    pub fn died_on(&self) -> Option<NaiveDate> {
        self.death().and_then(|death| patient::calendar_date(&death.died_on))
    }

    fn add_entry(&mut self, entry_id: Uuid, section: Section, amends: Option<Uuid>) {
        if let Some(original) = amends.and_then(|id| self.entries.get_mut(&id)) {
            original.status = EntryStatus::AmendedBy(entry_id);
        }
        self.entries.insert(entry_id, EntryInfo { section, status: EntryStatus::Current, dated: None });
    }

    /// Marks every appointment still open that falls on a day after the standing death as cancelled by
    /// it, and no other: run whenever the death or an appointment's day may have changed.
    fn settle_appointments(&mut self) {
        let died_on = self.died_on();
        for appointment in self.appointments.values_mut() {
            let day = patient::calendar_date(&appointment.starts_at.cameroon_date());
            appointment.cancelled_by_death =
                appointment.outcome.is_none() && died_on.is_some_and(|died_on| day.is_none_or(|day| day > died_on));
        }
    }
}

/// Folds an event into the record. Events before the registration (which a well-formed stream never
/// has) leave it absent.
pub fn apply(state: Option<PatientRecord>, event: &RecordEvent) -> Option<PatientRecord> {
    if let RecordEvent::Registered(registered) = event {
        let patient = patient::apply(None, &PatientEvent::Registered(registered.clone()))?;
        return Some(PatientRecord {
            seen_at: BTreeSet::from([registered.registered_at_facility]),
            patient,
            referred_to: BTreeSet::new(),
            consents: BTreeMap::new(),
            emergency_accesses: Vec::new(),
            guardians: BTreeMap::new(),
            entries: BTreeMap::new(),
            appointments: BTreeMap::new(),
            suspected_duplicates: BTreeSet::new(),
            merged_into: None,
            immunizations: BTreeMap::new(),
            deaths: BTreeMap::new(),
        });
    }
    let mut record = state?;
    let amended = |amends: &Option<event_schema::events::record::Amends>| amends.as_ref().map(|a| a.entry_id);
    match event {
        RecordEvent::Registered(_) => {}
        RecordEvent::DuplicateSuspected(e) => record.suspected_duplicates.extend(e.similar_patient_ids.iter().copied()),
        RecordEvent::Merged(e) => record.merged_into = Some(e.merged_into),
        RecordEvent::Allergy(e) => record.add_entry(e.entry_id, Section::Allergies, amended(&e.amends)),
        RecordEvent::Condition(e) => record.add_entry(e.entry_id, Section::Conditions, amended(&e.amends)),
        RecordEvent::Immunization(e) => {
            record.immunizations.insert(e.entry_id, vaccination::GivenDose::from(e));
            record.add_entry(e.entry_id, Section::Immunizations, amended(&e.amends));
        }
        RecordEvent::Encounter(e) => {
            record.seen_at.insert(e.facility_id);
            record.add_entry(e.entry_id, Section::Encounters, amended(&e.amends));
        }
        RecordEvent::Prescription(e) => record.add_entry(e.entry_id, Section::Prescriptions, amended(&e.amends)),
        RecordEvent::PrescriptionCancelled(e) => {
            if let Some(entry) = record.entries.get_mut(&e.entry_id) {
                entry.status = EntryStatus::Cancelled;
            }
        }
        RecordEvent::Referral(e) => {
            record.referred_to.insert(e.to_facility_id);
            record.add_entry(e.entry_id, Section::Referrals, amended(&e.amends));
        }
        RecordEvent::MedicalHistory(e) => record.add_entry(e.entry_id, Section::MedicalHistory, amended(&e.amends)),
        RecordEvent::FamilyHistory(e) => record.add_entry(e.entry_id, Section::FamilyHistory, amended(&e.amends)),
        RecordEvent::Treatment(e) => record.add_entry(e.entry_id, Section::Treatments, amended(&e.amends)),
        RecordEvent::TreatmentStopped(e) => {
            if let Some(entry) = record.entries.get_mut(&e.entry_id) {
                entry.status = EntryStatus::Stopped;
            }
        }
        RecordEvent::VitalSigns(e) => record.add_entry(e.entry_id, Section::VitalSigns, amended(&e.amends)),
        RecordEvent::LabOrder(e) => record.add_entry(e.entry_id, Section::LabOrders, amended(&e.amends)),
        RecordEvent::LabResult(e) => record.add_entry(e.entry_id, Section::LabResults, amended(&e.amends)),
        RecordEvent::AppointmentBooked(e) => {
            record.add_entry(e.entry_id, Section::Appointments, None);
            let appointment = Appointment {
                facility_id: e.facility_id,
                starts_at: e.starts_at,
                outcome: None,
                cancelled_by_death: false,
            };
            record.appointments.insert(e.entry_id, appointment);
            record.settle_appointments();
        }
        RecordEvent::AppointmentRescheduled(e) => {
            if let Some(appointment) = record.appointments.get_mut(&e.entry_id) {
                appointment.starts_at = e.starts_at;
            }
            record.settle_appointments();
        }
        RecordEvent::AppointmentClosed(e) => {
            if let Some(appointment) = record.appointments.get_mut(&e.entry_id) {
                appointment.outcome = Some(e.outcome);
                appointment.cancelled_by_death = false;
            }
        }
        RecordEvent::Death(e) => {
            record.deaths.insert(e.entry_id, e.clone());
            record.add_entry(e.entry_id, Section::Death, amended(&e.amends));
            record.settle_appointments();
        }
        RecordEvent::EnteredInError(e) => {
            if let Some(entry) = record.entries.get_mut(&e.entry_id) {
                entry.status = EntryStatus::EnteredInError;
            }
            // A death withdrawn gives the patient back the appointments it had cancelled.
            if record.deaths.contains_key(&e.entry_id) {
                record.settle_appointments();
            }
        }
        RecordEvent::AccessGranted(e) => {
            record.consents.insert(e.facility_id, e.until.clone());
        }
        RecordEvent::AccessRevoked(e) => {
            record.consents.remove(&e.facility_id);
        }
        RecordEvent::EmergencyAccess(e) => record.emergency_accesses.push(EmergencyAccess {
            account_id: e.account_id,
            facility_id: e.facility_id,
            expires_at: e.expires_at,
        }),
        RecordEvent::GuardianRecorded(e) => {
            record.guardians.insert(e.guardian_patient_id, e.until.clone());
        }
        RecordEvent::GuardianshipEnded(e) => {
            record.guardians.remove(&e.guardian_patient_id);
        }
    }
    if let Some((entry_id, dates)) = clinical_dates(event) {
        let latest = dates.iter().filter_map(|(_, date)| patient::calendar_date(date)).max();
        if let Some(entry) = record.entries.get_mut(&entry_id) {
            entry.dated = entry.dated.max(latest);
        }
    }
    Some(record)
}

/// A required free text of `range` characters after tidying, with no control characters.
pub(crate) fn text(
    value: &str,
    field: &'static str,
    range: std::ops::RangeInclusive<usize>,
    errors: &mut Vec<FieldError>,
) -> String {
    let tidied = tidy(value);
    errors.extend(crate::tidied_length(field, value, &tidied, &range));
    tidied
}

/// An optional free text: blank counts as absent, once it has the length the schema states. The
/// length as sent is the document's constraint whatever the characters are, so `""` for a field of 2
/// to 200 characters is refused like any other text too short, while a blank of the right length is
/// the same as leaving the field out.
pub(crate) fn optional_text(
    value: Option<&str>,
    field: &'static str,
    range: std::ops::RangeInclusive<usize>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let value = value?;
    if !value.trim().is_empty() {
        return Some(text(value, field, range, errors));
    }
    if !range.contains(&value.chars().count()) {
        errors.push(FieldError::new(field, format!("must be {} to {} characters", range.start(), range.end())));
    }
    None
}

/// A calendar date `YYYY-MM-DD` no later than `today`. Whether it falls within the patient's life is
/// checked once for every command, by [`within_lifespan`].
pub(crate) fn past_date(value: &str, field: &'static str, today: &str, errors: &mut Vec<FieldError>) -> String {
    match (patient::calendar_date(value), patient::calendar_date(today)) {
        (Some(date), Some(today)) if date > today => errors.push(FieldError::rule(field, "cannot be in the future")),
        (Some(_), Some(_)) => {}
        (None, _) => errors.push(FieldError::new(field, "must be a calendar date, YYYY-MM-DD")),
        (Some(_), None) => errors.push(FieldError::rule("/today", "the server's date is unreadable")),
    }
    value.to_owned()
}

/// The first day a clinical date of the patient can fall on: the birth date, or for an estimated
/// birth date the first day of its year, since an estimate ("born around 1975") is a guess of the year
/// and the day in it is a placeholder. `None` for a birth date that cannot be read, which registration
/// never records.
pub fn earliest_clinical_date(patient: &Patient) -> Option<NaiveDate> {
    let birth = patient::calendar_date(&patient.birth_date.date)?;
    if patient.birth_date.estimated {
        NaiveDate::from_ymd_opt(birth.year(), 1, 1)
    } else {
        Some(birth)
    }
}

/// The clinical dates an event states, each with the field of the command that carried it, and the
/// entry they date. Vital signs are stamped with an instant; its day in Cameroon is the one compared
/// with the birth date and the death.
fn clinical_dates(event: &RecordEvent) -> Option<(Uuid, Vec<(&'static str, String)>)> {
    Some(match event {
        RecordEvent::Condition(e) => (e.entry_id, e.onset.iter().map(|onset| ("/onset", onset.clone())).collect()),
        RecordEvent::Immunization(e) => (e.entry_id, vec![("/given_on", e.given_on.clone())]),
        RecordEvent::Encounter(e) => (e.entry_id, vec![("/date", e.date.clone())]),
        RecordEvent::Treatment(e) => {
            (e.entry_id, e.started_on.iter().map(|day| ("/started_on", day.clone())).collect())
        }
        RecordEvent::TreatmentStopped(e) => (e.entry_id, vec![("/stopped_on", e.stopped_on.clone())]),
        RecordEvent::VitalSigns(e) => (e.entry_id, vec![("/measured_at", e.measured_at.cameroon_date())]),
        RecordEvent::Death(e) => (e.entry_id, vec![("/died_on", e.died_on.clone())]),
        _ => return None,
    })
}

/// Refuses a clinical date outside the patient's life: before it began, or after a death that stands
/// in the record. Every command on the record ends in [`clinical::finish`], which calls this, so no
/// command can state care given before birth or after death. A date that does not parse was already
/// reported by the command's own checks. A death's own date is held to the birth only: an amendment
/// of the death moves the other bound itself.
pub(crate) fn within_lifespan(record: &PatientRecord, event: &RecordEvent, errors: &mut Vec<FieldError>) {
    let Some((_, dates)) = clinical_dates(event) else { return };
    let died_on = record.died_on().filter(|_| !matches!(event, RecordEvent::Death(_)));
    for (field, date) in dates {
        let Some(date) = patient::calendar_date(&date) else { continue };
        if errors.iter().any(|error| error.field == field) {
            continue;
        }
        if let Some(died_on) = died_on.filter(|died_on| date > *died_on) {
            let died_on = died_on.format("%Y-%m-%d");
            errors.push(FieldError::rule(
                field,
                format!(
                    "cannot be after the patient's death ({died_on}) / ne peut être postérieure au décès du patient \
                     ({died_on})"
                ),
            ));
            continue;
        }
        let Some(earliest) = earliest_clinical_date(&record.patient) else { continue };
        if date >= earliest {
            continue;
        }
        let message = if record.patient.birth_date.estimated {
            let year = earliest.year();
            format!(
                "cannot be before the patient's estimated year of birth ({year}) / ne peut précéder l'année de \
                 naissance estimée du patient ({year})"
            )
        } else {
            let birth = earliest.format("%Y-%m-%d");
            format!(
                "cannot be before the patient's birth ({birth}) / ne peut précéder la naissance du patient ({birth})"
            )
        };
        errors.push(FieldError::rule(field, message));
    }
}
