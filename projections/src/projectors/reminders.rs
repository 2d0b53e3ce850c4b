//! What reminders can be about, for the scheduler to decide from (`ReadModels::reminder_candidates`):
//! each patient's contacts, state and choices, and the subjects of their reminders (doses of the
//! schedule not given, appointments booked, appointments missed, results recorded), each with the
//! moment that decides when its reminders go. Which reminders were already decided is kept too, so
//! the scheduler does not decide one twice.
//!
//! Doses are planned at registration from the schedule version of the child's birth
//! (`domain::record::vaccination`), except those whose reminders could no longer go (due so long ago
//! that even the reminder of a missed dose is past), and counted as given by each current entry that
//! records them: an entry amended or entered in error stops counting. A dose counted given calls for
//! no reminder.

use super::{decode, patient_of, Projector};
use crate::context::{Context, Needs};
use crate::table::Table;
use crate::write::{Value, Write};
use crate::{columns, micros, ProjectionError};
use chrono::{Duration, NaiveDate, NaiveTime};
use domain::record::vaccination::{vaccination_plan, DoseStatus, Vaccinee};
use domain::reminders::{at_local, Timing};
use event_schema::events::patient::{PatientMerged, PatientRegistered};
use event_schema::events::record::{
    AppointmentBooked, AppointmentClosed, AppointmentOutcome, AppointmentRescheduled, DeathRecorded,
    EntryEnteredInError, ImmunizationRecorded, LabResultRecorded,
};
use event_schema::events::reminder::{
    ReminderDecided, ReminderDelivered, ReminderPreferencesSet, ReminderUndeliverable,
};
use event_schema::{Catalog, Entry, EventPayload};

pub static REMINDER_PATIENTS: Table = Table {
    name: "rm_reminder_patients",
    columns: columns![
        text "patient_id", text "given_names", text "birth_date", text "region", text "facility_id",
        text "phone", text "email", text "guardian_phone", text "state", text "language", text "channel",
        text "opted_out", int "position",
    ],
    key: &["patient_id"],
};

pub static REMINDER_SUBJECTS: Table = Table {
    name: "rm_reminder_subjects",
    columns: columns![
        text "subject_key", text "patient_id", text "kind", text "subject", int "about", text "facility_id",
        int "given", int "open", int "position",
    ],
    key: &["subject_key"],
};

pub static REMINDER_DECISIONS: Table = Table {
    name: "rm_reminder_decisions",
    columns: columns![
        text "reminder_id", text "subject", text "patient_id", text "occasion", int "about", text "channel",
        text "outcome", int "position",
    ],
    key: &["reminder_id", "subject"],
};

pub struct Reminders;

/// A subject's key: its kind and what names it within the patient's record.
fn key(kind: &str, patient: uuid::Uuid, subject: &str) -> String {
    format!("{kind}:{patient}:{subject}")
}

/// How a dose is named in a reminder: `<antigen>/<dose number>`.
pub fn dose_subject(antigen: &str, dose_number: u32) -> String {
    format!("{antigen}/{dose_number}")
}

const COUNT_DOSE: &str = "UPDATE rm_reminder_subjects SET given = given + $2, position = $3 WHERE subject_key = $1";
const CLOSE: &str = "UPDATE rm_reminder_subjects SET open = 0, position = $2 WHERE subject_key = $1";

impl Reminders {
    /// The patient's row and a subject for every dose of their schedule whose reminders could still go.
    fn registered(entry: &Entry, e: PatientRegistered, out: &mut Vec<Write>) {
        let position = Value::from(entry.position);
        let registered_on = domain::reminders::local_day(entry.occurred_at.as_datetime());
        let sex = serde_json::to_value(e.sex).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
        let vaccinee = Vaccinee::from_stored(&e.birth_date.date, &sex, &e.region, &e.health_district);
        let birth = NaiveDate::parse_from_str(&e.birth_date.date, "%Y-%m-%d").ok();
        // A birth date after the day of registration plans nothing (the card says the same).
        let today =
            birth.filter(|birth| *birth > registered_on).unwrap_or(registered_on).format("%Y-%m-%d").to_string();
        let last_chance = Duration::days(i64::from(Timing::default().overdue_after_days) + 7);
        if let Ok(plan) = vaccination_plan(&vaccinee, &[], &today) {
            for line in plan.lines.iter().filter(|line| line.status != DoseStatus::Given) {
                let Some(due_on) = line.due_on.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                else {
                    continue;
                };
                if due_on + last_chance < registered_on {
                    continue;
                }
                let subject = dose_subject(&line.antigen, line.dose_number);
                out.push(Write::Insert {
                    table: &REMINDER_SUBJECTS,
                    row: vec![
                        key("dose", e.patient_id, &subject).into(),
                        e.patient_id.into(),
                        "dose".into(),
                        subject.into(),
                        at_local(due_on, NaiveTime::MIN).timestamp_micros().into(),
                        Value::Text(None),
                        0_i64.into(),
                        1_i64.into(),
                        position.clone(),
                    ],
                });
            }
        }
        let first_name = e.given_names.split_whitespace().next().unwrap_or_default().to_owned();
        out.push(Write::Insert {
            table: &REMINDER_PATIENTS,
            row: vec![
                e.patient_id.into(),
                first_name.into(),
                e.birth_date.date.into(),
                e.region.into(),
                e.registered_at_facility.into(),
                e.phone.into(),
                e.email.into(),
                e.next_of_kin.and_then(|kin| kin.phone).into(),
                "active".into(),
                Value::Text(None),
                Value::Text(None),
                "".into(),
                position,
            ],
        });
    }

