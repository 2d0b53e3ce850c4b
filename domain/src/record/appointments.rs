//! Appointments: booked, moved, then cancelled, attended or missed; none after the patient's death.

use super::{text, PatientRecord, RecordError, RecordEvent};
use crate::FieldError;
use event_schema::events::record::{AppointmentBooked, AppointmentClosed, AppointmentOutcome, AppointmentRescheduled};
use event_schema::Timestamp;
use uuid::Uuid;

/// How far ahead an appointment may be booked.
const HORIZON_DAYS: i64 = 2 * 365;

/// Checks when an appointment is to start: ahead, within the horizon, and for a patient whose death
/// the record does not hold. An appointment starts in the future and a death is recorded once it has
/// happened, so while a death stands every appointment would fall after it.
fn upcoming(record: &PatientRecord, starts_at: Timestamp, now: Timestamp, errors: &mut Vec<FieldError>) {
    if let Some(death) = record.death() {
        let died_on = &death.died_on;
        errors.push(FieldError::rule(
            "/starts_at",
            format!(
                "the patient died on {died_on}: no appointment can be booked after their death / le patient est \
                 décédé le {died_on} : aucun rendez-vous ne peut être fixé après son décès"
            ),
        ));
    } else if starts_at <= now {
        errors.push(FieldError::rule("/starts_at", "must be in the future"));
    } else if starts_at.as_datetime() > now.as_datetime() + chrono::Duration::days(HORIZON_DAYS) {
        errors.push(FieldError::rule("/starts_at", "must be within two years"));
    }
}

/// Book an appointment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookAppointment {
    pub appointment_id: Uuid,
    pub facility_id: Uuid,
    pub practitioner_id: Option<Uuid>,
    pub starts_at: Timestamp,
    pub reason: String,
    pub now: Timestamp,
}

pub fn decide_book(record: Option<&PatientRecord>, command: BookAppointment) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let mut errors = Vec::new();
    upcoming(record, command.starts_at, command.now, &mut errors);
    let reason = text(&command.reason, "/reason", 2..=200, &mut errors);
    super::clinical::finish(
        record,
        errors,
        RecordEvent::AppointmentBooked(AppointmentBooked {
            entry_id: command.appointment_id,
            facility_id: command.facility_id,
            practitioner_id: command.practitioner_id,
            starts_at: command.starts_at,
            reason,
        }),
    )
}

/// The appointment, if it exists and was not closed. One cancelled by the patient's death is refused
/// by a rule on `field` that says so.
fn booked<'r>(
    record: &'r PatientRecord,
    appointment_id: Uuid,
    field: &'static str,
) -> Result<&'r super::Appointment, RecordError> {
    let appointment = record.appointments.get(&appointment_id).ok_or(RecordError::UnknownEntry)?;
    if appointment.outcome.is_some() {
        return Err(RecordError::AlreadyCorrected);
    }
    if appointment.cancelled_by_death {
        let died_on = record.death().map(|death| death.died_on.as_str()).unwrap_or_default();
        return Err(RecordError::Invalid(vec![FieldError::rule(
            field,
            format!(
                "the appointment was cancelled by the patient's death ({died_on}) / le rendez-vous a été annulé \
                 par le décès du patient ({died_on})"
            ),
        )]));
    }
    Ok(appointment)
}

/// The facility an appointment is at, for authorising changes to it.
pub fn facility_of(record: &PatientRecord, appointment_id: Uuid) -> Option<Uuid> {
    record.appointments.get(&appointment_id).map(|appointment| appointment.facility_id)
}

/// Move a booked appointment.
pub fn decide_reschedule(
    record: Option<&PatientRecord>,
    appointment_id: Uuid,
    starts_at: Timestamp,
    now: Timestamp,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    booked(record, appointment_id, "/starts_at")?;
    let mut errors = Vec::new();
    upcoming(record, starts_at, now, &mut errors);
    super::clinical::finish(
        record,
        errors,
        RecordEvent::AppointmentRescheduled(AppointmentRescheduled { entry_id: appointment_id, starts_at }),
    )
}

/// Close a booked appointment: cancelled (with a reason), attended, or missed (only once its time has
/// passed).
pub fn decide_close(
    record: Option<&PatientRecord>,
    appointment_id: Uuid,
    outcome: AppointmentOutcome,
    reason: Option<String>,
    now: Timestamp,
) -> Result<Vec<RecordEvent>, RecordError> {
    let record = super::open_record(record)?;
    let appointment = booked(record, appointment_id, "/outcome")?;
    let mut errors = Vec::new();
    let reason = match outcome {
        AppointmentOutcome::Cancelled => Some(text(reason.as_deref().unwrap_or(""), "/reason", 3..=300, &mut errors)),
        AppointmentOutcome::Missed if appointment.starts_at > now => {
            errors.push(FieldError::rule("/outcome", "an appointment is missed only once its time has passed"));
            None
        }
        // The record keeps why only for a cancellation; a reason sent with another outcome is still
        // held to what the document says of it, so the API refuses what its contract refuses.
        _ => {
            super::optional_text(reason.as_deref(), "/reason", 3..=300, &mut errors);
            None
        }
    };
    super::clinical::finish(
        record,
        errors,
        RecordEvent::AppointmentClosed(AppointmentClosed { entry_id: appointment_id, outcome, reason }),
    )
}
