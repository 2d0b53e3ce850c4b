//! The patient's death, as a doctor certifies it: the day, the place, and the underlying cause.
//!
//! A record holds at most one death that stands. A second is refused unless it amends the first (a
//! correction of its date, place or cause); entering the death in error withdraws it, and the patient
//! is alive again in the record. While a death stands, no clinical date may follow it (checked for
//! every command by [`within_lifespan`](super::within_lifespan)), no appointment may be booked or moved
//! (see [`appointments`](super::appointments)), and appointments booked for a later day read as
//! cancelled by it ([`Appointment::cancelled_by_death`](super::Appointment::cancelled_by_death)).

use super::clinical::{amends, checked_icd10_in, finish, Correction};
use super::{past_date, EntryStatus, PatientRecord, RecordError, RecordEvent};
use crate::access::Section;
use crate::patient::calendar_date;
use crate::FieldError;
use event_schema::events::record::{DeathRecorded, PlaceOfDeath};
use uuid::Uuid;

/// Record the patient's death.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordDeath {
    pub entry_id: Uuid,
    /// The day of death, `YYYY-MM-DD`.
    pub died_on: String,
    pub place: PlaceOfDeath,
    /// The facility, when the patient died in one (and only then).
    pub facility_id: Option<Uuid>,
    /// The underlying cause, as an ICD-10 code of WHO's list.
    pub underlying_cause: String,
    /// The recorded death this one corrects.
    pub amends: Option<Correction>,
    /// Today, `YYYY-MM-DD` (the domain reads no clock).
    pub today: String,
}

pub fn decide_death(record: Option<&PatientRecord>, command: RecordDeath) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    // One death stands at a time: anything but a correction of it is a second death.
    if let Some(standing) = record.death() {
        if command.amends.as_ref().map(|correction| correction.entry_id) != Some(standing.entry_id) {
            return Err(RecordError::DeathAlreadyRecorded {
                entry_id: standing.entry_id,
                died_on: standing.died_on.clone(),
            });
        }
    }
    let mut errors = Vec::new();
    let amends = amends(record, command.amends, Section::Death, &mut errors)?;
    let died_on = past_date(&command.died_on, "/died_on", &command.today, &mut errors);
    let underlying_cause = checked_icd10_in("/underlying_cause", &command.underlying_cause, &mut errors);
    match (command.place, command.facility_id) {
        (PlaceOfDeath::Facility, None) => errors.push(FieldError::rule(
            "/facility_id",
            "is required when the patient died in a facility / est obligatoire lorsque le patient est décédé dans \
             une formation sanitaire",
        )),
        (PlaceOfDeath::Home | PlaceOfDeath::InTransit | PlaceOfDeath::Other, Some(_)) => errors.push(FieldError::rule(
            "/facility_id",
            "is given only when the patient died in a facility (place `facility`) / n'est indiqué que si le patient \
             est décédé dans une formation sanitaire (lieu `facility`)",
        )),
        _ => {}
    }
    if errors.iter().all(|error| error.field != "/died_on") {
        no_care_after(record, &died_on, &mut errors);
    }
    finish(
        record,
        errors,
        RecordEvent::Death(DeathRecorded {
            entry_id: command.entry_id,
            died_on,
            place: command.place,
            facility_id: command.facility_id,
            underlying_cause,
            amends,
        }),
    )
}

/// Refuses a date of death that care already recorded follows: an entry still standing (current,
/// stopped or cancelled, not amended or entered in error) dated after it. The entry must be corrected
/// first, or the date of death is the mistake. Earlier deaths are not care: a correction replaces them.
fn no_care_after(record: &PatientRecord, died_on: &str, errors: &mut Vec<FieldError>) {
    let Some(died_on) = calendar_date(died_on) else { return };
    let latest = record
        .entries
        .values()
        .filter(|entry| entry.section != Section::Death)
        .filter(|entry| !matches!(entry.status, EntryStatus::AmendedBy(_) | EntryStatus::EnteredInError))
        .filter_map(|entry| entry.dated)
        .max();
    if let Some(latest) = latest.filter(|latest| *latest > died_on) {
        let latest = latest.format("%Y-%m-%d");
        errors.push(FieldError::rule(
            "/died_on",
            format!(
                "cannot be before care the record holds on {latest}; correct that entry first / ne peut précéder \
                 des soins enregistrés le {latest} ; corrigez d'abord cette entrée"
            ),
        ));
    }
}
