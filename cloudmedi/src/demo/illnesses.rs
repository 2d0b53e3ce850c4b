//! Illnesses the demo's patients have (`data/demo/illnesses.toml` and `chronic_conditions.toml`): acute
//! ones seen at a consultation, and chronic ones followed over years.

use super::laboratory::Test;
use super::medicines::{Formulary, Medicine};
use super::tables::{check_icd10, Bilingual};
use anyhow::{bail, Context};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Uncomplicated falciparum malaria: a clinical malaria diagnosis is amended to it once a smear confirms it.
pub(super) const MALARIA: &str = "B50.9";

/// An acute illness as seen at a consultation: its ICD-10 code, the words written, what confirms it,
/// what is prescribed, and how often it is referred or seen again. The file names medicines by key
/// (`M = String`); reading resolves them.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Illness<M = Medicine> {
    pub(super) icd10: String,
    pub(super) diagnosis: Bilingual,
    pub(super) complaint: Bilingual,
    /// Relative frequency under 5, 5 to 14, 15 to 49, and 50 and over.
    pub(super) weights: [f64; 4],
    pub(super) fever: bool,
    pub(super) tests: Vec<Test>,
    /// How often the test comes back positive or abnormal.
    pub(super) confirmed: f64,
    pub(super) adult: Vec<M>,
    pub(super) child: Vec<M>,
    /// How often a health centre refers the patient to a hospital.
    pub(super) referred: f64,
    /// How often a control visit is booked.
    pub(super) control: f64,
    /// Only in the northern regions (the meningitis belt, cholera along the lakes).
    pub(super) northern_only: bool,
    /// The curve of `seasons.toml` it follows in the region's climate; none: evenly over the year.
    #[serde(default)]
    pub(super) season: Option<String>,
    /// The chance that a patient seen with it dies of it, under 5, 5 to 14, 15 to 49, and 50 and over.
    #[serde(default)]
    pub(super) fatality: [f64; 4],
    /// The underlying cause certified when it proves fatal, if not its own code.
    #[serde(default)]
    pub(super) fatal_cause: Option<String>,
}

impl Illness<String> {
    fn resolve(self, medicines: &Formulary) -> anyhow::Result<Illness> {
        check_icd10(&self.icd10)?;
        if self.fatality.iter().any(|chance| !(0.0..=1.0).contains(chance)) {
            bail!("illness {}: a fatality is not a chance between 0 and 1", self.icd10);
        }
        if let Some(cause) = &self.fatal_cause {
            check_icd10(cause)?;
        }
        let adult = medicines.all(&self.adult).with_context(|| format!("illness {}", self.icd10))?;
        let child = medicines.all(&self.child).with_context(|| format!("illness {}", self.icd10))?;
        // Every field but the medicines carries over; the struct is rebuilt since its type changes.
        let Illness {
            icd10,
            diagnosis,
            complaint,
            weights,
            fever,
            tests,
            confirmed,
            referred,
            control,
            northern_only,
            season,
            fatality,
            fatal_cause,
            ..
        } = self;
        Ok(Illness {
            icd10,
            diagnosis,
            complaint,
            weights,
            fever,
            tests,
            confirmed,
            adult,
            child,
            referred,
            control,
            northern_only,
            season,
            fatality,
            fatal_cause,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct IllnessesFile {
    acute: Vec<Illness<String>>,
    retinopathy: Illness<String>,
}

pub(super) struct Illnesses {
    /// In the order they are drawn from.
    pub(super) acute: Vec<Illness>,
    /// Uncomplicated malaria, also found among the acute illnesses.
    pub(super) malaria: Illness,
    /// The eye examination the showcase patient is referred for.
    pub(super) retinopathy: Illness,
}

impl Illnesses {
    pub(super) fn new(file: IllnessesFile, medicines: &Formulary) -> anyhow::Result<Self> {
        let acute = file.acute.into_iter().map(|illness| illness.resolve(medicines)).collect::<Result<Vec<_>, _>>()?;
        let malaria = acute
            .iter()
            .find(|illness| illness.icd10 == MALARIA)
            .cloned()
            .with_context(|| format!("illnesses.toml lists no acute illness {MALARIA}"))?;
        let retinopathy = file.retinopathy.resolve(medicines)?;
        Ok(Illnesses { acute, malaria, retinopathy })
    }
}

/// A condition followed over years, with its long-term treatments and reviews.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Chronic {
    Hypertension,
    Diabetes,
    Hiv,
}

impl Chronic {
    pub(super) const ALL: [Chronic; 3] = [Chronic::Hypertension, Chronic::Diabetes, Chronic::Hiv];
}

/// What is written about a chronic condition, and how it is treated and followed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ChronicCondition<M = Medicine> {
    pub(super) icd10: String,
    pub(super) diagnosis: Bilingual,
    /// The reason written at a review.
    pub(super) review: Bilingual,
    pub(super) treatments: Vec<M>,
    /// Days between reviews, fewest and most.
    pub(super) review_interval_days: (i64, i64),
}

/// The chronic conditions, one for each of `Chronic::ALL`, in its order.
pub(super) struct ChronicConditions {
    conditions: Vec<ChronicCondition>,
}

impl ChronicConditions {
    pub(super) fn new(
        mut file: BTreeMap<Chronic, ChronicCondition<String>>,
        medicines: &Formulary,
    ) -> anyhow::Result<Self> {
        let mut conditions = Vec::new();
        for condition in Chronic::ALL {
            let Some(entry) = file.remove(&condition) else {
                bail!("chronic_conditions.toml does not describe {condition:?}");
            };
            check_icd10(&entry.icd10)?;
            let treatments = medicines.all(&entry.treatments).with_context(|| format!("condition {condition:?}"))?;
            let ChronicCondition { icd10, diagnosis, review, review_interval_days, .. } = entry;
            conditions.push(ChronicCondition { icd10, diagnosis, review, treatments, review_interval_days });
        }
        Ok(ChronicConditions { conditions })
    }

    /// Every condition is present once the file is read, in `Chronic::ALL` order.
    pub(super) fn get(&self, condition: Chronic) -> &ChronicCondition {
        &self.conditions[condition as usize]
    }
}
