//! Acute illnesses: when they strike (by age, region and season, and in outbreaks), the consultation
//! (triage, diagnosis, tests, prescriptions, perhaps a referral or a control visit), the laboratory's
//! results, and the corrections that follow.

use super::{Happening, Life, Order, Purpose, Visit};
use crate::demo::calendar::{cameroon_day, instant};
use crate::demo::illnesses::{Illness, MALARIA};
use crate::demo::laboratory::reading;
use crate::demo::tables::words;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use domain::access::Section;
use domain::record::clinical::{self, CancelPrescription, Correction, MarkEnteredInError, ReferPatient};
use domain::record::{self as patient_record};
use event_schema::events::patient::Sex;
use event_schema::events::record::{ConditionStatus, EncounterClass, ReferralKind, Urgency};
use uuid::Uuid;

/// Which month's season an illness's weight is taken in.
#[derive(Clone, Copy)]
enum Season {
    /// The month, January being 0.
    Month(usize),
    /// The illness's highest month.
    Peak,
    /// The year's average.
    Even,
}

/// The age band of the illnesses' weights and fatalities: under 5, 5 to 14, 15 to 49, 50 and over.
pub(super) fn illness_band(age: f64) -> usize {
    match age {
        a if a < 5.0 => 0,
        a if a < 15.0 => 1,
        a if a < 50.0 => 2,
        _ => 3,
    }
}