    /// What withdrawing `withdrawn` (amended or entered in error) undoes.
    fn withdraw(
        entry: &Entry,
        catalog: &Catalog,
        withdrawn: &Entry,
        out: &mut Vec<Write>,
    ) -> Result<(), ProjectionError> {
        let patient = patient_of(entry)?;
        let position = Value::from(entry.position);
        match withdrawn.event_type.as_str() {
            ImmunizationRecorded::EVENT_TYPE => {
                let dose: ImmunizationRecorded = decode(catalog, withdrawn)?;
                let subject = dose_subject(&dose.antigen, dose.dose_number);
                out.push(Write::Sql {
                    sql: COUNT_DOSE,
                    params: vec![key("dose", patient, &subject).into(), (-1_i64).into(), position],
                });
            }
            AppointmentBooked::EVENT_TYPE => {
                let booked: AppointmentBooked = decode(catalog, withdrawn)?;
                let subject = booked.entry_id.to_string();
                out.push(Write::Sql {
                    sql: CLOSE,
                    params: vec![key("appointment", patient, &subject).into(), position],
                });
            }
            LabResultRecorded::EVENT_TYPE => {
                let result: LabResultRecorded = decode(catalog, withdrawn)?;
                let subject = result.entry_id.to_string();
                out.push(Write::Sql { sql: CLOSE, params: vec![key("result", patient, &subject).into(), position] });
            }
            DeathRecorded::EVENT_TYPE => {
                out.push(Write::Sql {
                    sql: "UPDATE rm_reminder_patients SET state = 'active', position = $2 \
                          WHERE patient_id = $1 AND state = 'deceased'",
                    params: vec![patient.into(), position],
                });
            }
            _ => {}
        }
        Ok(())
    }
}

