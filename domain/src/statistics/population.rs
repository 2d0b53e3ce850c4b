//! The official target population (`data/target_population.toml`): per health district and year, the
//! total population and the cohort of surviving infants (0 to 11 months) that immunisation coverage is
//! measured against. The file holds each district's population in a base year, the yearly growth rate
//! and the infants' share, with their source and method in its header; the projection is done here, in
//! whole numbers, so the file stays small and its method explicit.
//!
//! The districts listed here are the health districts the rest of the system knows by name: the demo
//! must place its facilities and patients in districts of this list (a test on its side checks this),
//! or their counts would have no denominator.

use serde::Deserialize;
use std::ops::RangeInclusive;
use std::sync::OnceLock;

/// One health district.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct District {
    /// The name as the record stores it, accents included, e.g. `Ngaoundéré Urbain`.
    pub name: String,
    /// The region's code, e.g. `AD`.
    pub region: String,
    /// The population in the base year.
    base_population: u64,
}

/// The target population of a district, a region or the country in one year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Target {
    pub population: u64,
    /// Surviving infants (0 to 11 months): the cohort of the infant immunisations.
    pub surviving_infants: u64,
}

/// The districts, in the file's order (region by region). Empty only if the file failed to parse, which a
/// test rules out for the shipped file; coverage is then shown against registered children alone.
pub fn districts() -> &'static [District] {
    estimates().map_or(&[], |estimates| estimates.districts.as_slice())
}

/// The district of this name, written as the record stores it.
pub fn district(name: &str) -> Option<&'static District> {
    districts().iter().find(|district| district.name == name)
}

/// The years the file gives estimates for; no estimate is made outside them.
pub fn years() -> Option<RangeInclusive<i32>> {
    estimates().map(|estimates| estimates.first_year..=estimates.last_year)
}

/// The target population of a district in `year`, if the district is listed and the year is one the file
/// gives estimates for.
pub fn target(district_name: &str, year: i32) -> Option<Target> {
    let estimates = estimates()?;
    estimates.target_of(district(district_name)?, year)
}

/// The target population of a region in `year`: the sum of its districts'.
pub fn region_target(region: &str, year: i32) -> Option<Target> {
    let estimates = estimates()?;
    estimates.sum(districts().iter().filter(|district| district.region == region), year)
}

/// The target population of the country in `year`: the sum of every district's.
pub fn national_target(year: i32) -> Option<Target> {
    let estimates = estimates()?;
    estimates.sum(districts().iter(), year)
}

/// One line naming the source and the method, to print under tables that use these figures.
pub fn source() -> &'static str {
    estimates().map_or("Target population: no estimates available", |estimates| estimates.source.as_str())
}

/// The parsed file, checked: valid years, rates within bounds.
struct Estimates {
    source: String,
    base_year: i32,
    first_year: i32,
    last_year: i32,
    growth_per_10000: u64,
    surviving_infants_per_10000: u64,
    districts: Vec<District>,
}

impl Estimates {
    fn target_of(&self, district: &District, year: i32) -> Option<Target> {
        if !(self.first_year..=self.last_year).contains(&year) {
            return None;
        }
        // Each year adds the growth rate to the year before, rounded to the nearest person, so a figure
        // can be recomputed by hand from the file.
        let mut population = district.base_population;
        for _ in self.base_year..year {
            population = population.checked_add(share(population, self.growth_per_10000)?)?;
        }
        Some(Target { population, surviving_infants: share(population, self.surviving_infants_per_10000)? })
    }

    /// The sum of the districts' targets; `None` when there is no district or the year is not covered.
    fn sum<'a>(&self, districts: impl Iterator<Item = &'a District>, year: i32) -> Option<Target> {
        let mut total: Option<Target> = None;
        for district in districts {
            let target = self.target_of(district, year)?;
            let sum = total.unwrap_or_default();
            total = Some(Target {
                population: sum.population.checked_add(target.population)?,
                surviving_infants: sum.surviving_infants.checked_add(target.surviving_infants)?,
            });
        }
        total
    }
}

