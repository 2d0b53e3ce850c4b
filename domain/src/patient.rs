//! Patients: registration at a facility's desk, which gives a person their nationwide health ID.
//!
//! `decide` takes the patient as their events left them (`None` if not registered) and a command, and
//! returns the events that follow, or every reason none can, so the desk corrects a form once. It does
//! no IO: the health ID's randomness and today's date come from the caller.

use crate::contact::{normalise_email, normalise_phone};
use crate::health_id::{normalise_national_id, HealthId};
use crate::reference;
use crate::{tidy, FieldError};
use chrono::{Months, NaiveDate};
use event_schema::events::patient::{BirthDate, NextOfKin, PatientRegistered, Sex};
use uuid::Uuid;

/// The patient as their events describe them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patient {
    pub id: Uuid,
    /// The health ID in canonical form.
    pub health_id: String,
    pub national_id: Option<String>,
    pub family_name: String,
    pub given_names: String,
    pub sex: Sex,
    pub birth_date: BirthDate,
    /// The region's code.
    pub region: String,
    pub health_district: String,
    /// In E.164 form.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub next_of_kin: Option<NextOfKin>,
    pub registered_at_facility: Uuid,
}

/// Register a patient (a registration desk's command). Text fields are as the desk submitted them;
/// `decide_register` tidies and normalises them, and an optional field left blank counts as not given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterPatient {
    pub patient_id: Uuid,
    /// Issued by the caller with [`HealthId::generate`]; the caller's index keeps it unique.
    pub health_id: HealthId,
    pub national_id: Option<String>,
    pub family_name: String,
    pub given_names: String,
    pub sex: Sex,
    /// The date as typed (`YYYY-MM-DD`) and whether it is an estimate.
    pub birth_date: BirthDate,
    /// The region's code, e.g. `LT`.
    pub region: String,
    pub health_district: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    /// The next of kin as typed; the phone is normalised like the patient's.
    pub next_of_kin: Option<NextOfKin>,
    /// The registering facility.
    pub facility_id: Uuid,
    /// Today's date (`YYYY-MM-DD`) from the caller's clock, against which the birth date is checked.
    pub today: String,
}

/// The events of a patient's stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatientEvent {
    Registered(PatientRegistered),
}

/// Why a patient command is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatientError {
    #[error("the patient is already registered")]
    AlreadyRegistered,
    #[error("the patient's details are invalid")]
    Invalid(Vec<FieldError>),
}

const NAME_LENGTH: std::ops::RangeInclusive<usize> = 1..=80;
const RELATIONSHIP_LENGTH: std::ops::RangeInclusive<usize> = 1..=40;
const DISTRICT_LENGTH: std::ops::RangeInclusive<usize> = 2..=80;
/// Older than the oldest documented person: such a date is a typing slip, such as a wrong century.
const OLDEST_AGE_YEARS: u32 = 130;

/// Decides what registering a patient records.
pub fn decide_register(state: Option<&Patient>, command: RegisterPatient) -> Result<Vec<PatientEvent>, PatientError> {
    if state.is_some() {
        return Err(PatientError::AlreadyRegistered);
    }
    let mut errors = Vec::new();
    let national_id = optional(command.national_id.as_deref(), "/national_id", normalise_national_id, &mut errors);
    let family_name = name(&command.family_name, "/family_name", NAME_LENGTH, &mut errors);
    let given_names = name(&command.given_names, "/given_names", NAME_LENGTH, &mut errors);
    let birth_date = birth_date(&command.birth_date.date, &command.today, &mut errors);
    if reference::region(&command.region).is_none() {
        let known: Vec<&str> = reference::regions().iter().map(|region| region.code.as_str()).collect();
        errors.push(FieldError::new("/region", format!("unknown region; one of {}", known.join(", "))));
    }
    let district = tidy(&command.health_district);
    errors.extend(crate::tidied_length("/health_district", &command.health_district, &district, &DISTRICT_LENGTH));
    let phone = optional(command.phone.as_deref(), "/phone", normalise_phone, &mut errors);
    let email = optional(command.email.as_deref(), "/email", normalise_email, &mut errors);
    let next_of_kin = command.next_of_kin.map(|kin| NextOfKin {
        name: name(&kin.name, "/next_of_kin/name", NAME_LENGTH, &mut errors),
        relationship: name(&kin.relationship, "/next_of_kin/relationship", RELATIONSHIP_LENGTH, &mut errors),
        phone: optional(kin.phone.as_deref(), "/next_of_kin/phone", normalise_phone, &mut errors),
    });
    if !errors.is_empty() {
        return Err(PatientError::Invalid(errors));
    }
    Ok(vec![PatientEvent::Registered(PatientRegistered {
        patient_id: command.patient_id,
        health_id: command.health_id.as_str().to_owned(),
        national_id,
        family_name,
        given_names,
        sex: command.sex,
        birth_date: BirthDate { date: birth_date, estimated: command.birth_date.estimated },
        region: command.region,
        health_district: district,
        phone,
        email,
        next_of_kin,
        registered_at_facility: command.facility_id,
    })])
}

