//! Guardianship: the parent or appointed guardian who manages a minor's record from their own portal
//! account, until the minor comes of age.
//!
//! A guardian is a patient like any other (their own record, their own health ID). The registration
//! desk or a clinician of a facility caring for the minor records the guardian after seeing the proof
//! (the birth certificate naming the parent, or the order appointing a guardian): a parent cannot
//! declare themselves. The guardianship then lets the guardian read the minor's record and act for
//! the minor where the minor could act themselves, and ends on its own the day the minor comes of
//! age, or earlier when staff end it with a reason.

use super::{text, PatientRecord, RecordError, RecordEvent};
use crate::patient;
use crate::FieldError;
use chrono::{Datelike, NaiveDate};
use event_schema::events::record::{GuardianRecorded, GuardianRelationship, GuardianshipEnded};
use uuid::Uuid;

/// The age of majority: Cameroon's Civil Code (art. 388 and 488) makes a person of age at 21.
pub const AGE_OF_MAJORITY: i32 = 21;

/// Record `guardian_patient_id` as the guardian of the record's patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordGuardian {
    pub guardian_patient_id: Uuid,
    pub relationship: GuardianRelationship,
    /// Today in Cameroon, `YYYY-MM-DD`.
    pub today: String,
}

/// End the guardianship of `guardian_patient_id` before the minor comes of age.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndGuardianship {
    pub guardian_patient_id: Uuid,
    pub reason: String,
}

/// The last day a minor born on `birth` is a minor: the day before their 21st birthday (for a birth
/// on 29 February, 28 February of that year, since the birthday falls on 1 March).
pub fn last_day_as_minor(birth: NaiveDate) -> Option<NaiveDate> {
    let year = birth.year().checked_add(AGE_OF_MAJORITY)?;
    let coming_of_age =
        NaiveDate::from_ymd_opt(year, birth.month(), birth.day()).or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))?;
    coming_of_age.pred_opt()
}

/// Whether a guardianship holding until `until` (`YYYY-MM-DD`) still holds on `today`. Dates in
/// `YYYY-MM-DD` order as text.
pub fn holds(until: &str, today: &str) -> bool {
    today <= until
}

pub fn decide_guardian(
    record: Option<&PatientRecord>,
    command: RecordGuardian,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let field = "/guardian_health_id";
    if command.guardian_patient_id == record.patient.id {
        return Err(RecordError::Invalid(vec![FieldError::rule(
            field,
            "is the patient's own: a patient cannot be their own guardian / c'est le patient lui-même",
        )]));
    }
    let birth = patient::calendar_date(&record.patient.birth_date.date);
    let until = birth.and_then(last_day_as_minor).map(|day| day.format("%Y-%m-%d").to_string());
    let Some(until) = until.filter(|until| holds(until, &command.today)) else {
        return Err(RecordError::Invalid(vec![FieldError::rule(
            "/patient_id",
            "the patient is of age (21 or older) and manages their own record / le patient est majeur",
        )]));
    };
    if record.guardians.get(&command.guardian_patient_id).is_some_and(|held| holds(held, &command.today)) {
        return Err(RecordError::Invalid(vec![FieldError::rule(
            field,
            "is already recorded as this patient's guardian / déjà enregistré comme tuteur de ce patient",
        )]));
    }
    Ok(vec![RecordEvent::GuardianRecorded(GuardianRecorded {
        guardian_patient_id: command.guardian_patient_id,
        relationship: command.relationship,
        until,
    })])
}

pub fn decide_end(record: Option<&PatientRecord>, command: EndGuardianship) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    // A reason an auditor can judge: a few words, not a letter.
    let reason = text(&command.reason, "/reason", 10..=500, &mut errors);
    if !record.guardians.contains_key(&command.guardian_patient_id) {
        errors.push(FieldError::rule(
            "/guardian_patient_id",
            "is not a guardian of this patient / n'est pas tuteur de ce patient",
        ));
    }
    if !errors.is_empty() {
        return Err(RecordError::Invalid(errors));
    }
    Ok(vec![RecordEvent::GuardianshipEnded(GuardianshipEnded {
        guardian_patient_id: command.guardian_patient_id,
        reason,
    })])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_minor_is_one_until_the_eve_of_their_twenty_first_birthday() {
        assert_eq!(last_day_as_minor(day("2010-06-15")), Some(day("2031-06-14")));
        assert_eq!(last_day_as_minor(day("2012-01-01")), Some(day("2032-12-31")));
        // Born on 29 February: of age on 1 March of a year without one.
        assert_eq!(last_day_as_minor(day("2008-02-29")), Some(day("2029-02-28")));
        assert!(holds("2031-06-14", "2031-06-14"));
        assert!(!holds("2031-06-14", "2031-06-15"));
    }
}
