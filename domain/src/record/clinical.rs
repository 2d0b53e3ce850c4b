//! Clinical entries: allergies, diagnoses, immunizations, encounters, and their corrections.

use super::schedule;
use super::{optional_text, past_date, text, PatientRecord, RecordError, RecordEvent};
use crate::access::Section;
use crate::FieldError;
use event_schema::events::record::{
    AllergyCategory, AllergyRecorded, AllergyStatus, Amends, ConditionDiagnosed, ConditionStatus, EncounterRecorded,
    EntryEnteredInError, ImmunizationRecorded, Severity,
};
use uuid::Uuid;

/// A correction a command carries: the entry it replaces and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub entry_id: Uuid,
    pub reason: String,
}

const REASON: std::ops::RangeInclusive<usize> = 3..=500;

/// Checks a correction against the record and returns it in its recorded form.
fn amends(
    record: &PatientRecord,
    correction: Option<Correction>,
    section: Section,
    errors: &mut Vec<FieldError>,
) -> Result<Option<Amends>, RecordError> {
    let Some(correction) = correction else { return Ok(None) };
    record.correctable(correction.entry_id, section)?;
    let reason = text(&correction.reason, "/amends/reason", REASON, errors);
    Ok(Some(Amends { entry_id: correction.entry_id, reason }))
}

fn finish(errors: Vec<FieldError>, event: RecordEvent) -> Result<Vec<RecordEvent>, RecordError> {
    if errors.is_empty() {
        Ok(vec![event])
    } else {
        Err(RecordError::Invalid(errors))
    }
}

/// Record an allergy or intolerance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordAllergy {
    pub entry_id: Uuid,
    pub substance: String,
    pub category: AllergyCategory,
    pub reaction: Option<String>,
    pub severity: Severity,
    pub status: AllergyStatus,
    pub amends: Option<Correction>,
}

pub fn decide_allergy(record: Option<&PatientRecord>, command: RecordAllergy) -> Result<Vec<RecordEvent>, RecordError> {
    let record = record.ok_or(RecordError::UnknownPatient)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Allergies, &mut errors)?;
    let substance = text(&command.substance, "/substance", 2..=120, &mut errors);
    let reaction = optional_text(command.reaction.as_deref(), "/reaction", 2..=200, &mut errors);
    finish(
        errors,
        RecordEvent::Allergy(AllergyRecorded {
            entry_id: command.entry_id,
            substance,
            category: command.category,
            reaction,
            severity: command.severity,
            status: command.status,
            amends,
        }),
    )
}

/// The canonical form of an ICD-10 code: a letter, two digits, and optionally a dot and one to four
/// further characters (WHO's four-character codes and national extensions), e.g. `b509` → `B50.9`.
pub fn normalise_icd10(text: &str) -> Option<String> {
    let compact: String = text.trim().chars().filter(|c| *c != '.').flat_map(char::to_uppercase).collect();
    let mut chars = compact.chars();
    let letter = chars.next().filter(char::is_ascii_uppercase)?;
    let digits: String = chars.by_ref().take(2).collect();
    if digits.len() != 2 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let rest: String = chars.collect();
    if rest.len() > 4 || !rest.chars().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()) {
        return None;
    }
    Some(if rest.is_empty() { format!("{letter}{digits}") } else { format!("{letter}{digits}.{rest}") })
}

/// Record a diagnosis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagnoseCondition {
    pub entry_id: Uuid,
    pub icd10: String,
    pub description: String,
    pub onset: Option<String>,
    pub status: ConditionStatus,
    pub encounter_id: Option<Uuid>,
    pub amends: Option<Correction>,
    /// Today, `YYYY-MM-DD` (the domain reads no clock).
    pub today: String,
}

pub fn decide_condition(
    record: Option<&PatientRecord>,
    command: DiagnoseCondition,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = record.ok_or(RecordError::UnknownPatient)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Conditions, &mut errors)?;
    let icd10 = normalise_icd10(&command.icd10).unwrap_or_else(|| {
        errors.push(FieldError::new("/icd10", "must be an ICD-10 code such as B50.9 or A00"));
        command.icd10.clone()
    });
    let description = text(&command.description, "/description", 2..=200, &mut errors);
    let birth = record.patient.birth_date.date.clone();
    let onset =
        command.onset.as_deref().map(|onset| past_date(onset, "/onset", &command.today, Some(&birth), &mut errors));
    if let Some(encounter) = command.encounter_id {
        if record.entries.get(&encounter).is_none_or(|entry| entry.section != Section::Encounters) {
            errors.push(FieldError::new("/encounter_id", "no such encounter in this record"));
        }
    }
    finish(
        errors,
        RecordEvent::Condition(ConditionDiagnosed {
            entry_id: command.entry_id,
            icd10,
            description,
            onset,
            status: command.status,
            encounter_id: command.encounter_id,
            amends,
        }),
    )
}

