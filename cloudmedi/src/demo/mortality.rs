//! Causes of death that no consultation of the demo leads to (`data/demo/deaths.toml`): in the first
//! four weeks of life, and at other ages by age, sex and chronic condition. Deaths after an acute illness
//! follow the illness's own `fatality` instead.

use super::illnesses::Chronic;
use super::tables::{check_icd10, Bilingual};
use anyhow::{bail, Context};
use event_schema::events::patient::Sex;
use event_schema::events::record::PlaceOfDeath;
use serde::Deserialize;

/// The places of death, in the order of [`Cause::place`]'s weights.
pub(super) const PLACES: [PlaceOfDeath; 4] =
    [PlaceOfDeath::Facility, PlaceOfDeath::Home, PlaceOfDeath::InTransit, PlaceOfDeath::Other];

/// An underlying cause of death, as the doctor certifies it, and where it is met.
pub(super) struct Cause {
    pub(super) icd10: String,
    /// The diagnosis written at an admission before death.
    pub(super) name: Bilingual,
    /// The reason for that admission.
    pub(super) admission: Bilingual,
    /// Relative weights of the places in [`PLACES`].
    pub(super) place: [f64; 4],
}

/// A cause of death in the first 28 days of a baby born at a facility.
pub(super) struct Neonatal {
    pub(super) cause: Cause,
    /// The chance of dying of it in those days.
    pub(super) risk: f64,
}

/// A cause of death at other ages.
pub(super) struct AgeCause {
    pub(super) cause: Cause,
    /// From (inclusive) and to (exclusive), in years.
    ages: (f64, f64),
    sex: Option<Sex>,
    /// Deaths a year per person.
    rate: f64,
    /// The rate instead for a patient with the condition.
    with_condition: Option<(Chronic, f64)>,
}

impl AgeCause {
    /// Deaths a year per person of this age and sex with these chronic conditions.
    fn rate(&self, age: f64, sex: Sex, conditions: &[Chronic]) -> f64 {
        if age < self.ages.0 || age >= self.ages.1 || self.sex.is_some_and(|only| only != sex) {
            return 0.0;
        }
        match self.with_condition {
            Some((condition, rate)) if conditions.contains(&condition) => rate,
            _ => self.rate,
        }
    }
}

/// The causes of `deaths.toml`, in its order.
pub(super) struct Mortality {
    pub(super) neonatal: Vec<Neonatal>,
    pub(super) causes: Vec<AgeCause>,
}

impl Mortality {
    /// Each cause's deaths a year per person, in the order of `causes`.
    pub(super) fn rates(&self, age: f64, sex: Sex, conditions: &[Chronic]) -> Vec<f64> {
        self.causes.iter().map(|cause| cause.rate(age, sex, conditions)).collect()
    }

    pub(super) fn new(file: DeathsFile) -> anyhow::Result<Self> {
        let neonatal = file
            .neonatal
            .into_iter()
            .map(|entry| {
                let risk = entry.per_1000_births / 1000.0;
                if !(0.0..=1.0).contains(&risk) {
                    bail!("deaths.toml: neonatal {} has a risk outside 0 to 1,000 per 1,000", entry.icd10);
                }
                Ok(Neonatal { cause: Cause::new(entry.icd10, entry.name, entry.admission, entry.place)?, risk })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        if neonatal.iter().map(|entry| entry.risk).sum::<f64>() > 1.0 {
            bail!("deaths.toml: the neonatal risks add up to more than 1,000 per 1,000");
        }
        let causes = file
            .cause
            .into_iter()
            .map(|entry| {
                let code = entry.icd10.clone();
                let (from, to) = (entry.ages[0], entry.ages[1]);
                if !(0.0 <= from && from < to) {
                    bail!("deaths.toml: cause {code} has ages that are not an increasing range");
                }
                let with_condition = match (entry.condition, entry.per_1000_a_year_with_condition) {
                    (Some(condition), Some(rate)) => Some((condition, rate / 1000.0)),
                    (None, None) => None,
                    _ => bail!("deaths.toml: cause {code} gives a condition without its rate, or a rate without one"),
                };
                let rates = [entry.per_1000_a_year / 1000.0].into_iter().chain(with_condition.map(|(_, rate)| rate));
                if rates.into_iter().any(|rate| !(0.0..=1.0).contains(&rate)) {
                    bail!("deaths.toml: cause {code} has a rate outside 0 to 1,000 per 1,000");
                }
                let sex = match entry.sex.as_deref() {
                    None => None,
                    Some("female") => Some(Sex::Female),
                    Some("male") => Some(Sex::Male),
                    Some(other) => bail!("deaths.toml: cause {code} has sex {other:?}, not \"female\" or \"male\""),
                };
                Ok(AgeCause {
                    cause: Cause::new(entry.icd10, entry.name, entry.admission, entry.place)?,
                    ages: (from, to),
                    sex,
                    rate: entry.per_1000_a_year / 1000.0,
                    with_condition,
                })
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Mortality { neonatal, causes })
    }
}

impl Cause {
    fn new(icd10: String, name: Bilingual, admission: Bilingual, place: Places) -> anyhow::Result<Self> {
        check_icd10(&icd10).with_context(|| "deaths.toml".to_owned())?;
        let place = [place.facility, place.home, place.in_transit, place.other];
        if place.iter().any(|weight| !weight.is_finite() || *weight < 0.0) || place.iter().sum::<f64>() <= 0.0 {
            bail!("deaths.toml: cause {icd10} needs a place of death with a positive weight");
        }
        Ok(Cause { icd10, name, admission, place })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeathsFile {
    neonatal: Vec<NeonatalEntry>,
    cause: Vec<CauseEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NeonatalEntry {
    icd10: String,
    name: Bilingual,
    admission: Bilingual,
    per_1000_births: f64,
    place: Places,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CauseEntry {
    icd10: String,
    name: Bilingual,
    admission: Bilingual,
    ages: [f64; 2],
    #[serde(default)]
    sex: Option<String>,
    per_1000_a_year: f64,
    #[serde(default)]
    condition: Option<Chronic>,
    #[serde(default)]
    per_1000_a_year_with_condition: Option<f64>,
    place: Places,
}

/// Relative weights of the places of death; a place not named has none.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Places {
    #[serde(default)]
    facility: f64,
    #[serde(default)]
    home: f64,
    #[serde(default)]
    in_transit: f64,
    #[serde(default)]
    other: f64,
}
