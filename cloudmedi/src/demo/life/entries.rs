//! The entries a sitting writes: encounters, diagnoses, prescriptions, laboratory orders and results,
//! and the check-in that marks an appointment attended.

use super::{Life, Order};
use crate::demo::calendar::ymd;
use crate::demo::laboratory::{Reading, Test};
use crate::demo::medicines::Medicine;
use crate::demo::tables::words;
use chrono::NaiveDate;
use domain::access::Section;
use domain::record::appointments;
use domain::record::clinical::{self, Correction, DiagnoseCondition, PrescribeMedicine, RecordEncounter};
use domain::record::observations::{self, OrderLab, RecordLabResult};
use event_schema::events::record::{AppointmentOutcome, Attachment, ConditionStatus, Dose, EncounterClass};
use uuid::Uuid;

impl Life<'_> {
    pub(super) fn encounter(
        &mut self,
        facility: usize,
        class: EncounterClass,
        reason: String,
        notes: Option<String>,
    ) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let practitioner_id = self.chart.author()?.account_id;
        let (today, facility_id) = (self.chart.today(), self.net.facilities[facility].id);
        self.chart.write(Section::Encounters, |record| {
            clinical::decide_encounter(
                record,
                RecordEncounter {
                    entry_id,
                    facility_id,
                    practitioner_id,
                    date: today.clone(),
                    class: Some(class),
                    reason,
                    notes,
                    amends: None,
                    today,
                },
            )
        })?;
        Ok(entry_id)
    }

    pub(super) fn diagnose(
        &mut self,
        icd10: &str,
        description: String,
        onset: Option<NaiveDate>,
        status: ConditionStatus,
        encounter_id: Option<Uuid>,
        amends: Option<Correction>,
    ) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let today = self.chart.today();
        let icd10 = icd10.to_owned();
        self.chart.write(Section::Conditions, |record| {
            clinical::decide_condition(
                record,
                DiagnoseCondition {
                    entry_id,
                    icd10,
                    description,
                    onset: onset.map(ymd),
                    status,
                    encounter_id,
                    amends,
                    today,
                },
            )
        })?;
        Ok(entry_id)
    }

    pub(super) fn prescribe(
        &mut self,
        medicine: &Medicine,
        encounter_id: Option<Uuid>,
        instructions: Option<String>,
    ) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let prescriber_id = self.chart.author()?.account_id;
        let medicine = medicine.clone();
        self.chart.write(Section::Prescriptions, |record| {
            clinical::decide_prescription(
                record,
                PrescribeMedicine {
                    entry_id,
                    medicine: medicine.name.to_owned(),
                    dose: Dose { amount: medicine.amount.to_owned(), unit: medicine.unit },
                    route: medicine.route,
                    times_per_day: medicine.times_per_day,
                    as_needed: medicine.as_needed,
                    duration_days: medicine.days,
                    prescriber_id,
                    encounter_id,
                    instructions,
                    amends: None,
                },
            )
        })?;
        Ok(entry_id)
    }

    pub(super) fn order(&mut self, test: Test, english: bool, encounter_id: Option<Uuid>) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let lab_tests = &self.tables.lab_tests;
        self.chart.write(Section::LabOrders, |record| {
            observations::decide_lab_order(
                record,
                OrderLab {
                    entry_id,
                    test: lab_tests.name(test, english).to_owned(),
                    loinc: Some(lab_tests.loinc(test).to_owned()),
                    encounter_id,
                    amends: None,
                },
            )
        })?;
        Ok(entry_id)
    }

    pub(super) fn result(
        &mut self,
        order: &Order,
        english: bool,
        amends: Option<Correction>,
        reading: Reading,
    ) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let attachments = if self.rng.chance(0.05) {
            vec![Attachment {
                sha256: self.rng.sha256_hex(),
                media_type: "application/pdf".into(),
                name: format!("{}-{}.pdf", words(english, "resultat", "result"), self.chart.today()),
            }]
        } else {
            Vec::new()
        };
        let (order_id, test) = (order.entry_id, order.test);
        let lab_tests = &self.tables.lab_tests;
        self.chart.write(Section::LabResults, |record| {
            observations::decide_lab_result(
                record,
                RecordLabResult {
                    entry_id,
                    order_id: Some(order_id),
                    test: lab_tests.name(test, english).to_owned(),
                    loinc: Some(lab_tests.loinc(test).to_owned()),
                    value: reading.value,
                    unit: reading.unit.map(str::to_owned),
                    reference_range: reading.range.map(str::to_owned),
                    interpretation: reading.interpretation,
                    attachments,
                    amends,
                },
            )
        })?;
        Ok(entry_id)
    }

    /// Marks the appointment of the patient just received as attended, in the receiver's sitting.
    pub(super) fn check_in(&mut self) -> anyhow::Result<()> {
        let Some(id) = self.arriving.take() else { return Ok(()) };
        let now = self.chart.now();
        self.chart.write(Section::Appointments, |record| {
            appointments::decide_close(record, id, AppointmentOutcome::Attended, None, now)
        })
    }
}