/// `per_10000` ten-thousandths of `amount`, rounded half up.
fn share(amount: u64, per_10000: u64) -> Option<u64> {
    Some(amount.checked_mul(per_10000)?.checked_add(5_000)? / 10_000)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PopulationFile {
    source: String,
    base_year: i32,
    first_year: i32,
    last_year: i32,
    growth_per_10000: u64,
    surviving_infants_per_10000: u64,
    region: Vec<RegionEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionEntry {
    code: String,
    /// The region's total in the base year, which its districts share.
    population: u64,
    districts: Vec<DistrictEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DistrictEntry {
    name: String,
    population: u64,
}

const TARGET_POPULATION_TOML: &str = include_str!("../../data/target_population.toml");

/// The estimates, parsed once; `None` if the file does not parse, states years that cannot be projected
/// (before its base year, or an empty range) or a share above the whole, or has a region whose districts
/// do not add up to its total: figures that contradict their own method are not shown at all.
fn estimates() -> Option<&'static Estimates> {
    static ESTIMATES: OnceLock<Option<Estimates>> = OnceLock::new();
    ESTIMATES.get_or_init(|| parse(TARGET_POPULATION_TOML)).as_ref()
}

fn parse(text: &str) -> Option<Estimates> {
    let file: PopulationFile = toml::from_str(text).ok()?;
    let sound = file.base_year <= file.first_year
        && file.first_year <= file.last_year
        && file.surviving_infants_per_10000 <= 10_000
        && file.region.iter().all(|region| {
            region.districts.iter().try_fold(0u64, |sum, district| sum.checked_add(district.population))
                == Some(region.population)
        });
    sound.then(|| Estimates {
        districts: file
            .region
            .iter()
            .flat_map(|region| {
                region.districts.iter().map(|district| District {
                    name: district.name.clone(),
                    region: region.code.clone(),
                    base_population: district.population,
                })
            })
            .collect(),
        source: file.source,
        base_year: file.base_year,
        first_year: file.first_year,
        last_year: file.last_year,
        growth_per_10000: file.growth_per_10000,
        surviving_infants_per_10000: file.surviving_infants_per_10000,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reference;

    fn file() -> PopulationFile {
        toml::from_str(TARGET_POPULATION_TOML).expect("target_population.toml parses")
    }

    #[test]
    fn the_shipped_file_parses_and_names_its_method() {
        assert!(parse(TARGET_POPULATION_TOML).is_some(), "and its years and shares are sound");
        assert_eq!(districts().len(), 145);
        assert_eq!(years(), Some(2020..=2030));
        let file = file();
        let percent = |per_10000: u64| format!("{}.{} %", per_10000 / 100, per_10000 % 100 / 10);
        assert!(source().contains(&percent(file.growth_per_10000)), "{}", source());
        assert!(source().contains(&percent(file.surviving_infants_per_10000)), "{}", source());
        assert!(!source().contains('\n'));
    }

    #[test]
    fn districts_are_unique_and_belong_to_known_regions() {
        let mut names: Vec<_> = districts().iter().map(|district| district.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), districts().len(), "names are unique");
        for district in districts() {
            assert!(reference::region(&district.region).is_some(), "{}: {}", district.name, district.region);
            assert_eq!(district.name.trim(), district.name);
        }
        for region in reference::regions() {
            assert!(districts().iter().any(|district| district.region == region.code), "{} has districts", region.code);
        }
        assert_eq!(district("Ngaoundéré Urbain").map(|district| district.region.as_str()), Some("AD"));
        assert_eq!(district("Soa").map(|district| district.region.as_str()), Some("CE"));
        assert!(district("Nowhere").is_none());
    }

    #[test]
    fn the_districts_share_their_regions_census_totals() {
        let file = file();
        assert_eq!(file.region.iter().map(|region| region.population).sum::<u64>(), 17_463_836, "the 2005 census");
        for region in &file.region {
            let shares: Vec<u64> = region.districts.iter().map(|district| district.population).collect();
            assert_eq!(shares.iter().sum::<u64>(), region.population, "{}", region.code);
            let (least, most) = (shares.iter().min(), shares.iter().max());
            assert!(most.zip(least).is_some_and(|(most, least)| most - least <= 1), "{}: equal shares", region.code);
        }
    }

    #[test]
    fn regions_and_the_country_add_up_their_districts_projected_by_the_stated_method() {
        let file = file();
        let estimates = parse(TARGET_POPULATION_TOML).expect("sound");
        for year in 2020..=2030 {
            let mut country = Target::default();
            for region in &file.region {
                let sum = region_target(&region.code, year).expect("a region with districts");
                // The region's own total projected the same way differs from the sum of its districts only
                // by the rounding of each district, at most one person per district per year.
                let whole =
                    District { name: String::new(), region: region.code.clone(), base_population: region.population };
                let whole = estimates.target_of(&whole, year).expect("in range");
                let slack = (region.districts.len() as u64) * u64::try_from(year - file.base_year).unwrap_or(0);
                assert!(sum.population.abs_diff(whole.population) <= slack, "{} {year}", region.code);
                assert!(sum.surviving_infants.abs_diff(whole.surviving_infants) <= slack, "{} {year}", region.code);
                country.population += sum.population;
                country.surviving_infants += sum.surviving_infants;
            }
            assert_eq!(national_target(year), Some(country), "{year}");
        }
    }

    #[test]
    fn known_values_and_years_outside_the_file() {
        // 98,255 people in 2005, plus 2.6 % a year for 21 years, each year rounded: 168,438 in 2026, of
        // whom 3.6 % (6,064) surviving infants.
        assert_eq!(target("Ngaoundéré Urbain", 2026), Some(Target { population: 168_438, surviving_infants: 6_064 }));
        assert_eq!(target("Ngaoundéré Urbain", 2005), None, "the base year is not an estimate the file gives");
        assert_eq!(target("Ngaoundéré Urbain", 2019), None);
        assert_eq!(target("Ngaoundéré Urbain", 2031), None);
        assert_eq!(target("Ngaoundere Urbain", 2026), None, "names are matched as stored");
        // The country: 17,463,836 x 1.026^21 is 29,938,788; the districts' rounding leaves 29,938,653.
        assert_eq!(national_target(2026), Some(Target { population: 29_938_653, surviving_infants: 1_077_787 }));
        assert_eq!(national_target(2031), None);
        assert_eq!(region_target("XX", 2026), None);
        assert_eq!(region_target("CE", 2026).map(|target| target.population), Some(5_311_019));
    }

    #[test]
    fn a_file_with_unsound_years_or_shares_gives_no_estimate() {
        let sound = "source = \"s\"\nbase_year = 2005\nfirst_year = 2020\nlast_year = 2030\ngrowth_per_10000 = 260\n\
                     surviving_infants_per_10000 = 360\nregion = []\n";
        assert!(parse(sound).is_some());
        assert!(parse(&sound.replace("first_year = 2020", "first_year = 2000")).is_none(), "before the base year");
        assert!(parse(&sound.replace("last_year = 2030", "last_year = 2019")).is_none(), "an empty range");
        assert!(parse(&sound.replace("= 360", "= 10001")).is_none(), "more infants than people");
        assert!(parse(&sound.replace("region = []", "regions = []")).is_none(), "unknown field");
        let region = "[[region]]\ncode = \"SU\"\npopulation = 10\ndistricts = [{ name = \"Kribi\", population = 9 }]\n";
        let with_region = sound.replace("region = []\n", region);
        assert!(parse(&with_region).is_none(), "districts that do not add up to their region");
        assert!(parse(&with_region.replace("population = 9", "population = 10")).is_some());
    }
}
