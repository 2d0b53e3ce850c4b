//! People: the regions they live in (`data/demo/regions.toml`), their names (`names.toml`), how they
//! can be reached, how children grow (`growth.toml`), and the identifiers they are given.

use super::rng::{pick, Rng};
use anyhow::{bail, Context};
use domain::reference;
use event_schema::events::patient::Sex;
use serde::Deserialize;

/// The Centre's place in `regions.toml`: Yaoundé's regional hospital gets accounts and the showcase
/// patient lives there.
pub(super) const CENTRE: usize = 1;
/// The Littoral's place in `regions.toml`: Douala's regional hospital gets accounts and referrals.
pub(super) const LITTORAL: usize = 4;

/// A region as the demo peoples it: relative population, the health districts used (the capital's
/// first), which family names are most common (an index into `Names::family_group`; the file names the
/// group), and the language its facilities write in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Region<F = usize> {
    pub(super) code: String,
    pub(super) population: f64,
    pub(super) families: F,
    pub(super) english: bool,
    /// In the north, most given names are Muslim ones, and meningitis and cholera occur.
    pub(super) northern: bool,
    /// The climate whose seasons (`seasons.toml`) seasonal illnesses follow.
    pub(super) climate: String,
    /// The share of children routine immunisation never reaches after the birth doses.
    pub(super) zero_dose: f64,
    /// The chance a child misses one contact of the first year's immunisation schedule.
    pub(super) missed_contact: f64,
    pub(super) districts: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RegionsFile {
    region: Vec<Region<String>>,
}

impl Region {
    pub(super) fn resolve_all(file: RegionsFile, names: &Names) -> anyhow::Result<Vec<Region>> {
        let mut regions = Vec::new();
        for Region { code, population, families, english, northern, climate, zero_dose, missed_contact, districts } in
            file.region
        {
            if reference::region(&code).is_none() {
                bail!("region {code} of regions.toml is not in the domain's reference data");
            }
            if districts.is_empty() {
                bail!("region {code} has no health district");
            }
            // A contact after the first year is missed a quarter more often, which must stay a chance.
            if !(0.0..=1.0).contains(&zero_dose) || !(0.0..=0.6).contains(&missed_contact) {
                bail!("region {code}: zero_dose must lie between 0 and 1, and missed_contact between 0 and 0.6");
            }
            let families = names
                .family_group
                .iter()
                .position(|group| group.name == families)
                .with_context(|| format!("region {code}: names.toml has no family group {families:?}"))?;
            regions.push(Region {
                code,
                population,
                families,
                english,
                northern,
                climate,
                zero_dose,
                missed_contact,
                districts,
            });
        }
        for (index, code) in [(CENTRE, "CE"), (LITTORAL, "LT")] {
            if regions.get(index).map(|region| region.code.as_str()) != Some(code) {
                bail!("regions.toml must list {code} in place {}", index + 1);
            }
        }
        Ok(regions)
    }
}

/// The names the demo gives people, and how they can be reached.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Names {
    /// In a fixed order: a person from elsewhere draws a group by its place.
    pub(super) family_group: Vec<FamilyGroup>,
    pub(super) given: GivenNames,
    pub(super) contact: ContactDetails,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FamilyGroup {
    pub(super) name: String,
    pub(super) families: Vec<String>,
}

