//! Appointments, by patient, facility and practitioner, with what became of each.
//!
//! A death cancels the appointments booked for a later day in Cameroon (`cancelled_by_death`), as the
//! record's fold does (`domain::record::Appointment::cancelled_by_death`); an amended death moves that
//! day, and a death entered in error gives them back, booked. An appointment on the day of death stays
//! booked: the facility may still record it attended.

use super::{decode, patient_of, Projector};
use crate::context::{Context, Needs};
use crate::table::Table;
use crate::write::{Value, Write};
use crate::{columns, micros, ProjectionError};
use chrono::{Days, NaiveDate};
use event_schema::events::record::{
    AppointmentBooked, AppointmentClosed, AppointmentOutcome, AppointmentRescheduled, DeathRecorded,
    EntryEnteredInError,
};
use event_schema::{Catalog, Entry, EventPayload};

pub static APPOINTMENTS: Table = Table {
    name: "rm_appointments",
    columns: columns![
        text "entry_id", text "patient_id", text "facility_id", text "practitioner_id", int "starts_at",
        text "reason", text "status", int "position",
    ],
    key: &["entry_id"],
};

pub struct Appointments;

/// Appointments a death cancelled, booked again (its date amended, or the death entered in error).
const RESTORE: &str = "UPDATE rm_appointments SET status = 'booked', position = $2 \
     WHERE patient_id = $1 AND status = 'cancelled_by_death'";

/// Booked appointments from the instant given on, cancelled by a death.
const CANCEL: &str = "UPDATE rm_appointments SET status = 'cancelled_by_death', position = $2 \
     WHERE patient_id = $1 AND status = 'booked' AND starts_at >= $3";

/// The first instant of the day after `died_on` in Cameroon (UTC+01:00), in microseconds.
fn day_after(died_on: &str, entry: &Entry) -> Result<i64, ProjectionError> {
    let undecodable = || ProjectionError::Undecodable {
        position: entry.position,
        event_type: entry.event_type.clone(),
        reason: "a day of death that is not YYYY-MM-DD".into(),
    };
    let day = NaiveDate::parse_from_str(died_on, "%Y-%m-%d").map_err(|_| undecodable())?;
    let next = day.checked_add_days(Days::new(1)).ok_or_else(undecodable)?;
    let midnight = next.and_hms_opt(0, 0, 0).ok_or_else(undecodable)?;
    Ok(midnight.and_utc().timestamp_micros() - 3_600_000_000)
}

impl Projector for Appointments {
    fn name(&self) -> &'static str {
        "appointments"
    }

    fn tables(&self) -> &'static [&'static Table] {
        static OWN: [&Table; 1] = [&APPOINTMENTS];
        &OWN
    }

    fn needs(&self, entry: &Entry, needs: &mut Needs) {
        // Whether an entry entered in error was a death takes the patient's stream to tell.
        if entry.event_type == EntryEnteredInError::EVENT_TYPE {
            needs.history_of(&entry.stream_id);
        }
    }

    fn project(
        &self,
        entry: &Entry,
        catalog: &Catalog,
        context: &Context,
        out: &mut Vec<Write>,
    ) -> Result<(), ProjectionError> {
        let position = Value::from(entry.position);
        match entry.event_type.as_str() {
            AppointmentBooked::EVENT_TYPE => {
                let e: AppointmentBooked = decode(catalog, entry)?;
                out.push(Write::Insert {
                    table: &APPOINTMENTS,
                    row: vec![
                        e.entry_id.into(),
                        patient_of(entry)?.into(),
                        e.facility_id.into(),
                        e.practitioner_id.into(),
                        micros(&e.starts_at).into(),
                        e.reason.into(),
                        "booked".into(),
                        position,
                    ],
                });
            }
            AppointmentRescheduled::EVENT_TYPE => {
                let e: AppointmentRescheduled = decode(catalog, entry)?;
                out.push(Write::Sql {
                    sql: "UPDATE rm_appointments SET starts_at = $2, position = $3 WHERE entry_id = $1 AND patient_id = $4",
                    params: vec![e.entry_id.into(), micros(&e.starts_at).into(), position, patient_of(entry)?.into()],
                });
            }
            AppointmentClosed::EVENT_TYPE => {
                let e: AppointmentClosed = decode(catalog, entry)?;
                let status = match e.outcome {
                    AppointmentOutcome::Cancelled => "cancelled",
                    AppointmentOutcome::Attended => "attended",
                    AppointmentOutcome::Missed => "missed",
                };
                out.push(Write::Sql {
                    sql:
                        "UPDATE rm_appointments SET status = $2, position = $3 WHERE entry_id = $1 AND patient_id = $4",
                    params: vec![e.entry_id.into(), status.into(), position, patient_of(entry)?.into()],
                });
            }
            EntryEnteredInError::EVENT_TYPE => {
                let e: EntryEnteredInError = decode(catalog, entry)?;
                let withdrawn = context.current(&entry.stream_id, entry.position, e.entry_id);
                if withdrawn.is_some_and(|withdrawn| withdrawn.event_type == DeathRecorded::EVENT_TYPE) {
                    out.push(Write::Sql { sql: RESTORE, params: vec![patient_of(entry)?.into(), position.clone()] });
                }
                out.push(Write::Sql {
                    sql: "UPDATE rm_appointments SET status = 'entered_in_error', position = $2 \
                          WHERE entry_id = $1 AND patient_id = $3",
                    params: vec![e.entry_id.into(), position, patient_of(entry)?.into()],
                });
            }
            DeathRecorded::EVENT_TYPE => {
                let e: DeathRecorded = decode(catalog, entry)?;
                let patient = patient_of(entry)?;
                if e.amends.is_some() {
                    out.push(Write::Sql { sql: RESTORE, params: vec![patient.into(), position.clone()] });
                }
                let from = day_after(&e.died_on, entry)?;
                out.push(Write::Sql { sql: CANCEL, params: vec![patient.into(), position, from.into()] });
            }
            _ => {}
        }
        Ok(())
    }
}
