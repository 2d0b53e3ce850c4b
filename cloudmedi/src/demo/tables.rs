//! The demo's reference tables: names, regions, medicines, illnesses, laboratory tests, children's
//! growth, what people report of their history, and how facilities are named. They are TOML files under
//! `cloudmedi/data/demo/`, embedded in the binary so that a seed means the same data wherever it runs,
//! and read once, with every cross-reference (an illness's medicines and tests, a region's family names)
//! resolved and every code checked as the domain would check it. A file that fails is a defect of the
//! build: `run` reports it before writing anything, and a unit test keeps it from being released.

use super::history::History;
use super::illnesses::{ChronicConditions, Illnesses};
use super::laboratory::LabTests;
use super::medicines::Formulary;
use super::network::FacilityNames;
use super::people::{Growth, Names, Region};
use anyhow::{anyhow, bail, Context};
use domain::record::clinical;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::sync::LazyLock;

/// Every table the demo draws from.
pub(super) struct Tables {
    /// In the order the demo numbers regions (see `people::CENTRE`).
    pub(super) regions: Vec<Region>,
    pub(super) names: Names,
    pub(super) facility_names: FacilityNames,
    pub(super) medicines: Formulary,
    pub(super) illnesses: Illnesses,
    pub(super) chronic: ChronicConditions,
    pub(super) lab_tests: LabTests,
    pub(super) history: History,
    pub(super) growth: Growth,
}

/// The tables, read on first use. The error is kept as text, since a parse error cannot be shared
/// between the callers that each want to report it.
static TABLES: LazyLock<Result<Tables, String>> = LazyLock::new(|| read().map_err(|error| format!("{error:#}")));

/// The tables, or why the data files are unusable.
pub(super) fn load() -> anyhow::Result<&'static Tables> {
    TABLES.as_ref().map_err(|error| anyhow!("the demo's reference data is broken: {error}"))
}

fn read() -> anyhow::Result<Tables> {
    let medicines = Formulary::new(parse("medicines.toml", include_str!("../../data/demo/medicines.toml"))?)?;
    let names: Names = parse("names.toml", include_str!("../../data/demo/names.toml"))?;
    names.check()?;
    let regions = Region::resolve_all(parse("regions.toml", include_str!("../../data/demo/regions.toml"))?, &names)?;
    let lab_tests = LabTests::new(parse("lab_tests.toml", include_str!("../../data/demo/lab_tests.toml"))?)?;
    let illnesses =
        Illnesses::new(parse("illnesses.toml", include_str!("../../data/demo/illnesses.toml"))?, &medicines)?;
    let chronic = ChronicConditions::new(
        parse("chronic_conditions.toml", include_str!("../../data/demo/chronic_conditions.toml"))?,
        &medicines,
    )?;
    let history: History = parse("history.toml", include_str!("../../data/demo/history.toml"))?;
    history.check()?;
    let growth: Growth = parse("growth.toml", include_str!("../../data/demo/growth.toml"))?;
    growth.check()?;
    let facility_names: FacilityNames = parse("facilities.toml", include_str!("../../data/demo/facilities.toml"))?;
    facility_names.check()?;
    Ok(Tables { regions, names, facility_names, medicines, illnesses, chronic, lab_tests, history, growth })
}

fn parse<T: DeserializeOwned>(file: &str, text: &str) -> anyhow::Result<T> {
    toml::from_str(text).with_context(|| format!("cannot read cloudmedi/data/demo/{file}"))
}

/// Refuses an ICD-10 code the domain would not store as written, so that a typing slip in a data file
/// is found when the tables are read rather than when a patient's entry is refused.
pub(super) fn check_icd10(code: &str) -> anyhow::Result<()> {
    if clinical::normalise_icd10(code).as_deref() != Some(code) {
        bail!("{code} is not an ICD-10 code as the domain writes it");
    }
    Ok(())
}

/// A text the demo writes in the language of the facility.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Bilingual {
    pub(super) fr: String,
    pub(super) en: String,
}

impl Bilingual {
    pub(super) fn in_language(&self, english: bool) -> String {
        words(english, &self.fr, &self.en)
    }
}

/// The English or the French words, as a facility of an English-speaking region or another writes.
pub(super) fn words(english: bool, fr: &str, en: &str) -> String {
    if english { en } else { fr }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::illnesses::{Chronic, MALARIA};
    use crate::demo::laboratory::Test;
    use domain::record::observations;
    use domain::reference;

    /// Every file parses and every cross-reference resolves; the codes are then checked again here, so
    /// that the test says what it guarantees even if the checks on reading change.
    #[test]
    fn every_data_file_parses_and_is_consistent() {
        let tables = load().unwrap();
        for test in Test::ALL {
            assert!(observations::is_loinc(tables.lab_tests.loinc(test)), "{test:?}");
        }
        let illnesses = tables.illnesses.acute.iter().chain([&tables.illnesses.retinopathy]);
        for illness in illnesses {
            assert_eq!(clinical::normalise_icd10(&illness.icd10).as_deref(), Some(illness.icd10.as_str()));
        }
        assert_eq!(tables.illnesses.malaria.icd10, MALARIA);
        let chronic = Chronic::ALL.map(|condition| tables.chronic.get(condition).icd10.as_str());
        let medical = tables.history.medical.iter().filter_map(|entry| entry.icd10.as_deref());
        let family = tables.history.family.iter().filter_map(|entry| entry.icd10.as_deref());
        for code in chronic.into_iter().chain(medical).chain(family) {
            assert_eq!(clinical::normalise_icd10(code).as_deref(), Some(code));
        }
        for region in &tables.regions {
            assert!(reference::region(&region.code).is_some(), "{}", region.code);
            assert!(!region.districts.is_empty());
        }
        assert_eq!(tables.regions.len(), 10, "every region of Cameroon has patients");
    }
}
