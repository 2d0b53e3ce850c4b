//! Care over months and years: chronic conditions found and reviewed, pregnancies followed, tuberculosis
//! treated, and long-term treatments brought to an end.

use super::{Ending, Happening, Life, Order, Purpose, Visit};
use crate::demo::calendar::{cameroon_day, clinic_time, weekday_from};
use crate::demo::illnesses::Chronic;
use crate::demo::laboratory::Test;
use crate::demo::medicines::{
    ANTENATAL_SUPPLEMENT, MALARIA_PREVENTION_IN_PREGNANCY, SECOND_ANTIHYPERTENSIVE, TUBERCULOSIS_COURSE,
};
use crate::demo::people::LITTORAL;
use crate::demo::tables::words;
use crate::demo::SHOWCASE_ENTRIES;
use chrono::{DateTime, Duration, Utc};
use domain::access::Section;
use domain::record::clinical::{self, MarkEnteredInError, ReferPatient};
use domain::record::history::{self, StopTreatment};
use domain::record::{self as patient_record};
use event_schema::events::facility::FacilityLevel;
use event_schema::events::record::{ConditionStatus, EncounterClass, ReferralKind, Urgency};
use uuid::Uuid;

impl Life<'_> {
    /// A chronic condition found at a visit: diagnosed with its confirming test, and treated.
    pub(super) fn diagnose_chronic(&mut self, at: DateTime<Utc>, condition: Chronic) -> anyhow::Result<()> {
        if self.chronic.iter().any(|(c, _)| *c == condition) {
            return Ok(());
        }
        let facility = self.home;
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        let day = cameroon_day(at);
        self.chart.begin(&mut self.rng, &doctor, at);
        let vitals = self.measure(day, false, condition == Chronic::Hypertension, false);
        self.vitals_with_slips(vitals, facility)?;
        let reason = match condition {
            Chronic::Hypertension => words(english, "Céphalées et vertiges", "Headaches and dizziness"),
            Chronic::Diabetes => words(english, "Soif intense et polyurie", "Excessive thirst and frequent urination"),
            Chronic::Hiv => words(english, "Dépistage volontaire du VIH", "Voluntary HIV testing"),
        };
        let encounter = self.encounter(facility, EncounterClass::Outpatient, reason, None)?;
        self.take_history(english)?;
        let tests: &[Test] = match condition {
            Chronic::Hypertension => &[Test::Creatinine],
            Chronic::Diabetes => &[Test::Glucose, Test::HbA1c],
            Chronic::Hiv => &[Test::HivRapid, Test::Cd4],
        };
        let mut orders = Vec::new();
        for &test in tests {
            let entry_id = self.order(test, english, Some(encounter))?;
            let abnormal = test != Test::Creatinine || self.rng.chance(0.2);
            let abnormal = abnormal && !(test == Test::Cd4 && self.rng.chance(0.4));
            orders.push(Order { entry_id, test, abnormal });
        }
        self.diagnose(
            &self.tables.chronic.get(condition).icd10,
            self.tables.chronic.get(condition).diagnosis.in_language(english),
            Some(day),
            ConditionStatus::Active,
            Some(encounter),
            None,
        )?;
        let treatments = self.start_treatments(condition, Some(day))?;
        self.chronic.push((condition, treatments));
        let at = self.chart.at + Duration::minutes(self.rng.between(45, 240));
        self.schedule(at, Happening::Results { facility, orders });
        self.followed = true;
        self.book(facility, self.tables.chronic.get(condition).review_interval_days, Purpose::Review)
    }

    /// A review of the chronic conditions: blood pressure, refills, the periodic tests, and the next
    /// appointment.
    pub(super) fn review(&mut self, at: DateTime<Utc>, facility: usize) -> anyhow::Result<()> {
        if self.chronic.is_empty() || !self.followed {
            return Ok(());
        }
        self.reviews += 1;
        let english = self.english(facility);
        let day = cameroon_day(at);
        let hospital = self.net.facilities[facility].hospital();
        let hypertensive = self.chronic.iter().any(|(c, _)| *c == Chronic::Hypertension) && self.rng.chance(0.5);
        let vitals = self.measure(day, false, hypertensive, false);
        let mut at = at;
        if hospital {
            let nurse = self.nurse(facility);
            self.chart.begin(&mut self.rng, &nurse, at);
            self.check_in()?;
            self.vitals_with_slips(vitals, facility)?;
            at = self.chart.at + Duration::minutes(self.rng.between(15, 90));
        }
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        self.check_in()?;
        if !hospital {
            self.vitals_with_slips(vitals, facility)?;
        }
        let conditions: Vec<Chronic> = self.chronic.iter().map(|(c, _)| *c).collect();
        let chronic = &self.tables.chronic;
        let reason =
            conditions.iter().map(|c| chronic.get(*c).review.in_language(english)).collect::<Vec<_>>().join("; ");
        let encounter = self.encounter(facility, EncounterClass::Outpatient, reason, None)?;
        self.take_history(english)?;
        let mut orders = Vec::new();
        let mut refills = Vec::new();
        for condition in &conditions {
            for medicine in &chronic.get(*condition).treatments {
                refills.push(self.prescribe(medicine, Some(encounter), None)?);
            }
            let tests: &[Test] = match condition {
                Chronic::Hypertension if self.reviews % 4 == 1 => &[Test::Creatinine],
                Chronic::Diabetes if self.reviews % 2 == 0 => &[Test::Glucose, Test::HbA1c],
                Chronic::Diabetes => &[Test::Glucose],
                Chronic::Hiv if self.reviews % 2 == 0 => &[Test::ViralLoad],
                _ => &[],
            };
            for &test in tests {
                let entry_id = self.order(test, english, Some(encounter))?;
                orders.push(Order { entry_id, test, abnormal: self.rng.chance(0.35) });
            }
        }
        // Blood pressure that stays high gets a second medicine; one that falls too low loses it.
        // The showcase's record holds every kind of correction a benchmark may meet: a second
        // antihypertensive added and later stopped, a refill recorded twice and withdrawn, another
        // cancelled.
        if self.showcase && self.reviews == 3 {
            let added = self.start_treatment(self.tables.medicines.get(SECOND_ANTIHYPERTENSIVE)?, Some(day))?;
            let ends = at + Duration::days(self.rng.between(200, 300));
            self.schedule(ends, Happening::TreatmentEnds { treatment: added, why: Ending::SideEffect });
        }
        let first_medicine = conditions.first().and_then(|condition| chronic.get(*condition).treatments.first());
        if let (true, 5, Some(medicine)) = (self.showcase, self.reviews, first_medicine) {
            let again = self.prescribe(medicine, Some(encounter), None)?;
            let reason = words(english, "Prescription saisie deux fois", "Prescription entered twice");
            self.chart.write(Section::Prescriptions, |record| {
                clinical::decide_entered_in_error(record, MarkEnteredInError { entry_id: again, reason })
            })?;
        }
        if let (true, 7, Some(&refill)) = (self.showcase, self.reviews, refills.last()) {
            let at = self.chart.at + Duration::days(self.rng.between(2, 6));
            self.schedule(at, Happening::CancelPrescription { entry_id: refill, facility });
        }
        if !orders.is_empty() {
            let at = self.chart.at + Duration::minutes(self.rng.between(45, 240));
            self.schedule(at, Happening::Results { facility, orders });
        }
        // A patient seen for a complication is sometimes referred to the regional hospital's specialists.
        if self.showcase && self.reviews == 8 {
            // To the general hospital when the network has one, else to Douala's regional hospital.
            let general = self
                .net
                .facilities
                .get(self.tables.regions.len())
                .filter(|f| f.level == FacilityLevel::ReferenceHospital);
            let to = if general.is_some() { self.tables.regions.len() } else { LITTORAL };
            let entry_id = self.rng.uuid();
            let (from_facility_id, to_facility_id) = (self.net.facilities[facility].id, self.net.facilities[to].id);
            let reason = words(english, "Dépistage de la rétinopathie diabétique", "Diabetic retinopathy screening");
            self.chart.write(Section::Referrals, |record| {
                clinical::decide_referral(
                    record,
                    ReferPatient {
                        entry_id,
                        kind: ReferralKind::Referral,
                        from_facility_id,
                        to_facility_id,
                        reason,
                        urgency: Urgency::Routine,
                        encounter_id: Some(encounter),
                        amends: None,
                    },
                )
            })?;
            let visit = weekday_from(day + Duration::days(self.rng.between(10, 30)));
            let at = clinic_time(&mut self.rng, visit);
            self.schedule(
                at,
                Happening::Consultation {
                    facility: to,
                    illness: &self.tables.illnesses.retinopathy,
                    visit: Visit::Referred,
                },
            );
        }
        if self.reviews < if self.showcase { 60 } else { 20 } {
            let interval = if self.showcase {
                self.showcase_interval(at)
            } else {
                conditions.iter().map(|c| chronic.get(*c).review_interval_days).min().unwrap_or((60, 120))
            };
            self.book(facility, interval, Purpose::Review)?;
        }
        Ok(())
    }

    /// Days until the showcase's next review, paced so that its record reaches about
    /// `SHOWCASE_ENTRIES` entries near the end of the window, whatever its seed draws along the way.
    fn showcase_interval(&self, at: DateTime<Utc>) -> (i64, i64) {
        let days_left = (self.end - at).num_days().max(1) as f64;
        let per_review = self.chart.events() as f64 / f64::from(self.reviews.max(1));
        let entries_left = SHOWCASE_ENTRIES.saturating_sub(self.chart.events()).max(1) as f64;
        let days = (days_left * per_review / entries_left).clamp(30.0, 120.0) as i64;
        (days - 7, days + 7)
    }

    /// An antenatal visit: the pregnancy diagnosed at the first, tests at the first, intermittent
    /// preventive treatment of malaria from the second, iron and folate, and the next visit booked.
    pub(super) fn antenatal(&mut self, at: DateTime<Utc>, number: u8) -> anyhow::Result<()> {
        if number == 1 && self.pregnant {
            return Ok(());
        }
        self.pregnant = true;
        let facility = self.home;
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        let day = cameroon_day(at);
        self.chart.begin(&mut self.rng, &doctor, at);
        self.check_in()?;
        let mut vitals = self.measure(day, false, false, false);
        vitals.weight = vitals.weight.map(|grams| grams + 2_000 * u32::from(number));
        self.vitals_with_slips(vitals, facility)?;
        let reason =
            words(english, &format!("Consultation prénatale n° {number}"), &format!("Antenatal visit {number}"));
        let encounter = self.encounter(facility, EncounterClass::Outpatient, reason, None)?;
        self.take_history(english)?;
        if number == 1 {
            let onset = day - Duration::days(self.rng.between(70, 110));
            let description = words(english, "Grossesse évolutive", "Ongoing pregnancy");
            self.diagnose(
                "Z34.9",
                description,
                Some(onset.max(self.birth + Duration::days(1))),
                ConditionStatus::Active,
                Some(encounter),
                None,
            )?;
            let mut orders = Vec::new();
            let tests = [
                Test::Pregnancy,
                Test::Haemoglobin,
                Test::HivRapid,
                Test::Syphilis,
                Test::HepatitisB,
                Test::UrineProtein,
                Test::BloodGroup,
            ];
            for test in tests {
                let entry_id = self.order(test, english, Some(encounter))?;
                let abnormal = match test {
                    Test::Pregnancy => true,
                    Test::Haemoglobin => self.rng.chance(0.35),
                    Test::HepatitisB => self.rng.chance(0.06),
                    Test::HivRapid | Test::Syphilis | Test::UrineProtein => self.rng.chance(0.03),
                    _ => false,
                };
                // A positive HIV test at the first antenatal visit starts care a few days later.
                if test == Test::HivRapid && abnormal {
                    let at = self.chart.at + Duration::days(self.rng.between(3, 10));
                    let day = weekday_from(cameroon_day(at));
                    let at = clinic_time(&mut self.rng, day);
                    self.schedule(at, Happening::Diagnosis(Chronic::Hiv));
                }
                orders.push(Order { entry_id, test, abnormal });
            }
            let at = self.chart.at + Duration::minutes(self.rng.between(60, 300));
            self.schedule(at, Happening::Results { facility, orders });
            self.prescribe(self.tables.medicines.get(ANTENATAL_SUPPLEMENT)?, Some(encounter), None)?;
        } else {
            let instructions = words(english, "Prise supervisée au centre", "Taken under supervision at the clinic");
            self.prescribe(
                self.tables.medicines.get(MALARIA_PREVENTION_IN_PREGNANCY)?,
                Some(encounter),
                Some(instructions),
            )?;
        }
        if number < 4 {
            self.book(facility, (42, 63), Purpose::Antenatal(number + 1))?;
        }
        Ok(())
    }

    /// Pulmonary tuberculosis: confirmed by the molecular test, treated for six months, then cured.
    pub(super) fn tuberculosis(&mut self, at: DateTime<Utc>) -> anyhow::Result<()> {
        let facility = self.home;
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        let day = cameroon_day(at);
        self.chart.begin(&mut self.rng, &doctor, at);
        let vitals = self.measure(day, true, false, false);
        self.vitals_with_slips(vitals, facility)?;
        let reason = words(
            english,
            "Toux depuis plus de deux semaines, amaigrissement",
            "Cough for over two weeks, weight loss",
        );
        let encounter = self.encounter(facility, EncounterClass::Outpatient, reason, None)?;
        self.take_history(english)?;
        let entry_id = self.order(Test::Tuberculosis, english, Some(encounter))?;
        let description =
            words(english, "Tuberculose pulmonaire confirmée", "Bacteriologically confirmed pulmonary tuberculosis");
        self.diagnose(
            "A15.0",
            description,
            Some(day - Duration::days(20)),
            ConditionStatus::Active,
            Some(encounter),
            None,
        )?;
        let treatment = self.start_treatment(self.tables.medicines.get(TUBERCULOSIS_COURSE)?, Some(day))?;
        let reported = at + Duration::minutes(self.rng.between(120, 600));
        let orders = vec![Order { entry_id, test: Test::Tuberculosis, abnormal: true }];
        self.schedule(reported, Happening::Results { facility, orders });
        let cured = weekday_from(day + Duration::days(182));
        let at = clinic_time(&mut self.rng, cured);
        self.schedule(at, Happening::TreatmentEnds { treatment, why: Ending::Completed });
        Ok(())
    }

    /// A treatment comes to its end: the tuberculosis course completed, or a second antihypertensive
    /// stopped.
    pub(super) fn treatment_ends(&mut self, at: DateTime<Utc>, treatment: Uuid, why: Ending) -> anyhow::Result<()> {
        let current = self
            .chart
            .record
            .as_ref()
            .and_then(|record| record.entries.get(&treatment))
            .is_some_and(|entry| entry.status == patient_record::EntryStatus::Current);
        if !current {
            return Ok(());
        }
        let facility = self.home;
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        let today = self.chart.today();
        let reason = match why {
            Ending::SideEffect => words(english, "Hypokaliémie; traitement arrêté", "Low potassium; treatment stopped"),
            Ending::Completed => words(
                english,
                "Traitement de six mois terminé, patient guéri",
                "Six-month course completed, patient cured",
            ),
        };
        self.chart.write(Section::Treatments, |record| {
            history::decide_stop_treatment(
                record,
                StopTreatment { entry_id: treatment, stopped_on: today.clone(), reason, today },
            )
        })
    }
}
