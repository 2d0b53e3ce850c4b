//! The vaccination card: doses given, and doses due or overdue by the schedule for the patient's date
//! of birth; on screen through GraphQL, and printed as an HTML page with the health ID as a QR code.

use crate::card::{render_html, PrintableCard};
use crate::error::{internal, Code};
use crate::loaders::Loaders;
use crate::policy::{self, check};
use crate::viewer::{ReadTracker, Viewer};
use async_graphql::{Enum, SimpleObject};
use domain::access::{Action, Section};
use domain::record::vaccination::{vaccination_plan, DoseStatus, GivenDose, VaccinationPlan, Vaccinee};
use event_schema::events::record::ImmunizationRecorded;
use event_schema::Timestamp;
use projections::entry_status;
use projections::read::{EntryRow, PatientRow};
use uuid::Uuid;

/// Where a dose of the schedule stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum VaccinationStatus {
    Given,
    /// Past its due date by more than the grace period.
    Overdue,
    /// Due now (within the grace period).
    Due,
    Upcoming,
}

#[derive(SimpleObject)]
pub struct VaccinationDose {
    /// The antigen's code in the schedule, e.g. `PENTA`.
    pub antigen: String,
    pub antigen_name: String,
    pub dose_number: u32,
    /// `YYYY-MM-DD`; absent for a dose given outside the schedule.
    pub due_on: Option<String>,
    pub status: VaccinationStatus,
    pub given_on: Option<String>,
}

#[derive(SimpleObject)]
pub struct VaccinationCard {
    pub birth_date: String,
    /// The schedule version the card follows (the one in force at birth).
    pub schedule_effective_from: String,
    /// The day the card was computed for, in Cameroon.
    pub as_of: String,
    pub doses: Vec<VaccinationDose>,
}

/// The plan for a patient from their current immunization entries; once a death stands on the record,
/// only the doses given.
fn plan(patient: &PatientRow, entries: &[EntryRow], today: &str) -> async_graphql::Result<VaccinationPlan> {
    let deceased =
        entries.iter().any(|row| row.section == Section::Death.as_str() && row.status == entry_status::CURRENT);
    let mut given = Vec::new();
    for row in entries {
        if row.section != Section::Immunizations.as_str() || row.status != entry_status::CURRENT {
            continue;
        }
        let dose: ImmunizationRecorded = serde_json::from_str(&row.details).map_err(internal)?;
        given.push(GivenDose::from(&dose));
    }
    let vaccinee = Vaccinee::from_stored(&patient.birth_date, &patient.sex, &patient.region, &patient.health_district);
    let plan = vaccination_plan(&vaccinee, &given, today).map_err(internal)?;
    Ok(if deceased { plan.closed_by_death() } else { plan })
}

impl VaccinationCard {
    /// The card as of `now`.
    pub(crate) fn of(patient: &PatientRow, entries: &[EntryRow], now: Timestamp) -> async_graphql::Result<Self> {
        let today = now.cameroon_date();
        let plan = plan(patient, entries, &today)?;
        Ok(Self {
            birth_date: patient.birth_date.clone(),
            schedule_effective_from: plan.schedule_effective_from,
            as_of: today,
            doses: plan
                .lines
                .into_iter()
                .map(|line| VaccinationDose {
                    antigen: line.antigen,
                    antigen_name: line.antigen_name,
                    dose_number: line.dose_number,
                    due_on: line.due_on,
                    status: match line.status {
                        DoseStatus::Given => VaccinationStatus::Given,
                        DoseStatus::Overdue => VaccinationStatus::Overdue,
                        DoseStatus::Due => VaccinationStatus::Due,
                        DoseStatus::Upcoming => VaccinationStatus::Upcoming,
                    },
                    given_on: line.given_on,
                })
                .collect(),
        })
    }
}

/// The printable card of `patient_id`, for a viewer who may read the patient's immunizations.
pub(crate) async fn printable(
    loaders: &Loaders,
    reads: &ReadTracker,
    viewer: &Viewer,
    patient_id: Uuid,
) -> Result<String, Code> {
    let care = policy::care(loaders, viewer, patient_id).await?;
    check(viewer, Action::ReadDemographics { patient: patient_id }, care)?;
    check(viewer, Action::ReadSection { patient: patient_id, section: Section::Immunizations }, care)?;
    let patient = loaders.patients.load_one(patient_id).await?.ok_or(Code::NotFound)?;
    let entries = loaders.entries.load_one(patient_id).await?.unwrap_or_default();
    let today = loaders.now.cameroon_date();
    let plan = plan(&patient, &entries, &today).map_err(|_| Code::Internal)?;
    reads.note(patient_id, policy::read_basis(viewer, care), "vaccination_card");
    Ok(render_html(&PrintableCard {
        health_id: &patient.health_id,
        family_name: &patient.family_name,
        given_names: &patient.given_names,
        birth_date: &patient.birth_date,
        sex: &patient.sex,
        printed_on: &today,
        plan: &plan,
    }))
}
