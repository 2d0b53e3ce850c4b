//! Appointments, by patient, facility and practitioner, with what became of each.

use super::{decode, patient_of, Projector};
use crate::table::Table;
use crate::write::{Value, Write};
use crate::{columns, micros, ProjectionError};
use event_schema::events::record::{
    AppointmentBooked, AppointmentClosed, AppointmentOutcome, AppointmentRescheduled, EntryEnteredInError,
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

impl Projector for Appointments {
    fn name(&self) -> &'static str {
        "appointments"
    }

    fn tables(&self) -> &'static [&'static Table] {
        static OWN: [&Table; 1] = [&APPOINTMENTS];
        &OWN
    }

    fn project(&self, entry: &Entry, catalog: &Catalog, out: &mut Vec<Write>) -> Result<(), ProjectionError> {
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
                out.push(Write::Sql {
                    sql: "UPDATE rm_appointments SET status = 'entered_in_error', position = $2 \
                          WHERE entry_id = $1 AND patient_id = $3",
                    params: vec![e.entry_id.into(), position, patient_of(entry)?.into()],
                });
            }
            _ => {}
        }
        Ok(())
    }
}
