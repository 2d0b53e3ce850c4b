//! Clinical entries: allergies, diagnoses, immunizations, encounters, and their corrections.

use super::schedule;
use super::{optional_text, past_date, text, PatientRecord, RecordError, RecordEvent};
use crate::access::Section;
use crate::FieldError;
use event_schema::events::record::{
    AllergyCategory, AllergyRecorded, AllergyStatus, Amends, ConditionDiagnosed, ConditionStatus, Dose, DoseUnit,
    EncounterRecorded, EntryEnteredInError, ImmunizationRecorded, PrescriptionCancelled, PrescriptionIssued,
    ReferralKind, ReferralMade, Route, Severity, Urgency,
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
pub(crate) fn amends(
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

pub(crate) fn finish(errors: Vec<FieldError>, event: RecordEvent) -> Result<Vec<RecordEvent>, RecordError> {
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

/// The largest single dose accepted per unit: anything above is a typing slip (a misplaced decimal
/// point, grams for milligrams), refused rather than recorded.
fn largest_dose(unit: DoseUnit) -> (u64, &'static str) {
    // In thousandths of the unit.
    match unit {
        DoseUnit::Mg => (10_000_000, "10000 mg"),
        DoseUnit::G => (10_000, "10 g"),
        DoseUnit::Mcg => (10_000_000, "10000 mcg"),
        DoseUnit::Ml => (1_000_000, "1000 mL"),
        DoseUnit::Iu => (10_000_000_000, "10000000 IU"),
        DoseUnit::Tablet | DoseUnit::Capsule | DoseUnit::Sachet => (10_000, "10"),
        DoseUnit::Drop => (60_000, "60 drops"),
        DoseUnit::Puff => (20_000, "20 puffs"),
    }
}

/// A decimal amount in thousandths, if `text` is a positive decimal with at most three decimals.
fn thousandths(text: &str) -> Option<u64> {
    let text = text.trim();
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || whole.len() > 12 || fraction.len() > 3 || !digits(whole) || !digits(fraction) {
        return None;
    }
    if text.ends_with('.') {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let fraction: u64 = format!("{fraction:0<3}").parse().ok()?;
    whole.checked_mul(1000)?.checked_add(fraction).filter(|amount| *amount > 0)
}

/// A dose, checked: an exact positive decimal, no larger than is plausible for its unit.
pub(crate) fn checked_dose(dose: &Dose, errors: &mut Vec<FieldError>) -> Dose {
    let amount = dose.amount.trim().to_owned();
    match thousandths(&amount) {
        None => errors.push(FieldError::new(
            "/dose/amount",
            "must be a positive decimal with at most three decimals, e.g. 500 or 0.5",
        )),
        Some(value) => {
            let (largest, shown) = largest_dose(dose.unit);
            if value > largest {
                errors.push(FieldError::new("/dose/amount", format!("more than {shown} in one dose is not plausible")));
            }
        }
    }
    Dose { amount, unit: dose.unit }
}

/// Prescribe a medicine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrescribeMedicine {
    pub entry_id: Uuid,
    pub medicine: String,
    pub dose: Dose,
    pub route: Route,
    pub times_per_day: u32,
    pub as_needed: bool,
    pub duration_days: u32,
    pub prescriber_id: Uuid,
    pub encounter_id: Option<Uuid>,
    pub instructions: Option<String>,
    pub amends: Option<Correction>,
}

pub fn decide_prescription(
    record: Option<&PatientRecord>,
    command: PrescribeMedicine,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = record.ok_or(RecordError::UnknownPatient)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Prescriptions, &mut errors)?;
    let medicine = text(&command.medicine, "/medicine", 2..=120, &mut errors);
    let dose = checked_dose(&command.dose, &mut errors);
    if !(1..=24).contains(&command.times_per_day) {
        errors.push(FieldError::new("/times_per_day", "must be 1 to 24"));
    }
    if !(1..=365).contains(&command.duration_days) {
        errors.push(FieldError::new("/duration_days", "must be 1 to 365 days"));
    }
    if let Some(encounter) = command.encounter_id {
        if record.entries.get(&encounter).is_none_or(|entry| entry.section != Section::Encounters) {
            errors.push(FieldError::new("/encounter_id", "no such encounter in this record"));
        }
    }
    let instructions = optional_text(command.instructions.as_deref(), "/instructions", 1..=500, &mut errors);
    finish(
        errors,
        RecordEvent::Prescription(PrescriptionIssued {
            entry_id: command.entry_id,
            medicine,
            dose,
            route: command.route,
            times_per_day: command.times_per_day,
            as_needed: command.as_needed,
            duration_days: command.duration_days,
            prescriber_id: command.prescriber_id,
            encounter_id: command.encounter_id,
            instructions,
            amends,
        }),
    )
}

/// Stop a prescription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelPrescription {
    pub entry_id: Uuid,
    pub reason: String,
}

pub fn decide_cancel_prescription(
    record: Option<&PatientRecord>,
    command: CancelPrescription,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = record.ok_or(RecordError::UnknownPatient)?;
    record.correctable(command.entry_id, Section::Prescriptions)?;
    let mut errors = Vec::new();
    let reason = text(&command.reason, "/reason", REASON, &mut errors);
    finish(errors, RecordEvent::PrescriptionCancelled(PrescriptionCancelled { entry_id: command.entry_id, reason }))
}

/// Refer the patient to another facility.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferPatient {
    pub entry_id: Uuid,
    pub kind: ReferralKind,
    pub from_facility_id: Uuid,
    pub to_facility_id: Uuid,
    pub reason: String,
    pub urgency: Urgency,
    pub encounter_id: Option<Uuid>,
    pub amends: Option<Correction>,
}

pub fn decide_referral(record: Option<&PatientRecord>, command: ReferPatient) -> Result<Vec<RecordEvent>, RecordError> {
    let record = record.ok_or(RecordError::UnknownPatient)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Referrals, &mut errors)?;
    if command.to_facility_id == command.from_facility_id {
        errors.push(FieldError::new("/to_facility_id", "a referral goes to another facility"));
    }
    let reason = text(&command.reason, "/reason", 3..=500, &mut errors);
    if let Some(encounter) = command.encounter_id {
        if record.entries.get(&encounter).is_none_or(|entry| entry.section != Section::Encounters) {
            errors.push(FieldError::new("/encounter_id", "no such encounter in this record"));
        }
    }
    finish(
        errors,
        RecordEvent::Referral(ReferralMade {
            entry_id: command.entry_id,
            kind: command.kind,
            from_facility_id: command.from_facility_id,
            to_facility_id: command.to_facility_id,
            reason,
            urgency: command.urgency,
            encounter_id: command.encounter_id,
            amends,
        }),
    )
}
