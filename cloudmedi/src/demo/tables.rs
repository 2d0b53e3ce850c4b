//! The demo's reference tables: names, regions, medicines, illnesses and the seasons they follow,
//! causes of death, outbreaks, laboratory tests, children's growth, what people report of their
//! history, and how facilities are named. They are TOML files under
//! `cloudmedi/data/demo/`, embedded in the binary so that a seed means the same data wherever it runs,
//! and read once, with every cross-reference (an illness's medicines and tests, a region's family names)
//! resolved and every code checked as the domain would check it. A file that fails is a defect of the
//! build: `run` reports it before writing anything, and a unit test keeps it from being released.

use super::history::History;
use super::illnesses::{ChronicConditions, Illnesses};
use super::laboratory::LabTests;
use super::medicines::Formulary;
use super::mortality::Mortality;
use super::network::FacilityNames;
use super::outbreaks::Outbreaks;
use super::people::{Growth, Names, Region};
use super::seasons::{Curve, Seasons};
use anyhow::{anyhow, bail, Context};
use domain::record::{clinical, icd10};
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
    /// Per region, then per acute illness (in their orders), the illness's monthly factors there.
    pub(super) seasonality: Vec<Vec<Curve>>,
    pub(super) mortality: Mortality,
    pub(super) outbreaks: Outbreaks,
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
    let seasons = Seasons::new(parse("seasons.toml", include_str!("../../data/demo/seasons.toml"))?)?;
    let seasonality = seasonality(&seasons, &regions, &illnesses)?;
    let mortality = Mortality::new(parse("deaths.toml", include_str!("../../data/demo/deaths.toml"))?)?;
    let outbreaks =
        Outbreaks::new(parse("outbreaks.toml", include_str!("../../data/demo/outbreaks.toml"))?, &regions, &illnesses)?;
    Ok(Tables {
        regions,
        names,
        facility_names,
        medicines,
        illnesses,
        seasonality,
        mortality,
        outbreaks,
        chronic,
        lab_tests,
        history,
        growth,
    })
}

/// Each region's curve for each acute illness, after checking that every climate and season named exists.
fn seasonality(seasons: &Seasons, regions: &[Region], illnesses: &Illnesses) -> anyhow::Result<Vec<Vec<Curve>>> {
    for illness in &illnesses.acute {
        if let Some(season) = illness.season.as_deref().filter(|season| !seasons.knows(season)) {
            bail!("illness {} follows season {season:?}, which no climate of seasons.toml lists", illness.icd10);
        }
    }
    regions
        .iter()
        .map(|region| {
            if !seasons.has_climate(&region.climate) {
                bail!("region {} has climate {:?}, which seasons.toml does not list", region.code, region.climate);
            }
            Ok(illnesses
                .acute
                .iter()
                .map(|illness| seasons.curve(&region.climate, illness.season.as_deref()))
                .collect())
        })
        .collect()
}

fn parse<T: DeserializeOwned>(file: &str, text: &str) -> anyhow::Result<T> {
    toml::from_str(text).with_context(|| format!("cannot read cloudmedi/data/demo/{file}"))
}

/// Refuses an ICD-10 code the domain would not store as written, or would refuse as not a code of WHO's
/// list that an entry may carry, so that a typing slip in a data file is found when the tables are read
/// rather than when a patient's entry is refused.
pub(super) fn check_icd10(code: &str) -> anyhow::Result<()> {
    if clinical::normalise_icd10(code).as_deref() != Some(code) {
        bail!("{code} is not an ICD-10 code as the domain writes it");
    }
    if let Err(refusal) = icd10::check(code) {
        bail!("{}", icd10::refusal_message(code, &refusal));
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
    use domain::statistics::population;
    use domain::statistics::surveillance::{self, Rule};

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
        let mortality = &tables.mortality;
        let causes = mortality.neonatal.iter().map(|n| &n.cause).chain(mortality.causes.iter().map(|c| &c.cause));
        for cause in causes {
            assert!(icd10::check(&cause.icd10).is_ok(), "{} is a cause of death the domain accepts", cause.icd10);
        }
    }

    /// Statistics find a district's target population and its region by the names the record stores, so
    /// every district the demo places patients and facilities in must be one of those, in the same region.
    #[test]
    fn every_demo_district_is_a_district_of_the_target_population_in_its_region() {
        let tables = load().unwrap();
        for region in &tables.regions {
            for district in &region.districts {
                let listed = population::district(district);
                assert!(listed.is_some(), "{district} ({}) is not in target_population.toml", region.code);
                assert_eq!(listed.map(|d| d.region.as_str()), Some(region.code.as_str()), "{district}");
            }
        }
    }

    /// An outbreak's planted cases alone must cross its disease's epidemic threshold over a few weeks,
    /// so that even the smallest run shows an epidemic in the alerts.
    #[test]
    fn every_outbreak_is_of_a_notifiable_disease_its_index_cases_make_an_epidemic_of() {
        let tables = load().unwrap();
        assert!(!tables.outbreaks.list.is_empty());
        for outbreak in &tables.outbreaks.list {
            let code = &tables.illnesses.acute[outbreak.illness].icd10;
            let disease = surveillance::disease_of(code);
            let epidemic = disease.iter().flat_map(|d| d.thresholds()).any(|threshold| {
                matches!(threshold.rule, Rule::CountInWeeks { weeks } if weeks >= 4)
                    && threshold.epidemic.is_some_and(|cases| cases <= outbreak.index_cases)
            });
            assert!(
                epidemic,
                "{code}: {} index cases within three weeks reach no epidemic threshold",
                outbreak.index_cases
            );
        }
    }

    /// Malaria follows the rains: two peaks a year in the equatorial south (March to June, September to
    /// November), one in the Sudano-Sahelian north (July to October).
    #[test]
    fn malaria_peaks_twice_a_year_in_the_south_and_once_in_the_north() {
        let tables = load().unwrap();
        let malaria = tables.illnesses.acute.iter().position(|illness| illness.icd10 == MALARIA).unwrap();
        let peaks = |code: &str| {
            let region = tables.regions.iter().position(|region| region.code == code).unwrap();
            let curve = tables.seasonality[region][malaria];
            (0..12)
                .filter(|&m| curve[m] > 1.0 && curve[m] >= curve[(m + 11) % 12] && curve[m] > curve[(m + 1) % 12])
                .collect::<Vec<usize>>()
        };
        assert_eq!(peaks("CE"), vec![4, 9], "Centre: peaks in May and October");
        let north = peaks("EN");
        assert_eq!(north.len(), 1, "Far North: one peak, not {north:?}");
        assert!((6..=9).contains(&north[0]), "Far North: the peak lies from July to October");
    }
}
