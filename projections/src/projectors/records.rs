//! Every entry of every patient's record, current or not. A correction never removes anything: the
//! corrected entry is marked (amended, entered in error, cancelled, stopped) with the reason, when and
//! by whom, and an amendment points both ways.
//!
//! The marks are kept apart from the entries, in `rm_record_corrections`, and joined to them when a
//! record is read. So entries are only ever inserted, keyed by their ledger position, and a rebuild
//! writes them at the end of the table: a correction never has to find its entry among the others.

use super::{decode, patient_of, Projector};
use crate::context::Context;
use crate::table::Table;
use crate::write::Write;
use crate::{columns, micros, ProjectionError};
use domain::access::Section;
use event_schema::events::record::{
    AllergyRecorded, Amends, ConditionDiagnosed, DeathRecorded, EncounterRecorded, EntryEnteredInError,
    FamilyHistoryRecorded, ImmunizationRecorded, LabOrdered, LabResultRecorded, MedicalHistoryRecorded,
    PrescriptionCancelled, PrescriptionIssued, ReferralMade, TreatmentRecorded, TreatmentStopped, VitalSignsRecorded,
};
use event_schema::{Catalog, Entry, EventPayload};
use serde::Serialize;
use uuid::Uuid;

pub static RECORD_ENTRIES: Table = Table {
    name: "rm_record_entries",
    columns: columns![
        int "position", text "entry_id", text "patient_id", text "section", text "event_type", text "amends",
        text "author_account_id", text "author_role", text "facility_id", int "occurred_at", int "recorded_at",
        text "details",
    ],
    key: &["position"],
};

pub static RECORD_CORRECTIONS: Table = Table {
    name: "rm_record_corrections",
    columns: columns![
        text "patient_id", text "entry_id", text "status", text "amended_by", text "correction_reason",
        int "corrected_at", text "corrected_by", int "position",
    ],
    key: &["patient_id", "entry_id"],
};

/// An entry's status as a record's query gives it: current unless `rm_record_corrections` says otherwise.
pub mod status {
    pub const CURRENT: &str = "current";
    pub const AMENDED: &str = "amended";
    pub const ENTERED_IN_ERROR: &str = "entered_in_error";
    pub const CANCELLED: &str = "cancelled";
    pub const STOPPED: &str = "stopped";
}

/// What the projector needs of an event that adds an entry to a section.
trait NewEntry: EventPayload + Serialize {
    const SECTION: Section;
    fn entry_id(&self) -> Uuid;
    fn amends(&self) -> Option<&Amends>;
}

macro_rules! new_entry {
    ($($event:ty => $section:ident),* $(,)?) => {$(
        impl NewEntry for $event {
            const SECTION: Section = Section::$section;
            fn entry_id(&self) -> Uuid {
                self.entry_id
            }
            fn amends(&self) -> Option<&Amends> {
                self.amends.as_ref()
            }
        }
    )*};
}

new_entry! {
    AllergyRecorded => Allergies,
    ConditionDiagnosed => Conditions,
    DeathRecorded => Death,
    ImmunizationRecorded => Immunizations,
    EncounterRecorded => Encounters,
    PrescriptionIssued => Prescriptions,
    ReferralMade => Referrals,
    MedicalHistoryRecorded => MedicalHistory,
    FamilyHistoryRecorded => FamilyHistory,
    TreatmentRecorded => Treatments,
    VitalSignsRecorded => VitalSigns,
    LabOrdered => LabOrders,
    LabResultRecorded => LabResults,
}

/// The statement that marks a corrected entry. Should an entry be corrected twice (the command side
/// refuses it, so only a defective event could), the later correction is the one shown.
const CORRECT: &str =
    "INSERT INTO rm_record_corrections (patient_id, entry_id, status, amended_by, correction_reason, \
     corrected_at, corrected_by, position) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
     ON CONFLICT (patient_id, entry_id) DO UPDATE SET status = excluded.status, amended_by = excluded.amended_by, \
     correction_reason = excluded.correction_reason, corrected_at = excluded.corrected_at, \
     corrected_by = excluded.corrected_by, position = excluded.position";

