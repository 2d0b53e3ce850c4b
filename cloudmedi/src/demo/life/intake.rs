//! The history an adult gives at a first consultation, and the long-term treatments they start.

use super::Life;
use crate::demo::calendar::{cameroon_day, ymd};
use crate::demo::illnesses::Chronic;
use crate::demo::medicines::Medicine;
use crate::demo::tables::words;
use chrono::{Datelike, Duration, NaiveDate};
use domain::access::Section;
use domain::record::clinical::{self, Correction, RecordAllergy};
use domain::record::history::{self, RecordFamilyHistory, RecordMedicalHistory, RecordTreatment};
use event_schema::events::record::{AllergyStatus, ConditionStatus, Dose};
use uuid::Uuid;

impl Life<'_> {
    /// At an adult's first consultation the doctor takes the history: past conditions and
    /// operations, the family's conditions, allergies, and long-term treatments already taken.
    pub(super) fn take_history(&mut self, english: bool) -> anyhow::Result<()> {
        if !self.intake || self.age_years(cameroon_day(self.chart.at)) < 16.0 {
            return Ok(());
        }
        self.intake = false;
        let today = cameroon_day(self.chart.at);
        let (history, family, allergies) = if self.showcase {
            (4, 3, 2)
        } else {
            (
                usize::from(self.rng.chance(0.25)) + usize::from(self.rng.chance(0.05)),
                usize::from(self.rng.chance(0.15)),
                usize::from(self.rng.chance(0.04)),
            )
        };
        let born = self.birth.year();
        let reported = &self.tables.history;
        for item in 0..history {
            let Some(entry) =
                (if self.showcase { reported.medical.get(item) } else { self.rng.pick(&reported.medical) })
            else {
                continue;
            };
            let entry_id = self.rng.uuid();
            // Some year since adolescence, or since birth for the youngest adults.
            let this_year = i64::from(today.year());
            let year = u32::try_from(self.rng.between((i64::from(born) + 15).min(this_year), this_year)).ok();
            let today_text = ymd(today);
            self.chart.write(Section::MedicalHistory, |record| {
                history::decide_medical_history(
                    record,
                    RecordMedicalHistory {
                        entry_id,
                        kind: entry.kind,
                        description: words(english, &entry.fr, &entry.en),
                        icd10: entry.icd10.clone(),
                        year,
                        amends: None,
                        today: today_text,
                    },
                )
            })?;
        }
        for item in 0..family {
            let Some(entry) = (if self.showcase { reported.family.get(item) } else { self.rng.pick(&reported.family) })
            else {
                continue;
            };
            let entry_id = self.rng.uuid();
            self.chart.write(Section::FamilyHistory, |record| {
                history::decide_family_history(
                    record,
                    RecordFamilyHistory {
                        entry_id,
                        relationship: entry.relative.in_language(english),
                        condition: entry.condition.in_language(english),
                        icd10: entry.icd10.clone(),
                        amends: None,
                    },
                )
            })?;
        }
        for item in 0..allergies {
            let Some(allergy) =
                (if self.showcase { reported.allergies.get(item * 2) } else { self.rng.pick(&reported.allergies) })
            else {
                continue;
            };
            let entry_id = self.rng.uuid();
            let status = if self.rng.chance(0.7) { AllergyStatus::Confirmed } else { AllergyStatus::Unconfirmed };
            let status = if self.showcase && item == 1 { AllergyStatus::Unconfirmed } else { status };
            self.chart.write(Section::Allergies, |record| {
                clinical::decide_allergy(
                    record,
                    RecordAllergy {
                        entry_id,
                        substance: allergy.substance.clone(),
                        category: allergy.category,
                        reaction: Some(allergy.reaction.in_language(english)),
                        severity: allergy.severity,
                        status,
                        amends: None,
                    },
                )
            })?;
            // An allergy suspected at intake and later ruled out is amended, not deleted.
            if status == AllergyStatus::Unconfirmed && (self.showcase || self.rng.chance(0.3)) {
                let amendment = self.rng.uuid();
                let reason = words(
                    english,
                    "Allergie écartée après test de provocation",
                    "Allergy ruled out after a challenge test",
                );
                self.chart.write(Section::Allergies, |record| {
                    clinical::decide_allergy(
                        record,
                        RecordAllergy {
                            entry_id: amendment,
                            substance: allergy.substance.clone(),
                            category: allergy.category,
                            reaction: None,
                            severity: allergy.severity,
                            status: AllergyStatus::Refuted,
                            amends: Some(Correction { entry_id, reason }),
                        },
                    )
                })?;
            }
        }
        // Chronic conditions known before registration, with the treatments the patient already takes.
        let known: Vec<Chronic> = self
            .chronic
            .iter()
            .filter(|(_, treatments)| treatments.is_empty())
            .map(|(condition, _)| *condition)
            .collect();
        for condition in known {
            // Known for one to eight years, and not before adulthood.
            let onset = (today - Duration::days(self.rng.between(200, 3_000))).max(self.birth + Duration::days(6_575));
            let onset = onset.min(today);
            self.diagnose(
                &self.tables.chronic.get(condition).icd10,
                self.tables.chronic.get(condition).diagnosis.in_language(english),
                Some(onset),
                ConditionStatus::Active,
                None,
                None,
            )?;
            let treatments = self.start_treatments(condition, Some(onset + Duration::days(14)))?;
            if let Some(entry) = self.chronic.iter_mut().find(|(c, _)| *c == condition) {
                entry.1 = treatments;
            }
        }
        Ok(())
    }

    /// Starts a chronic condition's long-term treatments on `started`, or today if that is later.
    pub(super) fn start_treatments(
        &mut self,
        condition: Chronic,
        started: Option<NaiveDate>,
    ) -> anyhow::Result<Vec<Uuid>> {
        let started = started.map(|day| day.min(cameroon_day(self.chart.at)));
        let tables = self.tables;
        tables
            .chronic
            .get(condition)
            .treatments
            .iter()
            .map(|medicine| self.start_treatment(medicine, started))
            .collect()
    }

    /// Starts one long-term treatment, in the current sitting.
    pub(super) fn start_treatment(&mut self, medicine: &Medicine, started: Option<NaiveDate>) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let today = self.chart.today();
        self.chart.write(Section::Treatments, |record| {
            history::decide_treatment(
                record,
                RecordTreatment {
                    entry_id,
                    medicine: medicine.name.clone(),
                    dose: Dose { amount: medicine.amount.clone(), unit: medicine.unit },
                    route: medicine.route,
                    times_per_day: medicine.times_per_day,
                    started_on: started.map(ymd),
                    amends: None,
                    today,
                },
            )
        })?;
        Ok(entry_id)
    }
}
