//! Clinical entries: allergies, diagnoses, immunizations, encounters, and their corrections.

use super::schedule;
use super::{optional_text, past_date, text, PatientRecord, RecordError, RecordEvent};
use crate::access::Section;
use crate::patient::calendar_date;
use crate::FieldError;
use event_schema::events::patient::Sex;
use event_schema::events::record::{
    AllergyCategory, AllergyRecorded, AllergyStatus, Amends, ConditionDiagnosed, ConditionStatus, Dose, DoseUnit,
    EncounterClass, EncounterRecorded, EntryEnteredInError, ImmunizationRecorded, PrescriptionCancelled,
    PrescriptionIssued, ReferralKind, ReferralMade, Route, Severity, Urgency,
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

/// The end of every decision on the record: the event, unless a field was refused. Every clinical date
/// the event states is checked here against the patient's life, so no command can skip that check.
pub(crate) fn finish(
    record: &PatientRecord,
    mut errors: Vec<FieldError>,
    event: RecordEvent,
) -> Result<Vec<RecordEvent>, RecordError> {
    super::within_lifespan(record, &event, &mut errors);
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
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Allergies, &mut errors)?;
    let substance = text(&command.substance, "/substance", 2..=120, &mut errors);
    let reaction = optional_text(command.reaction.as_deref(), "/reaction", 2..=200, &mut errors);
    finish(
        record,
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

/// Whether `text` matches the pattern the API document publishes for an ICD-10 code. A single
/// trailing line feed is let through, since the `$` of the regular expressions most validators use
/// (Python's, PCRE) matches before one, so they take `B50\n` as matching; it is tidied away.
fn has_published_icd10_shape(text: &str) -> bool {
    let text = text.strip_suffix('\n').unwrap_or(text);
    let Some((head, tail)) = text.split_at_checked(3) else { return false };
    let mut head = head.chars();
    let letter = head.next().is_some_and(|c| c.is_ascii_alphabetic());
    let tail = tail.strip_prefix('.').filter(|rest| !rest.is_empty()).unwrap_or(tail);
    letter && head.all(|c| c.is_ascii_digit()) && tail.len() <= 4 && tail.chars().all(|c| c.is_ascii_alphanumeric())
}

/// An ICD-10 code as the record stores it: in canonical form, and a code of WHO's list that a
/// diagnosis may carry ([`icd10`](super::icd10)); otherwise a field error that names the code.
pub(crate) fn checked_icd10(text: &str, errors: &mut Vec<FieldError>) -> String {
    checked_icd10_in("/icd10", text, errors)
}

/// [`checked_icd10`] for a code carried in `field`. The code must have the published shape as sent,
/// `^[A-Za-z][0-9]{2}(\.?[0-9A-Za-z]{1,4})?$`, before it is put in canonical form: a code padded
/// with spaces or dotted elsewhere is outside the document's pattern.
pub(crate) fn checked_icd10_in(field: &'static str, text: &str, errors: &mut Vec<FieldError>) -> String {
    let Some(code) = Some(text).filter(|text| has_published_icd10_shape(text)).and_then(normalise_icd10) else {
        errors.push(FieldError::new(field, "must be an ICD-10 code such as B50.9 or B54"));
        return text.to_owned();
    };
    if let Err(refusal) = super::icd10::check(&code) {
        errors.push(FieldError::rule(field, super::icd10::refusal_message(&code, &refusal)));
    }
    code
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
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Conditions, &mut errors)?;
    let icd10 = checked_icd10(&command.icd10, &mut errors);
    let description = text(&command.description, "/description", 2..=200, &mut errors);
    let onset = command.onset.as_deref().map(|onset| past_date(onset, "/onset", &command.today, &mut errors));
    if let Some(encounter) = command.encounter_id {
        if record.entries.get(&encounter).is_none_or(|entry| entry.section != Section::Encounters) {
            errors.push(FieldError::rule("/encounter_id", "no such encounter in this record"));
        }
    }
    finish(
        record,
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
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let replaced = command.amends.as_ref().map(|correction| correction.entry_id);
    let amends = amends(record, command.amends, Section::Immunizations, &mut errors)?;
    let given_on = past_date(&command.given_on, "/given_on", &command.today, &mut errors);
    // The code exactly as the schedule (and the document's enumeration) lists it: a padded or
    // lower-case code is outside the enumeration, not a spelling to correct.
    let antigen = command.antigen.clone();
    // The dose must exist in the schedule in force on the day it was given, and follow its rules.
    match schedule::in_force_on(&given_on).map(|version| (version, version.antigen(&antigen))) {
        None => errors.push(FieldError::rule("/antigen", "no immunisation schedule is available")),
        Some((version, None)) => {
            let known: Vec<&str> = version.antigens.iter().map(|antigen| antigen.code.as_str()).collect();
            let message = format!("unknown antigen on that day; one of {}", known.join(", "));
            // A code of another version of the schedule is one the published enum lists: a rule of the
            // day the dose was given, not a malformed request.
            let elsewhere = schedule::versions().iter().any(|other| other.antigen(&antigen).is_some());
            errors.push(if elsewhere {
                FieldError::rule("/antigen", message)
            } else {
                FieldError::new("/antigen", message)
            });
        }
        Some((_, Some(known))) => {
            if known.dose(command.dose_number).is_none() {
                let numbers: Vec<String> = known.doses.iter().map(|dose| dose.number.to_string()).collect();
                errors.push(FieldError::rule(
                    "/dose_number",
                    format!("{} has doses {} in the schedule", known.code, numbers.join(", ")),
                ));
            } else if errors.iter().all(|error| error.field != "/given_on") {
                follows_the_schedule(record, known, command.dose_number, &given_on, replaced, &mut errors);
            }
        }
    }
    let lot = text(&command.lot, "/lot", 1..=40, &mut errors);
    finish(
        record,
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

/// Checks a dose of `antigen` given on `given_on` against the schedule's rules for this patient: who
/// the antigen is offered to and where, the youngest age at which the dose counts, the preceding dose
/// of the series given first, and the least interval after it. `replaced` is the entry a correction
/// replaces, which no longer counts. Each refusal names its rule, in English then French.
fn follows_the_schedule(
    record: &PatientRecord,
    antigen: &schedule::Antigen,
    number: u32,
    given_on: &str,
    replaced: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) {
    let patient = &record.patient;
    let code = &antigen.code;
    if !antigen.offered_to(patient.sex, given_on) {
        let (sex_en, sex_fr) = match patient.sex {
            Sex::Female => ("girls and women", "aux filles et aux femmes"),
            _ => ("boys and men", "aux garçons et aux hommes"),
        };
        let message = match antigen.offered_to_from(patient.sex) {
            Some(from) => format!(
                "{code} is offered to {sex_en} only from {from} / le {code} n'est proposé {sex_fr} qu'à partir du {from}"
            ),
            None => format!("{code} is not offered to {sex_en} / le {code} n'est pas proposé {sex_fr}"),
        };
        errors.push(FieldError::rule("/antigen", message));
    }
    if !antigen.offered_in(&patient.region, &patient.health_district) {
        let district = &patient.health_district;
        errors.push(FieldError::rule(
            "/antigen",
            format!(
                "{code} is offered only in the health districts selected for it, and the patient's district \
                 ({district}) is not one of them / le {code} n'est proposé que dans les districts de santé \
                 retenus, et celui du patient ({district}) n'en fait pas partie"
            ),
        ));
    }
    let (Some(given), Some(birth)) = (calendar_date(given_on), super::earliest_clinical_date(patient)) else {
        return;
    };
    if given < birth {
        // Before the birth: the check of every clinical date names that, not an age.
        return;
    }
    let min_age = antigen.min_age_of(number);
    if let Some(from) = min_age.after(birth).filter(|from| given < *from) {
        errors.push(FieldError::rule(
            "/given_on",
            format!(
                "{code} dose {number} counts only from the age of {age_en} ({from}) / la dose {number} de {code} \
                 ne compte qu'à partir de l'âge de {age_fr} ({from})",
                age_en = min_age.english(),
                age_fr = min_age.french(),
            ),
        ));
    }
    let Some(preceding) = antigen.preceding(number) else { return };
    // The earliest standing record of the preceding dose is the one the series counts from.
    let preceding_on = record
        .doses_given(replaced)
        .filter(|dose| dose.antigen == *code && dose.dose_number == preceding)
        .filter_map(|dose| calendar_date(&dose.given_on))
        .min();
    let Some(preceding_on) = preceding_on else {
        errors.push(FieldError::rule(
            "/dose_number",
            format!(
                "{code} dose {number} needs dose {preceding} first / la dose {number} de {code} exige d'abord \
                 la dose {preceding}"
            ),
        ));
        return;
    };
    let interval = antigen.min_interval_of(number);
    let earliest = interval.and_then(|interval| interval.after(preceding_on)).unwrap_or(preceding_on);
    if given < earliest {
        let preceding_on = preceding_on.format("%Y-%m-%d");
        // Without a minimum interval, only the order of the doses is at stake.
        let (gap_en, gap_fr) = match interval {
            Some(gap) => (format!("at least {} after", gap.english()), format!("au moins {} après", gap.french())),
            None => ("on or after".to_owned(), "le jour même ou après".to_owned()),
        };
        errors.push(FieldError::rule(
            "/given_on",
            format!(
                "must be {gap_en} {code} dose {preceding} (given on {preceding_on}) / {gap_fr} la dose {preceding} \
                 de {code} (administrée le {preceding_on})"
            ),
        ));
    }
}

/// Record an encounter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEncounter {
    pub entry_id: Uuid,
    pub facility_id: Uuid,
    pub practitioner_id: Uuid,
    pub date: String,
    /// What kind of encounter it was, when stated.
    pub class: Option<EncounterClass>,
    pub reason: String,
    pub notes: Option<String>,
    pub amends: Option<Correction>,
    pub today: String,
}

pub fn decide_encounter(
    record: Option<&PatientRecord>,
    command: RecordEncounter,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Encounters, &mut errors)?;
    let date = past_date(&command.date, "/date", &command.today, &mut errors);
    let reason = text(&command.reason, "/reason", 2..=200, &mut errors);
    let notes = optional_text(command.notes.as_deref(), "/notes", 1..=4000, &mut errors);
    finish(
        record,
        errors,
        RecordEvent::Encounter(EncounterRecorded {
            entry_id: command.entry_id,
            facility_id: command.facility_id,
            practitioner_id: command.practitioner_id,
            date,
            class: command.class,
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
    let record = super::open_record(record)?;
    let entry = record.entries.get(&command.entry_id).ok_or(RecordError::UnknownEntry)?;
    if entry.status != super::EntryStatus::Current {
        return Err(RecordError::AlreadyCorrected);
    }
    let mut errors = Vec::new();
    let reason = text(&command.reason, "/reason", REASON, &mut errors);
    finish(record, errors, RecordEvent::EnteredInError(EntryEnteredInError { entry_id: command.entry_id, reason }))
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
        None => errors.push(FieldError::rule(
            "/dose/amount",
            "must be a positive decimal with at most three decimals, e.g. 500 or 0.5",
        )),
        Some(value) => {
            let (largest, shown) = largest_dose(dose.unit);
            if value > largest {
                errors
                    .push(FieldError::rule("/dose/amount", format!("more than {shown} in one dose is not plausible")));
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
    let record = super::open_record(record)?;
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
            errors.push(FieldError::rule("/encounter_id", "no such encounter in this record"));
        }
    }
    let instructions = optional_text(command.instructions.as_deref(), "/instructions", 1..=500, &mut errors);
    finish(
        record,
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
    let record = super::open_record(record)?;
    record.correctable(command.entry_id, Section::Prescriptions)?;
    let mut errors = Vec::new();
    let reason = text(&command.reason, "/reason", REASON, &mut errors);
    finish(
        record,
        errors,
        RecordEvent::PrescriptionCancelled(PrescriptionCancelled { entry_id: command.entry_id, reason }),
    )
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
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Referrals, &mut errors)?;
    if command.to_facility_id == command.from_facility_id {
        errors.push(FieldError::rule("/to_facility_id", "a referral goes to another facility"));
    }
    let reason = text(&command.reason, "/reason", 3..=500, &mut errors);
    if let Some(encounter) = command.encounter_id {
        if record.entries.get(&encounter).is_none_or(|entry| entry.section != Section::Encounters) {
            errors.push(FieldError::rule("/encounter_id", "no such encounter in this record"));
        }
    }
    finish(
        record,
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