impl Life<'_> {
    /// An acute illness, drawn for the patient's age, region and the month's season, seen at the home
    /// facility. A moment `by_season` passes without illness as often as the season is below the
    /// highest season of the illnesses the patient could have.
    pub(super) fn illness(&mut self, at: DateTime<Utc>, by_season: bool) -> anyhow::Result<()> {
        let day = cameroon_day(at);
        let age = self.age_years(day);
        let weights = self.acute_weights(age, Season::Month(day.month0() as usize));
        if by_season {
            let peak: f64 = self.acute_weights(age, Season::Peak).iter().sum();
            if peak <= 0.0 || !self.rng.chance(weights.iter().sum::<f64>() / peak) {
                return Ok(());
            }
        }
        let tables = self.tables;
        let illness = tables.illnesses.acute.get(self.rng.weighted(&weights)).unwrap_or(&tables.illnesses.malaria);
        self.consultation(at, self.home, illness, Visit::New)
    }

    /// How many times more often than on average the patient may fall ill in the highest seasons of the
    /// illnesses of their age and region: moments to fall ill are drawn that much more often, and
    /// [`illness`](Self::illness) keeps each as often as its month allows, so that each illness comes
    /// as often over a year as its weight says, in its season.
    pub(super) fn seasonal_peak(&self, age: f64) -> f64 {
        let even: f64 = self.acute_weights(age, Season::Even).iter().sum();
        let peak: f64 = self.acute_weights(age, Season::Peak).iter().sum();
        if even > 0.0 {
            peak / even
        } else {
            1.0
        }
    }

    /// Each acute illness's relative frequency for the patient at `age` in the home facility's region.
    fn acute_weights(&self, age: f64, season: Season) -> Vec<f64> {
        let band = illness_band(age);
        let tables = self.tables;
        let region = self.net.facilities[self.home].region;
        let northern = tables.regions[region].northern;
        let curves = tables.seasonality.get(region).map_or(&[][..], Vec::as_slice);
        tables
            .illnesses
            .acute
            .iter()
            .enumerate()
            .map(|(index, illness)| {
                let mut weight = illness.weights[band];
                if illness.northern_only && !northern {
                    weight = 0.0;
                }
                if illness.icd10 == "N39.0" && self.sex == Sex::Female {
                    weight *= 3.0;
                }
                let curve = curves.get(index);
                weight
                    * match season {
                        Season::Month(month) => curve.and_then(|curve| curve.get(month)).copied().unwrap_or(1.0),
                        Season::Peak => curve.map_or(1.0, |curve| curve.iter().copied().fold(0.0, f64::max)),
                        Season::Even => 1.0,
                    }
            })
            .collect()
    }

    /// The cases an outbreak may bring a patient who lives in its district, of its ages when it starts
    /// and already registered when they fall ill: unvaccinated children fall ill far more often.
    pub(super) fn plan_outbreak_cases(&mut self, registered_at: DateTime<Utc>) {
        let tables = self.tables;
        let as_of = cameroon_day(self.end);
        for (number, outbreak) in tables.outbreaks.list.iter().enumerate() {
            if (outbreak.region, outbreak.district) != (self.region, self.district) {
                continue;
            }
            let start = outbreak.first_day(as_of);
            let age = self.age_years(start);
            if age < outbreak.ages.0 || age >= outbreak.ages.1 {
                continue;
            }
            // Cases rise and fall: a mean of two days drawn over the outbreak falls most often in its
            // middle weeks.
            let last = outbreak.days - 1;
            let offset = (self.rng.between(0, last) + self.rng.between(0, last)) / 2;
            let day = start + Duration::days(offset);
            let at = instant(day, 420 + self.rng.between(0, 660));
            if at <= registered_at + Duration::hours(2) || at >= self.end {
                continue;
            }
            let vaccinated = self.contacts.iter().any(|contact| {
                contact.given.is_some_and(|given| given < day)
                    && contact.doses.iter().any(|(antigen, _)| *antigen == outbreak.vaccine)
            });
            let attack = if vaccinated { outbreak.attack_vaccinated } else { outbreak.attack_unvaccinated };
            if self.rng.chance(attack) {
                self.schedule(at, Happening::OutbreakCase(number));
            }
        }
    }

    /// A case of an outbreak, seen at the home facility like any new illness.
    pub(super) fn outbreak_case(&mut self, at: DateTime<Utc>, outbreak: usize) -> anyhow::Result<()> {
        let tables = self.tables;
        let Some(illness) = tables.outbreaks.list.get(outbreak).and_then(|o| tables.illnesses.acute.get(o.illness))
        else {
            return Ok(());
        };
        if let Some(case) = self.outbreak_cases.get_mut(outbreak) {
            *case = true;
        }
        self.consultation(at, self.home, illness, Visit::New)
    }

    /// A consultation for an acute illness: triage at hospitals, then the doctor's encounter,
    /// diagnosis, tests and prescriptions, perhaps a control visit or a referral; results follow.
    /// A control visit checks the illness is clearing, without a new diagnosis.
    pub(super) fn consultation(
        &mut self,
        at: DateTime<Utc>,
        facility: usize,
        illness: &'static Illness,
        visit: Visit,
    ) -> anyhow::Result<()> {
        let english = self.english(facility);
        let day = cameroon_day(at);
        let child = self.age_years(day) < 12.0;
        let breathless = visit != Visit::Control && matches!(illness.icd10.as_str(), "J18.9" | "J45.9");
        let vitals = self.measure(day, illness.fever && visit != Visit::Control, false, breathless);
        let hospital = self.net.facilities[facility].hospital();
        // Hospitals triage new patients; a patient back for a control sees the doctor directly.
        let triage = hospital && visit != Visit::Control;
        let mut at = at;
        if triage {
            let nurse = self.nurse(facility);
            self.chart.begin(&mut self.rng, &nurse, at);
            self.check_in()?;
            self.vitals_with_slips(vitals, facility)?;
            at = self.chart.at + Duration::minutes(self.rng.between(20, 120));
        }
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        self.check_in()?;
        if !triage {
            self.vitals_with_slips(vitals, facility)?;
        }
        let (diagnosis_fr, diagnosis_en) = (&illness.diagnosis.fr, &illness.diagnosis.en);
        let reason = match visit {
            Visit::New => illness.complaint.in_language(english),
            Visit::Referred => words(
                english,
                &format!("Référé(e) pour {}", diagnosis_fr.to_lowercase()),
                &format!("Referred for {}", diagnosis_en.to_lowercase()),
            ),
            Visit::Control => words(
                english,
                &format!("Contrôle: {}", diagnosis_fr.to_lowercase()),
                &format!("Control: {}", diagnosis_en.to_lowercase()),
            ),
        };
        if visit == Visit::Control {
            let notes = Some(words(english, "Évolution favorable.", "Improving well."));
            self.encounter(facility, EncounterClass::Outpatient, reason, notes)?;
            return Ok(());
        }
        let notes = self.rng.chance(0.25).then(|| {
            words(
                english,
                "Examen clinique réalisé; conseils donnés au patient et à la famille.",
                "Examined; advice given to the patient and family.",
            )
        });
        let encounter = self.encounter(facility, EncounterClass::Outpatient, reason, notes)?;
        self.take_history(english)?;
        // Tests: at a hospital nearly always, at a health centre often.
        let mut orders = Vec::new();
        let test_chance = if hospital { 0.9 } else { 0.6 };
        if let Some(&test) = self.rng.pick(&illness.tests) {
            if self.rng.chance(test_chance) {
                let entry_id = self.order(test, english, Some(encounter))?;
                orders.push(Order { entry_id, test, abnormal: self.rng.chance(illness.confirmed) });
            }
        }
        // Malaria is diagnosed clinically when no test is done; when the smear is read after the
        // consultation, the clinical diagnosis is sometimes recorded first and amended once confirmed.
        let malaria = illness.icd10 == MALARIA;
        let confirmed_later = malaria
            && orders.first().is_some_and(|order| order.abnormal)
            && self.rng.chance(if self.showcase { 0.5 } else { 0.05 });
        let clinical = malaria && (orders.is_empty() || confirmed_later);
        let (icd10, description) = if clinical {
            ("B54", words(english, "Paludisme (diagnostic clinique)", "Malaria, clinically diagnosed"))
        } else {
            (illness.icd10.as_str(), words(english, diagnosis_fr, diagnosis_en))
        };
        let onset = (day - Duration::days(self.rng.between(1, 4))).max(self.birth);
        let diagnosis =
            self.diagnose(icd10, description, Some(onset), ConditionStatus::Active, Some(encounter), None)?;
        let medicines = if child { &illness.child } else { &illness.adult };
        let mut prescriptions = Vec::new();
        for medicine in medicines {
            let instructions =
                medicine.as_needed.then(|| words(english, "En cas de fièvre ou de douleur", "If fever or pain"));
            prescriptions.push(self.prescribe(medicine, Some(encounter), instructions)?);
        }
        let referral_chance = if visit == Visit::Referred || hospital { 0.0 } else { illness.referred };
        let mut sent_on = false;
        if self.rng.chance(referral_chance) {
            let to = self.net.referral[self.net.facilities[facility].region];
            if to != facility {
                sent_on = true;
                self.refer(facility, to, illness, encounter, english)?;
                let next = self.chart.at + Duration::hours(self.rng.between(2, 20));
                self.schedule(next, Happening::Consultation { facility: to, illness, visit: Visit::Referred });
            }
        } else if self.rng.chance(illness.control) {
            self.book(facility, (5, 14), Purpose::Control(illness))?;
        }
        // Slips and changes of mind: a prescription recorded on the wrong record and withdrawn, or
        // stopped days later (a reaction, a change of treatment).
        if let Some(&first) = prescriptions.first() {
            if self.rng.chance(if self.showcase { 0.06 } else { 0.005 }) {
                let at = self.chart.at + Duration::minutes(self.rng.between(5, 60));
                self.chart.begin(&mut self.rng, &doctor, at);
                let reason = words(
                    english,
                    "Prescription saisie dans le mauvais dossier",
                    "Prescription entered in the wrong record",
                );
                self.chart.write(Section::Prescriptions, |record| {
                    clinical::decide_entered_in_error(record, MarkEnteredInError { entry_id: first, reason })
                })?;
            } else if self.rng.chance(if self.showcase { 0.06 } else { 0.02 }) {
                let at = self.chart.at + Duration::days(self.rng.between(1, 3));
                self.schedule(at, Happening::CancelPrescription { entry_id: first, facility });
            }
        }
        if !orders.is_empty() {
            let at = self.chart.at + Duration::minutes(self.rng.between(45, 300));
            self.schedule(at, Happening::Results { facility, orders });
            if confirmed_later {
                let at = at + Duration::minutes(self.rng.between(10, 60));
                self.schedule(at, Happening::Confirmation { facility, diagnosis, encounter, onset });
            }
        }
        // Whether the illness proves fatal is judged where the patient is treated: a patient sent on
        // to a hospital, there.
        if !sent_on && !self.showcase {
            self.perhaps_fatal(facility, illness)?;
        }
        Ok(())
    }

    /// The doctor amends a clinical malaria diagnosis once the smear confirms falciparum malaria.
    pub(super) fn confirmation(
        &mut self,
        at: DateTime<Utc>,
        facility: usize,
        diagnosis: Uuid,
        encounter: Uuid,
        onset: NaiveDate,
    ) -> anyhow::Result<()> {
        let english = self.english(facility);
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        let reason = words(english, "Confirmé par la goutte épaisse", "Confirmed by the blood smear");
        let malaria = &self.tables.illnesses.malaria;
        let description = malaria.diagnosis.in_language(english);
        let amends = Some(Correction { entry_id: diagnosis, reason });
        self.diagnose(&malaria.icd10, description, Some(onset), ConditionStatus::Active, Some(encounter), amends)?;
        Ok(())
    }

    fn refer(
        &mut self,
        from: usize,
        to: usize,
        illness: &Illness,
        encounter: Uuid,
        english: bool,
    ) -> anyhow::Result<()> {
        let entry_id = self.rng.uuid();
        let severe = illness.referred >= 0.5;
        let (from_facility_id, to_facility_id) = (self.net.facilities[from].id, self.net.facilities[to].id);
        let reason = words(
            english,
            &format!("{}: prise en charge hospitalière nécessaire", illness.diagnosis.fr),
            &format!("{}: needs hospital care", illness.diagnosis.en),
        );
        self.chart.write(Section::Referrals, |record| {
            clinical::decide_referral(
                record,
                ReferPatient {
                    entry_id,
                    kind: if severe { ReferralKind::Transfer } else { ReferralKind::Referral },
                    from_facility_id,
                    to_facility_id,
                    reason,
                    urgency: if severe { Urgency::Emergency } else { Urgency::Urgent },
                    encounter_id: Some(encounter),
                    amends: None,
                },
            )
        })
    }

    /// The laboratory reports the results of one consultation's orders; some reports are corrected
    /// after quality control.
    pub(super) fn results(&mut self, at: DateTime<Utc>, facility: usize, orders: Vec<Order>) -> anyhow::Result<()> {
        let english = self.english(facility);
        let technician = self.technician(facility);
        self.chart.begin(&mut self.rng, &technician, at);
        let child = self.age_years(cameroon_day(at)) < 12.0;
        for order in &orders {
            // Now and then the sample never reaches the laboratory.
            if !self.showcase && self.rng.chance(0.03) {
                continue;
            }
            let report = reading(&mut self.rng, order.test, order.abnormal, english, self.sex, child);
            let entry = self.result(order, english, None, report)?;
            if self.rng.chance(if self.showcase { 0.05 } else { 0.01 }) {
                // The same kind of result, read afresh.
                let report = reading(&mut self.rng, order.test, order.abnormal, english, self.sex, child);
                let reason = words(
                    english,
                    "Résultat corrigé après contrôle de qualité",
                    "Result corrected after quality control",
                );
                self.result(order, english, Some(Correction { entry_id: entry, reason }), report)?;
            }
        }
        Ok(())
    }

    pub(super) fn cancel_prescription(
        &mut self,
        at: DateTime<Utc>,
        entry_id: Uuid,
        facility: usize,
    ) -> anyhow::Result<()> {
        let stopped = self
            .chart
            .record
            .as_ref()
            .and_then(|record| record.entries.get(&entry_id))
            .is_some_and(|entry| entry.status != patient_record::EntryStatus::Current);
        if stopped {
            return Ok(());
        }
        let doctor = self.doctor(facility);
        self.chart.begin(&mut self.rng, &doctor, at);
        let english = self.english(facility);
        let reason = if self.rng.chance(0.5) {
            words(english, "Réaction cutanée, traitement arrêté", "Skin reaction, treatment stopped")
        } else {
            words(english, "Traitement modifié après résultats", "Treatment changed after results")
        };
        self.chart.write(Section::Prescriptions, |record| {
            clinical::decide_cancel_prescription(record, CancelPrescription { entry_id, reason })
        })
    }
}
