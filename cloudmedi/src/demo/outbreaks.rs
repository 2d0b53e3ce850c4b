//! Outbreaks placed shortly before the as-of day (`data/demo/outbreaks.toml`): an acute illness
//! clustered in one health district, mostly among children the vaccine did not protect, so that the
//! statistics' alerts for recent weeks show an epidemic.

use super::illnesses::Illnesses;
use super::people::Region;
use anyhow::{bail, Context};
use chrono::{Duration, NaiveDate};
use domain::record::schedule;
use serde::Deserialize;

/// An outbreak, with its illness, region and district resolved to the tables' positions.
pub(super) struct Outbreak {
    /// The illness's place among the acute illnesses.
    pub(super) illness: usize,
    pub(super) region: usize,
    pub(super) district: usize,
    starts_days_before_as_of: i64,
    pub(super) days: i64,
    /// From (inclusive) and to (exclusive), in years, at the outbreak's start.
    pub(super) ages: (f64, f64),
    pub(super) attack_unvaccinated: f64,
    pub(super) attack_vaccinated: f64,
    /// The antigen whose doses protect.
    pub(super) vaccine: String,
    pub(super) index_cases: u64,
}

impl Outbreak {
    /// Its first day, for data leading up to `as_of`.
    pub(super) fn first_day(&self, as_of: NaiveDate) -> NaiveDate {
        as_of - Duration::days(self.starts_days_before_as_of)
    }
}

/// The outbreaks, in the file's order.
pub(super) struct Outbreaks {
    pub(super) list: Vec<Outbreak>,
}

impl Outbreaks {
    pub(super) fn new(file: OutbreaksFile, regions: &[Region], illnesses: &Illnesses) -> anyhow::Result<Self> {
        let mut list = Vec::new();
        for entry in file.outbreak {
            let code = &entry.icd10;
            let illness = illnesses
                .acute
                .iter()
                .position(|illness| illness.icd10 == *code)
                .with_context(|| format!("outbreaks.toml: {code} is not an acute illness of illnesses.toml"))?;
            let region = regions
                .iter()
                .position(|region| region.code == entry.region)
                .with_context(|| format!("outbreaks.toml: region {} is not in regions.toml", entry.region))?;
            let district = regions[region]
                .districts
                .iter()
                .position(|district| *district == entry.district)
                .with_context(|| {
                    format!("outbreaks.toml: {} is not a district of {} in regions.toml", entry.district, entry.region)
                })?;
            let vaccine_known = schedule::versions().iter().any(|version| version.antigen(&entry.vaccine).is_some());
            if !vaccine_known {
                bail!("outbreaks.toml: {} is not an antigen of the immunisation schedule", entry.vaccine);
            }
            let chances = [entry.attack_unvaccinated, entry.attack_vaccinated];
            if chances.iter().any(|chance| !(0.0..=1.0).contains(chance)) {
                bail!("outbreaks.toml: an attack rate of {code} is not a chance between 0 and 1");
            }
            let (from, to) = (entry.ages[0], entry.ages[1]);
            if !(0.0 <= from && from < to) {
                bail!("outbreaks.toml: the ages of {code} are not an increasing range");
            }
            // The outbreak must end before the as-of day, and its middle weeks hold the planted cases.
            if entry.days < 21 || entry.starts_days_before_as_of <= entry.days {
                bail!("outbreaks.toml: {code} must last three weeks or more and end before the as-of day");
            }
            list.push(Outbreak {
                illness,
                region,
                district,
                starts_days_before_as_of: entry.starts_days_before_as_of,
                days: entry.days,
                ages: (from, to),
                attack_unvaccinated: entry.attack_unvaccinated,
                attack_vaccinated: entry.attack_vaccinated,
                vaccine: entry.vaccine,
                index_cases: entry.index_cases,
            });
        }
        Ok(Outbreaks { list })
    }

    /// The outbreak whose index case patient `index` is, counting the planted patients from `first`:
    /// each outbreak's index cases in turn.
    pub(super) fn planted(&self, index: u64, first: u64) -> Option<usize> {
        let mut next = first;
        for (number, outbreak) in self.list.iter().enumerate() {
            if (next..next + outbreak.index_cases).contains(&index) {
                return Some(number);
            }
            next += outbreak.index_cases;
        }
        None
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OutbreaksFile {
    outbreak: Vec<OutbreakEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutbreakEntry {
    icd10: String,
    region: String,
    district: String,
    starts_days_before_as_of: i64,
    days: i64,
    ages: [f64; 2],
    attack_unvaccinated: f64,
    attack_vaccinated: f64,
    vaccine: String,
    index_cases: u64,
}
