//! Which cells an entry counts in, and what about the patient keys them.

use super::{COHORT_DOSES, DEATHS, DIAGNOSES, DOSES, ENCOUNTERS, REFERRALS, REGISTRATIONS};
use crate::context::Context;
use crate::projectors::decode;
use crate::table::Table;
use crate::write::{Value, Write};
use crate::ProjectionError;
use chrono::{FixedOffset, NaiveDate};
use domain::statistics::age_band::AgeBand;
use domain::statistics::period::iso_week;
use event_schema::events::patient::PatientRegistered;
use event_schema::events::record::{
    Amends, ConditionDiagnosed, ConditionStatus, DeathRecorded, EncounterRecorded, ImmunizationRecorded, ReferralMade,
};
use event_schema::{Catalog, Entry, EventPayload};
use uuid::Uuid;

/// One cell of one table, by its key.
#[derive(Debug, Clone)]
pub(super) struct Cell {
    table: &'static Table,
    key: Vec<Value>,
}

impl Cell {
    pub(super) fn write(&self, delta: i64) -> Write {
        Write::Count { table: self.table, key: self.key.clone(), delta }
    }
}

/// What a patient's registration says that cells are keyed by. Nothing here leaves the projector but
/// through the coarse keys it makes (a month of birth, an age band, a district).
#[derive(Debug, Clone)]
pub(super) struct Person {
    birth: NaiveDate,
    sex: String,
    region: String,
    district: String,
}

impl Person {
    pub(super) fn registered(e: &PatientRegistered, entry: &Entry) -> Result<Person, ProjectionError> {
        let sex = serde_json::to_value(e.sex).ok().and_then(|v| v.as_str().map(str::to_owned));
        Ok(Person {
            birth: day(&e.birth_date.date, entry)?,
            sex: sex.ok_or_else(|| undecodable(entry, "a sex without a name"))?,
            region: e.region.clone(),
            district: e.health_district.clone(),
        })
    }

    fn month_of_birth(&self) -> String {
        self.birth.format("%Y-%m").to_string()
    }

    fn band_on(&self, day: NaiveDate) -> &'static str {
        AgeBand::on(self.birth, day).code()
    }

    /// The person's cell among the registrations.
    pub(super) fn registration(&self) -> Cell {
        Cell {
            table: &REGISTRATIONS,
            key: vec![
                self.month_of_birth().into(),
                self.region.as_str().into(),
                self.district.as_str().into(),
                self.sex.as_str().into(),
            ],
        }
    }
}

/// The patient whose stream `entry` is in, from their registration (the stream's first entry).
pub(super) fn person(context: &Context, entry: &Entry) -> Result<Person, ProjectionError> {
    let start = context
        .start_of(&entry.stream_id)
        .ok_or_else(|| undecodable(entry, "the patient's registration is not in the ledger"))?;
    if start.event_type != PatientRegistered::EVENT_TYPE {
        return Err(undecodable(entry, "the patient's stream does not start with a registration"));
    }
    let registered: PatientRegistered = decode_with_catalog_free(start)?;
    Person::registered(&registered, start)
}

/// A registration is always read at its current version: it has only ever had one. (Through the
/// catalogue's upcasters should it gain another, as every other entry here is.)
fn decode_with_catalog_free(entry: &Entry) -> Result<PatientRegistered, ProjectionError> {
    if entry.schema_version != PatientRegistered::SCHEMA_VERSION {
        return Err(undecodable(entry, "a registration at a schema version this projector cannot read"));
    }
    serde_json::from_str(entry.payload.as_str()).map_err(|error| undecodable(entry, &error.to_string()))
}

