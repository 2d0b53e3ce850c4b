//! The patient's history: past conditions and operations, family history, and the treatments they take
//! over the long term.

use super::clinical::{checked_dose, checked_icd10, Correction};
use super::{past_date, text, PatientRecord, RecordError, RecordEvent};
use crate::access::Section;
use crate::FieldError;
use event_schema::events::record::{
    Amends, Dose, FamilyHistoryRecorded, HistoryKind, MedicalHistoryRecorded, Route, TreatmentRecorded,
    TreatmentStopped,
};
use uuid::Uuid;

fn correction(
    record: &PatientRecord,
    correction: Option<Correction>,
    section: Section,
    errors: &mut Vec<FieldError>,
) -> Result<Option<Amends>, RecordError> {
    super::clinical::amends(record, correction, section, errors)
}

fn optional_icd10(code: Option<&str>, errors: &mut Vec<FieldError>) -> Option<String> {
    // Only the empty text means "none", as the published pattern has it; anything else must be a code.
    let code = code.filter(|code| !code.is_empty())?;
    let before = errors.len();
    let checked = checked_icd10(code, errors);
    (errors.len() == before).then_some(checked)
}

/// Record part of the medical history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordMedicalHistory {
    pub entry_id: Uuid,
    pub kind: HistoryKind,
    pub description: String,
    pub icd10: Option<String>,
    pub year: Option<u32>,
    pub amends: Option<Correction>,
    /// Today, `YYYY-MM-DD`.
    pub today: String,
}

pub fn decide_medical_history(
    record: Option<&PatientRecord>,
    command: RecordMedicalHistory,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let amends = correction(record, command.amends, Section::MedicalHistory, &mut errors)?;
    let description = text(&command.description, "/description", 2..=300, &mut errors);
    let icd10 = optional_icd10(command.icd10.as_deref(), &mut errors);
    if let Some(year) = command.year {
        let born: u32 = record.patient.birth_date.date.get(..4).and_then(|y| y.parse().ok()).unwrap_or(0);
        let now: u32 = command.today.get(..4).and_then(|y| y.parse().ok()).unwrap_or(u32::MAX);
        if year < born || year > now {
            errors.push(FieldError::rule("/year", "must be between the patient's birth and this year"));
        }
    }
    super::clinical::finish(
        record,
        errors,
        RecordEvent::MedicalHistory(MedicalHistoryRecorded {
            entry_id: command.entry_id,
            kind: command.kind,
            description,
            icd10,
            year: command.year,
            amends,
        }),
    )
}

/// Record a condition in the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFamilyHistory {
    pub entry_id: Uuid,
    pub relationship: String,
    pub condition: String,
    pub icd10: Option<String>,
    pub amends: Option<Correction>,
}

pub fn decide_family_history(
    record: Option<&PatientRecord>,
    command: RecordFamilyHistory,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let amends = correction(record, command.amends, Section::FamilyHistory, &mut errors)?;
    let relationship = text(&command.relationship, "/relationship", 2..=60, &mut errors);
    let condition = text(&command.condition, "/condition", 2..=200, &mut errors);
    let icd10 = optional_icd10(command.icd10.as_deref(), &mut errors);
    super::clinical::finish(
        record,
        errors,
        RecordEvent::FamilyHistory(FamilyHistoryRecorded {
            entry_id: command.entry_id,
            relationship,
            condition,
            icd10,
            amends,
        }),
    )
}

/// Record a long-term treatment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordTreatment {
    pub entry_id: Uuid,
    pub medicine: String,
    pub dose: Dose,
    pub route: Route,
    pub times_per_day: u32,
    pub started_on: Option<String>,
    pub amends: Option<Correction>,
    pub today: String,
}

pub fn decide_treatment(
    record: Option<&PatientRecord>,
    command: RecordTreatment,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let amends = correction(record, command.amends, Section::Treatments, &mut errors)?;
    let medicine = text(&command.medicine, "/medicine", 2..=120, &mut errors);
    let dose = checked_dose(&command.dose, &mut errors);
    if !(1..=24).contains(&command.times_per_day) {
        errors.push(FieldError::new("/times_per_day", "must be 1 to 24"));
    }
    let started_on =
        command.started_on.as_deref().map(|date| past_date(date, "/started_on", &command.today, &mut errors));
    super::clinical::finish(
        record,
        errors,
        RecordEvent::Treatment(TreatmentRecorded {
            entry_id: command.entry_id,
            medicine,
            dose,
            route: command.route,
            times_per_day: command.times_per_day,
            started_on,
            amends,
        }),
    )
}

/// Record that a long-term treatment stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StopTreatment {
    pub entry_id: Uuid,
    pub stopped_on: String,
    pub reason: String,
    pub today: String,
}

pub fn decide_stop_treatment(
    record: Option<&PatientRecord>,
    command: StopTreatment,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    record.correctable(command.entry_id, Section::Treatments)?;
    let mut errors = Vec::new();
    let stopped_on = past_date(&command.stopped_on, "/stopped_on", &command.today, &mut errors);
    let reason = text(&command.reason, "/reason", 3..=500, &mut errors);
    super::clinical::finish(
        record,
        errors,
        RecordEvent::TreatmentStopped(TreatmentStopped { entry_id: command.entry_id, stopped_on, reason }),
    )
}