fn add<T: NewEntry>(catalog: &Catalog, entry: &Entry, out: &mut Vec<Write>) -> Result<(), ProjectionError> {
    let event: T = decode(catalog, entry)?;
    let patient = patient_of(entry)?;
    // The details are the payload in its current schema version's shape, whatever version was stored.
    let details = serde_json::to_string(&event).map_err(|error| ProjectionError::Undecodable {
        position: entry.position,
        event_type: entry.event_type.clone(),
        reason: error.to_string(),
    })?;
    if let Some(amends) = event.amends() {
        out.push(correct(entry, patient, amends.entry_id, status::AMENDED, Some(event.entry_id()), &amends.reason));
    }
    out.push(Write::Insert {
        table: &RECORD_ENTRIES,
        row: vec![
            entry.position.into(),
            event.entry_id().into(),
            patient.into(),
            T::SECTION.as_str().into(),
            entry.event_type.as_str().into(),
            event.amends().map(|amends| amends.entry_id).into(),
            entry.actor.account_id.into(),
            entry.actor.role.as_str().into(),
            entry.actor.facility_id.into(),
            micros(&entry.occurred_at).into(),
            micros(&entry.recorded_at).into(),
            details.into(),
        ],
    });
    Ok(())
}

fn correct(entry: &Entry, patient: Uuid, target: Uuid, status: &str, by: Option<Uuid>, reason: &str) -> Write {
    Write::Sql {
        sql: CORRECT,
        params: vec![
            patient.into(),
            target.into(),
            status.into(),
            by.into(),
            reason.into(),
            micros(&entry.occurred_at).into(),
            entry.actor.account_id.into(),
            entry.position.into(),
        ],
    }
}

pub struct Records;

impl Projector for Records {
    fn name(&self) -> &'static str {
        "records"
    }

    fn tables(&self) -> &'static [&'static Table] {
        static OWN: [&Table; 2] = [&RECORD_ENTRIES, &RECORD_CORRECTIONS];
        &OWN
    }

    fn project(
        &self,
        entry: &Entry,
        catalog: &Catalog,
        _: &Context,
        out: &mut Vec<Write>,
    ) -> Result<(), ProjectionError> {
        match entry.event_type.as_str() {
            AllergyRecorded::EVENT_TYPE => add::<AllergyRecorded>(catalog, entry, out),
            ConditionDiagnosed::EVENT_TYPE => add::<ConditionDiagnosed>(catalog, entry, out),
            DeathRecorded::EVENT_TYPE => add::<DeathRecorded>(catalog, entry, out),
            ImmunizationRecorded::EVENT_TYPE => add::<ImmunizationRecorded>(catalog, entry, out),
            EncounterRecorded::EVENT_TYPE => add::<EncounterRecorded>(catalog, entry, out),
            PrescriptionIssued::EVENT_TYPE => add::<PrescriptionIssued>(catalog, entry, out),
            ReferralMade::EVENT_TYPE => add::<ReferralMade>(catalog, entry, out),
            MedicalHistoryRecorded::EVENT_TYPE => add::<MedicalHistoryRecorded>(catalog, entry, out),
            FamilyHistoryRecorded::EVENT_TYPE => add::<FamilyHistoryRecorded>(catalog, entry, out),
            TreatmentRecorded::EVENT_TYPE => add::<TreatmentRecorded>(catalog, entry, out),
            VitalSignsRecorded::EVENT_TYPE => add::<VitalSignsRecorded>(catalog, entry, out),
            LabOrdered::EVENT_TYPE => add::<LabOrdered>(catalog, entry, out),
            LabResultRecorded::EVENT_TYPE => add::<LabResultRecorded>(catalog, entry, out),
            EntryEnteredInError::EVENT_TYPE => {
                let e: EntryEnteredInError = decode(catalog, entry)?;
                out.push(correct(entry, patient_of(entry)?, e.entry_id, status::ENTERED_IN_ERROR, None, &e.reason));
                Ok(())
            }
            PrescriptionCancelled::EVENT_TYPE => {
                let e: PrescriptionCancelled = decode(catalog, entry)?;
                out.push(correct(entry, patient_of(entry)?, e.entry_id, status::CANCELLED, None, &e.reason));
                Ok(())
            }
            TreatmentStopped::EVENT_TYPE => {
                let e: TreatmentStopped = decode(catalog, entry)?;
                out.push(correct(entry, patient_of(entry)?, e.entry_id, status::STOPPED, None, &e.reason));
                Ok(())
            }
            _ => Ok(()),
        }
    }
}
