//! Public-health statistics: counts per cell, never a row per person.
//!
//! Every table here is a set of cells (a day, a facility, an antigen, a sex, an age band…) with the
//! number of people or events in each (`n`), kept by [`Write::Count`]s. No cell names a patient; what
//! a cell is keyed by comes from the entry counted and from the patient's registration, which the
//! projector looks up in the ledger itself ([`Context`]) rather than keeping a copy of its own.
//!
//! - `st_registrations`: patients registered, by month of birth and the district they live in: the
//!   cohorts coverage is measured against.
//! - `st_cohort_doses`: children of those cohorts who received a dose, by month of birth, district of
//!   residence and month the dose was given (each dose of a series is given once, so a dose counted is
//!   a child counted).
//! - `st_doses`: doses given, by day and facility, with the child's sex and age band.
//! - `st_diagnoses`: new diagnoses (recorded active or recurring), by day, facility and full ICD-10
//!   code, with sex and age band: the burden tables group them by chapter or category, and the
//!   surveillance tables by the diseases the reference data maps codes to, at read time, so that a
//!   change of that mapping needs no rebuild.
//! - `st_encounters`: visits, by day, facility and class (outpatient, emergency, inpatient…; '' when
//!   not stated), with sex and age band.
//! - `st_referrals`: referrals and transfers, by day, kind and the two facilities.
//! - `st_deaths`: deaths, by day, district of residence, underlying cause, sex, age band and place.
//!
//! Facilities are cells' keys; their district and region are the directory's, joined when read.
//!
//! What the record corrects, the statistics follow: an entry amended is taken out of its cells and its
//! amendment counted in its own; an entry entered in error is taken out. Only an entry still current
//! is taken out, so a correction of a correction is counted once. A patient merged into another is
//! taken out of the registrations (the survivor stays counted); what was recorded on the merged record
//! stays counted where it was recorded.

mod cells;

use super::{decode, Projector};
use crate::context::{Context, Needs};
use crate::table::Table;
use crate::write::Write;
use crate::{columns, ProjectionError};
use cells::{Cell, Person};
use event_schema::events::patient::{PatientMerged, PatientRegistered};
use event_schema::events::record::{
    ConditionDiagnosed, DeathRecorded, EncounterRecorded, EntryEnteredInError, ImmunizationRecorded, ReferralMade,
};
use event_schema::{Catalog, Entry, EventPayload};
use uuid::Uuid;

pub static REGISTRATIONS: Table = Table {
    name: "st_registrations",
    columns: columns![text "birth_month", text "region", text "district", text "sex", int "n"],
    key: &["birth_month", "region", "district", "sex"],
};

pub static COHORT_DOSES: Table = Table {
    name: "st_cohort_doses",
    columns: columns![
        text "birth_month", text "region", text "district", text "sex", text "antigen", int "dose_number",
        text "given_month", int "n",
    ],
    key: &["birth_month", "region", "district", "sex", "antigen", "dose_number", "given_month"],
};

pub static DOSES: Table = Table {
    name: "st_doses",
    columns: columns![
        text "day", text "week", text "facility_id", text "antigen", int "dose_number", text "sex", text "age_band",
        int "n",
    ],
    key: &["day", "facility_id", "antigen", "dose_number", "sex", "age_band"],
};

pub static DIAGNOSES: Table = Table {
    name: "st_diagnoses",
    columns: columns![
        text "day", text "week", text "facility_id", text "icd10", text "sex", text "age_band", int "n",
    ],
    key: &["day", "facility_id", "icd10", "sex", "age_band"],
};

pub static ENCOUNTERS: Table = Table {
    name: "st_encounters",
    columns: columns![
        text "day", text "week", text "facility_id", text "class", text "sex", text "age_band", int "n",
    ],
    key: &["day", "facility_id", "class", "sex", "age_band"],
};