impl Projector for Reminders {
    fn name(&self) -> &'static str {
        "reminders"
    }

    fn tables(&self) -> &'static [&'static Table] {
        static OWN: [&Table; 3] = [&REMINDER_PATIENTS, &REMINDER_SUBJECTS, &REMINDER_DECISIONS];
        &OWN
    }

    fn needs(&self, entry: &Entry, needs: &mut Needs) {
        // What an amendment or an entry in error withdraws takes the patient's stream to tell. Payloads
        // are canonical JSON (no spaces), so an amendment is one whose `amends` is an object.
        let amends = || entry.payload.as_str().contains("\"amends\":{");
        match entry.event_type.as_str() {
            EntryEnteredInError::EVENT_TYPE => needs.history_of(&entry.stream_id),
            ImmunizationRecorded::EVENT_TYPE | LabResultRecorded::EVENT_TYPE if amends() => {
                needs.history_of(&entry.stream_id)
            }
            _ => {}
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
            PatientRegistered::EVENT_TYPE => Self::registered(entry, decode(catalog, entry)?, out),
            PatientMerged::EVENT_TYPE => {
                let e: PatientMerged = decode(catalog, entry)?;
                out.push(Write::Sql {
                    sql: "UPDATE rm_reminder_patients SET state = 'merged', position = $2 WHERE patient_id = $1",
                    params: vec![e.patient_id.into(), position],
                });
            }
            DeathRecorded::EVENT_TYPE => out.push(Write::Sql {
                sql: "UPDATE rm_reminder_patients SET state = 'deceased', position = $2 WHERE patient_id = $1",
                params: vec![patient_of(entry)?.into(), position],
            }),
            ImmunizationRecorded::EVENT_TYPE => {
                let e: ImmunizationRecorded = decode(catalog, entry)?;
                if let Some(amends) = &e.amends {
                    if let Some(withdrawn) = context.current(&entry.stream_id, entry.position, amends.entry_id) {
                        Self::withdraw(entry, catalog, withdrawn, out)?;
                    }
                }
                let subject = dose_subject(&e.antigen, e.dose_number);
                out.push(Write::Sql {
                    sql: COUNT_DOSE,
                    params: vec![key("dose", patient_of(entry)?, &subject).into(), 1_i64.into(), position],
                });
            }
            EntryEnteredInError::EVENT_TYPE => {
                let e: EntryEnteredInError = decode(catalog, entry)?;
                if let Some(withdrawn) = context.current(&entry.stream_id, entry.position, e.entry_id) {
                    Self::withdraw(entry, catalog, withdrawn, out)?;
                }
            }
            AppointmentBooked::EVENT_TYPE => {
                let e: AppointmentBooked = decode(catalog, entry)?;
                let patient = patient_of(entry)?;
                let subject = e.entry_id.to_string();
                out.push(Write::Insert {
                    table: &REMINDER_SUBJECTS,
                    row: vec![
                        key("appointment", patient, &subject).into(),
                        patient.into(),
                        "appointment".into(),
                        subject.into(),
                        micros(&e.starts_at).into(),
                        e.facility_id.into(),
                        0_i64.into(),
                        1_i64.into(),
                        position,
                    ],
                });
            }
            AppointmentRescheduled::EVENT_TYPE => {
                let e: AppointmentRescheduled = decode(catalog, entry)?;
                let subject = key("appointment", patient_of(entry)?, &e.entry_id.to_string());
                out.push(Write::Sql {
                    sql: "UPDATE rm_reminder_subjects SET about = $2, position = $3 WHERE subject_key = $1",
                    params: vec![subject.into(), micros(&e.starts_at).into(), position],
                });
            }
            AppointmentClosed::EVENT_TYPE => {
                let e: AppointmentClosed = decode(catalog, entry)?;
                let patient = patient_of(entry)?;
                let subject = e.entry_id.to_string();
                out.push(Write::Sql {
                    sql: CLOSE,
                    params: vec![key("appointment", patient, &subject).into(), position.clone()],
                });
                if e.outcome == AppointmentOutcome::Missed {
                    // The follow-up names the appointment's facility, which its booking gave.
                    out.push(Write::Sql {
                        sql: "INSERT INTO rm_reminder_subjects \
                              (subject_key, patient_id, kind, subject, about, facility_id, given, open, position) \
                              SELECT $1, patient_id, 'missed', subject, $2, facility_id, 0, 1, $3 \
                              FROM rm_reminder_subjects WHERE subject_key = $4",
                        params: vec![
                            key("missed", patient, &subject).into(),
                            micros(&entry.occurred_at).into(),
                            position,
                            key("appointment", patient, &subject).into(),
                        ],
                    });
                }
            }
            LabResultRecorded::EVENT_TYPE => {
                let e: LabResultRecorded = decode(catalog, entry)?;
                let patient = patient_of(entry)?;
                if let Some(amends) = &e.amends {
                    if let Some(withdrawn) = context.current(&entry.stream_id, entry.position, amends.entry_id) {
                        Self::withdraw(entry, catalog, withdrawn, out)?;
                    }
                }
                let subject = e.entry_id.to_string();
                out.push(Write::Insert {
                    table: &REMINDER_SUBJECTS,
                    row: vec![
                        key("result", patient, &subject).into(),
                        patient.into(),
                        "result".into(),
                        subject.into(),
                        micros(&entry.occurred_at).into(),
                        Value::Text(None),
                        0_i64.into(),
                        1_i64.into(),
                        position,
                    ],
                });
            }
            ReminderPreferencesSet::EVENT_TYPE => {
                let e: ReminderPreferencesSet = decode(catalog, entry)?;
                let word = |value: serde_json::Result<serde_json::Value>| {
                    value.ok().and_then(|value| value.as_str().map(str::to_owned))
                };
                let language = e.language.and_then(|language| word(serde_json::to_value(language)));
                let channel = e.channel.and_then(|channel| word(serde_json::to_value(channel)));
                let opted_out: Vec<String> =
                    e.opted_out.iter().filter_map(|kind| word(serde_json::to_value(kind))).collect();
                out.push(Write::Sql {
                    sql: "UPDATE rm_reminder_patients SET language = $2, channel = $3, opted_out = $4, position = $5 \
                          WHERE patient_id = $1",
                    params: vec![
                        e.patient_id.into(),
                        language.into(),
                        channel.into(),
                        opted_out.join(",").into(),
                        position,
                    ],
                });
            }
            ReminderDecided::EVENT_TYPE => {
                let e: ReminderDecided = decode(catalog, entry)?;
                let channel = serde_json::to_value(e.channel).ok().and_then(|v| v.as_str().map(str::to_owned));
                for subject in e.subjects {
                    out.push(Write::Insert {
                        table: &REMINDER_DECISIONS,
                        row: vec![
                            e.reminder_id.into(),
                            subject.into(),
                            e.patient_id.into(),
                            e.occasion.as_str().into(),
                            micros(&e.about).into(),
                            Value::Text(channel.clone()),
                            "queued".into(),
                            position.clone(),
                        ],
                    });
                }
            }
            ReminderDelivered::EVENT_TYPE | ReminderUndeliverable::EVENT_TYPE => {
                let (reminder_id, outcome) = if entry.event_type == ReminderDelivered::EVENT_TYPE {
                    (decode::<ReminderDelivered>(catalog, entry)?.reminder_id, "delivered")
                } else {
                    (decode::<ReminderUndeliverable>(catalog, entry)?.reminder_id, "undeliverable")
                };
                out.push(Write::Sql {
                    sql: "UPDATE rm_reminder_decisions SET outcome = $2, position = $3 WHERE reminder_id = $1",
                    params: vec![reminder_id.into(), outcome.into(), position],
                });
            }
            _ => {}
        }
        Ok(())
    }
}