/// Record a dose of vaccine given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordImmunization {
    pub entry_id: Uuid,
    pub antigen: String,
    pub dose_number: u32,
    pub lot: String,
    pub given_on: String,
    pub facility_id: Uuid,
    pub amends: Option<Correction>,
    pub today: String,
}

pub fn decide_immunization(
    record: Option<&PatientRecord>,
    command: RecordImmunization,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = record.ok_or(RecordError::UnknownPatient)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Immunizations, &mut errors)?;
    let birth = record.patient.birth_date.date.clone();
    let given_on = past_date(&command.given_on, "/given_on", &command.today, Some(&birth), &mut errors);
    let antigen = command.antigen.trim().to_uppercase();
    // The dose must exist in the schedule in force on the day it was given.
    match schedule::in_force_on(&given_on).map(|version| (version, version.antigen(&antigen))) {
        None => errors.push(FieldError::new("/antigen", "no immunisation schedule is available")),
        Some((version, None)) => {
            let known: Vec<&str> = version.antigens.iter().map(|antigen| antigen.code.as_str()).collect();
            errors.push(FieldError::new("/antigen", format!("unknown antigen; one of {}", known.join(", "))));
        }
        Some((_, Some(known))) => {
            if !known.doses.iter().any(|dose| dose.number == command.dose_number) {
                let numbers: Vec<String> = known.doses.iter().map(|dose| dose.number.to_string()).collect();
                errors.push(FieldError::new(
                    "/dose_number",
                    format!("{} has doses {} in the schedule", known.code, numbers.join(", ")),
                ));
            }
        }
    }
    let lot = text(&command.lot, "/lot", 1..=40, &mut errors);
    finish(
        errors,
        RecordEvent::Immunization(ImmunizationRecorded {
            entry_id: command.entry_id,
            antigen,
            dose_number: command.dose_number,
            lot,
            given_on,
            facility_id: command.facility_id,
            amends,
        }),
    )
}

/// Record an encounter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEncounter {
    pub entry_id: Uuid,
    pub facility_id: Uuid,
    pub practitioner_id: Uuid,
    pub date: String,
    pub reason: String,
    pub notes: Option<String>,
    pub amends: Option<Correction>,
    pub today: String,
}

pub fn decide_encounter(
    record: Option<&PatientRecord>,
    command: RecordEncounter,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = record.ok_or(RecordError::UnknownPatient)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Encounters, &mut errors)?;
    let birth = record.patient.birth_date.date.clone();
    let date = past_date(&command.date, "/date", &command.today, Some(&birth), &mut errors);
    let reason = text(&command.reason, "/reason", 2..=200, &mut errors);
    let notes = optional_text(command.notes.as_deref(), "/notes", 1..=4000, &mut errors);
    finish(
        errors,
        RecordEvent::Encounter(EncounterRecorded {
            entry_id: command.entry_id,
            facility_id: command.facility_id,
            practitioner_id: command.practitioner_id,
            date,
            reason,
            notes,
            amends,
        }),
    )
}

/// Withdraw an entry recorded by mistake.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkEnteredInError {
    pub entry_id: Uuid,
    pub reason: String,
}

pub fn decide_entered_in_error(
    record: Option<&PatientRecord>,
    command: MarkEnteredInError,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = record.ok_or(RecordError::UnknownPatient)?;
    let entry = record.entries.get(&command.entry_id).ok_or(RecordError::UnknownEntry)?;
    if entry.status != super::EntryStatus::Current {
        return Err(RecordError::AlreadyCorrected);
    }
    let mut errors = Vec::new();
    let reason = text(&command.reason, "/reason", REASON, &mut errors);
    finish(errors, RecordEvent::EnteredInError(EntryEnteredInError { entry_id: command.entry_id, reason }))
}

/// The section an entry belongs to, for authorising a correction of it.
pub fn section_of(record: &PatientRecord, entry_id: Uuid) -> Option<Section> {
    record.entries.get(&entry_id).map(|entry| entry.section)
}