pub static REFERRALS: Table = Table {
    name: "st_referrals",
    columns: columns![
        text "day", text "week", text "kind", text "from_facility_id", text "to_facility_id", int "n",
    ],
    key: &["day", "kind", "from_facility_id", "to_facility_id"],
};

pub static DEATHS: Table = Table {
    name: "st_deaths",
    columns: columns![
        text "day", text "week", text "region", text "district", text "cause", text "sex", text "age_band",
        text "place", int "n",
    ],
    key: &["day", "region", "district", "cause", "sex", "age_band", "place"],
};

pub struct Statistics;

/// The statistics projector's name, in checkpoints.
pub(crate) const NAME: &str = "statistics";

/// The event types whose entries count in some cell, and so may be amended or entered in error.
const COUNTED: [&str; 5] = [
    ImmunizationRecorded::EVENT_TYPE,
    ConditionDiagnosed::EVENT_TYPE,
    EncounterRecorded::EVENT_TYPE,
    ReferralMade::EVENT_TYPE,
    DeathRecorded::EVENT_TYPE,
];

impl Projector for Statistics {
    fn name(&self) -> &'static str {
        NAME
    }

    fn tables(&self) -> &'static [&'static Table] {
        static OWN: [&Table; 7] = [&REGISTRATIONS, &COHORT_DOSES, &DOSES, &DIAGNOSES, &ENCOUNTERS, &REFERRALS, &DEATHS];
        &OWN
    }

    fn needs(&self, entry: &Entry, needs: &mut Needs) {
        let event_type = entry.event_type.as_str();
        if event_type == PatientMerged::EVENT_TYPE
            || event_type == EntryEnteredInError::EVENT_TYPE
            || COUNTED.contains(&event_type)
        {
            needs.start_of(&entry.stream_id);
        }
        // A correction names the entry it corrects by id; finding it (and whether it is still
        // current) takes the patient's stream. Looking at the text spares decoding every entry twice:
        // an entry that amends nothing has `"amends":null`.
        let corrects = event_type == EntryEnteredInError::EVENT_TYPE
            || (COUNTED.contains(&event_type) && entry.payload.as_str().contains("\"amends\":{"));
        if corrects {
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
        match entry.event_type.as_str() {
            PatientRegistered::EVENT_TYPE => {
                let e: PatientRegistered = decode(catalog, entry)?;
                let person = Person::registered(&e, entry)?;
                out.push(person.registration().write(1));
            }
            PatientMerged::EVENT_TYPE => {
                let person = cells::person(context, entry)?;
                out.push(person.registration().write(-1));
            }
            EntryEnteredInError::EVENT_TYPE => {
                let e: EntryEnteredInError = decode(catalog, entry)?;
                withdraw(entry, e.entry_id, catalog, context, out)?;
            }
            event_type if COUNTED.contains(&event_type) => {
                let person = cells::person(context, entry)?;
                let (counted, amends) = cells::of(entry, catalog, &person)?;
                if let Some(amended) = amends {
                    withdraw(entry, amended, catalog, context, out)?;
                }
                out.extend(counted.iter().map(|cell| cell.write(1)));
            }
            _ => {}
        }
        Ok(())
    }
}

/// Takes the entry `entry_id` of the patient's record out of its cells, if it is still current when
/// `correction` is folded.
fn withdraw(
    correction: &Entry,
    entry_id: Uuid,
    catalog: &Catalog,
    context: &Context,
    out: &mut Vec<Write>,
) -> Result<(), ProjectionError> {
    let Some(corrected) = context.current(&correction.stream_id, correction.position, entry_id) else {
        return Ok(());
    };
    if !COUNTED.contains(&corrected.event_type.as_str()) {
        return Ok(());
    }
    let person = cells::person(context, corrected)?;
    let (counted, _) = cells::of(corrected, catalog, &person)?;
    out.extend(counted.iter().map(|cell: &Cell| cell.write(-1)));
    Ok(())
}