/// The cells `entry` counts in, and the entry it amends, if any.
pub(super) fn of(
    entry: &Entry,
    catalog: &Catalog,
    person: &Person,
) -> Result<(Vec<Cell>, Option<Uuid>), ProjectionError> {
    let amended = |amends: Option<Amends>| amends.map(|amends| amends.entry_id);
    Ok(match entry.event_type.as_str() {
        ImmunizationRecorded::EVENT_TYPE => {
            let e: ImmunizationRecorded = decode(catalog, entry)?;
            let given = day(&e.given_on, entry)?;
            let dose = i64::from(e.dose_number);
            let cells = vec![
                Cell {
                    table: &DOSES,
                    key: vec![
                        text_day(given),
                        iso_week(given).into(),
                        e.facility_id.into(),
                        e.antigen.as_str().into(),
                        dose.into(),
                        person.sex.as_str().into(),
                        person.band_on(given).into(),
                    ],
                },
                Cell {
                    table: &COHORT_DOSES,
                    key: vec![
                        person.month_of_birth().into(),
                        person.region.as_str().into(),
                        person.district.as_str().into(),
                        person.sex.as_str().into(),
                        e.antigen.as_str().into(),
                        dose.into(),
                        given.format("%Y-%m").to_string().into(),
                    ],
                },
            ];
            (cells, amended(e.amends))
        }
        ConditionDiagnosed::EVENT_TYPE => {
            let e: ConditionDiagnosed = decode(catalog, entry)?;
            let on = local_day(entry);
            // A condition recorded as in remission or resolved is history, not a new case.
            let new_case = matches!(e.status, ConditionStatus::Active | ConditionStatus::Recurrence);
            let cells = if new_case {
                vec![Cell {
                    table: &DIAGNOSES,
                    key: vec![
                        text_day(on),
                        iso_week(on).into(),
                        facility_of(entry).into(),
                        e.icd10.as_str().into(),
                        person.sex.as_str().into(),
                        person.band_on(on).into(),
                    ],
                }]
            } else {
                Vec::new()
            };
            (cells, amended(e.amends))
        }
        EncounterRecorded::EVENT_TYPE => {
            let e: EncounterRecorded = decode(catalog, entry)?;
            let on = day(&e.date, entry)?;
            let class = match e.class {
                Some(class) => serde_json::to_value(class)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .ok_or_else(|| undecodable(entry, "an encounter class without a name"))?,
                None => String::new(),
            };
            let cells = vec![Cell {
                table: &ENCOUNTERS,
                key: vec![
                    text_day(on),
                    iso_week(on).into(),
                    e.facility_id.into(),
                    class.into(),
                    person.sex.as_str().into(),
                    person.band_on(on).into(),
                ],
            }];
            (cells, amended(e.amends))
        }
        ReferralMade::EVENT_TYPE => {
            let e: ReferralMade = decode(catalog, entry)?;
            let on = local_day(entry);
            let kind = serde_json::to_value(e.kind).ok().and_then(|v| v.as_str().map(str::to_owned));
            let kind = kind.ok_or_else(|| undecodable(entry, "a referral kind without a name"))?;
            let cells = vec![Cell {
                table: &REFERRALS,
                key: vec![
                    text_day(on),
                    iso_week(on).into(),
                    kind.into(),
                    e.from_facility_id.into(),
                    e.to_facility_id.into(),
                ],
            }];
            (cells, amended(e.amends))
        }
        DeathRecorded::EVENT_TYPE => {
            let e: DeathRecorded = decode(catalog, entry)?;
            let on = day(&e.died_on, entry)?;
            let place = serde_json::to_value(e.place).ok().and_then(|v| v.as_str().map(str::to_owned));
            let place = place.ok_or_else(|| undecodable(entry, "a place of death without a name"))?;
            let cells = vec![Cell {
                table: &DEATHS,
                key: vec![
                    text_day(on),
                    iso_week(on).into(),
                    person.region.as_str().into(),
                    person.district.as_str().into(),
                    e.underlying_cause.as_str().into(),
                    person.sex.as_str().into(),
                    person.band_on(on).into(),
                    place.into(),
                ],
            }];
            (cells, amended(e.amends))
        }
        _ => (Vec::new(), None),
    })
}

/// The facility an entry was recorded from, or `""` for an account with none.
fn facility_of(entry: &Entry) -> String {
    entry.actor.facility_id.map(|id| id.to_string()).unwrap_or_default()
}

/// The day an entry was recorded, in Cameroon (UTC+01:00 all year).
fn local_day(entry: &Entry) -> NaiveDate {
    let at = entry.occurred_at.as_datetime();
    match FixedOffset::east_opt(3600) {
        Some(cameroon) => at.with_timezone(&cameroon).date_naive(),
        None => at.date_naive(),
    }
}

fn text_day(day: NaiveDate) -> Value {
    day.format("%Y-%m-%d").to_string().into()
}

fn day(text: &str, entry: &Entry) -> Result<NaiveDate, ProjectionError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| undecodable(entry, "a date that is not YYYY-MM-DD"))
}

fn undecodable(entry: &Entry, reason: &str) -> ProjectionError {
    ProjectionError::Undecodable {
        position: entry.position,
        event_type: entry.event_type.clone(),
        reason: reason.to_owned(),
    }
}
