//! Vital signs: typical measures for the patient's age and state, and the slips corrected after them.

use super::Life;
use crate::demo::tables::words;
use chrono::{Duration, NaiveDate};
use domain::access::Section;
use domain::record::clinical::Correction;
use domain::record::observations::{self, RecordVitalSigns};
use event_schema::{Actor, Timestamp};
use uuid::Uuid;

/// Measures taken at a sitting.
#[derive(Default, Clone, Copy)]
pub(super) struct Vitals {
    pub(super) temperature: Option<u32>,
    pub(super) systolic: Option<u32>,
    pub(super) diastolic: Option<u32>,
    pub(super) pulse: Option<u32>,
    pub(super) respiration: Option<u32>,
    pub(super) spo2: Option<u32>,
    pub(super) weight: Option<u32>,
    pub(super) height: Option<u32>,
}

impl Life<'_> {
    /// Typical measures at a sitting, for the patient's age and state.
    pub(super) fn measure(&mut self, day: NaiveDate, fever: bool, blood_pressure: bool, breathless: bool) -> Vitals {
        let age_days = self.age_days(day).max(0);
        let age = age_days as f64 / 365.25;
        let rng = &mut self.rng;
        let (weight, height) = if age < 18.0 {
            let (weight, height) = self.tables.growth.at(age_days);
            ((weight * self.build) as u32, (height * (0.97 + (self.build - 0.88) / 4.0)) as u32)
        } else {
            (self.adult_weight, self.adult_height)
        };
        let weight = (f64::from(weight) * (0.97 + rng.unit() * 0.06)) as u32;
        let temperature = if fever { rng.within(380, 402) } else { rng.within(362, 374) };
        let (pulse, respiration) = match age {
            a if a < 1.0 => (rng.within(110, 160), rng.within(30, 50)),
            a if a < 5.0 => (rng.within(90, 140), rng.within(24, 38)),
            a if a < 12.0 => (rng.within(75, 115), rng.within(18, 28)),
            _ => (rng.within(60, 96), rng.within(12, 20)),
        };
        let pulse = if fever { pulse + rng.within(10, 20) } else { pulse };
        let respiration = if breathless { respiration + rng.within(8, 14) } else { respiration };
        let spo2 = if breathless { rng.within(86, 93) } else { rng.within(95, 100) };
        let adult = age >= 15.0;
        let (systolic, diastolic) = if !adult {
            (None, None)
        } else if blood_pressure {
            (Some(rng.within(135, 185)), Some(rng.within(85, 110)))
        } else {
            (Some(rng.within(100, 135)), Some(rng.within(60, 84)))
        };
        Vitals {
            temperature: Some(temperature),
            systolic,
            diastolic,
            pulse: Some(pulse),
            respiration: (!adult || breathless).then_some(respiration),
            spo2: (breathless || rng.chance(0.3)).then_some(spo2),
            weight: Some(weight.clamp(300, 400_000)),
            height: (age < 5.0 || rng.chance(0.15)).then_some(height.clamp(200, 2_500)),
        }
    }

    pub(super) fn vital_signs(&mut self, vitals: Vitals, amends: Option<Correction>) -> anyhow::Result<Uuid> {
        let entry_id = self.rng.uuid();
        let now = self.chart.now();
        let measured_at = Timestamp::from_datetime(self.chart.at - Duration::minutes(self.rng.between(0, 10)));
        self.chart.write(Section::VitalSigns, |record| {
            observations::decide_vital_signs(
                record,
                RecordVitalSigns {
                    entry_id,
                    measured_at,
                    temperature_decicelsius: vitals.temperature,
                    systolic_mmhg: vitals.systolic,
                    diastolic_mmhg: vitals.diastolic,
                    pulse_per_minute: vitals.pulse,
                    respiratory_rate_per_minute: vitals.respiration,
                    spo2_percent: vitals.spo2,
                    weight_grams: vitals.weight,
                    height_mm: vitals.height,
                    amends,
                    now,
                },
            )
        })?;
        Ok(entry_id)
    }

    /// Vital signs, sometimes corrected a few minutes later by whoever took them (a weight typed in
    /// the wrong unit, digits swapped).
    pub(super) fn vitals_with_slips(&mut self, vitals: Vitals, facility: usize) -> anyhow::Result<()> {
        let slip = self.rng.chance(if self.showcase { 0.08 } else { 0.015 });
        if !slip {
            self.vital_signs(vitals, None)?;
            return Ok(());
        }
        let mut mistyped = vitals;
        mistyped.weight = vitals.weight.map(|grams| (grams / 10).max(300));
        let original = self.vital_signs(mistyped, None)?;
        let author = self.chart.actor.clone().unwrap_or_else(Actor::system);
        let at = self.chart.at + Duration::minutes(self.rng.between(3, 25));
        self.chart.begin(&mut self.rng, &author, at);
        let reason = words(self.english(facility), "Poids mal saisi", "Weight entered wrongly");
        self.vital_signs(vitals, Some(Correction { entry_id: original, reason }))?;
        Ok(())
    }
}