/// Folds an event into the patient.
pub fn apply(_state: Option<Patient>, event: &PatientEvent) -> Option<Patient> {
    match event {
        PatientEvent::Registered(registered) => Some(Patient {
            id: registered.patient_id,
            health_id: registered.health_id.clone(),
            national_id: registered.national_id.clone(),
            family_name: registered.family_name.clone(),
            given_names: registered.given_names.clone(),
            sex: registered.sex,
            birth_date: registered.birth_date.clone(),
            region: registered.region.clone(),
            health_district: registered.health_district.clone(),
            phone: registered.phone.clone(),
            email: registered.email.clone(),
            next_of_kin: registered.next_of_kin.clone(),
            registered_at_facility: registered.registered_at_facility,
        }),
    }
}

/// A person's name or a short label, tidied: its length in `length` characters, at least one letter
/// (so "-" or "123" is not taken for a name) and no control characters (which tidying leaves only when
/// they are not white space, and which no form should send).
fn name(
    text: &str,
    field: &'static str,
    length: std::ops::RangeInclusive<usize>,
    errors: &mut Vec<FieldError>,
) -> String {
    let tidied = tidy(text);
    if let Some(error) = crate::tidied_length(field, text, &tidied, &length) {
        errors.push(error);
    } else if !tidied.chars().any(char::is_alphabetic) {
        errors.push(FieldError::rule(field, "must contain a letter"));
    }
    tidied
}

/// Checks a birth date: written `YYYY-MM-DD`, a real calendar date, not after today and not more than
/// 130 years before it. Returns the date as stored.
fn birth_date(text: &str, today: &str, errors: &mut Vec<FieldError>) -> String {
    const FIELD: &str = "/birth_date/date";
    let text = text.trim();
    let Some(date) = calendar_date(text) else {
        errors.push(FieldError::new(FIELD, "must be a real calendar date written YYYY-MM-DD"));
        return text.to_owned();
    };
    // Today comes from the caller's clock, not from the desk; should it ever be malformed the
    // registration is refused rather than a birth date accepted unchecked.
    let Some(today) = calendar_date(today) else {
        errors.push(FieldError::rule("/today", "the server's date is not a YYYY-MM-DD date"));
        return text.to_owned();
    };
    if date > today {
        errors.push(FieldError::rule(FIELD, "must not be in the future"));
    } else if today.checked_sub_months(Months::new(OLDEST_AGE_YEARS * 12)).is_none_or(|oldest| date < oldest) {
        errors.push(FieldError::rule(FIELD, format!("must not be more than {OLDEST_AGE_YEARS} years ago")));
    }
    date.format("%Y-%m-%d").to_string()
}

/// Parses exactly `YYYY-MM-DD`: chrono alone would also take `2023-2-3`, and the stored form must be
/// one spelling per date.
pub(crate) fn calendar_date(text: &str) -> Option<NaiveDate> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() == 10
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            4 | 7 => *byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    if !shaped {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Normalises an optional field, recording its error; a blank value counts as not given, since desk
/// forms send empty fields as empty strings.
fn optional(
    text: Option<&str>,
    field: &'static str,
    normalise: fn(&str) -> Result<String, String>,
    errors: &mut Vec<FieldError>,
) -> Option<String> {
    let text = text.filter(|text| !text.trim().is_empty())?;
    match normalise(text) {
        Ok(normalised) => Some(normalised),
        Err(message) => {
            errors.push(FieldError::rule(field, message));
            None
        }
    }
}