/// Given names by the language of the region, and the Muslim names common in the north.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GivenNames {
    pub(super) french: BySex,
    pub(super) english: BySex,
    pub(super) muslim: BySex,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BySex {
    pub(super) women: Vec<String>,
    pub(super) men: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ContactDetails {
    pub(super) mobile_prefixes: Vec<String>,
    pub(super) email_domains: Vec<String>,
}

impl Names {
    /// Every list is drawn from, so none may be empty.
    pub(super) fn check(&self) -> anyhow::Result<()> {
        let given = [&self.given.french, &self.given.english, &self.given.muslim];
        let lists = self
            .family_group
            .iter()
            .map(|group| &group.families)
            .chain(given.iter().flat_map(|by| [&by.women, &by.men]));
        if self.family_group.is_empty() || lists.into_iter().any(Vec::is_empty) {
            bail!("names.toml has an empty list of names");
        }
        if self.contact.mobile_prefixes.is_empty() || self.contact.email_domains.is_empty() {
            bail!("names.toml has no mobile prefix or e-mail domain");
        }
        Ok(())
    }
}

/// A child's usual size by age.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Growth {
    age: Vec<GrowthRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GrowthRow {
    days: i64,
    weight_grams: u32,
    height_mm: u32,
}

/// A plausible name for someone of `region`: most people bear the region's family names, some come
/// from elsewhere; given names follow the region's language and, in the north, mostly Islam.
pub(super) fn person_name(rng: &mut Rng, names: &Names, region: &Region, sex: Sex) -> (String, String) {
    let groups = &names.family_group;
    let group = if rng.chance(0.8) { region.families } else { rng.below(groups.len() as u64) as usize };
    let family = pick(rng, &groups[group].families).to_owned();
    let given_names = if region.northern && rng.chance(0.7) {
        &names.given.muslim
    } else if region.english {
        &names.given.english
    } else {
        &names.given.french
    };
    let list = if sex == Sex::Female { &given_names.women } else { &given_names.men };
    let mut given = pick(rng, list).to_owned();
    if rng.chance(0.35) {
        let second = pick(rng, list);
        if second != given {
            given.push(' ');
            given.push_str(second);
        }
    }
    (family, given)
}

/// A Cameroonian mobile number, written in one of the ways people give them at a desk.
pub(super) fn mobile_number(rng: &mut Rng, names: &Names) -> String {
    let prefix = pick(rng, &names.contact.mobile_prefixes);
    let rest = rng.below(10_000_000);
    let digits = format!("{prefix}{rest:07}");
    match rng.below(3) {
        0 => format!("{} {} {} {} {}", &digits[..1], &digits[1..3], &digits[3..5], &digits[5..7], &digits[7..]),
        1 => format!("+237{digits}"),
        _ => digits,
    }
}

/// An e-mail address made of a person's names, kept to ASCII letters.
pub(super) fn email_address(rng: &mut Rng, names: &Names, family: &str, given: &str) -> String {
    let ascii = |text: &str| -> String {
        text.chars()
            .filter_map(|c| match c {
                'é' | 'è' | 'ê' | 'ë' | 'É' => Some('e'),
                'ï' | 'î' => Some('i'),
                'ç' => Some('c'),
                'à' | 'â' => Some('a'),
                'ô' => Some('o'),
                c if c.is_ascii_alphabetic() => Some(c.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    };
    let first = given.split(' ').next().unwrap_or(given);
    let domain = pick(rng, &names.contact.email_domains);
    format!("{}.{}{}@{domain}", ascii(first), ascii(family), rng.below(100))
}

impl Growth {
    /// The usual (weight in grams, height in mm) at `age_days`, interpolated between the table's rows;
    /// past the last row, its size.
    pub(super) fn at(&self, age_days: i64) -> (f64, f64) {
        let size = |row: &GrowthRow| (row.days, f64::from(row.weight_grams), f64::from(row.height_mm));
        // Reading the file checks that the first row is birth.
        let mut previous = self.age.first().map_or((0, 0.0, 0.0), size);
        for (age, weight, height) in self.age.iter().map(size) {
            if age_days <= age {
                let span = (age - previous.0).max(1) as f64;
                let share = ((age_days - previous.0).max(0) as f64 / span).min(1.0);
                return (previous.1 + (weight - previous.1) * share, previous.2 + (height - previous.2) * share);
            }
            previous = (age, weight, height);
        }
        (previous.1, previous.2)
    }

    pub(super) fn check(&self) -> anyhow::Result<()> {
        let from_birth = self.age.first().is_some_and(|row| row.days == 0);
        if !from_birth || self.age.windows(2).any(|pair| pair[0].days >= pair[1].days) {
            bail!("growth.toml must start at birth (0 days) and list ages in increasing order");
        }
        Ok(())
    }
}

/// Maps `index` to a distinct number below 900,000,000 for every index below that: multiplying by a
/// number coprime with 900,000,000 (not divisible by 2, 3 or 5) permutes the residues.
pub(super) fn permute(index: u64, multiplier: u64, seed: u64) -> u64 {
    const RANGE: u64 = 900_000_000;
    ((u128::from(index % RANGE) * u128::from(multiplier) + u128::from(seed % RANGE)) % u128::from(RANGE)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_permutation_gives_distinct_numbers() {
        let mut seen = std::collections::HashSet::new();
        for index in 0..200_000 {
            assert!(seen.insert(permute(index, 282_475_249, 7)));
        }
    }
}
